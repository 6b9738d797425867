package dossier_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"egov/internal/dossier"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

// BenchmarkIntake files counter intakes from parallel clients on SQLite
// with durable commits, and reports the rate as a share of the engine's raw
// rate of one-row inserts, one commit each, measured in the same run (the
// storage limit a filing can at best approach without grouping commits).
func BenchmarkIntake(b *testing.B) {
	db := storetest.SQLite(b)
	w := newWorld(b, db)
	ctx := context.Background()
	receiver := w.actor("motcua.31615")

	if _, err := db.ExecContext(ctx, `CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	const n = 500
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO bench_raw (v) VALUES (?)`, fmt.Sprint(i))
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	raw := float64(n) / time.Since(start).Seconds()

	in := dossier.NewDossier{ProcedureCode: "1.004873", UnitCode: "31615", Channel: dossier.ChannelDirect, Fields: marital(),
		Applicant: dossier.Applicant{Name: "Sơn Văn Đức", Phone: "0987654321"}}
	var failed atomic.Int64
	b.SetParallelism(32) // 64 clients on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := w.app.Dossiers.Intake(ctx, receiver, in); err != nil {
				failed.Add(1)
			}
		}
	})
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "filings/s")
	b.ReportMetric(raw, "raw-inserts/s")
	b.ReportMetric(rate/raw, "x-raw")
	if failed.Load() > 0 {
		b.Fatalf("%d filings failed", failed.Load())
	}
}
