package epcis

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/store"
)

// The trace graph: what an identifier came from (upstream) and what it went
// into (downstream). Nodes are identifiers in canonical form; edges are the
// events that link two of them, always drawn in the direction the goods
// moved:
//
//   - a transformation links each input to each output (EPCs and classes
//     alike, and the events sharing a transformationID as one);
//   - an aggregation or association that adds or observes links each child
//     to its parent (a lot packed into bags: lot → bag → pallet);
//   - other events (object events such as harvest, shipping, receiving)
//     link nothing but are the node's stages: they are kept on the node.
//
// The traversal goes level by level, asking the database once per level
// for every identifier of the frontier (the epcis_event_epcs (epc, role,
// event) index), then once for the events found and their identifiers (by
// event). Events whose eventID has an error declaration are left out, as
// are the declarations themselves.

// Graph directions.
const (
	Upstream   = "up"
	Downstream = "down"
	Both       = "both"
)

// Graph bounds: a request may ask for less, never more.
const (
	MaxGraphDepth = 32
	MaxGraphNodes = 2000
	// maxNodeEvents bounds the events kept on one node (a product class can
	// be in millions of events; the page shows the first ones).
	maxNodeEvents = 200
	inChunk       = 500
)

// GraphEvent is an event as the graph shows it: what, when, where, why.
type GraphEvent struct {
	EventID     string    `json:"eventID"`
	Type        string    `json:"type"`
	Action      string    `json:"action,omitempty"`
	BizStep     string    `json:"bizStep,omitempty"`
	Disposition string    `json:"disposition,omitempty"`
	Time        time.Time `json:"eventTime"`
	ReadPoint   string    `json:"readPoint,omitempty"`
	BizLocation string    `json:"bizLocation,omitempty"`

	row  int64
	epcs []EPCRef // every identifier, for linking events and shipments
}

// GraphNode is one identifier in the graph.
type GraphNode struct {
	ID string `json:"id"`
	// Kind is what the identifier names: product, lot, item, logisticUnit,
	// location, party or other.
	Kind string `json:"kind"`
	// Depth is the number of links from the start: negative upstream,
	// positive downstream, 0 for the start.
	Depth int `json:"depth"`
	// Events are the events that name it without linking it to another
	// node (harvest, drying, shipping, receiving…), by time.
	Events []*GraphEvent `json:"events"`
}

// GraphEdge is a link from an upstream node to a downstream one.
type GraphEdge struct {
	From  string      `json:"from"`
	To    string      `json:"to"`
	Kind  string      `json:"kind"` // transformation, aggregation, association
	Event *GraphEvent `json:"event"`
}

// Graph is the answer to a trace question.
type Graph struct {
	Start     string       `json:"start"`
	Nodes     []*GraphNode `json:"nodes"`
	Edges     []*GraphEdge `json:"edges"`
	Truncated bool         `json:"truncated"` // the node bound stopped the walk
}

// Node returns the graph's node for id, or nil.
func (g *Graph) Node(id string) *GraphNode {
	for _, n := range g.Nodes {
		if n.ID == id {
			return n
		}
	}
	return nil
}

// GraphQuery asks for the graph around one identifier.
type GraphQuery struct {
	ID        string // any form: EPC URN, Digital Link, provincial URI
	Direction string // up, down or both (default)
	Depth     int    // links from the start; 0 means 6
	MaxNodes  int    // 0 means MaxGraphNodes
}

// TraceGraph answers a graph query for an operator: administrators and
// provincial trace officers walk every event, an organisation's operator
// only the events its organisation sees (visibility.go: its own, and one
// step back and one step forward).
func (s *Service) TraceGraph(ctx context.Context, a *identity.Actor, q GraphQuery) (*Graph, error) {
	org, err := s.scope(ctx, a)
	if err != nil {
		return nil, err
	}
	return s.graph(ctx, q, org)
}

