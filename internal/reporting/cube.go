package reporting

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

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
// with 50,000 monthly values on 150 unit versions takes about 1.3 MB here.
//
// Memory is bounded: each copy's size is estimated when it is made
// (indValues.size), and when the copies together exceed limit the least
// recently used are dropped whole; a query that needs one again loads it
// again. A query keeps the copies it started with, so a drop never changes
// an answer under way.
//
// Loading: each indicator is read by a query of its own, a few at a time
// (as many as there are processors), and one indicator is never loaded
// twice at once: a query that needs an indicator another is loading at the
// same version waits for that load (loadCall) instead of reading again.
type cube struct {
	mu      sync.Mutex
	inds    map[int64]*indValues
	loading map[int64]*loadCall
	limit   int64 // bytes the copies may take together; 0: no limit
	bytes   int64 // what they take (their sizes summed)
	largest int64 // the largest copy made so far, for Warm
	clock   int64 // counts uses, for least-recently-used eviction
	slots   chan struct{}

	loads     atomic.Int64 // indicators read from the database
	evictions atomic.Int64 // copies dropped to stay under limit

	// Tests: called by a load before it reads, and by a query about to
	// wait for another's load.
	loadHook, waitHook func(id int64)
}

// DefaultAnalyticsMemory is the default limit of the memory that analytics
// keeps values in: about 190 indicators of 50,000 values.
const DefaultAnalyticsMemory = 256 << 20

// loadCall is a load of one indicator's values at one version, which other
// queries may wait for.
type loadCall struct {
	id, version int64
	done        chan struct{} // closed when iv or err is set
	iv          *indValues
	err         error
}

// indValues are one indicator's values at one version, by unit version,
// and the combos they refer to.
//
// totals answers the common question without touching the raw values: for
// an indicator summed over units, and summed over time or taken as its last
// value in the period, the total over all combos of each unit version for
// every standard period that contains stored values (a month's value counts
// in its month, quarter, half-year, nine months and year). A query then
// reads one entry per unit version of a territory instead of every value.
// It is nil for the other rules, which aggregate the raw values.
//
// A copy is never changed once made: queries read it without the lock
// (apply makes a new one, sharing what did not change).
type indValues struct {
	version int64
	combos  []string // raw.combo indexes it
	byUnit  map[int64][]raw
	totals  *unitTotals
	size    int64 // bytes, estimated (measure)
	used    int64 // the cube's clock at its last use (under cube.mu)
}

// unitTotals are an indicator's totals: a row per unit version, a column per
// standard period (cols: periodKey → column). A row may be shorter than
// the columns: the missing ones have no value.
type unitTotals struct {
	cols map[int32]int32
	rows map[int64][]total
}

// at returns a unit version's total in column col.
func (t *unitTotals) at(unit int64, col int32) total {
	if row := t.rows[unit]; int(col) < len(row) {
		return row[col]
	}
	return total{}
}

// total is a sum of values and how many unit-combo series it has (0: none).
type total struct {
	sum float64
	n   int32
}

// Estimated bytes of a map entry beyond its key and value (Go's maps keep
// a control byte per slot, and up to half the slots are empty after they
// grow), and of a value.
const (
	mapEntryOverhead = 24
	rawBytes         = int64(unsafe.Sizeof(raw{}))
	totalBytes       = int64(unsafe.Sizeof(total{}))
)

