package epcis_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"egov/internal/epcis"
)

func TestParseSchedule(t *testing.T) {
	for _, c := range []struct {
		name string
		sc   epcis.Schedule
		ok   bool
	}{
		{"empty: every minute", epcis.Schedule{}, true},
		{"1:05", epcis.Schedule{Hour: "1", Minute: "5"}, true},
		{"list and range", epcis.Schedule{Minute: "0,[15-17],45", Hour: "[0-23]"}, true},
		{"single-value range", epcis.Schedule{Minute: "[5-5]"}, true},
		{"leading zero", epcis.Schedule{Hour: "07", Second: "00"}, true},
		{"every bound", epcis.Schedule{Second: "59", Minute: "0,59", Hour: "0,23", DayOfMonth: "1,31", Month: "1,12", DayOfWeek: "1,7"}, true},
		{"29 February", epcis.Schedule{DayOfMonth: "29", Month: "2"}, true},
		{"29 February, a Monday", epcis.Schedule{DayOfMonth: "29", Month: "2", DayOfWeek: "1"}, true},

		{"empty field is omitted, not invalid", epcis.Schedule{Minute: ""}, true},
		{"second 60", epcis.Schedule{Second: "60"}, false},
		{"minute 60", epcis.Schedule{Minute: "60"}, false},
		{"hour 24", epcis.Schedule{Hour: "24"}, false},
		{"day 0", epcis.Schedule{DayOfMonth: "0"}, false},
		{"day 32", epcis.Schedule{DayOfMonth: "32"}, false},
		{"month 0", epcis.Schedule{Month: "0"}, false},
		{"month 13", epcis.Schedule{Month: "13"}, false},
		{"weekday 0", epcis.Schedule{DayOfWeek: "0"}, false},
		{"weekday 8", epcis.Schedule{DayOfWeek: "8"}, false},
		{"reversed range", epcis.Schedule{Hour: "[5-3]"}, false},
		{"range without brackets", epcis.Schedule{Hour: "1-5"}, false},
		{"unclosed range", epcis.Schedule{Hour: "[1-5"}, false},
		{"range of one number", epcis.Schedule{Hour: "[1]"}, false},
		{"range with a list inside", epcis.Schedule{Hour: "[1,2-5]"}, false},
		{"empty element", epcis.Schedule{Minute: "1,,2"}, false},
		{"trailing comma", epcis.Schedule{Minute: "1,"}, false},
		{"space", epcis.Schedule{Minute: " 1"}, false},
		{"step", epcis.Schedule{Minute: "0/15"}, false},
		{"star", epcis.Schedule{Minute: "*"}, false},
		{"negative", epcis.Schedule{Minute: "-1"}, false},
		{"sign", epcis.Schedule{Minute: "+1"}, false},
		{"fraction", epcis.Schedule{Minute: "1.5"}, false},
		{"name", epcis.Schedule{DayOfWeek: "MON"}, false},
		{"huge", epcis.Schedule{Minute: "99999999999999999999999"}, false},
		{"several seconds", epcis.Schedule{Second: "0,30"}, false},
		{"every second", epcis.Schedule{Second: "[0-59]"}, false},
		{"30 February", epcis.Schedule{DayOfMonth: "30", Month: "2"}, false},
		{"31 of 30-day months", epcis.Schedule{DayOfMonth: "31", Month: "4,6,9,11"}, false},
	} {
		_, err := epcis.ParseSchedule(c.sc)
		if (err == nil) != c.ok {
			t.Errorf("%s: %+v: err %v, want ok %v", c.name, c.sc, err, c.ok)
		}
		if err != nil && exceptionType(err) != epcis.SubscriptionControlsException {
			t.Errorf("%s: %v is not a SubscriptionControlsException", c.name, err)
		}
	}
}

// A schedule's fields may come as strings or as numbers; anything else,
// and an unknown field, is refused.
func TestScheduleJSON(t *testing.T) {
	var sc epcis.Schedule
	if err := json.Unmarshal([]byte(`{"hour": 1, "minute": "5,[10-12]", "second": 0}`), &sc); err != nil {
		t.Fatal(err)
	}
	if sc != (epcis.Schedule{Hour: "1", Minute: "5,[10-12]", Second: "0"}) {
		t.Errorf("decoded %+v", sc)
	}
	for _, in := range []string{`{"year": "2026"}`, `{"hour": -1}`, `{"hour": 1.5}`, `{"hour": true}`, `{"hour": ["1"]}`, `[]`, `"1"`, `null`} {
		var sc epcis.Schedule
		err := json.Unmarshal([]byte(in), &sc)
		if exceptionType(err) != epcis.SubscriptionControlsException {
			t.Errorf("%s: %v", in, err)
		}
	}
}

