package epcisapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"egov/internal/demo"
	"egov/internal/epcis"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

// An operator's token captures for its organisation and its queries and
// subscriptions see what that organisation may see: another organisation's
// unrelated events reach it by no route.
func TestOperatorsSeeTheirOrganisationOnly(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		operator := f.operators(t)
		a, b := operator("nong.dan.a", "NONG-A"), operator("nong.dan.b", "NONG-B")

		got := make(chan string, 10)
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			got <- string(body)
		}))
		defer hook.Close()
		f.app.Trace.Client = hook.Client()
		if r := f.do("POST", "/epcis/queries", a, `{"name": "moi-su-kien", "query": {}}`); r.status != 201 {
			t.Fatalf("query: %d %s", r.status, r.body)
		}
		if r := f.do("POST", "/epcis/queries/moi-su-kien/subscriptions", a, `{"dest": "`+hook.URL+`", "stream": true}`); r.status != 201 {
			t.Fatalf("subscribe: %d %s", r.status, r.body)
		}
		// B captures: A's subscription gets nothing, A's queries find nothing.
		if r := f.do("POST", "/epcis/capture", b, example(t, "Example_9.6.1-ObjectEvent.jsonld")); r.status != 202 {
			t.Fatalf("capture: %d %s", r.status, r.body)
		}
		if _, err := f.app.Jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Fatalf("B's events were delivered to A: %s", <-got)
		}
		if r := f.do("GET", "/epcis/events", a, ""); r.status != 200 || strings.Contains(r.body, "ObjectEvent") {
			t.Errorf("A's query: %d %s", r.status, r.body)
		}
		r := f.do("GET", "/epcis/events", b, "")
		if r.status != 200 || !strings.Contains(r.body, "ObjectEvent") {
			t.Errorf("B's query: %d %s", r.status, r.body)
		}
		var doc struct {
			EPCISBody struct {
				QueryResults struct {
					ResultsBody struct {
						EventList []struct {
							EventID string `json:"eventID"`
						} `json:"eventList"`
					} `json:"resultsBody"`
				} `json:"queryResults"`
			} `json:"epcisBody"`
		}
		json.Unmarshal([]byte(r.body), &doc)
		events := doc.EPCISBody.QueryResults.ResultsBody.EventList
		if len(events) == 0 {
			t.Fatalf("B's events: %s", r.body)
		}
		path := "/epcis/events/" + url.PathEscape(events[0].EventID)
		problem(t, "A reads B's event", f.do("GET", path, a, ""), 404, "epcisException:NoSuchResourceException")
		if r := f.do("GET", path, b, ""); r.status != 200 {
			t.Errorf("B reads its event: %d %s", r.status, r.body)
		}
		if r := f.do("GET", "/epcis/epcs", a, ""); strings.Contains(r.body, "urn:epc:id:sgtin") {
			t.Errorf("A lists B's identifiers: %s", r.body)
		}
		// A captures: its subscription gets it.
		if r := f.do("POST", "/epcis/capture", a, example(t, "Example_9.6.4-TransformationEvent.jsonld")); r.status != 202 {
			t.Fatalf("capture: %d %s", r.status, r.body)
		}
		if _, err := f.app.Jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case body := <-got:
			if !strings.Contains(body, "TransformationEvent") || strings.Contains(body, "ObjectEvent") {
				t.Errorf("A's delivery: %s", body)
			}
		default:
			t.Error("A's own capture was not delivered")
		}
	})
}

