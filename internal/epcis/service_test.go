package epcis_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"egov"
	"egov/internal/epcis"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/units"
)

const dataDir = "../../../shared/data/epcis"

const provincialBase = "https://truyxuat.example.gov.vn/id"

type fixture struct {
	ctx context.Context
	db  *store.DB
	svc *epcis.Service
	ids *identity.Service
	op  *identity.Actor // a trace operator on the whole tree
	now time.Time
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{ctx: context.Background(), db: db, svc: epcis.NewService(db, provincialBase),
		now: time.Date(2026, 3, 2, 8, 30, 0, 123456789, time.UTC)}
	f.svc.Now = func() time.Time { return f.now }
	f.ids = identity.NewService(db, units.NewService(db))
	f.op = f.actor(t, "van.hanh", identity.RoleTraceOperator)
	return f
}

func (f *fixture) actor(t testing.TB, name string, role identity.Role) *identity.Actor {
	t.Helper()
	u, err := f.ids.CreateOfficer(f.ctx, identity.SystemActor, identity.NewUser{Username: name, FullName: "Cán bộ " + name, Password: "mat-khau-dai"}, role, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.ids.ActorFor(f.ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func readJSON(t *testing.T, path string) (raw []byte, doc map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return raw, doc
}

func examples(t *testing.T) []string {
	var out []string
	filepath.WalkDir(filepath.Join(dataDir, "examples"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jsonld") {
			out = append(out, p)
		}
		return nil
	})
	if len(out) == 0 {
		t.Fatal("no examples")
	}
	return out
}

func exceptionType(err error) string {
	var e *epcis.Exception
	if errors.As(err, &e) {
		return e.Type
	}
	var ee *egov.Error
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ""
}

// TestRoundTrip: every GS1 example captured and read back by eventID is the
// event as sent, with the server's recordTime (and the generated eventID
// where none came), in its document's @context.
func TestRoundTrip(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n, seen := 0, map[string]bool{}
		for _, path := range examples(t) {
			raw, doc := readJSON(t, path)
			if doc["type"] != "EPCISDocument" {
				continue
			}
			events := doc["epcisBody"].(map[string]any)["eventList"].([]any)
			collides := false
			for _, e := range events {
				ev := e.(map[string]any)
				id := f.eventID(ev, doc["@context"])
				if _, decl := ev["errorDeclaration"]; !decl {
					collides = collides || seen[id]
					seen[id] = true
				}
			}
			job, err := f.svc.Capture(f.ctx, f.op, raw)
			if err != nil {
				t.Fatalf("%s: %v", filepath.Base(path), err)
			}
			// A few examples repeat events of others (same eventID): those
			// documents are refused as a whole, and only those.
			if job.Success == collides {
				t.Fatalf("%s: success %v, but collides %v (%v)", filepath.Base(path), job.Success, collides, job.Errors)
			}
			if collides {
				continue
			}
			for i, e := range events {
				want := e.(map[string]any)
				got := f.readBack(t, want, doc["@context"])
				want["recordTime"] = "2026-03-02T08:30:00.123Z"
				if !reflect.DeepEqual(got.body, want) {
					t.Errorf("%s event %d:\n got %v\nwant %v", filepath.Base(path), i, got.body, want)
				}
				if !reflect.DeepEqual(got.context, doc["@context"]) {
					t.Errorf("%s event %d: @context %v, want %v", filepath.Base(path), i, got.context, doc["@context"])
				}
				n++
			}
		}
		if n < 26 {
			t.Errorf("only %d events round-tripped", n)
		}
	})
}

// eventID is the event's eventID, or the hash ID the server gives it.
func (f *fixture) eventID(ev map[string]any, ctx any) string {
	if id, ok := ev["eventID"].(string); ok {
		return id
	}
	id, _ := f.svc.Hasher.EventHash(ev, ctx)
	return id
}

type readBack struct {
	body    map[string]any
	context any
}

// readBack reads an event by its eventID (computing it, as the server
// does, when it has none; the returned body then has it).
func (f *fixture) readBack(t *testing.T, want map[string]any, ctx any) readBack {
	t.Helper()
	id := f.eventID(want, ctx)
	want["eventID"] = id
	stored, err := f.svc.EventsByID(f.ctx, id)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	var rb readBack
	for _, s := range stored {
		var body map[string]any
		d := json.NewDecoder(strings.NewReader(string(s.Body)))
		d.UseNumber()
		if err := d.Decode(&body); err != nil {
			t.Fatal(err)
		}
		_, wantDecl := want["errorDeclaration"]
		if _, decl := body["errorDeclaration"]; decl == wantDecl {
			rb.body = body
			json.Unmarshal(s.Context, &rb.context)
		}
	}
	return rb
}

