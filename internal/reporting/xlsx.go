package reporting

// The spreadsheet round trip: a unit's report of a form for a period as an
// Excel workbook to fill in, prefilled with what is stored, and read back.
//
// Layout. One sheet per section of the form:
//
//	row 1  the form's name
//	row 2  the unit, the period, the deadline and the last day of entry
//	row 3  how to fill it in
//	row 4  column titles: code, indicator, unit of measure, then one column
//	       per disaggregation (option combination) of the section's
//	       indicators; "Giá trị" for indicators without categories
//	row 5  the columns' keys for the program ("#key", then "default" or a
//	       combination such as "nongthon_kinh"); hidden
//	row 6… one row per indicator; the cells of the combinations it has are
//	       unlocked and yellow, the others grey and locked
//
// The sheets are protected without a password (a guard against slips, not a
// lock). A value's comment is the cell's note. A very hidden sheet "egov"
// names the form, period and unit, so that a file uploaded for another
// report is refused.
//
// Reading maps columns by their key and rows by the indicator code in column
// A, never by position or sheet name; sheets without a key row are ignored
// (an officer's working notes). Each value cell read is a value of the set:
// a blank cell deletes a stored value, a cell without a note clears its
// comment, so that the workbook says the whole report and uploading it
// twice changes nothing the second time. Problems are reported by cell,
// 'Dân số, hộ gia đình'!D7, with a message key.

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"egov"
	"egov/internal/i18n"
	"egov/internal/identity"
	"egov/internal/vntext"
)

// Bounds of an uploaded workbook. A form's template is tens of kilobytes.
const (
	MaxXLSXBytes     = 2 << 20
	xlsxMaxUnzipped  = 32 << 20
	xlsxMaxSheets    = 64
	xlsxMaxRows      = 1000 // per sheet
	xlsxMaxColumns   = 128
	xlsxMaxCells     = MaxImportValues
	xlsxMaxProblems  = 200
	xlsxMetaSheet    = "egov"
	xlsxMetaMark     = "egov:report-template"
	xlsxKeyMark      = "#key"
	xlsxKeyRow       = 5
	xlsxFirstRow     = 6
	xlsxDefaultCombo = "default"
)

// xlsxColumn is a value column of a section sheet: a combination ("" for
// indicators without categories) and its title.
type xlsxColumn struct {
	combo string
	title string
}

// sectionColumns are the combinations of a section's indicators, in the
// order they first appear; indicators without categories share "".
func sectionColumns(cat *Catalogue, sec *Section, lang string) []xlsxColumn {
	var out []xlsxColumn
	seen := map[string]bool{}
	for _, code := range sec.Indicators {
		ind := cat.Indicator(code)
		if ind == nil || ind.Computed() {
			continue
		}
		for _, combo := range cat.Combos(ind) {
			if seen[combo] {
				continue
			}
			seen[combo] = true
			out = append(out, xlsxColumn{combo, comboTitle(cat, ind, combo, lang)})
		}
	}
	return out
}

// comboTitle names a combination by its options: "Nông thôn – Kinh".
func comboTitle(cat *Catalogue, ind *Indicator, combo, lang string) string {
	if combo == "" {
		return i18n.T(lang, "stats.xlsx.value")
	}
	parts := strings.Split(combo, "_")
	names := make([]string, 0, len(parts))
	for i, p := range parts {
		name := p
		if i < len(ind.Categories) {
			if c := cat.Category(ind.Categories[i]); c != nil {
				for _, o := range c.Options {
					if o.Code == p {
						name = o.Name(lang)
					}
				}
			}
		}
		names = append(names, name)
	}
	return strings.Join(names, " – ")
}

// PeriodLabel names a period for people: "Tháng 01/2024", "Năm 2024".
func PeriodLabel(p Period, lang string) string {
	return i18n.T(lang, "stats.xlsx.period."+string(p.Type), p.N, p.Year)
}

