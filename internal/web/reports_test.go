package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// monthlyForm is the entry form of KTXH-XA-THANG with one value per
// indicator, as the page names its inputs.
func monthlyForm() url.Values {
	return url.Values{
		"v|CX.NN.01|dongxuan": {"100"}, "c|CX.NN.01|dongxuan": {"Vụ Đông Xuân sớm"},
		"v|CX.NN.02|dongxuan":              {"50"},
		"v|CX.NN.07|thechantrang_thamcanh": {"10"},
		"v|CX.NN.09|su_quangcanh":          {"2,5"},
		"v|CX.CQS.01|tructiep":             {"30"},
		"v|CX.CQS.02|":                     {"5"},
		"v|CX.CDS.13|nam":                  {"3"},
	}
}

func TestReportPages(t *testing.T) {
	s := newDemoSite(t)
	s.app.Reporting.Now = func() time.Time { return time.Unix(0, s.clock.Load()) }
	const page = "/reports/KTXH-XA-THANG/202602/31615"

	reporter := s.browser().as("thongke.31615")
	expect(t, reporter.get("/"), 200, `href="/reports"`)
	// On 2 March 2026 the current month is March's (window from 15
	// February); February's was due on 23 February.
	res := reporter.get("/reports")
	expect(t, res, 200, "<h1>Báo cáo định kỳ</h1>", `href="/reports/KTXH-XA-THANG/202603/31615"`,
		`href="/reports/KTXH-XA-THANG/202602/31615"`, "<th scope=\"row\">Tháng 02/2026</th>", "23/02/2026",
		`<span class="badge wrong">Quá hạn</span>`, `href="/reports/KTXH-XA-NAM/2025/31615"`)
	if strings.Contains(res.body, "completeness") {
		t.Errorf("a commune's reporter is offered the completeness of a level below")
	}

	// The grid: one row per indicator, one input per combination, each
	// with its label and a comment.
	res = reporter.get(page)
	expect(t, res, 200, `<label class="visually-hidden" for="v-CX-NN-01-dongxuan">Diện tích gieo trồng lúa – Đông Xuân</label>`,
		`<input id="v-CX-NN-01-dongxuan" name="v|CX.NN.01|dongxuan" type="text" inputmode="decimal"`,
		`<label class="visually-hidden" for="v-CX-NN-01-dongxuan-c">Ghi chú: Diện tích gieo trồng lúa – Đông Xuân</label>`,
		`<th scope="col" class="num">Tôm thẻ chân trắng, Thâm canh, bán thâm canh</th>`,
		`name="v|CX.CQS.02|"`, `<button type="submit">Lưu</button>`, `template.xlsx`, `value="submit"`)

	// A wrong value: nothing is saved, what was typed comes back.
	form := monthlyForm()
	form.Set("v|CX.CQS.01|tructiep", "ba mươi")
	res = reporter.post(page, form)
	expect(t, res, 422, "Chưa lưu: 1 số liệu không hợp lệ.", `value="ba mươi"`, `value="Vụ Đông Xuân sớm"`,
		`aria-invalid="true" aria-describedby="v-CX-CQS-01-tructiep-e"`, `<p class="field-error" id="v-CX-CQS-01-tructiep-e">`,
		`href="#v-CX-CQS-01-tructiep"`)
	if res := reporter.get(page); strings.Contains(res.body, `value="100"`) {
		t.Errorf("a form with a wrong value saved the others")
	}

	// A rule broken (ST25 over the rice area): saved, shown beside the rows.
	form = monthlyForm()
	form.Set("v|CX.NN.02|dongxuan", "150")
	res = reporter.post(page, form)
	expect(t, res, 200, "Đã lưu số liệu, nhưng 1 quy tắc kiểm tra bị vi phạm", `value="150"`,
		"Vi phạm quy tắc “Diện tích lúa ST25 không vượt quá diện tích gieo trồng lúa”: 150 ≤ 100 không đúng.")
	// Submitting is refused, with the reason on the page.
	res = reporter.post(page+"/approval", url.Values{"action": {"submit"}})
	expect(t, res, 409, "Chưa gửi được báo cáo: số liệu vi phạm 1 quy tắc kiểm tra (R-ST25)", `href="#v-CX-NN-02-dongxuan"`)

	// Fixed: saved and redirected; submitted.
	res = reporter.post(page, monthlyForm())
	if res.StatusCode != 303 || res.Header.Get("Location") != page+"?ok=report_saved" {
		t.Fatalf("save: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	expect(t, reporter.get(page+"?ok=report_saved"), 200, "Đã lưu số liệu.", `value="2.5"`, `value="Vụ Đông Xuân sớm"`)
	// A form that leaves an input out leaves its value alone; an empty
	// input deletes it.
	res = reporter.post(page, url.Values{"v|CX.CQS.02|": {""}, "v|CX.CDS.13|nam": {"4"}})
	if res.StatusCode != 303 {
		t.Fatalf("partial save: %d", res.StatusCode)
	}
	res = reporter.get(page)
	expect(t, res, 200, `name="v|CX.CDS.13|nam" type="text" inputmode="decimal" autocomplete="off" value="4"`, `value="100"`)
	if !strings.Contains(res.body, `name="v|CX.CQS.02|" type="text" inputmode="decimal" autocomplete="off" value=""`) {
		t.Errorf("an empty input did not delete its value")
	}
	expect(t, reporter.post(page, monthlyForm()), 303)
	res = reporter.post(page+"/approval", url.Values{"action": {"submit"}})
	if res.StatusCode != 303 {
		t.Fatalf("submit: %d %s", res.StatusCode, res.body)
	}
	res = reporter.get(page)
	expect(t, res, 200, "Đã gửi, chờ phê duyệt", "Gửi lúc")
	if strings.Contains(res.body, `<input id="v-`) || strings.Contains(res.body, `value="submit"`) {
		t.Errorf("a submitted report can still be edited or submitted")
	}
	expect(t, reporter.post(page, monthlyForm()), 409, "số liệu không thay đổi")

	// The leader returns it once without a reason, then approves.
	leader := s.browser().as("lanhdao.31615")
	res = leader.get(page)
	expect(t, res, 200, `value="approve"`, `value="return"`, `<label for="f-reason">`)
	expect(t, leader.post(page+"/approval", url.Values{"action": {"return"}}), 422, `<p class="field-error" id="e-reason">Cần nêu lý do trả lại.</p>`)
	expect(t, leader.post(page+"/approval", url.Values{"action": {"accept"}}), 403)
	if res := leader.post(page+"/approval", url.Values{"action": {"approve"}}); res.StatusCode != 303 {
		t.Fatalf("approve: %d", res.StatusCode)
	}

	// The city: the completeness of its communes, the overdue ones one
	// click away; it returns An Thạnh's report, then accepts it.
	stat := s.browser().as("thongke.92")
	res = stat.get("/reports")
	expect(t, res, 200, `href="/reports/completeness?form=KTXH-XA-THANG&amp;period=202602&amp;unit=92"`)
	res = stat.get("/reports/completeness?form=KTXH-XA-THANG&period=202602&unit=92")
	expect(t, res, 200, "<h1>Tình hình nộp báo cáo</h1>", `<a href="#overdue">`, `<h2 id="overdue">`,
		`<dt>Đã nộp</dt><dd>1 (`, "Xã An Thạnh (31615)", "Đã phê duyệt, chờ cấp trên tiếp nhận")
	expect(t, reporter.get("/reports/completeness?form=KTXH-XA-THANG&period=202602&unit=92"), 403)
	expect(t, stat.post(page+"/approval", url.Values{"action": {"return"}, "reason": {"Số hồ sơ trực tuyến chưa khớp"}}), 303)
	expect(t, reporter.get(page), 200, "Bị trả lại", "Số hồ sơ trực tuyến chưa khớp", `<input id="v-`)
	expect(t, reporter.post(page+"/approval", url.Values{"action": {"submit"}}), 303)
	expect(t, leader.post(page+"/approval", url.Values{"action": {"approve"}}), 303)
	expect(t, stat.post(page+"/approval", url.Values{"action": {"accept"}}), 303)
	expect(t, stat.get(page+"?ok=report_accept"), 200, "Đã tiếp nhận báo cáo.", "Cấp trên đã tiếp nhận", `value="return"`)
	expect(t, reporter.get(page), 200, "Cấp trên đã tiếp nhận")
	expect(t, reporter.get(page+"?lang=en"), 303)
	expect(t, reporter.get(page), 200, "<h1>Commune socio-economic report, monthly</h1>", "Accepted by the level above",
		"<dd>Month 02/2026</dd>", "Rice planted area")
	expect(t, s.browser().as("thongke.31615").get("/reports/KTXH-XA-THANG/202602/31633"), 403)
}
