package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"egov/internal/app"
	"egov/internal/i18n"
	"egov/internal/store/storetest"
)

// TestBadInput: every kind of bad request gets its 4xx, the error shape,
// and the field at fault.
func TestBadInput(t *testing.T) {
	fx := sqliteFixture(t)
	const token = "/api/v1/auth/token"
	big := `{"username":"` + strings.Repeat("a", maxBody) + `","password":"x"}`
	for _, c := range []struct {
		name, method, target, body string
		status                     int
		code, field                string
	}{
		// JSON bodies.
		{"malformed JSON", "POST", token, `{"username" "x"}`, 400, "invalid", ""},
		{"truncated JSON", "POST", token, `{"username":"x",`, 400, "invalid", ""},
		{"empty body", "POST", token, ``, 400, "invalid", ""},
		{"not an object", "POST", token, `["x"]`, 400, "invalid", ""},
		{"unknown field", "POST", token, `{"username":"x","password":"y","otp":"1"}`, 400, "invalid", "otp"},
		{"wrong type", "POST", token, `{"username":5,"password":"y"}`, 400, "invalid", "username"},
		{"trailing data", "POST", token, `{"username":"x","password":"y"} {}`, 400, "invalid", ""},
		{"trailing garbage", "POST", token, `{"username":"x","password":"y"}x`, 400, "invalid", ""},
		{"missing password", "POST", token, `{"username":"x"}`, 400, "invalid", "password"},
		{"missing username", "POST", token, `{"password":"x"}`, 400, "invalid", "username"},
		{"oversize body", "POST", token, big, 413, "too_large", ""},
		{"oversize trailing data", "POST", token, `{"username":"x","password":"y"}` + strings.Repeat(" ", maxBody), 413, "too_large", ""},
		{"oversize whitespace", "POST", token, strings.Repeat(" ", maxBody+1) + "{}", 413, "too_large", ""},

		// Query parameters.
		{"bad date", "GET", "/api/v1/units?at=2024-13-01", "", 400, "invalid", "at"},
		{"date without zeros", "GET", "/api/v1/units?at=2024-1-1", "", 400, "invalid", "at"},
		{"date with time", "GET", "/api/v1/units?at=2024-01-01T00:00:00Z", "", 400, "invalid", "at"},
		{"bad level", "GET", "/api/v1/units?level=abc", "", 400, "invalid", "level"},
		{"level zero", "GET", "/api/v1/units?level=0", "", 400, "invalid", "level"},
		{"level too deep", "GET", "/api/v1/units?level=11", "", 400, "invalid", "level"},
		{"huge level", "GET", "/api/v1/units?level=99999999999999999999999", "", 400, "invalid", "level"},
		{"limit zero", "GET", "/api/v1/units?limit=0", "", 400, "invalid", "limit"},
		{"limit too large", "GET", "/api/v1/units?limit=5001", "", 400, "invalid", "limit"},
		{"query too long", "GET", "/api/v1/units?q=" + strings.Repeat("x", 101), "", 400, "invalid", "q"},
		{"bad parent", "GET", "/api/v1/units?parent=94a", "", 400, "invalid", "parent"},
		{"unknown parent", "GET", "/api/v1/units?parent=99", "", 404, "not_found", "parent"},
		{"unknown parameter", "GET", "/api/v1/units?levle=3", "", 400, "invalid", "levle"},
		{"unknown parameter on calendar", "GET", "/api/v1/calendar/lunar?dat=2026-01-01", "", 400, "invalid", "dat"},
		{"parameter on a body route", "POST", token + "?username=x", `{"username":"x","password":"y"}`, 400, "invalid", "username"},
		{"repeated parameter", "GET", "/api/v1/units?at=2024-01-01&at=2025-01-01", "", 400, "invalid", "at"},
		{"malformed query", "GET", "/api/v1/units?at=%zz", "", 400, "invalid", ""},
		{"bad days", "GET", "/api/v1/calendar/add-working-days?from=2026-01-01&days=1.5", "", 400, "invalid", "days"},
		{"negative days", "GET", "/api/v1/calendar/add-working-days?from=2026-01-01&days=-3", "", 400, "invalid", "days"},
		{"bad year", "GET", "/api/v1/calendar/holidays?year=MMXXVI", "", 400, "invalid", "year"},

		// Paths.
		{"bad code", "GET", "/api/v1/units/abc", "", 400, "invalid", "code"},
		{"code too long", "GET", "/api/v1/units/12345678901", "", 400, "invalid", "code"},
		{"unknown code", "GET", "/api/v1/units/99999", "", 404, "not_found", ""},
		{"bad date in path", "GET", "/api/v1/calendar/days/today", "", 400, "invalid", "date"},
		{"unknown path", "GET", "/api/v1/nothing", "", 404, "not_found", ""},
		{"unknown version", "GET", "/api/v2/units", "", 404, "not_found", ""},
		{"unknown subpath", "GET", "/api/v1/units/31615/children", "", 404, "not_found", ""},
		{"trailing slash", "GET", "/api/v1/units/", "", 404, "not_found", ""},
		{"unknown path, other method", "POST", "/api/v1/nothing", "{}", 404, "not_found", ""},

		// Methods.
		{"wrong method", "POST", "/api/v1/units", "{}", 405, "method_not_allowed", ""},
		{"wrong method on token", "PUT", token, "{}", 405, "method_not_allowed", ""},
		{"wrong method on me", "DELETE", "/api/v1/me", "", 405, "method_not_allowed", ""},
		{"options", "OPTIONS", "/api/v1/calendar/lunar", "", 405, "method_not_allowed", ""},

		// Authentication.
		{"no token", "GET", "/api/v1/me", "", 401, "unauthorized", ""},
		{"no token to revoke", "DELETE", token, "", 401, "unauthorized", ""},
		{"overlong token", "GET", "/api/v1/me", "", 401, "unauthorized", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var header []string
			if c.name == "overlong token" {
				header = []string{"Authorization", "Bearer " + strings.Repeat("t", 5000)}
			}
			r := fx.do(c.method, c.target, c.body, header...)
			code, f, msg := errorOf(r)
			if r.Status != c.status || code != c.code || f != c.field {
				t.Errorf("%d %s, want %d %s field %q", r.Status, r.Body, c.status, c.code, c.field)
			}
			if strings.Contains(msg, "json:") || strings.Contains(msg, "%!") || messageKey.MatchString(msg) {
				t.Errorf("message is a key, leaks the decoder or a bad format: %s", msg)
			}
		})
	}

	// A 405 says which methods the path has.
	for target, want := range map[string]string{
		"/api/v1/units":      "GET, HEAD",
		"/api/v1/auth/token": "POST, DELETE",
	} {
		if r := fx.do("PATCH", target, "{}"); r.Header.Get("Allow") != want {
			t.Errorf("PATCH %s: Allow %q, want %q", target, r.Header.Get("Allow"), want)
		}
	}
}

