package api

import (
	"net/http"

	"egov/internal/epcis"
)

// traceGraph answers GET /api/v1/trace/graph: the identifiers up and
// downstream of one, with the events that link them.
func (h *handler) traceGraph(w http.ResponseWriter, r *http.Request) error {
	if err := required(r, "id"); err != nil {
		return err
	}
	depth, err := intParam(r, "depth", 6, 1, epcis.MaxGraphDepth)
	if err != nil {
		return err
	}
	nodes, err := intParam(r, "max_nodes", epcis.MaxGraphNodes, 1, epcis.MaxGraphNodes)
	if err != nil {
		return err
	}
	g, err := h.app.Trace.TraceGraph(r.Context(), actor(r), epcis.GraphQuery{ID: param(r, "id"), Direction: param(r, "direction"),
		Depth: depth, MaxNodes: nodes})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

// traceRecall answers GET /api/v1/trace/recall: every lot, item, logistic
// unit and shipment downstream of an identifier.
func (h *handler) traceRecall(w http.ResponseWriter, r *http.Request) error {
	if err := required(r, "id"); err != nil {
		return err
	}
	rc, err := h.app.Trace.TraceRecall(r.Context(), actor(r), param(r, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rc)
	return nil
}
