package api

import (
	"bytes"
	"io"
	"net/http"

	"egov"
	"egov/internal/i18n"
	"egov/internal/reporting"
	"egov/internal/workcal"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// dataValueSetTemplate serves GET /api/v1/dataValueSets.xlsx: a unit's
// report of a form for a period as a workbook to fill in, prefilled with the
// stored values.
func (h *handler) dataValueSetTemplate(w http.ResponseWriter, r *http.Request) error {
	for _, name := range []string{"dataSet", "period", "orgUnit"} {
		if err := required(r, name); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	name, err := h.app.Reporting.XLSXTemplate(r.Context(), actor(r), param(r, "dataSet"), param(r, "period"), param(r, "orgUnit"),
		i18n.LangFrom(r.Context()), &buf)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

// importDataValueSetXLSX serves POST /api/v1/dataValueSets.xlsx: a filled
// template as the body. Nothing is stored when a cell is wrong unless
// importValid=true.
func (h *handler) importDataValueSetXLSX(w http.ResponseWriter, r *http.Request) error {
	dry, valid, data, err := readUpload(w, r, reporting.MaxXLSXBytes, "stats.xlsx.too_large")
	if err != nil {
		return err
	}
	want := reporting.ReportKey{Form: param(r, "dataSet"), Period: param(r, "period"), Unit: param(r, "orgUnit")}
	sum, err := h.app.Reporting.ImportXLSX(r.Context(), actor(r), want, data, reporting.XLSXOptions{DryRun: dry, ImportValid: valid})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, summaryJSON(i18n.LangFrom(r.Context()), sum, dry))
	return nil
}

type reopeningJSON struct {
	Form     string       `json:"form"`
	Period   string       `json:"period"`
	Unit     string       `json:"unit"`
	UnitName string       `json:"unit_name,omitempty"`
	Until    workcal.Date `json:"until"`
	Reason   string       `json:"reason"`
	By       string       `json:"by,omitempty"`
	At       string       `json:"at,omitempty"`
}

// reopen serves POST /api/v1/reopenings: reopen a unit's closed report for
// entry until a day.
func (h *handler) reopen(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Form   string `json:"form"`
		Period string `json:"period"`
		Unit   string `json:"unit"`
		Until  string `json:"until"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"form", in.Form}, {"period", in.Period}, {"unit", in.Unit}, {"until", in.Until}} {
		if f.v == "" {
			return egov.FieldError(f.name, "error.missing", f.name)
		}
	}
	until, err := workcal.ParseDate(in.Until)
	if err != nil {
		return egov.FieldError("until", "error.bad_date", clip(in.Until))
	}
	ro, err := h.app.Reporting.Reopen(r.Context(), actor(r), in.Form, in.Period, in.Unit, until, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reopeningJSON{Form: ro.Form, Period: ro.Period, Unit: ro.Unit, UnitName: ro.UnitName, Until: ro.Until,
		Reason: ro.Reason, By: ro.By, At: ro.At.UTC().Format("2006-01-02T15:04:05Z")})
	return nil
}

// importDataValueSetCSV serves POST /api/v1/dataValueSets.csv: data values
// in DHIS2's CSV columns. Nothing is stored when a line or value is wrong
// unless importValid=true.
func (h *handler) importDataValueSetCSV(w http.ResponseWriter, r *http.Request) error {
	dry, valid, data, err := readUpload(w, r, reporting.MaxCSVBytes, "stats.csv.too_large")
	if err != nil {
		return err
	}
	sum, err := h.app.Reporting.ImportCSV(r.Context(), actor(r), data, dry, valid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, summaryJSON(i18n.LangFrom(r.Context()), sum, dry))
	return nil
}

// readUpload reads the dryRun and importValid parameters and a file body of
// at most max bytes (tooLargeKey's message takes the bound in MiB).
func readUpload(w http.ResponseWriter, r *http.Request, max int64, tooLargeKey string) (dry, valid bool, data []byte, err error) {
	if dry, err = dryRun(r); err != nil {
		return
	}
	if valid, err = boolParam(r, "importValid"); err != nil {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, max)
	if data, err = io.ReadAll(r.Body); err != nil {
		if tooLarge(err) {
			err = egov.Errorf(egov.ETOOLARGE, tooLargeKey, max>>20)
		} else {
			err = egov.Errorf(egov.EINVALID, "error.bad_form")
		}
	}
	return
}
