package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
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
	pool   *sql.DB
	conn   *sql.Conn            // nil after it broke, until the next batch reconnects
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
	ctx context.Context
	fn  func(tx *Tx) error
	// state moves from queued to running (the writer takes it) or to
	// abandoned (the caller's context ended first), whichever comes first.
	state    atomic.Int32
	tx       *Tx
	err      error
	panicked any
	done     chan struct{}
}

const (
	queued int32 = iota
	running
	abandoned
)

// errAborted is a member's error when a statement of it failed but fn
// returned nil: the database would not commit its work.
var errAborted = errors.New("store: a statement failed inside the transaction and its error was not returned")

func newWriter(ctx context.Context, engine Engine, pool *sql.DB) (*writer, error) {
	n := maxBatch(engine)
	w := &writer{engine: engine, batch: n, pool: pool, reqs: make(chan *txRequest, n),
		quit: make(chan struct{}), done: make(chan struct{})}
	if err := w.connect(ctx); err != nil {
		return nil, err
	}
	go w.loop()
	return w, nil
}

// connect takes the writer's connection from the pool. On PostgreSQL a
// lock held elsewhere (another process, an idle psql session) must not
// stop every write of this process for ever: waits and statements are
// bounded.
func (w *writer) connect(ctx context.Context) error {
	conn, err := w.pool.Conn(ctx)
	if err != nil {
		return err
	}
	if w.engine == Postgres {
		if _, err := conn.ExecContext(ctx, `SET lock_timeout = '10s'`); err != nil {
			conn.Close()
			return err
		}
		if _, err := conn.ExecContext(ctx, `SET statement_timeout = '120s'`); err != nil {
			conn.Close()
			return err
		}
	}
	w.conn, w.stmts = conn, map[string]*sql.Stmt{}
	if w.engine == Postgres {
		// A member's deferred statements that fail after it ended (sent
		// with a later member's) make it fail (pipeline.go).
		w.pipe(func(c *pipeConn) error {
			c.fail = func(owner any, err error) {
				if r := owner.(*txRequest); r.err == nil && r.panicked == nil {
					r.err = err
				}
			}
			return nil
		})
	}
	return nil
}

// checkConn drops the connection when it no longer answers (the server
// restarted, the session was killed), so that the next batch takes a new
// one instead of failing for ever.
func (w *writer) checkConn() {
	if w.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.conn.PingContext(ctx); err == nil {
		return
	}
	for _, st := range w.stmts {
		st.Close()
	}
	w.conn.Close()
	w.conn, w.stmts = nil, nil
}

// aborted reports whether PostgreSQL holds the transaction as failed (a
// statement failed, whatever fn made of its error); COMMIT would then
// roll back without an error. It asks the driver, without a round trip.
func (w *writer) aborted() bool {
	if w.engine != Postgres {
		return false
	}
	var status byte
	_ = w.pipe(func(c *pipeConn) error {
		status = c.Conn.Conn().PgConn().TxStatus()
		return nil
	})
	return status == 'E'
}

// pipe runs fn on the driver connection of the writer (PostgreSQL only),
// which keeps the deferred statements (pipeline.go).
func (w *writer) pipe(fn func(c *pipeConn) error) error {
	return w.conn.Raw(func(dc any) error { return fn(dc.(*pipeConn)) })
}

// flush sends the deferred statements still queued; the first error
// among the current member's is returned (the others' fail their own
// members). A failed savepoint ends the whole group: control reports it.
func (w *writer) flush() (err, control error) {
	if w.engine != Postgres {
		return nil, nil
	}
	_ = w.pipe(func(c *pipeConn) error {
		err = c.flush(context.Background())
		control, c.controlErr = c.controlErr, nil
		return nil
	})
	return err, control
}

// own makes r (nil: none) the member whose statements are issued now.
func (w *writer) own(r *txRequest) {
	if w.engine == Postgres {
		w.pipe(func(c *pipeConn) error {
			c.owner = nil
			if r != nil {
				c.owner = r
			}
			return nil
		})
	}
}

