package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"

	"egov"
	"egov/internal/reporting"
	"egov/internal/workcal"
)

// maxXLSXForm bounds the upload form: the workbook and the little the form
// adds around it.
const maxXLSXForm = reporting.MaxXLSXBytes + maxFormBytes

type xlsxProblemView struct{ Cell, Message string }

type reportXLSXData struct {
	*page
	Form, Period, Unit string // as in the path
	Report             string // the report, for people
	Window             string // whether entry is open, and until when
	Closed             bool
	ImportValid        bool
	DryRun             bool
	Problems           []xlsxProblemView
	Violations         []string
	NothingApplied     bool
}

// entryWindowText says whether a report is open for entry, for the entry
// and import pages.
func entryWindowText(lang string, w *reporting.EntryWindow) string {
	switch {
	case w.Closed:
		return tr(lang, "stats.entry.closed", cdmy(w.LastDay))
	case w.Reopened:
		return tr(lang, "stats.entry.reopened", cdmy(w.Reopening.Until), w.Reopening.Reason)
	case w.LastDay.IsZero():
		return tr(lang, "stats.entry.open_forever", cdmy(w.Deadline))
	}
	return tr(lang, "stats.entry.open", cdmy(w.Deadline), cdmy(w.LastDay))
}

// reportXLSXPage starts the import page of the report in the path: the
// domain checks that the actor may read it.
func (h *handler) reportXLSXPage(r *http.Request) (*reportXLSXData, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, err
	}
	d := &reportXLSXData{page: h.newPage(r, "stats.xlsx.title", "reports"),
		Form: r.PathValue("form"), Period: r.PathValue("period"), Unit: r.PathValue("unit")}
	win, err := h.app.Reporting.EntryWindow(r.Context(), a, d.Form, d.Period, d.Unit)
	if err != nil {
		return nil, err
	}
	cat, err := h.app.Reporting.Catalogue(r.Context())
	if err != nil {
		return nil, err
	}
	p, _ := reporting.ParsePeriod(win.Period)
	d.Report = tr(d.Lang, "stats.xlsx.report", cat.Form(win.Form).Name(d.Lang), reporting.PeriodLabel(p, d.Lang), win.UnitName, win.Unit)
	d.Window, d.Closed = entryWindowText(d.Lang, win), win.Closed
	d.formPage(r.URL.Path)
	return d, nil
}

// reportTemplate serves GET /reports/{form}/{period}/{unit}/template.xlsx.
func (h *handler) reportTemplate(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	name, err := h.app.Reporting.XLSXTemplate(r.Context(), a, r.PathValue("form"), r.PathValue("period"), r.PathValue("unit"), state(r).lang, &buf)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// reportImportForm serves GET /reports/{form}/{period}/{unit}/import: the
// download and the upload form.
func (h *handler) reportImportForm(w http.ResponseWriter, r *http.Request) {
	d, err := h.reportXLSXPage(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "report_xlsx", d)
}

// reportImport serves POST /reports/{form}/{period}/{unit}/import: an
// uploaded workbook, with "import the valid part" and "only check"; the
// page lists the problems by cell or what was saved.
func (h *handler) reportImport(w http.ResponseWriter, r *http.Request) {
	d, err := h.reportXLSXPage(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxXLSXForm)
	if err := r.ParseMultipartForm(maxXLSXForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.fail(w, r, egov.Errorf(egov.ETOOLARGE, "stats.xlsx.too_large", reporting.MaxXLSXBytes>>20))
			return
		}
		h.fail(w, r, egov.Errorf(egov.EINVALID, "error.bad_form"))
		return
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	d.ImportValid, d.DryRun = r.FormValue("import_valid") != "", r.FormValue("dry_run") != ""
	f, _, err := r.FormFile("file")
	if err != nil {
		d.Error = tr(d.Lang, "stats.xlsx.no_file")
		h.render(w, r, http.StatusUnprocessableEntity, "report_xlsx", d)
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, reporting.MaxXLSXBytes+1))
	f.Close()
	if err != nil {
		h.fail(w, r, egov.Errorf(egov.EINVALID, "error.bad_form"))
		return
	}
	want := reporting.ReportKey{Form: d.Form, Period: d.Period, Unit: d.Unit}
	sum, err := h.app.Reporting.ImportXLSX(r.Context(), state(r).actor, want, data, reporting.XLSXOptions{DryRun: d.DryRun, ImportValid: d.ImportValid})
	if err != nil {
		d.Error = h.message(r, err)
		h.render(w, r, status(egov.ErrorCode(err)), "report_xlsx", d)
		return
	}
	for _, c := range sum.Conflicts {
		d.Problems = append(d.Problems, xlsxProblemView{c.Object, tr(d.Lang, c.Key, c.Args...)})
	}
	for _, v := range sum.Violations {
		d.Violations = append(d.Violations, v.Rule.Name(d.Lang))
	}
	counts := []any{sum.Imported, sum.Updated, sum.Deleted, sum.Ignored}
	st := http.StatusOK
	switch {
	case !sum.Applied && !d.DryRun:
		d.NothingApplied = true
		st = http.StatusUnprocessableEntity
	case d.DryRun:
		d.Notice = tr(d.Lang, "stats.xlsx.checked", counts...)
	default:
		d.Notice = tr(d.Lang, "stats.xlsx.done", counts...)
	}
	h.render(w, r, st, "report_xlsx", d)
}

// cdmy shows a date of the working calendar as Vietnamese forms write it.
func cdmy(d workcal.Date) string { return d.Time(time.UTC).Format("02/01/2006") }
