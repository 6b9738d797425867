// Package storetest runs a test against every database engine: SQLite always,
// PostgreSQL when EGOV_TEST_POSTGRES holds a URL. Each run gets an empty,
// migrated database of its own (a temporary file, or a fresh PostgreSQL
// schema that is dropped afterwards).
//
// With EGOV_REQUIRE_ALL=1 a missing PostgreSQL URL fails the test instead of
// skipping it, so that CI cannot pass without having run both engines.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"egov/internal/store"
)

// Engines runs fn once per engine as a subtest named after the engine.
func Engines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated SQLite database in a temporary directory.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "egov.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// Skip skips the test for a missing engine or browser, or fails it when
// EGOV_REQUIRE_ALL=1.
func Skip(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("EGOV_REQUIRE_ALL") == "1" {
		t.Fatalf("EGOV_REQUIRE_ALL=1 but %s", why)
	}
	t.Skip(why)
}

// PostgresURL returns EGOV_TEST_POSTGRES, skipping (or failing) the test when
// it is empty.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("EGOV_TEST_POSTGRES")
	if u == "" {
		Skip(t, "EGOV_TEST_POSTGRES is not set")
	}
	return u
}

// Postgres returns a migrated PostgreSQL database in a schema of its own.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	dsn := NewPostgresSchema(t)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// NewPostgresSchema creates an empty schema on the test server, drops it when
// the test ends, and returns a URL whose connections use it.
func NewPostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	var b [6]byte
	rand.Read(b[:])
	schema := "egov_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema on %s: %v", base, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