// sheetName makes a section's name a valid, unique sheet name (at most 31
// characters, none of : \ / ? * [ ]).
func sheetName(name string, used map[string]bool) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, strings.Trim(strings.TrimSpace(name), "'"))
	if name == "" || strings.EqualFold(name, xlsxMetaSheet) {
		name = "Mục"
	}
	base := []rune(name)
	if len(base) > 31 {
		base = base[:31]
	}
	out := string(base)
	for n := 2; used[vntext.Fold(out)]; n++ {
		suffix := " (" + strconv.Itoa(n) + ")"
		out = string(base[:min(len(base), 31-len(suffix))]) + suffix
	}
	used[vntext.Fold(out)] = true
	return out
}

// cellRef is a cell as Excel names it: 'Dân số'!D7.
func cellRef(sheet string, col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return quoteSheet(sheet) + "!" + c
}

func quoteSheet(sheet string) string { return "'" + strings.ReplaceAll(sheet, "'", "''") + "'" }

// XLSXTemplate writes a unit's report of a form for a period as a workbook
// to fill in, prefilled with the stored values and comments, for whoever
// may read the unit's statistics. It returns the file's name.
func (s *Service) XLSXTemplate(ctx context.Context, a *identity.Actor, formCode, period, unitCode, lang string, w io.Writer) (string, error) {
	f, p, u, _, err := s.resolveReport(ctx, formCode, period, unitCode)
	if err != nil {
		return "", err
	}
	vs, err := s.Values(ctx, a, ValueQuery{DataSet: f.Code, Period: p.String(), OrgUnit: u.Code})
	if err != nil {
		return "", err
	}
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return "", err
	}
	win, err := s.entryWindow(ctx, f, p, u)
	if err != nil {
		return "", err
	}
	stored := map[[2]string]DataValue{}
	for _, v := range vs {
		stored[[2]string{v.DataElement, v.CategoryOptionCombo}] = v
	}

	x := excelize.NewFile()
	defer x.Close()
	st, err := newTemplateStyles(x)
	if err != nil {
		return "", err
	}
	tr := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	info := tr("stats.xlsx.info", u.Name, u.Code, PeriodLabel(p, lang), dmy(win.Deadline))
	if !win.LastDay.IsZero() {
		info += " " + tr("stats.xlsx.info_last_day", dmy(win.LastDay))
	}
	if win.Closed {
		info += " " + tr("stats.xlsx.info_closed")
	}
	used := map[string]bool{vntext.Fold(xlsxMetaSheet): true}
	first := true
	for si := range f.Sections {
		sec := &f.Sections[si]
		cols := sectionColumns(cat, sec, lang)
		if len(cols) == 0 {
			continue
		}
		name := sheetName(sec.Name(lang), used)
		if first {
			err = x.SetSheetName(x.GetSheetName(0), name)
			first = false
		} else {
			_, err = x.NewSheet(name)
		}
		if err == nil {
			err = writeSection(x, name, cat, f, sec, cols, stored, lang, info, st)
		}
		if err != nil {
			return "", fmt.Errorf("reporting: template sheet %s: %w", name, err)
		}
	}
	if first {
		return "", egov.Errorf(egov.ECONFLICT, "stats.xlsx.form_empty", f.Code)
	}
	if err := writeMeta(x, f, p, u.Code, s.Now()); err != nil {
		return "", fmt.Errorf("reporting: template: %w", err)
	}
	if err := x.Write(w); err != nil {
		return "", fmt.Errorf("reporting: template: %w", err)
	}
	return fmt.Sprintf("%s_%s_%s.xlsx", f.Code, p, u.Code), nil
}

type templateStyles struct {
	title, info, head, key, label, input, inputText, blocked int
}

