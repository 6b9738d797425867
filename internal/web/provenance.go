package web

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"egov/internal/epcis"
	"egov/internal/i18n"
)

// provenanceData is the public provenance page: the product, its producer,
// its certifications and its chain as a vertical timeline, each stage with
// what went in (one step back) and came out (one step forward). Nothing
// else of the events reaches it: no quantities, notes or people.
type provenanceData struct {
	*page
	ID       string
	Name     string // the identifier's public name
	Kind     string // translated
	Product  string
	Lot      string
	Serial   string
	Producer string
	Variety  string
	Harvest  string
	// Made: the lot came out of a milling, processing or packing, so its
	// date is a production date, not a harvest's.
	Made           bool
	Certifications []nameLink
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
	Org      string // who: the organisation whose place it is
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
	d := &provenanceData{page: p, ID: id, Kind: tr(lang, "tracing.kind."+pv.Kind),
		Truncated: pv.Truncated, LinksetURL: r.URL.Path + "?linkType=all"}
	nm := h.namer(ctx, lang)
	d.Name = nm.name(id)
	d.Product, d.Lot, d.Serial, d.Producer = h.identParts(ctx, lang, id)
	p.Title = d.Name
	h.masterData(ctx, lang, d, pv)
	for _, lot := range pv.Lots {
		d.Lots = append(d.Lots, nameLink{Name: nm.name(lot), URL: h.app.Trace.ResolverURI("", lot)})
	}
	names := func(ids []string) []string {
		out := make([]string, len(ids))
		for i, x := range ids {
			out[i] = nm.name(x)
		}
		return out
	}
	orgs := map[string]string{}
	for _, st := range pv.Stages {
		v := stageView{Date: formatTime(lang, st.Time), Step: stageName(lang, st), Place: nm.name(st.Place),
			Subject: names(st.Subject), Back: names(st.Back), Forward: names(st.Forward), Upstream: st.Upstream}
		org, ok := orgs[st.Place]
		if !ok && st.Place != "" {
			if o, err := h.app.Trace.OrganisationAt(ctx, st.Place); err == nil {
				org = o.Name
			}
			orgs[st.Place] = org
		}
		if org != v.Place {
			v.Org = org
		}
		if slices.Contains(st.Forward, pv.ID) && len(st.Back) > 0 {
			d.Made = true
		}
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
	for _, c := range pv.Certifications {
		d.Certifications = append(d.Certifications, nameLink{Name: c, URL: c})
	}
	w.Header().Add("Link", `<`+d.LinksetURL+`>; rel="linkset"; type="application/linkset+json"`)
	w.Header().Set("Vary", "Accept, Cookie, Accept-Language")
	h.render(w, r, http.StatusOK, "provenance", d)
}

// stageName names a stage by its business step, except that packing
// packs into cartons or onto pallets when it aggregates (after packing
// the goods themselves, a consumer would otherwise read "packing" twice).
func stageName(lang string, st *epcis.Stage) string {
	if st.Type == "AggregationEvent" && strings.HasSuffix(st.BizStep, "packing") {
		return tr(lang, "trace.step.aggregated")
	}
	return stepName(lang, st.BizStep)
}

// stepName names a business step: a CBV step by its translation, the
// province's own steps (…/bizstep/milling) by theirs (trace.step.*, the
// names the operators' pages use too), anything else by its
// last word.
func stepName(lang, uri string) string {
	if uri == "" {
		return tr(lang, "trace.step.none")
	}
	word := uri[strings.LastIndexAny(uri, "/-:#")+1:]
	if key := "trace.step." + word; i18n.Has(lang, key) {
		return tr(lang, key)
	}
	return strings.ReplaceAll(word, "_", " ")
}

// namer names identifiers for one page from the master data
// (organisations, places, products), remembering what it looked up; an
// identifier without master data is named by its parts.
type namer struct {
	h     *handler
	ctx   context.Context
	lang  string
	names map[string]string
}

func (h *handler) namer(ctx context.Context, lang string) *namer {
	return &namer{h: h, ctx: ctx, lang: lang, names: map[string]string{}}
}

func (n *namer) name(id string) string {
	if id == "" {
		return "—"
	}
	if s, ok := n.names[id]; ok {
		return s
	}
	s := n.lookup(id)
	n.names[id] = s
	return s
}

func (n *namer) lookup(id string) string {
	tr := n.h.app.Trace
	if l, err := tr.Location(n.ctx, id); err == nil {
		return l.Name
	}
	if o, err := tr.OrganisationByIdentifier(n.ctx, id); err == nil {
		return o.Name
	}
	product, lot, serial, producer := n.h.identParts(n.ctx, n.lang, id)
	if p, err := tr.Product(n.ctx, id); err == nil {
		product = p.Name(n.lang)
	}
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

// traceName is an identifier's public name (one lookup; pages naming many
// use a namer).
func (h *handler) traceName(ctx context.Context, lang, id string) string {
	return h.namer(ctx, lang).name(id)
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

// masterData fills in what the master data says publicly about the
// identifier: the product's name, its producer, the lot's variety and
// harvest date, and the certificates valid today for the producer, the
// product or a place of the chain. A lot's notes and quantities stay with
// the operators.
func (h *handler) masterData(ctx context.Context, lang string, d *provenanceData, pv *epcis.Provenance) {
	tr := h.app.Trace
	var subj epcis.CertSubjects
	if prod, err := tr.Product(ctx, pv.ID); err == nil {
		d.Product = prod.Name(lang)
		subj.Products = append(subj.Products, prod.ID)
		if o, err := tr.Organisation(ctx, prod.OrgID); err == nil {
			d.Producer = o.Name
			subj.Orgs = append(subj.Orgs, o.ID)
		}
	} else if d.Producer != "" {
		if o, err := tr.OrganisationByIdentifier(ctx, tr.Parser.IDs.Provincial.Base+"/"+d.Producer); err == nil {
			d.Producer = o.Name
			subj.Orgs = append(subj.Orgs, o.ID)
		}
	}
	if lot, err := tr.LotByIdentifier(ctx, pv.ID); err == nil {
		d.Variety, d.Harvest = lot.Variety, lot.HarvestDate
		if t, err := time.Parse(time.DateOnly, lot.HarvestDate); err == nil {
			d.Harvest = t.Format(i18n.T(lang, "format.date"))
		}
	}
	if d.Variety == "" {
		d.Variety = upstreamVariety(ctx, tr, pv)
	}
	seen := map[string]bool{}
	for _, st := range pv.Stages {
		if st.Place == "" || seen[st.Place] {
			continue
		}
		seen[st.Place] = true
		if l, err := tr.Location(ctx, st.Place); err == nil {
			subj.Locations = append(subj.Locations, l.ID)
		}
	}
	certs, err := tr.CertificationsValid(ctx, h.app.Units.Now(), subj)
	if err != nil {
		h.app.Log.Warn("provenance: certifications", "err", err)
	}
	for _, c := range certs {
		d.Certifications = append(d.Certifications, nameLink{Name: i18n.T(lang, "tracing.cert_line",
			i18n.T(lang, "tracing.cert."+c.Scheme), c.Number, c.Issuer, c.ValidTo)})
	}
}

// upstreamVariety is the variety of the lots a product was made from (the
// paddy's ST25 for its milled and bagged rice), when its own lot names
// none: what the consumer holding the bag looks for. Several varieties
// (a blend) are all named.
func upstreamVariety(ctx context.Context, tr *epcis.Service, pv *epcis.Provenance) string {
	var out []string
	seen := map[string]bool{}
	for _, st := range pv.Stages {
		if !st.Upstream {
			continue
		}
		for _, id := range st.Back {
			if seen[id] {
				continue
			}
			seen[id] = true
			if lot, err := tr.LotByIdentifier(ctx, id); err == nil && lot.Variety != "" && !slices.Contains(out, lot.Variety) {
				out = append(out, lot.Variety)
			}
		}
	}
	return strings.Join(out, ", ")
}
