package web

import (
	"net/http"
	"net/url"

	"egov"

	"egov/internal/epcis"
)

// traceGraphData is the operators' trace graph: what an identifier came
// from and what it went into, as two nested lists.
type traceGraphData struct {
	*page
	ID        string
	Start     *treeNode
	Up, Down  []*treeNode
	Truncated bool
	Searched  bool
	// Label is what the identifier's QR label carries, for the label
	// section; nil when it has none.
	Label *epcis.LabelText
}

// treeNode is one identifier in a nested list, with the event that links
// it to its parent in the list.
type treeNode struct {
	ID       string
	Name     string
	URL      string // its graph page
	Public   string // its public page on the resolver
	Kind     string
	Via      string // the linking event: step and date
	Stages   []string
	Children []*treeNode
}

// traceGraph is GET /trace/graph?id=: trace operators and administrators.
func (h *handler) traceGraph(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "tracing.graph.title", "trace")
	d := &traceGraphData{page: p, ID: clipRunes(r.URL.Query().Get("id"), 512)}
	if d.ID == "" {
		// Only the form; the domain still decides who may use it.
		if _, err := h.app.Trace.TraceGraph(r.Context(), a, epcis.GraphQuery{ID: "-"}); err != nil && egov.ErrorCode(err) != egov.EINVALID {
			h.fail(w, r, err)
			return
		}
		h.render(w, r, http.StatusOK, "trace_graph", d)
		return
	}
	g, err := h.app.Trace.TraceGraph(r.Context(), a, epcis.GraphQuery{ID: d.ID, Depth: 8, MaxNodes: 500})
	if err != nil {
		if egov.ErrorCode(err) == egov.EINVALID {
			p.Error = h.message(r, err)
			h.render(w, r, http.StatusUnprocessableEntity, "trace_graph", d)
			return
		}
		h.fail(w, r, err)
		return
	}
	d.Searched, d.Truncated = true, g.Truncated
	lang := p.Lang
	mk := func(id string, via *epcis.GraphEvent) *treeNode {
		n := g.Node(id)
		t := &treeNode{ID: id, Name: h.traceName(r.Context(), lang, id), URL: "/trace/graph?" + url.Values{"id": {id}}.Encode(),
			Public: h.app.Trace.ResolverURI("", id),
			Kind:   tr(lang, "tracing.kind."+n.Kind)}
		if via != nil {
			t.Via = stepName(lang, via.BizStep) + ", " + formatTime(lang, via.Time)
		}
		for _, ev := range n.Events {
			t.Stages = append(t.Stages, formatTime(lang, ev.Time)+" · "+stepName(lang, ev.BizStep)+" · "+h.traceName(r.Context(), lang, place(ev)))
		}
		return t
	}
	d.Start = mk(g.Start, nil)
	if l, err := h.app.Trace.LabelFor(r.Context(), a, h.origin(r), g.Start, lang); err == nil {
		d.Label = l
	}
	// Each node once per list, at its first (shortest) place.
	var build func(id string, up bool, seen map[string]bool) []*treeNode
	build = func(id string, up bool, seen map[string]bool) []*treeNode {
		var out []*treeNode
		for _, e := range g.Edges {
			next, here := e.To, e.From
			if up {
				next, here = e.From, e.To
			}
			if here != id || seen[next] {
				continue
			}
			if n := g.Node(next); n == nil || (up && n.Depth >= 0) || (!up && n.Depth <= 0) {
				continue
			}
			seen[next] = true
			t := mk(next, e.Event)
			out = append(out, t)
		}
		for _, t := range out {
			t.Children = build(t.ID, up, seen)
		}
		return out
	}
	d.Up = build(g.Start, true, map[string]bool{g.Start: true})
	d.Down = build(g.Start, false, map[string]bool{g.Start: true})
	h.render(w, r, http.StatusOK, "trace_graph", d)
}

func place(ev *epcis.GraphEvent) string {
	if ev.BizLocation != "" {
		return ev.BizLocation
	}
	return ev.ReadPoint
}
