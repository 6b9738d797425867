package web

import (
	"net/http"
	"net/url"

	"egov/internal/dossier"
)

type lookupData struct {
	*page
	Form   url.Values
	Result *dossier.PublicStatus
	Status string
	Due    string
}

// lookupForm is the public status lookup: a dossier code and the
// applicant's phone number, no sign-in. ?code= fills in the code (the link
// in the notices sent to the applicant).
func (h *handler) lookupForm(w http.ResponseWriter, r *http.Request) {
	form := url.Values{"code": {clipRunes(r.URL.Query().Get("code"), 64)}}
	h.render(w, r, http.StatusOK, "lookup", &lookupData{page: h.newPage(r, "dossier.lookup.title", "lookup"), Form: form})
}

// lookup answers with the code, the status and the due date, and nothing
// else; any mismatch is the same "not found". It is a POST so that the
// phone number stays out of addresses, histories and logs.
func (h *handler) lookup(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "dossier.lookup.title", "lookup")
	f := r.PostForm
	d := &lookupData{page: p, Form: url.Values{"code": {clipRunes(f.Get("code"), 64)}}}
	st, err := h.app.Dossiers.Lookup(r.Context(), r.RemoteAddr, clipRunes(f.Get("code"), 64), clipRunes(f.Get("phone"), 20))
	if err != nil {
		d.Form.Set("phone", clipRunes(f.Get("phone"), 20))
		_, code := h.formErrors(r, p, err)
		h.render(w, r, code, "lookup", d)
		return
	}
	d.Result = &st
	d.Status = tr(p.Lang, "dossier.status."+string(st.Status))
	d.Due = formatDate(p.Lang, st.DueDate)
	h.render(w, r, http.StatusOK, "lookup", d)
}