// messageKey matches a message key shown for want of a translation.
var messageKey = regexp.MustCompile(`^[a-z]+\.[a-z_.]+$`)

// TestErrorLanguage: lang beats Accept-Language, which beats the
// Vietnamese default.
func TestErrorLanguage(t *testing.T) {
	fx := sqliteFixture(t)
	en := "The date \"2024-02-30\" is not valid; use YYYY-MM-DD."
	vi := "Ngày \"2024-02-30\" không hợp lệ; cần dạng YYYY-MM-DD."
	for _, c := range []struct {
		query, accept, want string
	}{
		{"", "", vi},
		{"", "en-GB,en;q=0.9", en},
		{"&lang=en", "vi", en},
		{"&lang=vi", "en", vi},
		{"&lang=fr", "en", en},
	} {
		r := fx.get("/api/v1/units?at=2024-02-30"+c.query, "Accept-Language", c.accept)
		if _, _, msg := errorOf(r); msg != c.want {
			t.Errorf("lang %q, Accept-Language %q: %q", c.query, c.accept, msg)
		}
	}
	for _, c := range []struct{ method, target, body, want string }{
		{"GET", "/api/v1/units/99999?lang=en", "", "No unit has code 99999 on 2026-03-02."},
		{"GET", "/api/v1/units/99999/successors?lang=en", "", "No unit has ever had the code 99999."},
		{"GET", "/api/v1/units?parent=x9&lang=en", "", `The unit code "x9" is not valid: it has 1–10 digits.`},
		{"GET", "/api/v1/units?level=12&lang=en", "", `"level" must be between 1 and 10.`},
		{"GET", "/api/v1/units?levle=1&lang=en", "", `The parameter "levle" is not supported.`},
		{"GET", "/api/v1/calendar/lunar?date=2300-01-01&lang=en", "", "The date 2300-01-01 is outside the supported years (1900–2199)."},
		{"POST", "/api/v1/auth/token?lang=en", `{"username":"a","otp":1}`, `The field "otp" is not supported.`},
		{"POST", "/api/v1/auth/token?lang=en", `{"username":["a"]}`, `The field "username" needs a value of type string.`},
		{"POST", "/api/v1/auth/token?lang=en", `{"username":}`, "The JSON has a syntax error at byte 13."},
		{"POST", "/api/v1/auth/token?lang=en", `{"username":"a","password":"b"}`, "Wrong user name or password."},
	} {
		r := fx.do(c.method, c.target, c.body)
		if _, _, msg := errorOf(r); msg != c.want {
			t.Errorf("%s %s: %q, want %q", c.method, c.target, msg, c.want)
		}
	}
}

