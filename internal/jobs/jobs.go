// Package jobs is a small background job queue kept in the application's
// own database, on SQLite and PostgreSQL alike.
//
// A job is enqueued in the transaction of the change that needs it
// (Queue.Enqueue takes the caller's *store.Tx), so a change that rolls
// back leaves no job behind and a committed one always has its job. A
// worker claims due jobs, runs the handler registered for their kind, and
// marks them done, or retries them with exponential backoff until their
// attempts are used up, when they end as failed with the last error kept.
//
// Claims are safe with several processes on one PostgreSQL (FOR UPDATE
// SKIP LOCKED); on SQLite the single writer connection serialises them. A
// claim is a lease: a job whose worker died is taken over when the lease
// ends, so every job runs at least once, and handlers must tolerate a
// repeated run.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"egov/internal/store"
)

// States of a job.
const (
	Queued  = "queued"
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// Job is one claimed run of a job.
type Job struct {
	ID          int64
	Kind        string
	Payload     json.RawMessage
	Attempt     int // 1 on the first run
	MaxAttempts int

	finish func(ctx context.Context, tx *store.Tx, state, lastError string) error
}

// OnFinish registers fn to run in the transaction that records how this
// run ended: state is Done, Queued (it will be retried) or Failed, and
// lastError the handler's error as the job keeps it ("" when done). The handler's own records (a message's delivery
// status, say) then change together with the job's, in one commit. fn
// does not run when the run's lease was lost to another worker.
func (j *Job) OnFinish(fn func(ctx context.Context, tx *store.Tx, state, lastError string) error) {
	j.finish = fn
}

// Last reports whether this is the job's last attempt: if it fails, the
// job fails for good.
func (j *Job) Last() bool { return j.Attempt >= j.MaxAttempts }

// Handler runs a job. An error retries it later, unless it is Permanent or
// the attempts are used up.
type Handler func(ctx context.Context, j *Job) error

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks an error that retrying cannot fix (a refused address,
// say): the job fails at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// Options adjust one enqueued job.
type Options struct {
	MaxAttempts int       // 0: the queue's MaxAttempts
	RunAt       time.Time // zero: now
}

// Queue enqueues and runs jobs. Set its fields and register the handlers
// before Start.
type Queue struct {
	db       *store.DB
	log      *slog.Logger
	handlers map[string]Handler

	// Workers is how many jobs run at once in this process.
	Workers int
	// Poll is how often the worker looks for due jobs when nothing wakes
	// it (a commit that enqueued a job in this process wakes it at once).
	Poll time.Duration
	// Lease is how long a claimed job belongs to its worker; a handler
	// gets half of it, and a job still running after it (its worker
	// died) is taken over.
	Lease time.Duration
	// MaxAttempts is the default number of runs of a job.
	MaxAttempts int
	// Backoff is the wait after a failed attempt (1 for the first).
	Backoff func(attempt int) time.Duration
	// Keep is how long done jobs stay in the table (failed ones stay).
	Keep time.Duration
	// Now returns the current time; tests replace it.
	Now func() time.Time

	wake       chan struct{}
	stopping   chan struct{}
	stopOnce   *sync.Once // closes stopping once, however often Stop is called
	done       chan struct{}
	cancelRuns context.CancelFunc
}

// New returns a queue over db with the default settings: 4 workers,
// polling every second, 8 attempts from 30 s apart doubling up to an hour
// (about an hour in all), done jobs kept a week.
func New(db *store.DB, log *slog.Logger) *Queue {
	if log == nil {
		log = slog.Default()
	}
	return &Queue{db: db, log: log, handlers: map[string]Handler{},
		Workers: 4, Poll: time.Second, Lease: 5 * time.Minute, MaxAttempts: 8,
		Backoff: Exponential(30*time.Second, time.Hour), Keep: 7 * 24 * time.Hour,
		Now: time.Now, wake: make(chan struct{}, 1)}
}

// Exponential returns a backoff of base after the first attempt, doubling
// after each further one, never over limit.
func Exponential(base, limit time.Duration) func(int) time.Duration {
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < limit; i++ {
			d *= 2
		}
		return min(d, limit)
	}
}

// Handle registers the handler of a kind of job.
func (q *Queue) Handle(kind string, h Handler) { q.handlers[kind] = h }

// Enqueue adds a job of kind with payload (marshalled as JSON) in the
// caller's transaction. It runs once the transaction has committed. The
// insert is deferred (store.Tx.ExecDeferred): a failure to store the job
// may surface at the transaction's next statement or at its end, and
// fails the transaction either way.
func (q *Queue) Enqueue(ctx context.Context, tx *store.Tx, kind string, payload any) error {
	return q.EnqueueWith(ctx, tx, kind, payload, Options{})
}

// EnqueueWith is Enqueue with options.
func (q *Queue) EnqueueWith(ctx context.Context, tx *store.Tx, kind string, payload any, o Options) error {
	if q.handlers[kind] == nil {
		return fmt.Errorf("jobs: no handler for kind %q", kind)
	}
	p, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("jobs: payload of %s: %w", kind, err)
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = q.MaxAttempts
	}
	now := q.Now()
	if o.RunAt.IsZero() {
		o.RunAt = now
	}
	err = tx.ExecDeferred(ctx, `INSERT INTO jobs (kind, payload, state, run_at, max_attempts, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		kind, string(p), Queued, store.FormatTime(o.RunAt), o.MaxAttempts, store.FormatTime(now))
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", kind, err)
	}
	tx.AfterCommit(q.Wake)
	return nil
}

// Wake makes the worker look for due jobs now.
func (q *Queue) Wake() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// claim marks up to n due jobs as running under a lease and returns them.
func (q *Queue) claim(ctx context.Context, n int) ([]*Job, error) {
	now := store.FormatTime(q.Now())
	// Look on the read pool first: on SQLite an idle poll then costs the
	// single writer nothing.
	var id int64
	err := q.db.QueryRowContext(ctx, `SELECT id FROM jobs WHERE state IN (?, ?) AND run_at <= ? LIMIT 1`,
		Queued, Running, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	lock := ""
	if q.db.Engine() == store.Postgres {
		// Concurrent workers skip each other's rows instead of waiting.
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []*Job
	err = q.db.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `UPDATE jobs SET state = ?, attempts = attempts + 1, run_at = ?
			WHERE id IN (SELECT id FROM jobs WHERE state IN (?, ?) AND run_at <= ? ORDER BY run_at, id LIMIT ?`+lock+`)
			RETURNING id, kind, payload, attempts, max_attempts`,
			Running, store.FormatTime(q.Now().Add(q.Lease)), Queued, Running, now, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j := &Job{}
			var p string
			if err := rows.Scan(&j.ID, &j.Kind, &p, &j.Attempt, &j.MaxAttempts); err != nil {
				return err
			}
			j.Payload = json.RawMessage(p)
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, err
}

// run runs one claimed job and records how it ended.
func (q *Queue) run(ctx context.Context, j *Job) {
	var err error
	if j.Attempt > j.MaxAttempts {
		// Its lease ran out on the last attempt: the worker died or hung.
		err = Permanent(errors.New("jobs: the last attempt did not finish within its lease"))
	} else if h := q.handlers[j.Kind]; h == nil {
		err = fmt.Errorf("jobs: no handler for kind %q in this process", j.Kind)
	} else {
		hctx, cancel := context.WithTimeout(ctx, q.Lease/2)
		err = call(hctx, h, j)
		cancel()
	}
	// Record the outcome even when the queue is being stopped.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := q.finish(fctx, j, err); ferr != nil {
		q.log.Error("jobs: recording the outcome", "job", j.ID, "kind", j.Kind, "err", ferr)
	}
}

// call runs h, turning a panic into an error.
func call(ctx context.Context, h Handler, j *Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("jobs: handler panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, j)
}

// maxErrorLen bounds the error kept with a job.
const maxErrorLen = 2000

func (q *Queue) finish(ctx context.Context, j *Job, runErr error) error {
	now := q.Now()
	var state, msg string
	var runAt, finished any
	switch {
	case runErr == nil:
		state, finished = Done, store.FormatTime(now)
	case IsPermanent(runErr) || j.Attempt >= j.MaxAttempts:
		state, msg, finished = Failed, runErr.Error(), store.FormatTime(now)
	default:
		state, msg = Queued, runErr.Error()
		runAt = store.FormatTime(now.Add(q.Backoff(j.Attempt)))
	}
	if len(msg) > maxErrorLen {
		msg = strings.ToValidUTF8(msg[:maxErrorLen], "")
	}
	if runErr != nil {
		q.log.Warn("jobs: attempt failed", "job", j.ID, "kind", j.Kind, "attempt", j.Attempt, "of", j.MaxAttempts,
			"state", state, "err", msg)
	}
	return q.db.InTx(ctx, func(tx *store.Tx) error {
		// The attempt guard ignores an outcome that arrives after the lease
		// ran out and another worker took the job over.
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ?, last_error = ?, run_at = COALESCE(?, run_at),
			finished_at = ? WHERE id = ? AND state = ? AND attempts = ?`,
			state, msg, runAt, finished, j.ID, Running, j.Attempt)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 || j.finish == nil {
			return err
		}
		return j.finish(ctx, tx, state, msg)
	})
}

