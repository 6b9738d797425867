package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"egov/internal/demo"
	"egov/internal/dossier"
	"egov/internal/i18n"
)

// newDemoSite is a site with the whole demo data set (the catalogue, the
// agency identifiers, the demo accounts with the tests' password), the
// dossier service on the site's clock: Monday 2 March 2026, 10:00 in
// Vietnam.
func newDemoSite(t *testing.T) *site {
	t.Helper()
	s := newSite(t)
	now := func() time.Time { return time.Unix(0, s.clock.Load()) }
	s.app.Dossiers.Now, s.app.Procedures.Now = now, now
	if err := demo.Load(context.Background(), s.app, password); err != nil {
		t.Fatal(err)
	}
	return s
}

func (b *browser) as(username string) *browser {
	b.signIn(username)
	return b
}

// marital is a complete form of 1.004873 (xác nhận tình trạng hôn nhân),
// as the inputs of the pages name its fields.
func marital() url.Values {
	return url.Values{
		"f_requester_full_name": {"Nguyễn Thị Lan"}, "f_requester_birth_date": {"1990-03-04"},
		"f_requester_cccd": {"094190001234"}, "f_requester_address": {"Ấp An Thạnh, Xã An Thạnh"},
		"f_requester_phone": {"0912345678"}, "f_marital_status": {"chua_ket_hon"}, "f_purpose": {"Đăng ký kết hôn"},
	}
}

// only returns the values of v whose names are listed, plus extra.
func only(v url.Values, names ...string) url.Values {
	out := url.Values{}
	for _, n := range names {
		if x, ok := v["f_"+n]; ok {
			out["f_"+n] = x
		}
	}
	return out
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = x
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// redirected checks that res is a 303 to a path starting with prefix and
// returns the location.
func redirected(t *testing.T, res response, prefix string) string {
	t.Helper()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("%s %s: %d to %q, want a redirect to %s…\n%.3000s", res.Request.Method, res.Request.URL.RequestURI(),
			res.StatusCode, loc, prefix, res.body)
	}
	return loc
}

var codePattern = regexp.MustCompile(`^/dossiers/([0-9A-Z.]+-\d{6}-\d{4})\?ok=`)

