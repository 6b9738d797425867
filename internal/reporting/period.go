// Package reporting is periodic reporting and statistics (chế độ báo cáo,
// thống kê): indicators (chỉ tiêu) entered as data, their disaggregations,
// computed indicators, report forms (biểu mẫu), validation rules, targets,
// the data values units enter for periods, their bottom-up approval, and
// analytics that aggregate those values over the unit tree of any date and
// over periods.
//
// Analytics aggregate at every request, from an in-memory copy of the
// values of the indicators asked about (with totals per unit version and
// standard period for the indicators summed over units) that each query
// checks against the indicators' versions in the database: a value saved,
// by any process, is in the next answer, with no nightly rebuild. This
// process's own writes are applied to the copy after they commit; another
// process's make the next query read the indicator again.
package reporting

import (
	"fmt"
	"strconv"
	"time"

	"egov/internal/workcal"
)

// PeriodType is the length of a reporting period (kỳ báo cáo).
type PeriodType string

const (
	Monthly    PeriodType = "month"
	Quarterly  PeriodType = "quarter"
	HalfYearly PeriodType = "half_year"
	NineMonths PeriodType = "nine_months"
	Yearly     PeriodType = "year"
)

// PeriodTypes lists the types from shortest to longest.
var PeriodTypes = []PeriodType{Monthly, Quarterly, HalfYearly, NineMonths, Yearly}

// ValidPeriodType reports whether t is a known period type.
func ValidPeriodType(t PeriodType) bool {
	for _, x := range PeriodTypes {
		if x == t {
			return true
		}
	}
	return false
}

// Period is one reporting period. Its identifier is stable and sorts within
// a type: 2024 (year), 2024S1 and 2024S2 (half-years), 2024N9 (the first nine
// months, 9 tháng đầu năm, which Decree 09/2019 reports on alongside the
// half-year), 2024Q1–2024Q4 (quarters) and 202401–202412 (months).
type Period struct {
	Type PeriodType
	Year int
	N    int // month 1–12, quarter 1–4, half 1–2; 1 for a year or nine months
}

// Supported years: wide enough for history and plans, narrow enough that an
// identifier is always six characters or fewer.
const (
	minPeriodYear = 1900
	maxPeriodYear = 2199
)

// ParsePeriod parses a period identifier.
func ParsePeriod(s string) (Period, error) {
	bad := fmt.Errorf("period %q is not one of YYYY, YYYYSn, YYYYN9, YYYYQn, YYYYMM", s)
	if len(s) < 4 {
		return Period{}, bad
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || s[0] < '0' || s[0] > '9' || y < minPeriodYear || y > maxPeriodYear {
		return Period{}, bad
	}
	rest := s[4:]
	num := func(lo, hi int) (int, bool) {
		if len(rest) < 2 {
			return 0, false
		}
		for _, c := range rest[1:] {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
		n, err := strconv.Atoi(rest[1:])
		return n, err == nil && n >= lo && n <= hi && len(rest) == 2
	}
	switch {
	case rest == "":
		return Period{Yearly, y, 1}, nil
	case rest == "N9":
		return Period{NineMonths, y, 1}, nil
	case rest[0] == 'S':
		if n, ok := num(1, 2); ok {
			return Period{HalfYearly, y, n}, nil
		}
	case rest[0] == 'Q':
		if n, ok := num(1, 4); ok {
			return Period{Quarterly, y, n}, nil
		}
	case len(rest) == 2 && rest[0] >= '0' && rest[0] <= '1' && rest[1] >= '0' && rest[1] <= '9':
		if n, _ := strconv.Atoi(rest); n >= 1 && n <= 12 {
			return Period{Monthly, y, n}, nil
		}
	}
	return Period{}, bad
}

// String is the period's identifier.
func (p Period) String() string {
	switch p.Type {
	case Monthly:
		return fmt.Sprintf("%04d%02d", p.Year, p.N)
	case Quarterly:
		return fmt.Sprintf("%04dQ%d", p.Year, p.N)
	case HalfYearly:
		return fmt.Sprintf("%04dS%d", p.Year, p.N)
	case NineMonths:
		return fmt.Sprintf("%04dN9", p.Year)
	}
	return fmt.Sprintf("%04d", p.Year)
}

// months returns the first and last month (1–12) the period covers.
func (p Period) months() (first, last int) {
	switch p.Type {
	case Monthly:
		return p.N, p.N
	case Quarterly:
		return 3*p.N - 2, 3 * p.N
	case HalfYearly:
		return 6*p.N - 5, 6 * p.N
	case NineMonths:
		return 1, 9
	}
	return 1, 12
}

// Start is the first calendar day of the period.
func (p Period) Start() workcal.Date {
	first, _ := p.months()
	return workcal.NewDate(p.Year, time.Month(first), 1)
}

// End is the last calendar day of the period.
func (p Period) End() workcal.Date {
	_, last := p.months()
	return workcal.NewDate(p.Year, time.Month(last)+1, 1).AddDays(-1)
}

// Contains reports whether q lies within p (months within their quarter,
// quarters within their half-year and year, and p within itself).
func (p Period) Contains(q Period) bool {
	return !q.Start().Before(p.Start()) && !q.End().After(p.End())
}

// Months returns the months of the period in order.
func (p Period) Months() []Period {
	first, last := p.months()
	out := make([]Period, 0, last-first+1)
	for m := first; m <= last; m++ {
		out = append(out, Period{Monthly, p.Year, m})
	}
	return out
}

// Window returns the data window (thời gian chốt số liệu) of the period under
// Decree 09/2019/NĐ-CP art. 12: a month runs from the 15th of the previous
// month to the 14th of the month; a quarter, half-year, nine months or year
// from the 15th of the month before its first month to the 14th of its last
// month (the year 2024: 15 December 2023 to 14 December 2024).
func (p Period) Window() (from, to workcal.Date) {
	first, last := p.months()
	return workcal.NewDate(p.Year, time.Month(first)-1, 15), workcal.NewDate(p.Year, time.Month(last), 14)
}

// Deadline is the day a report of the period is due from a unit that has
// workingDays (at least 1) working days after the cut-off: the calendar's
// workingDays-th working day after the window's last day.
func (p Period) Deadline(cal *workcal.Calendar, workingDays int) workcal.Date {
	if workingDays < 1 {
		workingDays = 1
	}
	_, to := p.Window()
	return cal.AddWorkingDays(to, workingDays)
}

// PeriodOf returns the period of type t that contains month m (for nine
// months: the year's first nine months, whichever month m is).
func PeriodOf(t PeriodType, m Period) Period {
	switch t {
	case Monthly:
		return Period{Monthly, m.Year, m.N}
	case Quarterly:
		return Period{Quarterly, m.Year, (m.N + 2) / 3}
	case HalfYearly:
		return Period{HalfYearly, m.Year, (m.N + 5) / 6}
	case NineMonths:
		return Period{NineMonths, m.Year, 1}
	}
	return Period{Yearly, m.Year, 1}
}
