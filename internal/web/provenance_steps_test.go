package web_test

import (
	"regexp"
	"testing"

	"egov/internal/demo"
	"egov/internal/i18n"
)

// Every stage of the demo's rice chain on the public page is named in the
// reader's language: a step of the province's own vocabulary (applying
// inputs, drying, milling) once showed as its raw English word, because the
// page and the operators' forms kept two catalogues of step names.
func TestProvenanceNamesEveryStep(t *testing.T) {
	s := newDemoSite(t)
	names := map[string]map[string]bool{}
	for _, lang := range i18n.Languages {
		names[lang] = map[string]bool{}
		for _, k := range i18n.Keys(lang) {
			if len(k) > len("trace.step.") && k[:len("trace.step.")] == "trace.step." {
				names[lang][i18n.T(lang, k)] = true
			}
		}
	}
	h3 := regexp.MustCompile(`<h3>([^<]*)`)
	for _, lang := range i18n.Languages {
		b := s.browser()
		b.get(demo.ProvenancePath() + "?lang=" + lang) // the switch sets the language and comes back
		res := b.get(demo.ProvenancePath())
		expect(t, res, 200)
		stages := h3.FindAllStringSubmatch(res.body, -1)
		if len(stages) < 10 {
			t.Fatalf("%s: %d stages on the page", lang, len(stages))
		}
		for _, m := range stages {
			if !names[lang][m[1]] {
				t.Errorf("%s: stage %q is not a step name of the catalogue", lang, m[1])
			}
		}
	}
}
