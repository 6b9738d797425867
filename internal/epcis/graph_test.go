package epcis_test

import (
	"slices"
	"testing"

	"egov"
	"egov/internal/epcis"
	. "egov/internal/epcis/epcistest"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

func captureChain(t *testing.T, f *fixture) {
	t.Helper()
	job, err := f.svc.Capture(f.ctx, f.op, Document(Events()))
	if err != nil {
		t.Fatal(err)
	}
	if !job.Success {
		t.Fatalf("capture failed: %v", job.Errors[0])
	}
}

func nodeIDs(g *epcis.Graph) []string {
	var out []string
	for _, n := range g.Nodes {
		out = append(out, n.ID)
	}
	return out
}

func hasEdge(g *epcis.Graph, from, to, kind string) bool {
	return slices.ContainsFunc(g.Edges, func(e *epcis.GraphEdge) bool { return e.From == from && e.To == to && e.Kind == kind })
}

func TestTraceGraph(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		captureChain(t, f)

		// Upstream from the pallet: the bags, the rice lot, the paddy lots
		// (one through a transformation split over two events), not the
		// lot of the erroneous event nor the unrelated lot.
		g, err := f.svc.TraceGraph(f.ctx, f.op, epcis.GraphQuery{ID: Pallet, Direction: epcis.Upstream})
		if err != nil {
			t.Fatal(err)
		}
		ids := nodeIDs(g)
		for _, want := range []string{Pallet, Bag1, Bag2, RiceLot, Paddy1, Paddy2, Paddy3} {
			if !slices.Contains(ids, want) {
				t.Errorf("upstream of the pallet lacks %s: %v", Short(want), ids)
			}
		}
		for _, not := range []string{Wrong, OtherLot} {
			if slices.Contains(ids, not) {
				t.Errorf("upstream of the pallet has %s", Short(not))
			}
		}
		if !hasEdge(g, Paddy1, RiceLot, "transformation") || !hasEdge(g, Paddy3, RiceLot, "transformation") ||
			!hasEdge(g, Bag1, Pallet, "aggregation") || !hasEdge(g, RiceLot, Bag2, "transformation") {
			t.Errorf("edges: %+v", g.Edges)
		}
		if n := g.Node(Paddy1); n == nil || n.Depth != -3 || n.Kind != "lot" {
			t.Errorf("paddy lot node: %+v", n)
		} else if len(n.Events) != 3 || n.Events[0].EventID != HarvestID {
			t.Errorf("paddy lot stages: %d, first %+v", len(n.Events), n.Events)
		}
		if n := g.Node(Pallet); n.Kind != "logisticUnit" || len(n.Events) != 2 {
			t.Errorf("pallet node: %+v", n)
		}

		// The depth bound: one link up from the pallet reaches the bags only.
		g, err = f.svc.TraceGraph(f.ctx, f.op, epcis.GraphQuery{ID: Pallet, Direction: epcis.Upstream, Depth: 1})
		if err != nil {
			t.Fatal(err)
		}
		if ids := nodeIDs(g); len(ids) != 3 || slices.Contains(ids, RiceLot) {
			t.Errorf("depth 1: %v", ids)
		}

		// Downstream from a paddy lot, written as an EPC-less provincial
		// URI: the rice lot, the bags and the pallet, not its sibling.
		g, err = f.svc.TraceGraph(f.ctx, f.op, epcis.GraphQuery{ID: Paddy1, Direction: epcis.Downstream})
		if err != nil {
			t.Fatal(err)
		}
		ids = nodeIDs(g)
		if !slices.Contains(ids, Pallet) || !slices.Contains(ids, Bag2) || slices.Contains(ids, Paddy2) {
			t.Errorf("downstream of paddy 1: %v", ids)
		}

		// The same lot as an EPC class URN is the same start.
		urn := "urn:epc:class:lgtin:8939999.000012.R2026-01"
		g, err = f.svc.TraceGraph(f.ctx, f.op, epcis.GraphQuery{ID: urn})
		if err != nil {
			t.Fatal(err)
		}
		if g.Start != RiceLot || !slices.Contains(nodeIDs(g), Paddy2) || !slices.Contains(nodeIDs(g), Pallet) {
			t.Errorf("both ways from %s: start %s, nodes %v", urn, g.Start, nodeIDs(g))
		}

		// The node bound.
		g, err = f.svc.TraceGraph(f.ctx, f.op, epcis.GraphQuery{ID: RiceLot, MaxNodes: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Nodes) != 3 || !g.Truncated {
			t.Errorf("bound 3: %d nodes, truncated %v", len(g.Nodes), g.Truncated)
		}

		// Bad questions and who may ask.
		for _, q := range []epcis.GraphQuery{{ID: ""}, {ID: "https://id.gs1.org/01/08939999000121"}, {ID: RiceLot, Direction: "sideways"}, {ID: RiceLot, Depth: 99}} {
			if _, err := f.svc.TraceGraph(f.ctx, f.op, q); egov.ErrorCode(err) != egov.EINVALID {
				t.Errorf("%+v: %v", q, err)
			}
		}
		if _, err := f.svc.TraceGraph(f.ctx, nil, epcis.GraphQuery{ID: RiceLot}); egov.ErrorCode(err) != egov.EUNAUTHORIZED {
			t.Errorf("anonymous: %v", err)
		}
		clerk := f.actor(t, "mot.cua", identity.RoleReceiver)
		if _, err := f.svc.TraceRecall(f.ctx, clerk, RiceLot); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Errorf("receiver: %v", err)
		}
		admin := f.actor(t, "quan.tri", identity.RoleAdmin)
		if _, err := f.svc.TraceGraph(f.ctx, admin, epcis.GraphQuery{ID: RiceLot}); err != nil {
			t.Errorf("admin: %v", err)
		}
	})
}