func TestOnlineFilingJourney(t *testing.T) {
	s := newDemoSite(t)
	const proc = "1.004873"

	// The procedure page offers online filing; a visitor is sent to sign in
	// and comes back.
	expect(t, s.browser().get("/procedures/"+proc), 200, `<a class="button" href="/dossiers/new?procedure=1.004873">Nộp hồ sơ trực tuyến</a>`)
	res := s.browser().get("/dossiers/new?procedure=" + proc)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin?next=%2Fdossiers%2Fnew%3Fprocedure%3D1.004873" {
		t.Fatalf("a visitor: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}

	citizen := s.browser().as("congdan.1")
	expect(t, citizen.get("/"), 200, `href="/my/dossiers"`, `href="/lookup"`)
	refuse(t, citizen.get("/"), `href="/inbox"`, `href="/intake"`)
	res = citizen.get("/dossiers/new?procedure=" + proc)
	expect(t, res, 200, "<h1>Nộp hồ sơ trực tuyến</h1>", "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
		`<option value="31615">Xã An Thạnh</option>`)
	if i, j := strings.Index(res.body, ">Phường Khánh Hòa<"), strings.Index(res.body, ">Xã An Thạnh<"); i < 0 || i > j {
		t.Errorf("units out of order: %d %d", i, j)
	}
	expect(t, citizen.post("/dossiers/new", url.Values{"procedure": {proc}}), http.StatusUnprocessableEntity, `id="e-unit"`, "Cần chọn đơn vị.")
	loc := redirected(t, citizen.post("/dossiers/new", url.Values{"procedure": {proc}, "unit": {"31615"}}), "/dossiers/")
	form := strings.TrimSuffix(loc, "?step=1")
	if !regexp.MustCompile(`^/dossiers/[a-z2-7]{16}/form$`).MatchString(form) {
		t.Fatalf("draft at %q", loc)
	}
	ref := strings.Split(form, "/")[2]

	// Step 1: inputs by field type.
	res = citizen.get(form)
	expect(t, res, 200, "<h1>Người yêu cầu</h1>", "Bước 1/3", "Xã An Thạnh",
		`name="f_requester_birth_date" type="date" value="" max="2026-03-02" autocomplete="off" required`,
		`name="f_requester_cccd" type="text" value="" inputmode="numeric" maxlength="12"`,
		`name="f_requester_phone" type="tel"`, `name="f_requester_email" type="email"`,
		`<label for="q-requester_email">Thư điện tử <span class="optional">(không bắt buộc)</span></label>`,
		`<button type="submit" name="go" value="next">Tiếp tục</button>`, `<button type="submit" name="go" value="save" class="secondary">Lưu nháp</button>`)

	// A wrong citizen ID: the message beside the field, the values kept.
	step1 := only(marital(), "requester_full_name", "requester_birth_date", "requester_cccd", "requester_address", "requester_phone")
	res = citizen.post(form+"?step=1", with(step1, "f_requester_cccd", "09419000123", "go", "next"))
	expect(t, res, http.StatusUnprocessableEntity,
		`<p class="field-error" id="qe-requester_cccd">Số CCCD phải có đúng 12 chữ số.</p>`,
		`value="09419000123"`, `aria-invalid="true" aria-describedby="qn-requester_cccd qe-requester_cccd"`,
		`value="Nguyễn Thị Lan"`, `value="1990-03-04"`, `href="/dossiers/`+ref+`/form?step=1&amp;lang=en"`)
	redirected(t, citizen.post(form+"?step=1", with(step1, "go", "next")), form+"?step=2")

	// Step 2, saved with the purpose only; filing now sends the citizen
	// back to the step with the missing status, the purpose kept.
	expect(t, citizen.get(form+"?step=2"), 200, "<h1>Tình trạng hôn nhân</h1>", `<option value="da_ly_hon">Đã ly hôn</option>`,
		"Đính kèm bản chụp hoặc bản quét", `name="file_divorce_or_death_file" type="file" accept="application/pdf,image/jpeg,image/png" multiple`)
	loc = redirected(t, citizen.post(form+"?step=2", with(only(marital(), "purpose"), "go", "save")), form+"?step=2&ok=draft_saved")
	expect(t, citizen.get(loc), 200, "Đã lưu bản nháp.", `value="Đăng ký kết hôn"`)
	res = citizen.post("/dossiers/"+ref+"/submit", nil)
	expect(t, res, http.StatusUnprocessableEntity, "<h1>Tình trạng hôn nhân</h1>", "Tờ khai còn 1 mục chưa đúng",
		`<p class="field-error" id="qe-marital_status">Cần nhập thông tin này.</p>`, `value="Đăng ký kết hôn"`)

	// Resuming on another device: the draft is in "my dossiers".
	phone := s.browser().as("congdan.1")
	res = phone.get("/my/dossiers")
	expect(t, res, 200, "<h1>Hồ sơ của tôi</h1>", "Bản nháp chưa nộp", `<a class="button small" href="`+form+`">Tiếp tục</a>`)
	expect(t, phone.get(form), 200, `value="Nguyễn Thị Lan"`, `value="094190001234"`)
	redirected(t, phone.post(form+"?step=2", with(only(marital(), "marital_status", "purpose"), "go", "next")), form+"?step=3")
	expect(t, phone.get(form+"?step=3"), 200, "<h1>Lệ phí</h1>", `type="checkbox" value="yes"`, "Tiếp tục: kiểm tra lại")
	redirected(t, phone.post(form+"?step=3", url.Values{"go": {"next"}}), "/dossiers/"+ref+"/review")

	// Review: every answer, a link to change each step, the fee, the limit.
	res = phone.get("/dossiers/" + ref + "/review")
	expect(t, res, 200, "Kiểm tra lại trước khi nộp", "<dd>Nguyễn Thị Lan</dd>", "<dd>04/03/1990</dd>",
		"<dd>Chưa đăng ký kết hôn với ai</dd>", "<dd>Không</dd>", `href="/dossiers/`+ref+`/form?step=2">Sửa`,
		"8.000 đ", "3 ngày làm việc", "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ", `action="/dossiers/`+ref+`/submit"`)
	refuse(t, res, "field-error")

	// Filing: the confirmation page with the code and what happens next.
	loc = redirected(t, phone.post("/dossiers/"+ref+"/submit", nil), "/dossiers/")
	m := codePattern.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("confirmation at %q", loc)
	}
	code := m[1]
	if !strings.HasSuffix(code, "-260302-0001") {
		t.Errorf("code %q", code)
	}
	res = phone.get(loc)
	expect(t, res, 200, "Đã nộp hồ sơ.", `<p class="dossier-code">Mã hồ sơ: <strong>`+code+`</strong></p>`, "Tiếp theo",
		"Bộ phận một cửa của Xã An Thạnh kiểm tra", "Mới đăng ký", "(mã trạng thái 1)", "3 ngày làm việc, tính từ khi hồ sơ được tiếp nhận",
		"Bộ phận một cửa", `href="/dossiers/`+code+`/withdraw"`)
	// The draft's pages now lead to the dossier.
	redirected(t, phone.get(form), "/dossiers/"+code)
	expect(t, phone.get("/my/dossiers"), 200, code, "Mới đăng ký")

	// The desk sees it in its inbox and receives it.
	desk := s.browser().as("motcua.31615")
	expect(t, desk.get("/"), 200, `href="/inbox"`, `href="/intake"`)
	res = desk.get("/procedures/" + proc)
	expect(t, res, 200, `<a class="button secondary" href="/intake?procedure=1.004873">Tiếp nhận tại quầy</a>`)
	refuse(t, res, "/dossiers/new?procedure=")
	refuse(t, desk.get("/"), `href="/my/dossiers"`)
	expect(t, desk.get("/inbox"), 200, "<h1>Hồ sơ cần xử lý</h1>", `<a href="/dossiers/`+code+`">`+code+`</a>`,
		"Thủ tục cấp Giấy xác nhận tình trạng hôn nhân", "Nguyễn Thị Lan", "Mới đăng ký")
	res = desk.get("/dossiers/" + code)
	expect(t, res, 200, `action="/dossiers/`+code+`/act/receive"`, `action="/dossiers/`+code+`/act/request-documents"`,
		`action="/dossiers/`+code+`/act/refuse"`, "<dd>094190001234</dd>", "<dd>0912345678</dd>", "Đăng ký kết hôn")
	refuse(t, res, "/act/approve", "/act/finish", "/act/withdraw")
	loc = redirected(t, desk.post("/dossiers/"+code+"/act/receive", nil), "/dossiers/"+code+"?ok=receive")
	expect(t, desk.get(loc), 200, "Đã tiếp nhận hồ sơ.", "Được tiếp nhận", "<dd>05/03/2026</dd>", "Trong hạn")

	// Receiving twice: the domain's reason, with status 409.
	res = desk.post("/dossiers/"+code+"/act/receive", nil)
	expect(t, res, http.StatusConflict, "Hồ sơ đang ở trạng thái &#34;Được tiếp nhận&#34; nên không thể thực hiện việc &#34;tiếp nhận&#34;.")

	// A request for documents marks what is missing: every field of the
	// form may be ticked, with a note; other documents one a line.
	res = desk.get("/dossiers/" + code)
	expect(t, res, 200, `<input type="checkbox" id="a-request-documents-items-marital_status" name="item" value="marital_status">`,
		`name="item_note_divorce_or_death_file"`, `name="item_other"`)
	refuse(t, res, "lần yêu cầu bổ sung thứ")
	res = desk.post("/dossiers/"+code+"/act/request-documents", url.Values{"note": {"Bổ sung"}, "item_note_purpose": {"x"}})
	expect(t, res, http.StatusUnprocessableEntity,
		`<p class="field-error" id="e-a-request-documents-items">Cần liệt kê đầy đủ một lần các giấy tờ, nội dung cần bổ sung.</p>`,
		`name="item_note_purpose" type="text" value="x"`)
	redirected(t, desk.post("/dossiers/"+code+"/act/request-documents", url.Values{"note": {"Bổ sung một lần các mục sau."},
		"item": {"marital_status", "divorce_or_death_file"}, "item_note_marital_status": {"Ghi lại tình trạng hôn nhân."},
		"item_note_divorce_or_death_file": {"Thiếu bản sao giấy tờ ly hôn."}, "item_note_purpose": {"ignored: not ticked"}}),
		"/dossiers/"+code+"?ok=request-documents")

	// Online, only the citizen answers it.
	refuse(t, desk.get("/dossiers/"+code), "/act/supply-documents", "/act/withdraw")

	// The citizen sees the marked items only, with the desk's notes: a
	// wrong value is refused beside it, then the answer is accepted. The
	// other fields stay as received, whatever is posted.
	res = citizen.get("/dossiers/" + code)
	expect(t, res, 200, "Yêu cầu bổ sung giấy tờ", "Bổ sung một lần các mục sau.", "Yêu cầu: Ghi lại tình trạng hôn nhân.",
		"Yêu cầu: Thiếu bản sao giấy tờ ly hôn.", `action="/dossiers/`+code+`/act/supply-documents"`,
		`<option value="chua_ket_hon" selected>`, `name="file_divorce_or_death_file" type="file"`, "<dd>Bạn</dd>")
	refuse(t, res, `name="f_requester_full_name"`, `name="f_purpose"`, `id="f-attachments"`, "ignored: not ticked")
	supply := url.Values{"f_marital_status": {"da_ly_hon"}, "f_divorce_or_death_file": {"Bản án ly hôn số 15/2020/HNGĐ-ST"}}
	res = citizen.post("/dossiers/"+code+"/act/supply-documents", with(supply, "f_marital_status", "gay"))
	expect(t, res, http.StatusUnprocessableEntity, `id="qe-marital_status"`, `value="Bản án ly hôn số 15/2020/HNGĐ-ST"`)
	// Without the document asked for, the answer is incomplete.
	expect(t, citizen.post("/dossiers/"+code+"/act/supply-documents", supply), http.StatusUnprocessableEntity,
		"Chưa đính kèm giấy tờ bổ sung cho mục")
	loc = redirected(t, citizen.postFiles("/dossiers/"+code+"/act/supply-documents", with(supply, "f_requester_full_name", "Người Khác"),
		upfile{"file_divorce_or_death_file", "ban-an.pdf", pdfFile}),
		"/dossiers/"+code+"?ok=supply-documents")
	res = citizen.get(loc)
	expect(t, res, 200, "Đã gửi hồ sơ bổ sung", "Được tiếp nhận", "Đã ly hôn", "Bản án ly hôn số 15/2020/HNGĐ-ST", "<dd>Nguyễn Thị Lan</dd>")
	refuse(t, res, "Người Khác")

	// The desk hands it to the commune's specialist, chosen from a list;
	// asking again would make the dossier late, and the form says so.
	res = desk.get("/dossiers/" + code)
	expect(t, res, 200, `<option value="chuyenvien.31615">Nguyễn Văn Phúc (chuyenvien.31615)</option>`,
		"Đây sẽ là lần yêu cầu bổ sung thứ 2")
	refuse(t, res, "motcua.31507", "Lâm Thị Hồng (")
	expect(t, desk.post("/dossiers/"+code+"/act/assign", url.Values{"assignee": {"lanhdao.31615"}}), http.StatusUnprocessableEntity,
		`id="e-a-assign-assignee"`, "Người được giao phải là chuyên viên của đơn vị giải quyết hồ sơ.")
	redirected(t, desk.post("/dossiers/"+code+"/act/assign", url.Values{"assignee": {"chuyenvien.31615"}}), "/dossiers/"+code+"?ok=assign")
	expect(t, citizen.get("/my/dossiers"), 200, "Người đang xử lý: Nguyễn Văn Phúc", "Hạn trả kết quả: 05/03/2026", "Đang xử lý")

	// The leader approves; the specialist finishes.
	specialist := s.browser().as("chuyenvien.31615")
	expect(t, specialist.get("/inbox"), 200, code)
	res = specialist.get("/dossiers/" + code)
	expect(t, res, 200, `/act/apologise"`)
	refuse(t, res, "/act/approve", "/act/finish", "/act/receive")
	leader := s.browser().as("lanhdao.31615")
	expect(t, leader.get("/inbox"), 200, code)
	redirected(t, leader.post("/dossiers/"+code+"/act/approve", nil), "/dossiers/"+code+"?ok=approve")
	refuse(t, leader.get("/dossiers/"+code), "/act/approve")
	// The procedure returns an electronic result: its PDF is required.
	res = specialist.get("/dossiers/" + code)
	expect(t, res, 200, `action="/dossiers/`+code+`/act/finish" enctype="multipart/form-data"`,
		`<input id="a-finish-result_file" name="result_file" type="file" accept="application/pdf" multiple required`)
	expect(t, specialist.postFiles("/dossiers/"+code+"/act/finish", url.Values{"result": {"Giấy xác nhận số 12/2026"}}),
		http.StatusUnprocessableEntity, `id="e-a-finish-result_file"`, "cần đính kèm tệp PDF của Giấy xác nhận tình trạng hôn nhân",
		`value="Giấy xác nhận số 12/2026"`)
	expect(t, specialist.postFiles("/dossiers/"+code+"/act/finish", nil, upfile{"result_file", "kq.png", pngFile}),
		http.StatusUnprocessableEntity, `id="e-a-finish-result_file"`, "Kết quả điện tử phải là tệp PDF.")
	redirected(t, specialist.postFiles("/dossiers/"+code+"/act/finish", url.Values{"result": {"Giấy xác nhận số 12/2026"}},
		upfile{"result_file", "Giấy xác nhận.pdf", pdfFile}), "/dossiers/"+code+"?ok=finish")
	// Finishing twice: the state machine's reason, and no second result.
	expect(t, specialist.postFiles("/dossiers/"+code+"/act/finish", nil, upfile{"result_file", "kq2.pdf", pdfFile}),
		http.StatusConflict, "Hồ sơ đang ở trạng thái &#34;Đã xử lý xong&#34; nên không thể thực hiện việc &#34;hoàn thành xử lý&#34;.")
	// Resolved, the electronic result is the citizen's at once.
	result := "/dossiers/" + code + "/results/" + code + "-KQ1"
	expect(t, citizen.get("/dossiers/"+code), 200, "Kết quả giải quyết điện tử", `<a href="`+result+`" download>Tải kết quả `+code+`-KQ1</a>`)
	expect(t, citizen.get("/my/dossiers"), 200, `<a class="button small" href="`+result+`" download>`)
	downloaded(t, citizen.get(result), "application/pdf",
		`attachment; filename="Giay xac nhan.pdf"; filename*=UTF-8''Gi%E1%BA%A5y%20x%C3%A1c%20nh%E1%BA%ADn.pdf`, pdfFile)
	expect(t, s.browser().as("congdan.2").get(result), http.StatusNotFound)
	refuse(t, citizen.get("/dossiers/"+code), "-KQ2")

	// The desk returns the result; the citizen rates the service.
	expect(t, desk.get("/inbox"), 200, code, "Đã xử lý xong")
	redirected(t, desk.post("/dossiers/"+code+"/act/return-result", nil), "/dossiers/"+code+"?ok=return-result")
	res = citizen.get("/dossiers/" + code)
	expect(t, res, 200, "Đã trả kết quả", "Giấy xác nhận số 12/2026", "Trước hạn", `action="/dossiers/`+code+`/act/rate"`,
		`name="rating" value="1"`, `name="rating" value="-1"`)
	refuse(t, res, "/withdraw")
	expect(t, citizen.post("/dossiers/"+code+"/act/rate", url.Values{"note": {"Nhanh"}}), http.StatusUnprocessableEntity,
		`id="e-a-rate-rating"`, "Đánh giá là hài lòng hoặc không hài lòng.", ">Nhanh</textarea>")
	loc = redirected(t, citizen.post("/dossiers/"+code+"/act/rate", url.Values{"rating": {"1"}, "note": {"Nhanh, chu đáo"}}),
		"/dossiers/"+code+"?ok=rate")
	res = citizen.get(loc)
	expect(t, res, 200, "Cảm ơn bạn đã đánh giá.", "Hài lòng — Nhanh, chu đáo", "Quá trình xử lý",
		`<td class="cap">yêu cầu bổ sung</td>`, `<td class="cap">chuyển xử lý</td>`, `<td class="cap">phê duyệt</td>`,
		`<td class="cap">trả kết quả</td><td>motcua.31615</td>`)
	refuse(t, res, `/act/rate"`)

	// Anyone with the code and the phone number learns the status, the due
	// date, and nothing else; any mismatch is the same "not found".
	visitor := s.browser()
	expect(t, visitor.get("/lookup"), 200, "<h1>Tra cứu hồ sơ</h1>", `href="/lookup" aria-current="page"`)
	res = visitor.post("/lookup", url.Values{"code": {code}, "phone": {"0912 345 678"}})
	expect(t, res, 200, "<strong>"+code+"</strong>", "Đã trả kết quả", "<dd>05/03/2026</dd>")
	refuse(t, res, "Nguyễn Thị Lan", "Xác nhận", "Nhanh", "0912345678")
	for _, c := range [][2]string{{code, "0987654321"}, {code, ""}, {strings.Replace(code, "-0001", "-0099", 1), "0912345678"}, {ref, "0912345678"}} {
		res := visitor.post("/lookup", url.Values{"code": {c[0]}, "phone": {c[1]}})
		expect(t, res, http.StatusNotFound, "Không tìm thấy hồ sơ với mã và số điện thoại này.")
		refuse(t, res, "Đã trả kết quả")
	}

	// Another commune's desk learns nothing of it.
	other := s.browser().as("motcua.31507")
	expect(t, other.get("/dossiers/"+code), http.StatusNotFound, "Không tìm thấy hồ sơ.")
	expect(t, other.post("/dossiers/"+code+"/act/stop", url.Values{"note": {"x"}}), http.StatusNotFound, "Không tìm thấy hồ sơ.")
	refuse(t, other.get("/inbox"), code)
	expect(t, s.browser().as("congdan.2").get("/dossiers/"+code), http.StatusNotFound)

	// Officers' reads of the dossier are in the audit log.
	admin := s.browser().as("admin")
	expect(t, admin.get("/admin/audit?action=dossier.read"), 200, "motcua.31615", code)
}

