// Package audit keeps the append-only audit log (nhật ký hệ thống). Every
// change of state appends an entry in the same transaction as the change.
// Entries are chained: each stores the SHA-256 of its own content and the
// previous entry's hash, so altering, inserting or deleting a stored row
// breaks the chain at that row, and Verify names it.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"egov/internal/store"
)

// Entry is one audited change: who did what to which object, on which unit.
type Entry struct {
	Seq        int64
	At         time.Time
	ActorID    int64 // 0 for the system (CLI, background jobs)
	ActorName  string
	Action     string // e.g. "user.create", "units.import"
	ObjectType string
	ObjectID   string
	UnitCode   string
	Summary    string // a short human-readable description of the change
	PrevHash   string
	Hash       string
}

// Append adds e to the log inside tx. It sets Seq, At, PrevHash and Hash.
// Appends are serialised by the update of the chain's head row.
func Append(ctx context.Context, tx *store.Tx, e *Entry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if e.ActorName == "" {
		e.ActorName = "system"
	}
	// This process's last head saves reading it: the update below moves the
	// head only if it is still that one (no other process appended, no
	// rolled-back append left the hint wrong), in one statement.
	linked := false
	if h, ok := tx.Cache().Load(headKey{}); ok {
		prev := h.(head)
		e.Seq, e.PrevHash = prev.seq+1, prev.hash
		e.Hash = e.computeHash()
		res, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ? AND hash = ?`,
			e.Seq, e.Hash, prev.seq, prev.hash)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		linked = n == 1
	}
	if !linked {
		// Taking the head row first locks it until commit on PostgreSQL and
		// SQLite alike, so two appends cannot chain to the same predecessor.
		if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).Scan(&e.Seq, &e.PrevHash); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		e.Hash = e.computeHash()
		if err := tx.ExecDeferred(ctx, `UPDATE audit_head SET hash = ? WHERE id = 1`, e.Hash); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
	}
	// Nothing is read back from the entry: it is sent with the
	// transaction's next statement (store.Tx.ExecDeferred).
	err := tx.ExecDeferred(ctx, `INSERT INTO audit_log
		(seq, at, actor_id, actor_name, action, object_type, object_id, unit_code, summary, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, store.FormatTime(e.At), nullID(e.ActorID), e.ActorName, e.Action, e.ObjectType, e.ObjectID,
		e.UnitCode, e.Summary, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	tx.Cache().Store(headKey{}, head{seq: e.Seq, hash: e.Hash})
	return nil
}

// headKey keys the chain's head in the writer's cache.
type headKey struct{}

type head struct {
	seq  int64
	hash string
}

// computeHash hashes the previous hash and every field, each length-prefixed
// so that no two different entries share an encoding.
func (e *Entry) computeHash() string {
	h := sha256.New()
	for _, f := range []string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), store.FormatTime(e.At), strconv.FormatInt(e.ActorID, 10),
		e.ActorName, e.Action, e.ObjectType, e.ObjectID, e.UnitCode, e.Summary,
	} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Broken describes the first entry at which the chain does not hold.
type Broken struct {
	Seq    int64
	Reason string
}

func (b *Broken) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", b.Seq, b.Reason)
}

// Verify walks the whole chain in order and returns the number of entries
// checked, and a *Broken error naming the first entry that was altered,
// inserted or removed.
func Verify(ctx context.Context, db *store.DB) (int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+columns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	prev := strings.Repeat("0", 64)
	var n int64
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return n, err
		}
		n++
		switch {
		case e.Seq != n:
			return n, &Broken{Seq: e.Seq, Reason: fmt.Sprintf("expected entry %d here: an entry is missing or was inserted", n)}
		case e.PrevHash != prev:
			return n, &Broken{Seq: e.Seq, Reason: "does not link to the previous entry"}
		case e.computeHash() != e.Hash:
			return n, &Broken{Seq: e.Seq, Reason: "its content does not match its hash"}
		}
		prev = e.Hash
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	var headSeq int64
	var headHash string
	if err := db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return n, err
	}
	if headSeq != n || headHash != prev {
		return n, &Broken{Seq: n + 1, Reason: fmt.Sprintf("the chain's head says %d entries, the log holds %d: entries at the end were removed", headSeq, n)}
	}
	return n, nil
}

const columns = `seq, at, actor_id, actor_name, action, object_type, object_id, unit_code, summary, prev_hash, hash`

func scan(rows *sql.Rows) (*Entry, error) {
	var e Entry
	var at string
	var actor sql.NullInt64
	if err := rows.Scan(&e.Seq, &at, &actor, &e.ActorName, &e.Action, &e.ObjectType, &e.ObjectID,
		&e.UnitCode, &e.Summary, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	t, err := store.ParseTime(at)
	if err != nil {
		return nil, fmt.Errorf("audit entry %d: %w", e.Seq, err)
	}
	e.At, e.ActorID = t, actor.Int64
	return &e, nil
}

// Filter selects entries for browsing. Zero fields do not filter.
type Filter struct {
	ActorName  string
	Action     string // prefix, e.g. "user."
	ObjectType string
	ObjectID   string
	UnitCodes  []string // entries on any of these units (nil: all units)
	From, To   time.Time
	BeforeSeq  int64 // for paging backwards from the newest
	Limit      int
}

// List returns entries matching f, newest first.
func List(ctx context.Context, db *store.DB, f Filter) ([]*Entry, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if f.ActorName != "" {
		add(`actor_name = ?`, f.ActorName)
	}
	if f.Action != "" {
		add(`action LIKE ? ESCAPE '\'`, escapeLike(f.Action)+"%")
	}
	if f.ObjectType != "" {
		add(`object_type = ?`, f.ObjectType)
	}
	if f.ObjectID != "" {
		add(`object_id = ?`, f.ObjectID)
	}
	if f.UnitCodes != nil {
		if len(f.UnitCodes) == 0 {
			return nil, nil
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", len(f.UnitCodes)), ",")
		cond := `unit_code IN (` + ph + `)`
		for _, c := range f.UnitCodes {
			args = append(args, c)
		}
		where = append(where, cond)
	}
	if !f.From.IsZero() {
		add(`at >= ?`, store.FormatTime(f.From))
	}
	if !f.To.IsZero() {
		add(`at < ?`, store.FormatTime(f.To))
	}
	if f.BeforeSeq > 0 {
		add(`seq < ?`, f.BeforeSeq)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := `SELECT ` + columns + ` FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY seq DESC LIMIT ` + strconv.Itoa(f.Limit)
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Entry
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
