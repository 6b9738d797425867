package workcal

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// ReceptionCutoff is the local time of day (UTC+7) from which a dossier
// received counts as received on the next working day (Decree
// 61/2018/NĐ-CP as amended by Decree 107/2021/NĐ-CP: paper dossiers received
// after 15:00 are transferred, and same-day procedures resolved, on the next
// working day).
const ReceptionCutoff = 15 * time.Hour

// Status says what kind of day a date is for a state body.
type Status uint8

// Statuses. Workday and MakeUpDay are working days.
const (
	Workday   Status = iota // Monday–Friday, not off
	Weekend                 // Saturday or Sunday, not a make-up day
	Holiday                 // a weekday off: holiday, compensatory or swapped day
	MakeUpDay               // a weekend day worked in exchange for a day off (làm bù)
)

var statusNames = [...]string{"workday", "weekend", "holiday", "makeup"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) {
	if int(s) >= len(statusNames) {
		return nil, fmt.Errorf("workcal: invalid status %d", uint8(s))
	}
	return []byte(statusNames[s]), nil
}

// Working reports whether a day of status s is a working day.
func (s Status) Working() bool { return s == Workday || s == MakeUpDay }

// DayInfo describes one date for the user interface: its status and, for a
// holiday, compensatory, swapped or make-up day, its name. A weekend day
// that is also a statutory holiday (Tết on a Saturday) carries the
// holiday's name with status Weekend.
type DayInfo struct {
	Date   Date   `json:"date"`
	Status Status `json:"status"`
	Name   string `json:"name,omitempty"`
}

// Working reports whether the day is a working day.
func (i DayInfo) Working() bool { return i.Status.Working() }

// Calendar is the working calendar of state bodies: Monday to Friday,
// less the days off, plus the make-up working days. A year with an
// announced schedule uses exactly that schedule; any other year uses the
// statutory rules (see DefaultHolidays).
//
// A Calendar is immutable and safe for concurrent use. Each year's table
// is built on first use and shared afterwards: after warm-up a query is a
// date-to-year conversion and an array lookup.
type Calendar struct {
	announced map[int][]Day // by year, sorted by date; never modified after New
	tables    [MaxYear - MinYear + 1]atomic.Pointer[yearTable]
}

// yearTable is the precomputed calendar of one Gregorian year.
type yearTable struct {
	year  int
	start Date // 1 January
	n     int  // days in the year
	// status[i] is the status of day start+i.
	status [366]Status
	// cum[i] is the number of working days among the first i days of the
	// year, so cum[n] is the year's total.
	cum   [367]uint16
	names map[Date]string
	list  []Day // weekday days off and make-up days, by date
}

