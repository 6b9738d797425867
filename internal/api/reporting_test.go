package api

import (
	"net/http"
	"strings"
	"testing"

	"egov/internal/identity"
)

func TestIndicatorsAndForms(t *testing.T) {
	fx := sqliteFixture(t)
	inds := list(fx.ok("/api/v1/indicators?lang=en"), "indicators")
	if len(inds) != 77 {
		t.Fatalf("%d indicators", len(inds))
	}
	var households, rate map[string]any
	for _, ind := range inds {
		switch ind["code"] {
		case "CX.DS.03":
			households = ind
		case "CX.XH.03":
			rate = ind
		}
	}
	if households["name"] != "Number of households" || households["aggregation"] != "last" || households["value_type"] != "integer" ||
		len(households["categories"].([]any)) != 2 || len(households["combos"].([]any)) != 8 {
		t.Errorf("households: %v", households)
	}
	if c, _ := rate["computed"].(map[string]any); c["numerator"] != "CX.XH.01" || c["denominator"] != "CX.DS.03" || c["factor"] != 100.0 {
		t.Errorf("poverty rate: %v", rate)
	}
	// The yearly form's 2024 and the monthly form's February 2024 (Tết from
	// 8 to 14 February): windows and deadlines per level.
	withPeriod := list(fx.ok("/api/v1/forms?period=202402"), "forms")
	if y := withPeriod[0]; y["period"] != "2024" || y["window_from"] != "2023-12-15" || y["window_to"] != "2024-12-14" ||
		y["levels"].([]any)[0].(map[string]any)["deadline"] != "2024-12-16" {
		t.Errorf("yearly form for 202402: %v", y)
	}
	if m := withPeriod[1]; m["period"] != "202402" || m["window_to"] != "2024-02-14" ||
		m["levels"].([]any)[0].(map[string]any)["deadline"] != "2024-02-15" || m["levels"].([]any)[1].(map[string]any)["deadline"] != "2024-02-19" {
		t.Errorf("monthly form for 202402: %v", m)
	}
	if r := fx.get("/api/v1/forms?period=2024Q1"); r.Status != http.StatusBadRequest {
		t.Errorf("a quarter as period: %d", r.Status)
	}
	forms := list(fx.ok("/api/v1/forms"), "forms")
	if len(forms) != 2 || field(forms, "code") != "KTXH-XA-NAM KTXH-XA-THANG" || forms[0]["period_type"] != "year" ||
		!strings.HasPrefix(forms[0]["name"].(string), "Báo cáo tình hình kinh tế - xã hội cấp xã") {
		t.Errorf("forms: %v", forms)
	}
}

