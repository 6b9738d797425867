package dossier

import (
	"context"
	"fmt"
	"strings"

	"egov"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/workcal"
)

// ListQuery selects dossiers. Zero fields do not filter.
type ListQuery struct {
	UnitCode string       // today's unit: its territory, merged units included
	Status   Status       //
	From, To workcal.Date // filed on or after From, on or before To
	Page     int          // from 1
	PerPage  int          // default 50, at most 200
}

// List returns the dossiers the actor may read that match q, due first:
// a citizen's own (drafts included), or an officer's within the territory
// of the grants that let them read dossiers. Lists show personal data
// masked; reading one dossier in full goes through Get.
func (s *Dossiers) List(ctx context.Context, a *identity.Actor, q ListQuery) ([]*Dossier, error) {
	if a == nil || a.User == nil && !a.System {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	var where []string
	var args []any
	if a.User != nil && a.User.Kind == identity.Citizen {
		where, args = append(where, `applicant_id = ?`), append(args, a.User.ID)
	} else {
		ids, err := s.readable(ctx, a, q.UnitCode)
		if err != nil {
			return nil, err
		}
		if ids != nil {
			if len(ids) == 0 {
				return nil, nil
			}
			where = append(where, `unit_id IN (`+placeholders(len(ids))+`)`)
			for _, id := range ids {
				args = append(args, id)
			}
		}
		where = append(where, `status <> 'draft'`)
	}
	if q.Status != "" {
		if q.Status.Code() < 0 {
			return nil, egov.FieldError("status", "dossier.status_invalid")
		}
		where, args = append(where, `status = ?`), append(args, string(q.Status))
	}
	if !q.From.IsZero() {
		where, args = append(where, `submitted_at >= ?`), append(args, store.FormatTime(q.From.Time(workcal.ICT)))
	}
	if !q.To.IsZero() {
		where, args = append(where, `submitted_at < ?`), append(args, store.FormatTime(q.To.AddDays(1).Time(workcal.ICT)))
	}
	return s.query(ctx, where, args, q.Page, q.PerPage)
}

// Inbox returns what waits for the actor, due first: for a receiving desk
// the dossiers filed online to receive and the results to return; for a
// leader the results to approve; for a specialist the dossiers handed to
// them.
func (s *Dossiers) Inbox(ctx context.Context, a *identity.Actor, page int) ([]*Dossier, error) {
	if a == nil || a.User == nil {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	var ors []string
	var args []any
	scope := func(p identity.Permission, cond string) error {
		if grants, all := a.Scope(p); !all && len(grants) == 0 {
			return nil
		}
		ids, err := s.territory(ctx, a, p, "")
		if err != nil {
			return err
		}
		if ids != nil && len(ids) == 0 {
			return nil
		}
		if ids != nil {
			cond = `(` + cond + ` AND unit_id IN (` + placeholders(len(ids)) + `))`
			ors = append(ors, cond)
			for _, id := range ids {
				args = append(args, id)
			}
			return nil
		}
		ors = append(ors, `(`+cond+`)`)
		return nil
	}
	if err := scope(identity.PermDossierReceive, `status IN ('new', 'resolved')`); err != nil {
		return nil, err
	}
	if err := scope(identity.PermDossierApprove, `status = 'processing' AND approved = 0`); err != nil {
		return nil, err
	}
	if grants, all := a.Scope(identity.PermDossierProcess); all || len(grants) > 0 {
		ors = append(ors, `(status = 'processing' AND holder_id = ?)`)
		args = append(args, a.User.ID)
	}
	if len(ors) == 0 {
		return nil, nil
	}
	return s.query(ctx, []string{`(` + strings.Join(ors, ` OR `) + `)`}, args, page, 0)
}

// readable returns the unit ids whose dossiers the actor may read (nil: all),
// narrowed to the territory of unitCode when given.
func (s *Dossiers) readable(ctx context.Context, a *identity.Actor, unitCode string) ([]int64, error) {
	ids, err := s.territory(ctx, a, identity.PermDossierRead, unitCode)
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// territory returns the ids of every unit version within the territory of
// the actor's grants holding p (nil when a grant covers the whole tree),
// intersected with the territory of unitCode when given.
func (s *Dossiers) territory(ctx context.Context, a *identity.Actor, p identity.Permission, unitCode string) ([]int64, error) {
	grants, all := a.Scope(p)
	if !all && len(grants) == 0 {
		return nil, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	g, err := s.units.Graph(ctx)
	if err != nil {
		return nil, err
	}
	today := s.units.Today()
	var within map[int64]bool
	if unitCode != "" {
		u := g.At(unitCode, today)
		if u == nil {
			return nil, egov.FieldError("unit", "unit.not_found", unitCode, today.Format("2006-01-02"))
		}
		within = g.Territory(u, today)
	}
	if all {
		if within == nil {
			return nil, nil
		}
		out := make([]int64, 0, len(within))
		for id := range within {
			out = append(out, id)
		}
		return out, nil
	}
	set := map[int64]bool{}
	for _, gid := range grants {
		u := g.ByID(gid)
		if u == nil {
			continue
		}
		for id := range g.Territory(u, today) {
			if within == nil || within[id] {
				set[id] = true
			}
		}
	}
	out := make([]int64, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	return out, nil
}

func (s *Dossiers) query(ctx context.Context, where []string, args []any, page, perPage int) ([]*Dossier, error) {
	if perPage <= 0 || perPage > 200 {
		perPage = 50
	}
	if page < 1 {
		page = 1
	}
	q := `SELECT ` + dossierColumns + ` FROM dossiers`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	// Open dossiers first, the soonest due first; then finished ones, the
	// latest first (years of history must not push today's work to the
	// last page). NULLs are ordered explicitly, as the engines differ.
	q += fmt.Sprintf(` ORDER BY finished_at IS NOT NULL, CASE WHEN finished_at IS NULL THEN due_date IS NULL END,
		CASE WHEN finished_at IS NULL THEN due_date END, finished_at DESC, id DESC LIMIT %d OFFSET %d`, perPage, (page-1)*perPage)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Dossier
	for rows.Next() {
		d, err := scanDossier(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
