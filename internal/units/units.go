// Package units models administrative units (đơn vị hành chính) as an
// N-level tree that changes over time: units are created, renamed, moved,
// merged and abolished, and a GSO code names different units before and after
// a reorganisation (31615 was "Thị trấn Cù Lao Dung" until 30 June 2025 and is
// "Xã An Thạnh" from 1 July 2025).
//
// Each version of a unit is a row with a surrogate id, valid on
// [ValidFrom, ValidTo). Its parent is the unit that has its ParentCode at the
// same date. Successions record which unit took over a unit's territory and
// from when. Records made on a unit keep that unit's id; the Graph maps them
// forward to today's units (Successors) and answers which records a unit of
// today covers (Territory).
//
// The whole history is small (a few thousand rows for a province, tens of
// thousands for the country), so queries run on an immutable in-memory Graph
// that the Service reloads when the units change.
package units

import (
	"sort"
	"strings"
	"sync"
	"time"

	"egov/internal/vntext"
)

// Unit is one version of an administrative unit.
type Unit struct {
	ID         int64
	Code       string // GSO code: 2 digits province, 3 district, 5 commune
	Name       string // with its type word: "Xã An Thạnh"
	Type       string // "Tỉnh", "Thành phố Trung ương", "Huyện", "Xã", "Phường", ...
	Level      int    // 1 province, 2 district, 3 commune (as the source says)
	ParentCode string // "" for a root
	ValidFrom  time.Time
	ValidTo    time.Time // exclusive; zero while the unit exists

	folded string // " " + the folded name, for word-start search
}

// ValidAt reports whether this version exists on day d.
func (u *Unit) ValidAt(d time.Time) bool {
	return !d.Before(u.ValidFrom) && (u.ValidTo.IsZero() || d.Before(u.ValidTo))
}

// LastDay is the last day this version existed, or d when it still exists.
func (u *Unit) LastDay(d time.Time) time.Time {
	if u.ValidTo.IsZero() || d.Before(u.ValidTo) {
		return d
	}
	return u.ValidTo.AddDate(0, 0, -1)
}

// Succession says that From's territory passed (wholly or partly) to To on
// Effective.
type Succession struct {
	From, To  *Unit
	Effective time.Time
}