func TestDataValueSets(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		fx.officer("baocao.anthanh", "mat-khau-an-thanh", identity.RoleReporter, "31615")
		reporter := fx.token("baocao.anthanh", "mat-khau-an-thanh")
		payload := `{"dataSet":"KTXH-XA-NAM","period":"2024","orgUnit":"31618","dataValues":[
			{"dataElement":"CX.DS.05","value":"12","comment":"số ấp cuối năm"},
			{"dataElement":"CX.CDS.05","categoryOptionCombo":"default","value":"13"},
			{"dataElement":"CX.DS.03","categoryOptionCombo":"nongthon_khmer","value":"1500"},
			{"dataElement":"CX.XH.01","categoryOptionCombo":"khmer","value":"2000"},
			{"dataElement":"CX.XH.02","categoryOptionCombo":"khmer","value":"abc"}]}`

		if r := fx.do("POST", "/api/v1/dataValueSets", payload); r.Status != http.StatusUnauthorized {
			t.Errorf("without a token: %d", r.Status)
		}
		r := fx.do("POST", "/api/v1/dataValueSets?dryRun=true", payload, reporter...)
		if r.Status != http.StatusOK || r.JSON["imported"] != 4.0 || r.JSON["dryRun"] != true || r.JSON["status"] != "WARNING" {
			t.Fatalf("dry run: %d %s", r.Status, r.Body)
		}
		conflicts := list(r.JSON, "conflicts")
		if len(conflicts) != 1 || conflicts[0]["object"] != "CX.XH.02 khmer 31618 2024" || conflicts[0]["value"] != "Giá trị phải là một số." {
			t.Errorf("conflicts: %v", conflicts)
		}
		viol := list(r.JSON, "violations")
		if len(viol) != 1 || viol[0]["rule"] != "R-4G" || viol[0]["left"] != 13.0 || viol[0]["right"] != 12.0 || viol[0]["orgUnit"] != "31618" {
			t.Errorf("violations: %v", viol)
		}
		get := "/api/v1/dataValueSets?dataSet=KTXH-XA-NAM&period=2024&orgUnit=31618"
		if vs := list(fx.ok(get, reporter...), "dataValues"); len(vs) != 0 {
			t.Fatalf("the dry run stored %v", vs)
		}

		r = fx.do("POST", "/api/v1/dataValueSets?lang=en", payload, reporter...)
		if r.Status != http.StatusOK || r.JSON["imported"] != 4.0 || list(r.JSON, "conflicts")[0]["value"] != "The value must be a number." {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		r = fx.do("POST", "/api/v1/dataValueSets", payload, reporter...)
		if r.JSON["imported"] != 0.0 || r.JSON["updated"] != 0.0 || r.JSON["ignored"] != 5.0 {
			t.Fatalf("the same payload again: %s", r.Body)
		}
		stored := fx.ok(get, reporter...)
		vs := list(stored, "dataValues")
		if len(vs) != 4 || vs[0]["orgUnit"] != "31618" || vs[0]["period"] != "2024" {
			t.Errorf("stored: %v", vs)
		}
		if v := list(stored, "violations"); len(v) != 1 || v[0]["rule"] != "R-4G" || v[0]["name"] != "Ấp, khóm có 4G không vượt quá số ấp, khóm" {
			t.Errorf("the stored values' violations: %v", v)
		}

		// One value, as an officer types it, then read back.
		r = fx.do("POST", "/api/v1/dataValues", `{"dataElement":"CX.XH.01","categoryOptionCombo":"khmer","period":"2024","orgUnit":"31618","value":"150"}`, reporter...)
		if r.Status != http.StatusOK || r.JSON["updated"] != 1.0 || len(list(r.JSON, "violations")) != 1 {
			t.Fatalf("one value: %d %s", r.Status, r.Body)
		}
		one := fx.ok("/api/v1/dataValues?de=CX.XH.01&co=khmer&pe=2024&ou=31618", reporter...)
		if one["value"] != "150" || one["storedBy"] != "baocao.anthanh" || one["period"] != "2024" {
			t.Errorf("one value: %v", one)
		}
		if r := fx.get("/api/v1/dataValues?de=CX.XH.02&co=khmer&pe=2024&ou=31618", reporter...); r.Status != http.StatusNotFound {
			t.Errorf("a missing value: %d", r.Status)
		}

		// The province's statistician reads the commune's values under the
		// old province with children; another commune's reporter may not.
		fx.officer("thongke", "mat-khau-thong-ke", identity.RoleStatistician, "92")
		stat := fx.token("thongke", "mat-khau-thong-ke")
		if vs := list(fx.ok("/api/v1/dataValueSets?period=2024&orgUnit=94&children=true", stat...), "dataValues"); len(vs) != 4 {
			t.Errorf("with children: %d values", len(vs))
		}
		fx.officer("baocao.myphuoc", "mat-khau-my-phuoc", identity.RoleReporter, "31603")
		other := fx.token("baocao.myphuoc", "mat-khau-my-phuoc")
		if r := fx.get(get, other...); r.Status != http.StatusForbidden {
			t.Errorf("another commune's reporter: %d", r.Status)
		}
		r = fx.do("POST", "/api/v1/dataValueSets", payload, other...)
		if r.Status != http.StatusOK || r.JSON["status"] != "ERROR" || len(list(r.JSON, "conflicts")) != 5 {
			t.Errorf("another commune's reporter imports: %s", r.Body)
		}
		for _, bad := range []string{
			"/api/v1/dataValueSets?period=2024",
			"/api/v1/dataValueSets?period=2024X&orgUnit=31618",
			"/api/v1/dataValueSets?period=2024&orgUnit=31618&children=yes",
			"/api/v1/dataValueSets?period=2024&orgUnit=31618&dataSet=NOPE",
		} {
			if r := fx.get(bad, reporter...); r.Status != http.StatusBadRequest {
				t.Errorf("%s: %d", bad, r.Status)
			}
		}
		if r := fx.do("POST", "/api/v1/dataValueSets?dryRun=maybe", payload, reporter...); r.Status != http.StatusBadRequest {
			t.Errorf("dryRun=maybe: %d", r.Status)
		}
	})
}

