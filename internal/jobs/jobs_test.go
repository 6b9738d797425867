package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"egov/internal/jobs"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

// clock is a settable time for the queue.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newQueue(db *store.DB) (*jobs.Queue, *clock) {
	c := &clock{t: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
	q := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	q.Now = c.Now
	return q, c
}

func enqueue(t *testing.T, db *store.DB, q *jobs.Queue, kind string, payload any, o jobs.Options) int64 {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		return q.EnqueueWith(context.Background(), tx, kind, payload, o)
	})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.QueryRowContext(context.Background(), `SELECT MAX(id) FROM jobs`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func get(t *testing.T, q *jobs.Queue, id int64) *jobs.Info {
	t.Helper()
	in, err := q.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func runDue(t *testing.T, q *jobs.Queue) int {
	t.Helper()
	n, err := q.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEnqueueIsTransactional(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q, _ := newQueue(db)
		var got []string
		q.Handle("greet", func(ctx context.Context, j *jobs.Job) error {
			got = append(got, string(j.Payload))
			return nil
		})
		boom := errors.New("rolled back")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := q.Enqueue(ctx, tx, "greet", map[string]string{"to": "nobody"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if n := runDue(t, q); n != 0 {
			t.Fatalf("a rolled-back enqueue ran %d jobs", n)
		}
		id := enqueue(t, db, q, "greet", map[string]string{"to": "Lan"}, jobs.Options{})
		if n := runDue(t, q); n != 1 || len(got) != 1 || got[0] != `{"to":"Lan"}` {
			t.Fatalf("ran %d: %q", n, got)
		}
		if in := get(t, q, id); in.State != jobs.Done || in.Attempts != 1 || in.LastError != "" {
			t.Fatalf("%+v", in)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			err := q.Enqueue(ctx, tx, "unknown", nil)
			return err
		}); err == nil {
			t.Fatal("enqueued a kind without a handler")
		}
	})
}

// A job enqueued to run at a time waits for it, and is pending until it
// has run.
func TestRunAt(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q, c := newQueue(db)
		var ran []string
		q.Handle("remind", func(ctx context.Context, j *jobs.Job) error {
			ran = append(ran, string(j.Payload))
			return nil
		})
		at := c.Now().Add(time.Hour)
		id := enqueue(t, db, q, "remind", map[string]string{"to": "Lan"}, jobs.Options{RunAt: at})
		enqueue(t, db, q, "remind", map[string]string{"to": "Minh"}, jobs.Options{RunAt: at.Add(time.Second)})
		if in := get(t, q, id); in.State != jobs.Queued || !in.RunAt.Equal(at) {
			t.Fatalf("%+v", in)
		}
		pending := func(to string) bool {
			t.Helper()
			p, err := q.PendingPayload(ctx, "remind", map[string]string{"to": to})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		if !pending("Lan") || !pending("Minh") || pending("Hoa") {
			t.Fatal("pending before the time")
		}
		c.Add(time.Hour - time.Second)
		if n := runDue(t, q); n != 0 {
			t.Fatalf("ran %d a second before the time", n)
		}
		c.Add(time.Second)
		if n := runDue(t, q); n != 1 || len(ran) != 1 || ran[0] != `{"to":"Lan"}` {
			t.Fatalf("at the time: ran %d: %q", n, ran)
		}
		if pending("Lan") || !pending("Minh") {
			t.Error("pending after the run")
		}
		if p, err := q.PendingPayload(ctx, "other", map[string]string{"to": "Minh"}); err != nil || p {
			t.Errorf("another kind's payload is pending: %v %v", p, err)
		}
	})
}

func TestRetryWithBackoffThenDone(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		q, c := newQueue(db)
		calls := 0
		q.Handle("flaky", func(ctx context.Context, j *jobs.Job) error {
			calls++
			if j.Attempt != calls {
				t.Errorf("attempt %d on call %d", j.Attempt, calls)
			}
			if calls < 3 {
				return errors.New("451 try again later")
			}
			return nil
		})
		id := enqueue(t, db, q, "flaky", 1, jobs.Options{})
		start := c.Now()
		if n := runDue(t, q); n != 1 {
			t.Fatalf("ran %d", n)
		}
		in := get(t, q, id)
		if in.State != jobs.Queued || in.Attempts != 1 || in.LastError != "451 try again later" ||
			!in.RunAt.Equal(start.Add(30*time.Second)) {
			t.Fatalf("after the first failure: %+v", in)
		}
		// Not due yet: nothing runs.
		c.Add(29 * time.Second)
		if n := runDue(t, q); n != 0 {
			t.Fatalf("ran %d before the backoff ended", n)
		}
		c.Add(time.Second)
		runDue(t, q)
		// The second wait is twice the first.
		if in := get(t, q, id); in.Attempts != 2 || !in.RunAt.Equal(c.Now().Add(60*time.Second)) {
			t.Fatalf("after the second failure: %+v", in)
		}
		c.Add(time.Minute)
		runDue(t, q)
		if in := get(t, q, id); in.State != jobs.Done || in.Attempts != 3 || in.LastError != "" || calls != 3 {
			t.Fatalf("after success: %+v, %d calls", in, calls)
		}
	})
}

