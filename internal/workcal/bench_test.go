package workcal

import (
	"testing"
	"time"
)

func BenchmarkSolarToLunar(b *testing.B) {
	start := NewDate(2020, 1, 1)
	for i := range 3653 { // warm the cache for 2020–2029
		SolarToLunar(start + Date(i))
	}
	i := 0
	for b.Loop() {
		SolarToLunar(start + Date(i%3653))
		i++
	}
}

// BenchmarkLunarYearCold measures the astronomy of one lunar year (a sui:
// 14 new moons, 2 solstices, up to 14 solar longitudes), uncached.
func BenchmarkLunarYearCold(b *testing.B) {
	for b.Loop() {
		computeSui(2025)
	}
}

func BenchmarkLunarToSolar(b *testing.B) {
	LunarToSolar(Lunar{Day: 10, Month: 3, Year: 2025})
	for b.Loop() {
		LunarToSolar(Lunar{Day: 10, Month: 3, Year: 2025})
	}
}

func benchCalendar(b *testing.B) *Calendar {
	c := announcedCalendar(b)
	for y := 2020; y <= 2032; y++ {
		c.IsWorkingDay(NewDate(y, 6, 1)) // warm up
	}
	return c
}

func BenchmarkIsWorkingDay(b *testing.B) {
	c := benchCalendar(b)
	start := NewDate(2024, 1, 1)
	i := 0
	for b.Loop() {
		c.IsWorkingDay(start + Date(i%1096))
		i++
	}
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := benchCalendar(b)
	start := NewDate(2024, 1, 1)
	for _, n := range []int{10, 60, 1000} {
		b.Run(itoa(n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				c.AddWorkingDays(start+Date(i%1096), n)
				i++
			}
		})
	}
}

func BenchmarkReceptionDate(b *testing.B) {
	c := benchCalendar(b)
	t0 := time.Date(2025, 3, 3, 8, 0, 0, 0, ICT)
	i := 0
	for b.Loop() {
		c.ReceptionDate(t0.Add(time.Duration(i%2000) * time.Hour))
		i++
	}
}

func BenchmarkNewCalendarYear(b *testing.B) {
	days := loadAnnounced(b)
	for b.Loop() {
		c, _ := New(days)
		c.IsWorkingDay(NewDate(2027, 6, 1)) // builds the default year 2027
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
