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
type indValues struct {
	version int64
	byUnit  map[int64][]raw
}

// values returns the current values of the indicators.
func (c *cube) values(ctx context.Context, db *store.DB, ids []int64) (map[int64]*indValues, error) {
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
		iv := &indValues{version: versions[id], byUnit: loaded[id]}
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
	parsed := map[string]Period{}
	err := eachRow(ctx, q, `SELECT indicator_id, combo, unit_id, period, num FROM stat_values
		WHERE indicator_id IN (`+marks(len(ids))+`) AND num IS NOT NULL`,
		func(scan func(...any) error) error {
			var v raw
			var pe string
			if err := scan(&v.ind, &v.combo, &v.unit, &pe, &v.num); err != nil {
				return err
			}
			p, ok := parsed[pe]
			if !ok {
				var err error
				if p, err = ParsePeriod(pe); err != nil {
					return err
				}
				parsed[pe] = p
			}
			v.start, v.end = p.Start(), p.End()
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
