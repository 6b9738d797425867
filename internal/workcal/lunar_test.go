package workcal

import (
	"errors"
	"testing"
)

func TestSolarToLunarCheckValues(t *testing.T) {
	tests := []struct {
		solar string
		want  Lunar
		why   string
	}{
		// Tết (1/1) in Vietnam.
		{"1968-01-29", Lunar{1, 1, 1968, false}, "Tết Mậu Thân: China 1968-01-30"},
		{"1985-01-21", Lunar{1, 1, 1985, false}, "Tết Ất Sửu: China 1985-02-20"},
		{"2007-02-17", Lunar{1, 1, 2007, false}, "Tết Đinh Hợi: China 2007-02-18"},
		{"2021-02-12", Lunar{1, 1, 2021, false}, "Tết Tân Sửu"},
		{"2024-02-10", Lunar{1, 1, 2024, false}, "Tết Giáp Thìn"},
		{"2025-01-29", Lunar{1, 1, 2025, false}, "Tết Ất Tỵ"},
		{"2026-02-17", Lunar{1, 1, 2026, false}, "Tết Bính Ngọ"},
		// The day before Tết is the last day of the old year.
		{"1985-01-20", Lunar{30, 12, 1984, false}, "30 Tết Giáp Tý"},
		{"2024-02-09", Lunar{30, 12, 2023, false}, "30 Tết Quý Mão"},
		{"2025-01-28", Lunar{29, 12, 2024, false}, "29 Tết Giáp Thìn"},
		{"2026-02-16", Lunar{29, 12, 2025, false}, "29 Tết Ất Tỵ"},
		// Giỗ Tổ Hùng Vương, 10/3.
		{"2021-04-21", Lunar{10, 3, 2021, false}, "Giỗ Tổ 2021"},
		{"2024-04-18", Lunar{10, 3, 2024, false}, "Giỗ Tổ 2024"},
		{"2025-04-07", Lunar{10, 3, 2025, false}, "Giỗ Tổ 2025"},
		{"2026-04-26", Lunar{10, 3, 2026, false}, "Giỗ Tổ 2026"},
		// Leap months.
		{"2020-05-23", Lunar{1, 4, 2020, true}, "tháng 4 nhuận 2020"},
		{"2020-05-22", Lunar{30, 4, 2020, false}, "last day of month 4, 2020"},
		{"2023-03-22", Lunar{1, 2, 2023, true}, "tháng 2 nhuận 2023"},
		{"2023-03-21", Lunar{30, 2, 2023, false}, "last day of month 2, 2023"},
		{"2023-04-20", Lunar{1, 3, 2023, false}, "month 3 after the leap month, 2023"},
		{"2025-07-25", Lunar{1, 6, 2025, true}, "tháng 6 nhuận 2025"},
		{"2025-08-23", Lunar{1, 7, 2025, false}, "month 7 after the leap month, 2025"},
		{"2033-12-22", Lunar{1, 11, 2033, true}, "tháng 11 nhuận 2033 (the 2033 problem)"},
		// Other days: mid-autumn 2024, the new year's day of 2000.
		{"2024-09-17", Lunar{15, 8, 2024, false}, "Tết Trung thu 2024"},
		{"2000-01-01", Lunar{25, 11, 1999, false}, "1/1/2000"},
	}
	for _, tt := range tests {
		sd := d(t, tt.solar)
		if got := SolarToLunar(sd); got != tt.want {
			t.Errorf("SolarToLunar(%s) = %s (leap %v), want %s (leap %v) [%s]", tt.solar, got, got.Leap, tt.want, tt.want.Leap, tt.why)
		}
		got, err := LunarToSolar(tt.want)
		if err != nil || got != sd {
			t.Errorf("LunarToSolar(%s) = %s, %v, want %s [%s]", tt.want, got, err, tt.solar, tt.why)
		}
	}
}

func TestLeapMonths(t *testing.T) {
	tests := []struct{ year, leap int }{
		{2017, 6}, {2018, 0}, {2019, 0}, {2020, 4}, {2021, 0}, {2022, 0}, {2023, 2},
		{2024, 0}, {2025, 6}, {2026, 0}, {2028, 5}, {2033, 11},
	}
	for _, tt := range tests {
		if got := LeapMonth(tt.year); got != tt.leap {
			t.Errorf("LeapMonth(%d) = %d, want %d", tt.year, got, tt.leap)
		}
	}
}

func TestLunarRoundTrip1900to2100(t *testing.T) {
	first, last := NewDate(1900, 1, 1), NewDate(2100, 12, 31)
	prev := SolarToLunar(first - 1)
	for sd := first; sd <= last; sd++ {
		l := SolarToLunar(sd)
		back, err := LunarToSolar(l)
		if err != nil || back != sd {
			t.Fatalf("%s → %s → %s, %v", sd, l, back, err)
		}
		// Consecutive days: the day advances, or a new month starts on 1.
		if l.Day == 1 {
			if prev.Day != 29 && prev.Day != 30 {
				t.Fatalf("%s: month %s followed a month of %d days", sd, l, prev.Day)
			}
		} else if l.Day != prev.Day+1 || l.Month != prev.Month || l.Year != prev.Year || l.Leap != prev.Leap {
			t.Fatalf("%s: %s follows %s", sd, l, prev)
		}
		prev = l
	}
}

