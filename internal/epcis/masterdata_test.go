package epcis_test

import (
	"errors"
	"testing"
	"time"

	"egov"
	"egov/internal/demo"
	"egov/internal/epcis"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/units"
)

// world is two organisations of a rice chain, a cooperative and a mill,
// with an operator each, and a third, unrelated one (a shrimp farm).
type world struct {
	*fixture
	admin                  *identity.Actor
	coop, mill, farm       *epcis.Organisation
	coopOp, millOp, farmOp *identity.Actor
	field, pond            *epcis.Location
	millPlace, millYard    *epcis.Location
	paddy                  *epcis.Product
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	w := &world{fixture: newFixture(t, db)}
	us := units.NewService(db)
	if err := demo.LoadUnits(w.ctx, us); err != nil {
		t.Fatal(err)
	}
	g, err := us.Graph(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	unit := func(code string) int64 { return g.Latest(code).ID }
	w.admin = w.actor(t, "quan.tri", identity.RoleAdmin)
	org := func(code, kind, name, unitCode, gln string) *epcis.Organisation {
		o, err := w.svc.CreateOrganisation(w.ctx, w.admin, epcis.Organisation{Code: code, Kind: kind, Name: name, UnitID: unit(unitCode), GLN: gln})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	w.coop = org("HTX-GIAHOA", epcis.OrgCooperative, "HTX Nông nghiệp Gia Hòa", "31726", "")
	w.mill = org("XAY-MYXUYEN", epcis.OrgMill, "Nhà máy xay xát Mỹ Xuyên", "31726", "8930000000019")
	w.farm = org("TOM-VINHCHAU", epcis.OrgProducer, "Trại tôm Vĩnh Châu", "31615", "")
	member := func(name string, o *epcis.Organisation) *identity.Actor {
		u, err := w.ids.CreateOfficer(w.ctx, identity.SystemActor, identity.NewUser{Username: name, FullName: "Người " + name, Password: "mat-khau-dai"},
			identity.RoleTraceOperator, o.UnitID)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.SetMember(w.ctx, w.admin, u.ID, o.ID); err != nil {
			t.Fatal(err)
		}
		a, err := w.ids.ActorFor(w.ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	w.coopOp, w.millOp, w.farmOp = member("htx.giahoa", w.coop), member("xay.myxuyen", w.mill), member("tom.vinhchau", w.farm)
	loc := func(a *identity.Actor, l epcis.Location) *epcis.Location {
		out, err := w.svc.CreateLocation(w.ctx, a, l)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	lat, lon, area := 9.4672, 105.8861, 12000.0
	w.field = loc(w.coopOp, epcis.Location{Kind: "field", Ref: "RUONG-07", Name: "Ruộng số 7 ấp Hòa Phuông", Lat: &lat, Lon: &lon, AreaM2: &area})
	w.millPlace = loc(w.millOp, epcis.Location{Kind: "mill", Ref: "NM-01", Name: "Nhà máy", GLN: "8930000000026"})
	w.millYard = loc(w.millOp, epcis.Location{Kind: "drying_yard", Ref: "SAN-01", Name: "Sân phơi 1", ParentID: w.millPlace.ID})
	w.pond = loc(w.farmOp, epcis.Location{Kind: "pond", Ref: "AO-03", Name: "Ao 3"})
	p, err := w.svc.CreateProduct(w.ctx, w.coopOp, epcis.Product{Kind: "paddy", Ref: "LUA-ST25", NameVI: "Lúa ST25", NameEN: "ST25 paddy"})
	if err != nil {
		t.Fatal(err)
	}
	w.paddy = p
	return w
}

func TestMasterData(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		// Identifiers: provincial without a GS1 key, Digital Link with one.
		if w.coop.Identifier != provincialBase+"/HTX-GIAHOA" || w.mill.Identifier != "https://id.gs1.org/417/8930000000019" {
			t.Fatalf("organisation identifiers %s, %s", w.coop.Identifier, w.mill.Identifier)
		}
		if w.field.Identifier != provincialBase+"/HTX-GIAHOA/loc/RUONG-07" || w.millPlace.Identifier != "https://id.gs1.org/414/8930000000026" {
			t.Fatalf("location identifiers %s, %s", w.field.Identifier, w.millPlace.Identifier)
		}
		// Operators manage their own organisation only.
		if _, err := w.svc.CreateLocation(ctx, w.millOp, epcis.Location{OrgID: w.coop.ID, Kind: "field", Ref: "X", Name: "X"}); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Fatalf("a mill operator adding a field of the cooperative: %v", err)
		}
		if _, err := w.svc.CreateOrganisation(ctx, w.coopOp, epcis.Organisation{Code: "NEW", Kind: "mill", Name: "X", UnitID: w.coop.UnitID}); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Fatalf("an operator creating an organisation: %v", err)
		}
		if _, err := w.svc.CreateLot(ctx, w.millOp, epcis.Lot{ProductID: w.paddy.ID, Lot: "L1"}); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Fatalf("a mill operator adding a lot of the cooperative's product: %v", err)
		}
		// A parent of another organisation is refused.
		if _, err := w.svc.CreateLocation(ctx, w.coopOp, epcis.Location{Kind: "field", Ref: "R2", Name: "R2", ParentID: w.millPlace.ID}); err == nil {
			t.Fatal("a field inside the mill's place")
		}
		// A location cannot move inside itself.
		mp := *w.millPlace
		mp.ParentID = w.millYard.ID
		if _, err := w.svc.UpdateLocation(ctx, w.millOp, mp); err == nil {
			t.Fatal("a cycle in the location hierarchy")
		}
		// Lots: by product identifier in any form, by lot identifier.
		area := 12000.0
		lot, err := w.svc.CreateLot(ctx, w.coopOp, epcis.Lot{ProductID: w.paddy.ID, Lot: "GH-2026-01", Variety: "ST25",
			HarvestDate: "2026-02-20", LocationID: w.field.ID, AreaM2: &area})
		if err != nil {
			t.Fatal(err)
		}
		if lot.Identifier != provincialBase+"/HTX-GIAHOA/pr/LUA-ST25/lot/GH-2026-01" {
			t.Fatalf("lot identifier %s", lot.Identifier)
		}
		if _, err := w.svc.CreateLot(ctx, w.coopOp, epcis.Lot{ProductID: w.paddy.ID, Lot: "GH-2026-01"}); egov.ErrorCode(err) != egov.ECONFLICT {
			t.Fatalf("a second lot with the same number: %v", err)
		}
		got, err := w.svc.Lot(ctx, w.paddy.Identifier, "GH-2026-01")
		if err != nil || got.ID != lot.ID || got.Variety != "ST25" || got.LocationID != w.field.ID || *got.AreaM2 != area {
			t.Fatalf("Lot: %+v %v", got, err)
		}
		if got, err := w.svc.LotByIdentifier(ctx, lot.Identifier); err != nil || got.ID != lot.ID {
			t.Fatalf("LotByIdentifier: %v", err)
		}
		rice, err := w.svc.CreateProduct(ctx, w.millOp, epcis.Product{Kind: "rice", GTIN: "8930000000125", NameVI: "Gạo ST25"})
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"https://example.com/01/08930000000125", "urn:epc:idpat:sgtin:8930000.000012.*", "https://id.gs1.org/01/08930000000125/10/X1"} {
			if p, err := w.svc.Product(ctx, key); err != nil || p.ID != rice.ID {
				t.Fatalf("Product(%s): %v", key, err)
			}
		}
		if p, err := w.svc.ProductByGTIN(ctx, "8930000000125"); err != nil || p.ID != rice.ID {
			t.Fatalf("ProductByGTIN: %v", err)
		}
		if _, err := w.svc.CreateProduct(ctx, w.millOp, epcis.Product{Kind: "rice", GTIN: "8930000000126", NameVI: "Sai số kiểm tra"}); egov.ErrorCode(err) != egov.EINVALID {
			t.Fatalf("a GTIN with a wrong check digit: %v", err)
		}
		// Organisation by location, in any identifier form.
		if o, err := w.svc.OrganisationAt(ctx, "urn:epc:id:sgln:8930000.00002.0"); err != nil || o.ID != w.mill.ID {
			t.Fatalf("OrganisationAt: %v %v", o, err)
		}
		// Certifications valid on a date, for the organisation, a place, a product.
		cert := func(a *identity.Actor, c epcis.Certification) {
			if _, err := w.svc.CreateCertification(ctx, a, c); err != nil {
				t.Fatal(err)
			}
		}
		cert(w.coopOp, epcis.Certification{Scheme: "vietgap", Number: "VG-01", Issuer: "Trung tâm Chứng nhận", ValidFrom: "2025-01-01", ValidTo: "2027-12-31", LocationID: w.field.ID})
		cert(w.coopOp, epcis.Certification{Scheme: "organic", Number: "HC-01", Issuer: "Tổ chức X", ValidFrom: "2023-01-01", ValidTo: "2025-12-31"})
		cert(w.millOp, epcis.Certification{Scheme: "haccp", Number: "H-9", Issuer: "Tổ chức Y", ValidFrom: "2025-06-01", ValidTo: "2028-05-31"})
		if _, err := w.svc.CreateCertification(ctx, w.millOp, epcis.Certification{Scheme: "vietgap", Number: "X", Issuer: "Y", ValidFrom: "2025-01-01", ValidTo: "2027-01-01", LocationID: w.field.ID}); err == nil {
			t.Fatal("a mill certifying the cooperative's field")
		}
		day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		cs, err := w.svc.CertificationsValid(ctx, day, epcis.CertSubjects{Orgs: []int64{w.coop.ID}, Locations: []int64{w.field.ID}})
		if err != nil || len(cs) != 1 || cs[0].Number != "VG-01" {
			t.Fatalf("valid on 2026-03-01 for the cooperative and its field: %+v %v", cs, err)
		}
		cs, _ = w.svc.CertificationsValid(ctx, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), epcis.CertSubjects{Orgs: []int64{w.coop.ID}})
		if len(cs) != 1 || cs[0].Number != "HC-01" {
			t.Fatalf("valid on 2025-03-01 for the cooperative as a whole: %+v", cs)
		}
		// An operator without an organisation is refused.
		u, err := w.ids.CreateOfficer(ctx, identity.SystemActor, identity.NewUser{Username: "khong.to.chuc", FullName: "Không tổ chức", Password: "mat-khau-dai"},
			identity.RoleTraceOperator, w.coop.UnitID)
		if err != nil {
			t.Fatal(err)
		}
		lone, _ := w.ids.ActorFor(ctx, u)
		var e *egov.Error
		if _, err := w.svc.AccessOf(ctx, lone); !errors.As(err, &e) || e.Key != "trace.error.no_organisation" {
			t.Fatalf("an operator of no organisation: %v", err)
		}
	})
}
