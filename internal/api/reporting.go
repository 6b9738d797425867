package api

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"egov"
	"egov/internal/i18n"
	"egov/internal/reporting"
	"egov/internal/vntext"
	"egov/internal/workcal"
)

// maxValueSetBody bounds a data value set: MaxImportValues values of about
// 150 bytes each.
const maxValueSetBody = 4 << 20

type categoryJSON struct {
	Code    string       `json:"code"`
	Name    string       `json:"name"`
	Options []optionJSON `json:"options"`
}

type optionJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type computedJSON struct {
	Numerator   string  `json:"numerator"`
	Denominator string  `json:"denominator"`
	Factor      float64 `json:"factor"`
}

type indicatorJSON struct {
	Code             string         `json:"code"`
	Name             string         `json:"name"`
	NameVI           string         `json:"name_vi"`
	NameEN           string         `json:"name_en"`
	ValueType        string         `json:"value_type"`
	Unit             string         `json:"unit"`
	Aggregation      string         `json:"aggregation"`
	AggregationUnits string         `json:"aggregation_units"`
	AggregationTime  string         `json:"aggregation_time"`
	PeriodType       string         `json:"period_type"`
	Categories       []categoryJSON `json:"categories"`
	Combos           []string       `json:"combos"`
	Computed         *computedJSON  `json:"computed,omitempty"`
}

// listIndicators serves GET /api/v1/indicators: the catalogue of
// indicators.
func (h *handler) listIndicators(w http.ResponseWriter, r *http.Request) error {
	cat, err := h.app.Reporting.Catalogue(r.Context())
	if err != nil {
		return err
	}
	lang := i18n.LangFrom(r.Context())
	out := make([]indicatorJSON, 0, len(cat.Indicators))
	for _, ind := range cat.Indicators {
		j := indicatorJSON{Code: ind.Code, Name: ind.Name(lang), NameVI: ind.NameVI, NameEN: ind.NameEN, ValueType: string(ind.ValueType),
			Unit: ind.Unit, Aggregation: string(ind.AggTime), AggregationUnits: string(ind.AggUnits), AggregationTime: string(ind.AggTime),
			PeriodType: string(ind.PeriodType), Categories: []categoryJSON{}, Combos: cat.Combos(ind)}
		for _, cc := range ind.Categories {
			c := cat.Category(cc)
			cj := categoryJSON{Code: c.Code, Name: c.Name(lang), Options: []optionJSON{}}
			for _, o := range c.Options {
				cj.Options = append(cj.Options, optionJSON{o.Code, o.Name(lang)})
			}
			j.Categories = append(j.Categories, cj)
		}
		if ind.Computed() {
			j.Computed = &computedJSON{ind.Numerator, ind.Denominator, ind.Factor}
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"indicators": out})
	return nil
}

type formJSON struct {
	Code       string        `json:"code"`
	Name       string        `json:"name"`
	PeriodType string        `json:"period_type"`
	Indicators []string      `json:"indicators"`
	Sections   []sectionJSON `json:"sections"`
	Levels     []levelJSON   `json:"levels"`
	// With ?period=: the period of the form's type that contains it, its
	// data window and each level's deadline.
	Period     string        `json:"period,omitempty"`
	WindowFrom *workcal.Date `json:"window_from,omitempty"`
	WindowTo   *workcal.Date `json:"window_to,omitempty"`
}

type sectionJSON struct {
	Name       string   `json:"name"`
	Indicators []string `json:"indicators"`
}

type levelJSON struct {
	Level               int           `json:"level"`
	DeadlineWorkingDays int           `json:"deadline_working_days"`
	Deadline            *workcal.Date `json:"deadline,omitempty"`
}

