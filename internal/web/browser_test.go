package web_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov/internal/identity"
	"egov/internal/store/storetest"
)

// TestBrowserJourney walks the main journey in Debian's Chromium, as a
// person would with the keyboard and mouse: home, sign-in, units at a
// chosen date, the language switch. It keeps a full-page screenshot of each
// step in EGOV_ARTIFACTS.
func TestBrowserJourney(t *testing.T) {
	ctx, shot := chromium(t, 60*time.Second, "")
	s := newSite(t)
	s.officer("quantri", identity.RoleAdmin, "")

	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}

	step("home",
		chromedp.Navigate(s.srv.URL+"/"),
		chromedp.WaitVisible(`//h1[normalize-space()="Cổng dịch vụ công và một cửa điện tử"]`),
		shot("01-home"),
		// The first Tab reaches the skip link, which then shows.
		chromedp.KeyEvent("\t"),
	)
	focused := eval(`document.activeElement.className`)
	step("skip link", shot("02-home-skip-link"))
	if focused != "skip" {
		t.Errorf("the first Tab focuses %q, want the skip link", focused)
	}

	step("sign-in",
		chromedp.Click(`nav a[href="/signin"]`),
		chromedp.WaitVisible(`#f-username`),
		shot("03-signin"),
		chromedp.SendKeys(`#f-username`, "quantri"),
		chromedp.SendKeys(`#f-password`, password),
		chromedp.Click(`form[action="/signin"] button[type="submit"]`),
		chromedp.WaitVisible(`//p[contains(., "Đang đăng nhập: Cán bộ quantri")]`),
		chromedp.WaitVisible(`nav a[href="/admin"]`),
		shot("04-signed-in"),
	)

	step("units",
		chromedp.Click(`nav a[href="/units"]`),
		chromedp.WaitVisible(`#f-at`),
		shot("05-units-today"),
		chromedp.SetValue(`#f-at`, "2025-07-02"),
		chromedp.Click(`form[role="search"] button[type="submit"]`),
		chromedp.WaitVisible(`//h2[normalize-space()="Cơ cấu ngày 02/07/2025"]`),
		chromedp.WaitVisible(`//a[normalize-space()="Thành phố Cần Thơ"]`),
		chromedp.WaitVisible(`//a[normalize-space()="Xã An Thạnh"]`),
		shot("06-units-2025-07-02"),
	)

	step("english",
		chromedp.Click(`a[hreflang="en"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Administrative units"]`),
		chromedp.WaitVisible(`//h2[normalize-space()="Structure on 2 Jul 2025"]`),
		shot("07-units-english"),
	)
	if lang := eval(`document.documentElement.lang`); lang != "en" {
		t.Errorf("<html lang=%q> after the switch to English", lang)
	}

	step("phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(s.srv.URL+"/units/31615?at=2025-07-02"),
		chromedp.WaitVisible(`//h1[normalize-space()="Xã An Thạnh"]`),
		chromedp.WaitVisible(`//a[normalize-space()="Xã An Thạnh 1"]`),
		shot("08-unit-phone-english"),
		chromedp.Navigate(s.srv.URL+"/calendar?year=2026&lang=vi"),
		chromedp.WaitVisible(`//h1[normalize-space()="Lịch làm việc năm 2026"]`),
		shot("09-calendar-phone"),
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(s.srv.URL+"/calendar?year=2026"),
		chromedp.WaitVisible(`//h1[normalize-space()="Lịch làm việc năm 2026"]`),
		shot("10-calendar-desktop"),
	)

	step("administration",
		chromedp.Navigate(s.srv.URL+"/admin/users"),
		chromedp.WaitVisible(`//td/a[normalize-space()="quantri"]`),
		shot("11-admin-users"),
		chromedp.Navigate(s.srv.URL+"/admin/audit"),
		chromedp.WaitVisible(`//td/code[normalize-space()="user.create"]`),
		shot("12-admin-audit"),
	)
}

// chromium starts Debian's Chromium (EGOV_BROWSER) headless for a journey
// test, as a Vietnamese user's browser, and returns its context and an
// action that saves a full-page screenshot as EGOV_ARTIFACTS/<prefix><name>.png.
// Without a browser the test is skipped (or fails under EGOV_REQUIRE_ALL).
func chromium(t *testing.T, timeout time.Duration, prefix string) (context.Context, func(name string) chromedp.Action[chromedp.Void]) {
	t.Helper()
	bin := os.Getenv("EGOV_BROWSER")
	if bin == "" {
		storetest.Skip(t, "EGOV_BROWSER is not set")
	}
	artifacts := os.Getenv("EGOV_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	} else if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		// A Vietnamese browser: the site's language comes from Accept-Language.
		chromedp.Flag("lang", "vi-VN"),
		chromedp.Flag("accept-lang", "vi-VN,vi"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(artifacts, prefix+name+".png"), png, 0o644)
		})
	}
	return ctx, shot
}
