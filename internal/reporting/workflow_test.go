package reporting_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

// monthly is a complete monthly report of one commune, every indicator
// with one value.
func monthly(unit, period string) reporting.ValueSet {
	set := reporting.ValueSet{DataSet: "KTXH-XA-THANG", Period: period, OrgUnit: unit}
	for _, v := range [][3]string{
		{"CX.NN.01", "dongxuan", "100"}, {"CX.NN.02", "dongxuan", "50"},
		{"CX.NN.07", "thechantrang_thamcanh", "10"}, {"CX.NN.09", "su_quangcanh", "2"},
		{"CX.CQS.01", "tructiep", "30"}, {"CX.CQS.02", "", "5"}, {"CX.CDS.13", "nam", "3"},
	} {
		set.Values = append(set.Values, reporting.ValueIn{DataElement: v[0], CategoryOptionCombo: v[1], Value: v[2]})
	}
	return set
}

func TestSubmitWorkflow(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		reporter := fx.actor("baocao.anthanh", identity.RoleReporter, "31615")
		leader := fx.actor("lanhdao.anthanh", identity.RoleLeader, "31615")
		stat := fx.actor("thongke.tp", identity.RoleStatistician, "92")
		const form, period, unit = "KTXH-XA-THANG", "202602", "31615"
		code := func(err error) string { return egov.ErrorCode(err) }
		key := func(err error) string { k, _ := egov.ErrorKey(err); return k }
		args := func(err error) string { _, a := egov.ErrorKey(err); return fmt.Sprint(a...) }
		step := func(a *identity.Actor, act reporting.ApprovalAction, reason string) (*reporting.Approval, error) {
			return fx.rep.Approve(ctx, a, act, form, period, unit, reason)
		}
		imp := func(set reporting.ValueSet) *reporting.ImportSummary {
			t.Helper()
			sum, err := fx.rep.Import(ctx, reporter, set, false)
			if err != nil {
				t.Fatal(err)
			}
			return sum
		}
		cal, err := fx.app.Calendar.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := reporting.ParsePeriod(period)
		deadline := p.Deadline(cal, 1)
		// The first submission happens on the deadline's morning.
		onDeadline := deadline.Time(workcal.ICT).Add(9 * time.Hour)
		fx.rep.Now = func() time.Time { return onDeadline }

		// Incomplete: one indicator without a value.
		set := monthly(unit, period)
		set.Values = set.Values[:len(set.Values)-1]
		imp(set)
		_, err = step(reporter, reporting.ActSubmit, "")
		if code(err) != egov.ECONFLICT || key(err) != "stats.submit_missing" || !strings.Contains(args(err), "CX.CDS.13") {
			t.Fatalf("submitting an incomplete report: %v", err)
		}
		chk, err := fx.rep.CheckReport(ctx, reporter, form, period, unit)
		if err != nil || len(chk.Missing) != 1 || chk.Missing[0].Code != "CX.CDS.13" || len(chk.Violations) != 0 {
			t.Fatalf("check: %+v %v", chk, err)
		}
		// Complete, but ST25 over the rice area breaks a rule.
		set = monthly(unit, period)
		set.Values[1].Value = "150"
		imp(set)
		if _, err = step(reporter, reporting.ActSubmit, ""); key(err) != "stats.submit_violations" || !strings.Contains(args(err), "R-ST25") {
			t.Fatalf("submitting a report that breaks a rule: %v", err)
		}
		if _, err := step(leader, reporting.ActSubmit, ""); code(err) != egov.EFORBIDDEN {
			t.Errorf("the leader (no stats.enter) submits: %v", err)
		}
		if _, err := step(leader, reporting.ActReturn, "Sửa"); code(err) != egov.ECONFLICT {
			t.Errorf("returning an open report: %v", err)
		}
		imp(monthly(unit, period))
		ap, err := step(reporter, reporting.ActSubmit, "")
		if err != nil || ap.Status != reporting.StatusSubmitted || !ap.SubmittedAt.Equal(onDeadline) {
			t.Fatalf("submit: %+v %v", ap, err)
		}
		if _, err := step(reporter, reporting.ActSubmit, ""); key(err) != "stats.already_submitted" {
			t.Errorf("submitting twice: %v", err)
		}
		// Submitted data is locked.
		sum := imp(reporting.ValueSet{DataSet: form, Period: period, OrgUnit: unit,
			Values: []reporting.ValueIn{{DataElement: "CX.CQS.02", Value: "6"}}})
		if sum.Status != "ERROR" || sum.Conflicts[0].Key != "stats.locked" {
			t.Fatalf("import into a submitted report: %+v", sum)
		}
		if _, err := step(stat, reporting.ActAccept, ""); key(err) != "stats.not_approved" {
			t.Errorf("accepting a submitted report: %v", err)
		}
		// The leader sends it back; the reporter corrects and submits again,
		// a day late: timeliness keeps the first submission.
		if ap, err = step(leader, reporting.ActReturn, "Kiểm tra lại số hồ sơ"); err != nil || ap.Status != reporting.StatusReturned {
			t.Fatalf("the leader returns it: %+v %v", ap, err)
		}
		fx.rep.Now = func() time.Time { return onDeadline.Add(24 * time.Hour) }
		if sum := imp(reporting.ValueSet{DataSet: form, Period: period, OrgUnit: unit,
			Values: []reporting.ValueIn{{DataElement: "CX.CQS.02", Value: "6"}}}); sum.Updated != 1 {
			t.Fatalf("import into a returned report: %+v", sum)
		}
		if ap, err = step(reporter, reporting.ActSubmit, ""); err != nil || !ap.SubmittedAt.Equal(onDeadline) {
			t.Fatalf("submit again: %+v %v", ap, err)
		}
		if ap, err = step(leader, reporting.ActApprove, ""); err != nil || ap.Status != reporting.StatusApproved {
			t.Fatalf("approve: %+v %v", ap, err)
		}
		if _, err := step(leader, reporting.ActReturn, "Sửa"); code(err) != egov.EFORBIDDEN {
			t.Errorf("the leader returns an approved report: %v", err)
		}
		if ap, err = step(stat, reporting.ActReturn, "Số hồ sơ trực tuyến chưa khớp"); err != nil || ap.Status != reporting.StatusReturned {
			t.Fatalf("the level above returns it: %+v %v", ap, err)
		}
		for _, s := range []struct {
			a   *identity.Actor
			act reporting.ApprovalAction
		}{{reporter, reporting.ActSubmit}, {leader, reporting.ActApprove}, {stat, reporting.ActAccept}} {
			if ap, err = step(s.a, s.act, ""); err != nil {
				t.Fatalf("%s: %v", s.act, err)
			}
		}
		if ap.Status != reporting.StatusAccepted {
			t.Fatalf("after accept: %+v", ap)
		}
		// Each step is in the audit log, on the commune, with the reason.
		es, err := audit.List(ctx, db, audit.Filter{Action: "stats.", ObjectID: form + "/" + period, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var trail []string
		for i := len(es) - 1; i >= 0; i-- {
			if es[i].Action != "stats.import" {
				trail = append(trail, es[i].ActorName+" "+es[i].Action+" "+es[i].UnitCode)
			}
		}
		want := "baocao.anthanh stats.submit 31615,lanhdao.anthanh stats.return 31615,baocao.anthanh stats.submit 31615," +
			"lanhdao.anthanh stats.approve 31615,thongke.tp stats.return 31615,baocao.anthanh stats.submit 31615," +
			"lanhdao.anthanh stats.approve 31615,thongke.tp stats.accept 31615"
		if got := strings.Join(trail, ","); got != want {
			t.Errorf("audit trail:\n%s\nwant\n%s", got, want)
		}
		if _, err := step(stat, reporting.ActAccept, ""); key(err) != "stats.already_accepted" {
			t.Errorf("accepting twice: %v", err)
		}

		// Completeness of the city's communes: one submitted, on time; the
		// others overdue once the deadline has passed.
		c, err := fx.rep.Completeness(ctx, stat, form, period, "92", 0)
		if err != nil {
			t.Fatal(err)
		}
		if c.Level != 3 || c.Expected < 20 || c.Submitted != 1 || c.OnTime != 1 || c.Overdue != c.Expected-1 || c.Deadline != deadline {
			t.Fatalf("completeness: level %d expected %d submitted %d on time %d overdue %d deadline %s",
				c.Level, c.Expected, c.Submitted, c.OnTime, c.Overdue, c.Deadline)
		}
		found := false
		for _, r := range c.Reports {
			if r.Unit.Code == unit {
				found = r.Status == reporting.StatusAccepted && !r.Late && !r.Overdue
			}
		}
		if !found {
			t.Errorf("An Thạnh's report is not listed as accepted on time")
		}
		if _, err := fx.rep.Completeness(ctx, reporter, form, period, "92", 0); code(err) != egov.EFORBIDDEN {
			t.Errorf("a commune reporter reads the city's completeness: %v", err)
		}
		if c, err := fx.rep.Completeness(ctx, stat, form, period, "92", 2); err != nil || c.Expected != 0 {
			t.Errorf("districts in 2026: %+v %v", c, err)
		}
		if _, err := fx.rep.Completeness(ctx, stat, form, period, "92", 1); code(err) != egov.EINVALID {
			t.Errorf("the unit's own level asked: %v", err)
		}

		// The reporter's list: the monthly and yearly forms of the commune.
		rs, err := fx.rep.Reports(ctx, reporter)
		if err != nil {
			t.Fatal(err)
		}
		var months, years int
		for _, r := range rs {
			switch r.Form.Code {
			case form:
				months++
				if r.Period.String() == period && r.Status != reporting.StatusAccepted {
					t.Errorf("listed %s as %s", period, r.Status)
				}
			case "KTXH-XA-NAM":
				years++
			}
		}
		if months != 4 || years != 2 {
			t.Errorf("listed %d monthly and %d yearly reports: %+v", months, years, rs)
		}
	})
}

func TestCurrentPeriod(t *testing.T) {
	for _, c := range []struct {
		typ  reporting.PeriodType
		day  workcal.Date
		want string
	}{
		{reporting.Monthly, workcal.NewDate(2026, 11, 29), "202612"},
		{reporting.Monthly, workcal.NewDate(2026, 11, 14), "202611"},
		{reporting.Monthly, workcal.NewDate(2026, 12, 15), "202701"},
		{reporting.Yearly, workcal.NewDate(2026, 12, 14), "2026"},
		{reporting.Yearly, workcal.NewDate(2026, 12, 15), "2027"},
		{reporting.Quarterly, workcal.NewDate(2026, 3, 20), "2026Q2"},
	} {
		if got := reporting.Current(c.typ, c.day).String(); got != c.want {
			t.Errorf("Current(%s, %s) = %s, want %s", c.typ, c.day, got, c.want)
		}
	}
	for in, want := range map[string]string{"202601": "202512", "2026Q1": "2025Q4", "2026S2": "2026S1", "2026N9": "2025N9", "2026": "2025"} {
		p, _ := reporting.ParsePeriod(in)
		if got := p.Prev().String(); got != want {
			t.Errorf("%s.Prev() = %s, want %s", in, got, want)
		}
	}
}
