package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"egov/internal/identity"
	"egov/internal/reporting"
)

// CanReports reports whether the reports link applies: an officer who
// enters, approves or analyses statistics somewhere.
func (p *page) CanReports() bool {
	if !p.SignedIn() || p.Actor.User.Kind != identity.Officer {
		return false
	}
	for _, perm := range []identity.Permission{identity.PermStatsEnter, identity.PermStatsApprove, identity.PermStatsAnalyse} {
		if hasPermission(p.Actor, perm) {
			return true
		}
	}
	return false
}

// periodLabel names a period in lang: "Tháng 02/2026", "Quý 1/2026".
func periodLabel(lang string, p reporting.Period) string {
	switch p.Type {
	case reporting.Monthly:
		return tr(lang, "report.period.month", p.N, p.Year)
	case reporting.Quarterly:
		return tr(lang, "report.period.quarter", p.N, p.Year)
	case reporting.HalfYearly:
		return tr(lang, "report.period.half", p.N, p.Year)
	case reporting.NineMonths:
		return tr(lang, "report.period.nine_months", p.Year)
	}
	return tr(lang, "report.period.year", p.Year)
}

// num shows a number with the language's decimal separator.
func num(lang string, f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return thousands(lang, int64(f))
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if tr(lang, "format.thousands") == "." {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// reportRow is a line of the officers' list.
type reportRow struct {
	Form, Period, Unit string
	reporting.Report
	URL          string
	Completeness string // the level below's completeness, when there is one
}

type reportsData struct {
	*page
	Rows      []reportRow
	Reminders []reporting.Reminder
}

// completenessPath is the address of the completeness page.
func completenessPath(form, period, unit string) string {
	return "/reports/completeness?" + url.Values{"form": {form}, "period": {period}, "unit": {unit}}.Encode()
}

// reportsList is the officer's list of reports: the forms their units
// report, the latest periods, each with status, deadline and links.
func (h *handler) reportsList(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "report.list_title", "reports")
	rs, err := h.app.Reporting.Reports(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &reportsData{page: p}
	if d.Reminders, err = h.app.Reporting.RemindersOf(r.Context(), a, 5); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, x := range rs {
		row := reportRow{Form: x.Form.Name(p.Lang), Period: periodLabel(p.Lang, x.Period), Unit: x.Unit.Name, Report: x,
			URL: reportPath(x.Form.Code, x.Period.String(), x.Unit.Code)}
		if x.Children > 0 {
			row.Completeness = completenessPath(x.Form.Code, x.Period.String(), x.Unit.Code)
		}
		d.Rows = append(d.Rows, row)
	}
	h.render(w, r, http.StatusOK, "reports", d)
}

type completenessData struct {
	*page
	C       *reporting.Completeness
	Form    string
	Period  string
	Overdue []reportRow
	Rows    []reportRow
	Rate    string // submitted over expected
	OnTime  string // on time over expected
}

// reportsCompleteness is the level above's page: how many units of the
// level below submitted a form's report for a period, on time or not, and
// the overdue ones first.
func (h *handler) reportsCompleteness(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	level := 0
	if s := strings.TrimSpace(q.Get("level")); s != "" {
		level, _ = strconv.Atoi(s)
	}
	p := h.newPage(r, "report.completeness_title", "reports")
	c, err := h.app.Reporting.Completeness(r.Context(), a, clipRunes(q.Get("form"), 40), clipRunes(q.Get("period"), 10),
		clipRunes(q.Get("unit"), 20), level)
	if err != nil {
		h.failBack(w, r, err, "/reports")
		return
	}
	d := &completenessData{page: p, C: c, Form: c.Form.Name(p.Lang), Period: periodLabel(p.Lang, c.Period)}
	p.Title = tr(p.Lang, "report.completeness_title") + " · " + d.Form + " · " + d.Period
	share := func(n int) string {
		return strconv.FormatFloat(c.Rate(n), 'f', 0, 64) + "%"
	}
	d.Rate, d.OnTime = share(c.Submitted), share(c.OnTime)
	for _, x := range c.Reports {
		row := reportRow{Unit: x.Unit.Name, Report: x, URL: reportPath(c.Form.Code, c.Period.String(), x.Unit.Code)}
		if x.Overdue {
			d.Overdue = append(d.Overdue, row)
		}
		d.Rows = append(d.Rows, row)
	}
	h.render(w, r, http.StatusOK, "reports_completeness", d)
}
