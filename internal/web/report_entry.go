package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"egov"
	"egov/internal/reporting"
)

// maxReportBytes bounds the entry form's body: a yearly form has about a
// hundred values, each with a comment of up to 2,000 characters.
const maxReportBytes = 1 << 20

// entryCell is one value of the grid: its input and its comment's.
type entryCell struct {
	ID, Name, CommentName string
	Label                 string // the indicator and the combination, for the labels
	Value, Comment        string
	Error                 string
}

// entryRow is one indicator of the grid.
type entryRow struct {
	ID, Code, Name, Measure string
	Cells                   []entryCell
	// Messages are the rule violations and the "missing" mark on the row.
	Messages []string
}

// entryTable groups a section's indicators that share categories, so that
// each column is one combination.
type entryTable struct {
	Columns []string
	Rows    []entryRow
}

type entrySection struct {
	Name   string
	Tables []entryTable
}

// entryProblem is a line of the summary at the top, linked to its input.
type entryProblem struct{ Text, Anchor string }

type reportData struct {
	*page
	State    *reporting.ReportState
	Form     string // the form's name
	Period   string // the period's label
	URL      string // the page
	Sections []entrySection
	Problems []entryProblem
	Reason   string // the return reason typed
	Errors   map[string]string
	Template string // the XLSX template's address
}

// reportPath is the address of a report's page.
func reportPath(form, period, unit string) string {
	return "/reports/" + url.PathEscape(form) + "/" + url.PathEscape(period) + "/" + url.PathEscape(unit)
}

// cellName is the input name of a value ("v|CX.NN.01|dongxuan"); the
// comment's starts with "c".
func cellName(prefix, code, combo string) string { return prefix + "|" + code + "|" + combo }

// cellID is an id made of the code and combination ("v-CX-NN-01-dongxuan").
func cellID(prefix, code, combo string) string {
	id := prefix + "-" + strings.ReplaceAll(code, ".", "-")
	if combo != "" {
		id += "-" + combo
	}
	return id
}

// reportEntry shows a unit's report of a form for a period: the grid,
// its status and the steps the officer may take.
func (h *handler) reportEntry(w http.ResponseWriter, r *http.Request) {
	d, err := h.loadReport(r, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The rules the stored values break stay in view until they are fixed.
	if chk, err := h.app.Reporting.CheckReport(r.Context(), d.Actor, d.State.Form.Code, d.State.Period.String(), d.State.Unit.Code); err == nil {
		d.showCheck(nil, chk.Violations)
	}
	h.render(w, r, http.StatusOK, "report", d)
}

// loadReport builds the page; typed (when not nil) replaces the stored
// values and comments, so that nothing typed is lost on an error.
func (h *handler) loadReport(r *http.Request, typed url.Values) (*reportData, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	form, period, unit := r.PathValue("form"), r.PathValue("period"), r.PathValue("unit")
	st, err := h.app.Reporting.State(ctx, a, form, period, unit)
	if err != nil {
		return nil, err
	}
	cat, err := h.app.Reporting.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	p := h.newPage(r, "report.title", "reports")
	path := reportPath(st.Form.Code, st.Period.String(), st.Unit.Code)
	p.formPage(path)
	d := &reportData{page: p, State: st, Form: st.Form.Name(p.Lang), Period: periodLabel(p.Lang, st.Period), URL: path,
		Errors: map[string]string{}, Template: path + "/template.xlsx"}
	p.Title = d.Form + " · " + d.Period + " · " + st.Unit.Name
	stored := map[string]reporting.DataValue{}
	vs, err := h.app.Reporting.Values(ctx, a, reporting.ValueQuery{DataSet: st.Form.Code, Period: st.Period.String(), OrgUnit: st.Unit.Code})
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		stored[v.DataElement+"|"+v.CategoryOptionCombo] = v
	}
	for _, sec := range st.Form.Sections {
		es := entrySection{Name: sec.Name(p.Lang)}
		for _, code := range sec.Indicators {
			ind := cat.Indicator(code)
			if ind == nil || ind.Computed() {
				continue
			}
			combos := cat.Combos(ind)
			cols := make([]string, len(combos))
			for i, c := range combos {
				cols[i] = cat.ComboName(ind, c, p.Lang)
				if c == "" {
					cols[i] = tr(p.Lang, "report.value")
				}
			}
			if n := len(es.Tables); n == 0 || strings.Join(es.Tables[n-1].Columns, "|") != strings.Join(cols, "|") {
				es.Tables = append(es.Tables, entryTable{Columns: cols})
			}
			row := entryRow{ID: cellID("r", code, ""), Code: code, Name: ind.Name(p.Lang), Measure: ind.Unit}
			for i, c := range combos {
				cell := entryCell{ID: cellID("v", code, c), Name: cellName("v", code, c), CommentName: cellName("c", code, c)}
				cell.Label = row.Name
				if c != "" {
					cell.Label += " – " + cols[i]
				}
				if v, ok := stored[code+"|"+c]; ok {
					cell.Value, cell.Comment = v.Value, v.Comment
				}
				// What was typed replaces what is stored; an input the
				// form did not send keeps the stored value.
				if x, ok := typed[cell.Name]; ok && len(x) > 0 {
					cell.Value = x[0]
				}
				if x, ok := typed[cell.CommentName]; ok && len(x) > 0 {
					cell.Comment = x[0]
				}
				row.Cells = append(row.Cells, cell)
			}
			t := &es.Tables[len(es.Tables)-1]
			t.Rows = append(t.Rows, row)
		}
		d.Sections = append(d.Sections, es)
	}
	return d, nil
}

