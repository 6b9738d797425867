package reporting

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/units"
)

// ValueIn is one value of a data value set, in DHIS2's terms: the data
// element is the indicator's code, the category option combo its options
// joined by "_" ("" or "default" without categories). Period and OrgUnit
// default to the set's. An empty Value deletes the stored value; a nil
// Comment keeps the stored comment.
type ValueIn struct {
	DataElement         string
	CategoryOptionCombo string
	Period              string
	OrgUnit             string
	Value               string
	Comment             *string
	// Ref says where the value came from (a cell such as 'Dân số'!D7);
	// conflicts name it instead of the value's coordinates.
	Ref string
}

// ValueSet is a batch of values, optionally for one form (DataSet), period
// and unit.
type ValueSet struct {
	DataSet string
	Period  string
	OrgUnit string
	Values  []ValueIn
}

// Conflict is a value that was not taken, and why (a message key).
type Conflict struct {
	Object string // what the value names: "CX.DS.03 nongthon_kinh 31615 2024", or its position
	Key    string
	Args   []any
	// Index is the value's position in the set, so that a form can show
	// the message beside the input it came from.
	Index int
}

// Violation is a validation rule that a unit's values for a period break.
type Violation struct {
	Rule        *ValidationRule
	OrgUnit     string
	Period      string
	Left, Right float64
}

// ImportSummary says what an import did (or would do, in a dry run).
type ImportSummary struct {
	Status     string // SUCCESS, WARNING (some conflicts), ERROR (nothing taken)
	Imported   int    // new values
	Updated    int    // changed values
	Deleted    int    // values removed by an empty value
	Ignored    int    // unchanged values and conflicts
	Conflicts  []Conflict
	Violations []Violation
	// The set's form, period and unit, as given.
	DataSet, Period, OrgUnit string
	// Applied is true when the changes were written: not a dry run, and
	// not an all-or-nothing import that met a conflict.
	Applied bool
}

// MaxImportValues bounds one import: it runs in one transaction, which
// holds up every other writer while it runs.
const MaxImportValues = 20000

var errDryRun = errors.New("dry run")

// entry is a checked value ready to store.
type entry struct {
	ind     *Indicator
	combo   string
	unit    *units.Unit
	period  Period
	value   string
	num     *float64
	comment *string
	ref     string
	pos     int // in the set
}

type valueKey struct {
	ind    int64
	combo  string
	unit   int64
	period string
}

// Import stores a data value set: each value is checked (indicator, combo,
// unit, period, type, the actor's stats.enter on the unit) and either taken
// or reported as a conflict; the values taken are written in one
// transaction, and the validation rules are checked for every unit and
// period touched. Importing the same set twice changes nothing the second
// time. With dryRun nothing is written but the summary is the same.
//
// A value of a report whose entry has closed (closing.go) is a conflict,
// except for the system actor, which loads history.
func (s *Service) Import(ctx context.Context, a *identity.Actor, set ValueSet, dryRun bool) (*ImportSummary, error) {
	return s.importSet(ctx, a, set, importOptions{dryRun: dryRun})
}

type importOptions struct {
	dryRun bool
	// allOrNothing writes nothing when any value is a conflict or
	// earlier problems (a spreadsheet's cells) were found.
	allOrNothing bool
	problems     int
}

