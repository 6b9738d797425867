package reporting

import (
	"os"
	"testing"

	"egov/internal/workcal"
)

func TestParsePeriod(t *testing.T) {
	for _, c := range []struct {
		in         string
		typ        PeriodType
		start, end string
	}{
		{"2024", Yearly, "2024-01-01", "2024-12-31"},
		{"2024S1", HalfYearly, "2024-01-01", "2024-06-30"},
		{"2024S2", HalfYearly, "2024-07-01", "2024-12-31"},
		{"2024N9", NineMonths, "2024-01-01", "2024-09-30"},
		{"2024Q1", Quarterly, "2024-01-01", "2024-03-31"},
		{"2024Q4", Quarterly, "2024-10-01", "2024-12-31"},
		{"202401", Monthly, "2024-01-01", "2024-01-31"},
		{"202402", Monthly, "2024-02-01", "2024-02-29"},
		{"202312", Monthly, "2023-12-01", "2023-12-31"},
	} {
		p, err := ParsePeriod(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if p.Type != c.typ || p.String() != c.in || p.Start().String() != c.start || p.End().String() != c.end {
			t.Errorf("%s: got %v %s %s..%s", c.in, p.Type, p, p.Start(), p.End())
		}
	}
	for _, bad := range []string{"", "24", "202", "2024Q0", "2024Q5", "2024S3", "2024S", "202413", "202400", "2024N8",
		"2024M1", "20241", "2024011", "+024", "1899", "2200Q1", "2024Q1 ", "2024q1", "2024-01"} {
		if p, err := ParsePeriod(bad); err == nil {
			t.Errorf("%q parsed as %v", bad, p)
		}
	}
}

func TestPeriodContains(t *testing.T) {
	in := func(outer, inner string) bool {
		p, err := ParsePeriod(outer)
		if err != nil {
			t.Fatal(err)
		}
		q, err := ParsePeriod(inner)
		if err != nil {
			t.Fatal(err)
		}
		return p.Contains(q)
	}
	for _, c := range []struct {
		outer, inner string
		want         bool
	}{
		{"2024", "202401", true}, {"2024", "2024Q3", true}, {"2024", "2024N9", true}, {"2024", "2024", true},
		{"2024Q1", "202403", true}, {"2024Q1", "202404", false}, {"2024S1", "2024Q2", true}, {"2024S1", "2024Q3", false},
		{"2024N9", "2024Q3", true}, {"2024N9", "2024Q4", false}, {"2024N9", "2024S1", true}, {"2024N9", "2024S2", false},
		{"2024", "202501", false}, {"202401", "2024Q1", false}, {"2024Q1", "2024", false},
	} {
		if got := in(c.outer, c.inner); got != c.want {
			t.Errorf("%s contains %s: %v, want %v", c.outer, c.inner, got, c.want)
		}
	}
	p, _ := ParsePeriod("2024Q2")
	var ids []string
	for _, m := range p.Months() {
		ids = append(ids, m.String())
	}
	if got := ids; len(got) != 3 || got[0] != "202404" || got[2] != "202406" {
		t.Errorf("months of 2024Q2: %v", got)
	}
}

func testCalendar(t testing.TB) *workcal.Calendar {
	f, err := os.Open("../../../shared/data/holidays/vn-public-sector-2024-2026.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	days, err := workcal.ParseCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := workcal.New(days)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// TestWindowAndDeadline checks the Decree 09/2019 data windows and that a
// deadline falls on a working day at least one working day after the
// cut-off, skipping weekends and Tết.
func TestWindowAndDeadline(t *testing.T) {
	cal := testCalendar(t)
	for _, c := range []struct {
		period   string
		from, to string
		days     int
		deadline string
	}{
		{"202401", "2023-12-15", "2024-01-14", 1, "2024-01-15"}, // cut-off on a Sunday: Monday
		{"202403", "2024-02-15", "2024-03-14", 1, "2024-03-15"},
		{"202402", "2024-01-15", "2024-02-14", 1, "2024-02-15"}, // Tết 8–14 Feb 2024
		{"202402", "2024-01-15", "2024-02-14", 2, "2024-02-16"},
		{"2024Q1", "2023-12-15", "2024-03-14", 1, "2024-03-15"},
		{"2024Q2", "2024-03-15", "2024-06-14", 1, "2024-06-17"}, // Friday cut-off: Monday
		{"2024S1", "2023-12-15", "2024-06-14", 3, "2024-06-19"},
		{"2024N9", "2023-12-15", "2024-09-14", 1, "2024-09-16"}, // Saturday cut-off
		{"2024", "2023-12-15", "2024-12-14", 1, "2024-12-16"},
		{"2025Q1", "2024-12-15", "2025-03-14", 0, "2025-03-17"}, // at least one working day, even when 0 is asked
	} {
		p, err := ParsePeriod(c.period)
		if err != nil {
			t.Fatal(err)
		}
		from, to := p.Window()
		if from.String() != c.from || to.String() != c.to {
			t.Errorf("%s window %s..%s, want %s..%s", c.period, from, to, c.from, c.to)
		}
		d := p.Deadline(cal, c.days)
		if d.String() != c.deadline {
			t.Errorf("%s deadline (%d working days) %s, want %s", c.period, c.days, d, c.deadline)
		}
		if !cal.IsWorkingDay(d) || cal.CountWorkingDays(to, d) < 1 {
			t.Errorf("%s deadline %s is not a working day after %s", c.period, d, to)
		}
	}
}

func TestFormDeadline(t *testing.T) {
	cal := testCalendar(t)
	f := &Form{Levels: []FormLevel{{3, 1}, {2, 3}, {1, 5}}}
	p, _ := ParsePeriod("2024")
	for _, c := range []struct {
		level int
		want  string
	}{{3, "2024-12-16"}, {2, "2024-12-18"}, {1, "2024-12-20"}} {
		if d, ok := f.Deadline(p, c.level, cal); !ok || d.String() != c.want {
			t.Errorf("level %d: %s %v, want %s", c.level, d, ok, c.want)
		}
	}
	if _, ok := f.Deadline(p, 4, cal); ok {
		t.Error("a level that does not report has a deadline")
	}
}

func TestPeriodOf(t *testing.T) {
	m, _ := ParsePeriod("202408")
	for typ, want := range map[PeriodType]string{Monthly: "202408", Quarterly: "2024Q3", HalfYearly: "2024S2", NineMonths: "2024N9", Yearly: "2024"} {
		if got := PeriodOf(typ, m); got.String() != want || !got.Contains(m) && typ != NineMonths {
			t.Errorf("%s of 202408: %s, want %s", typ, got, want)
		}
	}
}
