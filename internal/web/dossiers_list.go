package web

import (
	"net/http"
	"net/url"
	"strings"

	"egov/internal/dossier"
	"egov/internal/identity"
	"egov/internal/workcal"
)

type dossiersData struct {
	*page
	Form       url.Values
	Errors     map[string]string
	Statuses   []qOption
	Rows       []dossierRow
	Searched   bool
	Prev, Next string
	Year       int // of the register to download
}

// dossiersList lists the dossiers of the officer's territory, due first,
// filtered by unit, status and filing dates, page by page.
func (h *handler) dossiersList(w http.ResponseWriter, r *http.Request) {
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
	p := h.newPage(r, "dossier.list.title", "inbox")
	d := &dossiersData{page: p, Form: q, Errors: map[string]string{}, Year: h.today().Year()}
	clip := func(k string) string { return clipRunes(strings.TrimSpace(q.Get(k)), 40) }
	lq := dossier.ListQuery{UnitCode: clip("unit"), Status: dossier.Status(clip("status")), PerPage: listPerPage}
	for _, s := range dossier.Statuses {
		if s == dossier.StatusDraft {
			continue
		}
		d.Statuses = append(d.Statuses, qOption{Value: string(s), Label: tr(p.Lang, "dossier.status."+string(s)), Selected: s == lq.Status})
	}
	for _, k := range []string{"from", "to"} {
		s := clip(k)
		if s == "" {
			continue
		}
		day, err := workcal.ParseDate(s)
		if err != nil {
			d.Errors[k] = tr(p.Lang, "error.bad_date", s)
			continue
		}
		if k == "from" {
			lq.From = day
		} else {
			lq.To = day
		}
	}
	if lq.Page, err = pageNumber(q); err != nil {
		h.failBack(w, r, err, "/dossiers")
		return
	}
	if len(d.Errors) > 0 {
		h.render(w, r, http.StatusBadRequest, "dossiers", d)
		return
	}
	ds, err := h.app.Dossiers.List(r.Context(), a, lq)
	if e, ok := asFieldError(err); ok {
		field := e.Field
		if field != "status" {
			field = "unit"
		}
		d.Errors[field] = tr(p.Lang, e.Key, e.Args...)
		h.render(w, r, http.StatusBadRequest, "dossiers", d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Searched = lq.UnitCode != "" || lq.Status != "" || !lq.From.IsZero() || !lq.To.IsZero()
	if d.Rows, err = h.lookups(r).rows(ds, h.today(), false); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Prev, d.Next = pageLinks("/dossiers", q, lq.Page, len(ds), listPerPage)
	h.render(w, r, http.StatusOK, "dossiers", d)
}
