package web_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserBirthRegistration walks the whole one-stop journey in Debian's
// Chromium: a citizen files a birth registration (1.001193) on a phone with
// a photo of the birth certificate; the desk receives it and asks again for
// that one document, with a note; the citizen sees only that item and
// supplies it; the desk hands it to the specialist, the leader approves,
// the specialist finishes it with the Giấy khai sinh as a PDF, the desk
// returns it; the citizen downloads the result from "my dossiers" (the
// bytes and the headers are checked) and rates the service. Screenshots of
// each step go to EGOV_ARTIFACTS.
func TestBrowserBirthRegistration(t *testing.T) {
	ctx, shot := chromium(t, 60*time.Second, "birth-")
	s := newDemoSite(t)
	step, eval := steps(t, ctx)
	base := s.srv.URL

	dir := t.TempDir()
	file := func(name string, content []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	blurred := file("giay-chung-sinh.jpg", append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{1}, 64)...))
	sharp := file("giay-chung-sinh-ro.jpg", append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{2}, 64)...))
	resultPDF := []byte("%PDF-1.4\n% Giay khai sinh\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	result := file("Giấy khai sinh.pdf", resultPDF)

	step("the citizen files online, on a phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/procedures/1.001193"),
		chromedp.WaitVisible(`//h1[normalize-space()="Thủ tục đăng ký khai sinh"]`),
		chromedp.Click(`//a[normalize-space()="Nộp hồ sơ trực tuyến"]`),
		signIn("congdan.1"),
		chromedp.WaitVisible(`#f-unit`),
		chromedp.SetValue(`#f-unit`, "31615"),
		chromedp.Click(`form[action="/dossiers/new"] button[type="submit"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Người đi đăng ký"]`),
		chromedp.SendKeys(`#q-requester_full_name`, "Trần Thị Mai"),
		chromedp.SetValue(`#q-requester_cccd`, "094190001234"),
		chromedp.SetValue(`#q-requester_relation`, "me"),
		chromedp.SetValue(`#q-requester_phone`, "0912345678"),
		shot("01-applicant-phone"),
		chromedp.Click(`button[value="next"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Thông tin trẻ"]`),
		chromedp.SetValue(`#q-child_full_name`, "Nguyễn Gia Bảo"),
		chromedp.SetValue(`#q-child_sex`, "nam"),
		chromedp.SetValue(`#q-child_birth_date`, "2026-02-20"),
		chromedp.SetValue(`#q-birth_place`, "Trạm Y tế xã An Thạnh"),
		chromedp.SetValue(`#q-child_ethnicity`, "Kinh"),
		chromedp.Click(`button[value="next"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Cha, mẹ"]`),
		chromedp.SetValue(`#q-mother_full_name`, "Trần Thị Mai"),
		chromedp.SetValue(`#q-father_full_name`, "Nguyễn Văn Hùng"),
		chromedp.Click(`button[value="next"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Giấy tờ kèm theo và lệ phí"]`),
		chromedp.SetUploadFiles(`#q-birth_certificate_file`, []string{blurred}),
		chromedp.Click(`#q-on_time`),
		shot("02-attachments-phone"),
		chromedp.Click(`button[value="next"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Kiểm tra lại trước khi nộp"]`),
		chromedp.WaitVisible(`//a[normalize-space()="giay-chung-sinh.jpg"]`),
		shot("03-review-phone"),
		chromedp.Click(`form[action$="/submit"] button[type="submit"]`),
		chromedp.WaitVisible(`.dossier-code strong`),
		shot("04-filed-phone"),
	)
	code := strings.TrimSpace(eval(`document.querySelector(".dossier-code strong").textContent`))
	if !strings.HasSuffix(code, "-260302-0001") {
		t.Fatalf("code %q", code)
	}
	page := base + "/dossiers/" + code

	// Each officer works in a browser of their own (a tab with its own
	// cookies, on a desktop screen), signed in once.
	officer := func() func(name string, actions ...chromedp.Action[chromedp.Void]) {
		tab, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		step, _ := steps(t, tab)
		return step
	}
	desk, leader, specialist := officer(), officer(), officer()

	const note = "Ảnh Giấy chứng sinh bị mờ, xin chụp lại rõ số và dấu."
	desk("the desk receives it and asks for the birth certificate again",
		chromedp.Navigate(base+"/signin?next=/dossiers/"+code),
		signIn("motcua.31615"),
		chromedp.WaitVisible(`#act-receive button`),
		chromedp.Click(`#act-receive button`),
		notice("Đã tiếp nhận hồ sơ."),
		chromedp.WaitVisible(`#act-request-documents`),
		chromedp.Click(`#a-request-documents-items-birth_certificate_file`),
		chromedp.SetValue(`#a-request-documents-items-birth_certificate_file-note`, note),
		chromedp.ScrollIntoView(`#act-request-documents`),
		shot("05-request-documents-desk"),
		chromedp.Click(`#act-request-documents button[type="submit"]`),
		notice("Đã gửi yêu cầu bổ sung hồ sơ cho người nộp."),
		shot("06-requested-desk"),
	)

	step("the citizen sees only that item and supplies it",
		chromedp.Navigate(base+"/my/dossiers"),
		chromedp.WaitVisible(`//a[@class="title" and normalize-space()="Thủ tục đăng ký khai sinh"]`),
		chromedp.Click(`//a[@class="title" and normalize-space()="Thủ tục đăng ký khai sinh"]`),
		chromedp.WaitVisible(`#supply`),
		chromedp.ScrollIntoView(`#supply`),
		shot("07-supply-phone"),
	)
	// The one input of the form is the marked document (its file, and
	// the note on the paper); the rest of the dossier is read-only.
	if got := eval(`[...document.querySelectorAll("#supply form input, #supply form select, #supply form textarea")].map(e => e.name).join(" ")`); got != "file_birth_certificate_file f_birth_certificate_file" {
		t.Errorf("the supplement form's inputs: %q", got)
	}
	if got := eval(`document.querySelector("#supply .officer-note").textContent`); got != "Yêu cầu: "+note {
		t.Errorf("the desk's note: %q", got)
	}
	step("the supplement",
		chromedp.SetUploadFiles(`#q-birth_certificate_file`, []string{sharp}),
		chromedp.Click(`#supply button[type="submit"]`),
		notice("Đã gửi hồ sơ bổ sung; thời hạn giải quyết được tính lại từ hôm nay."),
		chromedp.WaitVisible(`//a[normalize-space()="giay-chung-sinh-ro.jpg"]`),
		shot("08-supplied-phone"),
	)

	desk("the desk hands it to the specialist",
		chromedp.Navigate(page),
		chromedp.WaitVisible(`#a-assign-assignee`),
		chromedp.SetValue(`#a-assign-assignee`, "chuyenvien.31615"),
		chromedp.Click(`#act-assign button`),
		notice("Đã chuyển hồ sơ cho chuyên viên xử lý."),
	)
	leader("the leader approves",
		chromedp.Navigate(base+"/signin?next=/dossiers/"+code),
		signIn("lanhdao.31615"),
		chromedp.WaitVisible(`#act-approve button`),
		chromedp.Click(`#act-approve button`),
		notice("Đã phê duyệt kết quả."),
	)

	specialist("the specialist finishes it with the result's PDF",
		chromedp.Navigate(base+"/signin?next=/dossiers/"+code),
		signIn("chuyenvien.31615"),
		chromedp.WaitVisible(`#a-finish-result_file`),
		chromedp.SetValue(`#a-finish-result`, "Giấy khai sinh số 15/2026"),
		chromedp.SetUploadFiles(`#a-finish-result_file`, []string{result}),
		chromedp.ScrollIntoView(`#act-finish`),
		shot("09-finish-specialist"),
		chromedp.Click(`#act-finish button`),
		notice("Đã hoàn thành xử lý; hồ sơ chuyển về bộ phận một cửa để trả kết quả."),
		chromedp.WaitVisible(`//a[normalize-space()="Tải kết quả `+code+`-KQ1"]`),
		shot("10-finished-specialist"),
	)

	desk("the desk returns the result",
		chromedp.Navigate(page),
		chromedp.WaitVisible(`#act-return-result button`),
		chromedp.Click(`#act-return-result button`),
		notice("Đã trả kết quả."),
	)

	step("the citizen finds the result in my dossiers",
		chromedp.Navigate(base+"/my/dossiers"),
		chromedp.WaitVisible(`//a[normalize-space()="Tải kết quả `+code+`-KQ1"]`),
		shot("11-my-dossiers-result-phone"),
	)
	// What the link downloads, as the browser receives it.
	var got struct {
		Status                     int
		Type, Disposition, Nosniff string
		Body                       string
	}
	js := `(async () => {
		const a = [...document.querySelectorAll("a[download]")].find(a => a.textContent.trim() === "Tải kết quả ` + code + `-KQ1");
		const r = await fetch(a.href);
		return JSON.stringify({status: r.status, type: r.headers.get("content-type"), disposition: r.headers.get("content-disposition"),
			nosniff: r.headers.get("x-content-type-options"), body: await r.text()});
	})()`
	if err := json.Unmarshal([]byte(eval(js)), &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != 200 || got.Type != "application/pdf" || got.Nosniff != "nosniff" || got.Body != string(resultPDF) ||
		got.Disposition != `attachment; filename="Giay khai sinh.pdf"; filename*=UTF-8''Gi%E1%BA%A5y%20khai%20sinh.pdf` {
		t.Errorf("the result's download: %+v", got)
	}

	step("the citizen rates the service",
		chromedp.Navigate(page),
		chromedp.WaitVisible(`#act-rate`),
		chromedp.Click(`#a-rate-rating-0`),
		chromedp.SendKeys(`#a-rate-note`, "Nhanh, rõ."),
		chromedp.ScrollIntoView(`#act-rate`),
		shot("12-rate-phone"),
		chromedp.Click(`#act-rate button`),
		notice("Cảm ơn bạn đã đánh giá."),
		shot("13-rated-phone"),
	)
	if st := eval(`document.querySelector(".badge.st-returned").textContent`); st != "Đã trả kết quả" {
		t.Errorf("status at the end: %q", st)
	}
}
