package epcis

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The CBV 2.0 "EPCIS Event Hash ID": an event's ID derived from its
// content, so that the same event captured twice gets the same ID. The
// pre-hash string lists the event's fields in a fixed order (lists sorted,
// times in UTC to the millisecond, identifiers in canonical Digital Link
// form, CBV words as URIs, extension names with their expanded namespace);
// its SHA-256 gives ni:///sha-256;{hex}?ver=CBV2.0. What must not change the
// event's identity is left out: recordTime, eventID, errorDeclaration and
// comments.

// field is one entry of the canonical order: a name and, for a structure,
// the order of its children.
type field struct {
	name     string
	children []field
	list     string // for a list: the name each element gets
	vocab    string // CBV prefix of its values (BizStep-, Disp-…)
}

var quantityElement = []field{{name: "epcClass"}, {name: "quantity"}, {name: "uom"}}

var hashOrder = []field{
	{name: "eventTime"},
	{name: "eventTimeZoneOffset"},
	{name: "certificationInfo"},
	{name: "parentID"},
	{name: "epcList", list: "epc"},
	{name: "inputEPCList", list: "epc"},
	{name: "childEPCs", list: "epc"},
	{name: "quantityList", list: "quantityElement", children: quantityElement},
	{name: "childQuantityList", list: "quantityElement", children: quantityElement},
	{name: "inputQuantityList", list: "quantityElement", children: quantityElement},
	{name: "outputEPCList", list: "epc"},
	{name: "outputQuantityList", list: "quantityElement", children: quantityElement},
	{name: "action"},
	{name: "transformationID"},
	{name: "bizStep", vocab: "BizStep-"},
	{name: "disposition", vocab: "Disp-"},
	{name: "persistentDisposition", children: []field{{name: "set", vocab: "Disp-"}, {name: "unset", vocab: "Disp-"}}},
	{name: "readPoint", children: []field{{name: "id"}}},
	{name: "bizLocation", children: []field{{name: "id"}}},
	{name: "bizTransactionList", list: "", children: []field{{name: "type", vocab: "BTT-"}, {name: "bizTransaction"}}},
	{name: "destinationList", list: "", children: []field{{name: "type", vocab: "SDT-"}, {name: "destination"}}},
	{name: "sourceList", list: "", children: []field{{name: "type", vocab: "SDT-"}, {name: "source"}}},
	{name: "sensorElementList", list: "sensorElement", children: []field{
		{name: "sensorMetadata", children: []field{{name: "time"}, {name: "startTime"}, {name: "endTime"}, {name: "deviceID"},
			{name: "deviceMetadata"}, {name: "rawData"}, {name: "dataProcessingMethod"}, {name: "bizRules"}}},
		{name: "sensorReport", list: "-", children: []field{{name: "type", vocab: "gs1:"}, {name: "exception", vocab: "gs1:"},
			{name: "deviceID"}, {name: "deviceMetadata"}, {name: "rawData"}, {name: "dataProcessingMethod"}, {name: "time"},
			{name: "microorganism"}, {name: "chemicalSubstance"}, {name: "value"}, {name: "component", vocab: "Comp-"},
			{name: "stringValue"}, {name: "booleanValue"}, {name: "hexBinaryValue"}, {name: "uriValue"}, {name: "minValue"},
			{name: "maxValue"}, {name: "meanValue"}, {name: "sDev"}, {name: "percRank"}, {name: "percValue"}, {name: "uom"},
			{name: "coordinateReferenceSystem"}, {name: "bizRules"}}},
	}},
	{name: "ilmd"},
}

// hashIgnored are the top-level fields that do not make up the event.
var hashIgnored = []string{"type", "@context", "recordTime", "eventID", "errorDeclaration"}

// Hasher computes event hash IDs.
type Hasher struct {
	IDs Normalizer
	// Ignore lists extension fields (as prefix:name) left out of the hash,
	// such as a repository's own bookkeeping fields.
	Ignore []string
}

// EventHash returns the hash ID of an event and its pre-hash string; ctx is
// the event's @context (its own or its document's).
func (h *Hasher) EventHash(ev map[string]any, ctx any) (id, prehash string) {
	p := &prehasher{h: h, ns: namespaces(ctx)}
	if inner, ok := ev["@context"]; ok {
		for k, v := range namespaces(inner) {
			p.ns[k] = v
		}
	}
	var b strings.Builder
	t, _ := ev["type"].(string)
	b.WriteString("eventType=" + t)
	p.structure(&b, ev, hashOrder, true)
	prehash = b.String()
	sum := sha256.Sum256([]byte(prehash))
	return "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=CBV2.0", prehash
}

type prehasher struct {
	h  *Hasher
	ns map[string]string
}

// namespaces reads the prefixes an @context defines, over those of the
// standard EPCIS context.
func namespaces(ctx any) map[string]string {
	ns := map[string]string{
		"epcis": "https://ref.gs1.org/epcis/", "cbv": "https://ref.gs1.org/cbv/", "cbvmda": "urn:epcglobal:cbv:mda:",
		"gs1": "https://gs1.org/voc/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "owl": "http://www.w3.org/2002/07/owl#",
		"xsd": "http://www.w3.org/2001/XMLSchema#", "dcterms": "http://purl.org/dc/terms/",
	}
	var walk func(any)
	walk = func(c any) {
		switch x := c.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, v := range x {
				if s, ok := v.(string); ok {
					ns[k] = s
				}
			}
		}
	}
	walk(ctx)
	return ns
}