func newTemplateStyles(x *excelize.File) (*templateStyles, error) {
	var err error
	style := func(s excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = x.NewStyle(&s)
		return id
	}
	border := []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1}}
	locked := &excelize.Protection{Locked: true}
	open := &excelize.Protection{Locked: false}
	st := &templateStyles{
		title: style(excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}, Protection: locked}),
		info:  style(excelize.Style{Font: &excelize.Font{Italic: true}, Protection: locked}),
		head: style(excelize.Style{Font: &excelize.Font{Bold: true}, Border: border, Protection: locked,
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}),
		key: style(excelize.Style{Font: &excelize.Font{Size: 8, Color: "808080"}, NumFmt: 49, Protection: locked}),
		label: style(excelize.Style{Border: border, Protection: locked, NumFmt: 49,
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}),
		input: style(excelize.Style{Border: border, Protection: open, NumFmt: 0,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}}),
		inputText: style(excelize.Style{Border: border, Protection: open, NumFmt: 49,
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}}),
		blocked: style(excelize.Style{Border: border, Protection: locked,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}}}),
	}
	return st, err
}

func writeSection(x *excelize.File, sheet string, cat *Catalogue, f *Form, sec *Section, cols []xlsxColumn,
	stored map[[2]string]DataValue, lang, info string, st *templateStyles) error {
	tr := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	var err error
	set := func(cell string, v any, style int) {
		if err == nil {
			err = x.SetCellValue(sheet, cell, v)
		}
		if err == nil {
			err = x.SetCellStyle(sheet, cell, cell, style)
		}
	}
	set("A1", f.Name(lang), st.title)
	set("A2", info, st.info)
	set("A3", tr("stats.xlsx.guide"), st.info)
	heads := []string{tr("stats.xlsx.code"), tr("stats.xlsx.indicator"), tr("stats.xlsx.measure")}
	for i, h := range heads {
		c, _ := excelize.CoordinatesToCellName(i+1, 4)
		set(c, h, st.head)
		k, _ := excelize.CoordinatesToCellName(i+1, xlsxKeyRow)
		if i == 0 {
			set(k, xlsxKeyMark, st.key)
		}
	}
	for i, col := range cols {
		c, _ := excelize.CoordinatesToCellName(len(heads)+i+1, 4)
		set(c, col.title, st.head)
		k, _ := excelize.CoordinatesToCellName(len(heads)+i+1, xlsxKeyRow)
		key := col.combo
		if key == "" {
			key = xlsxDefaultCombo
		}
		set(k, key, st.key)
	}
	row := xlsxFirstRow
	var yesno []string
	for _, code := range sec.Indicators {
		ind := cat.Indicator(code)
		if ind == nil || ind.Computed() {
			continue
		}
		set(fmt.Sprintf("A%d", row), ind.Code, st.label)
		set(fmt.Sprintf("B%d", row), ind.Name(lang), st.label)
		set(fmt.Sprintf("C%d", row), ind.Unit, st.label)
		for i, col := range cols {
			c, _ := excelize.CoordinatesToCellName(len(heads)+i+1, row)
			if !cat.ValidCombo(ind, col.combo) {
				set(c, nil, st.blocked)
				continue
			}
			style := st.input
			if ind.ValueType == TypeText {
				style = st.inputText
			}
			var v any
			dv, ok := stored[[2]string{ind.Code, col.combo}]
			if ok {
				v = cellValue(ind, dv.Value)
			}
			set(c, v, style)
			if ind.ValueType == TypeYesNo {
				yesno = append(yesno, c)
			}
			if ok && dv.Comment != "" && err == nil {
				err = x.AddComment(sheet, excelize.Comment{Cell: c, Author: "egov",
					Paragraph: []excelize.RichTextRun{{Text: dv.Comment}}})
			}
		}
		row++
	}
	if err != nil {
		return err
	}
	if len(yesno) > 0 {
		dv := excelize.NewDataValidation(true)
		dv.Sqref = strings.Join(yesno, " ")
		if err := dv.SetDropList([]string{"có", "không"}); err != nil {
			return err
		}
		if err := x.AddDataValidation(sheet, dv); err != nil {
			return err
		}
	}
	last, _ := excelize.ColumnNumberToName(len(heads) + len(cols))
	for _, w := range []struct {
		from, to string
		width    float64
	}{{"A", "A", 12}, {"B", "B", 48}, {"C", "C", 10}, {"D", last, 14}} {
		if err := x.SetColWidth(sheet, w.from, w.to, w.width); err != nil {
			return err
		}
	}
	if err := x.SetRowHeight(sheet, 4, 45); err != nil {
		return err
	}
	if err := x.SetRowVisible(sheet, xlsxKeyRow, false); err != nil {
		return err
	}
	if err := x.SetPanes(sheet, &excelize.Panes{Freeze: true, XSplit: 3, YSplit: xlsxKeyRow, TopLeftCell: fmt.Sprintf("D%d", xlsxFirstRow),
		ActivePane: "bottomRight"}); err != nil {
		return err
	}
	return x.ProtectSheet(sheet, &excelize.SheetProtectionOptions{EditObjects: true, FormatColumns: true, FormatRows: true,
		SelectLockedCells: true, SelectUnlockedCells: true})
}

