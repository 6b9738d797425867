package reporting_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"egov"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/store/storetest"
)

// FuzzXLSXImport uploads workbooks to a commune's 2024 report, all or
// nothing (no dryRun, no importValid): either raw bytes (when they start as
// a zip does) or a real template with fuzzed text in a value cell, a code
// cell, a key cell and a note. No input may panic or fail with an internal
// error; a summary with any conflict must have stored nothing, and a
// summary without conflicts stored what it counts.
func FuzzXLSXImport(f *testing.F) {
	fx := newFixture(f, storetest.SQLite(f))
	ctx := context.Background()
	reporter := fx.actor("baocao.anthanh", identity.RoleReporter, "31615")
	if _, err := fx.rep.Import(ctx, reporter, yearly("31618", 4000), false); err != nil {
		f.Fatal(err)
	}
	var tmpl bytes.Buffer
	if _, err := fx.rep.XLSXTemplate(ctx, reporter, "KTXH-XA-NAM", "2024", "31618", "vi", &tmpl); err != nil {
		f.Fatal(err)
	}
	template := tmpl.Bytes()
	f.Add(template, "", "", "", "")
	f.Add([]byte(nil), "4100", "CX.DS.05", "default", "ghi chú")
	f.Add([]byte(nil), "nhiều", "CX.DS.04", "nam_kinh", "")
	f.Add([]byte(nil), "1e308", "CX.XH.03", "khmer", "=A1")
	f.Add([]byte(nil), "-0", "", "thanhthi_kinh_x", strings.Repeat("ư", 3000))
	f.Add(template[:len(template)/3], "", "", "", "")
	f.Add([]byte("PK\x03\x04"), "", "", "", "")

	fingerprint := func() string {
		vs, err := fx.rep.Values(ctx, reporter, reporting.ValueQuery{DataSet: "KTXH-XA-NAM", Period: "2024", OrgUnit: "31618"})
		if err != nil {
			f.Fatal(err)
		}
		return fmt.Sprint(vs)
	}
	f.Fuzz(func(t *testing.T, raw []byte, value, code, key, note string) {
		data := raw
		if !bytes.HasPrefix(raw, []byte("PK")) {
			data = fuzzedTemplate(t, template, value, code, key, note)
		}
		before := fingerprint()
		sum, err := fx.rep.ImportXLSX(ctx, reporter, reporting.ReportKey{Form: "KTXH-XA-NAM", Period: "2024", Unit: "31618"}, data, reporting.XLSXOptions{})
		after := fingerprint()
		if err != nil {
			if c := egov.ErrorCode(err); c == egov.EINTERNAL || c == "" {
				t.Fatalf("internal error: %v", err)
			}
			if before != after {
				t.Fatalf("a refused file changed the values: %v", err)
			}
			return
		}
		if len(sum.Conflicts) > 0 && (sum.Applied || before != after || sum.Status != "ERROR") {
			t.Fatalf("a file with problems was applied: %+v", sum)
		}
		if len(sum.Conflicts) == 0 && sum.Imported+sum.Updated+sum.Deleted > 0 && before == after {
			t.Fatalf("a clean file counted changes but stored none: %+v", sum)
		}
		for _, c := range sum.Conflicts {
			if !strings.HasPrefix(c.Object, "'") || c.Key == "" {
				t.Fatalf("a problem not named by cell: %+v", c)
			}
		}
	})
}

// fuzzedTemplate puts the fuzzed texts into a real template: value in
// CX.DS.05's cell, note on it, code in the next row's code cell and key in
// the key row's last cell.
func fuzzedTemplate(t *testing.T, template []byte, value, code, key, note string) []byte {
	x, err := excelize.OpenReader(bytes.NewReader(template))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	const sheet = "Dân số, hộ gia đình"
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		if len(row) == 0 || row[0] != "CX.DS.05" {
			continue
		}
		for c, k := range rows[4] {
			if k != "default" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			x.SetCellValue(sheet, cell, value)
			if note != "" {
				x.AddComment(sheet, excelize.Comment{Cell: cell, Author: "fuzz", Paragraph: []excelize.RichTextRun{{Text: note}}})
			}
		}
		if code != "" {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			x.SetCellValue(sheet, cell, code)
		}
	}
	if key != "" {
		cell, _ := excelize.CoordinatesToCellName(len(rows[4]), 5)
		x.SetCellValue(sheet, cell, key)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Skip("excelize cannot write this text") // not the importer's concern
	}
	return buf.Bytes()
}
