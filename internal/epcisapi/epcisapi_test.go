package epcisapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"egov/internal/app"
	"egov/internal/epcis"
	"egov/internal/identity"
	"egov/internal/server"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

const dataDir = "../../../shared/data/epcis"

type fixture struct {
	t     *testing.T
	ts    *httptest.Server
	app   *app.App
	token string // a trace operator's
	clerk string // a receiver's
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	a := app.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	a.Trace.Now = func() time.Time { return time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC) }
	f := &fixture{t: t, app: a, ts: httptest.NewServer(server.New(a))}
	t.Cleanup(f.ts.Close)
	f.token = f.tokenFor("van.hanh", identity.RoleTraceOperator)
	f.clerk = f.tokenFor("mot.cua", identity.RoleReceiver)
	return f
}

func (f *fixture) tokenFor(name string, role identity.Role) string {
	ctx := context.Background()
	u, err := f.app.Identity.CreateOfficer(ctx, identity.SystemActor, identity.NewUser{Username: name, FullName: "Cán bộ " + name, Password: "mat-khau-dai"}, role, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	tok, err := f.app.Identity.NewSession(ctx, u.ID, identity.APIToken)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r *response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.body)
	}
	return m
}

func (f *fixture) do(method, path, token, body string) *response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/ld+json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &response{res.StatusCode, res.Header, string(b)}
}

// problem checks that r is an RFC 7807 problem of the given type.
func problem(t *testing.T, what string, r *response, status int, typ string) {
	t.Helper()
	if r.status != status || r.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("%s: %d %s, want %d problem+json: %s", what, r.status, r.header.Get("Content-Type"), status, r.body)
		return
	}
	m := r.json(t)
	if m["type"] != typ || m["status"] != float64(status) {
		t.Errorf("%s: problem %v, want type %s", what, m, typ)
	}
}