// Day returns the calendar day of t in Vietnam (UTC+7) as a date at midnight
// UTC, the form every date in this package has.
func Day(t time.Time) time.Time {
	y, m, d := t.In(vietnam).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var vietnam = time.FixedZone("ICT", 7*3600)

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (time.Time, error) { return time.Parse("2006-01-02", s) }

// Graph is an immutable snapshot of every unit and succession.
type Graph struct {
	byID     map[int64]*Unit
	byCode   map[string][]*Unit // versions ordered by ValidFrom
	children map[string][]*Unit // by parent code, every version, ordered by code
	next     map[int64][]Succession
	prev     map[int64][]Succession
	all      []*Unit // ordered by code, then ValidFrom

	territory sync.Map // territoryKey -> map[int64]bool
}

type territoryKey struct {
	id  int64
	day time.Time
}

func newGraph(us []*Unit, ss [][3]any) *Graph {
	g := &Graph{
		byID:     make(map[int64]*Unit, len(us)),
		byCode:   make(map[string][]*Unit, len(us)),
		children: make(map[string][]*Unit),
		next:     make(map[int64][]Succession),
		prev:     make(map[int64][]Succession),
	}
	sort.Slice(us, func(i, j int) bool {
		if us[i].Code != us[j].Code {
			return us[i].Code < us[j].Code
		}
		return us[i].ValidFrom.Before(us[j].ValidFrom)
	})
	g.all = us
	for _, u := range us {
		u.folded = " " + vntext.Fold(u.Name)
		g.byID[u.ID] = u
		g.byCode[u.Code] = append(g.byCode[u.Code], u)
		if u.ParentCode != "" {
			g.children[u.ParentCode] = append(g.children[u.ParentCode], u)
		}
	}
	for _, s := range ss {
		from, to := g.byID[s[0].(int64)], g.byID[s[1].(int64)]
		if from == nil || to == nil {
			continue
		}
		link := Succession{From: from, To: to, Effective: s[2].(time.Time)}
		g.next[from.ID] = append(g.next[from.ID], link)
		g.prev[to.ID] = append(g.prev[to.ID], link)
	}
	return g
}

// Len is the number of unit versions.
func (g *Graph) Len() int { return len(g.all) }

// ByID returns the version with this id, or nil.
func (g *Graph) ByID(id int64) *Unit { return g.byID[id] }

// At returns the unit that has code on day d, or nil.
func (g *Graph) At(code string, d time.Time) *Unit {
	for _, u := range g.byCode[code] {
		if u.ValidAt(d) {
			return u
		}
	}
	return nil
}

// Versions returns every version that ever had code, oldest first.
func (g *Graph) Versions(code string) []*Unit { return g.byCode[code] }

// Latest returns the newest version of code (which may have ended), or nil.
func (g *Graph) Latest(code string) *Unit {
	vs := g.byCode[code]
	if len(vs) == 0 {
		return nil
	}
	return vs[len(vs)-1]
}

// Parent returns u's parent on day d, or nil for a root.
func (g *Graph) Parent(u *Unit, d time.Time) *Unit {
	if u.ParentCode == "" {
		return nil
	}
	return g.At(u.ParentCode, d)
}

// Roots returns the units without a parent on day d.
func (g *Graph) Roots(d time.Time) []*Unit {
	var out []*Unit
	for _, u := range g.all {
		if u.ValidAt(d) && (u.ParentCode == "" || g.At(u.ParentCode, d) == nil) {
			out = append(out, u)
		}
	}
	return out
}

// Children returns u's children on day d, ordered by code.
func (g *Graph) Children(u *Unit, d time.Time) []*Unit {
	var out []*Unit
	for _, c := range g.children[u.Code] {
		if c.ValidAt(d) {
			out = append(out, c)
		}
	}
	return out
}

// Subtree returns u and every unit under it on day d, depth first.
func (g *Graph) Subtree(u *Unit, d time.Time) []*Unit {
	out := []*Unit{u}
	seen := map[int64]bool{u.ID: true} // imports refuse cycles; this guards the walk anyway
	for i := 0; i < len(out); i++ {
		for _, c := range g.Children(out[i], d) {
			if !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// Ancestors returns u's parent, grandparent, ... up to the root on day d.
func (g *Graph) Ancestors(u *Unit, d time.Time) []*Unit {
	var out []*Unit
	for p := g.Parent(u, d); p != nil && len(out) < 64; p = g.Parent(p, d) {
		out = append(out, p)
	}
	return out
}

// Next returns the successions out of u (who took over u's territory).
func (g *Graph) Next(u *Unit) []Succession { return g.next[u.ID] }

// Previous returns the successions into u (whose territory u took over).
func (g *Graph) Previous(u *Unit) []Succession { return g.prev[u.ID] }

// Successors returns the units of day d that hold u's territory: u itself if
// it still exists on d, else the units reached by following successions that
// took effect on or before d. An abolished unit without successors has none.
func (g *Graph) Successors(u *Unit, d time.Time) []*Unit {
	if u.ValidAt(d) {
		return []*Unit{u}
	}
	var out []*Unit
	seen := map[int64]bool{u.ID: true}
	queue := []*Unit{u}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, s := range g.next[x.ID] {
			if s.Effective.After(d) || seen[s.To.ID] {
				continue
			}
			seen[s.To.ID] = true
			if s.To.ValidAt(d) {
				out = append(out, s.To)
			} else {
				queue = append(queue, s.To)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Territory returns the ids of every unit version, of any date, whose
// territory lies within u on day d: u's subtree on d, the units u and its
// subtree took over, their subtrees on their last day, and so on back through
// history. A record made on any of these units is a record of u's territory:
// this is the set a role granted on u covers, and the set a report on u
// aggregates.
func (g *Graph) Territory(u *Unit, d time.Time) map[int64]bool {
	key := territoryKey{u.ID, d}
	if t, ok := g.territory.Load(key); ok {
		return t.(map[int64]bool)
	}
	set := map[int64]bool{}
	queue := []*Unit{}
	addTree := func(root *Unit, at time.Time) {
		for _, x := range g.Subtree(root, at) {
			if !set[x.ID] {
				set[x.ID] = true
				queue = append(queue, x)
			}
		}
	}
	addTree(u, u.LastDay(d))
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, s := range g.prev[x.ID] {
			if s.Effective.After(d) || set[s.From.ID] {
				continue
			}
			addTree(s.From, s.From.LastDay(s.Effective.AddDate(0, 0, -1)))
		}
	}
	g.territory.Store(key, set)
	return set
}

// Covers reports whether a record made on unit recordID lies within the
// territory of unit grantID on day d (see Territory).
func (g *Graph) Covers(grantID, recordID int64, d time.Time) bool {
	if grantID == recordID {
		return true
	}
	u := g.byID[grantID]
	if u == nil {
		return false
	}
	return g.Territory(u, d)[recordID]
}

// Query selects units for listing and search.
type Query struct {
	At     time.Time // required: the day whose structure is asked for
	Parent *Unit     // only units under this one (not the unit itself)
	Level  int       // only units of this level (0: any)
	Text   string    // words of the name start with this, ignoring accents and case
	Limit  int       // 0: no limit
}

// Find returns the units valid on q.At that match q, ordered by code.
func (g *Graph) Find(q Query) []*Unit {
	// Matching at word starts: "an thanh" finds "Xã An Thạnh" but not
	// "Xã Tân Thạnh".
	text := vntext.Fold(q.Text)
	if text != "" {
		text = " " + text
	}
	var in map[int64]bool
	if q.Parent != nil {
		in = map[int64]bool{}
		for _, x := range g.Subtree(q.Parent, q.At)[1:] {
			in[x.ID] = true
		}
	}
	var out []*Unit
	for _, u := range g.all {
		if !u.ValidAt(q.At) || (q.Level != 0 && u.Level != q.Level) || (in != nil && !in[u.ID]) {
			continue
		}
		if text != "" && !strings.Contains(u.folded, text) {
			continue
		}
		out = append(out, u)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out
}