// TestInternalError: a failure of the system is logged, and the client
// gets the generic message, never the details.
func TestInternalError(t *testing.T) {
	db := storetest.SQLite(t)
	log := &syncBuffer{}
	a := app.New(db, slog.New(slog.NewTextHandler(log, nil)))
	mux := http.NewServeMux()
	Register(mux, a)
	db.Close()

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/units", nil))
	r := &response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if err := json.Unmarshal(r.Body, &r.JSON); err != nil {
		t.Fatal(err)
	}
	checkErrorShape(t, "closed database", r)
	if code, _, msg := errorOf(r); r.Status != http.StatusInternalServerError || code != "internal" || msg != i18n.T(i18n.VI, "error.internal") {
		t.Errorf("closed database: %d %s", r.Status, r.Body)
	}
	if p := checkDocumented(routeOf("GET /api/v1/units"), r); len(p) != 0 {
		t.Error(p)
	}
	if !strings.Contains(log.String(), "level=ERROR") || !strings.Contains(log.String(), "closed") {
		t.Errorf("not logged: %s", log.String())
	}
}

// TestMessageKeys checks that every message key the package uses is in
// both catalogues.
func TestMessageKeys(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keyRE := regexp.MustCompile(`"((?:error|unit|signin)\.[a-z_]+)"`)
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(src), -1) {
			seen[m[1]] = true
		}
	}
	if len(seen) < 10 {
		t.Fatalf("found only %d keys: is the pattern right?", len(seen))
	}
	for key := range seen {
		if !i18n.Has(i18n.VI, key) || !i18n.Has(i18n.EN, key) {
			t.Errorf("message key %s is not in both catalogues", key)
		}
	}
	for _, r := range []string{"admin", "receiver", "specialist", "leader", "reporter", "statistician", "trace_operator"} {
		if !i18n.Has(i18n.VI, "role."+r) || !i18n.Has(i18n.EN, "role."+r) {
			t.Errorf("role.%s missing", r)
		}
	}
}
