package demo_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"egov/internal/app"
	"egov/internal/demo"
	"egov/internal/dossier"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

func demoApp(t *testing.T, db *store.DB) *app.App {
	t.Helper()
	a := app.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := demo.Load(context.Background(), a, "mat-khau-dai-du"); err != nil {
		t.Fatal(err)
	}
	return a
}

// window is two months around the 2025 reorganisation: small enough for a
// test, and it crosses 1 July 2025.
var window = demo.HistoryOptions{Seed: 7, From: workcal.NewDate(2025, 6, 2),
	Until: time.Date(2025, 7, 31, 16, 0, 0, 0, workcal.ICT)}

// dump is every stored row of the history but the generated ids, in a
// stable order.
func dump(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT ref, code, procedure_code, unit_id, channel, status, applicant_name, applicant_cccd, applicant_phone, fields, fee,
			submitted_at, received_at, due_date, original_due_date, finished_at, returned_at, supplement_requests, apologised,
			rating, version, updated_at FROM dossiers ORDER BY code`,
		`SELECT d.code, e.at, e.actor_name, e.action, e.from_status, e.to_status, e.note, e.due_date
			FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id ORDER BY d.code, e.id`,
		`SELECT p.ref, d.code, p.amount, p.paid_at FROM payments p JOIN dossiers d ON d.id = p.dossier_id ORDER BY p.ref`,
		`SELECT agency, day, n FROM dossier_counters ORDER BY agency, day`,
	} {
		rows, err := db.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
		rows.Close()
	}
	return out
}

// TestHistoryIsDeterministic: the same seed writes the same rows into two
// databases; another seed makes another history.
func TestHistoryIsDeterministic(t *testing.T) {
	ctx := context.Background()
	o := window
	o.Until = time.Date(2025, 6, 30, 17, 0, 0, 0, workcal.ICT)
	var dumps [][]string
	var a *app.App
	for range 2 {
		db := storetest.SQLite(t)
		a = demoApp(t, db)
		if _, err := demo.LoadHistory(ctx, a, o); err != nil {
			t.Fatal(err)
		}
		dumps = append(dumps, dump(t, db))
	}
	if len(dumps[0]) < 1000 {
		t.Fatalf("only %d rows", len(dumps[0]))
	}
	if !reflect.DeepEqual(dumps[0], dumps[1]) {
		t.Fatal("the same seed wrote different rows")
	}
	refs := func(seed uint64) []string {
		o.Seed = seed
		ds, err := demo.GenerateHistory(ctx, a, o)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range ds {
			out = append(out, g.D.Ref)
		}
		return out
	}
	if r7, r8 := refs(7), refs(8); reflect.DeepEqual(r7, r8) || !reflect.DeepEqual(r7, refs(7)) {
		t.Fatal("the seed does not make the history")
	}
}

// TestHistory loads the window on each engine and checks it as the rest
// of the platform sees it: loaded once, consistent histories, statistics
// of today's communes that include their predecessors' dossiers.
func TestHistory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := demoApp(t, db)
		n, err := demo.LoadHistory(ctx, a, window)
		if err != nil || n < 800 {
			t.Fatalf("loaded %d: %v", n, err)
		}
		// Idempotent: a restart does not load it again.
		if again, err := demo.LoadHistory(ctx, a, window); err != nil || again != 0 {
			t.Fatalf("second load: %d %v", again, err)
		}
		var stored, audited int
		db.QueryRowContext(ctx, `SELECT COUNT(*) FROM dossiers`).Scan(&stored)
		db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'demo.history'`).Scan(&audited)
		if stored != n || audited != 1 {
			t.Fatalf("%d dossiers stored of %d, %d audit entries", stored, n, audited)
		}
		checkDossiers(t, a, db)

		// June 2025 happened on the old communes; Xã An Thạnh (31615) of
		// today counts the dossiers of the three communes it took over.
		g, _ := a.Units.Graph(ctx)
		today := a.Units.Today()
		anThanh := g.At("31615", today)
		var old []any
		for id := range g.Territory(anThanh, today) {
			if u := g.ByID(id); u.Level == 3 && !u.ValidTo.IsZero() {
				old = append(old, id)
			}
		}
		if len(old) < 2 {
			t.Fatalf("31615's predecessors: %v", old)
		}
		var want int
		db.QueryRowContext(ctx, `SELECT COUNT(*) FROM dossiers WHERE unit_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(old)), ",")+`)
			AND submitted_at >= '2025-06-01' AND submitted_at < '2025-06-30T17'`, old...).Scan(&want)
		leader, err := a.Identity.UserByName(ctx, "lanhdao.31615")
		if err != nil {
			t.Fatal(err)
		}
		actor, _ := a.Identity.ActorFor(ctx, leader)
		st, err := a.Dossiers.Stats(ctx, actor, "31615", workcal.NewDate(2025, 6, 1), workcal.NewDate(2025, 6, 30))
		if err != nil {
			t.Fatal(err)
		}
		if want == 0 || st.Received != want {
			t.Fatalf("June 2025 under 31615: %d received, %d filed at its predecessors", st.Received, want)
		}
		if st.ResolvedEarly+st.ResolvedOnTime+st.ResolvedLate == 0 {
			t.Fatalf("nothing resolved: %+v", st)
		}
	})
}

// steps is the state machine of dossier.Act as the history must follow
// it: which statuses each step goes from and to.
var steps = map[string][][2]dossier.Status{
	"intake":            {{dossier.StatusDraft, dossier.StatusReceived}},
	"submit":            {{dossier.StatusDraft, dossier.StatusNew}},
	"payment":           {{dossier.StatusNew, dossier.StatusNew}, {dossier.StatusReceived, dossier.StatusReceived}},
	"receive":           {{dossier.StatusNew, dossier.StatusReceived}},
	"refuse":            {{dossier.StatusNew, dossier.StatusRefused}, {dossier.StatusReceived, dossier.StatusRefused}},
	"request-documents": {{dossier.StatusReceived, dossier.StatusSupplement}, {dossier.StatusProcessing, dossier.StatusSupplement}},
	"supply-documents":  {{dossier.StatusSupplement, dossier.StatusReceived}},
	"assign":            {{dossier.StatusReceived, dossier.StatusProcessing}},
	"approve":           {{dossier.StatusProcessing, dossier.StatusProcessing}},
	"apologise":         {{dossier.StatusProcessing, dossier.StatusProcessing}},
	"finish":            {{dossier.StatusProcessing, dossier.StatusResolved}},
	"return-result":     {{dossier.StatusResolved, dossier.StatusReturned}},
	"rate":              {{dossier.StatusReturned, dossier.StatusReturned}},
	"withdraw": {{dossier.StatusNew, dossier.StatusWithdrawn}, {dossier.StatusProcessing, dossier.StatusWithdrawn},
		{dossier.StatusSupplement, dossier.StatusWithdrawn}},
	"stop": {{dossier.StatusProcessing, dossier.StatusStopped}},
}

var codeForm = regexp.MustCompile(`^([0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2})-(\d{6})-(\d{4})$`)

// checkDossiers reads every dossier through the service and checks its
// history against its row: legal steps in time order, the last step's
// status, finishing and due dates that give the timeliness, a code of the
// agency of the unit it was filed at on the day it was filed, sequences
// without gaps.
func checkDossiers(t *testing.T, a *app.App, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	cal, _ := a.Calendar.Calendar(ctx)
	g, _ := a.Units.Graph(ctx)
	u, _ := a.Identity.UserByName(ctx, "lanhdao.92")
	leader, _ := a.Identity.ActorFor(ctx, u)
	byCode := map[string]*dossier.Dossier{}
	var codes []string
	for page := 1; ; page++ {
		ds, err := a.Dossiers.List(ctx, leader, dossier.ListQuery{PerPage: 200, Page: page})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			byCode[d.Code] = d
			codes = append(codes, d.Code)
		}
		if len(ds) < 200 {
			break
		}
	}
	sort.Strings(codes)
	seq := map[string]int{}
	for _, c := range codes {
		m := codeForm.FindStringSubmatch(c)
		if m == nil {
			t.Fatalf("code %q", c)
		}
		key := m[1] + m[2]
		seq[key]++
		if want := fmt.Sprintf("%04d", seq[key]); m[3] != want {
			t.Fatalf("%s: number %s, want %s (gap or repeat)", c, m[3], want)
		}
	}
	timeliness := map[dossier.Timeliness]int{}
	for i, c := range codes {
		if i%7 != 0 { // a sample keeps the test fast; the SQL checks below see all
			continue
		}
		d := byCode[c]
		evs, err := a.Dossiers.History(ctx, d)
		if err != nil || len(evs) == 0 {
			t.Fatalf("%s history: %v", c, err)
		}
		status := dossier.StatusDraft
		var prev time.Time
		var finished, received time.Time
		var due workcal.Date
		for _, e := range evs {
			ok := false
			for _, st := range steps[e.Action] {
				ok = ok || st == [2]dossier.Status{e.From, e.To}
			}
			if !ok || e.From != status || e.At.Before(prev) {
				t.Fatalf("%s: step %s %s→%s after %s at %s", c, e.Action, e.From, e.To, status, e.At)
			}
			status, prev = e.To, e.At
			switch e.Action {
			case "intake", "receive", "supply-documents":
				received, due = e.At, e.DueDate
				p, _ := a.Procedures.Get(ctx, d.ProcedureCode)
				if got := p.TimeLimit.Due(cal, e.At); got != e.DueDate {
					t.Fatalf("%s: due %s after %s at %s, want %s", c, e.DueDate, e.Action, e.At, got)
				}
			case "finish", "refuse", "withdraw", "stop":
				finished = e.At
			}
		}
		if status != d.Status || !finished.Equal(d.FinishedAt) || !received.Equal(d.ReceivedAt) || due != d.OriginalDueDate {
			t.Fatalf("%s: row %s finished %s received %s due %s; history %s %s %s %s", c, d.Status, d.FinishedAt,
				d.ReceivedAt, d.OriginalDueDate, status, finished, received, due)
		}
		u := g.ByID(d.UnitID)
		if at := d.SubmittedAt.In(workcal.ICT); !u.ValidAt(time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("%s filed at %s on %s, when the unit did not exist", c, u.Code, at)
		}
		if agency, _ := a.Dossiers.Agency(ctx, d.UnitID); !strings.HasPrefix(c, agency+"-"+d.SubmittedAt.In(workcal.ICT).Format("060102")) {
			t.Fatalf("%s: agency %s", c, agency)
		}
		tl := d.TimelinessOn(workcal.LocalDate(window.Until))
		timeliness[tl]++
		if d.Status == dossier.StatusResolved || d.Status == dossier.StatusReturned {
			end := workcal.LocalDate(d.FinishedAt)
			want := dossier.OnTime
			switch {
			case d.SupplementRequests > 1 || end.After(d.OriginalDueDate):
				want = dossier.Late
			case end.Before(d.OriginalDueDate):
				want = dossier.Early
			}
			if tl != want {
				t.Fatalf("%s: %s, finished %s due %s", c, tl, end, d.OriginalDueDate)
			}
		}
	}
	if timeliness[dossier.OnTime] == 0 || timeliness[dossier.Early] == 0 || timeliness[dossier.Late] == 0 ||
		timeliness[dossier.OnTime]+timeliness[dossier.Early] < 10*timeliness[dossier.Late] {
		t.Fatalf("timeliness: %v", timeliness)
	}
	// Every row: its status is its last step's, its version counts its
	// changes.
	var bad int
	db.QueryRowContext(ctx, `SELECT COUNT(*) FROM dossiers d WHERE d.status <> (SELECT e.to_status FROM dossier_events e
		WHERE e.dossier_id = d.id ORDER BY e.id DESC LIMIT 1)
		OR d.version <> (SELECT COUNT(*) FROM dossier_events e WHERE e.dossier_id = d.id AND e.action <> 'payment')`).Scan(&bad)
	if bad != 0 {
		t.Fatalf("%d dossiers disagree with their history", bad)
	}
}

// TestHistoryTrend generates the whole history at a tenth of its volume:
// the online share rises from about a tenth to more than half.
func TestHistoryTrend(t *testing.T) {
	a := demoApp(t, storetest.SQLite(t))
	ds, err := demo.GenerateHistory(context.Background(), a, demo.HistoryOptions{Scale: 0.1,
		Until: time.Date(2026, 11, 27, 17, 0, 0, 0, workcal.ICT)})
	if err != nil {
		t.Fatal(err)
	}
	total, online := map[int]int{}, map[int]int{}
	for _, g := range ds {
		y := g.D.SubmittedAt.In(workcal.ICT).Year()
		total[y]++
		if g.D.Channel == dossier.ChannelOnline {
			online[y]++
		}
	}
	share := func(y int) float64 { return float64(online[y]) / float64(total[y]) }
	if len(ds) < 3500 || len(ds) > 6000 {
		t.Fatalf("%d dossiers at a tenth", len(ds))
	}
	if s := share(2021); s < 0.05 || s > 0.16 {
		t.Errorf("2021 online share %.2f", s)
	}
	if s := share(2026); s < 0.5 {
		t.Errorf("2026 online share %.2f", s)
	}
	for y := 2022; y <= 2026; y++ {
		if share(y) <= share(y-1) {
			t.Errorf("online share fell in %d: %.2f after %.2f", y, share(y), share(y-1))
		}
	}
	t.Logf("dossiers per year %v, online %v", total, online)
}
