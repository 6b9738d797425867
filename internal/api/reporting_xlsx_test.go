package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/reporting/reportingtest"
)

func TestDataValueSetsXLSX(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		fx.officer("baocao.anthanh", "mat-khau-an-thanh", identity.RoleReporter, "31615")
		fx.officer("thongke.tp", "mat-khau-thong-ke", identity.RoleStatistician, "92")
		reporter := fx.token("baocao.anthanh", "mat-khau-an-thanh")
		stat := fx.token("thongke.tp", "mat-khau-thong-ke")
		payload := `{"dataSet":"KTXH-XA-NAM","period":"2024","orgUnit":"31618","dataValues":[{"dataElement":"CX.DS.05","value":"12"}]}`
		if r := fx.do("POST", "/api/v1/dataValueSets", payload, reporter...); r.Status != http.StatusOK {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		if r := fx.get("/api/v1/dataValueSets.xlsx?dataSet=KTXH-XA-NAM&period=2024&orgUnit=31618"); r.Status != http.StatusUnauthorized {
			t.Errorf("template without a token: %d", r.Status)
		}
		r := fx.get("/api/v1/dataValueSets.xlsx?dataSet=KTXH-XA-NAM&period=2024&orgUnit=31618", reporter...)
		if r.Status != http.StatusOK || r.Header.Get("Content-Disposition") != `attachment; filename="KTXH-XA-NAM_2024_31618.xlsx"` {
			t.Fatalf("template: %d %v", r.Status, r.Header)
		}
		template := r.Body
		upload := func(query string, data []byte, who []string) *response {
			t.Helper()
			return fx.do("POST", "/api/v1/dataValueSets.xlsx"+query, string(data), append([]string{"Content-Type", xlsxType}, who...)...)
		}

		// A wrong cell: nothing stored, the cell named.
		data := reportingtest.Fill(t, template, map[[2]string]any{{"CX.DS.05", "default"}: 14, {"CX.CDS.05", "default"}: "chín"})
		r = upload("", data, reporter)
		if r.Status != http.StatusOK || r.JSON["status"] != "ERROR" || r.JSON["applied"] != false {
			t.Fatalf("a wrong cell: %d %s", r.Status, r.Body)
		}
		conflicts := r.JSON["conflicts"].([]any)
		if len(conflicts) != 1 || !strings.HasPrefix(conflicts[0].(map[string]any)["object"].(string), "'Hạ tầng số, xã hội số'!") {
			t.Errorf("conflicts: %v", conflicts)
		}
		if v := fx.ok("/api/v1/dataValues?de=CX.DS.05&pe=2024&ou=31618", reporter...)["value"]; v != "12" {
			t.Errorf("after a refused upload CX.DS.05 = %v", v)
		}
		// The valid part, asked for.
		r = upload("?importValid=true&dataSet=KTXH-XA-NAM", data, reporter)
		if r.Status != http.StatusOK || r.JSON["status"] != "WARNING" || r.JSON["applied"] != true || r.JSON["updated"] != 1.0 ||
			r.JSON["orgUnit"] != "31618" {
			t.Fatalf("the valid part: %d %s", r.Status, r.Body)
		}
		if v := fx.ok("/api/v1/dataValues?de=CX.DS.05&pe=2024&ou=31618", reporter...)["value"]; v != "14" {
			t.Errorf("after the valid part CX.DS.05 = %v", v)
		}
		// Another report than asked for, files that are no workbooks, a
		// body too large.
		for _, c := range []struct {
			query string
			data  []byte
			want  int
		}{
			{"?orgUnit=31621", data, http.StatusBadRequest},
			{"", []byte("dataElement,value\nCX.DS.05,12\n"), http.StatusBadRequest},
			{"", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, http.StatusBadRequest},
			{"", make([]byte, reporting.MaxXLSXBytes+1), http.StatusRequestEntityTooLarge},
			{"?importValid=maybe", data, http.StatusBadRequest},
		} {
			if r := upload(c.query, c.data, reporter); r.Status != c.want {
				t.Errorf("%s %.20q: %d %s, want %d", c.query, c.data, r.Status, r.Body, c.want)
			}
		}

		// Entry closes ten days after the deadline (16 December 2024):
		// in March 2026 the 2024 report is closed until the level above
		// reopens it.
		if err := fx.app.Reporting.SetCloseDays(context.Background(), identity.SystemActor, "KTXH-XA-NAM", reporting.DefaultCloseDays); err != nil {
			t.Fatal(err)
		}
		fx.app.Reporting.Now = func() time.Time { return testNow }
		if r := upload("", data, reporter); r.Status != http.StatusConflict {
			t.Errorf("upload to a closed report: %d %s", r.Status, r.Body)
		}
		reopen := `{"form":"KTXH-XA-NAM","period":"2024","unit":"31618","until":"2026-03-06","reason":"Bổ sung số liệu rà soát"}`
		if r := fx.do("POST", "/api/v1/reopenings", reopen, reporter...); r.Status != http.StatusForbidden {
			t.Errorf("the reporter reopens: %d %s", r.Status, r.Body)
		}
		if r := fx.do("POST", "/api/v1/reopenings", strings.Replace(reopen, "2026-03-06", "06/03/2026", 1), stat...); r.Status != http.StatusBadRequest {
			t.Errorf("a date in another format: %d %s", r.Status, r.Body)
		}
		r = fx.do("POST", "/api/v1/reopenings", reopen, stat...)
		if r.Status != http.StatusOK || r.JSON["until"] != "2026-03-06" || r.JSON["by"] != "thongke.tp" {
			t.Fatalf("reopen: %d %s", r.Status, r.Body)
		}
		if r := upload("?importValid=true", data, reporter); r.Status != http.StatusOK || r.JSON["applied"] != true {
			t.Errorf("upload to a reopened report: %d %s", r.Status, r.Body)
		}
	})
}

func TestDataValueSetsCSV(t *testing.T) {
	fx := sqliteFixture(t)
	fx.officer("baocao.anthanh", "mat-khau-an-thanh", identity.RoleReporter, "31615")
	reporter := fx.token("baocao.anthanh", "mat-khau-an-thanh")
	post := func(query, body string) *response {
		t.Helper()
		return fx.do("POST", "/api/v1/dataValueSets.csv"+query, body, append([]string{"Content-Type", "text/csv"}, reporter...)...)
	}
	body := "dataelement,period,orgunit,value\nCX.DS.05,2024,31618,12\nCX.DS.04,2024,31618,nhiều\n"
	r := post("", body)
	if r.Status != http.StatusOK || r.JSON["status"] != "ERROR" || r.JSON["applied"] != false ||
		r.JSON["conflicts"].([]any)[0].(map[string]any)["object"] != "dòng 3" {
		t.Fatalf("a wrong line: %d %s", r.Status, r.Body)
	}
	if r := post("?importValid=true", body); r.Status != http.StatusOK || r.JSON["imported"] != 1.0 || r.JSON["applied"] != true {
		t.Fatalf("the valid part: %d %s", r.Status, r.Body)
	}
	if r := post("", "a,b\n"); r.Status != http.StatusBadRequest {
		t.Errorf("unknown columns: %d %s", r.Status, r.Body)
	}
	if r := fx.do("POST", "/api/v1/dataValueSets.csv", body, "Content-Type", "text/csv"); r.Status != http.StatusUnauthorized {
		t.Errorf("without a token: %d", r.Status)
	}
}