// measure estimates the bytes the copy takes: its values, totals and combos,
// and its maps' entries.
func (iv *indValues) measure() int64 {
	const sliceEntry = 8 + 24 + mapEntryOverhead // an int64 key and a slice
	n := int64(len(iv.byUnit)) * sliceEntry
	for _, vs := range iv.byUnit {
		n += int64(cap(vs)) * rawBytes
	}
	if t := iv.totals; t != nil {
		n += int64(len(t.cols))*(4+4+mapEntryOverhead) + int64(len(t.rows))*sliceEntry
		for _, row := range t.rows {
			n += int64(cap(row)) * totalBytes
		}
	}
	for _, c := range iv.combos {
		n += 16 + int64(len(c))
	}
	return n + 128
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

// addTotals sets a unit version's row of t from its values, under the
// indicator's time rule: a sum adds every value; last adds, per combo, the
// latest value within each period. New periods get new columns.
func addTotals(t *unitTotals, ind *Indicator, unit int64, vals []raw, keys *spanKeys) {
	delete(t.rows, unit)
	if len(vals) == 0 {
		return
	}
	var row []total
	at := func(pe int32) *total {
		c, ok := t.cols[pe]
		if !ok {
			c = int32(len(t.cols))
			t.cols[pe] = c
		}
		for int(c) >= len(row) {
			row = append(row, total{})
		}
		return &row[c]
	}
	if ind.AggTime == AggSum {
		// Values of one period come together (the combos of a unit and
		// month, as loaded): their sum is added once to each period that
		// contains it.
		for i := 0; i < len(vals); {
			v, sum := vals[i], vals[i].num
			for i++; i < len(vals) && vals[i].start == v.start && vals[i].end == v.end; i++ {
				sum += vals[i].num
			}
			for _, c := range keys.of(v) {
				x := at(c)
				x.sum += sum
				x.n = 1
			}
		}
	} else {
		type ck struct {
			combo uint32
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
			x := at(k.pe)
			x.sum += v.num
			x.n++
		}
	}
	t.rows[unit] = slices.Clone(row) // of the exact size
}

// buildTotals computes an indicator's totals from its values.
func buildTotals(ind *Indicator, byUnit map[int64][]raw) *unitTotals {
	if !hasTotals(ind) {
		return nil
	}
	t := &unitTotals{cols: map[int32]int32{}, rows: make(map[int64][]total, len(byUnit))}
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

// values returns the current values of the indicators: the copies in
// memory at the versions the database has now, loading those that are
// missing or stale (or waiting for a load under way).
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
	// A load another query started may fail because that query ended:
	// then this one loads the indicator itself, once more.
	for attempt := 0; ; attempt++ {
		var mine, theirs []*loadCall
		c.mu.Lock()
		if c.inds == nil {
			c.inds, c.loading = map[int64]*indValues{}, map[int64]*loadCall{}
			c.slots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
		}
		for _, id := range ids {
			if out[id] != nil {
				continue
			}
			v := versions[id]
			if iv := c.inds[id]; iv != nil && iv.version == v {
				c.clock++
				iv.used = c.clock
				out[id] = iv
			} else if l := c.loading[id]; l != nil && l.version == v {
				theirs = append(theirs, l)
			} else {
				l := &loadCall{id: id, version: v, done: make(chan struct{})}
				c.loading[id] = l
				mine = append(mine, l)
			}
		}
		c.mu.Unlock()
		c.load(ctx, db, inds, mine)
		for _, l := range mine {
			if l.err != nil {
				return nil, l.err
			}
			out[l.id] = l.iv
		}
		failed := false
		for _, l := range theirs {
			if c.waitHook != nil {
				c.waitHook(l.id)
			}
			select {
			case <-l.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if l.err != nil {
				if attempt > 0 {
					return nil, l.err
				}
				failed = true
				continue
			}
			out[l.id] = l.iv
		}
		if !failed {
			return out, nil
		}
	}
}

// load runs the loads, a few at a time, and returns when all are done.
func (c *cube) load(ctx context.Context, db *store.DB, inds map[int64]*Indicator, calls []*loadCall) {
	var wg sync.WaitGroup
	for _, l := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case c.slots <- struct{}{}:
			case <-ctx.Done():
				c.finish(l, nil, ctx.Err())
				return
			}
			if c.loadHook != nil {
				c.loadHook(l.id)
			}
			iv, err := loadIndicator(ctx, db, inds[l.id], l.version)
			<-c.slots
			c.finish(l, iv, err)
		}()
	}
	wg.Wait()
}

// finish records a load's outcome, keeps its copy (unless a newer one came
// in meanwhile) and wakes the queries waiting for it.
func (c *cube) finish(l *loadCall, iv *indValues, err error) {
	c.mu.Lock()
	if c.loading[l.id] == l {
		delete(c.loading, l.id)
	}
	if err == nil {
		c.loads.Add(1)
		if cur := c.inds[l.id]; cur == nil || cur.version <= iv.version {
			c.clock++
			c.keep(l.id, iv, c.clock)
		}
	}
	l.iv, l.err = iv, err
	c.mu.Unlock()
	close(l.done)
}

// keep puts a copy in place of the indicator's (if any), last used at
// tick, and drops the least recently used copies while the copies take
// more than the limit. Under c.mu.
func (c *cube) keep(id int64, iv *indValues, tick int64) {
	if old := c.inds[id]; old != nil {
		c.bytes -= old.size
	}
	iv.used = tick
	c.inds[id] = iv
	c.bytes += iv.size
	c.largest = max(c.largest, iv.size)
	c.evict()
}

// evict drops the least recently used copies until the rest fit under the
// limit. Under c.mu.
func (c *cube) evict() {
	for c.limit > 0 && c.bytes > c.limit && len(c.inds) > 0 {
		var lru *indValues
		var lruID int64
		for id, iv := range c.inds {
			if lru == nil || iv.used < lru.used {
				lru, lruID = iv, id
			}
		}
		delete(c.inds, lruID)
		c.bytes -= lru.size
		c.evictions.Add(1)
	}
}

// setLimit sets the memory limit and evicts what no longer fits.
func (c *cube) setLimit(bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.limit = max(0, bytes)
	c.evict()
}

// room reports whether another copy as large as the largest so far would
// fit without evicting.
func (c *cube) room() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.limit == 0 || c.bytes+c.largest <= c.limit
}

// MemoryStats describe the values analytics keeps in memory.
type MemoryStats struct {
	Indicators int   // indicators held
	Bytes      int64 // their estimated size
	Limit      int64 // the limit (0: none)
	Loads      int64 // indicators read from the database so far
	Evictions  int64 // indicators dropped to stay under the limit so far
}

