package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// On PostgreSQL every statement of the writer is a round trip, and the
// writer waits for each answer before it sends the next statement: the
// writer's path is bound by latency, not by the server's work. Many
// statements of a transaction (the history row of a dossier, the audit
// entry, the job that sends a notice) return nothing the transaction uses.
// Tx.ExecDeferred queues such statements on the writer's connection, and
// the connection sends them in one pipeline together with the next
// statement whose answer is needed, or at the end of the transaction's
// member of the group (writer.run): many statements, one round trip.
//
// pipeConn is the driver connection that does this. It wraps pgx's
// database/sql connection, so that everything else (the writer's BEGIN,
// SAVEPOINT and COMMIT, and the domain's queries, which return *sql.Rows)
// goes through database/sql as before, and each statement sends the queue
// ahead of itself.

// maxQueued bounds the statements a connection keeps before it sends them
// by itself (a bulk load that defers every row).
const maxQueued = 256

type pipeConnector struct{ inner driver.Connector }

func (c pipeConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pipeConn{Conn: dc.(*stdlib.Conn)}, nil
}

func (c pipeConnector) Driver() driver.Driver { return c.inner.Driver() }

type pipeConn struct {
	*stdlib.Conn
	queue []pending
	known map[string]bool // statements that ran on the connection
	// owner is the member of the group whose statements are issued now.
	// The statements an earlier member left queued go with this one's;
	// when one of them fails, fail makes its member fail, and the
	// connection rolls back to that member's savepoint and sends the
	// others' statements again.
	owner any
	fail  func(owner any, err error)
	// controlErr is the error of a statement of the writer's own (a
	// savepoint) sent from the queue: the group can no longer tell its
	// members' work apart.
	controlErr error
}

type pending struct {
	query   string
	args    []any
	control bool
	owner   any
}

// enqueue adds a statement to the queue, sending the queue when it is full.
func (c *pipeConn) enqueue(ctx context.Context, q pending) error {
	q.owner = c.owner
	c.queue = append(c.queue, q)
	if len(c.queue) >= maxQueued {
		return c.flush(ctx)
	}
	return nil
}

// discard drops the statements of owner (nil: all) unsent and reports
// whether its savepoint was among them (then nothing of it reached the
// server).
func (c *pipeConn) discard(owner any) (savepointUnsent bool) {
	c.queue = slices.DeleteFunc(c.queue, func(q pending) bool {
		if owner != nil && q.owner != owner {
			return false
		}
		savepointUnsent = savepointUnsent || q.control
		return true
	})
	return savepointUnsent
}

// send sends the queue, and then last when not empty, in as few pipelines
// as it can, and reads the queue's results. When it sent last (sentLast),
// the caller reads last's results from the returned batch and closes it;
// otherwise the caller runs last by itself. When a queued statement fails,
// the statements after it did not run; its error is returned.
//
// Without a queue it sends nothing, and the caller runs last as pgx's
// driver does. A statement new to the connection starts a pipeline of its own: pgx
// prepares the new statements of a pipeline before it runs any, and a
// statement that fails to prepare aborts the transaction, so the
// statements before it (a member's savepoint) must have run by then, and
// the error must be that statement's. So does a statement with an
// argument of another type than the plain ones the domain passes: when pgx
// cannot encode an argument after it has queued statements of the
// pipeline, it closes the connection; before, it only fails.
func (c *pipeConn) send(ctx context.Context, last string, args []any) (br pgx.BatchResults, sentLast bool, err error) {
	for len(c.queue) > 0 {
		n, withLast := len(c.queue), last != "" && c.known[last] && plain(args)
		for i := 1; i < len(c.queue); i++ {
			if q := c.queue[i]; !c.known[q.query] || !plain(q.args) {
				n, withLast = i, false
				break
			}
		}
		br, err := c.sendPiece(ctx, n, withLast, last, args)
		if err == errResend {
			continue
		}
		if err != nil || withLast {
			return br, withLast, err
		}
		if err := br.Close(); err != nil {
			return nil, false, err
		}
	}
	return nil, false, nil
}

