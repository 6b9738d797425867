package api

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"egov/internal/identity"
)

// The master-data API: an administrator registers organisations and their
// operators; an operator manages its own organisation's places, products,
// lots and certificates, and not another's.
func TestTraceMasterData(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		fx.officer("quantri", "mat-khau-dai", identity.RoleAdmin, "")
		fx.officer("htx.op", "mat-khau-dai", identity.RoleTraceOperator, "31726")
		fx.officer("xay.op", "mat-khau-dai", identity.RoleTraceOperator, "31726")
		admin, htx, xay := fx.token("quantri", "mat-khau-dai"), fx.token("htx.op", "mat-khau-dai"), fx.token("xay.op", "mat-khau-dai")

		// An operator of no organisation is refused, and may not register one.
		if r := fx.get("/api/v1/trace/products", htx...); r.Status != http.StatusForbidden {
			t.Fatalf("an operator of no organisation lists products: %d", r.Status)
		}
		if r := fx.do("POST", "/api/v1/trace/organisations", `{"code":"HTX-GH","kind":"cooperative","name":"HTX Gia Hòa","unit":"31726"}`, htx...); r.Status != http.StatusForbidden {
			t.Fatalf("an operator registers an organisation: %d", r.Status)
		}
		r := fx.do("POST", "/api/v1/trace/organisations", `{"code":"HTX-GH","kind":"cooperative","name":"HTX  Gia Hòa","unit":"31726"}`, admin...)
		if r.Status != http.StatusCreated || r.JSON["name"] != "HTX Gia Hòa" || r.JSON["unit"] != "31726" ||
			!strings.HasSuffix(r.JSON["identifier"].(string), "/HTX-GH") {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		if r := fx.do("POST", "/api/v1/trace/organisations", `{"code":"HTX-GH","kind":"cooperative","name":"Trùng","unit":"31726"}`, admin...); r.Status != http.StatusConflict {
			t.Fatalf("a second organisation with the code: %d", r.Status)
		}
		if r := fx.do("POST", "/api/v1/trace/organisations", `{"code":"NM-MX","kind":"mill","name":"Nhà máy Mỹ Xuyên","unit":"31726","gln":"8930000000019"}`, admin...); r.Status != http.StatusCreated ||
			r.JSON["identifier"] != "https://id.gs1.org/417/8930000000019" {
			t.Fatalf("create with a GLN: %d %s", r.Status, r.Body)
		}
		for _, m := range []struct{ org, user string }{{"HTX-GH", "htx.op"}, {"NM-MX", "xay.op"}} {
			if r := fx.do("POST", "/api/v1/trace/organisations/"+m.org+"/members", `{"username":"`+m.user+`"}`, admin...); r.Status != http.StatusNoContent {
				t.Fatalf("member: %d %s", r.Status, r.Body)
			}
		}
		if r := fx.do("POST", "/api/v1/trace/organisations/HTX-GH/members", `{"username":"xay.op"}`, htx...); r.Status != http.StatusForbidden {
			t.Fatalf("an operator adds a member: %d", r.Status)
		}

		// The cooperative's field, product, lot and certificate.
		r = fx.do("POST", "/api/v1/trace/locations", `{"kind":"field","ref":"RUONG-7","name":"Ruộng 7","latitude":9.47,"longitude":105.89,"area_m2":12000}`, htx...)
		if r.Status != http.StatusCreated {
			t.Fatalf("location: %d %s", r.Status, r.Body)
		}
		field := strconv.Itoa(int(r.JSON["id"].(float64)))
		if r := fx.do("POST", "/api/v1/trace/locations", `{"kind":"field","ref":"R8","name":"Ruộng 8","latitude":95,"longitude":105}`, htx...); r.Status != http.StatusBadRequest || r.JSON["error"].(map[string]any)["field"] != "latitude" {
			t.Fatalf("a latitude out of range: %d %s", r.Status, r.Body)
		}
		if r := fx.do("POST", "/api/v1/trace/locations?org=HTX-GH", `{"kind":"field","ref":"R9","name":"Ruộng 9"}`, xay...); r.Status != http.StatusForbidden {
			t.Fatalf("the mill adds a field to the cooperative: %d", r.Status)
		}
		if r := fx.do("PUT", "/api/v1/trace/locations/"+field, `{"kind":"field","ref":"X","name":"Ruộng số 7"}`, xay...); r.Status != http.StatusForbidden {
			t.Fatalf("the mill renames the cooperative's field: %d", r.Status)
		}
		if r := fx.do("PUT", "/api/v1/trace/locations/"+field, `{"kind":"field","ref":"X","name":"Ruộng số 7"}`, htx...); r.Status != http.StatusOK || r.JSON["name"] != "Ruộng số 7" || r.JSON["ref"] != "RUONG-7" {
			t.Fatalf("rename: %d %s", r.Status, r.Body)
		}
		r = fx.do("POST", "/api/v1/trace/products", `{"kind":"paddy","ref":"LUA-ST25","name_vi":"Lúa ST25","name_en":"ST25 paddy"}`, htx...)
		if r.Status != http.StatusCreated {
			t.Fatalf("product: %d %s", r.Status, r.Body)
		}
		product := strconv.Itoa(int(r.JSON["id"].(float64)))
		r = fx.do("POST", "/api/v1/trace/lots", `{"product_id":`+product+`,"lot":"GH-01","variety":"ST25","harvest_date":"2026-02-20","location_id":`+field+`}`, htx...)
		if r.Status != http.StatusCreated {
			t.Fatalf("lot: %d %s", r.Status, r.Body)
		}
		if r := fx.do("POST", "/api/v1/trace/lots", `{"product_id":`+product+`,"lot":"GH-01"}`, htx...); r.Status != http.StatusConflict {
			t.Fatalf("a second lot GH-01: %d", r.Status)
		}
		if r := fx.do("POST", "/api/v1/trace/lots", `{"product_id":`+product+`,"lot":"XM-01"}`, xay...); r.Status != http.StatusForbidden {
			t.Fatalf("the mill adds a lot of the cooperative's product: %d", r.Status)
		}
		if r := fx.do("POST", "/api/v1/trace/certifications", `{"scheme":"vietgap","number":"VG-1","issuer":"Trung tâm","valid_from":"2025-01-01","valid_to":"2024-01-01"}`, htx...); r.Status != http.StatusBadRequest {
			t.Fatalf("a certificate expiring before its issue: %d", r.Status)
		}
		if r := fx.do("POST", "/api/v1/trace/certifications", `{"scheme":"vietgap","number":"VG-1","issuer":"Trung tâm","valid_from":"2025-01-01","valid_to":"2027-12-31","location_id":`+field+`}`, htx...); r.Status != http.StatusCreated {
			t.Fatalf("certificate: %d %s", r.Status, r.Body)
		}
		// Anyone of the chains reads them; valid_on filters the certificates.
		if got := list(fx.ok("/api/v1/trace/lots?org=HTX-GH", xay...), "lots"); len(got) != 1 || got[0]["variety"] != "ST25" {
			t.Fatalf("lots read by the mill: %v", got)
		}
		if got := list(fx.ok("/api/v1/trace/certifications?valid_on=2028-01-01", htx...), "certifications"); len(got) != 0 {
			t.Fatalf("certificates valid in 2028: %v", got)
		}
		if got := list(fx.ok("/api/v1/trace/certifications?valid_on=2026-03-01", htx...), "certifications"); len(got) != 1 {
			t.Fatalf("certificates valid in 2026: %v", got)
		}
		if got := list(fx.ok("/api/v1/trace/organisations", xay...), "organisations"); len(got) != 2 {
			t.Fatalf("organisations: %v", got)
		}
		if r := fx.get("/api/v1/trace/locations"); r.Status != http.StatusUnauthorized {
			t.Fatalf("without a token: %d", r.Status)
		}
	})
}