func (s *Service) graph(ctx context.Context, q GraphQuery, org int64) (*Graph, error) {
	starts, err := s.startIDs(q.ID)
	if err != nil {
		return nil, err
	}
	switch q.Direction {
	case "":
		q.Direction = Both
	case Upstream, Downstream, Both:
	default:
		return nil, egov.FieldError("direction", "tracing.error.direction")
	}
	if q.Depth == 0 {
		q.Depth = 6
	}
	if q.Depth < 0 || q.Depth > MaxGraphDepth {
		return nil, egov.FieldError("depth", "tracing.error.depth", MaxGraphDepth)
	}
	if q.MaxNodes <= 0 || q.MaxNodes > MaxGraphNodes {
		q.MaxNodes = MaxGraphNodes
	}
	w := &walker{s: s, g: &Graph{Start: starts[0]}, nodes: map[string]*GraphNode{}, events: map[int64]*GraphEvent{},
		edges: map[[3]string]bool{}, max: q.MaxNodes, org: org}
	for _, id := range starts {
		w.add(id, 0)
	}
	if q.Direction != Downstream {
		if err := w.walk(ctx, starts, false, q.Depth); err != nil {
			return nil, err
		}
	}
	if q.Direction != Upstream {
		if err := w.walk(ctx, starts, true, q.Depth); err != nil {
			return nil, err
		}
	}
	for _, n := range w.g.Nodes {
		sort.SliceStable(n.Events, func(i, j int) bool { return n.Events[i].Time.Before(n.Events[j].Time) })
		if n.Events == nil {
			n.Events = []*GraphEvent{}
		}
	}
	sort.SliceStable(w.g.Edges, func(i, j int) bool { return w.g.Edges[i].Event.Time.Before(w.g.Edges[j].Event.Time) })
	if w.g.Edges == nil {
		w.g.Edges = []*GraphEdge{}
	}
	return w.g, nil
}

// startIDs are the canonical forms a question's identifier is stored
// under: itself, and for a GTIN with both a lot and a serial number also
// the serialised item without its lot (the SGTIN of EPC URNs).
func (s *Service) startIDs(id string) ([]string, error) {
	id = strings.TrimSpace(id)
	if id == "" || len(id) > 512 {
		return nil, egov.FieldError("id", "tracing.error.id")
	}
	c, err := s.Parser.IDs.Canonical(id)
	if err != nil || !strings.Contains(c, ":") {
		return nil, egov.FieldError("id", "tracing.error.id")
	}
	out := []string{c}
	if k, err := ParseDigitalLink(c); err == nil && k[0].AI == "01" {
		var short GS1Key
		for _, p := range k {
			if p.AI != "10" {
				short = append(short, p)
			}
		}
		if len(short) < len(k) && len(short) > 1 && short[1].AI == "21" {
			out = append(out, short.DigitalLink())
		}
	}
	return out, nil
}

// IDKind says what a canonical identifier names.
func (s *Service) IDKind(id string) string {
	if p, ok, err := s.Parser.IDs.Provincial.Parse(id); ok && err == nil {
		switch {
		case p.Kind == "":
			return "party"
		case p.Kind == "loc":
			return "location"
		case p.Kind == "lu":
			return "logisticUnit"
		case p.Lot != "":
			return "lot"
		case p.Ser != "":
			return "item"
		}
		return "product"
	}
	k, err := ParseDigitalLink(id)
	if err != nil {
		return "other"
	}
	has := func(ai string) bool {
		return slices.ContainsFunc(k, func(v AIValue) bool { return v.AI == ai })
	}
	switch k[0].AI {
	case "01":
		switch {
		case has("21"):
			return "item"
		case has("10"):
			return "lot"
		}
		return "product"
	case "00":
		return "logisticUnit"
	case "414", "254":
		return "location"
	case "417":
		return "party"
	}
	return "other"
}

type walker struct {
	s      *Service
	g      *Graph
	nodes  map[string]*GraphNode
	events map[int64]*GraphEvent // loaded events; nil value: left out
	// seen marks (node, event) pairs already put on a node.
	seen  map[[2]any]bool
	edges map[[3]string]bool
	max   int
	org   int64   // the organisation whose view it walks; 0 for all
	fresh []int64 // events loaded since the last load
}

