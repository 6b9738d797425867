package reporting

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"egov/internal/workcal"
)

// ValueType is what an indicator's values are.
type ValueType string

const (
	TypeNumber     ValueType = "number"
	TypeInteger    ValueType = "integer"
	TypePercentage ValueType = "percentage"
	TypeYesNo      ValueType = "yesno" // stored as 1 or 0, so that a sum over units counts the yeses
	TypeText       ValueType = "text"
)

// Aggregation says how values combine, over units or over time.
type Aggregation string

const (
	AggSum     Aggregation = "sum"
	AggAverage Aggregation = "average"
	AggLast    Aggregation = "last" // over time only: the latest value in the period
	AggNone    Aggregation = "none" // not aggregated: an answer only from a single value
)

// Category is a disaggregation (e.g. giới tính) and its options.
type Category struct {
	Code    string
	NameVI  string
	NameEN  string
	Options []Option
}

// Option is one option of a category.
type Option struct {
	Code   string // lower-case ASCII letters, no separator: combos join them with "_"
	NameVI string
	NameEN string
}

// Indicator is a chỉ tiêu: either entered (by units, for periods, per
// combination of its categories' options) or computed as
// Numerator / Denominator × Factor after both are aggregated.
type Indicator struct {
	ID          int64
	Code        string
	NameVI      string
	NameEN      string
	Unit        string // unit of measure: "hộ", "ha", "%"
	ValueType   ValueType
	AggUnits    Aggregation // over units: sum, average or none
	AggTime     Aggregation // over time: sum, average, last or none
	PeriodType  PeriodType  // the period it is usually reported for
	Categories  []string    // category codes, in combo order
	Numerator   string      // computed indicators: indicator codes and factor
	Denominator string
	Factor      float64
}

// Computed reports whether the indicator is computed rather than entered.
func (i *Indicator) Computed() bool { return i.Numerator != "" }

// Name is the indicator's name in lang.
func (i *Indicator) Name(lang string) string { return pick(lang, i.NameVI, i.NameEN) }

// Name is the category's name in lang.
func (c *Category) Name(lang string) string { return pick(lang, c.NameVI, c.NameEN) }

// Name is the option's name in lang.
func (o *Option) Name(lang string) string { return pick(lang, o.NameVI, o.NameEN) }

func pick(lang, vi, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return vi
}

// Form is a report form (biểu mẫu): sections of indicators reported for a
// period type by units of some levels, each with its deadline.
type Form struct {
	ID         int64
	Code       string
	NameVI     string
	NameEN     string
	PeriodType PeriodType
	Levels     []FormLevel
	Sections   []Section
	// CloseDays is how many calendar days after a unit's deadline its
	// entry stays open; 0: it never closes. See closing.go.
	CloseDays int
}

// FormLevel is a level of units that reports a form, and how many working
// days after the data window's cut-off its report is due (at least one).
type FormLevel struct {
	Level        int
	DeadlineDays int
}

// Section is a titled group of a form's indicators.
type Section struct {
	NameVI     string
	NameEN     string
	Indicators []string // codes
}

// Name is the form's name in lang.
func (f *Form) Name(lang string) string { return pick(lang, f.NameVI, f.NameEN) }

// Name is the section's name in lang.
func (s *Section) Name(lang string) string { return pick(lang, s.NameVI, s.NameEN) }

// Deadline is the day a unit of level is due to submit the form for period
// p; ok is false when units of that level do not report it.
func (f *Form) Deadline(p Period, level int, cal *workcal.Calendar) (d workcal.Date, ok bool) {
	for _, l := range f.Levels {
		if l.Level == level {
			return p.Deadline(cal, l.DeadlineDays), true
		}
	}
	return 0, false
}

// Has reports whether the form collects the indicator.
func (f *Form) Has(code string) bool {
	for _, s := range f.Sections {
		for _, c := range s.Indicators {
			if c == code {
				return true
			}
		}
	}
	return false
}

// Operator compares the sides of a validation rule.
type Operator string

// Missing says what a rule does when values it needs are missing.
type Missing string

const (
	SkipIfAnyMissing Missing = "skip_if_any_missing" // check only when every indicator has a value
	SkipIfAllMissing Missing = "skip_if_all_missing" // a missing value counts as 0 unless all are missing
	NeverSkip        Missing = "never_skip"          // a missing value counts as 0
)

