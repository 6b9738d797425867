package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"egov/internal/app"
	"egov/internal/demo"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

// testNow is the fixtures' clock: Monday 2 March 2026, 10:00 in Vietnam.
var testNow = time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)

const holidaysFile = "../../../shared/data/holidays/vn-public-sector-2024-2026.csv"

// fixture is the API over a real database holding the demo units and the
// announced holidays of 2024–2026.
type fixture struct {
	t   testing.TB
	app *app.App
	mux *http.ServeMux
	log *syncBuffer
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	log := &syncBuffer{}
	a := app.New(db, slog.New(slog.NewTextHandler(log, nil)))
	a.Units.Now = func() time.Time { return testNow }
	a.Identity.Now = func() time.Time { return testNow }
	if err := demo.LoadUnits(ctx, a.Units); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(holidaysFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	days, err := workcal.ParseCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Calendar.Seed(ctx, days); err != nil {
		t.Fatal(err)
	}
	if err := a.Reporting.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	// The suites enter 2024's reports in 2026: here entry of the seed
	// forms never closes (closing_test.go tests closing).
	neverClose(t, a.Reporting)
	mux := http.NewServeMux()
	Register(mux, a)
	fx := &fixture{t: t, app: a, mux: mux, log: log}
	// No request of a test may end in an internal error.
	t.Cleanup(func() {
		if s := log.String(); strings.Contains(s, "level=ERROR") {
			t.Errorf("errors logged:\n%s", s)
		}
	})
	return fx
}

// sqliteFixture is a fixture on SQLite only, for tests of the HTTP layer
// that do not depend on the engine.
func sqliteFixture(t testing.TB) *fixture { return newFixture(t, storetest.SQLite(t)) }

// engines runs fn with a fixture on every engine.
func engines(t *testing.T, fn func(t *testing.T, fx *fixture)) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) { fn(t, newFixture(t, db)) })
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// response is a recorded response with its JSON body decoded.
type response struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

// do sends a request through the router and checks what every response
// must satisfy: a JSON body (but for 204 and documented downloads), the
// error shape on failure, and, for a documented operation, a documented
// status whose schema and headers the response matches.
func (fx *fixture) do(method, target, body string, header ...string) *response {
	fx.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	_, pattern := fx.mux.Handler(req)
	rec := httptest.NewRecorder()
	fx.mux.ServeHTTP(rec, req)
	resp := &response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if documentedFile(routeOf(pattern), resp) {
		// A download: its headers are checked below.
	} else if resp.Status != http.StatusNoContent {
		if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			fx.t.Errorf("%s %s: Content-Type %q", method, target, ct)
		}
		if err := json.Unmarshal(resp.Body, &resp.JSON); err != nil {
			fx.t.Fatalf("%s %s: %d, body is not a JSON object: %v\n%s", method, target, resp.Status, err, resp.Body)
		}
	} else if len(resp.Body) != 0 {
		fx.t.Errorf("%s %s: 204 with a body", method, target)
	}
	if resp.Status >= 400 {
		checkErrorShape(fx.t, method+" "+target, resp)
	}
	if resp.Status >= 500 {
		fx.t.Errorf("%s %s: %d %s", method, target, resp.Status, resp.Body)
	}
	if rt := routeOf(pattern); rt != nil {
		for _, p := range checkDocumented(rt, resp) {
			fx.t.Errorf("%s %s → %d: %s", method, target, resp.Status, p)
		}
	}
	return resp
}

func (fx *fixture) get(target string, header ...string) *response {
	fx.t.Helper()
	return fx.do("GET", target, "", header...)
}

// ok gets target and fails the test unless the status is 200.
func (fx *fixture) ok(target string, header ...string) map[string]any {
	fx.t.Helper()
	r := fx.get(target, header...)
	if r.Status != http.StatusOK {
		fx.t.Fatalf("GET %s: %d %s", target, r.Status, r.Body)
	}
	return r.JSON
}

// routeOf returns the route a router pattern belongs to, or nil for the
// catch-all.
func routeOf(pattern string) *route {
	for i, rt := range routes {
		if rt.method+" "+rt.pattern == pattern {
			return &routes[i]
		}
	}
	return nil
}

func checkErrorShape(t testing.TB, what string, r *response) {
	t.Helper()
	e, ok := r.JSON["error"].(map[string]any)
	if !ok || len(r.JSON) != 1 {
		t.Errorf("%s: %d without the error shape: %s", what, r.Status, r.Body)
		return
	}
	if code, _ := e["code"].(string); code == "" {
		t.Errorf("%s: error without a code: %s", what, r.Body)
	}
	if msg, _ := e["message"].(string); msg == "" {
		t.Errorf("%s: error without a message: %s", what, r.Body)
	}
	if f, ok := e["field"]; ok && f == "" {
		t.Errorf("%s: empty field: %s", what, r.Body)
	}
	if r.Status == http.StatusUnauthorized && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("%s: 401 without WWW-Authenticate: Bearer", what)
	}
}

// errorOf returns the code and field of an error response.
func errorOf(r *response) (code, field, message string) {
	e, _ := r.JSON["error"].(map[string]any)
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	message, _ = e["message"].(string)
	return code, field, message
}

// list returns the objects of an array in a JSON object.
func list(m map[string]any, key string) []map[string]any {
	var out []map[string]any
	for _, v := range m[key].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

func field(ms []map[string]any, key string) string {
	var s []string
	for _, m := range ms {
		v, _ := m[key].(string)
		s = append(s, v)
	}
	return strings.Join(s, " ")
}

// officer creates an officer with a role on the unit that has unitCode
// today ("" for the whole tree) and returns the user.
func (fx *fixture) officer(username, password string, role identity.Role, unitCode string) *identity.User {
	fx.t.Helper()
	ctx := context.Background()
	var unitID int64
	if unitCode != "" {
		g, err := fx.app.Units.Graph(ctx)
		if err != nil {
			fx.t.Fatal(err)
		}
		unitID = g.At(unitCode, fx.app.Units.Today()).ID
	}
	u, err := fx.app.Identity.CreateOfficer(ctx, identity.SystemActor, identity.NewUser{
		Username: username, FullName: "Nguyễn Thị Thu", Password: password,
	}, role, unitID)
	if err != nil {
		fx.t.Fatal(err)
	}
	return u
}

// neverClose sets the seed forms' entry to never close.
func neverClose(t testing.TB, rep *reporting.Service) {
	t.Helper()
	for _, form := range []string{"KTXH-XA-NAM", "KTXH-XA-THANG"} {
		if err := rep.SetCloseDays(context.Background(), identity.SystemActor, form, 0); err != nil {
			t.Fatal(err)
		}
	}
}
