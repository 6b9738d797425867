package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserReportWorkflow walks a commune's monthly report in Debian's
// Chromium: the reporter enters it with the keyboard, meets a validation
// message, fixes it and submits; the commune's leader approves; the city
// returns it once with a reason, the commune corrects, submits and
// approves again, and the city accepts it. Each step's screenshot is kept
// in EGOV_ARTIFACTS.
func TestBrowserReportWorkflow(t *testing.T) {
	ctx, shot := chromium(t, 240*time.Second, "report-")
	s := newDemoSite(t)
	s.app.Reporting.Now = func() time.Time { return time.Unix(0, s.clock.Load()) }
	step, eval := steps(t, ctx)
	const page = "/reports/KTXH-XA-THANG/202602/31615"
	as := func(username, next string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Click(`form[action="/signout"] button`),
			chromedp.WaitVisible(`nav a[href="/signin"]`),
			chromedp.Navigate(s.srv.URL+"/signin?next="+next),
			signIn(username),
		)
	}
	action := func(act string) string { return `form[action$="/approval"] input[value="` + act + `"] ~ button` }

	step("the reporter's list",
		chromedp.Navigate(s.srv.URL+"/signin?next=/reports"),
		signIn("thongke.31615"),
		chromedp.WaitVisible(`//h1[normalize-space()="Báo cáo định kỳ"]`),
		shot("01-list"),
		chromedp.Click(`a[href="`+page+`"]`),
		chromedp.WaitVisible(`input#v-CX-NN-01-dongxuan`),
		shot("02-entry-empty"),
	)

	// The keyboard goes through each value, then its comment, then the
	// next value of the row.
	step("tab order", chromedp.Focus(`input#v-CX-NN-01-dongxuan`), chromedp.KeyEvent("\t"))
	if id := eval(`document.activeElement.id`); id != "v-CX-NN-01-dongxuan-c" {
		t.Errorf("Tab from the first value focuses %q, want its comment", id)
	}
	step("tab order", chromedp.KeyEvent("\t"))
	if id := eval(`document.activeElement.id`); id != "v-CX-NN-01-hethu" {
		t.Errorf("Tab from the first comment focuses %q, want the next value", id)
	}
	if l := eval(`document.querySelector('label[for="v-CX-NN-01-hethu"]').textContent`); l != "Diện tích gieo trồng lúa – Hè Thu" {
		t.Errorf("label %q", l)
	}

	step("the values, ST25 over the rice area",
		chromedp.SendKeys(`input#v-CX-NN-01-dongxuan`, "100"),
		chromedp.SendKeys(`input#v-CX-NN-01-dongxuan-c`, "Xuống giống sớm"),
		chromedp.SendKeys(`input#v-CX-NN-02-dongxuan`, "150"),
		chromedp.SendKeys(`input#v-CX-NN-07-thechantrang_thamcanh`, "10"),
		chromedp.SendKeys(`input#v-CX-NN-09-su_quangcanh`, "2,5"),
		chromedp.SendKeys(`input#v-CX-CQS-01-tructiep`, "30"),
		chromedp.SendKeys(`input#v-CX-CQS-02`, "5"),
		chromedp.SendKeys(`input#v-CX-CDS-13-nam`, "3"),
		// Save with the keyboard: Enter in a field submits the form.
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(`//div[@id="problems"]//a[contains(., "Diện tích lúa ST25 không vượt quá diện tích gieo trồng lúa")]`),
		shot("03-rule-broken"),
	)
	if v := eval(`document.getElementById("v-CX-NN-02-dongxuan").value`); v != "150" {
		t.Errorf("the value typed was not kept: %q", v)
	}

	step("submitting is refused while the rule is broken",
		chromedp.Click(action("submit")),
		chromedp.WaitVisible(`//div[@role="alert"]/p[contains(., "Chưa gửi được báo cáo")]`),
		shot("04-submit-refused"),
	)

	step("fixed, saved and submitted",
		// The summary's link takes the focus to the value.
		chromedp.Click(`#problems a[href="#v-CX-NN-02-dongxuan"]`),
		chromedp.Clear(`input#v-CX-NN-02-dongxuan`),
		chromedp.SendKeys(`input#v-CX-NN-02-dongxuan`, "50"),
		chromedp.KeyEvent("\r"),
		notice("Đã lưu số liệu."),
		shot("05-saved"),
		chromedp.Focus(action("submit")),
		chromedp.KeyEvent("\r"),
		notice("Đã gửi báo cáo cho lãnh đạo đơn vị phê duyệt."),
		chromedp.WaitVisible(`//span[contains(@class, "rs-submitted")]`),
		shot("06-submitted"),
	)

	step("the leader approves",
		as("lanhdao.31615", page),
		chromedp.WaitVisible(action("approve")),
		shot("07-leader"),
		chromedp.Click(action("approve")),
		notice("Đã phê duyệt báo cáo; số liệu được khóa và chuyển cấp trên tiếp nhận."),
		shot("08-approved"),
	)

	step("the city sees the completeness and returns the report",
		as("thongke.92", "/reports"),
		chromedp.WaitVisible(`a[href="/reports/completeness?form=KTXH-XA-THANG&period=202602&unit=92"]`),
		chromedp.Click(`a[href="/reports/completeness?form=KTXH-XA-THANG&period=202602&unit=92"]`),
		chromedp.WaitVisible(`#overdue`),
		shot("09-completeness"),
		chromedp.Click(`//table//a[contains(., "Xã An Thạnh")]`),
		chromedp.WaitVisible(`#f-reason`),
		chromedp.SendKeys(`#f-reason`, "Số hồ sơ trực tuyến chưa khớp với phần mềm một cửa"),
		shot("10-return-reason"),
		chromedp.Click(action("return")),
		notice("Đã trả lại báo cáo kèm lý do; đơn vị có thể sửa và gửi lại."),
		shot("11-returned"),
	)

	step("the commune corrects, submits and approves again",
		as("thongke.31615", page),
		chromedp.WaitVisible(`//span[contains(., "Số hồ sơ trực tuyến chưa khớp với phần mềm một cửa")]`),
		chromedp.Clear(`input#v-CX-CQS-02`),
		chromedp.SendKeys(`input#v-CX-CQS-02`, "6"),
		chromedp.KeyEvent("\r"),
		notice("Đã lưu số liệu."),
		chromedp.Click(action("submit")),
		notice("Đã gửi báo cáo cho lãnh đạo đơn vị phê duyệt."),
		as("lanhdao.31615", page),
		chromedp.Click(action("approve")),
		notice("Đã phê duyệt báo cáo; số liệu được khóa và chuyển cấp trên tiếp nhận."),
	)

	step("the city accepts it",
		as("thongke.92", page),
		chromedp.WaitVisible(action("accept")),
		chromedp.Click(action("accept")),
		notice("Đã tiếp nhận báo cáo."),
		chromedp.WaitVisible(`//span[contains(@class, "rs-accepted")]`),
		shot("12-accepted"),
	)
	// Accepted: read only, the values as entered.
	if v := eval(`String(document.querySelector("input.value") === null && document.getElementById("r-CX-CQS-02").innerText.includes("6"))`); v != "true" {
		t.Errorf("the accepted report is not read-only with its values")
	}

	// The statistician asks the pivot for the commune's month: the value
	// just accepted is in the table and the bar chart.
	step("the statistician opens the pivot",
		chromedp.Navigate(s.srv.URL+"/analytics"),
		chromedp.WaitVisible(`#a-dx`),
	)
	if v := eval(`String(Array.from(document.querySelectorAll("#a-dx option")).filter(o => (o.selected = o.value === "CX.CQS.02")).length)`); v != "1" {
		t.Fatalf("the indicator CX.CQS.02 is not offered: %q", v)
	}
	step("and asks for a chart of the month",
		chromedp.SetValue(`#a-pe`, "202602"),
		chromedp.SetValue(`#a-ou`, "31615"),
		chromedp.Click(`form[action="/analytics"] button[type="submit"]`),
		chromedp.WaitVisible(`figure.chart svg.chart`),
		shot("13-pivot-chart"),
	)
	if v := eval(`Array.from(document.querySelectorAll("table.pivot td")).map(td => td.innerText.trim()).join("|")`); !strings.Contains("|"+v+"|", "|6|") {
		t.Errorf("the pivot does not show the accepted value 6: %q", v)
	}
	if v := eval(`String(document.querySelectorAll("svg.chart rect").length > 0 && document.querySelector("svg.chart title") !== null)`); v != "true" {
		t.Errorf("the chart has no bars or no title")
	}
}
