package epcis

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"egov"
)

// The GS1 Digital Link resolver: a path such as /01/{gtin}/10/{lot} (GS1
// Digital Link on this host) or one of the provincial scheme's paths names
// an identifier; the resolver answers with a link set (RFC 9264, in the
// shape of GS1's resolver standard), a redirect to one link type, or the
// public provenance page.

// GS1Voc is the namespace of GS1's link types (gs1:pip…).
const GS1Voc = "https://gs1.org/voc/"

// Link is one link of a link set.
type Link struct {
	Type     string // the link type as a CURIE: gs1:pip
	Href     string
	Title    string
	MimeType string
}

// Resolution is what the resolver knows about an identifier.
type Resolution struct {
	ID     string // canonical
	Kind   string // product, lot, item, logisticUnit, location, party
	Anchor string // the identifier's URI on this resolver
	Links  []Link
}

// ResolverPath parses the escaped path of a resolver request into a
// canonical identifier: a Digital Link path on this host (the primary key
// first, as /01/…), or a provincial identifier's path under the scheme's
// base. A malformed identifier (a wrong check digit, a value outside its
// AI's format, qualifiers out of order) is an invalid error whose argument
// says what is wrong.
func (s *Service) ResolverPath(escapedPath string) (string, error) {
	if len(escapedPath) > 1024 {
		return "", egov.Errorf(egov.EINVALID, "tracing.error.bad_link", "too long")
	}
	pv := s.Parser.IDs.Provincial
	if p := ProvincialPath(pv.Base); p != "" && strings.HasPrefix(escapedPath, p+"/") {
		id, ok, err := pv.Parse(pv.Base + strings.TrimPrefix(escapedPath, p))
		if !ok || err != nil {
			return "", egov.Errorf(egov.EINVALID, "tracing.error.bad_link", errText(err))
		}
		return pv.URI(id), nil
	}
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	if len(segs) < 2 || len(segs)%2 != 0 {
		return "", egov.Errorf(egov.EINVALID, "tracing.error.bad_link", "a Digital Link path is pairs of an AI and its value")
	}
	if spec := aiTable[aiOf(segs[0])]; spec == nil || !spec.primary {
		return "", egov.Errorf(egov.EINVALID, "tracing.error.bad_link", "the path does not start with a GS1 primary key")
	}
	k, err := parseKeyPath(segs)
	if err != nil {
		return "", egov.Errorf(egov.EINVALID, "tracing.error.bad_link", errText(err))
	}
	return k.DigitalLink(), nil
}

func errText(err error) string {
	if err == nil {
		return "not a provincial identifier"
	}
	return err.Error()
}

// ProvincialPath is the path of the provincial scheme's base URI ("/id"),
// under which this host resolves provincial identifiers; "" when the base
// has no path.
func ProvincialPath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.EscapedPath(), "/")
}

// ResolverURI is an identifier's URI on this resolver: a GS1 key's Digital
// Link path on origin, a provincial identifier as it is.
func (s *Service) ResolverURI(origin, id string) string {
	if strings.HasPrefix(id, GS1Domain+"/") {
		return origin + strings.TrimPrefix(id, GS1Domain)
	}
	return id
}

