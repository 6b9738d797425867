package epcis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/bits"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Schedule is the QuerySchedule of a scheduled subscription as the client
// wrote it (EPCIS 1.2 §8.2.5.3, kept by the EPCIS 2.0 REST binding). Each
// field is a list of numbers and ranges, "0,[15-17],45", in the grammar
//
//	field   = element *("," element)
//	element = number / "[" number "-" number "]"
//
// (the brackets are literal). A time matches the schedule when each field
// that is given matches the time's value of that field: all of them
// together, so dayOfMonth 13 with dayOfWeek 5 is every Friday the 13th,
// unlike Unix cron, where either day would do. An omitted field matches
// every value, except second, which is 0 when omitted.
type Schedule struct {
	Second     string `json:"second,omitempty"`
	Minute     string `json:"minute,omitempty"`
	Hour       string `json:"hour,omitempty"`
	DayOfMonth string `json:"dayOfMonth,omitempty"`
	Month      string `json:"month,omitempty"`
	DayOfWeek  string `json:"dayOfWeek,omitempty"`
}

// UnmarshalJSON reads a schedule whose fields are strings or, as some
// clients send a single value, non-negative integers. An unknown field is
// a SubscriptionControlsException.
func (sc *Schedule) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return subscriptionError("schedule must be an object of second, minute, hour, dayOfMonth, month and dayOfWeek")
	}
	*sc = Schedule{}
	for k, raw := range m {
		var dst *string
		switch k {
		case "second":
			dst = &sc.Second
		case "minute":
			dst = &sc.Minute
		case "hour":
			dst = &sc.Hour
		case "dayOfMonth":
			dst = &sc.DayOfMonth
		case "month":
			dst = &sc.Month
		case "dayOfWeek":
			dst = &sc.DayOfWeek
		default:
			return subscriptionError("schedule: unknown field %q", k)
		}
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			*dst = s
			continue
		}
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		var n json.Number
		if d.Decode(&n) != nil {
			return subscriptionError("schedule: %s must be a string such as \"1,[3-5]\"", k)
		}
		if _, err := strconv.ParseUint(n.String(), 10, 8); err != nil {
			return subscriptionError("schedule: %s: %s is not a value of the field", k, n)
		}
		*dst = n.String()
	}
	return nil
}

func subscriptionError(format string, args ...any) *Exception {
	return exception(SubscriptionControlsException, http.StatusBadRequest, format, args...)
}

// scheduleFields are the fields of a schedule, least significant first,
// with their ranges.
var scheduleFields = [6]struct {
	name     string
	min, max int
}{{"second", 0, 59}, {"minute", 0, 59}, {"hour", 0, 23}, {"dayOfMonth", 1, 31}, {"month", 1, 12}, {"dayOfWeek", 1, 7}}

const (
	fSecond = iota
	fMinute
	fHour
	fDayOfMonth
	fMonth
	fDayOfWeek
)

// ScheduleZone is the zone a schedule's fields are read in: Vietnam's
// (Asia/Ho_Chi_Minh, UTC+7). The standard leaves the zone to the
// repository; the operators who subscribe are Vietnamese cooperatives,
// mills and traders, and "hour 1, minute 5" means 01:05 on their clocks.
// Vietnam keeps no daylight saving, so every local time exists exactly
// once: no tick is skipped or doubled by a clock change, and a fixed zone
// needs no tzdata.
var ScheduleZone = ict

// Timetable is a parsed schedule: the set of times it names.
type Timetable struct {
	// sets[f] has bit v set when value v of field f matches.
	sets [6]uint64
}

// ParseSchedule checks a schedule and returns its timetable. A field
// outside the grammar, a value outside the field's range, a range whose
// first number is greater than its second, a schedule that could run more
// than once a minute (this repository runs a subscription at most once a
// minute, so second must name one value) and a schedule that names no time
// at all (dayOfMonth 30 of month 2) are SubscriptionControlsExceptions.
func ParseSchedule(sc Schedule) (*Timetable, error) {
	raw := [6]string{sc.Second, sc.Minute, sc.Hour, sc.DayOfMonth, sc.Month, sc.DayOfWeek}
	var tt Timetable
	for f, spec := range scheduleFields {
		if raw[f] == "" {
			if f == fSecond {
				tt.sets[f] = 1 // second 0
			} else {
				tt.sets[f] = span(spec.min, spec.max)
			}
			continue
		}
		set, err := parseField(raw[f], spec.min, spec.max)
		if err != nil {
			return nil, subscriptionError("schedule: %s %q: %s", spec.name, raw[f], err)
		}
		tt.sets[f] = set
	}
	if bits.OnesCount64(tt.sets[fSecond]) != 1 {
		return nil, subscriptionError("schedule: second must name a single value: a subscription runs at most once a minute")
	}
	if tt.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, ScheduleZone)).IsZero() {
		return nil, subscriptionError("schedule: no date has this day of the month in these months and days of the week")
	}
	return &tt, nil
}

