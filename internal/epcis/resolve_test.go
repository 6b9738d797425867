package epcis_test

import (
	"strings"
	"testing"

	"egov/internal/epcis"
)

func TestResolverPath(t *testing.T) {
	svc := epcis.NewService(nil, provincialBase)
	for path, want := range map[string]string{
		"/01/08939999000123":                    "https://id.gs1.org/01/08939999000123",
		"/01/8939999000123/10/L%2F1":            "https://id.gs1.org/01/08939999000123/10/L%2F1", // GTIN-13 widened
		"/gtin/08939999000123/lot/A1/ser/7":     "https://id.gs1.org/01/08939999000123/10/A1/21/7",
		"/id/HTX-01/pr/LUA-ST25/lot/P1":         provincialBase + "/HTX-01/pr/LUA-ST25/lot/P1",
		"/00/089399990000000017":                "https://id.gs1.org/00/089399990000000017",
		"/01/08939999000123/10/R2026-01/21/B01": "https://id.gs1.org/01/08939999000123/10/R2026-01/21/B01",
	} {
		got, err := svc.ResolverPath(path)
		if err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", path, got, err, want)
		}
	}
	for _, path := range []string{"/01/08939999000124", "/01/0893999900012", "/01/08939999000123/21/a/10/b", "/01/08939999000123/10",
		"/99/1", "/id/HTX 1/pr/x", "/id/HTX-01/pr/x/lot/" + strings.Repeat("y", 21), "/01/08939999000123/10/%zz"} {
		if _, err := svc.ResolverPath(path); err == nil {
			t.Errorf("%s: accepted", path)
		}
	}
}

// FuzzResolverPath: whatever a label or a person types, the resolver's
// parser neither panics nor accepts what it cannot give back: an accepted
// path's identifier resolves again, from its own resolver path, to itself.
func FuzzResolverPath(f *testing.F) {
	for _, s := range []string{"/01/08939999000123/10/R2026-01", "/01/08939999000123/21/BAG%2F1", "/id/HTX-01/pr/LUA/lot/P1",
		"/id/HTX-01", "/gtin/9780345418913", "/414/8939999000109", "/01/%zz", "/01//10/", "/id/../x"} {
		f.Add(s)
	}
	svc := epcis.NewService(nil, provincialBase)
	f.Fuzz(func(t *testing.T, path string) {
		id, err := svc.ResolverPath(path)
		if err != nil {
			return
		}
		uri := svc.ResolverURI("https://r.example", id)
		again := strings.TrimPrefix(strings.TrimPrefix(uri, "https://r.example"), "https://truyxuat.example.gov.vn")
		id2, err := svc.ResolverPath(again)
		if err != nil || id2 != id {
			t.Fatalf("%q → %q → %q → %q %v", path, id, again, id2, err)
		}
		if c, err := svc.Parser.IDs.Canonical(id); err != nil || c != id {
			t.Fatalf("%q → %q is not canonical (%q %v)", path, id, c, err)
		}
	})
}