// ValidationRule compares two sums of indicator totals for a unit and
// period: "CX.XH.01 + CX.XH.02 <= CX.DS.03".
type ValidationRule struct {
	ID         int64
	Code       string
	NameVI     string
	NameEN     string
	Left       []string // indicator codes, summed
	Op         Operator
	Right      []string
	Importance string // high, medium, low
	Missing    Missing
}

// Name is the rule's description in lang.
func (r *ValidationRule) Name(lang string) string { return pick(lang, r.NameVI, r.NameEN) }

// ParseSide parses "A + B + C" into indicator codes.
func ParseSide(s string) ([]string, error) {
	var out []string
	for _, t := range strings.Split(s, "+") {
		t = strings.TrimSpace(t)
		if t == "" {
			return nil, fmt.Errorf("empty term in %q", s)
		}
		out = append(out, t)
	}
	return out, nil
}

// Holds evaluates the comparison.
func (op Operator) Holds(l, r float64) (bool, error) {
	const eps = 1e-9
	switch op {
	case "<=":
		return l <= r+eps, nil
	case "<":
		return l < r-eps, nil
	case ">=":
		return l >= r-eps, nil
	case ">":
		return l > r+eps, nil
	case "==":
		return math.Abs(l-r) <= eps, nil
	case "!=":
		return math.Abs(l-r) > eps, nil
	}
	return false, fmt.Errorf("unknown operator %q", op)
}

// Check evaluates the rule over totals (indicator code → value; absent is
// missing). It returns the two sides, whether the rule was checked at all,
// and whether it holds.
func (r *ValidationRule) Check(totals map[string]float64) (left, right float64, checked, ok bool) {
	missing, present := 0, 0
	sum := func(codes []string) float64 {
		var s float64
		for _, c := range codes {
			if v, ok := totals[c]; ok {
				s += v
				present++
			} else {
				missing++
			}
		}
		return s
	}
	left, right = sum(r.Left), sum(r.Right)
	switch {
	case r.Missing == SkipIfAnyMissing && missing > 0,
		r.Missing == SkipIfAllMissing && present == 0:
		return left, right, false, true
	}
	holds, err := r.Op.Holds(left, right)
	return left, right, true, err == nil && holds
}

// Target is a value an indicator should reach for a unit and period, with
// the share of the target from which progress counts as on track and from
// which as at risk (below: behind). For an indicator where lower is better
// (Lower), the shares are of the actual value over the target inverted.
type Target struct {
	Indicator string
	UnitID    int64
	Period    Period
	Value     float64
	OnTrack   float64 // e.g. 1.0: at or above the target
	AtRisk    float64 // e.g. 0.9: within 10% of it
	Lower     bool
}

// TargetStatus is progress against a target.
type TargetStatus string

const (
	OnTrack TargetStatus = "on_track"
	AtRisk  TargetStatus = "at_risk"
	Behind  TargetStatus = "behind"
)

// Status rates an actual value against the target.
func (t *Target) Status(actual float64) TargetStatus {
	var share float64
	switch {
	case t.Lower && actual <= 0:
		share = math.Inf(1)
	case t.Lower:
		share = t.Value / actual
	case t.Value == 0:
		share = math.Inf(1)
	default:
		share = actual / t.Value
	}
	switch {
	case share >= t.OnTrack:
		return OnTrack
	case share >= t.AtRisk:
		return AtRisk
	}
	return Behind
}

// CheckValue validates an entered value for the indicator's type and returns
// it in canonical form with its number (nil for text).
func (i *Indicator) CheckValue(s string) (canon string, num *float64, key string) {
	s = strings.TrimSpace(s)
	switch i.ValueType {
	case TypeText:
		if len([]rune(s)) > 2000 {
			return "", nil, "stats.value_too_long"
		}
		return s, nil, ""
	case TypeYesNo:
		switch strings.ToLower(s) {
		case "1", "true", "yes", "có":
			v := 1.0
			return "1", &v, ""
		case "0", "false", "no", "không":
			v := 0.0
			return "0", &v, ""
		}
		return "", nil, "stats.value_not_yesno"
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e15 {
		return "", nil, "stats.value_not_number"
	}
	switch i.ValueType {
	case TypeInteger:
		if f != math.Trunc(f) {
			return "", nil, "stats.value_not_integer"
		}
		if f < 0 {
			return "", nil, "stats.value_negative"
		}
	case TypePercentage:
		if f < 0 || f > 100 {
			return "", nil, "stats.value_not_percentage"
		}
	}
	return strconv.FormatFloat(f, 'f', -1, 64), &f, ""
}
