package web

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/workcal"
)

// CanAnalyse reports whether the analytics link applies.
func (p *page) CanAnalyse() bool {
	return p.SignedIn() && hasPermission(p.Actor, identity.PermStatsAnalyse)
}

// The dimensions of a pivot: indicators, periods, units and, when a
// category is chosen, its options.
const (
	dimDX = "dx"
	dimPE = "pe"
	dimOU = "ou"
	dimCO = "co"
)

// pivotPageCells bounds what one page shows; exports take up to
// reporting.MaxCells.
const pivotPageCells = 20000

// pivotQuery is the form of the pivot page, as read from the URL: the same
// query string serves the page and its exports.
type pivotQuery struct {
	DX       []string
	PE       []string
	OU       []string
	Level    string // "", CHILDREN or LEVEL-n
	At       workcal.Date
	Category string
	Rows     string
	Cols     string
	Chart    string // bar, line or none
}

// readPivot reads the pivot form; errs gets a message per field.
func (h *handler) readPivot(lang string, q url.Values, errs map[string]string) pivotQuery {
	p := pivotQuery{Rows: dimOU, Cols: dimPE, Chart: "bar", At: h.today()}
	split := func(s string) []string {
		var out []string
		for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' }) {
			out = append(out, clipRunes(f, 40))
		}
		return out
	}
	for _, d := range q["dx"] {
		for _, x := range split(d) {
			if !slices.Contains(p.DX, x) {
				p.DX = append(p.DX, x)
			}
		}
	}
	p.PE = split(q.Get("pe"))
	p.OU = split(q.Get("ou"))
	if l := q.Get("level"); l == "CHILDREN" || strings.HasPrefix(l, "LEVEL-") {
		p.Level = clipRunes(l, 10)
	}
	if s := strings.TrimSpace(q.Get("at")); s != "" {
		d, err := workcal.ParseDate(s)
		if err != nil {
			errs["at"] = tr(lang, "error.bad_date", clipRunes(s, 20))
		} else {
			p.At = d
		}
	}
	p.Category = clipRunes(q.Get("category"), 40)
	dims := []string{dimDX, dimPE, dimOU, dimCO}
	if v := q.Get("rows"); slices.Contains(dims, v) {
		p.Rows = v
	}
	if v := q.Get("cols"); slices.Contains(dims, v) {
		p.Cols = v
	}
	if p.Rows == p.Cols {
		errs["cols"] = tr(lang, "analytics.same_dimension")
	}
	if (p.Rows == dimCO || p.Cols == dimCO) && p.Category == "" {
		errs["category"] = tr(lang, "analytics.category_needed")
	}
	if v := q.Get("chart"); v == "line" || v == "none" {
		p.Chart = v
	}
	return p
}

// encode is the query string of the pivot, for the exports' links.
func (p pivotQuery) encode(lang string) string {
	v := url.Values{"dx": p.DX, "pe": {strings.Join(p.PE, ";")}, "ou": {strings.Join(p.OU, ";")}, "level": {p.Level},
		"at": {p.At.String()}, "category": {p.Category}, "rows": {p.Rows}, "cols": {p.Cols}, "chart": {p.Chart}, "lang": {lang}}
	return v.Encode()
}

// dimItem is one item of a pivot dimension.
type dimItem struct{ Code, Label string }

// pivot is an analytics answer arranged in rows, columns and filters.
type pivot struct {
	Rows, Cols   []dimItem
	RowDim       string
	ColDim       string
	FilterDims   []string
	Tables       []pivotTable
	Progress     []reporting.Progress
	Names        map[string]string
	Cells        int
	ComputedNote bool
}

// pivotTable is one table: the rows and columns for one item of each
// filter dimension.
type pivotTable struct {
	Filters []dimItem
	Values  [][]float64 // [row][col]; NaN: no value
}

