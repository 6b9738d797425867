package reporting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/units"
)

// ApprovalStatus is where a unit's report of a form for a period stands.
type ApprovalStatus string

const (
	StatusOpen     ApprovalStatus = "open"     // being entered (or returned)
	StatusApproved ApprovalStatus = "approved" // approved by the unit's leader: locked
	StatusAccepted ApprovalStatus = "accepted" // accepted by the level above
	StatusReturned ApprovalStatus = "returned" // sent back by the level above, with a reason: open again
)

// Locked reports whether the data of a report in this status may not change.
func (st ApprovalStatus) Locked() bool { return st == StatusApproved || st == StatusAccepted }

// Approval is the status of a unit's report of a form for a period.
type Approval struct {
	Form      string
	Period    string
	Unit      string
	UnitName  string
	Level     int
	Status    ApprovalStatus
	Reason    string
	UpdatedBy string
	UpdatedAt time.Time
}

// ApprovalAction is a step of the bottom-up approval.
type ApprovalAction string

const (
	ActApprove ApprovalAction = "approve" // the unit's leader approves its report
	ActAccept  ApprovalAction = "accept"  // the level above accepts it
	ActReturn  ApprovalAction = "return"  // the level above sends it back
)

// Approve moves a unit's report of form for period one step: approve
// (stats.approve on the unit; every child of a level that reports the form
// must have been accepted), accept or return (stats.approve on the unit's
// parent on the period's last day; return needs a reason, and the parent's
// own report must not be approved). Each step is audited.
func (s *Service) Approve(ctx context.Context, a *identity.Actor, act ApprovalAction, formCode, period, unitCode, reason string) (*Approval, error) {
	if act != ActApprove && act != ActAccept && act != ActReturn {
		return nil, egov.FieldError("action", "stats.bad_action", clip(string(act)))
	}
	f, p, u, g, err := s.resolveReport(ctx, formCode, period, unitCode)
	if err != nil {
		return nil, err
	}
	day := p.End().Time(time.UTC)
	parent := g.Parent(u, day)
	reason = strings.TrimSpace(reason)
	switch act {
	case ActApprove:
		if err := s.ids.Can(ctx, a, identity.PermStatsApprove, u.ID); err != nil {
			return nil, err
		}
	default:
		if parent == nil {
			return nil, egov.Errorf(egov.ECONFLICT, "stats.no_parent")
		}
		if err := s.ids.Can(ctx, a, identity.PermStatsApprove, parent.ID); err != nil {
			return nil, err
		}
		if act == ActReturn && reason == "" {
			return nil, egov.FieldError("reason", "stats.reason_required")
		}
	}
	if len([]rune(reason)) > 1000 {
		reason = string([]rune(reason)[:1000])
	}
	var out *Approval
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		cur, err := status(ctx, tx, f, p, u)
		if err != nil {
			return err
		}
		var next ApprovalStatus
		switch act {
		case ActApprove:
			if cur.Locked() {
				return egov.Errorf(egov.ECONFLICT, "stats.already_approved")
			}
			for _, c := range g.Children(u, day) {
				if !f.reports(c.Level) {
					continue
				}
				st, err := status(ctx, tx, f, p, c)
				if err != nil {
					return err
				}
				if st != StatusAccepted {
					return egov.Errorf(egov.ECONFLICT, "stats.children_not_accepted", c.Name)
				}
			}
			next = StatusApproved
		case ActAccept:
			if cur != StatusApproved {
				return egov.Errorf(egov.ECONFLICT, "stats.not_approved")
			}
			next = StatusAccepted
		case ActReturn:
			if !cur.Locked() {
				return egov.Errorf(egov.ECONFLICT, "stats.not_approved")
			}
			if pst, err := status(ctx, tx, f, p, parent); err != nil {
				return err
			} else if pst.Locked() {
				return egov.Errorf(egov.ECONFLICT, "stats.parent_approved")
			}
			next = StatusReturned
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `DELETE FROM stat_approvals WHERE form_id = ? AND period = ? AND unit_id = ?`, f.ID, p.String(), u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stat_approvals (form_id, period, unit_id, status, reason, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, f.ID, p.String(), u.ID, next, reason, a.Name(), store.FormatTime(now)); err != nil {
			return err
		}
		out = &Approval{Form: f.Code, Period: p.String(), Unit: u.Code, UnitName: u.Name, Level: u.Level, Status: next, Reason: reason,
			UpdatedBy: a.Name(), UpdatedAt: now}
		summary := fmt.Sprintf("%s %s: %s", f.Code, p, next)
		if reason != "" {
			summary += ": " + reason
		}
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "stats." + string(act),
			ObjectType: "report", ObjectID: f.Code + "/" + p.String(), UnitCode: u.Code, Summary: summary})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Approvals returns the status of a unit's report and of its children's
