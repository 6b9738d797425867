package reporting

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"egov/internal/store"
	"egov/internal/workcal"
)

// cube keeps the numeric values of the indicators analytics has asked for
// in memory, by unit version, so that a query reads no rows. It is never
// stale: every import that changes an indicator's values bumps that
// indicator's version (stat_versions) in its transaction, and each query
// first reads the versions of its indicators (one small query) and reloads
// those that changed, whichever process wrote them; the writes of this
// process are applied to the copy after commit (apply), so that they cost
// no reload.
//
// Why in memory rather than totals kept in SQL tables: the units' structure
// is chosen per query (any date), so totals would still be summed up a
// territory at query time, and rules other than a sum (last value,
// average, none, a disaggregation) need the values themselves. One indicator
// with 50,000 values takes about 3 MB here.
type cube struct {
	mu    sync.Mutex
	inds  map[int64]*indValues
	loads atomic.Int64 // indicators read from the database, for tests
}

// indValues are one indicator's values at one version.
//
// totals answers the common question without touching the raw values: for
// an indicator summed over units, and summed over time or taken as its last
// value in the period, the total over all combos of each unit version for
// every standard period that contains stored values (a month's value counts
// in its month, quarter, half-year, nine months and year). A query then
// reads one entry per unit version of a territory instead of every value.
// It is nil for the other rules, which aggregate the raw values.
type indValues struct {
	version int64
	byUnit  map[int64][]raw
	totals  map[totKey]total
}

// totKey is a unit version and a period (periodKey).
type totKey struct {
	unit int64
	pe   int32
}

// total is a sum of values and how many unit-combo series it has.
type total struct {
	sum float64
	n   int32
}

// periodKey packs a period into a small integer for map keys.
func periodKey(p Period) int32 {
	k := int32(p.Year) * 100
	switch p.Type {
	case Monthly:
		return k + int32(p.N)
	case Quarterly:
		return k + 20 + int32(p.N)
	case HalfYearly:
		return k + 30 + int32(p.N)
	case NineMonths:
		return k + 41
	}
	return k + 50
}

// containers are the standard periods that contain p, p among them.
func containers(p Period) []Period {
	first, _ := p.months()
	m := Period{Monthly, p.Year, first}
	out := make([]Period, 0, len(PeriodTypes))
	for _, t := range PeriodTypes {
		if c := PeriodOf(t, m); c.Contains(p) {
			out = append(out, c)
		}
	}
	return out
}

// hasTotals reports whether the indicator's rules let totals answer.
func hasTotals(ind *Indicator) bool {
	return ind.AggUnits == AggSum && (ind.AggTime == AggSum || ind.AggTime == AggLast)
}

// addTotals adds one unit version's values to t under the indicator's time
// rule: a sum adds every value; last adds, per combo, the latest value
// within each period.
func addTotals(t map[totKey]total, ind *Indicator, unit int64, vals []raw, keys *spanKeys) {
	if ind.AggTime == AggSum {
		for _, v := range vals {
			for _, c := range keys.of(v) {
				k := totKey{unit, c}
				x := t[k]
				x.sum += v.num
				x.n = 1
				t[k] = x
			}
		}
		return
	}
	type ck struct {
		combo string
		pe    int32
	}
	latest := map[ck]raw{}
	for _, v := range vals {
		for _, c := range keys.of(v) {
			k := ck{v.combo, c}
			if l, ok := latest[k]; !ok || later(v, l) {
				latest[k] = v
			}
		}
	}
	for k, v := range latest {
		tk := totKey{unit, k.pe}
		x := t[tk]
		x.sum += v.num
		x.n++
		t[tk] = x
	}
}

// buildTotals computes an indicator's totals from its values.
func buildTotals(ind *Indicator, byUnit map[int64][]raw) map[totKey]total {
	if !hasTotals(ind) {
		return nil
	}
	t := make(map[totKey]total, len(byUnit)*24)
	keys := &spanKeys{}
	for unit, vals := range byUnit {
		addTotals(t, ind, unit, vals, keys)
	}
	return t
}

// spanKeys gives the periodKey of the standard periods that contain a
// value's period, remembered per period.
type spanKeys struct{ m map[span][]int32 }

func (k *spanKeys) of(v raw) []int32 {
	s := span{v.start, v.end}
	if keys, ok := k.m[s]; ok {
		return keys
	}
	if k.m == nil {
		k.m = map[span][]int32{}
	}
	// The period whose first and last days these are.
	first, last := int(v.start.Month()), int(v.end.Month())
	p := Period{Yearly, v.start.Year(), 1}
	switch last - first + 1 {
	case 1:
		p = Period{Monthly, p.Year, first}
	case 3:
		p = Period{Quarterly, p.Year, (first + 2) / 3}
	case 6:
		p = Period{HalfYearly, p.Year, (first + 5) / 6}
	case 9:
		p = Period{NineMonths, p.Year, 1}
	}
	var keys []int32
	for _, c := range containers(p) {
		keys = append(keys, periodKey(c))
	}
	k.m[s] = keys
	return keys
}

