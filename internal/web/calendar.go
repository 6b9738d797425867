package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"egov"
	"egov/internal/workcal"
)

type calendarData struct {
	*page
	Year      int
	YearName  string // can chi name of the lunar year that starts in Year
	Tet       workcal.Date
	Announced bool
	Months    []calMonth
	DaysOff   []workcal.DayInfo // every named day of the year
}

type calMonth struct {
	Month   int
	Weeks   [][7]calDay
	DaysOff []workcal.DayInfo
}

type calDay struct {
	Date   workcal.Date // zero for a blank cell outside the month
	Day    int
	Lunar  string // "15", or "1/2" on the first day of a lunar month
	Status string // workday, weekend, holiday, makeup
	Name   string
	Today  bool
}

// Years the calendar pages accept.
const (
	minCalendarYear = 1900
	maxCalendarYear = 2199
)

// parseYear reads the year parameter, the current year when absent.
func (h *handler) parseYear(r *http.Request) (int, error) {
	s := strings.TrimSpace(r.URL.Query().Get("year"))
	if s == "" {
		return h.app.Units.Today().Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < minCalendarYear || y > maxCalendarYear {
		if len(s) > 20 {
			s = s[:20]
		}
		return 0, egov.Errorf(egov.EINVALID, "calendar.bad_year", s, minCalendarYear, maxCalendarYear)
	}
	return y, nil
}

// calendarYear shows a year of the working calendar: twelve month grids
// with lunar dates, weekends, days off and make-up working days.
func (h *handler) calendarYear(w http.ResponseWriter, r *http.Request) {
	y, err := h.parseYear(r)
	if err != nil {
		h.failBack(w, r, err, "/calendar")
		return
	}
	cal, err := h.app.Calendar.Calendar(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &calendarData{page: h.newPage(r, "calendar.title", "calendar"), Year: y,
		YearName: workcal.YearName(y), Announced: cal.Announced(y)}
	d.Title = tr(d.Lang, "calendar.title_year", y)
	d.Tet, _ = workcal.Tet(y)
	t := h.app.Units.Today()
	today := workcal.NewDate(t.Year(), t.Month(), t.Day())
	for m := 1; m <= 12; m++ {
		cm := calMonth{Month: m}
		first := workcal.NewDate(y, time.Month(m), 1)
		// Weeks run Monday to Sunday.
		col := (int(first.Weekday()) + 6) % 7
		var week [7]calDay
		for day := first; day.Month() == time.Month(m) && day.Year() == y; day = day.AddDays(1) {
			info := cal.DayInfo(day)
			l := workcal.SolarToLunar(day)
			lunar := strconv.Itoa(l.Day)
			if l.Day == 1 || day.Day() == 1 {
				lunar += "/" + strconv.Itoa(l.Month)
				if l.Leap {
					lunar += tr(d.Lang, "calendar.leap_short")
				}
			}
			week[col] = calDay{Date: day, Day: day.Day(), Lunar: lunar, Status: info.Status.String(), Name: info.Name, Today: day == today}
			if info.Name != "" {
				cm.DaysOff = append(cm.DaysOff, info)
				d.DaysOff = append(d.DaysOff, info)
			}
			col++
			if col == 7 {
				cm.Weeks = append(cm.Weeks, week)
				week, col = [7]calDay{}, 0
			}
		}
		if col > 0 {
			cm.Weeks = append(cm.Weeks, week)
		}
		d.Months = append(d.Months, cm)
	}
	h.render(w, r, http.StatusOK, "calendar", d)
}
