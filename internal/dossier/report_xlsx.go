package dossier

// Printable reports as workbooks (the statistics export, the register of
// Mẫu 06): a title block, a bordered table whose header repeats on every
// printed page, landscape A4 fitted to the page width.

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"egov/internal/workcal"
)

type reportStyles struct {
	title, subtitle, header, text, center, number, percent, note int
}

func newReportStyles(f *excelize.File) (*reportStyles, error) {
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	style, err := styler(f)
	font := func(bold bool, size float64) *excelize.Font {
		return &excelize.Font{Family: "Times New Roman", Bold: bold, Size: size}
	}
	st := &reportStyles{
		title:    style(excelize.Style{Font: font(true, 14), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}),
		subtitle: style(excelize.Style{Font: font(false, 12), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}),
		note:     style(excelize.Style{Font: font(false, 11), Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}),
		header: style(excelize.Style{Font: font(true, 11), Border: border,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}}}),
		text:    style(excelize.Style{Font: font(false, 11), Border: border, NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}),
		center:  style(excelize.Style{Font: font(false, 11), Border: border, NumFmt: 49, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top", WrapText: true}}),
		number:  style(excelize.Style{Font: font(false, 11), Border: border, NumFmt: 3, Alignment: &excelize.Alignment{Vertical: "top"}}),
		percent: style(excelize.Style{Font: font(false, 11), Border: border, CustomNumFmt: ptr("0.0%"), Alignment: &excelize.Alignment{Vertical: "top"}}),
	}
	return st, *err
}

// styler returns a function that adds styles to f, and where the first
// error it met is kept, so that a list of styles is checked once.
func styler(f *excelize.File) (func(excelize.Style) int, *error) {
	var err error
	return func(s excelize.Style) int {
		id, e := f.NewStyle(&s)
		if err == nil {
			err = e
		}
		return id
	}, &err
}

func ptr[T any](v T) *T { return &v }

// dmy writes a date the Vietnamese way: 05/03/2026.
func dmy(d workcal.Date) string {
	if d.IsZero() {
		return ""
	}
	y, m, dd := d.Date()
	return fmt.Sprintf("%02d/%02d/%04d", dd, int(m), y)
}

// cell names the cell of column col (from 1) and row.
func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

// printLandscape sets the sheet up for A4 landscape, fitted to one page
// wide, with rows [firstHeader, lastHeader] repeated on every page.
func printLandscape(f *excelize.File, sheet string, firstHeader, lastHeader int) error {
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return err
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: ptr(9), Orientation: ptr("landscape"),
		FitToWidth: ptr(1), FitToHeight: ptr(0)}); err != nil {
		return err
	}
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: ptr(0.4), Right: ptr(0.4),
		Top: ptr(0.6), Bottom: ptr(0.6)}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&CTrang &P/&N"}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet,
		RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sheet, firstHeader, lastHeader)})
}

// titleRow writes text across columns [1, lastCol] of row in style.
func titleRow(f *excelize.File, sheet string, row, lastCol int, text string, style int, height float64) error {
	if err := f.SetCellStr(sheet, cell(1, row), text); err != nil {
		return err
	}
	if lastCol > 1 {
		if err := f.MergeCell(sheet, cell(1, row), cell(lastCol, row)); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sheet, cell(1, row), cell(lastCol, row), style); err != nil {
		return err
	}
	if height > 0 {
		return f.SetRowHeight(sheet, row, height)
	}
	return nil
}
