package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"egov"
	"egov/internal/epcis"
)

type traceEventData struct {
	*page
	Kind   *epcis.EventKind
	Kinds  []traceChain // without a kind: the choice
	Fields []traceField
	Action string
}

// traceEventForm shows the form of one critical event, or without ?kind=
// the list of them.
func (h *handler) traceEventForm(w http.ResponseWriter, r *http.Request) {
	form := url.Values{"time": {h.app.Trace.Now().In(vietnam).Format("2006-01-02T15:04")}}
	h.renderTraceEvent(w, r, http.StatusOK, form, map[string]string{})
}

func (h *handler) renderTraceEvent(w http.ResponseWriter, r *http.Request, status int, form url.Values, errs map[string]string) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.app.Trace.AccessOf(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	name := r.URL.Query().Get("kind")
	kind, ok := epcis.Kind(name)
	if !ok {
		if name != "" {
			h.failBack(w, r, egov.Errorf(egov.ENOTFOUND, "error.not_found"), "/trace/events/new")
			return
		}
		http.Redirect(w, r, "/trace", http.StatusSeeOther)
		return
	}
	p := h.newPage(r, "trace.kind."+kind.Name, "trace")
	p.formPage("/trace/events/new?kind=" + kind.Name)
	if msg, ok := errs[""]; ok {
		p.Error = msg
	}
	opts, err := h.traceOptions(r, a, p.Lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &traceEventData{page: p, Kind: &kind, Action: "/trace/events/new?kind=" + kind.Name}
	add := func(f traceField) {
		f.Value, f.Error = form.Get(f.Name), errs[f.Name]
		if f.Options != nil {
			f.Options = choose(f.Options, f.Value)
		}
		d.Fields = append(d.Fields, f)
	}
	number := func(name, label string, required bool) {
		add(traceField{Name: name, Label: label, Type: "number", InputMode: "decimal", Step: "any", Required: required})
	}
	add(traceField{Name: "time", Label: "trace.field.time", Type: "datetime-local", Required: true})
	add(traceField{Name: "location", Label: "trace.field.location", Type: "select", Options: opts.locations, Required: true})
	switch kind.Shape {
	case epcis.ShapeTransform, epcis.ShapePack:
		for i := 1; i <= 3; i++ {
			n := "input" + strconv.Itoa(i)
			add(traceField{Name: n, Label: "trace.field." + n, Type: "select", Options: opts.lots, Required: i == 1})
			number(n+"_qty", "trace.field.input_qty", i == 1)
		}
		add(traceField{Name: "out_product", Label: "trace.field.out_product", Type: "select", Options: opts.products, Required: true})
		add(traceField{Name: "out_lot", Label: "trace.field.out_lot", Type: "text", Hint: "trace.hint.out_lot", Required: true})
		number("output_qty", "trace.field.output_qty", true)
		if kind.Shape == epcis.ShapePack {
			add(traceField{Name: "carton", Label: "trace.field.carton", Type: "text", Hint: "trace.hint.carton"})
		}
	default:
		add(traceField{Name: "lot", Label: "trace.field.lot", Type: "select", Options: opts.lots, Required: true})
		number("lot_qty", "trace.field.lot_qty", kind.QuantityRequired())
	}
	switch kind.Shape {
	case epcis.ShapeSensor:
		for _, m := range epcis.Measurements {
			number(m.Name, "trace.measure."+m.Name, false)
		}
	case epcis.ShapeShip, epcis.ShapeReceive:
		label := "trace.field.to"
		if kind.Shape == epcis.ShapeReceive {
			label = "trace.field.from"
		}
		add(traceField{Name: "party", Label: label, Type: "select", Options: opts.parties, Required: true})
		add(traceField{Name: "document", Label: "trace.field.document", Type: "text"})
	}
	for _, e := range kind.Ext {
		if epcis.ExtFields[e] {
			number(e, "trace.ext."+strings.ToLower(e), false)
		} else {
			add(traceField{Name: e, Label: "trace.ext." + strings.ToLower(e), Type: "text"})
		}
	}
	if msg := unplaced(errs, d.Fields); msg != "" && p.Error == "" {
		p.Error = msg
	}
	h.render(w, r, status, "trace_event", d)
}

// traceEvent records the event of a submitted form.
func (h *handler) traceEvent(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := r.PostForm
	kind, ok := epcis.Kind(r.URL.Query().Get("kind"))
	if !ok {
		h.fail(w, r, egov.Errorf(egov.ENOTFOUND, "error.not_found"))
		return
	}
	rec := epcis.Record{Kind: kind.Name, Time: formTime(f, "time"), Location: formID(f, "location"),
		OutProduct: formID(f, "out_product"), OutLot: f.Get("out_lot"), Carton: f.Get("carton"),
		Party: formID(f, "party"), Document: f.Get("document"), Ext: map[string]string{}, Sensors: map[string]*float64{}}
	bad := map[string]string{}
	num := func(name string) *float64 {
		v, ok := formNumber(f, name)
		if !ok {
			bad[name] = tr(state(r).lang, "trace.error.number")
		}
		return v
	}
	rec.Lot = epcis.LotQty{Lot: formID(f, "lot"), Quantity: num("lot_qty")}
	for i := 1; i <= 3; i++ {
		n := "input" + strconv.Itoa(i)
		rec.Inputs = append(rec.Inputs, epcis.LotQty{Lot: formID(f, n), Quantity: num(n + "_qty")})
	}
	rec.Output = epcis.LotQty{Quantity: num("output_qty")}
	for _, m := range epcis.Measurements {
		rec.Sensors[m.Name] = num(m.Name)
	}
	for _, e := range kind.Ext {
		if v := f.Get(e); v != "" {
			rec.Ext[e] = v
		}
	}
	if len(bad) > 0 {
		h.renderTraceEvent(w, r, http.StatusUnprocessableEntity, f, bad)
		return
	}
	if _, err := h.app.Trace.Record(r.Context(), a, rec); err != nil {
		p := h.newPage(r, "trace.title", "trace")
		errs, code := h.formErrors(r, p, err)
		if p.Error != "" {
			errs[""] = p.Error
		}
		h.renderTraceEvent(w, r, code, f, errs)
		return
	}
	seeOther(w, r, "/trace?ok=trace_recorded")
}