// runPivot answers the pivot: one analytics query with every item (with a
// category, each indicator once per option it has, and once in total).
func (h *handler) runPivot(r *http.Request, a *identity.Actor, lang string, p pivotQuery, maxCells int) (*pivot, error) {
	cat, err := h.app.Reporting.Catalogue(r.Context())
	if err != nil {
		return nil, err
	}
	items := map[string][]dimItem{}
	for _, code := range p.DX {
		items[dimDX] = append(items[dimDX], dimItem{Code: code})
	}
	// co items: the category's options, then the total ("").
	type dxco struct{ dx, co string }
	codes := map[string]dxco{} // analytics dx code → indicator and option
	var dx []string
	for _, code := range p.DX {
		dx = append(dx, code)
		codes[code] = dxco{code, ""}
	}
	if p.Category != "" {
		c := cat.Category(p.Category)
		if c == nil {
			return nil, egov.FieldError("category", "analytics.unknown_category", clipRunes(p.Category, 40))
		}
		for _, o := range c.Options {
			items[dimCO] = append(items[dimCO], dimItem{Code: o.Code, Label: o.Name(lang)})
			for _, code := range p.DX {
				if hasCategory(cat, code, c.Code) {
					dx = append(dx, code+"."+o.Code)
					codes[code+"."+o.Code] = dxco{code, o.Code}
				}
			}
		}
		items[dimCO] = append(items[dimCO], dimItem{Code: "", Label: tr(lang, "analytics.total")})
	}
	ou := append(slices.Clone(p.OU), p.Level)
	if p.Level == "" {
		ou = p.OU
	}
	q := reporting.AnalyticsQuery{DX: dx, PE: p.PE, OU: ou, At: p.At.Time(time.UTC), Lang: lang}
	res, err := h.app.Reporting.Analytics(r.Context(), a, q)
	if err != nil {
		return nil, err
	}
	for _, pe := range p.PE {
		items[dimPE] = append(items[dimPE], dimItem{Code: pe, Label: pe})
	}
	for _, u := range res.Units {
		items[dimOU] = append(items[dimOU], dimItem{Code: u.Code, Label: u.Name})
	}
	for i := range items[dimDX] {
		it := &items[dimDX][i]
		it.Label = res.Names[it.Code]
		if ind := cat.Indicator(it.Code); ind != nil && ind.Unit != "" {
			it.Label += " (" + ind.Unit + ")"
		}
	}
	dims := []string{dimDX, dimPE, dimOU}
	if p.Category != "" {
		dims = append(dims, dimCO)
	}
	pv := &pivot{RowDim: p.Rows, ColDim: p.Cols, Rows: items[p.Rows], Cols: items[p.Cols], Names: res.Names}
	for _, d := range dims {
		if d != p.Rows && d != p.Cols {
			pv.FilterDims = append(pv.FilterDims, d)
		}
	}
	if !slices.Contains(dims, p.Rows) || !slices.Contains(dims, p.Cols) {
		return nil, egov.FieldError("category", "analytics.category_needed")
	}
	// The tables: every combination of the filter dimensions' items.
	combos := [][]dimItem{{}}
	for _, d := range pv.FilterDims {
		var next [][]dimItem
		for _, c := range combos {
			for _, it := range items[d] {
				next = append(next, append(slices.Clone(c), it))
			}
		}
		combos = next
	}
	pv.Cells = len(combos) * len(pv.Rows) * len(pv.Cols)
	if pv.Cells > maxCells {
		return nil, egov.FieldError("ou", "stats.too_many_cells", pv.Cells, maxCells)
	}
	index := map[string]int{}
	key := func(vals map[string]string) string {
		return vals[dimDX] + "|" + vals[dimPE] + "|" + vals[dimOU] + "|" + vals[dimCO]
	}
	for i, row := range res.Rows {
		c := codes[row.DX]
		index[key(map[string]string{dimDX: c.dx, dimPE: row.PE, dimOU: row.OU, dimCO: c.co})] = i
	}
	for _, combo := range combos {
		t := pivotTable{Filters: combo, Values: make([][]float64, len(pv.Rows))}
		vals := map[string]string{}
		for i, d := range pv.FilterDims {
			vals[d] = combo[i].Code
		}
		for ri, row := range pv.Rows {
			t.Values[ri] = make([]float64, len(pv.Cols))
			vals[p.Rows] = row.Code
			for ci, col := range pv.Cols {
				vals[p.Cols] = col.Code
				t.Values[ri][ci] = math.NaN()
				if i, ok := index[key(vals)]; ok {
					t.Values[ri][ci] = res.Rows[i].Value
				}
			}
		}
		pv.Tables = append(pv.Tables, t)
	}
	for _, code := range p.DX {
		if ind := cat.Indicator(code); ind != nil && ind.Computed() {
			pv.ComputedNote = true
		}
	}
	// Targets of the plain indicators, beside their values.
	if pv.Progress, err = h.app.Reporting.Progress(r.Context(), a, reporting.AnalyticsQuery{DX: p.DX, PE: p.PE, OU: ou, At: q.At, Lang: lang}); err != nil {
		return nil, err
	}
	return pv, nil
}

// hasCategory reports whether an indicator (for a computed one, its
// numerator or denominator) is disaggregated by the category.
func hasCategory(cat *reporting.Catalogue, code, category string) bool {
	ind := cat.Indicator(code)
	if ind == nil {
		return false
	}
	if ind.Computed() {
		return hasCategory(cat, ind.Numerator, category) || hasCategory(cat, ind.Denominator, category)
	}
	return slices.Contains(ind.Categories, category)
}

