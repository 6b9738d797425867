package units

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"egov"
	"egov/internal/audit"
	"egov/internal/store"
	"egov/internal/vntext"
)

// Row is one unit as a CSV file describes it.
type Row struct {
	Line       int
	Code       string
	Name       string
	Type       string
	Level      int
	ParentCode string
}

// MergeRow is one line of a merges file: OldCode's territory passed to
// NewCode on Effective; an empty NewCode means the unit was abolished
// without a successor.
type MergeRow struct {
	Line      int
	OldCode   string
	NewCode   string
	Effective time.Time
}

// RowError is a problem with one line of an input file.
type RowError = egov.RowError

// RowErrors lists every bad line of a file. When an import returns it,
// nothing was applied.
type RowErrors = egov.RowErrors

var codePattern = regexp.MustCompile(`^[0-9]{1,10}$`)

// MaxRows bounds the size of an import file.
const MaxRows = 100000

// ParseUnitsCSV reads a units file: a header `code,name,type,level,parent_code`
// (the form of GSO extracts), or `code,name,type` for a list of provinces
// (level 1, no parent). Every bad line is reported with its number.
func ParseUnitsCSV(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, RowErrors{{Line: 1, Msg: "the file is empty: expected a header code,name,type,level,parent_code"}}
		}
		return nil, RowErrors{{Line: 1, Msg: csvMsg(err)}}
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	h := strings.Join(header, ",")
	var full bool
	switch h {
	case "code,name,type,level,parent_code":
		full = true
	case "code,name,type":
	default:
		return nil, RowErrors{{Line: 1, Msg: fmt.Sprintf("header is %q, expected code,name,type,level,parent_code or code,name,type", h)}}
	}
	want := len(header)
	var rows []Row
	var errs RowErrors
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if len(errs) >= maxErrors {
			errs = append(errs, RowError{Msg: fmt.Sprintf("more than %d bad rows: stopped reading", maxErrors)})
			break
		}
		if err != nil {
			errs = append(errs, RowError{Line: errLine(err), Msg: csvMsg(err)})
			continue
		}
		line, _ := cr.FieldPos(0) // the line the record starts on, even after quoted line breaks
		if len(rows) >= MaxRows {
			return nil, RowErrors{{Line: line, Msg: fmt.Sprintf("more than %d rows", MaxRows)}}
		}
		if len(rec) != want {
			errs = append(errs, RowError{Line: line, Msg: fmt.Sprintf("has %d fields, expected %d", len(rec), want)})
			continue
		}
		row := Row{Line: line, Code: strings.TrimSpace(rec[0]), Name: cleanName(rec[1]), Type: cleanName(rec[2]), Level: 1}
		var msgs []string
		if !codePattern.MatchString(row.Code) {
			msgs = append(msgs, fmt.Sprintf("code %q is not 1–10 digits", rec[0]))
		} else if prev, dup := seen[row.Code]; dup {
			msgs = append(msgs, fmt.Sprintf("code %s already appears on line %d", row.Code, prev))
		} else {
			seen[row.Code] = line
		}
		if !utf8.ValidString(rec[1]) || !utf8.ValidString(rec[2]) {
			msgs = append(msgs, "text is not valid UTF-8")
		}
		if row.Name == "" || len(row.Name) > 200 {
			msgs = append(msgs, "name is empty or longer than 200 bytes")
		}
		if row.Type == "" || len(row.Type) > 100 {
			msgs = append(msgs, "type is empty or longer than 100 bytes")
		}
		if full {
			lv, err := strconv.Atoi(strings.TrimSpace(rec[3]))
			if err != nil || lv < 1 || lv > 9 {
				msgs = append(msgs, fmt.Sprintf("level %q is not a number from 1 to 9", rec[3]))
			}
			row.Level = lv
			row.ParentCode = strings.TrimSpace(rec[4])
			if row.ParentCode != "" && !codePattern.MatchString(row.ParentCode) {
				msgs = append(msgs, fmt.Sprintf("parent_code %q is not 1–10 digits", rec[4]))
			}
			if row.ParentCode == row.Code && row.Code != "" {
				msgs = append(msgs, "a unit cannot be its own parent")
			}
		}
		if len(msgs) > 0 {
			errs = append(errs, RowError{Line: line, Msg: strings.Join(msgs, "; ")})
			continue
		}
		rows = append(rows, row)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(rows) == 0 {
		return nil, RowErrors{{Line: 2, Msg: "the file has a header but no units"}}
	}
	return rows, nil
}

