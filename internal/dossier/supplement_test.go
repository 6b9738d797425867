package dossier_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"egov"
	"egov/internal/dossier"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

// TestSupplyAnswersEveryItem: the applicant's answer to a request for
// documents must answer each item (a marked field changed, a file attached
// since the request for a marked file field and for each document outside
// the form), and it does not reopen the once-only apology.
func TestSupplyAnswersEveryItem(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.filed("congdan.1")
		w.mustAttach("motcua.31615", d.Code, "divorce_or_death_file", "scan.pdf", pdfFile)
		w.must("motcua.31615", d.Code, dossier.ActReceive, dossier.ActionInput{})
		w.must("chuyenvien.31615", d.Code, dossier.ActApologise, dossier.ActionInput{Note: "Cần xác minh", NewDate: workcal.NewDate(2026, 11, 12)})
		w.clock = w.clock.Add(time.Hour)
		w.must("motcua.31615", d.Code, dossier.ActRequestDocuments, dossier.ActionInput{Items: []dossier.SupplementItem{
			{Field: "marital_status"}, {Field: "divorce_or_death_file"}, {Note: "Bản sao sổ hộ khẩu"}}})
		w.clock = time.Date(2026, 11, 3, 9, 0, 0, 0, workcal.ICT)

		supply := func(fields map[string]string, key, field string) {
			t.Helper()
			_, err := w.act("congdan.1", d.Code, dossier.ActSupplyDocuments, dossier.ActionInput{Fields: fields})
			var e *egov.Error
			if errKey(err) != key || !errors.As(err, &e) || e.Field != field {
				t.Fatalf("supplying %v: %v, want %s on %s", fields, err, key, field)
			}
		}
		supply(nil, "dossier.supply_unchanged", "marital_status")
		supply(map[string]string{"marital_status": "chua_ket_hon"}, "dossier.supply_unchanged", "marital_status")
		// The desk's scan from before the request is no answer.
		fixed := map[string]string{"marital_status": "da_ly_hon"}
		supply(fixed, "dossier.supply_file_missing", "divorce_or_death_file")
		w.mustAttach("congdan.1", d.Code, "divorce_or_death_file", "ban-an.pdf", pdfFile)
		supply(fixed, "dossier.supply_document_missing", "attachments")
		w.mustAttach("congdan.1", d.Code, "", "so-ho-khau.pdf", pdfFile)
		d = w.must("congdan.1", d.Code, dossier.ActSupplyDocuments, dossier.ActionInput{Fields: fixed})
		if d.Status != dossier.StatusReceived || d.Fields["marital_status"] != "da_ly_hon" || !d.Apologised {
			t.Fatalf("after the supplement: %s %v apologised %v", d.Status, d.Fields, d.Apologised)
		}

		// Mẫu 04 is once only, before or after a request for documents.
		if slices.Contains(w.app.Dossiers.Allowed(w.ctx, w.actor("chuyenvien.31615"), d), dossier.ActApologise) {
			t.Error("a second apology offered")
		}
		if _, err := w.act("chuyenvien.31615", d.Code, dossier.ActApologise, dossier.ActionInput{Note: "Lần nữa", NewDate: workcal.NewDate(2026, 11, 20)}); errKey(err) != "dossier.apology_once" {
			t.Fatalf("a second apology: %v", err)
		}
	})
}
