package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"egov/internal/dossier"
	"egov/internal/i18n"
	"egov/internal/identity"
)

// catalogue is a small procedure catalogue in the exchange format: birth
// registration (fully online, a form in steps with English labels), a
// certified copy (a fee per page with a cap), a certificate of marital
// status (a fee set by the province, working days) and a building permit
// resolved by the province (not online).
const catalogue = `{"procedures": [
{"code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch", "level": 3,
 "steps": ["Nộp tờ khai và giấy chứng sinh", "Công chức tư pháp - hộ tịch kiểm tra", "Trả Giấy khai sinh"],
 "channels": ["direct", "online", "postal"],
 "documents": [{"name": "Tờ khai đăng ký khai sinh", "copies": 1, "kind": "original", "required": true},
   {"name": "Giấy chứng sinh", "copies": 1, "kind": "original", "required": true, "note": "Không có thì văn bản của người làm chứng"},
   {"name": "Văn bản ủy quyền", "copies": 1, "kind": "certified_copy", "required": false}],
 "time_limit": {"kind": "same_day"},
 "applicants": "Cha, mẹ hoặc người thân thích của trẻ", "agency": "Ủy ban nhân dân cấp xã",
 "online_mode": "full",
 "fee": {"kind": "free", "exemptions": [{"field": "on_time", "label": "Đăng ký đúng hạn"}]},
 "result": {"name": "Giấy khai sinh", "electronic": true, "paper": true},
 "legal_basis": ["Luật Hộ tịch 60/2014/QH13"],
 "form": {"fields": [
   {"name": "child_name", "label": "Họ, chữ đệm, tên của trẻ", "label_en": "Child's full name", "type": "text", "required": true},
   {"name": "birth_date", "label": "Ngày sinh", "label_en": "Date of birth", "type": "date", "required": true, "not_future": true},
   {"name": "sex", "label": "Giới tính", "label_en": "Sex", "type": "select", "required": true,
    "options": [{"value": "nam", "label": "Nam", "label_en": "Male"}, {"value": "nu", "label": "Nữ", "label_en": "Female"}]},
   {"name": "parent_cccd", "label": "Số CCCD của người đi đăng ký", "type": "cccd", "required": true},
   {"name": "phone", "label": "Số điện thoại", "label_en": "Phone", "type": "phone", "required": true},
   {"name": "on_time", "label": "Đăng ký trong 60 ngày kể từ ngày sinh", "label_en": "Registered within 60 days of the birth", "type": "checkbox", "required": false}],
  "steps": [{"title": "Thông tin của trẻ", "title_en": "The child", "fields": ["child_name", "birth_date", "sex"]},
   {"title": "Người đi đăng ký", "title_en": "The applicant", "fields": ["parent_cccd", "phone", "on_time"]}]},
 "confidence": "confirmed", "source": "Luật Hộ tịch Điều 16"},
{"code": "2.000815", "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "field": "Chứng thực", "level": 3,
 "steps": ["Nộp bản chính và bản sao", "Đối chiếu, chứng thực", "Trả kết quả"],
 "channels": ["direct"],
 "documents": [{"name": "Bản chính giấy tờ, văn bản làm cơ sở chứng thực", "copies": 1, "kind": "original", "required": true}],
 "time_limit": {"kind": "same_day", "text": "Ngay trong ngày tiếp nhận yêu cầu"},
 "applicants": "Cá nhân, tổ chức", "agency": "Ủy ban nhân dân cấp xã",
 "online_mode": "partial", "online_reason": "Phải xuất trình bản chính để đối chiếu.",
 "fee": {"kind": "per_page", "page_field": "pages", "copies_field": "copies", "first_pages": 2, "first_rate": 2000, "rate": 1000, "cap": 200000,
   "exemptions": [{"field": "poor_household", "label": "Hộ nghèo"}]},
 "result": {"name": "Bản sao được chứng thực", "electronic": false, "paper": true},
 "legal_basis": ["Nghị định 23/2015/NĐ-CP", "Thông tư 226/2016/TT-BTC"],
 "form": {"fields": [
   {"name": "pages", "label": "Số trang", "type": "number", "required": true, "min": 1, "max": 1000},
   {"name": "copies", "label": "Số bản", "type": "number", "required": true, "min": 1, "max": 50},
   {"name": "poor_household", "label": "Thuộc hộ nghèo", "label_en": "Poor household", "type": "checkbox", "required": false}]},
 "confidence": "secondary", "source": "TT 226/2016/TT-BTC Điều 4"},
{"code": "1.004873", "name": "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân", "field": "Hộ tịch", "level": 3,
 "steps": ["Nộp tờ khai", "Xác minh", "Trả kết quả"],
 "channels": ["direct", "online"],
 "documents": [{"name": "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", "copies": 1, "kind": "original", "required": true}],
 "time_limit": {"kind": "working_days", "days": 3, "text": "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ"},
 "applicants": "Công dân Việt Nam", "agency": "Ủy ban nhân dân cấp xã",
 "online_mode": "partial", "online_reason": "Cần đối chiếu giấy tờ bản chính.",
 "fee": {"kind": "fixed", "amount": 10000, "set_by_province": true},
 "result": {"name": "Giấy xác nhận tình trạng hôn nhân", "electronic": false, "paper": true},
 "legal_basis": [],
 "form": {"fields": [{"name": "full_name", "label": "Họ và tên", "type": "text", "required": true}]}},
{"code": "1.009972", "name": "Cấp giấy phép xây dựng công trình cấp đặc biệt", "field": "Xây dựng", "level": 1,
 "steps": ["Nộp hồ sơ", "Thẩm định", "Cấp giấy phép"],
 "channels": ["direct", "postal"],
 "documents": [{"name": "Bản vẽ thiết kế", "copies": 2, "kind": "copy", "required": true}],
 "time_limit": {"kind": "working_days", "days": 20},
 "applicants": "Chủ đầu tư", "agency": "Sở Xây dựng",
 "online_mode": "none", "online_reason": "Cần khảo sát thực địa.",
 "fee": {"kind": "fixed", "amount": 150000},
 "result": {"name": "Giấy phép xây dựng", "electronic": false, "paper": true},
 "legal_basis": ["Luật Xây dựng 2014"],
 "form": {"fields": [{"name": "owner", "label": "Chủ đầu tư", "type": "text", "required": true}]}}
]}`

