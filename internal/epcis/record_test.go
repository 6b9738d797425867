package epcis_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"egov"
	"egov/internal/epcis"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

func num(f float64) *float64 { return &f }

// The forms' events go through capture: harvest, shipping to the mill,
// receiving, milling into a rice lot and packing into a carton make a
// chain the queries follow, and a form refuses what the operator may not
// name.
func TestRecordRiceChain(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		w.now = time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)
		lot, err := w.svc.CreateLot(ctx, w.coopOp, epcis.Lot{ProductID: w.paddy.ID, Lot: "GH-01", Variety: "ST25", LocationID: w.field.ID})
		if err != nil {
			t.Fatal(err)
		}
		at := func(day int) time.Time { return time.Date(2026, 2, day, 1, 0, 0, 0, time.UTC) }
		if _, err := w.svc.Record(ctx, w.coopOp, epcis.Record{Kind: "harvest", Time: at(20), Location: w.field.ID,
			Lot: epcis.LotQty{Lot: lot.ID, Quantity: num(7000)}}); err != nil {
			t.Fatal(err)
		}
		// The mill cannot name the cooperative's lot before it is sent.
		if _, err := w.svc.Record(ctx, w.millOp, epcis.Record{Kind: "receiving", Time: at(21), Location: w.millYard.ID,
			Lot: epcis.LotQty{Lot: lot.ID, Quantity: num(7000)}, Party: w.coop.ID}); egov.ErrorCode(err) != egov.EINVALID {
			t.Fatalf("receiving a lot never sent: %v", err)
		}
		if _, err := w.svc.Record(ctx, w.coopOp, epcis.Record{Kind: "shipping", Time: at(21), Location: w.field.ID,
			Lot: epcis.LotQty{Lot: lot.ID, Quantity: num(7000)}, Party: w.mill.ID, Document: "PX-0001"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Record(ctx, w.millOp, epcis.Record{Kind: "receiving", Time: at(21).Add(5 * time.Hour), Location: w.millYard.ID,
			Lot: epcis.LotQty{Lot: lot.ID, Quantity: num(6980)}, Party: w.coop.ID}); err != nil {
			t.Fatal(err)
		}
		rice, err := w.svc.CreateProduct(ctx, w.millOp, epcis.Product{Kind: "rice", GTIN: "8930000000125", NameVI: "Gạo ST25"})
		if err != nil {
			t.Fatal(err)
		}
		milled, err := w.svc.Record(ctx, w.millOp, epcis.Record{Kind: "milling", Time: at(23), Location: w.millPlace.ID,
			Inputs: []epcis.LotQty{{Lot: lot.ID, Quantity: num(6980)}}, OutProduct: rice.ID, OutLot: "MX-2602",
			Output: epcis.LotQty{Quantity: num(4400)}, Ext: map[string]string{"note": "Xay trắng"}})
		if err != nil {
			t.Fatal(err)
		}
		if milled.Output == nil || milled.Output.Identifier != "https://id.gs1.org/01/08930000000125/10/MX-2602" {
			t.Fatalf("milled lot %+v", milled.Output)
		}
		bag, err := w.svc.CreateProduct(ctx, w.millOp, epcis.Product{Kind: "rice", GTIN: "8930000000132", NameVI: "Gạo ST25 túi 5 kg", UOM: "EA"})
		if err != nil {
			t.Fatal(err)
		}
		packed, err := w.svc.Record(ctx, w.millOp, epcis.Record{Kind: "packing", Time: at(24), Location: w.millPlace.ID,
			Inputs: []epcis.LotQty{{Lot: milled.Output.ID, Quantity: num(100)}}, OutProduct: bag.ID, OutLot: "MX-2602",
			Output: epcis.LotQty{Quantity: num(20)}, Carton: "TH-0001"})
		if err != nil {
			t.Fatal(err)
		}
		if len(packed.EventIDs) != 2 {
			t.Fatalf("packing into a carton made %d events", len(packed.EventIDs))
		}
		// The chain is queryable: what went into the rice lot, what the
		// carton holds.
		count := func(query string) int {
			v, _ := url.ParseQuery(query)
			q, err := w.svc.ParseQuery(v, nil)
			if err != nil {
				t.Fatal(err)
			}
			page, err := w.svc.QueryEvents(ctx, w.admin, q, v)
			if err != nil {
				t.Fatal(err)
			}
			return len(page.Events)
		}
		if n := count("MATCH_inputEPCClass=" + url.QueryEscape(lot.Identifier)); n != 1 {
			t.Errorf("transformations of the paddy lot: %d", n)
		}
		if n := count("MATCH_parentID=" + url.QueryEscape(provincialBase+"/XAY-MYXUYEN/lu/TH-0001")); n != 1 {
			t.Errorf("aggregations into the carton: %d", n)
		}
		if n := count("EQ_bizStep=" + url.QueryEscape(w.svc.VocabNamespace()+"BizStep-milling")); n != 1 {
			t.Errorf("milling events: %d", n)
		}
		// The event says what the form said, in the standard's terms.
		evs, err := w.svc.EventsByID(ctx, milled.EventIDs[0])
		if err != nil {
			t.Fatal(err)
		}
		var ev map[string]any
		json.Unmarshal(evs[0].Body, &ev)
		if ev["type"] != "TransformationEvent" || ev["tx:note"] != "Xay trắng" || ev["eventTime"] != "2026-02-23T08:00:00+07:00" {
			t.Errorf("milling event %v", ev)
		}
		// The shrimp farm cannot use the mill's place or lots.
		if _, err := w.svc.Record(ctx, w.farmOp, epcis.Record{Kind: "harvest", Time: at(20), Location: w.millPlace.ID,
			Lot: epcis.LotQty{Lot: lot.ID}}); egov.ErrorCode(err) != egov.EINVALID {
			t.Fatalf("the farm records at the mill: %v", err)
		}
		lots, _ := w.svc.UsableLots(ctx, w.millOp)
		ids := []string{}
		for _, l := range lots {
			ids = append(ids, l.Lot)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []string{"GH-01", "MX-2602", "MX-2602"}) {
			t.Errorf("the mill's usable lots %v", ids)
		}
		// Water quality is sensor data.
		shrimp, err := w.svc.CreateProduct(ctx, w.farmOp, epcis.Product{Kind: "shrimp", Ref: "TOM-THE", NameVI: "Tôm thẻ chân trắng"})
		if err != nil {
			t.Fatal(err)
		}
		crop, _ := w.svc.CreateLot(ctx, w.farmOp, epcis.Lot{ProductID: shrimp.ID, Lot: "AO3-2026"})
		if _, err := w.svc.Record(ctx, w.farmOp, epcis.Record{Kind: "water", Time: at(25), Location: w.pond.ID, Lot: epcis.LotQty{Lot: crop.ID},
			Sensors: map[string]*float64{"temperature": num(29.5), "ph": num(7.9), "salinity": num(15)}}); err != nil {
			t.Fatal(err)
		}
		if n := count("GE_value_CEL=29&EQ_type=Temperature"); n != 1 {
			t.Errorf("water measurements above 29 °C: %d", n)
		}
		if _, err := w.svc.Record(ctx, w.farmOp, epcis.Record{Kind: "water", Time: at(25), Location: w.pond.ID, Lot: epcis.LotQty{Lot: crop.ID},
			Sensors: map[string]*float64{"ph": num(15)}}); egov.ErrorCode(err) != egov.EINVALID {
			t.Fatalf("a pH of 15: %v", err)
		}
	})
}