func TestTraceRecall(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		captureChain(t, f)
		r, err := f.svc.TraceRecall(f.ctx, f.op, Paddy1)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.Lots, []string{Paddy1, RiceLot}) || len(r.Items) != 2 || !slices.Equal(r.LogisticUnits, []string{Pallet}) {
			t.Errorf("recall of paddy 1: lots %v, items %v, units %v", r.Lots, r.Items, r.LogisticUnits)
		}
		var steps []string
		for _, s := range r.Shipments {
			steps = append(steps, s.BizStep+" "+s.IDs[0])
		}
		want := []string{
			epcis.CBVURI("BizStep-", "shipping") + " " + Paddy1, epcis.CBVURI("BizStep-", "receiving") + " " + Paddy1,
			epcis.CBVURI("BizStep-", "shipping") + " " + Pallet, epcis.CBVURI("BizStep-", "receiving") + " " + Pallet,
		}
		if !slices.Equal(steps, want) {
			t.Errorf("shipments:\n got %v\nwant %v", steps, want)
		}
		if last := r.Shipments[2]; !slices.Equal(last.Destinations, []string{"location=" + Shop}) {
			t.Errorf("pallet shipment destinations: %v", last.Destinations)
		}
		// The erroneous transformation's input recalls nothing downstream.
		r, err = f.svc.TraceRecall(f.ctx, f.op, Wrong)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Lots) != 1 || len(r.Shipments) != 0 {
			t.Errorf("recall of a lot whose only use was declared erroneous: %+v", r)
		}
	})
}

