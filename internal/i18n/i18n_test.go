package i18n

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"egov"
)

// Each key appears once in a catalogue: with two, json.Unmarshal keeps the
// last silently, and one of the pages that use the key shows the other's
// text.
func TestCataloguesHaveNoDuplicateKeys(t *testing.T) {
	for _, lang := range Languages {
		b, err := files.ReadFile(lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		if _, err := dec.Token(); err != nil { // {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if key := k.(string); seen[key] {
				t.Errorf("%s.json: %q twice", lang, key)
			} else {
				seen[key] = true
			}
		}
	}
}

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

// A message argument that is a key is translated into the same language.
func TestKeyArguments(t *testing.T) {
	got := T(EN, "dossier.not_allowed", egov.Msg("dossier.status.received"), egov.Msg("dossier.action.receive"))
	if got != `The dossier's status is "Received", so "receive" is not possible.` {
		t.Fatalf("got %q", got)
	}
	if got := T(VI, "dossier.not_allowed", egov.Msg("dossier.status.received"), egov.Msg("dossier.action.receive")); got != `Hồ sơ đang ở trạng thái "Được tiếp nhận" nên không thể thực hiện việc "tiếp nhận".` {
		t.Fatalf("got %q", got)
	}
}

// Every message key that domain code puts in an error is in both
// catalogues: a missing one would show the raw key to a citizen.
func TestErrorKeysOfTheWholeTreeAreTranslated(t *testing.T) {
	calls := regexp.MustCompile(`(?:Errorf\([^,()]+|FieldError\("[^"]*"|FieldError\([a-zA-Z.]+), "([a-z_]+\.[a-z_.\-]+)"`)
	msgs := regexp.MustCompile(`egov\.Msg\("([a-z_.\-]+)"\)`)
	found := 0
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range calls.FindAllStringSubmatch(string(src), -1) {
			found++
			if !Has(VI, m[1]) || !Has(EN, m[1]) {
				t.Errorf("%s: message key %q is not in both catalogues", path, m[1])
			}
		}
		for _, m := range msgs.FindAllStringSubmatch(string(src), -1) {
			if strings.HasSuffix(m[1], ".") {
				continue // a prefix completed at run time, checked below
			}
			if !Has(VI, m[1]) || !Has(EN, m[1]) {
				t.Errorf("%s: message key %q is not in both catalogues", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 50 {
		t.Fatalf("found only %d error keys: is the pattern right?", found)
	}
	for _, s := range []string{"draft", "new", "received", "refused", "processing", "supplement", "payment", "withdrawn", "stopped", "resolved", "returned"} {
		if !Has(VI, "dossier.status."+s) || !Has(EN, "dossier.status."+s) {
			t.Errorf("dossier.status.%s is missing", s)
		}
	}
}
