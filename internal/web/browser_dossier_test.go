package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOnlineFiling files a dossier online in Debian's Chromium on a
// phone-sized screen, as a citizen would: sign in, the procedure, the
// commune, the form step by step (a wrong citizen ID first), the review,
// the confirmation with the code; then the one-stop desk, on a desktop
// screen, finds it in the inbox and receives it with the keyboard. Each
// step's screenshot is kept in EGOV_ARTIFACTS.
func TestBrowserOnlineFiling(t *testing.T) {
	ctx, shot := chromium(t, 90*time.Second, "dossier-")
	s := newDemoSite(t)
	step, eval := steps(t, ctx)

	step("the procedure, on a phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(s.srv.URL+"/procedures/1.004873"),
		chromedp.WaitVisible(`//h1[normalize-space()="Thủ tục cấp Giấy xác nhận tình trạng hôn nhân"]`),
		chromedp.Click(`//a[normalize-space()="Nộp hồ sơ trực tuyến"]`),
		// A visitor signs in first and comes back.
		signIn("congdan.1"),
		chromedp.WaitVisible(`#f-unit`),
		chromedp.SetValue(`#f-unit`, "31615"),
		shot("01-new-phone"),
		chromedp.Click(`form[action="/dossiers/new"] button[type="submit"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Người yêu cầu"]`),
		shot("02-step1-phone"),
	)

	step("step 1 with a wrong citizen ID",
		chromedp.SendKeys(`#q-requester_full_name`, "Nguyễn Thị Lan"),
		chromedp.SetValue(`#q-requester_birth_date`, "1990-03-04"),
		chromedp.SendKeys(`#q-requester_cccd`, "09419000123"),
		chromedp.SendKeys(`#q-requester_address`, "Ấp An Thạnh, Xã An Thạnh"),
		chromedp.SendKeys(`#q-requester_phone`, "0912345678"),
		chromedp.Click(`button[value="next"]`),
		chromedp.WaitVisible(`#qe-requester_cccd`),
		chromedp.ScrollIntoView(`#q-requester_cccd`),
		shot("03-step1-wrong-cccd-phone"),
	)
	if v := eval(`document.getElementById("q-requester_cccd").value`); v != "09419000123" {
		t.Errorf("the wrong value was not kept: %q", v)
	}
	if d := eval(`document.getElementById("q-requester_cccd").getAttribute("aria-describedby")`); !strings.Contains(d, "qe-requester_cccd") {
		t.Errorf("aria-describedby %q", d)
	}

	step("the rest of the form",
		chromedp.Clear(`#q-requester_cccd`),
		chromedp.SendKeys(`#q-requester_cccd`, "094190001234"),
		chromedp.Click(`button[value="next"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Tình trạng hôn nhân"]`),
		chromedp.SetValue(`#q-marital_status`, "chua_ket_hon"),
		chromedp.SendKeys(`#q-purpose`, "Đăng ký kết hôn"),
		shot("04-step2-phone"),
		chromedp.Click(`button[value="next"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Lệ phí"]`),
		chromedp.Click(`button[value="next"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Kiểm tra lại trước khi nộp"]`),
		shot("05-review-phone"),
		chromedp.Click(`form[action$="/submit"] button[type="submit"]`),
		chromedp.WaitVisible(`.dossier-code strong`),
		shot("06-confirmation-phone"),
	)
	code := strings.TrimSpace(eval(`document.querySelector(".dossier-code strong").textContent`))
	if !strings.HasSuffix(code, "-260302-0001") {
		t.Fatalf("code %q", code)
	}

	step("the desk receives it, on a desktop",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Click(`form[action="/signout"] button`),
		chromedp.WaitVisible(`nav a[href="/signin"]`),
		chromedp.Navigate(s.srv.URL+"/signin?next=/inbox"),
		signIn("motcua.31615"),
		chromedp.WaitVisible(`//h1[normalize-space()="Hồ sơ cần xử lý"]`),
		chromedp.WaitVisible(`//a[normalize-space()="`+code+`"]`),
		shot("07-inbox-desktop"),
		chromedp.Click(`//a[normalize-space()="`+code+`"]`),
		chromedp.WaitVisible(`#act-receive button`),
		shot("08-dossier-desk"),
		// With the keyboard: focus the button, press Enter.
		chromedp.Focus(`#act-receive button`),
		chromedp.KeyEvent("\r"),
		notice("Đã tiếp nhận hồ sơ."),
		shot("09-received-desk"),
	)
	if st := eval(`document.querySelector(".badge.st-received").textContent`); st != "Được tiếp nhận" {
		t.Errorf("status after receipt: %q", st)
	}
}

// steps returns, for a browser journey, step (run actions, failing the
// test with the step's name) and eval (a JavaScript expression's string).
func steps(t *testing.T, ctx context.Context) (step func(name string, actions ...chromedp.Action[chromedp.Void]), eval func(expr string) string) {
	step = func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	eval = func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	return step, eval
}

// signIn fills the sign-in form on the page.
func signIn(username string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(`#f-username`),
		chromedp.SendKeys(`#f-username`, username),
		chromedp.SendKeys(`#f-password`, password),
		chromedp.Click(`form[action="/signin"] button[type="submit"]`),
	)
}

// notice waits for the notice a step's redirect shows.
func notice(text string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(`//p[@role="status" and normalize-space()="` + text + `"]`)
}