// cellValue is a stored value as a cell shows it: a number as a number, a
// yes/no as có or không, text as text.
func cellValue(ind *Indicator, v string) any {
	switch ind.ValueType {
	case TypeText:
		return v
	case TypeYesNo:
		if v == "1" {
			return "có"
		}
		return "không"
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return f
	}
	return v
}

func writeMeta(x *excelize.File, f *Form, p Period, unit string, now time.Time) error {
	if _, err := x.NewSheet(xlsxMetaSheet); err != nil {
		return err
	}
	rows := [][2]string{{xlsxMetaMark, "1"}, {"form", f.Code}, {"period", p.String()}, {"unit", unit},
		{"generated", now.UTC().Format(time.RFC3339)}}
	for i, r := range rows {
		if err := x.SetSheetRow(xlsxMetaSheet, fmt.Sprintf("A%d", i+1), &[]string{r[0], r[1]}); err != nil {
			return err
		}
	}
	return x.SetSheetVisible(xlsxMetaSheet, false, true)
}

// xlsxUpload is a workbook as read: the report it names, its values with
// their cells, and the problems of its cells.
type xlsxUpload struct {
	form, period, unit string
	values             []ValueIn
	problems           []Conflict
}

func (u *xlsxUpload) problem(ref, key string, args ...any) {
	if len(u.problems) < xlsxMaxProblems {
		u.problems = append(u.problems, Conflict{Object: ref, Key: key, Args: args})
	}
}

// SniffXLSX checks that data is an Excel workbook (.xlsx): a zip archive
// with a workbook part. It refuses the old .xls format and encrypted
// workbooks (both OLE files) by name.
func SniffXLSX(data []byte) error {
	if len(data) > MaxXLSXBytes {
		return egov.Errorf(egov.ETOOLARGE, "stats.xlsx.too_large", MaxXLSXBytes>>20)
	}
	if bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}) {
		return egov.Errorf(egov.EINVALID, "stats.xlsx.ole")
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return egov.Errorf(egov.EINVALID, "stats.xlsx.not_xlsx")
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return egov.Errorf(egov.EINVALID, "stats.xlsx.not_xlsx")
	}
	var types, book bool
	var unzipped uint64
	for _, f := range z.File {
		switch f.Name {
		case "[Content_Types].xml":
			types = true
		case "xl/workbook.xml":
			book = true
		}
		unzipped += f.UncompressedSize64
	}
	if !types || !book {
		return egov.Errorf(egov.EINVALID, "stats.xlsx.not_xlsx")
	}
	if unzipped > xlsxMaxUnzipped {
		return egov.Errorf(egov.ETOOLARGE, "stats.xlsx.too_large", MaxXLSXBytes>>20)
	}
	return nil
}

