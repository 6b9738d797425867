package epcis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"egov/internal/epcis"
	"egov/internal/identity"
	"egov/internal/jobs"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/units"
)

// hook is a subscriber's webhook: it keeps what it is sent, and answers
// 500 while failing is set.
type hook struct {
	*httptest.Server
	failing atomic.Bool
	mu      sync.Mutex
	got     []hookDelivery
}

type hookDelivery struct {
	body      []byte
	signature string
	refused   bool
}

func newHook(t *testing.T) *hook {
	h := &hook{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, hookDelivery{b, r.Header.Get("GS1-Signature"), h.failing.Load()})
		h.mu.Unlock()
		if h.failing.Load() {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(h.Close)
	return h
}

// take returns the deliveries received since the last call.
func (h *hook) take() []hookDelivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.got
	h.got = nil
	return out
}

// delivered is what one delivery says: the subscription and the names of
// its events, checked against the signature.
type delivered struct {
	subscription, query string
	events              []string
}

func (w *world) read(t *testing.T, d hookDelivery, token string, names ...string) delivered {
	t.Helper()
	if token == "" && d.signature != "" || token != "" && d.signature != epcis.Signature(token, d.body) {
		t.Errorf("GS1-Signature %q does not sign the body with the subscription's token", d.signature)
	}
	var doc struct {
		Type      string `json:"type"`
		EPCISBody struct {
			QueryResults struct {
				QueryName      string `json:"queryName"`
				SubscriptionID string `json:"subscriptionID"`
				ResultsBody    struct {
					EventList []struct {
						EventID string `json:"eventID"`
					} `json:"eventList"`
				} `json:"resultsBody"`
			} `json:"queryResults"`
		} `json:"epcisBody"`
	}
	if err := json.Unmarshal(d.body, &doc); err != nil || doc.Type != "EPCISQueryDocument" {
		t.Fatalf("not an EPCISQueryDocument: %v %s", err, d.body)
	}
	if _, err := w.svc.Parser.ParseDocument(d.body); err != nil {
		t.Errorf("the delivered document is not valid: %v", err)
	}
	byID := map[string]string{}
	for _, n := range names {
		byID["urn:uuid:"+uuidOf(n)] = n
	}
	qr := doc.EPCISBody.QueryResults
	out := delivered{subscription: qr.SubscriptionID, query: qr.QueryName, events: []string{}}
	for _, e := range qr.ResultsBody.EventList {
		out.events = append(out.events, byID[e.EventID])
	}
	slices.Sort(out.events)
	return out
}

func newQueue(db *store.DB, now func() time.Time) *jobs.Queue {
	q := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	q.Now = now
	return q
}

