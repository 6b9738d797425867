package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"egov"
	"egov/internal/epcis"
)

// The GS1 Digital Link resolver (GS1-Conformant Resolver Standard, as far as
// a provincial repository goes): /01/{gtin}[/10/{lot}][/21/{serial}] and
// the other GS1 primary keys, and the provincial scheme's paths under its
// base (EGOV_TRACE_BASE). One handler answers all of them:
//
//   - ?linkType=all, or Accept: application/linkset+json (or JSON): the
//     link set (RFC 9264);
//   - ?linkType=gs1:xyz (or its full URI): 307 to that link, 404 if none;
//   - anything else (a phone's browser): the public provenance page, with a
//     Link header to the link set.
//
// A malformed identifier gets a 400 page that says what is wrong; an
// identifier no event names a 404.

// maxResolverPath bounds the path a resolver request may carry.
const maxResolverPath = 1024

// registerResolver adds the resolver's routes.
func (h *handler) registerResolver(route func(string, http.HandlerFunc)) {
	// The GS1 primary keys a label may carry; the parser checks the rest.
	for _, ai := range []string{"01", "00", "414", "8003", "8004", "gtin", "sscc", "gln"} {
		route("GET /"+ai+"/{rest...}", h.resolve)
	}
	if p := epcis.ProvincialPath(h.app.Trace.Parser.IDs.Provincial.Base); p != "" {
		route("GET "+p+"/{rest...}", h.resolve)
	}
}

// origin is this site's scheme and host, for absolute links.
func (h *handler) origin(r *http.Request) string {
	scheme := "http"
	if h.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h *handler) resolve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	if len(path) > maxResolverPath {
		h.fail(w, r, egov.Errorf(egov.EINVALID, "tracing.error.bad_link", "too long"))
		return
	}
	id, err := h.app.Trace.ResolverPath(path)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	linkType := r.URL.Query().Get("linkType")
	wantSet := linkType == "all" || acceptsLinkset(r.Header.Get("Accept"))
	if linkType == "" && !wantSet {
		h.provenance(w, r, id)
		return
	}
	res, err := h.app.Trace.Resolve(r.Context(), h.origin(r), id)
	if err != nil {
		h.resolverFail(w, r, err, wantSet)
		return
	}
	if linkType != "" && linkType != "all" {
		l, ok := res.Link(linkType)
		if !ok {
			h.fail(w, r, egov.Errorf(egov.ENOTFOUND, "tracing.error.no_link", clipRunes(linkType, 80)))
			return
		}
		w.Header().Set("Vary", "Accept")
		http.Redirect(w, r, l.Href, http.StatusTemporaryRedirect)
		return
	}
	b, err := json.Marshal(res.Linkset())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/linkset+json")
	hd.Set("Vary", "Accept")
	hd.Set("Access-Control-Allow-Origin", "*")
	w.Write(b)
}

// resolverFail answers a failed link set request in JSON, a page request
// with a page.
func (h *handler) resolverFail(w http.ResponseWriter, r *http.Request, err error, asJSON bool) {
	if !asJSON {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status(egov.ErrorCode(err)))
	json.NewEncoder(w).Encode(map[string]any{"status": status(egov.ErrorCode(err)), "title": h.message(r, err)})
}

// acceptsLinkset reports whether an Accept header asks for JSON rather
// than a page: application/linkset+json or application/json before any
// text/html.
func acceptsLinkset(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "application/linkset+json", "application/json":
			return true
		case "text/html", "application/xhtml+xml":
			return false
		}
	}
	return false
}
