package api

import (
	"net/http"
	"testing"
)

func TestCalendar(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		// Working days, following the announced 2026 schedule.
		for _, c := range []struct{ from, days, want string }{
			{"2026-02-13", "1", "2026-02-23"}, // Friday before Tết: off 16–20 February
			{"2026-02-13", "0", "2026-02-13"}, // a working day itself
			{"2026-02-14", "0", "2026-02-23"}, // a Saturday: the next working day
			{"2026-01-09", "1", "2026-01-10"}, // the make-up Saturday after the New Year swap
			{"2025-12-31", "1", "2026-01-05"}, // 1 and 2 January off, then the weekend
			{"2026-01-05", "5", "2026-01-10"},
			{"2026-02-12", "2", "2026-02-23"},
		} {
			got := fx.ok("/api/v1/calendar/add-working-days?from=" + c.from + "&days=" + c.days)
			if got["date"] != c.want || got["from"] != c.from {
				t.Errorf("%s + %s working days = %v, want %s", c.from, c.days, got["date"], c.want)
			}
		}
		if got := fx.ok("/api/v1/calendar/add-working-days?days=1"); got["from"] != "2026-03-02" || got["date"] != "2026-03-03" {
			t.Errorf("from today: %v", got)
		}

		// The lunar calendar: Tết Bính Ngọ, and a leap month.
		l := fx.ok("/api/v1/calendar/lunar?date=2026-02-17")
		if l["day"] != 1.0 || l["month"] != 1.0 || l["year"] != 2026.0 || l["leap"] != false || l["year_name"] != "Bính Ngọ" {
			t.Errorf("lunar 2026-02-17: %v", l)
		}
		l = fx.ok("/api/v1/calendar/lunar?date=2026-02-16")
		if l["month"] != 12.0 || l["year"] != 2025.0 {
			t.Errorf("lunar 2026-02-16: %v", l)
		}
		l = fx.ok("/api/v1/calendar/lunar?date=2025-07-25")
		if l["day"] != 1.0 || l["month"] != 6.0 || l["leap"] != true || l["year_name"] != "Ất Tỵ" {
			t.Errorf("lunar 2025-07-25 (1/6 nhuận Ất Tỵ): %v", l)
		}

		// Announced years list their days; others follow the statutory rules.
		h := fx.ok("/api/v1/calendar/holidays?year=2026")
		if h["year"] != 2026.0 || h["announced"] != true {
			t.Errorf("holidays 2026: %v %v", h["year"], h["announced"])
		}
		days := map[string]map[string]any{}
		for _, d := range list(h, "days") {
			days[d["date"].(string)] = d
		}
		if d := days["2026-01-10"]; d == nil || d["kind"] != "work" || d["name"] != "Làm bù cho ngày 2/1" {
			t.Errorf("2026-01-10: %v", d)
		}
		for _, date := range []string{"2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"} {
			if d := days[date]; d == nil || d["kind"] != "off" || d["name"] != "Tết Nguyên Đán" {
				t.Errorf("%s: %v", date, d)
			}
		}
		h = fx.ok("/api/v1/calendar/holidays?year=2027")
		if h["announced"] != false || len(list(h, "days")) == 0 || list(h, "days")[0]["date"] != "2027-01-01" {
			t.Errorf("holidays 2027: %v", h)
		}
		if h := fx.ok("/api/v1/calendar/holidays"); h["year"] != 2026.0 {
			t.Errorf("holidays default year: %v", h["year"])
		}

		// One day.
		for _, c := range []struct {
			date, status string
			working      bool
			name         any
		}{
			{"2026-01-10", "makeup", true, "Làm bù cho ngày 2/1"},
			{"2026-02-17", "holiday", false, "Tết Nguyên Đán"},
			{"2026-03-03", "workday", true, nil},
			{"2026-03-07", "weekend", false, nil},
		} {
			d := fx.ok("/api/v1/calendar/days/" + c.date)
			if d["date"] != c.date || d["status"] != c.status || d["working"] != c.working || d["name"] != c.name {
				t.Errorf("day %s: %v", c.date, d)
			}
		}
	})
}

func TestCalendarRanges(t *testing.T) {
	fx := sqliteFixture(t)
	for _, c := range []struct {
		target string
		status int
		field  string
	}{
		{"/api/v1/calendar/lunar?date=1900-01-01", http.StatusOK, ""},
		{"/api/v1/calendar/lunar?date=2199-12-31", http.StatusOK, ""},
		{"/api/v1/calendar/lunar?date=1899-12-31", http.StatusBadRequest, "date"},
		{"/api/v1/calendar/lunar?date=2200-01-01", http.StatusBadRequest, "date"},
		{"/api/v1/calendar/add-working-days?from=2199-12-31&days=3650", http.StatusOK, ""},
		{"/api/v1/calendar/add-working-days?from=2026-01-01&days=3651", http.StatusBadRequest, "days"},
		{"/api/v1/calendar/add-working-days?from=2026-01-01&days=-1", http.StatusBadRequest, "days"},
		{"/api/v1/calendar/add-working-days?from=2026-01-01", http.StatusBadRequest, "days"},
		{"/api/v1/calendar/add-working-days?from=2026-01-01&days=", http.StatusBadRequest, "days"},
		{"/api/v1/calendar/add-working-days?from=0001-01-01&days=1", http.StatusBadRequest, "from"},
		{"/api/v1/calendar/holidays?year=1899", http.StatusBadRequest, "year"},
		{"/api/v1/calendar/holidays?year=2200", http.StatusBadRequest, "year"},
		{"/api/v1/calendar/holidays?year=1900", http.StatusOK, ""},
		{"/api/v1/calendar/days/2026-02-30", http.StatusBadRequest, "date"},
		{"/api/v1/calendar/days/1800-01-01", http.StatusBadRequest, "date"},
		{"/api/v1/calendar/days/9999-12-31", http.StatusBadRequest, "date"},
	} {
		r := fx.get(c.target)
		if _, f, _ := errorOf(r); r.Status != c.status || f != c.field {
			t.Errorf("%s: %d %s", c.target, r.Status, r.Body)
		}
	}
}