func example(t *testing.T, name string) string {
	b, err := os.ReadFile(filepath.Join(dataDir, "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCaptureAndQuery(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		doc := example(t, "Example_9.6.1-ObjectEvent.jsonld")

		problem(t, "no token", f.do("POST", "/epcis/capture", "", doc), 401, "epcisException:SecurityException")
		problem(t, "receiver", f.do("POST", "/epcis/capture", f.clerk, doc), 403, "epcisException:SecurityException")
		problem(t, "invalid", f.do("POST", "/epcis/capture", f.token, strings.Replace(doc, `"OBSERVE"`, `"LOOK"`, 1)), 400, "epcisException:ValidationException")

		r := f.do("POST", "/epcis/capture", f.token, doc)
		if r.status != 202 || !strings.HasPrefix(r.header.Get("Location"), "/epcis/capture/") {
			t.Fatalf("capture: %d %v %s", r.status, r.header, r.body)
		}
		job := f.do("GET", r.header.Get("Location"), f.token, "")
		if m := job.json(t); job.status != 200 || m["success"] != true || m["running"] != false || m["eventCount"] != float64(2) {
			t.Fatalf("job: %d %s", job.status, job.body)
		}
		// The same document again: accepted for processing, then failed.
		r = f.do("POST", "/epcis/capture", f.token, doc)
		job = f.do("GET", r.header.Get("Location"), f.token, "")
		if m := job.json(t); m["success"] != false || len(m["errors"].([]any)) != 1 {
			t.Errorf("duplicate capture job: %s", job.body)
		}
		problem(t, "unknown job", f.do("GET", "/epcis/capture/999", f.token, ""), 404, "epcisException:NoSuchResourceException")

		// One event: 201, then 409.
		ev := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://ex.example/"}],
			"type": "AggregationEvent", "eventTime": "2026-03-01T09:00:00+07:00", "eventTimeZoneOffset": "+07:00",
			"parentID": "https://truyxuat.example.gov.vn/id/HTX-ST25/lu/BAO-0001", "ex:note": "bao 25 kg",
			"childQuantityList": [{"epcClass": "https://truyxuat.example.gov.vn/id/HTX-ST25/pr/ST25/lot/L2026-01", "quantity": 25, "uom": "KGM"}],
			"action": "ADD", "bizStep": "packing", "readPoint": {"id": "https://truyxuat.example.gov.vn/id/HTX-ST25/loc/xuong"}}`
		r = f.do("POST", "/epcis/events", f.token, ev)
		loc := r.header.Get("Location")
		if r.status != 201 || !strings.HasPrefix(loc, "/epcis/events/ni:") {
			t.Fatalf("event: %d %v %s", r.status, loc, r.body)
		}
		problem(t, "duplicate event", f.do("POST", "/epcis/events", f.token, ev), 409, "epcisException:ValidationException")
		got := f.do("GET", loc, f.token, "")
		if got.status != 200 || !strings.Contains(got.body, `"ex:note":"bao 25 kg"`) || !strings.Contains(got.body, `"ex":"https://ex.example/"`) {
			t.Errorf("event by id: %d %s", got.status, got.body)
		}

		if r := f.do("POST", "/epcis/capture", f.token, example(t, "Example_9.6.4-TransformationEvent.jsonld")); r.status != 202 {
			t.Fatalf("transformation: %d %s", r.status, r.body)
		}
		decl := strings.Replace(ev, `"action"`, `"errorDeclaration": {"declarationTime": "2026-03-02T01:00:00Z", "reason": "did_not_occur"}, "action"`, 1)
		if r := f.do("POST", "/epcis/events", f.token, decl); r.status != 201 {
			t.Fatalf("declaration: %d %s", r.status, r.body)
		}

		// Queries.
		count := func(query string) int {
			t.Helper()
			r := f.do("GET", "/epcis/events?"+query, f.token, "")
			if r.status != 200 {
				t.Fatalf("%s: %d %s", query, r.status, r.body)
			}
			m := r.json(t)
			return len(m["epcisBody"].(map[string]any)["queryResults"].(map[string]any)["resultsBody"].(map[string]any)["eventList"].([]any))
		}
		for _, c := range []struct {
			q    string
			want int
		}{
			{"", 5},
			{"MATCH_inputEPC=https://id.gs1.org/01/04012345111224/21/25", 1},
			{"MATCH_inputEPC=urn:epc:id:sgtin:4012345.077889.25", 0},
			{"MATCH_outputEPC=urn:epc:id:sgtin:4012345.077889.25|urn:epc:id:sgtin:4012345.077889.99", 1},
			{"MATCH_anyEPC=urn:epc:id:sgtin:4012345.077889.26", 1},
			{"MATCH_inputEPCClass=urn:epc:class:lgtin:4012345.011111.4444", 1},
			{"MATCH_anyEPCClass=https://id.gs1.org/01/04012345666663", 1},
			{"EQ_eventID=ni:///sha-256%3Be65c3a997e77f34b58306da7a82ab0fc91c7820013287700f0b50345e5795b97?ver=CBV2.0", 1},
			{"EXISTS_errorDeclaration", 1},
			{"EQ_errorReason=did_not_occur", 1},
			{"EQ_errorReason=incorrect_data", 0},
			{"EQ_bizLocation=urn:epc:id:sgln:0012345.11111.0", 1},
			{"EQ_bizTransaction_po=http://transaction.acme.com/po/12345678", 2},
			{"EQ_bizTransaction_desadv=urn:epcglobal:cbv:bt:0614141073467:1152|urn:x:y", 1},
			{"EQ_bizTransaction_inv=http://transaction.acme.com/po/12345678", 0},
			{"EQ_quantity=25", 2},
			{"GT_quantity=25", 1},
			{"GE_quantity_KGM=10&LT_quantity=11", 1},
			{"LE_quantity_KGM=9", 0},
			{"GE_errorDeclaration_Time=2026-03-02T00:00:00Z", 1},
			{"LT_errorDeclaration_Time=2026-03-02T00:00:00Z", 0},
			{"EXISTS_sensorElementList", 0},
			{"eventType=ObjectEvent", 2},
			{"eventType=AggregationEvent|TransformationEvent", 3},
			{"EQ_bizStep=shipping", 1},
			{"EQ_bizStep=https://ref.gs1.org/cbv/BizStep-receiving|packing", 3},
			{"EQ_action=ADD", 2},
			{"EQ_disposition=in_transit", 1},
			{"EQ_readPoint=urn:epc:id:sgln:0614141.07346.1234", 1},
			{"EQ_readPoint=https://id.gs1.org/414/0614141073467/254/1234", 1},
			{"MATCH_epc=urn:epc:id:sgtin:0614141.107346.2017", 1},
			{"MATCH_epc=https://example.com/01/10614141073464/21/2018", 2},
			{"MATCH_epc=urn:epc:idpat:sgtin:0614141.107346.*", 2},
			{"MATCH_anyEPC=https://truyxuat.example.gov.vn/id/HTX-ST25/lu/BAO-0001", 2},
			{"MATCH_parentID=https://truyxuat.example.gov.vn/id/HTX-ST25/lu/BAO-0001", 2},
			{"MATCH_epc=https://truyxuat.example.gov.vn/id/HTX-ST25/lu/BAO-0001", 0},
			{"MATCH_epcClass=https://truyxuat.example.gov.vn/id/HTX-ST25/pr/ST25/lot/L2026-01", 2},
			{"GE_eventTime=2005-04-04T00:00:00Z&LT_eventTime=2005-04-05T00:00:00Z", 1},
			{"GE_recordTime=2026-03-02T08:30:00Z", 5},
			{"LT_recordTime=2026-03-02T08:30:00Z", 0},
			{"eventCountLimit=2", 2},
			// A URI that is no valid key is looked for as it is.
			{"MATCH_epc=urn:epc:id:sgtin:0614141.107346", 0},
		} {
			if n := count(c.q); n != c.want {
				t.Errorf("%s: %d events, want %d", c.q, n, c.want)
			}
		}
		for _, q := range []string{"foo=1", "EQ_action=LOOK", "GE_eventTime=yesterday", "orderBy=bizStep", "perPage=0",
			"eventType=ObjectEvent&eventType=AggregationEvent", "MATCH_epc=not-a-uri", "nextPageToken=%%%",
			"EQ_bizStep=|shipping", "EQ_bizTransaction_=x", "GT_quantity=many", "GT_quantity_kg=1", "EQ_source_owning_party=not%20a%20uri"} {
			problem(t, q, f.do("GET", "/epcis/events?"+q, f.token, ""), 400, "epcisException:QueryParameterException")
		}
		problem(t, "maxEventCount", f.do("GET", "/epcis/events?maxEventCount=2", f.token, ""), 413, "epcisException:QueryTooLargeException")
		problem(t, "receiver queries", f.do("GET", "/epcis/events", f.clerk, ""), 403, "epcisException:SecurityException")

		// Pages of one, newest event time first, followed by Link.
		next := "/epcis/events?perPage=1&orderBy=eventTime&orderDirection=DESC"
		var times []string
		for next != "" {
			r := f.do("GET", next, f.token, "")
			m := r.json(t)
			for _, e := range m["epcisBody"].(map[string]any)["queryResults"].(map[string]any)["resultsBody"].(map[string]any)["eventList"].([]any) {
				times = append(times, e.(map[string]any)["eventTime"].(string))
			}
			next = ""
			if l := r.header.Get("Link"); l != "" {
				u := strings.TrimSuffix(strings.TrimPrefix(l, "<"), `>; rel="next"`)
				next = u
			}
			if len(times) > 6 {
				t.Fatal("paging does not end")
			}
		}
		if strings.Join(times, " ") != "2026-03-01T09:00:00+07:00 2026-03-01T09:00:00+07:00 2013-10-31T14:58:56.591Z 2005-04-04T20:33:31.116-06:00 2005-04-03T20:33:31.116000-06:00" {
			t.Errorf("pages: %v", times)
		}
		// The top-level resources.
		members := func(path string) []any {
			t.Helper()
			r := f.do("GET", path, f.token, "")
			if r.status != 200 {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
			return r.json(t)["member"].([]any)
		}
		if m := members("/epcis/eventTypes"); len(m) != 5 || m[2] != "ObjectEvent" {
			t.Errorf("eventTypes: %v", m)
		}
		if m := members("/epcis/bizSteps?perPage=100"); len(m) != 41 {
			t.Errorf("bizSteps: %d members", len(m))
		}
		if m := members("/epcis/readPoints"); len(m) != 4 || m[3] != "https://truyxuat.example.gov.vn/id/HTX-ST25/loc/xuong" {
			t.Errorf("readPoints: %v", m)
		}
		var epcs []any
		for next := "/epcis/epcs?perPage=4"; next != ""; {
			r := f.do("GET", next, f.token, "")
			epcs = append(epcs, r.json(t)["member"].([]any)...)
			next = strings.TrimSuffix(strings.TrimPrefix(r.header.Get("Link"), "<"), `>; rel="next"`)
		}
		if len(epcs) != 9 || epcs[0] != "https://id.gs1.org/01/04000001654321/21/99886655" {
			t.Errorf("epcs: %v", epcs)
		}
		if m := members("/epcis/bizSteps/shipping"); len(m) != 1 || m[0] != "events" {
			t.Errorf("bizSteps/shipping: %v", m)
		}
		for path, want := range map[string]int{
			"/epcis/bizSteps/shipping/events":                                                                          1,
			"/epcis/eventTypes/ObjectEvent/events?EQ_action=OBSERVE":                                                   2,
			"/epcis/epcs/" + url.PathEscape("urn:epc:id:sgtin:0614141.107346.2018") + "/events":                        2,
			"/epcis/readPoints/" + url.PathEscape("https://truyxuat.example.gov.vn/id/HTX-ST25/loc/xuong") + "/events": 2,
		} {
			r := f.do("GET", path, f.token, "")
			if r.status != 200 {
				t.Errorf("%s: %d %s", path, r.status, r.body)
				continue
			}
			m := r.json(t)
			if n := len(m["epcisBody"].(map[string]any)["queryResults"].(map[string]any)["resultsBody"].(map[string]any)["eventList"].([]any)); n != want {
				t.Errorf("%s: %d events, want %d", path, n, want)
			}
		}
		problem(t, "param set twice", f.do("GET", "/epcis/bizSteps/shipping/events?EQ_bizStep=packing", f.token, ""), 400, "epcisException:QueryParameterException")

		// A token is bound to its query.
		r = f.do("GET", "/epcis/events?perPage=1", f.token, "")
		link := r.header.Get("Link")
		u, _ := url.Parse(strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`))
		tok := u.Query().Get("nextPageToken")
		problem(t, "foreign token", f.do("GET", "/epcis/events?perPage=2&nextPageToken="+tok, f.token, ""), 400, "epcisException:QueryParameterException")
	})
}

