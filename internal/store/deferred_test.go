package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"egov/internal/store"
	"egov/internal/store/storetest"
)

// group runs fns as the members of one group commit, in this order: a
// first transaction holds the writer while they queue one by one.
func group(t *testing.T, db *store.DB, fns ...func(tx *store.Tx) error) []error {
	t.Helper()
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
	before, _ := db.WriterStats()
	errs := make([]error, len(fns))
	done := make(chan int, len(fns))
	for i, fn := range fns {
		go func() {
			defer func() {
				if p := recover(); p != nil {
					errs[i] = errors.New("panic")
				}
				done <- i
			}()
			errs[i] = db.InTx(ctx, fn)
		}()
		waitFor(t, "the member to queue", func() bool { _, q := db.WriterStats(); return q == i+1 })
	}
	close(release)
	for range fns {
		<-done
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if after, _ := db.WriterStats(); len(fns) > 1 && after-before > 2 {
		t.Fatalf("%d commits: the members did not run as one group", after-before)
	}
	return errs
}

func count(t *testing.T, db *store.DB, k string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM t WHERE k = ?`, k).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func deferInsert(tx *store.Tx, k string) error {
	return tx.ExecDeferred(context.Background(), `INSERT INTO t (k) VALUES (?)`, k)
}

// A deferred statement that fails makes its member fail, with the
// statement's error, whether the error arrives at fn's next statement or
// after fn returned; the member's other statements are not committed, and
// the other members are.
func TestDeferredError(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		createT(t, db)
		ctx := context.Background()
		var nextErr error
		errs := group(t, db,
			func(tx *store.Tx) error { return deferInsert(tx, "a") },
			func(tx *store.Tx) error {
				// Fails at the end of the member: "a" is taken.
				deferInsert(tx, "b1")
				deferInsert(tx, "a")
				return nil
			},
			func(tx *store.Tx) error {
				deferInsert(tx, "c1")
				deferInsert(tx, "a")
				// The error arrives here; fn ignores it.
				var n int
				nextErr = tx.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n)
				return nil
			},
			func(tx *store.Tx) error { return deferInsert(tx, "d") },
		)
		if errs[0] != nil || errs[3] != nil {
			t.Errorf("the good members failed: %v, %v", errs[0], errs[3])
		}
		if !store.IsUniqueViolation(errs[1]) {
			t.Errorf("a member whose deferred insert failed at its end returned %v, want the unique violation", errs[1])
		}
		if db.Engine() == store.Postgres && !store.IsUniqueViolation(nextErr) {
			t.Errorf("the statement after a failed deferred insert returned %v, want the unique violation", nextErr)
		}
		if errs[2] == nil {
			t.Error("a member that ignored the error of its deferred insert was acknowledged")
		}
		for k, want := range map[string]int{"a": 1, "b1": 0, "d": 1} {
			if n := count(t, db, k); n != want {
				t.Errorf("%q: %d rows, want %d", k, n, want)
			}
		}
		// SQLite keeps a transaction usable after a failed statement, so
		// the ignored error may leave "c1" standing there (see
		// TestGroupCommitIgnoredStatementError); PostgreSQL must not.
		if n := count(t, db, "c1"); db.Engine() == store.Postgres && n != 0 {
			t.Errorf("c1: %d rows of a failed member were committed", n)
		}
	})
}

// Deferred statements run in the order they were issued, before any later
// statement of the transaction, so a read sees what they wrote.
func TestDeferredOrder(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		createT(t, db)
		ctx := context.Background()
		var x, y int
		var keys []string
		errs := group(t, db,
			func(tx *store.Tx) error {
				deferInsert(tx, "x")
				tx.ExecDeferred(ctx, `UPDATE t SET k = 'y' WHERE k = 'x'`)
				deferInsert(tx, "x")
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE k = 'y'`).Scan(&y); err != nil {
					return err
				}
				deferInsert(tx, "z")
				res, err := tx.ExecContext(ctx, `DELETE FROM t WHERE k = 'x'`)
				if err != nil {
					return err
				}
				n, _ := res.RowsAffected()
				x = int(n)
				deferInsert(tx, "w")
				rows, err := tx.QueryContext(ctx, `SELECT k FROM t ORDER BY k`)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var k string
					if err := rows.Scan(&k); err != nil {
						return err
					}
					keys = append(keys, k)
				}
				return rows.Err()
			},
			func(tx *store.Tx) error { return deferInsert(tx, "v") },
		)
		if errs[0] != nil || errs[1] != nil {
			t.Fatal(errs)
		}
		if y != 1 || x != 1 || !reflect.DeepEqual(keys, []string{"w", "y", "z"}) {
			t.Errorf("read %d y, deleted %d x, listed %v; want 1, 1, [w y z]", y, x, keys)
		}
		for k, want := range map[string]int{"x": 0, "y": 1, "z": 1, "w": 1, "v": 1} {
			if n := count(t, db, k); n != want {
				t.Errorf("%q: %d rows, want %d", k, n, want)
			}
		}
	})
}

