package api

import (
	"net/http"

	"egov/internal/workcal"
)

// maxWorkingDays bounds days in add-working-days: ten years of working
// days is more than any time limit of a procedure.
const maxWorkingDays = 3650

// addWorkingDays serves GET /api/v1/calendar/add-working-days: the day a
// period of days working days triggered on from (default today) ends,
// following the announced schedules (workcal.Calendar.AddWorkingDays).
func (h *handler) addWorkingDays(w http.ResponseWriter, r *http.Request) error {
	from, err := dateParam(r, "from", h.today())
	if err != nil {
		return err
	}
	if err := calendarDate("from", from); err != nil {
		return err
	}
	if err := required(r, "days"); err != nil {
		return err
	}
	days, err := intParam(r, "days", 0, 0, maxWorkingDays)
	if err != nil {
		return err
	}
	cal, err := h.app.Calendar.Calendar(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		From workcal.Date `json:"from"`
		Days int          `json:"days"`
		Date workcal.Date `json:"date"`
	}{from, days, cal.AddWorkingDays(from, days)})
	return nil
}

// lunar serves GET /api/v1/calendar/lunar: the Vietnamese lunar date of
// date (default today).
func (h *handler) lunar(w http.ResponseWriter, r *http.Request) error {
	d, err := dateParam(r, "date", h.today())
	if err != nil {
		return err
	}
	if err := calendarDate("date", d); err != nil {
		return err
	}
	l := workcal.SolarToLunar(d)
	writeJSON(w, http.StatusOK, struct {
		Date     workcal.Date `json:"date"`
		Day      int          `json:"day"`
		Month    int          `json:"month"`
		Year     int          `json:"year"`
		Leap     bool         `json:"leap"`
		YearName string       `json:"year_name"`
	}{d, l.Day, l.Month, l.Year, l.Leap, workcal.YearName(l.Year)})
	return nil
}

// holidays serves GET /api/v1/calendar/holidays: year's weekday days off
// and make-up working days, and whether they were announced or follow the
// statutory rules.
func (h *handler) holidays(w http.ResponseWriter, r *http.Request) error {
	year, err := intParam(r, "year", h.today().Year(), minYear, maxYear)
	if err != nil {
		return err
	}
	cal, err := h.app.Calendar.Calendar(r.Context())
	if err != nil {
		return err
	}
	days := cal.Holidays(year)
	if days == nil {
		days = []workcal.Day{}
	}
	writeJSON(w, http.StatusOK, struct {
		Year      int           `json:"year"`
		Announced bool          `json:"announced"`
		Days      []workcal.Day `json:"days"`
	}{year, cal.Announced(year), days})
	return nil
}

// calendarDay serves GET /api/v1/calendar/days/{date}: whether date is a
// working day, its status and the name of its holiday or make-up reason.
func (h *handler) calendarDay(w http.ResponseWriter, r *http.Request) error {
	d, err := parseDate("date", r.PathValue("date"))
	if err != nil {
		return err
	}
	if err := calendarDate("date", d); err != nil {
		return err
	}
	cal, err := h.app.Calendar.Calendar(r.Context())
	if err != nil {
		return err
	}
	info := cal.DayInfo(d)
	var name *string
	if info.Name != "" {
		name = &info.Name
	}
	writeJSON(w, http.StatusOK, struct {
		Date    workcal.Date   `json:"date"`
		Working bool           `json:"working"`
		Status  workcal.Status `json:"status"`
		Name    *string        `json:"name"`
	}{d, info.Working(), info.Status, name})
	return nil
}
