package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov/internal/epcis"
	"egov/internal/identity"
	"egov/internal/label"
)

// TestBrowserRiceTrace walks a rice lot from the field to a consumer's
// phone in Debian's Chromium. A cooperative's operator registers a field,
// the paddy and its lot, records the harvest (meeting the error of a
// missing quantity first) and ships the lot to the mill; the mill's
// operator receives it, mills it into a lot of white rice, adds the bagged
// product with its GTIN and packs the rice into bags on a pallet, opens the
// bag lot's label and asks what is downstream of the paddy. A consumer,
// not signed in, opens the label's Digital Link on a phone and reads the
// chain back to the field and the cooperative, in Vietnamese and then in
// English. Each step's screenshot is kept in EGOV_ARTIFACTS.
func TestBrowserRiceTrace(t *testing.T) {
	ctx, fullShot := chromium(t, 240*time.Second, "trace-")
	// A full-page screenshot leaves Chromium believing the whole page is
	// in view, so that the next click below the fold misses; the shot puts
	// the viewport back.
	viewport := chromedp.EmulateViewport(1280, 900)
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(fullShot(name), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := viewport(ctx, t)
			return err
		}))
	}
	s := riceTraceSite(t)
	_, eval := steps(t, ctx)
	// Each step has a minute; one that times out says where the browser
	// was and what it showed. (The browser starts with the test's context,
	// not a step's.)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
			chromedp.Do(ctx, shot("failed"))
			t.Fatalf("%s: %v\n%s", name, err, where)
		}
	}
	submit := func(action string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(`form[action="` + action + `"] button[type="submit"]`)
	}
	event := func(kind string) string { return "/trace/events/new?kind=" + kind }
	const (
		fieldName = "Ruộng 3 ấp Hòa Phuông"
		coopName  = "HTX Nông nghiệp Gia Hòa"
		millName  = "Nhà máy xay xát Mỹ Xuyên"
		bagName   = "Gạo ST25 Mỹ Xuyên túi 5 kg"
		bagGTIN   = "8939999001014"
	)

	step("the cooperative's operator signs in",
		chromedp.Navigate(s.srv.URL+"/signin?next=/trace"),
		signIn("htx.giahoa"),
		chromedp.WaitVisible(`//h1[normalize-space()="Truy xuất nguồn gốc"]`),
		chromedp.WaitVisible(`//p[contains(., "`+coopName+`")]`),
		shot("01-cooperative-home"),
	)

	step("a field",
		chromedp.Click(`a[href="/trace/locations/new"]`),
		chromedp.WaitVisible(`#f-name`),
		pick(`#f-kind`, "ruộng"),
		chromedp.SendKeys(`#f-name`, fieldName),
		chromedp.SendKeys(`#f-ref`, "RUONG-03"),
		chromedp.SendKeys(`#f-latitude`, "9.4871"),
		chromedp.SendKeys(`#f-longitude`, "105.9442"),
		chromedp.SendKeys(`#f-area_m2`, "15000"),
		shot("02-field"),
		submit("/trace/locations/new"),
		notice("Đã lưu."),
	)

	step("the paddy",
		chromedp.Click(`a[href="/trace/products/new"]`),
		chromedp.WaitVisible(`#f-name_vi`),
		pick(`#f-kind`, "Lúa"),
		chromedp.SendKeys(`#f-name_vi`, "Lúa ST25 Gia Hòa"),
		chromedp.SendKeys(`#f-name_en`, "Gia Hoa ST25 paddy"),
		chromedp.SendKeys(`#f-ref`, "LUA-ST25"),
		pick(`#f-uom`, "kg"),
		submit("/trace/products/new"),
		notice("Đã lưu."),
	)

	step("the season's lot",
		chromedp.Click(`a[href="/trace/lots/new"]`),
		chromedp.WaitVisible(`#f-lot`),
		pick(`#f-product_id`, "Lúa ST25 Gia Hòa"),
		chromedp.SendKeys(`#f-lot`, "GH-2026-03"),
		chromedp.SendKeys(`#f-variety`, "ST25"),
		chromedp.SetValue(`#f-harvest_date`, "2026-02-26"),
		pick(`#f-location_id`, fieldName),
		chromedp.SendKeys(`#f-area_m2`, "15000"),
		shot("03-lot"),
		submit("/trace/lots/new"),
		notice("Đã lưu."),
		chromedp.WaitVisible(`//table//a[normalize-space()="GH-2026-03"]`),
	)

	// The harvest without its quantity is refused beside the field, with
	// what was chosen kept.
	step("the harvest, without its quantity",
		chromedp.Click(`a[href="`+event("harvest")+`"]`),
		chromedp.WaitVisible(`#f-lot_qty`),
		chromedp.SetValue(`#f-time`, "2026-02-26T07:30"),
		pick(`#f-location`, fieldName),
		pick(`#f-lot`, "GH-2026-03"),
		submit(event("harvest")),
		chromedp.WaitVisible(`//p[@id="e-lot_qty" and normalize-space()="Nhập số lượng lớn hơn 0."]`),
		shot("04-harvest-refused"),
	)
	if v := eval(`document.getElementById("f-lot_qty").getAttribute("aria-invalid") + " " + document.getElementById("f-time").value + " " +
		document.getElementById("f-lot").selectedOptions[0].text`); !strings.HasPrefix(v, "true 2026-02-26T07:30 GH-2026-03") {
		t.Errorf("the refused harvest form: %q", v)
	}
	step("the harvest",
		chromedp.SendKeys(`#f-lot_qty`, "7200"),
		submit(event("harvest")),
		notice("Đã ghi nhận sự kiện."),
		chromedp.WaitVisible(`//table//tr[td[normalize-space()="Thu hoạch"] and td[normalize-space()="`+fieldName+`"]]`),
	)

	step("shipped to the mill",
		chromedp.Click(`a[href="`+event("shipping")+`"]`),
		chromedp.WaitVisible(`#f-party`),
		chromedp.SetValue(`#f-time`, "2026-02-27T14:00"),
		pick(`#f-location`, fieldName),
		pick(`#f-lot`, "GH-2026-03"),
		chromedp.SendKeys(`#f-lot_qty`, "7200"),
		pick(`#f-party`, millName),
		chromedp.SendKeys(`#f-document`, "PX-0227"),
		shot("05-shipping"),
		submit(event("shipping")),
		notice("Đã ghi nhận sự kiện."),
		shot("06-cooperative-events"),
		chromedp.Click(`form[action="/signout"] button`),
		chromedp.WaitVisible(`nav a[href="/signin"]`),
	)

	step("the mill's operator receives the paddy",
		chromedp.Navigate(s.srv.URL+"/signin?next=/trace"),
		signIn("xay.myxuyen"),
		chromedp.WaitVisible(`//p[contains(., "`+millName+`")]`),
		chromedp.Click(`a[href="`+event("receiving")+`"]`),
		chromedp.WaitVisible(`#f-party`),
		chromedp.SetValue(`#f-time`, "2026-02-27T17:00"),
		pick(`#f-location`, "Nhà máy Mỹ Xuyên"),
		pick(`#f-lot`, "GH-2026-03"),
		chromedp.SendKeys(`#f-lot_qty`, "7150"),
		pick(`#f-party`, coopName),
		submit(event("receiving")),
		notice("Đã ghi nhận sự kiện."),
	)

	step("milling",
		chromedp.Click(`a[href="`+event("milling")+`"]`),
		chromedp.WaitVisible(`#f-out_lot`),
		chromedp.SetValue(`#f-time`, "2026-02-28T08:00"),
		pick(`#f-location`, "Nhà máy Mỹ Xuyên"),
		pick(`#f-input1`, "GH-2026-03"),
		chromedp.SendKeys(`#f-input1_qty`, "7150"),
		pick(`#f-out_product`, "Gạo trắng ST25"),
		chromedp.SendKeys(`#f-out_lot`, "MX-0228"),
		chromedp.SendKeys(`#f-output_qty`, "4300"),
		shot("07-milling"),
		submit(event("milling")),
		notice("Đã ghi nhận sự kiện."),
	)

	step("the bagged rice, with its GTIN",
		chromedp.Click(`a[href="/trace/products/new"]`),
		chromedp.WaitVisible(`#f-gtin`),
		pick(`#f-kind`, "Gạo"),
		chromedp.SendKeys(`#f-name_vi`, bagName),
		chromedp.SendKeys(`#f-name_en`, "My Xuyen ST25 rice, 5 kg bag"),
		chromedp.SendKeys(`#f-gtin`, bagGTIN),
		pick(`#f-uom`, "túi"),
		submit("/trace/products/new"),
		notice("Đã lưu."),
	)

	step("packing into bags on a pallet",
		chromedp.Click(`a[href="`+event("packing")+`"]`),
		chromedp.WaitVisible(`#f-carton`),
		chromedp.SetValue(`#f-time`, "2026-03-01T09:00"),
		pick(`#f-location`, "Nhà máy Mỹ Xuyên"),
		pick(`#f-input1`, "MX-0228 · Gạo trắng ST25"),
		chromedp.SendKeys(`#f-input1_qty`, "4300"),
		pick(`#f-out_product`, bagName),
		chromedp.SendKeys(`#f-out_lot`, "MX-0228"),
		chromedp.SendKeys(`#f-output_qty`, "860"),
		chromedp.SendKeys(`#f-carton`, "PL-0301"),
		shot("08-packing"),
		submit(event("packing")),
		notice("Đã ghi nhận sự kiện."),
		shot("09-mill-home"),
	)

	// From the mill's list of lots to the bag lot's page and its label.
	step("the bag lot's label",
		chromedp.Click(`//table//tr[td[normalize-space()="`+bagName+`"]]//a[normalize-space()="MX-0228"]`),
		chromedp.WaitVisible(`#label figure img`),
		shot("10-lot-label"),
	)
	public := s.srv.URL + "/01/0" + bagGTIN + "/10/MX-0228"
	if v := eval(`document.querySelector("#label a.uri").href`); v != public {
		t.Errorf("the label's link is %q, want %q", v, public)
	}
	if v := eval(`String(document.querySelector("#label figure img").naturalWidth > 0)`); v != "true" {
		t.Errorf("the label's QR code did not load")
	}
	// The QR code the page shows is the one of the lot's Digital Link: the
	// same modules as the link encoded here.
	code, err := label.Encode(public)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := code.SVG(&want); err != nil {
		t.Fatal(err)
	}
	got := eval(`fetch(document.querySelector("#label figure img").src).then(async r => r.headers.get("Content-Type") + "\n" + await r.text())`)
	if typ, svg, _ := strings.Cut(got, "\n"); typ != "image/svg+xml" || svg != want.String() {
		t.Errorf("the QR code on the page is %q, not the code of %s (%d bytes against %d)", typ, public, len(svg), want.Len())
	}
	// The sheet to print: an A4 PDF of the lot's labels.
	sheet := eval(`fetch(document.querySelector('#label a[href^="/labels/sheet.pdf"]').href).then(async r => r.status + " " +
		r.headers.get("Content-Type") + " " + (await r.text()).slice(0, 5))`)
	if sheet != "200 application/pdf %PDF-" {
		t.Errorf("the label sheet: %q", sheet)
	}

	// The recall question, from the paddy lot up the bag lot's graph.
	step("what is downstream of the paddy",
		chromedp.Click(`//section[@class="tgraph"]//a[normalize-space()="Lúa ST25 Gia Hòa · Lô GH-2026-03"]`),
		chromedp.WaitVisible(`//ul/li/a[normalize-space()="Lúa ST25 Gia Hòa · Lô GH-2026-03"]`),
		chromedp.Click(`a[href^="/trace/recall?id="]`),
		chromedp.WaitVisible(`#recall-lots`),
		shot("11-recall"),
	)
	recall := eval(`document.querySelector("section.recall").innerText`)
	for _, want := range []string{"Gạo trắng ST25 · Lô MX-0228", bagName + " · Lô MX-0228", "PL-0301", "Xuất hàng", "Nhận hàng", coopName, millName} {
		if !strings.Contains(recall, want) {
			t.Errorf("the recall page does not name %q:\n%s", want, recall)
		}
	}

	step("the operator signs out",
		chromedp.Click(`form[action="/signout"] button`),
		chromedp.WaitVisible(`nav a[href="/signin"]`),
	)

	// A consumer scans the bag's code with a phone.
	viewport = chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)
	step("the consumer's phone",
		viewport,
		chromedp.Navigate(public),
		chromedp.WaitVisible(`//h1[contains(., "`+bagName+`")]`),
		shot("12-consumer-phone"),
	)
	if v := eval(`document.querySelector("nav a[href='/signout'], form[action='/signout']") === null ? "" : "signed in"`); v != "" {
		t.Errorf("the consumer is %s", v)
	}
	if v := eval(`String(document.documentElement.scrollWidth <= window.innerWidth)`); v != "true" {
		t.Errorf("the provenance page scrolls sideways on a phone: %s", eval(`document.documentElement.scrollWidth + " > " + window.innerWidth`))
	}
	// The chain from the field to the bag, in order, with dates, places and
	// who did what.
	stages := eval(`[...document.querySelectorAll("ol.timeline > li")].map(li => li.innerText.replace(/\s+/g, " ")).join("\n")`)
	last := -1
	lines := strings.Split(stages, "\n")
	for _, st := range []struct{ step, when, where, who string }{
		{"Thu hoạch", "07:30 26/02/2026", fieldName, coopName},
		{"Xuất hàng", "14:00 27/02/2026", fieldName, coopName},
		{"Nhận hàng", "17:00 27/02/2026", "Nhà máy Mỹ Xuyên", millName},
		{"Xay xát", "08:00 28/02/2026", "Nhà máy Mỹ Xuyên", millName},
		{"Đóng gói", "09:00 01/03/2026", "Nhà máy Mỹ Xuyên", millName},
	} {
		i := slices.IndexFunc(lines, func(line string) bool {
			return strings.Contains(line, st.step) && strings.Contains(line, st.when) && strings.Contains(line, "Tại "+st.where) &&
				strings.Contains(line, "Cơ sở thực hiện: "+st.who)
		})
		switch {
		case i < 0:
			t.Errorf("no stage %s at %s in %s by %s:\n%s", st.step, st.when, st.where, st.who, stages)
		case i < last:
			t.Errorf("the stage %s comes before the one it follows:\n%s", st.step, stages)
		default:
			last = i
		}
	}
	facts := eval(`document.querySelector("dl.facts").innerText.replace(/\s+/g, " ")`)
	for _, want := range []string{"Cơ sở sản xuất " + millName, "Ngày sản xuất 01/03/2026"} {
		if !strings.Contains(facts, want) {
			t.Errorf("the facts do not say %q: %s", want, facts)
		}
	}

	step("in English",
		chromedp.Click(`a[hreflang="en"]`),
		chromedp.WaitVisible(`//h2[normalize-space()="The product's journey"]`),
		chromedp.WaitVisible(`//ol[@class="timeline"]/li[h3="Harvest"][contains(., "26 Feb 2026 07:30")][contains(., "`+fieldName+`")]`),
		chromedp.WaitVisible(`//ol[@class="timeline"]/li[h3="Milling"]`),
		chromedp.WaitVisible(`//ol[@class="timeline"]/li[h3="Packing"][contains(., "Carried out by: `+millName+`")]`),
		shot("13-consumer-english"),
	)
	if v := eval(`document.querySelector("h1").innerText`); !strings.Contains(v, "My Xuyen ST25 rice, 5 kg bag") {
		t.Errorf("the English page is about %q", v)
	}
}