// seedProcedures imports the test catalogue as the system.
func (s *site) seedProcedures() {
	s.t.Helper()
	ps, err := dossier.ParseCatalogue(strings.NewReader(catalogue))
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.app.Procedures.Import(context.Background(), identity.SystemActor, ps, false); err != nil {
		s.t.Fatal(err)
	}
}

func (s *site) procedureCount() int {
	s.t.Helper()
	ps, err := s.app.Procedures.List(context.Background(), dossier.ProcedureQuery{})
	if err != nil {
		s.t.Fatal(err)
	}
	return len(ps)
}

func TestProcedureSearch(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	expect(t, b.get("/procedures"), 200, "Danh mục thủ tục chưa có dữ liệu.")
	s.seedProcedures()

	// Everything, grouped by field in Vietnamese order, with the facts of
	// each procedure in a few words.
	res := b.get("/procedures")
	expect(t, res, 200, "<h1>Thủ tục hành chính</h1>", `href="/procedures" aria-current="page"`,
		`<a href="/procedures/1.001193">Thủ tục đăng ký khai sinh</a>`,
		"Tìm thấy 4 thủ tục.", "Trong ngày · Miễn phí", "3 ngày làm việc · 10.000 đ", "20 ngày làm việc · 150.000 đ",
		"Theo số trang", `<span class="badge mode-full">Toàn trình</span>`, `<span class="badge mode-none">Không trực tuyến</span>`,
		`<option value="Chứng thực">Chứng thực</option>`, `<option value="1">Cấp tỉnh</option>`, `<option value="partial">Một phần</option>`)
	if i, j, k := strings.Index(res.body, "<h2>Chứng thực"), strings.Index(res.body, "<h2>Hộ tịch"), strings.Index(res.body, "<h2>Xây dựng"); i < 0 || i > j || j > k {
		t.Errorf("fields out of order: %d %d %d", i, j, k)
	}
	refuse(t, res, "Xem tất cả thủ tục")

	// Without accents, in any case.
	for _, q := range []string{"dang+ky+khai+sinh", "DANG+KY+KHAI+SINH", url.QueryEscape("đăng ký khai sinh"), "khai+sinh"} {
		res := b.get("/procedures?q=" + q)
		expect(t, res, 200, "Thủ tục đăng ký khai sinh", "Tìm thấy 1 thủ tục.", "Xem tất cả thủ tục")
		refuse(t, res, "Chứng thực bản sao", "Giấy xác nhận tình trạng hôn nhân")
	}
	expect(t, b.get("/procedures?q=dang+ky+khai+sinh"), 200, `value="dang ky khai sinh"`)
	expect(t, b.get("/procedures?q=ket+hon+dong+gioi"), 200, "Không có thủ tục nào phù hợp.")

	// Filters, alone and together, kept selected in the form.
	res = b.get("/procedures?field=" + url.QueryEscape("Hộ tịch"))
	expect(t, res, 200, "Thủ tục đăng ký khai sinh", "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân", `<option value="Hộ tịch" selected>`)
	refuse(t, res, "Chứng thực bản sao", "Cấp giấy phép xây dựng")
	res = b.get("/procedures?online_mode=partial")
	expect(t, res, 200, "Chứng thực bản sao", "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân", `<option value="partial" selected>`)
	refuse(t, res, "Thủ tục đăng ký khai sinh", "Cấp giấy phép xây dựng")
	res = b.get("/procedures?level=1")
	expect(t, res, 200, "Cấp giấy phép xây dựng", `<option value="1" selected>`)
	refuse(t, res, "Thủ tục đăng ký khai sinh")
	res = b.get("/procedures?q=thu+tuc&field=" + url.QueryEscape("Hộ tịch") + "&online_mode=full&level=3")
	expect(t, res, 200, "Thủ tục đăng ký khai sinh", "Tìm thấy 1 thủ tục.")
	refuse(t, res, "tình trạng hôn nhân")
	// An empty select is no filter.
	expect(t, b.get("/procedures?q=&field=&level=&online_mode="), 200, "Tìm thấy 4 thủ tục.")

	// A tampered filter is the visitor's mistake.
	for _, q := range []string{"level=0", "level=x", "level=10", "online_mode=sometimes"} {
		expect(t, b.get("/procedures?"+q), http.StatusBadRequest, "Bộ lọc không hợp lệ.", `href="/procedures"`)
	}
}