func runDue(t *testing.T, q *jobs.Queue) int {
	t.Helper()
	n, err := q.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A scheduled subscription gets, at each time of its schedule, the events
// recorded since the previous run that its query matches and its
// organisation sees, signed; an event recorded just before a run's cut-off
// goes in the next run, a failed delivery is retried with the same events,
// and an empty result is sent only with reportIfEmpty.
func TestScheduledSubscription(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		utc := func(day, h, m, s int) time.Time { return time.Date(2026, 3, day, h, m, s, 0, time.UTC) }
		w.now = utc(2, 0, 0, 0) // 07:00 in Vietnam
		q := newQueue(db, func() time.Time { return w.now })
		w.svc.UseJobs(q, w.ids)
		h := newHook(t)
		w.svc.Client = h.Client()
		if err := w.svc.CreateQuery(w.ctx, w.coopOp, "giao-hang", json.RawMessage(`{"EQ_bizStep": ["shipping"]}`)); err != nil {
			t.Fatal(err)
		}
		// Every day at 08:00 in Vietnam, 01:00 UTC.
		sub, err := w.svc.Subscribe(w.ctx, w.coopOp, "giao-hang", epcis.NewSubscription{Dest: h.URL, SignatureToken: "bi-mat",
			Schedule: &epcis.Schedule{Hour: "8", Minute: "0"}})
		if err != nil {
			t.Fatal(err)
		}
		if !sub.NextRunAt.Equal(utc(2, 1, 0, 0)) || !sub.MinRecordTime.Equal(w.now) || !sub.InitialRecordTime.Equal(w.now) || sub.Stream {
			t.Errorf("new subscription: %+v", sub)
		}
		// A query that matches nothing here, reported even when empty, every
		// day at 08:30.
		if err := w.svc.CreateQuery(w.ctx, w.coopOp, "nhan-hang", json.RawMessage(`{"EQ_bizStep": ["receiving"]}`)); err != nil {
			t.Fatal(err)
		}
		empty, err := w.svc.Subscribe(w.ctx, w.coopOp, "nhan-hang", epcis.NewSubscription{Dest: h.URL, SignatureToken: "khac",
			Schedule: &epcis.Schedule{Hour: "8", Minute: "30"}, ReportIfEmpty: true})
		if err != nil {
			t.Fatal(err)
		}
		names := []string{"ship1", "harvest1", "farm-ship", "late", "ship2", "ship3"}
		serial := 0
		shipping := func(place *epcis.Location) map[string]any {
			serial++
			return map[string]any{"bizStep": "shipping", "readPoint": map[string]any{"id": place.Identifier},
				"epcList": []any{fmt.Sprintf("urn:epc:id:sgtin:0614141.107346.%d", serial)}}
		}

		w.now = utc(2, 0, 10, 0)
		w.captureAs(t, w.coopOp, map[string]map[string]any{
			"ship1": shipping(w.field),
			"harvest1": {"action": "ADD", "bizStep": "commissioning", "readPoint": map[string]any{"id": w.field.Identifier},
				"epcList": []any{"urn:epc:id:sgtin:0614141.107346.100"}},
		})
		// Another organisation's shipment, which the cooperative does not see.
		w.captureAs(t, w.farmOp, map[string]map[string]any{"farm-ship": shipping(w.pond)})
		// Recorded within a minute of the run: after its cut-off.
		w.now = utc(2, 0, 59, 30)
		w.captureAs(t, w.coopOp, map[string]map[string]any{"late": shipping(w.field)})

		w.now = utc(2, 0, 59, 59)
		if n := runDue(t, q); n != 0 || len(h.take()) != 0 {
			t.Fatalf("%d jobs ran before the first time of the schedule", n)
		}
		w.now = utc(2, 1, 0, 0)
		runDue(t, q)
		got := h.take()
		if len(got) != 1 {
			t.Fatalf("first run: %d deliveries, want 1", len(got))
		}
		if d := w.read(t, got[0], "bi-mat", names...); d.subscription != sub.ID || d.query != "giao-hang" || !slices.Equal(d.events, []string{"ship1"}) {
			t.Errorf("first run delivered %+v", d)
		}
		after, err := w.svc.GetSubscription(w.ctx, w.coopOp, "giao-hang", sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !after.MinRecordTime.Equal(utc(2, 0, 59, 0)) || !after.NextRunAt.Equal(utc(3, 1, 0, 0)) || !after.LastNotifiedAt.Equal(w.now) {
			t.Errorf("after the first run: cut-off %s, next %s, notified %s", after.MinRecordTime, after.NextRunAt, after.LastNotifiedAt)
		}

		// 08:30: nothing matches, and the report comes empty.
		w.now = utc(2, 1, 30, 0)
		runDue(t, q)
		got = h.take()
		if len(got) != 1 {
			t.Fatalf("empty report: %d deliveries, want 1", len(got))
		}
		if d := w.read(t, got[0], "khac", names...); d.subscription != empty.ID || len(d.events) != 0 {
			t.Errorf("empty report: %+v", d)
		}

		// The second day: the late event and the day's shipment.
		w.now = utc(3, 0, 30, 0)
		w.captureAs(t, w.coopOp, map[string]map[string]any{"ship2": shipping(w.field)})
		w.now = utc(3, 1, 0, 0)
		runDue(t, q)
		got = h.take()
		if len(got) != 1 {
			t.Fatalf("second run: %d deliveries, want 1", len(got))
		}
		if d := w.read(t, got[0], "bi-mat", names...); !slices.Equal(d.events, []string{"late", "ship2"}) {
			t.Errorf("second run delivered %v", d.events)
		}
		// The empty-report subscription got its second report; the other's
		// third day, with nothing new, sends nothing.
		w.now = utc(3, 1, 30, 0)
		runDue(t, q)
		if got := h.take(); len(got) != 1 || len(w.read(t, got[0], "khac", names...).events) != 0 {
			t.Errorf("second empty report: %d deliveries", len(got))
		}
		w.now = utc(4, 1, 0, 0)
		runDue(t, q)
		if got := h.take(); len(got) != 0 {
			t.Errorf("an empty result was delivered without reportIfEmpty: %s", got[0].body)
		}

		// The subscriber is down on the fifth day: the delivery is retried
		// after the backoff, with the same events, and the next run does
		// not send them again.
		if err := w.svc.Unsubscribe(w.ctx, w.coopOp, "nhan-hang", empty.ID); err != nil {
			t.Fatal(err)
		}
		w.now = utc(4, 12, 0, 0)
		w.captureAs(t, w.coopOp, map[string]map[string]any{"ship3": shipping(w.field)})
		h.failing.Store(true)
		w.now = utc(5, 1, 0, 0)
		runDue(t, q)
		got = h.take()
		if len(got) != 1 || !got[0].refused {
			t.Fatalf("failing subscriber: %d deliveries", len(got))
		}
		h.failing.Store(false)
		w.now = w.now.Add(29 * time.Second)
		if n := runDue(t, q); n != 0 {
			t.Errorf("the delivery was retried before its backoff")
		}
		w.now = w.now.Add(time.Second)
		runDue(t, q)
		got = h.take()
		if len(got) != 1 {
			t.Fatalf("retry: %d deliveries, want 1", len(got))
		}
		if d := w.read(t, got[0], "bi-mat", names...); !slices.Equal(d.events, []string{"ship3"}) {
			t.Errorf("retry delivered %v", d.events)
		}
		w.now = utc(6, 1, 0, 0)
		runDue(t, q)
		if got := h.take(); len(got) != 0 {
			t.Errorf("the sixth day delivered %s", got[0].body)
		}

		// Unsubscribed: its queued run does nothing and queues no other.
		if err := w.svc.Unsubscribe(w.ctx, w.coopOp, "giao-hang", sub.ID); err != nil {
			t.Fatal(err)
		}
		w.captureAs(t, w.coopOp, map[string]map[string]any{"ship4": shipping(w.field)})
		w.now = utc(7, 1, 0, 0)
		if n := runDue(t, q); n != 1 || len(h.take()) != 0 {
			t.Errorf("after unsubscribing: %d runs", n)
		}
		if pending, err := q.Pending(w.ctx, "epcis.schedule"); err != nil || pending {
			t.Errorf("a run is still queued after unsubscribing: %v %v", pending, err)
		}
	})
}

