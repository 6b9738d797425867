package dossier

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/vntext"
)

// Procedures is the procedure catalogue: anyone may read it, whole-tree
// administrators import it.
type Procedures struct {
	db  *store.DB
	ids *identity.Service
	// Now returns the current time; tests replace it.
	Now func() time.Time

	// decoded keeps each procedure decoded from its stored definition, so
	// that a filing does not parse the form's JSON again; an entry is used
	// only while the stored definition is the same text, so an import by
	// any process is seen at once.
	decoded sync.Map // code -> decodedProcedure
}

type decodedProcedure struct {
	def, updated string
	p            *Procedure
}

// NewProcedures returns the catalogue over db.
func NewProcedures(db *store.DB, ids *identity.Service) *Procedures {
	return &Procedures{db: db, ids: ids, Now: time.Now}
}

// ImportResult counts what an import did.
type ImportResult struct {
	Added, Changed, Unchanged int
}

// Import stores procedures (checked with Check), adding new codes and
// replacing changed ones; identical ones are left alone, so importing the
// same catalogue twice changes nothing. Procedures absent from the list are
// kept. Either every procedure is stored or none is. A dry run counts what
// the import would do and stores nothing.
func (s *Procedures) Import(ctx context.Context, a *identity.Actor, ps []Procedure, dryRun bool) (ImportResult, error) {
	var res ImportResult
	if err := s.ids.Can(ctx, a, identity.PermProceduresManage, 0); err != nil {
		return res, err
	}
	var errs CatalogueErrors
	for i := range ps {
		for _, pr := range ps[i].Check() {
			errs = append(errs, Problem{Path: fmt.Sprintf("procedures[%d].%s", i, pr.Path), Msg: pr.Msg})
		}
	}
	if len(errs) > 0 {
		return res, errs
	}
	now := s.Now().UTC()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		for i := range ps {
			p := &ps[i]
			def, err := json.Marshal(p)
			if err != nil {
				return err
			}
			var old string
			err = tx.QueryRowContext(ctx, `SELECT definition FROM procedures WHERE code = ?`, p.Code).Scan(&old)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				res.Added++
			case err != nil:
				return err
			case old == string(def):
				res.Unchanged++
				continue
			default:
				res.Changed++
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO procedures (code, name, field, level, online_mode, search_text, definition, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name, field = excluded.field, level = excluded.level,
				online_mode = excluded.online_mode, search_text = excluded.search_text, definition = excluded.definition,
				updated_at = excluded.updated_at`,
				p.Code, p.Name, p.Field, p.Level, string(p.OnlineMode), searchText(p), string(def), store.FormatTime(now)); err != nil {
				return err
			}
		}
		if dryRun {
			return errDryRun
		}
		if res.Added+res.Changed == 0 {
			return nil
		}
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "procedures.import",
			ObjectType: "procedures", ObjectID: "-",
			Summary: fmt.Sprintf("nhập %d thủ tục: %d thêm, %d thay đổi, %d giữ nguyên", len(ps), res.Added, res.Changed, res.Unchanged)})
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return ImportResult{}, err
	}
	return res, nil
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

func searchText(p *Procedure) string {
	return " " + vntext.Fold(p.Name) + " " + p.Code
}

// ProcedureQuery selects procedures. Zero fields do not filter.
type ProcedureQuery struct {
	Text       string // words of the name (or the code) start with this, without accents
	Field      string
	Level      int
	OnlineMode OnlineMode
}

// List returns the procedures matching q, by field then name in Vietnamese
// alphabetical order.
func (s *Procedures) List(ctx context.Context, q ProcedureQuery) ([]*Procedure, error) {
	var where []string
	var args []any
	if t := vntext.Fold(q.Text); t != "" {
		where = append(where, `search_text LIKE ? ESCAPE '\'`)
		args = append(args, "% "+escapeLike(t)+"%")
	}
	if q.Field != "" {
		where = append(where, `field = ?`)
		args = append(args, q.Field)
	}
	if q.Level != 0 {
		where = append(where, `level = ?`)
		args = append(args, q.Level)
	}
	if q.OnlineMode != "" {
		where = append(where, `online_mode = ?`)
		args = append(args, string(q.OnlineMode))
	}
	query := `SELECT definition, updated_at FROM procedures`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Procedure
	for rows.Next() {
		p, err := scanProcedure(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if c := vntext.Compare(out[i].Field, out[j].Field); c != 0 {
			return c < 0
		}
		return vntext.Compare(out[i].Name, out[j].Name) < 0
	})
	return out, nil
}

// Get returns the procedure with this code.
// The procedure returned is shared: callers must not change it.
func (s *Procedures) Get(ctx context.Context, code string) (*Procedure, error) {
	var def, updated string
	err := s.db.QueryRowContext(ctx, `SELECT definition, updated_at FROM procedures WHERE code = ?`, code).Scan(&def, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, egov.Errorf(egov.ENOTFOUND, "procedure.not_found", code)
	}
	if err != nil {
		return nil, err
	}
	if c, ok := s.decoded.Load(code); ok && c.(decodedProcedure).def == def && c.(decodedProcedure).updated == updated {
		return c.(decodedProcedure).p, nil
	}
	p, err := decodeProcedure(def, updated)
	if err != nil {
		return nil, err
	}
	s.decoded.Store(code, decodedProcedure{def: def, updated: updated, p: p})
	return p, nil
}

// Fields returns the fields (lĩnh vực) of the catalogue in Vietnamese order.
func (s *Procedures) Fields(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT field FROM procedures`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return vntext.Compare(out[i], out[j]) < 0 })
	return out, rows.Err()
}

func scanProcedure(row interface{ Scan(...any) error }) (*Procedure, error) {
	var def, updated string
	if err := row.Scan(&def, &updated); err != nil {
		return nil, err
	}
	return decodeProcedure(def, updated)
}

func decodeProcedure(def, updated string) (*Procedure, error) {
	var p Procedure
	if err := json.Unmarshal([]byte(def), &p); err != nil {
		return nil, fmt.Errorf("stored procedure: %w", err)
	}
	p.UpdatedAt, _ = store.ParseTime(updated)
	return &p, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