type analyticsTableView struct {
	Caption string
	Rows    []analyticsRowView
}

type analyticsRowView struct {
	Label string
	Cells []string
}

type progressView struct {
	Indicator, Unit, Period, Target, Actual, Status, StatusKey string
}

type analyticsData struct {
	*page
	Errors     map[string]string
	Query      pivotQuery
	Indicators []qOption
	Categories []qOption
	Levels     []qOption
	Dims       []qOption // for rows and columns
	RowsDim    []qOption
	ColsDim    []qOption
	Charts     []qOption
	PE, OU, At string
	Shown      bool
	ColHead    []string
	RowHead    string
	Tables     []analyticsTableView
	Bar, Line  any // template.HTML
	ChartNote  string
	Progress   []progressView
	Computed   bool
	XLSX, CSV  string
	Empty      bool
}

// analyticsPage is the pivot page: choose indicators, periods, units (in
// the structure of a date) and a category, and what goes in rows, columns
// and filters; see the table, a chart, the targets, and download the same.
func (h *handler) analyticsPage(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "analytics.title", "analytics")
	if !p.CanAnalyse() {
		h.fail(w, r, egov.Errorf(egov.EFORBIDDEN, "error.forbidden"))
		return
	}
	d := &analyticsData{page: p, Errors: map[string]string{}}
	uq := r.URL.Query()
	d.Query = h.readPivot(p.Lang, uq, d.Errors)
	if err := h.analyticsOptions(r, d); err != nil {
		h.fail(w, r, err)
		return
	}
	d.PE, d.OU, d.At = strings.Join(d.Query.PE, "; "), strings.Join(d.Query.OU, "; "), d.Query.At.String()
	if len(d.Query.DX) == 0 || len(d.Query.PE) == 0 || len(d.Query.OU) == 0 {
		// The first visit: the form with suggestions, no table yet.
		if uq.Has("dx") || uq.Has("pe") || uq.Has("ou") {
			for _, f := range []struct {
				name string
				ok   bool
			}{{"dx", len(d.Query.DX) > 0}, {"pe", len(d.Query.PE) > 0}, {"ou", len(d.Query.OU) > 0}} {
				if !f.ok {
					d.Errors[f.name] = tr(p.Lang, "analytics.required")
				}
			}
			h.render(w, r, http.StatusUnprocessableEntity, "analytics", d)
			return
		}
		// Suggestions: last year, over the first unit the actor analyses.
		d.PE = strconv.Itoa(d.Query.At.Year() - 1)
		if ids, _ := a.Scope(identity.PermStatsAnalyse); len(ids) > 0 {
			if g, err := h.app.Units.Graph(r.Context()); err == nil {
				if u := g.ByID(ids[0]); u != nil {
					d.OU = u.Code
				}
			}
		}
		h.render(w, r, http.StatusOK, "analytics", d)
		return
	}
	if len(d.Errors) > 0 {
		h.render(w, r, http.StatusUnprocessableEntity, "analytics", d)
		return
	}
	pv, err := h.runPivot(r, a, p.Lang, d.Query, pivotPageCells)
	if e, ok := asFieldError(err); ok {
		d.Errors[e.Field] = tr(p.Lang, e.Key, e.Args...)
		h.render(w, r, http.StatusUnprocessableEntity, "analytics", d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showPivot(d, pv)
	h.render(w, r, http.StatusOK, "analytics", d)
}

// showPivot fills the page's tables, charts and targets from the pivot.
func (h *handler) showPivot(d *analyticsData, pv *pivot) {
	lang := d.Lang
	num := func(v float64) string { return formatNumber(lang, v) }
	d.Shown, d.Computed = true, pv.ComputedNote
	d.RowHead = tr(lang, "analytics.dim."+pv.RowDim)
	for _, c := range pv.Cols {
		d.ColHead = append(d.ColHead, c.Label)
	}
	empty := true
	for _, t := range pv.Tables {
		var caption []string
		for _, f := range t.Filters {
			caption = append(caption, f.Label)
		}
		tv := analyticsTableView{Caption: strings.Join(caption, " · ")}
		for ri, row := range pv.Rows {
			rv := analyticsRowView{Label: row.Label}
			for _, v := range t.Values[ri] {
				rv.Cells = append(rv.Cells, num(v))
				empty = empty && math.IsNaN(v)
			}
			tv.Rows = append(tv.Rows, rv)
		}
		d.Tables = append(d.Tables, tv)
	}
	d.Empty = empty
	if d.Query.Chart != "none" && !empty && len(pv.Tables) > 0 {
		c := pivotChart(lang, pv, 0)
		if len(pv.Rows) > chartMaxCategories || len(pv.Cols) > chartMaxSeries || len(pv.Tables) > 1 {
			d.ChartNote = tr(lang, "analytics.chart_note", chartMaxCategories, chartMaxSeries)
		}
		if d.Query.Chart == "line" {
			c.ID = "line"
			d.Line = c.svgLine()
		} else {
			c.ID = "bar"
			d.Bar = c.svgBar()
		}
	}
	for _, pr := range pv.Progress {
		v := progressView{Indicator: pv.Names[pr.Indicator], Unit: pv.Names[pr.Unit], Period: pr.Period.String(), Target: num(pr.Value)}
		if pr.HasActual {
			v.Actual, v.StatusKey = num(pr.Actual), string(pr.Status)
			v.Status = tr(lang, "analytics.status."+string(pr.Status))
		} else {
			v.Status = tr(lang, "analytics.status.no_value")
		}
		d.Progress = append(d.Progress, v)
	}
	qs := d.Query.encode(lang)
	d.XLSX, d.CSV = "/analytics.xlsx?"+qs, "/analytics.csv?"+qs
}

// pivotChart is the chart of table t: the rows along the axis, a series
// per column, within the chart's bounds.
func pivotChart(lang string, pv *pivot, t int) *chart {
	rows, cols := pv.Rows, pv.Cols
	rows, cols = rows[:min(len(rows), chartMaxCategories)], cols[:min(len(cols), chartMaxSeries)]
	c := &chart{Format: func(v float64) string { return formatNumber(lang, v) }}
	for _, r := range rows {
		c.Categories = append(c.Categories, r.Label)
	}
	for _, col := range cols {
		c.Series = append(c.Series, col.Label)
	}
	c.Values = make([][]float64, len(cols))
	for ci := range cols {
		c.Values[ci] = make([]float64, len(rows))
		for ri := range rows {
			c.Values[ci][ri] = pv.Tables[t].Values[ri][ci]
		}
	}
	var filters []string
	for _, f := range pv.Tables[t].Filters {
		filters = append(filters, f.Label)
	}
	c.Title = tr(lang, "analytics.chart_title", tr(lang, "analytics.dim."+pv.ColDim), tr(lang, "analytics.dim."+pv.RowDim))
	if len(filters) > 0 {
		c.Title += " — " + strings.Join(filters, " · ")
	}
	c.Desc = tr(lang, "analytics.chart_desc", len(rows), len(cols))
	return c
}

// analyticsOptions fills the form's choices.
func (h *handler) analyticsOptions(r *http.Request, d *analyticsData) error {
	cat, err := h.app.Reporting.Catalogue(r.Context())
	if err != nil {
		return err
	}
	lang := d.Lang
	for _, ind := range cat.Indicators {
		label := ind.Code + " — " + ind.Name(lang)
		if ind.Computed() {
			label += " " + tr(lang, "analytics.computed_mark")
		}
		d.Indicators = append(d.Indicators, qOption{Value: ind.Code, Label: label, Selected: slices.Contains(d.Query.DX, ind.Code)})
	}
	d.Categories = append(d.Categories, qOption{Value: "", Label: tr(lang, "analytics.no_category"), Selected: d.Query.Category == ""})
	for _, c := range cat.Categories {
		d.Categories = append(d.Categories, qOption{Value: c.Code, Label: c.Name(lang), Selected: d.Query.Category == c.Code})
	}
	d.Levels = []qOption{{Value: "", Label: tr(lang, "analytics.level.self")}, {Value: "CHILDREN", Label: tr(lang, "analytics.level.children")}}
	for n := 2; n <= 3; n++ {
		v := "LEVEL-" + strconv.Itoa(n)
		d.Levels = append(d.Levels, qOption{Value: v, Label: tr(lang, "analytics.level.n", n)})
	}
	for i := range d.Levels {
		d.Levels[i].Selected = d.Levels[i].Value == d.Query.Level
	}
	for _, dim := range []string{dimDX, dimPE, dimOU, dimCO} {
		label := tr(lang, "analytics.dim."+dim)
		d.RowsDim = append(d.RowsDim, qOption{Value: dim, Label: label, Selected: d.Query.Rows == dim})
		d.ColsDim = append(d.ColsDim, qOption{Value: dim, Label: label, Selected: d.Query.Cols == dim})
	}
	for _, c := range []string{"bar", "line", "none"} {
		d.Charts = append(d.Charts, qOption{Value: c, Label: tr(lang, "analytics.chart."+c), Selected: d.Query.Chart == c})
	}
	return nil
}
