package api

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"egov/internal/epcis/epcistest"
	"egov/internal/identity"
)

func TestTraceGraphAndRecall(t *testing.T) {
	fx := sqliteFixture(t)
	u := fx.officer("truyxuat.htx", "mat-khau-truy-xuat", identity.RoleTraceOperator, "")
	a, err := fx.app.Identity.ActorFor(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	job, err := fx.app.Trace.Capture(context.Background(), a, epcistest.Document(epcistest.Events()))
	if err != nil || !job.Success {
		t.Fatalf("capture: %v %+v", err, job)
	}
	op := fx.token("truyxuat.htx", "mat-khau-truy-xuat")
	q := url.QueryEscape

	g := fx.ok("/api/v1/trace/graph?direction=up&id="+q(epcistest.Pallet), op...)
	nodes := list(g, "nodes")
	if len(nodes) != 7 || g["start"] != epcistest.Pallet {
		t.Errorf("upstream of the pallet: %d nodes %s", len(nodes), field(nodes, "id"))
	}
	if edges := list(g, "edges"); len(edges) == 0 || edges[0]["event"].(map[string]any)["eventID"] == "" {
		t.Errorf("edges: %v", edges)
	}
	if g := fx.ok("/api/v1/trace/graph?depth=1&direction=down&id="+q(epcistest.RiceLot), op...); len(list(g, "nodes")) != 3 {
		t.Errorf("one link down from the rice lot: %s", field(list(g, "nodes"), "id"))
	}
	rc := fx.ok("/api/v1/trace/recall?id="+q(epcistest.Paddy1), op...)
	if len(list(rc, "shipments")) != 4 || len(rc["lots"].([]any)) != 2 {
		t.Errorf("recall: %v", rc)
	}

	for target, status := range map[string]int{
		"/api/v1/trace/graph":                                                  http.StatusBadRequest,
		"/api/v1/trace/graph?id=urn:epc:id:sgtin:bad":                          http.StatusBadRequest,
		"/api/v1/trace/graph?depth=40&id=" + q(epcistest.RiceLot):              http.StatusBadRequest,
		"/api/v1/trace/graph?direction=left&id=" + q(epcistest.RiceLot):        http.StatusBadRequest,
		"/api/v1/trace/recall?id=" + q("https://id.gs1.org/01/08939999000121"): http.StatusBadRequest,
	} {
		if r := fx.get(target, op...); r.Status != status {
			t.Errorf("%s: %d, want %d", target, r.Status, status)
		}
	}
	if r := fx.get("/api/v1/trace/recall?id=" + q(epcistest.Paddy1)); r.Status != http.StatusUnauthorized {
		t.Errorf("without a token: %d", r.Status)
	}
	fx.officer("motcua.x", "mat-khau-mot-cua", identity.RoleReceiver, "")
	if r := fx.get("/api/v1/trace/graph?id="+q(epcistest.Paddy1), fx.token("motcua.x", "mat-khau-mot-cua")...); r.Status != http.StatusForbidden {
		t.Errorf("a receiver: %d", r.Status)
	}
}
