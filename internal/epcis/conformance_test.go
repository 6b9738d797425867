package epcis

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The GS1 test material lives outside the module (../shared); it is test
// data, never part of the product.
const dataDir = "../../../shared/data/epcis"

func testParser() *Parser {
	return &Parser{IDs: Normalizer{Provincial: Provincial{Base: "https://truyxuat.example.gov.vn/id"}}}
}

// files returns the JSON files under dir, recursively.
func files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(dataDir, dir), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".jsonld")) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no files in %s", dir)
	}
	return out
}

type ecmaRegexp struct{ *regexp2.Regexp }

func (r ecmaRegexp) MatchString(s string) bool {
	ok, err := r.Regexp.MatchString(s)
	return err == nil && ok
}

// officialSchema compiles the GS1 EPCIS JSON Schema the way its README says
// it works: formats asserted, ECMAScript regular expressions.
func officialSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir, "schema/EPCIS-JSON-Schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseRegexpEngine(func(s string) (jsonschema.Regexp, error) {
		re, err := regexp2.Compile(s, regexp2.ECMAScript)
		if err != nil {
			return nil, err
		}
		return ecmaRegexp{re}, nil
	})
	if err := c.AddResource("https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func schemaAccepts(t *testing.T, s *jsonschema.Schema, data []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

// TestConformance: every GS1 example and hash-vector document is accepted,
// every negative document rejected, and the official schema says the same.
func TestConformance(t *testing.T) {
	schema := officialSchema(t)
	p := testParser()
	check := func(path string, wantValid bool) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, ours := p.ParseDocument(data)
		theirs := schemaAccepts(t, schema, data)
		name, _ := filepath.Rel(dataDir, path)
		if (ours == nil) != wantValid {
			t.Errorf("%s: valid=%v, want %v (%v)", name, ours == nil, wantValid, ours)
		}
		if (theirs == nil) != wantValid {
			t.Errorf("%s: the official schema says valid=%v, want %v", name, theirs == nil, wantValid)
		}
	}
	n := 0
	for _, f := range append(files(t, "examples"), files(t, "event-hash-vectors")...) {
		check(f, true)
		n++
	}
	for _, dir := range []string{"negative/openepcis/capture", "negative/openepcis/query-document"} {
		for _, f := range files(t, dir) {
			check(f, false)
			n++
		}
	}
	t.Logf("%d documents checked", n)
}

// TestConformanceMutations removes, one at a time, each property of each
// event of the examples and retypes it, and checks that the parser and the
// official schema still agree on every variant.
func TestConformanceMutations(t *testing.T) {
	schema := officialSchema(t)
	p := testParser()
	n := 0
	for _, f := range files(t, "examples") {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		events := eventListOf(doc)
		for i, e := range events {
			ev := e.(map[string]any)
			for _, k := range slices.Sorted(maps.Keys(ev)) {
				orig := ev[k]
				for _, variant := range []any{nil, 42, "x", []any{}, map[string]any{}} {
					if variant == nil {
						delete(ev, k)
					} else {
						ev[k] = variant
					}
					b, _ := json.Marshal(doc)
					_, ours := p.ParseDocument(b)
					theirs := schemaAccepts(t, schema, b)
					if (ours == nil) != (theirs == nil) {
						t.Errorf("%s event %d, %s=%v: ours %v, schema %v", filepath.Base(f), i, k, variant, ours, theirs)
					}
					n++
				}
				ev[k] = orig
			}
		}
	}
	t.Logf("%d variants checked", n)
}

func eventListOf(doc map[string]any) []any {
	body, _ := doc["epcisBody"].(map[string]any)
	if qr, ok := body["queryResults"].(map[string]any); ok {
		body, _ = qr["resultsBody"].(map[string]any)
	}
	l, _ := body["eventList"].([]any)
	return l
}

// FuzzDocument: the parser never panics, and what it accepts the official
// schema accepts too (it may refuse more: invalid GS1 keys).
func FuzzDocument(f *testing.F) {
	for _, p := range append(files(f, "examples"), files(f, "negative/openepcis/capture")...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		// And each of its events on its own, with the document's context.
		var doc map[string]any
		if json.Unmarshal(data, &doc) == nil {
			for _, e := range eventListOf(doc) {
				if ev, ok := e.(map[string]any); ok {
					ev["@context"] = doc["@context"]
					b, _ := json.Marshal(ev)
					f.Add(b)
				}
			}
		}
	}
	schema := officialSchema(f)
	p := testParser()
	f.Fuzz(func(t *testing.T, data []byte) {
		// A bare event too: what ParseEvent accepts, the schema accepts.
		if ev, err := p.ParseEvent(data); err == nil {
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("accepted, but not JSON to the schema: %v", err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Fatalf("accepted a %s, the schema refuses: %v", ev.Type, err)
			}
		}
		doc, err := p.ParseDocument(data)
		if err != nil {
			return
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("accepted, but not JSON to the schema: %v", err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Fatalf("accepted %d events, the schema refuses: %v", len(doc.Events), err)
		}
	})
}

// The query bodies of the negative set: the valid SimpleEventQuery is
// accepted, the two invalid ones refused.
func TestQueryBodies(t *testing.T) {
	svc := NewService(nil, "https://truyxuat.example.gov.vn/id")
	for _, f := range files(t, "negative/openepcis/query") {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.QueryValues(data)
		valid := strings.HasPrefix(filepath.Base(f), "VALID_")
		if (err == nil) != valid {
			t.Errorf("%s: accepted %v, want %v (%v)", filepath.Base(f), err == nil, valid, err)
		}
	}
}