func TestProcedurePage(t *testing.T) {
	s := newSite(t)
	s.seedProcedures()
	b := s.browser()

	// The certified copy: the fee rule in words, the exemption, the
	// documents, the online mode and why, the time limit and what it means
	// today (Monday 2 March 2026, 10:00).
	res := b.get("/procedures/2.000815")
	expect(t, res, 200, "<h1>Chứng thực bản sao từ bản chính giấy tờ, văn bản</h1>",
		"<title>Chứng thực bản sao từ bản chính giấy tờ, văn bản · ",
		`<a href="/procedures?field=Ch%e1%bb%a9ng%20th%e1%bb%b1c">Chứng thực</a>`,
		"<dd>2.000815</dd>", "<dd>Cấp xã</dd>", "<dd>Ủy ban nhân dân cấp xã</dd>", "<dd>Cá nhân, tổ chức</dd>",
		"2.000 đồng/trang cho 2 trang đầu, 1.000 đồng/trang từ trang thứ 3, tối đa 200.000 đồng/bản",
		"Được miễn:", "<li>Hộ nghèo</li>",
		`<span class="badge mode-partial">Một phần</span>`, "Lý do chưa trực tuyến toàn trình: Phải xuất trình bản chính để đối chiếu.",
		"<td>Bản chính giấy tờ, văn bản làm cơ sở chứng thực</td><td>Bản chính</td><td class=\"num\">1</td><td>Có</td>",
		"<li>Trực tiếp tại bộ phận một cửa</li>", "<li>Đối chiếu, chứng thực</li>",
		"Ngay trong ngày tiếp nhận yêu cầu", "hồ sơ nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo",
		"Ví dụ: nộp đủ hồ sơ lúc 10:00 02/03/2026 thì hạn trả kết quả là Thứ Hai, 02/03/2026.",
		"Bản sao được chứng thực (bản giấy)", "<li>Thông tư 226/2016/TT-BTC</li>",
		"Số trang</span> <span class=\"muted\">— số, <strong>bắt buộc</strong>",
		"Thuộc hộ nghèo</span> <span class=\"muted\">— đánh dấu, không bắt buộc",
		"Độ tin cậy của dữ liệu: theo nguồn thứ cấp, cần kiểm tra.", "Nguồn: TT 226/2016/TT-BTC Điều 4.")
	refuse(t, res, "HĐND tỉnh")

	// A fee set by the province, a limit in working days: the due date
	// counts working days from the next day (Thursday 5 March).
	res = b.get("/procedures/1.004873")
	expect(t, res, 200, "10.000 đồng", "Mức thu do HĐND tỉnh quy định",
		"03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ", "3 ngày làm việc, tính từ ngày làm việc kế tiếp",
		"hạn trả kết quả là Thứ Năm, 05/03/2026.")
	refuse(t, res, "Căn cứ pháp lý", "Được miễn:")

	// Birth registration: the form's fields grouped by step, with their
	// types and choices; optional documents.
	res = b.get("/procedures/1.001193")
	expect(t, res, 200, "Không thu phí, lệ phí", "<li>Đăng ký đúng hạn</li>", `<span class="badge mode-full">Toàn trình</span>`,
		"<li>Trực tuyến qua cổng dịch vụ công</li>", "<li>Qua dịch vụ bưu chính công ích</li>",
		"<td>Văn bản ủy quyền</td><td>Bản sao có chứng thực</td><td class=\"num\">1</td><td>Khi cần</td>",
		`Giấy chứng sinh<br><span class="muted">Không có thì văn bản của người làm chứng</span>`,
		"<h3>Thông tin của trẻ</h3>", "<h3>Người đi đăng ký</h3>", "Họ, chữ đệm, tên của trẻ", "— số CCCD, <strong>bắt buộc</strong>",
		"Lựa chọn: Nam, Nữ", "Giấy khai sinh (bản điện tử, bản giấy)", "Độ tin cậy của dữ liệu: đã đối chiếu văn bản.")
	refuse(t, res, "Lý do chưa trực tuyến")
	if i, j := strings.Index(res.body, "<h3>Thông tin của trẻ</h3>"), strings.Index(res.body, "<h3>Người đi đăng ký</h3>"); i > j {
		t.Error("form steps out of order")
	}
	// A form without steps is one page.
	expect(t, b.get("/procedures/1.009972"), 200, "<h3>Thông tin</h3>", "Chủ đầu tư", "150.000 đồng", "<dd>Cấp tỉnh</dd>",
		"<td>Bản vẽ thiết kế</td><td>Bản sao</td><td class=\"num\">2</td>")

	// Unknown codes.
	expect(t, b.get("/procedures/9.999999"), http.StatusNotFound, "Không có thủ tục hành chính mã 9.999999.", `href="/procedures"`)
	expect(t, b.get("/procedures/abc"), http.StatusNotFound, "Không có thủ tục hành chính mã abc.")
	expect(t, b.get("/procedures/1.001193/x"), http.StatusNotFound)
	expect(t, b.post("/procedures/1.001193", nil), http.StatusMethodNotAllowed)
}

