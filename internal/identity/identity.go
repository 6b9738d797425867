// Package identity holds users (officers and citizens), the roles granted to
// officers on units, sign-in with throttling, sessions and API tokens, and
// the permission policy that every domain call checks.
package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"sort"
	"strings"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/store"
	"egov/internal/units"
	"egov/internal/vntext"
)

// Kind tells officers from citizens.
type Kind string

const (
	Officer Kind = "officer"
	Citizen Kind = "citizen"
)

// User is a person who signs in.
type User struct {
	ID           int64
	Username     string
	Kind         Kind
	FullName     string
	CitizenID    string // citizens only
	Phone        string
	Email        string
	Disabled     bool
	FailedLogins int
	LastFailedAt time.Time
	LockedUntil  time.Time
	CreatedAt    time.Time
	passwordHash string
}

// Grant is a role on a unit. UnitID 0 means the whole tree.
type Grant struct {
	ID     int64
	UserID int64
	Role   Role
	UnitID int64
}

// Actor is the identity a domain call acts for. Every call that acts for a
// person takes one, and the domain checks its permission.
type Actor struct {
	User   *User
	Grants []Grant
	System bool // the command line and background jobs: may do anything
}

// SystemActor acts for the command line.
var SystemActor = &Actor{System: true}

// Name is how the audit log names the actor.
func (a *Actor) Name() string {
	switch {
	case a == nil:
		return "anonymous"
	case a.System:
		return "system"
	default:
		return a.User.Username
	}
}

// ID is the acting user's id, 0 for the system.
func (a *Actor) ID() int64 {
	if a == nil || a.User == nil {
		return 0
	}
	return a.User.ID
}

// Service is the identity domain.
type Service struct {
	db    *store.DB
	units *units.Service
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// hash is HashPassword; tests replace it. It is called before a
	// transaction starts, never inside one: a hash takes tens of
	// milliseconds and every write of the process shares one writer.
	hash func(string) string
	// unknown throttles guesses at user names that do not exist.
	unknown unknownNames
}

// NewService returns the identity service.
func NewService(db *store.DB, us *units.Service) *Service {
	return &Service{db: db, units: us, Now: time.Now, hash: HashPassword}
}

func fieldErr(field, key string, args ...any) error { return egov.FieldError(field, key, args...) }