// A run that the repository was down for is made once, late, and covers
// everything recorded since the previous cut-off; initialRecordTime sets
// where the first run starts.
func TestScheduledSubscriptionCatchesUp(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	w.now = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	// Captured before the subscription, after its initialRecordTime.
	w.captureAs(t, w.coopOp, map[string]map[string]any{"before": {"bizStep": "shipping", "epcList": []any{"urn:epc:id:sgtin:0614141.107346.1"}}})
	q := newQueue(w.db, func() time.Time { return w.now })
	w.svc.UseJobs(q, w.ids)
	h := newHook(t)
	w.svc.Client = h.Client()
	if err := w.svc.CreateQuery(w.ctx, w.coopOp, "moi", json.RawMessage(`{}`)); err != nil {
		t.Fatal(err)
	}
	w.now = w.now.Add(time.Hour)
	// Every hour on the hour, reported even when empty.
	sub, err := w.svc.Subscribe(w.ctx, w.coopOp, "moi", epcis.NewSubscription{Dest: h.URL, Schedule: &epcis.Schedule{Minute: "0"},
		InitialRecordTime: "2026-03-02T06:30:00+07:00", ReportIfEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC); !sub.InitialRecordTime.Equal(want) {
		t.Errorf("initialRecordTime %s, want %s", sub.InitialRecordTime, want)
	}
	w.now = w.now.Add(10 * time.Minute)
	w.captureAs(t, w.coopOp, map[string]map[string]any{"during": {"bizStep": "receiving", "epcList": []any{"urn:epc:id:sgtin:0614141.107346.1"}}})
	// Five hours later: one run, then the next is at the next full hour.
	w.now = w.now.Add(5 * time.Hour)
	runDue(t, q)
	got := h.take()
	if len(got) != 1 {
		t.Fatalf("%d deliveries for the missed hours, want 1", len(got))
	}
	if d := w.read(t, got[0], "", "before", "during"); !slices.Equal(d.events, []string{"before", "during"}) {
		t.Errorf("delivered %v", d.events)
	}
	after, err := w.svc.GetSubscription(w.ctx, w.coopOp, "moi", sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC); !after.NextRunAt.Equal(want) {
		t.Errorf("next run %s, want %s", after.NextRunAt, want)
	}
}

// twoProcesses opens the same database twice, as two egov serve processes
// sharing it would.
func twoProcesses(t *testing.T, engine string) (*store.DB, *store.DB) {
	t.Helper()
	ctx := context.Background()
	dsn := ""
	if engine == "sqlite" {
		dsn = filepath.Join(t.TempDir(), "egov.db")
	} else {
		dsn = storetest.NewPostgresSchema(t)
	}
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

// Two processes that both queued a run of a subscription's time deliver
// it once; a process that starts finds the runs to resume.
func TestScheduledRunDeliveredOnce(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			db1, db2 := twoProcesses(t, engine)
			ctx := context.Background()
			now := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			h := newHook(t)
			var svcs [2]*epcis.Service
			var queues [2]*jobs.Queue
			for i, db := range []*store.DB{db1, db2} {
				svcs[i] = epcis.NewService(db, provincialBase)
				svcs[i].Now, svcs[i].Client = clock, h.Client()
				queues[i] = newQueue(db, clock)
				svcs[i].UseJobs(queues[i], identity.NewService(db, units.NewService(db)))
			}
			ids := identity.NewService(db1, units.NewService(db1))
			u, err := ids.CreateOfficer(ctx, identity.SystemActor, identity.NewUser{Username: "van.hanh", FullName: "Cán bộ vận hành", Password: "mat-khau-dai"},
				identity.RoleTraceOperator, 0)
			if err != nil {
				t.Fatal(err)
			}
			op, err := ids.ActorFor(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			if err := svcs[0].CreateQuery(ctx, op, "moi", json.RawMessage(`{}`)); err != nil {
				t.Fatal(err)
			}
			sub, err := svcs[0].Subscribe(ctx, op, "moi", epcis.NewSubscription{Dest: h.URL, SignatureToken: "bi-mat",
				Schedule: &epcis.Schedule{Minute: "15"}, ReportIfEmpty: true})
			if err != nil {
				t.Fatal(err)
			}
			// The subscription queued its run: neither process resumes it.
			for i, svc := range svcs {
				if n, err := svc.ResumeSchedules(ctx); err != nil || n != 0 {
					t.Fatalf("process %d resumed %d runs (%v), want none", i, n, err)
				}
			}
			// Its job lost (as after a database restored without the job
			// table's last rows), both processes start and resume it.
			if err := db1.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE kind = 'epcis.schedule'`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if n, err := svcs[0].ResumeSchedules(ctx); err != nil || n != 1 {
				t.Fatalf("resumed %d runs (%v), want 1", n, err)
			}
			// The other process resumed it at the same moment.
			if err := db2.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, payload, state, run_at, max_attempts, created_at)
					SELECT kind, payload, state, run_at, max_attempts, created_at FROM jobs WHERE kind = 'epcis.schedule'`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			for tick := range 3 {
				now = time.Date(2026, 3, 2, tick, 15, 0, 0, time.UTC)
				var wg sync.WaitGroup
				errs := make(chan error, 2)
				for _, q := range queues {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, err := q.RunDue(ctx)
						errs <- err
					}()
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
				got := h.take()
				if len(got) != 1 {
					t.Fatalf("run %d: %d deliveries, want 1", tick, len(got))
				}
				var doc struct {
					EPCISBody struct {
						QueryResults struct {
							SubscriptionID string `json:"subscriptionID"`
						} `json:"queryResults"`
					} `json:"epcisBody"`
				}
				json.Unmarshal(got[0].body, &doc)
				if doc.EPCISBody.QueryResults.SubscriptionID != sub.ID || got[0].signature != epcis.Signature("bi-mat", got[0].body) {
					t.Errorf("run %d delivered %s", tick, got[0].body)
				}
			}
			var queued int
			if err := db1.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind = 'epcis.schedule' AND state = 'queued'`).Scan(&queued); err != nil || queued != 1 {
				t.Errorf("%d runs queued (%v), want the next one only", queued, err)
			}
		})
	}
}

// A subscription delivers only while its subscriber keeps the access it
// subscribed with: once the cooperative's operator is removed from it or
// moved to another organisation, or the administrator loses its role, the
// deliveries already queued, the stream deliveries of later captures and
// the scheduled runs send nothing, are not retried, and the schedule stops.
func TestSubscriptionEndsWithSubscribersAccess(t *testing.T) {
	cases := []struct {
		name  string
		admin bool // the administrator subscribes, for every organisation
		lose  func(w *world) error
	}{
		{"removed", false, func(w *world) error { return w.svc.RemoveMember(w.ctx, w.admin, w.coopOp.ID()) }},
		{"moved", false, func(w *world) error { return w.svc.SetMember(w.ctx, w.admin, w.coopOp.ID(), w.mill.ID) }},
		{"admin", true, func(w *world) error {
			return w.ids.RemoveGrant(w.ctx, identity.SystemActor, w.admin.ID(), w.admin.Grants[0].ID)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Engines(t, func(t *testing.T, db *store.DB) {
				w := newWorld(t, db)
				utc := func(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, time.UTC) }
				w.now = utc(0, 0)
				q := newQueue(db, func() time.Time { return w.now })
				w.svc.UseJobs(q, w.ids)
				h := newHook(t)
				w.svc.Client = h.Client()
				// Another operator of the cooperative captures.
				u, err := w.ids.CreateOfficer(w.ctx, identity.SystemActor, identity.NewUser{Username: "htx.khac", FullName: "Người khác", Password: "mat-khau-dai"},
					identity.RoleTraceOperator, w.coop.UnitID)
				if err != nil {
					t.Fatal(err)
				}
				if err := w.svc.SetMember(w.ctx, w.admin, u.ID, w.coop.ID); err != nil {
					t.Fatal(err)
				}
				other, err := w.ids.ActorFor(w.ctx, u)
				if err != nil {
					t.Fatal(err)
				}
				subscriber := w.coopOp
				if c.admin {
					subscriber = w.admin
				}
				if err := w.svc.CreateQuery(w.ctx, subscriber, "tat-ca", json.RawMessage(`{}`)); err != nil {
					t.Fatal(err)
				}
				for _, ns := range []epcis.NewSubscription{{Dest: h.URL, Stream: true}, {Dest: h.URL, Schedule: &epcis.Schedule{Minute: "0"}}} {
					if _, err := w.svc.Subscribe(w.ctx, subscriber, "tat-ca", ns); err != nil {
						t.Fatal(err)
					}
				}
				names := []string{"e1", "e2", "e3"}
				capture := func(name string, serial int) {
					w.captureAs(t, other, map[string]map[string]any{name: {"bizStep": "shipping", "readPoint": map[string]any{"id": w.field.Identifier},
						"epcList": []any{fmt.Sprintf("urn:epc:id:sgtin:0614141.107346.%d", serial)}}})
				}
				// While the subscriber has its access, the stream delivers.
				w.now = utc(0, 10)
				capture("e1", 1)
				runDue(t, q)
				if got := h.take(); len(got) != 1 || !slices.Equal(w.read(t, got[0], "", names...).events, []string{"e1"}) {
					t.Fatalf("%d deliveries before the subscriber lost its access, want e1", len(got))
				}
				// Captured before, delivered after the change; then after it.
				w.now = utc(0, 20)
				capture("e2", 2)
				if err := c.lose(w); err != nil {
					t.Fatal(err)
				}
				runDue(t, q)
				w.now = utc(0, 30)
				capture("e3", 3)
				runDue(t, q)
				w.now = utc(1, 0)
				runDue(t, q)
				if got := h.take(); len(got) != 0 {
					t.Errorf("%d deliveries after the subscriber lost its access: %s", len(got), got[0].body)
				}
				for _, kind := range []string{"epcis.deliver", "epcis.schedule"} {
					if pending, err := q.Pending(w.ctx, kind); err != nil || pending {
						t.Errorf("a job %s is still queued: %v %v", kind, pending, err)
					}
				}
				// Leaving the organisation took its subscriptions with it.
				var left int
				if err := db.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM epcis_subscriptions WHERE user_id = ?`, subscriber.ID()).
					Scan(&left); err != nil || (!c.admin && left != 0) {
					t.Errorf("%d subscriptions left after leaving the organisation: %v", left, err)
				}
			})
		})
	}
}

