package web

import (
	"net/http"
	"net/url"
	"strings"

	"egov"
)

// traceRecallData is the recall question asked on a page: every lot,
// logistic unit, item and shipment downstream of an identifier (typically
// an input lot found at fault), as the operator's organisation sees them.
type traceRecallData struct {
	*page
	ID        string
	Searched  bool
	Start     recallRow
	Lots      []recallRow
	Units     []recallRow
	Items     []recallRow
	Shipments []shipmentRow
	Truncated bool
	// Scoped: the operator sees its organisation's view (one step back,
	// one step forward), not the whole repository.
	Scoped bool
}

// recallRow is one identifier of the answer: its name, its graph page and
// its public page.
type recallRow struct {
	ID, Name, GraphURL, PublicURL string
}

// shipmentRow is a shipping or receiving of something downstream.
type shipmentRow struct {
	Time, Step, Place string
	What              []string
	From, To          []string
}

// traceRecall is GET /trace/recall?id=: trace operators and administrators.
func (h *handler) traceRecall(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	acc, err := h.app.Trace.AccessOf(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "tracing.recall.title", "trace")
	d := &traceRecallData{page: p, ID: clipRunes(strings.TrimSpace(r.URL.Query().Get("id")), 512), Scoped: !acc.Admin}
	if d.ID == "" {
		h.render(w, r, http.StatusOK, "trace_recall", d)
		return
	}
	rc, err := h.app.Trace.TraceRecall(ctx, a, d.ID)
	if err != nil {
		if egov.ErrorCode(err) == egov.EINVALID {
			p.Error = h.message(r, err)
			h.render(w, r, http.StatusUnprocessableEntity, "trace_recall", d)
			return
		}
		h.fail(w, r, err)
		return
	}
	d.Searched, d.Truncated = true, rc.Truncated
	nm := h.namer(ctx, p.Lang)
	row := func(id string) recallRow {
		return recallRow{ID: id, Name: nm.name(id), GraphURL: "/trace/graph?" + url.Values{"id": {id}}.Encode(),
			PublicURL: h.app.Trace.ResolverURI("", id)}
	}
	rows := func(ids []string) []recallRow {
		var out []recallRow
		for _, id := range ids {
			out = append(out, row(id))
		}
		return out
	}
	d.Start = row(rc.Start)
	d.Lots, d.Units, d.Items = rows(rc.Lots), rows(rc.LogisticUnits), rows(rc.Items)
	// A party or place named as a source or destination: its name.
	parties := func(list []string) []string {
		var out []string
		for _, s := range list {
			_, v, _ := strings.Cut(s, "=")
			out = append(out, nm.name(v))
		}
		return out
	}
	for _, sh := range rc.Shipments {
		sr := shipmentRow{Time: formatTime(p.Lang, sh.Time), Step: stepName(p.Lang, sh.BizStep), Place: nm.name(place(sh.GraphEvent)),
			From: parties(sh.Sources), To: parties(sh.Destinations)}
		for _, id := range sh.IDs {
			sr.What = append(sr.What, nm.name(id))
		}
		d.Shipments = append(d.Shipments, sr)
	}
	h.render(w, r, http.StatusOK, "trace_recall", d)
}
