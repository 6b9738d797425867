package web_test

import (
	"context"
	"encoding/xml"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"egov/internal/identity"
	"egov/internal/reporting"
)

// statsValues stores values as the system: period and unit per value.
func statsValues(t *testing.T, s *site, vals ...[4]string) {
	t.Helper()
	var set reporting.ValueSet
	for _, v := range vals {
		de, combo, _ := strings.Cut(v[0], ":")
		set.Values = append(set.Values, reporting.ValueIn{DataElement: de, CategoryOptionCombo: combo, OrgUnit: v[1], Period: v[2], Value: v[3]})
	}
	sum, err := s.app.Reporting.Import(context.Background(), identity.SystemActor, set, false)
	if err != nil || sum.Status != "SUCCESS" {
		t.Fatalf("import: %+v %v", sum, err)
	}
}

// TestAnalyticsPage walks the pivot page: a district of 2024 and the same
// data under today's commune, a disaggregation, a chart, targets, errors
// beside the fields, the exports, freshness and permissions.
func TestAnalyticsPage(t *testing.T) {
	s := newDemoSite(t)
	ctx := context.Background()
	statsValues(t, s,
		[4]string{"CX.DS.03:nongthon_kinh", "31618", "2024", "1000"},
		[4]string{"CX.XH.01:kinh", "31618", "2024", "100"},
		[4]string{"CX.DS.03:nongthon_kinh", "31621", "2024", "2500"},
		[4]string{"CX.DS.03:nongthon_khmer", "31621", "2024", "500"},
		[4]string{"CX.XH.01:kinh", "31621", "2024", "30"},
	)
	g, err := s.app.Units.Graph(ctx)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	// The district's target: 5,000 households (on track from 90%, at risk from 75%).
	if err := s.app.Reporting.SetTarget(ctx, identity.SystemActor, reporting.Target{Indicator: "CX.DS.03", UnitID: g.At("945", old).ID,
		Period: reporting.Period{Type: reporting.Yearly, Year: 2024, N: 1}, Value: 5000, OnTrack: 0.9, AtRisk: 0.75}); err != nil {
		t.Fatal(err)
	}

	stat := s.browser().as("thongke.92")
	expect(t, stat.get("/"), 200, `href="/analytics"`)
	expect(t, stat.get("/analytics"), 200, "<h1>Phân tích số liệu thống kê</h1>", `<option value="CX.XH.03">CX.XH.03 — Tỷ lệ hộ nghèo (tính toán)</option>`,
		`<select id="a-dx" name="dx" multiple`, `name="pe" value="2025"`, `name="ou" value="92"`)

	// District 945 (Cù Lao Dung) in the structure of 2024: its poverty rate
	// is its poor over its households (130 / 4,000), not a mean of rates.
	q := url.Values{"dx": {"CX.XH.03", "CX.DS.03"}, "pe": {"2024"}, "ou": {"945"}, "at": {"2024-12-31"}, "rows": {"dx"}, "cols": {"pe"}}
	res := stat.get("/analytics?" + q.Encode())
	expect(t, res, 200, `<tr><th scope="row">Tỷ lệ hộ nghèo (%)</th><td class="num">3,25</td></tr>`,
		`<tr><th scope="row">Số hộ (hộ)</th><td class="num">4.000</td></tr>`,
		`<caption>Huyện Cù Lao Dung</caption>`, // the unit is a filter
		`<svg class="chart"`, `<title id="bar-t">Kỳ theo Chỉ tiêu — Huyện Cù Lao Dung</title>`,
		// The target: 4,000 of 5,000 is 80%, at risk.
		`<td class="num">5.000</td><td class="num">4.000</td><td><span class="progress at_risk">Có nguy cơ chậm</span></td>`,
		`href="/analytics.xlsx?`, `href="/analytics.csv?`)

	// Today the two communes are part of An Thạnh (31615): the same
	// figures under it, here as a line chart with units in rows.
	q = url.Values{"dx": {"CX.XH.03"}, "pe": {"2024"}, "ou": {"31615"}, "chart": {"line"}}
	expect(t, stat.get("/analytics?"+q.Encode()), 200, `<tr><th scope="row">Xã An Thạnh</th><td class="num">3,25</td></tr>`, `<polyline`)

	// By ethnicity: the households in rows, one row per option and the total.
	q = url.Values{"dx": {"CX.DS.03"}, "pe": {"2024"}, "ou": {"945"}, "at": {"2024-12-31"}, "category": {"dantoc"}, "rows": {"co"}, "cols": {"ou"}}
	expect(t, stat.get("/analytics?"+q.Encode()), 200, `<tr><th scope="row">Kinh</th><td class="num">3.500</td></tr>`,
		`<tr><th scope="row">Khmer</th><td class="num">500</td></tr>`, `<tr><th scope="row">Hoa</th><td class="num"></td></tr>`,
		`<tr><th scope="row">Tổng số</th><td class="num">4.000</td></tr>`)

	// Periods as a filter: one table per period, each with its caption.
	q = url.Values{"dx": {"CX.DS.03"}, "pe": {"2024; 2023"}, "ou": {"945"}, "at": {"2024-12-31"}, "rows": {"ou"}, "cols": {"dx"}}
	res = stat.get("/analytics?" + q.Encode())
	expect(t, res, 200, "<caption>2024</caption>", "<caption>2023</caption>")

	// Errors beside the fields.
	expect(t, stat.get("/analytics?dx=CX.DS.03&pe=2024Q5&ou=945&at=2024-12-31"), 422, `id="e-pe"`)
	expect(t, stat.get("/analytics?dx=CX.DS.03&pe=2024&ou=945"), 422, `id="e-ou"`, "945") // no district 945 today
	expect(t, stat.get("/analytics?dx=CX.DS.03&pe=2024&ou=945&at=2024-12-31&rows=pe&cols=pe"), 422, "Dòng và cột phải là hai chiều khác nhau.")
	expect(t, stat.get("/analytics?dx=CX.DS.03&pe=2024&ou=945&at=2024-12-31&rows=co"), 422, `id="e-category"`)
	expect(t, stat.get("/analytics?dx=CX.DS.03&ou=945"), 422, `id="e-pe"`)
	expect(t, stat.get("/analytics?dx=CX.DS.03&pe=2024&ou=945&at=31-12-2024"), 422, `id="e-at"`)

	// The exports of the same query.
	q = url.Values{"dx": {"CX.XH.03", "CX.DS.03"}, "pe": {"2024"}, "ou": {"945"}, "at": {"2024-12-31"}, "rows": {"dx"}, "cols": {"pe"}}
	res = stat.get("/analytics.csv?" + q.Encode())
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		res.body != "\uFEFFHuyện Cù Lao Dung\nChỉ tiêu,2024\nTỷ lệ hộ nghèo (%),3.25\nSố hộ (hộ),4000.0\n\n" {
		t.Errorf("csv: %d %q", res.StatusCode, res.body)
	}
	res = stat.get("/analytics.xlsx?" + q.Encode())
	f, err := excelize.OpenReader(strings.NewReader(res.body))
	if err != nil {
		t.Fatalf("xlsx: %d %v", res.StatusCode, err)
	}
	if v, _ := f.GetCellValue("Phân tích", "B5"); v != "3.25" {
		t.Errorf("xlsx B5 = %q", v)
	}
	if v, _ := f.GetCellValue("Phân tích", "A3"); v != "Huyện Cù Lao Dung" {
		t.Errorf("xlsx A3 = %q", v)
	}
	if typ, _ := f.GetCellType("Phân tích", "B6"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("xlsx B6 is text, not a number")
	}
	expect(t, stat.get("/analytics.csv?dx=CX.DS.03"), 303) // back to the form

	// Names that look like formulas stay text in both exports.
	if err := s.app.Reporting.AddIndicators(ctx, []*reporting.Indicator{{Code: "X.F", NameVI: `=HYPERLINK("http://x.invalid")`, NameEN: "F",
		ValueType: reporting.TypeNumber, AggUnits: reporting.AggSum, AggTime: reporting.AggSum, PeriodType: reporting.Yearly, Factor: 1}}); err != nil {
		t.Fatal(err)
	}
	statsValues(t, s, [4]string{"X.F", "31618", "2024", "7"})
	q.Set("dx", "X.F")
	res = stat.get("/analytics.csv?" + q.Encode())
	if !strings.Contains(res.body, "\n\"'=HYPERLINK(\"\"http://x.invalid\"\")\",7.0\n") {
		t.Errorf("csv with a formula-like name: %q", res.body)
	}
	f, err = excelize.OpenReader(strings.NewReader(stat.get("/analytics.xlsx?" + q.Encode()).body))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellFormula("Phân tích", "A5"); v != "" {
		t.Errorf("xlsx A5 has formula %q", v)
	}
	if v, _ := f.GetCellValue("Phân tích", "A5"); v != `=HYPERLINK("http://x.invalid")` {
		t.Errorf("xlsx A5 = %q", v)
	}

	// A value saved is in the next page.
	statsValues(t, s, [4]string{"CX.XH.01:khmer", "31621", "2024", "130"})
	expect(t, stat.get("/analytics?dx=CX.XH.03&pe=2024&ou=945&at=2024-12-31"), 200, `<td class="num">6,5</td>`)

	// A commune's reporter does not analyse; a commune's leader analyses
	// the commune, not the city.
	reporter := s.browser().as("thongke.31615")
	refuse(t, reporter.get("/"), `href="/analytics"`)
	expect(t, reporter.get("/analytics"), 403)
	leader := s.browser().as("lanhdao.31615")
	expect(t, leader.get("/analytics?dx=CX.XH.03&pe=2024&ou=31615"), 200, `<td class="num">6,5</td>`)
	expect(t, leader.get("/analytics?dx=CX.XH.03&pe=2024&ou=92"), 403)
	expect(t, leader.get("/analytics.csv?dx=CX.XH.03&pe=2024&ou=92"), 403)
	expect(t, s.browser().get("/analytics"), 303)

	// English: numbers in the English convention.
	stat.lang = "en"
	res = stat.get("/analytics?dx=CX.DS.03&pe=2024&ou=945&at=2024-12-31")
	expect(t, res, 200, `<td class="num">4,000</td>`)
}