func TestDiscovery(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	r := f.do("OPTIONS", "/epcis/capture", "", "")
	if r.status != 204 || r.header.Get("GS1-EPCIS-Version") != "2.0.0" || r.header.Get("GS1-CBV-Version") != "2.0.0" ||
		r.header.Get("GS1-EPCIS-Capture-Limit") != "2000" || r.header.Get("GS1-EPC-Format") == "" || r.header.Get("Allow") != "OPTIONS, POST" {
		t.Errorf("OPTIONS /epcis/capture: %d %v", r.status, r.header)
	}
	if _, ok := r.header["Gs1-Extensions"]; !ok {
		t.Errorf("no GS1-Extensions header")
	}
	r = f.do("OPTIONS", "/epcis/events", "", "")
	if r.status != 204 || r.header.Get("Allow") != "OPTIONS, GET, POST" {
		t.Errorf("OPTIONS /epcis/events: %d %v", r.status, r.header)
	}
	problem(t, "unknown path", f.do("GET", "/epcis/nothing", f.token, ""), 404, "epcisException:NoSuchResourceException")
	r = f.do("DELETE", "/epcis/events", f.token, "")
	if r.status != 405 || r.header.Get("Allow") != "GET, POST, OPTIONS" {
		t.Errorf("DELETE /epcis/events: %d %v", r.status, r.header)
	}
	// Other versions and formats are refused.
	for h, v := range map[string]string{"GS1-EPCIS-Version": "1.2", "Accept": "application/xml"} {
		req, _ := http.NewRequest("GET", f.ts.URL+"/epcis/events", nil)
		req.Header.Set("Authorization", "Bearer "+f.token)
		req.Header.Set(h, v)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotAcceptable {
			t.Errorf("%s: %s: %d", h, v, res.StatusCode)
		}
	}
	// Capture is all or nothing.
	req, _ := http.NewRequest("POST", f.ts.URL+"/epcis/capture", strings.NewReader(example(t, "Example_9.6.1-ObjectEvent.jsonld")))
	req.Header.Set("Authorization", "Bearer "+f.token)
	req.Header.Set("GS1-Capture-Error-Behaviour", "proceed")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusNotImplemented {
		t.Errorf("proceed: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	// The announced size limit is enforced.
	f.app.Trace.Limits.MaxBytes = 64
	problem(t, "too large", f.do("POST", "/epcis/capture", f.token, example(t, "Example_9.6.1-ObjectEvent.jsonld")), 413, "epcisException:CaptureLimitExceededException")
}

// Extension parameters take their prefixes from the GS1-Extensions header.
func TestExtensionPrefixes(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	if r := f.do("POST", "/epcis/capture", f.token, example(t, "Example_9.6.1-ObjectEvent.jsonld")); r.status != 202 {
		t.Fatalf("capture: %d %s", r.status, r.body)
	}
	query := func(header string) *response {
		req, _ := http.NewRequest("GET", f.ts.URL+"/epcis/events?EQ_my:myField=Example%20of%20a%20vendor%2Fuser%20extension", nil)
		req.Header.Set("Authorization", "Bearer "+f.token)
		if header != "" {
			req.Header.Set("GS1-Extensions", header)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return &response{res.StatusCode, res.Header, string(b)}
	}
	// The example writes example:myField with example = http://ns.example.com/epcis/.
	if r := query("my=http://ns.example.com/epcis/"); r.status != 200 || strings.Count(r.body, `"example:myField"`) != 1 {
		t.Errorf("declared prefix: %d %s", r.status, r.body)
	}
	if r := query(""); r.status != 200 || strings.Contains(r.body, `"example:myField"`) {
		t.Errorf("undeclared prefix matched: %d %s", r.status, r.body)
	}
	problem(t, "malformed header", query("my"), 400, "epcisException:QueryParameterException")
}

func TestNamedQueries(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		if r := f.do("POST", "/epcis/capture", f.token, example(t, "Example_9.6.1-ObjectEvent.jsonld")); r.status != 202 {
			t.Fatalf("capture: %d %s", r.status, r.body)
		}
		def := `{"name": "hang-da-giao", "query": {"eventType": ["ObjectEvent"], "EQ_bizStep": ["shipping", "receiving"], "orderBy": "eventTime"}}`
		r := f.do("POST", "/epcis/queries", f.token, def)
		if r.status != 201 || r.header.Get("Location") != "/epcis/queries/hang-da-giao" {
			t.Fatalf("create: %d %v %s", r.status, r.header, r.body)
		}
		problem(t, "taken name", f.do("POST", "/epcis/queries", f.token, def), 409, "epcisException:ValidationException")
		problem(t, "bad query", f.do("POST", "/epcis/queries", f.token, `{"name": "x", "query": {"EQ_action": ["SHIPPED"]}}`), 400, "epcisException:QueryParameterException")
		problem(t, "bad body", f.do("POST", "/epcis/queries", f.token, `{"name": "x"}`), 400, "epcisException:ValidationException")
		if r := f.do("GET", "/epcis/queries", f.token, ""); r.status != 200 || !strings.Contains(r.body, `"name":"hang-da-giao"`) {
			t.Errorf("list: %d %s", r.status, r.body)
		}
		if r := f.do("GET", "/epcis/queries/hang-da-giao", f.token, ""); r.status != 200 || !strings.Contains(r.body, `"EQ_bizStep"`) {
			t.Errorf("get: %d %s", r.status, r.body)
		}
		var times []string
		for next := "/epcis/queries/hang-da-giao/events?perPage=1"; next != ""; {
			r := f.do("GET", next, f.token, "")
			if r.status != 200 {
				t.Fatalf("%s: %d %s", next, r.status, r.body)
			}
			for _, e := range r.json(t)["epcisBody"].(map[string]any)["queryResults"].(map[string]any)["resultsBody"].(map[string]any)["eventList"].([]any) {
				times = append(times, e.(map[string]any)["eventTime"].(string))
			}
			next = strings.TrimSuffix(strings.TrimPrefix(r.header.Get("Link"), "<"), `>; rel="next"`)
			if len(times) > 3 {
				t.Fatal("paging does not end")
			}
		}
		if len(times) != 2 || times[0] > times[1] {
			t.Errorf("named query events: %v", times)
		}
		problem(t, "other parameter", f.do("GET", "/epcis/queries/hang-da-giao/events?EQ_action=ADD", f.token, ""), 400, "epcisException:QueryParameterException")
		other := f.tokenFor("van.hanh.2", identity.RoleTraceOperator)
		problem(t, "not the creator", f.do("DELETE", "/epcis/queries/hang-da-giao", other, ""), 403, "epcisException:SecurityException")
		if r := f.do("DELETE", "/epcis/queries/hang-da-giao", f.token, ""); r.status != 204 {
			t.Errorf("delete: %d %s", r.status, r.body)
		}
		problem(t, "deleted", f.do("GET", "/epcis/queries/hang-da-giao", f.token, ""), 404, "epcisException:NoSuchNameException")
	})
}

// A stream subscription receives each capture's matching events, signed.
func TestSubscriptions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		type delivery struct {
			body, signature string
		}
		got := make(chan delivery, 10)
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got <- delivery{string(b), r.Header.Get("GS1-Signature")}
		}))
		defer hook.Close()
		f.app.Trace.Client = hook.Client()

		def := `{"name": "giao-hang", "query": {"EQ_bizStep": ["shipping"]}}`
		if r := f.do("POST", "/epcis/queries", f.token, def); r.status != 201 {
			t.Fatalf("query: %d %s", r.status, r.body)
		}
		problem(t, "neither stream nor schedule", f.do("POST", "/epcis/queries/giao-hang/subscriptions", f.token, `{"dest": "`+hook.URL+`"}`), 400, "epcisException:SubscriptionControlsException")
		problem(t, "no query", f.do("POST", "/epcis/queries/nothing/subscriptions", f.token, `{"dest": "`+hook.URL+`", "stream": true}`), 404, "epcisException:NoSuchNameException")
		r := f.do("POST", "/epcis/queries/giao-hang/subscriptions", f.token, `{"dest": "`+hook.URL+`", "signatureToken": "bi-mat", "stream": true}`)
		if r.status != 201 || strings.Contains(r.body, "bi-mat") {
			t.Fatalf("subscribe: %d %s", r.status, r.body)
		}
		loc := r.header.Get("Location")
		if r := f.do("GET", "/epcis/queries/giao-hang/subscriptions", f.token, ""); r.status != 200 || !strings.Contains(r.body, `"stream":true`) {
			t.Errorf("list: %d %s", r.status, r.body)
		}

		run := func() {
			t.Helper()
			if _, err := f.app.Jobs.RunDue(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		// 9.6.1 has one shipping event of two.
		if r := f.do("POST", "/epcis/capture", f.token, example(t, "Example_9.6.1-ObjectEvent.jsonld")); r.status != 202 {
			t.Fatalf("capture: %d %s", r.status, r.body)
		}
		run()
		select {
		case d := <-got:
			if d.signature != epcis.Signature("bi-mat", []byte(d.body)) {
				t.Errorf("signature %q does not sign the body", d.signature)
			}
			var doc map[string]any
			json.Unmarshal([]byte(d.body), &doc)
			qr := doc["epcisBody"].(map[string]any)["queryResults"].(map[string]any)
			events := qr["resultsBody"].(map[string]any)["eventList"].([]any)
			if len(events) != 1 || events[0].(map[string]any)["bizStep"] != "shipping" || qr["queryName"] != "giao-hang" || qr["subscriptionID"] == "" {
				t.Errorf("delivery: %s", d.body)
			}
		default:
			t.Fatal("nothing delivered")
		}
		if r := f.do("GET", loc, f.token, ""); !strings.Contains(r.body, "lastNotifiedAt") {
			t.Errorf("not marked notified: %s", r.body)
		}
		// Nothing that matches: nothing sent.
		if r := f.do("POST", "/epcis/capture", f.token, example(t, "Example_9.6.4-TransformationEvent.jsonld")); r.status != 202 {
			t.Fatalf("capture: %d %s", r.status, r.body)
		}
		run()
		if len(got) != 0 {
			t.Errorf("an empty result was delivered: %s", (<-got).body)
		}
		// Unsubscribed: nothing more.
		if r := f.do("DELETE", loc, f.token, ""); r.status != 204 {
			t.Fatalf("unsubscribe: %d %s", r.status, r.body)
		}
		if r := f.do("POST", "/epcis/capture", f.token, strings.ReplaceAll(example(t, "Example_9.6.2-ObjectEvent.jsonld"), `"receiving"`, `"shipping"`)); r.status != 202 {
			t.Fatalf("capture: %d %s", r.status, r.body)
		}
		run()
		if len(got) != 0 {
			t.Errorf("delivered after unsubscribing")
		}
		problem(t, "gone", f.do("GET", loc, f.token, ""), 404, "epcisException:NoSuchResourceException")
	})
}

