package reporting_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

// BenchmarkAnalytics measures a province-level yearly pivot of 20
// indicators by commune (the structure of 2024: 94;LEVEL-3) over five years
// of monthly values of every commune, beside the plain SQL GROUP BY over the
// same raw values on the same engine, and reports the ratio (x-groupby, the
// pivot's time over the GROUP BY's) and the first query's time, which loads
// the values into memory.
//
//	go test ./internal/reporting -run '^$' -bench Analytics -benchtime 20x
func BenchmarkAnalytics(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchAnalytics(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchAnalytics(b, storetest.Postgres(b)) })
}

func benchAnalytics(b *testing.B, db *store.DB) {
	ctx := context.Background()
	fx := newFixture(b, db)
	cat, err := fx.rep.Catalogue(ctx)
	if err != nil {
		b.Fatal(err)
	}
	g, err := fx.app.Units.Graph(ctx)
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	var communes []int64
	for _, u := range g.Subtree(g.At("94", at), at) {
		if u.Level == 3 {
			communes = append(communes, u.ID)
		}
	}
	inds := numeric(cat, 20)
	// Raw rows straight into the table: the import path is not measured here.
	type row struct {
		ind   *reporting.Indicator
		unit  int64
		month reporting.Period
	}
	var rows []row
	for y := 2020; y <= 2024; y++ {
		for m := 1; m <= 12; m++ {
			p, _ := reporting.ParsePeriod(fmt.Sprintf("%d%02d", y, m))
			for _, u := range communes {
				for _, ind := range inds {
					rows = append(rows, row{ind, u, p})
				}
			}
		}
	}
	const batch = 500
	for i := 0; i < len(rows); i += batch * 20 {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for j := i; j < min(i+batch*20, len(rows)); j += batch {
				part := rows[j:min(j+batch, len(rows))]
				var sb strings.Builder
				args := make([]any, 0, len(part)*9)
				sb.WriteString(`INSERT INTO stat_values (indicator_id, combo, unit_id, period, period_start, period_end, value, num, updated_by, updated_at) VALUES `)
				for k, r := range part {
					if k > 0 {
						sb.WriteString(",")
					}
					sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, 'bench', '2025-01-01T00:00:00.000000000Z')")
					v := float64((j+k)%997 + 1)
					args = append(args, r.ind.ID, cat.Combos(r.ind)[0], r.unit, r.month.String(), r.month.Start().String(), r.month.End().String(), fmt.Sprint(v), v)
				}
				if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}

	// The floor: GROUP BY indicator and unit over the year's raw values.
	groupBy := func() int {
		rs, err := db.QueryContext(ctx, `SELECT indicator_id, unit_id, SUM(num) FROM stat_values
			WHERE period_start >= '2024-01-01' AND period_end <= '2024-12-31' GROUP BY indicator_id, unit_id`)
		if err != nil {
			b.Fatal(err)
		}
		defer rs.Close()
		n := 0
		for rs.Next() {
			var ind, unit int64
			var sum float64
			if err := rs.Scan(&ind, &unit, &sum); err != nil {
				b.Fatal(err)
			}
			n++
		}
		return n
	}
	const floorRuns = 10
	groupBy()
	start := time.Now()
	for range floorRuns {
		groupBy()
	}
	floor := time.Since(start) / floorRuns

	q := reporting.AnalyticsQuery{PE: []string{"2024"}, OU: []string{"94", "LEVEL-3"}, At: at}
	for _, ind := range inds {
		q.DX = append(q.DX, ind.Code)
	}
	// The first query loads the indicators into memory; later ones read
	// only their versions.
	start = time.Now()
	if _, err := fx.rep.Analytics(ctx, identity.SystemActor, q); err != nil {
		b.Fatal(err)
	}
	first := time.Since(start)
	var cells int
	for b.Loop() {
		res, err := fx.rep.Analytics(ctx, identity.SystemActor, q)
		if err != nil {
			b.Fatal(err)
		}
		cells = len(res.Rows)
	}
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per.Microseconds())/1000, "ms/pivot")
	b.ReportMetric(float64(floor.Microseconds())/1000, "ms/groupby")
	b.ReportMetric(float64(first.Microseconds())/1000, "ms/first")
	b.ReportMetric(float64(per)/float64(floor), "x-groupby")
	b.ReportMetric(float64(len(rows)), "values")
	b.ReportMetric(float64(cells), "cells")
}

// BenchmarkImport measures an import of a year of monthly values of 20
// indicators for ten communes (2,400 values) in one data value set.
//
//	go test ./internal/reporting -run '^$' -bench Import -benchtime 5x
func BenchmarkImport(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchImport(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchImport(b, storetest.Postgres(b)) })
}

func benchImport(b *testing.B, db *store.DB) {
	ctx := context.Background()
	fx := newFixture(b, db)
	cat, err := fx.rep.Catalogue(ctx)
	if err != nil {
		b.Fatal(err)
	}
	inds := numeric(cat, 20)
	communes := []string{"31615", "31618", "31621", "31624", "31627", "31603", "31606", "31609", "31630", "31633"}
	round := 0
	for b.Loop() {
		round++
		var set reporting.ValueSet
		for m := 1; m <= 12; m++ {
			for _, u := range communes {
				for _, ind := range inds {
					set.Values = append(set.Values, reporting.ValueIn{DataElement: ind.Code, CategoryOptionCombo: cat.Combos(ind)[0],
						Period: fmt.Sprintf("2024%02d", m), OrgUnit: u, Value: fmt.Sprint(round*7 + m)})
				}
			}
		}
		sum, err := fx.rep.Import(ctx, identity.SystemActor, set, false)
		if err != nil || sum.Imported+sum.Updated != len(set.Values) {
			b.Fatalf("imported %d, updated %d, %d conflicts: %v", sum.Imported, sum.Updated, len(sum.Conflicts), err)
		}
	}
	b.ReportMetric(float64(2400*b.N)/b.Elapsed().Seconds(), "values/s")
}

// numeric returns the first n entered indicators with numeric values.
func numeric(cat *reporting.Catalogue, n int) []*reporting.Indicator {
	var out []*reporting.Indicator
	for _, ind := range cat.Indicators {
		if !ind.Computed() && (ind.ValueType == reporting.TypeNumber || ind.ValueType == reporting.TypeInteger) && len(out) < n {
			out = append(out, ind)
		}
	}
	return out
}