// listForms serves GET /api/v1/forms: the report forms; with period (a
// month), the period of each form's type that contains it, its data window
// and its deadlines.
func (h *handler) listForms(w http.ResponseWriter, r *http.Request) error {
	cat, err := h.app.Reporting.Catalogue(r.Context())
	if err != nil {
		return err
	}
	var month reporting.Period
	var cal *workcal.Calendar
	if pe := param(r, "period"); pe != "" {
		p, err := reporting.ParsePeriod(pe)
		if err != nil || p.Type != reporting.Monthly {
			return egov.FieldError("period", "stats.bad_period", clip(pe))
		}
		if cal, err = h.app.Calendar.Calendar(r.Context()); err != nil {
			return err
		}
		month = p
	}
	lang := i18n.LangFrom(r.Context())
	out := make([]formJSON, 0, len(cat.Forms))
	for _, f := range cat.Forms {
		j := formJSON{Code: f.Code, Name: f.Name(lang), PeriodType: string(f.PeriodType), Indicators: []string{}, Sections: []sectionJSON{}, Levels: []levelJSON{}}
		for _, s := range f.Sections {
			j.Indicators = append(j.Indicators, s.Indicators...)
			j.Sections = append(j.Sections, sectionJSON{s.Name(lang), s.Indicators})
		}
		var p reporting.Period
		if cal != nil {
			p = reporting.PeriodOf(f.PeriodType, month)
			from, to := p.Window()
			j.Period, j.WindowFrom, j.WindowTo = p.String(), &from, &to
		}
		for _, l := range f.Levels {
			lj := levelJSON{Level: l.Level, DeadlineWorkingDays: l.DeadlineDays}
			if cal != nil {
				d, _ := f.Deadline(p, l.Level, cal)
				lj.Deadline = &d
			}
			j.Levels = append(j.Levels, lj)
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"forms": out})
	return nil
}

// dataValueJSON is a value in DHIS2's shape.
type dataValueJSON struct {
	DataElement         string  `json:"dataElement"`
	CategoryOptionCombo string  `json:"categoryOptionCombo,omitempty"`
	Period              string  `json:"period,omitempty"`
	OrgUnit             string  `json:"orgUnit,omitempty"`
	Value               string  `json:"value"`
	Comment             *string `json:"comment,omitempty"`
	StoredBy            string  `json:"storedBy,omitempty"`
	LastUpdated         string  `json:"lastUpdated,omitempty"`
}

type dataValueSetJSON struct {
	DataSet    string          `json:"dataSet,omitempty"`
	Period     string          `json:"period,omitempty"`
	OrgUnit    string          `json:"orgUnit,omitempty"`
	DataValues []dataValueJSON `json:"dataValues"`
}

type conflictJSON struct {
	Object string `json:"object"`
	Value  string `json:"value"`
}

type violationJSON struct {
	Rule       string  `json:"rule"`
	Name       string  `json:"name"`
	Importance string  `json:"importance"`
	OrgUnit    string  `json:"orgUnit"`
	Period     string  `json:"period"`
	Left       float64 `json:"left"`
	Operator   string  `json:"operator"`
	Right      float64 `json:"right"`
	// DataElements are the indicators the rule compares: the values to
	// look at again.
	DataElements []string `json:"dataElements"`
}

type importSummaryJSON struct {
	Status     string          `json:"status"`
	DryRun     bool            `json:"dryRun"`
	Applied    bool            `json:"applied"`
	DataSet    string          `json:"dataSet,omitempty"`
	Period     string          `json:"period,omitempty"`
	OrgUnit    string          `json:"orgUnit,omitempty"`
	Imported   int             `json:"imported"`
	Updated    int             `json:"updated"`
	Deleted    int             `json:"deleted"`
	Ignored    int             `json:"ignored"`
	Conflicts  []conflictJSON  `json:"conflicts"`
	Violations []violationJSON `json:"violations"`
}

func summaryJSON(lang string, s *reporting.ImportSummary, dryRun bool) importSummaryJSON {
	out := importSummaryJSON{Status: s.Status, DryRun: dryRun, Applied: s.Applied, DataSet: s.DataSet, Period: s.Period, OrgUnit: s.OrgUnit, Imported: s.Imported, Updated: s.Updated, Deleted: s.Deleted,
		Ignored: s.Ignored, Conflicts: []conflictJSON{}}
	for _, c := range s.Conflicts {
		out.Conflicts = append(out.Conflicts, conflictJSON{c.Object, i18n.T(lang, c.Key, c.Args...)})
	}
	out.Violations = violationsJSON(lang, s.Violations)
	return out
}

func violationsJSON(lang string, vs []reporting.Violation) []violationJSON {
	out := []violationJSON{}
	for _, v := range vs {
		des := append(append([]string{}, v.Rule.Left...), v.Rule.Right...)
		out = append(out, violationJSON{Rule: v.Rule.Code, Name: v.Rule.Name(lang), Importance: v.Rule.Importance,
			OrgUnit: v.OrgUnit, Period: v.Period, Left: v.Left, Operator: string(v.Rule.Op), Right: v.Right, DataElements: des})
	}
	return out
}