func TestProceduresInEnglish(t *testing.T) {
	s := newSite(t)
	s.seedProcedures()
	b := s.browser()
	b.get("/?lang=en")
	res := b.get("/procedures/1.001193")
	expect(t, res, 200, `<html lang="en">`, "Administrative procedures", "Thủ tục đăng ký khai sinh",
		"<h3>The child</h3>", "<h3>The applicant</h3>", "Child&#39;s full name", "Date of birth", "Choices: Male, Female",
		"— date, <strong>required</strong>", "Fully online", "No fee", "Registered within 60 days of the birth",
		"Documents to submit", "If applicable", "Resolved at", "<dd>Commune</dd>",
		// No English label: the Vietnamese one.
		"Số CCCD của người đi đăng ký</span> <span class=\"muted\">— citizen ID number")
	refuse(t, res, "Họ, chữ đệm, tên của trẻ", "Thông tin của trẻ", "Lựa chọn")
	expect(t, b.get("/procedures/2.000815"), 200,
		"VND 2,000 per page for the first 2 pages, VND 1,000 per page from page 3, at most VND 200,000 per copy",
		"<li>Poor household</li>", "Partly online", "Why it is not fully online:",
		"For example, a complete dossier received at 2 Mar 2026 10:00 is due on Monday, 2 Mar 2026.")
	res = b.get("/procedures?q=tinh+trang")
	expect(t, res, 200, "Procedures found: 1.", "3 working days · VND 10,000", "Partly online", `<option value="none">Not online</option>`)
}

