package reporting

import (
	"context"
	"sync"

	"egov/internal/store"
	"egov/internal/workcal"
)

// cube keeps the numeric values of the indicators analytics has asked for
// in memory, by unit version, so that a query reads no rows. It is never
// stale: every import that changes an indicator's values bumps that
// indicator's version (stat_versions) in its transaction, and each query
// first reads the versions of its indicators (one small query) and reloads
// those that changed, whichever process wrote them.
type cube struct {
	mu   sync.Mutex
	inds map[int64]*indValues
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
func addTotals(t map[totKey]total, ind *Indicator, unit int64, vals []raw) {
	if ind.AggTime == AggSum {
		for _, v := range vals {
			for _, c := range v.in {
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
		for _, c := range v.in {
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
	for unit, vals := range byUnit {
		addTotals(t, ind, unit, vals)
	}
	return t
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
	type parsedPeriod struct {
		p  Period
		in []int32
	}
	parsed := map[string]parsedPeriod{}
	err := eachRow(ctx, q, `SELECT indicator_id, combo, unit_id, period, num FROM stat_values
		WHERE indicator_id IN (`+marks(len(ids))+`) AND num IS NOT NULL`,
		func(scan func(...any) error) error {
			var v raw
			var pe string
			if err := scan(&v.ind, &v.combo, &v.unit, &pe, &v.num); err != nil {
				return err
			}
			pp, ok := parsed[pe]
			if !ok {
				p, err := ParsePeriod(pe)
				if err != nil {
					return err
				}
				pp.p = p
				for _, c := range containers(p) {
					pp.in = append(pp.in, periodKey(c))
				}
				parsed[pe] = pp
			}
			v.start, v.end, v.in = pp.p.Start(), pp.p.End(), pp.in
			out[v.ind][v.unit] = append(out[v.ind][v.unit], v)
			return nil
		}, args...)
	return out, err
}

// bumpVersions marks the indicators' values as changed.
func bumpVersions(ctx context.Context, tx *store.Tx, ids map[int64]bool) error {
	for id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO stat_versions (indicator_id, n) VALUES (?, 1)
			ON CONFLICT (indicator_id) DO UPDATE SET n = stat_versions.n + 1`, id); err != nil {
			return err
		}
	}
	return nil
}

// span is a period's first and last days, computed once.
type span struct{ start, end workcal.Date }

func spanOf(p Period) span { return span{p.Start(), p.End()} }

func (s span) contains(v raw) bool { return v.start >= s.start && v.end <= s.end }
