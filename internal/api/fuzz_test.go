package api

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// fuzzTargets are the paths the fuzzer sends its query strings to; the
// ones ending in "/" also get the fuzzed text as their last segment.
var fuzzTargets = []string{
	"/api/v1/units",
	"/api/v1/units/",
	"/api/v1/units/31615",
	"/api/v1/units/31618/successors",
	"/api/v1/calendar/add-working-days",
	"/api/v1/calendar/lunar",
	"/api/v1/calendar/holidays",
	"/api/v1/calendar/days/",
	"/api/v1/lookup",
	"/api/v1/dossiers/",
}

// FuzzQuery throws arbitrary query strings (and path segments) at the units,
// calendar and dossier lookup endpoints: no input may get a 5xx, and every
// failure has the error shape.
func FuzzQuery(f *testing.F) {
	for _, s := range []struct {
		target uint8
		query  string
	}{
		{0, "at=2024-01-01&parent=94"},
		{0, "q=an+thanh&level=3&limit=2"},
		{0, "at=2025-07-02&parent=92&q=%C4%91&lang=en"},
		{0, "at=99999-01-01"},
		{0, "limit=-1&level=1e3"},
		{1, "31615"},
		{1, "%00"},
		{2, "at=0001-01-01"},
		{3, "from=2025-06-30&at=2025-07-01"},
		{3, "from=0000-00-00"},
		{4, "from=2199-12-31&days=3650"},
		{4, "from=2026-02-13&days=9223372036854775807"},
		{5, "date=2026-02-17"},
		{5, "date=2199-12-31&lang=vi"},
		{6, "year=1900"},
		{6, "year=-2026"},
		{7, "2026-02-30"},
		{7, "1900-01-01"},
		{0, "a=%zz&&=&=="},
		{8, "code=000.15.31.H13-260302-0001&phone=0912345678"},
		{8, "code=%00&phone=%2B84"},
		{8, "code=" + strings.Repeat("9", 70) + "&phone=0912+345+678"},
		{9, "000.15.31.H13-260302-0001"},
	} {
		f.Add(s.target, s.query)
	}
	fx := sqliteFixture(f)
	f.Fuzz(func(t *testing.T, target uint8, text string) {
		path := fuzzTargets[int(target)%len(fuzzTargets)]
		req := httptest.NewRequest("GET", "/", nil)
		if path[len(path)-1] == '/' {
			req.URL.Path = path + text
			req.URL.RawPath = path + url.PathEscape(text)
		} else {
			req.URL.Path, req.URL.RawQuery = path, text
		}
		rec := httptest.NewRecorder()
		fx.mux.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s?%s: %d %s", req.URL.Path, req.URL.RawQuery, rec.Code, rec.Body)
		}
		if rec.Code >= 300 && rec.Code < 400 {
			return // the router cleaning the path ("." or "..")
		}
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s?%s: %d, not JSON: %s", req.URL.Path, req.URL.RawQuery, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			checkErrorShape(t, req.URL.String(), &response{Status: rec.Code, Header: rec.Header(), JSON: body, Body: rec.Body.Bytes()})
		}
	})
}