// A capture that read the clock before a run's cut-off, but whose
// transaction began only after the run had chosen that cut-off (it waited
// in the writer's queue), is recorded after the cut-off and delivered by
// the next run: it falls in no crack between runs.
func TestScheduledRunCapturesStampedInTransaction(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		utc := func(h, m, s int) time.Time { return time.Date(2026, 3, 2, h, m, s, 0, time.UTC) }
		w.now = utc(0, 0, 0)
		q := newQueue(db, func() time.Time { return w.now })
		w.svc.UseJobs(q, w.ids)
		h := newHook(t)
		w.svc.Client = h.Client()
		// meanwhile runs once, on the next reading of the service's clock,
		// after that reading was taken.
		var meanwhile func()
		w.svc.Now = func() time.Time {
			now := w.now
			if f := meanwhile; f != nil {
				meanwhile = nil
				f()
			}
			return now
		}
		if err := w.svc.CreateQuery(w.ctx, w.coopOp, "tat-ca", json.RawMessage(`{}`)); err != nil {
			t.Fatal(err)
		}
		// Every hour on the hour.
		if _, err := w.svc.Subscribe(w.ctx, w.coopOp, "tat-ca", epcis.NewSubscription{Dest: h.URL, Schedule: &epcis.Schedule{Minute: "0"}}); err != nil {
			t.Fatal(err)
		}
		names := []string{"early", "queued"}
		capture := func(name string, serial int) {
			w.captureAs(t, w.coopOp, map[string]map[string]any{name: {"bizStep": "shipping", "readPoint": map[string]any{"id": w.field.Identifier},
				"epcList": []any{fmt.Sprintf("urn:epc:id:sgtin:0614141.107346.%d", serial)}}})
		}
		w.now = utc(0, 30, 0)
		capture("early", 1)
		// The capture takes the time, 00:58:30, before the 01:00 run's
		// cut-off (00:59); the run happens while it waits for the writer.
		w.now = utc(0, 58, 30)
		meanwhile = func() {
			w.now = utc(1, 0, 0)
			runDue(t, q)
		}
		capture("queued", 2)
		if meanwhile != nil {
			t.Fatal("the capture did not read the clock")
		}
		got := h.take()
		if len(got) != 1 || !slices.Equal(w.read(t, got[0], "", names...).events, []string{"early"}) {
			t.Fatalf("the 01:00 run: %d deliveries, want one of early", len(got))
		}
		w.now = utc(2, 0, 0)
		runDue(t, q)
		got = h.take()
		if len(got) != 1 {
			t.Fatalf("the 02:00 run: %d deliveries, want 1: the event captured during the 01:00 run is in no run", len(got))
		}
		if d := w.read(t, got[0], "", names...); !slices.Equal(d.events, []string{"queued"}) {
			t.Errorf("the 02:00 run delivered %v, want queued", d.events)
		}
	})
}

