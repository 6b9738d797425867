package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"egov/internal/app"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/units"
)

// StatisticsOptions shape the demo's statistics.
type StatisticsOptions struct {
	// FromYear is the first year with data (default 2021).
	FromYear int
	// Until is the day the data reaches (default today): months up to the
	// one before it, years up to the one before it.
	Until time.Time
}

// The province's figures the demo starts from (end of 2020, nhandan.vn,
// 4/1/2021; see data/indicators/README.md of the reference data): poor and
// near-poor households, and the share of rural communes meeting the
// new-rural standard (50 of 80).
const (
	poorRate2020     = 0.026
	nearPoorRate2020 = 0.089
	newRuralShare    = 50.0 / 80
)

// commune is a 2021 commune with the traits its figures grow from.
type commune struct {
	unit      *units.Unit
	urban     bool
	rng       *rand.Rand
	house     float64    // households in 2021
	urbanPart float64    // share of households in urban areas
	ethnic    [4]float64 // Kinh, Khmer, Hoa, other
	poorMult  float64    // the commune's poverty over the province's
	newRural  int        // the year it meets the new-rural standard
	hamlets   int
	officials int
	rice      float64 // rice land, ha
	st25      float64 // ST25's share of the main seasons
	dossiers  float64 // dossiers a month
}