// Can returns nil when actor may use permission p on an object recorded on
// unit unitID (0: an action on the whole tree), and a forbidden or
// unauthorized error otherwise.
func (s *Service) Can(ctx context.Context, a *Actor, p Permission, unitID int64) error {
	if a == nil {
		return egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	if a.System {
		return nil
	}
	var g *units.Graph
	for _, gr := range a.Grants {
		if !roleHas(gr.Role, p) {
			continue
		}
		if gr.UnitID == 0 {
			return nil
		}
		if unitID == 0 || wholeTreeOnly[p] {
			continue
		}
		if g == nil {
			var err error
			if g, err = s.units.Graph(ctx); err != nil {
				return err
			}
		}
		if g.Covers(gr.UnitID, unitID, s.units.Today()) {
			return nil
		}
	}
	return egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
}

// canAny returns nil when actor holds permission p on at least one unit.
func (s *Service) canAny(a *Actor, p Permission) error {
	if a == nil {
		return egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	if ids, all := a.Scope(p); all || len(ids) > 0 {
		return nil
	}
	return egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
}

// Scope returns the units on which actor holds permission p: nil with all
// true for a grant on the whole tree.
func (a *Actor) Scope(p Permission) (unitIDs []int64, all bool) {
	if a == nil {
		return nil, false
	}
	if a.System {
		return nil, true
	}
	for _, g := range a.Grants {
		if roleHas(g.Role, p) {
			if g.UnitID == 0 {
				return nil, true
			}
			unitIDs = append(unitIDs, g.UnitID)
		}
	}
	return unitIDs, false
}

// --- users ---

// NewUser is the input for creating a user.
type NewUser struct {
	Username  string
	Kind      Kind
	FullName  string
	CitizenID string
	Phone     string
	Email     string
	Password  string
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)
var phonePattern = regexp.MustCompile(`^(\+84|0)[0-9]{9,10}$`)

// ValidPhone reports whether s (without spaces) is a Vietnamese phone
// number: 0 or +84 and 9–10 digits.
func ValidPhone(s string) bool { return phonePattern.MatchString(s) }

func (s *Service) validate(nu *NewUser) error {
	nu.Username = strings.ToLower(strings.TrimSpace(nu.Username))
	nu.FullName = strings.Join(strings.Fields(vntext.NFC(nu.FullName)), " ")
	nu.Phone = strings.ReplaceAll(strings.TrimSpace(nu.Phone), " ", "")
	nu.Email = strings.TrimSpace(nu.Email)
	nu.CitizenID = strings.TrimSpace(nu.CitizenID)
	if !usernamePattern.MatchString(nu.Username) {
		return fieldErr("username", "user.username_invalid")
	}
	if nu.FullName == "" || len(nu.FullName) > 200 {
		return fieldErr("full_name", "user.full_name_required")
	}
	if nu.Kind != Officer && nu.Kind != Citizen {
		return fieldErr("kind", "user.kind_invalid")
	}
	if nu.Kind == Citizen || nu.CitizenID != "" {
		if _, err := ParseCitizenID(nu.CitizenID, s.Now()); err != nil {
			return err
		}
	}
	if nu.Phone != "" && !phonePattern.MatchString(nu.Phone) {
		return fieldErr("phone", "user.phone_invalid")
	}
	if nu.Kind == Citizen && nu.Phone == "" {
		return fieldErr("phone", "user.phone_required")
	}
	if nu.Email != "" {
		if a, err := mail.ParseAddress(nu.Email); err != nil || a.Address != nu.Email || len(nu.Email) > 254 {
			return fieldErr("email", "user.email_invalid")
		}
	}
	return validatePassword(nu.Password)
}

// Register creates a citizen's account (tự đăng ký).
func (s *Service) Register(ctx context.Context, nu NewUser) (*User, error) {
	nu.Kind = Citizen
	if err := s.validate(&nu); err != nil {
		return nil, err
	}
	hash := s.hashPassword(nu.Password)
	var u *User
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		u, err = s.insertUser(ctx, tx, nu, hash)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{ActorID: u.ID, ActorName: u.Username, Action: "user.register",
			ObjectType: "user", ObjectID: fmt.Sprint(u.ID), Summary: "công dân tự đăng ký tài khoản"})
	})
	return u, err
}

// CreateOfficer creates an officer with one first grant. The actor must be
// allowed to manage users on the grant's unit.
func (s *Service) CreateOfficer(ctx context.Context, a *Actor, nu NewUser, role Role, unitID int64) (*User, error) {
	nu.Kind = Officer
	if err := s.validate(&nu); err != nil {
		return nil, err
	}
	if err := s.checkGrantable(ctx, a, role, unitID); err != nil {
		return nil, err
	}
	hash := s.hashPassword(nu.Password)
	var u *User
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = s.insertUser(ctx, tx, nu, hash); err != nil {
			return err
		}
		code, err := s.unitCode(ctx, unitID)
		if err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "user.create",
			ObjectType: "user", ObjectID: fmt.Sprint(u.ID), UnitCode: code,
			Summary: fmt.Sprintf("tạo cán bộ %s (%s)", u.Username, u.FullName)}); err != nil {
			return err
		}
		_, err = s.insertGrant(ctx, tx, a, u, role, unitID)
		return err
	})
	return u, err
}

