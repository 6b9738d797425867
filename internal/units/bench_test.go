package units_test

import (
	"context"
	"testing"
	"time"

	"egov/internal/store/storetest"
	"egov/internal/units"
)

func BenchmarkGraph(b *testing.B) {
	db := storetest.SQLite(b)
	ctx := context.Background()
	svc, g := demoGraph(b, db)
	_ = svc
	today := day("2026-11-29")
	anThanh := g.At("31615", today)
	canTho := g.At("92", today)
	old := g.At("31627", day("2025-01-01"))

	// The floor: a primary-key lookup on SQLite, measured in this run.
	const n = 2000
	start := time.Now()
	for i := 0; i < n; i++ {
		var name string
		if err := db.QueryRowContext(ctx, `SELECT name FROM units WHERE id = ?`, anThanh.ID).Scan(&name); err != nil {
			b.Fatal(err)
		}
	}
	raw := float64(time.Since(start).Nanoseconds()) / n

	run := func(name string, fn func()) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				fn()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/raw, "x-pk-lookup")
		})
	}
	run("At", func() { g.At("31615", today) })
	run("Ancestors", func() { g.Ancestors(g.At("31618", day("2025-01-01")), day("2025-01-01")) })
	run("Successors", func() { g.Successors(old, today) })
	run("Covers", func() { g.Covers(canTho.ID, old.ID, today) })
	run("Subtree92", func() { g.Subtree(canTho, today) })
	run("FindText", func() { g.Find(units.Query{At: today, Text: "an thanh"}) })
	run("GraphCached", func() { svc.Graph(ctx) })
	b.Logf("SQLite primary-key lookup: %.0f ns", raw)
}