func valuesIn(in []dataValueJSON) []reporting.ValueIn {
	out := make([]reporting.ValueIn, len(in))
	for i, v := range in {
		out[i] = reporting.ValueIn{DataElement: v.DataElement, CategoryOptionCombo: v.CategoryOptionCombo, Period: v.Period,
			OrgUnit: v.OrgUnit, Value: v.Value, Comment: v.Comment}
	}
	return out
}

// dryRun reads the dryRun parameter.
func dryRun(r *http.Request) (bool, error) {
	switch param(r, "dryRun") {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, egov.FieldError("dryRun", "error.bad_boolean", "dryRun")
}

// importDataValueSet serves POST /api/v1/dataValueSets.
func (h *handler) importDataValueSet(w http.ResponseWriter, r *http.Request) error {
	dry, err := dryRun(r)
	if err != nil {
		return err
	}
	var in dataValueSetJSON
	if err := decodeJSONMax(w, r, &in, maxValueSetBody); err != nil {
		return err
	}
	set := reporting.ValueSet{DataSet: in.DataSet, Period: in.Period, OrgUnit: in.OrgUnit, Values: valuesIn(in.DataValues)}
	sum, err := h.app.Reporting.Import(r.Context(), actor(r), set, dry)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, summaryJSON(i18n.LangFrom(r.Context()), sum, dry))
	return nil
}

// getDataValueSet serves GET /api/v1/dataValueSets.
func (h *handler) getDataValueSet(w http.ResponseWriter, r *http.Request) error {
	for _, name := range []string{"period", "orgUnit"} {
		if err := required(r, name); err != nil {
			return err
		}
	}
	var children bool
	switch param(r, "children") {
	case "", "false":
	case "true":
		children = true
	default:
		return egov.FieldError("children", "error.bad_boolean", "children")
	}
	q := reporting.ValueQuery{DataSet: param(r, "dataSet"), Period: param(r, "period"), OrgUnit: param(r, "orgUnit"), Children: children}
	vs, err := h.app.Reporting.Values(r.Context(), actor(r), q)
	if err != nil {
		return err
	}
	viol, err := h.app.Reporting.Check(r.Context(), vs)
	if err != nil {
		return err
	}
	out := dataValueSetJSON{DataSet: q.DataSet, Period: q.Period, OrgUnit: q.OrgUnit, DataValues: []dataValueJSON{}}
	for _, v := range vs {
		out.DataValues = append(out.DataValues, valueJSON(v))
	}
	lang := i18n.LangFrom(r.Context())
	writeJSON(w, http.StatusOK, struct {
		dataValueSetJSON
		Violations []violationJSON `json:"violations"`
	}{out, violationsJSON(lang, viol)})
	return nil
}

func valueJSON(v reporting.DataValue) dataValueJSON {
	c := v.Comment
	return dataValueJSON{DataElement: v.DataElement, CategoryOptionCombo: v.CategoryOptionCombo, Period: v.Period, OrgUnit: v.OrgUnit,
		Value: v.Value, Comment: &c, StoredBy: v.StoredBy, LastUpdated: v.LastUpdated.UTC().Format("2006-01-02T15:04:05Z")}
}

// getDataValue serves GET /api/v1/dataValues: one stored value.
func (h *handler) getDataValue(w http.ResponseWriter, r *http.Request) error {
	for _, name := range []string{"de", "pe", "ou"} {
		if err := required(r, name); err != nil {
			return err
		}
	}
	v, err := h.app.Reporting.Value(r.Context(), actor(r), param(r, "de"), param(r, "co"), param(r, "pe"), param(r, "ou"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, valueJSON(*v))
	return nil
}

// putDataValue serves POST /api/v1/dataValues: one value, saved as an
// officer types it (an empty value deletes).
func (h *handler) putDataValue(w http.ResponseWriter, r *http.Request) error {
	dry, err := dryRun(r)
	if err != nil {
		return err
	}
	var in dataValueJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	sum, err := h.app.Reporting.Import(r.Context(), actor(r), reporting.ValueSet{Values: valuesIn([]dataValueJSON{in})}, dry)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, summaryJSON(i18n.LangFrom(r.Context()), sum, dry))
	return nil
}

