package workcal

import (
	"encoding/json"
	"testing"
	"time"
)

// d parses a "YYYY-MM-DD" date in tests.
func d(tb testing.TB, s string) Date {
	tb.Helper()
	v, err := ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestDateMatchesTime(t *testing.T) {
	// Every day from 1600 to 2400 against the standard library.
	start := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)
	want := NewDate(1600, 1, 1)
	for tm := start; tm.Year() < 2400; tm = tm.AddDate(0, 0, 1) {
		got := DateOf(tm)
		if got != want {
			t.Fatalf("DateOf(%s) = %d, want %d", tm.Format(time.DateOnly), got, want)
		}
		y, m, dd := got.Date()
		if ty, tm2, td := tm.Date(); y != ty || m != tm2 || dd != td {
			t.Fatalf("%d.Date() = %d-%d-%d, want %s", got, y, m, dd, tm.Format(time.DateOnly))
		}
		if got.Weekday() != tm.Weekday() {
			t.Fatalf("%s: Weekday = %s, want %s", got, got.Weekday(), tm.Weekday())
		}
		if got.String() != tm.Format(time.DateOnly) {
			t.Fatalf("String = %s, want %s", got, tm.Format(time.DateOnly))
		}
		if !got.Time(time.UTC).Equal(tm) {
			t.Fatalf("%s.Time(UTC) = %s", got, got.Time(time.UTC))
		}
		want++
	}
}

func TestDateBasics(t *testing.T) {
	if got := NewDate(1, 1, 1); got != 1 {
		t.Errorf("NewDate(1,1,1) = %d, want 1 (Rata Die)", got)
	}
	if got := NewDate(2025, 2, 30); got != d(t, "2025-03-02") {
		t.Errorf("NewDate(2025-02-30) = %s, want 2025-03-02", got)
	}
	if got := NewDate(2025, 13, 1); got != d(t, "2026-01-01") {
		t.Errorf("NewDate(2025-13-01) = %s", got)
	}
	if got := NewDate(2025, 0, 31); got != d(t, "2024-12-31") {
		t.Errorf("NewDate(2025-00-31) = %s", got)
	}
	a, b := d(t, "2024-02-28"), d(t, "2024-03-01")
	if b.Sub(a) != 2 || a.AddDays(2) != b || !a.Before(b) || !b.After(a) || a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Error("arithmetic or comparison is wrong across 29 February")
	}
	var zero Date
	if !zero.IsZero() || a.IsZero() {
		t.Error("IsZero")
	}
}

func TestLocalDate(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2025, 3, 2, 16, 59, 59, 0, time.UTC), "2025-03-02"},
		{time.Date(2025, 3, 2, 17, 0, 0, 0, time.UTC), "2025-03-03"}, // 00:00 ICT
		{time.Date(2025, 3, 3, 0, 0, 0, 0, ICT), "2025-03-03"},
		{time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC), "2026-01-01"},
	}
	for _, tt := range tests {
		if got := LocalDate(tt.in); got.String() != tt.want {
			t.Errorf("LocalDate(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	// DateOf uses t's own zone.
	if got := DateOf(time.Date(2025, 3, 2, 23, 0, 0, 0, time.UTC)); got.String() != "2025-03-02" {
		t.Errorf("DateOf = %s", got)
	}
}

func TestParseDate(t *testing.T) {
	good := []string{"2024-02-29", "0001-01-01", "9999-12-31", "2000-02-29"}
	for _, s := range good {
		v, err := ParseDate(s)
		if err != nil || v.String() != s {
			t.Errorf("ParseDate(%q) = %s, %v", s, v, err)
		}
	}
	bad := []string{"", "2024-2-29", "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-01-00",
		"2024-04-31", "24-01-01", "2024/01/01", "2024-01-01T00:00:00Z", " 2024-01-01", "0000-01-01", "+024-01-01", "2024-01-0a"}
	for _, s := range bad {
		if v, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) = %s, want an error", s, v)
		}
	}
}

func TestDateEncoding(t *testing.T) {
	type doc struct {
		Due Date `json:"due"`
	}
	b, err := json.Marshal(doc{d(t, "2026-02-23")})
	if err != nil || string(b) != `{"due":"2026-02-23"}` {
		t.Fatalf("json.Marshal = %s, %v", b, err)
	}
	var got doc
	if err := json.Unmarshal(b, &got); err != nil || got.Due != d(t, "2026-02-23") {
		t.Fatalf("json.Unmarshal = %v, %v", got, err)
	}
	if err := json.Unmarshal([]byte(`{"due":"2026-02-30"}`), &got); err == nil {
		t.Error("json.Unmarshal accepted 2026-02-30")
	}

	v, err := d(t, "2026-02-23").Value()
	if err != nil || v != "2026-02-23" {
		t.Errorf("Value = %v, %v", v, err)
	}
	if v, _ := Date(0).Value(); v != nil {
		t.Errorf("zero Value = %v, want nil", v)
	}
	scans := []struct {
		src  any
		want string
	}{
		{"2026-02-23", "2026-02-23"},
		{[]byte("2026-02-23"), "2026-02-23"},
		{time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC), "2026-02-23"},
		{"2026-02-23T00:00:00Z", "2026-02-23"},
		{"2026-02-23 00:00:00", "2026-02-23"},
	}
	for _, s := range scans {
		var x Date
		if err := x.Scan(s.src); err != nil || x.String() != s.want {
			t.Errorf("Scan(%v) = %s, %v", s.src, x, err)
		}
	}
	var x Date = 5
	if err := x.Scan(nil); err != nil || !x.IsZero() {
		t.Errorf("Scan(nil) = %d, %v", x, err)
	}
	if err := x.Scan(42); err == nil {
		t.Error("Scan(int) succeeded")
	}
	if err := x.Scan("yesterday"); err == nil {
		t.Error("Scan(yesterday) succeeded")
	}
}

func TestYearFastPath(t *testing.T) {
	// Year's shortcut against the full conversion, around every 1 January
	// and across the whole range.
	for y := 1; y <= 10000; y++ {
		s := NewDate(y, 1, 1)
		if yearStart(y) != s {
			t.Fatalf("yearStart(%d) = %d, want %d", y, yearStart(y), s)
		}
		for _, dd := range []Date{s - 1, s, s + 1, s + 180, s + 364} {
			if want, _, _ := dd.Date(); dd.Year() != want {
				t.Fatalf("%s.Year() = %d", dd, dd.Year())
			}
		}
	}
	for _, dd := range []Date{0, -1, -500, -366} {
		if want, _, _ := dd.Date(); dd.Year() != want {
			t.Fatalf("%d.Year() = %d, want %d", dd, dd.Year(), want)
		}
	}
}