func TestFailures(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		q, c := newQueue(db)
		q.Handle("refused", func(ctx context.Context, j *jobs.Job) error {
			return jobs.Permanent(errors.New("550 no such mailbox"))
		})
		q.Handle("down", func(ctx context.Context, j *jobs.Job) error {
			return errors.New("connection refused")
		})
		q.Handle("panics", func(ctx context.Context, j *jobs.Job) error {
			panic("bug")
		})
		perm := enqueue(t, db, q, "refused", nil, jobs.Options{})
		down := enqueue(t, db, q, "down", nil, jobs.Options{MaxAttempts: 2})
		pan := enqueue(t, db, q, "panics", nil, jobs.Options{MaxAttempts: 1})
		if n := runDue(t, q); n != 3 {
			t.Fatalf("ran %d", n)
		}
		if in := get(t, q, perm); in.State != jobs.Failed || in.Attempts != 1 || in.LastError != "550 no such mailbox" {
			t.Fatalf("permanent: %+v", in)
		}
		if in := get(t, q, pan); in.State != jobs.Failed || !strings.Contains(in.LastError, "panicked: bug") {
			t.Fatalf("panic: %+v", in)
		}
		c.Add(time.Hour)
		runDue(t, q)
		if in := get(t, q, down); in.State != jobs.Failed || in.Attempts != 2 || in.LastError != "connection refused" {
			t.Fatalf("attempts used up: %+v", in)
		}
		c.Add(2 * time.Hour)
		if n := runDue(t, q); n != 0 {
			t.Fatalf("failed jobs ran again: %d", n)
		}
	})
}

// A job whose worker died is taken over when its lease ends; a late
// outcome of the first worker is then ignored.
func TestLeaseTakeover(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q, c := newQueue(db)
		q.Lease = time.Minute
		release := make(chan struct{})
		started := make(chan int, 2)
		var finished []int
		q.Handle("slow", func(ctx context.Context, j *jobs.Job) error {
			started <- j.Attempt
			j.OnFinish(func(ctx context.Context, tx *store.Tx, state, lastError string) error {
				finished = append(finished, j.Attempt)
				return nil
			})
			if j.Attempt == 1 {
				<-release
				return errors.New("too late to count")
			}
			return nil
		})
		id := enqueue(t, db, q, "slow", nil, jobs.Options{})
		first := make(chan error, 1)
		go func() { _, err := q.RunDue(ctx); first <- err }()
		if a := <-started; a != 1 {
			t.Fatalf("attempt %d", a)
		}
		if n := runDue(t, q); n != 0 {
			t.Fatalf("a leased job ran again: %d", n)
		}
		c.Add(time.Minute)
		if n := runDue(t, q); n != 1 {
			t.Fatalf("the expired lease was not taken over: %d", n)
		}
		close(release)
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		if in := get(t, q, id); in.State != jobs.Done || in.Attempts != 2 {
			t.Fatalf("%+v", in)
		}
		if len(finished) != 1 || finished[0] != 2 {
			t.Fatalf("OnFinish ran for attempts %v, want only the second", finished)
		}
	})
}

