package api

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"egov/internal/identity"
)

// FuzzStatistics throws arbitrary data value sets (dry runs) and analytics
// query strings at the statistics API as the city's statistician: no input
// may get a 5xx, a failure has the error shape, and an import summary
// accounts for every value it was given.
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
	f.Fuzz(func(t *testing.T, analytics bool, text string) {
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