// openXLSX sniffs and opens a workbook and reads which report it is.
func openXLSX(data []byte) (x *excelize.File, up *xlsxUpload, err error) {
	if err := SniffXLSX(data); err != nil {
		return nil, nil, err
	}
	defer recoverXLSX(&err)
	x, err = excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: xlsxMaxUnzipped, UnzipXMLSizeLimit: xlsxMaxUnzipped})
	if err != nil {
		return nil, nil, egov.Errorf(egov.EINVALID, "stats.xlsx.unreadable")
	}
	if len(x.GetSheetList()) > xlsxMaxSheets {
		x.Close()
		return nil, nil, egov.Errorf(egov.EINVALID, "stats.xlsx.too_many_sheets", xlsxMaxSheets)
	}
	up = &xlsxUpload{}
	if err := up.readMeta(x); err != nil {
		x.Close()
		return nil, nil, err
	}
	return x, up, nil
}

// readSections reads the value sheets of a workbook for form.
func (up *xlsxUpload) readSections(x *excelize.File, cat *Catalogue, form *Form) (err error) {
	defer recoverXLSX(&err)
	r := &sectionReader{x: x, cat: cat, form: form, up: up, rows: map[string]string{}}
	found := false
	for _, name := range x.GetSheetList() {
		if name == xlsxMetaSheet {
			continue
		}
		ok, err := r.read(name)
		if err != nil {
			return err
		}
		found = found || ok
	}
	if !found {
		return egov.Errorf(egov.EINVALID, "stats.xlsx.no_sheets")
	}
	return nil
}

// recoverXLSX turns a panic in excelize on a malformed file into a problem
// of the file, not of the server (deferred around the reading only, so that
// a bug elsewhere is not mistaken for a bad file).
func recoverXLSX(err *error) {
	if v := recover(); v != nil {
		*err = egov.Errorf(egov.EINVALID, "stats.xlsx.unreadable")
	}
}

func (up *xlsxUpload) readMeta(x *excelize.File) error {
	idx, err := x.GetSheetIndex(xlsxMetaSheet)
	if err != nil || idx < 0 {
		return egov.Errorf(egov.EINVALID, "stats.xlsx.no_meta")
	}
	rows, err := x.GetRows(xlsxMetaSheet, excelize.Options{RawCellValue: true})
	if err != nil || len(rows) == 0 || len(rows[0]) == 0 || rows[0][0] != xlsxMetaMark {
		return egov.Errorf(egov.EINVALID, "stats.xlsx.no_meta")
	}
	for _, r := range rows[1:min(len(rows), 10)] {
		if len(r) < 2 {
			continue
		}
		v := clip(strings.TrimSpace(r[1]))
		switch r[0] {
		case "form":
			up.form = v
		case "period":
			up.period = v
		case "unit":
			up.unit = v
		}
	}
	return nil
}

// sectionReader reads the value sheets of one workbook.
type sectionReader struct {
	x     *excelize.File
	cat   *Catalogue
	form  *Form
	up    *xlsxUpload
	rows  map[string]string // indicator code → the cell of its first row
	cells int
}

// read reads one sheet; ok is false when it has no key row (not a sheet of
// values).
func (r *sectionReader) read(sheet string) (ok bool, err error) {
	rows, err := r.x.Rows(sheet)
	if err != nil {
		return false, egov.Errorf(egov.EINVALID, "stats.xlsx.unreadable")
	}
	defer rows.Close()
	notes := r.notes(sheet)
	var keys []string // by column (0-based); "" where none
	n := 0
	for rows.Next() {
		n++
		if n > xlsxMaxRows {
			r.up.problem(quoteSheet(sheet)+"!"+strconv.Itoa(n), "stats.xlsx.too_many_rows", xlsxMaxRows)
			return true, nil
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			r.up.problem(quoteSheet(sheet)+"!"+strconv.Itoa(n), "stats.xlsx.bad_row")
			return true, nil
		}
		if len(cells) > xlsxMaxColumns {
			r.up.problem(cellRef(sheet, xlsxMaxColumns+1, n), "stats.xlsx.too_many_columns", xlsxMaxColumns)
			return true, nil
		}
		if keys == nil {
			if n <= xlsxKeyRow+5 && len(cells) > 0 && strings.TrimSpace(cells[0]) == xlsxKeyMark {
				keys = r.readKeys(sheet, n, cells)
			}
			continue
		}
		if err := r.readRow(sheet, n, cells, keys, notes); err != nil {
			return true, err
		}
	}
	if err := rows.Error(); err != nil {
		return keys != nil, egov.Errorf(egov.EINVALID, "stats.xlsx.unreadable")
	}
	return keys != nil, nil
}