// analytics serves GET /api/v1/analytics in the spirit of DHIS2's: dx, pe
// and ou are ;-separated lists.
func (h *handler) analytics(w http.ResponseWriter, r *http.Request) error {
	res, err := h.runAnalytics(r)
	if err != nil {
		return err
	}
	rows := make([][4]string, len(res.Rows))
	for i, row := range res.Rows {
		rows[i] = [4]string{row.DX, row.PE, row.OU, reporting.FormatValue(row.Value)}
	}
	items := map[string]map[string]string{}
	for code, name := range res.Names {
		items[code] = map[string]string{"name": name}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"headers":  []string{"dx", "pe", "ou", "value"},
		"rows":     rows,
		"metaData": map[string]any{"items": items},
	})
	return nil
}

// runAnalytics answers the request's analytics query.
func (h *handler) runAnalytics(r *http.Request) (*reporting.AnalyticsResult, error) {
	q, err := h.analyticsQuery(r)
	if err != nil {
		return nil, err
	}
	return h.app.Reporting.Analytics(r.Context(), actor(r), q)
}

// analyticsQuery reads dx, pe, ou (;-separated lists) and at.
func (h *handler) analyticsQuery(r *http.Request) (reporting.AnalyticsQuery, error) {
	var q reporting.AnalyticsQuery
	for _, d := range []struct {
		name string
		list *[]string
	}{{"dx", &q.DX}, {"pe", &q.PE}, {"ou", &q.OU}} {
		if err := required(r, d.name); err != nil {
			return q, err
		}
		for _, it := range strings.Split(param(r, d.name), ";") {
			if it = strings.TrimSpace(it); it != "" {
				*d.list = append(*d.list, it)
			}
		}
	}
	at, err := dateParam(r, "at", h.today())
	if err != nil {
		return q, err
	}
	q.At = at.Time(time.UTC)
	q.Lang = i18n.LangFrom(r.Context())
	return q, nil
}

type approvalJSON struct {
	Form      string `json:"form"`
	Period    string `json:"period"`
	Unit      string `json:"unit"`
	UnitName  string `json:"unit_name"`
	Level     int    `json:"level"`
	Status    string `json:"status"`
	Reason    string `json:"reason,omitempty"`
	UpdatedBy string `json:"updated_by,omitempty"`
	UpdatedAt string `json:"updated_at,omitempty"`
	// SubmittedAt is when the report first reached the unit's leader.
	SubmittedAt string `json:"submitted_at,omitempty"`
}

