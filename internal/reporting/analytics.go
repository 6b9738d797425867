package reporting

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/units"
	"egov/internal/workcal"
)

// AnalyticsQuery asks for indicators (DX, entered or computed) over periods
// (PE) and units (OU) in the structure of day At.
//
// OU holds unit codes of At, and optionally LEVEL-n (the units of level n
// under the codes given, or under every root when none is) or CHILDREN (the
// children of the codes given); with either, the codes only bound the
// selection and are not answered for themselves.
type AnalyticsQuery struct {
	DX   []string
	PE   []string
	OU   []string
	At   time.Time // zero: today
	Lang string    // of the names
}

// Row is one aggregated value.
type Row struct {
	DX, PE, OU string
	Value      float64
}

// AnalyticsResult is the rows of a query, in the order of DX, PE and OU,
// with the names of what they refer to.
type AnalyticsResult struct {
	Rows  []Row
	Names map[string]string // indicator and unit codes → names
	Units []*units.Unit     // the units answered for, in order
}

// MaxCells bounds indicators × periods × units of one query.
const MaxCells = 200000

// raw is a stored value as analytics reads it: one of a unit version's
// values of an indicator (indValues.byUnit).
//
// It is kept small (24 bytes: the unit is the slice's, the combo an index
// into the indicator's combos), as analytics keeps every value of the
// indicators it was asked about in memory.
type raw struct {
	num        float64
	start, end workcal.Date // the period's first and last days
	combo      uint32       // indValues.combos[combo]
}

// chunk is a unit version's values of an indicator.
type chunk struct {
	unit int64
	vals []raw
}

// Analytics aggregates the stored values, read at the time of the call, so a
// value saved is in the next answer.
//
// For indicator I, period P and unit U of day At, the values counted are
// those of I for a period within P on any unit version in U's territory on
// At (units.Graph.Territory: data of communes merged since count under
// their successor). They combine:
//
//   - over time, per unit version and combo: sum adds; last takes the value
//     of the latest period (a unit version replaced within P by a successor
//     that has data for P is left out, so that a stock is not counted twice
//     across a merger); none needs exactly one value; average first sums
//     over units and combos per period, then averages those sums;
//   - over unit versions: sum adds; average takes the mean; none needs
//     exactly one unit version with data.
//
// A computed indicator is its numerator's aggregate over its denominator's,
// times its factor: never an aggregate of rates. The actor needs
// stats.analyse on every unit answered.
func (s *Service) Analytics(ctx context.Context, a *identity.Actor, q AnalyticsQuery) (*AnalyticsResult, error) {
	cat, g, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	at := q.At
	if at.IsZero() {
		at = s.units.Today()
	}
	res := &AnalyticsResult{Names: map[string]string{}}
	lang := q.Lang
	var items []dxItem
	base := map[int64]*Indicator{}
	seenDX := map[string]bool{}
	for _, code := range q.DX {
		if seenDX[code] {
			continue
		}
		seenDX[code] = true
		it, err := parseDX(cat, code)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		res.Names[code] = it.ind.Name(lang)
		for _, p := range it.parts() {
			base[p.ind.ID] = p.ind
		}
	}
	var periods []Period
	for _, pe := range q.PE {
		p, err := ParsePeriod(pe)
		if err != nil {
			return nil, egov.FieldError("pe", "stats.bad_period", clip(pe))
		}
		if !slices.Contains(periods, p) {
			periods = append(periods, p)
		}
	}
	ous, err := selectUnits(g, q.OU, at)
	if err != nil {
		return nil, err
	}
	if n := len(items) * len(periods) * len(ous); n > MaxCells {
		return nil, egov.FieldError("ou", "stats.too_many_cells", n, MaxCells)
	}
	for _, u := range ous {
		if err := s.ids.Can(ctx, a, identity.PermStatsAnalyse, u.ID); err != nil {
			return nil, err
		}
		res.Names[u.Code] = u.Name
	}
	res.Units = ous
	if len(items) == 0 || len(periods) == 0 || len(ous) == 0 {
		return res, nil
	}
	cubes, err := s.cube.values(ctx, s.db, base)
	if err != nil {
		return nil, err
	}
	spans := make([]span, len(periods))
	pkeys := make([]int32, len(periods))
	for i, p := range periods {
		spans[i] = spanOf(p)
		pkeys[i] = periodKey(p)
	}
	type cell struct {
		part string
		pe   int
	}
	type result struct {
		v  float64
		ok bool
	}
	// Answers by item, period and unit: the rows' order.
	grid := make([]result, len(items)*len(periods)*len(ous))
	at3 := func(i, pi, ui int) *result { return &grid[(i*len(periods)+pi)*len(ous)+ui] }
	for ui, u := range ous {
		terr := g.Territory(u, at)
		byInd := map[int64][]chunk{}
		gather := func(id int64) []chunk {
			if cs, ok := byInd[id]; ok {
				return cs
			}
			var cs []chunk
			for unit := range terr {
				if vals := cubes[id].byUnit[unit]; len(vals) > 0 {
					cs = append(cs, chunk{unit, vals})
				}
			}
			byInd[id] = cs
			return cs
		}
		memo := map[cell]result{}
		value := func(p part, pi int) (float64, bool) {
			if iv := cubes[p.ind.ID]; iv.totals != nil && len(p.options) == 0 {
				return fromTotals(g, p.ind, iv.totals, terr, pkeys[pi], spans[pi])
			}
			k := cell{p.key(), pi}
			if r, ok := memo[k]; ok {
				return r.v, r.ok
			}
			v, ok := aggregate(g, p.ind, spans[pi], p.filter(cubes[p.ind.ID], gather(p.ind.ID)))
			memo[k] = result{v, ok}
			return v, ok
		}
		for pi := range periods {
			for i, it := range items {
				r := at3(i, pi, ui)
				if it.ind.Computed() {
					n, okN := value(it.num, pi)
					d, okD := value(it.den, pi)
					if okN && okD && d != 0 {
						r.v, r.ok = n/d*it.ind.Factor, true
					}
				} else {
					r.v, r.ok = value(it.num, pi)
				}
			}
		}
	}
	for i, it := range items {
		for pi, p := range periods {
			for ui, u := range ous {
				if r := at3(i, pi, ui); r.ok {
					res.Rows = append(res.Rows, Row{DX: it.code, PE: p.String(), OU: u.Code, Value: r.v})
				}
			}
		}
	}
	return res, nil
}

