package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"egov/internal/dossier"
)

var (
	pdfFile  = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
	jpegFile = "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00" + strings.Repeat("B", 40)
	pngFile  = "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + strings.Repeat("\x07", 20)
	htmlFile = "<html><script>alert(document.cookie)</script></html>"
)

// upfile is a file chosen in a file input ("" name: an input left empty).
type upfile struct{ input, name, content string }

// postFiles posts a multipart form, as a form with file inputs does.
func (b *browser) postFiles(path string, values url.Values, files ...upfile) response {
	b.s.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range values {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f.input, f.name)
		if err != nil {
			b.s.t.Fatal(err)
		}
		w.Write([]byte(f.content))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.s.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// downloaded checks that res is the file content, served as a download
// of type mime named name.
func downloaded(t *testing.T, res response, mime, disposition, content string) {
	t.Helper()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != mime || res.body != content ||
		res.Header.Get("Content-Disposition") != disposition || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("download %s: %d %v %.40q", res.Request.URL.Path, res.StatusCode, res.Header, res.body)
	}
}

func TestAttachingDocumentsOnline(t *testing.T) {
	s := newDemoSite(t)
	citizen := s.browser().as("congdan.1")
	loc := redirected(t, citizen.post("/dossiers/new", url.Values{"procedure": {"1.004873"}, "unit": {"31615"}}), "/dossiers/")
	form := strings.TrimSuffix(loc, "?step=1")
	ref := strings.Split(form, "/")[2]
	step1 := only(marital(), "requester_full_name", "requester_birth_date", "requester_cccd", "requester_address", "requester_phone")
	redirected(t, citizen.post(form+"?step=1", with(step1, "go", "next")), form+"?step=2")

	// Step 2 asks for the documents, in a form that carries files.
	expect(t, citizen.get(form+"?step=2"), 200, `enctype="multipart/form-data"`,
		`<input id="q-divorce_or_death_file" name="file_divorce_or_death_file" type="file" accept="application/pdf,image/jpeg,image/png" multiple`,
		`<input id="qt-divorce_or_death_file" name="f_divorce_or_death_file" type="text"`)
	step2 := with(only(marital(), "marital_status", "purpose"), "f_marital_status", "da_ly_hon")

	// An HTML page named .pdf is refused beside its input; the answers
	// are saved all the same.
	res := citizen.postFiles(form+"?step=2", with(step2, "go", "next"), upfile{"file_divorce_or_death_file", "ban-an.pdf", htmlFile})
	expect(t, res, http.StatusUnprocessableEntity,
		`<p class="field-error" id="qe-divorce_or_death_file">Chỉ nhận tệp PDF, ảnh JPEG hoặc PNG.</p>`, `value="Đăng ký kết hôn"`,
		`<option value="da_ly_hon" selected>`)
	// So is a file over 10 MB, with 413.
	expect(t, citizen.postFiles(form+"?step=2", with(step2, "go", "save"),
		upfile{"file_divorce_or_death_file", "lon.pdf", "%PDF-" + strings.Repeat("x", 10<<20)}), http.StatusRequestEntityTooLarge,
		`<p class="field-error" id="qe-divorce_or_death_file">Tệp quá lớn: mỗi tệp tối đa 10 MB.</p>`)
	// A PDF (with a browser's empty second input) is attached; "next" goes on.
	redirected(t, citizen.postFiles(form+"?step=2", with(step2, "go", "next"),
		upfile{"file_divorce_or_death_file", `C:\fakepath\Bản án ly hôn.pdf`, pdfFile}, upfile{"file_previous_cert_file", "", ""}), form+"?step=3")

	// Back on the step, the file is shown with its link and a remove button.
	res = citizen.get(form + "?step=2")
	m := regexp.MustCompile(`<a href="(/dossiers/` + ref + `/attachments/([a-z2-7]{16}))" download>Bản án ly hôn.pdf</a>`).FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("the step does not show the file:\n%s", res.body)
	}
	link, token := m[1], m[2]
	expect(t, res, 200, `<button type="submit" form="rm-`+token+`" class="small secondary">Xoá<span class="vh"> Bản án ly hôn.pdf</span></button>`,
		`<form id="rm-`+token+`" class="inline" method="post" action="`+link+`/remove?step=2"></form>`)
	downloaded(t, citizen.get(link), "application/pdf",
		`attachment; filename="Ban an ly hon.pdf"; filename*=UTF-8''B%E1%BA%A3n%20%C3%A1n%20ly%20h%C3%B4n.pdf`, pdfFile)

	// The review shows it under its answer, and takes other documents.
	redirected(t, citizen.post(form+"?step=3", url.Values{"go": {"next"}}), "/dossiers/"+ref+"/review")
	res = citizen.get("/dossiers/" + ref + "/review")
	expect(t, res, 200, `<a href="`+link+`" download>Bản án ly hôn.pdf</a>`, "<h2 id=\"other-files\">Giấy tờ khác</h2>",
		`action="/dossiers/`+ref+`/attachments?from=review" enctype="multipart/form-data"`)
	refuse(t, res, "field-error")
	loc = redirected(t, citizen.postFiles("/dossiers/"+ref+"/attachments?from=review", nil, upfile{"attachments", "giấy tờ.jpg", pngFile}),
		"/dossiers/"+ref+"/review?ok=attachment_added")
	res = citizen.get(loc)
	expect(t, res, 200, "Đã đính kèm tệp.", ">giấy tờ.png</a>")
	other := regexp.MustCompile(`action="(/dossiers/`+ref+`/attachments/[a-z2-7]{16}/remove)"`).FindAllStringSubmatch(res.body, -1)
	if len(other) != 2 {
		t.Fatalf("removal forms: %v", other)
	}
	expect(t, citizen.postFiles("/dossiers/"+ref+"/attachments?from=review", nil, upfile{"attachments", "x.pdf", htmlFile}),
		http.StatusBadRequest, "Chỉ nhận tệp PDF, ảnh JPEG hoặc PNG.", `href="/dossiers/`+ref+`/review"`)
	loc = redirected(t, citizen.post(other[1][1], nil), "/dossiers/"+ref+"/review?ok=attachment_removed")
	res = citizen.get(loc)
	expect(t, res, 200, "Đã xoá tệp đính kèm.", "Bản án ly hôn.pdf")
	refuse(t, res, "giấy tờ.png")

	// Nobody else reaches a draft's files.
	for _, who := range []string{"congdan.2", "motcua.31615"} {
		b := s.browser().as(who)
		expect(t, b.get(link), http.StatusNotFound)
		expect(t, b.post(link+"/remove", nil), http.StatusNotFound)
	}

	// Filed: the dossier page lists the files for the applicant and the desk.
	loc = redirected(t, citizen.post("/dossiers/"+ref+"/submit", nil), "/dossiers/")
	code := codePattern.FindStringSubmatch(loc)[1]
	codeLink := "/dossiers/" + code + "/attachments/" + token
	expect(t, citizen.get("/dossiers/"+code), 200, `<h2 id="attachments-title">Giấy tờ đính kèm</h2>`,
		`<td>Giấy tờ chứng minh đã ly hôn hoặc người kia đã chết (nếu có)</td><td><a href="`+codeLink+`" download>Bản án ly hôn.pdf</a>`)
	desk := s.browser().as("motcua.31615")
	res = desk.get("/dossiers/" + code)
	expect(t, res, 200, `href="`+codeLink+`"`, `action="/dossiers/`+code+`/attachments" enctype="multipart/form-data"`,
		`<option value="previous_cert_file">`, `<option value="">Giấy tờ khác</option>`)
	downloaded(t, desk.get(codeLink), "application/pdf",
		`attachment; filename="Ban an ly hon.pdf"; filename*=UTF-8''B%E1%BA%A3n%20%C3%A1n%20ly%20h%C3%B4n.pdf`, pdfFile)
	// The desk scans what the applicant brings to the counter.
	loc = redirected(t, desk.postFiles("/dossiers/"+code+"/attachments", url.Values{"field": {"previous_cert_file"}},
		upfile{"attachments", "scan 1.jpg", jpegFile}), "/dossiers/"+code+"?ok=attachment_added")
	expect(t, desk.get(loc), 200, "Đã đính kèm tệp.", ">scan 1.jpg</a>", "<td>Lâm Thị Hồng</td>")
	refuse(t, citizen.get("/dossiers/"+code), `action="/dossiers/`+code+`/attachments"`)
	for _, who := range []string{"congdan.2", "motcua.31507"} {
		expect(t, s.browser().as(who).get(codeLink), http.StatusNotFound)
	}
	expect(t, s.browser().as("admin").get("/admin/audit?action=dossier.attachment_read"), 200, "motcua.31615", code)

	// Asked for documents (a minute later: the desk's scans are no answer),
	// the citizen attaches them with the supplement.
	s.advance(time.Minute)
	redirected(t, desk.post("/dossiers/"+code+"/act/request-documents", url.Values{"item": {"previous_cert_file"},
		"item_note_previous_cert_file": {"Thiếu giấy xác nhận đã cấp"}, "item_other": {"Bản sao sổ hộ khẩu\n"}}), "/dossiers/")
	res = citizen.get("/dossiers/" + code)
	expect(t, res, 200, `action="/dossiers/`+code+`/act/supply-documents" enctype="multipart/form-data"`,
		`name="file_previous_cert_file" type="file"`, `<input id="f-attachments" name="attachments" type="file"`, ">scan 1.jpg</a>")
	supply := with(marital(), "f_marital_status", "da_ly_hon")
	expect(t, citizen.postFiles("/dossiers/"+code+"/act/supply-documents", supply, upfile{"file_previous_cert_file", "cu.pdf", ""}),
		http.StatusUnprocessableEntity, `<p class="field-error" id="qe-previous_cert_file">Tệp rỗng, không có nội dung.</p>`)
	// Each item must be answered: here the document outside the form.
	expect(t, citizen.postFiles("/dossiers/"+code+"/act/supply-documents", supply, upfile{"file_previous_cert_file", "giay cu.png", pngFile}),
		http.StatusUnprocessableEntity, "Chưa đính kèm giấy tờ được yêu cầu bổ sung: &#34;Bản sao sổ hộ khẩu&#34;.")
	loc = redirected(t, citizen.postFiles("/dossiers/"+code+"/act/supply-documents", supply,
		upfile{"attachments", "them.pdf", pdfFile}), "/dossiers/"+code+"?ok=supply-documents")
	expect(t, citizen.get(loc), 200, "Được tiếp nhận", ">giay cu.png</a>", ">them.pdf</a>", "<td>Giấy tờ khác</td>")
	// Once received again, the citizen attaches no more.
	expect(t, citizen.postFiles("/dossiers/"+code+"/attachments", nil, upfile{"attachments", "late.pdf", pdfFile}), http.StatusConflict)
}

