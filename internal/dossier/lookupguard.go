package dossier

import (
	"sync"
	"time"
)

// The public lookup answers anyone holding a dossier code and the
// applicant's phone number. Codes are sequential and phone numbers have
// few digits, so failed lookups are counted, in this process, per code
// (someone guessing the phone number of one dossier) and per client
// address (someone trying many codes with one phone number), and refused
// for a while past a limit. The per-address limit is generous because
// everyone behind one proxy shares an address.
const (
	lookupWindow          = 10 * time.Minute
	lookupFailsPerCode    = 10
	lookupFailsPerAddress = 100
	lookupGuardMaxKeys    = 100_000 // beyond this, expired windows are swept
)

type lookupGuard struct {
	mu    sync.Mutex
	fails map[string]*failWindow
}

type failWindow struct {
	start time.Time
	n     int
}

// blocked reports whether lookups of code from client are refused now.
func (g *lookupGuard) blocked(client, code string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.count("c:"+code, now) >= lookupFailsPerCode ||
		client != "" && g.count("a:"+client, now) >= lookupFailsPerAddress
}

// failed counts a failed lookup of code from client.
func (g *lookupGuard) failed(client, code string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fails == nil {
		g.fails = map[string]*failWindow{}
	}
	if len(g.fails) >= lookupGuardMaxKeys {
		for k, w := range g.fails {
			if now.Sub(w.start) >= lookupWindow {
				delete(g.fails, k)
			}
		}
	}
	for _, k := range []string{"c:" + code, "a:" + client} {
		if k == "a:" {
			continue
		}
		w := g.fails[k]
		if w == nil || now.Sub(w.start) >= lookupWindow {
			w = &failWindow{start: now}
			g.fails[k] = w
		}
		w.n++
	}
}

func (g *lookupGuard) count(key string, now time.Time) int {
	w := g.fails[key]
	if w == nil || now.Sub(w.start) >= lookupWindow {
		return 0
	}
	return w.n
}
