package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"egov"
	"egov/internal/identity"
	"egov/internal/workcal"
)

type adminCalendarData struct {
	*page
	Year      int
	Announced []workcal.Day
	CanEdit   bool
	CSV       string
	RowErrors workcal.RowErrors
}

// adminCalendar shows a year's announced schedule of days off and make-up
// days, and to an administrator of the whole tree the form that replaces it.
func (h *handler) adminCalendar(w http.ResponseWriter, r *http.Request) {
	a, err := requirePermission(r, identity.PermUsersManage)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	y, err := h.parseYear(r)
	if err != nil {
		h.failBack(w, r, err, "/admin/calendar")
		return
	}
	h.renderCalendarAdmin(w, r, a, http.StatusOK, y, "", nil, nil)
}

func (h *handler) renderCalendarAdmin(w http.ResponseWriter, r *http.Request, a *identity.Actor, status, y int, csv string, rowErrs workcal.RowErrors, formErr error) {
	days, err := h.app.Calendar.Announced(r.Context(), y)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "admin.calendar.title", "admin")
	p.Title = tr(p.Lang, "admin.calendar.title_year", y)
	if r.Method != http.MethodGet {
		p.formPage("/admin/calendar?year=" + strconv.Itoa(y))
	}
	if formErr != nil {
		p.Error = h.message(r, formErr)
	}
	if csv == "" && rowErrs == nil {
		csv = scheduleCSV(days)
	}
	h.render(w, r, status, "admin_calendar", &adminCalendarData{page: p, Year: y, Announced: days,
		CanEdit: h.app.Identity.Can(r.Context(), a, identity.PermCalendarManage, 0) == nil, CSV: csv, RowErrors: rowErrs})
}

// scheduleCSV writes days in the file format, so that an administrator can
// edit the current schedule in place.
func scheduleCSV(days []workcal.Day) string {
	var b strings.Builder
	b.WriteString("date,kind,name\n")
	for _, d := range days {
		name := d.Name
		if strings.ContainsAny(name, ",\"\n") {
			name = `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
		}
		b.WriteString(d.Date.String() + "," + d.Kind.String() + "," + name + "\n")
	}
	return b.String()
}

// adminCalendarSet replaces a year's schedule with an uploaded or pasted
// file. Nothing is applied when any line is wrong; every wrong line is
// listed with its number.
func (h *handler) adminCalendarSet(w http.ResponseWriter, r *http.Request) {
	a, err := requirePermission(r, identity.PermUsersManage)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The form is multipart (it may carry a file); ParseMultipartForm also
	// parses a plain urlencoded body, reporting ErrNotMultipart.
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseMultipartForm(maxFormBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.fail(w, r, egov.Errorf(egov.ETOOLARGE, "error.body_too_large", maxFormBytes))
			return
		}
		h.fail(w, r, egov.Errorf(egov.EINVALID, "error.bad_form"))
		return
	}
	y, err := strconv.Atoi(strings.TrimSpace(r.FormValue("year")))
	if err != nil || y < minCalendarYear || y > maxCalendarYear {
		h.fail(w, r, egov.Errorf(egov.EINVALID, "calendar.bad_year", r.FormValue("year"), minCalendarYear, maxCalendarYear))
		return
	}
	text := r.FormValue("csv")
	if f, _, err := r.FormFile("file"); err == nil {
		b, err := io.ReadAll(io.LimitReader(f, maxFormBytes))
		f.Close()
		if err != nil {
			h.fail(w, r, egov.Errorf(egov.EINVALID, "error.bad_form"))
			return
		}
		if len(strings.TrimSpace(string(b))) > 0 {
			text = string(b)
		}
	}
	days, err := workcal.ParseCSV(strings.NewReader(text))
	if err != nil {
		var rowErrs workcal.RowErrors
		if errors.As(err, &rowErrs) {
			h.renderCalendarAdmin(w, r, a, http.StatusUnprocessableEntity, y, text, rowErrs, nil)
			return
		}
		h.fail(w, r, err)
		return
	}
	if err := h.app.Calendar.SetYear(r.Context(), a, h.app.Identity, y, days); err != nil {
		if egov.ErrorCode(err) == egov.EINTERNAL {
			h.fail(w, r, err)
			return
		}
		h.renderCalendarAdmin(w, r, a, formStatus(err), y, text, workcal.RowErrors{}, err)
		return
	}
	seeOther(w, r, "/admin/calendar?year="+strconv.Itoa(y)+"&ok=calendar_saved")
}