// RunDue runs the jobs due now one after the other, until none is left,
// and returns how many runs it made. It is for tests and tools; a server
// uses Start. It must not run beside Start in one process.
func (q *Queue) RunDue(ctx context.Context) (int, error) {
	n := 0
	for {
		js, err := q.claim(ctx, 1)
		if err != nil || len(js) == 0 {
			return n, err
		}
		q.run(ctx, js[0])
		n++
	}
}

// Start runs the worker in the background until Stop.
func (q *Queue) Start() {
	q.stopping, q.done, q.stopOnce = make(chan struct{}), make(chan struct{}), &sync.Once{}
	ctx, cancel := context.WithCancel(context.Background())
	q.cancelRuns = cancel
	go q.loop(ctx)
}

// Stop stops claiming jobs and waits for the running ones to finish. When
// ctx ends first, their handlers are cancelled (their jobs will be
// retried) and Stop returns once they have returned. Stopping a stopped
// queue returns at once.
func (q *Queue) Stop(ctx context.Context) error {
	if q.stopping == nil {
		return nil
	}
	q.stopOnce.Do(func() { close(q.stopping) })
	defer q.cancelRuns()
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		q.cancelRuns()
		<-q.done
		return ctx.Err()
	}
}

func (q *Queue) loop(ctx context.Context) {
	defer close(q.done)
	var wg sync.WaitGroup
	defer wg.Wait()
	busy := make(chan struct{}, q.Workers) // one token per running job
	timer := time.NewTimer(0)
	defer timer.Stop()
	var cleaned time.Time
	for {
		select {
		case <-q.stopping:
			return
		case <-q.wake:
		case <-timer.C:
		}
		if free := q.Workers - len(busy); free > 0 {
			js, err := q.claim(ctx, free)
			if err != nil && ctx.Err() == nil {
				q.log.Error("jobs: claiming", "err", err)
			}
			for _, j := range js {
				busy <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					q.run(ctx, j)
					<-busy
					// A freed worker looks for more at once.
					q.Wake()
				}()
			}
		}
		if now := q.Now(); now.Sub(cleaned) > time.Hour {
			cleaned = now
			if err := q.clean(ctx); err != nil && ctx.Err() == nil {
				q.log.Error("jobs: removing old done jobs", "err", err)
			}
		}
		timer.Reset(q.Poll)
	}
}

