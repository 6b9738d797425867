package web

import (
	"net/http"
	"strings"
	"time"

	"egov"
	"egov/internal/units"
)

// maxSearchLen bounds the search text; unit names are short.
const maxSearchLen = 100

type unitsData struct {
	*page
	At      time.Time
	Today   bool
	Query   string
	Tree    []*unitNode
	Results []unitResult
	Count   int
}

// unitNode is a unit with its children on the chosen day, for the tree.
type unitNode struct {
	Unit     *units.Unit
	At       string
	Open     bool
	Children []*unitNode
}

// unitResult is a search hit with the path of its parents, root first.
type unitResult struct {
	Unit    *units.Unit
	Parents []*units.Unit
}

// parseAt reads the at parameter: a date, or today when absent.
func (h *handler) parseAt(r *http.Request) (time.Time, error) {
	s := strings.TrimSpace(r.URL.Query().Get("at"))
	if s == "" {
		return h.app.Units.Today(), nil
	}
	d, err := units.ParseDate(s)
	if err != nil || d.Year() < 1900 || d.Year() > 2199 {
		if len(s) > 40 {
			s = s[:40]
		}
		return time.Time{}, egov.Errorf(egov.EINVALID, "error.bad_date", s)
	}
	return d, nil
}

// unitsList shows the tree of units on a chosen day, or with q the units
// whose names contain q, accents and case ignored.
func (h *handler) unitsList(w http.ResponseWriter, r *http.Request) {
	at, err := h.parseAt(r)
	if err != nil {
		h.failBack(w, r, err, "/units")
		return
	}
	g, err := h.app.Units.Graph(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > maxSearchLen {
		q = q[:maxSearchLen]
	}
	d := &unitsData{page: h.newPage(r, "units.title", "units"), At: at, Today: at.Equal(h.app.Units.Today()), Query: q}
	if q != "" {
		for _, u := range g.Find(units.Query{At: at, Text: q, Limit: 200}) {
			anc := g.Ancestors(u, at)
			parents := make([]*units.Unit, len(anc))
			for i, p := range anc {
				parents[len(anc)-1-i] = p
			}
			d.Results = append(d.Results, unitResult{Unit: u, Parents: parents})
		}
		d.Count = len(d.Results)
	} else {
		iso := at.Format("2006-01-02")
		var build func(u *units.Unit, depth int) *unitNode
		build = func(u *units.Unit, depth int) *unitNode {
			d.Count++
			n := &unitNode{Unit: u, At: iso, Open: depth == 0}
			if depth < 16 {
				for _, c := range g.Children(u, at) {
					n.Children = append(n.Children, build(c, depth+1))
				}
			}
			return n
		}
		for _, root := range g.Roots(at) {
			d.Tree = append(d.Tree, build(root, 0))
		}
	}
	h.render(w, r, http.StatusOK, "units", d)
}