// row returns the grid's row of an indicator, or nil.
func (d *reportData) row(code string) *entryRow {
	for i := range d.Sections {
		for j := range d.Sections[i].Tables {
			for k := range d.Sections[i].Tables[j].Rows {
				if row := &d.Sections[i].Tables[j].Rows[k]; row.Code == code {
					return row
				}
			}
		}
	}
	return nil
}

// cells returns the grid's cells in order, as the form posts them.
func (d *reportData) cells() []*entryCell {
	var out []*entryCell
	for i := range d.Sections {
		for j := range d.Sections[i].Tables {
			for k := range d.Sections[i].Tables[j].Rows {
				row := &d.Sections[i].Tables[j].Rows[k]
				for c := range row.Cells {
					out = append(out, &row.Cells[c])
				}
			}
		}
	}
	return out
}

// opSigns writes a rule's operator as people read it.
var opSigns = strings.NewReplacer("<=", "≤", ">=", "≥", "==", "=", "!=", "≠")

// showCheck marks the rows the check found: indicators without a value
// and the values a rule compares.
func (d *reportData) showCheck(missing []*reporting.Indicator, vs []reporting.Violation) {
	for _, ind := range missing {
		if row := d.row(ind.Code); row != nil {
			msg := tr(d.Lang, "report.missing")
			row.Messages = append(row.Messages, msg)
			d.Problems = append(d.Problems, entryProblem{Text: row.Name + ": " + msg, Anchor: row.Cells[0].ID})
		}
	}
	for _, v := range vs {
		msg := tr(d.Lang, "report.violation", v.Rule.Name(d.Lang), num(d.Lang, v.Left), opSigns.Replace(string(v.Rule.Op)), num(d.Lang, v.Right))
		first := ""
		for _, code := range append(append([]string{}, v.Rule.Left...), v.Rule.Right...) {
			if row := d.row(code); row != nil {
				row.Messages = append(row.Messages, msg)
				if first == "" {
					first = row.Cells[0].ID
				}
			}
		}
		if first != "" {
			d.Problems = append(d.Problems, entryProblem{Text: msg, Anchor: first})
		}
	}
}

