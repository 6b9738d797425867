// Package store opens the database (embedded SQLite or PostgreSQL), applies
// the migrations and runs transactions. It hides the few differences between
// the two engines: placeholders, column types in DDL, and the connection
// settings that make SQLite commits durable.
//
// Queries are written once with `?` placeholders; on PostgreSQL they are
// rewritten to $1, $2, ... before they reach the driver.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also registers "pgx"
	_ "modernc.org/sqlite"           // registers "sqlite"
)

// Engine names the database engine behind a DB.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Querier is what domain code needs to run SQL: a *DB or a *Tx.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	Engine() Engine
}

// DB is the application's database. On SQLite it keeps two pools: many
// read-only connections and a single writer, because SQLite allows one
// writer at a time and queuing in Go is cheaper than retrying on SQLITE_BUSY.
// On PostgreSQL both are the same pool.
type DB struct {
	engine Engine
	read   *sql.DB
	write  *sql.DB
	// The goroutine that owns the write connection and groups commits
	// (writer.go), and on SQLite the read pool's prepared statements.
	writer *writer
	reads  *readStmts
	// Where the SQLite file lives, or the PostgreSQL URL with the password removed.
	Location string
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL,
// or a file path for SQLite (created with its directory when missing). It
// does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	// Two pools, as on SQLite: the writer's one connection, which write
	// transactions take turns on (writer.go), and a read pool, which the
	// domain code also reads through inside a transaction (the units graph,
	// the catalogue).
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	open := func(c driver.Connector, max int) (*sql.DB, error) {
		pool := sql.OpenDB(c)
		pool.SetMaxOpenConns(max)
		pool.SetMaxIdleConns(max)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		if err := pool.PingContext(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("connect to postgres: %w", err)
		}
		return pool, nil
	}
	// The writer's connection sends deferred statements in pipelines
	// (pipeline.go).
	write, err := open(pipeConnector{stdlib.GetConnector(*cfg)}, 1)
	if err != nil {
		return nil, err
	}
	read, err := open(stdlib.GetConnector(*cfg), 16)
	if err != nil {
		write.Close()
		return nil, err
	}
	writer, err := newWriter(ctx, Postgres, write)
	if err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	loc := dsn
	if u, err := url.Parse(dsn); err == nil {
		u.User = url.User(u.User.Username())
		loc = u.Redacted()
	}
	return &DB{engine: Postgres, read: read, write: write, writer: writer, Location: loc}, nil
}

// SQLite settings. WAL lets readers run beside the writer; synchronous=FULL
// fsyncs the WAL on every commit, so a commit that returned survives a crash
// of the process or the machine (NORMAL would survive only a process crash).
// temp_store=MEMORY keeps the sub-journal of the writer's savepoints (one
// per member of a group commit: the pages a member changed, for rolling
// back that member alone) in memory instead of a temporary file it wrote
// and read back; it plays no part in recovery after a crash, which is the
// WAL's.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=temp_store(MEMORY)"

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.Contains(path, "mode=memory") {
		// The read pool and the writer must see one database: a file.
		return nil, errors.New("open sqlite: give a file path (in-memory databases are not supported)")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	base := "file:" + path + "?" + sqlitePragmas
	write, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	writer, err := newWriter(ctx, SQLite, write)
	if err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{engine: SQLite, read: read, write: write, writer: writer, reads: &readStmts{pool: read}, Location: path}, nil
}

// OpenRaw opens a plain database/sql pool on dsn with the store's
// durability settings but none of its machinery: on SQLite one connection
// committing each transaction by itself. Benchmarks measure the engine's
// raw one-row-per-commit rate through it, the floor the store is compared
// with.
func OpenRaw(ctx context.Context, dsn string) (*sql.DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		pool, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		pool.SetMaxOpenConns(16)
		pool.SetMaxIdleConns(16)
		return pool, pool.PingContext(ctx)
	}
	pool, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:")+"?"+sqlitePragmas+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	return pool, pool.PingContext(ctx)
}

// Engine reports which engine the DB runs on.
func (db *DB) Engine() Engine { return db.engine }

// Close closes both pools.
func (db *DB) Close() error {
	db.writer.close()
	if db.reads != nil {
		db.reads.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		if e := db.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	return db.read.PingContext(ctx)
}

// ExecContext runs a statement in a transaction of its own.
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// QueryContext runs a read-only query.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.reads != nil {
		if st := db.reads.get(ctx, query); st != nil {
			return st.QueryContext(ctx, args...)
		}
	}
	return db.read.QueryContext(ctx, db.rebind(query), args...)
}

// QueryRowContext runs a read-only query that returns at most one row.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if db.reads != nil {
		if st := db.reads.get(ctx, query); st != nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	return db.read.QueryRowContext(ctx, db.rebind(query), args...)
}

