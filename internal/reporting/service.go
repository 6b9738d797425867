package reporting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/jobs"
	"egov/internal/store"
	"egov/internal/units"
	"egov/internal/workcal"
)

// Service is the reporting domain over one database.
type Service struct {
	db    *store.DB
	units *units.Service
	ids   *identity.Service

	mu  sync.Mutex
	cat *Catalogue

	cube cube // analytics' values in memory

	// Calendar is the working calendar that report deadlines are counted
	// on (app.New sets it).
	Calendar *workcal.Service
	// Send mails a reminder (app.New sets it to the notices' mailer); nil:
	// reminders are only recorded for the reports list.
	Send func(ctx context.Context, to, subject, body string) error

	jobs *jobs.Queue // the reminders job's queue (UseJobs)

	// Now returns the current time; tests replace it.
	Now func() time.Time
}

// New returns the reporting service.
func New(db *store.DB, us *units.Service, ids *identity.Service) *Service {
	s := &Service{db: db, units: us, ids: ids, Now: time.Now}
	s.cube.limit = DefaultAnalyticsMemory
	return s
}

// SetAnalyticsMemory limits the memory analytics keeps values in to about
// bytes (0: no limit); the least recently used indicators are dropped
// beyond it.
func (s *Service) SetAnalyticsMemory(bytes int64) { s.cube.setLimit(bytes) }

// AnalyticsMemory describes the values analytics keeps in memory.
func (s *Service) AnalyticsMemory() MemoryStats { return s.cube.stats() }

