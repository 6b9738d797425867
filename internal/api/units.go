package api

import (
	"net/http"
	"regexp"
	"time"
	"unicode/utf8"

	"egov"
	"egov/internal/units"
	"egov/internal/workcal"
)

// unitJSON is one version of an administrative unit.
type unitJSON struct {
	Code       string  `json:"code"`
	Name       string  `json:"name"`
	Type       string  `json:"type"`
	Level      int     `json:"level"`
	ParentCode *string `json:"parent_code"` // null for a root
	ValidFrom  string  `json:"valid_from"`
	ValidTo    *string `json:"valid_to"` // exclusive; null while the unit exists
}

func newUnitJSON(u *units.Unit) unitJSON {
	j := unitJSON{Code: u.Code, Name: u.Name, Type: u.Type, Level: u.Level, ValidFrom: formatDay(u.ValidFrom)}
	if u.ParentCode != "" {
		j.ParentCode = &u.ParentCode
	}
	if !u.ValidTo.IsZero() {
		to := formatDay(u.ValidTo)
		j.ValidTo = &to
	}
	return j
}

func unitList(us []*units.Unit) []unitJSON {
	out := make([]unitJSON, 0, len(us))
	for _, u := range us {
		out = append(out, newUnitJSON(u))
	}
	return out
}

// unitLink is a unit on the other side of a succession.
type unitLink struct {
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	ValidFrom string  `json:"valid_from"`
	ValidTo   *string `json:"valid_to"`
	Effective string  `json:"effective"` // the day the territory passed
}

func newUnitLink(u *units.Unit, effective time.Time) unitLink {
	j := newUnitJSON(u)
	return unitLink{Code: j.Code, Name: j.Name, ValidFrom: j.ValidFrom, ValidTo: j.ValidTo, Effective: formatDay(effective)}
}

// unitDetail is a unit with its place in the tree and in history.
type unitDetail struct {
	unitJSON
	Ancestors    []unitJSON `json:"ancestors"` // from the parent up to the root
	Children     []unitJSON `json:"children"`
	Predecessors []unitLink `json:"predecessors"`
	Successors   []unitLink `json:"successors"`
}

func formatDay(t time.Time) string { return t.Format("2006-01-02") }

// day turns a calendar date into the form of dates in package units.
func day(d workcal.Date) time.Time { return d.Time(time.UTC) }

// today is the current day in Vietnam.
func (h *handler) today() workcal.Date { return workcal.DateOf(h.app.Units.Today()) }

// codePattern is the form of a unit code (GSO codes have 2, 3 or 5 digits).
var codePattern = regexp.MustCompile(`^[0-9]{1,10}$`)

func unitCode(field, s string) (string, error) {
	if !codePattern.MatchString(s) {
		return "", egov.FieldError(field, "unit.bad_code", clip(s))
	}
	return s, nil
}

// Limits of a unit listing.
const (
	defaultUnitLimit = 1000
	maxUnitLimit     = 5000
	maxQueryLen      = 100
	maxLevel         = 10
)

// listUnits serves GET /api/v1/units. It browses or searches the tree of
// one day (at, default today):
//
//   - browsing, without q or level: the direct children of parent, or the
//     roots without parent, which is what a tree browser asks for;
//   - searching, with q (name without accents or case) or level: the units
//     of parent's whole subtree, or of the whole tree without parent.
func (h *handler) listUnits(w http.ResponseWriter, r *http.Request) error {
	at, err := dateParam(r, "at", h.today())
	if err != nil {
		return err
	}
	level, err := intParam(r, "level", 0, 1, maxLevel)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", defaultUnitLimit, 1, maxUnitLimit)
	if err != nil {
		return err
	}
	text := param(r, "q")
	if utf8.RuneCountInString(text) > maxQueryLen {
		return egov.FieldError("q", "error.too_long", "q", maxQueryLen)
	}
	g, err := h.app.Units.Graph(r.Context())
	if err != nil {
		return err
	}
	var parent *units.Unit
	if s := param(r, "parent"); s != "" {
		code, err := unitCode("parent", s)
		if err != nil {
			return err
		}
		if parent = g.At(code, day(at)); parent == nil {
			return &egov.Error{Code: egov.ENOTFOUND, Key: "unit.not_found", Args: []any{code, at.String()}, Field: "parent"}
		}
	}
	var list []*units.Unit
	switch {
	case text != "" || level != 0:
		list = g.Find(units.Query{At: day(at), Parent: parent, Level: level, Text: text, Limit: limit + 1})
	case parent != nil:
		list = g.Children(parent, day(at))
	default:
		list = g.Roots(day(at))
	}
	truncated := len(list) > limit
	if truncated {
		list = list[:limit]
	}
	writeJSON(w, http.StatusOK, struct {
		At        workcal.Date `json:"at"`
		Units     []unitJSON   `json:"units"`
		Truncated bool         `json:"truncated"`
	}{at, unitList(list), truncated})
	return nil
}

// unitAt returns the unit that has the code of the path on day d.
func (h *handler) unitAt(r *http.Request, g *units.Graph, d workcal.Date) (*units.Unit, error) {
	code, err := unitCode("code", r.PathValue("code"))
	if err != nil {
		return nil, err
	}
	u := g.At(code, day(d))
	if u == nil {
		return nil, egov.Errorf(egov.ENOTFOUND, "unit.not_found", code, d.String())
	}
	return u, nil
}

// getUnit serves GET /api/v1/units/{code}: the unit that has the code on
// day at (default today), its ancestors and children on that day, and the
// units it took over and that took it over.
func (h *handler) getUnit(w http.ResponseWriter, r *http.Request) error {
	at, err := dateParam(r, "at", h.today())
	if err != nil {
		return err
	}
	g, err := h.app.Units.Graph(r.Context())
	if err != nil {
		return err
	}
	u, err := h.unitAt(r, g, at)
	if err != nil {
		return err
	}
	d := unitDetail{
		unitJSON:     newUnitJSON(u),
		Ancestors:    unitList(g.Ancestors(u, day(at))),
		Children:     unitList(g.Children(u, day(at))),
		Predecessors: []unitLink{},
		Successors:   []unitLink{},
	}
	for _, s := range g.Previous(u) {
		d.Predecessors = append(d.Predecessors, newUnitLink(s.From, s.Effective))
	}
	for _, s := range g.Next(u) {
		d.Successors = append(d.Successors, newUnitLink(s.To, s.Effective))
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// unitSuccessors serves GET /api/v1/units/{code}/successors: the units of
// day at (default today) that hold the territory of the unit that had the
// code on day from (default: the newest unit that had the code). This is
// how a record made on an old unit finds its unit of today.
func (h *handler) unitSuccessors(w http.ResponseWriter, r *http.Request) error {
	at, err := dateParam(r, "at", h.today())
	if err != nil {
		return err
	}
	var from workcal.Date
	if s := param(r, "from"); s != "" {
		if from, err = parseDate("from", s); err != nil {
			return err
		}
	}
	g, err := h.app.Units.Graph(r.Context())
	if err != nil {
		return err
	}
	var u *units.Unit
	if from.IsZero() {
		code, err := unitCode("code", r.PathValue("code"))
		if err != nil {
			return err
		}
		if u = g.Latest(code); u == nil {
			return egov.Errorf(egov.ENOTFOUND, "unit.unknown_code", code)
		}
	} else if u, err = h.unitAt(r, g, from); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Unit       unitJSON     `json:"unit"`
		At         workcal.Date `json:"at"`
		Successors []unitJSON   `json:"successors"`
	}{newUnitJSON(u), at, unitList(g.Successors(u, day(at)))})
	return nil
}
