package reporting

import (
	"context"
	"testing"

	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/units"
)

func newService(t testing.TB, db *store.DB) *Service {
	t.Helper()
	us := units.NewService(db)
	s := New(db, us, identity.NewService(db, us))
	if err := s.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSeedCatalogue(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		if err := s.Seed(ctx); err != nil { // a second seed changes nothing
			t.Fatal(err)
		}
		cat, err := s.Catalogue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cat.Indicators) != 77 {
			t.Errorf("%d indicators, want the reference data's 77", len(cat.Indicators))
		}
		rate := cat.Indicator("CX.XH.03")
		if rate == nil || !rate.Computed() || rate.Numerator != "CX.XH.01" || rate.Denominator != "CX.DS.03" || rate.Factor != 100 {
			t.Errorf("poverty rate: %+v", rate)
		}
		if y := cat.Indicator("CX.NN.06"); y == nil || y.Numerator != "CX.NN.04" || y.Factor != 10 {
			t.Errorf("rice yield: %+v", y)
		}
		hh := cat.Indicator("CX.DS.03")
		if hh.AggUnits != AggSum || hh.AggTime != AggLast || hh.ValueType != TypeInteger {
			t.Errorf("households: %+v", hh)
		}
		combos := cat.Combos(hh)
		if len(combos) != 8 || combos[0] != "thanhthi_kinh" || combos[7] != "nongthon_khac" {
			t.Errorf("households' combos: %v", combos)
		}
		if !cat.ValidCombo(hh, "nongthon_khmer") || cat.ValidCombo(hh, "khmer_nongthon") || cat.ValidCombo(hh, "") || cat.ValidCombo(hh, "nongthon") {
			t.Error("ValidCombo accepts a wrong combination")
		}
		if c := cat.Combos(cat.Indicator("CX.DS.05")); len(c) != 1 || c[0] != "" || !cat.ValidCombo(cat.Indicator("CX.DS.05"), "") {
			t.Errorf("an indicator without categories has combos %v", c)
		}
		monthly, yearly := cat.Form("KTXH-XA-THANG"), cat.Form("KTXH-XA-NAM")
		if monthly == nil || yearly == nil || monthly.PeriodType != Monthly || yearly.PeriodType != Yearly {
			t.Fatalf("forms: %+v %+v", monthly, yearly)
		}
		if !yearly.Has("CX.CDS.01") || yearly.Has("CX.NN.01") || len(yearly.Sections) != 4 || yearly.Sections[0].Indicators[0] != "CX.DS.03" {
			t.Errorf("yearly form: %+v", yearly.Sections)
		}
		if len(monthly.Levels) != 3 || monthly.Levels[0] != (FormLevel{3, 1}) {
			t.Errorf("levels: %+v", monthly.Levels)
		}
		if len(cat.Rules) != len(seedRules) || cat.Rules[0].Left == nil {
			t.Errorf("rules: %d", len(cat.Rules))
		}
		// Every indicator a rule or computed indicator names exists.
		for _, r := range cat.Rules {
			for _, c := range append(append([]string{}, r.Left...), r.Right...) {
				if cat.Indicator(c) == nil {
					t.Errorf("rule %s names unknown %s", r.Code, c)
				}
			}
		}
		for _, ind := range cat.Indicators {
			if ind.Computed() && (cat.Indicator(ind.Numerator) == nil || cat.Indicator(ind.Denominator) == nil) {
				t.Errorf("%s is computed from unknown indicators", ind.Code)
			}
			if !ValidPeriodType(ind.PeriodType) {
				t.Errorf("%s: period type %q", ind.Code, ind.PeriodType)
			}
		}
	})
}

func TestRuleCheck(t *testing.T) {
	r := &ValidationRule{Left: []string{"A", "B"}, Op: "<=", Right: []string{"C"}, Missing: SkipIfAnyMissing}
	for _, c := range []struct {
		totals           map[string]float64
		missing          Missing
		checked, holding bool
	}{
		{map[string]float64{"A": 1, "B": 2, "C": 3}, SkipIfAnyMissing, true, true},
		{map[string]float64{"A": 2, "B": 2, "C": 3}, SkipIfAnyMissing, true, false},
		{map[string]float64{"A": 5, "C": 3}, SkipIfAnyMissing, false, true},
		{map[string]float64{"A": 5, "C": 3}, SkipIfAllMissing, true, false},
		{map[string]float64{}, SkipIfAllMissing, false, true},
		{map[string]float64{"A": 1}, NeverSkip, true, false},
		{map[string]float64{}, NeverSkip, true, true},
	} {
		r.Missing = c.missing
		_, _, checked, ok := r.Check(c.totals)
		if checked != c.checked || ok != c.holding {
			t.Errorf("%v %s: checked %v holds %v", c.totals, c.missing, checked, ok)
		}
	}
}

func TestTargetStatus(t *testing.T) {
	up := &Target{Value: 80, OnTrack: 1, AtRisk: 0.9}
	down := &Target{Value: 3, OnTrack: 1, AtRisk: 0.8, Lower: true}
	for _, c := range []struct {
		t      *Target
		actual float64
		want   TargetStatus
	}{
		{up, 85, OnTrack}, {up, 80, OnTrack}, {up, 75, AtRisk}, {up, 72, AtRisk}, {up, 71, Behind},
		{down, 2.5, OnTrack}, {down, 3.5, AtRisk}, {down, 4, Behind}, {down, 0, OnTrack},
	} {
		if got := c.t.Status(c.actual); got != c.want {
			t.Errorf("target %v, actual %v: %s, want %s", c.t.Value, c.actual, got, c.want)
		}
	}
}

func TestCheckValue(t *testing.T) {
	for _, c := range []struct {
		typ       ValueType
		in, canon string
		key       string
	}{
		{TypeInteger, "12", "12", ""}, {TypeInteger, " 12 ", "12", ""}, {TypeInteger, "12.5", "", "stats.value_not_integer"},
		{TypeInteger, "-1", "", "stats.value_negative"}, {TypeInteger, "abc", "", "stats.value_not_number"},
		{TypeNumber, "12,5", "12.5", ""}, {TypeNumber, "-3", "-3", ""}, {TypeNumber, "NaN", "", "stats.value_not_number"},
		{TypeNumber, "1e300", "", "stats.value_not_number"},
		{TypePercentage, "80.5", "80.5", ""}, {TypePercentage, "101", "", "stats.value_not_percentage"},
		{TypeYesNo, "true", "1", ""}, {TypeYesNo, "Không", "0", ""}, {TypeYesNo, "2", "", "stats.value_not_yesno"},
		{TypeText, "ghi chú", "ghi chú", ""},
	} {
		ind := &Indicator{ValueType: c.typ}
		canon, num, key := ind.CheckValue(c.in)
		if canon != c.canon || key != c.key || (key == "" && c.typ != TypeText && num == nil) {
			t.Errorf("%s %q: %q %v %q", c.typ, c.in, canon, num, key)
		}
	}
}