// A scheduled subscription is made, shown, run on its schedule and
// deleted; a request that is not one is refused with the standard's
// exception.
func TestScheduledSubscriptions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		now := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		f.app.Trace.Now = func() time.Time { return now }
		f.app.Jobs.Now = f.app.Trace.Now
		type delivery struct {
			body, signature string
		}
		got := make(chan delivery, 10)
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got <- delivery{string(b), r.Header.Get("GS1-Signature")}
		}))
		defer hook.Close()
		f.app.Trace.Client = hook.Client()
		if r := f.do("POST", "/epcis/queries", f.token, `{"name": "giao-hang", "query": {"EQ_bizStep": ["shipping"]}}`); r.status != 201 {
			t.Fatalf("query: %d %s", r.status, r.body)
		}
		const path = "/epcis/queries/giao-hang/subscriptions"
		dest := `"dest": "` + hook.URL + `"`
		for body, typ := range map[string]string{
			`{` + dest + `}`: "SubscriptionControlsException",
			`{` + dest + `, "stream": true, "schedule": {"hour": "1"}}`:                   "SubscriptionControlsException",
			`{` + dest + `, "schedule": {"hour": "24"}}`:                                  "SubscriptionControlsException",
			`{` + dest + `, "schedule": {"minute": "0/15"}}`:                              "SubscriptionControlsException",
			`{` + dest + `, "schedule": {"hour": "1-5"}}`:                                 "SubscriptionControlsException",
			`{` + dest + `, "schedule": {"year": "2026"}}`:                                "SubscriptionControlsException",
			`{` + dest + `, "schedule": {"second": "[0-59]"}}`:                            "SubscriptionControlsException",
			`{` + dest + `, "schedule": {"dayOfMonth": "31", "month": "2"}}`:              "SubscriptionControlsException",
			`{` + dest + `, "schedule": "daily"}`:                                         "SubscriptionControlsException",
			`{` + dest + `, "schedule": {"hour": "1"}, "initialRecordTime": "yesterday"}`: "SubscriptionControlsException",
			`{` + dest + `, "stream": true, "initialRecordTime": "2026-03-01T00:00:00Z"}`: "SubscriptionControlsException",
			`{"dest": "ftp://example.com/", "schedule": {"hour": "1"}}`:                   "ValidationException",
			`{` + dest + `, "schedule": {"hour": "1"}, "every": "day"}`:                   "ValidationException",
		} {
			problem(t, body, f.do("POST", path, f.token, body), 400, "epcisException:"+typ)
		}
		if len(f.listSubscriptions(t, path)) != 0 {
			t.Fatal("a refused request made a subscription")
		}

		// Every day at 08:00 in Vietnam (01:00 UTC), from 1 March.
		r := f.do("POST", path, f.token, `{`+dest+`, "signatureToken": "bi-mat", "schedule": {"hour": 8, "minute": "0"},
			"reportIfEmpty": true, "initialRecordTime": "2026-03-01T07:00:00+07:00"}`)
		if r.status != 201 || strings.Contains(r.body, "bi-mat") {
			t.Fatalf("subscribe: %d %s", r.status, r.body)
		}
		loc := r.header.Get("Location")
		m := r.json(t)
		id, _ := m["subscriptionID"].(string)
		if loc != path+"/"+id || m["queryName"] != "giao-hang" || m["dest"] != hook.URL || m["reportIfEmpty"] != true || m["stream"] != nil ||
			m["initialRecordTime"] != "2026-03-01T00:00:00.000Z" || m["minRecordTime"] != "2026-03-01T00:00:00.000Z" || m["createdAt"] != "2026-03-02T00:00:00.000Z" {
			t.Errorf("subscription: %s %s", loc, r.body)
		}
		if sc, _ := m["schedule"].(map[string]any); len(sc) != 2 || sc["hour"] != "8" || sc["minute"] != "0" {
			t.Errorf("schedule: %v", m["schedule"])
		}
		if g := f.do("GET", loc, f.token, ""); g.status != 200 || g.body != r.body {
			t.Errorf("get: %d %s", g.status, g.body)
		}
		if subs := f.listSubscriptions(t, path); len(subs) != 1 || subs[0]["subscriptionID"] != id || subs[0]["schedule"] == nil {
			t.Errorf("list: %v", subs)
		}

		// 9.6.1 has one shipping event of two, recorded before the run.
		now = now.Add(10 * time.Minute)
		if r := f.do("POST", "/epcis/capture", f.token, example(t, "Example_9.6.1-ObjectEvent.jsonld")); r.status != 202 {
			t.Fatalf("capture: %d %s", r.status, r.body)
		}
		now = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
		if _, err := f.app.Jobs.RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		select {
		case d := <-got:
			if d.signature != epcis.Signature("bi-mat", []byte(d.body)) {
				t.Errorf("signature %q does not sign the body", d.signature)
			}
			var doc map[string]any
			json.Unmarshal([]byte(d.body), &doc)
			qr := doc["epcisBody"].(map[string]any)["queryResults"].(map[string]any)
			events := qr["resultsBody"].(map[string]any)["eventList"].([]any)
			if len(events) != 1 || events[0].(map[string]any)["bizStep"] != "shipping" || qr["queryName"] != "giao-hang" || qr["subscriptionID"] != id {
				t.Errorf("delivery: %s", d.body)
			}
		default:
			t.Fatal("nothing delivered at 08:00")
		}
		if len(got) != 0 {
			t.Errorf("more than one delivery")
		}
		if m := f.do("GET", loc, f.token, "").json(t); m["lastNotifiedAt"] != "2026-03-02T01:00:00.000Z" || m["minRecordTime"] != "2026-03-02T00:59:00.000Z" {
			t.Errorf("after the run: %v", m)
		}

		if r := f.do("DELETE", loc, f.token, ""); r.status != 204 {
			t.Fatalf("unsubscribe: %d %s", r.status, r.body)
		}
		problem(t, "deleted", f.do("GET", loc, f.token, ""), 404, "epcisException:NoSuchResourceException")
		problem(t, "deleted again", f.do("DELETE", loc, f.token, ""), 404, "epcisException:NoSuchResourceException")
		if len(f.listSubscriptions(t, path)) != 0 {
			t.Error("listed after deletion")
		}
		now = now.Add(24 * time.Hour)
		if _, err := f.app.Jobs.RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Errorf("delivered after unsubscribing: %s", (<-got).body)
		}
	})
}

func (f *fixture) listSubscriptions(t *testing.T, path string) []map[string]any {
	t.Helper()
	r := f.do("GET", path, f.token, "")
	var out []map[string]any
	if err := json.Unmarshal([]byte(r.body), &out); r.status != 200 || err != nil {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	return out
}
