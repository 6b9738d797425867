package reporting_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"egov"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

func TestImportCSV(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		reporter := fx.actor("baocao.anthanh", identity.RoleReporter, "31615")
		stored := func(de, co string) string {
			v, err := fx.rep.Value(ctx, reporter, de, co, "2024", "31618")
			if egov.ErrorCode(err) == egov.ENOTFOUND {
				return ""
			}
			if err != nil {
				t.Fatal(err)
			}
			return v.Value
		}
		// DHIS2's columns, in its order, with a byte-order mark.
		good := "\uFEFFdataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup\n" +
			"CX.DS.05,2024,31618,,,10,,,,false\n" +
			"CX.DS.03,2024,31618,nongthon_kinh,,900,,,\"theo rà soát, cuối năm\",false\n"
		sum, err := fx.rep.ImportCSV(ctx, reporter, []byte(good), false, false)
		if err != nil || !sum.Applied || sum.Imported != 2 || sum.Status != "SUCCESS" {
			t.Fatalf("import: %+v %v", sum, err)
		}
		if sum, err = fx.rep.ImportCSV(ctx, reporter, []byte(good), false, false); err != nil || sum.Imported+sum.Updated != 0 {
			t.Fatalf("the same file twice: %+v %v", sum, err)
		}
		// Columns in another order; a wrong value and a short line, named
		// by line: nothing stored, unless asked.
		bad := "value,orgunit,period,dataelement\n11,31618,2024,CX.DS.05\nnhiều,31618,2024,CX.DS.04\n12,31618\n"
		sum, err = fx.rep.ImportCSV(ctx, reporter, []byte(bad), false, false)
		if err != nil || sum.Applied || sum.Status != "ERROR" || len(sum.Conflicts) != 2 {
			t.Fatalf("a file with wrong lines: %+v %v", sum, err)
		}
		got := map[string]string{}
		for _, c := range sum.Conflicts {
			got[c.Object] = c.Key
		}
		if got["dòng 3"] != "stats.bad_combo" && got["dòng 3"] != "stats.value_not_number" || got["dòng 4"] != "stats.csv.field_count" {
			t.Errorf("conflicts %+v", sum.Conflicts)
		}
		if stored("CX.DS.05", "") != "10" {
			t.Fatalf("a refused file stored CX.DS.05 = %s", stored("CX.DS.05", ""))
		}
		if sum, err = fx.rep.ImportCSV(ctx, reporter, []byte(bad), false, true); err != nil || !sum.Applied || sum.Updated != 1 || stored("CX.DS.05", "") != "11" {
			t.Fatalf("the valid part: %+v %v", sum, err)
		}
		for _, c := range []struct{ name, data, key string }{
			{"no header", "", "stats.csv.no_header"},
			{"an unknown column", "dataelement,period,orgunit,value,donvi\n", "stats.csv.unknown_column"},
			{"a missing column", "dataelement,period,value\n", "stats.csv.missing_column"},
			{"binary", "PK\x03\x04\x00\x00", "stats.csv.not_text"},
			{"too large", strings.Repeat("x", reporting.MaxCSVBytes+1), "stats.csv.too_large"},
		} {
			_, err := fx.rep.ImportCSV(ctx, reporter, []byte(c.data), false, false)
			if key, _ := egov.ErrorKey(err); key != c.key {
				t.Errorf("%s: %v, want %s", c.name, err, c.key)
			}
		}
		if _, err := fx.rep.ImportCSV(ctx, fx.actor("lanhdao", identity.RoleLeader, "31615"), []byte(good), false, false); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Errorf("a leader imports: %v", err)
		}
	})
}

// FuzzImportCSV imports arbitrary CSV, all or nothing, as a commune's
// reporter: no input may panic or fail internally, a summary with a
// conflict stored nothing, and every line is accounted for.
func FuzzImportCSV(f *testing.F) {
	for _, s := range []string{
		"dataelement,period,orgunit,categoryoptioncombo,value,comment\nCX.DS.05,2024,31618,,12,\nCX.DS.03,2024,31618,nongthon_kinh,900,\"a, b\"\n",
		"value,orgunit,period,dataelement\n11,31618,2024,CX.DS.05\n,31618,2024,CX.CDS.03\n",
		"dataelement,period,orgunit,value\nCX.DS.05,2024,31618,\"12\nCX.DS.04,2024,31618,1\n",
		"\uFEFFdataelement,period,orgunit,value\nCX.XH.03,2024,31618,1e308\nCX.DS.05,202401,31603,1\n",
		"dataelement;period;orgunit;value\n",
	} {
		f.Add(s)
	}
	fx := newFixture(f, storetest.SQLite(f))
	ctx := context.Background()
	reporter := fx.actor("baocao.anthanh", identity.RoleReporter, "31615")
	if _, err := fx.rep.Import(ctx, reporter, yearly("31618", 4000), false); err != nil {
		f.Fatal(err)
	}
	fingerprint := func() string {
		var n, size int64
		var sum float64
		err := fx.app.DB.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(LENGTH(value) + LENGTH(comment)), 0), COALESCE(SUM(num), 0) FROM stat_values`).Scan(&n, &size, &sum)
		if err != nil {
			f.Fatal(err)
		}
		return fmt.Sprint(n, size, sum)
	}
	f.Fuzz(func(t *testing.T, text string) {
		before := fingerprint()
		sum, err := fx.rep.ImportCSV(ctx, reporter, []byte(text), false, false)
		after := fingerprint()
		if err != nil {
			if c := egov.ErrorCode(err); c == egov.EINTERNAL || c == "" {
				t.Fatalf("%q: internal error: %v", text, err)
			}
			if before != after {
				t.Fatalf("%q: a refused file changed values", text)
			}
			return
		}
		if len(sum.Conflicts) > 0 && (sum.Applied || before != after) {
			t.Fatalf("%q: a file with problems was applied: %+v", text, sum)
		}
		if n := sum.Imported + sum.Updated + sum.Deleted + sum.Ignored; n < len(sum.Conflicts) {
			t.Fatalf("%q: the summary does not account for its conflicts: %+v", text, sum)
		}
	})
}