// values returns the current values of the indicators.
func (c *cube) values(ctx context.Context, db *store.DB, inds map[int64]*Indicator) (map[int64]*indValues, error) {
	ids := make([]int64, 0, len(inds))
	for id := range inds {
		ids = append(ids, id)
	}
	versions := make(map[int64]int64, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	// The versions first, then the values: a write committing in between
	// leaves a newer version behind, which the next query reloads.
	err := eachRow(ctx, db, `SELECT indicator_id, n FROM stat_versions WHERE indicator_id IN (`+marks(len(ids))+`)`,
		func(scan func(...any) error) error {
			var id, n int64
			if err := scan(&id, &n); err != nil {
				return err
			}
			versions[id] = n
			return nil
		}, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*indValues, len(ids))
	var stale []int64
	c.mu.Lock()
	for _, id := range ids {
		if iv := c.inds[id]; iv != nil && iv.version == versions[id] {
			out[id] = iv
		} else {
			stale = append(stale, id)
		}
	}
	c.mu.Unlock()
	if len(stale) == 0 {
		return out, nil
	}
	c.loads.Add(int64(len(stale)))
	loaded, err := loadValues(ctx, db, stale)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inds == nil {
		c.inds = map[int64]*indValues{}
	}
	for _, id := range stale {
		iv := &indValues{version: versions[id], byUnit: loaded[id], totals: buildTotals(inds[id], loaded[id])}
		c.inds[id] = iv
		out[id] = iv
	}
	return out, nil
}

// loadValues reads every numeric value of the indicators.
func loadValues(ctx context.Context, q store.Querier, ids []int64) (map[int64]map[int64][]raw, error) {
	out := make(map[int64]map[int64][]raw, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
		out[id] = map[int64][]raw{}
	}
	parsed := map[string]span{}
	combos := map[string]string{} // interned: one string per combo
	err := eachRow(ctx, q, `SELECT indicator_id, combo, unit_id, period, num FROM stat_values
		WHERE indicator_id IN (`+marks(len(ids))+`) AND num IS NOT NULL`,
		func(scan func(...any) error) error {
			var v raw
			var ind int64
			var pe, combo string
			if err := scan(&ind, &combo, &v.unit, &pe, &v.num); err != nil {
				return err
			}
			sp, ok := parsed[pe]
			if !ok {
				p, err := ParsePeriod(pe)
				if err != nil {
					return err
				}
				sp = spanOf(p)
				parsed[pe] = sp
			}
			if v.combo, ok = combos[combo]; !ok {
				combos[combo], v.combo = combo, combo
			}
			v.start, v.end = sp.start, sp.end
			out[ind][v.unit] = append(out[ind][v.unit], v)
			return nil
		}, args...)
	// Slices grown by appending have up to twice the room they need.
	for _, byUnit := range out {
		for u, vs := range byUnit {
			byUnit[u] = slices.Clone(vs)
		}
	}
	return out, err
}

// change is a value written: its new number, or nil when the value was
// deleted (or is text).
type change struct {
	ind   *Indicator
	combo string
	unit  int64
	sp    span
	num   *float64
}

// bumpVersions marks the indicators' values as changed and, once the
// transaction has committed, applies the changes to this process's copy:
// a copy at the version before this transaction's becomes the copy at its
// version without reading the values again. Any other copy (another
// transaction of this process applied first, or another process wrote)
// no longer matches the database's version and is reloaded by the next
// query, as before.
func (c *cube) bumpVersions(ctx context.Context, tx *store.Tx, changes []change) error {
	byInd := map[int64][]change{}
	for _, ch := range changes {
		byInd[ch.ind.ID] = append(byInd[ch.ind.ID], ch)
	}
	versions := make(map[int64]int64, len(byInd))
	for id := range byInd {
		var n int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO stat_versions (indicator_id, n) VALUES (?, 1)
			ON CONFLICT (indicator_id) DO UPDATE SET n = stat_versions.n + 1 RETURNING n`, id).Scan(&n); err != nil {
			return err
		}
		versions[id] = n
	}
	tx.AfterCommit(func() { c.apply(byInd, versions) })
	return nil
}

// apply brings the copies at the version before versions[id] up to it. A
// copy is never changed in place: queries read it without the lock.
func (c *cube) apply(byInd map[int64][]change, versions map[int64]int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, chs := range byInd {
		old := c.inds[id]
		if old == nil || old.version != versions[id]-1 {
			continue
		}
		iv := &indValues{version: versions[id], byUnit: make(map[int64][]raw, len(old.byUnit))}
		for u, vs := range old.byUnit {
			iv.byUnit[u] = vs
		}
		touched := map[int64]bool{}
		for _, ch := range chs {
			vs := slices.Clone(iv.byUnit[ch.unit])
			touched[ch.unit] = true
			vs = slices.DeleteFunc(vs, func(v raw) bool { return v.combo == ch.combo && v.start == ch.sp.start && v.end == ch.sp.end })
			if ch.num != nil {
				vs = append(vs, raw{unit: ch.unit, combo: ch.combo, start: ch.sp.start, end: ch.sp.end, num: *ch.num})
			}
			if len(vs) == 0 {
				delete(iv.byUnit, ch.unit)
			} else {
				iv.byUnit[ch.unit] = vs
			}
		}
		if old.totals != nil {
			ind := chs[0].ind
			iv.totals = make(map[totKey]total, len(old.totals))
			for k, x := range old.totals {
				if !touched[k.unit] {
					iv.totals[k] = x
				}
			}
			keys := &spanKeys{}
			for u := range touched {
				addTotals(iv.totals, ind, u, iv.byUnit[u], keys)
			}
		}
		c.inds[id] = iv
	}
}

// span is a period's first and last days, computed once.
type span struct{ start, end workcal.Date }

func spanOf(p Period) span { return span{p.Start(), p.End()} }

func (s span) contains(v raw) bool { return v.start >= s.start && v.end <= s.end }
