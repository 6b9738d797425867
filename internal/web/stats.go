package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
	"egov/internal/workcal"
)

// CanStats reports whether the actor reads some unit's one-stop figures.
func (p *page) CanStats() bool {
	return p.SignedIn() && p.Actor.User.Kind == identity.Officer &&
		(hasPermission(p.Actor, identity.PermDossierStats) || hasPermission(p.Actor, identity.PermDossierRead))
}

type statsLineView struct {
	Label, N, Pct string
	Sub           bool
}

type statsRowView struct {
	Code, Name string
	Cells      []string
}

type statsPreset struct {
	Label, URL string
	Current    bool
}

type statsData struct {
	*page
	Form     url.Values
	Errors   map[string]string
	Units    []qOption
	Unit     string
	Presets  []statsPreset
	Lines    []statsLineView
	Columns  []string
	Rows     []statsRowView
	Total    statsRowView
	Download string
}

// statsQuery reads the unit and the period of the statistics pages: the
// first unit the officer may see and this month so far by default.
func (h *handler) statsQuery(r *http.Request, units []qOption) (unit string, from, to workcal.Date, err error) {
	q := r.URL.Query()
	unit = clipRunes(strings.TrimSpace(q.Get("unit")), 20)
	if unit == "" && len(units) > 0 {
		unit = units[0].Value
	}
	today := h.today()
	y, m, _ := today.Date()
	from, to = workcal.NewDate(y, m, 1), today
	for _, k := range []string{"from", "to"} {
		s := clipRunes(strings.TrimSpace(q.Get(k)), 20)
		if s == "" {
			continue
		}
		d, e := workcal.ParseDate(s)
		if e != nil {
			return unit, from, to, egov.FieldError(k, "error.bad_date", s)
		}
		if k == "from" {
			from = d
		} else {
			to = d
		}
	}
	return unit, from, to, nil
}

// statsUnitOptions are the units whose figures the actor may read.
func (h *handler) statsUnitOptions(r *http.Request, a *identity.Actor, selected string) ([]qOption, error) {
	us, err := h.app.Dossiers.StatsUnits(r.Context(), a)
	if err != nil {
		return nil, err
	}
	out := make([]qOption, 0, len(us))
	for _, u := range us {
		out = append(out, qOption{Value: u.Code, Label: u.Name + " (" + u.Code + ")", Selected: u.Code == selected})
	}
	return out, nil
}

// percent shows a share with one decimal, or nothing when undefined.
func percent(lang string, r *dossier.Ratio) string {
	if r == nil || !r.Defined() {
		return ""
	}
	s := strconv.FormatFloat(r.Percent(), 'f', 1, 64)
	if tr(lang, "format.thousands") == "." {
		s = strings.Replace(s, ".", ",", 1) // the decimal comma goes with the thousands dot
	}
	return s + "%"
}