// span is the set of the values min to max.
func span(min, max int) uint64 { return (uint64(1)<<(max+1) - 1) &^ (uint64(1)<<min - 1) }

func parseField(s string, min, max int) (uint64, error) {
	var set uint64
	for el := range strings.SplitSeq(s, ",") {
		lo, hi := el, el
		if inner, ok := strings.CutPrefix(el, "["); ok {
			inner, ok = strings.CutSuffix(inner, "]")
			if !ok {
				return 0, fmt.Errorf("%q: a range is written [first-last]", el)
			}
			if lo, hi, ok = strings.Cut(inner, "-"); !ok {
				return 0, fmt.Errorf("%q: a range is written [first-last]", el)
			}
		}
		a, err := fieldNumber(lo, min, max)
		if err != nil {
			return 0, err
		}
		b, err := fieldNumber(hi, min, max)
		if err != nil {
			return 0, err
		}
		if a > b {
			return 0, fmt.Errorf("%q: the range ends before it starts", el)
		}
		set |= span(a, b)
	}
	return set, nil
}

// fieldNumber reads digits only: no sign, no space, no step ("0/30").
func fieldNumber(s string, min, max int) (int, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a number, a list or a [first-last] range", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("%s is outside %d to %d", s, min, max)
	}
	return n, nil
}

// nextIn is the least value in set that is at least from, if any up to max.
func nextIn(set uint64, from, max int) (int, bool) {
	rest := set &^ (uint64(1)<<from - 1)
	if rest == 0 {
		return 0, false
	}
	v := bits.TrailingZeros64(rest)
	return v, v <= max
}

// horizon bounds the search for the next time: the Gregorian calendar
// repeats itself, weekdays included, every 400 years.
const horizon = 400

// Next returns the first time the timetable names strictly after t, in
// ScheduleZone; the zero time when there is none (ParseSchedule refuses
// such schedules).
func (tt *Timetable) Next(t time.Time) time.Time {
	t = t.In(ScheduleZone).Truncate(time.Second).Add(time.Second)
	end := t.Year() + horizon
	for t.Year() <= end {
		y, mo, d := t.Date()
		h, mi, s := t.Clock()
		if tt.sets[fMonth]&(1<<int(mo)) == 0 {
			if m, ok := nextIn(tt.sets[fMonth], int(mo)+1, 12); ok {
				t = time.Date(y, time.Month(m), 1, 0, 0, 0, 0, ScheduleZone)
			} else {
				t = time.Date(y+1, 1, 1, 0, 0, 0, 0, ScheduleZone)
			}
			continue
		}
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7 // Sunday is 7: 1 is Monday
		}
		if tt.sets[fDayOfMonth]&(1<<d) == 0 || tt.sets[fDayOfWeek]&(1<<wd) == 0 {
			t = time.Date(y, mo, d+1, 0, 0, 0, 0, ScheduleZone)
			continue
		}
		nh, ok := nextIn(tt.sets[fHour], h, 23)
		if !ok {
			t = time.Date(y, mo, d+1, 0, 0, 0, 0, ScheduleZone)
			continue
		}
		if nh != h {
			t = time.Date(y, mo, d, nh, 0, 0, 0, ScheduleZone)
			continue
		}
		nm, ok := nextIn(tt.sets[fMinute], mi, 59)
		if !ok {
			t = time.Date(y, mo, d, h+1, 0, 0, 0, ScheduleZone)
			continue
		}
		if nm != mi {
			t = time.Date(y, mo, d, h, nm, 0, 0, ScheduleZone)
			continue
		}
		ns, ok := nextIn(tt.sets[fSecond], s, 59)
		if !ok {
			t = time.Date(y, mo, d, h, mi+1, 0, 0, ScheduleZone)
			continue
		}
		return time.Date(y, mo, d, h, mi, ns, 0, ScheduleZone)
	}
	return time.Time{}
}
