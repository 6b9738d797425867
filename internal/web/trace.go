package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"egov/internal/epcis"
	"egov/internal/i18n"
	"egov/internal/identity"
)

// The operators' side of traceability: /trace shows the organisation's
// recent events and lots and links to the form of each critical event;
// /trace/events/new?kind= records one; /trace/lots/new registers a lot.

// CanTrace reports whether the traceability link applies.
func (p *page) CanTrace() bool {
	return p.SignedIn() && (hasPermission(p.Actor, identity.PermTraceCapture) || hasPermission(p.Actor, identity.PermTraceManage))
}

// traceField is one input of a traceability form.
type traceField struct {
	Name, Label, Type, Value, Error, Hint, InputMode, Step string
	Required                                               bool
	Options                                                []qOption
}

type traceKindLink struct {
	Name, Label string
}

type traceChain struct {
	Label string
	Kinds []traceKindLink
}

type traceLotRow struct {
	Lot, Product, Variety, Harvest, Identifier string
}

type traceData struct {
	*page
	Org    *epcis.Organisation
	Chains []traceChain
	Events []epcis.EventSummary
	Lots   []traceLotRow
}

func (h *handler) traceHome(w http.ResponseWriter, r *http.Request) {
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
	p := h.newPage(r, "trace.title", "trace")
	d := &traceData{page: p}
	// The chains of the organisation's products; all when it has none yet.
	chains := map[string]bool{}
	if acc.Org != 0 {
		prods, err := h.app.Trace.Products(ctx, a, 0)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, pr := range prods {
			chains[map[string]string{"paddy": "rice"}[pr.Kind]] = true
			chains[pr.Kind] = true
		}
	}
	for _, c := range epcis.Chains {
		if len(chains) > 0 && !chains[c] {
			continue
		}
		ch := traceChain{Label: tr(p.Lang, "trace.chain."+c)}
		for _, k := range epcis.EventKinds {
			for _, kc := range k.Chains {
				if kc == c {
					ch.Kinds = append(ch.Kinds, traceKindLink{Name: k.Name, Label: tr(p.Lang, "trace.kind."+k.Name)})
				}
			}
		}
		d.Chains = append(d.Chains, ch)
	}
	if acc.Org != 0 {
		if d.Org, err = h.app.Trace.Organisation(ctx, acc.Org); err != nil {
			h.fail(w, r, err)
			return
		}
		if d.Events, err = h.app.Trace.RecentEvents(ctx, a, 30); err != nil {
			h.fail(w, r, err)
			return
		}
		lots, err := h.app.Trace.Lots(ctx, a, 0, 30)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		names := map[int64]string{}
		for _, l := range lots {
			if _, ok := names[l.ProductID]; !ok {
				if pr, err := h.app.Trace.ProductByID(ctx, l.ProductID); err == nil {
					names[l.ProductID] = pr.Name(p.Lang)
				}
			}
			d.Lots = append(d.Lots, traceLotRow{Lot: l.Lot, Product: names[l.ProductID], Variety: l.Variety, Harvest: l.HarvestDate, Identifier: l.Identifier})
		}
	}
	h.render(w, r, http.StatusOK, "trace", d)
}

// StepLabel names a business step in the page's language.
func (d *traceData) StepLabel(step string) string {
	if key := "trace.step." + step; i18n.Has(d.Lang, key) {
		return tr(d.Lang, key)
	}
	return step
}

// traceOptions are the choices of the forms, read once per request.
type traceOptions struct {
	locations, lots, products, parties []qOption
}

func (h *handler) traceOptions(r *http.Request, a *identity.Actor, lang string) (*traceOptions, error) {
	ctx := r.Context()
	o := &traceOptions{}
	locs, err := h.app.Trace.Locations(ctx, a, 0)
	if err != nil {
		return nil, err
	}
	for _, l := range locs {
		o.locations = append(o.locations, qOption{Value: strconv.FormatInt(l.ID, 10), Label: l.Name + " (" + tr(lang, "trace.loc."+l.Kind) + ")"})
	}
	prods, err := h.app.Trace.Products(ctx, a, 0)
	if err != nil {
		return nil, err
	}
	for _, p := range prods {
		o.products = append(o.products, qOption{Value: strconv.FormatInt(p.ID, 10), Label: p.Name(lang)})
	}
	lots, err := h.app.Trace.UsableLots(ctx, a)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, l := range lots {
		if _, ok := names[l.ProductID]; !ok {
			pr, err := h.app.Trace.ProductByID(ctx, l.ProductID)
			if err != nil {
				return nil, err
			}
			names[l.ProductID] = pr.Name(lang) + " (" + tr(lang, "trace.uom."+strings.ToLower(pr.UOM)) + ")"
		}
		o.lots = append(o.lots, qOption{Value: strconv.FormatInt(l.ID, 10), Label: l.Lot + " · " + names[l.ProductID]})
	}
	orgs, err := h.app.Trace.Organisations(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, org := range orgs {
		o.parties = append(o.parties, qOption{Value: strconv.FormatInt(org.ID, 10), Label: org.Name})
	}
	return o, nil
}

// unplaced is an error of errs that no field of the form shows (the
// domain named a field the form does not have), so that no refusal goes
// unexplained; "" when every error has its field.
func unplaced(errs map[string]string, fields []traceField) string {
	var keys []string
	for k := range errs {
		if k != "" && !slices.ContainsFunc(fields, func(f traceField) bool { return f.Name == k }) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return ""
	}
	slices.Sort(keys)
	return errs[keys[0]]
}

// choose copies options with the one whose value is v selected, after an
// empty choice.
func choose(opts []qOption, v string) []qOption {
	out := []qOption{{Value: "", Label: "—"}}
	for _, o := range opts {
		o.Selected = o.Value == v
		out = append(out, o)
	}
	return out
}

// formID reads an id chosen in a select; 0 when none.
func formID(form url.Values, name string) int64 {
	id, _ := strconv.ParseInt(form.Get(name), 10, 64)
	return id
}

// formNumber reads a number input; nil when empty, ok false when it is
// not a number (a comma is a decimal separator, as Vietnamese writes it).
func formNumber(form url.Values, name string) (*float64, bool) {
	s := strings.ReplaceAll(strings.TrimSpace(form.Get(name)), ",", ".")
	if s == "" {
		return nil, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, false
	}
	return &f, true
}

// formTime reads a datetime-local input in Vietnam's time.
func formTime(form url.Values, name string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", form.Get(name), vietnam)
	if err != nil {
		return time.Time{}
	}
	return t
}
