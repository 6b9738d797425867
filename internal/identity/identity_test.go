package identity_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"egov"
	"egov/internal/demo"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/units"
)

type fixture struct {
	ctx   context.Context
	db    *store.DB
	us    *units.Service
	ids   *identity.Service
	g     *units.Graph
	today time.Time
	clock time.Time
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{ctx: context.Background(), db: db, clock: time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC)}
	f.us = units.NewService(db)
	f.us.Now = func() time.Time { return f.clock }
	if err := demo.LoadUnits(f.ctx, f.us); err != nil {
		t.Fatal(err)
	}
	f.ids = identity.NewService(db, f.us)
	f.ids.Now = func() time.Time { return f.clock }
	f.g, _ = f.us.Graph(f.ctx)
	f.today = f.us.Today()
	return f
}

func (f *fixture) unit(code string) int64 { return f.g.At(code, f.today).ID }

func (f *fixture) officer(t *testing.T, name string, role identity.Role, unitID int64) *identity.Actor {
	t.Helper()
	u, err := f.ids.CreateOfficer(f.ctx, identity.SystemActor, identity.NewUser{Username: name, FullName: "Cán bộ " + name, Password: "mat-khau-dai"}, role, unitID)
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.ids.ActorFor(f.ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func code(err error) string { return egov.ErrorCode(err) }

// TestPolicyMatrix walks the whole policy table: every role, every
// permission, on the grant's own unit, on a predecessor merged into it, on
// another commune, and on the whole tree.
func TestPolicyMatrix(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		anThanh := f.unit("31615")
		other := f.unit("31633")
		merged := f.g.At("31618", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)).ID
		all := []identity.Permission{identity.PermUsersManage, identity.PermAuditRead, identity.PermCalendarManage, identity.PermUnitsManage, identity.PermProceduresManage,
			identity.PermDossierRead, identity.PermDossierReceive, identity.PermDossierProcess, identity.PermDossierApprove, identity.PermPaymentsRead, identity.PermDossierStats,
			identity.PermStatsEnter, identity.PermStatsApprove, identity.PermStatsAnalyse, identity.PermTraceCapture, identity.PermTraceManage, identity.PermPersonalDataRead}
		for _, role := range identity.Roles {
			local := f.officer(t, "local."+string(role), role, anThanh)
			global := f.officer(t, "global."+string(role), role, 0)
			for _, p := range all {
				has := false
				for _, q := range identity.Policy[role] {
					has = has || q == p
				}
				wholeTree := p == identity.PermCalendarManage || p == identity.PermUnitsManage || p == identity.PermProceduresManage || p == identity.PermTraceManage
				check := func(a *identity.Actor, unitID int64, want bool, where string) {
					err := f.ids.Can(f.ctx, a, p, unitID)
					if (err == nil) != want {
						t.Errorf("%s %s on %s: %v, want allowed=%v", a.Name(), p, where, err, want)
					}
					if err != nil && code(err) != egov.EFORBIDDEN {
						t.Errorf("%s %s on %s: code %s, want forbidden", a.Name(), p, where, code(err))
					}
				}
				check(local, anThanh, has && !wholeTree, "own unit")
				check(local, merged, has && !wholeTree, "a predecessor")
				check(local, other, false, "another commune")
				check(local, 0, false, "the whole tree")
				check(global, other, has, "any unit")
				check(global, 0, has, "the whole tree")
			}
		}
		if err := f.ids.Can(f.ctx, nil, identity.PermDossierRead, anThanh); code(err) != egov.EUNAUTHORIZED {
			t.Errorf("anonymous: %v", err)
		}
	})
}

func TestLeaderOfCanThoSeesMergedCommunes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		leader := f.officer(t, "lanhdao.92", identity.RoleLeader, f.unit("92"))
		commune := f.officer(t, "lanhdao.31615", identity.RoleLeader, f.unit("31615"))
		oldCommune := f.g.At("31627", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)).ID // Đại Ân 1 → Cù Lao Dung 31633
		if err := f.ids.Can(f.ctx, leader, identity.PermDossierRead, oldCommune); err != nil {
			t.Errorf("leader of 92 on an old commune: %v", err)
		}
		if err := f.ids.Can(f.ctx, commune, identity.PermDossierRead, oldCommune); err == nil {
			t.Error("leader of 31615 may read a record of a commune merged into 31633")
		}
	})
}

