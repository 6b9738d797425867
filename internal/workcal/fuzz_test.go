package workcal

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"testing"
)

func FuzzParseCSV(f *testing.F) {
	if b, err := os.ReadFile(announcedFile); err == nil {
		f.Add(b)
	}
	f.Add([]byte("date,kind,name\n2027-01-01,off,Tết Dương lịch\n2027-02-20,work,Làm bù\n"))
	f.Add([]byte("date,kind,name\n2024-13-01,off,X\n2024-01-01,maybe,\n2024-01-01,off,\"a\"b\n"))
	f.Add([]byte("\ufeffdate,kind,name\r\n2024-02-29,OFF,  x  \r\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		days, err := ParseCSV(bytes.NewReader(data))
		if err != nil {
			if days != nil {
				t.Fatal("days returned with an error")
			}
			var re RowErrors
			if !errors.As(err, &re) || len(re) == 0 {
				t.Fatalf("error %T %v is not a non-empty RowErrors", err, err)
			}
			return
		}
		// Valid days make a valid calendar...
		c, err := New(days)
		if err != nil {
			t.Fatalf("ParseCSV accepted days that New rejects: %v", err)
		}
		for i, day := range days {
			if i > 0 && day.Date <= days[i-1].Date {
				t.Fatal("days not sorted or not unique")
			}
			info := c.DayInfo(day.Date)
			if day.Kind == Work && info.Status != MakeUpDay {
				t.Fatalf("%s: work day has status %s", day.Date, info.Status)
			}
			if day.Kind == Off && info.Working() {
				t.Fatalf("%s: day off is a working day", day.Date)
			}
		}
		// ...and survive a round trip through CSV.
		var buf bytes.Buffer
		if err := WriteCSV(&buf, days); err != nil {
			t.Fatal(err)
		}
		again, err := ParseCSV(&buf)
		if err != nil {
			t.Fatalf("re-parsing: %v", err)
		}
		if len(days) == 0 && len(again) == 0 {
			return
		}
		if !reflect.DeepEqual(again, days) {
			t.Fatalf("round trip changed the days:\n%v\n%v", days, again)
		}
	})
}

func FuzzLunarRoundTrip(f *testing.F) {
	f.Add(int32(0), 2024, 3, 10, false)
	f.Add(int32(45000), 2023, 2, 1, true)
	f.Add(int32(-1), 2025, 6, 29, true)
	f.Add(int32(1<<30), 2033, 11, 30, true)
	first, last := NewDate(MinYear, 1, 1), NewDate(MaxYear, 12, 31)
	span := int64(last-first) + 1
	f.Fuzz(func(t *testing.T, off int32, y, m, day int, leap bool) {
		// Solar → lunar → solar.
		o := int64(off) % span
		if o < 0 {
			o += span
		}
		sd := first + Date(o)
		l := SolarToLunar(sd)
		if l.Day < 1 || l.Day > 30 || l.Month < 1 || l.Month > 12 {
			t.Fatalf("SolarToLunar(%s) = %+v", sd, l)
		}
		if back, err := LunarToSolar(l); err != nil || back != sd {
			t.Fatalf("%s → %s → %s, %v", sd, l, back, err)
		}
		// Lunar → solar → lunar, for whatever lunar date exists.
		in := Lunar{Day: day, Month: m, Year: y, Leap: leap}
		sd2, err := LunarToSolar(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidLunar) && !errors.Is(err, ErrOutOfRange) {
				t.Fatalf("LunarToSolar(%+v): unexpected error %v", in, err)
			}
			return
		}
		if got := SolarToLunar(sd2); got != in {
			t.Fatalf("%+v → %s → %+v", in, sd2, got)
		}
	})
}
