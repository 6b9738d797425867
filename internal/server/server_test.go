package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"egov/internal/app"
	"egov/internal/server"
	"egov/internal/store/storetest"
)

func newServer(t *testing.T) (*httptest.Server, *app.App) {
	t.Helper()
	a := app.New(storetest.SQLite(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	ts := httptest.NewServer(server.New(a))
	t.Cleanup(ts.Close)
	return ts, a
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestOperationalEndpoints(t *testing.T) {
	ts, a := newServer(t)
	if res, body := get(t, ts.URL+"/healthz"); res.StatusCode != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", res.StatusCode, body)
	}
	if res, _ := get(t, ts.URL+"/readyz"); res.StatusCode != 200 {
		t.Errorf("/readyz: %d", res.StatusCode)
	}
	res, body := get(t, ts.URL+"/metrics")
	if res.StatusCode != 200 || !strings.Contains(body, `egov_http_requests_total{method="GET",route="GET /healthz",status="200"} 1`) ||
		!strings.Contains(body, `go_sql_max_open_connections{db_name="egov"}`) {
		t.Errorf("/metrics lacks the request counter per route or the pool gauges:\n%.2000s", body)
	}
	// Invented methods do not create series of their own.
	for _, m := range []string{"BREW", "PROPFIND"} {
		req, _ := http.NewRequest(m, ts.URL+"/healthz", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}
	if _, body := get(t, ts.URL+"/metrics"); strings.Contains(body, `method="BREW"`) || !strings.Contains(body, `method="other"`) {
		t.Errorf("invented methods are labelled by name")
	}
	// With the database gone, the process is alive but not ready.
	a.DB.Close()
	if res, _ := get(t, ts.URL+"/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz without a database: %d", res.StatusCode)
	}
	if res, _ := get(t, ts.URL+"/healthz"); res.StatusCode != 200 {
		t.Errorf("/healthz without a database: %d", res.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts, _ := newServer(t)
	res, _ := get(t, ts.URL+"/healthz")
	for h, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"X-Frame-Options":         "DENY",
	} {
		if got := res.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", h, got, want)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %s", csp)
	}
}

// A form posted from another site is refused before it reaches a handler.
func TestCrossSiteRequestsAreRefused(t *testing.T) {
	ts, _ := newServer(t)
	req, _ := http.NewRequest("POST", ts.URL+"/signin", strings.NewReader("username=admin&password=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", res.StatusCode)
	}
	req, _ = http.NewRequest("POST", ts.URL+"/signin", strings.NewReader("username=admin&password=x"))
	req.Header.Set("Origin", "https://evil.example")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("POST with a foreign Origin: %d, want 403", res.StatusCode)
	}
}