// add puts a node in the graph; false when the bound is reached.
func (w *walker) add(id string, depth int) bool {
	if _, ok := w.nodes[id]; ok {
		return true
	}
	if len(w.nodes) >= w.max {
		w.g.Truncated = true
		return false
	}
	n := &GraphNode{ID: id, Kind: w.s.IDKind(id), Depth: depth}
	w.nodes[id] = n
	w.g.Nodes = append(w.g.Nodes, n)
	return true
}

func linkKind(ev *GraphEvent) string {
	switch {
	case ev.Type == "TransformationEvent":
		return "transformation"
	case ev.Type == "AggregationEvent" && ev.Action != "DELETE":
		return "aggregation"
	case ev.Type == "AssociationEvent" && ev.Action != "DELETE":
		return "association"
	}
	return ""
}

// walk goes up or down from the frontier, level by level.
func (w *walker) walk(ctx context.Context, frontier []string, down bool, depth int) error {
	if w.seen == nil {
		w.seen = map[[2]any]bool{}
	}
	sign := -1
	if down {
		sign = 1
	}
	visited := map[string]bool{}
	for _, id := range frontier {
		visited[id] = true
	}
	for level := 0; len(frontier) > 0; level++ {
		hits, err := w.eventsOf(ctx, frontier)
		if err != nil {
			return err
		}
		var next []string
		for _, h := range hits {
			ev := w.events[h.event]
			if ev == nil {
				continue
			}
			kind := linkKind(ev)
			if kind == "" {
				w.stage(h.epc, ev)
				continue
			}
			if level >= depth {
				continue
			}
			for _, nb := range neighbours(ev, h.role, down) {
				if nb == h.epc {
					continue
				}
				from, to := h.epc, nb
				if !down {
					from, to = nb, h.epc
				}
				if !visited[nb] {
					if !w.add(nb, sign*(level+1)) {
						continue
					}
					visited[nb] = true
					next = append(next, nb)
				}
				key := [3]string{from, to, ev.EventID}
				if !w.edges[key] {
					w.edges[key] = true
					w.g.Edges = append(w.g.Edges, &GraphEdge{From: from, To: to, Kind: kind, Event: ev})
				}
			}
		}
		frontier = next
	}
	return nil
}

func (w *walker) stage(id string, ev *GraphEvent) {
	n := w.nodes[id]
	if n == nil || len(n.Events) >= maxNodeEvents || w.seen[[2]any{id, ev.row}] {
		return
	}
	w.seen[[2]any{id, ev.row}] = true
	n.Events = append(n.Events, ev)
}

// neighbours are the identifiers a linking event reaches from one in role.
func neighbours(ev *GraphEvent, role Role, down bool) []string {
	var want []Role
	switch ev.Type {
	case "TransformationEvent":
		switch {
		case down && (role == RoleInput || role == RoleInputClass):
			want = []Role{RoleOutput, RoleOutputClass}
		case !down && (role == RoleOutput || role == RoleOutputClass):
			want = []Role{RoleInput, RoleInputClass}
		}
	default: // aggregation, association
		switch {
		case down && (role == RoleChild || role == RoleChildClass):
			want = []Role{RoleParent}
		case !down && role == RoleParent:
			want = []Role{RoleChild, RoleChildClass}
		}
	}
	var out []string
	for _, e := range ev.epcs {
		if slices.Contains(want, e.Role) {
			out = append(out, e.ID)
		}
	}
	return out
}

type hit struct {
	event int64
	role  Role
	epc   string
}

