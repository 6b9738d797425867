package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"egov/internal/epcis"
	"egov/internal/identity"
)

// traceSite is a site with a cooperative and a mill, an operator each, the
// cooperative's field, product and lot, and the mill's yard.
func traceSite(t *testing.T) (*site, *epcis.Lot, *epcis.Location) {
	s := newSite(t)
	s.app.Trace.Now = func() time.Time { return time.Unix(0, s.clock.Load()) }
	ctx := context.Background()
	sys := identity.SystemActor
	coop := s.traceOrg("HTX-GH", epcis.OrgCooperative, "HTX Gia Hòa", "htx.gh")
	mill := s.traceOrg("NM-MX", epcis.OrgMill, "Nhà máy Mỹ Xuyên", "xay.mx")
	s.officer("le.loi", identity.RoleTraceOperator, "31726") // of no organisation
	field, err := s.app.Trace.CreateLocation(ctx, sys, epcis.Location{OrgID: coop.ID, Kind: "field", Ref: "R7", Name: "Ruộng 7 ấp Hòa Phuông"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Trace.CreateLocation(ctx, sys, epcis.Location{OrgID: mill.ID, Kind: "drying_yard", Ref: "S1", Name: "Sân phơi Mỹ Xuyên"}); err != nil {
		t.Fatal(err)
	}
	p, err := s.app.Trace.CreateProduct(ctx, sys, epcis.Product{OrgID: coop.ID, Kind: "paddy", Ref: "LUA-ST25", NameVI: "Lúa ST25"})
	if err != nil {
		t.Fatal(err)
	}
	lot, err := s.app.Trace.CreateLot(ctx, sys, epcis.Lot{OrgID: coop.ID, ProductID: p.ID, Lot: "GH-HK-01", Variety: "ST25", LocationID: field.ID})
	if err != nil {
		t.Fatal(err)
	}
	return s, lot, field
}

// traceOrg registers an organisation in commune 31726 with one operator,
// as the province's administrator does.
func (s *site) traceOrg(code, kind, name, operator string) *epcis.Organisation {
	s.t.Helper()
	ctx := context.Background()
	o, err := s.app.Trace.CreateOrganisation(ctx, identity.SystemActor, epcis.Organisation{Code: code, Kind: kind, Name: name,
		UnitID: s.unitID("31726")})
	if err != nil {
		s.t.Fatal(err)
	}
	u := s.officer(operator, identity.RoleTraceOperator, "31726")
	if err := s.app.Trace.SetMember(ctx, identity.SystemActor, u.ID, o.ID); err != nil {
		s.t.Fatal(err)
	}
	return o
}

// An operator records a harvest on its phone-sized form; the mill's form
// does not offer the cooperative's lot until it is shipped to the mill.
func TestTraceForms(t *testing.T) {
	s, lot, field := traceSite(t)
	b := s.browser()
	b.signIn("htx.gh")
	expect(t, b.get("/trace"), http.StatusOK, "HTX Gia Hòa", "/trace/events/new?kind=milling", "GH-HK-01", "Chưa có sự kiện nào.")
	expect(t, b.get("/trace/events/new?kind=harvest"), http.StatusOK, "Thu hoạch", `name="lot_qty"`, "GH-HK-01", "Ruộng 7 ấp Hòa Phuông",
		`value="2026-03-02T10:00"`)
	expect(t, b.get("/trace/events/new?kind=water"), http.StatusOK, `name="salinity"`, `inputmode="decimal"`)
	expect(t, b.get("/trace/events/new?kind=nothing"), http.StatusNotFound)

	form := url.Values{"time": {"2026-02-28T07:30"}, "location": {strconv.FormatInt(field.ID, 10)},
		"lot": {strconv.FormatInt(lot.ID, 10)}, "lot_qty": {"bảy tấn"}}
	expect(t, b.post("/trace/events/new?kind=harvest", form), http.StatusUnprocessableEntity, "Nhập một số không âm.")
	form.Set("lot_qty", "7000,5")
	form.Set("time", "2026-03-09T07:30")
	expect(t, b.post("/trace/events/new?kind=harvest", form), http.StatusUnprocessableEntity, "Thời điểm không được ở tương lai.")
	form.Set("time", "2026-02-28T07:30")
	res := b.post("/trace/events/new?kind=harvest", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/trace?ok=trace_recorded" {
		t.Fatalf("harvest: %d %s", res.StatusCode, res.body)
	}
	expect(t, b.follow("/trace?ok=trace_recorded"), http.StatusOK, "Đã ghi nhận sự kiện.", "Thu hoạch", "07:30 28/02/2026", "GH-HK-01")

	// The mill sees neither the lot nor the event.
	m := s.browser()
	m.signIn("xay.mx")
	res = m.get("/trace/events/new?kind=receiving")
	expect(t, res, http.StatusOK, "HTX Gia Hòa")
	refuse(t, res, "GH-HK-01")
	refuse(t, m.get("/trace"), "GH-HK-01", "Ruộng 7")
	// A form that names it anyway is refused beside the field.
	yard := s.locationID(t, "xay.mx")
	expect(t, m.post("/trace/events/new?kind=receiving", url.Values{"time": {"2026-03-01T08:00"}, "location": {yard},
		"lot": {strconv.FormatInt(lot.ID, 10)}, "lot_qty": {"7000"}, "party": {"1"}}), http.StatusUnprocessableEntity, "Chọn một lô của tổ chức")

	// An operator of no organisation is told so.
	o := s.browser()
	o.signIn("le.loi")
	expect(t, o.get("/trace"), http.StatusForbidden, "chưa thuộc tổ chức nào")

	// A new lot from the lot form.
	res = b.post("/trace/lots/new", url.Values{"product_id": {strconv.FormatInt(lot.ProductID, 10)}, "lot": {"GH-HT-02"}, "variety": {"ST25"},
		"harvest_date": {"2026-06-20"}, "location_id": {strconv.FormatInt(field.ID, 10)}, "area_m2": {"12000"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new lot: %d %s", res.StatusCode, res.body)
	}
	expect(t, b.post("/trace/lots/new", url.Values{"product_id": {strconv.FormatInt(lot.ProductID, 10)}, "lot": {"GH-HT-02"}}),
		http.StatusConflict, "đã có lô mang số này")
	expect(t, b.follow("/trace"), http.StatusOK, "GH-HT-02")
}

// locationID is the id of the first place of a user's organisation.
func (s *site) locationID(t *testing.T, username string) string {
	u, err := s.app.Identity.UserByName(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.app.Identity.ActorFor(context.Background(), u)
	locs, err := s.app.Trace.Locations(context.Background(), a, 0)
	if err != nil || len(locs) == 0 {
		t.Fatal(err)
	}
	return strconv.FormatInt(locs[0].ID, 10)
}

// An operator adds a field and a product from the phone forms.
func TestTraceMasterForms(t *testing.T) {
	s, _, _ := traceSite(t)
	b := s.browser()
	b.signIn("htx.gh")
	expect(t, b.get("/trace/locations/new"), http.StatusOK, "Thêm địa điểm", `name="latitude"`, "Ruộng 7 ấp Hòa Phuông")
	form := url.Values{"kind": {"field"}, "name": {"Ruộng 8"}, "ref": {"R8"}, "latitude": {"9,4893"}, "longitude": {"200"}}
	expect(t, b.post("/trace/locations/new", form), http.StatusUnprocessableEntity, "kinh độ (−180 đến 180)")
	form.Set("longitude", "105.9468")
	res := b.post("/trace/locations/new", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new place: %d %s", res.StatusCode, res.body)
	}
	expect(t, b.get("/trace/events/new?kind=sowing"), http.StatusOK, "Ruộng 8 (ruộng)")
	expect(t, b.post("/trace/products/new", url.Values{"kind": {"rice"}, "name_vi": {"Gạo"}, "gtin": {"8930000000126"}, "uom": {"KGM"}}),
		http.StatusUnprocessableEntity, "số kiểm tra đúng")
	res = b.post("/trace/products/new", url.Values{"kind": {"rice"}, "name_vi": {"Gạo ST25 Gia Hòa"}, "ref": {"GAO-ST25"}, "uom": {"KGM"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new product: %d %s", res.StatusCode, res.body)
	}
	expect(t, b.get("/trace/lots/new"), http.StatusOK, "Gạo ST25 Gia Hòa")
}