// structure writes the fields of m in the order given, then (when
// extensible) its extension fields, sorted.
func (p *prehasher) structure(b *strings.Builder, m map[string]any, order []field, top bool) {
	for _, f := range order {
		v, ok := m[f.name]
		if !ok {
			continue
		}
		p.value(b, f, v)
	}
	var ext []string
	for k, v := range m {
		if top && slices.Contains(hashIgnored, k) || slices.ContainsFunc(order, func(f field) bool { return f.name == k }) {
			continue
		}
		if s := p.extension(k, v); s != "" {
			ext = append(ext, s)
		}
	}
	slices.Sort(ext)
	for _, s := range ext {
		b.WriteString(s)
	}
}

// value writes one standard field.
func (p *prehasher) value(b *strings.Builder, f field, v any) {
	switch {
	case f.name == "ilmd":
		m, _ := v.(map[string]any)
		b.WriteString("ilmd")
		p.structure(b, m, nil, false)
	case f.list != "" || strings.HasSuffix(f.name, "List") && f.children != nil:
		items, ok := v.([]any)
		if !ok { // persistentDisposition's set/unset hold lists too
			items = []any{v}
		}
		name := f.list
		if name == "-" {
			name = f.name
		}
		var parts []string
		for _, it := range items {
			var s strings.Builder
			if f.children != nil {
				s.WriteString(name)
				m, _ := it.(map[string]any)
				p.structure(&s, m, f.children, false)
			} else {
				s.WriteString(name + "=" + p.scalar(f, it))
			}
			parts = append(parts, s.String())
		}
		slices.Sort(parts)
		if f.list != "-" {
			b.WriteString(f.name)
		}
		for _, s := range parts {
			b.WriteString(s)
		}
	case f.children != nil:
		m, _ := v.(map[string]any)
		b.WriteString(f.name)
		p.structure(b, m, f.children, false)
	default:
		if items, ok := v.([]any); ok { // certificationInfo, set, unset
			var parts []string
			for _, it := range items {
				parts = append(parts, f.name+"="+p.scalar(f, it))
			}
			slices.Sort(parts)
			b.WriteString(strings.Join(parts, ""))
			return
		}
		b.WriteString(f.name + "=" + p.scalar(f, v))
	}
}

// scalar is the canonical text of a standard field's value.
func (p *prehasher) scalar(f field, v any) string {
	switch x := v.(type) {
	case json.Number:
		return canonicalNumber(string(x))
	case float64:
		return canonicalNumber(strconv.FormatFloat(x, 'f', -1, 64))
	case bool:
		return strconv.FormatBool(x)
	case string:
		if f.vocab != "" {
			if prefix, local, ok := strings.Cut(x, ":"); ok && p.ns[prefix] != "" && !strings.HasPrefix(local, "//") {
				return p.ns[prefix] + local // a CURIE such as gs1:Angle
			}
		}
		switch {
		case f.vocab == "gs1:" && !strings.Contains(x, ":"):
			return "https://gs1.org/voc/" + x
		case f.vocab != "" && f.vocab != "gs1:" && !strings.Contains(x, ":"):
			return CBVURI(f.vocab, x)
		}
		if t, err := ParseTime(x); err == nil {
			return EventTimeUTC(t)
		}
		if c, err := p.h.IDs.Canonical(x); err == nil {
			return c
		}
		return x
	}
	return ""
}

// canonicalNumber writes a number without a needless fraction or exponent.
func canonicalNumber(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// extension writes an extension field as {namespace}name…; arrays repeat
// the name for each element. Unknown prefixes, comments and ignored fields
// are left out.
func (p *prehasher) extension(k string, v any) string {
	if k == "rdfs:comment" || k == "comment" || slices.Contains(p.h.Ignore, k) {
		return ""
	}
	name := k
	if prefix, local, ok := strings.Cut(k, ":"); ok && !strings.HasPrefix(local, "//") {
		if ns, ok := p.ns[prefix]; ok {
			name = "{" + ns + "}" + local
		}
	}
	switch x := v.(type) {
	case []any:
		var parts []string
		for _, it := range x {
			parts = append(parts, p.extension(k, it))
		}
		slices.Sort(parts)
		return strings.Join(parts, "")
	case map[string]any:
		var parts []string
		for ck, cv := range x {
			if s := p.extension(ck, cv); s != "" {
				parts = append(parts, s)
			}
		}
		slices.Sort(parts)
		return name + strings.Join(parts, "")
	case nil:
		return name
	}
	return name + "=" + p.scalar(field{}, v)
}

// EventTimeUTC formats a time as the hash does: UTC, rounded to the
// millisecond.
func EventTimeUTC(t time.Time) string {
	return t.Round(time.Millisecond).UTC().Format("2006-01-02T15:04:05.000Z")
}