func TestAdminsManageOnlyTheirSubtree(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		admin := f.officer(t, "quantri.31615", identity.RoleAdmin, f.unit("31615"))
		f.officer(t, "chuyenvien.31633", identity.RoleSpecialist, f.unit("31633"))
		nu := identity.NewUser{Username: "motcua.x", FullName: "Nguyễn Văn A", Password: "mat-khau-dai"}
		if _, err := f.ids.CreateOfficer(f.ctx, admin, nu, identity.RoleReceiver, f.unit("31633")); code(err) != egov.EFORBIDDEN {
			t.Fatalf("creating an officer in another commune: %v", err)
		}
		u, err := f.ids.CreateOfficer(f.ctx, admin, nu, identity.RoleReceiver, f.unit("31615"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.ids.AddGrant(f.ctx, admin, u.ID, identity.RoleLeader, 0); code(err) != egov.EFORBIDDEN {
			t.Fatalf("granting on the whole tree: %v", err)
		}
		if _, err := f.ids.AddGrant(f.ctx, admin, u.ID, identity.RoleReceiver, f.unit("31615")); code(err) != egov.ECONFLICT {
			t.Fatalf("the same grant twice: %v", err)
		}
		list, err := f.ids.ListUsers(f.ctx, admin, "")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, v := range list {
			names = append(names, v.Username)
		}
		if len(names) != 2 || names[0] != "motcua.x" && names[1] != "motcua.x" {
			t.Fatalf("admin of 31615 lists %v, want itself and motcua.x", names)
		}
		other, _ := f.ids.UserByName(f.ctx, "chuyenvien.31633")
		if _, err := f.ids.GetUser(f.ctx, admin, other.ID); code(err) != egov.ENOTFOUND {
			t.Fatalf("reading an officer of another commune: %v", err)
		}
		// Nor can the administrator pull that officer into its own unit.
		if _, err := f.ids.AddGrant(f.ctx, admin, other.ID, identity.RoleReceiver, f.unit("31615")); code(err) != egov.ENOTFOUND {
			t.Fatalf("granting a role to an officer of another commune: %v", err)
		}
		// A grant is removed only through its own user.
		mine, _ := f.ids.GetUser(f.ctx, admin, u.ID)
		if err := f.ids.RemoveGrant(f.ctx, admin, other.ID, mine.Grants[0].ID); code(err) != egov.ENOTFOUND {
			t.Fatalf("removing a grant through another user: %v", err)
		}
		if err := f.ids.RemoveGrant(f.ctx, admin, u.ID, mine.Grants[0].ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRegisterCitizen(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		nu := identity.NewUser{Username: "congdan.a", FullName: "  Trần   Thị Bé ", CitizenID: "094185000123", Phone: "0912345678", Email: "be@example.vn", Password: "mat-khau-dai"}
		u, err := f.ids.Register(f.ctx, nu)
		if err != nil {
			t.Fatal(err)
		}
		if u.FullName != "Trần Thị Bé" || u.Kind != identity.Citizen {
			t.Fatalf("registered %+v", u)
		}
		nu.Username = "congdan.b"
		_, err = f.ids.Register(f.ctx, nu)
		var e *egov.Error
		if !errors.As(err, &e) || e.Field != "citizen_id" {
			t.Fatalf("the same citizen ID twice: %v", err)
		}
		for field, bad := range map[string]identity.NewUser{
			"citizen_id": {Username: "x.1", FullName: "A", CitizenID: "999185000123", Phone: "0912345678", Password: "mat-khau-dai"},
			"phone":      {Username: "x.2", FullName: "A", CitizenID: "094185000124", Phone: "12345", Password: "mat-khau-dai"},
			"email":      {Username: "x.3", FullName: "A", CitizenID: "094185000125", Phone: "0912345678", Email: "khong-hop-le", Password: "mat-khau-dai"},
			"password":   {Username: "x.4", FullName: "A", CitizenID: "094185000126", Phone: "0912345678", Password: "ngan"},
			"username":   {Username: "X Y", FullName: "A", CitizenID: "094185000127", Phone: "0912345678", Password: "mat-khau-dai"},
		} {
			_, err := f.ids.Register(f.ctx, bad)
			if !errors.As(err, &e) || e.Field != field || e.Code != egov.EINVALID {
				t.Errorf("bad %s: %v", field, err)
			}
		}
		// A citizen cannot be given an officer's role.
		if _, err := f.ids.AddGrant(f.ctx, identity.SystemActor, u.ID, identity.RoleReceiver, f.unit("31615")); err == nil {
			t.Error("a citizen was granted a role")
		}
	})
}

func TestSignInIsSlowedThenLocked(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.officer(t, "motcua.31615", identity.RoleReceiver, f.unit("31615"))
		if _, err := f.ids.Authenticate(f.ctx, "motcua.31615", "mat-khau-dai"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.ids.Authenticate(f.ctx, "khong-co", "x"); code(err) != egov.EUNAUTHORIZED {
			t.Fatalf("unknown user: %v", err)
		}
		fail := func() error {
			_, err := f.ids.Authenticate(f.ctx, "motcua.31615", "sai")
			return err
		}
		for i := 0; i < identity.SlowAfter; i++ {
			if err := fail(); code(err) != egov.EUNAUTHORIZED {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		// Slowed: even the right password is refused until the wait is over.
		if _, err := f.ids.Authenticate(f.ctx, "motcua.31615", "mat-khau-dai"); code(err) != egov.ETOOMANY {
			t.Fatalf("right password while slowed: %v", err)
		}
		for i := identity.SlowAfter; i < identity.LockAfter; i++ {
			f.clock = f.clock.Add(20 * time.Minute)
			if err := fail(); code(err) != egov.EUNAUTHORIZED {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		f.clock = f.clock.Add(10 * time.Minute)
		if _, err := f.ids.Authenticate(f.ctx, "motcua.31615", "mat-khau-dai"); code(err) != egov.ETOOMANY {
			t.Fatalf("right password while locked: %v", err)
		}
		u, _ := f.ids.UserByName(f.ctx, "motcua.31615")
		if u.FailedLogins != identity.LockAfter || !u.LockedUntil.After(f.clock) {
			t.Fatalf("administrators should see the lock: %+v", u)
		}
		f.clock = f.clock.Add(identity.LockFor)
		if _, err := f.ids.Authenticate(f.ctx, "motcua.31615", "mat-khau-dai"); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		u, _ = f.ids.UserByName(f.ctx, "motcua.31615")
		if u.FailedLogins != 0 {
			t.Fatal("a successful sign-in did not reset the failures")
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		a := f.officer(t, "motcua.31615", identity.RoleReceiver, f.unit("31615"))
		tok, err := f.ids.NewSession(f.ctx, a.ID(), identity.APIToken)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.ids.ActorForToken(f.ctx, tok, identity.APIToken)
		if err != nil || got.ID() != a.ID() || len(got.Grants) != 1 {
			t.Fatalf("token: %+v %v", got, err)
		}
		if _, err := f.ids.ActorForToken(f.ctx, tok, identity.WebSession); err == nil {
			t.Fatal("an API token worked as a web session")
		}
		// The actor of a token carries every grant, in order, as the user's
		// actor does; and none when the user has none left.
		if _, err := f.ids.AddGrant(f.ctx, identity.SystemActor, a.ID(), identity.RoleLeader, f.unit("31603")); err != nil {
			t.Fatal(err)
		}
		want, err := f.ids.ActorFor(f.ctx, a.User)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := f.ids.ActorForToken(f.ctx, tok, identity.APIToken); err != nil || !slices.Equal(got.Grants, want.Grants) ||
			len(got.Grants) != 2 || got.User.Username != "motcua.31615" {
			t.Fatalf("token with two grants: %+v, want %+v: %v", got, want, err)
		}
		for _, g := range want.Grants {
			if err := f.ids.RemoveGrant(f.ctx, identity.SystemActor, a.ID(), g.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := f.ids.ActorForToken(f.ctx, tok, identity.APIToken); err != nil || len(got.Grants) != 0 || got.ID() != a.ID() {
			t.Fatalf("token without grants: %+v %v", got, err)
		}
		f.clock = f.clock.Add(identity.APITTL + time.Second)
		if _, err := f.ids.ActorForToken(f.ctx, tok, identity.APIToken); code(err) != egov.EUNAUTHORIZED {
			t.Fatalf("expired token: %v", err)
		}
		tok, _ = f.ids.NewSession(f.ctx, a.ID(), identity.WebSession)
		if err := f.ids.EndSession(f.ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := f.ids.ActorForToken(f.ctx, tok, identity.WebSession); err == nil {
			t.Fatal("a session worked after sign-out")
		}
	})
}

// A burst of parallel wrong passwords is counted in full, so it locks the
// account instead of slipping past the throttle.
func TestParallelFailuresAreAllCounted(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.officer(t, "motcua.31615", identity.RoleReceiver, f.unit("31615"))
		const n = 16
		codes := make(chan string, n)
		for i := 0; i < n; i++ {
			go func() {
				_, err := f.ids.Authenticate(f.ctx, "motcua.31615", "sai")
				codes <- code(err)
			}()
		}
		failed := 0
		for i := 0; i < n; i++ {
			if c := <-codes; c == egov.EUNAUTHORIZED {
				failed++
			} else if c != egov.ETOOMANY {
				t.Fatalf("attempt ended with %q", c)
			}
		}
		u, _ := f.ids.UserByName(f.ctx, "motcua.31615")
		if u.FailedLogins != failed {
			t.Fatalf("%d wrong passwords were checked, %d counted", failed, u.FailedLogins)
		}
		if failed >= identity.LockAfter && !u.LockedUntil.After(f.clock) {
			t.Fatalf("%d failures did not lock the account", failed)
		}
	})
}

// Two administrators granting the same role at once: one succeeds, the
// other is told the grant exists.
func TestConcurrentGrants(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		u, err := f.ids.CreateOfficer(f.ctx, identity.SystemActor, identity.NewUser{Username: "canbo", FullName: "Cán bộ", Password: "mat-khau-dai"}, identity.RoleReceiver, f.unit("31615"))
		if err != nil {
			t.Fatal(err)
		}
		codes := make(chan string, 6)
		for i := 0; i < 6; i++ {
			go func() {
				_, err := f.ids.AddGrant(f.ctx, identity.SystemActor, u.ID, identity.RoleLeader, 0)
				codes <- code(err)
			}()
		}
		ok := 0
		for i := 0; i < 6; i++ {
			switch c := <-codes; c {
			case "":
				ok++
			case egov.ECONFLICT:
			default:
				t.Fatalf("a concurrent grant ended with %q", c)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of 6 identical grants succeeded, want 1", ok)
		}
	})
}

// Administrators see citizen IDs masked only.
func TestUserViewsMaskTheCitizenID(t *testing.T) {
	db := storetest.SQLite(t)
	f := setup(t, db)
	if _, err := f.ids.Register(f.ctx, identity.NewUser{Username: "congdan", FullName: "Công Dân", CitizenID: "094185000123", Phone: "0912345678", Password: "mat-khau-dai"}); err != nil {
		t.Fatal(err)
	}
	vs, err := f.ids.ListUsers(f.ctx, identity.SystemActor, "cong dan")
	if err != nil || len(vs) != 1 {
		t.Fatalf("%d users, %v", len(vs), err)
	}
	if vs[0].CitizenID != "" || vs[0].MaskedCitizenID != "094•••••••23" {
		t.Fatalf("view carries %q / %q", vs[0].CitizenID, vs[0].MaskedCitizenID)
	}
}

// TestUnknownNamesAreThrottledLikeAccounts guesses at a real account and at
// a name that does not exist, step by step on the same clock: the answers
// must be the same, or repeated guesses would tell which accounts exist.
func TestUnknownNamesAreThrottledLikeAccounts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.officer(t, "motcua.31615", identity.RoleReceiver, f.unit("31615"))
		answer := func(name string) string {
			_, err := f.ids.Authenticate(f.ctx, name, "sai")
			return fmt.Sprintf("%s %v", code(err), err)
		}
		// Immediate retries, waits shorter and longer than the slowing, the
		// lock, and past the lock.
		steps := []time.Duration{0, 0, 0, 0, 500 * time.Millisecond, 2 * time.Second, 0, 5 * time.Second,
			20 * time.Minute, 20 * time.Minute, 20 * time.Minute, 20 * time.Minute, 20 * time.Minute,
			20 * time.Minute, 0, 10 * time.Minute, identity.LockFor, 0}
		start := f.clock
		var real []string
		for _, d := range steps {
			f.clock = f.clock.Add(d)
			real = append(real, answer("motcua.31615"))
		}
		f.clock = start
		for i, d := range steps {
			f.clock = f.clock.Add(d)
			if got := answer("Khong-Co-Ai"); got != real[i] {
				t.Fatalf("step %d: unknown name answered %q, the account %q", i+1, got, real[i])
			}
		}
		if !strings.Contains(strings.Join(real, "|"), string(egov.ETOOMANY)) {
			t.Fatalf("the steps never reached the throttle: %v", real)
		}
	})
}
