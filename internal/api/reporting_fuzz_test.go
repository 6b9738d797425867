package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"egov/internal/identity"
	"egov/internal/reporting"
)

// FuzzStatistics throws arbitrary data value sets (dry runs) and analytics
// query strings at the statistics API as the city's statistician: no input
// may get a 5xx, a failure has the error shape, an import summary accounts
// for every value it was given, and a dry run stores nothing.
func FuzzStatistics(f *testing.F) {
	for _, s := range []struct {
		analytics bool
		text      string
	}{
		{false, `{"dataSet":"KTXH-XA-NAM","period":"2024","orgUnit":"31618","dataValues":[{"dataElement":"CX.DS.05","value":"12"}]}`},
		{false, `{"dataValues":[{"dataElement":"CX.DS.03","categoryOptionCombo":"nongthon_kinh","period":"2024Q1","orgUnit":"31615","value":"1e308","comment":""}]}`},
		{false, `{"dataValues":[{"dataElement":"CX.CDS.03","period":"202401","orgUnit":"92","value":"có"},{"dataElement":"CX.CDS.03","period":"202401","orgUnit":"92","value":""}]}`},
		{false, `{"dataSet":"KTXH-XA-THANG","period":"2024N9","dataValues":[{"dataElement":"CX.NN.01","categoryOptionCombo":"hethu","value":"-0"}]}`},
		{false, `{"dataValues":null}`},
		{false, `{"dataValues":[{"dataElement":"CX.DS.05","period":"2024","orgUnit":"31618","value":"","comment":"xóa"}]}`},
		{false, `[]`},
		{true, "dx=CX.XH.03;CX.DS.03&pe=2024;2025Q1&ou=92;LEVEL-3"},
		{true, "dx=CX.NN.01&pe=2024N9&ou=94;CHILDREN&at=2024-12-31"},
		{true, "dx=;;&pe=;&ou=LEVEL-99"},
		{true, "dx=CX.XH.03&pe=2024&ou=92;LEVEL-3;LEVEL-2;CHILDREN&at=0001-01-01"},
	} {
		f.Add(s.analytics, s.text)
	}
	fx := sqliteFixture(f)
	fx.officer("thongke", "mat-khau-thong-ke", identity.RoleStatistician, "92")
	bearer := fx.token("thongke", "mat-khau-thong-ke")
	// Something a dry run could wrongly change or delete.
	set := reporting.ValueSet{DataSet: "KTXH-XA-NAM", Period: "2024", OrgUnit: "31618", Values: []reporting.ValueIn{
		{DataElement: "CX.DS.05", Value: "12"}, {DataElement: "CX.DS.03", CategoryOptionCombo: "nongthon_kinh", Value: "900"}}}
	if _, err := fx.app.Reporting.Import(context.Background(), identity.SystemActor, set, false); err != nil {
		f.Fatal(err)
	}
	stored := func() string {
		var n, size int64
		if err := fx.app.DB.QueryRowContext(context.Background(), `SELECT COUNT(*), COALESCE(SUM(LENGTH(value) + LENGTH(comment)), 0) FROM stat_values`).Scan(&n, &size); err != nil {
			f.Fatal(err)
		}
		return fmt.Sprint(n, size)
	}
	f.Fuzz(func(t *testing.T, analytics bool, text string) {
		before := stored()
		defer func() {
			if after := stored(); after != before {
				t.Fatalf("%q: a dry run changed the stored values (%s → %s)", text, before, after)
			}
		}()
		req := httptest.NewRequest("POST", "/api/v1/dataValueSets?dryRun=true", strings.NewReader(text))
		if analytics {
			req = httptest.NewRequest("GET", "/api/v1/analytics", nil)
			req.URL.RawQuery = text
		}
		req.Header.Set(bearer[0], bearer[1])
		rec := httptest.NewRecorder()
		fx.mux.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%q: %d %s", text, rec.Code, rec.Body)
		}
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%q: %d, not JSON: %s", text, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			if e, _ := body["error"].(map[string]any); e == nil || e["message"] == "" {
				t.Fatalf("%q: %d without the error shape: %s", text, rec.Code, rec.Body)
			}
			return
		}
		if analytics {
			return
		}
		var in struct {
			DataValues []json.RawMessage `json:"dataValues"`
		}
		json.Unmarshal([]byte(text), &in)
		n := body["imported"].(float64) + body["updated"].(float64) + body["deleted"].(float64) + body["ignored"].(float64)
		if int(n) != len(in.DataValues) || len(body["conflicts"].([]any)) > int(body["ignored"].(float64)) {
			t.Fatalf("%q: the summary does not account for %d values: %s", text, len(in.DataValues), rec.Body)
		}
	})
}
