package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"egov/internal/store"
	"egov/internal/store/storetest"
)

func createT(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), `CREATE TABLE t (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds; the writer's queue is filled by other
// goroutines, so there is no event to wait on.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// Transactions that queue while the writer is busy share one commit, and
// one that fails or panics inside the group loses its own changes only.
func TestGroupCommit(t *testing.T) {
	storetest.Engines(t, testGroupCommit)
}

func testGroupCommit(t *testing.T, db *store.DB) {
	createT(t, db)
	ctx := context.Background()
	before, _ := db.WriterStats()
	queued := func() int { _, n := db.WriterStats(); return n }

	started, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.InTx(ctx, func(tx *store.Tx) error {
			close(started)
			<-release // hold the writer while the others queue
			_, err := tx.ExecContext(ctx, `INSERT INTO t (k) VALUES ('first')`)
			return err
		})
	}()
	<-started

	const n = 40 // below both engines' batch limits
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			errs[i] = db.InTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO t (k) VALUES (?)`, fmt.Sprint(i)); err != nil {
					return err
				}
				switch i % 10 {
				case 3:
					return errors.New("refused")
				case 7:
					panic("boom")
				}
				return nil
			})
		}()
	}
	waitFor(t, "40 queued transactions", func() bool { return queued() == n })
	close(release)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}

	if after, _ := db.WriterStats(); after-before != 2 {
		t.Errorf("commits = %d, want 2 (the first alone, then the 40 queued together)", after-before)
	}
	for i := range n {
		switch i % 10 {
		case 3:
			if errs[i] == nil || errs[i].Error() != "refused" {
				t.Errorf("tx %d: err = %v, want its own error", i, errs[i])
			}
		case 7:
			if panics[i] != "boom" {
				t.Errorf("tx %d: panic = %v, want it re-raised in the caller", i, panics[i])
			}
		default:
			if errs[i] != nil || panics[i] != nil {
				t.Errorf("tx %d: %v %v", i, errs[i], panics[i])
			}
		}
		var c int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE k = ?`, fmt.Sprint(i)).Scan(&c); err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 0, false: 1}[i%10 == 3 || i%10 == 7]; c != want {
			t.Errorf("tx %d: %d rows stored, want %d", i, c, want)
		}
	}
}

// A statement that fails inside a group (a unique violation) is the
// failing transaction's error only.
func TestGroupCommitConstraintError(t *testing.T) {
	storetest.Engines(t, testGroupCommitConstraintError)
}

func testGroupCommitConstraintError(t *testing.T, db *store.DB) {
	createT(t, db)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.InTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO t (k) VALUES (?)`, fmt.Sprint("own", i)); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO t (k) VALUES ('shared')`)
				return err
			})
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !store.IsUniqueViolation(err):
			t.Errorf("tx %d: %v", i, err)
		}
	}
	var rows int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if ok != 1 || rows != 2 {
		t.Errorf("%d transactions succeeded and %d rows are stored, want 1 and 2", ok, rows)
	}
}

// A transaction whose context ended while it waited does not run; after
// Close, InTx fails instead of hanging.
func TestGroupCommitContextAndClose(t *testing.T) {
	db := storetest.SQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := db.InTx(ctx, func(tx *store.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("cancelled: err = %v, ran = %v", err, ran)
	}
	db.Close()
	if err := db.InTx(context.Background(), func(tx *store.Tx) error { return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

// A member whose statement failed while fn returned nil is not reported
// as committed: on PostgreSQL COMMIT would roll back without an error.
func TestGroupCommitIgnoredStatementError(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		createT(t, db)
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO t (k) VALUES ('lost')`); err != nil {
				return err
			}
			tx.ExecContext(ctx, `INSERT INTO t (k) VALUES ('lost')`) // a unique violation, ignored
			return nil
		})
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE k = 'lost'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		// SQLite keeps the transaction usable after a failed statement,
		// so the first insert may stand; PostgreSQL must report it lost.
		if db.Engine() == store.Postgres && (err == nil || n != 0) {
			t.Fatalf("InTx = %v with %d rows stored; want an error and nothing stored", err, n)
		}
		if err == nil && n != 1 {
			t.Fatalf("InTx succeeded but %d rows are stored", n)
		}
	})
}

// A caller whose context ends while its transaction waits for the writer
// returns at once, and its transaction never runs.
func TestGroupCommitAbandoned(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	started, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.InTx(ctx, func(tx *store.Tx) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	short, cancel := context.WithCancel(ctx)
	ran := make(chan struct{}, 1)
	second := make(chan error, 1)
	go func() {
		second <- db.InTx(short, func(tx *store.Tx) error { ran <- struct{}{}; return nil })
	}()
	waitFor(t, "the second transaction to queue", func() bool { _, q := db.WriterStats(); return q == 1 })
	cancel()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Fatalf("abandoned: %v", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	// The writer goes on, and the abandoned transaction did not run.
	if err := db.InTx(ctx, func(tx *store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
		t.Fatal("the abandoned transaction ran")
	default:
	}
}

// When PostgreSQL ends the writer's session, the writer takes a new
// connection: writes fail at most once, not for ever.
func TestWriterReconnects(t *testing.T) {
	db := storetest.Postgres(t)
	createT(t, db)
	ctx := context.Background()
	var pid int
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.QueryContext(ctx, `SELECT pg_terminate_backend(?)`, pid); err != nil {
		t.Fatal(err)
	}
	insert := func(k string) error {
		return db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO t (k) VALUES (?)`, k)
			return err
		})
	}
	failures := 0
	for i := range 3 {
		if err := insert(fmt.Sprint("after", i)); err != nil {
			failures++
		}
	}
	if failures > 1 {
		t.Fatalf("%d of 3 writes failed after the session was killed", failures)
	}
	if err := insert("last"); err != nil {
		t.Fatal(err)
	}
}