// insertUser inserts nu with its password already hashed (see Service.hash).
func (s *Service) insertUser(ctx context.Context, tx *store.Tx, nu NewUser, hash string) (*User, error) {
	now := s.Now().UTC()
	var cid any
	if nu.CitizenID != "" {
		cid = nu.CitizenID
	}
	u := &User{Username: nu.Username, Kind: nu.Kind, FullName: nu.FullName, CitizenID: nu.CitizenID,
		Phone: nu.Phone, Email: nu.Email, CreatedAt: now, passwordHash: hash}
	err := tx.QueryRowContext(ctx, `INSERT INTO users (username, kind, full_name, citizen_id, phone, email, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Username, string(u.Kind), u.FullName, cid, u.Phone, u.Email, u.passwordHash, store.FormatTime(now), store.FormatTime(now)).Scan(&u.ID)
	if store.IsUniqueViolation(err) {
		if strings.Contains(err.Error(), "citizen_id") {
			return nil, fieldErr("citizen_id", "user.citizen_id_taken")
		}
		return nil, fieldErr("username", "user.username_taken")
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

const userColumns = `id, username, kind, full_name, citizen_id, phone, email, password_hash, disabled, failed_logins, last_failed_at, locked_until, created_at`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var kind, created string
	var cid, lastFailed, locked sql.NullString
	var disabled int
	if err := row.Scan(&u.ID, &u.Username, &kind, &u.FullName, &cid, &u.Phone, &u.Email, &u.passwordHash,
		&disabled, &u.FailedLogins, &lastFailed, &locked, &created); err != nil {
		return nil, err
	}
	u.Kind, u.CitizenID, u.Disabled = Kind(kind), cid.String, disabled != 0
	u.CreatedAt, _ = store.ParseTime(created)
	if lastFailed.Valid {
		u.LastFailedAt, _ = store.ParseTime(lastFailed.String)
	}
	if locked.Valid {
		u.LockedUntil, _ = store.ParseTime(locked.String)
	}
	return &u, nil
}

// userByName returns the user or nil.
func (s *Service) userByName(ctx context.Context, q store.Querier, username string) (*User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, strings.ToLower(strings.TrimSpace(username))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return u, err
}

// UserByName returns a user by username (the command line, tests, and an
// administrator naming an account in a form).
func (s *Service) UserByName(ctx context.Context, username string) (*User, error) {
	u, err := s.userByName(ctx, s.db, username)
	if err == nil && u == nil {
		return nil, egov.Errorf(egov.ENOTFOUND, "user.not_found")
	}
	return u, err
}

// UserByID returns a user by id (not found: user.not_found), for pages
// that check their own permission first and for background work done on a
// user's behalf (a subscription's deliveries check that their subscriber
// still may see what they send).
func (s *Service) UserByID(ctx context.Context, id int64) (*User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, egov.Errorf(egov.ENOTFOUND, "user.not_found")
	}
	return u, err
}

func (s *Service) grantsOf(ctx context.Context, q store.Querier, userID int64) ([]Grant, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, user_id, role, unit_id FROM grants WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var gs []Grant
	for rows.Next() {
		var g Grant
		var role string
		var unit sql.NullInt64
		if err := rows.Scan(&g.ID, &g.UserID, &role, &unit); err != nil {
			return nil, err
		}
		g.Role, g.UnitID = Role(role), unit.Int64
		gs = append(gs, g)
	}
	return gs, rows.Err()
}

// ActorFor returns the actor of a user.
func (s *Service) ActorFor(ctx context.Context, u *User) (*Actor, error) {
	gs, err := s.grantsOf(ctx, s.db, u.ID)
	if err != nil {
		return nil, err
	}
	return &Actor{User: u, Grants: gs}, nil
}

// --- grants ---

// checkGrantable: the actor may give role on unitID when it may manage users
// there; a grant on the whole tree needs the actor's own whole-tree grant.
func (s *Service) checkGrantable(ctx context.Context, a *Actor, role Role, unitID int64) error {
	if !ValidRole(role) {
		return fieldErr("role", "grant.role_invalid")
	}
	if unitID != 0 {
		g, err := s.units.Graph(ctx)
		if err != nil {
			return err
		}
		u := g.ByID(unitID)
		if u == nil || !u.ValidAt(s.units.Today()) {
			return fieldErr("unit", "grant.unit_invalid")
		}
	}
	return s.Can(ctx, a, PermUsersManage, unitID)
}

// AddGrant gives user userID the role on unitID (0: whole tree).
func (s *Service) AddGrant(ctx context.Context, a *Actor, userID int64, role Role, unitID int64) (Grant, error) {
	if err := s.checkGrantable(ctx, a, role, unitID); err != nil {
		return Grant{}, err
	}
	// The user must be one the administrator manages, whatever the unit.
	view, err := s.GetUser(ctx, a, userID)
	if err != nil {
		return Grant{}, err
	}
	var gr Grant
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		gr, err = s.insertGrant(ctx, tx, a, view.User, role, unitID)
		return err
	})
	return gr, err
}

func (s *Service) insertGrant(ctx context.Context, tx *store.Tx, a *Actor, u *User, role Role, unitID int64) (Grant, error) {
	if u.Kind != Officer {
		return Grant{}, fieldErr("role", "grant.citizen")
	}
	code, err := s.unitCode(ctx, unitID)
	if err != nil {
		return Grant{}, err
	}
	var unit any
	if unitID != 0 {
		unit = unitID
	}
	gr := Grant{UserID: u.ID, Role: role, UnitID: unitID}
	if err := tx.QueryRowContext(ctx, `INSERT INTO grants (user_id, role, unit_id, created_at, created_by) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		u.ID, string(role), unit, store.FormatTime(s.Now()), nullable(a.ID())).Scan(&gr.ID); err != nil {
		if store.IsUniqueViolation(err) {
			return Grant{}, egov.Errorf(egov.ECONFLICT, "grant.exists")
		}
		return Grant{}, err
	}
	return gr, audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "grant.add",
		ObjectType: "user", ObjectID: fmt.Sprint(u.ID), UnitCode: code,
		Summary: fmt.Sprintf("cấp vai trò %s cho %s", role, u.Username)})
}

