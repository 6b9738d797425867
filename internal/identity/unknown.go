package identity

import (
	"strings"
	"sync"
	"time"

	"egov"
)

// maxUnknownNames bounds how many unknown user names the throttle
// remembers; past it, names whose waits are over are forgotten first.
const maxUnknownNames = 10000

// unknownNames throttles sign-ins to user names that do not exist exactly
// as Authenticate throttles real accounts (slowed after SlowAfter failures,
// locked after LockAfter), so that the answers to repeated guesses do not
// tell which accounts exist. It lives in the process: an unknown name
// guessed through several processes is slowed by each on its own, which
// tells an attacker no more than the database's counters would.
type unknownNames struct {
	mu    sync.Mutex
	names map[string]*unknownName
}

type unknownName struct {
	failed      int
	lastFailed  time.Time
	lockedUntil time.Time
}

// attempt records a sign-in to the unknown name and returns the error that
// a real account in the same state would give.
func (t *unknownNames) attempt(username string, now time.Time, check func()) error {
	key := strings.ToLower(strings.TrimSpace(username))
	t.mu.Lock()
	if t.names == nil {
		t.names = map[string]*unknownName{}
	}
	n := t.names[key]
	if n == nil {
		t.forget(now)
		n = &unknownName{}
		t.names[key] = n
	}
	if now.Before(n.lockedUntil) {
		t.mu.Unlock()
		return egov.Errorf(egov.ETOOMANY, "signin.locked", ceilUnits(n.lockedUntil.Sub(now), time.Minute))
	}
	if n.failed >= SlowAfter {
		wait := slowWait(n.failed)
		if next := n.lastFailed.Add(wait); now.Before(next) {
			t.mu.Unlock()
			return egov.Errorf(egov.ETOOMANY, "signin.slow", ceilUnits(next.Sub(now), time.Second))
		}
		n.lastFailed = now // claim the window, as the real account does
	}
	t.mu.Unlock()

	// The hash runs outside the lock, as it does for a real account, so
	// that both take the same time.
	check()

	t.mu.Lock()
	defer t.mu.Unlock()
	n.failed++
	n.lastFailed = now
	if n.failed >= LockAfter {
		n.lockedUntil = now.Add(LockFor)
	}
	return egov.Errorf(egov.EUNAUTHORIZED, "signin.failed")
}

// forget makes room for a new name when the map is full: first the names
// whose lock and wait are over, then any. A forgotten name starts again
// from no failures, which a real account does not; reaching that takes
// ten thousand guesses at other names, each paying for a password hash.
func (t *unknownNames) forget(now time.Time) {
	if len(t.names) < maxUnknownNames {
		return
	}
	for k, n := range t.names {
		if now.After(n.lockedUntil) && now.After(n.lastFailed.Add(LockFor+slowWait(LockAfter))) {
			delete(t.names, k)
		}
	}
	for k := range t.names {
		if len(t.names) < maxUnknownNames {
			break
		}
		delete(t.names, k)
	}
}
