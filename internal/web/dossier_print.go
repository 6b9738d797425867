package web

import (
	"net/http"

	"egov/internal/dossier"
)

// dossierReceipt serves the receipt of a received dossier (Mẫu 01, "Giấy
// tiếp nhận hồ sơ và hẹn trả kết quả") as an A5 PDF, to its applicant and
// to the officers who may read it.
func (h *handler) dossierReceipt(w http.ResponseWriter, r *http.Request) {
	h.serveForm(w, r, dossier.FormReceipt)
}

// dossierPrintForm serves a form of Circular 01/2018 (01–05) of the dossier as
// an A5 PDF: the applicant's forms to the applicant, every form to the
// officers who may read it (their printing is audited).
func (h *handler) dossierPrintForm(w http.ResponseWriter, r *http.Request) {
	h.serveForm(w, r, dossier.FormNo(r.PathValue("form")))
}

func (h *handler) serveForm(w http.ResponseWriter, r *http.Request, f dossier.FormNo) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	code := r.PathValue("code")
	pdf, name, err := h.app.Dossiers.FormPDF(r.Context(), a, code, f)
	if err != nil {
		h.failBack(w, r, err, "/dossiers/"+code)
		return
	}
	servePDF(w, name, pdf)
}

// servePDF sends a printable PDF, shown in the browser, never cached.
func servePDF(w http.ResponseWriter, name string, pdf []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(pdf)
}