// Tx is a read-write transaction: one member of a group commit on the
// writer's connection (writer.go).
type Tx struct {
	w      *writer
	engine Engine
	after  []func()
	// deferredErr is the first error of a deferred statement on SQLite,
	// which fails the transaction as it would on PostgreSQL.
	deferredErr error
}

// AfterCommit runs fn once the transaction has committed (never when it
// rolls back), in the caller's goroutine: e.g. to wake a worker for a job
// the transaction enqueued, which it could not see before the commit.
func (tx *Tx) AfterCommit(fn func()) { tx.after = append(tx.after, fn) }

// Engine reports which engine the transaction runs on.
func (tx *Tx) Engine() Engine { return tx.engine }

// Cache is a map that lives as long as the database handle, for what a
// domain keeps between its transactions to save a read (the audit chain's
// head). Entries are hints: other processes write to the same database and
// a transaction that rolled back may have stored a value that never
// became true, so whatever is read from it must be checked by the
// statement that relies on it.
func (tx *Tx) Cache() *sync.Map { return &tx.w.cache }

// The statements of a transaction run with contexts that cannot be
// cancelled, for the batch's sake (see writer.run); they are short.

func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query, ctx = rebind(tx.engine, query), context.WithoutCancel(ctx)
	if st := tx.w.stmt(query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.w.conn.ExecContext(ctx, query, args...)
}

func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query, ctx = rebind(tx.engine, query), context.WithoutCancel(ctx)
	if st := tx.w.stmt(query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.w.conn.QueryContext(ctx, query, args...)
}

func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	query, ctx = rebind(tx.engine, query), context.WithoutCancel(ctx)
	if st := tx.w.stmt(query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.w.conn.QueryRowContext(ctx, query, args...)
}

// ExecDeferred runs one statement whose result the transaction does not
// need (an insert of a history row, an audit entry, a job). On PostgreSQL
// it is queued and sent in one round trip with the transaction's next
// statement, or when fn returns (pipeline.go); on SQLite, which has no
// round trips, it runs at once.
//
// When it fails, its error is returned by ExecDeferred (SQLite) or by the
// next statement (PostgreSQL), and by InTx even when fn returns nil:
// nothing of the transaction is committed. Statements run in the order
// they were issued, so a later read sees what a deferred statement wrote.
// Do not defer a statement whose error the transaction would handle (a
// unique violation turned into a message: it would surface at another
// statement), and do not change args after the call: they are kept until
// the statement is sent.
func (tx *Tx) ExecDeferred(ctx context.Context, query string, args ...any) error {
	if tx.engine != Postgres {
		_, err := tx.ExecContext(ctx, query, args...)
		if err != nil && tx.deferredErr == nil {
			tx.deferredErr = err
		}
		return err
	}
	return tx.w.pipe(func(c *pipeConn) error {
		return c.enqueue(context.WithoutCancel(ctx), pending{query: rebind(tx.engine, query), args: args})
	})
}

// PrepareContext prepares a statement on the transaction's connection: a
// bulk load runs one long statement many times and parses it once. The
// caller closes it before the transaction ends.
func (tx *Tx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return tx.w.conn.PrepareContext(context.WithoutCancel(ctx), rebind(tx.engine, query))
}

// InTx runs fn in a read-write transaction and commits when fn returns nil;
// when it returns an error or panics, nothing fn did is kept. The writer
// runs fn inside a group commit (writer.go): fn must not start another
// transaction, and must not keep tx after it returns.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.writer.inTx(ctx, fn)
}

func (db *DB) rebind(query string) string { return rebind(db.engine, query) }

var rebindCache sync.Map // query string -> rewritten query

// rebind rewrites `?` placeholders to PostgreSQL's $n form, leaving
// question marks inside quoted strings alone.
func rebind(engine Engine, query string) string {
	if engine != Postgres || !strings.Contains(query, "?") {
		return query
	}
	if q, ok := rebindCache.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			b.WriteByte(c)
		case c == '\'' || c == '"':
			quote = c
			b.WriteByte(c)
		case c == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	q := b.String()
	rebindCache.Store(query, q)
	return q
}

// LockKey holds a lock on (space, key) until tx ends, so that transactions
// about the same thing (a content hash, say) run one after the other on
// PostgreSQL; on SQLite the single writer already serialises every
// transaction. Two things sharing a key only wait for each other.
func (tx *Tx) LockKey(ctx context.Context, space, key int32) error {
	if tx.engine != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?, ?)`, space, key)
	return err
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// Times are stored as text in one fixed-width UTC form, so that they sort and
// compare the same way on both engines.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// FormatTime returns t in the stored form.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// ParseTime parses a stored time.
func ParseTime(s string) (time.Time, error) { return time.Parse(timeLayout, s) }

// Dates of the working calendar and validity ranges are stored as
// YYYY-MM-DD text.
const DateLayout = "2006-01-02"

// ReadPool returns the pool that serves reads, for pool metrics.
func (db *DB) ReadPool() *sql.DB { return db.read }