const oneEvent = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
 "type": "ObjectEvent", "eventTime": "2026-03-01T07:00:00+07:00", "eventTimeZoneOffset": "+07:00",
 "recordTime": "1999-01-01T00:00:00Z",
 "epcList": ["urn:epc:id:sgtin:8930000.012345.1001"], "action": "OBSERVE", "bizStep": "shipping",
 "readPoint": {"id": "https://truyxuat.example.gov.vn/id/HTX-ST25/loc/kho-1"}}`

// An event without eventID gets its hash ID; the same event again is a
// duplicate; its error declaration is kept beside it, not refused.
func TestCaptureEventDuplicatesAndDeclarations(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		id, err := f.svc.CaptureEvent(f.ctx, f.op, []byte(oneEvent))
		if err != nil || !strings.HasPrefix(id, "ni:///sha-256;") {
			t.Fatalf("capture: %q %v", id, err)
		}
		if _, err := f.svc.CaptureEvent(f.ctx, f.op, []byte(oneEvent)); exceptionType(err) != epcis.ValidationException || err.(*epcis.Exception).Status != 409 {
			t.Fatalf("duplicate: %v", err)
		}
		decl := strings.Replace(oneEvent, `"action"`, `"errorDeclaration": {"declarationTime": "2026-03-02T01:00:00Z", "reason": "incorrect_data"}, "action"`, 1)
		id2, err := f.svc.CaptureEvent(f.ctx, f.op, []byte(decl))
		if err != nil || id2 != id {
			t.Fatalf("declaration: %q %v (want the same eventID %q)", id2, err, id)
		}
		stored, err := f.svc.EventsByID(f.ctx, id)
		if err != nil || len(stored) != 2 {
			t.Fatalf("stored %d events, %v", len(stored), err)
		}
		if !strings.Contains(string(stored[0].Body), `"recordTime":"2026-03-02T08:30:00.123Z"`) {
			t.Errorf("recordTime not set by the server: %s", stored[0].Body)
		}
	})
}

func TestCaptureRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		clerk := f.actor(t, "mot.cua", identity.RoleReceiver)
		doc, _ := os.ReadFile(filepath.Join(dataDir, "examples/Example_9.6.2-ObjectEvent.jsonld"))
		if _, err := f.svc.Capture(f.ctx, clerk, doc); exceptionType(err) != egov.EFORBIDDEN {
			t.Errorf("a receiver captured: %v", err)
		}
		if _, err := f.svc.Capture(f.ctx, nil, doc); exceptionType(err) != egov.EUNAUTHORIZED {
			t.Errorf("anonymous capture: %v", err)
		}
		f.svc.Limits.MaxBytes = 100
		if _, err := f.svc.Capture(f.ctx, f.op, doc); exceptionType(err) != epcis.CaptureLimitExceeded {
			t.Errorf("too large: %v", err)
		}
		f.svc.Limits = epcis.Limits{MaxBytes: 1 << 20, MaxEvents: 1}
		two, _ := os.ReadFile(filepath.Join(dataDir, "examples/Example_9.6.1-ObjectEvent.jsonld"))
		if _, err := f.svc.Capture(f.ctx, f.op, two); exceptionType(err) != epcis.CaptureLimitExceeded {
			t.Errorf("too many events: %v", err)
		}
		f.svc.Limits = epcis.DefaultLimits
		bad, _ := os.ReadFile(filepath.Join(dataDir, "negative/openepcis/capture/ObjectEvent_with_invalid_action.json"))
		if _, err := f.svc.Capture(f.ctx, f.op, bad); exceptionType(err) != epcis.ValidationException {
			t.Errorf("invalid: %v", err)
		}
		// All or nothing: a document whose second event repeats the first
		// stores neither, and its job says why.
		var d map[string]any
		json.Unmarshal(two, &d)
		list := d["epcisBody"].(map[string]any)["eventList"].([]any)
		list[1] = list[0]
		dup, _ := json.Marshal(d)
		f.svc.Limits = epcis.DefaultLimits
		job, err := f.svc.Capture(f.ctx, f.op, dup)
		if err != nil || job.Success || len(job.Errors) != 1 {
			t.Fatalf("duplicate document: %+v %v", job, err)
		}
		got, err := f.svc.Job(f.ctx, f.op, job.ID)
		if err != nil || got.Success || got.Errors[0].Status != 409 {
			t.Fatalf("job: %+v %v", got, err)
		}
		var n int
		db.QueryRowContext(f.ctx, `SELECT count(*) FROM epcis_events`).Scan(&n)
		if n != 0 {
			t.Errorf("%d events stored by a failed capture", n)
		}
	})
}

// The query parameters on the indexed fields, on the example that has
// every field of a TransformationEvent (and the object event's).
func TestQueryFields(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, name := range []string{"transformation_event_all_possible_fields.jsonld", "object_event_all_possible_fields.jsonld"} {
			raw, _ := readJSON(t, filepath.Join(dataDir, "examples/WithFullCombinationOfFields", name))
			if job, err := f.svc.Capture(f.ctx, f.op, raw); err != nil || !job.Success {
				t.Fatalf("%s: %v %+v", name, err, job)
			}
		}
		for query, want := range map[string]int{
			"EQ_transformationID=urn:epc:id:gdti:0614141.12345.400":                                                            1,
			"EQ_transformationID=https://id.gs1.org/253/0614141123452400":                                                      1,
			"EQ_source_location=urn:epc:id:sgln:4012345.00225.0":                                                               2,
			"EQ_source_owning_party=urn:epc:id:pgln:4012345.00225":                                                             2,
			"EQ_destination_possessing_party=urn:epc:id:pgln:0614141.00777":                                                    2,
			"EQ_destination_location=urn:epc:id:pgln:0614141.00777":                                                            0,
			"EQ_persistentDisposition_set=completeness_verified":                                                               2,
			"EQ_persistentDisposition_unset=https://ref.gs1.org/cbv/Disp-completeness_inferred":                                2,
			"EQ_correctiveEventID=ni:///sha-256%3Bfec9667280c4710a3fa9558b7bc8ddc2ced0dc442d87f82becae24bb6ca6a46f?ver=CBV2.0": 2,
			"EXISTS_sensorElementList":                                                                                         2,
			"EQ_quantity_KGM=200":                                                                                              1,
			"EQ_ext1:string=string":                                                                                            2,
			"EQ_e1:string=string":                                                                                              2,
			"EQ_e1:string=other":                                                                                               0,
			"GT_e1:int=9&LE_e1:int=10":                                                                                         2,
			"GT_e1:int=10":                                                                                                     0,
			"EXISTS_ext1:float":                                                                                                2,
			"EXISTS_ILMD_ext1:float":                                                                                           2,
			// The transformation example rebinds cbvmda in its @context:
			// the same prefix, another namespace, so only one matches.
			"EQ_ILMD_cbvmda:lotNumber=ABC123":     1,
			"EQ_ILMD_cbvmda:lotNumber=ABC123|XYZ": 1,
			"EXISTS_ext1:nothing":                 0,
			"eventType=ObjectEvent&EQ_bizTransaction_po=urn:epc:id:gdti:0614141.00001.1618034": 1,
		} {
			if n := f.count(t, query, map[string]string{"e1": "http://example.com/ext1/"}); n != want {
				t.Errorf("%s: %d events, want %d", query, n, want)
			}
		}
	})
}

// Captures running at once stay all-or-nothing: of documents that share an
// event, exactly one is stored whole, the others not at all.
func TestConcurrentCapture(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		const n = 6
		docs := make([][]byte, n)
		for i := range docs {
			// Each document has its own ten events and the shared one.
			var d map[string]any
			json.Unmarshal([]byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument",
				"schemaVersion": "2.0", "creationDate": "2026-03-01T00:00:00Z", "epcisBody": {"eventList": []}}`), &d)
			var list []any
			for j := 0; j <= 10; j++ {
				serial := 1000*i + j
				if j == 10 {
					serial = 999999 // the shared event
				}
				var ev map[string]any
				json.Unmarshal([]byte(oneEvent), &ev)
				delete(ev, "@context")
				ev["epcList"] = []any{fmt.Sprintf("urn:epc:id:sgtin:8930000.012345.%d", serial)}
				list = append(list, ev)
			}
			d["epcisBody"].(map[string]any)["eventList"] = list
			docs[i], _ = json.Marshal(d)
		}
		var wg sync.WaitGroup
		ok := make(chan bool, n)
		for _, d := range docs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				job, err := f.svc.Capture(f.ctx, f.op, d)
				if err != nil {
					t.Error(err)
					return
				}
				ok <- job.Success
			}()
		}
		wg.Wait()
		close(ok)
		succeeded := 0
		for s := range ok {
			if s {
				succeeded++
			}
		}
		var events int
		db.QueryRowContext(f.ctx, `SELECT count(*) FROM epcis_events`).Scan(&events)
		if succeeded != 1 || events != 11 {
			t.Errorf("%d captures succeeded, %d events stored; want 1 and 11", succeeded, events)
		}
	})
}