// New returns a Calendar that follows the announced schedules and, for
// every year without one, the statutory rules. A year counts as announced
// as soon as one day of it is listed, so list each announced year
// completely: its days off that fall on weekdays (holidays, compensatory
// and swapped days) and its make-up working days. Days off on a weekend
// change nothing but are accepted and give the day its name.
//
// New fails if a day has no date, an invalid kind or an empty or non-NFC
// name, if a make-up day is not a Saturday or Sunday, or if a date repeats.
func New(announced []Day) (*Calendar, error) {
	c := &Calendar{announced: map[int][]Day{}}
	var errs []error
	seen := make(map[Date]bool, len(announced))
	for i, d := range announced {
		if msgs := dayProblems(d); len(msgs) > 0 {
			errs = append(errs, fmt.Errorf("day %d (%s): %s", i+1, d.Date, strings.Join(msgs, "; ")))
			continue
		}
		if seen[d.Date] {
			errs = append(errs, fmt.Errorf("day %d: date %s appears twice", i+1, d.Date))
			continue
		}
		seen[d.Date] = true
		d.Name = strings.TrimSpace(d.Name)
		y := d.Date.Year()
		c.announced[y] = append(c.announced[y], d)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, days := range c.announced {
		sort.Slice(days, func(i, j int) bool { return days[i].Date < days[j].Date })
	}
	return c, nil
}

// Announced reports whether year y follows an announced schedule rather
// than the statutory rules.
func (c *Calendar) Announced(y int) bool {
	_, ok := c.announced[y]
	return ok
}

// AnnouncedYears returns the years that have an announced schedule, in
// order.
func (c *Calendar) AnnouncedYears() []int {
	ys := make([]int, 0, len(c.announced))
	for y := range c.announced {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	return ys
}

func (c *Calendar) table(y int) *yearTable {
	i := y - MinYear
	if i < 0 || i >= len(c.tables) {
		return c.buildTable(y) // rare: not cached
	}
	if t := c.tables[i].Load(); t != nil {
		return t
	}
	t := c.buildTable(y)
	if !c.tables[i].CompareAndSwap(nil, t) {
		return c.tables[i].Load()
	}
	return t
}

func (c *Calendar) buildTable(y int) *yearTable {
	t := &yearTable{year: y, start: NewDate(y, 1, 1), n: 365, names: map[Date]string{}}
	if isLeapYear(y) {
		t.n = 366
	}
	for i := 0; i < t.n; i++ {
		if isWeekend(t.start + Date(i)) {
			t.status[i] = Weekend
		}
	}
	sched, announced := c.announced[y]
	if announced {
		// Name the statutory holidays that fall on a weekend: the
		// schedule lists working days only.
		for _, h := range statutoryHolidays(y) {
			if isWeekend(h.date) && h.date.Year() == y {
				t.names[h.date] = h.name
			}
		}
	} else {
		sched = defaultSchedule(y)
	}
	for _, d := range sched {
		i := int(d.Date - t.start)
		if i < 0 || i >= t.n {
			continue
		}
		t.names[d.Date] = d.Name
		switch {
		case d.Kind == Work:
			t.status[i] = MakeUpDay
			t.list = append(t.list, d)
		case d.Kind == Off && t.status[i] == Workday:
			t.status[i] = Holiday
			t.list = append(t.list, d)
		}
	}
	sort.Slice(t.list, func(i, j int) bool { return t.list[i].Date < t.list[j].Date })
	for i := 0; i < t.n; i++ {
		t.cum[i+1] = t.cum[i]
		if t.status[i].Working() {
			t.cum[i+1]++
		}
	}
	return t
}

// IsWorkingDay reports whether d is a working day of state bodies.
func (c *Calendar) IsWorkingDay(d Date) bool {
	t := c.table(d.Year())
	return t.status[d-t.start].Working()
}

// DayInfo returns the status of d and the name of its holiday or make-up
// reason, if any.
func (c *Calendar) DayInfo(d Date) DayInfo {
	t := c.table(d.Year())
	return DayInfo{Date: d, Status: t.status[d-t.start], Name: t.names[d]}
}

// Holidays returns year y's weekday days off (holidays, compensatory and
// swapped days, with their names) and its make-up working days, in date
// order. Holidays that fall on a weekend are not listed: DayInfo names them.
func (c *Calendar) Holidays(y int) []Day {
	l := c.table(y).list
	return append(make([]Day, 0, len(l)), l...)
}

// NextWorkingDay returns the first working day after d.
func (c *Calendar) NextWorkingDay(d Date) Date { return c.forward(d, 1) }

// maxWorkingDays bounds n in AddWorkingDays: about 40,000 years.
const maxWorkingDays = 10_000_000

// AddWorkingDays returns the date on which a period of n working days that
// is triggered on from ends: counting starts the day after from (Civil Code
// 2015 art. 147), and the result is the n-th working day after from. So
// from a Friday, n = 1 gives the next Monday (or the first working day
// after it); a make-up Saturday counts; days off count for nothing. The
// result is always a working day.
//
// n = 0 returns from if it is a working day, else the next working day.
// n < 0 counts back: the |n|-th working day before from.
// It panics if |n| exceeds 10,000,000.
func (c *Calendar) AddWorkingDays(from Date, n int) Date {
	switch {
	case n > maxWorkingDays || n < -maxWorkingDays:
		panic(fmt.Sprintf("workcal: AddWorkingDays(%s, %d): too many days", from, n))
	case n == 0:
		if c.IsWorkingDay(from) {
			return from
		}
		return c.forward(from, 1)
	case n > 0:
		return c.forward(from, n)
	}
	return c.backward(from, -n)
}

// forward returns the n-th (n >= 1) working day after from.
func (c *Calendar) forward(from Date, n int) Date {
	t := c.table(from.Year())
	// The wanted day is the target-th working day of t's year.
	target := int(t.cum[from-t.start+1]) + n
	for target > int(t.cum[t.n]) {
		target -= int(t.cum[t.n])
		t = c.table(t.year + 1)
	}
	return t.nth(target)
}

// backward returns the n-th (n >= 1) working day before from.
func (c *Calendar) backward(from Date, n int) Date {
	t := c.table(from.Year())
	target := int(t.cum[from-t.start]) - n + 1
	for target < 1 {
		t = c.table(t.year - 1)
		target += int(t.cum[t.n])
	}
	return t.nth(target)
}

// nth returns the k-th working day of the year (1 <= k <= cum[n]).
func (t *yearTable) nth(k int) Date {
	// The smallest i with cum[i+1] >= k.
	lo, hi := 0, t.n-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if int(t.cum[mid+1]) >= k {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return t.start + Date(lo)
}

// CountWorkingDays returns the number of working days d with a < d <= b:
// the working days elapsed from a to b, counted the way AddWorkingDays
// counts (so CountWorkingDays(a, AddWorkingDays(a, n)) == n for n >= 1).
// It is 0 when a == b and negative when b is before a
// (CountWorkingDays(b, a) == -CountWorkingDays(a, b)).
func (c *Calendar) CountWorkingDays(a, b Date) int {
	if b < a {
		return -c.CountWorkingDays(b, a)
	}
	ta, tb := c.table(a.Year()), c.table(b.Year())
	ca, cb := int(ta.cum[a-ta.start+1]), int(tb.cum[b-tb.start+1])
	if ta.year == tb.year {
		return cb - ca
	}
	n := int(ta.cum[ta.n]) - ca + cb
	for y := ta.year + 1; y < tb.year; y++ {
		t := c.table(y)
		n += int(t.cum[t.n])
	}
	return n
}

// WorkingDaysBetween returns CountWorkingDays of the local (UTC+7) dates of
// a and b: the working days after a's date up to and including b's date.
// Times of day do not matter: two instants on the same local day give 0.
func (c *Calendar) WorkingDaysBetween(a, b time.Time) int {
	return c.CountWorkingDays(LocalDate(a), LocalDate(b))
}

// ReceptionDate returns the date on which a dossier handed in at t counts
// as received: t's local (UTC+7) date if that is a working day and t is
// before ReceptionCutoff (15:00:00, exclusive), else the next working day.
// It is the triggering day of the processing time limit: pass it to
// AddWorkingDays as from.
func (c *Calendar) ReceptionDate(t time.Time) Date {
	lt := t.In(ICT)
	d := DateOf(lt)
	h, m, s := lt.Clock()
	tod := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(lt.Nanosecond())
	if tod < ReceptionCutoff && c.IsWorkingDay(d) {
		return d
	}
	return c.forward(d, 1)
}
