package web

import (
	"context"
	"net/http"
	"sort"
	"strings"

	"egov/internal/epcis"
	"egov/internal/i18n"
)

// provenanceData is the public provenance page: the product, its producer,
// its certifications and its chain as a vertical timeline, each stage with
// what went in (one step back) and came out (one step forward). Nothing
// else of the events reaches it: no quantities, notes or people.
type provenanceData struct {
	*page
	ID             string
	Name           string // the identifier's public name
	Kind           string // translated
	Product        string
	Lot            string
	Serial         string
	Producer       string
	Certifications []string
	Stages         []stageView
	Lots           []nameLink // a product without a lot: its lots
	Truncated      bool
	LinksetURL     string
}

type nameLink struct{ Name, URL string }

type stageView struct {
	Date     string
	Step     string
	Place    string
	Subject  []string
	Back     []string
	Forward  []string
	Facts    []string
	Upstream bool
}

// provenance renders the public page of a resolved identifier.
func (h *handler) provenance(w http.ResponseWriter, r *http.Request, id string) {
	ctx := r.Context()
	pv, err := h.app.Trace.PublicProvenance(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "tracing.page.title", "")
	lang := p.Lang
	d := &provenanceData{page: p, ID: id, Kind: tr(lang, "tracing.kind."+pv.Kind), Certifications: pv.Certifications,
		Truncated: pv.Truncated, LinksetURL: r.URL.Path + "?linkType=all"}
	d.Name = h.traceName(ctx, lang, id)
	d.Product, d.Lot, d.Serial, d.Producer = h.identParts(ctx, lang, id)
	p.Title = d.Name
	for _, lot := range pv.Lots {
		d.Lots = append(d.Lots, nameLink{Name: h.traceName(ctx, lang, lot), URL: h.app.Trace.ResolverURI("", lot)})
	}
	names := func(ids []string) []string {
		out := make([]string, len(ids))
		for i, x := range ids {
			out[i] = h.traceName(ctx, lang, x)
		}
		return out
	}
	for _, st := range pv.Stages {
		v := stageView{Date: formatTime(lang, st.Time), Step: stepName(lang, st.BizStep), Place: h.traceName(ctx, lang, st.Place),
			Subject: names(st.Subject), Back: names(st.Back), Forward: names(st.Forward), Upstream: st.Upstream}
		var keys []string
		for k := range st.Facts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v.Facts = append(v.Facts, tr(lang, "tracing.fact."+k)+": "+st.Facts[k])
		}
		d.Stages = append(d.Stages, v)
	}
	w.Header().Add("Link", `<`+d.LinksetURL+`>; rel="linkset"; type="application/linkset+json"`)
	w.Header().Set("Vary", "Accept, Cookie, Accept-Language")
	h.render(w, r, http.StatusOK, "provenance", d)
}

// stepName names a business step: a CBV step by its translation, the
// province's own steps (…/bizstep/milling) by theirs, anything else by its
// last word.
func stepName(lang, uri string) string {
	if uri == "" {
		return tr(lang, "tracing.step.none")
	}
	word := uri[strings.LastIndexAny(uri, "/-:#")+1:]
	if key := "tracing.step." + word; i18n.Has(lang, key) {
		return tr(lang, key)
	}
	return strings.ReplaceAll(word, "_", " ")
}

// traceName is an identifier's public name. It is the seam for the master
// data service (organisations, places, products, lots): until that is
// wired in, an identifier is named by its parts in a short, readable form.
func (h *handler) traceName(ctx context.Context, lang, id string) string {
	if id == "" {
		return "—"
	}
	product, lot, serial, producer := h.identParts(ctx, lang, id)
	var parts []string
	for _, s := range []string{product, lot, serial} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		if producer != "" {
			return producer
		}
		return id
	}
	return strings.Join(parts, " · ")
}

// identParts splits an identifier into what a person reads on a label.
func (h *handler) identParts(_ context.Context, lang, id string) (product, lot, serial, producer string) {
	pv := h.app.Trace.Parser.IDs.Provincial
	if p, ok, err := pv.Parse(id); ok && err == nil {
		producer = p.Org
		switch p.Kind {
		case "pr":
			product = tr(lang, "tracing.product") + " " + p.Ref
		case "loc":
			product = tr(lang, "tracing.kind.location") + " " + p.Ref
		case "lu":
			product = tr(lang, "tracing.kind.logisticUnit") + " " + p.Ref
		}
		if p.Lot != "" {
			lot = tr(lang, "tracing.lot") + " " + p.Lot
		}
		if p.Ser != "" {
			serial = tr(lang, "tracing.serial") + " " + p.Ser
		}
		return
	}
	k, err := epcis.ParseDigitalLink(id)
	if err != nil {
		return "", "", "", ""
	}
	for _, v := range k {
		switch v.AI {
		case "01":
			product = "GTIN " + v.Value
		case "10":
			lot = tr(lang, "tracing.lot") + " " + v.Value
		case "21":
			serial = tr(lang, "tracing.serial") + " " + v.Value
		case "00":
			product = "SSCC " + v.Value
		case "414":
			product = "GLN " + v.Value
		default:
			product = "(" + v.AI + ") " + v.Value
		}
	}
	return
}
