package dossier

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"egov/internal/workcal"
)

// sampleReceipt is a receipt of a birth registration at a commune with n
// documents of realistic length.
func sampleReceipt(n int) ReceiptData {
	names := []string{
		"Tờ khai đăng ký khai sinh theo mẫu",
		"Bản chính Giấy chứng sinh (không có thì văn bản của người làm chứng hoặc giấy cam đoan về việc sinh)",
		"Giấy tờ tùy thân của người đi đăng ký (xuất trình)",
		"Giấy chứng nhận kết hôn của cha, mẹ trẻ",
		"Văn bản ủy quyền có chứng thực (trường hợp ủy quyền đăng ký khai sinh)",
		"Biên bản xác nhận trẻ bị bỏ rơi hoặc văn bản chứng minh mang thai hộ",
		"Giấy xác nhận thông tin về cư trú",
		"Sổ hộ khẩu hoặc giấy tờ chứng minh nơi cư trú của cha hoặc mẹ",
		"Tờ khai đăng ký nhận cha, mẹ, con (nếu có yêu cầu kết hợp)",
		"Chứng cứ chứng minh quan hệ cha, mẹ, con",
	}
	kinds := []string{"bản chính", "bản sao", "bản sao có chứng thực"}
	docs := make([]ReceiptDocument, n)
	for i := range docs {
		docs[i] = ReceiptDocument{Name: names[i%len(names)], Copies: 1 + i%2, Kind: kinds[i%len(kinds)]}
	}
	return ReceiptData{
		ParentName:       "THÀNH PHỐ CẦN THƠ",
		AgencyName:       "UBND XÃ AN THẠNH",
		Code:             "000.00.12.H19-261105-0007",
		ProcedureName:    "Thủ tục đăng ký khai sinh",
		ProcedureCode:    "1.001193",
		ApplicantName:    "Nguyễn Thị Lan",
		ApplicantPhone:   "0912345678",
		ApplicantEmail:   "lan.nguyen@example.vn",
		ApplicantAddress: "Ấp An Thạnh, xã An Thạnh, thành phố Cần Thơ",
		Documents:        docs,
		Sets:             1,
		Channel:          ChannelDirect,
		TimeLimit:        "05 ngày làm việc",
		// 14:05 in Vietnam.
		ReceivedAt:   time.Date(2026, 11, 5, 7, 5, 0, 0, time.UTC),
		DueDate:      workcal.NewDate(2026, 11, 12),
		Fee:          8000,
		ReturnPlace:  "Bộ phận tiếp nhận và trả kết quả, UBND xã An Thạnh",
		OfficerName:  "Trần Văn Đức",
		Place:        "An Thạnh",
		RegisterBook: "01",
		RegisterNo:   "0007",
		LookupURL:    "https://dichvucong.cantho.gov.vn/lookup",
	}
}

func renderPDF(t *testing.T, r ReceiptData) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteReceiptPDF(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", buf.Bytes()[:min(16, buf.Len())])
	}
	return buf.Bytes()
}

// pageObject matches a page object, not the page tree (/Type /Pages).
var pageObject = regexp.MustCompile(`/Type\s*/Page[^s]`)

func pages(pdf []byte) int { return len(pageObject.FindAll(pdf, -1)) }

func TestReceiptOnePage(t *testing.T) {
	for _, n := range []int{0, 1, 4, 10} {
		t.Run(fmt.Sprint(n, " documents"), func(t *testing.T) {
			pdf := renderPDF(t, sampleReceipt(n))
			if got := pages(pdf); got != 1 {
				t.Errorf("%d pages, want 1", got)
			}
			if !bytes.Contains(pdf, []byte("/MediaBox [0 0 419.53 595.28]")) {
				t.Error("the page is not A5 portrait (148 x 210 mm)")
			}
		})
	}
}

func TestReceiptText(t *testing.T) {
	pdf := renderPDF(t, sampleReceipt(4))
	if got := pages(pdf); got != 1 {
		t.Errorf("%d pages, want 1", got)
	}
	t.Run("text", func(t *testing.T) { checkReceiptText(t, pdf) })
}