// (those of a level that reports the form), for whoever may enter, approve
// or analyse the unit's statistics.
func (s *Service) Approvals(ctx context.Context, a *identity.Actor, formCode, period, unitCode string) ([]Approval, error) {
	f, p, u, g, err := s.resolveReport(ctx, formCode, period, unitCode)
	if err != nil {
		return nil, err
	}
	if err := s.canRead(ctx, a, u.ID); err != nil {
		if err2 := s.ids.Can(ctx, a, identity.PermStatsApprove, u.ID); err2 != nil {
			return nil, err
		}
	}
	list := []*units.Unit{u}
	for _, c := range g.Children(u, p.End().Time(time.UTC)) {
		if f.reports(c.Level) {
			list = append(list, c)
		}
	}
	var out []Approval
	for _, x := range list {
		ap := Approval{Form: f.Code, Period: p.String(), Unit: x.Code, UnitName: x.Name, Level: x.Level, Status: StatusOpen}
		var at string
		err := s.db.QueryRowContext(ctx, `SELECT status, reason, updated_by, updated_at FROM stat_approvals WHERE form_id = ? AND period = ? AND unit_id = ?`,
			f.ID, p.String(), x.ID).Scan(&ap.Status, &ap.Reason, &ap.UpdatedBy, &at)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("reporting: %w", err)
		}
		if at != "" {
			ap.UpdatedAt, _ = store.ParseTime(at)
		}
		out = append(out, ap)
	}
	return out, nil
}

func (s *Service) resolveReport(ctx context.Context, formCode, period, unitCode string) (*Form, Period, *units.Unit, *units.Graph, error) {
	cat, g, err := s.snapshot(ctx)
	if err != nil {
		return nil, Period{}, nil, nil, err
	}
	f := cat.Form(formCode)
	if f == nil {
		return nil, Period{}, nil, nil, egov.FieldError("form", "stats.unknown_form", clip(formCode))
	}
	p, err := ParsePeriod(period)
	if err != nil {
		return nil, Period{}, nil, nil, egov.FieldError("period", "stats.bad_period", clip(period))
	}
	if p.Type != f.PeriodType {
		return nil, Period{}, nil, nil, egov.FieldError("period", "stats.period_type_mismatch", f.Code, p.String())
	}
	u := unitFor(g, unitCode, p)
	if u == nil {
		return nil, Period{}, nil, nil, egov.FieldError("unit", "stats.unknown_unit", clip(unitCode), p.String())
	}
	if !f.reports(u.Level) {
		return nil, Period{}, nil, nil, egov.FieldError("unit", "stats.level_not_reporting", u.Level, f.Code)
	}
	return f, p, u, g, nil
}

// reports reports whether units of level report the form.
func (f *Form) reports(level int) bool {
	for _, l := range f.Levels {
		if l.Level == level {
			return true
		}
	}
	return false
}

func status(ctx context.Context, q store.Querier, f *Form, p Period, u *units.Unit) (ApprovalStatus, error) {
	var st ApprovalStatus
	err := q.QueryRowContext(ctx, `SELECT status FROM stat_approvals WHERE form_id = ? AND period = ? AND unit_id = ?`, f.ID, p.String(), u.ID).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return StatusOpen, nil
	}
	if err != nil {
		return "", fmt.Errorf("reporting: %w", err)
	}
	return st, nil
}

// locked returns the units and periods among pairs whose data one of the
// indicator's forms has locked: indicator id → pairs.
func locked(ctx context.Context, q store.Querier, cat *Catalogue, pairs map[touchKey]bool) (map[int64]map[touchKey]bool, error) {
	out := map[int64]map[touchKey]bool{}
	forms := map[int64]*Form{}
	for _, f := range cat.Forms {
		forms[f.ID] = f
	}
	err := eachPairChunk(pairs, "", func(where string, args []any) error {
		return eachRow(ctx, q, `SELECT form_id, unit_id, period FROM stat_approvals WHERE status IN ('approved', 'accepted') AND `+where,
			func(scan func(...any) error) error {
				var form int64
				var k touchKey
				if err := scan(&form, &k.unit, &k.period); err != nil {
					return err
				}
				f := forms[form]
				if f == nil || !pairs[k] {
					return nil
				}
				for _, sec := range f.Sections {
					for _, code := range sec.Indicators {
						if ind := cat.Indicator(code); ind != nil {
							if out[ind.ID] == nil {
								out[ind.ID] = map[touchKey]bool{}
							}
							out[ind.ID][k] = true
						}
					}
				}
				return nil
			}, args...)
	})
	return out, err
}
