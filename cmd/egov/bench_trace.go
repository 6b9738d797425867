package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"egov/internal/app"
	"egov/internal/demo"
	"egov/internal/identity"
	"egov/internal/store"
)

// benchTraceFlags parses `egov bench trace` and runs it.
func benchTraceCommand(ctx context.Context, e *env, args []string) error {
	fs, df := newFlagSet(e, "bench trace")
	clients := fs.Int("clients", 4, "concurrent clients")
	duration := fs.Duration("duration", 10*time.Second, "how long each phase runs")
	events := fs.Int("events", 1_000_000, "events stored before the query phases")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *events < 1000 || *events > 20_000_000 {
		return fmt.Errorf("--events between 1000 and 20000000")
	}
	return benchTrace(ctx, e, df.db, *clients, *duration, *events)
}

// The stored events of the trace bench come in chains of ten: a lot
// transformed seven times in a row (paddy → dried → milled → … → packed),
// and one item commissioned, shipped and received. A depth-6 graph from a
// chain's first lot walks six transformations; MATCH_epc on an item with a
// time window finds its three events among all.
const (
	chainEvents    = 10
	chainTransform = 7
)

func benchLot(c, k int) string {
	return fmt.Sprintf("%s/B%03d/pr/P%d/lot/L%d-%d", app.DefaultTraceBase, c%1000, c%7, c, k)
}
func benchItem(c int) string {
	return fmt.Sprintf("%s/B%03d/pr/P%d/ser/S%d", app.DefaultTraceBase, c%1000, c%7, c)
}

var benchEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// benchChainTime is when chain c starts: chains spread over a year.
func benchChainTime(c, chains int) time.Time {
	return benchEpoch.Add(time.Duration(float64(365*24*time.Hour) * float64(c) / float64(chains)))
}

