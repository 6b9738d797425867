package reporting_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/units"
)

// gen is a value the test stored, kept to compute the answers again.
type gen struct {
	de, combo, unit, period string
	value                   float64
}

var (
	oldCommunes = []string{"31615", "31618", "31621", "31624", "31627", "31603", "31606", "31609"}
	newCommunes = []string{"31615", "31603", "31633", "31567", "31591"}
)

// generate makes values of 2024–2025: before 1 July 2025 on the old
// communes, after it on the new ones, for indicators with every time rule.
func generate(r *rand.Rand) []gen {
	var out []gen
	add := func(de, combo, unit, period string) {
		if r.IntN(10) == 0 { // some values are missing
			return
		}
		out = append(out, gen{de, combo, unit, period, float64(r.IntN(1000))})
	}
	for y := 2024; y <= 2025; y++ {
		for m := 1; m <= 12; m++ {
			communes := oldCommunes
			if y == 2025 && m >= 7 {
				communes = newCommunes
			}
			for _, u := range communes {
				for _, co := range []string{"dongxuan", "hethu", "thudong"} {
					add("CX.NN.01", co, u, fmt.Sprintf("%d%02d", y, m)) // sum
				}
				for _, co := range []string{"nam_kinh_thanhthi", "nu_khmer_nongthon"} {
					add("CX.DS.02", co, u, fmt.Sprintf("%d%02d", y, m)) // average
				}
			}
		}
		for q := 1; q <= 4; q++ {
			communes := oldCommunes
			if y == 2025 && q >= 3 {
				communes = newCommunes
			}
			for _, u := range communes {
				for _, co := range []string{"thanhthi_kinh", "nongthon_khmer", "nongthon_hoa"} {
					add("CX.DS.03", co, u, fmt.Sprintf("%dQ%d", y, q)) // last
				}
			}
		}
	}
	for _, u := range oldCommunes {
		for _, co := range []string{"kinh", "khmer"} {
			add("CX.XH.01", co, u, "2024") // last, yearly
		}
		add("CX.XH.10", "", u, "2024") // none
		for _, co := range []string{"thanhthi_kinh", "nongthon_khmer"} {
			add("CX.DS.03", co, u, "2024") // a yearly value beside the quarters
		}
	}
	for _, u := range newCommunes {
		for _, co := range []string{"kinh", "khmer"} {
			add("CX.XH.01", co, u, "2025")
		}
	}
	return out
}

func store_(t testing.TB, fx *fixture, vals []gen) {
	t.Helper()
	set := reporting.ValueSet{}
	for _, v := range vals {
		set.Values = append(set.Values, reporting.ValueIn{DataElement: v.de, CategoryOptionCombo: v.combo, OrgUnit: v.unit,
			Period: v.period, Value: fmt.Sprint(v.value)})
	}
	sum, err := fx.rep.Import(context.Background(), identity.SystemActor, set, false)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Status != "SUCCESS" || sum.Imported != len(vals) {
		t.Fatalf("import: %+v", sum)
	}
}

