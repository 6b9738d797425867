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
	StatusOpen      ApprovalStatus = "open"      // being entered (or returned)
	StatusSubmitted ApprovalStatus = "submitted" // sent by the reporter to the unit's leader: locked
	StatusApproved  ApprovalStatus = "approved"  // approved by the unit's leader: locked
	StatusAccepted  ApprovalStatus = "accepted"  // accepted by the level above
	StatusReturned  ApprovalStatus = "returned"  // sent back, with a reason: open again
)

// Locked reports whether the data of a report in this status may not change.
func (st ApprovalStatus) Locked() bool {
	return st == StatusSubmitted || st == StatusApproved || st == StatusAccepted
}

// Done reports whether the report has reached its leader (for completeness).
func (st ApprovalStatus) Done() bool { return st.Locked() }

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
	// SubmittedAt is when the report first reached the unit's leader
	// (zero while it has not).
	SubmittedAt time.Time
}

// ApprovalAction is a step of the bottom-up approval.
type ApprovalAction string

const (
	ActSubmit  ApprovalAction = "submit"  // the unit's reporter sends the complete report to its leader
	ActApprove ApprovalAction = "approve" // the unit's leader approves its report
	ActAccept  ApprovalAction = "accept"  // the level above accepts it
	ActReturn  ApprovalAction = "return"  // the leader or the level above sends it back
)

// ValidAction reports whether act is a step of the approval.
func ValidAction(act ApprovalAction) bool {
	switch act {
	case ActSubmit, ActApprove, ActAccept, ActReturn:
		return true
	}
	return false
}