func checkReceiptText(t *testing.T, pdf []byte) {
	text := pdfText(t, pdf)
	for _, want := range []string{
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"Độc lập - Tự do - Hạnh phúc",
		"UBND XÃ AN THẠNH",
		"THÀNH PHỐ CẦN THƠ",
		"An Thạnh, ngày 05 tháng 11 năm 2026",
		"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
		"Mã hồ sơ: 000.00.12.H19-261105-0007",
		"Tiếp nhận hồ sơ của: Nguyễn Thị Lan",
		"Địa chỉ: Ấp An Thạnh, xã An Thạnh, thành phố Cần Thơ",
		"Số điện thoại: 0912345678",
		"Email: lan.nguyen@example.vn",
		"Nội dung yêu cầu giải quyết: Thủ tục đăng ký khai sinh (mã thủ tục 1.001193)",
		"Hình thức nộp hồ sơ: trực tiếp",
		"1. Thành phần hồ sơ nộp gồm:",
		"1) Tờ khai đăng ký khai sinh theo mẫu (01 bản chính)",
		"4) Giấy chứng nhận kết hôn của cha, mẹ trẻ (02 bản chính)",
		"Số lượng hồ sơ: 01 (bộ)",
		"Thời gian giải quyết hồ sơ theo quy định là: 05 ngày làm việc",
		// 07:05 UTC is 14:05 in Vietnam.
		"Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 05 tháng 11 năm 2026",
		"Thời gian trả kết quả giải quyết hồ sơ: ngày 12 tháng 11 năm 2026",
		"Phí, lệ phí: 8.000 đồng",
		"Vào Sổ theo dõi hồ sơ, Quyển số: 01, Số thứ tự: 0007",
		"NGƯỜI NỘP HỒ SƠ",
		"NGƯỜI TIẾP NHẬN HỒ SƠ",
		"Trần Văn Đức",
		"https://dichvucong.cantho.gov.vn/lookup",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Trang 1/") {
		t.Error("a one-page receipt is numbered")
	}
}

func TestReceiptFlowsToSecondPage(t *testing.T) {
	pdf := renderPDF(t, sampleReceipt(25))
	if got := pages(pdf); got != 2 {
		t.Fatalf("%d pages, want 2", got)
	}
	t.Run("text", func(t *testing.T) {
		text := pdfText(t, pdf)
		for _, want := range []string{"25) ", "Trang 1/2", "Trang 2/2", "NGƯỜI TIẾP NHẬN HỒ SƠ"} {
			if !strings.Contains(text, want) {
				t.Errorf("the text lacks %q:\n%s", want, text)
			}
		}
		// The signatures come after the last document.
		if strings.Index(text, "NGƯỜI NỘP HỒ SƠ") < strings.Index(text, "25) ") {
			t.Error("the signature blocks come before the end of the list")
		}
	})
}

// Input from outside may be decomposed, hold characters outside the font
// tables, or run without spaces: it prints, and in NFC.
func TestReceiptOddInput(t *testing.T) {
	r := sampleReceipt(2)
	r.ApplicantName = "Nguye\u0302\u0303n Thi\u0323 Lan 😀"                      // NFD and an emoji
	r.ApplicantAddress = strings.Repeat("x", 400)                               // no place to break
	r.ProcedureName = "Thủ tục\tđăng ký\nkhai sinh\x00" + string(rune(0x10000)) // controls, U+10000
	pdf := renderPDF(t, r)
	if got := pages(pdf); got != 1 {
		t.Errorf("%d pages, want 1", got)
	}
	t.Run("text", func(t *testing.T) {
		text := pdfText(t, pdf)
		for _, want := range []string{"Tiếp nhận hồ sơ của: Nguyễn Thị Lan ?", "Thủ tục đăng ký khai sinh ?"} {
			if !strings.Contains(text, want) {
				t.Errorf("the text lacks %q:\n%s", want, text)
			}
		}
	})
}

func TestReceiptEmpty(t *testing.T) {
	// A receipt with nothing filled in is a blank form, not an error.
	if got := pages(renderPDF(t, ReceiptData{})); got != 1 {
		t.Errorf("%d pages, want 1", got)
	}
}

func TestReceiptDeterministic(t *testing.T) {
	a, b := renderPDF(t, sampleReceipt(3)), renderPDF(t, sampleReceipt(3))
	if !bytes.Equal(a, b) {
		t.Error("the same receipt printed twice differs")
	}
}