// pick chooses the option of a select whose text contains label, as a
// person picks it from the list; it fails when there is none.
func pick(sel, label string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		s, _ := json.Marshal(sel)
		l, _ := json.Marshal(label)
		ok, err := chromedp.Evaluate[bool](`(() => { const s = document.querySelector(`+string(s)+`);
			const o = s && [...s.options].find(o => o.text.includes(`+string(l)+`));
			if (!o) return false;
			s.value = o.value; s.dispatchEvent(new Event("change", {bubbles: true}));
			return true })()`)(ctx, t)
		if err == nil && !ok {
			err = &pickError{sel, label}
		}
		return err
	})
}

type pickError struct{ sel, label string }

func (e *pickError) Error() string { return e.sel + " offers no " + e.label }

// riceTraceSite is a site with a rice cooperative and a mill, as the
// province's administrator sets them up: the organisations, an operator
// each, the mill's place and its bulk rice. The rest the operators enter.
func riceTraceSite(t *testing.T) *site {
	s := newSite(t)
	s.app.Trace.Now = func() time.Time { return time.Unix(0, s.clock.Load()) }
	ctx := context.Background()
	sys := identity.SystemActor
	s.traceOrg("HTX-GIAHOA", epcis.OrgCooperative, "HTX Nông nghiệp Gia Hòa", "htx.giahoa")
	mill := s.traceOrg("XAY-MYXUYEN", epcis.OrgMill, "Nhà máy xay xát Mỹ Xuyên", "xay.myxuyen")
	if _, err := s.app.Trace.CreateLocation(ctx, sys, epcis.Location{OrgID: mill.ID, Kind: "mill", Ref: "NM-01", Name: "Nhà máy Mỹ Xuyên"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Trace.CreateProduct(ctx, sys, epcis.Product{OrgID: mill.ID, Kind: "rice", Ref: "GAO-ST25", NameVI: "Gạo trắng ST25",
		NameEN: "ST25 white rice", UOM: "KGM"}); err != nil {
		t.Fatal(err)
	}
	return s
}