// fileOnline files a complete dossier of 1.004873 at 31615 for a citizen
// through the domain, and returns its code.
func (s *site) fileOnline(username string) string {
	s.t.Helper()
	ctx := context.Background()
	a := s.actor(username)
	fields := map[string]string{}
	for k, v := range marital() {
		fields[strings.TrimPrefix(k, "f_")] = v[0]
	}
	d, err := s.app.Dossiers.CreateDraft(ctx, a, dossier.NewDossier{ProcedureCode: "1.004873", UnitCode: "31615", Fields: fields})
	if err == nil {
		d, err = s.app.Dossiers.Submit(ctx, a, d.Ref)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return d.Code
}

func TestCounterIntake(t *testing.T) {
	s := newDemoSite(t)
	desk := s.browser().as("motcua.31615")
	res := desk.get("/intake")
	expect(t, res, 200, "<h1>Tiếp nhận tại quầy</h1>", `<optgroup label="Hộ tịch">`,
		`<option value="1.004873">1.004873 · Thủ tục cấp Giấy xác nhận tình trạng hôn nhân</option>`, `href="/intake" aria-current="page"`)
	res = desk.get("/intake?procedure=1.004873")
	expect(t, res, 200, `<input type="hidden" name="procedure" value="1.004873">`, `<option value="31615" selected>Xã An Thạnh</option>`,
		`name="channel" value="direct" checked> Trực tiếp`, `name="channel" value="postal"> Bưu chính công ích`,
		`name="applicant_name"`, `name="f_requester_cccd"`, "<legend>Tình trạng hôn nhân</legend>")
	refuse(t, res, `value="31507"`, `value="online"`)

	form := with(marital(), "procedure", "1.004873", "unit", "31615", "channel", "postal",
		"applicant_name", "Sơn Văn Đức", "applicant_cccd", "094085004321", "applicant_phone", "0987 654 321")
	res = desk.post("/intake", with(form, "applicant_phone", "12345"))
	expect(t, res, http.StatusUnprocessableEntity, `<p class="field-error" id="e-applicant_phone">`, `value="Sơn Văn Đức"`,
		`name="channel" value="postal" checked>`)
	res = desk.post("/intake", with(form, "f_purpose", ""))
	expect(t, res, http.StatusUnprocessableEntity, `<p class="field-error" id="qe-purpose">Cần nhập thông tin này.</p>`,
		"Tờ khai còn 1 mục chưa đúng", `value="094190001234"`)
	res = desk.post("/intake", with(form, "applicant_cccd", "123"))
	expect(t, res, http.StatusUnprocessableEntity, `id="e-applicant_cccd"`, "Số CCCD phải có đúng 12 chữ số.")
	loc := redirected(t, desk.post("/intake", form), "/dossiers/")
	if !codePattern.MatchString(loc) || !strings.HasSuffix(loc, "?ok=intake") {
		t.Fatalf("after intake: %q", loc)
	}
	code := codePattern.FindStringSubmatch(loc)[1]
	expect(t, desk.get(loc), 200, "Đã tiếp nhận hồ sơ.", "<strong>"+code+"</strong>", "Được tiếp nhận", "Bưu chính công ích",
		"<dd>05/03/2026</dd>", "<dd>Sơn Văn Đức</dd>", "Tiếp nhận tại quầy")
	// The walk-in applicant looks it up with the phone number given.
	expect(t, s.browser().post("/lookup", url.Values{"code": {code}, "phone": {"0987654321"}}), 200, "Được tiếp nhận")
	// Without an account, the applicant answers a request for documents at
	// the counter: the desk enters the corrections, and withdraws for them.
	redirected(t, desk.post("/dossiers/"+code+"/act/request-documents", url.Values{"item": {"purpose"},
		"item_note_purpose": {"Ghi rõ mục đích"}}), "/dossiers/")
	res = desk.get("/dossiers/" + code)
	expect(t, res, 200, "Ghi rõ mục đích", `action="/dossiers/`+code+`/act/supply-documents"`, `value="Đăng ký kết hôn"`,
		`action="/dossiers/`+code+`/act/withdraw"`)
	redirected(t, desk.post("/dossiers/"+code+"/act/supply-documents", with(marital(), "f_purpose", "Đăng ký kết hôn với ông Trần Văn Bình")),
		"/dossiers/"+code+"?ok=supply-documents")
	expect(t, desk.get("/dossiers/"+code), 200, "Được tiếp nhận", "Đăng ký kết hôn với ông Trần Văn Bình")
	redirected(t, desk.post("/dossiers/"+code+"/act/withdraw", url.Values{"note": {"Người nộp đề nghị rút"}}), "/dossiers/"+code+"?ok=withdraw")
	expect(t, desk.get("/dossiers/"+code), 200, "Công dân yêu cầu rút hồ sơ", "Người nộp đề nghị rút")
	// Another commune's desk cannot intake for this one.
	other := s.browser().as("motcua.31507")
	res = other.get("/intake?procedure=1.004873")
	expect(t, res, 200, `value="31507"`)
	refuse(t, res, `value="31615"`)
	expect(t, other.post("/intake", form), http.StatusForbidden, "Bạn không có quyền thực hiện việc này.")
	// Citizens and visitors have no counter.
	expect(t, s.browser().as("congdan.1").get("/intake"), http.StatusForbidden)
	redirected(t, s.browser().get("/intake"), "/signin?next=")
}

func TestWithdrawAndApology(t *testing.T) {
	s := newDemoSite(t)
	code := s.fileOnline("congdan.1")
	citizen := s.browser().as("congdan.1")
	res := citizen.get("/dossiers/" + code + "/withdraw")
	expect(t, res, 200, "<h1>Rút hồ sơ</h1>", code, `action="/dossiers/`+code+`/act/withdraw"`, `href="/dossiers/`+code+`">Không rút, quay lại</a>`)
	loc := redirected(t, citizen.post("/dossiers/"+code+"/act/withdraw", url.Values{"note": {"Nộp nhầm"}}), "/dossiers/"+code+"?ok=withdraw")
	res = citizen.get(loc)
	expect(t, res, 200, "Đã rút hồ sơ.", "Công dân yêu cầu rút hồ sơ", "Nộp nhầm")
	refuse(t, res, "/withdraw\"")
	expect(t, citizen.get("/dossiers/"+code+"/withdraw"), http.StatusConflict, "không thể thực hiện việc &#34;rút hồ sơ&#34;")
	expect(t, s.browser().as("congdan.2").get("/dossiers/"+code+"/withdraw"), http.StatusNotFound)

	// An apology: a new date after the due one, with a reason, once.
	code = s.fileOnline("congdan.2")
	desk := s.browser().as("motcua.31615")
	redirected(t, desk.post("/dossiers/"+code+"/act/receive", nil), "/dossiers/")
	redirected(t, desk.post("/dossiers/"+code+"/act/assign", url.Values{"assignee": {"chuyenvien.31615"}}), "/dossiers/")
	specialist := s.browser().as("chuyenvien.31615")
	res = specialist.get("/dossiers/" + code)
	expect(t, res, 200, `name="new_date" type="date" value="" min="2026-03-06" required`)
	expect(t, specialist.post("/dossiers/"+code+"/act/apologise", url.Values{"note": {"Cần xác minh"}}), http.StatusUnprocessableEntity,
		`<p class="field-error" id="e-a-apologise-new_date">Cần nhập thông tin này.</p>`, ">Cần xác minh</textarea>")
	expect(t, specialist.post("/dossiers/"+code+"/act/apologise", url.Values{"new_date": {"2026-03-05"}, "note": {"x"}}),
		http.StatusUnprocessableEntity, "Ngày hẹn mới phải sau ngày hẹn hiện tại.")
	loc = redirected(t, specialist.post("/dossiers/"+code+"/act/apologise", url.Values{"new_date": {"2026-03-10"}, "note": {"Cần xác minh"}}),
		"/dossiers/"+code+"?ok=apologise")
	res = specialist.get(loc)
	expect(t, res, 200, "<dd>10/03/2026 <span class=\"muted\">(hạn ban đầu 05/03/2026)</span></dd>", "Hạn trả kết quả: 10/03/2026")
	refuse(t, res, "/act/apologise\"")

	// The leader stops another dossier, with a reason; the inbox marks
	// what is overdue.
	code2 := s.fileOnline("congdan.1")
	redirected(t, desk.post("/dossiers/"+code2+"/act/receive", nil), "/dossiers/")
	s.advance(4 * 24 * time.Hour) // Friday 6 March: a day late
	desk = s.browser().as("motcua.31615")
	expect(t, desk.get("/dossiers/"+code2), 200, `<span class="badge tl-overdue">Quá hạn</span>`)
	expect(t, desk.get("/dossiers"), 200, `<tr class="overdue">`)
	leader := s.browser().as("lanhdao.31615")
	expect(t, leader.post("/dossiers/"+code2+"/act/stop", nil), http.StatusUnprocessableEntity, `id="e-a-stop-note"`, "Cần ghi rõ lý do.")
	redirected(t, leader.post("/dossiers/"+code2+"/act/stop", url.Values{"note": {"Người yêu cầu không bổ sung"}}), "/dossiers/")
	expect(t, desk.get("/dossiers/"+code2), 200, "Dừng xử lý", "Trễ hạn")
}

func TestDossierListsAndNavigation(t *testing.T) {
	s := newDemoSite(t)
	a := s.fileOnline("congdan.1")
	b := s.fileOnline("congdan.2")
	desk := s.browser().as("motcua.31615")
	redirected(t, desk.post("/dossiers/"+a+"/act/receive", nil), "/dossiers/")

	res := desk.get("/dossiers")
	expect(t, res, 200, "<h1>Danh sách hồ sơ</h1>", a, b)
	res = desk.get("/dossiers?status=received")
	expect(t, res, 200, a, `<option value="received" selected>`)
	refuse(t, res, b)
	expect(t, desk.get("/dossiers?unit=31615&from=2026-03-02&to=2026-03-02"), 200, a, b)
	refuse(t, desk.get("/dossiers?from=2026-03-03"), a)
	expect(t, desk.get("/dossiers?from=2026-02-30"), http.StatusBadRequest, `id="e-from"`, "Ngày &#34;2026-02-30&#34; không hợp lệ")
	expect(t, desk.get("/dossiers?unit=99999"), http.StatusBadRequest, `id="e-unit"`, "Không có đơn vị mã 99999 vào ngày 2026-03-02.")
	expect(t, desk.get("/dossiers?status=nonsense"), http.StatusBadRequest, `id="e-status"`)
	expect(t, desk.get("/dossiers?page=x"), http.StatusBadRequest)
	// The inbox: what waits for the desk (b to receive), not what it passed on.
	res = desk.get("/inbox")
	expect(t, res, 200, b)
	refuse(t, res, a+"<")

	// A reporter has no dossiers; a citizen is sent to their own.
	reporter := s.browser().as("thongke.31615")
	refuse(t, reporter.get("/"), `href="/inbox"`, `href="/intake"`)
	expect(t, reporter.get("/dossiers"), http.StatusForbidden)
	expect(t, reporter.get("/inbox"), 200, "Không có hồ sơ nào đang chờ bạn.")
	citizen := s.browser().as("congdan.2")
	redirected(t, citizen.get("/inbox"), "/my/dossiers")
	redirected(t, citizen.get("/dossiers"), "/my/dossiers")
	res = citizen.get("/my/dossiers")
	expect(t, res, 200, b, "Mới đăng ký", "Người đang xử lý: Bộ phận một cửa")
	refuse(t, res, a)
	// Officers file at the counter, not online.
	expect(t, desk.get("/dossiers/new?procedure=1.004873"), http.StatusForbidden,
		"Chỉ công dân, tổ chức nộp hồ sơ trực tuyến", `href="/intake"`)
	// A procedure without online filing has no button, and no online form.
	expect(t, citizen.get("/dossiers/new?procedure=9.999999"), http.StatusNotFound)
	// A visitor's dossier pages ask to sign in.
	redirected(t, s.browser().get("/dossiers/"+a), "/signin?next=")
	redirected(t, s.browser().get("/my/dossiers"), "/signin?next=")
	redirected(t, s.browser().post("/dossiers/"+a+"/act/receive", nil), "/signin?next=%2Fdossiers%2F")
}

func TestOnlineFormInEnglish(t *testing.T) {
	s := newDemoSite(t)
	b := s.browser().as("congdan.1")
	b.get("/?lang=en")
	loc := redirected(t, b.post("/dossiers/new", url.Values{"procedure": {"1.004873"}, "unit": {"31615"}}), "/dossiers/")
	res := b.get(loc)
	expect(t, res, 200, `<html lang="en">`, "<h1>Applicant</h1>", "Step 1 of 3", "Full name of the applicant", "Save draft", "Continue")
	res = b.get(strings.TrimSuffix(loc, "?step=1") + "?step=2")
	expect(t, res, 200, "<h1>Marital status</h1>", ">Divorced<", "Attach a clear photo or scan")
}

// The keys the dossier pages build from a value are in both catalogues.
func TestDossierKeys(t *testing.T) {
	var keys []string
	for _, st := range dossier.Statuses {
		keys = append(keys, "dossier.status."+string(st))
	}
	for _, a := range dossier.Actions {
		keys = append(keys, "dossier.action."+string(a))
	}
	keys = append(keys, "dossier.action.create_draft", "dossier.action.save_draft", "dossier.action.submit", "dossier.action.intake")
	for _, a := range []dossier.Action{dossier.ActReceive, dossier.ActRefuse, dossier.ActRequestDocuments, dossier.ActAssign,
		dossier.ActApprove, dossier.ActFinish, dossier.ActReturnResult, dossier.ActApologise, dossier.ActStop, dossier.ActRate} {
		keys = append(keys, "dossier.do."+string(a), "dossier.intro."+string(a))
	}
	for _, tl := range []dossier.Timeliness{dossier.Early, dossier.OnTime, dossier.Late, dossier.NotDue, dossier.Overdue} {
		keys = append(keys, "dossier.timeliness."+string(tl))
	}
	for _, c := range []dossier.Channel{dossier.ChannelDirect, dossier.ChannelOnline, dossier.ChannelPostal} {
		keys = append(keys, "dossier.channel."+string(c))
	}
	// The domain's messages these pages show.
	keys = append(keys, "dossier.not_allowed", "dossier.not_found", "dossier.lookup_failed", "dossier.citizens_only",
		"dossier.not_online", "dossier.assignee_invalid", "dossier.reason_required", "dossier.missing_list_required",
		"dossier.supplement_too_late", "dossier.not_approved", "dossier.apology_once", "dossier.apology_too_late",
		"dossier.new_date_invalid", "dossier.rating_invalid", "dossier.no_agency", "dossier.wrong_level",
		"dossier.changed_meanwhile", "dossier.channel_invalid", "dossier.channel_not_offered", "dossier.status_invalid",
		"form.invalid", "form.required", "form.too_long", "form.not_number", "form.number_range", "form.bad_date",
		"form.future_date", "form.bad_option", "form.unknown_field")
	for _, k := range keys {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("%s: %s missing", lang, k)
			}
		}
	}
}

// The receipt (Mẫu 01) is a PDF for the applicant and the unit's officers,
// once the dossier is received.
func TestReceiptPDF(t *testing.T) {
	s := newDemoSite(t)
	code := s.fileOnline("congdan.1")
	citizen := s.browser().as("congdan.1")
	expect(t, citizen.get("/dossiers/"+code+"/receipt.pdf"), http.StatusConflict, "chưa có giấy hẹn")
	desk := s.browser().as("motcua.31615")
	res := desk.post("/dossiers/"+code+"/act/receive", url.Values{})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("receive: %d", res.StatusCode)
	}
	expect(t, citizen.get("/dossiers/"+code), 200, `href="/dossiers/`+code+`/receipt.pdf"`)
	for _, b := range []*browser{citizen, desk} {
		res := b.get("/dossiers/" + code + "/receipt.pdf")
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.body, "%PDF") {
			t.Fatalf("receipt: %d %s %.20q", res.StatusCode, res.Header.Get("Content-Type"), res.body)
		}
	}
	expect(t, s.browser().as("motcua.31507").get("/dossiers/"+code+"/receipt.pdf"), http.StatusNotFound)
}
