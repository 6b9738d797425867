package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"egov/internal/dossier"
)

// fileAtCounter files a marital-status dossier at 31615's counter.
func fileAtCounter(t *testing.T, s *site) *dossier.Dossier {
	t.Helper()
	ctx := context.Background()
	u, err := s.app.Identity.UserByName(ctx, "motcua.31615")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.app.Identity.ActorFor(ctx, u)
	fields := map[string]string{}
	for k, v := range marital() {
		fields[strings.TrimPrefix(k, "f_")] = v[0]
	}
	d, err := s.app.Dossiers.Intake(ctx, a, dossier.NewDossier{ProcedureCode: "1.004873", UnitCode: "31615",
		Channel: dossier.ChannelDirect, Fields: fields,
		Applicant: dossier.Applicant{Name: "Nguyễn Thị Lan", CCCD: "094190001234", Phone: "0912345678"}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestStatsPage(t *testing.T) {
	s := newDemoSite(t)
	fileAtCounter(t, s)
	fileAtCounter(t, s)

	// The city's leader: every unit of the city, this month by default,
	// the summary and the table per procedure.
	leader := s.browser().as("lanhdao.92")
	expect(t, leader.get("/"), 200, `href="/dossiers/stats"`)
	res := leader.get("/dossiers/stats?unit=31615")
	expect(t, res, 200, "<h1>Thống kê giải quyết hồ sơ</h1>", `<option value="92">Thành phố Cần Thơ (92)</option>`,
		`<option value="31615" selected>Xã An Thạnh (31615)</option>`, `value="2026-03-01"`, `value="2026-03-02"`,
		`<tr><th scope="row">Hồ sơ tiếp nhận</th><td class="num">2</td><td class="num"></td></tr>`,
		`<tr><th scope="row" class="sub">Trực tuyến (tỷ lệ hồ sơ nộp trực tuyến)</th><td class="num">0</td><td class="num">0,0%</td></tr>`,
		`<tr><td>1.004873</td><th scope="row">Thủ tục cấp Giấy xác nhận tình trạng hôn nhân</th><td class="num">2</td>`,
		`href="/dossiers/stats?from=2026-01-01&amp;to=2026-03-02&amp;unit=31615">Quý này</a>`,
		`href="/dossiers/stats.xlsx?from=2026-03-01&amp;lang=vi&amp;to=2026-03-02&amp;unit=31615"`)
	if n := strings.Count(res.body, "<option value="); n != 44 {
		t.Errorf("%d units offered to the city's leader", n)
	}
	expect(t, leader.get("/dossiers/stats?unit=31615&from=2026-03-05&to=2026-03-01"), 400, "Ngày kết thúc kỳ phải sau ngày bắt đầu.")
	expect(t, leader.get("/dossiers/stats?unit=31615&from=hôm-qua"), 400, `id="e-from"`)

	// The export: the same figures as a workbook.
	res = leader.get("/dossiers/stats.xlsx?unit=31615&from=2026-03-01&to=2026-03-31")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("export: %d %v", res.StatusCode, res.Header)
	}
	f, err := excelize.OpenReader(strings.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := f.GetRows("Tổng hợp"); rows[1][0] != "Xã An Thạnh" || rows[2][0] != "Từ ngày 01/03/2026 đến ngày 31/03/2026" || rows[5][1] != "2" {
		t.Fatalf("export rows %q", rows[:6])
	}

	// A commune's reporter sees the commune only; a citizen, nothing.
	reporter := s.browser().as("thongke.31615")
	res = reporter.get("/dossiers/stats")
	expect(t, res, 200, `<option value="31615" selected>Xã An Thạnh (31615)</option>`)
	if n := strings.Count(res.body, "<option value="); n != 1 {
		t.Errorf("%d units offered to the commune's reporter", n)
	}
	expect(t, reporter.get("/dossiers/stats?unit=31633"), 403)
	citizen := s.browser().as("congdan.1")
	refuse(t, citizen.get("/"), `href="/dossiers/stats"`)
	expect(t, citizen.get("/dossiers/stats"), 403)
	expect(t, s.browser().get("/dossiers/stats.xlsx?unit=31615"), 303)
}

func TestRegisterDownload(t *testing.T) {
	s := newDemoSite(t)
	d := fileAtCounter(t, s)
	desk := s.browser().as("motcua.31615")
	expect(t, desk.get("/dossiers?unit=31615"), 200, `action="/dossiers/register.xlsx"`, `name="year" type="number"`, `value="2026"`)
	res := desk.get("/dossiers/register.xlsx?unit=31615&year=2026")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("register: %d %.300s", res.StatusCode, res.body)
	}
	f, err := excelize.OpenReader(strings.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := f.GetRows("Năm 2026"); len(rows) != 9 || rows[8][0] != "01" || rows[8][1] != d.Code || rows[8][4] != "Nguyễn Thị Lan" {
		t.Fatalf("register rows %q", rows)
	}
	expect(t, s.browser().as("thongke.31615").get("/dossiers/register.xlsx?unit=31615"), 403)
	expect(t, desk.get("/dossiers/register.xlsx?unit=31615&year=hai"), 400)
	expect(t, desk.get("/dossiers/register.xlsx"), 400)
}
