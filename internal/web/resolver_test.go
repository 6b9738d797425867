package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"egov/internal/epcis"
	"egov/internal/epcis/epcistest"
	"egov/internal/identity"
)

// chainSite is a site with the test rice chain captured.
func chainSite(t *testing.T) *site {
	s := newSite(t)
	u := s.officer("truyxuat", identity.RoleTraceOperator, "")
	a, err := s.app.Identity.ActorFor(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	job, err := s.app.Trace.Capture(context.Background(), a, epcistest.Document(epcistest.Events()))
	if err != nil || !job.Success {
		t.Fatalf("capture: %v %+v", err, job)
	}
	return s
}

var (
	riceLotPath = "/01/" + epcistest.RiceGTIN + "/10/R2026-01"
	paddyPath   = strings.TrimPrefix(epcistest.Paddy1, "https://truyxuat.example.gov.vn")
)

func TestResolverNegotiation(t *testing.T) {
	s := chainSite(t)
	b := s.browser()

	// A phone's browser gets the provenance page, with a Link header to
	// the link set.
	res := b.get(riceLotPath)
	expect(t, res, http.StatusOK, "Nguồn gốc", "Lô R2026-01", "Hành trình sản phẩm", "Xay xát", "Lô P1", "Đóng gói")
	if l := res.Header.Get("Link"); !strings.Contains(l, `rel="linkset"`) {
		t.Errorf("Link header: %q", l)
	}
	// The public sees no operator's note from the ILMD, but the harvest
	// date; no event identifiers; and not the lot of the erroneous event.
	refuse(t, res, "sprayed late", "urn:uuid:", "X1")
	expect(t, res, http.StatusOK, "Ngày bắt đầu thu hoạch: 2026-02-10")

	// The link set, by Accept or by linkType=all.
	for _, req := range []func() response{
		func() response {
			r, _ := http.NewRequest("GET", s.srv.URL+riceLotPath, nil)
			r.Header.Set("Accept", "application/linkset+json")
			return b.do(r)
		},
		func() response { return b.get(riceLotPath + "?linkType=all") },
	} {
		res := req()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/linkset+json" {
			t.Fatalf("linkset: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), res.body)
		}
		var ls struct {
			Linkset []map[string]any `json:"linkset"`
		}
		if err := json.Unmarshal([]byte(res.body), &ls); err != nil || len(ls.Linkset) != 1 {
			t.Fatalf("linkset body: %v %s", err, res.body)
		}
		ctx := ls.Linkset[0]
		if ctx["anchor"] != s.srv.URL+riceLotPath {
			t.Errorf("anchor %v", ctx["anchor"])
		}
		for _, typ := range []string{"pip", "traceability", "epcis", "defaultLink"} {
			links, _ := ctx["https://gs1.org/voc/"+typ].([]any)
			if len(links) != 1 || links[0].(map[string]any)["href"] == "" {
				t.Errorf("link type %s: %v", typ, ctx)
			}
		}
	}

	// One link type: a 307 to it; a missing one: 404.
	res = b.get(riceLotPath + "?linkType=gs1:traceability")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusTemporaryRedirect ||
		!strings.Contains(loc, "/epcis/events?MATCH_anyEPCClass="+url.QueryEscape(epcistest.RiceLot)) {
		t.Errorf("gs1:traceability: %d %q", res.StatusCode, loc)
	}
	res = b.get(riceLotPath + "?linkType=" + url.QueryEscape("https://gs1.org/voc/pip"))
	if res.StatusCode != http.StatusTemporaryRedirect || res.Header.Get("Location") != s.srv.URL+riceLotPath {
		t.Errorf("full link type URI: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	expect(t, b.get(riceLotPath+"?linkType=gs1:recallStatus"), http.StatusNotFound, "gs1:recallStatus")

	// A provincial identifier resolves the same way.
	expect(t, b.get(paddyPath), http.StatusOK, "HTX-01", "Lô P1", "Tạo lô, gắn mã", "Xuất hàng")
	// A serialised item with its lot, and the product of a lot.
	expect(t, b.get("/01/"+epcistest.RiceGTIN+"/21/BAG001"), http.StatusOK, "Số sê-ri BAG001", "Lô R2026-01")
	expect(t, b.get("/01/"+epcistest.RiceGTIN), http.StatusOK, "Các lô của sản phẩm", "Lô R2026-01", "Lô R2026-99")
}

func TestResolverRefusesBadCodes(t *testing.T) {
	s := chainSite(t)
	b := s.browser()
	bad := epcistest.RiceGTIN[:13] + string('0'+(epcistest.RiceGTIN[13]-'0'+1)%10)
	for path, status := range map[string]int{
		"/01/" + bad:                  http.StatusBadRequest, // check digit
		"/01/" + bad + "/10/R2026-01": http.StatusBadRequest,
		"/01/123":                     http.StatusBadRequest, // length
		"/01/" + epcistest.RiceGTIN + "/21/A/10/B":                     http.StatusBadRequest, // qualifiers out of order
		"/01/" + epcistest.RiceGTIN + "/10/":                           http.StatusBadRequest,
		"/01/" + epcistest.RiceGTIN + "/10/" + strings.Repeat("x", 21): http.StatusBadRequest, // AI 10 is at most 20
		"/01/" + epcistest.RiceGTIN + "/10/NOPE":                       http.StatusNotFound,
		"/01/" + epcistest.GTIN("0893999900099"):                       http.StatusNotFound,
		"/id/HTX-01/pr/LUA-ST25/lot/P9":                                http.StatusNotFound,
		"/id/HTX 01/pr/x":                                              http.StatusBadRequest,
		"/id/HTX-01/xx/LUA-ST25":                                       http.StatusBadRequest,
	} {
		res := b.get(strings.ReplaceAll(path, " ", "%20"))
		if res.StatusCode != status {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, status)
		}
		if status == http.StatusBadRequest && !strings.Contains(res.body, "không hợp lệ") {
			t.Errorf("%s: the 400 page does not say what is wrong:\n%.2000s", path, res.body)
		}
	}
	// A link set request for an unknown code is a JSON problem, not a page.
	r, _ := http.NewRequest("GET", s.srv.URL+"/01/"+epcistest.RiceGTIN+"/10/NOPE", nil)
	r.Header.Set("Accept", "application/linkset+json")
	if res := b.do(r); res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("linkset of an unknown code: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func TestProvenanceInEnglish(t *testing.T) {
	s := chainSite(t)
	b := s.browser()
	b.lang = "en"
	expect(t, b.get(riceLotPath), http.StatusOK, "The product&#39;s journey", "Milling", "Lot P1", "Receiving")
}

func TestOperatorTraceGraphPage(t *testing.T) {
	s := chainSite(t)
	b := s.browser()
	if res := b.get("/trace/graph?id=" + url.QueryEscape(epcistest.Pallet)); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a visitor: %d", res.StatusCode)
	}
	b.signIn("truyxuat")
	res := b.get("/trace/graph?id=" + url.QueryEscape(epcistest.Pallet))
	expect(t, res, http.StatusOK, "Nguồn gốc (ngược chuỗi)", "Lô R2026-01", "Lô P1", "Lô Q1", "Số sê-ri BAG001", "/labels/sheet.pdf?id=")
	refuse(t, res, "Lô X1")
	expect(t, b.get("/trace/graph?id=urn:epc:id:sgtin:nope"), http.StatusUnprocessableEntity, "không hợp lệ")

	s.officer("motcua", identity.RoleReceiver, "")
	c := s.browser()
	c.signIn("motcua")
	expect(t, c.get("/trace/graph"), http.StatusForbidden)
}

// With master data, the page names the product, the producer, the lot's
// variety and harvest date and the valid certificates, never the lot's
// private note.
func TestProvenanceWithMasterData(t *testing.T) {
	s := chainSite(t)
	ctx := context.Background()
	tr := s.app.Trace
	sys := identity.SystemActor
	org, err := tr.CreateOrganisation(ctx, sys, epcis.Organisation{Code: "XAY-MYXUYEN", Kind: epcis.OrgMill, Name: "Nhà máy xay xát Mỹ Xuyên", UnitID: s.unitID("31726")})
	if err != nil {
		t.Fatal(err)
	}
	prod, err := tr.CreateProduct(ctx, sys, epcis.Product{OrgID: org.ID, Kind: "rice", GTIN: epcistest.RiceGTIN, NameVI: "Gạo ST25 Mỹ Xuyên", NameEN: "My Xuyen ST25 rice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.CreateLot(ctx, sys, epcis.Lot{ProductID: prod.ID, OrgID: org.ID, Lot: "R2026-01", Variety: "ST25", HarvestDate: "2026-02-10", Note: "kho số 3, chưa kiểm định"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.CreateCertification(ctx, sys, epcis.Certification{OrgID: org.ID, Scheme: "vietgap", Number: "VG-2025-0117", Issuer: "Trung tâm Chứng nhận Phù hợp", ValidFrom: "2025-06-01", ValidTo: "2028-05-31"}); err != nil {
		t.Fatal(err)
	}
	res := s.browser().get(riceLotPath)
	expect(t, res, http.StatusOK, "Gạo ST25 Mỹ Xuyên", "Nhà máy xay xát Mỹ Xuyên", "ST25", "2026-02-10", "VietGAP số VG-2025-0117")
	refuse(t, res, "kho số 3")
}
