package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"egov"
	"egov/internal/identity"
)

func TestTokenFlow(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		u := fx.officer("thu.nguyen", "mat-khau-an-thanh", identity.RoleReceiver, "31615")
		if _, err := fx.app.Identity.AddGrant(context.Background(), identity.SystemActor, u.ID, identity.RoleStatistician, 0); err != nil {
			t.Fatal(err)
		}

		r := fx.do("POST", "/api/v1/auth/token", `{"username":"thu.nguyen","password":"mat-khau-an-thanh"}`)
		if r.Status != http.StatusOK {
			t.Fatalf("token: %d %s", r.Status, r.Body)
		}
		token, _ := r.JSON["token"].(string)
		if len(token) < 40 || r.JSON["token_type"] != "Bearer" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("token response %s, Cache-Control %q", r.Body, r.Header.Get("Cache-Control"))
		}
		if want := testNow.Add(identity.APITTL).Format(time.RFC3339); r.JSON["expires_at"] != want {
			t.Errorf("expires_at %v, want %s", r.JSON["expires_at"], want)
		}
		bearer := []string{"Authorization", "Bearer " + token}

		me := fx.get("/api/v1/me", bearer...)
		if me.Status != http.StatusOK || me.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("me: %d %s", me.Status, me.Body)
		}
		if me.JSON["username"] != "thu.nguyen" || me.JSON["full_name"] != "Nguyễn Thị Thu" || me.JSON["kind"] != "officer" {
			t.Errorf("me: %s", me.Body)
		}
		grants := list(me.JSON, "grants")
		if len(grants) != 2 ||
			grants[0]["role"] != "receiver" || grants[0]["unit_code"] != "31615" || grants[0]["unit_name"] != "Xã An Thạnh" ||
			grants[1]["role"] != "statistician" || grants[1]["unit_code"] != nil || grants[1]["unit_name"] != nil {
			t.Errorf("grants: %v", grants)
		}
		if grants[0]["role_name"] != "Một cửa (tiếp nhận)" {
			t.Errorf("role name: %v", grants[0]["role_name"])
		}
		if en := list(fx.ok("/api/v1/me?lang=en", bearer...), "grants"); en[0]["role_name"] != "One-stop receiver" {
			t.Errorf("role name in English: %v", en[0]["role_name"])
		}
		// The scheme is case-insensitive.
		if r := fx.get("/api/v1/me", "Authorization", "bearer "+token); r.Status != http.StatusOK {
			t.Errorf("lower-case scheme: %d", r.Status)
		}

		// Wrong password, unknown user: the same 401.
		for _, body := range []string{
			`{"username":"thu.nguyen","password":"wrong-password"}`,
			`{"username":"nobody","password":"mat-khau-an-thanh"}`,
		} {
			r := fx.do("POST", "/api/v1/auth/token", body)
			if code, _, _ := errorOf(r); r.Status != http.StatusUnauthorized || code != "unauthorized" {
				t.Errorf("%s: %d %s", body, r.Status, r.Body)
			}
		}

		// No token, a bad one, another scheme.
		for _, h := range [][]string{nil, {"Authorization", "Bearer nonsense"}, {"Authorization", "Basic " + token}, {"Authorization", "Bearer"}} {
			if r := fx.get("/api/v1/me", h...); r.Status != http.StatusUnauthorized {
				t.Errorf("me with %v: %d", h, r.Status)
			}
		}

		// Revoked, the token no longer works.
		if r := fx.do("DELETE", "/api/v1/auth/token", "", bearer...); r.Status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		if r := fx.get("/api/v1/me", bearer...); r.Status != http.StatusUnauthorized {
			t.Errorf("me after revoke: %d", r.Status)
		}
		if r := fx.do("DELETE", "/api/v1/auth/token", "", bearer...); r.Status != http.StatusUnauthorized {
			t.Errorf("revoke twice: %d", r.Status)
		}
		// A web session's token is not an API token.
		web, err := fx.app.Identity.NewSession(context.Background(), u.ID, identity.WebSession)
		if err != nil {
			t.Fatal(err)
		}
		if r := fx.get("/api/v1/me", "Authorization", "Bearer "+web); r.Status != http.StatusUnauthorized {
			t.Errorf("web session as API token: %d", r.Status)
		}
	})
}

// TestTokenThrottled: repeated failures get 429 with Retry-After, first
// for a few seconds, then for the lock.
func TestTokenThrottled(t *testing.T) {
	fx := sqliteFixture(t)
	fx.officer("bi.khoa", "dung-mat-khau", identity.RoleReceiver, "31615")
	now := testNow
	fx.app.Identity.Now = func() time.Time { return now }
	attempt := func(password string) *response {
		return fx.do("POST", "/api/v1/auth/token", `{"username":"bi.khoa","password":"`+password+`"}`)
	}
	for i := 1; i <= identity.SlowAfter; i++ {
		if r := attempt("sai"); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i, r.Status, r.Body)
		}
	}
	// The next attempt, at the same instant, must wait one second: even
	// with the right password.
	r := attempt("dung-mat-khau")
	if code, _, _ := errorOf(r); r.Status != http.StatusTooManyRequests || code != "too_many_requests" || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("throttled: %d Retry-After %q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	// Failing on, each after the wait, until the account locks.
	for i := identity.SlowAfter + 1; i <= identity.LockAfter; i++ {
		now = now.Add(time.Hour)
		if r := attempt("sai"); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i, r.Status, r.Body)
		}
	}
	r = attempt("dung-mat-khau")
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "900" {
		t.Fatalf("locked: %d Retry-After %q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	// After the lock, the right password works.
	now = now.Add(identity.LockFor)
	if r := attempt("dung-mat-khau"); r.Status != http.StatusOK {
		t.Errorf("after the lock: %d %s", r.Status, r.Body)
	}
}

func TestRetryAfter(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
		ok   bool
	}{
		{egov.Errorf(egov.ETOOMANY, "signin.slow", 8), 8, true},
		{egov.Errorf(egov.ETOOMANY, "signin.locked", 3), 180, true},
		{egov.Errorf(egov.ETOOMANY, "other.key", 3), 0, false},
		{egov.Errorf(egov.ETOOMANY, "signin.slow"), 0, false},
		{egov.Errorf(egov.ETOOMANY, "signin.slow", "x"), 0, false},
		{egov.Errorf(egov.EUNAUTHORIZED, "signin.failed"), 0, false},
		{context.Canceled, 0, false},
	} {
		if got, ok := retryAfter(c.err); got != c.want || ok != c.ok {
			t.Errorf("retryAfter(%v) = %d, %v", c.err, got, ok)
		}
	}
}