// The sensor parameters on the GS1 sensor examples.
func TestQuerySensors(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		paths, _ := filepath.Glob(filepath.Join(dataDir, "examples/WithSensorData/*.jsonld"))
		for _, p := range paths {
			raw, _ := readJSON(t, p)
			if job, err := f.svc.Capture(f.ctx, f.op, raw); err != nil || !job.Success {
				t.Fatalf("%s: %v %+v", p, err, job)
			}
		}
		for query, want := range map[string]int{
			"EQ_type=Temperature":       5,
			"EQ_type=Speed|Illuminance": 2,
			"GT_value_CEL=26.15":        2,
			"GT_value_KMH=26.15":        1, // the speeds of one example
			"GE_maxValue_CEL=13.8":      3,
			"LT_minValue_A93=20":        1,
			"EQ_chemicalSubstance=https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N": 1,
			"EQ_stringValue=someSensorOutput":         1,
			"EQ_deviceID=urn:epc:id:giai:4000001.111": 4,
			"GE_time=2019-07-01T00:00:00Z":            1,
			"LT_time=2019-07-01T00:00:00Z":            2,
			"EXISTS_sensorElementList":                5,
		} {
			if n := f.count(t, query, nil); n != want {
				t.Errorf("%s: %d events, want %d", query, n, want)
			}
		}
		for _, query := range []string{"GT_value=1", "GT_value_cel=1", "GT_value_CEL=warm", "GE_time=now", "GT_percRank_CEL=1"} {
			v, _ := url.ParseQuery(query)
			if _, err := f.svc.ParseQuery(v, nil); exceptionType(err) != epcis.QueryParameterException {
				t.Errorf("%s: %v", query, err)
			}
		}
	})
}

