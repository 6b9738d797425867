package demo_test

import (
	"context"
	"testing"
	"time"

	"egov/internal/demo"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/store/storetest"
)

// The demo's report statuses: the latest due month mostly accepted, some
// overdue, some waiting for the city; a second load does nothing.
func TestReportStatuses(t *testing.T) {
	ctx := context.Background()
	a := demoApp(t, storetest.SQLite(t))
	until := time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)
	n, err := demo.LoadReportStatuses(ctx, a, until, 2)
	if err != nil || n < 50 {
		t.Fatalf("moved %d reports: %v", n, err)
	}
	if again, err := demo.LoadReportStatuses(ctx, a, until, 2); err != nil || again != 0 {
		t.Fatalf("a second load moved %d (%v)", again, err)
	}
	a.Reporting.Now = func() time.Time { return until }
	c, err := a.Reporting.Completeness(ctx, identity.SystemActor, "KTXH-XA-THANG", "202602", "92", 0)
	if err != nil {
		t.Fatal(err)
	}
	approved := 0
	for _, r := range c.Reports {
		if r.Status == reporting.StatusApproved {
			approved++
		}
	}
	if c.Overdue == 0 || c.Submitted < c.Expected*3/4 || c.OnTime == c.Submitted || c.OnTime < c.Submitted/2 || approved == 0 {
		t.Errorf("202602: expected %d submitted %d on time %d overdue %d approved %d", c.Expected, c.Submitted, c.OnTime, c.Overdue, approved)
	}
}
