package i18n

import (
	"regexp"
	"sort"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// Both catalogues have the same keys, the same format verbs in each message,
// and Vietnamese text in NFC.
func TestCataloguesAgree(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	vi, en := Keys(VI), Keys(EN)
	sort.Strings(vi)
	sort.Strings(en)
	for _, k := range vi {
		if !Has(EN, k) {
			t.Errorf("%q is missing in en.json", k)
			continue
		}
		a, b := verbs.FindAllString(T(VI, k), -1), verbs.FindAllString(T(EN, k), -1)
		if len(a) != len(b) {
			t.Errorf("%q: Vietnamese has verbs %v, English %v", k, a, b)
		}
		if !norm.NFC.IsNormalString(T(VI, k)) {
			t.Errorf("%q is not NFC", k)
		}
	}
	for _, k := range en {
		if !Has(VI, k) {
			t.Errorf("%q is missing in vi.json", k)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct{ choice, header, want string }{
		{"", "", VI},
		{"en", "vi", EN},
		{"", "en-US,en;q=0.9", EN},
		{"", "fr, vi;q=0.5", VI},
		{"xx", "de", VI},
	} {
		if got := Match(c.choice, c.header); got != c.want {
			t.Errorf("Match(%q, %q) = %s", c.choice, c.header, got)
		}
	}
}
