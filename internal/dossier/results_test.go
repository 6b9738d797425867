package dossier_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"egov"
	"egov/internal/dossier"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

// A request for documents lists its items; the applicant may change only
// those, and the history quotes them.
func TestSupplementMarksItems(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.filed("congdan.1")
		w.must("motcua.31615", d.Code, dossier.ActReceive, dossier.ActionInput{})
		for _, c := range []struct {
			items []dossier.SupplementItem
			key   string
		}{
			{nil, "dossier.missing_list_required"},
			{[]dossier.SupplementItem{{Field: "nope"}}, "dossier.item_field_unknown"},
			{[]dossier.SupplementItem{{Field: "purpose"}, {Field: "purpose", Note: "x"}}, "dossier.item_repeated"},
			{[]dossier.SupplementItem{{Field: " ", Note: " "}}, "dossier.item_note_required"},
		} {
			if _, err := w.act("motcua.31615", d.Code, dossier.ActRequestDocuments, dossier.ActionInput{Items: c.items}); errKey(err) != c.key {
				t.Errorf("items %v: %v, want %s", c.items, err, c.key)
			}
		}
		d = w.must("motcua.31615", d.Code, dossier.ActRequestDocuments, dossier.ActionInput{Note: "Bổ sung một lần:",
			Items: []dossier.SupplementItem{{Field: "purpose", Note: "Ghi rõ kết hôn với ai"}, {Field: "divorce_or_death_file"},
				{Note: "Bản sao sổ hộ khẩu cũ"}}})
		sp, err := w.app.Dossiers.SupplementOf(w.ctx, d)
		if err != nil || sp == nil || sp.N != 1 || len(sp.Items) != 3 || !sp.Marked("purpose") || sp.Marked("marital_status") || !sp.Marked("") {
			t.Fatalf("supplement %+v %v", sp, err)
		}
		hist, _ := w.app.Dossiers.History(w.ctx, d)
		if note := hist[len(hist)-1].Note; note != "Bổ sung một lần:\n- Mục đích sử dụng Giấy xác nhận: Ghi rõ kết hôn với ai\n"+
			"- Giấy tờ chứng minh đã ly hôn hoặc người kia đã chết (nếu có)\n- Bản sao sổ hộ khẩu cũ" {
			t.Errorf("history note %q", note)
		}

		// An unmarked field may be sent unchanged, never changed.
		f := marital()
		f["purpose"] = "Đăng ký kết hôn với ông Trần Văn Bình"
		f["marital_status"] = "da_ly_hon"
		_, err = w.act("congdan.1", d.Code, dossier.ActSupplyDocuments, dossier.ActionInput{Fields: f})
		var e *egov.Error
		if errKey(err) != "dossier.supply_not_marked" || !errors.As(err, &e) || e.Field != "marital_status" {
			t.Fatalf("changing an unmarked field: %v", err)
		}
		delete(f, "marital_status")
		if _, err := w.act("congdan.1", d.Code, dossier.ActSupplyDocuments, dossier.ActionInput{Fields: map[string]string{"zzz": "1"}}); errKey(err) != "form.unknown_field" {
			t.Errorf("an unknown field: %v", err)
		}
		// Files: the marked file field and other documents, nothing else.
		if _, err := w.attach("congdan.1", d.Code, "previous_cert_file", "a.pdf", pdfFile); errKey(err) != "dossier.supply_not_marked" {
			t.Errorf("an unmarked file field: %v", err)
		}
		w.mustAttach("congdan.1", d.Code, "", "so-ho-khau.pdf", pdfFile)
		w.mustAttach("congdan.1", d.Code, "divorce_or_death_file", "ban-an.pdf", pdfFile)
		d = w.must("congdan.1", d.Code, dossier.ActSupplyDocuments, dossier.ActionInput{Fields: f})
		if d.Fields["purpose"] != f["purpose"] || d.Fields["marital_status"] != "chua_ket_hon" || d.Status != dossier.StatusReceived {
			t.Fatalf("after the supplement: %s %v", d.Status, d.Fields)
		}
		if sp, _ := w.app.Dossiers.SupplementOf(w.ctx, d); sp.SuppliedAt.IsZero() {
			t.Error("the request is not marked answered")
		}
		// A second request is possible (within the window) and counts late.
		d = w.must("motcua.31615", d.Code, dossier.ActRequestDocuments, missing("", "marital_status"))
		if sp, _ := w.app.Dossiers.SupplementOf(w.ctx, d); sp.N != 2 || !sp.Marked("marital_status") || sp.Marked("purpose") {
			t.Fatalf("second request %+v", sp)
		}
		if tl := d.TimelinessOn(workcal.LocalDate(w.clock)); tl != dossier.Overdue {
			t.Errorf("after a second request: %s", tl)
		}
		if _, err := w.act("congdan.1", d.Code, dossier.ActSupplyDocuments, dossier.ActionInput{Fields: map[string]string{"purpose": "khác"}}); errKey(err) != "dossier.supply_not_marked" {
			t.Errorf("the first request's item after the second: %v", err)
		}
	})
}