func TestScheduleNext(t *testing.T) {
	ict := epcis.ScheduleZone
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04:05", s, ict)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name  string
		sc    epcis.Schedule
		after string
		want  []string // the next times, one after the other
	}{
		{"every minute, second 0 by default", epcis.Schedule{}, "2026-03-02 10:00:00",
			[]string{"2026-03-02 10:01:00", "2026-03-02 10:02:00"}},
		{"strictly after", epcis.Schedule{Hour: "1", Minute: "5"}, "2026-03-02 01:05:00",
			[]string{"2026-03-03 01:05:00", "2026-03-04 01:05:00"}},
		{"later today", epcis.Schedule{Hour: "1", Minute: "5"}, "2026-03-02 00:59:59",
			[]string{"2026-03-02 01:05:00"}},
		{"the next second", epcis.Schedule{Second: "30"}, "2026-03-02 10:00:29",
			[]string{"2026-03-02 10:00:30", "2026-03-02 10:01:30"}},
		{"second rolls the minute", epcis.Schedule{Second: "30"}, "2026-03-02 10:00:30",
			[]string{"2026-03-02 10:01:30"}},
		{"minute rolls the hour", epcis.Schedule{Minute: "10"}, "2026-03-02 10:10:00",
			[]string{"2026-03-02 11:10:00"}},
		{"every second of a minute with no second named", epcis.Schedule{Minute: "[0-1]", Hour: "0"}, "2026-03-02 00:00:00",
			[]string{"2026-03-02 00:01:00", "2026-03-03 00:00:00"}},
		{"rolls the day, month and year", epcis.Schedule{Hour: "0", Minute: "0"}, "2026-12-31 23:59:59",
			[]string{"2027-01-01 00:00:00"}},
		{"list and range", epcis.Schedule{Minute: "0,[15-17],45", Hour: "9"}, "2026-03-02 09:00:00",
			[]string{"2026-03-02 09:15:00", "2026-03-02 09:16:00", "2026-03-02 09:17:00", "2026-03-02 09:45:00", "2026-03-03 09:00:00"}},
		{"hour range", epcis.Schedule{Minute: "30", Hour: "[22-23],1"}, "2026-03-02 21:00:00",
			[]string{"2026-03-02 22:30:00", "2026-03-02 23:30:00", "2026-03-03 01:30:00"}},
		{"end of month: the 31st skips short months", epcis.Schedule{DayOfMonth: "31", Hour: "0", Minute: "0"}, "2026-04-15 00:00:00",
			[]string{"2026-05-31 00:00:00", "2026-07-31 00:00:00", "2026-08-31 00:00:00", "2026-10-31 00:00:00"}},
		{"end of February", epcis.Schedule{DayOfMonth: "28,29", Month: "2", Hour: "0", Minute: "0"}, "2027-01-01 00:00:00",
			[]string{"2027-02-28 00:00:00", "2028-02-28 00:00:00", "2028-02-29 00:00:00", "2029-02-28 00:00:00"}},
		{"29 February waits for a leap year", epcis.Schedule{DayOfMonth: "29", Month: "2", Hour: "0", Minute: "0"}, "2026-03-02 00:00:00",
			[]string{"2028-02-29 00:00:00", "2032-02-29 00:00:00"}},
		{"29 February on a Monday", epcis.Schedule{DayOfMonth: "29", Month: "2", DayOfWeek: "1", Hour: "0", Minute: "0"}, "2026-03-02 00:00:00",
			[]string{"2044-02-29 00:00:00", "2072-02-29 00:00:00"}},
		{"day of month and day of week both hold: Friday the 13th", epcis.Schedule{DayOfMonth: "13", DayOfWeek: "5", Hour: "8", Minute: "0"}, "2026-03-02 00:00:00",
			[]string{"2026-03-13 08:00:00", "2026-11-13 08:00:00"}},
		{"Sunday is 7", epcis.Schedule{DayOfWeek: "7", Hour: "6", Minute: "0"}, "2026-03-02 00:00:00",
			[]string{"2026-03-08 06:00:00", "2026-03-15 06:00:00"}},
		{"weekdays", epcis.Schedule{DayOfWeek: "[1-5]", Hour: "17", Minute: "0"}, "2026-03-06 17:00:00",
			[]string{"2026-03-09 17:00:00", "2026-03-10 17:00:00"}},
		{"months", epcis.Schedule{Month: "1,[6-7]", DayOfMonth: "1", Hour: "0", Minute: "0"}, "2026-03-02 00:00:00",
			[]string{"2026-06-01 00:00:00", "2026-07-01 00:00:00", "2027-01-01 00:00:00"}},
		{"an instant between seconds", epcis.Schedule{}, "2026-03-02 10:00:59.999",
			[]string{"2026-03-02 10:01:00"}},
	} {
		tt, err := epcis.ParseSchedule(c.sc)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var from time.Time
		if strings.Contains(c.after, ".") {
			v, err := time.ParseInLocation("2006-01-02 15:04:05.000", c.after, ict)
			if err != nil {
				t.Fatal(err)
			}
			from = v
		} else {
			from = at(c.after)
		}
		for _, w := range c.want {
			next := tt.Next(from)
			if !next.Equal(at(w)) {
				t.Errorf("%s: after %s: %s, want %s", c.name, from.In(ict).Format(time.DateTime), next.In(ict).Format(time.DateTime), w)
				break
			}
			from = next
		}
	}
}