// benchTrace measures the EPCIS repository over loopback HTTP: capture of
// documents of 100 events, then, with the given number of events stored
// (bulk-loaded straight into the tables), MATCH_epc with a time window and
// a depth-6 trace graph; each beside the engine's raw insert and indexed
// lookup rates measured in the same run.
func benchTrace(ctx context.Context, e *env, pgURL string, clients int, duration time.Duration, total int) error {
	dsn, cleanup, err := benchDatabase(ctx, pgURL)
	if err != nil {
		return err
	}
	defer cleanup()
	a, err := app.Open(ctx, dsn, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Identity.CreateOfficer(ctx, identity.SystemActor, identity.NewUser{Username: "bench.trace", FullName: "Bench",
		Password: demo.DefaultPassword}, identity.RoleTraceOperator, 0); err != nil {
		return err
	}
	base, stop, err := serveLoopback(a)
	if err != nil {
		return err
	}
	defer stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	token, err := benchToken(client, base, "bench.trace")
	if err != nil {
		return err
	}
	raw, err := store.OpenRaw(ctx, dsn)
	if err != nil {
		return err
	}
	defer raw.Close()
	pg := strings.HasPrefix(dsn, "postgres")
	fmt.Fprintf(e.stdout, "egov bench trace: %s, %d clients, %s per phase, %d events stored\n\n", a.DB.Engine(), clients, duration, total)

	// 1. Capture: documents of 100 events, against 100 raw inserts a commit.
	rawRate, err := rawBatchInsertRate(ctx, raw, pg, clients, duration)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%-34s %10.0f rows/s\n", "raw insert, 100 rows/commit", rawRate)
	var docSeq atomic.Int64
	capture := runPhase(clients, duration, func(int) error {
		doc := benchDocument(int(docSeq.Add(1)))
		req, _ := http.NewRequest("POST", base+"/epcis/capture", bytes.NewReader(doc))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/ld+json")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusAccepted {
			return fmt.Errorf("capture: %d %s", res.StatusCode, body)
		}
		return nil
	})
	if capture.err != nil {
		return capture.err
	}
	capture.print(e.stdout, "capture (100 events/document)")
	fmt.Fprintf(e.stdout, "%-34s %10.0f events/s, %.2f of the raw insert rate\n", "", capture.rate*100, capture.rate*100/rawRate)

	// 2. Store the events the queries run against.
	var have int
	if err := raw.QueryRowContext(ctx, "SELECT count(*) FROM epcis_events").Scan(&have); err != nil {
		return err
	}
	chains := max(1, (total-have)/chainEvents)
	start := time.Now()
	if err := benchLoad(ctx, raw, pg, chains); err != nil {
		return err
	}
	if err := raw.QueryRowContext(ctx, "SELECT count(*) FROM epcis_events").Scan(&have); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%-34s %10d events in %.1f s (bulk, straight into the tables)\n\n", "stored", have, time.Since(start).Seconds())

	// 3. The engine's indexed lookup, then the two queries.
	rng := func(i int) int { return int(rand.Uint64N(uint64(chains))) }
	rawQ := `SELECT event FROM epcis_event_epcs WHERE epc = ?`
	if pg {
		rawQ = `SELECT event FROM epcis_event_epcs WHERE epc = $1`
	}
	lookup := runPhase(clients, duration, func(i int) error {
		rows, err := raw.QueryContext(ctx, rawQ, benchItem(rng(i)))
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n != 3 {
			return fmt.Errorf("raw lookup found %d rows", n)
		}
		return rows.Err()
	})
	if lookup.err != nil {
		return lookup.err
	}
	lookup.print(e.stdout, "raw indexed lookup (epc = ?)")

	get := func(path string, check func([]byte) error) error {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %d %.300s", path, res.StatusCode, body)
		}
		return check(body)
	}
	match := runPhase(clients, duration, func(i int) error {
		c := rng(i)
		t := benchChainTime(c, chains)
		q := url.Values{"MATCH_epc": {benchItem(c)}, "GE_eventTime": {t.Format(time.RFC3339)}, "LT_eventTime": {t.Add(36 * time.Hour).Format(time.RFC3339)}}
		return get("/epcis/events?"+q.Encode(), func(b []byte) error {
			var doc struct {
				EPCISBody struct {
					QueryResults struct {
						ResultsBody struct {
							EventList []json.RawMessage `json:"eventList"`
						} `json:"resultsBody"`
					} `json:"queryResults"`
				} `json:"epcisBody"`
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				return err
			}
			if n := len(doc.EPCISBody.QueryResults.ResultsBody.EventList); n != 2 {
				return fmt.Errorf("MATCH_epc found %d events, want 2", n)
			}
			return nil
		})
	})
	if match.err != nil {
		return match.err
	}
	match.print(e.stdout, "MATCH_epc + time window")
	fmt.Fprintf(e.stdout, "%-34s %10.2f of the raw lookup rate, p95 %.1f× the raw p95\n", "", match.rate/lookup.rate, ratio(match.p95, lookup.p95))

	graph := runPhase(clients, duration, func(i int) error {
		q := url.Values{"id": {benchLot(rng(i), 0)}, "direction": {"down"}, "depth": {"6"}}
		return get("/api/v1/trace/graph?"+q.Encode(), func(b []byte) error {
			var g struct {
				Nodes []json.RawMessage `json:"nodes"`
			}
			if err := json.Unmarshal(b, &g); err != nil {
				return err
			}
			if len(g.Nodes) != 7 {
				return fmt.Errorf("depth-6 graph of %d nodes, want 7", len(g.Nodes))
			}
			return nil
		})
	})
	if graph.err != nil {
		return graph.err
	}
	graph.print(e.stdout, "trace graph, depth 6 (down)")
	fmt.Fprintf(e.stdout, "%-34s %10.2f of the raw lookup rate (a graph is 12 lookups), p95 %.1f× the raw p95\n", "", graph.rate/lookup.rate,
		ratio(graph.p95, lookup.p95))
	return nil
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// benchDocument is capture document n: 100 shipping events of distinct
// items, without eventIDs (the repository computes their hash IDs).
func benchDocument(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",` +
		`"creationDate":"2026-03-01T08:00:00Z","epcisBody":{"eventList":[`)
	for i := 0; i < 100; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"ObjectEvent","eventTime":"2026-03-01T%02d:%02d:%02d+07:00","eventTimeZoneOffset":"+07:00","action":"OBSERVE",`+
			`"bizStep":"shipping","disposition":"in_transit","epcList":["%s/CAP/pr/X/ser/D%d-%d"],"readPoint":{"id":"%s/CAP/loc/KHO"},`+
			`"bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:8939999000017:PO%d"}]}`,
			i%24, i%60, n%60, app.DefaultTraceBase, n, i, app.DefaultTraceBase, n)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

// rawBatchInsertRate inserts event-sized rows, 100 a transaction, through
// a plain pool (no group commit), from clients goroutines: the engine's
// raw rate for what one capture document writes.
func rawBatchInsertRate(ctx context.Context, db *sql.DB, pg bool, clients int, duration time.Duration) (float64, error) {
	pk, insert := "INTEGER PRIMARY KEY", `INSERT INTO bench_raw_events (body) VALUES (?)`
	if pg {
		pk, insert = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", `INSERT INTO bench_raw_events (body) VALUES ($1)`
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE bench_raw_events (id `+pk+`, body TEXT NOT NULL)`); err != nil {
		return 0, err
	}
	row := strings.Repeat("x", 500)
	p := runPhase(clients, duration, func(int) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for i := 0; i < 100; i++ {
			if _, err := tx.ExecContext(ctx, insert, row); err != nil {
				tx.Rollback()
				return err
			}
		}
		return tx.Commit()
	})
	return p.rate * 100, p.err
}

