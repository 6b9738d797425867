package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"egov/internal/app"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/units"
	"egov/internal/workcal"
)

// LoadReportStatuses gives the communes' monthly reports of the last
// months before until (those already due) the statuses a working province
// shows: most submitted a day or two before the deadline and accepted,
// some late, a few of the latest month approved but not yet accepted or
// still missing (overdue). The steps go through the approval workflow,
// audited, with the clock set to each step's time. It does nothing when
// statuses exist, and returns how many reports it moved.
func LoadReportStatuses(ctx context.Context, a *app.App, until time.Time, months int) (int, error) {
	var n int
	if err := a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM stat_approvals`).Scan(&n); err != nil || n > 0 {
		return 0, err
	}
	cat, err := a.Reporting.Catalogue(ctx)
	if err != nil {
		return 0, err
	}
	f := cat.Form("KTXH-XA-THANG")
	if f == nil {
		return 0, nil
	}
	cal, err := a.Calendar.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	g, err := a.Units.Graph(ctx)
	if err != nil {
		return 0, err
	}
	now := a.Reporting.Now
	defer func() { a.Reporting.Now = now }()
	at := func(t time.Time) { a.Reporting.Now = func() time.Time { return t } }
	today := workcal.LocalDate(until)
	p := reporting.Current(f.PeriodType, today)
	moved := 0
	for i := 0; i < months; p = p.Prev() {
		deadline, _ := f.Deadline(p, 3, cal)
		if !deadline.Before(today) {
			continue
		}
		latest := i == 0
		i++
		type report struct {
			u *units.Unit
			r int
		}
		var reports []report
		for _, root := range g.Roots(p.End().Time(time.UTC)) {
			for _, u := range g.Subtree(root, p.End().Time(time.UTC)) {
				if u.Level != 3 {
					continue
				}
				h := fnv.New32a()
				h.Write([]byte(u.Code + p.String()))
				r := int(h.Sum32() % 100)
				if latest && r < 8 {
					continue // not submitted: overdue
				}
				reports = append(reports, report{u, r})
			}
		}
		// A report is complete before it is approved: the indicators the
		// figures leave out for the month (no harvest, no training) are
		// entered as 0, as the officers do.
		zeros := reporting.ValueSet{DataSet: f.Code, Period: p.String()}
		for _, x := range reports {
			chk, err := a.Reporting.CheckReport(ctx, identity.SystemActor, f.Code, p.String(), x.u.Code)
			if err != nil {
				return moved, err
			}
			for _, ind := range chk.Missing {
				zeros.Values = append(zeros.Values, reporting.ValueIn{DataElement: ind.Code, CategoryOptionCombo: cat.Combos(ind)[0],
					OrgUnit: x.u.Code, Value: "0"})
			}
		}
		if len(zeros.Values) > 0 {
			sum, err := a.Reporting.Import(ctx, identity.SystemActor, zeros, false)
			if err != nil {
				return moved, err
			}
			if len(sum.Conflicts) > 0 {
				return moved, fmt.Errorf("demo report statuses: %s: %s", sum.Conflicts[0].Object, sum.Conflicts[0].Key)
			}
		}
		for _, x := range reports {
			u, r := x.u, x.r
			sent := deadline.Time(workcal.ICT).Add(time.Duration(9+r%7)*time.Hour).AddDate(0, 0, -(r % 3))
			if r%13 == 0 {
				sent = sent.AddDate(0, 0, 2+r%3) // late
			}
			at(sent)
			if _, err := a.Reporting.Approve(ctx, identity.SystemActor, reporting.ActApprove, f.Code, p.String(), u.Code, ""); err != nil {
				return moved, err
			}
			moved++
			if latest && r < 18 {
				continue // approved, awaiting the level above
			}
			at(sent.AddDate(0, 0, 1))
			if _, err := a.Reporting.Approve(ctx, identity.SystemActor, reporting.ActAccept, f.Code, p.String(), u.Code, ""); err != nil {
				return moved, err
			}
		}
	}
	return moved, nil
}