func (c *pipeConn) sendPiece(ctx context.Context, n int, withLast bool, last string, args []any) (pgx.BatchResults, error) {
	sent := slices.Clone(c.queue[:n])
	c.queue = slices.Delete(c.queue, 0, n)
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, n+1)}
	for _, q := range sent {
		b.Queue(q.query, q.args...)
	}
	if withLast {
		b.Queue(last, args...)
	}
	br := c.Conn.Conn().SendBatch(ctx, b)
	for i, q := range sent {
		if _, err := br.Exec(); err != nil {
			br.Close()
			var pre pgx.ErrPreprocessingBatch
			nothingRan := errors.As(err, &pre) && c.Conn.Conn().PgConn().TxStatus() == 'T'
			err = fmt.Errorf("store: deferred statement %.60q: %w", q.query, err)
			switch {
			case q.control:
				c.controlErr = err
			case q.owner != c.owner && c.fail != nil:
				err = c.recover(ctx, q, append(sent[i+1:], c.queue...), err)
			case nothingRan:
				// The first statement has an argument pgx cannot encode:
				// the statements stay queued, for the member's failure to
				// drop.
				c.queue = append(sent, c.queue...)
			}
			return nil, err
		}
		c.learn(q.query)
	}
	return br, nil
}

// plain reports whether every argument is of a type that pgx encodes for
// any column type the domain's SQL uses.
func plain(args []any) bool {
	for _, a := range args {
		switch a.(type) {
		case nil, string, []byte, bool, int, int8, int16, int32, int64, uint8, uint16, uint32, float32, float64, time.Time:
		default:
			return false
		}
	}
	return true
}

// errResend says that the statements of an earlier member failed and the
// others' are queued again.
var errResend = errors.New("store: send again")

// recover handles the failure of q, a statement an earlier member left
// queued: that member fails, the transaction goes back to its savepoint
// (the last one that ran: the statements after q did not run), and the
// statements of the other members after q are queued again.
func (c *pipeConn) recover(ctx context.Context, q pending, rest []pending, err error) error {
	c.fail(q.owner, err)
	c.queue = slices.DeleteFunc(rest, func(p pending) bool { return p.owner == q.owner })
	if _, err := c.Conn.ExecContext(ctx, "ROLLBACK TO SAVEPOINT grp", nil); err != nil {
		c.controlErr = fmt.Errorf("rollback to savepoint: %w", err)
		c.queue = c.queue[:0]
		return c.controlErr
	}
	return errResend
}

// learn notes that query has run on the connection (and is prepared).
func (c *pipeConn) learn(query string) {
	if c.known == nil {
		c.known = map[string]bool{}
	}
	if len(c.known) < maxStmts {
		c.known[query] = true
	}
}

// flush sends the queue.
func (c *pipeConn) flush(ctx context.Context) error {
	br, _, err := c.send(ctx, "", nil)
	if err != nil || br == nil {
		return err
	}
	return br.Close()
}

// sendAhead sends the queue ahead of query. When query went with it
// (sent), its results are in br; otherwise the caller runs it by itself
// and then calls ranAlone.
func (c *pipeConn) sendAhead(ctx context.Context, query string, nv []driver.NamedValue) (br pgx.BatchResults, sent bool, err error) {
	if len(c.queue) > 0 && c.Conn.Conn().IsClosed() {
		c.discard(nil)
		return nil, false, driver.ErrBadConn
	}
	return c.send(ctx, query, values(nv))
}

// ranAlone notes a statement pgx ran outside a pipeline: with arguments,
// pgx prepared it (it sends a statement without arguments unprepared).
func (c *pipeConn) ranAlone(query string, nv []driver.NamedValue, err error) {
	if err == nil && len(nv) > 0 {
		c.learn(query)
	}
}

