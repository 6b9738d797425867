package audit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"egov/internal/audit"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

func appendN(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			return audit.Append(ctx, tx, &audit.Entry{ActorID: 7, ActorName: "admin", Action: "user.create",
				ObjectType: "user", ObjectID: fmt.Sprint(i), UnitCode: "31615", Summary: fmt.Sprintf("tạo người dùng %d", i)})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerifyCatchesTampering(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		appendN(t, db, 5)
		if n, err := audit.Verify(ctx, db); err != nil || n != 5 {
			t.Fatalf("Verify on an intact log = %d, %v", n, err)
		}

		// Altering a stored row directly is caught at that row.
		if _, err := db.ExecContext(ctx, `UPDATE audit_log SET summary = 'sửa lén' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		_, err := audit.Verify(ctx, db)
		var b *audit.Broken
		if !errors.As(err, &b) || b.Seq != 3 {
			t.Fatalf("after altering entry 3, Verify = %v", err)
		}
	})
}

func TestVerifyCatchesRemoval(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		appendN(t, db, 4)
		if _, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE seq = 4`); err != nil {
			t.Fatal(err)
		}
		var b *audit.Broken
		if _, err := audit.Verify(ctx, db); !errors.As(err, &b) || b.Seq != 4 {
			t.Fatalf("after removing the last entry, Verify = %v", err)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.Verify(ctx, db); !errors.As(err, &b) || b.Seq != 3 {
			t.Fatalf("after removing entry 2, Verify = %v", err)
		}
	})
}

func TestConcurrentAppendsKeepTheChain(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					errs <- db.InTx(ctx, func(tx *store.Tx) error {
						return audit.Append(ctx, tx, &audit.Entry{ActorName: "w", Action: "x.y", ObjectType: "x", ObjectID: "1", Summary: "s"})
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n, err := audit.Verify(ctx, db); err != nil || n != 40 {
			t.Fatalf("Verify = %d, %v", n, err)
		}
	})
}

func TestList(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		appendN(t, db, 3)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			return audit.Append(ctx, tx, &audit.Entry{ActorName: "lanhdao", Action: "grant.add", ObjectType: "grant", ObjectID: "1", UnitCode: "31633", Summary: "x"})
		})
		if err != nil {
			t.Fatal(err)
		}
		es, err := audit.List(ctx, db, audit.Filter{Action: "user."})
		if err != nil || len(es) != 3 || es[0].Seq != 3 {
			t.Fatalf("List(action user.) = %d entries, %v", len(es), err)
		}
		es, err = audit.List(ctx, db, audit.Filter{UnitCodes: []string{"31633"}})
		if err != nil || len(es) != 1 || es[0].ActorName != "lanhdao" {
			t.Fatalf("List(unit 31633) = %v, %v", es, err)
		}
		// "_" is not a wildcard.
		es, _ = audit.List(ctx, db, audit.Filter{Action: "user_"})
		if len(es) != 0 {
			t.Fatalf("List(action user_) found %d", len(es))
		}
	})
}

// Two processes appending in turn, and an append rolled back after it
// moved the head, leave each process's remembered head wrong; the chain
// must hold all the same.
func TestAppendsFromTwoProcesses(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		other, err := store.Open(ctx, db.Location)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		for i := 0; i < 3; i++ {
			appendN(t, db, 2)
			appendN(t, other, 1)
		}
		rolledBack := errors.New("rolled back")
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if err := audit.Append(ctx, tx, &audit.Entry{Action: "x", ObjectType: "x", ObjectID: "x", Summary: "bỏ"}); err != nil {
				return err
			}
			return rolledBack
		})
		if !errors.Is(err, rolledBack) {
			t.Fatal(err)
		}
		appendN(t, db, 1)
		appendN(t, other, 1)
		if n, err := audit.Verify(ctx, db); err != nil || n != 11 {
			t.Fatalf("Verify = %d, %v; want 11 entries, intact", n, err)
		}
	})
}