// Schedules are read in Vietnam's time, whatever the zone of the instant
// they start from.
func TestScheduleZone(t *testing.T) {
	tt, err := epcis.ParseSchedule(epcis.Schedule{Hour: "1", Minute: "5"})
	if err != nil {
		t.Fatal(err)
	}
	next := tt.Next(time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC)) // 00:00 on 2 March in Vietnam
	if want := time.Date(2026, 3, 1, 18, 5, 0, 0, time.UTC); !next.Equal(want) {
		t.Errorf("next %s, want %s", next.UTC(), want)
	}
}

// Whatever a client sends as a schedule, parsing does not panic, and a
// schedule it accepts has as next time the first time it names after the
// start, as a plain scan of the calendar finds it: day by day (over one
// 400-year Gregorian cycle, which holds every combination of date and day
// of the week that occurs at all), then second by second in a day whose
// date matches. The scan reads the fields with a parser of its own.
func FuzzSchedule(f *testing.F) {
	f.Add(`{"hour": "1", "minute": "5"}`, int64(0))
	f.Add(`{"second": "30", "minute": "0,[15-17],45", "dayOfWeek": "[1-5]"}`, int64(1e9))
	f.Add(`{"dayOfMonth": "29", "month": "2", "dayOfWeek": "7"}`, int64(4e9))
	f.Add(`{"dayOfMonth": "31", "month": "4"}`, int64(0))
	f.Add(`{"minute": 7, "hour": "[22-23]"}`, int64(-1e9))
	f.Add(`{"dayOfMonth": "29", "month": "2", "dayOfWeek": "1", "hour": "23", "minute": "59", "second": "59"}`, int64(4102444800)) // 2100: no 29 February
	f.Add(`{"minute": "0,59", "hour": "0,23", "dayOfMonth": "1,31"}`, int64(1774972799))
	f.Add(`{}`, int64(1772409599))
	f.Fuzz(func(t *testing.T, body string, start int64) {
		var sc epcis.Schedule
		if json.Unmarshal([]byte(body), &sc) != nil {
			return
		}
		tt, err := epcis.ParseSchedule(sc)
		if err != nil {
			return
		}
		from := time.Unix(start%(1<<34), 0)
		next := tt.Next(from)
		want := scanSchedule(t, sc, from)
		if !next.Equal(want) {
			t.Fatalf("%s: next after %s is %s, the scan finds %s", body, from.In(epcis.ScheduleZone), next.In(epcis.ScheduleZone), want.In(epcis.ScheduleZone))
		}
	})
}

// scanSchedule returns the first time after from that sc names, found by
// trying the times one by one.
func scanSchedule(t *testing.T, sc epcis.Schedule, from time.Time) time.Time {
	field := func(s string, min, max int, omitted []int) []bool {
		set := make([]bool, max+1)
		if s == "" {
			for _, v := range omitted {
				set[v] = true
			}
			return set
		}
		for _, el := range strings.Split(s, ",") {
			lo, hi := el, el
			if strings.HasPrefix(el, "[") {
				lo, hi, _ = strings.Cut(strings.Trim(el, "[]"), "-")
			}
			a, err1 := strconv.Atoi(lo)
			b, err2 := strconv.Atoi(hi)
			if err1 != nil || err2 != nil || a < min || b > max {
				t.Fatalf("ParseSchedule accepted %q", s)
			}
			for v := a; v <= b; v++ {
				set[v] = true
			}
		}
		return set
	}
	every := func(min, max int) []int {
		var out []int
		for v := min; v <= max; v++ {
			out = append(out, v)
		}
		return out
	}
	sec, minute, hour := field(sc.Second, 0, 59, []int{0}), field(sc.Minute, 0, 59, every(0, 59)), field(sc.Hour, 0, 23, every(0, 23))
	dom, month, dow := field(sc.DayOfMonth, 1, 31, every(1, 31)), field(sc.Month, 1, 12, every(1, 12)), field(sc.DayOfWeek, 1, 7, every(1, 7))
	local := from.In(epcis.ScheduleZone)
	first := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, epcis.ScheduleZone)
	for d := 0; d <= 146097+366; d++ {
		day := first.AddDate(0, 0, d)
		wd := int(day.Weekday())
		if wd == 0 {
			wd = 7
		}
		if !dom[day.Day()] || !month[int(day.Month())] || !dow[wd] {
			continue
		}
		for s := 0; s < 24*60*60; s++ {
			c := day.Add(time.Duration(s) * time.Second)
			if c.After(from) && hour[c.Hour()] && minute[c.Minute()] && sec[c.Second()] {
				return c
			}
		}
	}
	return time.Time{}
}
