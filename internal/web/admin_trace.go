package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"egov"
	"egov/internal/epcis"
	"egov/internal/identity"
)

// The administrators' side of traceability: the organisations of the
// chains (a cooperative, a mill, a packer ...) and the accounts that record
// events for each. Operators manage their own places, products and lots on
// the /trace pages; only these two need an administrator.

type traceOrgRow struct {
	*epcis.Organisation
	KindLabel, Unit string
	Members         []epcis.Member
}

type adminTraceData struct {
	*page
	Orgs      []traceOrgRow
	Kinds     []qOption
	OrgsOpt   []qOption
	Org       url.Values // the organisation form
	OrgErrors map[string]string
	Mem       url.Values // the membership form
	MemErrors map[string]string
}

func (h *handler) traceAdmin(r *http.Request) (*identity.Actor, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, err
	}
	if !h.app.Trace.CanManageAll(r.Context(), a) {
		return nil, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	return a, nil
}

func newAdminTraceData(h *handler, r *http.Request) *adminTraceData {
	return &adminTraceData{page: h.newPage(r, "admin.trace.title", "admin"), Org: url.Values{}, OrgErrors: map[string]string{},
		Mem: url.Values{}, MemErrors: map[string]string{}}
}

// adminTrace serves GET /admin/trace.
func (h *handler) adminTrace(w http.ResponseWriter, r *http.Request) {
	a, err := h.traceAdmin(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderTraceAdmin(w, r, a, http.StatusOK, newAdminTraceData(h, r))
}

func (h *handler) renderTraceAdmin(w http.ResponseWriter, r *http.Request, a *identity.Actor, st int, d *adminTraceData) {
	ctx := r.Context()
	orgs, err := h.app.Trace.Organisations(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	members, err := h.app.Trace.OrgMembers(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	g, err := h.app.Units.Graph(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	byOrg := map[int64][]epcis.Member{}
	for _, m := range members {
		byOrg[m.OrgID] = append(byOrg[m.OrgID], m)
	}
	for _, o := range orgs {
		row := traceOrgRow{Organisation: o, KindLabel: tr(d.Lang, "trace.org_kind."+o.Kind), Members: byOrg[o.ID]}
		if u := g.ByID(o.UnitID); u != nil {
			row.Unit = u.Name
		}
		d.Orgs = append(d.Orgs, row)
		d.OrgsOpt = append(d.OrgsOpt, qOption{Value: strconv.FormatInt(o.ID, 10), Label: o.Name + " (" + o.Code + ")",
			Selected: d.Mem.Get("org") == strconv.FormatInt(o.ID, 10)})
	}
	for _, k := range epcis.OrgKinds {
		d.Kinds = append(d.Kinds, qOption{Value: k, Label: tr(d.Lang, "trace.org_kind."+k), Selected: d.Org.Get("kind") == k})
	}
	h.render(w, r, st, "admin_trace", d)
}

// adminTraceOrg serves POST /admin/trace/organisations: a new organisation.
func (h *handler) adminTraceOrg(w http.ResponseWriter, r *http.Request) {
	a, err := h.traceAdmin(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	d := newAdminTraceData(h, r)
	d.Org = r.PostForm
	get := func(k string) string { return clipRunes(strings.TrimSpace(r.PostForm.Get(k)), 200) }
	o := epcis.Organisation{Code: get("code"), Kind: get("kind"), Name: get("name"), Address: get("address"),
		GCP: get("gcp"), GLN: get("gln")}
	if code := get("unit_code"); code != "" {
		g, err := h.app.Units.Graph(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		u := g.At(code, h.app.Units.Today())
		if u == nil {
			d.OrgErrors["unit_code"] = tr(d.Lang, "admin.trace.unknown_unit", clipRunes(code, 20))
			h.renderTraceAdmin(w, r, a, http.StatusUnprocessableEntity, d)
			return
		}
		o.UnitID = u.ID
	}
	if _, err := h.app.Trace.CreateOrganisation(r.Context(), a, o); err != nil {
		var st int
		d.OrgErrors, st = h.formErrors(r, d.page, err)
		if msg, ok := d.OrgErrors["unit_id"]; ok {
			d.OrgErrors["unit_code"] = msg
		}
		h.renderTraceAdmin(w, r, a, st, d)
		return
	}
	seeOther(w, r, "/admin/trace?ok=trace_saved")
}

// adminTraceMember serves POST /admin/trace/members: an account becomes an
// operator of an organisation (leaving any other).
func (h *handler) adminTraceMember(w http.ResponseWriter, r *http.Request) {
	a, err := h.traceAdmin(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	d := newAdminTraceData(h, r)
	d.Mem = r.PostForm
	username := clipRunes(strings.TrimSpace(r.PostForm.Get("username")), 100)
	u, err := h.app.Identity.UserByName(r.Context(), username)
	if err != nil {
		if egov.ErrorCode(err) != egov.ENOTFOUND {
			h.fail(w, r, err)
			return
		}
		d.MemErrors["username"] = tr(d.Lang, "admin.trace.unknown_user", username)
		h.renderTraceAdmin(w, r, a, http.StatusUnprocessableEntity, d)
		return
	}
	org, _ := strconv.ParseInt(r.PostForm.Get("org"), 10, 64)
	if err := h.app.Trace.SetMember(r.Context(), a, u.ID, org); err != nil {
		var st int
		d.MemErrors, st = h.formErrors(r, d.page, err)
		if egov.ErrorCode(err) == egov.ENOTFOUND {
			d.page.Error, st = "", http.StatusUnprocessableEntity
			d.MemErrors["org"] = tr(d.Lang, "trace.error.org_required")
		}
		h.renderTraceAdmin(w, r, a, st, d)
		return
	}
	seeOther(w, r, "/admin/trace?ok=trace_saved")
}

// adminTraceMemberRemove serves POST /admin/trace/members/{user}/remove.
func (h *handler) adminTraceMemberRemove(w http.ResponseWriter, r *http.Request) {
	a, err := h.traceAdmin(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		h.fail(w, r, egov.Errorf(egov.ENOTFOUND, "error.not_found"))
		return
	}
	if err := h.app.Trace.RemoveMember(r.Context(), a, id); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/admin/trace?ok=trace_saved")
}