func TestReceiptFor(t *testing.T) {
	p := &Procedure{
		Code: "1.001193", Name: "Thủ tục đăng ký khai sinh",
		Documents: []Document{
			{Name: "Tờ khai đăng ký khai sinh theo mẫu", Copies: 1, Kind: "original", Required: true},
			{Name: "Biên bản xác nhận trẻ bị bỏ rơi (nếu có)", Copies: 1, Kind: "original"},
			{Name: "Giấy chứng nhận kết hôn", Copies: 2, Kind: "certified_copy", Required: true},
		},
		TimeLimit: TimeLimit{Kind: WorkingDays, Days: 5},
		Result:    Result{Name: "Giấy khai sinh", Electronic: true, Paper: true},
	}
	submitted := time.Date(2026, 11, 4, 18, 30, 0, 0, time.UTC) // 01:30 on 5 Nov in Vietnam
	d := &Dossier{
		Code: "000.00.12.H19-261105-0001", ProcedureCode: "1.001193", Channel: ChannelDirect,
		ApplicantName: "Nguyễn Thị Lan", ApplicantPhone: "0912345678", ApplicantEmail: "lan@example.vn",
		Fields:      map[string]string{"requester_address": " Ấp An Thạnh, xã An Thạnh "},
		Fee:         8000,
		SubmittedAt: submitted,
		DueDate:     workcal.NewDate(2026, 11, 12),
	}
	r := ReceiptFor(d, p, "UBND XÃ AN THẠNH", "THÀNH PHỐ CẦN THƠ", "Trần Văn Đức")
	want := ReceiptData{
		ParentName: "THÀNH PHỐ CẦN THƠ", AgencyName: "UBND XÃ AN THẠNH",
		Code: d.Code, ProcedureName: p.Name, ProcedureCode: "1.001193",
		ApplicantName: "Nguyễn Thị Lan", ApplicantPhone: "0912345678", ApplicantEmail: "lan@example.vn",
		ApplicantAddress: "Ấp An Thạnh, xã An Thạnh",
		Documents: []ReceiptDocument{
			{Name: "Tờ khai đăng ký khai sinh theo mẫu", Copies: 1, Kind: "bản chính"},
			{Name: "Giấy chứng nhận kết hôn", Copies: 2, Kind: "bản sao có chứng thực"},
		},
		Sets: 1, Channel: ChannelDirect, TimeLimit: "05 ngày làm việc",
		ReceivedAt: submitted, DueDate: d.DueDate, Fee: 8000,
		ReturnPlace: "Bộ phận tiếp nhận và trả kết quả, UBND XÃ AN THẠNH",
		OfficerName: "Trần Văn Đức", Place: "An Thạnh", LookupURL: "/lookup",
	}
	if got, w := fmt.Sprintf("%+v", r), fmt.Sprintf("%+v", want); got != w {
		t.Errorf("ReceiptFor:\n got %s\nwant %s", got, w)
	}

	// A dossier received at the desk shows that time, not the filing.
	received := submitted.Add(26 * time.Hour)
	d.ReceivedAt = received
	d.Channel = ChannelOnline
	p.TimeLimit = TimeLimit{Kind: SameDay}
	r = ReceiptFor(d, p, "UBND PHƯỜNG SÓC TRĂNG", "THÀNH PHỐ CẦN THƠ", "")
	if !r.ReceivedAt.Equal(received) || r.TimeLimit != "trong ngày" || r.Place != "Sóc Trăng" ||
		!strings.HasPrefix(r.ReturnPlace, "trực tuyến") {
		t.Errorf("ReceiptFor of an online same-day dossier: %+v", r)
	}
	if r.dateLine() != "Sóc Trăng, ngày 06 tháng 11 năm 2026" {
		t.Errorf("date line %q", r.dateLine())
	}
}

func TestReceiptFormats(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{vnTime(time.Date(2026, 11, 4, 18, 30, 0, 0, time.UTC)), "01 giờ 30 phút, ngày 05 tháng 11 năm 2026"},
		{vnTime(time.Date(2026, 1, 2, 8, 5, 0, 0, workcal.ICT)), "08 giờ 05 phút, ngày 02 tháng 01 năm 2026"},
		{vnDate(workcal.NewDate(2026, 2, 9)), "ngày 09 tháng 02 năm 2026"},
		{money(0), "0"}, {money(500), "500"}, {money(8000), "8.000"}, {money(1234567), "1.234.567"},
		{placeOf("UBND XÃ AN THẠNH"), "An Thạnh"},
		{placeOf("ỦY BAN NHÂN DÂN PHƯỜNG PHÚ LỢI"), "Phú Lợi"},
		{placeOf("UBND ĐẶC KHU CÙ LAO DUNG"), "Cù Lao Dung"},
		{placeOf("UBND THÀNH PHỐ CẦN THƠ"), "Cần Thơ"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