func TestAnalyticsAPI(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		fx.officer("baocao.anthanh", "mat-khau-an-thanh", identity.RoleReporter, "31615")
		reporter := fx.token("baocao.anthanh", "mat-khau-an-thanh")
		for _, c := range []struct{ unit, households, poor string }{{"31618", "1000", "100"}, {"31621", "3000", "30"}} {
			r := fx.do("POST", "/api/v1/dataValueSets", `{"dataSet":"KTXH-XA-NAM","period":"2024","orgUnit":"`+c.unit+`","dataValues":[
				{"dataElement":"CX.DS.03","categoryOptionCombo":"nongthon_kinh","value":"`+c.households+`"},
				{"dataElement":"CX.XH.01","categoryOptionCombo":"kinh","value":"`+c.poor+`"}]}`, reporter...)
			if r.Status != http.StatusOK || r.JSON["imported"] != 2.0 {
				t.Fatalf("import: %s", r.Body)
			}
		}
		fx.officer("thongke", "mat-khau-thong-ke", identity.RoleStatistician, "92")
		stat := fx.token("thongke", "mat-khau-thong-ke")

		// The old district in the structure of 2024, its communes by level.
		a := fx.ok("/api/v1/analytics?dx=CX.XH.03;CX.DS.03&pe=2024&ou=945;LEVEL-3&at=2024-12-31", stat...)
		rows := a["rows"].([]any)
		want := [][]any{
			{"CX.XH.03", "2024", "31618", "10.0"}, {"CX.XH.03", "2024", "31621", "1.0"},
			{"CX.DS.03", "2024", "31618", "1000.0"}, {"CX.DS.03", "2024", "31621", "3000.0"},
		}
		if len(rows) != len(want) {
			t.Fatalf("rows: %v", rows)
		}
		for i, w := range want {
			for j := range w {
				if rows[i].([]any)[j] != w[j] {
					t.Errorf("row %d: %v, want %v", i, rows[i], w)
				}
			}
		}
		// Today: the city, where the rate is the poor over the households.
		a = fx.ok("/api/v1/analytics?dx=CX.XH.03&pe=2024&ou=92", stat...)
		if rows := a["rows"].([]any); len(rows) != 1 || rows[0].([]any)[3] != "3.25" || rows[0].([]any)[2] != "92" {
			t.Errorf("the city: %v", rows)
		}
		if items := a["metaData"].(map[string]any)["items"].(map[string]any); items["92"] == nil || items["CX.XH.03"] == nil {
			t.Errorf("metaData: %v", items)
		}
		csv := fx.get("/api/v1/analytics.csv?dx=CX.XH.03&pe=2024&ou=92", stat...)
		if csv.Status != http.StatusOK || csv.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			string(csv.Body) != "\uFEFFdx,dx_name,pe,ou,ou_name,value\nCX.XH.03,Tỷ lệ hộ nghèo,2024,92,Thành phố Cần Thơ,3.25\n" {
			t.Errorf("CSV: %d %q", csv.Status, csv.Body)
		}
		if r := fx.get("/api/v1/analytics?dx=CX.XH.03&pe=2024&ou=92", reporter...); r.Status != http.StatusForbidden {
			t.Errorf("a reporter analyses: %d", r.Status)
		}
		for _, bad := range []string{"dx=CX.XH.03&pe=2024", "dx=CX.XH.03&pe=2024&ou=945", "dx=CX.XH.03&pe=20244&ou=92", "dx=X&pe=2024&ou=92",
			"dx=CX.XH.03&pe=2024&ou=92&at=2024-13-01"} {
			if r := fx.get("/api/v1/analytics?"+bad, stat...); r.Status != http.StatusBadRequest {
				t.Errorf("%s: %d %s", bad, r.Status, r.Body)
			}
		}
	})
}

