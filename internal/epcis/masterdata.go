package epcis

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/vntext"
)

// The traceability master data (organisations, their places, products,
// lots and certifications) lives beside the events it describes, in this
// package: capture records the operator's organisation with each event,
// queries limit an operator to what its organisation may see, and the
// WD_ parameters descend the location hierarchy, all in one SQL database.
//
// Who may do what: an actor holding trace.manage (an administrator of the
// whole tree) or trace.capture on the whole tree (a provincial trace
// officer) manages every organisation's places, products and lots and sees
// every event; only the first registers organisations and their members
// (manageAll). A trace operator
// manages the data of the organisation it is a member of (trace_members)
// and sees that organisation's events and the events next to them.

// Access is what an actor is in the traceability domain.
type Access struct {
	Admin bool  // manages every organisation's master data, sees every event
	Org   int64 // the organisation it works for; 0 for none
}

// AccessOf returns the actor's access; an actor that is neither an
// administrator nor a member of an organisation is refused.
func (s *Service) AccessOf(ctx context.Context, a *identity.Actor) (Access, error) {
	if a == nil {
		return Access{}, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	_, manageAll := a.Scope(identity.PermTraceManage)
	units, captureAll := a.Scope(identity.PermTraceCapture)
	acc := Access{Admin: manageAll || captureAll}
	if !acc.Admin && len(units) == 0 {
		return acc, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	if a.User != nil {
		org, err := s.MemberOrg(ctx, a.User.ID)
		if err != nil {
			return acc, err
		}
		acc.Org = org
	}
	if !acc.Admin && acc.Org == 0 {
		return acc, egov.Errorf(egov.EFORBIDDEN, "trace.error.no_organisation")
	}
	return acc, nil
}

// manage checks that the actor may change the data of organisation org.
func (s *Service) manage(ctx context.Context, a *identity.Actor, org int64) (Access, error) {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return acc, err
	}
	if !acc.Admin && acc.Org != org {
		return acc, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	return acc, nil
}

// MemberOrg is the organisation a user works for, 0 for none.
func (s *Service) MemberOrg(ctx context.Context, userID int64) (int64, error) {
	var org int64
	err := s.db.QueryRowContext(ctx, `SELECT org_id FROM trace_members WHERE user_id = ?`, userID).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return org, err
}

// SetMember makes a user an operator of an organisation (replacing any
// earlier organisation); administrators only. The change is audited.
func (s *Service) SetMember(ctx context.Context, a *identity.Actor, userID, org int64) error {
	if err := s.manageAll(ctx, a); err != nil {
		return err
	}
	o, err := s.Organisation(ctx, org)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM trace_members WHERE user_id = ?`, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO trace_members (user_id, org_id, created_at) VALUES (?, ?, ?)`,
			userID, org, store.FormatTime(s.Now()))
		if err != nil {
			return err
		}
		if err := dropSubscriptions(ctx, tx, userID, org); err != nil {
			return err
		}
		return s.auditMember(ctx, tx, a, "trace.member.set", userID, fmt.Sprintf("thành viên của %s (%s)", o.Name, o.Code))
	})
}

// RemoveMember ends a user's membership of its organisation;
// administrators only. The change is audited.
func (s *Service) RemoveMember(ctx context.Context, a *identity.Actor, userID int64) error {
	if err := s.manageAll(ctx, a); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM trace_members WHERE user_id = ?`, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = egov.Errorf(egov.ENOTFOUND, "error.not_found")
			}
			return err
		}
		if err := dropSubscriptions(ctx, tx, userID, 0); err != nil {
			return err
		}
		return s.auditMember(ctx, tx, a, "trace.member.remove", userID, "thôi là thành viên tổ chức truy xuất")
	})
}

// dropSubscriptions deletes the webhook subscriptions a user made for an
// organisation other than keep (0: any), in the transaction that takes the
// user out of it: they would otherwise go on queuing deliveries that the
// delivery's own access check refuses.
func dropSubscriptions(ctx context.Context, tx *store.Tx, userID, keep int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM epcis_subscriptions WHERE user_id = ? AND org_id IS NOT NULL AND org_id <> ?`,
		userID, keep)
	return err
}

func (s *Service) auditMember(ctx context.Context, tx *store.Tx, a *identity.Actor, action string, userID int64, summary string) error {
	var username string
	if err := tx.QueryRowContext(ctx, `SELECT username FROM users WHERE id = ?`, userID).Scan(&username); err != nil {
		return notFound(err)
	}
	return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: action,
		ObjectType: "user", ObjectID: fmt.Sprint(userID), Summary: username + ": " + summary})
}