func (s *Service) importSet(ctx context.Context, a *identity.Actor, set ValueSet, opt importOptions) (*ImportSummary, error) {
	dryRun := opt.dryRun
	if a == nil {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	if ids, all := a.Scope(identity.PermStatsEnter); !all && len(ids) == 0 {
		return nil, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	if len(set.Values) > MaxImportValues {
		return nil, egov.FieldError("dataValues", "stats.too_many_values", MaxImportValues)
	}
	cat, g, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var form *Form
	if set.DataSet != "" {
		if form = cat.Form(set.DataSet); form == nil {
			return nil, egov.FieldError("dataSet", "stats.unknown_form", clip(set.DataSet))
		}
	}
	sum := &ImportSummary{DataSet: set.DataSet, Period: set.Period, OrgUnit: set.OrgUnit}
	allowed := map[int64]bool{}
	seen := map[valueKey]bool{}
	var entries []entry
	for i, v := range set.Values {
		e, c := s.check(ctx, a, cat, g, form, set, v, allowed)
		if c != nil {
			c.Index = i
			if c.Object == "" {
				c.Object = fmt.Sprintf("dataValues[%d]", i)
			}
			sum.Conflicts = append(sum.Conflicts, *c)
			continue
		}
		k := valueKey{e.ind.ID, e.combo, e.unit.ID, e.period.String()}
		if seen[k] {
			sum.Conflicts = append(sum.Conflicts, Conflict{Object: e.object(), Key: "stats.duplicate_value", Index: i})
			continue
		}
		seen[k] = true
		e.pos = i
		entries = append(entries, e)
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		// Approved reports lock their values; asked inside the
		// transaction, so that an approval cannot slip in between.
		pairs := map[touchKey]bool{}
		for _, e := range entries {
			pairs[touchKey{e.unit.ID, e.period.String()}] = true
		}
		locks, err := locked(ctx, tx, cat, pairs)
		if err != nil {
			return err
		}
		open := entries[:0:0]
		for _, e := range entries {
			if locks[e.ind.ID][touchKey{e.unit.ID, e.period.String()}] {
				sum.Conflicts = append(sum.Conflicts, Conflict{Object: e.object(), Key: "stats.locked", Index: e.pos})
			} else {
				open = append(open, e)
			}
		}
		entries = open
		if !a.System {
			closed, err := s.closedEntries(ctx, tx, cat, cal, entries)
			if err != nil {
				return err
			}
			open = entries[:0:0]
			for i, e := range entries {
				if c, ok := closed[i]; ok {
					sum.Conflicts = append(sum.Conflicts, Conflict{Object: e.object(), Key: "stats.entry_closed",
						Args: []any{c.form.Code, e.period.String(), dmy(c.lastDay)}})
				} else {
					open = append(open, e)
				}
			}
			entries = open
		}
		sum.Ignored = len(sum.Conflicts)
		if err := s.writeAll(ctx, tx, a, entries, now, sum); err != nil {
			return err
		}
		touched := map[touchKey]*units.Unit{}
		for _, e := range entries {
			touched[touchKey{e.unit.ID, e.period.String()}] = e.unit
		}
		vs, err := s.validate(ctx, tx, cat, touched)
		if err != nil {
			return err
		}
		sum.Violations = vs
		if dryRun || (opt.allOrNothing && len(sum.Conflicts)+opt.problems > 0) {
			return errDryRun
		}
		sum.Applied = true
		if sum.Imported+sum.Updated+sum.Deleted == 0 {
			return nil
		}
		unit := set.OrgUnit
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "stats.import",
			ObjectType: "data_value_set", ObjectID: set.DataSet, UnitCode: unit,
			Summary: fmt.Sprintf("%s %s: %d new, %d updated, %d deleted", set.DataSet, set.Period, sum.Imported, sum.Updated, sum.Deleted)})
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, fmt.Errorf("reporting: import: %w", err)
	}
	switch {
	case opt.allOrNothing && len(sum.Conflicts)+opt.problems > 0:
		sum.Status = "ERROR"
	case len(sum.Conflicts) == 0:
		sum.Status = "SUCCESS"
	case len(entries) == 0:
		sum.Status = "ERROR"
	default:
		sum.Status = "WARNING"
	}
	return sum, nil
}

