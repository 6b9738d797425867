package epcis

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Identifiers in EPCIS events come as EPC URNs (urn:epc:id:sgtin:…), as GS1
// Digital Link URIs on any domain, or, for producers without a GS1 company
// prefix, in the province's own URI scheme. Every one is stored and matched
// in one canonical form: a GS1 key becomes its Digital Link URI on
// https://id.gs1.org with the values percent-encoded one way (the form the
// CBV 2.0 event hash uses too), a provincial identifier its re-encoded URI,
// anything else stays as it is.

// GS1Domain is the host of canonical GS1 Digital Link URIs.
const GS1Domain = "https://id.gs1.org"

// AIValue is one Application Identifier with its (decoded) value.
type AIValue struct {
	AI    string
	Value string
}

// GS1Key is a GS1 identification key with its Digital Link qualifiers: the
// primary key first, then the qualifiers in their standard order.
type GS1Key []AIValue

// DigitalLink is the canonical Digital Link URI of the key.
func (k GS1Key) DigitalLink() string {
	var b strings.Builder
	b.WriteString(GS1Domain)
	for _, p := range k {
		b.WriteByte('/')
		b.WriteString(p.AI)
		b.WriteByte('/')
		b.WriteString(escapeDL(p.Value))
	}
	return b.String()
}

// IsClass reports whether the key names a class of objects (a GTIN, a GTIN
// with its lot) rather than one instance.
func (k GS1Key) IsClass() bool {
	if len(k) == 0 {
		return false
	}
	has := func(ai string) bool {
		for _, p := range k[1:] {
			if p.AI == ai {
				return true
			}
		}
		return false
	}
	switch k[0].AI {
	case "01":
		return !has("21") && !has("235")
	case "8006":
		return !has("21")
	case "8010":
		return !has("8011")
	case "8003":
		return len(k[0].Value) == 14
	case "253", "255":
		return len(k[0].Value) == 13
	}
	return false
}

