package web

import (
	"bytes"
	"net/http"
	"strings"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
)

var errNotReceivedYet = egov.Errorf(egov.ECONFLICT, "dossier.receipt_not_yet")

// dossierReceipt serves the receipt of a received dossier (Mẫu 01, "Giấy
// tiếp nhận hồ sơ và hẹn trả kết quả") as an A5 PDF, to its applicant and
// to the officers who may read it.
func (h *handler) dossierReceipt(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	d, err := h.app.Dossiers.Get(ctx, a, r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Code == "" || d.DueDate.IsZero() {
		h.failBack(w, r, errNotReceivedYet, "/dossiers/"+d.Code)
		return
	}
	p, err := h.app.Procedures.Get(ctx, d.ProcedureCode)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	g, err := h.app.Units.Graph(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var agency, parent string
	if u := g.ByID(d.UnitID); u != nil {
		at := u.LastDay(h.app.Units.Today())
		agency = "UBND " + strings.ToUpper(u.Name)
		if anc := g.Ancestors(u, at); len(anc) > 0 {
			parent = strings.ToUpper(anc[len(anc)-1].Name)
		}
	}
	officer := ""
	if a.User.Kind == identity.Officer {
		officer = a.User.FullName
	}
	data := dossier.ReceiptFor(d, p, agency, parent, officer)
	data.LookupURL = "/lookup"
	var buf bytes.Buffer
	if err := dossier.WriteReceiptPDF(&buf, data); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="giay-tiep-nhan-`+d.Code+`.pdf"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(buf.Bytes())
}
