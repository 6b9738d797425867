package dossier

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"egov/internal/workcal"
)

func sampleBase() FormBase {
	return FormBase{
		ParentName: "THÀNH PHỐ CẦN THƠ", AgencyName: "UBND XÃ AN THẠNH", Agency: "Ủy ban nhân dân xã An Thạnh",
		Code: "000.00.12.H19-261105-0007", ProcedureName: "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân", ProcedureCode: "1.004873",
		ApplicantName: "Nguyễn Thị Lan", ApplicantPhone: "0912345678", ApplicantAddress: "Ấp An Thạnh, xã An Thạnh",
		OfficerName: "Lâm Thị Hồng", At: time.Date(2026, 11, 6, 2, 30, 0, 0, time.UTC), Place: "An Thạnh",
	}
}

// writePDF runs a form writer, checks the output is one A5 page of PDF,
// keeps it under $EGOV_ARTIFACTS when set, and returns its text.
func writePDF(t *testing.T, name string, write func(*bytes.Buffer) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("/MediaBox [0 0 419.53 595.28]")) {
		t.Fatalf("%s: not an A5 PDF: %.40q", name, pdf)
	}
	if n := pages(pdf); n != 1 {
		t.Errorf("%s: %d pages, want 1", name, n)
	}
	if dir := os.Getenv("EGOV_ARTIFACTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, name+".pdf"), pdf, 0o644)
	}
	return pdfText(t, pdf)
}

var heading01 = []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND XÃ AN THẠNH",
	"THÀNH PHỐ CẦN THƠ", "An Thạnh, ngày 06 tháng 11 năm 2026", "Mã hồ sơ: 000.00.12.H19-261105-0007",
	"Hồ sơ của: Nguyễn Thị Lan", "Nội dung yêu cầu giải quyết: Thủ tục cấp Giấy xác nhận tình trạng hôn nhân (mã thủ tục 1.004873)"}

func TestSupplementForm(t *testing.T) {
	items, reason := SplitMissing("1. Bản sao Giấy chứng nhận kết hôn\n- Bản án ly hôn (bản sao có chứng thực)\r\n\nlý do: ảnh chụp bị mờ, không đọc được")
	text := writePDF(t, "mau-02", func(b *bytes.Buffer) error {
		return WriteSupplementPDF(b, SupplementRequest{FormBase: sampleBase(), ReceivedAt: time.Date(2026, 11, 5, 7, 5, 0, 0, time.UTC),
			Items: items, Reason: reason})
	})
	wantText(t, text, heading01...)
	wantText(t, text, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Thời gian tiếp nhận hồ sơ: 14 giờ 05 phút, ngày 05 tháng 11 năm 2026",
		"Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau: 1) Bản sao Giấy chứng nhận kết hôn 2) Bản án ly hôn (bản sao có chứng thực)",
		"Lý do: ảnh chụp bị mờ, không đọc được", "NGƯỜI HƯỚNG DẪN", "Lâm Thị Hồng")

	// Without a reason line the form gives the general one.
	text = writePDF(t, "mau-02-no-reason", func(b *bytes.Buffer) error {
		return WriteSupplementPDF(b, SupplementRequest{FormBase: sampleBase(), Items: []string{"Tờ khai"}})
	})
	wantText(t, text, "1) Tờ khai Lý do: Hồ sơ chưa đầy đủ, hợp lệ")
}

func TestSplitMissing(t *testing.T) {
	items, reason := SplitMissing("Thiếu bản sao giấy tờ ly hôn")
	if len(items) != 1 || items[0] != "Thiếu bản sao giấy tờ ly hôn" || reason != "" {
		t.Errorf("one line: %q %q", items, reason)
	}
	items, reason = SplitMissing("• Tờ khai\n2) Giấy ủy quyền\n10. Ảnh\n2026 là năm\nLÝ DO: thiếu\nLý do: và sai")
	if strings.Join(items, "|") != "Tờ khai|Giấy ủy quyền|Ảnh|2026 là năm" || reason != "thiếu và sai" {
		t.Errorf("lines: %q %q", items, reason)
	}
}