// statsPage is the leaders' page: the figures of a unit's territory over a
// period, in total and per procedure, with the export.
func (h *handler) statsPage(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "stats.title", "stats")
	d := &statsData{page: p, Form: r.URL.Query()}
	if !p.CanStats() {
		h.fail(w, r, egov.Errorf(egov.EFORBIDDEN, "error.forbidden"))
		return
	}
	if d.Units, err = h.statsUnitOptions(r, a, ""); err != nil {
		h.fail(w, r, err)
		return
	}
	unit, from, to, err := h.statsQuery(r, d.Units)
	d.Unit, d.Errors = unit, map[string]string{}
	if err == nil {
		// The form shows the period it shows, defaults included.
		d.Form.Set("from", from.String())
		d.Form.Set("to", to.String())
	}
	for i := range d.Units {
		d.Units[i].Selected = d.Units[i].Value == unit
	}
	d.Presets = h.statsPresets(p.Lang, unit, from, to)
	if len(d.Units) == 0 {
		h.render(w, r, http.StatusOK, "stats", d)
		return
	}
	var st *dossier.Stats
	if err == nil {
		st, err = h.app.Dossiers.Stats(r.Context(), a, unit, from, to)
	}
	if e, ok := asFieldError(err); ok {
		d.Errors[e.Field] = tr(p.Lang, e.Key, e.Args...)
		h.render(w, r, http.StatusBadRequest, "stats", d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n := func(v int) string { return thousands(p.Lang, int64(v)) }
	for _, l := range st.Lines() {
		d.Lines = append(d.Lines, statsLineView{Label: tr(p.Lang, "stats.line."+l.Key), N: n(l.N), Pct: percent(p.Lang, l.Rate), Sub: l.Sub})
	}
	for _, k := range dossier.StatsColumns {
		d.Columns = append(d.Columns, tr(p.Lang, "stats.col."+k))
	}
	row := func(code, name string, c *dossier.Counts) statsRowView {
		v := statsRowView{Code: code, Name: name}
		for _, cell := range c.Cells() {
			if cell.Rate != nil {
				v.Cells = append(v.Cells, percent(p.Lang, cell.Rate))
			} else {
				v.Cells = append(v.Cells, n(cell.N))
			}
		}
		return v
	}
	for i := range st.ByProcedure {
		ps := &st.ByProcedure[i]
		d.Rows = append(d.Rows, row(ps.Code, ps.Name, &ps.Counts))
	}
	d.Total = row("", tr(p.Lang, "stats.total"), &st.Counts)
	d.Download = "/dossiers/stats.xlsx?" + url.Values{"unit": {unit}, "from": {from.String()}, "to": {to.String()},
		"lang": {p.Lang}}.Encode()
	h.render(w, r, http.StatusOK, "stats", d)
}

// statsPresets are the links to this month, quarter and year so far.
func (h *handler) statsPresets(lang, unit string, from, to workcal.Date) []statsPreset {
	today := h.today()
	y, m, _ := today.Date()
	q := time.Month((int(m)-1)/3*3 + 1)
	var out []statsPreset
	for _, p := range []struct {
		key  string
		from workcal.Date
	}{
		{"stats.this_month", workcal.NewDate(y, m, 1)},
		{"stats.this_quarter", workcal.NewDate(y, q, 1)},
		{"stats.this_year", workcal.NewDate(y, 1, 1)},
	} {
		v := url.Values{"unit": {unit}, "from": {p.from.String()}, "to": {today.String()}}
		out = append(out, statsPreset{Label: tr(lang, p.key), URL: "/dossiers/stats?" + v.Encode(),
			Current: from == p.from && to == today})
	}
	return out
}

// statsXLSX is the export of the leaders' page.
func (h *handler) statsXLSX(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := state(r).lang
	units, err := h.statsUnitOptions(r, a, "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	unit, from, to, err := h.statsQuery(r, units)
	if err == nil && unit == "" {
		err = egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	var st *dossier.Stats
	if err == nil {
		st, err = h.app.Dossiers.Stats(r.Context(), a, unit, from, to)
	}
	if err != nil {
		h.failBack(w, r, err, "/dossiers/stats")
		return
	}
	name := unit
	if g, err := h.app.Units.Graph(r.Context()); err == nil {
		if u := g.At(unit, h.app.Units.Today()); u != nil {
			name = u.Name
		}
	}
	var buf bytes.Buffer
	label := func(key string, args ...any) string { return tr(lang, key, args...) }
	if err := dossier.WriteStatsXLSX(&buf, st, name, label); err != nil {
		h.fail(w, r, err)
		return
	}
	sendXLSX(w, "so-lieu-"+unit+"-"+from.String()+"-"+to.String()+".xlsx", buf.Bytes())
}

// sendXLSX sends a workbook as a download.
func sendXLSX(w http.ResponseWriter, filename string, b []byte) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}

// dossierRegister downloads the register of a unit (Mẫu 06) for a year,
// or for the period from/to.
func (h *handler) dossierRegister(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	unit := clipRunes(strings.TrimSpace(q.Get("unit")), 20)
	year := h.today().Year()
	if s := strings.TrimSpace(q.Get("year")); s != "" {
		if year, err = strconv.Atoi(s); err != nil || year < 1900 || year > 2199 {
			h.failBack(w, r, egov.FieldError("year", "error.bad_number", clipRunes(s, 20)), "/dossiers")
			return
		}
	}
	from, to := workcal.NewDate(year, 1, 1), workcal.NewDate(year, 12, 31)
	for k, dst := range map[string]*workcal.Date{"from": &from, "to": &to} {
		if s := strings.TrimSpace(q.Get(k)); s != "" {
			if *dst, err = workcal.ParseDate(s); err != nil {
				h.failBack(w, r, egov.FieldError(k, "error.bad_date", clipRunes(s, 20)), "/dossiers")
				return
			}
		}
	}
	if unit == "" {
		h.failBack(w, r, egov.FieldError("unit", "error.missing", "unit"), "/dossiers")
		return
	}
	reg, err := h.app.Dossiers.Register(r.Context(), a, unit, from, to)
	if err != nil {
		h.failBack(w, r, err, "/dossiers")
		return
	}
	var buf bytes.Buffer
	if err := dossier.WriteRegisterXLSX(&buf, reg); err != nil {
		h.fail(w, r, err)
		return
	}
	sendXLSX(w, "so-theo-doi-ho-so-"+unit+"-"+from.String()+"-"+to.String()+".xlsx", buf.Bytes())
}