func approvalOut(ap reporting.Approval) approvalJSON {
	j := approvalJSON{Form: ap.Form, Period: ap.Period, Unit: ap.Unit, UnitName: ap.UnitName, Level: ap.Level, Status: string(ap.Status),
		Reason: ap.Reason, UpdatedBy: ap.UpdatedBy}
	if !ap.UpdatedAt.IsZero() {
		j.UpdatedAt = ap.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	if !ap.SubmittedAt.IsZero() {
		j.SubmittedAt = ap.SubmittedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	return j
}

// approve serves POST /api/v1/approvals/{action}: submit, approve, accept or
// return a unit's report of a form for a period.
func (h *handler) approve(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Form   string `json:"form"`
		Period string `json:"period"`
		Unit   string `json:"unit"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"form", in.Form}, {"period", in.Period}, {"unit", in.Unit}} {
		if f.v == "" {
			return egov.FieldError(f.name, "error.missing", f.name)
		}
	}
	ap, err := h.app.Reporting.Approve(r.Context(), actor(r), reporting.ApprovalAction(r.PathValue("action")), in.Form, in.Period, in.Unit, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, approvalOut(*ap))
	return nil
}

// listApprovals serves GET /api/v1/approvals: the status of a unit's report
// and of its children's.
func (h *handler) listApprovals(w http.ResponseWriter, r *http.Request) error {
	for _, name := range []string{"form", "period", "unit"} {
		if err := required(r, name); err != nil {
			return err
		}
	}
	aps, err := h.app.Reporting.Approvals(r.Context(), actor(r), param(r, "form"), param(r, "period"), param(r, "unit"))
	if err != nil {
		return err
	}
	out := make([]approvalJSON, 0, len(aps))
	for _, ap := range aps {
		out = append(out, approvalOut(ap))
	}
	writeJSON(w, http.StatusOK, map[string]any{"approvals": out})
	return nil
}

type targetJSON struct {
	Indicator     string   `json:"indicator"`
	Period        string   `json:"period"`
	Unit          string   `json:"unit"`
	Target        float64  `json:"target"`
	OnTrack       float64  `json:"on_track"`
	AtRisk        float64  `json:"at_risk"`
	LowerIsBetter bool     `json:"lower_is_better"`
	Actual        *float64 `json:"actual,omitempty"`
	Status        string   `json:"status,omitempty"`
}

// targets serves GET /api/v1/targets: the targets of indicators, periods
// and units (dx, pe, ou and at as for analytics) beside their current
// values.
func (h *handler) targets(w http.ResponseWriter, r *http.Request) error {
	q, err := h.analyticsQuery(r)
	if err != nil {
		return err
	}
	ps, err := h.app.Reporting.Progress(r.Context(), actor(r), q)
	if err != nil {
		return err
	}
	out := make([]targetJSON, 0, len(ps))
	for _, p := range ps {
		j := targetJSON{Indicator: p.Indicator, Period: p.Period.String(), Unit: p.Unit, Target: p.Value, OnTrack: p.OnTrack, AtRisk: p.AtRisk,
			LowerIsBetter: p.Lower, Status: string(p.Status)}
		if p.HasActual {
			v := p.Actual
			j.Actual = &v
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"targets": out})
	return nil
}

// setTarget serves POST /api/v1/targets: a target for an indicator, unit
// and period.
func (h *handler) setTarget(w http.ResponseWriter, r *http.Request) error {
	var in targetJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := reporting.ParsePeriod(in.Period)
	if err != nil {
		return egov.FieldError("period", "stats.bad_period", clip(in.Period))
	}
	u, err := h.app.Reporting.UnitDuring(r.Context(), in.Unit, p)
	if err != nil {
		return err
	}
	t := reporting.Target{Indicator: in.Indicator, UnitID: u.ID, Period: p, Value: in.Target, OnTrack: in.OnTrack, AtRisk: in.AtRisk, Lower: in.LowerIsBetter}
	if err := h.app.Reporting.SetTarget(r.Context(), actor(r), t); err != nil {
		return err
	}
	in.Actual, in.Status = nil, ""
	writeJSON(w, http.StatusOK, in)
	return nil
}

// analyticsCSV serves GET /api/v1/analytics.csv: the analytics rows as a
// spreadsheet-friendly CSV (UTF-8 with a byte-order mark, so that Excel
// reads the Vietnamese names), with the names beside the codes.
func (h *handler) analyticsCSV(w http.ResponseWriter, r *http.Request) error {
	res, err := h.runAnalytics(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"dx", "dx_name", "pe", "ou", "ou_name", "value"})
	for _, row := range res.Rows {
		cw.Write([]string{vntext.CellSafe(row.DX), vntext.CellSafe(res.Names[row.DX]), row.PE, vntext.CellSafe(row.OU),
			vntext.CellSafe(res.Names[row.OU]), reporting.FormatValue(row.Value)})
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="analytics.csv"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

type completenessUnitJSON struct {
	approvalJSON
	OnTime  bool `json:"on_time"`
	Overdue bool `json:"overdue"`
}

type completenessJSON struct {
	Form      string                 `json:"form"`
	Period    string                 `json:"period"`
	Unit      string                 `json:"unit"`
	Level     int                    `json:"level"`
	Deadline  workcal.Date           `json:"deadline"`
	Expected  int                    `json:"expected"`
	Submitted int                    `json:"submitted"`
	OnTime    int                    `json:"on_time"`
	Overdue   int                    `json:"overdue"`
	Units     []completenessUnitJSON `json:"units"`
}

// completeness serves GET /api/v1/completeness: how many units of a level
// under a unit submitted a form's report for a period, on time or not.
func (h *handler) completeness(w http.ResponseWriter, r *http.Request) error {
	for _, name := range []string{"form", "period", "unit"} {
		if err := required(r, name); err != nil {
			return err
		}
	}
	level := 0
	if s := param(r, "level"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 9 {
			return egov.FieldError("level", "error.bad_number", clip(s))
		}
		level = n
	}
	c, err := h.app.Reporting.Completeness(r.Context(), actor(r), param(r, "form"), param(r, "period"), param(r, "unit"), level)
	if err != nil {
		return err
	}
	out := completenessJSON{Form: c.Form.Code, Period: c.Period.String(), Unit: c.Unit.Code, Level: c.Level, Deadline: c.Deadline,
		Expected: c.Expected, Submitted: c.Submitted, OnTime: c.OnTime, Overdue: c.Overdue, Units: []completenessUnitJSON{}}
	for _, x := range c.Reports {
		out.Units = append(out.Units, completenessUnitJSON{approvalJSON: approvalOut(x.Approval),
			OnTime: !x.SubmittedAt.IsZero() && !x.Late, Overdue: x.Overdue})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