// Resolve returns the links of an identifier for the public: its
// provenance page (gs1:pip, also the default link), its certifications,
// the EPCIS query for its events (gs1:traceability) and the repository
// (gs1:epcis). An identifier that no event names is not found.
func (s *Service) Resolve(ctx context.Context, origin, id string) (*Resolution, error) {
	known, err := s.known(ctx, id)
	if err != nil {
		return nil, err
	}
	if !known {
		return nil, egov.Errorf(egov.ENOTFOUND, "tracing.error.unknown_id")
	}
	anchor := s.ResolverURI(origin, id)
	res := &Resolution{ID: id, Kind: s.IDKind(id), Anchor: anchor}
	match := "MATCH_anyEPC"
	if s.IDKind(id) == "lot" || s.IDKind(id) == "product" {
		match = "MATCH_anyEPCClass"
	}
	res.Links = []Link{
		{Type: "gs1:pip", Href: anchor, Title: "Nguồn gốc sản phẩm / Product provenance", MimeType: "text/html"},
		{Type: "gs1:defaultLink", Href: anchor, Title: "Nguồn gốc sản phẩm / Product provenance", MimeType: "text/html"},
		{Type: "gs1:traceability", Href: origin + "/epcis/events?" + url.Values{match: {id}}.Encode(), Title: "EPCIS events", MimeType: "application/ld+json"},
		{Type: "gs1:epcis", Href: origin + "/epcis", Title: "EPCIS 2.0 repository", MimeType: "application/ld+json"},
	}
	certs, err := s.certifications(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, c := range certs {
		res.Links = append(res.Links, Link{Type: "gs1:certificationInfo", Href: c, Title: c})
	}
	return res, nil
}

// Link returns the resolution's link of a type (a CURIE gs1:pip or the
// full https://gs1.org/voc/pip), or false.
func (r *Resolution) Link(linkType string) (Link, bool) {
	t := strings.TrimPrefix(linkType, GS1Voc)
	if t != linkType {
		t = "gs1:" + t
	}
	for _, l := range r.Links {
		if l.Type == t {
			return l, true
		}
	}
	return Link{}, false
}

// Linkset is the resolution as an RFC 9264 link set: one context object
// whose anchor is the identifier and whose keys are the link types' URIs.
func (r *Resolution) Linkset() map[string]any {
	ctx := map[string]any{"anchor": r.Anchor}
	for _, l := range r.Links {
		key := GS1Voc + strings.TrimPrefix(l.Type, "gs1:")
		target := map[string]any{"href": l.Href, "title": l.Title}
		if l.MimeType != "" {
			target["type"] = l.MimeType
		}
		if l.MimeType == "text/html" {
			target["hreflang"] = []string{"vi", "en"}
		}
		list, _ := ctx[key].([]any)
		ctx[key] = append(list, target)
	}
	return map[string]any{"linkset": []any{ctx}}
}

// known reports whether any event names the identifier or, for a product,
// any of its lots or items.
func (s *Service) known(ctx context.Context, id string) (bool, error) {
	starts, err := s.startIDs(id)
	if err != nil {
		return false, err
	}
	q := "SELECT 1 FROM epcis_event_epcs WHERE epc IN (" + placeholders(len(starts)) + ")"
	args := make([]any, len(starts))
	for i, v := range starts {
		args[i] = v
	}
	if s.IDKind(id) == "product" {
		// Its lots and items: everything under the product's URI.
		q += " OR epc >= ? AND epc < ?"
		args = append(args, id+"/", id+"0")
	}
	var one int
	err = s.db.QueryRowContext(ctx, q+" LIMIT 1", args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ProductLots are the lots of a product (by their identifiers), at most
// limit, for the page of a product without a lot.
func (s *Service) ProductLots(ctx context.Context, product string, limit int) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT epc FROM epcis_event_epcs WHERE epc >= ? AND epc < ? ORDER BY epc LIMIT ?`,
		product+"/", product+"0", limit*4)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if s.IDKind(id) == "lot" && len(out) < limit {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// certifications are the certificationInfo URIs of the events that name
// the identifier (EPCIS 2.0: a string or an array of strings).
func (s *Service) certifications(ctx context.Context, id string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.body FROM epcis_events e JOIN epcis_event_epcs x ON x.event = e.id
		WHERE x.epc = ? AND e.error_declared = 0 AND e.body LIKE '%certificationInfo%' LIMIT 50`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var m map[string]any
		if json.Unmarshal([]byte(body), &m) != nil {
			continue
		}
		for _, c := range stringsOf(m["certificationInfo"]) {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out, rows.Err()
}

func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// --- the public provenance view ---

// Stage is one step of a product's chain as the public sees it: when,
// what, where, and what came in (one step back) and went out (one step
// forward).
type Stage struct {
	Time    time.Time
	Type    string // the event's type: ObjectEvent, AggregationEvent…
	BizStep string // CBV URI or the province's own
	Place   string // bizLocation, else readPoint
	Subject []string
	Back    []string // what went into it
	Forward []string // what came out of it
	// Facts are the public master data the event carries in its ILMD
	// (harvest dates, best-before…), by their short name.
	Facts map[string]string
	// Certifications are its certificationInfo URIs.
	Certifications []string
	Upstream       bool // before the identifier asked about, or its own
}

// Provenance is the public view of an identifier's chain.
type Provenance struct {
	ID             string
	Kind           string
	Stages         []*Stage
	Certifications []string
	Lots           []string // for a product without a lot: its lots
	Truncated      bool
}

// publicFacts are the ILMD fields the public page shows, by name in the
// CBV master data vocabulary (cbvmda); everything else (operators' notes,
// quantities, people) stays with the operators.
var publicFacts = []string{"lotNumber", "harvestStartDate", "harvestEndDate", "bestBeforeDate", "itemExpirationDate",
	"sellByDate", "countryOfOrigin", "productionMethodForFishAndSeafoodCode", "storageStateCode", "speciesForFisheryStatisticsPurposesName"}

// PublicProvenance builds the public page's chain for an identifier: no
// sign-in, only dates, steps, places, identifiers, certifications and the
// public master data of the events.
func (s *Service) PublicProvenance(ctx context.Context, id string) (*Provenance, error) {
	known, err := s.known(ctx, id)
	if err != nil {
		return nil, err
	}
	if !known {
		return nil, egov.Errorf(egov.ENOTFOUND, "tracing.error.unknown_id")
	}
	p := &Provenance{ID: id, Kind: s.IDKind(id)}
	if p.Kind == "product" {
		p.Lots, err = s.ProductLots(ctx, id, 20)
		return p, err
	}
	g, err := s.graph(ctx, GraphQuery{ID: id, Depth: 12, MaxNodes: 300}, 0)
	if err != nil {
		return nil, err
	}
	p.Truncated = g.Truncated
	byEvent := map[*GraphEvent]*Stage{}
	var order []*GraphEvent
	stageOf := func(ev *GraphEvent, upstream bool) *Stage {
		st := byEvent[ev]
		if st == nil {
			st = &Stage{Time: ev.Time, Type: ev.Type, BizStep: ev.BizStep, Place: ev.BizLocation, Upstream: upstream}
			if st.Place == "" {
				st.Place = ev.ReadPoint
			}
			byEvent[ev] = st
			order = append(order, ev)
		}
		return st
	}
	for _, n := range g.Nodes {
		for _, ev := range n.Events {
			st := stageOf(ev, n.Depth <= 0)
			if !slices.Contains(st.Subject, n.ID) {
				st.Subject = append(st.Subject, n.ID)
			}
		}
	}
	for _, e := range g.Edges {
		st := stageOf(e.Event, g.Node(e.To).Depth <= 0)
		if !slices.Contains(st.Back, e.From) {
			st.Back = append(st.Back, e.From)
		}
		if !slices.Contains(st.Forward, e.To) {
			st.Forward = append(st.Forward, e.To)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].Time.Before(order[j].Time) })
	bodies, err := s.eventBodies(ctx, order)
	if err != nil {
		return nil, err
	}
	for _, ev := range order {
		st := byEvent[ev]
		body := bodies[ev.row]
		st.Facts = ilmdFacts(body)
		st.Certifications = stringsOf(body["certificationInfo"])
		for _, c := range st.Certifications {
			if !slices.Contains(p.Certifications, c) {
				p.Certifications = append(p.Certifications, c)
			}
		}
		p.Stages = append(p.Stages, st)
	}
	return p, nil
}

// ilmdFacts picks the public fields of an event's ILMD, whatever prefix
// its @context gave the CBV master data namespace.
func ilmdFacts(body map[string]any) map[string]string {
	ilmd, _ := body["ilmd"].(map[string]any)
	out := map[string]string{}
	for k, v := range ilmd {
		name := k
		if i := strings.LastIndexAny(k, ":#/"); i >= 0 {
			name = k[i+1:]
		}
		if !strings.HasPrefix(k, "cbvmda:") && !strings.Contains(k, "gs1.org/cbv/cbvmda") {
			continue
		}
		if s, ok := v.(string); ok && slices.Contains(publicFacts, name) {
			out[name] = s
		}
	}
	return out
}

func (s *Service) eventBodies(ctx context.Context, evs []*GraphEvent) (map[int64]map[string]any, error) {
	ids := make([]int64, len(evs))
	for i, ev := range evs {
		ids[i] = ev.row
	}
	out := map[int64]map[string]any{}
	err := inChunks(ids, func(part []any) error {
		rows, err := s.db.QueryContext(ctx, "SELECT id, body FROM epcis_events WHERE id IN ("+placeholders(len(part))+")", part...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var body string
			if err := rows.Scan(&id, &body); err != nil {
				return err
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(body), &m); err != nil {
				return err
			}
			out[id] = m
		}
		return rows.Err()
	})
	return out, err
}
