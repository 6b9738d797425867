package demo_test

import (
	"context"
	"math"
	"testing"
	"time"

	"egov/internal/demo"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

// TestStatistics loads two years of the commune reports across the 2025
// reorganisation and checks them against the province's starting points
// and the plan's targets, through the analytics.
func TestStatistics(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := demoApp(t, db)
		o := demo.StatisticsOptions{FromYear: 2024, Until: time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)}
		n, err := demo.LoadStatistics(ctx, a, o)
		if err != nil {
			t.Fatal(err)
		}
		if n < 10000 {
			t.Fatalf("only %d values", n)
		}
		if again, err := demo.LoadStatistics(ctx, a, o); err != nil || again != 0 {
			t.Fatalf("a second load stored %d (%v)", again, err)
		}
		ask := func(dx, pe, ou, at string) float64 {
			t.Helper()
			day, _ := time.Parse("2006-01-02", at)
			res, err := a.Reporting.Analytics(ctx, identity.SystemActor, reporting.AnalyticsQuery{DX: []string{dx}, PE: []string{pe}, OU: []string{ou}, At: day})
			if err != nil || len(res.Rows) != 1 {
				t.Fatalf("%s %s %s at %s: %+v %v", dx, pe, ou, at, res, err)
			}
			return res.Rows[0].Value
		}
		// The province in 2024, and the same territory in 2025 under the city.
		poor := ask("CX.XH.03", "2024", "94", "2024-12-31")
		if poor < 1 || poor > 2.6 {
			t.Errorf("poverty rate 2024: %.2f%%, want below 2020's 2.6%%", poor)
		}
		households24 := ask("CX.DS.03", "2024", "94", "2024-12-31")
		households25 := ask("CX.DS.03", "2025", "92", "2026-01-01")
		if households24 < 100000 || households25 < households24 || households25 > households24*1.05 {
			t.Errorf("households: %.0f in 2024, %.0f in 2025 across the merger", households24, households25)
		}
		if fibre := ask("CX.CDS.02", "2025", "92", "2026-01-01"); fibre < 80 || fibre > 100 {
			t.Errorf("fibre 2025: %.1f%%, the plan's target is more than 80%%", fibre)
		}
		if pay := ask("CX.CDS.11", "2025", "92", "2026-01-01"); pay < 50 || pay > 70 {
			t.Errorf("e-payment 2025: %.1f%%", pay)
		}
		if online := ask("CX.CQS.03", "2025Q4", "92", "2026-01-01"); online < 40 || online > 80 {
			t.Errorf("fully online dossiers 2025Q4: %.1f%%", online)
		}
		t.Logf("poverty 2024 %.2f%%, households %.0f → %.0f, fibre 2025 %.1f%%, e-payment 2025 %.1f%%", poor, households24, households25,
			ask("CX.CDS.02", "2025", "92", "2026-01-01"), ask("CX.CDS.11", "2025", "92", "2026-01-01"))
		rice := ask("CX.NN.01", "2024", "94", "2024-12-31")
		st25 := ask("CX.NN.02", "2024", "94", "2024-12-31")
		if rice < 10000 || st25 <= 0 || st25 > rice/3 {
			t.Errorf("rice sown 2024: %.0f ha, ST25 %.0f ha", rice, st25)
		}
		// Every rural commune meets the new-rural standard by 2026 at the
		// latest; in 2024 most, not all.
		ntm := ask("CX.XH.09", "2024", "94", "2024-12-31")
		if ntm < 50 || math.IsNaN(ntm) {
			t.Errorf("new-rural communes 2024: %.0f", ntm)
		}
		// Targets for 2025 on today's communes.
		g, _ := a.Units.Graph(ctx)
		u := g.At("31615", time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))
		p, _ := reporting.ParsePeriod("2025")
		tg, err := a.Reporting.TargetFor(ctx, "CX.CDS.02", u.ID, p)
		if err != nil || tg == nil || tg.Value != 80 {
			t.Fatalf("target: %+v %v", tg, err)
		}
		if st := tg.Status(ask("CX.CDS.02", "2025", "31615", "2026-01-01")); st != reporting.OnTrack {
			t.Errorf("An Thạnh's fibre against its target: %s", st)
		}
	})
}