func (e *entry) object() string {
	if e.ref != "" {
		return e.ref
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s %s %s", e.ind.Code, e.combo, e.unit.Code, e.period))
}

// check turns an incoming value into an entry, or says why it cannot be.
func (s *Service) check(ctx context.Context, a *identity.Actor, cat *Catalogue, g *units.Graph, form *Form, set ValueSet, v ValueIn, allowed map[int64]bool) (entry, *Conflict) {
	pe, ou := or(v.Period, set.Period), or(v.OrgUnit, set.OrgUnit)
	object := clip(strings.TrimSpace(fmt.Sprintf("%s %s %s %s", v.DataElement, v.CategoryOptionCombo, ou, pe)))
	if v.Ref != "" {
		object = v.Ref
	}
	conflict := func(key string, args ...any) (entry, *Conflict) {
		return entry{}, &Conflict{Object: object, Key: key, Args: args}
	}
	switch {
	case v.DataElement == "":
		return conflict("stats.missing_field", "dataElement")
	case pe == "":
		return conflict("stats.missing_field", "period")
	case ou == "":
		return conflict("stats.missing_field", "orgUnit")
	}
	ind := cat.Indicator(v.DataElement)
	if ind == nil {
		return conflict("stats.unknown_indicator", clip(v.DataElement))
	}
	if ind.Computed() {
		return conflict("stats.computed_not_entered", ind.Code)
	}
	if form != nil && !form.Has(ind.Code) {
		return conflict("stats.not_in_form", ind.Code, form.Code)
	}
	p, err := ParsePeriod(pe)
	if err != nil {
		return conflict("stats.bad_period", clip(pe))
	}
	if form != nil && p.Type != form.PeriodType {
		return conflict("stats.period_type_mismatch", form.Code, p.String())
	}
	combo := v.CategoryOptionCombo
	if combo == "default" {
		combo = ""
	}
	if !cat.ValidCombo(ind, combo) {
		return conflict("stats.bad_combo", clip(combo), ind.Code)
	}
	u := unitFor(g, ou, p)
	if u == nil {
		return conflict("stats.unknown_unit", clip(ou), p.String())
	}
	ok, seen := allowed[u.ID]
	if !seen {
		ok = s.ids.Can(ctx, a, identity.PermStatsEnter, u.ID) == nil
		allowed[u.ID] = ok
	}
	if !ok {
		return conflict("stats.forbidden_unit", u.Code)
	}
	e := entry{ind: ind, combo: combo, unit: u, period: p, comment: v.Comment, ref: v.Ref}
	if strings.TrimSpace(v.Value) != "" {
		var key string
		if e.value, e.num, key = ind.CheckValue(v.Value); key != "" {
			return conflict(key)
		}
	}
	if e.comment != nil && len([]rune(*e.comment)) > 2000 {
		return conflict("stats.value_too_long")
	}
	return e, nil
}

// unitFor is the unit that had code during p: the one of its last day, else
// of its first day (a commune abolished within the year reports the year
// under its own code).
func unitFor(g *units.Graph, code string, p Period) *units.Unit {
	if u := g.At(code, p.End().Time(time.UTC)); u != nil {
		return u
	}
	return g.At(code, p.Start().Time(time.UTC))
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// writeChunk is how many rows one statement writes: well under both
// engines' limits on parameters.
const writeChunk = 400

type stored struct{ value, comment string }

// writeAll stores the entries and counts what it did: it reads what is
// stored for them in a few queries, then writes the new and changed values
// with multi-row upserts, so that a large import holds the writer briefly.
func (s *Service) writeAll(ctx context.Context, tx *store.Tx, a *identity.Actor, entries []entry, now time.Time, sum *ImportSummary) error {
	old, err := existing(ctx, tx, entries)
	if err != nil {
		return err
	}
	var put []any
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		q := `INSERT INTO stat_values (indicator_id, combo, unit_id, period, period_start, period_end, value, num, comment, updated_by, updated_at)
			VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?),", rows), ",") + `
			ON CONFLICT (indicator_id, combo, unit_id, period) DO UPDATE SET value = excluded.value, num = excluded.num,
			comment = excluded.comment, updated_by = excluded.updated_by, updated_at = excluded.updated_at`
		_, err := tx.ExecContext(ctx, q, put...)
		put, rows = put[:0], 0
		return err
	}
	at := store.FormatTime(now)
	var changed []change
	for _, e := range entries {
		k := valueKey{e.ind.ID, e.combo, e.unit.ID, e.period.String()}
		was, exists := old[k]
		comment := was.comment
		if e.comment != nil {
			comment = strings.TrimSpace(*e.comment)
		}
		switch {
		case e.value == "" && !exists, exists && was.value == e.value && was.comment == comment:
			sum.Ignored++
			continue
		case e.value == "":
			sum.Deleted++
			changed = append(changed, change{ind: e.ind, combo: e.combo, unit: e.unit.ID, sp: spanOf(e.period)})
			if _, err := tx.ExecContext(ctx, `DELETE FROM stat_values WHERE indicator_id = ? AND combo = ? AND unit_id = ? AND period = ?`,
				k.ind, k.combo, k.unit, k.period); err != nil {
				return err
			}
			continue
		case exists:
			sum.Updated++
		default:
			sum.Imported++
		}
		changed = append(changed, change{ind: e.ind, combo: e.combo, unit: e.unit.ID, sp: spanOf(e.period), num: e.num})
		put = append(put, k.ind, k.combo, k.unit, k.period, e.period.Start().String(), e.period.End().String(), e.value, e.num,
			comment, a.Name(), at)
		if rows++; rows == writeChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return s.cube.bumpVersions(ctx, tx, changed)
}

// existing reads what is stored for the entries' units and periods.
func existing(ctx context.Context, q store.Querier, entries []entry) (map[valueKey]stored, error) {
	out := map[valueKey]stored{}
	pairs := map[touchKey]bool{}
	for _, e := range entries {
		pairs[touchKey{e.unit.ID, e.period.String()}] = true
	}
	err := eachPairChunk(pairs, "", func(where string, args []any) error {
		return eachRow(ctx, q, `SELECT indicator_id, combo, unit_id, period, value, comment FROM stat_values WHERE `+where,
			func(scan func(...any) error) error {
				var k valueKey
				var v stored
				if err := scan(&k.ind, &k.combo, &k.unit, &k.period, &v.value, &v.comment); err != nil {
					return err
				}
				if pairs[touchKey{k.unit, k.period}] {
					out[k] = v
				}
				return nil
			}, args...)
	})
	return out, err
}

// eachPairChunk calls fn with a condition on the columns unit_id and period
// of table alias t ("" for none) selecting (a superset of) the pairs' units
// and periods, a few hundred units at a time.
func eachPairChunk(pairs map[touchKey]bool, t string, fn func(where string, args []any) error) error {
	unitSet, periodSet := map[int64]bool{}, map[string]bool{}
	for p := range pairs {
		unitSet[p.unit], periodSet[p.period] = true, true
	}
	var us []int64
	for u := range unitSet {
		us = append(us, u)
	}
	sort.Slice(us, func(i, j int) bool { return us[i] < us[j] })
	var periods []any
	for p := range periodSet {
		periods = append(periods, p)
	}
	if t != "" {
		t += "."
	}
	const chunk = 300
	for i := 0; i < len(us); i += chunk {
		part := us[i:min(i+chunk, len(us))]
		args := make([]any, 0, len(part)+len(periods))
		for _, u := range part {
			args = append(args, u)
		}
		args = append(args, periods...)
		where := t + `unit_id IN (` + marks(len(part)) + `) AND ` + t + `period IN (` + marks(len(periods)) + `)`
		if err := fn(where, args); err != nil {
			return err
		}
	}
	return nil
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

type touchKey struct {
	unit   int64
	period string
}

// validate checks the rules for each unit and period touched, over the
// values stored now (the transaction's own writes included).
func (s *Service) validate(ctx context.Context, q store.Querier, cat *Catalogue, touched map[touchKey]*units.Unit) ([]Violation, error) {
	if len(cat.Rules) == 0 {
		return nil, nil
	}
	keys := make([]touchKey, 0, len(touched))
	for k := range touched {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if a, b := touched[keys[i]].Code, touched[keys[j]].Code; a != b {
			return a < b
		}
		return keys[i].period < keys[j].period
	})
	pairs := map[touchKey]bool{}
	for k := range touched {
		pairs[k] = true
	}
	totals := map[touchKey]map[string]float64{}
	err := eachPairChunk(pairs, "v", func(where string, args []any) error {
		return eachRow(ctx, q, `SELECT i.code, v.unit_id, v.period, SUM(v.num) FROM stat_values v JOIN stat_indicators i ON i.id = v.indicator_id
			WHERE `+where+` AND v.num IS NOT NULL GROUP BY i.code, v.unit_id, v.period`,
			func(scan func(...any) error) error {
				var code string
				var k touchKey
				var n float64
				if err := scan(&code, &k.unit, &k.period, &n); err != nil {
					return err
				}
				if pairs[k] {
					if totals[k] == nil {
						totals[k] = map[string]float64{}
					}
					totals[k][code] = n
				}
				return nil
			}, args...)
	})
	if err != nil {
		return nil, err
	}
	var out []Violation
	for _, k := range keys {
		u := touched[k]
		t := totals[k]
		if t == nil {
			t = map[string]float64{}
		}
		for _, r := range cat.Rules {
			if l, rr, checked, ok := r.Check(t); checked && !ok {
				out = append(out, Violation{Rule: r, OrgUnit: u.Code, Period: k.period, Left: l, Right: rr})
			}
		}
	}
	return out, nil
}

// DataValue is a stored value.
type DataValue struct {
	DataElement         string
	CategoryOptionCombo string
	OrgUnit             string
	Period              string
	Value               string
	Comment             string
	StoredBy            string
	LastUpdated         time.Time

	unit *units.Unit
}

// ValueQuery selects stored values: a unit's (and with Children its
// territory's) for a period, of a form's indicators or all.
type ValueQuery struct {
	DataSet  string
	Period   string
	OrgUnit  string
	Children bool
}

// Values returns the stored values a query selects. The actor needs
// stats.enter or stats.analyse on the unit.
func (s *Service) Values(ctx context.Context, a *identity.Actor, q ValueQuery) ([]DataValue, error) {
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	var form *Form
	if q.DataSet != "" {
		if form = cat.Form(q.DataSet); form == nil {
			return nil, egov.FieldError("dataSet", "stats.unknown_form", clip(q.DataSet))
		}
	}
	p, err := ParsePeriod(q.Period)
	if err != nil {
		return nil, egov.FieldError("period", "stats.bad_period", clip(q.Period))
	}
	g, err := s.units.Graph(ctx)
	if err != nil {
		return nil, err
	}
	u := unitFor(g, q.OrgUnit, p)
	if u == nil {
		return nil, egov.FieldError("orgUnit", "stats.unknown_unit", clip(q.OrgUnit), p.String())
	}
	if err := s.canRead(ctx, a, u.ID); err != nil {
		return nil, err
	}
	inUnits := map[int64]bool{u.ID: true}
	if q.Children {
		inUnits = g.Territory(u, p.End().Time(time.UTC))
	}
	pairs := make(map[touchKey]bool, len(inUnits))
	for id := range inUnits {
		pairs[touchKey{id, p.String()}] = true
	}
	var out []DataValue
	err = eachPairChunk(pairs, "v", func(where string, args []any) error {
		return eachRow(ctx, s.db, `SELECT v.indicator_id, v.combo, v.unit_id, v.value, v.comment, v.updated_by, v.updated_at
			FROM stat_values v WHERE `+where, func(scan func(...any) error) error {
			var ind, unit int64
			var dv DataValue
			var at string
			if err := scan(&ind, &dv.CategoryOptionCombo, &unit, &dv.Value, &dv.Comment, &dv.StoredBy, &at); err != nil {
				return err
			}
			i := cat.byID[ind]
			if !inUnits[unit] || i == nil || (form != nil && !form.Has(i.Code)) {
				return nil
			}
			dv.unit = g.ByID(unit)
			dv.DataElement, dv.OrgUnit, dv.Period = i.Code, dv.unit.Code, p.String()
			dv.LastUpdated, _ = store.ParseTime(at)
			out = append(out, dv)
			return nil
		}, args...)
	})
	// By unit, indicator and combo, whatever the chunks.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.unit.ID != b.unit.ID {
			return a.unit.ID < b.unit.ID
		}
		if a.DataElement != b.DataElement {
			return a.DataElement < b.DataElement
		}
		return a.CategoryOptionCombo < b.CategoryOptionCombo
	})
	return out, err
}

// Check returns the validation rules that the units and periods of vs break,
// over every value stored for them (not only those in vs).
func (s *Service) Check(ctx context.Context, vs []DataValue) ([]Violation, error) {
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	touched := map[touchKey]*units.Unit{}
	for _, v := range vs {
		if v.unit != nil {
			touched[touchKey{v.unit.ID, v.Period}] = v.unit
		}
	}
	return s.validate(ctx, s.db, cat, touched)
}

// canRead allows who enters or analyses a unit's statistics to read them.
func (s *Service) canRead(ctx context.Context, a *identity.Actor, unitID int64) error {
	err := s.ids.Can(ctx, a, identity.PermStatsEnter, unitID)
	if err != nil && egov.ErrorCode(err) == egov.EFORBIDDEN {
		err = s.ids.Can(ctx, a, identity.PermStatsAnalyse, unitID)
	}
	return err
}

// Value returns one stored value, or a not-found error.
func (s *Service) Value(ctx context.Context, a *identity.Actor, de, co, pe, ou string) (*DataValue, error) {
	vs, err := s.Values(ctx, a, ValueQuery{Period: pe, OrgUnit: ou})
	if err != nil {
		return nil, err
	}
	if co == "default" {
		co = ""
	}
	for i := range vs {
		if vs[i].DataElement == de && vs[i].CategoryOptionCombo == co {
			return &vs[i], nil
		}
	}
	return nil, egov.Errorf(egov.ENOTFOUND, "error.not_found")
}

// clip shortens user input echoed in a message.
func clip(s string) string {
	const max = 40
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
