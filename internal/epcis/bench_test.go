package epcis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"egov/internal/epcis"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/units"
)

// document returns an EPCISDocument of n shipping events, two serialised
// items each, starting at serial first.
func document(first, n int) []byte {
	events := make([]map[string]any, n)
	for i := range events {
		s := first + i
		events[i] = map[string]any{
			"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
			"eventTime":           time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(s) * time.Second).Format(time.RFC3339),
			"eventTimeZoneOffset": "+07:00",
			"epcList":             []string{fmt.Sprintf("urn:epc:id:sgtin:8930000.012345.%d", 2*s), fmt.Sprintf("urn:epc:id:sgtin:8930000.012345.%d", 2*s+1)},
			"readPoint":           map[string]any{"id": "urn:epc:id:sgln:8930000.00001.0"},
			"bizLocation":         map[string]any{"id": "https://truyxuat.example.gov.vn/id/HTX-ST25/loc/kho-1"},
		}
	}
	b, _ := json.Marshal(map[string]any{
		"@context": []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"},
		"type":     "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-03-01T00:00:00Z",
		"epcisBody": map[string]any{"eventList": events},
	})
	return b
}

// BenchmarkCapture captures documents of 100 events and, in the same run,
// inserts the same rows straight into the tables (no parsing, validation,
// hashing): the ratio is what the repository costs over the engine.
//
//	go test -run XXX -bench Capture -benchtime 20x ./internal/epcis/
func BenchmarkCapture(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := benchDB(b, engine)
			f := &fixture{ctx: context.Background(), db: db, svc: epcis.NewService(db, provincialBase)}
			f.svc.Now = time.Now
			f.op = benchActor(b, db)
			const perDoc = 100
			docs := make([][]byte, b.N)
			for i := range docs {
				docs[i] = document(i*perDoc, perDoc)
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				job, err := f.svc.Capture(f.ctx, f.op, docs[i])
				if err != nil || !job.Success {
					b.Fatal(err, job)
				}
			}
			capture := float64(b.N*perDoc) / time.Since(start).Seconds()
			b.StopTimer()
			raw := rawInsertRate(b, db, b.N*perDoc, perDoc)
			b.ReportMetric(capture, "events/s")
			b.ReportMetric(raw, "raw-events/s")
			b.ReportMetric(capture/raw, "ratio")
		})
	}
}

