package web

import (
	"net/http"
	"net/url"
	"strings"

	"egov/internal/epcis"
)

// The organisation's places, products and lots, registered from a phone:
// a farmer adds a field or a pond and the crop's lot, a mill its product,
// before recording events about them.

type traceMasterData struct {
	*page
	Intro  string // catalogue key
	Action string
	Submit string // catalogue key
	Fields []traceField
}

// masterForm is one master-data form: its page, fields and how a posted
// form is saved.
type masterForm struct {
	path, title, intro, submit string
	fields                     func(lang string, opts *traceOptions) []traceField
	save                       func(h *handler, r *http.Request, f url.Values, bad map[string]string) error
}

var locationForm = masterForm{
	path: "/trace/locations/new", title: "trace.location.title", intro: "trace.location.intro", submit: "trace.location.submit",
	fields: func(lang string, opts *traceOptions) []traceField {
		var kinds []qOption
		for _, k := range epcis.LocationKinds {
			kinds = append(kinds, qOption{Value: k, Label: tr(lang, "trace.loc."+k)})
		}
		return []traceField{
			{Name: "kind", Label: "trace.field.kind", Type: "select", Options: kinds, Required: true},
			{Name: "name", Label: "trace.field.name", Type: "text", Required: true},
			{Name: "ref", Label: "trace.field.ref", Type: "text", Hint: "trace.hint.ref", Required: true},
			{Name: "parent_id", Label: "trace.field.parent", Type: "select", Options: opts.locations},
			{Name: "latitude", Label: "trace.field.latitude", Type: "number", InputMode: "decimal", Step: "any", Hint: "trace.hint.coordinates"},
			{Name: "longitude", Label: "trace.field.longitude", Type: "number", InputMode: "decimal", Step: "any"},
			{Name: "area_m2", Label: "trace.field.area_m2", Type: "number", InputMode: "decimal", Step: "any"},
			{Name: "gln", Label: "trace.field.gln", Type: "text", InputMode: "numeric"},
		}
	},
	save: func(h *handler, r *http.Request, f url.Values, bad map[string]string) error {
		l := epcis.Location{Kind: f.Get("kind"), Name: f.Get("name"), Ref: strings.TrimSpace(f.Get("ref")), ParentID: formID(f, "parent_id"),
			GLN: strings.TrimSpace(f.Get("gln"))}
		l.Lat, l.Lon, l.AreaM2 = masterNumber(r, f, "latitude", bad), masterNumber(r, f, "longitude", bad), masterNumber(r, f, "area_m2", bad)
		if len(bad) > 0 {
			return nil
		}
		_, err := h.app.Trace.CreateLocation(r.Context(), state(r).actor, l)
		return err
	},
}

var productForm = masterForm{
	path: "/trace/products/new", title: "trace.product.title", intro: "trace.product.intro", submit: "trace.product.submit",
	fields: func(lang string, opts *traceOptions) []traceField {
		var kinds, uoms []qOption
		for _, k := range epcis.ProductKinds {
			kinds = append(kinds, qOption{Value: k, Label: tr(lang, "trace.product.kind."+k)})
		}
		for _, u := range epcis.UOMs {
			uoms = append(uoms, qOption{Value: u, Label: tr(lang, "trace.uom."+strings.ToLower(u))})
		}
		return []traceField{
			{Name: "kind", Label: "trace.field.kind", Type: "select", Options: kinds, Required: true},
			{Name: "name_vi", Label: "trace.field.name_vi", Type: "text", Required: true},
			{Name: "name_en", Label: "trace.field.name_en", Type: "text"},
			{Name: "gtin", Label: "trace.field.gtin", Type: "text", InputMode: "numeric", Hint: "trace.hint.gtin"},
			{Name: "ref", Label: "trace.field.ref", Type: "text", Hint: "trace.hint.ref"},
			{Name: "uom", Label: "trace.field.uom", Type: "select", Options: uoms, Required: true},
		}
	},
	save: func(h *handler, r *http.Request, f url.Values, bad map[string]string) error {
		_, err := h.app.Trace.CreateProduct(r.Context(), state(r).actor, epcis.Product{Kind: f.Get("kind"), NameVI: f.Get("name_vi"),
			NameEN: f.Get("name_en"), GTIN: strings.TrimSpace(f.Get("gtin")), Ref: strings.TrimSpace(f.Get("ref")), UOM: f.Get("uom")})
		return err
	},
}

