package api

import (
	"net/http"
	"strconv"

	"egov/internal/dossier"
)

// dossierFormPDF serves GET /api/v1/dossiers/{code}/forms/{form}: a form
// of Circular 01/2018 (01–05) as an A5 PDF, once its step happened.
func (h *handler) dossierFormPDF(w http.ResponseWriter, r *http.Request) error {
	pdf, name, err := h.app.Dossiers.FormPDF(r.Context(), actor(r), r.PathValue("code"), dossier.FormNo(r.PathValue("form")))
	if err != nil {
		return err
	}
	writePDF(w, name, pdf)
	return nil
}

// writePDF sends a PDF as a download.
func writePDF(w http.ResponseWriter, name string, pdf []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "application/pdf")
	hd.Set("Content-Disposition", dossier.ContentDisposition(name))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Length", strconv.Itoa(len(pdf)))
	w.WriteHeader(http.StatusOK)
	w.Write(pdf)
}