// ParseMergesCSV reads a merges file with the header old_code,new_code,effective.
func ParseMergesCSV(r io.Reader) ([]MergeRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, RowErrors{{Line: 1, Msg: "the file is empty: expected a header old_code,new_code,effective"}}
		}
		return nil, RowErrors{{Line: 1, Msg: csvMsg(err)}}
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	if h := strings.Join(header, ","); h != "old_code,new_code,effective" {
		return nil, RowErrors{{Line: 1, Msg: fmt.Sprintf("header is %q, expected old_code,new_code,effective", h)}}
	}
	var rows []MergeRow
	var errs RowErrors
	seen := map[[2]string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if len(errs) >= maxErrors {
			errs = append(errs, RowError{Msg: fmt.Sprintf("more than %d bad rows: stopped reading", maxErrors)})
			break
		}
		if err != nil {
			errs = append(errs, RowError{Line: errLine(err), Msg: csvMsg(err)})
			continue
		}
		line, _ := cr.FieldPos(0) // the line the record starts on, even after quoted line breaks
		if len(rows) >= MaxRows {
			return nil, RowErrors{{Line: line, Msg: fmt.Sprintf("more than %d rows", MaxRows)}}
		}
		if len(rec) != 3 {
			errs = append(errs, RowError{Line: line, Msg: fmt.Sprintf("has %d fields, expected 3", len(rec))})
			continue
		}
		row := MergeRow{Line: line, OldCode: strings.TrimSpace(rec[0]), NewCode: strings.TrimSpace(rec[1])}
		var msgs []string
		if !codePattern.MatchString(row.OldCode) {
			msgs = append(msgs, fmt.Sprintf("old_code %q is not 1–10 digits", rec[0]))
		}
		if row.NewCode != "" && !codePattern.MatchString(row.NewCode) {
			msgs = append(msgs, fmt.Sprintf("new_code %q is not 1–10 digits", rec[1]))
		}
		d, err := ParseDate(strings.TrimSpace(rec[2]))
		if err != nil {
			msgs = append(msgs, fmt.Sprintf("effective %q is not a date YYYY-MM-DD", rec[2]))
		}
		row.Effective = d
		k := [2]string{row.OldCode, row.NewCode}
		if prev, dup := seen[k]; dup && len(msgs) == 0 {
			msgs = append(msgs, fmt.Sprintf("the same pair already appears on line %d", prev))
		}
		seen[k] = line
		if len(msgs) > 0 {
			errs = append(errs, RowError{Line: line, Msg: strings.Join(msgs, "; ")})
			continue
		}
		rows = append(rows, row)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return rows, nil
}

// maxErrors is how many bad rows are reported before reading stops.
const maxErrors = 50

// errLine is the line of a CSV syntax error.
func errLine(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return 0
}