// Member is a user who records events for an organisation.
type Member struct {
	UserID   int64     `json:"user_id"`
	Username string    `json:"username"`
	FullName string    `json:"full_name"`
	OrgID    int64     `json:"org_id"`
	Since    time.Time `json:"since"`
}

// OrgMembers lists every organisation's operators, by organisation and
// name; administrators only.
func (s *Service) OrgMembers(ctx context.Context, a *identity.Actor) ([]Member, error) {
	if err := s.manageAll(ctx, a); err != nil {
		return nil, err
	}
	return queryAll(ctx, s.db, func(row interface{ Scan(...any) error }) (Member, error) {
		var m Member
		var since string
		err := row.Scan(&m.UserID, &m.Username, &m.FullName, &m.OrgID, &since)
		m.Since, _ = store.ParseTime(since)
		return m, err
	}, `SELECT u.id, u.username, u.full_name, m.org_id, m.created_at FROM trace_members m JOIN users u ON u.id = m.user_id
		ORDER BY m.org_id, u.username`)
}

// manageAll checks that the actor administers the chains: trace.manage on
// the whole tree. Capturing on the whole tree (a provincial trace officer)
// is not enough to register organisations or to choose who records events
// in their name.
func (s *Service) manageAll(ctx context.Context, a *identity.Actor) error {
	if _, err := s.AccessOf(ctx, a); err != nil {
		return err
	}
	if _, all := a.Scope(identity.PermTraceManage); !all {
		return egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	return nil
}

// CanManageAll reports whether the actor administers the chains
// (organisations and their members).
func (s *Service) CanManageAll(ctx context.Context, a *identity.Actor) bool {
	return s.manageAll(ctx, a) == nil
}

// readOrg is the organisation a list is read for: master data is public,
// so any trace actor may read any organisation's; 0 means its own.
func (s *Service) readOrg(ctx context.Context, a *identity.Actor, org int64) (int64, Access, error) {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return 0, acc, err
	}
	if org == 0 {
		org = acc.Org
	}
	if org == 0 {
		return 0, acc, egov.FieldError("org", "trace.error.org_required")
	}
	return org, acc, nil
}

// ownerOrg resolves the organisation a new record belongs to: an
// operator's own, or for an administrator the one given.
func (s *Service) ownerOrg(ctx context.Context, a *identity.Actor, org int64) (int64, error) {
	org, acc, err := s.readOrg(ctx, a, org)
	if err != nil {
		return 0, err
	}
	if !acc.Admin && org != acc.Org {
		return 0, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	return org, nil
}

// refPattern is a reference inside the provincial scheme: GS1 character
// set 82 without the characters a path would need escaped, 1–20 long.
var refPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,20}$`)

// lotPattern is a lot number: GS1 character set 82, 1–20 characters.
func validLot(s string) bool { return s != "" && len(s) <= 20 && inCharset('X', s) }

// text tidies a name typed in a form: NFC, single spaces.
func text(s string) string { return strings.Join(strings.Fields(vntext.NFC(s)), " ") }

// ParseDay parses a local date (YYYY-MM-DD).
func ParseDay(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// nullID is an optional reference: NULL for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func floatPtr(n sql.NullFloat64) *float64 {
	if !n.Valid {
		return nil
	}
	return &n.Float64
}

// gs1Identifier is the canonical Digital Link of a GS1 key given as its AI
// and value, checked (check digit, length).
func gs1Identifier(ai, value string) (string, bool) {
	k, err := ParseDigitalLink(GS1Domain + "/" + ai + "/" + value)
	if err != nil {
		return "", false
	}
	return k.DigitalLink(), true
}

// provincial is the canonical provincial URI of p; false when the
// repository has no provincial base or p is malformed.
func (s *Service) provincial(p ProvincialID) (string, bool) {
	pv := s.Parser.IDs.Provincial
	if pv.Base == "" {
		return "", false
	}
	id, ok, err := pv.Parse(pv.URI(p))
	if !ok || err != nil {
		return "", false
	}
	return pv.URI(id), true
}

// notFound is the error of a missing master-data record.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return egov.Errorf(egov.ENOTFOUND, "error.not_found")
	}
	return err
}

// conflict turns a unique violation into a conflict about field.
func conflict(err error, field, key string) error {
	if store.IsUniqueViolation(err) {
		e := egov.FieldError(field, key)
		e.Code = egov.ECONFLICT
		return e
	}
	return err
}