// part is an entered indicator, restricted to the values whose combination
// has every option of options.
type part struct {
	ind     *Indicator
	options []string
}

func (p part) key() string { return p.ind.Code + "." + strings.Join(p.options, "_") }

// filter returns the values among chunks (of iv) whose combo has p's
// options.
func (p part) filter(iv *indValues, chunks []chunk) []chunk {
	if len(p.options) == 0 {
		return chunks
	}
	match := make([]bool, len(iv.combos))
	for i, combo := range iv.combos {
		opts := strings.Split(combo, "_")
		match[i] = true
		for _, o := range p.options {
			match[i] = match[i] && slices.Contains(opts, o)
		}
	}
	var out []chunk
	for _, c := range chunks {
		var vals []raw
		for _, v := range c.vals {
			if match[v.combo] {
				vals = append(vals, v)
			}
		}
		if len(vals) > 0 {
			out = append(out, chunk{c.unit, vals})
		}
	}
	return out
}

// dxItem is an item of the dx dimension: an indicator code, optionally
// followed by "." and options joined by "_" (CX.DS.03.nongthon_khmer: the
// rural Khmer households; CX.XH.03.khmer: the poverty rate of Khmer
// households, the option applying to the numerator and denominator that
// have it).
type dxItem struct {
	code     string
	ind      *Indicator
	num, den part // den only for a computed indicator
}

func (it dxItem) parts() []part {
	if it.ind.Computed() {
		return []part{it.num, it.den}
	}
	return []part{it.num}
}

func parseDX(cat *Catalogue, code string) (dxItem, error) {
	bad := egov.FieldError("dx", "stats.unknown_indicator", clip(code))
	ind := cat.Indicator(code)
	var options []string
	if ind == nil {
		i := strings.LastIndexByte(code, '.')
		if i < 0 {
			return dxItem{}, bad
		}
		if ind = cat.Indicator(code[:i]); ind == nil {
			return dxItem{}, bad
		}
		options = strings.Split(code[i+1:], "_")
	}
	it := dxItem{code: code, ind: ind}
	parts := []*part{&it.num}
	if ind.Computed() {
		n, d := cat.Indicator(ind.Numerator), cat.Indicator(ind.Denominator)
		if n == nil || d == nil || n.Computed() || d.Computed() {
			return dxItem{}, bad
		}
		it.num, it.den = part{ind: n}, part{ind: d}
		parts = append(parts, &it.den)
	} else {
		it.num = part{ind: ind}
	}
	for _, o := range options {
		used := false
		for _, p := range parts {
			if cat.hasOptionOf(p.ind, o) {
				p.options = append(p.options, o)
				used = true
			}
		}
		if !used {
			return dxItem{}, bad
		}
	}
	return it, nil
}

// selectUnits resolves the ou dimension on day at.
func selectUnits(g *units.Graph, items []string, at time.Time) ([]*units.Unit, error) {
	var given []*units.Unit
	level, children := 0, false
	for _, it := range items {
		switch {
		case strings.HasPrefix(it, "LEVEL-"):
			n, err := strconv.Atoi(it[len("LEVEL-"):])
			if err != nil || n < 1 || n > 10 {
				return nil, egov.FieldError("ou", "stats.bad_dimension", clip(it))
			}
			level = n
		case it == "CHILDREN":
			children = true
		default:
			u := g.At(it, at)
			if u == nil {
				return nil, egov.FieldError("ou", "stats.unknown_unit_at", clip(it), at.Format("2006-01-02"))
			}
			given = append(given, u)
		}
	}
	seen := map[int64]bool{}
	var out []*units.Unit
	add := func(u *units.Unit) {
		if !seen[u.ID] {
			seen[u.ID] = true
			out = append(out, u)
		}
	}
	switch {
	case level > 0:
		roots := given
		if len(roots) == 0 {
			roots = g.Roots(at)
		}
		for _, r := range roots {
			for _, u := range g.Subtree(r, at) {
				if u.Level == level {
					add(u)
				}
			}
		}
	case children:
		for _, r := range given {
			for _, u := range g.Children(r, at) {
				add(u)
			}
		}
	default:
		for _, u := range given {
			add(u)
		}
	}
	return out, nil
}

