package reporting_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"egov"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/reporting/reportingtest"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

// workbook is a downloaded template, opened to be filled in as an officer
// would.
type workbook struct {
	t *testing.T
	x *excelize.File
}

func (fx *fixture) template(t *testing.T, a *identity.Actor, form, period, unit string) *workbook {
	t.Helper()
	var buf bytes.Buffer
	name, err := fx.rep.XLSXTemplate(context.Background(), a, form, period, unit, "vi", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if want := form + "_" + period + "_" + unit + ".xlsx"; name != want {
		t.Errorf("file name %q, want %q", name, want)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return &workbook{t, x}
}

// cell finds the cell of an indicator's combination.
func (w *workbook) cell(code, combo string) (sheet, cell string) {
	w.t.Helper()
	sheet, cell, ok := reportingtest.Cell(w.x, code, combo)
	if !ok {
		w.t.Fatalf("no cell for %s %s", code, combo)
	}
	return sheet, cell
}

func (w *workbook) get(code, combo string) string {
	s, c := w.cell(code, combo)
	v, err := w.x.GetCellValue(s, c)
	if err != nil {
		w.t.Fatal(err)
	}
	return v
}

func (w *workbook) set(code, combo string, v any) string {
	s, c := w.cell(code, combo)
	if err := w.x.SetCellValue(s, c, v); err != nil {
		w.t.Fatal(err)
	}
	return "'" + s + "'!" + c
}

func (w *workbook) bytes() []byte {
	var buf bytes.Buffer
	if err := w.x.Write(&buf); err != nil {
		w.t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSXRoundTrip(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		reporter := fx.actor("baocao.anthanh", identity.RoleReporter, "31615")
		set := yearly("31618", 4000)
		set.Values[0].Comment = str("theo điều tra dân số")
		if _, err := fx.rep.Import(ctx, reporter, set, false); err != nil {
			t.Fatal(err)
		}

		w := fx.template(t, reporter, "KTXH-XA-NAM", "2024", "31618")
		// Prefilled with the stored values and the comment as the note;
		// the identifying sheet is hidden.
		if v := w.get("CX.DS.03", "thanhthi_kinh"); v != "1000" {
			t.Errorf("CX.DS.03 thanhthi_kinh prefilled %q", v)
		}
		if v := w.get("CX.DS.05", "default"); v != "10" {
			t.Errorf("CX.DS.05 prefilled %q", v)
		}
		s, c := w.cell("CX.DS.03", "thanhthi_kinh")
		notes, _ := w.x.GetComments(s)
		if len(notes) != 1 || notes[0].Cell != c || !strings.Contains(notes[0].Text+fmt.Sprint(notes[0].Paragraph), "theo điều tra dân số") {
			t.Errorf("notes %+v, want the comment on %s", notes, c)
		}
		if visible, err := w.x.GetSheetVisible("egov"); err != nil || visible {
			t.Errorf("the identifying sheet is visible (%v)", err)
		}
		if s != "Dân số, hộ gia đình" {
			t.Errorf("the first section's sheet is %q", s)
		}

		// The unchanged template changes nothing.
		sum, err := fx.rep.ImportXLSX(ctx, reporter, reporting.ReportKey{Form: "KTXH-XA-NAM", Period: "2024", Unit: "31618"}, w.bytes(), reporting.XLSXOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Imported+sum.Updated+sum.Deleted != 0 || sum.Status != "SUCCESS" || !sum.Applied {
			t.Fatalf("the unchanged template: %+v", sum)
		}

		// Filled in: one change, one new value (yes/no as có), one
		// deletion by a blank cell.
		w.set("CX.DS.05", "default", 12)
		w.set("CX.CDS.03", "default", "có")
		w.set("CX.CDS.05", "default", "")
		data := w.bytes()
		sum, err = fx.rep.ImportXLSX(ctx, reporter, reporting.ReportKey{Form: "KTXH-XA-NAM", Period: "2024", Unit: "31618"}, data, reporting.XLSXOptions{DryRun: true})
		if err != nil || sum.Applied || sum.Updated != 1 || sum.Imported != 1 || sum.Deleted != 1 {
			t.Fatalf("dry run: %+v %v", sum, err)
		}
		sum, err = fx.rep.ImportXLSX(ctx, reporter, reporting.ReportKey{Form: "KTXH-XA-NAM", Period: "2024", Unit: "31618"}, data, reporting.XLSXOptions{})
		if err != nil || !sum.Applied || sum.Updated != 1 || sum.Imported != 1 || sum.Deleted != 1 || len(sum.Conflicts) != 0 {
			t.Fatalf("upload: %+v %v", sum, err)
		}
		got := map[string]string{}
		vs, err := fx.rep.Values(ctx, reporter, reporting.ValueQuery{DataSet: "KTXH-XA-NAM", Period: "2024", OrgUnit: "31618"})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			got[v.DataElement+" "+v.CategoryOptionCombo] = v.Value
			if v.DataElement == "CX.DS.03" && v.CategoryOptionCombo == "thanhthi_kinh" && v.Comment != "theo điều tra dân số" {
				t.Errorf("the comment became %q", v.Comment)
			}
		}
		if got["CX.DS.05 "] != "12" || got["CX.CDS.03 "] != "1" || got["CX.CDS.05 "] != "" || len(vs) != len(set.Values) {
			t.Errorf("stored after the upload: %v", got)
		}
		// The same file again changes nothing.
		sum, err = fx.rep.ImportXLSX(ctx, reporter, reporting.ReportKey{Form: "KTXH-XA-NAM", Period: "2024", Unit: "31618"}, data, reporting.XLSXOptions{})
		if err != nil || sum.Imported+sum.Updated+sum.Deleted != 0 {
			t.Fatalf("the same file twice: %+v %v", sum, err)
		}
		// A fresh template carries the new values.
		if v := fx.template(t, reporter, "KTXH-XA-NAM", "2024", "31618").get("CX.CDS.03", "default"); v != "có" {
			t.Errorf("the next template shows %q", v)
		}
	})
}

func TestXLSXErrors(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		reporter := fx.actor("baocao.anthanh", identity.RoleReporter, "31615")
		if _, err := fx.rep.Import(ctx, reporter, yearly("31618", 4000), false); err != nil {
			t.Fatal(err)
		}
		w := fx.template(t, reporter, "KTXH-XA-NAM", "2024", "31618")
		good := w.set("CX.DS.05", "default", 11)
		bad := map[string]string{
			w.set("CX.DS.04", "nam_kinh", "nhiều"): "stats.value_not_number",
			w.set("CX.XH.09", "default", "có lẽ"):  "stats.value_not_yesno",
		}
		// A value in a grey cell: CX.DS.05 has no ethnic breakdown.
		s, c := w.cell("CX.DS.05", "default")
		row := strings.TrimLeft(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
		_, kinh := w.cell("CX.DS.03", "thanhthi_kinh")
		grey := strings.TrimRight(kinh, "0123456789") + row
		if err := w.x.SetCellValue(s, grey, 5); err != nil {
			t.Fatal(err)
		}
		bad["'"+s+"'!"+grey] = "stats.xlsx.not_applicable"
		data := w.bytes()

		check := func(sum *reporting.ImportSummary) {
			t.Helper()
			found := map[string]string{}
			for _, c := range sum.Conflicts {
				found[c.Object] = c.Key
			}
			for ref, key := range bad {
				if found[ref] != key {
					t.Errorf("%s: %q, want %q (conflicts %+v)", ref, found[ref], key, sum.Conflicts)
				}
			}
			if len(sum.Conflicts) != len(bad) {
				t.Errorf("%d conflicts, want %d: %+v", len(sum.Conflicts), len(bad), sum.Conflicts)
			}
		}
		stored := func() string {
			v, err := fx.rep.Value(ctx, reporter, "CX.DS.05", "", "2024", "31618")
			if err != nil {
				t.Fatal(err)
			}
			return v.Value
		}
		// All or nothing: the good cell is not taken either.
		sum, err := fx.rep.ImportXLSX(ctx, reporter, reporting.ReportKey{Form: "KTXH-XA-NAM", Period: "2024", Unit: "31618"}, data, reporting.XLSXOptions{})
		if err != nil {
			t.Fatal(err)
		}
		check(sum)
		if sum.Status != "ERROR" || sum.Applied || stored() != "10" {
			t.Fatalf("a file with wrong cells was applied: %+v, CX.DS.05 = %s", sum, stored())
		}
		// Asked to import the valid part, the good cell is taken.
		sum, err = fx.rep.ImportXLSX(ctx, reporter, reporting.ReportKey{Form: "KTXH-XA-NAM", Period: "2024", Unit: "31618"}, data, reporting.XLSXOptions{ImportValid: true})
		if err != nil {
			t.Fatal(err)
		}
		check(sum)
		if sum.Status != "WARNING" || !sum.Applied || sum.Updated != 1 || stored() != "11" {
			t.Fatalf("import of the valid part (%s): %+v, CX.DS.05 = %s", good, sum, stored())
		}

		// A template of another unit, and files that are no templates.
		other := fx.template(t, reporter, "KTXH-XA-NAM", "2024", "31621").bytes()
		code := func(data []byte) string {
			_, err := fx.rep.ImportXLSX(ctx, reporter, reporting.ReportKey{Form: "KTXH-XA-NAM", Period: "2024", Unit: "31618"}, data, reporting.XLSXOptions{})
			key, _ := egov.ErrorKey(err)
			return egov.ErrorCode(err) + " " + key
		}
		var zipped bytes.Buffer
		zw := zip.NewWriter(&zipped)
		f, _ := zw.Create("hello.txt")
		f.Write([]byte("xin chào"))
		zw.Close()
		plain := excelize.NewFile()
		plain.SetCellValue("Sheet1", "A1", "Dân số")
		var plainBuf bytes.Buffer
		plain.Write(&plainBuf)
		for _, c := range []struct {
			name string
			data []byte
			want string
		}{
			{"another unit's template", other, "invalid stats.xlsx.other_report"},
			{"text", []byte("CX.DS.05;12\n"), "invalid stats.xlsx.not_xlsx"},
			{"an .xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), "invalid stats.xlsx.ole"},
			{"a zip without a workbook", zipped.Bytes(), "invalid stats.xlsx.not_xlsx"},
			{"a workbook that is no template", plainBuf.Bytes(), "invalid stats.xlsx.no_meta"},
			{"a truncated template", data[:len(data)/2], "invalid stats.xlsx.not_xlsx"},
			{"too large", append(append([]byte{}, data...), make([]byte, reporting.MaxXLSXBytes)...), "too_large stats.xlsx.too_large"},
		} {
			if got := code(c.data); got != c.want {
				t.Errorf("%s: %s, want %s", c.name, got, c.want)
			}
		}
		if stored() != "11" {
			t.Errorf("a refused file changed a value")
		}
	})
}

func TestXLSXPermissions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		reporter := fx.actor("baocao.anthanh", identity.RoleReporter, "31615")
		otherReporter := fx.actor("baocao.myphuoc", identity.RoleReporter, "31603")
		leader := fx.actor("lanhdao.anthanh", identity.RoleLeader, "31615")
		data := fx.template(t, reporter, "KTXH-XA-NAM", "2024", "31618").bytes()

		if _, err := fx.rep.XLSXTemplate(ctx, otherReporter, "KTXH-XA-NAM", "2024", "31618", "vi", &bytes.Buffer{}); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Errorf("another commune's reporter downloads: %v", err)
		}
		if _, err := fx.rep.ImportXLSX(ctx, otherReporter, reporting.ReportKey{Form: "KTXH-XA-NAM", Period: "2024", Unit: "31618"}, data, reporting.XLSXOptions{}); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Errorf("another commune's reporter uploads: %v", err)
		}
		// The leader analyses (reads) but does not enter.
		fx.template(t, leader, "KTXH-XA-NAM", "2024", "31618")
		if _, err := fx.rep.ImportXLSX(ctx, leader, reporting.ReportKey{Form: "KTXH-XA-NAM", Period: "2024", Unit: "31618"}, data, reporting.XLSXOptions{}); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Errorf("the leader uploads: %v", err)
		}
		if _, err := fx.rep.ImportXLSX(ctx, nil, reporting.ReportKey{Form: "KTXH-XA-NAM", Period: "2024", Unit: "31618"}, data, reporting.XLSXOptions{}); egov.ErrorCode(err) != egov.EUNAUTHORIZED {
			t.Errorf("nobody uploads: %v", err)
		}
	})
}