// operators loads the units and returns a function that makes an
// organisation and a trace operator of it, and returns the operator's
// token.
func (f *fixture) operators(t *testing.T) func(name, code string) string {
	ctx := context.Background()
	if err := demo.LoadUnits(ctx, f.app.Units); err != nil {
		t.Fatal(err)
	}
	g, _ := f.app.Units.Graph(ctx)
	unit := g.Latest("31726").ID
	return func(name, code string) string {
		o, err := f.app.Trace.CreateOrganisation(ctx, identity.SystemActor, epcis.Organisation{Code: code, Kind: epcis.OrgProducer, Name: code, UnitID: unit})
		if err != nil {
			t.Fatal(err)
		}
		u, err := f.app.Identity.CreateOfficer(ctx, identity.SystemActor, identity.NewUser{Username: name, FullName: "Người " + name, Password: "mat-khau-dai"},
			identity.RoleTraceOperator, unit)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.Trace.SetMember(ctx, identity.SystemActor, u.ID, o.ID); err != nil {
			t.Fatal(err)
		}
		tok, err := f.app.Identity.NewSession(ctx, u.ID, identity.APIToken)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
}

// Named queries are each organisation's own: B neither sees, runs,
// subscribes to nor deletes A's, and both may use one name.
func TestNamedQueriesPerOrganisation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		operator := f.operators(t)
		a, b := operator("nong.dan.a", "NONG-A"), operator("nong.dan.b", "NONG-B")
		for tok, def := range map[string]string{
			a: `{"name": "giao-hang", "query": {"EQ_bizStep": ["shipping"]}}`,
			b: `{"name": "giao-hang", "query": {"EQ_bizStep": ["receiving"]}}`,
		} {
			if r := f.do("POST", "/epcis/queries", tok, def); r.status != 201 {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
		}
		if r := f.do("POST", "/epcis/queries", a, `{"name": "rieng-a", "query": {}}`); r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		problem(t, "a name taken in A", f.do("POST", "/epcis/queries", a, `{"name": "rieng-a", "query": {}}`), 409, "epcisException:ValidationException")
		if r := f.do("GET", "/epcis/queries", b, ""); r.status != 200 || r.body != `[{"name":"giao-hang","query":{"EQ_bizStep":["receiving"]}}]`+"\n" {
			t.Errorf("B lists: %d %s", r.status, r.body)
		}
		if r := f.do("GET", "/epcis/queries/giao-hang", a, ""); r.status != 200 || !strings.Contains(r.body, "shipping") {
			t.Errorf("A's giao-hang: %d %s", r.status, r.body)
		}
		problem(t, "B reads A's query", f.do("GET", "/epcis/queries/rieng-a", b, ""), 404, "epcisException:NoSuchNameException")
		problem(t, "B runs A's query", f.do("GET", "/epcis/queries/rieng-a/events", b, ""), 404, "epcisException:NoSuchNameException")
		problem(t, "B subscribes to A's query", f.do("POST", "/epcis/queries/rieng-a/subscriptions", b,
			`{"dest": "https://b.example/hook", "schedule": {"hour": "1"}}`), 404, "epcisException:NoSuchNameException")
		problem(t, "B lists the subscriptions to A's query", f.do("GET", "/epcis/queries/rieng-a/subscriptions", b, ""), 404, "epcisException:NoSuchNameException")
		problem(t, "B deletes A's query", f.do("DELETE", "/epcis/queries/rieng-a", b, ""), 404, "epcisException:NoSuchNameException")
		if r := f.do("GET", "/epcis/queries/rieng-a/events", a, ""); r.status != 200 {
			t.Errorf("A runs its query: %d %s", r.status, r.body)
		}
		// A's subscription to its giao-hang is not under B's.
		r := f.do("POST", "/epcis/queries/giao-hang/subscriptions", a, `{"dest": "https://a.example/hook", "schedule": {"hour": "1"}}`)
		if r.status != 201 {
			t.Fatalf("A subscribes: %d %s", r.status, r.body)
		}
		loc := r.header.Get("Location")
		problem(t, "B reads A's subscription", f.do("GET", loc, b, ""), 404, "epcisException:NoSuchResourceException")
		problem(t, "B deletes A's subscription", f.do("DELETE", loc, b, ""), 404, "epcisException:NoSuchResourceException")
		if r := f.do("GET", "/epcis/queries/giao-hang/subscriptions", b, ""); r.status != 200 || r.body != "[]\n" {
			t.Errorf("B lists: %d %s", r.status, r.body)
		}
		if r := f.do("GET", loc, a, ""); r.status != 200 {
			t.Errorf("A reads its subscription: %d %s", r.status, r.body)
		}
		// B deletes its giao-hang; A's remains.
		if r := f.do("DELETE", "/epcis/queries/giao-hang", b, ""); r.status != 204 {
			t.Fatalf("B deletes: %d %s", r.status, r.body)
		}
		if r := f.do("GET", "/epcis/queries/giao-hang", a, ""); r.status != 200 {
			t.Errorf("A's giao-hang after B deleted its own: %d %s", r.status, r.body)
		}
		if r := f.do("GET", loc, a, ""); r.status != 200 {
			t.Errorf("A's subscription after B deleted its giao-hang: %d %s", r.status, r.body)
		}
	})
}