func TestAdminProcedures(t *testing.T) {
	s := newSite(t)
	s.officer("quantri", identity.RoleAdmin, "")
	s.officer("quantri.31615", identity.RoleAdmin, "31615")
	s.officer("motcua", identity.RoleReceiver, "31615")
	admin := s.browser()
	admin.signIn("quantri")

	// Only administrators of the whole tree.
	res := s.browser().get("/admin/procedures")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin?next=") {
		t.Errorf("a visitor: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	for _, name := range []string{"quantri.31615", "motcua"} {
		b := s.browser()
		b.signIn(name)
		expect(t, b.get("/admin/procedures"), http.StatusForbidden, "Bạn không có quyền thực hiện việc này.")
		expect(t, b.postMultipart("/admin/procedures", nil, "file", catalogue), http.StatusForbidden)
		if s.procedureCount() != 0 {
			t.Fatalf("%s imported procedures", name)
		}
	}
	commune := s.browser()
	commune.signIn("quantri.31615")
	refuse(t, commune.get("/admin"), `href="/admin/procedures"`)
	expect(t, admin.get("/admin"), 200, `href="/admin/procedures"`, "Danh mục thủ tục hành chính")

	res = admin.get("/admin/procedures")
	expect(t, res, 200, "Danh mục hiện có 0 thủ tục.", `href="/api/v1/procedures/export"`, `enctype="multipart/form-data"`,
		`name="dry_run"`, `type="file"`)

	// A bad file: every problem with its path, nothing applied.
	bad := strings.Replace(catalogue, `"days": 3,`, `"days": 0,`, 1)
	bad = strings.Replace(bad, `"type": "cccd"`, `"type": "cmnd"`, 1)
	res = admin.postMultipart("/admin/procedures", nil, "file", bad)
	expect(t, res, http.StatusUnprocessableEntity, "Tệp có 2 lỗi, chưa thay đổi gì:",
		"<code>procedures[2].time_limit.days</code>:", "<code>procedures[0].form.fields[3].type</code>:", "Danh mục hiện có 0 thủ tục.")
	expect(t, admin.postMultipart("/admin/procedures", nil, "file", `{"procedures": [`), http.StatusUnprocessableEntity,
		"<code>(document)</code>: the document ends too early")
	expect(t, admin.postMultipart("/admin/procedures", nil, "file", ""), http.StatusUnprocessableEntity, "Cần chọn tệp danh mục.")
	expect(t, admin.post("/admin/procedures", url.Values{"dry_run": {"1"}}), http.StatusUnprocessableEntity, "Cần chọn tệp danh mục.")
	if n := s.procedureCount(); n != 0 {
		t.Fatalf("bad files stored %d procedures", n)
	}

	// A dry run counts and stores nothing.
	res = admin.postMultipart("/admin/procedures", map[string]string{"dry_run": "1"}, "file", catalogue)
	expect(t, res, 200, "Tệp hợp lệ, chưa lưu: nếu nhập sẽ thêm 4, cập nhật 0, giữ nguyên 0 thủ tục.", `name="dry_run" value="1" checked`)
	if n := s.procedureCount(); n != 0 {
		t.Fatalf("a dry run stored %d procedures", n)
	}
	expect(t, s.browser().get("/procedures/1.001193"), http.StatusNotFound)

	// The import, then the same file again.
	res = admin.postMultipart("/admin/procedures", nil, "file", catalogue)
	expect(t, res, 200, "Đã nhập danh mục: thêm 4, cập nhật 0, giữ nguyên 0 thủ tục.", "Danh mục hiện có 4 thủ tục.")
	expect(t, s.browser().get("/procedures?q=dang+ky+khai+sinh"), 200, "Thủ tục đăng ký khai sinh")
	changed := strings.Replace(catalogue, `"amount": 150000`, `"amount": 160000`, 1)
	expect(t, admin.postMultipart("/admin/procedures", map[string]string{"dry_run": "1"}, "file", changed), 200,
		"nếu nhập sẽ thêm 0, cập nhật 1, giữ nguyên 3 thủ tục.")
	expect(t, s.browser().get("/procedures/1.009972"), 200, "150.000 đồng")
	expect(t, admin.postMultipart("/admin/procedures", nil, "file", changed), 200, "thêm 0, cập nhật 1, giữ nguyên 3 thủ tục.")
	expect(t, s.browser().get("/procedures/1.009972"), 200, "160.000 đồng")

	// The same catalogue as a spreadsheet: recognised by its content.
	stored, err := s.app.Procedures.List(context.Background(), dossier.ProcedureQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var sheet bytes.Buffer
	if err := dossier.WriteCatalogueXLSX(&sheet, stored); err != nil {
		t.Fatal(err)
	}
	expect(t, admin.postMultipart("/admin/procedures", map[string]string{"dry_run": "1"}, "file", sheet.String()), 200,
		"nếu nhập sẽ thêm 0, cập nhật 0, giữ nguyên 4 thủ tục.")

	// The export link gives the catalogue back.
	res = admin.get("/api/v1/procedures/export")
	if res.StatusCode != 200 || res.Header.Get("Content-Disposition") != `attachment; filename="thu-tuc.json"` {
		t.Errorf("export: %d %v", res.StatusCode, res.Header)
	}
	if ps, err := dossier.ParseCatalogue(strings.NewReader(res.body)); err != nil || len(ps) != 4 {
		t.Errorf("export: %d procedures, %v", len(ps), err)
	}
}

func TestProcedureNavigation(t *testing.T) {
	s := newSite(t)
	res := s.browser().get("/")
	expect(t, res, 200, `<a href="/procedures">Tra cứu thủ tục hành chính</a>`, `<a href="/procedures">Thủ tục hành chính</a>`)
	// In the main navigation, before the administrative units.
	if i, j := strings.Index(res.body, `<li><a href="/procedures"`), strings.Index(res.body, `<li><a href="/units"`); i < 0 || i > j {
		t.Errorf("navigation order: procedures at %d, units at %d", i, j)
	}
}

// The keys the procedure pages build from a value are in both catalogues.
func TestProcedureKeys(t *testing.T) {
	keys := []string{"format.money", "format.thousands", "procedure.not_found"}
	for _, m := range []string{"full", "partial", "none"} {
		keys = append(keys, "procedure.mode."+m)
	}
	for _, c := range []string{"direct", "online", "postal"} {
		keys = append(keys, "procedure.channel."+c)
	}
	for _, k := range []string{"original", "copy", "certified_copy", "original_or_copy"} {
		keys = append(keys, "procedure.doc_kind."+k)
	}
	for _, ty := range []string{"text", "textarea", "number", "date", "select", "checkbox", "cccd", "phone", "email", "file"} {
		keys = append(keys, "procedure.field_type."+ty)
	}
	for _, c := range []string{"confirmed", "secondary", "unconfirmed"} {
		keys = append(keys, "procedure.confidence."+c)
	}
	for _, k := range keys {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("%s: %s missing", lang, k)
			}
		}
	}
}

