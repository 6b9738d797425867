package web

import (
	"bytes"
	"encoding/csv"
	"io"
	"math"
	"net/http"
	"strings"

	"github.com/xuri/excelize/v2"

	"egov/internal/reporting"
	"egov/internal/vntext"
)

// exportPivot answers the pivot page's query for a download, or shows why
// it cannot.
func (h *handler) exportPivot(w http.ResponseWriter, r *http.Request) (*pivot, pivotQuery, bool) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return nil, pivotQuery{}, false
	}
	lang := state(r).lang
	errs := map[string]string{}
	q := h.readPivot(lang, r.URL.Query(), errs)
	if len(errs) > 0 || len(q.DX) == 0 || len(q.PE) == 0 || len(q.OU) == 0 {
		http.Redirect(w, r, "/analytics?"+r.URL.RawQuery, http.StatusSeeOther)
		return nil, q, false
	}
	pv, err := h.runPivot(r, a, lang, q, reporting.MaxCells)
	if err != nil {
		h.failBack(w, r, err, "/analytics?"+q.encode(lang))
		return nil, q, false
	}
	return pv, q, true
}

// pivotGrid is the pivot as the exports lay it out: for each table, a line
// naming its filters (when there are any), the header, then the rows.
// Values are numbers, nil where there is none.
func pivotGrid(lang string, pv *pivot) [][]any {
	var out [][]any
	for _, t := range pv.Tables {
		if len(t.Filters) > 0 {
			var names []string
			for _, f := range t.Filters {
				names = append(names, f.Label)
			}
			out = append(out, []any{strings.Join(names, " · ")})
		}
		head := []any{tr(lang, "analytics.dim."+pv.RowDim)}
		for _, c := range pv.Cols {
			head = append(head, c.Label)
		}
		out = append(out, head)
		for ri, row := range pv.Rows {
			line := []any{row.Label}
			for _, v := range t.Values[ri] {
				if math.IsNaN(v) {
					line = append(line, nil)
				} else {
					line = append(line, math.Round(v*1e4)/1e4)
				}
			}
			out = append(out, line)
		}
		out = append(out, nil) // a blank line between tables
	}
	return out
}

// analyticsXLSX downloads the pivot as a workbook: the tables as shown,
// numbers as numbers.
func (h *handler) analyticsXLSX(w http.ResponseWriter, r *http.Request) {
	pv, q, ok := h.exportPivot(w, r)
	if !ok {
		return
	}
	lang := state(r).lang
	var buf bytes.Buffer
	if err := writePivotXLSX(&buf, lang, pv, q); err != nil {
		h.fail(w, r, err)
		return
	}
	sendXLSX(w, "phan-tich-"+q.At.String()+".xlsx", buf.Bytes())
}

func writePivotXLSX(out io.Writer, lang string, pv *pivot, q pivotQuery) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := tr(lang, "analytics.sheet")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	numFmt := "#,##0.##"
	number, err := f.NewStyle(&excelize.Style{CustomNumFmt: &numFmt})
	if err != nil {
		return err
	}
	title := tr(lang, "analytics.xlsx_title", strings.Join(q.PE, ", "), q.At.Time(vietnam).Format(tr(lang, "format.date")))
	if err := f.SetCellValue(sheet, "A1", title); err != nil {
		return err
	}
	f.SetCellStyle(sheet, "A1", "A1", bold)
	row := 3
	for _, line := range pivotGrid(lang, pv) {
		for c, v := range line {
			cell, err := excelize.CoordinatesToCellName(c+1, row)
			if err != nil {
				return err
			}
			if s, ok := v.(string); ok {
				// Text goes in as text: a name never becomes a formula.
				err = f.SetCellStr(sheet, cell, s)
				if c == 0 || row == 3 {
					f.SetCellStyle(sheet, cell, cell, bold)
				}
			} else if v != nil {
				err = f.SetCellValue(sheet, cell, v)
				f.SetCellStyle(sheet, cell, cell, number)
			}
			if err != nil {
				return err
			}
		}
		row++
	}
	f.SetColWidth(sheet, "A", "A", 40)
	return f.Write(out)
}

// analyticsCSV downloads the pivot as CSV: the same layout, UTF-8 with a
// byte-order mark so that spreadsheets read the Vietnamese names, numbers
// with a decimal point, and text that could start a formula made inert.
func (h *handler) analyticsCSV(w http.ResponseWriter, r *http.Request) {
	pv, q, ok := h.exportPivot(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	writePivotCSV(&buf, state(r).lang, pv)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="phan-tich-`+q.At.String()+`.csv"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
}

func writePivotCSV(out *bytes.Buffer, lang string, pv *pivot) {
	out.WriteString("\uFEFF")
	cw := csv.NewWriter(out)
	for _, line := range pivotGrid(lang, pv) {
		rec := make([]string, len(line))
		for i, v := range line {
			switch v := v.(type) {
			case string:
				rec[i] = vntext.CellSafe(v)
			case float64:
				rec[i] = reporting.FormatValue(v)
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
}
