package dossier_test

import (
	"strings"
	"testing"
	"time"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

// form prints form f of the dossier as who and returns its text, failing
// the test on an error.
func (w *world) form(who, code string, f dossier.FormNo) string {
	w.t.Helper()
	pdf, name, err := w.app.Dossiers.FormPDF(w.ctx, w.actor(who), code, f)
	if err != nil {
		w.t.Fatalf("Mẫu %s as %s: %v", f, who, err)
	}
	if !strings.HasSuffix(name, code+".pdf") || !strings.HasPrefix(string(pdf), "%PDF-") {
		w.t.Fatalf("Mẫu %s: %q %.10q", f, name, pdf)
	}
	return dossier.PDFText(w.t, pdf)
}

func (w *world) formErr(who, code string, f dossier.FormNo) error {
	w.t.Helper()
	_, _, err := w.app.Dossiers.FormPDF(w.ctx, w.actor(who), code, f)
	return err
}

func contains(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(text, s) {
			t.Errorf("%s lacks %q:\n%s", what, s, text)
		}
	}
}

// Each form exists once its step happened, for whom it concerns.
func TestFormsFollowTheHistory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.filed("congdan.1")
		code := d.Code

		// Filed, not received: only the officers' control sheet exists.
		for _, f := range []dossier.FormNo{dossier.FormReceipt, dossier.FormSupplement, dossier.FormRefusal, dossier.FormApology} {
			if err := w.formErr("congdan.1", code, f); errCode(err) != egov.ECONFLICT {
				t.Errorf("Mẫu %s before its step: %v", f, err)
			}
		}
		if err := w.formErr("congdan.1", code, dossier.FormControl); errCode(err) != egov.EFORBIDDEN {
			t.Errorf("the applicant's control sheet: %v", err)
		}
		// Others learn nothing, whatever the form.
		for _, who := range []string{"congdan.2", "motcua.31507", "thongke.31615"} {
			for _, f := range dossier.FormNos {
				if err := w.formErr(who, code, f); errCode(err) != egov.ENOTFOUND {
					t.Errorf("%s, Mẫu %s: %v", who, f, err)
				}
			}
		}
		if err := w.formErr("motcua.31615", code, "06"); errCode(err) != egov.ENOTFOUND {
			t.Errorf("Mẫu 06: %v", err)
		}
		contains(t, "Mẫu 05", w.form("motcua.31615", code, dossier.FormControl), "Giao: Người nộp hồ sơ: Nguyễn Thị Lan",
			"Nhận: Bộ phận tiếp nhận và trả kết quả", "Nộp hồ sơ trực tuyến")

		w.must("motcua.31615", code, dossier.ActReceive, dossier.ActionInput{})
		contains(t, "Mẫu 01", w.form("congdan.1", code, dossier.FormReceipt), "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
			"UBND XÃ AN THẠNH", "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Lâm Thị Hồng")

		w.must("motcua.31615", code, dossier.ActRequestDocuments, dossier.ActionInput{
			Note: "giấy tờ đã nộp hết hạn", Items: []dossier.SupplementItem{{Note: "Bản sao bản án ly hôn"}, {Note: "Ảnh chân dung 4x6"}}})
		for _, who := range []string{"congdan.1", "motcua.31615", "lanhdao.92"} {
			contains(t, "Mẫu 02", w.form(who, code, dossier.FormSupplement), "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
				"Mã hồ sơ: "+code, "Hồ sơ của: Nguyễn Thị Lan", "1) Bản sao bản án ly hôn 2) Ảnh chân dung 4x6",
				"Lý do: giấy tờ đã nộp hết hạn", "NGƯỜI HƯỚNG DẪN", "Lâm Thị Hồng", "An Thạnh, ngày 02 tháng 11 năm 2026")
		}

		w.clock = time.Date(2026, 11, 3, 9, 0, 0, 0, workcal.ICT)
		w.mustAttach("congdan.1", code, "", "ban-an.pdf", pdfFile)
		w.mustAttach("congdan.1", code, "", "anh.pdf", pdfFile)
		w.must("congdan.1", code, dossier.ActSupplyDocuments, dossier.ActionInput{}) // due Friday 6
		w.must("motcua.31615", code, dossier.ActAssign, dossier.ActionInput{Assignee: "chuyenvien.31615"})
		newDate := workcal.NewDate(2026, 11, 12)
		w.must("chuyenvien.31615", code, dossier.ActApologise, dossier.ActionInput{Note: "Cần xác minh tại nơi cư trú cũ", NewDate: newDate})
		contains(t, "Mẫu 04", w.form("congdan.1", code, dossier.FormApology), "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
			"thời gian trả kết quả giải quyết hồ sơ là ngày 06 tháng 11 năm 2026", "Lý do: Cần xác minh tại nơi cư trú cũ",
			"hẹn trả kết quả giải quyết hồ sơ vào ngày 12 tháng 11 năm 2026")

		w.clock = time.Date(2026, 11, 10, 9, 0, 0, 0, workcal.ICT)
		w.must("lanhdao.31615", code, dossier.ActApprove, dossier.ActionInput{})
		w.must("chuyenvien.31615", code, dossier.ActFinish, dossier.ActionInput{Result: "Số 12/2026", ResultFiles: resultPDF()})
		w.clock = time.Date(2026, 11, 13, 9, 0, 0, 0, workcal.ICT)
		w.must("motcua.31615", code, dossier.ActReturnResult, dossier.ActionInput{})
		text := w.form("lanhdao.31615", code, dossier.FormControl)
		contains(t, "Mẫu 05", text, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
			"Giao: Người nộp hồ sơ: Nguyễn Thị Lan Nhận: Bộ phận tiếp nhận và trả kết quả: Lâm Thị Hồng",
			"Yêu cầu bổ sung, hoàn thiện hồ sơ: giấy tờ đã nộp hết hạn - Bản sao bản án ly hôn",
			"Nhận: Chuyên viên: Nguyễn Văn Phúc", "Nhận: Lãnh đạo: Thạch Sô Phên", "Hạn trả kết quả: ngày 12 tháng 11 năm 2026",
			"Trước hạn (hạn 12/11/2026)", "Quá hạn (hạn 12/11/2026)", "Xin lỗi, hẹn lại ngày trả kết quả 12/11/2026")
		if err := w.formErr("congdan.1", code, dossier.FormRefusal); errCode(err) != egov.ECONFLICT {
			t.Errorf("Mẫu 03 of a dossier never refused: %v", err)
		}

		// Officers' printing is audited as reading, the applicant's not.
		reads, err := w.app.Identity.AuditLog(w.ctx, identity.SystemActor, auditFilter("dossier.read"))
		if err != nil {
			t.Fatal(err)
		}
		printed := map[string]int{}
		for _, e := range reads {
			if strings.HasPrefix(e.Summary, "in Mẫu") {
				printed[e.ActorName+" "+e.Summary]++
			}
		}
		if printed["motcua.31615 in Mẫu 05"] != 1 || printed["lanhdao.92 in Mẫu 02"] != 1 || printed["lanhdao.31615 in Mẫu 05"] != 1 ||
			len(printed) != 4 {
			t.Errorf("audited printing: %v", printed)
		}
	})
}

func TestRefusedDossierForm(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.filed("congdan.1")
		w.must("motcua.31615", d.Code, dossier.ActRefuse, dossier.ActionInput{Note: "Không thuộc thẩm quyền của xã"})
		contains(t, "Mẫu 03", w.form("congdan.1", d.Code, dossier.FormRefusal), "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
			"lý do cụ thể như sau: Không thuộc thẩm quyền của xã", "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Lâm Thị Hồng")
		if err := w.formErr("congdan.2", d.Code, dossier.FormRefusal); errCode(err) != egov.ENOTFOUND {
			t.Errorf("another citizen: %v", err)
		}
		got := dossier.FormsOf(d, []dossier.Event{{Action: "submit"}, {Action: "refuse"}}, false)
		if len(got) != 1 || got[0] != dossier.FormRefusal {
			t.Errorf("FormsOf a refused dossier: %v", got)
		}
	})
}