// rawInsertRate inserts n event rows (with two identifier rows each) in
// transactions of per rows and returns the rows per second.
func rawInsertRate(b *testing.B, db *store.DB, n, per int) float64 {
	ctx := context.Background()
	var capture int64
	if err := db.QueryRowContext(ctx, `SELECT min(id) FROM epcis_captures`).Scan(&capture); err != nil {
		b.Fatal(err)
	}
	body := string(document(0, 1))
	start := time.Now()
	for done := 0; done < n; done += per {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for i := done; i < done+per; i++ {
				var id int64
				err := tx.QueryRowContext(ctx, `INSERT INTO epcis_events (event_id, event_type, event_time, record_time, tz_offset, action,
					biz_step, disposition, read_point, biz_location, error_declared, error_reason, capture_id, body, context)
					VALUES (?, 'ObjectEvent', ?, ?, '+07:00', 'OBSERVE', 'x', 'y', 'z', 'w', 0, '', ?, ?, '[]') RETURNING id`,
					fmt.Sprintf("raw:%d", i), store.FormatTime(time.Now()), store.FormatTime(time.Now()), capture, body).Scan(&id)
				if err != nil {
					return err
				}
				for k := 0; k < 2; k++ {
					if _, err := tx.ExecContext(ctx, `INSERT INTO epcis_event_epcs (event, role, epc) VALUES (?, 'epc', ?)`, id, fmt.Sprintf("raw:%d:%d", i, k)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

func benchDB(b *testing.B, engine string) *store.DB {
	if engine == "sqlite" {
		return storetest.SQLite(b)
	}
	return storetest.Postgres(b)
}

func benchActor(b *testing.B, db *store.DB) *identity.Actor {
	ids := identity.NewService(db, units.NewService(db))
	u, err := ids.CreateOfficer(context.Background(), identity.SystemActor, identity.NewUser{Username: "bench", FullName: "Bench", Password: "mat-khau-dai"}, identity.RoleTraceOperator, 0)
	if err != nil {
		b.Fatal(err)
	}
	a, err := ids.ActorFor(context.Background(), u)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkQueryMatchEPC: MATCH_epc with an event-time window over 20,000
// stored events, beside the raw indexed lookup of the same identifier's
// rows in the same run.
//
//	go test -run XXX -bench QueryMatchEPC -benchtime 200x ./internal/epcis/
func BenchmarkQueryMatchEPC(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := benchDB(b, engine)
			svc := epcis.NewService(db, provincialBase)
			op := benchActor(b, db)
			ctx := context.Background()
			const docs, perDoc = 200, 100
			for i := 0; i < docs; i++ {
				if job, err := svc.Capture(ctx, op, document(i*perDoc, perDoc)); err != nil || !job.Success {
					b.Fatal(err, job)
				}
			}
			b.ResetTimer()
			var query, raw time.Duration
			lat := make([]time.Duration, b.N)
			for i := 0; i < b.N; i++ {
				s := (i * 7919) % (docs * perDoc)
				epc := fmt.Sprintf("urn:epc:id:sgtin:8930000.012345.%d", 2*s)
				v := url.Values{"MATCH_epc": {epc}, "GE_eventTime": {"2026-03-01T00:00:00Z"}, "LT_eventTime": {"2026-04-01T00:00:00Z"}}
				start := time.Now()
				q, err := svc.ParseQuery(v, nil)
				if err != nil {
					b.Fatal(err)
				}
				page, err := svc.QueryEvents(ctx, op, q, v)
				if err != nil || len(page.Events) != 1 {
					b.Fatal(err, len(page.Events))
				}
				lat[i] = time.Since(start)
				query += lat[i]
				canon, _ := svc.Parser.IDs.Canonical(epc)
				start = time.Now()
				var body string
				err = db.QueryRowContext(ctx, `SELECT e.body FROM epcis_event_epcs x JOIN epcis_events e ON e.id = x.event WHERE x.epc = ?`, canon).Scan(&body)
				if err != nil {
					b.Fatal(err)
				}
				raw += time.Since(start)
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds()), "µs/query-p95")
			b.ReportMetric(float64(query.Microseconds())/float64(b.N), "µs/query")
			b.ReportMetric(float64(raw.Microseconds())/float64(b.N), "µs/raw-lookup")
			b.ReportMetric(float64(query)/float64(raw), "ratio")
		})
	}
}

// BenchmarkQueryMatchEPCOperator is BenchmarkQueryMatchEPC for an operator
// of one of two organisations that captured half of the 20,000 events
// each: the visibility condition (visibility.go) is in every query.
//
//	go test -run XXX -bench QueryMatchEPCOperator -benchtime 200x ./internal/epcis/
func BenchmarkQueryMatchEPCOperator(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := benchDB(b, engine)
			full := newWorld(b, db)
			ctx := context.Background()
			const docs, perDoc = 200, 100
			for i := 0; i < docs; i++ {
				op := full.coopOp
				if i%2 == 1 {
					op = full.farmOp
				}
				if job, err := full.svc.Capture(ctx, op, document(i*perDoc, perDoc)); err != nil || !job.Success {
					b.Fatal(err, job)
				}
			}
			b.ResetTimer()
			lat := make([]time.Duration, b.N)
			var query time.Duration
			for i := 0; i < b.N; i++ {
				doc := (i * 2) % docs // the cooperative's documents
				s := doc*perDoc + (i*7919)%perDoc
				v := url.Values{"MATCH_epc": {fmt.Sprintf("urn:epc:id:sgtin:8930000.012345.%d", 2*s)},
					"GE_eventTime": {"2026-03-01T00:00:00Z"}, "LT_eventTime": {"2026-04-01T00:00:00Z"}}
				start := time.Now()
				q, err := full.svc.ParseQuery(v, nil)
				if err != nil {
					b.Fatal(err)
				}
				page, err := full.svc.QueryEvents(ctx, full.coopOp, q, v)
				if err != nil || len(page.Events) != 1 {
					b.Fatal(err, len(page.Events))
				}
				lat[i] = time.Since(start)
				query += lat[i]
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds()), "µs/query-p95")
			b.ReportMetric(float64(query.Microseconds())/float64(b.N), "µs/query")
		})
	}
}