func TestLunarYearStructure(t *testing.T) {
	// Every supported year: 12 or 13 months of 29 or 30 days, contiguous,
	// numbered 1..12 with at most one leap month after the month it repeats,
	// beginning between 21 January and 20 February (1900–2100; a day more
	// either way over the whole range).
	lo, hi := 1800, 2300
	if !testing.Short() {
		lo, hi = MinYear, MaxYear
	}
	for y := lo; y <= hi; y++ {
		ms, err := Months(y)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 12 && len(ms) != 13 {
			t.Fatalf("%d has %d months", y, len(ms))
		}
		tet, slack := ms[0].Start, Date(1)
		if y >= 1900 && y <= 2100 {
			slack = 0
		}
		if tet < NewDate(y, 1, 21)-slack || tet > NewDate(y, 2, 20)+slack {
			t.Errorf("Tết %d on %s", y, tet)
		}
		want, leaps := 1, 0
		for i, m := range ms {
			if m.Days != 29 && m.Days != 30 {
				t.Fatalf("%d month %s has %d days", y, monthLabel(m.Month, m.Leap), m.Days)
			}
			if i > 0 && m.Start != ms[i-1].Start+Date(ms[i-1].Days) {
				t.Fatalf("%d: month %d does not follow the one before", y, i)
			}
			if m.Leap {
				leaps++
				if i == 0 || m.Month != ms[i-1].Month || ms[i-1].Leap {
					t.Fatalf("%d: leap month %d does not follow month %d", y, m.Month, m.Month)
				}
				continue
			}
			if m.Month != want {
				t.Fatalf("%d: month %d where %d was expected", y, m.Month, want)
			}
			want++
		}
		if want != 13 || leaps != len(ms)-12 {
			t.Fatalf("%d: months %v", y, ms)
		}
		next, _ := Months(y + 1)
		if y < MaxYear && ms[len(ms)-1].Start+Date(ms[len(ms)-1].Days) != next[0].Start {
			t.Fatalf("lunar year %d does not end where %d begins", y, y+1)
		}
	}
}

func TestLunarToSolarErrors(t *testing.T) {
	tests := []struct {
		l    Lunar
		want error
	}{
		{Lunar{1, 0, 2024, false}, ErrInvalidLunar},
		{Lunar{1, 13, 2024, false}, ErrInvalidLunar},
		{Lunar{0, 1, 2024, false}, ErrInvalidLunar},
		{Lunar{31, 1, 2024, false}, ErrInvalidLunar},
		{Lunar{1, 2, 2024, true}, ErrInvalidLunar},    // 2024 has no leap month
		{Lunar{1, 3, 2023, true}, ErrInvalidLunar},    // 2023's leap month is the 2nd
		{Lunar{30, 2, 2023, true}, ErrInvalidLunar},   // tháng 2 nhuận 2023 has 29 days
		{Lunar{30, 12, 2024, false}, ErrInvalidLunar}, // Giáp Thìn ended on 29 Tết
		{Lunar{1, 1, MinYear - 5, false}, ErrOutOfRange},
		{Lunar{1, 1, MaxYear + 1, false}, ErrOutOfRange},
	}
	for _, tt := range tests {
		if got, err := LunarToSolar(tt.l); !errors.Is(err, tt.want) {
			t.Errorf("LunarToSolar(%+v) = %s, %v, want %v", tt.l, got, err, tt.want)
		}
	}
	if l := SolarToLunar(NewDate(MaxYear+1, 1, 1)); !l.IsZero() {
		t.Errorf("SolarToLunar beyond MaxYear = %v, want zero", l)
	}
	if l := SolarToLunar(NewDate(MinYear, 1, 1)); l.IsZero() {
		t.Error("SolarToLunar at MinYear is zero")
	}
	if _, err := Months(MaxYear + 1); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("Months(MaxYear+1) error = %v", err)
	}
}

func TestLunarFormatting(t *testing.T) {
	if s := (Lunar{10, 3, 2024, false}).String(); s != "10/3/2024" {
		t.Errorf("String = %q", s)
	}
	if s := (Lunar{1, 2, 2023, true}).String(); s != "1/2 nhuận/2023" {
		t.Errorf("String = %q", s)
	}
	names := map[int]string{1984: "Giáp Tý", 2023: "Quý Mão", 2024: "Giáp Thìn", 2025: "Ất Tỵ", 2026: "Bính Ngọ", 1945: "Ất Dậu"}
	for y, want := range names {
		if got := YearName(y); got != want {
			t.Errorf("YearName(%d) = %q, want %q", y, got, want)
		}
	}
}