// expected computes one cell from the generated values directly: the
// territory from the unit graph, and the rules written out case by case.
//
// de may end in ".option": then only values with that option count (for a
// computed indicator, in the parts that have the option).
func expected(g *units.Graph, cat *reporting.Catalogue, vals []gen, de string, p reporting.Period, u *units.Unit, at time.Time) (float64, bool) {
	option := ""
	ind := cat.Indicator(de)
	if ind == nil {
		i := strings.LastIndex(de, ".")
		ind, option = cat.Indicator(de[:i]), de[i+1:]
	}
	if ind.Computed() {
		withOption := func(code string) string {
			for _, c := range cat.Indicator(code).Categories {
				for _, o := range cat.Category(c).Options {
					if o.Code == option {
						return code + "." + option
					}
				}
			}
			return code
		}
		n, okN := expected(g, cat, vals, withOption(ind.Numerator), p, u, at)
		d, okD := expected(g, cat, vals, withOption(ind.Denominator), p, u, at)
		if !okN || !okD || d == 0 {
			return 0, false
		}
		return n / d * ind.Factor, true
	}
	terr := g.Territory(u, at)
	type item struct {
		unit   *units.Unit
		combo  string
		period reporting.Period
		value  float64
	}
	var items []item
	for _, v := range vals {
		vp, vu := resolve(g, v)
		if v.de == ind.Code && terr[vu.ID] && p.Contains(vp) && (option == "" || slices.Contains(strings.Split(v.combo, "_"), option)) {
			items = append(items, item{vu, v.combo, vp, v.value})
		}
	}
	if len(items) == 0 {
		return 0, false
	}
	switch ind.AggTime {
	case reporting.AggSum:
		var s float64
		for _, it := range items {
			s += it.value
		}
		return s, true
	case reporting.AggAverage:
		sums := map[string]float64{}
		for _, it := range items {
			sums[it.period.String()] += it.value
		}
		var s float64
		for _, x := range sums {
			s += x
		}
		return s / float64(len(sums)), true
	case reporting.AggLast:
		// Latest first; per unit and combo the first seen is the last value.
		sort.SliceStable(items, func(i, j int) bool {
			a, b := items[i].period, items[j].period
			if a.End() != b.End() {
				return a.End() > b.End()
			}
			return a.Start() > b.Start()
		})
		taken := map[string]bool{}
		reported := map[int64]bool{}
		for _, it := range items {
			reported[it.unit.ID] = true
		}
		var s float64
		for _, it := range items {
			k := fmt.Sprint(it.unit.ID, "/", it.combo)
			if taken[k] {
				continue
			}
			taken[k] = true
			superseded := false
			if !it.unit.ValidTo.IsZero() && !it.unit.ValidTo.After(p.End().Time(time.UTC)) {
				for _, nx := range g.Next(it.unit) {
					superseded = superseded || reported[nx.To.ID]
				}
			}
			if !superseded {
				s += it.value
			}
		}
		return s, true
	}
	// none: a single value only.
	if len(items) != 1 {
		return 0, false
	}
	return items[0].value, true
}

type resolved struct {
	p reporting.Period
	u *units.Unit
}

var resolvedCache = map[*units.Graph]map[[2]string]resolved{}

// resolve gives a generated value's period and the unit version that had
// its code then (remembered: the reference computation asks often).
func resolve(g *units.Graph, v gen) (reporting.Period, *units.Unit) {
	m := resolvedCache[g]
	if m == nil {
		m = map[[2]string]resolved{}
		resolvedCache[g] = m
	}
	k := [2]string{v.unit, v.period}
	r, ok := m[k]
	if !ok {
		r.p, _ = reporting.ParsePeriod(v.period)
		r.u = g.At(v.unit, r.p.End().Time(time.UTC))
		m[k] = r
	}
	return r.p, r.u
}