func TestApprovalsAPI(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		fx.officer("baocao.anthanh", "mat-khau-an-thanh", identity.RoleReporter, "31615")
		reporter := fx.token("baocao.anthanh", "mat-khau-an-thanh")
		fx.officer("lanhdao.anthanh", "mat-khau-lanh-dao", identity.RoleLeader, "31615")
		leader := fx.token("lanhdao.anthanh", "mat-khau-lanh-dao")
		fx.officer("thongke", "mat-khau-thong-ke", identity.RoleStatistician, "92")
		stat := fx.token("thongke", "mat-khau-thong-ke")
		value := func(v string) *response {
			return fx.do("POST", "/api/v1/dataValues", `{"dataElement":"CX.DS.05","period":"2024","orgUnit":"31618","value":"`+v+`"}`, reporter...)
		}
		if r := value("12"); r.JSON["imported"] != 1.0 {
			t.Fatalf("value: %s", r.Body)
		}
		report := `{"form":"KTXH-XA-NAM","period":"2024","unit":"31618"}`
		if r := fx.do("POST", "/api/v1/approvals/approve", report, reporter...); r.Status != http.StatusForbidden {
			t.Errorf("the reporter approves: %d", r.Status)
		}
		// The leader approving a report nobody submitted takes the
		// submission's step, and its check: the report must be complete.
		r := fx.do("POST", "/api/v1/approvals/approve", report, leader...)
		if msg, _ := r.JSON["error"].(map[string]any)["message"].(string); r.Status != http.StatusConflict || !strings.Contains(msg, "CX.DS.03") {
			t.Fatalf("approving an incomplete report: %d %s", r.Status, r.Body)
		}
		if r := fx.do("POST", "/api/v1/dataValueSets", completeYearly, reporter...); r.Status != http.StatusOK || r.JSON["status"] != "SUCCESS" {
			t.Fatalf("the values: %d %s", r.Status, r.Body)
		}
		r = fx.do("POST", "/api/v1/approvals/approve", report, leader...)
		if r.Status != http.StatusOK || r.JSON["status"] != "approved" || r.JSON["unit_name"] != "Xã An Thạnh 1" {
			t.Fatalf("approve: %d %s", r.Status, r.Body)
		}
		if r := value("13"); r.JSON["status"] != "ERROR" || list(r.JSON, "conflicts")[0]["value"] != "Báo cáo của đơn vị cho kỳ này đã được gửi hoặc phê duyệt; số liệu bị khóa." {
			t.Errorf("a value into the approved report: %s", r.Body)
		}
		if r := fx.do("POST", "/api/v1/approvals/approve", report, leader...); r.Status != http.StatusConflict {
			t.Errorf("approving twice: %d", r.Status)
		}
		r = fx.do("POST", "/api/v1/approvals/return", `{"form":"KTXH-XA-NAM","period":"2024","unit":"31618","reason":"Số ấp chưa đúng"}`, stat...)
		if r.Status != http.StatusOK || r.JSON["status"] != "returned" || r.JSON["reason"] != "Số ấp chưa đúng" {
			t.Fatalf("return: %d %s", r.Status, r.Body)
		}
		if r := value("13"); r.JSON["updated"] != 1.0 {
			t.Errorf("a value into the returned report: %s", r.Body)
		}
		fx.do("POST", "/api/v1/approvals/approve", report, leader...)
		if r := fx.do("POST", "/api/v1/approvals/accept", report, stat...); r.Status != http.StatusOK || r.JSON["status"] != "accepted" {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		aps := list(fx.ok("/api/v1/approvals?form=KTXH-XA-NAM&period=2024&unit=945", stat...), "approvals")
		if len(aps) < 2 || aps[0]["unit"] != "945" || aps[0]["status"] != "open" {
			t.Fatalf("approvals: %v", aps)
		}
		for _, ap := range aps {
			if want := map[bool]string{true: "accepted", false: "open"}[ap["unit"] == "31618"]; ap["status"] != want {
				t.Errorf("%v: %v, want %s", ap["unit"], ap["status"], want)
			}
		}
		for _, bad := range []struct{ action, body string }{
			{"sign", report},
			{"approve", `{"form":"KTXH-XA-NAM","period":"2024"}`},
			{"approve", `{"form":"NOPE","period":"2024","unit":"31618"}`},
			{"return", report},
		} {
			if r := fx.do("POST", "/api/v1/approvals/"+bad.action, bad.body, stat...); r.Status != http.StatusBadRequest {
				t.Errorf("%s %s: %d %s", bad.action, bad.body, r.Status, r.Body)
			}
		}
	})
}

