package demo_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"egov/internal/app"
	"egov/internal/demo"
	"egov/internal/epcis"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

// traceSteps returns the business steps (short) of the events an actor sees.
func traceSteps(t *testing.T, a *app.App, actor *identity.Actor) []string {
	t.Helper()
	v := url.Values{"perPage": {"1000"}}
	q, err := a.Trace.ParseQuery(v, nil)
	if err != nil {
		t.Fatal(err)
	}
	page, err := a.Trace.QueryEvents(context.Background(), actor, q, v)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range page.Events {
		var ev struct {
			BizStep string `json:"bizStep"`
		}
		json.Unmarshal(e.Body, &ev)
		out = append(out, ev.BizStep[strings.LastIndexAny(ev.BizStep, "-/")+1:])
	}
	return out
}

// The three chains load once, with the master data a provenance page needs
// for the retail bag whose URL the demo prints.
func TestTraceDemo(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a := demoApp(t, db)
		ctx := context.Background()
		all := traceSteps(t, a, identity.SystemActor)
		if len(all) != 46 {
			t.Fatalf("%d events, want 46: %v", len(all), all)
		}
		if err := demo.Load(ctx, a, "mat-khau-dai-du"); err != nil {
			t.Fatal(err)
		}
		if n := len(traceSteps(t, a, identity.SystemActor)); n != 46 {
			t.Fatalf("a second load left %d events", n)
		}
		// The provenance URL names a product and lot the master data knows.
		path := demo.ProvenancePath()
		parts := strings.Split(path, "/") // "", 01, gtin, 10, lot
		p, err := a.Trace.ProductByGTIN(ctx, parts[2])
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		lot, err := a.Trace.Lot(ctx, p.Identifier, parts[4])
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !strings.HasPrefix(parts[2], "0893999") || p.Name("vi") != "Gạo ST25 Sóc Trăng túi 5 kg" {
			t.Errorf("retail bag %s %q", parts[2], p.NameVI)
		}
		certs, err := a.Trace.CertificationsValid(ctx, time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC), epcis.CertSubjects{Orgs: []int64{lot.OrgID}, Products: []int64{p.ID}})
		if err != nil || len(certs) != 1 || certs[0].Scheme != "gi" {
			t.Errorf("certifications of the bag: %+v %v", certs, err)
		}
		// Operators see their step of the chain: the supermarket sees what
		// was shipped to it, not the fields' sowing or the shrimp ponds.
		u, _ := a.Identity.UserByName(ctx, "sieuthi.phuloi")
		shop, _ := a.Identity.ActorFor(ctx, u)
		seen := traceSteps(t, a, shop)
		joined := strings.Join(seen, " ")
		if !strings.Contains(joined, "shipping") || !strings.Contains(joined, "receiving") ||
			strings.Contains(joined, "sowing") || strings.Contains(joined, "feeding") || strings.Contains(joined, "pond_stocking") {
			t.Errorf("the supermarket sees %v", seen)
		}
	})
}