// clean removes the done jobs older than Keep.
func (q *Queue) clean(ctx context.Context) error {
	return q.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE state = ? AND finished_at < ?`,
			Done, store.FormatTime(q.Now().Add(-q.Keep)))
		return err
	})
}

// Info is a job as stored, for tests and administrators.
type Info struct {
	ID          int64
	Kind        string
	Payload     string
	State       string
	RunAt       time.Time
	Attempts    int
	MaxAttempts int
	LastError   string
}

// Get returns the job with id.
func (q *Queue) Get(ctx context.Context, id int64) (*Info, error) {
	var in Info
	var runAt string
	err := q.db.QueryRowContext(ctx, `SELECT id, kind, payload, state, run_at, attempts, max_attempts, last_error
		FROM jobs WHERE id = ?`, id).Scan(&in.ID, &in.Kind, &in.Payload, &in.State, &runAt, &in.Attempts, &in.MaxAttempts, &in.LastError)
	if err != nil {
		return nil, err
	}
	in.RunAt, _ = store.ParseTime(runAt)
	return &in, nil
}

// Pending reports whether a job of kind is queued or running: a recurring
// job schedules its first run only when none is.
func (q *Queue) Pending(ctx context.Context, kind string) (bool, error) {
	var n int
	err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = ? AND state IN (?, ?)`, kind, Queued, Running).Scan(&n)
	return n > 0, err
}

// PendingPayload reports whether a job of kind with this payload (as
// Enqueue would store it) is queued or running: a job that recurs per
// record, such as a subscription's schedule, is resumed only when none is.
func (q *Queue) PendingPayload(ctx context.Context, kind string, payload any) (bool, error) {
	p, err := json.Marshal(payload)
	if err != nil {
		return false, fmt.Errorf("jobs: payload of %s: %w", kind, err)
	}
	var n int
	err = q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = ? AND payload = ? AND state IN (?, ?)`,
		kind, string(p), Queued, Running).Scan(&n)
	return n > 0, err
}