// escapeDL percent-encodes a value for a Digital Link path: everything but
// the unreserved characters (and the apostrophe, as the CBV hash vectors do).
func escapeDL(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~'", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

var errNotGS1 = errors.New("not a GS1 identifier")

// dlAliases are the alphabetic path names of Digital Link 1.0–1.2
// (deprecated since, still found on old labels and in test data).
var dlAliases = map[string]string{
	"gtin": "01", "cpv": "22", "lot": "10", "ser": "21", "sscc": "00", "gln": "414", "glnx": "254",
	"party": "417", "gdti": "253", "gcn": "255", "ginc": "401", "gsin": "402", "grai": "8003",
	"giai": "8004", "itip": "8006", "cpid": "8010", "cpsn": "8011", "gsrnp": "8017", "gsrn": "8018",
	"srin": "8019", "gmn": "8013", "payto": "415", "refno": "8020",
}

func aiOf(seg string) string {
	if a, ok := dlAliases[seg]; ok {
		return a
	}
	return seg
}

// ParseDigitalLink parses a GS1 Digital Link URI (any domain, with or
// without a path prefix; query attributes are allowed and ignored). It
// checks each value against the AI's format and check digit.
func ParseDigitalLink(s string) (GS1Key, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "" || u.User != nil {
		return nil, errNotGS1
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("a Digital Link has no fragment")
	}
	if _, err := url.ParseQuery(u.RawQuery); err != nil {
		return nil, fmt.Errorf("malformed query: %v", err)
	}
	segs := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	var firstErr error
	// The primary key is the first segment, from the left, after which the
	// rest of the path is a valid key with qualifiers; what precedes it is a
	// path prefix of the resolver.
	for i := 0; i+1 < len(segs); i++ {
		spec := aiTable[aiOf(segs[i])]
		if spec == nil || !spec.primary || (len(segs)-i)%2 != 0 {
			continue
		}
		k, err := parseKeyPath(segs[i:])
		if err == nil {
			return k, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, errNotGS1
}

// parseKeyPath reads AI/value pairs of escaped path segments.
func parseKeyPath(segs []string) (GS1Key, error) {
	var k GS1Key
	for i := 0; i < len(segs); i += 2 {
		ai := aiOf(segs[i])
		v, err := url.PathUnescape(segs[i+1])
		if err != nil || v == "" {
			return nil, fmt.Errorf("AI (%s): malformed value", ai)
		}
		if ai == "01" && len(v) < 14 && (len(v) == 8 || len(v) == 12 || len(v) == 13) {
			v = strings.Repeat("0", 14-len(v)) + v // GTIN-8/12/13 as GTIN-14
		}
		k = append(k, AIValue{ai, v})
	}
	return k, k.check()
}

// check validates the values and the qualifiers' order.
func (k GS1Key) check() error {
	primary := aiTable[k[0].AI]
	if primary == nil || !primary.primary {
		return fmt.Errorf("AI (%s) is not a primary key", k[0].AI)
	}
	for _, p := range k {
		spec := aiTable[p.AI]
		if spec == nil {
			return fmt.Errorf("unknown AI (%s)", p.AI)
		}
		if err := spec.validate(p.Value); err != nil {
			return err
		}
	}
	if len(k) == 1 {
		return nil
	}
	for _, seq := range primary.qualifiers {
		if isOrderedSubset(k[1:], seq) {
			return nil
		}
	}
	return fmt.Errorf("qualifiers not allowed after AI (%s) in this order", k[0].AI)
}

func isOrderedSubset(q []AIValue, seq []string) bool {
	j := 0
	for _, p := range q {
		for j < len(seq) && seq[j] != p.AI {
			j++
		}
		if j == len(seq) {
			return false
		}
		j++
	}
	return true
}

// ParseEPCURN converts a GS1 EPC pure-identity URN (urn:epc:id:…), an EPC
// class URN (urn:epc:class:lgtin:…) or a whole-class pattern
// (urn:epc:idpat:sgtin:CP.Item.*) to its GS1 key.
func ParseEPCURN(s string) (GS1Key, error) {
	rest, ok := cutPrefixFold(s, "urn:epc:")
	if !ok {
		return nil, errNotGS1
	}
	kind, rest, _ := strings.Cut(rest, ":")
	scheme, body, ok := strings.Cut(rest, ":")
	if !ok {
		return nil, fmt.Errorf("malformed EPC URN")
	}
	raw := strings.Split(body, ".")
	parts := make([]string, len(raw))
	for i, r := range raw {
		v, err := url.PathUnescape(r)
		if err != nil {
			return nil, fmt.Errorf("malformed escape in EPC URN")
		}
		parts[i] = v
	}
	n := len(parts)
	if kind == "idpat" && parts[n-1] != "*" {
		return nil, fmt.Errorf("only whole-class patterns (…*) are supported")
	}
	need := func(want int) error {
		if n != want {
			return fmt.Errorf("urn:epc:%s:%s needs %d components", kind, scheme, want)
		}
		if len(parts[0]) < 4 || len(parts[0]) > 12 || !inCharset('N', parts[0]) {
			return fmt.Errorf("malformed company prefix %q", parts[0])
		}
		return nil
	}
	// gtin builds a GTIN-14 from a company prefix and indicator+item ref.
	gtin := func(cp, ir string) (string, error) {
		if len(cp)+len(ir) != 13 || ir == "" || !inCharset('N', ir) {
			return "", fmt.Errorf("company prefix and item reference must have 13 digits")
		}
		d := ir[:1] + cp + ir[1:]
		return d + string(CheckDigit(d)), nil
	}
	// withCD appends the check digit to company prefix + reference of a
	// fixed total length.
	withCD := func(digits string, total int) (string, error) {
		if len(digits) != total-1 || !inCharset('N', digits) {
			return "", fmt.Errorf("company prefix and reference must have %d digits", total-1)
		}
		return digits + string(CheckDigit(digits)), nil
	}
	var k GS1Key
	var err error
	switch kind + ":" + scheme {
	case "id:sgtin", "idpat:sgtin", "class:lgtin", "id:upui":
		if err = need(3); err != nil {
			return nil, err
		}
		var g string
		if g, err = gtin(parts[0], parts[1]); err != nil {
			return nil, err
		}
		k = GS1Key{{"01", g}}
		switch {
		case kind == "class":
			k = append(k, AIValue{"10", parts[2]})
		case scheme == "upui":
			k = append(k, AIValue{"235", parts[2]})
		case kind == "idpat":
		default:
			k = append(k, AIValue{"21", parts[2]})
		}
	case "id:sscc":
		if err = need(2); err != nil {
			return nil, err
		}
		if len(parts[1]) == 0 {
			return nil, fmt.Errorf("malformed SSCC")
		}
		var v string
		if v, err = withCD(parts[1][:1]+parts[0]+parts[1][1:], 18); err != nil {
			return nil, err
		}
		k = GS1Key{{"00", v}}
	case "id:sgln":
		if err = need(3); err != nil {
			return nil, err
		}
		var v string
		if v, err = withCD(parts[0]+parts[1], 13); err != nil {
			return nil, err
		}
		k = GS1Key{{"414", v}}
		if parts[2] != "0" && parts[2] != "" {
			k = append(k, AIValue{"254", parts[2]})
		}
	case "id:pgln":
		if err = need(2); err != nil {
			return nil, err
		}
		var v string
		if v, err = withCD(parts[0]+parts[1], 13); err != nil {
			return nil, err
		}
		k = GS1Key{{"417", v}}
	case "id:grai", "idpat:grai":
		if err = need(3); err != nil {
			return nil, err
		}
		var v string
		if v, err = withCD("0"+parts[0]+parts[1], 14); err != nil {
			return nil, err
		}
		if kind == "id" {
			v += parts[2]
		}
		k = GS1Key{{"8003", v}}
	case "id:giai":
		if err = need(2); err != nil {
			return nil, err
		}
		k = GS1Key{{"8004", parts[0] + parts[1]}}
	case "id:gsrn", "id:gsrnp":
		if err = need(2); err != nil {
			return nil, err
		}
		var v string
		if v, err = withCD(parts[0]+parts[1], 18); err != nil {
			return nil, err
		}
		ai := "8018"
		if scheme == "gsrnp" {
			ai = "8017"
		}
		k = GS1Key{{ai, v}}
	case "id:gdti", "idpat:gdti", "id:sgcn", "idpat:sgcn":
		if err = need(3); err != nil {
			return nil, err
		}
		var v string
		if v, err = withCD(parts[0]+parts[1], 13); err != nil {
			return nil, err
		}
		if kind == "id" {
			v += parts[2]
		}
		ai := "253"
		if scheme == "sgcn" {
			ai = "255"
		}
		k = GS1Key{{ai, v}}
	case "id:cpi", "idpat:cpi":
		if err = need(3); err != nil {
			return nil, err
		}
		k = GS1Key{{"8010", parts[0] + parts[1]}}
		if kind == "id" {
			k = append(k, AIValue{"8011", parts[2]})
		}
	case "id:ginc":
		if err = need(2); err != nil {
			return nil, err
		}
		k = GS1Key{{"401", parts[0] + parts[1]}}
	case "id:gsin":
		if err = need(2); err != nil {
			return nil, err
		}
		var v string
		if v, err = withCD(parts[0]+parts[1], 17); err != nil {
			return nil, err
		}
		k = GS1Key{{"402", v}}
	case "id:itip", "idpat:itip":
		if err = need(5); err != nil {
			return nil, err
		}
		var g string
		if g, err = gtin(parts[0], parts[1]); err != nil {
			return nil, err
		}
		k = GS1Key{{"8006", g + parts[2] + parts[3]}}
		if kind == "id" {
			k = append(k, AIValue{"21", parts[4]})
		}
	default:
		// Other EPC schemes (gid, usdod, adi, bic, imovn…) are no GS1 keys.
		return nil, errNotGS1
	}
	if err := k.check(); err != nil {
		return nil, err
	}
	return k, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// Provincial is the province's identifier scheme for producers without a GS1
// company prefix (TCVN 13274:2020 allows non-GS1 codes). Under a base URI
// the province controls, a producer's code names the producer, and under it
// its locations, products, lots, serialised items and logistic units:
//
//	{base}/{org}                      a party (as a PGLN)
//	{base}/{org}/loc/{ref}            a field, pond, yard, mill (as a GLN)
//	{base}/{org}/pr/{ref}             a product (as a GTIN), a class
//	{base}/{org}/pr/{ref}/lot/{lot}   a lot of it (as an LGTIN), a class
//	{base}/{org}/pr/{ref}/ser/{ser}   one item (as an SGTIN)
//	{base}/{org}/lu/{ref}             a bag, crate or pallet (as an SSCC)
//
// Codes and references use GS1 charset 82 (up to 20 characters, org codes
// letters, digits and hyphens), so a label can carry them like a Digital
// Link and the same resolver serves both.
type Provincial struct {
	Base string // e.g. https://truyxuat.example.gov.vn/id, no trailing slash
}

// ProvincialID is a parsed provincial identifier.
type ProvincialID struct {
	Org  string
	Kind string // "", loc, pr, lu
	Ref  string
	Lot  string
	Ser  string
}

// IsClass reports whether the identifier names a class (a product or lot).
func (p ProvincialID) IsClass() bool { return p.Kind == "pr" && p.Ser == "" }

// URI is the identifier's canonical URI under base.
func (pv Provincial) URI(p ProvincialID) string {
	s := pv.Base + "/" + p.Org
	if p.Kind == "" {
		return s
	}
	s += "/" + p.Kind + "/" + escapeDL(p.Ref)
	switch {
	case p.Lot != "":
		s += "/lot/" + escapeDL(p.Lot)
	case p.Ser != "":
		s += "/ser/" + escapeDL(p.Ser)
	}
	return s
}

// Parse parses a URI of the scheme; ok is false when s is not under the base.
func (pv Provincial) Parse(s string) (id ProvincialID, ok bool, err error) {
	if pv.Base == "" {
		return id, false, nil
	}
	rest, under := cutPrefixFold(s, pv.Base+"/")
	if !under {
		return id, false, nil
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		return id, true, fmt.Errorf("a provincial identifier has no query or fragment")
	}
	segs := strings.Split(rest, "/")
	dec := make([]string, len(segs))
	for i, sg := range segs {
		v, err := url.PathUnescape(sg)
		if err != nil || v == "" || len(v) > 20 || !inCharset('X', v) {
			return id, true, fmt.Errorf("malformed segment %q", sg)
		}
		dec[i] = v
	}
	id.Org = dec[0]
	for i := 0; i < len(id.Org); i++ {
		c := id.Org[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return id, true, fmt.Errorf("malformed producer code %q", id.Org)
		}
	}
	switch {
	case len(dec) == 1:
	case len(dec) == 3 && (dec[1] == "loc" || dec[1] == "pr" || dec[1] == "lu"):
		id.Kind, id.Ref = dec[1], dec[2]
	case len(dec) == 5 && dec[1] == "pr" && dec[3] == "lot":
		id.Kind, id.Ref, id.Lot = "pr", dec[2], dec[4]
	case len(dec) == 5 && dec[1] == "pr" && dec[3] == "ser":
		id.Kind, id.Ref, id.Ser = "pr", dec[2], dec[4]
	default:
		return id, true, fmt.Errorf("unknown provincial identifier path")
	}
	return id, true, nil
}

// Normalizer turns identifiers into their canonical form.
type Normalizer struct {
	Provincial Provincial
}

// Canonical returns the canonical form of an identifier. GS1 keys (EPC URNs
// and Digital Link URIs) and provincial identifiers are validated; an
// invalid one is an error. Other URIs are returned unchanged.
func (n Normalizer) Canonical(s string) (string, error) {
	c, _, err := n.Classify(s)
	return c, err
}

// Classify is Canonical, also telling whether the identifier names a class.
func (n Normalizer) Classify(s string) (canonical string, class bool, err error) {
	if p, ok, err := n.Provincial.Parse(s); ok {
		if err != nil {
			return "", false, err
		}
		return n.Provincial.URI(p), p.IsClass(), nil
	}
	var k GS1Key
	if strings.HasPrefix(s, "urn:") || strings.HasPrefix(s, "URN:") {
		k, err = ParseEPCURN(s)
	} else {
		k, err = ParseDigitalLink(s)
	}
	if err == errNotGS1 {
		return s, false, nil
	}
	if err != nil {
		return "", false, err
	}
	return k.DigitalLink(), k.IsClass(), nil
}

// EPCURN is the key as an EPC URN, the other way from ParseEPCURN. A URN
// separates the company prefix, which a Digital Link does not mark: its
// length (6 to 12 digits) comes from GS1's prefix table, so the caller
// gives it. A GTIN alone is a class pattern (urn:epc:idpat:sgtin:…*), a
// GTIN with a lot an LGTIN class.
func (k GS1Key) EPCURN(gcpLen int) (string, error) {
	if len(k) == 0 {
		return "", errNotGS1
	}
	if gcpLen < 6 || gcpLen > 12 {
		return "", fmt.Errorf("company prefix length %d out of 6–12", gcpLen)
	}
	q := map[string]string{}
	for _, p := range k[1:] {
		q[p.AI] = escapeURN(p.Value)
	}
	v := k[0].Value
	// split cuts an all-digit key (check digit dropped) after the prefix.
	split := func(digits string) (string, string, error) {
		if len(digits) < gcpLen {
			return "", "", fmt.Errorf("key shorter than its company prefix")
		}
		return digits[:gcpLen], digits[gcpLen:], nil
	}
	// gtinParts gives company prefix and indicator+item reference.
	gtinParts := func(g string) (string, string, error) {
		cp, ref, err := split(g[1:13])
		return cp, g[:1] + ref, err
	}
	switch k[0].AI {
	case "01":
		cp, ir, err := gtinParts(v)
		if err != nil {
			return "", err
		}
		switch {
		case q["21"] != "":
			return "urn:epc:id:sgtin:" + cp + "." + ir + "." + q["21"], nil
		case q["235"] != "":
			return "urn:epc:id:upui:" + cp + "." + ir + "." + q["235"], nil
		case q["10"] != "":
			return "urn:epc:class:lgtin:" + cp + "." + ir + "." + q["10"], nil
		}
		return "urn:epc:idpat:sgtin:" + cp + "." + ir + ".*", nil
	case "00":
		cp, ref, err := split(v[1:17])
		if err != nil {
			return "", err
		}
		return "urn:epc:id:sscc:" + cp + "." + v[:1] + ref, nil
	case "414", "417":
		cp, ref, err := split(v[:12])
		if err != nil {
			return "", err
		}
		if k[0].AI == "417" {
			return "urn:epc:id:pgln:" + cp + "." + ref, nil
		}
		ext := q["254"]
		if ext == "" {
			ext = "0"
		}
		return "urn:epc:id:sgln:" + cp + "." + ref + "." + ext, nil
	case "8003":
		cp, ref, err := split(v[1:13])
		if err != nil {
			return "", err
		}
		if len(v) == 14 {
			return "urn:epc:idpat:grai:" + cp + "." + ref + ".*", nil
		}
		return "urn:epc:id:grai:" + cp + "." + ref + "." + escapeURN(v[14:]), nil
	case "253", "255":
		cp, ref, err := split(v[:12])
		if err != nil {
			return "", err
		}
		scheme := map[string]string{"253": "gdti", "255": "sgcn"}[k[0].AI]
		if len(v) == 13 {
			return "urn:epc:idpat:" + scheme + ":" + cp + "." + ref + ".*", nil
		}
		return "urn:epc:id:" + scheme + ":" + cp + "." + ref + "." + escapeURN(v[13:]), nil
	case "8004", "401", "8010":
		if len(v) < gcpLen || !inCharset('N', v[:gcpLen]) {
			return "", fmt.Errorf("key does not start with a company prefix of %d digits", gcpLen)
		}
		cp, ref := v[:gcpLen], escapeURN(v[gcpLen:])
		switch k[0].AI {
		case "8004":
			return "urn:epc:id:giai:" + cp + "." + ref, nil
		case "401":
			return "urn:epc:id:ginc:" + cp + "." + ref, nil
		}
		if q["8011"] == "" {
			return "urn:epc:idpat:cpi:" + cp + "." + ref + ".*", nil
		}
		return "urn:epc:id:cpi:" + cp + "." + ref + "." + q["8011"], nil
	case "8017", "8018", "402":
		cp, ref, err := split(v[:len(v)-1])
		if err != nil {
			return "", err
		}
		scheme := map[string]string{"8017": "gsrnp", "8018": "gsrn", "402": "gsin"}[k[0].AI]
		return "urn:epc:id:" + scheme + ":" + cp + "." + ref, nil
	case "8006":
		cp, ir, err := gtinParts(v[:14])
		if err != nil {
			return "", err
		}
		piece := v[14:16] + "." + v[16:18]
		if q["21"] == "" {
			return "urn:epc:idpat:itip:" + cp + "." + ir + "." + piece + ".*", nil
		}
		return "urn:epc:id:itip:" + cp + "." + ir + "." + piece + "." + q["21"], nil
	}
	return "", fmt.Errorf("AI (%s) has no EPC URN", k[0].AI)
}

// escapeURN percent-encodes a value for an EPC URN component: the
// characters of GS1 charset 82 that a URN may not carry as they are.
func escapeURN(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte("\"%&/<>?#.", c) >= 0 || c < 0x21 || c > 0x7e {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