// A large catalogue is not listed whole without a search or a filter: its
// fields are, with their counts.
func TestLargeCatalogueShowsFields(t *testing.T) {
	s := newSite(t)
	ps, err := dossier.ParseCatalogue(strings.NewReader(catalogue))
	if err != nil {
		t.Fatal(err)
	}
	var many []dossier.Procedure
	for i := 0; i < 301; i++ {
		p := ps[3]
		p.Code = "1." + strconv.Itoa(200000+i)
		p.Name = "Thủ tục xây dựng số " + strconv.Itoa(i)
		many = append(many, p)
	}
	many = append(many, ps[0])
	if _, err := s.app.Procedures.Import(context.Background(), identity.SystemActor, many, false); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	res := b.get("/procedures")
	expect(t, res, 200, "Danh mục có 302 thủ tục. Chọn một lĩnh vực hoặc tìm theo tên:",
		`<a href="/procedures?field=X%c3%a2y%20d%e1%bb%b1ng">Xây dựng</a> <span class="code">(301)</span>`,
		`<a href="/procedures?field=H%e1%bb%99%20t%e1%bb%8bch">Hộ tịch</a> <span class="code">(1)</span>`)
	refuse(t, res, "Thủ tục xây dựng số 1")
	expect(t, b.get("/procedures?field="+url.QueryEscape("Xây dựng")), 200, "Tìm thấy 301 thủ tục.", "Thủ tục xây dựng số 300")
}

func TestCatalogueUploadIsLimited(t *testing.T) {
	s := newSite(t)
	s.officer("quantri", identity.RoleAdmin, "")
	b := s.browser()
	b.signIn("quantri")
	huge := `{"procedures": [` + strings.Repeat(" ", dossier.MaxCatalogueBytes+70<<10) + `]}`
	expect(t, b.postMultipart("/admin/procedures", nil, "file", huge), http.StatusRequestEntityTooLarge, "quá lớn")
}
