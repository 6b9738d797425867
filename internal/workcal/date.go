package workcal

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ICT is Indochina Time (UTC+7), the zone of every local date in this
// package. Vietnam has no daylight saving, so a fixed zone is exact and needs
// no tzdata.
var ICT = time.FixedZone("ICT", 7*3600)

// Date is a civil (calendar) date with no time of day and no zone: the
// dates of the working calendar are local dates, not instants.
//
// Its value is the day number counted from 0001-01-01 = 1 in the proleptic
// Gregorian calendar (the "Rata Die" numbering), so dates compare with
// <, ==, > and d+n is n days after d. The zero Date is "no date" (IsZero).
// Use NewDate, ParseDate, DateOf or LocalDate to make one.
type Date int32

// Days from 0001-01-01 (day 1) to 1970-01-01.
const unixEpochRD = 719163

// NewDate returns the date y-m-d. Out-of-range months and days are
// normalised as time.Date does (2025-02-30 is 2025-03-02).
func NewDate(y int, m time.Month, d int) Date {
	mm := int(m) - 1
	y += floorDiv(mm, 12)
	mm = mm - floorDiv(mm, 12)*12 + 1
	return Date(daysFromCivil(y, mm, 1) + int64(d) - 1 + unixEpochRD)
}

// DateOf returns the date of t in t's own location (a time.Time at midnight
// UTC gives its UTC date). Use LocalDate for the date in Vietnam.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// LocalDate returns the date in Vietnam (UTC+7) at the instant t.
func LocalDate(t time.Time) Date {
	return DateOf(t.In(ICT))
}

// ParseDate parses "YYYY-MM-DD" strictly (four-digit year, two-digit month
// and day, a real date).
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, fmt.Errorf("date %q is not in the form YYYY-MM-DD", s)
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return 0, fmt.Errorf("date %q is not in the form YYYY-MM-DD", s)
	}
	if y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, fmt.Errorf("date %q does not exist", s)
	}
	return NewDate(y, time.Month(m), d), nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func isLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeapYear(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Date returns the year, month and day of d.
func (d Date) Date() (year int, month time.Month, day int) {
	y, m, dd := civilFromDays(int64(d) - unixEpochRD)
	return y, time.Month(m), dd
}

// Year returns d's year.
func (d Date) Year() int {
	if d < 1 {
		y, _, _ := d.Date()
		return y
	}
	// Estimate from the mean Gregorian year (off by at most one), then
	// correct against the first day of the estimated year.
	y := int((int64(d)*400)/146097) + 1
	if d < yearStart(y) {
		return y - 1
	}
	if d >= yearStart(y+1) {
		return y + 1
	}
	return y
}

// yearStart returns 1 January of year y >= 1.
func yearStart(y int) Date {
	p := y - 1
	return Date(365*p + p/4 - p/100 + p/400 + 1)
}

// Month returns d's month.
func (d Date) Month() time.Month { _, m, _ := d.Date(); return m }

// Day returns d's day of the month.
func (d Date) Day() int { _, _, dd := d.Date(); return dd }

// Weekday returns d's day of the week.
func (d Date) Weekday() time.Weekday {
	// 0001-01-01 (day 1) was a Monday.
	w := int64(d) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d == 0 }

// AddDays returns the date n days after d (before it when n < 0).
func (d Date) AddDays(n int) Date { return d + Date(n) }

// Sub returns the number of days from e to d (d - e).
func (d Date) Sub(e Date) int { return int(d) - int(e) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d < e }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d > e }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d < e:
		return -1
	case d > e:
		return 1
	}
	return 0
}

// Time returns the instant at which d begins in loc (midnight).
func (d Date) Time(loc *time.Location) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// String formats d as "YYYY-MM-DD".
func (d Date) String() string {
	return string(d.AppendFormat(make([]byte, 0, 10)))
}

// AppendFormat appends "YYYY-MM-DD" to b.
func (d Date) AppendFormat(b []byte) []byte {
	y, m, dd := d.Date()
	if y < 0 || y > 9999 {
		b = strconv.AppendInt(b, int64(y), 10)
	} else {
		b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	}
	return append(b, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+dd/10), byte('0'+dd%10))
}

// MarshalText implements encoding.TextMarshaler ("YYYY-MM-DD"), so a Date
// is a JSON string.
func (d Date) MarshalText() ([]byte, error) {
	return d.AppendFormat(make([]byte, 0, 10)), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value implements driver.Valuer: "YYYY-MM-DD", which both SQLite (TEXT)
// and PostgreSQL (date) accept; the zero Date is NULL.
func (d Date) Value() (driver.Value, error) {
	if d == 0 {
		return nil, nil
	}
	return d.String(), nil
}

// Scan implements sql.Scanner for a date stored as text "YYYY-MM-DD" or as
// a time.Time (its own calendar date is used, as drivers return dates at
// midnight UTC); NULL scans as the zero Date.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = 0
		return nil
	case time.Time:
		*d = DateOf(v)
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	}
	return fmt.Errorf("workcal: cannot scan %T into a Date", src)
}

func (d *Date) scanText(s string) error {
	if len(s) > 10 {
		// Some drivers render a date as a timestamp: keep the date part.
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			*d = DateOf(t)
			return nil
		}
		s = s[:10]
	}
	v, err := ParseDate(s)
	if err != nil {
		return errors.New("workcal: " + err.Error())
	}
	*d = v
	return nil
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// daysFromCivil returns the number of days from 1970-01-01 to y-m-d
// (proleptic Gregorian). It works in 400-year eras of 146097 days, with
// years starting on 1 March so that the leap day is the last of the year.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := int64(floorDiv(y, 400))
	yoe := int64(y) - era*400 // [0, 399]
	mp := int64(m+9) % 12     // March = 0
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return era*146097 + doe - 719468       // 719468: 0000-03-01 to 1970-01-01
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}
