package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"egov/internal/store"
)

// TestMain lets the test binary play the child process of
// TestCommitsSurviveKill.
func TestMain(m *testing.M) {
	if path := os.Getenv("EGOV_DURABILITY_CHILD"); path != "" {
		durabilityChild(path)
		return
	}
	os.Exit(m.Run())
}

// durabilityChild commits rows one by one and reports each on stdout only
// after its commit returned, as a handler tells a user "saved".
func durabilityChild(path string) {
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if _, err := db.Migrate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for i := 1; ; i++ {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (day, year, kind, name) VALUES (?, ?, ?, ?)`,
				fmt.Sprintf("k%08d", i), 2000, "off", "durability")
			return err
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println(i)
	}
}

// TestWriterIsDurable checks the settings that make a commit survive a
// power cut, which killing a process cannot show (the page cache survives
// the process): the writer runs in WAL mode with synchronous=FULL.
func TestWriterIsDurable(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "egov.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var mode string
		var sync, fk int
		if err := tx.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			return err
		}
		if mode != "wal" || sync != 2 || fk != 1 {
			t.Errorf("writer: journal_mode=%s synchronous=%d foreign_keys=%d, want wal, 2 (FULL), 1", mode, sync, fk)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(ctx, ":memory:"); err == nil {
		t.Error("an in-memory database was accepted: its readers would see another, empty database")
	}
}

// TestCommitsSurviveKill kills a writing process with SIGKILL and checks
// that every commit it acknowledged is in the database afterwards.
func TestCommitsSurviveKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "egov.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "EGOV_DURABILITY_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	last := 0
	for sc.Scan() {
		n, err := strconv.Atoi(sc.Text())
		if err != nil {
			t.Fatalf("child said %q", sc.Text())
		}
		last = n
		if n == 200 {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if last != 200 {
		t.Fatalf("the child stopped after %d commits", last)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var count int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM calendar_days WHERE name = 'durability'`).Scan(&count); err != nil {
		t.Fatal(err)
	}
	if count < last {
		t.Fatalf("%d commits were acknowledged before kill -9, %d survived", last, count)
	}
}