// death is a complete form of 1.000656 (đăng ký khai tử) but for the
// death notice, a required file field.
func death() url.Values {
	return url.Values{
		"f_requester_full_name": {"Sơn Văn Đức"}, "f_requester_cccd": {"094085004321"}, "f_requester_relation": {"Con"},
		"f_requester_phone": {"0987654321"}, "f_deceased_full_name": {"Sơn Văn Ba"}, "f_deceased_birth_date": {"1950-01-01"},
		"f_death_date": {"2026-02-27"}, "f_death_place": {"Ấp An Thạnh, Xã An Thạnh"},
	}
}

func TestCounterIntakeWithScans(t *testing.T) {
	s := newDemoSite(t)
	desk := s.browser().as("motcua.31615")
	expect(t, desk.get("/intake?procedure=1.000656"), 200, `action="/intake" enctype="multipart/form-data"`,
		`name="file_death_notice_file" type="file" accept="application/pdf,image/jpeg,image/png"`, `name="attachments" type="file"`)
	form := with(death(), "procedure", "1.000656", "unit", "31615", "channel", "direct",
		"applicant_name", "Sơn Văn Đức", "applicant_phone", "0987654321")
	// Without the death notice, and with a page that is no scan, refused.
	expect(t, desk.postFiles("/intake", form), http.StatusUnprocessableEntity,
		`<p class="field-error" id="qe-death_notice_file">Cần nhập thông tin này.</p>`)
	expect(t, desk.postFiles("/intake", form, upfile{"file_death_notice_file", "bao-tu.pdf", htmlFile}), http.StatusUnprocessableEntity,
		`<p class="field-error" id="qe-death_notice_file">Chỉ nhận tệp PDF, ảnh JPEG hoặc PNG.</p>`,
		"Các tệp đã chọn chưa được lưu: hãy chọn lại.", `value="Sơn Văn Ba"`)
	expect(t, desk.postFiles("/intake", form, upfile{"file_death_notice_file", "bao-tu.pdf", pdfFile}, upfile{"attachments", "a.gif", "GIF89a"}),
		http.StatusUnprocessableEntity, `<p class="field-error" id="e-attachments">Chỉ nhận tệp PDF, ảnh JPEG hoặc PNG.</p>`)
	// With the scans: received at once, the files on its page.
	loc := redirected(t, desk.postFiles("/intake", form, upfile{"file_death_notice_file", "giấy báo tử.pdf", pdfFile},
		upfile{"attachments", "cccd.jpg", jpegFile}, upfile{"attachments", "ho-khau.png", pngFile}), "/dossiers/")
	res := desk.get(loc)
	expect(t, res, 200, "Đã tiếp nhận hồ sơ.", "<td>Giấy báo tử hoặc giấy tờ thay Giấy báo tử</td>", ">giấy báo tử.pdf</a>",
		">cccd.jpg</a>", ">ho-khau.png</a>")
	link := regexp.MustCompile(`href="(/dossiers/[^"]+/attachments/[a-z2-7]{16})" download>cccd.jpg`).FindStringSubmatch(res.body)
	if link == nil {
		t.Fatal("no link to cccd.jpg")
	}
	downloaded(t, desk.get(link[1]), "image/jpeg", `attachment; filename="cccd.jpg"; filename*=UTF-8''cccd.jpg`, jpegFile)
}

