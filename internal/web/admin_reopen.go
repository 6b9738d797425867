package web

import (
	"net/http"
	"net/url"
	"strings"

	"egov/internal/identity"
	"egov/internal/workcal"
)

type reopeningView struct {
	Report, Unit, Until, Reason, By string
}

type adminReopenData struct {
	*page
	Form    url.Values
	Errors  map[string]string
	Forms   []qOption
	Current []reopeningView
}

// adminReopen serves GET /admin/reports/reopen: the form that reopens a
// unit's closed report (prefilled from ?form=&period=&unit=, so that an
// entry page can link here) and the reopenings in force.
func (h *handler) adminReopen(w http.ResponseWriter, r *http.Request) {
	if _, err := requirePermission(r, identity.PermStatsApprove); err != nil {
		h.fail(w, r, err)
		return
	}
	d := &adminReopenData{page: h.newPage(r, "stats.reopen.title", "admin"), Form: r.URL.Query(), Errors: map[string]string{}}
	h.renderReopen(w, r, http.StatusOK, d)
}

func (h *handler) renderReopen(w http.ResponseWriter, r *http.Request, st int, d *adminReopenData) {
	cat, err := h.app.Reporting.Catalogue(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, f := range cat.Forms {
		d.Forms = append(d.Forms, qOption{Value: f.Code, Label: f.Name(d.Lang) + " (" + f.Code + ")", Selected: f.Code == d.Form.Get("form")})
	}
	ros, err := h.app.Reporting.Reopenings(r.Context(), state(r).actor)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, ro := range ros {
		d.Current = append(d.Current, reopeningView{Report: ro.Form + " · " + ro.Period, Unit: ro.UnitName + " (" + ro.Unit + ")",
			Until: cdmy(ro.Until), Reason: ro.Reason, By: ro.By})
	}
	h.render(w, r, st, "admin_reopen", d)
}

// adminReopenSave serves POST /admin/reports/reopen.
func (h *handler) adminReopenSave(w http.ResponseWriter, r *http.Request) {
	a, err := requirePermission(r, identity.PermStatsApprove)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	d := &adminReopenData{page: h.newPage(r, "stats.reopen.title", "admin"), Form: r.PostForm, Errors: map[string]string{}}
	get := func(k string) string { return clipRunes(strings.TrimSpace(r.PostForm.Get(k)), 1000) }
	until, err := workcal.ParseDate(get("until"))
	if err != nil {
		d.Errors["until"] = tr(d.Lang, "error.bad_date", clipRunes(get("until"), 20))
		h.renderReopen(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	ro, err := h.app.Reporting.Reopen(r.Context(), a, get("form"), get("period"), get("unit"), until, get("reason"))
	if err != nil {
		var st int
		d.Errors, st = h.formErrors(r, d.page, err)
		h.renderReopen(w, r, st, d)
		return
	}
	d.Notice = tr(d.Lang, "stats.reopen.done", ro.Form, ro.Period, ro.UnitName+" ("+ro.Unit+")", cdmy(ro.Until))
	d.Form = url.Values{}
	h.renderReopen(w, r, http.StatusOK, d)
}
