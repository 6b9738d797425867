package reporting_test

import (
	"context"
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

// ict is a time of day in Vietnam.
func ict(y int, m time.Month, d, hour int) time.Time {
	return time.Date(y, m, d, hour, 0, 0, 0, workcal.ICT)
}

func TestEntryClosing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		const form = "KTXH-XA-NAM"
		if err := fx.rep.SetCloseDays(ctx, identity.SystemActor, form, reporting.DefaultCloseDays); err != nil {
			t.Fatal(err)
		}
		clock := ict(2024, 12, 26, 23)
		fx.rep.Now = func() time.Time { return clock }
		reporter := fx.actor("baocao.anthanh", identity.RoleReporter, "31615")
		leader := fx.actor("lanhdao.anthanh", identity.RoleLeader, "31615")
		stat := fx.actor("thongke.tp", identity.RoleStatistician, "92")
		one := func(v string) reporting.ValueSet {
			return reporting.ValueSet{DataSet: form, Period: "2024", OrgUnit: "31618", Values: []reporting.ValueIn{{DataElement: "CX.DS.05", Value: v}}}
		}
		imp := func(a *identity.Actor, v string) *reporting.ImportSummary {
			t.Helper()
			sum, err := fx.rep.Import(ctx, a, one(v), false)
			if err != nil {
				t.Fatal(err)
			}
			return sum
		}
		window := func() *reporting.EntryWindow {
			t.Helper()
			w, err := fx.rep.EntryWindow(ctx, reporter, form, "2024", "31618")
			if err != nil {
				t.Fatal(err)
			}
			return w
		}

		// 2024's window ends on Saturday 14 December; a commune's report
		// is due one working day later, Monday 16, and entry stays open
		// ten days more, to the end of Thursday 26 December.
		w := window()
		if w.Deadline.String() != "2024-12-16" || w.LastDay.String() != "2024-12-26" || w.Closed || w.Reopened {
			t.Fatalf("window on the last day: %+v", w)
		}
		if sum := imp(reporter, "10"); sum.Imported != 1 {
			t.Fatalf("entry on the last day: %+v", sum)
		}
		data := fx.template(t, reporter, form, "2024", "31618").bytes()

		// From the next day (in Vietnam) entry is closed.
		clock = ict(2024, 12, 27, 0)
		if w := window(); !w.Closed {
			t.Fatalf("window the day after: %+v", w)
		}
		if sum := imp(reporter, "11"); sum.Status != "ERROR" || len(sum.Conflicts) != 1 || sum.Conflicts[0].Key != "stats.entry_closed" {
			t.Fatalf("entry after closing: %+v", sum)
		}
		if _, err := fx.rep.ImportXLSX(ctx, reporter, reporting.ReportKey{Form: form, Period: "2024", Unit: "31618"}, data, reporting.XLSXOptions{}); egov.ErrorCode(err) != egov.ECONFLICT {
			t.Errorf("upload after closing: %v", err)
		}
		// The command line loads history whatever the date.
		if sum := imp(identity.SystemActor, "10"); sum.Status != "SUCCESS" {
			t.Errorf("the system actor after closing: %+v", sum)
		}

		// Reopening: the level above only, until a day within 90, with a
		// reason.
		until := workcal.NewDate(2025, 1, 5)
		for _, a := range []*identity.Actor{reporter, leader} {
			if _, err := fx.rep.Reopen(ctx, a, form, "2024", "31618", until, "Bổ sung số liệu"); egov.ErrorCode(err) != egov.EFORBIDDEN {
				t.Errorf("%s reopens: %v", a.Name(), err)
			}
		}
		for _, c := range []struct {
			until  workcal.Date
			reason string
		}{{workcal.NewDate(2024, 12, 26), "Bổ sung"}, {workcal.NewDate(2025, 3, 28), "Bổ sung"}, {until, "  "}} {
			if _, err := fx.rep.Reopen(ctx, stat, form, "2024", "31618", c.until, c.reason); egov.ErrorCode(err) != egov.EINVALID {
				t.Errorf("reopen until %s with %q: %v", c.until, c.reason, err)
			}
		}
		ro, err := fx.rep.Reopen(ctx, stat, form, "2024", "31618", until, "Bổ sung số liệu điều tra hộ nghèo")
		if err != nil || ro.Until != until || ro.By != "thongke.tp" {
			t.Fatalf("reopen: %+v %v", ro, err)
		}
		if w := window(); w.Closed || !w.Reopened || w.Reopening == nil || w.Reopening.Until != until {
			t.Fatalf("window when reopened: %+v", w)
		}
		if sum := imp(reporter, "11"); sum.Updated != 1 {
			t.Fatalf("entry when reopened: %+v", sum)
		}
		if sum, err := fx.rep.ImportXLSX(ctx, reporter, reporting.ReportKey{Form: form, Period: "2024", Unit: "31618"}, data, reporting.XLSXOptions{}); err != nil || sum.Updated != 1 {
			t.Fatalf("upload when reopened: %+v %v", sum, err)
		}
		entries, err := audit.List(ctx, db, audit.Filter{Action: "stats.reopen"})
		if err != nil || len(entries) != 1 || entries[0].UnitCode != "31618" || entries[0].ActorName != "thongke.tp" {
			t.Errorf("audit of the reopening: %+v %v", entries, err)
		}
		list, err := fx.rep.Reopenings(ctx, stat)
		if err != nil || len(list) != 1 || list[0].Unit != "31618" || list[0].Form != form {
			t.Errorf("the statistician's reopenings: %+v %v", list, err)
		}
		if list, err := fx.rep.Reopenings(ctx, reporter); err != nil || len(list) != 0 {
			t.Errorf("the reporter's reopenings: %+v %v", list, err)
		}

		// The reopening lasts to the end of its day.
		clock = ict(2025, 1, 5, 23)
		if sum := imp(reporter, "12"); sum.Updated != 1 {
			t.Fatalf("entry on the reopening's last day: %+v", sum)
		}
		clock = ict(2025, 1, 6, 0)
		if sum := imp(reporter, "13"); sum.Status != "ERROR" {
			t.Fatalf("entry after the reopening: %+v", sum)
		}
		if list, err := fx.rep.Reopenings(ctx, stat); err != nil || len(list) != 0 {
			t.Errorf("an expired reopening is listed: %+v %v", list, err)
		}

		// A form whose entry never closes, and who may say so.
		if err := fx.rep.SetCloseDays(ctx, stat, form, 0); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Errorf("a city statistician changes the catalogue: %v", err)
		}
		if err := fx.rep.SetCloseDays(ctx, identity.SystemActor, form, -1); egov.ErrorCode(err) != egov.EINVALID {
			t.Errorf("negative close days: %v", err)
		}
		if err := fx.rep.SetCloseDays(ctx, identity.SystemActor, form, 0); err != nil {
			t.Fatal(err)
		}
		if sum := imp(reporter, "13"); sum.Updated != 1 {
			t.Fatalf("entry of a form that never closes: %+v", sum)
		}
		if w := window(); w.Closed || !w.LastDay.IsZero() {
			t.Errorf("window of a form that never closes: %+v", w)
		}
	})
}