// RemoveGrant revokes grant grantID of user userID. The actor must manage
// users on the grant's unit.
func (s *Service) RemoveGrant(ctx context.Context, a *Actor, userID, grantID int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var gr Grant
		var role string
		var unit sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT id, user_id, role, unit_id FROM grants WHERE id = ? AND user_id = ?`,
			grantID, userID).Scan(&gr.ID, &gr.UserID, &role, &unit)
		if errors.Is(err, sql.ErrNoRows) {
			return egov.Errorf(egov.ENOTFOUND, "grant.not_found")
		}
		if err != nil {
			return err
		}
		gr.Role, gr.UnitID = Role(role), unit.Int64
		if err := s.Can(ctx, a, PermUsersManage, gr.UnitID); err != nil {
			return err
		}
		code, err := s.unitCode(ctx, gr.UnitID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM grants WHERE id = ?`, grantID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "grant.remove",
			ObjectType: "user", ObjectID: fmt.Sprint(gr.UserID), UnitCode: code,
			Summary: fmt.Sprintf("thu hồi vai trò %s", gr.Role)})
	})
}

func (s *Service) unitCode(ctx context.Context, unitID int64) (string, error) {
	if unitID == 0 {
		return "", nil
	}
	g, err := s.units.Graph(ctx)
	if err != nil {
		return "", err
	}
	if u := g.ByID(unitID); u != nil {
		return u.Code, nil
	}
	return "", fmt.Errorf("identity: no unit %d", unitID)
}