// discard drops the deferred statements of a member that failed (nil:
// of all), so that none reaches the commit of the others, and reports
// whether its savepoint was among them (then nothing of the member
// reached the server, and the savepoint to roll back to is another
// member's).
func (w *writer) discard(r *txRequest) (savepointUnsent bool, control error) {
	if w.engine != Postgres || w.conn == nil {
		return false, nil
	}
	_ = w.pipe(func(c *pipeConn) error {
		var owner any
		if r != nil {
			owner = r
		}
		savepointUnsent = c.discard(owner)
		control, c.controlErr = c.controlErr, nil
		return nil
	})
	return savepointUnsent, control
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
	// A caller whose context ends while its transaction still waits leaves;
	// once the writer has taken it, the caller waits for its outcome.
	select {
	case <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(queued, abandoned) {
			return ctx.Err()
		}
		<-r.done
	}
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
	if w.conn == nil {
		return nil
	}
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
		if w.conn != nil {
			w.rollback()
			w.checkConn()
		}
		for _, r := range batch {
			if r.err == nil && r.panicked == nil {
				r.err = err
			}
		}
	}
	// Take the requests whose callers still wait.
	live := batch[:0:0]
	for _, r := range batch {
		if !r.state.CompareAndSwap(queued, running) {
			r.err = r.ctx.Err()
			continue
		}
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	if w.conn == nil {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := w.connect(cctx)
		cancel()
		if err != nil {
			failAll(fmt.Errorf("connect: %w", err))
			return
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
	// Each member runs in a savepoint. On SQLite (no round trips) it is
	// released after success, which also proves the transaction is still
	// open: SQLite rolls a transaction back by itself on some errors (disk
	// full, I/O), and members after that must not think they committed.
	// On PostgreSQL a lone member needs none, and savepoints are not
	// released (a round trip each); the driver's transaction status shows
	// a failure fn did not report.
	alone := len(live) == 1
	savepoints := w.engine == SQLite || !alone
	for _, r := range live {
		w.own(r)
		if savepoints {
			if err := w.savepoint(); err != nil {
				failAll(fmt.Errorf("savepoint: %w", err))
				return
			}
		}
		r.tx = &Tx{engine: w.engine, w: w}
		r.err, r.panicked = call(r.fn, r.tx)
		if r.err == nil {
			r.err = r.tx.deferredErr
		}
		failed := r.err != nil || r.panicked != nil
		var control error
		if !failed && alone {
			// Alone, without a savepoint, the member's deferred statements
			// run now. In a group they go with the next member's
			// statements (or before the commit), and a failure there
			// rolls back to this member's savepoint (pipeline.go).
			var err error
			if err, control = w.flush(); err != nil {
				r.err, failed = err, true
			}
		}
		savepointUnsent := false
		if failed {
			var c error
			if savepointUnsent, c = w.discard(r); control == nil {
				control = c
			}
		}
		if control != nil {
			failAll(fmt.Errorf("savepoint: %w", control))
			return
		}
		if !failed && w.aborted() {
			r.err, failed = errAborted, true
		}
		switch {
		case !failed && w.engine == SQLite:
			if _, err := w.conn.ExecContext(ctx, "RELEASE SAVEPOINT grp"); err != nil {
				failAll(fmt.Errorf("the transaction ended early: %w", err))
				return
			}
		case failed && !savepoints:
			w.rollback()
			return
		case failed && savepointUnsent:
			// Nothing of the member reached the server.
		case failed:
			// On PostgreSQL the savepoint stays open after the rollback;
			// the next member's nests inside it, and COMMIT ends them all.
			if _, err := w.conn.ExecContext(ctx, "ROLLBACK TO SAVEPOINT grp"); err != nil {
				failAll(fmt.Errorf("rollback to savepoint: %w", err))
				return
			}
			if w.engine == SQLite {
				if _, err := w.conn.ExecContext(ctx, "RELEASE SAVEPOINT grp"); err != nil {
					failAll(fmt.Errorf("the transaction ended early: %w", err))
					return
				}
			}
		}
	}
	// What the last members left queued runs now; a member whose
	// statements fail here is no longer committed.
	w.own(nil)
	if _, control := w.flush(); control != nil {
		failAll(fmt.Errorf("savepoint: %w", control))
		return
	}
	committed := 0
	for _, r := range live {
		if r.err == nil && r.panicked == nil {
			committed++
		}
	}
	if committed == 0 {
		w.rollback()
		return
	}
	if w.aborted() {
		failAll(errAborted)
		return
	}
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		failAll(fmt.Errorf("commit: %w", err))
		return
	}
	w.commits.Add(1)
}

// rollback ends the open transaction; when even that fails, the
// connection is checked, so that a broken one is replaced before the next
// group rather than after it fails too.
func (w *writer) rollback() {
	w.discard(nil)
	if _, err := w.conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		w.checkConn()
	}
}

// savepoint opens a member's savepoint. On PostgreSQL it is deferred: it
// goes to the server with the member's first statement.
func (w *writer) savepoint() error {
	if w.engine != Postgres {
		_, err := w.conn.ExecContext(context.Background(), "SAVEPOINT grp")
		return err
	}
	return w.pipe(func(c *pipeConn) error {
		return c.enqueue(context.Background(), pending{query: "SAVEPOINT grp", control: true})
	})
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