// Finishing an electronic-result procedure needs the result PDF; it gets
// the code <dossier code>-KQ<n>; the applicant downloads it once resolved,
// an officer at any time (audited), nobody else.
func TestElectronicResult(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.filed("congdan.1")
		w.must("motcua.31615", d.Code, dossier.ActReceive, dossier.ActionInput{})
		w.must("motcua.31615", d.Code, dossier.ActAssign, dossier.ActionInput{Assignee: "chuyenvien.31615"})
		w.must("lanhdao.31615", d.Code, dossier.ActApprove, dossier.ActionInput{})
		if _, err := w.act("chuyenvien.31615", d.Code, dossier.ActFinish, dossier.ActionInput{}); errKey(err) != "result.required" {
			t.Fatalf("finishing without the result: %v", err)
		}
		png := []dossier.Upload{{Filename: "kq.png", Content: bytes.NewReader(pngFile)}}
		if _, err := w.act("chuyenvien.31615", d.Code, dossier.ActFinish, dossier.ActionInput{ResultFiles: png}); errKey(err) != "result.type" {
			t.Fatalf("an image as the result: %v", err)
		}
		long := dossier.ActionInput{ResultFiles: resultPDF(), Result: strings.Repeat("ố", dossier.MaxResultText+1)}
		if _, err := w.act("chuyenvien.31615", d.Code, dossier.ActFinish, long); errKey(err) != "form.too_long" {
			t.Fatalf("a result text of %d characters: %v", len([]rune(long.Result)), err)
		}
		if res, _ := w.app.Dossiers.ResultsOf(w.ctx, w.actor("chuyenvien.31615"), d); len(res) != 0 {
			t.Fatalf("a refused finishing left results: %v", res)
		}
		two := []dossier.Upload{{Filename: "Giấy xác nhận.pdf", Content: bytes.NewReader(pdfFile)},
			{Filename: "ban-sao", Content: bytes.NewReader(append(bytes.Clone(pdfFile), '\n'))}}
		d = w.must("chuyenvien.31615", d.Code, dossier.ActFinish, dossier.ActionInput{ResultFiles: two})
		res, err := w.app.Dossiers.ResultsOf(w.ctx, w.actor("congdan.1"), d)
		if err != nil || len(res) != 2 || res[0].Code != d.Code+"-KQ1" || res[1].Code != d.Code+"-KQ2" ||
			res[0].Name != "Giấy xác nhận.pdf" || res[1].Name != "ban-sao.pdf" || res[0].MIME != dossier.MimePDF {
			t.Fatalf("results %+v %v", res, err)
		}
		// The procedure returns electronically: the applicant has it now.
		got, content, err := w.app.Dossiers.OpenResult(w.ctx, w.actor("congdan.1"), d.Code, d.Code+"-KQ1")
		if err != nil || !bytes.Equal(content, pdfFile) || got.Code != d.Code+"-KQ1" {
			t.Fatalf("the applicant's download: %v", err)
		}
		for who, code := range map[string]string{"congdan.2": egov.ENOTFOUND, "motcua.31507": egov.ENOTFOUND} {
			if _, _, err := w.app.Dossiers.OpenResult(w.ctx, w.actor(who), d.Code, d.Code+"-KQ1"); errCode(err) != code {
				t.Errorf("%s downloading: %v", who, err)
			}
		}
		if _, _, err := w.app.Dossiers.OpenResult(w.ctx, w.actor("congdan.1"), d.Code, d.Code+"-KQ9"); errCode(err) != egov.ENOTFOUND {
			t.Errorf("no such result: %v", err)
		}
		if _, _, err := w.app.Dossiers.OpenResult(w.ctx, w.actor("motcua.31615"), d.Code, d.Code+"-KQ2"); err != nil {
			t.Fatal(err)
		}
		entries, err := w.app.Identity.AuditLog(w.ctx, w.actor("admin"), auditFilter("dossier.result_read"))
		if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Summary, d.Code+"-KQ2") {
			t.Errorf("audited downloads %v %v", entries, err)
		}
	})
}

