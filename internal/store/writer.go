package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Every write transaction of a process runs on one connection, owned by one
// goroutine (the writer). SQLite allows one writer at a time anyway, and
// with synchronous=FULL each commit waits for an fsync of the WAL; on
// PostgreSQL the hot rows every filing touches (the day's counter of dossier
// codes, the head of the audit chain) stay locked until commit, so
// concurrent transactions would queue on them one commit at a time.
//
// So the writer runs the transactions that are waiting when it is free
// together, each inside its own savepoint, and commits them at once (group
// commit): one fsync, one hold of each hot row, for the whole group. A
// transaction that fails rolls back to its savepoint and leaves the others
// alone; every caller returns only after the commit that made its changes
// durable. Several processes sharing a PostgreSQL database each have their
// own writer, and the database's locks order them as usual.
//
// The writer also keeps the connection's prepared statements, so that the
// SQL of a hot path is parsed once per process rather than once per call.

// maxBatch bounds how many transactions share one commit, so that a flood
// of writers cannot make one batch, and its callers' latency, grow without
// end. PostgreSQL keeps at most 64 subtransactions per session in shared
// memory before readers slow down, so its batches stay below that.
func maxBatch(e Engine) int {
	if e == Postgres {
		return 48
	}
	return 256
}

// maxStmts bounds the prepared-statement caches; queries built at run time
// beyond it are prepared afresh each time.
const maxStmts = 512

// ErrClosed is returned by InTx after Close.
var ErrClosed = errors.New("store: database is closed")

type writer struct {
	engine Engine
	batch  int
	conn   *sql.Conn
	stmts  map[string]*sql.Stmt // used by the loop goroutine only
	reqs   chan *txRequest      // transactions waiting for the writer
	quit   chan struct{}
	done   chan struct{}

	// closing guards sends on reqs against close: senders hold it shared,
	// close takes it exclusively before the loop stops, so no request is
	// queued after the loop has drained the channel.
	closing sync.RWMutex
	closed  bool

	commits atomic.Int64 // commits made, for tests and metrics

	cache sync.Map // see Tx.Cache
}

type txRequest struct {
	ctx      context.Context
	fn       func(tx *Tx) error
	tx       *Tx
	err      error
	panicked any
	done     chan struct{}
}

func newWriter(ctx context.Context, engine Engine, pool *sql.DB) (*writer, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	n := maxBatch(engine)
	w := &writer{engine: engine, batch: n, conn: conn, stmts: map[string]*sql.Stmt{}, reqs: make(chan *txRequest, n),
		quit: make(chan struct{}), done: make(chan struct{})}
	go w.loop()
	return w, nil
}

// inTx hands fn to the writer and waits for the commit (or rollback) that
// ends it.
func (w *writer) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan struct{})}
	w.closing.RLock()
	if w.closed {
		w.closing.RUnlock()
		return ErrClosed
	}
	select {
	case w.reqs <- r:
	case <-ctx.Done():
		w.closing.RUnlock()
		return ctx.Err()
	}
	w.closing.RUnlock()
	// Once handed over, fn may be running: wait for its outcome even if ctx
	// ends (the loop skips requests whose context ended before they ran).
	<-r.done
	if r.panicked != nil {
		panic(r.panicked)
	}
	if r.err == nil {
		for _, fn := range r.tx.after {
			fn()
		}
	}
	return r.err
}

func (w *writer) close() error {
	w.closing.Lock()
	if w.closed {
		w.closing.Unlock()
		return nil
	}
	w.closed = true
	w.closing.Unlock()
	close(w.quit)
	<-w.done
	for _, st := range w.stmts {
		st.Close()
	}
	return w.conn.Close()
}

