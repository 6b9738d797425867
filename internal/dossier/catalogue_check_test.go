package dossier_test

import (
	"os"
	"testing"

	"egov/internal/dossier"
)

// TestDemoCatalogueIsValid checks the seeded catalogue against every rule a
// catalogue import applies.
func TestDemoCatalogueIsValid(t *testing.T) {
	f, err := os.Open("../demo/data/procedures.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := dossier.ParseCatalogue(f)
	if err != nil {
		t.Fatalf("the demo catalogue is invalid:\n%v", err)
	}
	if len(ps) < 15 {
		t.Fatalf("%d procedures, want at least 15", len(ps))
	}
}