func nullable(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// UserView is a user as an administrator sees it: the citizen ID only
// masked (User.CitizenID is empty in a view).
type UserView struct {
	*User
	Grants          []Grant
	MaskedCitizenID string
}

func newView(u *User, gs []Grant) UserView {
	c := *u
	c.CitizenID, c.passwordHash = "", ""
	return UserView{User: &c, Grants: gs, MaskedCitizenID: MaskCitizenID(u.CitizenID)}
}

// manages reports whether an administrator with users.manage on the units
// scope (or on the whole tree) manages a user with these grants: one of
// the grants lies in the administrator's territory. Only whole-tree
// administrators manage citizens and officers without grants.
func manages(g *units.Graph, today time.Time, scope []int64, all bool, grants []Grant) bool {
	if all {
		return true
	}
	for _, gr := range grants {
		for _, sc := range scope {
			if gr.UnitID != 0 && g.Covers(sc, gr.UnitID, today) {
				return true
			}
		}
	}
	return false
}

// ListUsers returns the users an administrator manages (see manages),
// at most 5,000, those whose name or user name contains text.
func (s *Service) ListUsers(ctx context.Context, a *Actor, text string) ([]UserView, error) {
	scope, all := a.Scope(PermUsersManage)
	if !all && len(scope) == 0 {
		return nil, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY kind DESC, username LIMIT 5000`)
	if err != nil {
		return nil, err
	}
	var users []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		users = append(users, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	grants := map[int64][]Grant{}
	grows, err := s.db.QueryContext(ctx, `SELECT id, user_id, role, unit_id FROM grants ORDER BY id`)
	if err != nil {
		return nil, err
	}
	for grows.Next() {
		var g Grant
		var role string
		var unit sql.NullInt64
		if err := grows.Scan(&g.ID, &g.UserID, &role, &unit); err != nil {
			grows.Close()
			return nil, err
		}
		g.Role, g.UnitID = Role(role), unit.Int64
		grants[g.UserID] = append(grants[g.UserID], g)
	}
	grows.Close()
	if err := grows.Err(); err != nil {
		return nil, err
	}
	g, err := s.units.Graph(ctx)
	if err != nil {
		return nil, err
	}
	today := s.units.Today()
	folded := vntext.Fold(text)
	var out []UserView
	for _, u := range users {
		if folded != "" && !strings.Contains(vntext.Fold(u.FullName+" "+u.Username), folded) {
			continue
		}
		if manages(g, today, scope, all, grants[u.ID]) {
			out = append(out, newView(u, grants[u.ID]))
		}
	}
	return out, nil
}

// GetUser returns one user the administrator manages; not found for any
// other, so that an administrator cannot probe other units' users.
func (s *Service) GetUser(ctx context.Context, a *Actor, id int64) (UserView, error) {
	scope, all := a.Scope(PermUsersManage)
	if !all && len(scope) == 0 {
		return UserView{}, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	u, err := s.UserByID(ctx, id)
	if err != nil {
		return UserView{}, err
	}
	gs, err := s.grantsOf(ctx, s.db, id)
	if err != nil {
		return UserView{}, err
	}
	g, err := s.units.Graph(ctx)
	if err != nil {
		return UserView{}, err
	}
	if !manages(g, s.units.Today(), scope, all, gs) {
		return UserView{}, egov.Errorf(egov.ENOTFOUND, "user.not_found")
	}
	return newView(u, gs), nil
}

// Unlock clears a user's failed sign-ins and lock.
func (s *Service) Unlock(ctx context.Context, a *Actor, id int64) error {
	if _, err := s.GetUser(ctx, a, id); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, last_failed_at = NULL, locked_until = NULL WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "user.unlock",
			ObjectType: "user", ObjectID: fmt.Sprint(id), Summary: "mở khóa đăng nhập"})
	})
}

// SetPassword changes a user's password (the command line, or the user).
func (s *Service) SetPassword(ctx context.Context, a *Actor, id int64, password string) error {
	if !a.System && a.ID() != id {
		return egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	if err := validatePassword(password); err != nil {
		return err
	}
	hash := s.hashPassword(password)
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`,
			hash, store.FormatTime(s.Now()), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "user.password",
			ObjectType: "user", ObjectID: fmt.Sprint(id), Summary: "đổi mật khẩu"})
	})
}

// --- sign-in and sessions ---

// Sign-in throttling: after SlowAfter failures in a row, each further
// attempt must wait 2^(failures-SlowAfter) seconds after the last failure;
// after LockAfter failures the account is locked for LockFor. The waiting
// is enforced by refusing early attempts, never by sleeping.
const (
	SlowAfter = 3
	LockAfter = 10
	LockFor   = 15 * time.Minute
)

// hashing bounds how many password hashes run at once: each takes 19 MiB
// and most of a core for about 20 ms, so a burst of sign-ins must queue
// rather than exhaust the machine.
var hashing = make(chan struct{}, 4)

// hashPassword hashes a new password under the same bound as sign-ins.
func (s *Service) hashPassword(password string) string {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return s.hash(password)
}

func checkPassword(hash, password string) bool {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return CheckPassword(hash, password)
}

// Authenticate checks a user name and password and returns the actor. Wrong
// user names and wrong passwords get the same errors, throttling included.
//
// The counters are updated with single statements, so that parallel
// attempts cannot slip past the throttle: each failure increments the
// stored count, and while an account is slowed an attempt first claims the
// waiting window (moving last_failed_at to now), so only one attempt per
// window reaches the password check.
func (s *Service) Authenticate(ctx context.Context, username, password string) (*Actor, error) {
	now := s.Now().UTC()
	u, err := s.userByName(ctx, s.db, username)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, s.unknown.attempt(username, now, func() { checkPassword(dummyHash, password) })
	}
	if now.Before(u.LockedUntil) {
		return nil, egov.Errorf(egov.ETOOMANY, "signin.locked", ceilUnits(u.LockedUntil.Sub(now), time.Minute))
	}
	if u.FailedLogins >= SlowAfter {
		wait := slowWait(u.FailedLogins)
		res, err := s.db.ExecContext(ctx, `UPDATE users SET last_failed_at = ?
			WHERE id = ? AND (last_failed_at IS NULL OR last_failed_at <= ?)`,
			store.FormatTime(now), u.ID, store.FormatTime(now.Add(-wait)))
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			next := u.LastFailedAt.Add(wait)
			if next.Before(now) {
				next = now.Add(wait) // another attempt claimed this window just now
			}
			return nil, egov.Errorf(egov.ETOOMANY, "signin.slow", ceilUnits(next.Sub(now), time.Second))
		}
	}
	if !checkPassword(u.passwordHash, password) || u.Disabled {
		return nil, s.recordFailure(ctx, u, now)
	}
	if u.FailedLogins > 0 || !u.LockedUntil.IsZero() {
		if _, err := s.db.ExecContext(ctx, `UPDATE users SET failed_logins = 0, last_failed_at = NULL, locked_until = NULL WHERE id = ?`, u.ID); err != nil {
			return nil, err
		}
		u.FailedLogins, u.LockedUntil = 0, time.Time{}
	}
	return s.ActorFor(ctx, u)
}