// An organisation's operator walks only the events it sees: one step back
// and one step forward of its own; the province sees the whole chain.
func TestTraceGraphVisibility(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		l1 := provincialBase + "/HTX-GIAHOA/pr/LUA-ST25/lot/L1"
		rice := provincialBase + "/XAY-MYXUYEN/pr/GAO-ST25/lot/G1"
		bag := provincialBase + "/XAY-MYXUYEN/lu/BAO-1"
		field := map[string]any{"id": w.field.Identifier}
		w.captureAs(t, w.coopOp, map[string]map[string]any{
			"harvest": {"action": "ADD", "bizStep": "commissioning", "readPoint": field, "quantityList": qty(l1, 7000)},
		})
		yard := map[string]any{"id": w.millYard.Identifier}
		ev := func(typ string, m map[string]any) map[string]any {
			m["type"], m["eventTime"], m["eventTimeZoneOffset"], m["readPoint"] = typ, "2026-02-21T07:00:00+07:00", "+07:00", yard
			return m
		}
		job, err := w.svc.Capture(w.ctx, w.millOp, Document([]map[string]any{
			ev("TransformationEvent", map[string]any{"inputQuantityList": qty(l1, 7000), "outputQuantityList": qty(rice, 4500)}),
			ev("AggregationEvent", map[string]any{"action": "ADD", "parentID": bag, "childQuantityList": qty(rice, 50)}),
		}))
		if err != nil || !job.Success {
			t.Fatalf("capture: %v %+v", err, job)
		}
		down := func(a *identity.Actor) []string {
			g, err := w.svc.TraceGraph(w.ctx, a, epcis.GraphQuery{ID: l1, Direction: epcis.Downstream})
			if err != nil {
				t.Fatal(err)
			}
			return nodeIDs(g)
		}
		if got := down(w.admin); !slices.Equal(got, []string{l1, rice, bag}) {
			t.Errorf("the administrator: %v", got)
		}
		if got := down(w.coopOp); !slices.Equal(got, []string{l1, rice}) {
			t.Errorf("the cooperative: %v", got)
		}
		if got := down(w.farmOp); !slices.Equal(got, []string{l1}) {
			t.Errorf("the shrimp farm: %v", got)
		}

		// A transformation recorded in several events is joined by its
		// transformationID, but only through the events the operator sees:
		// the shrimp farm's event that (by mistake or malice) carries the
		// mill's ID must not show its output to the cooperative.
		l2 := provincialBase + "/HTX-GIAHOA/pr/LUA-ST25/lot/L2"
		rice2 := provincialBase + "/XAY-MYXUYEN/pr/GAO-ST25/lot/G2"
		shrimp := provincialBase + "/TOM-VINHCHAU/pr/TOM/lot/S1"
		frozen := provincialBase + "/TOM-VINHCHAU/pr/TOM-DONG/lot/F1"
		const tid = "urn:uuid:7e57a000-0000-4000-8000-0000000000aa"
		w.captureAs(t, w.coopOp, map[string]map[string]any{
			"harvest-l2": {"action": "ADD", "bizStep": "commissioning", "readPoint": field, "quantityList": qty(l2, 5000)},
		})
		for _, c := range []struct {
			op          *identity.Actor
			id, in, out string
		}{{w.millOp, "urn:uuid:7e57a000-0000-4000-8000-0000000000b1", l2, rice2}, {w.farmOp, "urn:uuid:7e57a000-0000-4000-8000-0000000000b2", shrimp, frozen}} {
			job, err := w.svc.Capture(w.ctx, c.op, Document([]map[string]any{ev("TransformationEvent", map[string]any{"eventID": c.id,
				"transformationID": tid, "inputQuantityList": qty(c.in, 100), "outputQuantityList": qty(c.out, 60)})}))
			if err != nil || !job.Success {
				t.Fatalf("capture: %v %+v", err, job)
			}
		}
		from := func(a *identity.Actor) []string {
			g, err := w.svc.TraceGraph(w.ctx, a, epcis.GraphQuery{ID: l2, Direction: epcis.Downstream})
			if err != nil {
				t.Fatal(err)
			}
			return nodeIDs(g)
		}
		if got := from(w.admin); !slices.Contains(got, frozen) {
			t.Errorf("the administrator does not see the joined transformation: %v", got)
		}
		if got := from(w.coopOp); slices.Contains(got, frozen) || !slices.Contains(got, rice2) {
			t.Errorf("the cooperative through a shared transformationID: %v", got)
		}
	})
}
