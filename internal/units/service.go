package units

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"egov/internal/store"
)

// Service loads the units from the database and keeps the Graph current.
type Service struct {
	db *store.DB

	mu        sync.Mutex
	graph     *Graph
	gen       int64
	checkedAt time.Time

	// Now returns the current time; tests replace it.
	Now func() time.Time
	// Recheck is how often another process's changes are looked for.
	Recheck time.Duration
}

// NewService returns a Service over db.
func NewService(db *store.DB) *Service {
	return &Service{db: db, Now: time.Now, Recheck: time.Second}
}

// Today is the current day in Vietnam.
func (s *Service) Today() time.Time { return Day(s.Now()) }

// Graph returns the current snapshot of the units. It reloads the snapshot
// when this process changed the units, and at most every Recheck when
// another process did.
func (s *Service) Graph(ctx context.Context) (*Graph, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if s.graph != nil && now.Sub(s.checkedAt) < s.Recheck {
		return s.graph, nil
	}
	var gen int64
	if err := s.db.QueryRowContext(ctx, `SELECT n FROM units_generation WHERE id = 1`).Scan(&gen); err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	s.checkedAt = now
	if s.graph != nil && gen == s.gen {
		return s.graph, nil
	}
	g, err := load(ctx, s.db)
	if err != nil {
		return nil, err
	}
	s.graph, s.gen = g, gen
	return g, nil
}

// invalidate makes the next Graph call reload.
func (s *Service) invalidate() {
	s.mu.Lock()
	s.graph = nil
	s.mu.Unlock()
}

func load(ctx context.Context, q store.Querier) (*Graph, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, code, name, type, level, parent_code, valid_from, valid_to FROM units`)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	defer rows.Close()
	var us []*Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	srows, err := q.QueryContext(ctx, `SELECT from_id, to_id, effective FROM unit_successions`)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	defer srows.Close()
	var ss [][3]any
	for srows.Next() {
		var from, to int64
		var eff string
		if err := srows.Scan(&from, &to, &eff); err != nil {
			return nil, fmt.Errorf("units: %w", err)
		}
		d, err := ParseDate(eff)
		if err != nil {
			return nil, fmt.Errorf("units: succession %d→%d: %w", from, to, err)
		}
		ss = append(ss, [3]any{from, to, d})
	}
	if err := srows.Err(); err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	return newGraph(us, ss), nil
}

func scanUnit(rows *sql.Rows) (*Unit, error) {
	var u Unit
	var from string
	var to sql.NullString
	if err := rows.Scan(&u.ID, &u.Code, &u.Name, &u.Type, &u.Level, &u.ParentCode, &from, &to); err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	var err error
	if u.ValidFrom, err = ParseDate(from); err != nil {
		return nil, fmt.Errorf("unit %d: %w", u.ID, err)
	}
	if to.Valid {
		if u.ValidTo, err = ParseDate(to.String); err != nil {
			return nil, fmt.Errorf("unit %d: %w", u.ID, err)
		}
	}
	return &u, nil
}

func fmtDate(t time.Time) string { return t.Format(store.DateLayout) }

func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return fmtDate(t)
}
