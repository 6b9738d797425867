package workcal

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func announcedCalendar(tb testing.TB) *Calendar {
	tb.Helper()
	c, err := New(loadAnnounced(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestAnnouncedYears(t *testing.T) {
	c := announcedCalendar(t)
	if got := c.AnnouncedYears(); !reflect.DeepEqual(got, []int{2024, 2025, 2026}) {
		t.Errorf("AnnouncedYears = %v", got)
	}
	if !c.Announced(2025) || c.Announced(2027) {
		t.Error("Announced")
	}
}

func TestDayInfo(t *testing.T) {
	c := announcedCalendar(t)
	tests := []struct {
		date   string
		status Status
		name   string
	}{
		// Tết 2024: announced 8, 9, 12, 13, 14 February; the default rule
		// would have given 9, 12, 13, 14, 15.
		{"2024-02-07", Workday, ""},
		{"2024-02-08", Holiday, "Tết Nguyên Đán"},
		{"2024-02-09", Holiday, "Tết Nguyên Đán"},
		{"2024-02-10", Weekend, "Tết Nguyên Đán"}, // 1/1 on a Saturday, named
		{"2024-02-12", Holiday, "Tết Nguyên Đán (nghỉ bù)"},
		{"2024-02-14", Holiday, "Tết Nguyên Đán"},
		{"2024-02-15", Workday, ""},
		{"2024-04-29", Holiday, "Nghỉ hoán đổi dịp 30/4-1/5"},
		{"2024-05-04", MakeUpDay, "Làm bù cho ngày 29/4"},
		{"2024-05-11", Weekend, ""},
		// Tết 2025: 27–31 January.
		{"2025-01-24", Workday, ""},
		{"2025-01-27", Holiday, "Tết Nguyên Đán"},
		{"2025-01-31", Holiday, "Tết Nguyên Đán"},
		{"2025-02-01", Weekend, "Tết Nguyên Đán"}, // 4/1, Saturday
		{"2025-02-03", Workday, ""},
		{"2025-04-26", MakeUpDay, "Làm bù cho ngày 2/5"},
		{"2025-05-02", Holiday, "Nghỉ hoán đổi dịp 30/4-1/5"},
		// 2026.
		{"2026-01-02", Holiday, "Nghỉ hoán đổi dịp Tết Dương lịch"},
		{"2026-01-10", MakeUpDay, "Làm bù cho ngày 2/1"},
		{"2026-02-13", Workday, ""},
		{"2026-02-16", Holiday, "Tết Nguyên Đán"},
		{"2026-02-20", Holiday, "Tết Nguyên Đán"},
		{"2026-02-23", Workday, ""},
		{"2026-04-26", Weekend, "Giỗ Tổ Hùng Vương"},
		{"2026-04-27", Holiday, "Giỗ Tổ Hùng Vương (nghỉ bù)"},
		{"2026-08-22", MakeUpDay, "Làm bù cho ngày 31/8"},
		{"2026-08-31", Holiday, "Nghỉ hoán đổi dịp Quốc khánh"},
		// 2028 is not announced: the statutory rules apply.
		{"2028-01-01", Weekend, "Tết Dương lịch"},
		{"2028-01-03", Holiday, "Tết Dương lịch (nghỉ bù)"},
		{"2028-05-02", Holiday, "Ngày Chiến thắng (nghỉ bù)"},
	}
	for _, tt := range tests {
		dt := d(t, tt.date)
		want := DayInfo{Date: dt, Status: tt.status, Name: tt.name}
		if got := c.DayInfo(dt); got != want {
			t.Errorf("DayInfo(%s) = %+v, want %+v", tt.date, got, want)
		}
		if got := c.IsWorkingDay(dt); got != tt.status.Working() {
			t.Errorf("IsWorkingDay(%s) = %v", tt.date, got)
		}
	}
}

func TestHolidaysList(t *testing.T) {
	c := announcedCalendar(t)
	var got []string
	for _, day := range c.Holidays(2025) {
		got = append(got, day.Date.String()+" "+day.Kind.String())
	}
	want := []string{
		"2025-01-01 off", "2025-01-27 off", "2025-01-28 off", "2025-01-29 off", "2025-01-30 off", "2025-01-31 off",
		"2025-04-07 off", "2025-04-26 work", "2025-04-30 off", "2025-05-01 off", "2025-05-02 off",
		"2025-09-01 off", "2025-09-02 off",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Holidays(2025) =\n%q\nwant\n%q", got, want)
	}
	// A default year lists weekday days off only, compensatory ones included.
	got = got[:0]
	for _, day := range c.Holidays(2028) {
		got = append(got, day.Date.String())
	}
	want = []string{"2028-01-03", "2028-01-25", "2028-01-26", "2028-01-27", "2028-01-28", "2028-01-31",
		"2028-04-04", "2028-05-01", "2028-05-02", "2028-09-01", "2028-09-04"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Holidays(2028) = %q, want %q", got, want)
	}
	// The result is a copy.
	h := c.Holidays(2025)
	h[0].Name = "changed"
	if c.Holidays(2025)[0].Name != "Tết Dương lịch" {
		t.Error("Holidays returned the calendar's own slice")
	}
}

func TestAnnouncedYearReplacesDefaults(t *testing.T) {
	// One announced day makes 2030 an announced year: the statutory days
	// of 2030 are no longer off, only the announced one is.
	c, err := New([]Day{{d(t, "2030-01-02"), Off, "Nghỉ thử"}})
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsWorkingDay(d(t, "2030-01-01")) || c.IsWorkingDay(d(t, "2030-01-02")) {
		t.Error("2030 does not follow its announced schedule")
	}
	if c.IsWorkingDay(d(t, "2031-01-01")) {
		t.Error("2031 (not announced) lost its statutory holiday")
	}
}

func TestNewRejectsBadDays(t *testing.T) {
	tests := []struct {
		days []Day
		want string
	}{
		{[]Day{{d(t, "2027-02-22"), Work, "Làm bù"}}, "must be a Saturday or Sunday"},
		{[]Day{{0, Off, "X"}}, "the date is missing"},
		{[]Day{{d(t, "2027-02-22"), 0, "X"}}, "neither off nor work"},
		{[]Day{{d(t, "2027-02-22"), Off, " "}}, "the name is empty"},
		{[]Day{{d(t, "2027-02-22"), Off, "A"}, {d(t, "2027-02-22"), Off, "B"}}, "appears twice"},
	}
	for _, tt := range tests {
		if _, err := New(tt.days); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%v) error = %v, want %q", tt.days, err, tt.want)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := announcedCalendar(t)
	tests := []struct {
		from string
		n    int
		want string
		why  string
	}{
		{"2025-03-07", 1, "2025-03-10", "Friday + 1 = Monday"},
		{"2025-03-03", 5, "2025-03-10", "Monday + 5 = next Monday"},
		{"2025-03-08", 1, "2025-03-10", "from a Saturday: the Monday"},
		{"2025-03-03", 0, "2025-03-03", "n = 0 on a working day"},
		{"2025-03-08", 0, "2025-03-10", "n = 0 on a Saturday"},
		{"2026-01-01", 0, "2026-01-05", "n = 0 on a holiday: 2/1 is off, then the weekend"},
		{"2026-02-13", 1, "2026-02-23", "the day before the Tết break 2026"},
		{"2025-01-24", 1, "2025-02-03", "the day before the Tết break 2025"},
		{"2024-02-07", 1, "2024-02-15", "the day before the Tết break 2024"},
		{"2024-02-07", 2, "2024-02-16", ""},
		{"2024-05-03", 1, "2024-05-04", "a make-up Saturday counts"},
		{"2024-04-26", 1, "2024-05-02", "30/4–1/5 break with its swapped Monday"},
		{"2024-04-26", 2, "2024-05-03", ""},
		{"2024-04-26", 3, "2024-05-04", "the make-up Saturday"},
		{"2024-04-26", 4, "2024-05-06", ""},
		{"2026-08-21", 1, "2026-08-22", "make-up Saturday 22/8/2026"},
		{"2026-08-28", 1, "2026-09-03", "31/8, 1/9 and 2/9 off"},
		// Across year ends.
		{"2025-12-31", 1, "2026-01-05", "1/1 and 2/1/2026 off"},
		{"2025-12-30", 2, "2026-01-05", ""},
		{"2024-12-20", 10, "2025-01-06", "through 1/1/2025"},
		{"2026-12-31", 1, "2027-01-04", "into a default year"},
		{"2023-12-29", 1, "2024-01-02", "from a default year into an announced one"},
		{"2024-12-31", 60, "2025-04-02", "60 working days across Tết 2025"},
		// Backwards.
		{"2026-01-05", -1, "2025-12-31", ""},
		{"2024-02-15", -1, "2024-02-07", ""},
		{"2024-05-06", -1, "2024-05-04", "the make-up Saturday"},
		{"2025-04-02", -60, "2024-12-31", ""},
		{"2025-04-04", -60, "2025-01-03", ""},
	}
	for _, tt := range tests {
		got := c.AddWorkingDays(d(t, tt.from), tt.n)
		if got.String() != tt.want {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s (%s)", tt.from, tt.n, got, tt.want, tt.why)
		}
	}
}

// naiveAdd is the definition of AddWorkingDays, one day at a time.
func naiveAdd(c *Calendar, from Date, n int) Date {
	if n == 0 {
		for !c.IsWorkingDay(from) {
			from++
		}
		return from
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	d := from
	for n > 0 {
		d += Date(step)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

func TestAddWorkingDaysMatchesDefinition(t *testing.T) {
	c := announcedCalendar(t)
	r := rand.New(rand.NewPCG(1, 2))
	base := NewDate(2020, 1, 1)
	for range 20000 {
		from := base + Date(r.IntN(12*366))
		n := r.IntN(801) - 400
		got, want := c.AddWorkingDays(from, n), naiveAdd(c, from, n)
		if got != want {
			t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", from, n, got, want)
		}
		if !c.IsWorkingDay(got) {
			t.Fatalf("AddWorkingDays(%s, %d) = %s, not a working day", from, n, got)
		}
		if n > 0 {
			if k := c.CountWorkingDays(from, got); k != n {
				t.Fatalf("CountWorkingDays(%s, %s) = %d, want %d", from, got, k, n)
			}
			if c.CountWorkingDays(got, from) != -n {
				t.Fatalf("CountWorkingDays is not antisymmetric")
			}
		}
	}
	// A long span: 10,000 working days is about 40 years.
	from := NewDate(2000, 6, 15)
	if got, want := c.AddWorkingDays(from, 10000), naiveAdd(c, from, 10000); got != want {
		t.Errorf("AddWorkingDays(%s, 10000) = %s, want %s", from, got, want)
	}
}

func TestCountWorkingDays(t *testing.T) {
	c := announcedCalendar(t)
	tests := []struct {
		a, b string
		want int
	}{
		{"2025-03-03", "2025-03-03", 0},
		{"2025-03-03", "2025-03-04", 1},
		{"2025-03-07", "2025-03-09", 0}, // Friday to Sunday
		{"2025-03-07", "2025-03-10", 1},
		{"2025-03-10", "2025-03-07", -1},
		{"2026-02-13", "2026-02-23", 1},
		{"2025-12-31", "2026-01-05", 1},
		// 2024: 262 weekdays − 12 days off + 1 make-up day; 2025: 261 − 12 + 1;
		// 2026: 261 − 13 + 2; 1/1/2027 is off.
		{"2023-12-31", "2027-01-01", 251 + 250 + 250},
	}
	for _, tt := range tests {
		if got := c.CountWorkingDays(d(t, tt.a), d(t, tt.b)); got != tt.want {
			t.Errorf("CountWorkingDays(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestWorkingDaysPerYear(t *testing.T) {
	// Announced years: weekdays − weekday days off + make-up days.
	c := announcedCalendar(t)
	for _, y := range []int{2024, 2025, 2026} {
		weekdays := 0
		for dd := NewDate(y, 1, 1); dd.Year() == y; dd++ {
			if !isWeekend(dd) {
				weekdays++
			}
		}
		want := weekdays
		for _, day := range c.Holidays(y) {
			if day.Kind == Off {
				want--
			} else {
				want++
			}
		}
		if got := c.CountWorkingDays(NewDate(y-1, 12, 31), NewDate(y, 12, 31)); got != want {
			t.Errorf("%d has %d working days, want %d", y, got, want)
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := announcedCalendar(t)
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		a, b string
		want int
	}{
		{"2026-02-13T10:00:00+07:00", "2026-02-23T09:00:00+07:00", 1},
		{"2025-03-03T08:00:00+07:00", "2025-03-03T17:00:00+07:00", 0},
		{"2025-03-03T08:00:00+07:00", "2025-03-04T07:00:00+07:00", 1},
		// 2025-03-03T17:30Z is already Tuesday in Vietnam.
		{"2025-03-03T08:00:00+07:00", "2025-03-03T17:30:00Z", 1},
		{"2025-03-10T08:00:00+07:00", "2025-03-03T08:00:00+07:00", -5},
	}
	for _, tt := range tests {
		if got := c.WorkingDaysBetween(at(tt.a), at(tt.b)); got != tt.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestReceptionDate(t *testing.T) {
	c := announcedCalendar(t)
	ict := func(y int, m time.Month, dd, hh, mm, ss, ns int) time.Time {
		return time.Date(y, m, dd, hh, mm, ss, ns, ICT)
	}
	tests := []struct {
		at   time.Time
		want string
	}{
		{ict(2025, 3, 3, 8, 0, 0, 0), "2025-03-03"},
		{ict(2025, 3, 3, 14, 59, 59, 999999999), "2025-03-03"},
		{ict(2025, 3, 3, 15, 0, 0, 0), "2025-03-04"}, // at 15:00 it is the next day
		{ict(2025, 3, 3, 23, 59, 0, 0), "2025-03-04"},
		{ict(2025, 3, 7, 16, 0, 0, 0), "2025-03-10"},                  // Friday afternoon → Monday
		{ict(2025, 3, 8, 9, 0, 0, 0), "2025-03-10"},                   // Saturday → Monday
		{ict(2025, 4, 26, 10, 0, 0, 0), "2025-04-26"},                 // make-up Saturday morning
		{ict(2025, 4, 26, 15, 30, 0, 0), "2025-04-28"},                // make-up Saturday afternoon
		{ict(2026, 2, 13, 15, 1, 0, 0), "2026-02-23"},                 // before the Tết break
		{ict(2026, 2, 17, 9, 0, 0, 0), "2026-02-23"},                  // during it
		{ict(2025, 12, 31, 15, 0, 0, 0), "2026-01-05"},                // New Year
		{time.Date(2025, 3, 3, 7, 59, 0, 0, time.UTC), "2025-03-03"},  // 14:59 ICT
		{time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC), "2025-03-04"},   // 15:00 ICT
		{time.Date(2025, 3, 2, 17, 30, 0, 0, time.UTC), "2025-03-03"}, // Monday 00:30 ICT
	}
	for _, tt := range tests {
		if got := c.ReceptionDate(tt.at); got.String() != tt.want {
			t.Errorf("ReceptionDate(%s) = %s, want %s", tt.at, got, tt.want)
		}
	}
	if ReceptionCutoff != 15*time.Hour {
		t.Errorf("ReceptionCutoff = %s", ReceptionCutoff)
	}
}

func TestDefaultCalendarCompensatoryDays(t *testing.T) {
	c, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2027-04-29", 1, "2027-05-04"}, // 30/4 Friday, 1/5 Saturday → Monday 3/5 off
		{"2027-12-31", 1, "2028-01-04"}, // 1/1/2028 Saturday → Monday 3/1 off
		{"2028-04-28", 1, "2028-05-03"}, // 30/4 Sunday, 1/5 Monday, compensatory Tuesday 2/5
		{"2028-08-31", 1, "2028-09-05"}, // 1/9 Friday, 2/9 Saturday → Monday 4/9 off
		{"2027-02-04", 1, "2027-02-12"}, // Tết 2027: 5, 8, 9 off, compensatory 10, 11
	}
	for _, tt := range tests {
		if got := c.AddWorkingDays(d(t, tt.from), tt.n); got.String() != tt.want {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestOutOfRangeYears(t *testing.T) {
	// Outside MinYear..MaxYear there is no lunar calendar and no cache, but
	// fixed-date holidays and weekends still apply.
	c, _ := New(nil)
	dd := NewDate(MaxYear+5, 5, 1)
	if dd.Weekday() != time.Saturday && dd.Weekday() != time.Sunday && c.IsWorkingDay(dd) {
		t.Errorf("%s (1 May) is a working day", dd)
	}
	if got := c.AddWorkingDays(NewDate(MaxYear, 12, 30), 3); got <= NewDate(MaxYear, 12, 31) || !c.IsWorkingDay(got) {
		t.Errorf("AddWorkingDays past MaxYear = %s", got)
	}
	if got, want := c.AddWorkingDays(NewDate(MinYear, 1, 10), -30), naiveAdd(c, NewDate(MinYear, 1, 10), -30); got != want {
		t.Errorf("AddWorkingDays before MinYear = %s, want %s", got, want)
	}
}

func TestConcurrentUse(t *testing.T) {
	// Many goroutines warm the same years of a fresh calendar at once and
	// must all see what a calendar used by one goroutine sees.
	days := loadAnnounced(t)
	ref, _ := New(days)
	c, _ := New(days)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 3000 {
				dd := NewDate(2015, 1, 1) + Date((i*37+g*101)%(20*365))
				if c.DayInfo(dd) != ref.DayInfo(dd) || c.AddWorkingDays(dd, 15) != ref.AddWorkingDays(dd, 15) {
					errs <- dd.String()
					return
				}
				_ = SolarToLunar(dd + Date(g*1000))
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent result differs at %s", e)
	}
}

func TestAddWorkingDaysPanicsOnHugeN(t *testing.T) {
	c, _ := New(nil)
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	c.AddWorkingDays(NewDate(2025, 1, 1), 1<<40)
}