// TestAnalyticsRandom compares the analytics with the values computed
// again from what was stored, for random queries across the 2025
// reorganisation, on both engines.
func TestAnalyticsRandom(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		r := rand.New(rand.NewPCG(7, 2025))
		vals := generate(r)
		store_(t, fx, vals)
		cat, err := fx.rep.Catalogue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		g, err := fx.app.Units.Graph(ctx)
		if err != nil {
			t.Fatal(err)
		}
		dxs := []string{"CX.NN.01", "CX.DS.02", "CX.DS.03", "CX.XH.01", "CX.XH.10", "CX.XH.03",
			"CX.DS.03.khmer", "CX.NN.01.hethu", "CX.XH.03.kinh", "CX.DS.02.nongthon"}
		pes := []string{"2024", "2025", "2024Q2", "2025Q2", "2025S2", "2025Q3", "202407", "2024N9", "2025S1", "2025N9", "202506", "2024S2", "2026", "2026Q2"}
		structures := []struct {
			at  time.Time
			ous [][]string
		}{
			{time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), [][]string{{"94"}, {"945"}, {"944"}, {"31615"}, {"31618", "31627"}, {"945", "LEVEL-3"}, {"94", "CHILDREN"}}},
			{time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), [][]string{{"92"}, {"31615"}, {"31603", "31633"}, {"31567"}, {"92", "LEVEL-3"}}},
		}
		pick := func(from []string) []string {
			n := 1 + r.IntN(3)
			var out []string
			for _, i := range r.Perm(len(from))[:n] {
				out = append(out, from[i])
			}
			return out
		}
		cells, nonEmpty := 0, 0
		check := func(rounds int) {
			t.Helper()
			for range rounds {
				st := structures[r.IntN(len(structures))]
				q := reporting.AnalyticsQuery{DX: pick(dxs), PE: pick(pes), OU: st.ous[r.IntN(len(st.ous))], At: st.at}
				res, err := fx.rep.Analytics(ctx, identity.SystemActor, q)
				if err != nil {
					t.Fatalf("%+v: %v", q, err)
				}
				got := map[string]float64{}
				for _, row := range res.Rows {
					got[row.DX+"|"+row.PE+"|"+row.OU] = row.Value
				}
				var answered []string
				for _, o := range q.OU {
					if !strings.HasPrefix(o, "LEVEL-") && o != "CHILDREN" {
						answered = append(answered, o)
					}
				}
				var us []*units.Unit
				switch q.OU[len(q.OU)-1] {
				case "LEVEL-3":
					for _, u := range g.Subtree(g.At(q.OU[0], q.At), q.At) {
						if u.Level == 3 {
							us = append(us, u)
						}
					}
				case "CHILDREN":
					us = g.Children(g.At(q.OU[0], q.At), q.At)
				default:
					for _, o := range answered {
						us = append(us, g.At(o, q.At))
					}
				}
				for _, de := range q.DX {
					for _, pe := range q.PE {
						p, _ := reporting.ParsePeriod(pe)
						for _, u := range us {
							cells++
							want, ok := expected(g, cat, vals, de, p, u, q.At)
							key := de + "|" + pe + "|" + u.Code
							v, has := got[key]
							if has != ok || (ok && math.Abs(v-want) > 1e-9*math.Max(1, math.Abs(want))) {
								t.Errorf("at %s %s: got %v (%v), want %v (%v)", q.At.Format("2006-01-02"), key, v, has, want, ok)
							}
							if ok {
								nonEmpty++
							}
							delete(got, key)
						}
					}
				}
				for k := range got {
					t.Errorf("unexpected row %s", k)
				}
			}

		}
		check(150)
		if nonEmpty < 100 { // most of the city's communes have no data
			t.Errorf("only %d of %d cells have a value: the test data miss the queries", nonEmpty, cells)
		}

		// Updates: values changed, deleted and added, on both sides of the
		// reorganisation. This process's copy takes them in without
		// reading the values again, and answers as the raw values say.
		if _, err := fx.rep.Analytics(ctx, identity.SystemActor, reporting.AnalyticsQuery{DX: dxs, PE: []string{"2024"}, OU: []string{"92"}}); err != nil {
			t.Fatal(err)
		}
		loads := fx.rep.CubeLoads()
		for round := range 3 {
			var set reporting.ValueSet
			touched := map[int]bool{}
			for range 40 {
				i := r.IntN(len(vals))
				if touched[i] || vals[i].de == "" {
					continue
				}
				touched[i] = true
				v := &vals[i]
				if r.IntN(4) == 0 {
					set.Values = append(set.Values, reporting.ValueIn{DataElement: v.de, CategoryOptionCombo: v.combo, OrgUnit: v.unit, Period: v.period, Value: ""})
					v.de = "" // deleted: no longer counted
					continue
				}
				v.value = float64(r.IntN(1000))
				set.Values = append(set.Values, reporting.ValueIn{DataElement: v.de, CategoryOptionCombo: v.combo, OrgUnit: v.unit, Period: v.period, Value: fmt.Sprint(v.value)})
			}
			for _, u := range newCommunes {
				n := gen{"CX.NN.01", "hethu", u, fmt.Sprintf("2026%02d", round+1), float64(r.IntN(1000))}
				vals = append(vals, n)
				set.Values = append(set.Values, reporting.ValueIn{DataElement: n.de, CategoryOptionCombo: n.combo, OrgUnit: n.unit, Period: n.period, Value: fmt.Sprint(n.value)})
				q := gen{"CX.DS.03", "nongthon_hoa", u, fmt.Sprintf("2026Q%d", round+1), float64(r.IntN(1000))}
				vals = append(vals, q)
				set.Values = append(set.Values, reporting.ValueIn{DataElement: q.de, CategoryOptionCombo: q.combo, OrgUnit: q.unit, Period: q.period, Value: fmt.Sprint(q.value)})
				// A combo the indicator had no value for.
				c := gen{"CX.DS.02", []string{"nu_hoa_nongthon", "nam_khac_thanhthi", "nu_kinh_nongthon"}[round], u, fmt.Sprintf("2026%02d", round+4), float64(r.IntN(1000))}
				vals = append(vals, c)
				set.Values = append(set.Values, reporting.ValueIn{DataElement: c.de, CategoryOptionCombo: c.combo, OrgUnit: c.unit, Period: c.period, Value: fmt.Sprint(c.value)})
			}
			sum, err := fx.rep.Import(ctx, identity.SystemActor, set, false)
			if err != nil || len(sum.Conflicts) > 0 || sum.Updated+sum.Deleted+sum.Imported == 0 {
				t.Fatalf("update %d: %+v %v", round, sum, err)
			}
			check(40)
		}
		if got := fx.rep.CubeLoads(); got != loads {
			t.Errorf("the updates reloaded %d indicators instead of applying the changes", got-loads)
		}

		// Under a memory limit that holds about a third of the indicators
		// (a query may need more than fit: it keeps what it started with),
		// the least recently used are dropped, read again when asked for,
		// and the answers stay those of the raw values, across updates
		// to indicators in memory and dropped alike.
		m := fx.rep.AnalyticsMemory()
		if m.Indicators < 4 || m.Bytes <= 0 || m.Evictions != 0 {
			t.Fatalf("before the limit: %+v", m)
		}
		limit := m.Bytes / 3
		fx.rep.SetAnalyticsMemory(limit)
		if m = fx.rep.AnalyticsMemory(); m.Bytes > limit || m.Evictions == 0 || m.Limit != limit {
			t.Fatalf("lowering the limit evicted nothing: %+v", m)
		}
		capped := func(rounds int) {
			t.Helper()
			for range rounds {
				check(1)
				if m := fx.rep.AnalyticsMemory(); m.Bytes > limit {
					t.Fatalf("the copies take %d bytes, over the limit of %d", m.Bytes, limit)
				}
			}
		}
		loads, evictions := fx.rep.CubeLoads(), m.Evictions
		capped(60)
		for round := range 2 {
			var set reporting.ValueSet
			touched := map[int]bool{}
			for range 30 {
				i := r.IntN(len(vals))
				if touched[i] || vals[i].de == "" {
					continue
				}
				touched[i] = true
				vals[i].value = float64(r.IntN(1000))
				v := vals[i]
				set.Values = append(set.Values, reporting.ValueIn{DataElement: v.de, CategoryOptionCombo: v.combo, OrgUnit: v.unit, Period: v.period, Value: fmt.Sprint(v.value)})
			}
			if sum, err := fx.rep.Import(ctx, identity.SystemActor, set, false); err != nil || len(sum.Conflicts) > 0 {
				t.Fatalf("capped update %d: %+v %v", round, sum, err)
			}
			capped(30)
		}
		m = fx.rep.AnalyticsMemory()
		if m.Evictions == evictions || fx.rep.CubeLoads() == loads {
			t.Errorf("under the limit nothing was dropped and read again: %+v, %d loads before", m, loads)
		}
		// Without a limit again, everything asked for stays.
		fx.rep.SetAnalyticsMemory(0)
		if _, err := fx.rep.Analytics(ctx, identity.SystemActor, reporting.AnalyticsQuery{DX: dxs, PE: []string{"2024"}, OU: []string{"92"}}); err != nil {
			t.Fatal(err)
		}
		loads = fx.rep.CubeLoads()
		check(20)
		if got := fx.rep.CubeLoads(); got != loads {
			t.Errorf("without a limit %d indicators were read again", got-loads)
		}
	})
}

