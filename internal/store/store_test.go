package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"egov/internal/store"
	"egov/internal/store/storetest"
)

func TestMigrationsAreNumbered(t *testing.T) {
	ms, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatal("no migrations embedded")
	}
}

func TestStore(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Migrating again applies nothing.
		n, err := db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d, err %v", n, err)
		}

		// A committed transaction is visible; a failed one leaves nothing.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (day, year, kind, name) VALUES (?, ?, ?, ?)`, "2026-02-16", 2026, "off", "Tết")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (day, year, kind, name) VALUES (?, ?, ?, ?)`, "2026-02-17", 2026, "off", "Tết"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v, want boom", err)
		}
		var count int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM calendar_days WHERE year = ?`, 2026).Scan(&count); err != nil {
			t.Fatal(err)
		}
		if count != 1 {
			t.Fatalf("%d rows after one commit and one rollback, want 1", count)
		}

		// A duplicate key is recognised on both engines.
		_, err = db.ExecContext(ctx, `INSERT INTO calendar_days (day, year, kind, name) VALUES (?, ?, ?, ?)`, "2026-02-16", 2026, "off", "Tết")
		if !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate insert: %v, want a unique violation", err)
		}

		// A question mark inside a string literal is not a placeholder.
		var s string
		if err := db.QueryRowContext(ctx, `SELECT 'a?b' || ?`, "c").Scan(&s); err != nil || s != "a?bc" {
			t.Fatalf("got %q, %v", s, err)
		}
	})
}

// Several processes starting together on one PostgreSQL migrate once.
func TestConcurrentMigrationsOnPostgres(t *testing.T) {
	dsn := storetest.NewPostgresSchema(t)
	ctx := context.Background()
	errs := make(chan error, 3)
	applied := make(chan int, 3)
	for i := 0; i < 3; i++ {
		go func() {
			db, err := store.Open(ctx, dsn)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			n, err := db.Migrate(ctx)
			applied <- n
			errs <- err
		}()
	}
	total := 0
	for i := 0; i < 3; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(applied)
	for n := range applied {
		total += n
	}
	ms, _ := store.Migrations()
	if total != len(ms) {
		t.Fatalf("%d migrations applied in all, want %d", total, len(ms))
	}
}

// Many transactions at once, each reading through the DB while it holds
// its transaction, as domain code does (the units graph, the catalogue):
// with one pool for both, as many transactions as connections would wait
// for ever for a second connection.
func TestReadsInsideManyTransactions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		const n = 48
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.InTx(ctx, func(tx *store.Tx) error {
					var x int
					if err := db.QueryRowContext(ctx, `SELECT 1`).Scan(&x); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, `UPDATE units_generation SET n = n WHERE id = 1`)
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("a transaction failed (a pool deadlock ends in the timeout): %v", err)
			}
		}
	})
}

func TestAfterCommit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var ran []string
		boom := errors.New("boom")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			tx.AfterCommit(func() { ran = append(ran, "rolled back") })
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			tx.AfterCommit(func() { ran = append(ran, "committed") })
			if len(ran) != 0 {
				t.Error("ran before the commit")
			}
			return nil
		})
		if err != nil || len(ran) != 1 || ran[0] != "committed" {
			t.Fatalf("%v %q", err, ran)
		}
	})
}
