package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"egov/internal/app"
	"egov/internal/demo"
	"egov/internal/server"
	"egov/internal/store/storetest"
)

// BenchmarkOverLoopback measures whole requests through the real router,
// middleware and an HTTP connection on loopback, and reports each as a
// multiple of the storage floor measured in the same run (one SQLite
// primary-key lookup), because these machines are shared and noisy.
func BenchmarkOverLoopback(b *testing.B) {
	ctx := context.Background()
	db := storetest.SQLite(b)
	a := app.New(db, slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err := demo.LoadUnits(ctx, a.Units); err != nil {
		b.Fatal(err)
	}
	if err := demo.LoadHolidays(ctx, a); err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(server.New(a))
	defer ts.Close()
	client := ts.Client()

	const n = 2000
	start := time.Now()
	for i := 0; i < n; i++ {
		var name string
		if err := db.QueryRowContext(ctx, `SELECT name FROM units WHERE code = ? AND valid_to IS NULL`, "31615").Scan(&name); err != nil {
			b.Fatal(err)
		}
	}
	floor := float64(time.Since(start).Nanoseconds()) / n
	b.Logf("storage floor (SQLite point query): %.0f ns", floor)

	for _, c := range []struct{ name, path string }{
		{"healthz", "/healthz"},
		{"api-unit", "/api/v1/units/31615?at=2025-07-02"},
		{"api-search", "/api/v1/units?at=2025-07-02&q=an%20thanh"},
		{"api-children-92", "/api/v1/units?at=2025-07-02&parent=92"},
		{"api-add-working-days", "/api/v1/calendar/add-working-days?from=2026-02-13&days=10"},
		{"page-units-tree", "/units?at=2025-07-02"},
		{"page-calendar-2026", "/calendar?year=2026"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				res, err := client.Get(ts.URL + c.path)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", c.path, res.StatusCode)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/floor, "x-floor")
		})
	}
}
