package epcis_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"egov/internal/epcis"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

// captureAs captures events for an actor, each given as its eventID's
// last part and the event's other fields.
func (w *world) captureAs(t *testing.T, a *identity.Actor, events map[string]map[string]any) *epcis.CaptureJob {
	t.Helper()
	var list []any
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range events {
			if !yield(k) {
				return
			}
		}
	}) {
		ev := map[string]any{"type": "ObjectEvent", "eventTime": "2026-02-20T07:00:00+07:00", "eventTimeZoneOffset": "+07:00",
			"action": "OBSERVE", "eventID": "urn:uuid:" + uuidOf(name)}
		for k, v := range events[name] {
			ev[k] = v
		}
		list = append(list, ev)
	}
	doc, _ := json.Marshal(map[string]any{"@context": []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"},
		"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-02-20T08:00:00Z",
		"epcisBody": map[string]any{"eventList": list}})
	job, err := w.svc.Capture(w.ctx, a, doc)
	if err != nil || !job.Success {
		t.Fatalf("capture: %v %+v", err, job)
	}
	return job
}

// uuidOf makes a UUID that names a test event.
func uuidOf(name string) string {
	var h uint64 = 1469598103934665603
	for _, c := range []byte(name) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(h>>32), h&0xffffffffffff)
}

// seen returns the names of the events a query shows an actor.
func (w *world) seen(t *testing.T, a *identity.Actor, query string, names ...string) []string {
	t.Helper()
	v, _ := url.ParseQuery(query)
	q, err := w.svc.ParseQuery(v, nil)
	if err != nil {
		t.Fatal(err)
	}
	page, err := w.svc.QueryEvents(w.ctx, a, q, v)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]string{}
	for _, n := range names {
		byID["urn:uuid:"+uuidOf(n)] = n
	}
	var out []string
	for _, e := range page.Events {
		var ev struct {
			EventID string `json:"eventID"`
		}
		json.Unmarshal(e.Body, &ev)
		out = append(out, byID[ev.EventID])
	}
	slices.Sort(out)
	return out
}

func qty(class string, n float64) []any {
	return []any{map[string]any{"epcClass": class, "quantity": n, "uom": "KGM"}}
}

// An operator sees its organisation's events and the events one step back
// and one step forward, never another organisation's unrelated events.
func TestOperatorsSeeTheirChainOnly(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		l1 := provincialBase + "/HTX-GIAHOA/pr/LUA-ST25/lot/L1"
		l2 := provincialBase + "/HTX-GIAHOA/pr/LUA-ST25/lot/L2"
		seed := provincialBase + "/HTX-GIAHOA/pr/GIONG/lot/G1"
		shrimp := provincialBase + "/TOM-VINHCHAU/pr/TOM-THE/lot/T1"
		field := map[string]any{"id": w.field.Identifier}
		all := []string{"sowing", "harvest1", "harvest2", "shipping", "stocking", "receiving"}

		coopJob := w.captureAs(t, w.coopOp, map[string]map[string]any{
			"sowing":   {"action": "ADD", "readPoint": field, "quantityList": qty(seed, 40)},
			"harvest1": {"action": "ADD", "bizStep": "commissioning", "readPoint": field, "quantityList": qty(l1, 7000)},
			"harvest2": {"action": "ADD", "bizStep": "commissioning", "readPoint": field, "quantityList": qty(l2, 6500)},
			"shipping": {"bizStep": "shipping", "readPoint": field, "quantityList": qty(l1, 7000),
				"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:epc:id:pgln:8930000.00001"}}},
		})
		w.captureAs(t, w.farmOp, map[string]map[string]any{
			"stocking": {"action": "ADD", "readPoint": map[string]any{"id": w.pond.Identifier}, "quantityList": qty(shrimp, 200000)},
		})
		// Before the mill records anything, it sees the shipment sent to it.
		if got := w.seen(t, w.millOp, "", all...); !slices.Equal(got, []string{"shipping"}) {
			t.Fatalf("the mill before receiving sees %v", got)
		}
		w.captureAs(t, w.millOp, map[string]map[string]any{
			"receiving": {"bizStep": "receiving", "readPoint": map[string]any{"id": w.millYard.Identifier}, "quantityList": qty(l1, 6980)},
		})
		for _, c := range []struct {
			who  string
			a    *identity.Actor
			want []string
		}{
			{"cooperative", w.coopOp, []string{"harvest1", "harvest2", "receiving", "shipping", "sowing"}},
			{"mill", w.millOp, []string{"harvest1", "receiving", "shipping"}},
			{"shrimp farm", w.farmOp, []string{"stocking"}},
			{"administrator", w.admin, []string{"harvest1", "harvest2", "receiving", "shipping", "sowing", "stocking"}},
			{"provincial officer", w.op, []string{"harvest1", "harvest2", "receiving", "shipping", "sowing", "stocking"}},
		} {
			if got := w.seen(t, c.a, "", all...); !slices.Equal(got, c.want) {
				t.Errorf("%s sees %v, want %v", c.who, got, c.want)
			}
		}
		// The same limit applies with query parameters and to the resources.
		if got := w.seen(t, w.millOp, "MATCH_anyEPCClass="+url.QueryEscape(l2), all...); len(got) != 0 {
			t.Errorf("the mill finds the cooperative's other lot: %v", got)
		}
		epcs, _, err := w.svc.Members(w.ctx, w.farmOp, "epcs", "", 100)
		if err != nil || len(epcs) != 0 {
			t.Errorf("the shrimp farm lists identifiers %v %v", epcs, err)
		}
		locs, _, _ := w.svc.Members(w.ctx, w.millOp, "readPoints", "", 100)
		if slices.Contains(locs, w.pond.Identifier) || !slices.Contains(locs, w.field.Identifier) {
			t.Errorf("the mill lists read points %v", locs)
		}
		// Capture recorded the organisation; its job is the cooperative's.
		if coopJob.OrgID != w.coop.ID {
			t.Errorf("capture job for organisation %d, want %d", coopJob.OrgID, w.coop.ID)
		}
		if _, err := w.svc.Job(w.ctx, w.millOp, coopJob.ID); err == nil {
			t.Error("the mill reads the cooperative's capture job")
		}
		if _, err := w.svc.Job(w.ctx, w.coopOp, coopJob.ID); err != nil {
			t.Errorf("the cooperative reads its capture job: %v", err)
		}
		// WD_readPoint on the mill finds the receiving at its drying yard;
		// EQ_readPoint does not.
		if got := w.seen(t, w.admin, "WD_readPoint="+url.QueryEscape(w.millPlace.Identifier), all...); !slices.Equal(got, []string{"receiving"}) {
			t.Errorf("WD_readPoint on the mill: %v", got)
		}
		if got := w.seen(t, w.admin, "EQ_readPoint="+url.QueryEscape(w.millPlace.Identifier), all...); len(got) != 0 {
			t.Errorf("EQ_readPoint on the mill: %v", got)
		}
		if got := w.seen(t, w.admin, "WD_readPoint=urn:epc:id:sgln:8930000.00002.0", all...); !slices.Equal(got, []string{"receiving"}) {
			t.Errorf("WD_readPoint on the mill as an SGLN: %v", got)
		}
	})
}
