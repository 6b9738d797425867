package web

import (
	"net/http"
	"net/url"

	"egov/internal/epcis"
)

type traceLotData struct {
	*page
	Fields []traceField
}

// traceLotForm registers a lot of the organisation: a crop on a field or
// in a pond, before its events are recorded.
func (h *handler) traceLotForm(w http.ResponseWriter, r *http.Request) {
	h.renderTraceLot(w, r, http.StatusOK, url.Values{}, map[string]string{})
}

func (h *handler) renderTraceLot(w http.ResponseWriter, r *http.Request, status int, form url.Values, errs map[string]string) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "trace.lot.title", "trace")
	p.formPage("/trace/lots/new")
	if msg, ok := errs[""]; ok {
		p.Error = msg
	}
	opts, err := h.traceOptions(r, a, p.Lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &traceLotData{page: p}
	for _, f := range []traceField{
		{Name: "product_id", Label: "trace.field.product", Type: "select", Options: opts.products, Required: true},
		{Name: "lot", Label: "trace.field.lot_number", Type: "text", Hint: "trace.hint.out_lot", Required: true},
		{Name: "variety", Label: "trace.ext.variety", Type: "text"},
		{Name: "harvest_date", Label: "trace.field.harvest_date", Type: "date"},
		{Name: "location_id", Label: "trace.field.origin", Type: "select", Options: opts.locations},
		{Name: "area_m2", Label: "trace.field.area_m2", Type: "number", InputMode: "decimal", Step: "any"},
		{Name: "quantity", Label: "trace.field.lot_qty", Type: "number", InputMode: "decimal", Step: "any"},
		{Name: "note", Label: "trace.ext.note", Type: "text"},
	} {
		f.Value, f.Error = form.Get(f.Name), errs[f.Name]
		if f.Options != nil {
			f.Options = choose(f.Options, f.Value)
		}
		d.Fields = append(d.Fields, f)
	}
	h.render(w, r, status, "trace_lot", d)
}

func (h *handler) traceLot(w http.ResponseWriter, r *http.Request) {
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
	l := epcis.Lot{ProductID: formID(f, "product_id"), Lot: f.Get("lot"), Variety: f.Get("variety"), HarvestDate: f.Get("harvest_date"),
		LocationID: formID(f, "location_id"), Note: f.Get("note")}
	bad := map[string]string{}
	for name, dst := range map[string]**float64{"area_m2": &l.AreaM2, "quantity": &l.Quantity} {
		v, ok := formNumber(f, name)
		if !ok {
			bad[name] = tr(state(r).lang, "trace.error.number")
		}
		*dst = v
	}
	if len(bad) > 0 {
		h.renderTraceLot(w, r, http.StatusUnprocessableEntity, f, bad)
		return
	}
	if _, err := h.app.Trace.CreateLot(r.Context(), a, l); err != nil {
		p := h.newPage(r, "trace.lot.title", "trace")
		errs, code := h.formErrors(r, p, err)
		if p.Error != "" {
			errs[""] = p.Error
		}
		h.renderTraceLot(w, r, code, f, errs)
		return
	}
	seeOther(w, r, "/trace?ok=trace_lot_created")
}