// aggregate combines the values of ind for period p among vals (ind's values
// on a territory); ok is false when there is no value (or none can be given
// under a "none" rule).
func aggregate(g *units.Graph, ind *Indicator, p span, chunks []chunk) (float64, bool) {
	if ind.AggTime == AggSum && ind.AggUnits == AggSum {
		// The common case: a plain sum, without copies.
		var t float64
		n := 0
		for _, c := range chunks {
			for _, v := range c.vals {
				if p.contains(v) {
					t += v.num
					n++
				}
			}
		}
		return t, n > 0
	}
	if ind.AggTime == AggAverage && ind.AggUnits != AggAverage {
		// Sum over units and combos per period, then average the sums.
		sums := map[span]float64{}
		for _, c := range chunks {
			for _, v := range c.vals {
				if p.contains(v) {
					sums[span{v.start, v.end}] += v.num
				}
			}
		}
		if len(sums) == 0 {
			return 0, false
		}
		var t float64
		for _, x := range sums {
			t += x
		}
		return t / float64(len(sums)), true
	}
	type vc struct {
		unit  int64
		combo uint32
	}
	series := map[vc][]raw{}
	for _, c := range chunks {
		for _, v := range c.vals {
			if p.contains(v) {
				k := vc{c.unit, v.combo}
				series[k] = append(series[k], v)
			}
		}
	}
	if len(series) == 0 {
		return 0, false
	}
	perUnit := map[int64]float64{}
	unitHas := map[int64]bool{}
	for k, vs := range series {
		var x float64
		switch ind.AggTime {
		case AggSum:
			for _, v := range vs {
				x += v.num
			}
		case AggAverage:
			for _, v := range vs {
				x += v.num
			}
			x /= float64(len(vs))
		case AggLast:
			last := vs[0]
			for _, v := range vs[1:] {
				if later(v, last) {
					last = v
				}
			}
			x = last.num
		default: // none
			if len(vs) != 1 {
				return 0, false
			}
			x = vs[0].num
		}
		perUnit[k.unit] += x
		unitHas[k.unit] = true
	}
	if ind.AggTime == AggLast {
		// A unit version that ended within p and whose successor reported
		// for p is superseded: its stock lives on in the successor's.
		for u := range unitHas {
			uv := g.ByID(u)
			if uv == nil || uv.ValidTo.IsZero() || uv.ValidTo.After(p.end.Time(time.UTC)) {
				continue
			}
			for _, s := range g.Next(uv) {
				if unitHas[s.To.ID] {
					delete(perUnit, u)
					break
				}
			}
		}
	}
	switch ind.AggUnits {
	case AggNone:
		if len(perUnit) != 1 {
			return 0, false
		}
	}
	var t float64
	for _, x := range perUnit {
		t += x
	}
	if ind.AggUnits == AggAverage {
		t /= float64(len(perUnit))
	}
	return t, true
}

// fromTotals answers an indicator with totals (hasTotals) for period pe
// (its span sp) over a territory, as aggregate would from the raw values.
func fromTotals(g *units.Graph, ind *Indicator, t *unitTotals, terr map[int64]bool, pe int32, sp span) (float64, bool) {
	col, ok := t.cols[pe]
	if !ok {
		return 0, false
	}
	var sum float64
	has := false
	for unit := range terr {
		x := t.at(unit, col)
		if x.n == 0 {
			continue
		}
		if ind.AggTime == AggLast && superseded(g, t, terr, unit, col, sp) {
			continue
		}
		sum += x.sum
		has = true
	}
	return sum, has
}

// superseded reports whether a unit version ended within the period and a
// successor in the territory has a value for it (in column col): the stock
// lives on in the successor's (see aggregate).
func superseded(g *units.Graph, t *unitTotals, terr map[int64]bool, unit int64, col int32, sp span) bool {
	uv := g.ByID(unit)
	if uv == nil || uv.ValidTo.IsZero() || uv.ValidTo.After(sp.end.Time(time.UTC)) {
		return false
	}
	for _, s := range g.Next(uv) {
		if terr[s.To.ID] && t.at(s.To.ID, col).n > 0 {
			return true
		}
	}
	return false
}

// later orders values by their period's last day, then by its first (the
// shorter of two periods ending together is the later).
func later(a, b raw) bool {
	if a.end != b.end {
		return a.end > b.end
	}
	return a.start > b.start
}

// FormatValue writes an analytics value as DHIS2 does: a decimal number,
// at most 4 decimals, at least one ("123.0").
func FormatValue(v float64) string {
	s := strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}