// TestAnalyticsChartSVG checks the SVG the page embeds: well-formed XML,
// accessible name and description, a bar per value, labels in the
// language's number format, and names escaped.
func TestAnalyticsChartSVG(t *testing.T) {
	s := newDemoSite(t)
	statsValues(t, s,
		[4]string{"CX.DS.03:nongthon_kinh", "31618", "2024", "1234567"},
		[4]string{"CX.DS.03:nongthon_kinh", "31621", "2024", "2500"},
		[4]string{"CX.DS.03:nongthon_kinh", "31618", "2023", "900"},
	)
	stat := s.browser().as("thongke.92")
	for _, chart := range []string{"bar", "line"} {
		res := stat.get("/analytics?dx=CX.DS.03&pe=2023%3B2024&ou=945&level=CHILDREN&at=2024-12-31&rows=ou&cols=pe&chart=" + chart)
		expect(t, res, 200)
		i, j := strings.Index(res.body, "<svg"), strings.Index(res.body, "</svg>")
		if i < 0 || j < i {
			t.Fatalf("%s: no svg", chart)
		}
		svg := res.body[i : j+len("</svg>")]
		var doc struct {
			XMLName xml.Name
			Role    string `xml:"role,attr"`
			Title   string `xml:"title"`
			Desc    string `xml:"desc"`
			Groups  []struct {
				Class string `xml:"class,attr"`
				Rects []struct {
					Title string `xml:"title"`
				} `xml:"rect"`
				Circles []struct {
					Title string `xml:"title"`
				} `xml:"circle"`
				Lines []struct{} `xml:"polyline"`
				Texts []string   `xml:"text"`
			} `xml:"g"`
		}
		if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
			t.Fatalf("%s: not XML: %v\n%s", chart, err, svg)
		}
		if doc.Role != "img" || doc.Title != "Kỳ theo Đơn vị — Số hộ (hộ)" || !strings.Contains(doc.Desc, "8 nhóm, 2 chuỗi") {
			t.Errorf("%s: role %q title %q desc %q", chart, doc.Role, doc.Title, doc.Desc)
		}
		var marks []string
		var ticks, labels []string
		for _, g := range doc.Groups {
			switch g.Class {
			case "series":
				for _, r := range g.Rects {
					marks = append(marks, r.Title)
				}
				for _, c := range g.Circles {
					marks = append(marks, c.Title)
				}
				if chart == "line" && len(g.Lines) == 0 && len(g.Circles) > 1 {
					t.Errorf("line chart without a line")
				}
			case "axis":
				ticks = g.Texts
			case "labels":
				labels = g.Texts
			}
		}
		// Three values: 31618 in 2023 and 2024, 31621 in 2024; the
		// district's other communes have none.
		want := []string{"2023, Xã An Thạnh 1: 900", "2024, Xã An Thạnh 1: 1.234.567", "2024, Xã An Thạnh Tây: 2.500"}
		if strings.Join(marks, "|") != strings.Join(want, "|") {
			t.Errorf("%s: marks %q, want %q", chart, marks, want)
		}
		if len(ticks) < 3 || ticks[len(ticks)-1] != "1.500.000" {
			t.Errorf("%s: ticks %q", chart, ticks)
		}
		if len(labels) == 0 {
			t.Errorf("%s: no category labels", chart)
		}
	}
}