// benchLoad writes chains of events straight into the repository's
// tables, in large multi-row statements: what a year of captures would
// have stored, in seconds.
func benchLoad(ctx context.Context, db *sql.DB, pg bool, chains int) error {
	var capture, next int64
	if err := db.QueryRowContext(ctx, "SELECT id FROM epcis_captures ORDER BY id LIMIT 1").Scan(&capture); err != nil {
		return fmt.Errorf("no capture to attach the bulk events to: %w", err)
	}
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(max(id), 0) + 1 FROM epcis_events").Scan(&next); err != nil {
		return err
	}
	const perTx = 1000 // chains a transaction
	const step = 50    // chains a statement: 500 events, 17 columns
	evCols := "(id, event_id, event_type, event_time, record_time, tz_offset, action, biz_step, disposition, read_point, biz_location, error_declared, error_reason, declaration_time, capture_id, body, context)"
	epcCols := "(event, role, epc, quantity, uom)"
	rec := store.FormatTime(time.Now().UTC())
	ctxJSON := `["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]`
	for c0 := 0; c0 < chains; c0 += perTx {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for s0 := c0; s0 < min(c0+perTx, chains); s0 += step {
			var evArgs, epcArgs []any
			nEv, nEPC := 0, 0
			for c := s0; c < min(s0+step, min(c0+perTx, chains)); c++ {
				t0 := benchChainTime(c, chains)
				place := fmt.Sprintf("%s/B%03d/loc/F%d", app.DefaultTraceBase, c%1000, c%50)
				add := func(typ, action, step string, t time.Time, body string, epcs ...[]any) {
					id := next
					next++
					eid := "urn:uuid:bench-" + strconv.FormatInt(id, 10)
					evArgs = append(evArgs, id, eid, typ, store.FormatTime(t), rec, "+07:00", action, step, "", place, place, 0, "", "", capture,
						`{"type":"`+typ+`","eventID":"`+eid+`","eventTime":"`+t.Format(time.RFC3339)+`","eventTimeZoneOffset":"+07:00","recordTime":"`+rec+`",`+body+`}`, ctxJSON)
					nEv++
					for _, e := range epcs {
						epcArgs = append(epcArgs, id, e[0], e[1], e[2], "KGM")
						nEPC++
					}
				}
				for k := 0; k < chainTransform; k++ {
					in, out := benchLot(c, k), benchLot(c, k+1)
					add("TransformationEvent", "", "", t0.Add(time.Duration(k+3)*24*time.Hour),
						`"inputQuantityList":[{"epcClass":"`+in+`","quantity":1000,"uom":"KGM"}],"outputQuantityList":[{"epcClass":"`+out+`","quantity":900,"uom":"KGM"}]`,
						[]any{"inputClass", in, 1000.0}, []any{"outputClass", out, 900.0})
				}
				item := benchItem(c)
				for k, st := range []string{"commissioning", "shipping", "receiving"} {
					add("ObjectEvent", "OBSERVE", "https://ref.gs1.org/cbv/BizStep-"+st, t0.Add(time.Duration(k)*24*time.Hour),
						`"action":"OBSERVE","bizStep":"`+st+`","epcList":["`+item+`"]`, []any{"epc", item, nil})
				}
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO epcis_events "+evCols+" VALUES "+rowsSQL(pg, nEv, 17), evArgs...); err != nil {
				tx.Rollback()
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO epcis_event_epcs "+epcCols+" VALUES "+rowsSQL(pg, nEPC, 5), epcArgs...); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	if pg {
		// Explicit ids do not move the identity sequence.
		if _, err := db.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('epcis_events', 'id'), (SELECT max(id) FROM epcis_events))`); err != nil {
			return err
		}
		_, err := db.ExecContext(ctx, `ANALYZE`)
		return err
	}
	_, err := db.ExecContext(ctx, `ANALYZE`)
	return err
}

// rowsSQL is the VALUES list of n rows of cols placeholders.
func rowsSQL(pg bool, n, cols int) string {
	var b strings.Builder
	p := 1
	for r := 0; r < n; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < cols; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			if pg {
				b.WriteString("$" + strconv.Itoa(p))
				p++
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}