// readKeys checks the key row: each key names a combination of some
// indicator of the form.
func (r *sectionReader) readKeys(sheet string, n int, cells []string) []string {
	keys := make([]string, len(cells))
	seen := map[string]bool{}
	for c := 1; c < len(cells); c++ {
		k := strings.TrimSpace(cells[c])
		if k == "" {
			continue
		}
		if k == xlsxDefaultCombo {
			k = ""
		}
		if seen[k] {
			r.up.problem(cellRef(sheet, c+1, n), "stats.xlsx.duplicate_key", clip(cells[c]))
			continue
		}
		seen[k] = true
		if !r.formHasCombo(k) {
			r.up.problem(cellRef(sheet, c+1, n), "stats.xlsx.bad_key", clip(cells[c]))
			continue
		}
		keys[c] = "\x00" + k // "\x00" marks a column with a key, even the default
	}
	return keys
}

func (r *sectionReader) formHasCombo(combo string) bool {
	for _, sec := range r.form.Sections {
		for _, code := range sec.Indicators {
			if ind := r.cat.Indicator(code); ind != nil && r.cat.ValidCombo(ind, combo) {
				return true
			}
		}
	}
	return false
}

// notes returns the sheet's cell notes by cell name, without the author
// line that Excel puts first.
func (r *sectionReader) notes(sheet string) map[string]string {
	out := map[string]string{}
	cs, err := r.x.GetComments(sheet)
	if err != nil {
		return out
	}
	for _, c := range cs {
		text := c.Text
		for _, p := range c.Paragraph {
			text += p.Text
		}
		if c.Author != "" {
			text = strings.TrimPrefix(text, c.Author+":")
		}
		out[c.Cell] = cleanCell(text)
	}
	return out
}

func cleanCell(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.TrimSpace(strings.ReplaceAll(vntext.NFC(s), "\r\n", "\n"))
}

func (r *sectionReader) readRow(sheet string, n int, cells, keys []string, notes map[string]string) error {
	code := ""
	if len(cells) > 0 {
		code = strings.TrimSpace(cells[0])
	}
	filled := false
	for c := 3; c < len(cells) && c < len(keys); c++ {
		filled = filled || (keys[c] != "" && strings.TrimSpace(cells[c]) != "")
	}
	if code == "" {
		if filled {
			r.up.problem(cellRef(sheet, 1, n), "stats.xlsx.no_code")
		}
		return nil
	}
	ind := r.cat.Indicator(code)
	switch {
	case ind == nil:
		r.up.problem(cellRef(sheet, 1, n), "stats.unknown_indicator", clip(code))
		return nil
	case !r.form.Has(ind.Code):
		r.up.problem(cellRef(sheet, 1, n), "stats.not_in_form", ind.Code, r.form.Code)
		return nil
	case ind.Computed():
		r.up.problem(cellRef(sheet, 1, n), "stats.computed_not_entered", ind.Code)
		return nil
	}
	if prev, dup := r.rows[ind.Code]; dup {
		r.up.problem(cellRef(sheet, 1, n), "stats.xlsx.duplicate_row", ind.Code, prev)
		return nil
	}
	r.rows[ind.Code] = cellRef(sheet, 1, n)
	for c := 3; c < len(keys); c++ {
		if keys[c] == "" {
			continue
		}
		combo := keys[c][1:]
		v := ""
		if c < len(cells) {
			v = cleanCell(cells[c])
		}
		name, _ := excelize.CoordinatesToCellName(c+1, n)
		ref := cellRef(sheet, c+1, n)
		if !r.cat.ValidCombo(ind, combo) {
			if v != "" {
				r.up.problem(ref, "stats.xlsx.not_applicable", ind.Code)
			}
			continue
		}
		if r.cells++; r.cells > xlsxMaxCells {
			return egov.Errorf(egov.EINVALID, "stats.too_many_values", xlsxMaxCells)
		}
		comment := notes[name]
		r.up.values = append(r.up.values, ValueIn{DataElement: ind.Code, CategoryOptionCombo: combo, Value: v, Comment: &comment, Ref: ref})
	}
	return nil
}