// TestAnalyticsDuringLoad: a query that needs an indicator another query is
// loading waits for that load rather than reading the values again, and
// answers as the values say; a query after a write does not take the
// older load's values, nor does that load replace the newer copy when it
// ends.
func TestAnalyticsDuringLoad(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		store_(t, fx, []gen{
			{"CX.DS.03", "nongthon_kinh", "31618", "2024", 1000},
			{"CX.DS.03", "nongthon_kinh", "31621", "2024", 3000},
		})
		cat, err := fx.rep.Catalogue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		target := cat.Indicator("CX.DS.03").ID
		q := reporting.AnalyticsQuery{DX: []string{"CX.DS.03"}, PE: []string{"2024"}, OU: []string{"945"},
			At: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)}
		value := func(res *reporting.AnalyticsResult, err error) float64 {
			t.Helper()
			if err != nil || len(res.Rows) != 1 {
				t.Fatalf("%+v %v", res, err)
			}
			return res.Rows[0].Value
		}
		started, release, waiting := make(chan bool, 4), make(chan bool), make(chan bool, 4)
		first := true
		fx.rep.SetCubeHooks(func(id int64) {
			if id != target {
				return
			}
			hold := first
			first = false
			started <- hold
			if hold {
				<-release // the first load of the indicator waits for the test
			}
		}, func(id int64) {
			if id == target {
				waiting <- true
			}
		})
		type answer struct {
			res *reporting.AnalyticsResult
			err error
		}
		run := func() chan answer {
			c := make(chan answer, 1)
			go func() {
				res, err := fx.rep.Analytics(ctx, identity.SystemActor, q)
				c <- answer{res, err}
			}()
			return c
		}
		loads := fx.rep.CubeLoads()
		a := run()
		<-started // a is loading, held
		b := run()
		select {
		case <-waiting: // b waits for a's load
		case rb := <-b:
			close(release)
			t.Fatalf("a query did not wait for the load under way: %+v %v", rb.res, rb.err)
		}
		release <- true
		ra, rb := <-a, <-b
		if va, vb := value(ra.res, ra.err), value(rb.res, rb.err); va != 4000 || vb != 4000 {
			t.Errorf("during a load: %v and %v, want 4000", va, vb)
		}
		if got := fx.rep.CubeLoads() - loads; got != 1 {
			t.Errorf("the indicator was read %d times", got)
		}

		// Another process changes a value while a load (of the older
		// version) is held: a query after the write reads the new version
		// itself.
		other := reporting.New(db, fx.app.Units, fx.app.Identity)
		first = true
		if _, err := other.Import(ctx, identity.SystemActor, reporting.ValueSet{Period: "2024", OrgUnit: "31618",
			Values: []reporting.ValueIn{{DataElement: "CX.DS.03", CategoryOptionCombo: "nongthon_kinh", Value: "1500"}}}, false); err != nil {
			t.Fatal(err)
		}
		a = run()
		<-started // a loads the new version, held
		if _, err := other.Import(ctx, identity.SystemActor, reporting.ValueSet{Period: "2024", OrgUnit: "31618",
			Values: []reporting.ValueIn{{DataElement: "CX.DS.03", CategoryOptionCombo: "nongthon_kinh", Value: "2000"}}}, false); err != nil {
			t.Fatal(err)
		}
		b = run()
		if got := <-started; got {
			t.Fatal("the second load was held")
		}
		rb = <-b
		if v := value(rb.res, rb.err); v != 5000 {
			t.Errorf("after the write: %v, want 5000", v)
		}
		release <- true
		ra = <-a
		if v := value(ra.res, ra.err); v != 4500 && v != 5000 {
			t.Errorf("the held query: %v, want 4500 (or 5000: read after the write)", v)
		}
		loads = fx.rep.CubeLoads()
		if v := value(fx.rep.Analytics(ctx, identity.SystemActor, q)); v != 5000 {
			t.Errorf("after both: %v, want 5000", v)
		}
		if fx.rep.CubeLoads() != loads {
			t.Error("the older load replaced the newer copy")
		}
		if len(waiting) != 0 {
			t.Error("a query waited for a load of an older version")
		}
	})
}