func TestSubmitAndCompletenessAPI(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		fx.officer("baocao.anthanh", "mat-khau-an-thanh", identity.RoleReporter, "31615")
		reporter := fx.token("baocao.anthanh", "mat-khau-an-thanh")
		fx.officer("thongke", "mat-khau-thong-ke", identity.RoleStatistician, "92")
		stat := fx.token("thongke", "mat-khau-thong-ke")
		report := `{"form":"KTXH-XA-NAM","period":"2024","unit":"31618"}`
		fx.do("POST", "/api/v1/dataValues", `{"dataElement":"CX.DS.05","period":"2024","orgUnit":"31618","value":"12"}`, reporter...)
		r := fx.do("POST", "/api/v1/approvals/submit", report, reporter...)
		if msg, _ := r.JSON["error"].(map[string]any)["message"].(string); r.Status != http.StatusConflict || !strings.Contains(msg, "CX.DS.03") {
			t.Fatalf("submitting an incomplete report: %d %s", r.Status, r.Body)
		}
		// Complete it.
		r = fx.do("POST", "/api/v1/dataValueSets", completeYearly, reporter...)
		if r.Status != http.StatusOK || r.JSON["status"] != "SUCCESS" {
			t.Fatalf("the values: %d %s", r.Status, r.Body)
		}
		r = fx.do("POST", "/api/v1/approvals/submit", report, reporter...)
		if r.Status != http.StatusOK || r.JSON["status"] != "submitted" || r.JSON["submitted_at"] == nil {
			t.Fatalf("submit: %d %s", r.Status, r.Body)
		}
		c := fx.ok("/api/v1/completeness?form=KTXH-XA-NAM&period=2024&unit=945", stat...)
		if c["level"] != 3.0 || c["submitted"] != 1.0 || c["expected"].(float64) < 5 || c["deadline"] == "" {
			t.Fatalf("completeness: %v", c)
		}
		for _, u := range list(c, "units") {
			if (u["unit"] == "31618") != (u["status"] == "submitted") {
				t.Errorf("%v: %v", u["unit"], u["status"])
			}
		}
		if r := fx.do("GET", "/api/v1/completeness?form=KTXH-XA-NAM&period=2024&unit=945", "", reporter...); r.Status != http.StatusForbidden {
			t.Errorf("a commune reporter reads the district's completeness: %d", r.Status)
		}
		if r := fx.do("GET", "/api/v1/completeness?form=KTXH-XA-NAM&period=2024&unit=945&level=x", "", stat...); r.Status != http.StatusBadRequest {
			t.Errorf("a bad level: %d", r.Status)
		}
	})
}

