package reporting

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/units"
	"egov/internal/workcal"
)

// ReportCheck is what stands between a report and its submission: the
// indicators of the form without any value, and the validation rules on
// the form's indicators that its values break.
type ReportCheck struct {
	Missing    []*Indicator
	Violations []Violation
}

// Err is the conflict that refuses the submission, or nil when the report
// may be submitted.
func (c *ReportCheck) Err() error {
	if len(c.Missing) > 0 {
		codes := make([]string, len(c.Missing))
		for i, ind := range c.Missing {
			codes[i] = ind.Code
		}
		return egov.Errorf(egov.ECONFLICT, "stats.submit_missing", len(codes), strings.Join(codes, ", "))
	}
	if len(c.Violations) > 0 {
		codes := make([]string, len(c.Violations))
		for i, v := range c.Violations {
			codes[i] = v.Rule.Code
		}
		return egov.Errorf(egov.ECONFLICT, "stats.submit_violations", len(codes), strings.Join(codes, ", "))
	}
	return nil
}

// CheckReport says what a unit's report of a form for a period lacks before
// it can be submitted. The actor needs to read the unit's statistics.
func (s *Service) CheckReport(ctx context.Context, a *identity.Actor, formCode, period, unitCode string) (*ReportCheck, error) {
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	f, p, u, _, err := s.resolveReport(ctx, formCode, period, unitCode)
	if err != nil {
		return nil, err
	}
	if err := s.canRead(ctx, a, u.ID); err != nil {
		return nil, err
	}
	return checkReport(ctx, s.db, s, cat, f, p, u)
}

// checkReport finds the form's entered indicators with no value for the
// unit and period (a value per indicator is required; an officer types 0
// for nothing), and the broken rules that involve the form's indicators.
func checkReport(ctx context.Context, q store.Querier, s *Service, cat *Catalogue, f *Form, p Period, u *units.Unit) (*ReportCheck, error) {
	have := map[int64]bool{}
	err := eachRow(ctx, q, `SELECT DISTINCT indicator_id FROM stat_values WHERE unit_id = ? AND period = ?`,
		func(scan func(...any) error) error {
			var id int64
			if err := scan(&id); err != nil {
				return err
			}
			have[id] = true
			return nil
		}, u.ID, p.String())
	if err != nil {
		return nil, fmt.Errorf("reporting: %w", err)
	}
	out := &ReportCheck{}
	for _, sec := range f.Sections {
		for _, code := range sec.Indicators {
			if ind := cat.Indicator(code); ind != nil && !ind.Computed() && !have[ind.ID] {
				out.Missing = append(out.Missing, ind)
			}
		}
	}
	vs, err := s.validate(ctx, q, cat, map[touchKey]*units.Unit{{u.ID, p.String()}: u})
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if ruleInForm(v.Rule, f) {
			out.Violations = append(out.Violations, v)
		}
	}
	return out, nil
}

// ruleInForm reports whether the rule compares one of the form's indicators.
func ruleInForm(r *ValidationRule, f *Form) bool {
	for _, code := range append(append([]string{}, r.Left...), r.Right...) {
		if f.Has(code) {
			return true
		}
	}
	return false
}

// Prev is the period of the same type before p.
func (p Period) Prev() Period {
	switch p.Type {
	case Monthly, Quarterly, HalfYearly:
		prev := p.Start().AddDays(-1)
		return PeriodOf(p.Type, Period{Monthly, prev.Year(), int(prev.Month())})
	}
	return Period{p.Type, p.Year - 1, 1}
}

// Current is the latest period of type t whose data window has begun on
// day d: the month of 20 November is December's (its window opened on 15
// November).
func Current(t PeriodType, d workcal.Date) Period {
	m := d.AddDays(31) // a period that has not begun yet, or this one
	p := PeriodOf(t, Period{Monthly, m.Year(), int(m.Month())})
	for {
		if from, _ := p.Window(); !from.After(d) {
			return p
		}
		p = p.Prev()
	}
}

// Report is a unit's report of a form for a period, as the officers' list
// shows it.
type Report struct {
	Form     *Form
	Period   Period
	Unit     *units.Unit
	Deadline workcal.Date
	Approval
	// Overdue: not yet submitted and the deadline has passed.
	Overdue bool
	// Late: submitted after the deadline.
	Late bool
	// Children is how many units of the level below report the form to
	// this unit (0 for a commune): the completeness page applies.
	Children int
}

// periodsListed is how many periods of each type the officers' list shows.
var periodsListed = map[PeriodType]int{Monthly: 4, Quarterly: 2, HalfYearly: 2, NineMonths: 1, Yearly: 2}

