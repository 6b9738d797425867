package workcal_test

import (
	"context"
	"os"
	"testing"

	"egov"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/units"
	"egov/internal/workcal"
)

func announced(t *testing.T) []workcal.Day {
	t.Helper()
	f, err := os.Open("../../../shared/data/holidays/vn-public-sector-2024-2026.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	days, err := workcal.ParseCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return days
}

func TestServiceStoresSchedules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := identity.NewService(db, units.NewService(db))
		svc := workcal.NewService(db)
		if err := svc.Seed(ctx, announced(t)); err != nil {
			t.Fatal(err)
		}
		cal, err := svc.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Tết 2026: off from Monday 16 Feb to Friday 20 Feb; from the Friday
		// before, one working day later is Monday 23 Feb.
		from, _ := workcal.ParseDate("2026-02-13")
		if got := cal.AddWorkingDays(from, 1).String(); got != "2026-02-23" {
			t.Errorf("2026-02-13 + 1 working day = %s, want 2026-02-23", got)
		}
		for _, y := range []int{2024, 2025, 2026} {
			if !cal.Announced(y) {
				t.Errorf("%d is not announced after the seed", y)
			}
		}

		// An officer who is not a whole-tree administrator may not edit it.
		officer := &identity.Actor{User: &identity.User{ID: 1, Username: "x"}, Grants: []identity.Grant{{Role: identity.RoleAdmin, UnitID: 5}}}
		if err := svc.SetYear(ctx, officer, ids, 2027, nil); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Fatalf("SetYear by a unit administrator: %v", err)
		}
		// A day outside the year is refused, and nothing changes.
		d, _ := workcal.ParseDate("2026-09-01")
		if err := svc.SetYear(ctx, identity.SystemActor, ids, 2027, []workcal.Day{{Date: d, Kind: workcal.Off, Name: "Quốc khánh"}}); egov.ErrorCode(err) != egov.EINVALID {
			t.Fatalf("a 2026 day in the 2027 schedule: %v", err)
		}
		// Clearing a year returns it to the statutory rules, at once.
		if err := svc.SetYear(ctx, identity.SystemActor, ids, 2026, nil); err != nil {
			t.Fatal(err)
		}
		cal, _ = svc.Calendar(ctx)
		if cal.Announced(2026) {
			t.Fatal("2026 still announced after it was cleared")
		}
		// Seeding again restores only the missing year.
		if err := svc.Seed(ctx, announced(t)); err != nil {
			t.Fatal(err)
		}
		days, _ := svc.Announced(ctx, 2026)
		if len(days) == 0 {
			t.Fatal("seed did not restore 2026")
		}
	})
}

// Administrators saving the same year at once all succeed, one after the
// other, and the year ends with one of their schedules whole.
func TestConcurrentSaves(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := identity.NewService(db, units.NewService(db))
		svc := workcal.NewService(db)
		var days []workcal.Day
		for _, d := range announced(t) {
			if d.Date.Year() == 2025 {
				days = append(days, d)
			}
		}
		errs := make(chan error, 4)
		for i := 0; i < 4; i++ {
			go func() { errs <- svc.SetYear(ctx, identity.SystemActor, ids, 2025, days) }()
		}
		for i := 0; i < 4; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		got, err := svc.Announced(ctx, 2025)
		if err != nil || len(got) != len(days) {
			t.Fatalf("%d days stored, want %d (%v)", len(got), len(days), err)
		}
	})
}
