package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"egov/internal/workcal"
)

// doc is the parsed OpenAPI document.
var doc = func() map[string]any {
	var d map[string]any
	if err := json.Unmarshal(openAPIDocument, &d); err != nil {
		panic("openapi.json: " + err.Error())
	}
	return d
}()

// resolve follows a local reference such as "#/components/schemas/Unit".
func resolve(ref string) (map[string]any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("reference %q is not local", ref)
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("reference %q does not resolve", ref)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("reference %q does not resolve", ref)
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("reference %q is not an object", ref)
	}
	return m, nil
}

// deref returns m, or what m refers to when it is a reference.
func deref(m map[string]any) map[string]any {
	if ref, ok := m["$ref"].(string); ok {
		r, err := resolve(ref)
		if err != nil {
			panic(err)
		}
		return deref(r)
	}
	return m
}

func operation(rt *route) map[string]any {
	p, _ := doc["paths"].(map[string]any)[rt.pattern].(map[string]any)
	op, _ := p[strings.ToLower(rt.method)].(map[string]any)
	return op
}

// checkDocumented returns how a response differs from the document: an
// undocumented status, a missing documented header, a body that does not
// match the documented schema.
func checkDocumented(rt *route, r *response) []string {
	op := operation(rt)
	if op == nil {
		return []string{"operation not documented"}
	}
	resp, ok := op["responses"].(map[string]any)[strconv.Itoa(r.Status)].(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("status %d not documented (body %s)", r.Status, r.Body)}
	}
	resp = deref(resp)
	var problems []string
	if hs, ok := resp["headers"].(map[string]any); ok {
		for name := range hs {
			if r.Header.Get(name) == "" {
				problems = append(problems, "documented header "+name+" missing")
			}
		}
	}
	content, _ := resp["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	if media == nil {
		if documentedFile(rt, r) {
			return problems
		}
		if r.Status != http.StatusNoContent {
			problems = append(problems, "no documented body")
		}
		return problems
	}
	var body any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		return append(problems, "body is not JSON")
	}
	return append(problems, validate("body", media["schema"].(map[string]any), body)...)
}

// documentedFile reports whether the document gives the response's status
// a body of the response's type other than JSON: a file to download.
func documentedFile(rt *route, r *response) bool {
	if rt == nil || operation(rt) == nil {
		return false
	}
	resp, ok := operation(rt)["responses"].(map[string]any)[strconv.Itoa(r.Status)].(map[string]any)
	if !ok {
		return false
	}
	content, _ := deref(resp)["content"].(map[string]any)
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	_, documented := content[mt]
	return err == nil && documented && mt != "application/json"
}

// validate checks v against the subset of JSON Schema the document uses:
// $ref, type, enum, const, required, properties, additionalProperties
// false, items, pattern, format date and date-time, minimum, maximum.
func validate(path string, s map[string]any, v any) []string {
	var problems []string
	fail := func(format string, args ...any) {
		problems = append(problems, path+": "+fmt.Sprintf(format, args...))
	}
	if ref, ok := s["$ref"].(string); ok {
		r, err := resolve(ref)
		if err != nil {
			fail("%v", err)
			return problems
		}
		problems = append(problems, validate(path, r, v)...)
	}
	if t, ok := s["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		if !slices.ContainsFunc(types, func(t string) bool { return hasType(v, t) }) {
			fail("%v is not of type %v", v, types)
			return problems
		}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		fail("%v is not one of %v", v, enum)
	}
	if c, ok := s["const"]; ok && c != v {
		fail("%v is not %v", v, c)
	}
	switch v := v.(type) {
	case map[string]any:
		required, _ := s["required"].([]any)
		for _, name := range required {
			if _, ok := v[name.(string)]; !ok {
				fail("required property %s missing", name)
			}
		}
		props, _ := s["properties"].(map[string]any)
		for name, val := range v {
			ps, ok := props[name].(map[string]any)
			if !ok {
				if s["additionalProperties"] == false {
					fail("property %s not documented", name)
				}
				continue
			}
			problems = append(problems, validate(path+"."+name, ps, val)...)
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, x := range v {
				problems = append(problems, validate(fmt.Sprintf("%s[%d]", path, i), items, x)...)
			}
		}
	case string:
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(v) {
			fail("%q does not match %s", v, p)
		}
		switch s["format"] {
		case "date":
			if _, err := workcal.ParseDate(v); err != nil {
				fail("%q is not a date", v)
			}
		case "date-time":
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				fail("%q is not a date-time", v)
			}
		}
	case float64:
		if min, ok := s["minimum"].(float64); ok && v < min {
			fail("%v < minimum %v", v, min)
		}
		if max, ok := s["maximum"].(float64); ok && v > max {
			fail("%v > maximum %v", v, max)
		}
	}
	return problems
}

func hasType(v any, t string) bool {
	switch v := v.(type) {
	case nil:
		return t == "null"
	case bool:
		return t == "boolean"
	case string:
		return t == "string"
	case float64:
		return t == "number" || t == "integer" && v == math.Trunc(v)
	case []any:
		return t == "array"
	case map[string]any:
		return t == "object"
	}
	return false
}

