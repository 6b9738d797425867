package workcal

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

const announcedFile = "../../../shared/data/holidays/vn-public-sector-2024-2026.csv"

func loadAnnounced(tb testing.TB) []Day {
	tb.Helper()
	f, err := os.Open(announcedFile)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	days, err := ParseCSV(f)
	if err != nil {
		tb.Fatal(err)
	}
	return days
}

func TestParseCSVAnnouncedFile(t *testing.T) {
	days := loadAnnounced(t)
	if len(days) != 41 {
		t.Fatalf("%d days, want 41", len(days))
	}
	for i := 1; i < len(days); i++ {
		if days[i].Date <= days[i-1].Date {
			t.Fatalf("days out of order at %s", days[i].Date)
		}
	}
	want := map[string]Day{
		"2024-02-08": {d(t, "2024-02-08"), Off, "Tết Nguyên Đán"},
		"2024-02-12": {d(t, "2024-02-12"), Off, "Tết Nguyên Đán (nghỉ bù)"},
		"2024-05-04": {d(t, "2024-05-04"), Work, "Làm bù cho ngày 29/4"},
		"2025-04-26": {d(t, "2025-04-26"), Work, "Làm bù cho ngày 2/5"},
		"2026-01-10": {d(t, "2026-01-10"), Work, "Làm bù cho ngày 2/1"},
		"2026-08-22": {d(t, "2026-08-22"), Work, "Làm bù cho ngày 31/8"},
		"2026-04-27": {d(t, "2026-04-27"), Off, "Giỗ Tổ Hùng Vương (nghỉ bù)"},
	}
	works := 0
	for _, day := range days {
		if w, ok := want[day.Date.String()]; ok && day != w {
			t.Errorf("%s: %+v, want %+v", day.Date, day, w)
		}
		if day.Kind == Work {
			works++
		}
	}
	if works != 4 {
		t.Errorf("%d make-up days, want 4", works)
	}
}

func TestParseCSVErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // each must appear in the error
	}{
		{"empty", "", []string{"line 1: the file is empty"}},
		{"bad header", "date,type,name\n2024-01-01,off,Tết Dương lịch\n", []string{"line 1: header is"}},
		{"bad rows", "date,kind,name\n" +
			"2024-01-01,off,Tết Dương lịch\n" +
			"2024-13-01,off,X\n" +
			"2024-02-08,holiday,Tết\n" +
			"2024-05-06,work,Làm bù\n" +
			"2024-01-01,off,Again\n" +
			"2024-09-02,off,\n" +
			"2024-09-03,off\n",
			[]string{
				`line 3: date "2024-13-01" does not exist`,
				`line 4: kind "holiday" is neither off nor work`,
				"line 5: a make-up working day must be a Saturday or Sunday, 2024-05-06 is a Monday",
				"line 6: date 2024-01-01 already appears on line 2",
				"line 7: the name is empty",
				"line 8: has 2 fields, expected 3",
			}},
		{"decomposed name", "date,kind,name\n2024-01-01,off,Te\u0302\u0301t Dương lịch\n", []string{"line 2: the name has combining marks"}},
		{"bad quote", "date,kind,name\n2024-01-01,off,\"Tết\" x\"\n2024-01-02,off,ok\n", []string{"line 2: "}},
		{"invalid utf-8", "date,kind,name\n2024-01-01,off,T\xffết\n", []string{"line 2: the name is not valid UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			days, err := ParseCSV(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; days %v", days)
			}
			if days != nil {
				t.Errorf("days returned with an error: %v", days)
			}
			var re RowErrors
			if !errors.As(err, &re) {
				t.Errorf("error %T is not RowErrors", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseCSVLenient(t *testing.T) {
	// A byte-order mark, CRLF line ends, spaces and capitals are accepted.
	in := "\ufeffDate, Kind ,Name\r\n2027-01-01, OFF ,  Tết   Dương lịch \r\n\r\n2027-02-20,Work,Làm bù\r\n"
	days, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Day{{d(t, "2027-01-01"), Off, "Tết Dương lịch"}, {d(t, "2027-02-20"), Work, "Làm bù"}}
	if !reflect.DeepEqual(days, want) {
		t.Errorf("got %v, want %v", days, want)
	}
}

func TestDefaultHolidays(t *testing.T) {
	tests := []struct {
		year int
		want []string // date name, for every day off including weekend holidays
	}{
		{2027, []string{
			"2027-01-01 Tết Dương lịch", // Friday
			"2027-02-05 Tết Nguyên Đán", // 30 Tết, Friday
			"2027-02-06 Tết Nguyên Đán", // Saturday
			"2027-02-07 Tết Nguyên Đán", // Sunday
			"2027-02-08 Tết Nguyên Đán",
			"2027-02-09 Tết Nguyên Đán",
			"2027-02-10 Tết Nguyên Đán (nghỉ bù)", // for Saturday
			"2027-02-11 Tết Nguyên Đán (nghỉ bù)", // for Sunday
			"2027-04-16 Giỗ Tổ Hùng Vương",
			"2027-04-30 Ngày Chiến thắng",
			"2027-05-01 Ngày Quốc tế Lao động", // Saturday
			"2027-05-03 Ngày Quốc tế Lao động (nghỉ bù)",
			"2027-09-02 Quốc khánh", // Thursday
			"2027-09-03 Quốc khánh", // Friday joins the weekend
		}},
		{2028, []string{
			"2028-01-01 Tết Dương lịch", // Saturday
			"2028-01-03 Tết Dương lịch (nghỉ bù)",
			"2028-01-25 Tết Nguyên Đán", // 30 Tết, Tuesday
			"2028-01-26 Tết Nguyên Đán",
			"2028-01-27 Tết Nguyên Đán",
			"2028-01-28 Tết Nguyên Đán",
			"2028-01-29 Tết Nguyên Đán", // Saturday
			"2028-01-31 Tết Nguyên Đán (nghỉ bù)",
			"2028-04-04 Giỗ Tổ Hùng Vương",
			"2028-04-30 Ngày Chiến thắng", // Sunday; Monday is 1/5 already
			"2028-05-01 Ngày Quốc tế Lao động",
			"2028-05-02 Ngày Chiến thắng (nghỉ bù)",
			"2028-09-01 Quốc khánh", // Friday
			"2028-09-02 Quốc khánh", // Saturday
			"2028-09-04 Quốc khánh (nghỉ bù)",
		}},
		{2029, []string{
			"2029-01-01 Tết Dương lịch",
			"2029-02-12 Tết Nguyên Đán",
			"2029-02-13 Tết Nguyên Đán",
			"2029-02-14 Tết Nguyên Đán",
			"2029-02-15 Tết Nguyên Đán",
			"2029-02-16 Tết Nguyên Đán",
			"2029-04-23 Giỗ Tổ Hùng Vương",
			"2029-04-30 Ngày Chiến thắng",
			"2029-05-01 Ngày Quốc tế Lao động",
			"2029-09-02 Quốc khánh", // Sunday
			"2029-09-03 Quốc khánh", // Monday
			"2029-09-04 Quốc khánh (nghỉ bù)",
		}},
	}
	for _, tt := range tests {
		var got []string
		for _, day := range DefaultHolidays(tt.year) {
			if day.Kind != Off {
				t.Errorf("%s: kind %s", day.Date, day.Kind)
			}
			got = append(got, day.Date.String()+" "+day.Name)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("DefaultHolidays(%d):\n got %q\nwant %q", tt.year, got, tt.want)
		}
	}
}

func TestNationalDayCompanion(t *testing.T) {
	tests := []struct {
		year int
		want string
	}{
		{2021, "2021-09-03"}, // Thursday → Friday (as announced)
		{2022, "2022-09-01"}, // Friday → Thursday (as announced)
		{2023, "2023-09-01"}, // Saturday → Friday (as announced)
		{2024, "2024-09-03"}, // Monday → Tuesday (as announced)
		{2025, "2025-09-01"}, // Tuesday → Monday (as announced)
		{2026, "2026-09-01"}, // Wednesday → Tuesday (as announced)
		{2029, "2029-09-03"}, // Sunday → Monday
	}
	for _, tt := range tests {
		if got := nationalDayCompanion(tt.year); got.String() != tt.want {
			t.Errorf("%d (2/9 a %s): %s, want %s", tt.year, NewDate(tt.year, 9, 2).Weekday(), got, tt.want)
		}
	}
}

func TestDefaultsAgreeWithAnnounced2026(t *testing.T) {
	// 2026 was announced without changing any statutory day: every weekday
	// day off of the default rules is off in the announced schedule too.
	off := map[Date]bool{}
	for _, day := range loadAnnounced(t) {
		if day.Kind == Off {
			off[day.Date] = true
		}
	}
	for _, day := range DefaultHolidays(2026) {
		if !isWeekend(day.Date) && !off[day.Date] {
			t.Errorf("default day off %s %s is not announced for 2026", day.Date, day.Name)
		}
	}
}

func TestNamesAreNFC(t *testing.T) {
	names := []string{NameNewYear, NameTet, NameHungKings, NameVictory, NameLabour, NameNational, compensatoryMark}
	names = append(names, stems[:]...)
	names = append(names, branches[:]...)
	for _, n := range names {
		for _, r := range n {
			if unicode.Is(unicode.Mn, r) {
				t.Errorf("%q has a combining mark %U: not NFC", n, r)
			}
		}
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	days := loadAnnounced(t)
	var b strings.Builder
	if err := WriteCSV(&b, days); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(announcedFile)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(orig) {
		t.Errorf("WriteCSV output differs from the file it was read from:\n%s", b.String())
	}
}