// Reports lists, for the units on which the actor enters or approves
// statistics, the forms their level reports, for the latest periods (the
// current one first), each with its status and deadline.
func (s *Service) Reports(ctx context.Context, a *identity.Actor) ([]Report, error) {
	if a == nil {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	cat, g, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	// One clock for which units stand and which periods are due.
	now := s.Now()
	today, day := units.Day(now), workcal.LocalDate(now)
	seen := map[int64]bool{}
	var us []*units.Unit
	for _, perm := range []identity.Permission{identity.PermStatsEnter, identity.PermStatsApprove} {
		ids, all := a.Scope(perm)
		if all {
			us = append(us, g.Roots(today)...)
		}
		for _, id := range ids {
			if u := g.ByID(id); u != nil && u.ValidAt(today) {
				us = append(us, u)
			}
		}
	}
	var out []Report
	for _, u := range us {
		if seen[u.ID] {
			continue
		}
		seen[u.ID] = true
		for _, f := range cat.Forms {
			if !f.reports(u.Level) {
				continue
			}
			p := Current(f.PeriodType, day)
			for i := 0; i < periodsListed[f.PeriodType]; i, p = i+1, p.Prev() {
				// The unit that had the code during the period reports it.
				pu := unitFor(g, u.Code, p)
				if pu == nil || !f.reports(pu.Level) {
					continue
				}
				ap, err := readApproval(ctx, s.db, f, p, pu)
				if err != nil {
					return nil, err
				}
				r := report(f, p, pu, *ap, cal, day)
				r.Children = len(f.reportingChildren(g, pu, p))
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// report completes a report's deadline and timeliness.
func report(f *Form, p Period, u *units.Unit, ap Approval, cal *workcal.Calendar, today workcal.Date) Report {
	r := Report{Form: f, Period: p, Unit: u, Approval: ap}
	r.Deadline, _ = f.Deadline(p, u.Level, cal)
	if ap.SubmittedAt.IsZero() {
		r.Overdue = today.After(r.Deadline)
	} else {
		r.Late = workcal.LocalDate(ap.SubmittedAt).After(r.Deadline)
	}
	return r
}

// Completeness is how many of the units of a level under a unit have
// submitted a form's report for a period, and how many did so by their
// deadline.
type Completeness struct {
	Form     *Form
	Period   Period
	Unit     *units.Unit // the unit asked about
	Level    int         // the level of the units counted
	Deadline workcal.Date
	// Expected counts the units of Level under Unit during the period;
	// Submitted those whose report reached their leader; OnTime those
	// that did by the deadline; Overdue those not submitted after it.
	Expected, Submitted, OnTime, Overdue int
	Reports                              []Report // one per expected unit, by code
}

// Rate is a share of the expected units in percent (0 when none is
// expected).
func (c *Completeness) Rate(n int) float64 {
	if c.Expected == 0 {
		return 0
	}
	return 100 * float64(n) / float64(c.Expected)
}

// Completeness counts the reports of a form for a period by the units of
// level (0: the nearest level below the unit that reports the form) within
// the unit's territory during the period. Who approves or analyses the
// unit's statistics may ask.
func (s *Service) Completeness(ctx context.Context, a *identity.Actor, formCode, period, unitCode string, level int) (*Completeness, error) {
	cat, g, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	f := cat.Form(formCode)
	if f == nil {
		return nil, egov.FieldError("form", "stats.unknown_form", clip(formCode))
	}
	p, err := ParsePeriod(period)
	if err != nil {
		return nil, egov.FieldError("period", "stats.bad_period", clip(period))
	}
	if p.Type != f.PeriodType {
		return nil, egov.FieldError("period", "stats.period_type_mismatch", f.Code, p.String())
	}
	u := unitFor(g, unitCode, p)
	if u == nil {
		return nil, egov.FieldError("unit", "stats.unknown_unit", clip(unitCode), p.String())
	}
	if err := s.ids.Can(ctx, a, identity.PermStatsApprove, u.ID); err != nil {
		if err2 := s.ids.Can(ctx, a, identity.PermStatsAnalyse, u.ID); err2 != nil {
			return nil, err
		}
	}
	sub := g.Subtree(u, p.End().Time(time.UTC))
	if level == 0 {
		// The nearest level below that has units reporting the form (no
		// districts after the 2025 reorganisation: the communes).
		for _, x := range sub {
			if x.Level > u.Level && f.reports(x.Level) && (level == 0 || x.Level < level) {
				level = x.Level
			}
		}
	}
	if level <= u.Level || !f.reports(level) {
		return nil, egov.FieldError("level", "stats.level_not_reporting", level, f.Code)
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	c := &Completeness{Form: f, Period: p, Unit: u, Level: level}
	c.Deadline, _ = f.Deadline(p, level, cal)
	var expected []*units.Unit
	for _, x := range sub {
		if x.Level == level {
			expected = append(expected, x)
		}
	}
	sort.Slice(expected, func(i, j int) bool { return expected[i].Code < expected[j].Code })
	day := s.today()
	sts, err := approvalsOf(ctx, s.db, f, p, expected)
	if err != nil {
		return nil, err
	}
	for _, x := range expected {
		r := report(f, p, x, sts[x.ID], cal, day)
		c.Expected++
		if !r.SubmittedAt.IsZero() {
			c.Submitted++
			if !r.Late {
				c.OnTime++
			}
		}
		if r.Overdue {
			c.Overdue++
		}
		c.Reports = append(c.Reports, r)
	}
	return c, nil
}

// approvalsOf reads the status of the units' reports in one query per few
// hundred units.
func approvalsOf(ctx context.Context, q store.Querier, f *Form, p Period, us []*units.Unit) (map[int64]Approval, error) {
	out := make(map[int64]Approval, len(us))
	pairs := map[touchKey]bool{}
	for _, u := range us {
		out[u.ID] = Approval{Form: f.Code, Period: p.String(), Unit: u.Code, UnitName: u.Name, Level: u.Level, Status: StatusOpen}
		pairs[touchKey{u.ID, p.String()}] = true
	}
	err := eachPairChunk(pairs, "", func(where string, args []any) error {
		return eachRow(ctx, q, `SELECT unit_id, status, reason, updated_by, updated_at, submitted_at FROM stat_approvals
			WHERE form_id = ? AND `+where, func(scan func(...any) error) error {
			var id int64
			var st ApprovalStatus
			var reason, by, at string
			var sub *string
			if err := scan(&id, &st, &reason, &by, &at, &sub); err != nil {
				return err
			}
			ap, ok := out[id]
			if !ok {
				return nil
			}
			ap.Status, ap.Reason, ap.UpdatedBy = st, reason, by
			ap.UpdatedAt, _ = store.ParseTime(at)
			if sub != nil {
				ap.SubmittedAt, _ = store.ParseTime(*sub)
			}
			out[id] = ap
			return nil
		}, append([]any{f.ID}, args...)...)
	})
	return out, err
}

// ReportState is a unit's report as its page shows it to one officer: its
// status and deadline, whether the officer may change its values, and the
// approval steps the officer may take now.
type ReportState struct {
	Report
	Parent   *units.Unit // the level above during the period (nil for a root)
	Editable bool
	Actions  []ApprovalAction
}

// Can reports whether act is among the steps the officer may take now.
func (r *ReportState) Can(act ApprovalAction) bool {
	for _, a := range r.Actions {
		if a == act {
			return true
		}
	}
	return false
}

// State returns a unit's report of a form for a period for the actor, who
// needs to enter, approve or analyse the unit's statistics. The steps
// offered follow the workflow: the reporter submits an open or returned
// report; the leader approves or returns a submitted one; the level above
// accepts or returns an approved one. (Approve and its API also take an
// open report, for units whose leader enters the figures.) A unit whose
// children report the same form (a district before 2025) has no figures
// of its own to submit: its leader approves it once they are accepted.
func (s *Service) State(ctx context.Context, a *identity.Actor, formCode, period, unitCode string) (*ReportState, error) {
	f, p, u, g, err := s.resolveReport(ctx, formCode, period, unitCode)
	if err != nil {
		return nil, err
	}
	can := func(perm identity.Permission, u *units.Unit) bool {
		return u != nil && s.ids.Can(ctx, a, perm, u.ID) == nil
	}
	enter, approve := can(identity.PermStatsEnter, u), can(identity.PermStatsApprove, u)
	if !enter && !approve {
		if err := s.canRead(ctx, a, u.ID); err != nil {
			return nil, err
		}
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	ap, err := readApproval(ctx, s.db, f, p, u)
	if err != nil {
		return nil, err
	}
	st := &ReportState{Report: report(f, p, u, *ap, cal, s.today()), Parent: g.Parent(u, p.End().Time(time.UTC))}
	above := can(identity.PermStatsApprove, st.Parent)
	switch ap.Status {
	case StatusOpen, StatusReturned:
		switch {
		case len(f.reportingChildren(g, u, p)) > 0:
			if approve {
				st.Actions = append(st.Actions, ActApprove)
			}
		case enter:
			st.Editable = true
			st.Actions = append(st.Actions, ActSubmit)
		}
	case StatusSubmitted:
		if approve {
			st.Actions = append(st.Actions, ActApprove, ActReturn)
		}
	case StatusApproved:
		if above {
			st.Actions = append(st.Actions, ActAccept, ActReturn)
		}
	case StatusAccepted:
		if above {
			st.Actions = append(st.Actions, ActReturn)
		}
	}
	return st, nil
}