// reportSave stores what the officer typed (Lưu): every value is checked
// first and, when one is wrong, nothing is stored and the page comes back
// with what was typed and a message beside each wrong value. Rule
// violations do not stop the save; they are shown beside the values.
func (h *handler) reportSave(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxReportBytes)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.fail(w, r, egov.Errorf(egov.ETOOLARGE, "error.body_too_large", maxReportBytes))
			return
		}
		h.fail(w, r, egov.Errorf(egov.EINVALID, "error.bad_form"))
		return
	}
	d, err := h.loadReport(r, r.PostForm)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !d.State.Editable {
		d.Error = tr(d.Lang, "report.not_editable")
		h.render(w, r, http.StatusConflict, "report", d)
		return
	}
	st := d.State
	set := reporting.ValueSet{DataSet: st.Form.Code, Period: st.Period.String(), OrgUnit: st.Unit.Code}
	// Only the inputs the form sent: an empty one deletes its value, a
	// missing one leaves it alone. cells[i] is the input of set.Values[i].
	var cells []*entryCell
	for _, c := range d.cells() {
		if _, ok := r.PostForm[c.Name]; !ok {
			continue
		}
		parts := strings.SplitN(c.Name, "|", 3)
		v := reporting.ValueIn{DataElement: parts[1], CategoryOptionCombo: parts[2], Value: strings.TrimSpace(c.Value)}
		if _, ok := r.PostForm[c.CommentName]; ok {
			comment := strings.TrimSpace(c.Comment)
			v.Comment = &comment
		}
		set.Values = append(set.Values, v)
		cells = append(cells, c)
	}
	ctx := r.Context()
	sum, err := h.app.Reporting.Import(ctx, a, set, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(sum.Conflicts) > 0 {
		for _, c := range sum.Conflicts {
			msg := tr(d.Lang, c.Key, c.Args...)
			if c.Index >= 0 && c.Index < len(cells) {
				cells[c.Index].Error = msg
				d.Problems = append(d.Problems, entryProblem{Text: cells[c.Index].Label + ": " + msg, Anchor: cells[c.Index].ID})
			}
		}
		d.Error = tr(d.Lang, "report.not_saved", len(sum.Conflicts))
		h.render(w, r, http.StatusUnprocessableEntity, "report", d)
		return
	}
	if sum, err = h.app.Reporting.Import(ctx, a, set, false); err != nil {
		h.fail(w, r, err)
		return
	}
	if len(sum.Conflicts) > 0 || len(sum.Violations) > 0 {
		// Saved, but the rules want a look (or an approval slipped in).
		for _, c := range sum.Conflicts {
			if c.Index >= 0 && c.Index < len(cells) {
				cells[c.Index].Error = tr(d.Lang, c.Key, c.Args...)
			}
		}
		d.showCheck(nil, sum.Violations)
		d.Notice = tr(d.Lang, "report.saved_with_violations", len(sum.Violations))
		h.render(w, r, http.StatusOK, "report", d)
		return
	}
	seeOther(w, r, d.URL+"?ok=report_saved")
}

// reportApproval takes one step of the report's approval: submit, approve,
// accept or return (with a reason). A refused submission shows the page
// with what is missing and which rules are broken, beside the values.
func (h *handler) reportApproval(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	act := reporting.ApprovalAction(r.PostForm.Get("action"))
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	form, period, unit := r.PathValue("form"), r.PathValue("period"), r.PathValue("unit")
	_, err = h.app.Reporting.Approve(r.Context(), a, act, form, period, unit, reason)
	if err == nil {
		seeOther(w, r, reportPath(form, period, unit)+"?ok=report_"+string(act))
		return
	}
	code := egov.ErrorCode(err)
	if code != egov.ECONFLICT && code != egov.EINVALID {
		h.fail(w, r, err)
		return
	}
	d, lerr := h.loadReport(r, nil)
	if lerr != nil {
		h.fail(w, r, lerr)
		return
	}
	d.Reason = clipRunes(reason, 1000)
	var e *egov.Error
	if errors.As(err, &e) && e.Field == "reason" {
		d.Errors["reason"] = h.message(r, err)
	} else {
		d.Error = h.message(r, err)
	}
	if act == reporting.ActSubmit && code == egov.ECONFLICT {
		if chk, cerr := h.app.Reporting.CheckReport(r.Context(), a, form, period, unit); cerr == nil {
			d.showCheck(chk.Missing, chk.Violations)
		}
	}
	status := egov.HTTPStatus(code)
	if len(d.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	h.render(w, r, status, "report", d)
}