// TestAnalytics checks by hand a district's poverty rate (its poor over its
// households, not the mean of its communes' rates), the structure of
// another date, freshness, and permissions.
func TestAnalytics(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		store_(t, fx, []gen{
			{"CX.DS.03", "nongthon_kinh", "31618", "2024", 1000},
			{"CX.XH.01", "kinh", "31618", "2024", 100}, // 10%
			{"CX.DS.03", "nongthon_kinh", "31621", "2024", 3000},
			{"CX.XH.01", "kinh", "31621", "2024", 30}, // 1%
		})
		q := reporting.AnalyticsQuery{DX: []string{"CX.XH.03", "CX.DS.03"}, PE: []string{"2024"}, OU: []string{"945"},
			At: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)}
		res, err := fx.rep.Analytics(ctx, identity.SystemActor, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != 2 || res.Rows[0].DX != "CX.XH.03" || res.Rows[0].Value != 3.25 || res.Rows[1].Value != 4000 {
			t.Fatalf("district 945 in 2024: %+v", res.Rows)
		}
		// The same data under today's An Thạnh, which took both communes over.
		q.OU, q.At = []string{"31615"}, time.Time{}
		res, err = fx.rep.Analytics(ctx, identity.SystemActor, q)
		if err != nil || len(res.Rows) != 2 || res.Rows[0].Value != 3.25 || res.Rows[0].OU != "31615" {
			t.Fatalf("today's An Thạnh: %+v %v", res.Rows, err)
		}
		// A value saved is in the next answer.
		store_(t, fx, []gen{{"CX.XH.01", "khmer", "31618", "2024", 130}})
		res, err = fx.rep.Analytics(ctx, identity.SystemActor, q)
		if err != nil || res.Rows[0].Value != 6.5 {
			t.Fatalf("after a new value: %+v %v", res.Rows, err)
		}
		// A value saved by another process (another service over the same
		// database) is in the next answer too: the in-memory copy checks
		// the indicators' versions.
		other := reporting.New(db, fx.app.Units, fx.app.Identity)
		if _, err := other.Import(ctx, identity.SystemActor, reporting.ValueSet{Period: "2024", OrgUnit: "31621",
			Values: []reporting.ValueIn{{DataElement: "CX.XH.01", CategoryOptionCombo: "kinh", Value: "290"}}}, false); err != nil {
			t.Fatal(err)
		}
		res, err = fx.rep.Analytics(ctx, identity.SystemActor, q)
		if err != nil || res.Rows[0].Value != 13 {
			t.Fatalf("after another process's value: %+v %v", res.Rows, err)
		}
		if _, err := other.Import(ctx, identity.SystemActor, reporting.ValueSet{Period: "2024", OrgUnit: "31621",
			Values: []reporting.ValueIn{{DataElement: "CX.XH.01", CategoryOptionCombo: "kinh", Value: "30"}}}, false); err != nil {
			t.Fatal(err)
		}
		// Disaggregated: the Kinh households' poverty rate; the Khmer
		// households' has no denominator.
		kq := q
		kq.DX = []string{"CX.XH.03.kinh", "CX.XH.03.khmer", "CX.XH.01.khmer"}
		res, err = fx.rep.Analytics(ctx, identity.SystemActor, kq)
		if err != nil || len(res.Rows) != 2 || res.Rows[0].Value != 3.25 || res.Rows[1].DX != "CX.XH.01.khmer" || res.Rows[1].Value != 130 {
			t.Fatalf("by ethnicity: %+v %v", res.Rows, err)
		}
		// A commune's leader analyses the commune, not the city.
		leader := fx.actor("lanhdao.anthanh", identity.RoleLeader, "31615")
		if _, err := fx.rep.Analytics(ctx, leader, q); err != nil {
			t.Errorf("the leader of An Thạnh: %v", err)
		}
		q.OU = []string{"92"}
		if _, err := fx.rep.Analytics(ctx, leader, q); err == nil {
			t.Error("the leader of An Thạnh analysed the city")
		}
		for _, bad := range []reporting.AnalyticsQuery{
			{DX: []string{"CX.NOPE"}, PE: []string{"2024"}, OU: []string{"92"}},
			{DX: []string{"CX.DS.03.nam"}, PE: []string{"2024"}, OU: []string{"92"}}, // not a category of households
			{DX: []string{"CX.DS.03."}, PE: []string{"2024"}, OU: []string{"92"}},
			{DX: []string{"CX.DS.03"}, PE: []string{"2024Q5"}, OU: []string{"92"}},
			{DX: []string{"CX.DS.03"}, PE: []string{"2024"}, OU: []string{"945"}}, // no district 945 today
			{DX: []string{"CX.DS.03"}, PE: []string{"2024"}, OU: []string{"LEVEL-x"}},
		} {
			if _, err := fx.rep.Analytics(ctx, identity.SystemActor, bad); err == nil {
				t.Errorf("%+v: no error", bad)
			}
		}
		if got := reporting.FormatValue(123); got != "123.0" {
			t.Errorf("FormatValue(123) = %s", got)
		}
		if got := reporting.FormatValue(3.25); got != "3.25" {
			t.Errorf("FormatValue(3.25) = %s", got)
		}
	})
}