func (c *pipeConn) ExecContext(ctx context.Context, query string, nv []driver.NamedValue) (driver.Result, error) {
	br, sent, err := c.sendAhead(ctx, query, nv)
	if err != nil {
		return nil, err
	}
	if !sent {
		res, err := c.Conn.ExecContext(ctx, query, nv)
		c.ranAlone(query, nv, err)
		return res, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	c.learn(query)
	return driver.RowsAffected(tag.RowsAffected()), nil
}

func (c *pipeConn) QueryContext(ctx context.Context, query string, nv []driver.NamedValue) (driver.Rows, error) {
	br, sent, err := c.sendAhead(ctx, query, nv)
	if err != nil {
		return nil, err
	}
	if !sent {
		rows, err := c.Conn.QueryContext(ctx, query, nv)
		c.ranAlone(query, nv, err)
		return rows, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	// Read the first row now, as pgx's own driver does, so that the
	// statement's error is this call's.
	r := &pipeRows{rows: rows, br: br, types: c.Conn.Conn().TypeMap()}
	r.more = rows.Next()
	if err := rows.Err(); err != nil {
		r.Close()
		return nil, err
	}
	c.learn(query)
	return r, nil
}

func (c *pipeConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	st, err := c.Conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &pipeStmt{Stmt: st, c: c, query: query}, nil
}

func (c *pipeConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *pipeConn) Close() error {
	c.discard(nil)
	return c.Conn.Close()
}

func values(nv []driver.NamedValue) []any {
	args := make([]any, len(nv))
	for i, v := range nv {
		args[i] = v.Value
	}
	return args
}

// pipeStmt is a prepared statement on a pipeConn. pgx names a prepared
// statement by its text, so running the text on the connection runs the
// prepared statement.
type pipeStmt struct {
	driver.Stmt
	c     *pipeConn
	query string
}

func (s *pipeStmt) ExecContext(ctx context.Context, nv []driver.NamedValue) (driver.Result, error) {
	return s.c.ExecContext(ctx, s.query, nv)
}

func (s *pipeStmt) QueryContext(ctx context.Context, nv []driver.NamedValue) (driver.Rows, error) {
	return s.c.QueryContext(ctx, s.query, nv)
}

// pipeRows are the rows of a query sent at the end of a pipeline, in
// database/sql's value types (the same as pgx's driver gives: integers as
// int64, floats as float64, times as time.Time, other types as text).
type pipeRows struct {
	rows  pgx.Rows
	br    pgx.BatchResults
	types *pgtype.Map
	conv  []func([]byte) (driver.Value, error)
	more  bool // the row read ahead, not yet returned
	ahead bool
	names []string
}

func (r *pipeRows) Columns() []string {
	if r.names == nil {
		for _, fd := range r.rows.FieldDescriptions() {
			r.names = append(r.names, fd.Name)
		}
	}
	return r.names
}

func (r *pipeRows) Close() error {
	r.rows.Close()
	err := r.rows.Err()
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

func (r *pipeRows) Next(dest []driver.Value) error {
	if !r.ahead {
		r.ahead = true // the first row was read by QueryContext
	} else {
		r.more = r.rows.Next()
	}
	if !r.more {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	if r.conv == nil {
		for _, fd := range r.rows.FieldDescriptions() {
			r.conv = append(r.conv, converter(r.types, fd.DataTypeOID, fd.Format))
		}
	}
	for i, raw := range r.rows.RawValues() {
		if raw == nil {
			dest[i] = nil
			continue
		}
		v, err := r.conv[i](raw)
		if err != nil {
			return fmt.Errorf("convert field %d: %w", i, err)
		}
		dest[i] = v
	}
	return nil
}

func converter(m *pgtype.Map, oid uint32, format int16) func([]byte) (driver.Value, error) {
	scan := func(dst any) func([]byte) (driver.Value, error) {
		plan := m.PlanScan(oid, format, dst)
		return func(src []byte) (driver.Value, error) {
			if err := plan.Scan(src, dst); err != nil {
				return nil, err
			}
			switch d := dst.(type) {
			case *bool:
				return *d, nil
			case *[]byte:
				return append([]byte(nil), *d...), nil
			case *int64:
				return *d, nil
			case *float64:
				return *d, nil
			case *time.Time:
				return *d, nil
			default:
				return *dst.(*string), nil
			}
		}
	}
	switch oid {
	case pgtype.BoolOID:
		return scan(new(bool))
	case pgtype.ByteaOID, pgtype.JSONOID, pgtype.JSONBOID:
		return scan(new([]byte))
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID:
		return scan(new(int64))
	case pgtype.Float4OID, pgtype.Float8OID:
		return scan(new(float64))
	case pgtype.DateOID, pgtype.TimestampOID, pgtype.TimestamptzOID:
		return scan(new(time.Time))
	default:
		return scan(new(string))
	}
}