// Warm loads the values of the forms' numeric indicators (and of the parts
// of their computed ones) into analytics' memory, one indicator at a time,
// while another would fit under the limit, so that the first analyses after
// a start need not wait for them. Queries meanwhile are answered as always:
// one that needs an indicator being loaded waits for that load. It returns
// how many indicators it loaded, and stops early when ctx ends.
func (s *Service) Warm(ctx context.Context) (int, error) {
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return 0, err
	}
	seen := map[int64]bool{}
	var list []*Indicator
	add := func(ind *Indicator) {
		if ind != nil && !ind.Computed() && ind.ValueType != TypeText && !seen[ind.ID] {
			seen[ind.ID] = true
			list = append(list, ind)
		}
	}
	for _, f := range cat.Forms {
		for _, sec := range f.Sections {
			for _, code := range sec.Indicators {
				ind := cat.Indicator(code)
				if ind != nil && ind.Computed() {
					add(cat.Indicator(ind.Numerator))
					add(cat.Indicator(ind.Denominator))
				}
				add(ind)
			}
		}
	}
	n := 0
	for _, ind := range list {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		if !s.cube.room() {
			break
		}
		if _, err := s.cube.values(ctx, s.db, map[int64]*Indicator{ind.ID: ind}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Catalogue returns the indicators, forms and rules. The catalogue changes
// only through this process's Seed and target calls, which reload it.
func (s *Service) Catalogue(ctx context.Context) (*Catalogue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cat != nil {
		return s.cat, nil
	}
	c, err := loadCatalogue(ctx, s.db)
	if err != nil {
		return nil, err
	}
	s.cat = c
	return c, nil
}

// snapshot returns the catalogue and the units' graph, what most calls
// start from.
func (s *Service) snapshot(ctx context.Context) (*Catalogue, *units.Graph, error) {
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return nil, nil, err
	}
	g, err := s.units.Graph(ctx)
	if err != nil {
		return nil, nil, err
	}
	return cat, g, nil
}

func (s *Service) invalidate() {
	s.mu.Lock()
	s.cat = nil
	s.mu.Unlock()
}

// SetTarget records a target for an indicator, unit and period (replacing
// one there was). Setting targets is analysing's counterpart: it needs
// stats.approve on the unit.
func (s *Service) SetTarget(ctx context.Context, a *identity.Actor, t Target) error {
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return err
	}
	ind := cat.Indicator(t.Indicator)
	if ind == nil {
		return egov.FieldError("indicator", "stats.unknown_indicator", t.Indicator)
	}
	if t.AtRisk > t.OnTrack || t.OnTrack <= 0 {
		return egov.FieldError("thresholds", "stats.bad_thresholds")
	}
	if err := s.ids.Can(ctx, a, identity.PermStatsApprove, t.UnitID); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM stat_targets WHERE indicator_id = ? AND unit_id = ? AND period = ?`,
			ind.ID, t.UnitID, t.Period.String()); err != nil {
			return err
		}
		lower := 0
		if t.Lower {
			lower = 1
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO stat_targets (indicator_id, unit_id, period, value, on_track, at_risk, lower_is_better)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, ind.ID, t.UnitID, t.Period.String(), t.Value, t.OnTrack, t.AtRisk, lower)
		return err
	})
}

// TargetFor returns the target of an indicator for a unit and period, or
// nil when there is none.
func (s *Service) TargetFor(ctx context.Context, indicator string, unitID int64, p Period) (*Target, error) {
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	ind := cat.Indicator(indicator)
	if ind == nil {
		return nil, egov.FieldError("indicator", "stats.unknown_indicator", indicator)
	}
	t := &Target{Indicator: indicator, UnitID: unitID, Period: p}
	var lower int
	err = s.db.QueryRowContext(ctx, `SELECT value, on_track, at_risk, lower_is_better FROM stat_targets
		WHERE indicator_id = ? AND unit_id = ? AND period = ?`, ind.ID, unitID, p.String()).Scan(&t.Value, &t.OnTrack, &t.AtRisk, &lower)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reporting: %w", err)
	}
	t.Lower = lower == 1
	return t, nil
}

// Progress is a target beside the value analytics gives for it.
type Progress struct {
	Target
	Unit   string  // the unit's code at the query's date
	Actual float64 // valid when HasActual
	// HasActual is false when there is no value yet; Status is then "".
	HasActual bool
	Status    TargetStatus
}

// Progress returns the targets of the query's indicators, periods and
// units, each with its current value and status. The actor needs
// stats.analyse on the units, as for Analytics.
func (s *Service) Progress(ctx context.Context, a *identity.Actor, q AnalyticsQuery) ([]Progress, error) {
	res, err := s.Analytics(ctx, a, q)
	if err != nil {
		return nil, err
	}
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	actual := map[[3]string]float64{}
	for _, r := range res.Rows {
		actual[[3]string{r.DX, r.PE, r.OU}] = r.Value
	}
	// The targets of the indicators asked, in one query.
	type tk struct {
		ind, unit int64
		period    string
	}
	targets := map[tk]*Target{}
	var ids []any
	for _, code := range q.DX {
		if ind := cat.Indicator(code); ind != nil {
			ids = append(ids, ind.ID)
		}
	}
	if len(ids) > 0 {
		err = eachRow(ctx, s.db, `SELECT indicator_id, unit_id, period, value, on_track, at_risk, lower_is_better FROM stat_targets
			WHERE indicator_id IN (`+marks(len(ids))+`)`, func(scan func(...any) error) error {
			var k tk
			var t Target
			var lower int
			if err := scan(&k.ind, &k.unit, &k.period, &t.Value, &t.OnTrack, &t.AtRisk, &lower); err != nil {
				return err
			}
			t.Lower = lower == 1
			targets[k] = &t
			return nil
		}, ids...)
		if err != nil {
			return nil, err
		}
	}
	var out []Progress
	for _, code := range q.DX {
		ind := cat.Indicator(code)
		if ind == nil {
			continue // a disaggregated item has no targets
		}
		for _, pe := range q.PE {
			p, err := ParsePeriod(pe)
			if err != nil {
				continue
			}
			for _, u := range res.Units {
				t := targets[tk{ind.ID, u.ID, p.String()}]
				if t == nil {
					continue
				}
				pr := Progress{Target: *t, Unit: u.Code}
				pr.Indicator, pr.UnitID, pr.Period = code, u.ID, p
				if v, ok := actual[[3]string{code, p.String(), u.Code}]; ok {
					pr.Actual, pr.HasActual, pr.Status = v, true, t.Status(v)
				}
				out = append(out, pr)
			}
		}
	}
	return out, nil
}

// UnitDuring returns the unit that had code during period p (its last day,
// else its first), as data values and targets name units.
func (s *Service) UnitDuring(ctx context.Context, code string, p Period) (*units.Unit, error) {
	g, err := s.units.Graph(ctx)
	if err != nil {
		return nil, err
	}
	u := unitFor(g, code, p)
	if u == nil {
		return nil, egov.FieldError("unit", "stats.unknown_unit", clip(code), p.String())
	}
	return u, nil
}