// recordFailure counts a failed sign-in and locks the account at LockAfter
// failures; it returns the error to give the user.
func (s *Service) recordFailure(ctx context.Context, u *User, now time.Time) error {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var failed int
		if err := tx.QueryRowContext(ctx, `UPDATE users SET failed_logins = failed_logins + 1, last_failed_at = ?,
			locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END
			WHERE id = ? RETURNING failed_logins`,
			store.FormatTime(now), LockAfter, store.FormatTime(now.Add(LockFor)), u.ID).Scan(&failed); err != nil {
			return err
		}
		if failed == LockAfter {
			return audit.Append(ctx, tx, &audit.Entry{ActorName: "system", Action: "user.lock", ObjectType: "user",
				ObjectID: fmt.Sprint(u.ID), Summary: fmt.Sprintf("khóa đăng nhập %s sau %d lần sai", u.Username, failed)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return egov.Errorf(egov.EUNAUTHORIZED, "signin.failed")
}

// slowWait is how long after the last failure the next attempt must wait.
func slowWait(failed int) time.Duration {
	return time.Duration(1<<min(failed-SlowAfter, 10)) * time.Second
}

// ceilUnits is d in whole units, rounded up, at least 1: a 15-minute lock
// says "15 minutes", a wait of 1.2 s says "2 seconds".
func ceilUnits(d, unit time.Duration) int {
	n := int((d + unit - 1) / unit)
	return max(n, 1)
}

// Session kinds and lifetimes.
const (
	WebSession = "web"
	APIToken   = "api"
	WebTTL     = 12 * time.Hour
	APITTL     = 24 * time.Hour
)

// NewSession stores a session for the user and returns its secret token.
func (s *Service) NewSession(ctx context.Context, userID int64, kind string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	ttl := WebTTL
	if kind == APIToken {
		ttl = APITTL
	}
	now := s.Now()
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hashToken(token), userID, kind, store.FormatTime(now), store.FormatTime(now.Add(ttl)))
	return token, err
}

// ActorForToken returns the actor of a live session or token, or an
// unauthorized error.
func (s *Service) ActorForToken(ctx context.Context, token, kind string) (*Actor, error) {
	if token == "" || len(token) > 100 {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT u.id, u.username, u.kind, u.full_name, u.citizen_id, u.phone, u.email,
		u.password_hash, u.disabled, u.failed_logins, u.last_failed_at, u.locked_until, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.kind = ? AND s.expires_at > ?`, hashToken(token), kind, store.FormatTime(s.Now())))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	return s.ActorFor(ctx, u)
}

// EndSession deletes a session (sign-out).
func (s *Service) EndSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token))
	return err
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// OfficersWith returns the officers who hold permission p on unit unitID
// (through a grant whose territory covers it, or on the whole tree), by
// name. Domain services use it to offer a choice of officers, after
// checking that their own actor may make that choice.
func (s *Service) OfficersWith(ctx context.Context, p Permission, unitID int64) ([]*User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT u.id FROM users u JOIN grants g ON g.user_id = u.id
		WHERE u.kind = 'officer' AND u.disabled = 0`)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []*User
	for _, id := range ids {
		u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
		if err != nil {
			return nil, err
		}
		a, err := s.ActorFor(ctx, u)
		if err != nil {
			return nil, err
		}
		if s.Can(ctx, a, p, unitID) == nil {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return vntext.Compare(out[i].FullName, out[j].FullName) < 0 })
	return out, nil
}
