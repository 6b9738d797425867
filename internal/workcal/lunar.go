package workcal

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
)

// MinYear and MaxYear bound the Gregorian years for which the lunar
// calendar is computed, and the years whose working calendars are cached.
// The astronomy is good for centuries either side of today; the bounds keep
// caches finite and fuzzers honest.
const (
	MinYear = 1000
	MaxYear = 3000
)

// Errors of LunarToSolar and Months; test with errors.Is.
var (
	ErrOutOfRange   = errors.New("workcal: date outside the supported years")
	ErrInvalidLunar = errors.New("workcal: no such lunar date")
)

// Lunar is a date of the Vietnamese lunar calendar (âm lịch). Year is the
// Gregorian year in which that lunar year begins (its Tết); Leap marks the
// leap month (tháng nhuận), which repeats the number of the month before it.
type Lunar struct {
	Day   int  `json:"day"`
	Month int  `json:"month"`
	Year  int  `json:"year"`
	Leap  bool `json:"leap,omitempty"`
}

// IsZero reports whether l is the zero Lunar, returned for dates outside
// [MinYear, MaxYear].
func (l Lunar) IsZero() bool { return l == Lunar{} }

// String formats l as day/month/year, e.g. "10/3/2024", and a leap month
// as "1/2 nhuận/2023".
func (l Lunar) String() string {
	b := strconv.AppendInt(nil, int64(l.Day), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(l.Month), 10)
	if l.Leap {
		b = append(b, " nhuận"...)
	}
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(l.Year), 10)
	return string(b)
}

// LunarMonth is one month of a lunar year.
type LunarMonth struct {
	Year  int  `json:"year"`
	Month int  `json:"month"`
	Leap  bool `json:"leap,omitempty"`
	Start Date `json:"start"` // the local day of the new moon
	Days  int  `json:"days"`  // 29 or 30
}

var (
	stems    = [10]string{"Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"}
	branches = [12]string{"Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi"}
)

// YearName returns the sexagenary (can chi) name of lunar year y, e.g.
// "Giáp Thìn" for 2024.
func YearName(y int) string {
	return stems[((y+6)%10+10)%10] + " " + branches[((y+8)%12+12)%12]
}

// A sui (tuế) is the run of lunar months from month 11 of year y−1 (the
// month holding the December solstice of y−1) up to, not including, month
// 11 of year y. It has 12 months, or 13 with a leap month: the first month
// after the opening month 11 that holds no major solar term (trung khí,
// a multiple of 30° of solar longitude). All days are UTC+7 days.
type sui struct {
	year   int
	n      int      // 12 or 13
	leap   int      // index in 1..12 of the leap month, or -1
	starts [14]Date // starts[i] is the first day of month i; starts[n] opens the next sui
}

// suiCache holds sui y for y in [MinYear, MaxYear+1]. Each entry is
// computed once (or a few times under a race, all equal) and never changes.
var suiCache [MaxYear - MinYear + 2]atomic.Pointer[sui]

func getSui(y int) *sui {
	i := y - MinYear
	if i < 0 || i >= len(suiCache) {
		return computeSui(y)
	}
	if s := suiCache[i].Load(); s != nil {
		return s
	}
	s := computeSui(y)
	if !suiCache[i].CompareAndSwap(nil, s) {
		return suiCache[i].Load()
	}
	return s
}

// lunationContaining returns the number k of the lunar month that holds
// the local date d: newMoonDate(k) <= d < newMoonDate(k+1).
func lunationContaining(d Date) int {
	k := int(math.Floor((jdLocalMidnight(d) - newMoonEpoch) / meanLunation))
	for newMoonDate(k) > d {
		k--
	}
	for newMoonDate(k+1) <= d {
		k++
	}
	return k
}

func computeSui(y int) *sui {
	kA := lunationContaining(winterSolsticeDate(y - 1))
	kB := lunationContaining(winterSolsticeDate(y))
	n := kB - kA
	if n != 12 && n != 13 {
		panic(fmt.Sprintf("workcal: %d lunar months between the solstices of %d and %d", n, y-1, y))
	}
	s := &sui{year: y, n: n, leap: -1}
	for j := 0; j <= n; j++ {
		s.starts[j] = newMoonDate(kA + j)
	}
	if n == 13 {
		// Month i holds a major term iff the Sun crosses a multiple of 30°
		// between 00:00 of its first day and 00:00 of the next month's.
		prev := int(sunLongitudeAtLocalMidnight(s.starts[1]) / 30)
		for i := 1; i <= 12; i++ {
			next := int(sunLongitudeAtLocalMidnight(s.starts[i+1]) / 30)
			if next == prev {
				s.leap = i
				break
			}
			prev = next
		}
		if s.leap < 0 {
			panic(fmt.Sprintf("workcal: no month without a major term in the 13-month year ending %d", y))
		}
	}
	return s
}

