package web

import (
	"net/http"
	"time"

	"egov"
	"egov/internal/units"
)

type unitData struct {
	*page
	At           time.Time
	Unit         *units.Unit
	Parent       *units.Unit
	Ancestors    []*units.Unit // root first
	Children     []*units.Unit
	Predecessors []historyLink
	Successors   []historyLink
	Versions     []*units.Unit // other versions of the same code
}

// historyLink is a succession seen from one side: the other unit, the day it
// took effect, and the day to look at the other unit on.
type historyLink struct {
	Unit      *units.Unit
	Effective time.Time
	At        time.Time
}

// unitShow shows one unit on a day: where it sits, what is under it, and
// its history: the units it took over and the units that took it over.
func (h *handler) unitShow(w http.ResponseWriter, r *http.Request) {
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
	code := r.PathValue("code")
	if len(code) > 20 {
		code = code[:20]
	}
	u := g.At(code, at)
	if u == nil {
		h.unitMissing(w, r, g, code, at)
		return
	}
	d := &unitData{page: h.newPage(r, "unit.title", "units"), At: at, Unit: u, Parent: g.Parent(u, at), Children: g.Children(u, at)}
	d.Title = u.Name
	anc := g.Ancestors(u, at)
	for i := len(anc) - 1; i >= 0; i-- {
		d.Ancestors = append(d.Ancestors, anc[i])
	}
	for _, s := range g.Previous(u) {
		// A predecessor is shown on its last day, when it still existed.
		d.Predecessors = append(d.Predecessors, historyLink{Unit: s.From, Effective: s.Effective,
			At: s.From.LastDay(s.Effective.AddDate(0, 0, -1))})
	}
	for _, s := range g.Next(u) {
		d.Successors = append(d.Successors, historyLink{Unit: s.To, Effective: s.Effective, At: s.Effective})
	}
	for _, v := range g.Versions(u.Code) {
		if v.ID != u.ID {
			d.Versions = append(d.Versions, v)
		}
	}
	h.render(w, r, http.StatusOK, "unit", d)
}

type unitMissingData struct {
	*page
	Message  string
	Versions []*units.Unit
}

// unitMissing answers a code that names no unit on the day: 404, with the
// versions the code had on other days, if any.
func (h *handler) unitMissing(w http.ResponseWriter, r *http.Request, g *units.Graph, code string, at time.Time) {
	p := h.newPage(r, "error.title_not_found", "units")
	p.Status = http.StatusNotFound
	msg := h.message(r, egov.Errorf(egov.ENOTFOUND, "unit.not_found", code, at.Format("2006-01-02")))
	h.render(w, r, http.StatusNotFound, "unit_missing", &unitMissingData{page: p, Message: msg, Versions: g.Versions(code)})
}