var lotForm = masterForm{
	path: "/trace/lots/new", title: "trace.lot.title", intro: "trace.lot.intro", submit: "trace.lot.submit",
	fields: func(lang string, opts *traceOptions) []traceField {
		return []traceField{
			{Name: "product_id", Label: "trace.field.product", Type: "select", Options: opts.products, Required: true},
			{Name: "lot", Label: "trace.field.lot_number", Type: "text", Hint: "trace.hint.out_lot", Required: true},
			{Name: "variety", Label: "trace.ext.variety", Type: "text"},
			{Name: "harvest_date", Label: "trace.field.harvest_date", Type: "date"},
			{Name: "location_id", Label: "trace.field.origin", Type: "select", Options: opts.locations},
			{Name: "area_m2", Label: "trace.field.area_m2", Type: "number", InputMode: "decimal", Step: "any"},
			{Name: "quantity", Label: "trace.field.lot_qty", Type: "number", InputMode: "decimal", Step: "any"},
			{Name: "note", Label: "trace.ext.note", Type: "text"},
		}
	},
	save: func(h *handler, r *http.Request, f url.Values, bad map[string]string) error {
		l := epcis.Lot{ProductID: formID(f, "product_id"), Lot: f.Get("lot"), Variety: f.Get("variety"), HarvestDate: f.Get("harvest_date"),
			LocationID: formID(f, "location_id"), Note: f.Get("note")}
		l.AreaM2, l.Quantity = masterNumber(r, f, "area_m2", bad), masterNumber(r, f, "quantity", bad)
		if len(bad) > 0 {
			return nil
		}
		_, err := h.app.Trace.CreateLot(r.Context(), state(r).actor, l)
		return err
	},
}

// masterNumber reads an optional number, noting a malformed one in bad.
func masterNumber(r *http.Request, f url.Values, name string, bad map[string]string) *float64 {
	v, ok := formNumber(f, name)
	if !ok {
		bad[name] = tr(state(r).lang, "trace.error.number")
	}
	return v
}

func (h *handler) renderMaster(w http.ResponseWriter, r *http.Request, m masterForm, status int, form url.Values, errs map[string]string) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.app.Trace.AccessOf(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, m.title, "trace")
	p.formPage(m.path)
	if msg, ok := errs[""]; ok {
		p.Error = msg
	}
	opts, err := h.traceOptions(r, a, p.Lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	fields := m.fields(p.Lang, opts)
	d := &traceMasterData{page: p, Intro: m.intro, Action: m.path, Submit: m.submit}
	for _, f := range fields {
		f.Value, f.Error = form.Get(f.Name), errs[f.Name]
		if f.Options != nil {
			f.Options = choose(f.Options, f.Value)
		}
		d.Fields = append(d.Fields, f)
	}
	if msg := unplaced(errs, d.Fields); msg != "" && p.Error == "" {
		p.Error = msg
	}
	h.render(w, r, status, "trace_master", d)
}

// masterGet and masterPost serve a master-data form.
func (h *handler) masterGet(m masterForm) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.renderMaster(w, r, m, http.StatusOK, url.Values{}, map[string]string{})
	}
}

func (h *handler) masterPost(m masterForm) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := requireActor(r); err != nil {
			h.fail(w, r, err)
			return
		}
		if err := parseForm(w, r); err != nil {
			h.fail(w, r, err)
			return
		}
		bad := map[string]string{}
		err := m.save(h, r, r.PostForm, bad)
		if len(bad) > 0 {
			h.renderMaster(w, r, m, http.StatusUnprocessableEntity, r.PostForm, bad)
			return
		}
		if err != nil {
			p := h.newPage(r, m.title, "trace")
			errs, code := h.formErrors(r, p, err)
			if p.Error != "" {
				errs[""] = p.Error
			}
			h.renderMaster(w, r, m, code, r.PostForm, errs)
			return
		}
		seeOther(w, r, "/trace?ok=trace_saved")
	}
}
