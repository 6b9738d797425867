// Package epcistest builds EPCIS documents for tests: a small rice chain
// from two cooperatives' fields through a mill and a packer to a shop, with
// a transformation recorded as two events, an aggregation, shipping and
// receiving, an event later declared erroneous, and an unrelated lot.
package epcistest

import (
	"encoding/json"
	"strings"

	"egov/internal/epcis"
)

// Base is the provincial identifier base the chain uses.
const Base = "https://truyxuat.example.gov.vn/id"

// GTIN adds the GS1 check digit to 13 digits (or 12, or 17 for an SSCC).
func GTIN(body string) string { return body + string(epcis.CheckDigit(body)) }

// The chain's identifiers, canonical.
var (
	RiceGTIN  = GTIN("0893999900012")
	MillGLN   = GTIN("893999900010")[0:13]
	ShopGLN   = GTIN("893999900020")[0:13]
	RiceLot   = "https://id.gs1.org/01/" + RiceGTIN + "/10/R2026-01"
	OtherLot  = "https://id.gs1.org/01/" + RiceGTIN + "/10/R2026-99"
	Bag1      = "https://id.gs1.org/01/" + RiceGTIN + "/21/BAG001"
	Bag2      = "https://id.gs1.org/01/" + RiceGTIN + "/21/BAG002"
	Pallet    = "https://id.gs1.org/00/" + GTIN("08939999000000001")
	Paddy1    = Base + "/HTX-01/pr/LUA-ST25/lot/P1"
	Paddy2    = Base + "/HTX-01/pr/LUA-ST25/lot/P2"
	Paddy3    = Base + "/HTX-02/pr/LUA-ST25/lot/Q1" // in a transformation split over two events
	Wrong     = Base + "/HTX-03/pr/LUA-ST25/lot/X1" // in a transformation declared erroneous
	Field1    = Base + "/HTX-01/loc/RUONG-1"
	Field2    = Base + "/HTX-02/loc/RUONG-7"
	Mill      = "https://id.gs1.org/414/" + MillGLN
	Shop      = "https://id.gs1.org/414/" + ShopGLN
	Coop      = Base + "/HTX-01"
	WrongID   = "urn:uuid:6f1d0e1a-0000-4000-8000-000000000bad"
	HarvestID = "urn:uuid:6f1d0e1a-0000-4000-8000-000000000001"
)

func qty(id string, q float64) map[string]any {
	return map[string]any{"epcClass": id, "quantity": q, "uom": "KGM"}
}

func ev(typ, t string, fields map[string]any) map[string]any {
	m := map[string]any{"type": typ, "eventTime": t, "eventTimeZoneOffset": "+07:00"}
	for k, v := range fields {
		m[k] = v
	}
	return m
}