func (w *writer) loop() {
	defer close(w.done)
	batch := make([]*txRequest, 0, w.batch)
	for {
		select {
		case r := <-w.reqs:
			batch = append(batch[:0], r)
		case <-w.quit:
			// Finish what was queued before close; nothing more can come.
			for {
				select {
				case r := <-w.reqs:
					w.run([]*txRequest{r})
					close(r.done)
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < w.batch {
			select {
			case r := <-w.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		w.run(batch)
		for _, r := range batch {
			close(r.done)
		}
	}
}

// run executes one batch in one transaction. Statements run with contexts
// that cannot be cancelled: interrupting a statement in the middle of a
// write can end the whole transaction, which would fail the batch's other
// callers too.
func (w *writer) run(batch []*txRequest) {
	ctx := context.Background()
	failAll := func(err error) {
		_, _ = w.conn.ExecContext(ctx, "ROLLBACK")
		for _, r := range batch {
			if r.err == nil && r.panicked == nil {
				r.err = err
			}
		}
	}
	begin := "BEGIN"
	if w.engine == SQLite {
		begin = "BEGIN IMMEDIATE" // take the write lock now: no upgrade deadlocks
	}
	if _, err := w.conn.ExecContext(ctx, begin); err != nil {
		failAll(fmt.Errorf("begin: %w", err))
		return
	}
	alone := len(batch) == 1
	live := 0
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		if !alone {
			if _, err := w.conn.ExecContext(ctx, "SAVEPOINT grp"); err != nil {
				failAll(fmt.Errorf("savepoint: %w", err))
				return
			}
		}
		r.tx = &Tx{engine: w.engine, w: w}
		r.err, r.panicked = call(r.fn, r.tx)
		failed := r.err != nil || r.panicked != nil
		if alone {
			if failed {
				_, _ = w.conn.ExecContext(ctx, "ROLLBACK")
				return
			}
		} else if failed {
			// The savepoint stays open after the rollback; the next
			// transaction's nests inside it, and COMMIT ends them all.
			// Not releasing them saves a round trip each on PostgreSQL.
			if _, err := w.conn.ExecContext(ctx, "ROLLBACK TO SAVEPOINT grp"); err != nil {
				failAll(fmt.Errorf("rollback to savepoint: %w", err))
				return
			}
		}
		if !failed {
			live++
		}
	}
	if live == 0 {
		_, _ = w.conn.ExecContext(ctx, "ROLLBACK")
		return
	}
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		failAll(fmt.Errorf("commit: %w", err))
		return
	}
	w.commits.Add(1)
}

// call runs fn, turning a panic into a value the caller's goroutine
// re-raises.
func call(fn func(tx *Tx) error, tx *Tx) (err error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	return fn(tx), nil
}

// stmt returns the writer's prepared statement for query (already in the
// engine's placeholder form), or nil when it cannot be cached (the caller then runs the query unprepared, which reports
// any error in the SQL the usual way).
func (w *writer) stmt(query string) *sql.Stmt {
	if w.engine == Postgres {
		// pgx keeps each connection's prepared statements itself, and a
		// failed prepare here would abort the transaction.
		return nil
	}
	if st, ok := w.stmts[query]; ok {
		return st
	}
	if len(w.stmts) >= maxStmts {
		return nil
	}
	st, err := w.conn.PrepareContext(context.Background(), query)
	if err != nil {
		return nil
	}
	w.stmts[query] = st
	return st
}

// readStmts caches prepared statements on the SQLite read pool; database/sql
// prepares each on a connection the first time it runs there.
type readStmts struct {
	pool *sql.DB
	m    sync.Map // query -> *sql.Stmt
	n    atomic.Int64
}

func (c *readStmts) get(ctx context.Context, query string) *sql.Stmt {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt)
	}
	if c.n.Load() >= maxStmts {
		return nil
	}
	st, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	c.n.Add(1)
	return st
}

func (c *readStmts) close() {
	c.m.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
}

// WriterStats reports how many group commits the writer has made and how
// many transactions are waiting for it now, for metrics and tests.
func (db *DB) WriterStats() (commits int64, queued int) {
	return db.writer.commits.Load(), len(db.writer.reqs)
}
