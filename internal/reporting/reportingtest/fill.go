// Package reportingtest helps tests fill in a report's XLSX template as an
// officer would.
package reportingtest

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// keyRow is the template's hidden row of column keys (1-based).
const keyRow = 5

// Cell finds the cell of an indicator's combination ("default" without
// categories) by the code in column A and the key row; ok is false when
// the template has none.
func Cell(x *excelize.File, code, combo string) (sheet, cell string, ok bool) {
	for _, s := range x.GetSheetList() {
		rows, _ := x.GetRows(s)
		if len(rows) < keyRow {
			continue
		}
		for r, row := range rows {
			if len(row) == 0 || row[0] != code {
				continue
			}
			for c, k := range rows[keyRow-1] {
				if k == combo {
					name, _ := excelize.CoordinatesToCellName(c+1, r+1)
					return s, name, true
				}
			}
		}
	}
	return "", "", false
}

// Fill sets cells of a template, each named by indicator code and
// combination, and returns the workbook.
func Fill(t testing.TB, data []byte, cells map[[2]string]any) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for k, v := range cells {
		s, c, ok := Cell(x, k[0], k[1])
		if !ok {
			t.Fatalf("the template has no cell for %s %s", k[0], k[1])
		}
		if err := x.SetCellValue(s, c, v); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