// TestOpenAPIDocument holds the document and the routes table together:
// the same operations, the same path and query parameters, security on
// exactly the routes that need a token, and every reference resolving.
func TestOpenAPIDocument(t *testing.T) {
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v", doc["openapi"])
	}
	paths := doc["paths"].(map[string]any)
	documented := map[string]bool{}
	for path, item := range paths {
		for method := range item.(map[string]any) {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for i := range routes {
		rt := &routes[i]
		key := rt.method + " " + rt.pattern
		if !documented[key] {
			t.Errorf("route %s is not documented", key)
			continue
		}
		delete(documented, key)
		op := operation(rt)

		var pathParams, queryParams []string
		for _, p := range op["parameters"].([]any) {
			p := deref(p.(map[string]any))
			name := p["name"].(string)
			switch p["in"] {
			case "path":
				pathParams = append(pathParams, name)
				if p["required"] != true {
					t.Errorf("%s: path parameter %s not required", key, name)
				}
			case "query":
				queryParams = append(queryParams, name)
			default:
				t.Errorf("%s: parameter %s in %v", key, name, p["in"])
			}
		}
		var wantPath []string
		for _, m := range regexp.MustCompile(`\{([a-z_]+)\}`).FindAllStringSubmatch(rt.pattern, -1) {
			wantPath = append(wantPath, m[1])
		}
		wantQuery := append([]string{"lang"}, rt.query...)
		sort.Strings(queryParams)
		sort.Strings(wantQuery)
		if !slices.Equal(pathParams, wantPath) {
			t.Errorf("%s: documented path parameters %v, route has %v", key, pathParams, wantPath)
		}
		if !slices.Equal(queryParams, wantQuery) {
			t.Errorf("%s: documented query parameters %v, route accepts %v", key, queryParams, wantQuery)
		}

		_, secured := op["security"]
		if secured != rt.auth {
			t.Errorf("%s: documented security %v, route needs a token: %v", key, secured, rt.auth)
		}
		responses := op["responses"].(map[string]any)
		for _, status := range []string{"400"} {
			if _, ok := responses[status]; !ok {
				t.Errorf("%s: response %s not documented", key, status)
			}
		}
		if rt.auth {
			if _, ok := responses["401"]; !ok {
				t.Errorf("%s: needs a token but 401 is not documented", key)
			}
		}
		if _, ok := op["requestBody"]; ok != (rt.method == "POST" || rt.method == "PUT") {
			t.Errorf("%s: request body documented: %v", key, ok)
		}
	}
	for key := range documented {
		t.Errorf("documented operation %s is not a route", key)
	}

	// Every reference resolves.
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if _, err := resolve(ref); err != nil {
					t.Error(err)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
}

// TestOpenAPIRoutesExist asks the real router, after Register, which
// pattern serves each documented operation.
func TestOpenAPIRoutesExist(t *testing.T) {
	mux := http.NewServeMux()
	Register(mux, nil)
	sample := regexp.MustCompile(`\{[a-z_]+\}`)
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			m := strings.ToUpper(method)
			req := httptest.NewRequest(m, sample.ReplaceAllString(path, "1"), nil)
			if _, pattern := mux.Handler(req); pattern != m+" "+path {
				t.Errorf("%s %s is served by %q", m, path, pattern)
			}
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	fx := sqliteFixture(t)
	r := fx.get("/api/openapi.json")
	if r.Status != http.StatusOK || !bytes.Equal(r.Body, openAPIDocument) {
		t.Fatalf("GET /api/openapi.json: %d, %d bytes", r.Status, len(r.Body))
	}
}

// TestValidator makes sure the schema check used on every response can
// fail.
func TestValidator(t *testing.T) {
	unit := map[string]any{"$ref": "#/components/schemas/Unit"}
	good := map[string]any{"code": "31615", "name": "Xã An Thạnh", "type": "Xã", "level": 3.0,
		"parent_code": "92", "valid_from": "2025-07-01", "valid_to": nil}
	if p := validate("unit", unit, good); len(p) != 0 {
		t.Errorf("good unit: %v", p)
	}
	for name, change := range map[string]func(m map[string]any){
		"missing":    func(m map[string]any) { delete(m, "valid_to") },
		"extra":      func(m map[string]any) { m["id"] = 1.0 },
		"type":       func(m map[string]any) { m["level"] = "3" },
		"fraction":   func(m map[string]any) { m["level"] = 3.5 },
		"null":       func(m map[string]any) { m["name"] = nil },
		"bad date":   func(m map[string]any) { m["valid_from"] = "2025-7-1" },
		"bad code":   func(m map[string]any) { m["code"] = "3161x" },
		"bad nested": func(m map[string]any) { m["valid_to"] = 5.0 },
	} {
		bad := map[string]any{}
		for k, v := range good {
			bad[k] = v
		}
		change(bad)
		if p := validate("unit", unit, bad); len(p) == 0 {
			t.Errorf("%s: accepted %v", name, bad)
		}
	}
	if p := validate("e", map[string]any{"$ref": "#/components/schemas/Error"},
		map[string]any{"error": map[string]any{"code": "nope", "message": "x"}}); len(p) == 0 {
		t.Error("unknown error code accepted")
	}
}