func (c *cube) stats() MemoryStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return MemoryStats{Indicators: len(c.inds), Bytes: c.bytes, Limit: c.limit, Loads: c.loads.Load(), Evictions: c.evictions.Load()}
}

// loadIndicator reads every numeric value of an indicator, in the order of
// the covering index stat_values_range (period, then unit), so that the
// values of a unit and period come together and the period changes
// seldom; text columns are read as bytes and only new combos and periods
// become strings.
func loadIndicator(ctx context.Context, q store.Querier, ind *Indicator, version int64) (*indValues, error) {
	rows, err := q.QueryContext(ctx, `SELECT unit_id, combo, period, num FROM stat_values
		WHERE indicator_id = ? AND num IS NOT NULL ORDER BY period_start, period_end, unit_id`, ind.ID)
	if err != nil {
		return nil, fmt.Errorf("reporting: %w", err)
	}
	defer rows.Close()
	var (
		unit      int64
		combo, pe sql.RawBytes
		num       float64
		lastPe    []byte
		sp        span
		flat      []raw
		slot      []int32 // flat[i]'s unit as an index into units
		units     []int64
		counts    []int32
		index     = map[int64]int32{}
		lastUnit  int64
		cur       int32 = -1
		combos          = map[string]uint32{} // combo → index in list
		list      []string
	)
	for rows.Next() {
		if err := rows.Scan(&unit, &combo, &pe, &num); err != nil {
			return nil, fmt.Errorf("reporting: %w", err)
		}
		if lastPe == nil || !bytes.Equal(pe, lastPe) {
			p, err := ParsePeriod(string(pe))
			if err != nil {
				return nil, fmt.Errorf("reporting: %w", err)
			}
			sp, lastPe = spanOf(p), append(lastPe[:0:0], pe...)
		}
		if cur < 0 || unit != lastUnit {
			i, ok := index[unit]
			if !ok {
				i = int32(len(units))
				index[unit] = i
				units, counts = append(units, unit), append(counts, 0)
			}
			cur, lastUnit = i, unit
		}
		ci, ok := combos[string(combo)]
		if !ok {
			ci = uint32(len(list))
			combos[string(combo)] = ci
			list = append(list, string(combo))
		}
		flat = append(flat, raw{num: num, start: sp.start, end: sp.end, combo: ci})
		slot = append(slot, cur)
		counts[cur]++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reporting: %w", err)
	}
	// Each unit's values in a slice of their own, of the exact size: a
	// write replaces one unit's slice (apply) and frees the old one.
	chunks := make([][]raw, len(units))
	for i, n := range counts {
		chunks[i] = make([]raw, 0, n)
	}
	for i, v := range flat {
		chunks[slot[i]] = append(chunks[slot[i]], v)
	}
	byUnit := make(map[int64][]raw, len(units))
	for i, u := range units {
		byUnit[u] = chunks[i]
	}
	iv := &indValues{version: version, combos: list, byUnit: byUnit, totals: buildTotals(ind, byUnit)}
	iv.size = iv.measure()
	return iv, nil
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
		iv := &indValues{version: versions[id], combos: old.combos, byUnit: make(map[int64][]raw, len(old.byUnit))}
		for u, vs := range old.byUnit {
			iv.byUnit[u] = vs
		}
		// The touched units' values, copied before they change.
		touched := map[int64][]raw{}
		for _, ch := range chs {
			vs, ok := touched[ch.unit]
			if !ok {
				vs = slices.Clone(iv.byUnit[ch.unit])
			}
			ci := slices.Index(iv.combos, ch.combo)
			if ci >= 0 {
				vs = slices.DeleteFunc(vs, func(v raw) bool {
					return v.combo == uint32(ci) && v.start == ch.sp.start && v.end == ch.sp.end
				})
			}
			if ch.num != nil {
				if ci < 0 {
					// A combo new to the copy: the list is shared with
					// older copies, so it is extended in a copy.
					ci = len(iv.combos)
					iv.combos = append(slices.Clip(iv.combos), ch.combo)
				}
				vs = append(vs, raw{num: *ch.num, start: ch.sp.start, end: ch.sp.end, combo: uint32(ci)})
			}
			touched[ch.unit] = vs
		}
		for u, vs := range touched {
			if len(vs) == 0 {
				delete(iv.byUnit, u)
			} else {
				iv.byUnit[u] = slices.Clone(vs) // of the exact size
			}
		}
		if old.totals != nil {
			ind := chs[0].ind
			iv.totals = &unitTotals{cols: maps.Clone(old.totals.cols), rows: maps.Clone(old.totals.rows)}
			keys := &spanKeys{}
			for u := range touched {
				addTotals(iv.totals, ind, u, iv.byUnit[u], keys)
			}
		}
		iv.size = iv.measure()
		c.keep(id, iv, old.used)
	}
}

// span is a period's first and last days, computed once.
type span struct{ start, end workcal.Date }

func spanOf(p Period) span { return span{p.Start(), p.End()} }

func (s span) contains(v raw) bool { return v.start >= s.start && v.end <= s.end }
