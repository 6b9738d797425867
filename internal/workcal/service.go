package workcal

import (
	"context"
	"fmt"
	"sync"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
)

// Service keeps the announced schedules in the database and serves the
// Calendar built from them. Administrators of the whole tree edit a year's
// schedule; every other caller only reads.
type Service struct {
	db *store.DB

	mu       sync.Mutex
	cal      *Calendar
	loadedAt time.Time
	// Recheck is how often another process's edits are looked for.
	Recheck time.Duration
}

// NewService returns the calendar service over db.
func NewService(db *store.DB) *Service { return &Service{db: db, Recheck: 5 * time.Second} }

// Calendar returns the working calendar with every announced schedule.
func (s *Service) Calendar(ctx context.Context) (*Calendar, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cal != nil && time.Since(s.loadedAt) < s.Recheck {
		return s.cal, nil
	}
	days, err := s.announced(ctx, s.db, 0)
	if err != nil {
		return nil, err
	}
	cal, err := New(days)
	if err != nil {
		return nil, fmt.Errorf("calendar: stored schedule: %w", err)
	}
	s.cal, s.loadedAt = cal, time.Now()
	return cal, nil
}

// Announced returns the announced schedule of year y (nil when the year
// follows the statutory rules).
func (s *Service) Announced(ctx context.Context, y int) ([]Day, error) {
	return s.announced(ctx, s.db, y)
}

func (s *Service) announced(ctx context.Context, q store.Querier, y int) ([]Day, error) {
	query, args := `SELECT day, kind, name FROM calendar_days ORDER BY day`, []any{}
	if y != 0 {
		query, args = `SELECT day, kind, name FROM calendar_days WHERE year = ? ORDER BY day`, []any{y}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	defer rows.Close()
	var days []Day
	for rows.Next() {
		var day, kind, name string
		if err := rows.Scan(&day, &kind, &name); err != nil {
			return nil, fmt.Errorf("calendar: %w", err)
		}
		d, err := ParseDate(day)
		if err != nil {
			return nil, fmt.Errorf("calendar: %w", err)
		}
		k, err := ParseKind(kind)
		if err != nil {
			return nil, fmt.Errorf("calendar: %w", err)
		}
		days = append(days, Day{Date: d, Kind: k, Name: name})
	}
	return days, rows.Err()
}

// SetYear replaces the announced schedule of year y with days (all in y).
// An empty list returns the year to the statutory rules. Only an
// administrator of the whole tree may do it.
func (s *Service) SetYear(ctx context.Context, a *identity.Actor, ids *identity.Service, y int, days []Day) error {
	if err := ids.Can(ctx, a, identity.PermCalendarManage, 0); err != nil {
		return err
	}
	if y < 1900 || y > 2199 {
		return egov.FieldError("year", "calendar.year_invalid")
	}
	for _, d := range days {
		if d.Date.Year() != y {
			return egov.FieldError("days", "calendar.day_outside_year", d.Date.String(), y)
		}
	}
	if _, err := New(days); err != nil {
		return egov.FieldError("days", "calendar.days_invalid", err.Error())
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.setYear(ctx, tx, a, y, days, false)
		return err
	})
	if err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// setYear replaces year y's schedule inside tx, after taking the year's
// row lock. With onlyIfEmpty it leaves a year that has a schedule alone and
// reports false.
func (s *Service) setYear(ctx context.Context, tx *store.Tx, a *identity.Actor, y int, days []Day, onlyIfEmpty bool) (bool, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_years (year, updated_at) VALUES (?, ?)
		ON CONFLICT (year) DO UPDATE SET updated_at = excluded.updated_at`, y, store.FormatTime(time.Now())); err != nil {
		return false, err
	}
	if onlyIfEmpty {
		have, err := s.announced(ctx, tx, y)
		if err != nil || len(have) > 0 {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_days WHERE year = ?`, y); err != nil {
		return false, err
	}
	for _, d := range days {
		if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (day, year, kind, name) VALUES (?, ?, ?, ?)`,
			d.Date.String(), y, d.Kind.String(), d.Name); err != nil {
			return false, err
		}
	}
	return true, audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "calendar.set_year",
		ObjectType: "calendar", ObjectID: fmt.Sprint(y), Summary: fmt.Sprintf("lịch nghỉ năm %d: %d ngày", y, len(days))})
}

func (s *Service) invalidate() {
	s.mu.Lock()
	s.cal = nil
	s.mu.Unlock()
}

// Seed stores the announced schedules of years that have none yet, so that
// loading the same file again changes nothing and an administrator's edits
// survive a restart.
func (s *Service) Seed(ctx context.Context, days []Day) error {
	if _, err := New(days); err != nil {
		return fmt.Errorf("calendar seed: %w", err)
	}
	byYear := map[int][]Day{}
	for _, d := range days {
		byYear[d.Date.Year()] = append(byYear[d.Date.Year()], d)
	}
	changed := false
	for y, ds := range byYear {
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			ok, err := s.setYear(ctx, tx, identity.SystemActor, y, ds, true)
			changed = changed || ok
			return err
		})
		if err != nil {
			return err
		}
	}
	if changed {
		s.invalidate()
	}
	return nil
}
