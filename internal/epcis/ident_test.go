package epcis

import (
	"strings"
	"testing"
)

func TestCanonicalIdentifiers(t *testing.T) {
	n := Normalizer{Provincial: Provincial{Base: "https://truyxuat.example.gov.vn/id"}}
	cases := []struct{ in, want string }{
		{"urn:epc:id:sgtin:4012345.011111.9876", "https://id.gs1.org/01/04012345111118/21/9876"},
		{"urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()", "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29"},
		{"urn:epc:id:sgtin:415056789012.0.987654", "https://id.gs1.org/01/04150567890128/21/987654"},
		{"urn:epc:id:sscc:4012345.3111111111", "https://id.gs1.org/00/340123451111111111"},
		{"urn:epc:id:sgln:4012345.00005.122", "https://id.gs1.org/414/4012345000054/254/122"},
		{"urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054"},
		{"urn:epc:id:grai:4012345.00022.334455", "https://id.gs1.org/8003/04012345000221334455"},
		{"urn:epc:id:giai:4012345.ABC345", "https://id.gs1.org/8004/4012345ABC345"},
		{"urn:epc:id:gsrnp:4012345.0000000007", "https://id.gs1.org/8017/401234500000000074"},
		{"urn:epc:id:gdti:4012345.00009.PO-4711", "https://id.gs1.org/253/4012345000092PO-4711"},
		{"urn:epc:id:gdti:987659999999..9", "https://id.gs1.org/253/98765999999929"},
		{"urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234", "https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234"},
		{"urn:epc:id:ginc:0614141.xyz47%2F11", "https://id.gs1.org/401/0614141xyz47%2F11"},
		{"urn:epc:id:gsin:4012345.222333444", "https://id.gs1.org/402/40123452223334442"},
		{"urn:epc:id:itip:4012345.011111.01.02.987", "https://id.gs1.org/8006/040123451111180102/21/987"},
		{"urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB", "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7'SDB"},
		{"urn:epc:id:pgln:4000001.00000", "https://id.gs1.org/417/4000001000005"},
		{"urn:epc:id:pgln:999999999999.", "https://id.gs1.org/417/9999999999994"},
		{"urn:epc:class:lgtin:4012345.012345.Lot987", "https://id.gs1.org/01/04012345123456/10/Lot987"},
		{"urn:epc:idpat:sgtin:4012345.012345.*", "https://id.gs1.org/01/04012345123456"},
		{"https://id.gs1.org/gtin/09780345418913", "https://id.gs1.org/01/09780345418913"},
		{"https://example.com/gtin/09780345418913/21/765tz?abc=211121", "https://id.gs1.org/01/09780345418913/21/765tz"},
		{"https://example.com/shop/01/9780345418913/10/L%2f1", "https://id.gs1.org/01/09780345418913/10/L%2F1"},
		{"https://example.com/some/page", "https://example.com/some/page"},
		{"urn:epc:id:gid:1.2.3", "urn:epc:id:gid:1.2.3"},
		{"https://truyxuat.example.gov.vn/id/HTX-TX01/pr/ST25/lot/2026-V1", "https://truyxuat.example.gov.vn/id/HTX-TX01/pr/ST25/lot/2026-V1"},
		{"https://truyxuat.example.gov.vn/id/HTX-TX01/loc/Ruong%2f7", "https://truyxuat.example.gov.vn/id/HTX-TX01/loc/Ruong%2F7"},
	}
	for _, c := range cases {
		got, err := n.Canonical(c.in)
		if err != nil || got != c.want {
			t.Errorf("Canonical(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	// Each URN converts back from its Digital Link, given its company
	// prefix length.
	for _, c := range cases {
		if !strings.HasPrefix(c.in, "urn:epc:") || strings.HasPrefix(c.in, "urn:epc:id:gid") {
			continue
		}
		body := c.in[strings.LastIndex(c.in, ":")+1:]
		gcp, _, _ := strings.Cut(body, ".")
		k, err := ParseEPCURN(c.in)
		if err != nil {
			t.Fatal(err)
		}
		urn, err := k.EPCURN(len(gcp))
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if k2, err := ParseEPCURN(urn); err != nil || k2.DigitalLink() != c.want {
			t.Errorf("%s → %s → %v %v", c.in, urn, k2, err)
		}
	}
	bad := []string{
		"urn:epc:id:sgtin:4012345.011111",                  // missing serial
		"https://id.gs1.org/01/04012345111119",             // check digit
		"https://id.gs1.org/01/04012345111118/21/ab/10/L1", // qualifier order
		"https://id.gs1.org/00/34012345111111111",          // length
		"urn:epc:id:sgtin:40123A5.011111.1",                // company prefix
		"https://truyxuat.example.gov.vn/id/HTX TX01",      // producer code
		"https://truyxuat.example.gov.vn/id/HTX-TX01/xx/1", // kind
		"https://truyxuat.example.gov.vn/id/HTX-TX01/pr/ST25?x=1",
	}
	for _, b := range bad {
		if got, err := n.Canonical(b); err == nil {
			t.Errorf("Canonical(%q) = %q, want an error", b, got)
		}
	}
}

// The dictionary holds every AI; spot-check the entries the identifiers use.
func TestDictionary(t *testing.T) {
	if len(aiTable) < 400 {
		t.Fatalf("only %d AIs read", len(aiTable))
	}
	g := aiTable["01"]
	if !g.primary || len(g.qualifiers) != 2 || strings.Join(g.qualifiers[0], ",") != "22,10,21" || !g.components[0].csum {
		t.Errorf("01: %+v", g)
	}
	if s := aiTable["3103"]; s == nil || s.components[0].max != 6 {
		t.Errorf("3103: %+v", s)
	}
	if !CheckDigitOK("4012345111118") || CheckDigitOK("4012345111119") {
		t.Error("check digit")
	}
}

// A provincial identifier round-trips through its URI.
func TestProvincialRoundTrip(t *testing.T) {
	pv := Provincial{Base: "https://t.example.vn"}
	for _, id := range []ProvincialID{{Org: "HTX1"}, {Org: "HTX1", Kind: "loc", Ref: "R/7"}, {Org: "A-1", Kind: "pr", Ref: "ST25", Lot: "L&1"},
		{Org: "A-1", Kind: "pr", Ref: "ST25", Ser: "%x"}, {Org: "A", Kind: "lu", Ref: "BAG-1"}} {
		got, ok, err := pv.Parse(pv.URI(id))
		if !ok || err != nil || got != id {
			t.Errorf("%+v: %q → %+v %v %v", id, pv.URI(id), got, ok, err)
		}
	}
}

func FuzzDigitalLink(f *testing.F) {
	for _, s := range []string{"https://id.gs1.org/01/09780345418913/21/765tz?abc=1", "https://example.com/a/b/414/4012345000054/254/122",
		"https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234", "http://x/00/340123451111111111", "https://x/01/%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseDigitalLink(s)
		if err != nil {
			return
		}
		// The canonical form parses to the same key and is a fixed point.
		dl := k.DigitalLink()
		k2, err := ParseDigitalLink(dl)
		if err != nil {
			t.Fatalf("%q → %q: %v", s, dl, err)
		}
		if k2.DigitalLink() != dl {
			t.Fatalf("%q → %q → %q", s, dl, k2.DigitalLink())
		}
		// And through an EPC URN, for every company prefix length that fits.
		for n := 6; n <= 12; n++ {
			urn, err := k.EPCURN(n)
			if err != nil {
				continue
			}
			k3, err := ParseEPCURN(urn)
			if err != nil {
				t.Fatalf("%q → %q (prefix %d): %v", s, urn, n, err)
			}
			if k3.DigitalLink() != dl {
				t.Fatalf("%q → %q → %q, want %q", s, urn, k3.DigitalLink(), dl)
			}
		}
	})
}