// LoadStatistics fills the commune socio-economic reports (monthly and
// yearly) for every commune of the former Sóc Trăng territory from
// o.FromYear, consistent with the province's 2020 figures, and sets each
// commune's 2025 targets of the plan (fibre to more than 80% of households,
// more than 50% of people with an e-payment account). Values of a period
// sit on the communes of that period: after 1 July 2025 on the merged
// communes, as the sums of the communes they took over. It does nothing
// when values exist, and returns how many it stored.
func LoadStatistics(ctx context.Context, a *app.App, o StatisticsOptions) (int, error) {
	var n int
	if err := a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM stat_values`).Scan(&n); err != nil || n > 0 {
		return 0, err
	}
	if o.FromYear == 0 {
		o.FromYear = 2021
	}
	if o.Until.IsZero() {
		o.Until = time.Now()
	}
	until := units.Day(o.Until)
	g, err := a.Units.Graph(ctx)
	if err != nil {
		return 0, err
	}
	province := g.At("94", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))
	if province == nil {
		return 0, fmt.Errorf("demo statistics: the 2021 units are not loaded")
	}
	var communes []*commune
	for _, u := range g.Subtree(province, province.ValidFrom) {
		if u.Level == 3 {
			communes = append(communes, newCommune(u))
		}
	}
	// One value set per period; each commune's figures are added to the
	// unit that holds its territory at the period's end.
	var stored int
	flush := func(set *reporting.ValueSet) error {
		if len(set.Values) == 0 {
			return nil
		}
		sum, err := a.Reporting.Import(ctx, identity.SystemActor, *set, false)
		if err != nil {
			return err
		}
		if len(sum.Conflicts) > 0 {
			c := sum.Conflicts[0]
			return fmt.Errorf("demo statistics: %s: %s", c.Object, c.Key)
		}
		stored += sum.Imported
		set.Values = set.Values[:0]
		return nil
	}
	for y := o.FromYear; y <= until.Year(); y++ {
		for m := 1; m <= 12; m++ {
			p, _ := reporting.ParsePeriod(fmt.Sprintf("%d%02d", y, m))
			if !p.End().Time(time.UTC).Before(until) {
				break
			}
			set := &reporting.ValueSet{Period: p.String()}
			acc := newAccumulator(g, p)
			for _, c := range communes {
				c.monthly(acc, y, m)
			}
			acc.into(set)
			if err := flush(set); err != nil {
				return stored, err
			}
		}
		p, _ := reporting.ParsePeriod(fmt.Sprint(y))
		if !p.End().Time(time.UTC).Before(until) {
			continue
		}
		set := &reporting.ValueSet{Period: p.String()}
		acc := newAccumulator(g, p)
		for _, c := range communes {
			c.yearly(acc, y)
		}
		acc.into(set)
		if err := flush(set); err != nil {
			return stored, err
		}
		if y == 2025 {
			for _, u := range acc.units() {
				for _, t := range []reporting.Target{
					{Indicator: "CX.CDS.02", UnitID: u.ID, Period: p, Value: 80, OnTrack: 1, AtRisk: 0.9},
					{Indicator: "CX.CDS.11", UnitID: u.ID, Period: p, Value: 50, OnTrack: 1, AtRisk: 0.9},
				} {
					if err := a.Reporting.SetTarget(ctx, identity.SystemActor, t); err != nil {
						return stored, err
					}
				}
			}
		}
	}
	return stored, nil
}

func newCommune(u *units.Unit) *commune {
	h := fnv.New64a()
	h.Write([]byte(u.Code))
	rng := rand.New(rand.NewPCG(h.Sum64(), 2021))
	c := &commune{unit: u, rng: rng, urban: u.Type == "Phường" || u.Type == "Thị trấn"}
	c.house = 1500 + rng.Float64()*4500
	c.urbanPart = 0.08 + rng.Float64()*0.12
	if c.urban {
		c.urbanPart = 0.85
	}
	khmer := 0.05 + rng.Float64()*0.6
	hoa := 0.02 + rng.Float64()*0.08
	c.ethnic = [4]float64{1 - khmer - hoa - 0.01, khmer, hoa, 0.01}
	c.poorMult = 0.4 + 1.8*khmer // poverty is higher where Khmer households are many
	c.newRural = 2020
	if !c.urban && rng.Float64() > newRuralShare {
		c.newRural = 2021 + rng.IntN(6)
	}
	c.hamlets = 6 + rng.IntN(10)
	c.officials = 20 + rng.IntN(6)
	c.rice = 50
	if !c.urban {
		c.rice = 400 + rng.Float64()*1200
	}
	c.st25 = 0.15 + rng.Float64()*0.15
	c.dossiers = 60 + rng.Float64()*100
	return c
}

// accumulator sums the communes' figures per reporting unit of a period.
type accumulator struct {
	g      *units.Graph
	p      reporting.Period
	end    time.Time
	sums   map[[3]string]float64 // indicator, combo, unit code
	yes    map[[3]string]bool    // yes/no indicators: yes only if every commune says yes
	order  [][3]string
	byCode map[string]*units.Unit
}

func newAccumulator(g *units.Graph, p reporting.Period) *accumulator {
	return &accumulator{g: g, p: p, end: p.End().Time(time.UTC), sums: map[[3]string]float64{}, yes: map[[3]string]bool{},
		byCode: map[string]*units.Unit{}}
}

// holder is the unit that holds c's territory at the period's end.
func (a *accumulator) holder(c *commune) *units.Unit {
	if s := a.g.Successors(c.unit, a.end); len(s) > 0 {
		return s[0]
	}
	return nil
}

func (a *accumulator) add(c *commune, de, combo string, v float64) {
	u := a.holder(c)
	if u == nil {
		return
	}
	k := [3]string{de, combo, u.Code}
	if _, ok := a.sums[k]; !ok {
		a.order = append(a.order, k)
		a.yes[k] = true
	}
	a.sums[k] += v
	a.byCode[u.Code] = u
}

func (a *accumulator) addYesNo(c *commune, de string, yes bool) {
	a.add(c, de, "", 0)
	if u := a.holder(c); u != nil && !yes {
		a.yes[[3]string{de, "", u.Code}] = false
	}
}

var yesNo = map[string]bool{"CX.XH.09": true, "CX.CDS.03": true}

func (a *accumulator) into(set *reporting.ValueSet) {
	for _, k := range a.order {
		v := fmt.Sprint(math.Round(a.sums[k]))
		if yesNo[k[0]] {
			v = map[bool]string{true: "1", false: "0"}[a.yes[k]]
		}
		set.Values = append(set.Values, reporting.ValueIn{DataElement: k[0], CategoryOptionCombo: k[1], OrgUnit: k[2], Value: v})
	}
}

func (a *accumulator) units() []*units.Unit {
	var out []*units.Unit
	seen := map[string]bool{}
	for _, k := range a.order {
		if !seen[k[2]] {
			seen[k[2]] = true
			out = append(out, a.byCode[k[2]])
		}
	}
	return out
}

var ethnicCodes = [4]string{"kinh", "khmer", "hoa", "khac"}

// split adds total over the ethnic groups (and sexes or areas when given)
// of the commune, in whole numbers.
func (c *commune) split(a *accumulator, de string, total float64, prefixes []string, prefixShares []float64) {
	for i, pre := range prefixes {
		for j, e := range ethnicCodes {
			combo := e
			if pre != "" {
				combo = pre + "_" + e
			}
			a.add(c, de, combo, math.Round(total*prefixShares[i]*c.ethnic[j]))
		}
	}
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// yearly adds the yearly report of year y.
func (c *commune) yearly(a *accumulator, y int) {
	t := float64(y - 2021)
	house := c.house * math.Pow(1.012, t)
	c.split(a, "CX.DS.03", house, []string{"thanhthi", "nongthon"}, []float64{c.urbanPart, 1 - c.urbanPart})
	adults := house * 2.6
	c.split(a, "CX.DS.04", adults, []string{"nam", "nu"}, []float64{0.49, 0.51})
	a.add(c, "CX.DS.05", "", float64(c.hamlets))
	// Poverty falls by a fifth a year, near-poverty by a seventh; both are
	// heavier among Khmer households.
	poor := house * poorRate2020 * c.poorMult * math.Pow(0.8, float64(y-2020))
	near := house * nearPoorRate2020 * c.poorMult * math.Pow(0.86, float64(y-2020))
	weights := [4]float64{c.ethnic[0], c.ethnic[1] * 2, c.ethnic[2], c.ethnic[3]}
	wsum := weights[0] + weights[1] + weights[2] + weights[3]
	for j, e := range ethnicCodes {
		a.add(c, "CX.XH.01", e, math.Round(poor*weights[j]/wsum))
		a.add(c, "CX.XH.02", e, math.Round(near*weights[j]/wsum))
	}
	if !c.urban {
		a.addYesNo(c, "CX.XH.09", y >= c.newRural)
	}
	fibre := clamp(0.45+0.1*t+0.05*c.rng.Float64(), 0, 0.97)
	urbanFibre := clamp(fibre+0.15, 0, 0.98)
	a.add(c, "CX.CDS.01", "thanhthi", math.Round(house*c.urbanPart*urbanFibre))
	a.add(c, "CX.CDS.01", "nongthon", math.Round(house*(1-c.urbanPart)*fibre))
	a.addYesNo(c, "CX.CDS.03", y >= 2024 || c.rng.Float64() < 0.85)
	covered4G := c.hamlets
	if y == 2021 {
		covered4G--
	}
	a.add(c, "CX.CDS.05", "", float64(covered4G))
	a.add(c, "CX.CDS.06", "", float64(min(c.hamlets, max(0, (y-2022)*c.hamlets/4))))
	smart := clamp(0.45+0.08*t, 0, 0.95)
	pay := clamp(0.25+0.08*t, 0, 0.95)
	c.split(a, "CX.CDS.08", adults*smart, []string{"nam", "nu"}, []float64{0.5, 0.5})
	c.split(a, "CX.CDS.10", adults*pay, []string{"nam", "nu"}, []float64{0.5, 0.5})
	men := math.Round(float64(c.officials) * 0.6)
	a.add(c, "CX.CDS.14", "nam", men)
	a.add(c, "CX.CDS.14", "nu", float64(c.officials)-men)
	trained := clamp(0.2+0.2*t, 0, 1)
	a.add(c, "CX.CDS.15", "nam", math.Round(men*trained))
	a.add(c, "CX.CDS.15", "nu", math.Round((float64(c.officials)-men)*trained))
}

// monthly adds the monthly report of month m of year y: rice sown by
// season (Đông Xuân in December and January, Hè Thu in April and May, Thu
// Đông in August), its ST25 part, and the dossiers received by channel.
func (c *commune) monthly(a *accumulator, y, m int) {
	sown := map[int][2]any{12: {"dongxuan", 0.5}, 1: {"dongxuan", 0.5}, 4: {"hethu", 0.5}, 5: {"hethu", 0.5}, 8: {"thudong", 0.4}}
	if s, ok := sown[m]; ok {
		season, part := s[0].(string), s[1].(float64)
		area := math.Round(c.rice * part * (0.95 + 0.1*c.rng.Float64()))
		a.add(c, "CX.NN.01", season, area)
		if season != "thudong" {
			a.add(c, "CX.NN.02", season, math.Round(area*c.st25*(1+0.05*float64(y-2021))))
		}
	}
	total := c.dossiers * (0.9 + 0.2*c.rng.Float64())
	online := clamp(0.2+0.1*(float64(y-2021)+float64(m)/12), 0, 0.8)
	a.add(c, "CX.CQS.01", "tructiep", math.Round(total*(1-online)*0.95))
	a.add(c, "CX.CQS.01", "tructuyen", math.Round(total*online))
	a.add(c, "CX.CQS.01", "buuchinh", math.Round(total*(1-online)*0.05))
	a.add(c, "CX.CQS.02", "", math.Round(total*online*0.7))
}