// label returns the number, leap flag and lunar year of month i of s.
func (s *sui) label(i int) (month int, leap bool, year int) {
	j := i
	if s.leap >= 0 && i >= s.leap {
		leap = i == s.leap
		j = i - 1
	}
	month = (j+10)%12 + 1 // index 0 is month 11
	year = s.year
	if month >= 11 {
		year--
	}
	return month, leap, year
}

func (s *sui) find(month int, leap bool) int {
	for i := 0; i < s.n; i++ {
		if m, l, _ := s.label(i); m == month && l == leap {
			return i
		}
	}
	return -1
}

// SolarToLunar returns the Vietnamese lunar date of d. For a date outside
// the years [MinYear, MaxYear] it returns the zero Lunar.
func SolarToLunar(d Date) Lunar {
	y := d.Year()
	if y < MinYear || y > MaxYear {
		return Lunar{}
	}
	s := getSui(y + 1) // opens with month 11 of y, in November or December
	if d < s.starts[0] {
		s = getSui(y)
	}
	i := s.n - 1
	for s.starts[i] > d {
		i--
	}
	m, leap, ly := s.label(i)
	return Lunar{Day: int(d-s.starts[i]) + 1, Month: m, Year: ly, Leap: leap}
}

// LunarToSolar returns the Gregorian date of the lunar date l. It fails
// with ErrInvalidLunar when the date does not exist (a month number outside
// 1–12, a leap month the year does not have, day 30 of a 29-day month) and
// with ErrOutOfRange when the result would fall outside [MinYear, MaxYear].
func LunarToSolar(l Lunar) (Date, error) {
	if l.Month < 1 || l.Month > 12 || l.Day < 1 || l.Day > 30 {
		return 0, fmt.Errorf("%w: %s", ErrInvalidLunar, l)
	}
	sy := l.Year
	if l.Month >= 11 {
		sy++
	}
	if sy < MinYear || sy > MaxYear+1 {
		return 0, fmt.Errorf("%w: %s", ErrOutOfRange, l)
	}
	s := getSui(sy)
	i := s.find(l.Month, l.Leap)
	if i < 0 {
		return 0, fmt.Errorf("%w: lunar year %d has no leap month %d", ErrInvalidLunar, l.Year, l.Month)
	}
	if days := int(s.starts[i+1] - s.starts[i]); l.Day > days {
		return 0, fmt.Errorf("%w: month %s of %d has %d days", ErrInvalidLunar, monthLabel(l.Month, l.Leap), l.Year, days)
	}
	d := s.starts[i] + Date(l.Day-1)
	if y := d.Year(); y < MinYear || y > MaxYear {
		return 0, fmt.Errorf("%w: %s", ErrOutOfRange, l)
	}
	return d, nil
}

func monthLabel(m int, leap bool) string {
	if leap {
		return strconv.Itoa(m) + " nhuận"
	}
	return strconv.Itoa(m)
}

// Months returns the 12 or 13 months of lunar year y in order, from month 1
// (Tết) to month 12, with the leap month after the month it repeats.
func Months(y int) ([]LunarMonth, error) {
	if y < MinYear || y > MaxYear {
		return nil, fmt.Errorf("%w: lunar year %d", ErrOutOfRange, y)
	}
	out := make([]LunarMonth, 0, 13)
	for _, s := range [2]*sui{getSui(y), getSui(y + 1)} {
		for i := 0; i < s.n; i++ {
			m, leap, ly := s.label(i)
			if ly != y {
				continue
			}
			out = append(out, LunarMonth{Year: y, Month: m, Leap: leap, Start: s.starts[i], Days: int(s.starts[i+1] - s.starts[i])})
		}
	}
	return out, nil
}

// LeapMonth returns the number of the month that lunar year y repeats as a
// leap month, or 0 when y has 12 months (and for years out of range).
func LeapMonth(y int) int {
	ms, err := Months(y)
	if err != nil {
		return 0
	}
	for _, m := range ms {
		if m.Leap {
			return m.Month
		}
	}
	return 0
}

// Tet returns the first day of lunar year y (Tết Nguyên Đán, 1/1 âm lịch).
func Tet(y int) (Date, error) { return LunarToSolar(Lunar{Day: 1, Month: 1, Year: y}) }