// OnFinish runs in the commit that records the outcome: what it writes is
// kept with the outcome, and its failure leaves the job as it was.
func TestOnFinishSharesTheOutcomeCommit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		q, c := newQueue(db)
		var seen []string
		fail := true
		q.Handle("noted", func(ctx context.Context, j *jobs.Job) error {
			j.OnFinish(func(ctx context.Context, tx *store.Tx, state, lastError string) error {
				if fail {
					fail = false
					return errors.New("the outcome's commit failed")
				}
				seen = append(seen, state+": "+lastError)
				_, err := tx.ExecContext(ctx, `UPDATE jobs SET payload = ? WHERE id = ?`, `"noted"`, j.ID)
				return err
			})
			if j.Attempt < 3 {
				return errors.New("not yet")
			}
			return nil
		})
		id := enqueue(t, db, q, "noted", nil, jobs.Options{})
		runDue(t, q)
		// Nothing was recorded: the job is still running under its lease.
		if in := get(t, q, id); in.State != jobs.Running || in.Attempts != 1 || in.Payload != "null" {
			t.Fatalf("after a failed outcome commit: %+v", in)
		}
		c.Add(q.Lease)
		runDue(t, q)
		c.Add(time.Hour)
		runDue(t, q)
		if in := get(t, q, id); in.State != jobs.Done || in.Attempts != 3 || in.Payload != `"noted"` {
			t.Fatalf("%+v", in)
		}
		if strings.Join(seen, "; ") != "queued: not yet; done: " {
			t.Fatalf("OnFinish saw %q", seen)
		}
	})
}

// Two workers (two processes on PostgreSQL) share the jobs: each runs
// exactly once.
func TestWorkersShareJobs(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		const n = 40
		var mu sync.Mutex
		runs := map[int]int{}
		all := make(chan struct{})
		handler := func(ctx context.Context, j *jobs.Job) error {
			mu.Lock()
			defer mu.Unlock()
			var i int
			if err := json.Unmarshal(j.Payload, &i); err != nil {
				return err
			}
			runs[i]++
			if len(runs) == n {
				close(all)
			}
			return nil
		}
		// The second process has its own connections and writer, so the
		// two claim concurrently (on PostgreSQL, FOR UPDATE SKIP LOCKED
		// keeps them apart).
		other, err := store.Open(context.Background(), db.Location)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		var qs []*jobs.Queue
		for _, db := range []*store.DB{db, other} {
			q := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
			q.Handle("count", handler)
			q.Poll = 20 * time.Millisecond
			qs = append(qs, q)
		}
		err = db.InTx(context.Background(), func(tx *store.Tx) error {
			for i := range n {
				if err := qs[0].Enqueue(context.Background(), tx, "count", i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			q.Start()
		}
		select {
		case <-all:
		case <-time.After(10 * time.Second):
			t.Fatal("the workers did not run every job in time")
		}
		for _, q := range qs {
			if err := q.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			// Stopping twice (a deferred Stop after an explicit one) is fine.
			if err := q.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for i, c := range runs {
			if c != 1 {
				t.Errorf("job %d ran %d times", i, c)
			}
		}
	})
}

// Stop waits for a running job; when its context ends first, the handler
// is cancelled and the job is retried later.
func TestStopCancelsAfterDeadline(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		q := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		started := make(chan struct{})
		q.Handle("stuck", func(ctx context.Context, j *jobs.Job) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		id := enqueue(t, db, q, "stuck", nil, jobs.Options{})
		q.Start()
		<-started
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := q.Stop(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("stop: %v", err)
		}
		if in := get(t, q, id); in.State != jobs.Queued || in.Attempts != 1 || in.LastError != "context canceled" {
			t.Fatalf("%+v", in)
		}
	})
}

func TestExponential(t *testing.T) {
	b := jobs.Exponential(30*time.Second, time.Hour)
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	for i, w := range want {
		if got := b(i + 1); got != w {
			t.Errorf("attempt %d: %v, want %v", i+1, got, w)
		}
	}
}