// A milling or packing form that is refused registers no output lot: the
// output quantity and the carton are checked first, and the error names
// the field the operator typed in.
func TestRefusedTransformationMakesNoLot(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		w.now = time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)
		lot, err := w.svc.CreateLot(ctx, w.coopOp, epcis.Lot{ProductID: w.paddy.ID, Lot: "GH-02"})
		if err != nil {
			t.Fatal(err)
		}
		rice, err := w.svc.CreateProduct(ctx, w.coopOp, epcis.Product{Kind: "rice", Ref: "GAO-ST25", NameVI: "Gạo ST25"})
		if err != nil {
			t.Fatal(err)
		}
		place := w.field.ID
		for _, c := range []struct {
			rec   epcis.Record
			field string
		}{
			{epcis.Record{Kind: "milling", Output: epcis.LotQty{Quantity: num(-5)}}, "output_qty"},
			{epcis.Record{Kind: "milling", Output: epcis.LotQty{Quantity: num(0)}}, "output_qty"},
			{epcis.Record{Kind: "milling"}, "output_qty"},
			{epcis.Record{Kind: "packing", Output: epcis.LotQty{Quantity: num(10)}, Carton: "thùng số 1"}, "carton"},
		} {
			c.rec.Time, c.rec.Location = w.now.Add(-time.Hour), place
			c.rec.Inputs = []epcis.LotQty{{Lot: lot.ID, Quantity: num(100)}}
			c.rec.OutProduct, c.rec.OutLot = rice.ID, "GAO-01"
			_, err := w.svc.Record(ctx, w.coopOp, c.rec)
			var e *egov.Error
			if !errors.As(err, &e) || e.Field != c.field {
				t.Errorf("%s %+v: %v, want an error on %s", c.rec.Kind, c.rec.Output, err, c.field)
			}
			if l, err := w.svc.Lot(ctx, rice.Identifier, "GAO-01"); err == nil {
				t.Fatalf("a refused %s registered lot %s", c.rec.Kind, l.Identifier)
			}
		}
		// An administrator who is a member of the cooperative manages its
		// data but does not capture: its milling is refused before the
		// output lot is made.
		if err := w.svc.SetMember(ctx, w.admin, w.admin.User.ID, w.coop.ID); err != nil {
			t.Fatal(err)
		}
		admin, err := w.ids.ActorFor(ctx, w.admin.User)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.Record(ctx, admin, epcis.Record{Kind: "milling", Time: w.now.Add(-time.Hour), Location: place,
			Inputs: []epcis.LotQty{{Lot: lot.ID, Quantity: num(100)}}, OutProduct: rice.ID, OutLot: "GAO-02",
			Output: epcis.LotQty{Quantity: num(60)}})
		if egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Errorf("an administrator's milling: %v", err)
		}
		if l, err := w.svc.Lot(ctx, rice.Identifier, "GAO-02"); err == nil {
			t.Errorf("a refused milling registered lot %s", l.Identifier)
		}
	})
}

// The forms mark a harvest's, a shipment's and a receipt's quantity as
// required, and the repository refuses them without it; other
// observations may leave it out.
func TestQuantityRequired(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		w.now = time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)
		lot, err := w.svc.CreateLot(ctx, w.coopOp, epcis.Lot{ProductID: w.paddy.ID, Lot: "GH-03"})
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range []string{"harvest", "shipping"} {
			_, err := w.svc.Record(ctx, w.coopOp, epcis.Record{Kind: kind, Time: w.now.Add(-time.Hour), Location: w.field.ID,
				Lot: epcis.LotQty{Lot: lot.ID}, Party: w.mill.ID})
			var e *egov.Error
			if !errors.As(err, &e) || e.Field != "lot_qty" {
				t.Errorf("%s without a quantity: %v", kind, err)
			}
		}
		if _, err := w.svc.Record(ctx, w.coopOp, epcis.Record{Kind: "drying", Time: w.now.Add(-time.Hour), Location: w.field.ID,
			Lot: epcis.LotQty{Lot: lot.ID}}); err != nil {
			t.Errorf("drying without a quantity: %v", err)
		}
	})
}