// Events are the chain's events, in order.
func Events() []map[string]any {
	return []map[string]any{
		ev("ObjectEvent", "2026-02-10T07:00:00+07:00", map[string]any{"eventID": HarvestID, "action": "ADD", "bizStep": "commissioning",
			"quantityList": []any{qty(Paddy1, 5000)}, "bizLocation": map[string]any{"id": Field1},
			"ilmd": map[string]any{"cbvmda:lotNumber": "P1", "cbvmda:harvestStartDate": "2026-02-10", "example:note": "internal: sprayed late"}}),
		ev("ObjectEvent", "2026-02-11T07:00:00+07:00", map[string]any{"action": "ADD", "bizStep": "commissioning",
			"quantityList": []any{qty(Paddy2, 4000)}, "bizLocation": map[string]any{"id": Field1}}),
		ev("ObjectEvent", "2026-02-11T08:00:00+07:00", map[string]any{"action": "ADD", "bizStep": "commissioning",
			"quantityList": []any{qty(Paddy3, 3000)}, "bizLocation": map[string]any{"id": Field2}}),
		ev("ObjectEvent", "2026-02-12T09:00:00+07:00", map[string]any{"action": "OBSERVE", "bizStep": "shipping",
			"quantityList": []any{qty(Paddy1, 5000), qty(Paddy2, 4000)}, "readPoint": map[string]any{"id": Field1},
			"sourceList":      []any{map[string]any{"type": "owning_party", "source": Coop}},
			"destinationList": []any{map[string]any{"type": "location", "destination": Mill}}}),
		ev("ObjectEvent", "2026-02-12T15:00:00+07:00", map[string]any{"action": "OBSERVE", "bizStep": "receiving",
			"quantityList": []any{qty(Paddy1, 5000), qty(Paddy2, 4000)}, "bizLocation": map[string]any{"id": Mill}}),
		ev("TransformationEvent", "2026-02-14T08:00:00+07:00", map[string]any{"bizStep": "https://truyxuat.example.gov.vn/voc/bizstep/milling",
			"inputQuantityList": []any{qty(Paddy1, 5000), qty(Paddy2, 4000)}, "outputQuantityList": []any{qty(RiceLot, 5400)},
			"bizLocation": map[string]any{"id": Mill}}),
		// One transformation in two events, joined by its transformationID.
		ev("TransformationEvent", "2026-02-14T09:00:00+07:00", map[string]any{"transformationID": "urn:uuid:7e57a000-0000-4000-8000-000000000001",
			"inputQuantityList": []any{qty(Paddy3, 3000)}, "bizLocation": map[string]any{"id": Mill}}),
		ev("TransformationEvent", "2026-02-14T10:00:00+07:00", map[string]any{"transformationID": "urn:uuid:7e57a000-0000-4000-8000-000000000001",
			"outputQuantityList": []any{qty(RiceLot, 1800)}, "bizLocation": map[string]any{"id": Mill}}),
		// Recorded by mistake and declared so below.
		ev("TransformationEvent", "2026-02-14T11:00:00+07:00", map[string]any{"eventID": WrongID,
			"inputQuantityList": []any{qty(Wrong, 100)}, "outputQuantityList": []any{qty(RiceLot, 60)}, "bizLocation": map[string]any{"id": Mill}}),
		ev("TransformationEvent", "2026-02-14T11:00:00+07:00", map[string]any{"eventID": WrongID,
			"errorDeclaration":  map[string]any{"declarationTime": "2026-02-15T08:00:00+07:00", "reason": "incorrect_data"},
			"inputQuantityList": []any{qty(Wrong, 100)}, "outputQuantityList": []any{qty(RiceLot, 60)}, "bizLocation": map[string]any{"id": Mill}}),
		ev("TransformationEvent", "2026-02-16T08:00:00+07:00", map[string]any{"bizStep": "packing",
			"inputQuantityList": []any{qty(RiceLot, 10)}, "outputEPCList": []any{Bag1, Bag2}, "bizLocation": map[string]any{"id": Mill}}),
		ev("AggregationEvent", "2026-02-16T09:00:00+07:00", map[string]any{"action": "ADD", "bizStep": "packing",
			"parentID": Pallet, "childEPCs": []any{Bag1, Bag2}, "bizLocation": map[string]any{"id": Mill}}),
		ev("ObjectEvent", "2026-02-17T07:00:00+07:00", map[string]any{"action": "OBSERVE", "bizStep": "shipping",
			"epcList": []any{Pallet}, "readPoint": map[string]any{"id": Mill},
			"destinationList": []any{map[string]any{"type": "location", "destination": Shop}}}),
		ev("ObjectEvent", "2026-02-17T16:00:00+07:00", map[string]any{"action": "OBSERVE", "bizStep": "receiving",
			"epcList": []any{Pallet}, "bizLocation": map[string]any{"id": Shop}}),
		// Another lot, unrelated to the chain.
		ev("ObjectEvent", "2026-02-18T07:00:00+07:00", map[string]any{"action": "ADD", "bizStep": "commissioning",
			"quantityList": []any{qty(OtherLot, 100)}, "bizLocation": map[string]any{"id": Mill}}),
	}
}

// Document is an EPCISDocument of events.
func Document(events []map[string]any) []byte {
	doc := map[string]any{
		"@context":      []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]any{"example": "https://example.org/ns/"}},
		"type":          "EPCISDocument",
		"schemaVersion": "2.0",
		"creationDate":  "2026-02-18T08:00:00Z",
		"epcisBody":     map[string]any{"eventList": events},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

// Short is an identifier without the scheme's base, for messages.
func Short(id string) string {
	return strings.TrimPrefix(strings.TrimPrefix(id, Base), "https://id.gs1.org")
}