func TestTargetsAPI(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		fx.officer("thongke", "mat-khau-thong-ke", identity.RoleStatistician, "92")
		stat := fx.token("thongke", "mat-khau-thong-ke")
		fx.officer("baocao.anthanh", "mat-khau-an-thanh", identity.RoleReporter, "31615")
		reporter := fx.token("baocao.anthanh", "mat-khau-an-thanh")
		target := `{"indicator":"CX.CDS.02","period":"2025","unit":"31615","target":80,"on_track":1,"at_risk":0.9,"lower_is_better":false}`
		if r := fx.do("POST", "/api/v1/targets", target, reporter...); r.Status != http.StatusForbidden {
			t.Errorf("a reporter sets a target: %d", r.Status)
		}
		if r := fx.do("POST", "/api/v1/targets", target, stat...); r.Status != http.StatusOK || r.JSON["target"] != 80.0 {
			t.Fatalf("set: %d %s", r.Status, r.Body)
		}
		if r := fx.do("POST", "/api/v1/targets", `{"indicator":"CX.CDS.02","period":"2025","unit":"31615","target":80,"on_track":0.5,"at_risk":0.9}`, stat...); r.Status != http.StatusBadRequest {
			t.Errorf("at risk above on track: %d", r.Status)
		}
		get := "/api/v1/targets?dx=CX.CDS.02;CX.CDS.11&pe=2025&ou=31615;31603"
		ts := list(fx.ok(get, stat...), "targets")
		if len(ts) != 1 || ts[0]["unit"] != "31615" || ts[0]["actual"] != nil || ts[0]["status"] != nil {
			t.Fatalf("without data: %v", ts)
		}
		r := fx.do("POST", "/api/v1/dataValueSets", `{"dataSet":"KTXH-XA-NAM","period":"2025","orgUnit":"31615","dataValues":[
			{"dataElement":"CX.DS.03","categoryOptionCombo":"nongthon_kinh","value":"1000"},
			{"dataElement":"CX.CDS.01","categoryOptionCombo":"nongthon","value":"750"}]}`, reporter...)
		if r.JSON["imported"] != 2.0 {
			t.Fatalf("import: %s", r.Body)
		}
		ts = list(fx.ok(get, stat...), "targets")
		if len(ts) != 1 || ts[0]["actual"] != 75.0 || ts[0]["status"] != "at_risk" {
			t.Fatalf("with data: %v", ts)
		}
	})
}

// completeYearly is commune 31618's 2024 yearly report, whole and valid
// (CX.DS.05 aside, which the tests enter one by one).
var completeYearly = func() string {
	set := `{"dataSet":"KTXH-XA-NAM","period":"2024","orgUnit":"31618","dataValues":[`
	for i, v := range [][3]string{
		{"CX.DS.03", "thanhthi_kinh", "1000"}, {"CX.DS.04", "nam_kinh", "2000"}, {"CX.XH.01", "kinh", "10"}, {"CX.XH.02", "kinh", "10"},
		{"CX.XH.09", "", "1"}, {"CX.CDS.01", "thanhthi", "10"}, {"CX.CDS.03", "", "1"}, {"CX.CDS.05", "", "5"}, {"CX.CDS.06", "", "1"},
		{"CX.CDS.08", "nam_kinh", "10"}, {"CX.CDS.10", "nam_kinh", "10"}, {"CX.CDS.14", "nam", "20"}, {"CX.CDS.15", "nam", "10"},
	} {
		if i > 0 {
			set += ","
		}
		set += `{"dataElement":"` + v[0] + `","categoryOptionCombo":"` + v[1] + `","value":"` + v[2] + `"}`
	}
	return set + `]}`
}()