func TestRefusalForm(t *testing.T) {
	text := writePDF(t, "mau-03", func(b *bytes.Buffer) error {
		return WriteRefusalPDF(b, Refusal{FormBase: sampleBase(), Reason: "Hồ sơ không thuộc thẩm quyền giải quyết của xã.\nĐề nghị nộp tại nơi cư trú."})
	})
	wantText(t, text, heading01...)
	wantText(t, text, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
		"Ủy ban nhân dân xã An Thạnh thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau: "+
			"Hồ sơ không thuộc thẩm quyền giải quyết của xã. Đề nghị nộp tại nơi cư trú.", "NGƯỜI TIẾP NHẬN HỒ SƠ")
}

func TestApologyForm(t *testing.T) {
	text := writePDF(t, "mau-04", func(b *bytes.Buffer) error {
		return WriteApologyPDF(b, Apology{FormBase: sampleBase(), DueDate: workcal.NewDate(2026, 11, 12),
			NewDate: workcal.NewDate(2026, 11, 16), Reason: "Cần xác minh thêm tại nơi cư trú trước đây."})
	})
	wantText(t, text, heading01...)
	wantText(t, text, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
		"thời gian trả kết quả giải quyết hồ sơ là ngày 12 tháng 11 năm 2026",
		"Lý do: Cần xác minh thêm tại nơi cư trú trước đây.",
		"xin lỗi ông/bà và hẹn trả kết quả giải quyết hồ sơ vào ngày 16 tháng 11 năm 2026", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ")
}

func TestControlSheetForm(t *testing.T) {
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, workcal.ICT) }
	steps := []HandOver{
		{From: "Người nộp hồ sơ: Nguyễn Thị Lan", To: deskName + ": Lâm Thị Hồng", At: at(2, 9, 0), Note: "Nộp hồ sơ trực tuyến"},
		{From: deskName + ": Lâm Thị Hồng", To: "Chuyên viên: Nguyễn Văn Phúc", At: at(2, 10, 0), Deadline: workcal.NewDate(2026, 11, 2), Result: OnTime},
		{From: "Chuyên viên: Nguyễn Văn Phúc", To: deskName, At: at(9, 10, 0), Deadline: workcal.NewDate(2026, 11, 5), Result: Late,
			Note: strings.Repeat("Ghi chú rất dài ", 40)},
	}
	text := writePDF(t, "mau-05", func(b *bytes.Buffer) error {
		return WriteControlSheetPDF(b, ControlSheet{FormBase: sampleBase(), DueDate: workcal.NewDate(2026, 11, 5), Steps: steps})
	})
	wantText(t, text, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "TÊN CƠ QUAN", "THỜI GIAN GIAO, NHẬN HỒ SƠ",
		"KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/Đúng hạn/Quá hạn)", "GHI CHÚ",
		"Cơ quan (bộ phận) giải quyết hồ sơ: Ủy ban nhân dân xã An Thạnh", "Hạn trả kết quả: ngày 05 tháng 11 năm 2026",
		"1. Giao: Người nộp hồ sơ: Nguyễn Thị Lan Nhận: Bộ phận tiếp nhận và trả kết quả: Lâm Thị Hồng",
		"2. Giao: Bộ phận tiếp nhận và trả kết quả: Lâm Thị Hồng Nhận: Chuyên viên: Nguyễn Văn Phúc",
		"10 giờ 00 phút, ngày 02 tháng 11 năm 2026 Đúng hạn (hạn 02/11/2026)", "Quá hạn (hạn 05/11/2026)", "…")

	// A long history runs onto more pages, under the table's heading again.
	for len(steps) < 30 {
		steps = append(steps, steps[1])
	}
	var buf bytes.Buffer
	if err := WriteControlSheetPDF(&buf, ControlSheet{FormBase: sampleBase(), Steps: steps}); err != nil {
		t.Fatal(err)
	}
	n := pages(buf.Bytes())
	text = pdfText(t, buf.Bytes())
	if n < 2 || strings.Count(text, "THỜI GIAN GIAO, NHẬN HỒ SƠ") != n || !strings.Contains(text, "30. Giao:") {
		t.Errorf("%d pages, %d headings", n, strings.Count(text, "THỜI GIAN GIAO, NHẬN HỒ SƠ"))
	}
}