// eventsOf finds the events that name any of ids, in any role, in one
// query: the hits with their events' columns, then every identifier and
// the transformationID of the linking events among them (each event once,
// however many of its identifiers are in the frontier). New events are
// recorded in w.events (nil for a declared or declaring event, or one the
// walker's organisation does not see), with their identifiers.
func (w *walker) eventsOf(ctx context.Context, ids []string) ([]hit, error) {
	var out []hit
	tid := map[int64]string{}
	err := inChunks(ids, func(part []any) error {
		where, args := limitTo(w.org, []string{"true"}, nil)
		rows, err := w.s.db.QueryContext(ctx, `WITH h AS (SELECT event, role, epc FROM epcis_event_epcs WHERE epc IN (`+placeholders(len(part))+`)),
			l AS (SELECT DISTINCT h.event FROM h JOIN epcis_events e ON e.id = h.event
				WHERE e.event_type IN ('TransformationEvent', 'AggregationEvent', 'AssociationEvent'))
			SELECT 0, h.event, h.role, h.epc, NULL, '', event_id, event_type, event_time, action, biz_step, disposition,
				read_point, biz_location, error_declared,
				EXISTS (SELECT 1 FROM epcis_events d WHERE d.error_declared = 1 AND d.event_id = e.event_id)
			FROM h JOIN epcis_events e ON e.id = h.event`+whereClause(where)+`
			UNION ALL SELECT 1, o.event, o.role, o.epc, o.quantity, o.uom, '', '', '', '', '', '', '', '', 0, false
			FROM epcis_event_epcs o WHERE o.event IN (SELECT event FROM l)
			UNION ALL SELECT 2, f.event, '', f.value, NULL, '', '', '', '', '', '', '', '', '', 0, false
			FROM epcis_event_fields f WHERE f.name = 'transformationID' AND f.event IN (SELECT event FROM l)`, append(part, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		others := map[int64][]EPCRef{}
		for rows.Next() {
			var kind int
			var h hit
			var q *float64
			var uom string
			ev := &GraphEvent{}
			var t string
			var declared int
			var corrected bool
			if err := rows.Scan(&kind, &h.event, &h.role, &h.epc, &q, &uom, &ev.EventID, &ev.Type, &t, &ev.Action, &ev.BizStep,
				&ev.Disposition, &ev.ReadPoint, &ev.BizLocation, &declared, &corrected); err != nil {
				return err
			}
			switch kind {
			case 1:
				others[h.event] = append(others[h.event], EPCRef{Role: h.role, ID: h.epc, Quantity: q, UOM: uom})
				continue
			case 2:
				tid[h.event] = h.epc
				continue
			}
			out = append(out, h)
			if _, ok := w.events[h.event]; ok {
				continue
			}
			if declared == 1 || corrected {
				w.events[h.event] = nil
				continue
			}
			ev.row = h.event
			ev.Time, _ = store.ParseTime(t)
			w.events[h.event] = ev
			w.fresh = append(w.fresh, h.event)
		}
		for _, id := range w.fresh {
			if ev := w.events[id]; ev != nil && ev.epcs == nil {
				ev.epcs = others[id]
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	for id := range tid {
		if ev := w.events[id]; ev == nil || !slices.Contains(w.fresh, id) {
			delete(tid, id)
		}
	}
	w.fresh = w.fresh[:0]
	sort.Slice(out, func(i, j int) bool { return out[i].event < out[j].event })
	return out, w.s.joinTransformations(ctx, w.org, w.events, tid)
}

func inChunks[T any](vals []T, fn func(part []any) error) error {
	for start := 0; start < len(vals); start += inChunk {
		part := vals[start:min(start+inChunk, len(vals))]
		args := make([]any, len(part))
		for i, v := range part {
			args[i] = v
		}
		if err := fn(args); err != nil {
			return err
		}
	}
	return nil
}

// joinTransformations gives every transformation event that carries a
// transformationID the inputs and outputs of the others with the same one:
// a transformation may be recorded as several events. Only the events
// organisation org sees (0: all) take part.
func (s *Service) joinTransformations(ctx context.Context, org int64, evs map[int64]*GraphEvent, tid map[int64]string) error {
	if len(tid) == 0 {
		return nil
	}
	var values []string
	for _, v := range tid {
		values = append(values, v)
	}
	// The identifiers of every event sharing one of these IDs.
	shared := map[string][]EPCRef{}
	err := inChunks(values, func(part []any) error {
		q := `SELECT f.value, e.role, e.epc, e.quantity, e.uom, v.error_declared
			FROM epcis_event_fields f JOIN epcis_event_epcs e ON e.event = f.event JOIN epcis_events v ON v.id = f.event
			WHERE f.name = 'transformationID' AND f.value IN (` + placeholders(len(part)) + ")"
		args := part
		if visible, vargs := limitTo(org, nil, nil); len(visible) > 0 {
			q += " AND f.event IN (SELECT id FROM epcis_events WHERE " + visible[0] + ")"
			args = append(args, vargs...)
		}
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			var e EPCRef
			var declared int
			if err := rows.Scan(&v, &e.Role, &e.ID, &e.Quantity, &e.UOM, &declared); err != nil {
				return err
			}
			if declared == 0 {
				shared[v] = append(shared[v], e)
			}
		}
		return rows.Err()
	})
	for id, v := range tid {
		evs[id].epcs = shared[v]
	}
	return err
}

// --- the recall question ---

// Shipment is a shipping or receiving (or any event with a source or a
// destination) of something downstream of a recalled lot.
type Shipment struct {
	*GraphEvent
	IDs          []string `json:"ids"`          // the downstream identifiers it moved
	Sources      []string `json:"sources"`      // type=identifier
	Destinations []string `json:"destinations"` // type=identifier
}

// Recall is every lot, item, logistic unit and shipment downstream of an
// identifier (typically an input lot).
type Recall struct {
	Start         string      `json:"start"`
	Lots          []string    `json:"lots"`
	Items         []string    `json:"items"`
	LogisticUnits []string    `json:"logisticUnits"`
	Shipments     []*Shipment `json:"shipments"`
	Truncated     bool        `json:"truncated"`
}

var shipSteps = map[string]bool{
	CBVURI("BizStep-", "shipping"): true, CBVURI("BizStep-", "receiving"): true, CBVURI("BizStep-", "departing"): true,
	CBVURI("BizStep-", "arriving"): true, CBVURI("BizStep-", "retail_selling"): true,
}

// TraceRecall answers the recall question for an operator.
func (s *Service) TraceRecall(ctx context.Context, a *identity.Actor, id string) (*Recall, error) {
	org, err := s.scope(ctx, a)
	if err != nil {
		return nil, err
	}
	g, err := s.graph(ctx, GraphQuery{ID: id, Direction: Downstream, Depth: MaxGraphDepth}, org)
	if err != nil {
		return nil, err
	}
	r := &Recall{Start: g.Start, Lots: []string{}, Items: []string{}, LogisticUnits: []string{}, Shipments: []*Shipment{}, Truncated: g.Truncated}
	byEvent := map[int64]*Shipment{}
	var candidates []int64
	for _, n := range g.Nodes {
		switch n.Kind {
		case "lot":
			r.Lots = append(r.Lots, n.ID)
		case "item":
			r.Items = append(r.Items, n.ID)
		case "logisticUnit":
			r.LogisticUnits = append(r.LogisticUnits, n.ID)
		}
		for _, ev := range n.Events {
			sh := byEvent[ev.row]
			if sh == nil {
				sh = &Shipment{GraphEvent: ev, IDs: []string{}, Sources: []string{}, Destinations: []string{}}
				byEvent[ev.row] = sh
				candidates = append(candidates, ev.row)
			}
			sh.IDs = append(sh.IDs, n.ID)
		}
	}
	fields := map[int64][]Field{}
	err = inChunks(candidates, func(part []any) error {
		rows, err := s.db.QueryContext(ctx, "SELECT event, name, value FROM epcis_event_fields WHERE event IN ("+
			placeholders(len(part))+") AND (name LIKE 'source_%' OR name LIKE 'destination_%')", part...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var f Field
			if err := rows.Scan(&id, &f.Name, &f.Value); err != nil {
				return err
			}
			fields[id] = append(fields[id], f)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	for _, id := range candidates {
		sh := byEvent[id]
		for _, f := range fields[id] {
			if t, ok := strings.CutPrefix(f.Name, "source_"); ok {
				sh.Sources = append(sh.Sources, t+"="+f.Value)
			} else if t, ok := strings.CutPrefix(f.Name, "destination_"); ok {
				sh.Destinations = append(sh.Destinations, t+"="+f.Value)
			}
		}
		if shipSteps[sh.BizStep] || len(fields[id]) > 0 {
			r.Shipments = append(r.Shipments, sh)
		}
	}
	sort.SliceStable(r.Shipments, func(i, j int) bool { return r.Shipments[i].Time.Before(r.Shipments[j].Time) })
	return r, nil
}
