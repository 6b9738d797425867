package api

import (
	"net/http"
	"strconv"

	"egov"
	"egov/internal/epcis"
)

// The traceability master data under /api/v1/trace: organisations (by
// their provincial code), their places, products, lots and certificates.
// Operators manage their own organisation's; administrators every one.

// orgJSON is an organisation with its unit's code.
type orgJSON struct {
	*epcis.Organisation
	Unit string `json:"unit"`
}

// orgInput is what a client sends for an organisation.
type orgInput struct {
	Code    string `json:"code"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Unit    string `json:"unit"` // the unit's code
	Address string `json:"address"`
	GCP     string `json:"gcp"`
	GLN     string `json:"gln"`
}

func (h *handler) orgJSON(r *http.Request, o *epcis.Organisation) (orgJSON, error) {
	g, err := h.app.Units.Graph(r.Context())
	if err != nil {
		return orgJSON{}, err
	}
	j := orgJSON{Organisation: o}
	if u := g.ByID(o.UnitID); u != nil {
		j.Unit = u.Code
	}
	return j, nil
}

// orgByCode finds an organisation by its code in the path.
func (h *handler) orgByCode(r *http.Request, code string) (*epcis.Organisation, error) {
	orgs, err := h.app.Trace.Organisations(r.Context(), actor(r))
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		if o.Code == code {
			return o, nil
		}
	}
	return nil, egov.Errorf(egov.ENOTFOUND, "error.not_found")
}

func (h *handler) listOrganisations(w http.ResponseWriter, r *http.Request) error {
	orgs, err := h.app.Trace.Organisations(r.Context(), actor(r))
	if err != nil {
		return err
	}
	out := []orgJSON{}
	for _, o := range orgs {
		j, err := h.orgJSON(r, o)
		if err != nil {
			return err
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"organisations": out})
	return nil
}

func (h *handler) createOrganisation(w http.ResponseWriter, r *http.Request) error {
	var in orgInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	o := epcis.Organisation{Code: in.Code, Kind: in.Kind, Name: in.Name, Address: in.Address, GCP: in.GCP, GLN: in.GLN}
	if in.Unit != "" {
		g, err := h.app.Units.Graph(r.Context())
		if err != nil {
			return err
		}
		u := g.At(in.Unit, h.app.Units.Today())
		if u == nil {
			return egov.FieldError("unit", "trace.error.unit_required")
		}
		o.UnitID = u.ID
	}
	created, err := h.app.Trace.CreateOrganisation(r.Context(), actor(r), o)
	if err != nil {
		return err
	}
	j, err := h.orgJSON(r, created)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, j)
	return nil
}

func (h *handler) getOrganisation(w http.ResponseWriter, r *http.Request) error {
	o, err := h.orgByCode(r, r.PathValue("code"))
	if err != nil {
		return err
	}
	j, err := h.orgJSON(r, o)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

func (h *handler) updateOrganisation(w http.ResponseWriter, r *http.Request) error {
	o, err := h.orgByCode(r, r.PathValue("code"))
	if err != nil {
		return err
	}
	var in orgInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	o.Name, o.Address, o.GCP, o.GLN = in.Name, in.Address, in.GCP, in.GLN
	updated, err := h.app.Trace.UpdateOrganisation(r.Context(), actor(r), *o)
	if err != nil {
		return err
	}
	j, err := h.orgJSON(r, updated)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

// addMember makes an officer an operator of the organisation.
func (h *handler) addMember(w http.ResponseWriter, r *http.Request) error {
	o, err := h.orgByCode(r, r.PathValue("code"))
	if err != nil {
		return err
	}
	var in struct {
		Username string `json:"username"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := h.app.Identity.UserByName(r.Context(), in.Username)
	if egov.ErrorCode(err) == egov.ENOTFOUND {
		return egov.FieldError("username", "error.not_found")
	}
	if err != nil {
		return err
	}
	if err := h.app.Trace.SetMember(r.Context(), actor(r), u.ID, o.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// orgParam is the organisation named by the org query parameter (its
// code), 0 when absent (the caller's own).
func (h *handler) orgParam(r *http.Request) (int64, error) {
	code := r.URL.Query().Get("org")
	if code == "" {
		return 0, nil
	}
	o, err := h.orgByCode(r, code)
	if err != nil {
		return 0, egov.FieldError("org", "trace.error.org_required")
	}
	return o.ID, nil
}

// idParam is the numeric id in the path.
func idParam(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, egov.Errorf(egov.ENOTFOUND, "error.not_found")
	}
	return id, nil
}

// listOf renders a list read for the org parameter under key.
func listOf[T any](h *handler, w http.ResponseWriter, r *http.Request, key string, read func(org int64) ([]T, error)) error {
	org, err := h.orgParam(r)
	if err != nil {
		return err
	}
	list, err := read(org)
	if err != nil {
		return err
	}
	if list == nil {
		list = []T{}
	}
	writeJSON(w, http.StatusOK, map[string]any{key: list})
	return nil
}

// create decodes a record, creates it for the org parameter and renders
// it with 201.
func create[T any](h *handler, w http.ResponseWriter, r *http.Request, orgOf func(*T) *int64, save func(T) (*T, error)) error {
	var in T
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	org, err := h.orgParam(r)
	if err != nil {
		return err
	}
	*orgOf(&in) = org
	out, err := save(in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// update decodes a record, sets its id from the path and renders it.
func update[T any](w http.ResponseWriter, r *http.Request, idOf func(*T) *int64, save func(T) (*T, error)) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	var in T
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	*idOf(&in) = id
	out, err := save(in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *handler) listLocations(w http.ResponseWriter, r *http.Request) error {
	return listOf(h, w, r, "locations", func(org int64) ([]*epcis.Location, error) {
		return h.app.Trace.Locations(r.Context(), actor(r), org)
	})
}

func (h *handler) createLocation(w http.ResponseWriter, r *http.Request) error {
	return create(h, w, r, func(l *epcis.Location) *int64 { return &l.OrgID }, func(l epcis.Location) (*epcis.Location, error) {
		return h.app.Trace.CreateLocation(r.Context(), actor(r), l)
	})
}

func (h *handler) updateLocation(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, func(l *epcis.Location) *int64 { return &l.ID }, func(l epcis.Location) (*epcis.Location, error) {
		return h.app.Trace.UpdateLocation(r.Context(), actor(r), l)
	})
}

func (h *handler) listProducts(w http.ResponseWriter, r *http.Request) error {
	return listOf(h, w, r, "products", func(org int64) ([]*epcis.Product, error) {
		return h.app.Trace.Products(r.Context(), actor(r), org)
	})
}

func (h *handler) createProduct(w http.ResponseWriter, r *http.Request) error {
	return create(h, w, r, func(p *epcis.Product) *int64 { return &p.OrgID }, func(p epcis.Product) (*epcis.Product, error) {
		return h.app.Trace.CreateProduct(r.Context(), actor(r), p)
	})
}

func (h *handler) updateProduct(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, func(p *epcis.Product) *int64 { return &p.ID }, func(p epcis.Product) (*epcis.Product, error) {
		return h.app.Trace.UpdateProduct(r.Context(), actor(r), p)
	})
}

func (h *handler) listLots(w http.ResponseWriter, r *http.Request) error {
	limit, err := intParam(r, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	return listOf(h, w, r, "lots", func(org int64) ([]*epcis.Lot, error) {
		return h.app.Trace.Lots(r.Context(), actor(r), org, limit)
	})
}

func (h *handler) createLot(w http.ResponseWriter, r *http.Request) error {
	return create(h, w, r, func(l *epcis.Lot) *int64 { return &l.OrgID }, func(l epcis.Lot) (*epcis.Lot, error) {
		return h.app.Trace.CreateLot(r.Context(), actor(r), l)
	})
}

func (h *handler) listCertifications(w http.ResponseWriter, r *http.Request) error {
	on := r.URL.Query().Get("valid_on")
	if _, ok := epcis.ParseDay(on); on != "" && !ok {
		return egov.FieldError("valid_on", "trace.error.date")
	}
	return listOf(h, w, r, "certifications", func(org int64) ([]*epcis.Certification, error) {
		cs, err := h.app.Trace.Certifications(r.Context(), actor(r), org)
		if err != nil || on == "" {
			return cs, err
		}
		var valid []*epcis.Certification
		for _, c := range cs {
			if c.ValidFrom <= on && on <= c.ValidTo {
				valid = append(valid, c)
			}
		}
		return valid, nil
	})
}

func (h *handler) createCertification(w http.ResponseWriter, r *http.Request) error {
	return create(h, w, r, func(c *epcis.Certification) *int64 { return &c.OrgID }, func(c epcis.Certification) (*epcis.Certification, error) {
		return h.app.Trace.CreateCertification(r.Context(), actor(r), c)
	})
}