// A scheduled run of more events than a document holds is delivered in
// several documents, which together hold each of its events once.
func TestScheduledRunPaged(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.now = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		q := newQueue(db, func() time.Time { return w.now })
		w.svc.UseJobs(q, w.ids)
		h := newHook(t)
		w.svc.Client = h.Client()
		if err := w.svc.CreateQuery(w.ctx, w.coopOp, "giao-hang", json.RawMessage(`{"EQ_bizStep": ["shipping"]}`)); err != nil {
			t.Fatal(err)
		}
		sub, err := w.svc.Subscribe(w.ctx, w.coopOp, "giao-hang", epcis.NewSubscription{Dest: h.URL, SignatureToken: "bi-mat",
			Schedule: &epcis.Schedule{Minute: "0"}})
		if err != nil {
			t.Fatal(err)
		}
		var names, want []string
		for i := range 7 {
			name := fmt.Sprintf("ship%d", i)
			events := map[string]map[string]any{name: {"bizStep": "shipping", "readPoint": map[string]any{"id": w.field.Identifier},
				"epcList": []any{fmt.Sprintf("urn:epc:id:sgtin:0614141.107346.%d", i)}}}
			// Interleaved with events the query does not match.
			other := fmt.Sprintf("harvest%d", i)
			events[other] = map[string]any{"bizStep": "commissioning", "readPoint": map[string]any{"id": w.field.Identifier},
				"epcList": []any{fmt.Sprintf("urn:epc:id:sgtin:0614141.107346.%d", 100+i)}}
			w.now = w.now.Add(time.Minute)
			w.captureAs(t, w.coopOp, events)
			names, want = append(names, name, other), append(want, name)
		}
		w.svc.Limits.MaxEvents = 3
		w.now = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
		runDue(t, q)
		got := h.take()
		if len(got) != 3 {
			t.Fatalf("%d deliveries of 7 events 3 at a time, want 3", len(got))
		}
		var all []string
		for i, d := range got {
			r := w.read(t, d, "bi-mat", names...)
			if r.subscription != sub.ID || len(r.events) == 0 || len(r.events) > 3 {
				t.Errorf("delivery %d: %s with %d events", i, r.subscription, len(r.events))
			}
			all = append(all, r.events...)
		}
		slices.Sort(all)
		if !slices.Equal(all, want) {
			t.Errorf("the deliveries hold %v, want each of %v once", all, want)
		}
		// The next run has nothing new.
		w.now = w.now.Add(time.Hour)
		runDue(t, q)
		if got := h.take(); len(got) != 0 {
			t.Errorf("the next run delivered %s", got[0].body)
		}
	})
}