// The deferred statements of a member that fails (an error, a panic)
// reach no commit, whether they were sent already or not; rolling the
// member back leaves the members before it alone, even when nothing of it
// had reached the server yet.
func TestDeferredFailedMember(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		createT(t, db)
		ctx := context.Background()
		refused := errors.New("refused")
		errs := group(t, db,
			func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO t (k) VALUES ('a')`)
				return err
			},
			func(tx *store.Tx) error { deferInsert(tx, "b"); return refused },
			func(tx *store.Tx) error { deferInsert(tx, "c"); panic("boom") },
			func(tx *store.Tx) error {
				deferInsert(tx, "d1")
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
					return err
				}
				deferInsert(tx, "d2")
				return refused
			},
			func(tx *store.Tx) error { return deferInsert(tx, "e") },
		)
		if errs[0] != nil || errs[4] != nil || errs[1] != refused || errs[2] == nil || errs[3] != refused {
			t.Errorf("errors %v", errs)
		}
		for k, want := range map[string]int{"a": 1, "b": 0, "c": 0, "d1": 0, "d2": 0, "e": 1} {
			if n := count(t, db, k); n != want {
				t.Errorf("%q: %d rows, want %d", k, n, want)
			}
		}
		// Alone in its group (no savepoint on PostgreSQL).
		if err := db.InTx(ctx, func(tx *store.Tx) error { deferInsert(tx, "f"); return refused }); err != refused {
			t.Errorf("alone: %v", err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { deferInsert(tx, "a"); return nil }); !store.IsUniqueViolation(err) {
			t.Errorf("alone, failing at the end: %v", err)
		}
		if n := count(t, db, "f"); n != 0 {
			t.Errorf("f: %d rows of a failed transaction", n)
		}
	})
}

// A query sent behind deferred statements returns the same values as one
// sent alone.
func TestDeferredQueryValues(t *testing.T) {
	db := storetest.Postgres(t)
	createT(t, db)
	ctx := context.Background()
	const q = `SELECT 1::int2, 2::int4, 3::int8, 'tê'::text, NULL::text, true, 1.5::float4, 2.5::float8, 3.25::numeric,
		'\x0102'::bytea, '{"a":1}'::jsonb, '2026-03-02'::date, '2026-03-02 10:00:00'::timestamp,
		'2026-03-02 10:00:00+07'::timestamptz, 'f47ac10b-58cc-4372-a567-0e02b2c3d479'::uuid`
	read := func(pipelined bool) []any {
		vals := make([]any, 15)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			if pipelined {
				deferInsert(tx, "p")
			}
			return tx.QueryRowContext(ctx, q).Scan(ptrs...)
		}); err != nil {
			t.Fatal(err)
		}
		return vals
	}
	alone, behind := read(false), read(true)
	for i := range alone {
		if !reflect.DeepEqual(alone[i], behind[i]) {
			t.Errorf("column %d: %#v alone, %#v behind deferred statements", i, alone[i], behind[i])
		}
	}
	if count(t, db, "p") != 1 {
		t.Error("the deferred insert was not committed")
	}
}

// A deferred statement that cannot run at all (SQL the server rejects, an
// argument the driver cannot send) fails its own member only.
func TestDeferredBadStatement(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		createT(t, db)
		ctx := context.Background()
		errs := group(t, db,
			func(tx *store.Tx) error { return deferInsert(tx, "a") },
			func(tx *store.Tx) error {
				deferInsert(tx, "b")
				tx.ExecDeferred(ctx, `INSERT INTO no_such_table (k) VALUES (?)`, "b")
				return nil
			},
			func(tx *store.Tx) error { return deferInsert(tx, "c") },
			func(tx *store.Tx) error {
				deferInsert(tx, "d")
				tx.ExecDeferred(ctx, `INSERT INTO t (k) VALUES (?)`, make(chan int))
				return nil
			},
			func(tx *store.Tx) error { return deferInsert(tx, "e") },
		)
		if errs[0] != nil || errs[1] == nil || errs[2] != nil || errs[3] == nil || errs[4] != nil {
			t.Errorf("errors %v", errs)
		}
		for k, want := range map[string]int{"a": 1, "b": 0, "c": 1, "d": 0, "e": 1} {
			if n := count(t, db, k); n != want {
				t.Errorf("%q: %d rows, want %d", k, n, want)
			}
		}
	})
}

// In a group, a member's last deferred statements go to the server with
// the next member's: when one of them fails, its member fails, and the
// next member runs as if the failed one had never been there.
func TestDeferredFailsAfterItsMember(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		createT(t, db)
		ctx := context.Background()
		if err := db.InTx(ctx, func(tx *store.Tx) error { return deferInsert(tx, "a") }); err != nil {
			t.Fatal(err)
		}
		var seen int
		errs := group(t, db,
			func(tx *store.Tx) error {
				deferInsert(tx, "a2")
				deferInsert(tx, "a") // taken: fails after fn returned
				return nil
			},
			func(tx *store.Tx) error {
				deferInsert(tx, "b")
				return tx.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE k IN ('a2', 'b')`).Scan(&seen)
			},
			func(tx *store.Tx) error { return deferInsert(tx, "c") },
			func(tx *store.Tx) error { return deferInsert(tx, "a") }, // fails before the commit
		)
		if !store.IsUniqueViolation(errs[0]) || errs[1] != nil || errs[2] != nil || !store.IsUniqueViolation(errs[3]) {
			t.Errorf("errors %v", errs)
		}
		if seen != 1 {
			t.Errorf("the next member saw %d rows of a2 and b, want 1 (b)", seen)
		}
		for k, want := range map[string]int{"a": 1, "a2": 0, "b": 1, "c": 1} {
			if n := count(t, db, k); n != want {
				t.Errorf("%q: %d rows, want %d", k, n, want)
			}
		}
	})
}