// count runs a query (its first page) and counts the events.
func (f *fixture) count(t *testing.T, query string, extensions map[string]string) int {
	t.Helper()
	v, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	q, err := f.svc.ParseQuery(v, extensions)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	page, err := f.svc.QueryEvents(f.ctx, f.op, q, v)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return len(page.Events)
}

// Events captured without an eventID are found under the reference hash
// of the CBV 2.0 vectors.
func TestCaptureGeneratesHashIDs(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	paths, _ := filepath.Glob(filepath.Join(dataDir, "event-hash-vectors/*.jsonld"))
	found := 0
	for _, p := range paths {
		if strings.Contains(p, "IgnoreFields") || strings.Contains(p, "QueryDoc") {
			continue // ignore lists of the reference tool; query documents are not captured
		}
		raw, doc := readJSON(t, p)
		job, err := f.svc.Capture(f.ctx, f.op, raw)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(p), err)
		}
		if !job.Success {
			continue // shares an event with an earlier vector
		}
		hashes, _ := os.ReadFile(strings.TrimSuffix(p, ".jsonld") + ".hashes")
		for i, e := range doc["epcisBody"].(map[string]any)["eventList"].([]any) {
			if _, has := e.(map[string]any)["eventID"]; has {
				continue
			}
			want := strings.Fields(string(hashes))[i]
			if _, err := f.svc.EventsByID(f.ctx, want); err != nil {
				t.Errorf("%s event %d: not found under %s: %v", filepath.Base(p), i, want, err)
			}
			found++
		}
	}
	t.Logf("%d events found under their reference hash", found)
	if found < 20 {
		t.Errorf("only %d events checked", found)
	}
}