func csvMsg(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// cleanName returns s in NFC with surrounding and repeated spaces removed.
func cleanName(s string) string {
	return strings.Join(strings.Fields(vntext.NFC(s)), " ")
}

// ImportResult counts what an import did.
type ImportResult struct {
	Added, Changed, Unchanged int
}

// Import applies a units file as the state of those units from day from.
// A code that has no unit on that day is added; a unit whose name, type,
// level or parent differ gets a new version from that day, with a succession
// from the old version (a rename or a move); an identical unit is left
// alone, so importing the same file twice changes nothing. Units absent from
// the file are not touched (they end through a merges file). Either every
// row applies or none does.
func (s *Service) Import(ctx context.Context, actor string, rows []Row, from time.Time) (ImportResult, error) {
	var res ImportResult
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		g, err := lockAndLoad(ctx, tx)
		if err != nil {
			return err
		}
		inFile := map[string]bool{}
		for _, r := range rows {
			inFile[r.Code] = true
		}
		var errs RowErrors
		for _, r := range rows {
			if r.ParentCode != "" && !inFile[r.ParentCode] && g.At(r.ParentCode, from) == nil {
				errs = append(errs, RowError{Line: r.Line, Msg: fmt.Sprintf("parent %s is neither in the file nor a unit on %s", r.ParentCode, fmtDate(from))})
			}
			if cur := g.At(r.Code, from); cur != nil && sameAs(cur, r) {
				continue // already applied: importing a file again changes nothing
			}
			for _, v := range g.Versions(r.Code) {
				if v.ValidFrom.After(from) {
					errs = append(errs, RowError{Line: r.Line, Msg: fmt.Sprintf("code %s already has a version from %s, after %s: import files in date order", r.Code, fmtDate(v.ValidFrom), fmtDate(from))})
					break
				}
			}
		}
		errs = append(errs, cycles(g, rows, from)...)
		if len(errs) > 0 {
			return errs
		}
		for _, r := range rows {
			cur := g.At(r.Code, from)
			switch {
			case cur == nil:
				if _, err := insertUnit(ctx, tx, r, from); err != nil {
					return err
				}
				res.Added++
			case sameAs(cur, r):
				res.Unchanged++
			case cur.ValidFrom.Equal(from):
				// The version starts on this very day: the file corrects it.
				if _, err := tx.ExecContext(ctx, `UPDATE units SET name = ?, type = ?, level = ?, parent_code = ?, search_name = ? WHERE id = ?`,
					r.Name, r.Type, r.Level, r.ParentCode, vntext.Fold(r.Name), cur.ID); err != nil {
					return err
				}
				res.Changed++
			default:
				if _, err := tx.ExecContext(ctx, `UPDATE units SET valid_to = ? WHERE id = ?`, fmtDate(from), cur.ID); err != nil {
					return err
				}
				id, err := insertUnit(ctx, tx, r, from)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO unit_successions (from_id, to_id, effective) VALUES (?, ?, ?)`, cur.ID, id, fmtDate(from)); err != nil {
					return err
				}
				res.Changed++
			}
		}
		if res.Added+res.Changed == 0 {
			return errNothingChanged
		}
		return s.changed(ctx, tx, actor, "units.import",
			fmt.Sprintf("nhập %d đơn vị từ ngày %s: %d thêm, %d thay đổi, %d giữ nguyên", len(rows), fmtDate(from), res.Added, res.Changed, res.Unchanged))
	})
	if errors.Is(err, errNothingChanged) {
		return res, nil
	}
	if err != nil {
		return ImportResult{}, err
	}
	s.invalidate()
	return res, nil
}

func sameAs(u *Unit, r Row) bool {
	return u.Name == r.Name && u.Type == r.Type && u.Level == r.Level && u.ParentCode == r.ParentCode
}

func insertUnit(ctx context.Context, tx *store.Tx, r Row, from time.Time) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO units (code, name, type, level, parent_code, valid_from, valid_to, search_name)
		VALUES (?, ?, ?, ?, ?, ?, NULL, ?) RETURNING id`,
		r.Code, r.Name, r.Type, r.Level, r.ParentCode, fmtDate(from), vntext.Fold(r.Name)).Scan(&id)
	return id, err
}

// MergeResult counts what a merges import did.
type MergeResult struct {
	Linked, Ended, Unchanged int
}

// ImportMerges records successions: for each row, the unit that had OldCode
// on the day before Effective passes its territory to the unit that has
// NewCode on Effective, and ends on Effective if it had not ended yet. A row
// with no NewCode ends the unit without a successor. Rows already applied
// change nothing. Either every row applies or none does.
func (s *Service) ImportMerges(ctx context.Context, actor string, rows []MergeRow) (MergeResult, error) {
	var res MergeResult
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		g, err := lockAndLoad(ctx, tx)
		if err != nil {
			return err
		}
		var errs RowErrors
		type step struct {
			old, new *Unit
			eff      time.Time
		}
		var steps []step
		for _, r := range rows {
			before := r.Effective.AddDate(0, 0, -1)
			old := g.At(r.OldCode, before)
			if old == nil {
				errs = append(errs, RowError{Line: r.Line, Msg: fmt.Sprintf("no unit has code %s on %s, the day before the merger", r.OldCode, fmtDate(before))})
				continue
			}
			var nu *Unit
			if r.NewCode != "" {
				if nu = g.At(r.NewCode, r.Effective); nu == nil {
					errs = append(errs, RowError{Line: r.Line, Msg: fmt.Sprintf("no unit has code %s on %s: import the new units first", r.NewCode, fmtDate(r.Effective))})
					continue
				}
			}
			steps = append(steps, step{old, nu, r.Effective})
		}
		if len(errs) > 0 {
			return errs
		}
		for _, st := range steps {
			changed := false
			if st.new != nil && st.new.ID != st.old.ID {
				linked := false
				for _, n := range g.Next(st.old) {
					if n.To.ID == st.new.ID {
						linked = true
					}
				}
				if !linked {
					if _, err := tx.ExecContext(ctx, `INSERT INTO unit_successions (from_id, to_id, effective) VALUES (?, ?, ?)`,
						st.old.ID, st.new.ID, fmtDate(st.eff)); err != nil {
						return err
					}
					res.Linked++
					changed = true
				}
			}
			if st.new == nil || st.new.ID != st.old.ID {
				if st.old.ValidTo.IsZero() || st.old.ValidTo.After(st.eff) {
					if _, err := tx.ExecContext(ctx, `UPDATE units SET valid_to = ? WHERE id = ?`, fmtDate(st.eff), st.old.ID); err != nil {
						return err
					}
					st.old.ValidTo = st.eff // later rows about the same unit see it ended
					res.Ended++
					changed = true
				}
			}
			if !changed {
				res.Unchanged++
			}
		}
		if res.Linked+res.Ended == 0 {
			return errNothingChanged
		}
		return s.changed(ctx, tx, actor, "units.merges",
			fmt.Sprintf("nhập %d dòng sáp nhập: %d liên kết mới, %d đơn vị kết thúc", len(rows), res.Linked, res.Ended))
	})
	if errors.Is(err, errNothingChanged) {
		return res, nil
	}
	if err != nil {
		return MergeResult{}, err
	}
	s.invalidate()
	return res, nil
}

