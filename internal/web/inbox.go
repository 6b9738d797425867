package web

import (
	"net/http"

	"egov/internal/identity"
)

// inbox is what waits for the officer, due first, so that what is overdue
// comes first: dossiers to receive and results to return at the desk,
// results to approve for a leader, dossiers handed to a specialist.
func (h *handler) inbox(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if a.User.Kind == identity.Citizen {
		seeOther(w, r, "/my/dossiers")
		return
	}
	q := r.URL.Query()
	n, err := pageNumber(q)
	if err != nil {
		h.failBack(w, r, err, "/inbox")
		return
	}
	ds, err := h.app.Dossiers.Inbox(r.Context(), a, n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &dossierListData{page: h.newPage(r, "dossier.inbox.title", "inbox")}
	if d.Rows, err = h.lookups(r).rows(ds, h.today(), false); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Prev, d.Next = pageLinks("/inbox", q, n, len(ds), listPerPage)
	h.render(w, r, http.StatusOK, "inbox", d)
}