// Members that mix deferred and immediate statements, some failing in
// either, some returning an error: a member is acknowledged exactly when
// all of its rows are committed, and a failed one leaves none.
func TestDeferredMixedGroup(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		createT(t, db)
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, `INSERT INTO t (k) VALUES ('taken')`); err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		const n = 40
		var fns []func(tx *store.Tx) error
		inserts := make([]int, n)
		for i := range n {
			plan := make([]int, 1+rng.IntN(5)) // each step: 0 deferred insert, 1 immediate insert, 2 read, 3 deferred taken, 4 immediate taken
			for j := range plan {
				plan[j] = rng.IntN(20)
				if plan[j] > 4 {
					plan[j] %= 3
				}
			}
			inserts[i] = len(plan) - countReads(plan)
			refuse := rng.IntN(8) == 0
			fns = append(fns, func(tx *store.Tx) error {
				for j, step := range plan {
					k := fmt.Sprintf("m%d-%d", i, j)
					var err error
					switch step {
					case 0:
						err = deferInsert(tx, k)
					case 1:
						_, err = tx.ExecContext(ctx, `INSERT INTO t (k) VALUES (?)`, k)
					case 2:
						var c int
						err = tx.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE k LIKE ?`, fmt.Sprintf("m%d-%%", i)).Scan(&c)
						if err == nil && c != j-countReads(plan[:j]) {
							err = fmt.Errorf("read %d own rows, want %d", c, j-countReads(plan[:j]))
						}
					case 3:
						tx.ExecDeferred(ctx, `INSERT INTO t (k) VALUES ('taken')`) // error ignored
					case 4:
						tx.ExecContext(ctx, `INSERT INTO t (k) VALUES ('taken')`) // error ignored
					}
					if err != nil {
						return err
					}
				}
				if refuse {
					return errors.New("refused")
				}
				return nil
			})
		}
		errs := group(t, db, fns...)
		failed := 0
		for _, err := range errs {
			if err != nil {
				failed++
			}
		}
		if failed < n/4 || failed > n*3/4 {
			t.Fatalf("%d of %d members failed: the plans do not test both outcomes", failed, n)
		}
		for i, err := range errs {
			var c int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE k LIKE ?`, fmt.Sprintf("m%d-%%", i)).Scan(&c); err != nil {
				t.Fatal(err)
			}
			switch {
			case err != nil && c != 0:
				t.Errorf("member %d failed (%v) but %d of its rows are committed", i, err, c)
			case err == nil && c != inserts[i]:
				t.Errorf("member %d was acknowledged with %d of its %d rows", i, c, inserts[i])
			}
		}
	})
}

func countReads(plan []int) int {
	n := 0
	for _, s := range plan {
		if s >= 2 {
			n++
		}
	}
	return n
}