// errNothingChanged rolls back an import that found everything applied, so
// that it leaves no trace, not even a new generation.
var errNothingChanged = errors.New("nothing changed")

// lockAndLoad bumps the units' generation first, which locks its row until
// the transaction ends, so that imports run one after another on
// PostgreSQL too, and then loads the units as they are.
func lockAndLoad(ctx context.Context, tx *store.Tx) (*Graph, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE units_generation SET n = n + 1 WHERE id = 1`); err != nil {
		return nil, err
	}
	return load(ctx, tx)
}

// cycles reports the rows whose chain of parents on day from, through the
// file and the existing units, comes back to the row.
func cycles(g *Graph, rows []Row, from time.Time) RowErrors {
	parentOf := map[string]string{}
	for _, r := range rows {
		parentOf[r.Code] = r.ParentCode
	}
	parent := func(code string) string {
		if p, ok := parentOf[code]; ok {
			return p
		}
		if u := g.At(code, from); u != nil {
			return u.ParentCode
		}
		return ""
	}
	var errs RowErrors
	for _, r := range rows {
		seen := map[string]bool{r.Code: true}
		for p := r.ParentCode; p != ""; p = parent(p) {
			if seen[p] {
				errs = append(errs, RowError{Line: r.Line, Msg: fmt.Sprintf("the parents of %s form a cycle through %s", r.Code, p)})
				break
			}
			seen[p] = true
		}
	}
	return errs
}

// changed audits a change. lockAndLoad already bumped the generation, so
// every process reloads its Graph.
func (s *Service) changed(ctx context.Context, tx *store.Tx, actor, action, summary string) error {
	return audit.Append(ctx, tx, &audit.Entry{ActorName: actor, Action: action, ObjectType: "units", ObjectID: "-", Summary: summary})
}