// Approve moves a unit's report of form for period one step:
//   - submit (stats.enter on the unit; the report is open or returned, every
//     indicator of the form has a value and no validation rule is broken);
//   - approve (stats.approve on the unit; every child of a level that
//     reports the form must have been accepted; a report not submitted
//     first must pass the submission's check, unless it consolidates its
//     children's); the unit's values for the form are then locked;
//   - accept (stats.approve on the unit's parent on the period's last day);
//   - return, with a reason: a submitted report by the unit's leader, an
//     approved or accepted one by the parent, and not while the parent's
//     own report is approved.
//
// Each step is audited.
func (s *Service) Approve(ctx context.Context, a *identity.Actor, act ApprovalAction, formCode, period, unitCode, reason string) (*Approval, error) {
	if !ValidAction(act) {
		return nil, egov.FieldError("action", "stats.bad_action", clip(string(act)))
	}
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	f, p, u, g, err := s.resolveReport(ctx, formCode, period, unitCode)
	if err != nil {
		return nil, err
	}
	day := p.End().Time(time.UTC)
	parent := g.Parent(u, day)
	reason = strings.TrimSpace(reason)
	// May the actor act for the unit, for its parent?
	var onUnit, onParent bool
	switch act {
	case ActSubmit:
		if err := s.ids.Can(ctx, a, identity.PermStatsEnter, u.ID); err != nil {
			return nil, err
		}
	case ActApprove:
		if err := s.ids.Can(ctx, a, identity.PermStatsApprove, u.ID); err != nil {
			return nil, err
		}
	case ActAccept:
		if parent == nil {
			return nil, egov.Errorf(egov.ECONFLICT, "stats.no_parent")
		}
		if err := s.ids.Can(ctx, a, identity.PermStatsApprove, parent.ID); err != nil {
			return nil, err
		}
	case ActReturn:
		err := s.ids.Can(ctx, a, identity.PermStatsApprove, u.ID)
		if egov.ErrorCode(err) == egov.EUNAUTHORIZED {
			return nil, err
		}
		onUnit = err == nil
		onParent = parent != nil && s.ids.Can(ctx, a, identity.PermStatsApprove, parent.ID) == nil
		if !onUnit && !onParent {
			return nil, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
		}
		if reason == "" {
			return nil, egov.FieldError("reason", "stats.reason_required")
		}
	}
	if len([]rune(reason)) > 1000 {
		reason = string([]rune(reason)[:1000])
	}
	var out *Approval
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		cur, err := readApproval(ctx, tx, f, p, u)
		if err != nil {
			return err
		}
		next, err := s.nextStatus(ctx, tx, cat, g, f, p, u, parent, act, cur.Status, onParent)
		if err != nil {
			return err
		}
		now := s.Now()
		submitted := cur.SubmittedAt
		if submitted.IsZero() && (next == StatusSubmitted || next == StatusApproved) {
			submitted = now
		}
		var submittedAt any
		if !submitted.IsZero() {
			submittedAt = store.FormatTime(submitted)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM stat_approvals WHERE form_id = ? AND period = ? AND unit_id = ?`, f.ID, p.String(), u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stat_approvals (form_id, period, unit_id, status, reason, updated_by, updated_at, submitted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, f.ID, p.String(), u.ID, next, reason, a.Name(), store.FormatTime(now), submittedAt); err != nil {
			return err
		}
		out = &Approval{Form: f.Code, Period: p.String(), Unit: u.Code, UnitName: u.Name, Level: u.Level, Status: next, Reason: reason,
			UpdatedBy: a.Name(), UpdatedAt: now, SubmittedAt: submitted}
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

// nextStatus is the status act leads to from cur, or a conflict that says
// why the step cannot be taken now.
func (s *Service) nextStatus(ctx context.Context, tx *store.Tx, cat *Catalogue, g *units.Graph, f *Form, p Period, u, parent *units.Unit,
	act ApprovalAction, cur ApprovalStatus, onParent bool) (ApprovalStatus, error) {
	switch act {
	case ActSubmit:
		switch cur {
		case StatusSubmitted:
			return "", egov.Errorf(egov.ECONFLICT, "stats.already_submitted")
		case StatusApproved, StatusAccepted:
			return "", egov.Errorf(egov.ECONFLICT, "stats.already_approved")
		}
		chk, err := checkReport(ctx, tx, s, cat, f, p, u)
		if err != nil {
			return "", err
		}
		if err := chk.Err(); err != nil {
			return "", err
		}
		return StatusSubmitted, nil
	case ActApprove:
		if cur == StatusApproved || cur == StatusAccepted {
			return "", egov.Errorf(egov.ECONFLICT, "stats.already_approved")
		}
		children := f.reportingChildren(g, u, p)
		for _, c := range children {
			st, err := status(ctx, tx, f, p, c)
			if err != nil {
				return "", err
			}
			if st != StatusAccepted {
				return "", egov.Errorf(egov.ECONFLICT, "stats.children_not_accepted", c.Name)
			}
		}
		if cur != StatusSubmitted && len(children) == 0 {
			// Approving a report nobody submitted (its leader entered
			// the figures) takes the submission's step too, and its
			// check: every indicator has a value, no rule is broken. A
			// report that consolidates its children's is complete when
			// they are all accepted.
			chk, err := checkReport(ctx, tx, s, cat, f, p, u)
			if err != nil {
				return "", err
			}
			if err := chk.Err(); err != nil {
				return "", err
			}
		}
		return StatusApproved, nil
	case ActAccept:
		switch cur {
		case StatusAccepted:
			return "", egov.Errorf(egov.ECONFLICT, "stats.already_accepted")
		case StatusApproved:
			return StatusAccepted, nil
		}
		return "", egov.Errorf(egov.ECONFLICT, "stats.not_approved")
	}
	// Return.
	switch {
	case cur == StatusSubmitted:
		// The leader (or anyone above, whose grant covers the unit) sends
		// it back to the reporter.
	case cur == StatusApproved || cur == StatusAccepted:
		if !onParent {
			return "", egov.Errorf(egov.EFORBIDDEN, "stats.return_by_parent")
		}
		if parent != nil {
			if pst, err := status(ctx, tx, f, p, parent); err != nil {
				return "", err
			} else if pst == StatusApproved || pst == StatusAccepted {
				return "", egov.Errorf(egov.ECONFLICT, "stats.parent_approved")
			}
		}
	default:
		return "", egov.Errorf(egov.ECONFLICT, "stats.not_submitted")
	}
	return StatusReturned, nil
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
	list := append([]*units.Unit{u}, f.reportingChildren(g, u, p)...)
	var out []Approval
	for _, x := range list {
		ap, err := readApproval(ctx, s.db, f, p, x)
		if err != nil {
			return nil, err
		}
		out = append(out, *ap)
	}
	return out, nil
}

// readApproval reads the status of a unit's report (open when none is
// stored).
func readApproval(ctx context.Context, q store.Querier, f *Form, p Period, u *units.Unit) (*Approval, error) {
	ap := &Approval{Form: f.Code, Period: p.String(), Unit: u.Code, UnitName: u.Name, Level: u.Level, Status: StatusOpen}
	var at string
	var sub sql.NullString
	err := q.QueryRowContext(ctx, `SELECT status, reason, updated_by, updated_at, submitted_at FROM stat_approvals
		WHERE form_id = ? AND period = ? AND unit_id = ?`, f.ID, p.String(), u.ID).Scan(&ap.Status, &ap.Reason, &ap.UpdatedBy, &at, &sub)
	if errors.Is(err, sql.ErrNoRows) {
		return ap, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reporting: %w", err)
	}
	ap.UpdatedAt, _ = store.ParseTime(at)
	if sub.Valid {
		ap.SubmittedAt, _ = store.ParseTime(sub.String)
	}
	return ap, nil
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

// reportingChildren are the units under u during period p that report the
// form themselves (the communes of a district before 2025): u's report
// consolidates theirs.
func (f *Form) reportingChildren(g *units.Graph, u *units.Unit, p Period) []*units.Unit {
	var out []*units.Unit
	for _, c := range g.Children(u, p.End().Time(time.UTC)) {
		if f.reports(c.Level) {
			out = append(out, c)
		}
	}
	return out
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
		return eachRow(ctx, q, `SELECT form_id, unit_id, period FROM stat_approvals WHERE status IN ('submitted', 'approved', 'accepted') AND `+where,
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