func TestHandOvers(t *testing.T) {
	cal, err := workcal.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, workcal.ICT).UTC() }
	due := workcal.NewDate(2026, 11, 9)
	events := []Event{
		{At: at(2, 8, 0), ActorName: "congdan.1", Action: "create_draft"},
		{At: at(2, 8, 5), ActorName: "congdan.1", Action: "save_draft"},
		{At: at(2, 8, 10), ActorName: "congdan.1", Action: "submit"},
		{At: at(2, 16, 0), ActorName: "motcua", Action: "receive", DueDate: due},
		{At: at(3, 9, 0), ActorName: "motcua", Action: "assign", Note: "xem kỹ → chuyenvien", DueDate: due},
		{At: at(4, 9, 0), ActorName: "chuyenvien", Action: "apologise", Note: "xác minh", DueDate: workcal.NewDate(2026, 11, 12)},
		{At: at(5, 9, 0), ActorName: "system", Action: "payment", Note: "8000 đồng"},
		{At: at(10, 9, 0), ActorName: "lanhdao", Action: "approve", DueDate: workcal.NewDate(2026, 11, 12)},
		{At: at(13, 9, 0), ActorName: "chuyenvien", Action: "finish", Note: "số 12", DueDate: workcal.NewDate(2026, 11, 12)},
		{At: at(13, 10, 0), ActorName: "motcua", Action: "return-result", DueDate: workcal.NewDate(2026, 11, 12)},
		{At: at(13, 11, 0), ActorName: "congdan.1", Action: "rate"},
	}
	names := map[string]string{"motcua": "Lâm Thị Hồng", "chuyenvien": "Nguyễn Văn Phúc", "lanhdao": "Thạch Sô Phên", "system": "Hệ thống"}
	got := HandOvers(&Dossier{ApplicantName: "Nguyễn Thị Lan"}, events, cal, names)
	desk := deskName + ": Lâm Thị Hồng"
	want := []HandOver{
		{From: "Người nộp hồ sơ: Nguyễn Thị Lan", To: desk, At: at(2, 8, 10),
			Note: "Nộp hồ sơ trực tuyến. Tiếp nhận 16:00 02/11/2026, hẹn trả 09/11/2026"},
		// Received after 15:00: the transfer is due the next working day.
		{From: desk, To: "Chuyên viên: Nguyễn Văn Phúc", At: at(3, 9, 0), Deadline: workcal.NewDate(2026, 11, 3), Result: OnTime,
			Note: "Chuyển xử lý: xem kỹ. Xin lỗi, hẹn lại ngày trả kết quả 12/11/2026 (Nguyễn Văn Phúc): xác minh. Đã nộp phí, lệ phí: 8000 đồng"},
		{From: "Chuyên viên: Nguyễn Văn Phúc", To: "Lãnh đạo: Thạch Sô Phên", At: at(10, 9, 0), Deadline: workcal.NewDate(2026, 11, 12), Result: Early,
			Note: "Trình phê duyệt, đã phê duyệt"},
		{From: "Lãnh đạo: Thạch Sô Phên", To: deskName, At: at(13, 9, 0), Deadline: workcal.NewDate(2026, 11, 12), Result: Late,
			Note: "Hoàn thành xử lý (Nguyễn Văn Phúc): số 12"},
		{From: desk, To: "Người nộp hồ sơ: Nguyễn Thị Lan", At: at(13, 10, 0), Deadline: workcal.NewDate(2026, 11, 12), Result: Late,
			Note: "Trả kết quả"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d:\n got %+v\nwant %+v", i+1, got[i], want[i])
		}
	}
}