// TestBrowserAttachments attaches a scan in a step of the online form in
// Debian's Chromium on a phone-sized screen, sees it listed, and removes it
// with its button (a button of a form outside the step's form).
func TestBrowserAttachments(t *testing.T) {
	ctx, shot := chromium(t, 60*time.Second, "attachments-")
	s := newDemoSite(t)
	u, err := s.app.Identity.UserByName(context.Background(), "congdan.1")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.app.Identity.ActorFor(context.Background(), u)
	d, err := s.app.Dossiers.CreateDraft(context.Background(), a, dossier.NewDossier{ProcedureCode: "1.004873", UnitCode: "31615"})
	if err != nil {
		t.Fatal(err)
	}
	scan := filepath.Join(t.TempDir(), "Bản án ly hôn.pdf")
	if err := os.WriteFile(scan, []byte(pdfFile), 0o644); err != nil {
		t.Fatal(err)
	}
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	step("sign in to the draft's second step",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(s.srv.URL+"/signin?next=/dossiers/"+d.Ref+"/form%3Fstep%3D2"),
		chromedp.WaitVisible(`#f-username`),
		chromedp.SendKeys(`#f-username`, "congdan.1"),
		chromedp.SendKeys(`#f-password`, password),
		chromedp.Click(`form[action="/signin"] button[type="submit"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Tình trạng hôn nhân"]`),
	)
	step("attach a scan and save",
		chromedp.SetUploadFiles(`#q-divorce_or_death_file`, []string{scan}),
		chromedp.Click(`button[value="save"]`),
		chromedp.WaitVisible(`//a[normalize-space()="Bản án ly hôn.pdf"]`),
		shot("01-attached-phone"),
	)
	atts, err := s.app.Dossiers.AttachmentsOf(context.Background(), d)
	if err != nil || len(atts) != 1 || atts[0].Field != "divorce_or_death_file" || atts[0].MIME != dossier.MimePDF {
		t.Fatalf("attached: %+v %v", atts, err)
	}
	step("remove it",
		chromedp.Click(`//li[a[normalize-space()="Bản án ly hôn.pdf"]]/button`),
		chromedp.WaitVisible(`//p[@role="status" and normalize-space()="Đã xoá tệp đính kèm."]`),
		shot("02-removed-phone"),
	)
	if atts, _ := s.app.Dossiers.AttachmentsOf(context.Background(), d); len(atts) != 0 {
		t.Fatalf("%d attachments after removal", len(atts))
	}
}