// A paper-only result needs no file; a scan kept with it reaches the
// applicant once the result is returned, not before.
func TestPaperResult(t *testing.T) {
	db := storetest.SQLite(t)
	w := newWorld(t, db)
	fields := map[string]string{"requester_full_name": "Lâm Thị Hoa", "requester_cccd": "094190001234",
		"requester_address": "Ấp An Thạnh", "requester_phone": "0912345678", "document_name": "Giấy ủy quyền",
		"sign_method": "ky", "document_file": "Bản chính mang theo"}
	walkIn, err := w.app.Dossiers.Intake(w.ctx, w.actor("motcua.31615"), dossier.NewDossier{ProcedureCode: "2.000884",
		UnitCode: "31615", Channel: dossier.ChannelDirect, Fields: fields, Applicant: dossier.Applicant{Name: "Lâm Thị Hoa", Phone: "0912345678"}})
	if err != nil {
		t.Fatal(err)
	}
	finish := func(code string, in dossier.ActionInput) *dossier.Dossier {
		w.must("motcua.31615", code, dossier.ActAssign, dossier.ActionInput{Assignee: "chuyenvien.31615"})
		w.must("lanhdao.31615", code, dossier.ActApprove, dossier.ActionInput{})
		return w.must("chuyenvien.31615", code, dossier.ActFinish, in)
	}
	d := finish(walkIn.Code, dossier.ActionInput{Result: "Số chứng thực 15/2026"})
	if res, err := w.app.Dossiers.ResultsOf(w.ctx, w.actor("motcua.31615"), d); err != nil || len(res) != 0 {
		t.Fatalf("results of a paper result: %v %v", res, err)
	}

	// Online, with a scan of the paper result.
	a := w.actor("congdan.1")
	d, err = w.app.Dossiers.CreateDraft(w.ctx, a, dossier.NewDossier{ProcedureCode: "2.000884", UnitCode: "31615", Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	if d, err = w.app.Dossiers.Submit(w.ctx, a, d.Ref); err != nil {
		t.Fatal(err)
	}
	w.must("motcua.31615", d.Code, dossier.ActReceive, dossier.ActionInput{})
	d = finish(d.Code, dossier.ActionInput{ResultFiles: resultPDF()})
	if res, err := w.app.Dossiers.ResultsOf(w.ctx, a, d); err != nil || len(res) != 0 {
		t.Errorf("the applicant's results before the return: %v %v", res, err)
	}
	if _, _, err := w.app.Dossiers.OpenResult(w.ctx, a, d.Code, d.Code+"-KQ1"); errKey(err) != "result.not_ready" {
		t.Errorf("downloading before the return: %v", err)
	}
	if res, _ := w.app.Dossiers.ResultsOf(w.ctx, w.actor("motcua.31615"), d); len(res) != 1 {
		t.Errorf("the desk's results: %v", res)
	}
	d = w.must("motcua.31615", d.Code, dossier.ActReturnResult, dossier.ActionInput{})
	if _, content, err := w.app.Dossiers.OpenResult(w.ctx, a, d.Code, d.Code+"-KQ1"); err != nil || !bytes.Equal(content, pdfFile) {
		t.Errorf("downloading once returned: %v", err)
	}
}