// XLSXOptions are the choices of a workbook upload.
type XLSXOptions struct {
	DryRun bool
	// ImportValid takes the valid cells when some are wrong; without it a
	// workbook with any wrong cell changes nothing.
	ImportValid bool
}

// ReportKey names a unit's report of a form for a period by codes.
type ReportKey struct {
	Form   string
	Period string
	Unit   string
}

// ImportXLSX reads a workbook made by XLSXTemplate and imports its values
// (stats.enter on the unit). The workbook names its report; when want
// names one too (a field may be left empty), the two must agree. A file
// that is not such a workbook, or is for another report, is an error; the
// problems of its cells are the summary's conflicts, named by cell, before
// those Import finds.
func (s *Service) ImportXLSX(ctx context.Context, a *identity.Actor, want ReportKey, data []byte, opt XLSXOptions) (sum *ImportSummary, err error) {
	if a == nil {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	if ids, all := a.Scope(identity.PermStatsEnter); !all && len(ids) == 0 {
		return nil, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	x, up, err := openXLSX(data)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	if (want.Form != "" && want.Form != up.form) || (want.Period != "" && want.Period != up.period) || (want.Unit != "" && want.Unit != up.unit) {
		return nil, egov.Errorf(egov.EINVALID, "stats.xlsx.other_report", up.form, up.period, up.unit,
			or(clip(want.Form), up.form), or(clip(want.Period), up.period), or(clip(want.Unit), up.unit))
	}
	f, p, u, _, err := s.resolveReport(ctx, up.form, up.period, up.unit)
	if err != nil {
		return nil, err
	}
	if err := s.ids.Can(ctx, a, identity.PermStatsEnter, u.ID); err != nil {
		return nil, err
	}
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	if err := up.readSections(x, cat, f); err != nil {
		return nil, err
	}
	if !a.System {
		w, err := s.entryWindow(ctx, f, p, u)
		if err != nil {
			return nil, err
		}
		if w.Closed {
			return nil, egov.Errorf(egov.ECONFLICT, "stats.entry_closed", f.Code, p.String(), dmy(w.LastDay))
		}
	}
	set := ValueSet{DataSet: f.Code, Period: p.String(), OrgUnit: u.Code, Values: up.values}
	return s.importWithProblems(ctx, a, set, up.problems, opt.DryRun, opt.ImportValid)
}

// importWithProblems imports the values read from a file whose reading
// found problems (cells, lines): all or nothing unless importValid, with
// the problems first among the conflicts.
func (s *Service) importWithProblems(ctx context.Context, a *identity.Actor, set ValueSet, problems []Conflict, dryRun, importValid bool) (*ImportSummary, error) {
	sum, err := s.importSet(ctx, a, set, importOptions{dryRun: dryRun, allOrNothing: !importValid, problems: len(problems)})
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		sum.Conflicts = append(problems, sum.Conflicts...)
		sum.Ignored += len(problems)
		if sum.Status == "SUCCESS" {
			sum.Status = "WARNING"
		}
	}
	return sum, nil
}
