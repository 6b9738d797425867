package web

import (
	"errors"
	"net/http"
	"strings"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
)

type dossierNewData struct {
	*page
	P      *dossier.Procedure
	Units  []qOption
	Drafts []dossierRow // the citizen's unfinished drafts of this procedure
	Errors map[string]string
}

// dossierNewForm starts an online filing: the citizen chooses the unit
// (today's units at the procedure's level) that will receive the dossier.
// Visitors are sent to sign in and come back; officers file at the counter.
func (h *handler) dossierNewForm(w http.ResponseWriter, r *http.Request) {
	h.renderDossierNew(w, r, http.StatusOK, strings.TrimSpace(r.URL.Query().Get("procedure")), "", map[string]string{}, "")
}

func (h *handler) renderDossierNew(w http.ResponseWriter, r *http.Request, status int, code, unit string, errs map[string]string, formError string) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if a.User.Kind != identity.Citizen {
		h.failBack(w, r, egov.Errorf(egov.EFORBIDDEN, "dossier.citizens_only"), "/intake")
		return
	}
	if !dossier.ValidCode(code) {
		h.failBack(w, r, egov.Errorf(egov.ENOTFOUND, "procedure.not_found", clipRunes(code, 20)), "/procedures")
		return
	}
	pr, err := h.app.Procedures.Get(r.Context(), code)
	if err != nil {
		h.failBack(w, r, err, "/procedures")
		return
	}
	if !acceptsOnline(pr) {
		h.failBack(w, r, egov.Errorf(egov.ECONFLICT, "dossier.not_online", pr.Code), "/procedures/"+pr.Code)
		return
	}
	p := h.newPage(r, "dossier.new.title", "procedures")
	p.formPage("/dossiers/new?procedure=" + pr.Code)
	p.Error = formError
	d := &dossierNewData{page: p, P: pr, Errors: errs}
	if d.Units, err = h.unitOptions(r.Context(), pr.Level, nil, unit); err != nil {
		h.fail(w, r, err)
		return
	}
	mine, err := h.app.Dossiers.List(r.Context(), a, dossier.ListQuery{Status: dossier.StatusDraft, PerPage: 200})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l := h.lookups(r)
	for _, m := range mine {
		if m.ProcedureCode != pr.Code {
			continue
		}
		row, err := l.row(m, h.today(), true)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Drafts = append(d.Drafts, row)
	}
	h.render(w, r, status, "dossier_new", d)
}

func acceptsOnline(p *dossier.Procedure) bool {
	for _, c := range p.Channels {
		if c == dossier.ChannelOnline {
			return true
		}
	}
	return false
}

// dossierNew creates the draft and opens its first step.
func (h *handler) dossierNew(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	code := strings.TrimSpace(r.PostForm.Get("procedure"))
	unit := strings.TrimSpace(r.PostForm.Get("unit"))
	if unit == "" {
		h.renderDossierNew(w, r, http.StatusUnprocessableEntity, code, unit,
			map[string]string{"unit": tr(state(r).lang, "dossier.new.unit_required")}, "")
		return
	}
	d, err := h.app.Dossiers.CreateDraft(r.Context(), a, dossier.NewDossier{ProcedureCode: code, UnitCode: unit})
	if err != nil {
		if e, ok := asFieldError(err); ok && e.Field == "unit" {
			h.renderDossierNew(w, r, http.StatusUnprocessableEntity, code, unit,
				map[string]string{"unit": tr(state(r).lang, e.Key, e.Args...)}, "")
			return
		}
		h.failBack(w, r, err, "/procedures/"+clipRunes(code, 20))
		return
	}
	seeOther(w, r, "/dossiers/"+d.Ref+"/form")
}

// asFieldError returns the domain's error about one input, if err is one.
func asFieldError(err error) (*egov.Error, bool) {
	var fe dossier.FormErrors
	if errors.As(err, &fe) {
		return nil, false
	}
	var e *egov.Error
	if errors.As(err, &e) && e.Field != "" && e.Code == egov.EINVALID {
		return e, true
	}
	return nil, false
}
