package web

import (
	"net/http"

	"egov/internal/dossier"
	"egov/internal/identity"
)

type dossierListData struct {
	*page
	Rows       []dossierRow
	Prev, Next string
}

// myDossiers lists the signed-in citizen's dossiers, drafts included:
// where each stands, when its result is due, who holds it now. Officers
// have their inbox instead.
func (h *handler) myDossiers(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if a.User.Kind != identity.Citizen {
		seeOther(w, r, "/inbox")
		return
	}
	q := r.URL.Query()
	n, err := pageNumber(q)
	if err != nil {
		h.failBack(w, r, err, "/my/dossiers")
		return
	}
	ds, err := h.app.Dossiers.List(r.Context(), a, dossier.ListQuery{Page: n, PerPage: listPerPage})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &dossierListData{page: h.newPage(r, "dossier.mine.title", "my_dossiers")}
	if d.Rows, err = h.lookups(r).rows(ds, h.today(), true); err != nil {
		h.fail(w, r, err)
		return
	}
	// The electronic results ready for the citizen, to download from here.
	for i, x := range ds {
		if x.Status != dossier.StatusResolved && x.Status != dossier.StatusReturned {
			continue
		}
		if d.Rows[i].Results, err = h.resultViews(r, a, x, d.Lang); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	d.Prev, d.Next = pageLinks("/my/dossiers", q, n, len(ds), listPerPage)
	h.render(w, r, http.StatusOK, "my_dossiers", d)
}
