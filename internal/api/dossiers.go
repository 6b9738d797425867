package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"egov"
	"egov/internal/dossier"
	"egov/internal/i18n"
	"egov/internal/identity"
	"egov/internal/units"
	"egov/internal/workcal"
)

// The one-stop shop's dossiers (hồ sơ một cửa): filing online and at the
// counter, the actions of the state machine, lists and inboxes, and the
// public status lookup. The domain decides who may do what; these handlers
// parse, call and render, and hide identity numbers from everyone but the
// applicant.

// perPage is the length of a page of dossiers (the domain's default, which
// Inbox always uses).
const perPage = 50

// --- rendering ---

// dossierJSON is a dossier in full, as its applicant or an officer who may
// read it sees it.
type dossierJSON struct {
	Code               *string           `json:"code"` // null for a draft
	Ref                string            `json:"ref"`
	Procedure          string            `json:"procedure"`
	ProcedureName      string            `json:"procedure_name"`
	Unit               string            `json:"unit"`
	UnitName           string            `json:"unit_name"`
	Channel            dossier.Channel   `json:"channel"`
	ChannelCode        int               `json:"channel_code"`
	Status             dossier.Status    `json:"status"`
	StatusCode         int               `json:"status_code"`
	SubmittedAt        *string           `json:"submitted_at"`
	ReceivedAt         *string           `json:"received_at"`
	DueAt              *string           `json:"due_at"`
	OriginalDueAt      *string           `json:"original_due_at"`
	FinishedAt         *string           `json:"finished_at"`
	ReturnedAt         *string           `json:"returned_at"`
	Timeliness         *string           `json:"timeliness"`
	Fee                int64             `json:"fee"`
	Fields             map[string]string `json:"fields"`
	Applicant          applicantJSON     `json:"applicant"`
	Approved           bool              `json:"approved"`
	SupplementRequests int               `json:"supplement_requests"`
	Apologised         bool              `json:"apologised"`
	Result             *string           `json:"result"`
	Rating             int               `json:"rating"`
	// Results are the electronic results the reader may download now.
	Results []resultJSON `json:"results"`
	// Supplement is the latest request for documents, null when none.
	Supplement *supplementJSON `json:"supplement"`
	History    []eventJSON     `json:"history"`
}

// resultJSON is an electronic result (Decree 45/2020).
type resultJSON struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	IssuedAt string `json:"issued_at"`
	URL      string `json:"url"`
}

// supplementJSON is a request for documents (Mẫu 02) and what it marks.
type supplementJSON struct {
	N           int                  `json:"n"`
	Note        string               `json:"note"`
	Items       []supplementItemJSON `json:"items"`
	RequestedAt string               `json:"requested_at"`
	SuppliedAt  *string              `json:"supplied_at"`
}

type supplementItemJSON struct {
	Field *string `json:"field"` // null for a document outside the form
	Label *string `json:"label"`
	Note  string  `json:"note"`
}

// applicantJSON is who the dossier is for. Identity numbers are masked
// for everyone but the applicant (Decree 13/2023: purpose limitation).
type applicantJSON struct {
	Name   string  `json:"name"`
	CCCD   *string `json:"cccd"`
	Phone  *string `json:"phone"`
	Email  *string `json:"email"`
	Masked bool    `json:"masked"`
}

type eventJSON struct {
	At     string         `json:"at"`
	Actor  string         `json:"actor"`
	Action string         `json:"action"`
	From   dossier.Status `json:"from"`
	To     dossier.Status `json:"to"`
	Note   string         `json:"note"`
	DueAt  *string        `json:"due_at"`
}

// dossierSummary is a dossier in a list.
type dossierSummary struct {
	Code          *string         `json:"code"`
	Ref           string          `json:"ref"`
	Procedure     string          `json:"procedure"`
	ProcedureName string          `json:"procedure_name"`
	Unit          string          `json:"unit"`
	Channel       dossier.Channel `json:"channel"`
	Status        dossier.Status  `json:"status"`
	StatusCode    int             `json:"status_code"`
	SubmittedAt   *string         `json:"submitted_at"`
	DueAt         *string         `json:"due_at"`
	Timeliness    *string         `json:"timeliness"`
	Applicant     struct {
		Name string `json:"name"`
	} `json:"applicant"`
}

type dossierList struct {
	Dossiers []dossierSummary `json:"dossiers"`
	Page     int              `json:"page"`
	PerPage  int              `json:"per_page"`
}

// renderer renders the dossiers of one request: it looks units and
// procedures up once, and knows for whom it renders.
type renderer struct {
	h     *handler
	r     *http.Request
	a     *identity.Actor
	g     *units.Graph
	procs map[string]*dossier.Procedure
	today workcal.Date
}

func (h *handler) renderer(r *http.Request) (*renderer, error) {
	g, err := h.app.Units.Graph(r.Context())
	if err != nil {
		return nil, err
	}
	return &renderer{h: h, r: r, a: actor(r), g: g, procs: map[string]*dossier.Procedure{},
		today: workcal.LocalDate(h.app.Dossiers.Now())}, nil
}

func (rd *renderer) procedure(code string) (*dossier.Procedure, error) {
	if p, ok := rd.procs[code]; ok {
		return p, nil
	}
	p, err := rd.h.app.Procedures.Get(rd.r.Context(), code)
	if err != nil {
		return nil, err
	}
	rd.procs[code] = p
	return p, nil
}

func (rd *renderer) unit(d *dossier.Dossier) (*units.Unit, error) {
	u := rd.g.ByID(d.UnitID)
	if u == nil {
		return nil, fmt.Errorf("api: dossier %s: no unit %d", d.Ref, d.UnitID)
	}
	return u, nil
}

// isApplicant reports whether the request acts for the dossier's applicant.
func (rd *renderer) isApplicant(d *dossier.Dossier) bool {
	return rd.a != nil && rd.a.User != nil && d.ApplicantID != 0 && d.ApplicantID == rd.a.User.ID
}

func (rd *renderer) full(d *dossier.Dossier) (*dossierJSON, error) {
	p, err := rd.procedure(d.ProcedureCode)
	if err != nil {
		return nil, err
	}
	u, err := rd.unit(d)
	if err != nil {
		return nil, err
	}
	hist, err := rd.h.app.Dossiers.History(rd.r.Context(), d)
	if err != nil {
		return nil, err
	}
	mine := rd.isApplicant(d)
	j := &dossierJSON{
		Code: optional(d.Code), Ref: d.Ref, Procedure: d.ProcedureCode, ProcedureName: p.Name,
		Unit: u.Code, UnitName: u.Name, Channel: d.Channel, ChannelCode: d.Channel.Code(),
		Status: d.Status, StatusCode: d.Status.Code(),
		SubmittedAt: instant(d.SubmittedAt), ReceivedAt: instant(d.ReceivedAt), DueAt: localDay(d.DueDate),
		OriginalDueAt: localDay(d.OriginalDueDate), FinishedAt: instant(d.FinishedAt), ReturnedAt: instant(d.ReturnedAt),
		Timeliness: timeliness(d, rd.today), Fee: d.Fee, Fields: map[string]string{},
		Applicant: applicantJSON{Name: d.ApplicantName, CCCD: optional(d.ApplicantCCCD), Phone: optional(d.ApplicantPhone),
			Email: optional(d.ApplicantEmail)},
		Approved: d.Approved, SupplementRequests: d.SupplementRequests, Apologised: d.Apologised,
		Result: optional(d.Result), Rating: d.Rating, History: make([]eventJSON, 0, len(hist)),
	}
	for k, v := range d.Fields {
		j.Fields[k] = v
	}
	if !mine {
		j.Applicant.Masked = true
		j.Applicant.CCCD = optional(identity.MaskCitizenID(d.ApplicantCCCD))
		j.Applicant.Phone = optional(identity.MaskPhone(d.ApplicantPhone))
		j.Applicant.Email = optional(identity.MaskEmail(d.ApplicantEmail))
		// The form repeats identity numbers; they are masked alike.
		for k, v := range j.Fields {
			if f := p.Form.Field(k); f != nil {
				switch f.Type {
				case dossier.TypeCCCD:
					j.Fields[k] = identity.MaskCitizenID(v)
				case dossier.TypePhone:
					j.Fields[k] = identity.MaskPhone(v)
				case dossier.TypeEmail:
					j.Fields[k] = identity.MaskEmail(v)
				}
			}
		}
	}
	if err := rd.resultsAndSupplement(j, d, p); err != nil {
		return nil, err
	}
	for _, e := range hist {
		j.History = append(j.History, eventJSON{At: e.At.UTC().Format(time.RFC3339), Actor: e.ActorName, Action: e.Action,
			From: e.From, To: e.To, Note: e.Note, DueAt: localDay(e.DueDate)})
	}
	return j, nil
}

func (rd *renderer) resultsAndSupplement(j *dossierJSON, d *dossier.Dossier, p *dossier.Procedure) error {
	j.Results = []resultJSON{}
	if d.Version == 1 {
		// Never changed since it was stored (a filing's answer, a draft):
		// results and requests for documents come with actions, which bump
		// the version, and two reads per filing add up.
		return nil
	}
	ctx := rd.r.Context()
	res, err := rd.h.app.Dossiers.ResultsOf(ctx, rd.a, d)
	if err != nil {
		return err
	}
	j.Results = make([]resultJSON, 0, len(res))
	for _, x := range res {
		j.Results = append(j.Results, resultJSON{Code: x.Code, Name: x.Name, Type: x.MIME, Size: x.Size, SHA256: x.Hash,
			IssuedAt: x.IssuedAt.UTC().Format(time.RFC3339),
			URL:      "/api/v1/dossiers/" + url.PathEscape(d.Code) + "/results/" + url.PathEscape(x.Code)})
	}
	sp, err := rd.h.app.Dossiers.SupplementOf(ctx, d)
	if err != nil || sp == nil {
		return err
	}
	j.Supplement = &supplementJSON{N: sp.N, Note: sp.Note, Items: make([]supplementItemJSON, 0, len(sp.Items)),
		RequestedAt: sp.RequestedAt.UTC().Format(time.RFC3339), SuppliedAt: instant(sp.SuppliedAt)}
	for _, it := range sp.Items {
		item := supplementItemJSON{Field: optional(it.Field), Note: it.Note}
		if f := p.Form.Field(it.Field); f != nil {
			item.Label = &f.Label
		}
		j.Supplement.Items = append(j.Supplement.Items, item)
	}
	return nil
}

func (rd *renderer) summaries(ds []*dossier.Dossier) ([]dossierSummary, error) {
	out := make([]dossierSummary, 0, len(ds))
	for _, d := range ds {
		p, err := rd.procedure(d.ProcedureCode)
		if err != nil {
			return nil, err
		}
		u, err := rd.unit(d)
		if err != nil {
			return nil, err
		}
		s := dossierSummary{Code: optional(d.Code), Ref: d.Ref, Procedure: d.ProcedureCode, ProcedureName: p.Name,
			Unit: u.Code, Channel: d.Channel, Status: d.Status, StatusCode: d.Status.Code(),
			SubmittedAt: instant(d.SubmittedAt), DueAt: localDay(d.DueDate), Timeliness: timeliness(d, rd.today)}
		s.Applicant.Name = d.ApplicantName
		out = append(out, s)
	}
	return out, nil
}

// writeDossier renders d in full with the given status.
func (h *handler) writeDossier(w http.ResponseWriter, r *http.Request, status int, d *dossier.Dossier) error {
	rd, err := h.renderer(r)
	if err != nil {
		return err
	}
	j, err := rd.full(d)
	if err != nil {
		return err
	}
	writeJSON(w, status, j)
	return nil
}

func (h *handler) writeDossierList(w http.ResponseWriter, r *http.Request, ds []*dossier.Dossier, page int) error {
	rd, err := h.renderer(r)
	if err != nil {
		return err
	}
	list, err := rd.summaries(ds)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, dossierList{Dossiers: list, Page: page, PerPage: perPage})
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// instant is a moment in RFC 3339, UTC; null when it has not happened.
func instant(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// localDay is a calendar day in Vietnam (YYYY-MM-DD); null when unset.
func localDay(d workcal.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

func timeliness(d *dossier.Dossier, today workcal.Date) *string {
	return optional(string(d.TimelinessOn(today)))
}

// --- failures ---

// formFailure renders a form with wrong fields: the usual error shape with
// a message per field under "fields". A single error about one of the form
// fields sent (an unknown field in a draft) is rendered the same way.
// Other errors are returned for the usual rendering.
func (h *handler) formFailure(w http.ResponseWriter, r *http.Request, err error, sent map[string]string) error {
	var fe dossier.FormErrors
	if !errors.As(err, &fe) {
		var e *egov.Error
		if !errors.As(err, &e) || e.Code != egov.EINVALID || !strings.HasPrefix(e.Key, "form.") {
			return err
		}
		if _, ok := sent[e.Field]; !ok {
			return err
		}
		fe = dossier.FormErrors{e.Field: e}
	}
	l := lang(r)
	body := struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}{}
	body.Error.Code = egov.EINVALID
	body.Error.Message = i18n.T(l, "form.invalid", len(fe))
	body.Error.Fields = make(map[string]string, len(fe))
	for name, e := range fe {
		body.Error.Fields[name] = i18n.T(l, e.Key, e.Args...)
	}
	writeJSON(w, http.StatusBadRequest, body)
	return nil
}

// applicantFields names the request's members for the domain's names of
// the applicant's details.
var applicantFields = map[string]string{
	"applicant_name":  "applicant.name",
	"applicant_phone": "applicant.phone",
	"citizen_id":      "applicant.cccd",
}

func renameApplicantField(err error) error {
	var e *egov.Error
	if errors.As(err, &e) {
		if name, ok := applicantFields[e.Field]; ok {
			c := *e
			c.Field = name
			return &c
		}
	}
	return err
}

// procedureField makes an unknown procedure named in a body a bad request
// about that member, like an unknown unit.
func procedureField(err error) error {
	var e *egov.Error
	if errors.As(err, &e) && e.Code == egov.ENOTFOUND {
		return &egov.Error{Code: egov.EINVALID, Key: e.Key, Args: e.Args, Field: "procedure"}
	}
	return err
}

// --- filing ---

type applicantRequest struct {
	Name  string `json:"name"`
	CCCD  string `json:"cccd"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

type createRequest struct {
	Procedure string            `json:"procedure"`
	Unit      string            `json:"unit"`
	Channel   string            `json:"channel"`
	Applicant *applicantRequest `json:"applicant"`
	Fields    map[string]string `json:"fields"`
	Submit    *bool             `json:"submit"`
}

// createDossier serves POST /api/v1/dossiers. A citizen files for
// themself: a draft, or with submit a filed dossier that waits for the
// receiving desk. An officer at the counter names the applicant and the
// channel (in person, by post): the dossier is received at once.
func (h *handler) createDossier(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	var req createRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	req.Procedure, req.Unit = strings.TrimSpace(req.Procedure), strings.TrimSpace(req.Unit)
	if req.Procedure == "" {
		return egov.FieldError("procedure", "error.missing", "procedure")
	}
	if !dossier.ValidCode(req.Procedure) {
		return egov.FieldError("procedure", "error.bad_procedure_code", clip(req.Procedure))
	}
	if req.Unit == "" {
		return egov.FieldError("unit", "error.missing", "unit")
	}
	if _, err := unitCode("unit", req.Unit); err != nil {
		return err
	}
	in := dossier.NewDossier{ProcedureCode: req.Procedure, UnitCode: req.Unit, Fields: req.Fields}
	ctx := r.Context()
	var d *dossier.Dossier
	var err error
	if a.User.Kind == identity.Citizen {
		d, err = h.fileOnline(r, a, req, in)
	} else {
		if req.Submit != nil && !*req.Submit {
			return egov.FieldError("submit", "error.counter_no_draft")
		}
		in.Channel = dossier.Channel(strings.TrimSpace(req.Channel))
		if req.Applicant != nil {
			in.Applicant = dossier.Applicant{Name: req.Applicant.Name, CCCD: req.Applicant.CCCD,
				Phone: req.Applicant.Phone, Email: req.Applicant.Email}
		}
		d, err = h.app.Dossiers.Intake(ctx, a, in)
		err = renameApplicantField(err)
	}
	if err != nil {
		return h.formFailure(w, r, procedureField(err), req.Fields)
	}
	key := d.Code
	if key == "" {
		key = d.Ref
	}
	w.Header().Set("Location", "/api/v1/dossiers/"+url.PathEscape(key))
	return h.writeDossier(w, r, http.StatusCreated, d)
}

// fileOnline starts a citizen's draft and, when asked, files it. A form to
// file is checked first, with the domain's own validation, so that a wrong
// form leaves no draft behind. (Should filing fail for another reason, say
// a unit without an agency identifier, the draft stays for the citizen to
// file later: the domain has no single create-and-file transaction.)
func (h *handler) fileOnline(r *http.Request, a *identity.Actor, req createRequest, in dossier.NewDossier) (*dossier.Dossier, error) {
	if c := strings.TrimSpace(req.Channel); c != "" && c != string(dossier.ChannelOnline) {
		return nil, egov.FieldError("channel", "dossier.citizens_only")
	}
	if req.Applicant != nil {
		return nil, egov.FieldError("applicant", "error.applicant_is_you")
	}
	ctx := r.Context()
	submit := req.Submit != nil && *req.Submit
	if submit {
		p, err := h.app.Procedures.Get(ctx, in.ProcedureCode)
		if err != nil {
			return nil, err
		}
		// A procedure not offered online is CreateDraft's conflict to tell.
		if slices.Contains(p.Channels, dossier.ChannelOnline) {
			if _, errs := p.Form.Validate(in.Fields, workcal.LocalDate(h.app.Dossiers.Now())); len(errs) > 0 {
				return nil, dossier.FormErrors(errs)
			}
		}
	}
	d, err := h.app.Dossiers.CreateDraft(ctx, a, in)
	if err != nil || !submit {
		return d, err
	}
	return h.app.Dossiers.Submit(ctx, a, d.Ref)
}

type fieldsRequest struct {
	Fields map[string]string `json:"fields"`
}

// updateDraftFields serves PUT /api/v1/dossiers/{ref}/fields: the
// applicant replaces the fields of a draft.
func (h *handler) updateDraftFields(w http.ResponseWriter, r *http.Request) error {
	var req fieldsRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Fields == nil {
		return egov.FieldError("fields", "error.missing", "fields")
	}
	d, err := h.app.Dossiers.UpdateDraft(r.Context(), actor(r), r.PathValue("ref"), req.Fields)
	if err != nil {
		return h.formFailure(w, r, err, req.Fields)
	}
	return h.writeDossier(w, r, http.StatusOK, d)
}

// --- reading ---

// getDossier serves GET /api/v1/dossiers/{code}, by code or reference.
func (h *handler) getDossier(w http.ResponseWriter, r *http.Request) error {
	d, err := h.app.Dossiers.Get(r.Context(), actor(r), r.PathValue("code"))
	if err != nil {
		return err
	}
	return h.writeDossier(w, r, http.StatusOK, d)
}

// maxPage bounds the page parameter.
const maxPage = 100000

// listDossiers serves GET /api/v1/dossiers: a citizen's own dossiers
// (drafts included), or those an officer may read, due first.
func (h *handler) listDossiers(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := dossier.ListQuery{PerPage: perPage}
	if s := param(r, "unit"); s != "" {
		if a.User.Kind == identity.Citizen {
			// The domain lists a citizen's own dossiers whatever the unit;
			// refusing the filter beats ignoring it.
			return egov.FieldError("unit", "error.unit_filter_officers")
		}
		code, err := unitCode("unit", s)
		if err != nil {
			return err
		}
		q.UnitCode = code
	}
	q.Status = dossier.Status(param(r, "status"))
	var err error
	if q.From, err = dateParam(r, "from", 0); err != nil {
		return err
	}
	if q.To, err = dateParam(r, "to", 0); err != nil {
		return err
	}
	if q.Page, err = intParam(r, "page", 1, 1, maxPage); err != nil {
		return err
	}
	ds, err := h.app.Dossiers.List(r.Context(), a, q)
	if err != nil {
		return err
	}
	return h.writeDossierList(w, r, ds, q.Page)
}

// inbox serves GET /api/v1/inbox: what waits for the token's user.
func (h *handler) inbox(w http.ResponseWriter, r *http.Request) error {
	page, err := intParam(r, "page", 1, 1, maxPage)
	if err != nil {
		return err
	}
	ds, err := h.app.Dossiers.Inbox(r.Context(), actor(r), page)
	if err != nil {
		return err
	}
	return h.writeDossierList(w, r, ds, page)
}

type assigneeJSON struct {
	Username string `json:"username"`
	FullName string `json:"full_name"`
}

// dossierAssignees serves GET /api/v1/dossiers/{code}/assignees: whom the
// dossier can be handed to.
func (h *handler) dossierAssignees(w http.ResponseWriter, r *http.Request) error {
	us, err := h.app.Dossiers.Assignees(r.Context(), actor(r), r.PathValue("code"))
	if err != nil {
		return err
	}
	out := make([]assigneeJSON, 0, len(us))
	for _, u := range us {
		out = append(out, assigneeJSON{Username: u.Username, FullName: u.FullName})
	}
	writeJSON(w, http.StatusOK, struct {
		Assignees []assigneeJSON `json:"assignees"`
	}{out})
	return nil
}

// --- actions ---

// actSubmit files a draft; it is not one of the domain's Actions, which
// act on filed dossiers.
const actSubmit = "submit"

// actionRequest is the body of an action; a member is nil when absent.
type actionRequest struct {
	Note     *string           `json:"note"`
	Items    []itemJSON        `json:"items"`
	Fields   map[string]string `json:"fields"`
	Assignee *string           `json:"assignee"`
	NewDate  *string           `json:"new_date"`
	Result   *string           `json:"result"`
	Rating   *int              `json:"rating"`
}

// itemJSON is one item of a request for documents: a field of the form,
// or none for a document outside it.
type itemJSON struct {
	Field string `json:"field"`
	Note  string `json:"note"`
}

// actionMembers are the members of the body each action takes besides
// note; any other is refused, so that a mistaken request does not
// silently lose what it meant.
var actionMembers = map[dossier.Action][]string{
	dossier.ActRequestDocuments: {"items"},
	dossier.ActSupplyDocuments:  {"fields"},
	dossier.ActAssign:           {"assignee"},
	dossier.ActApologise:        {"new_date"},
	dossier.ActFinish:           {"result"},
	dossier.ActRate:             {"rating"},
}

func (req *actionRequest) present() []string {
	var out []string
	for _, m := range []struct {
		name string
		set  bool
	}{
		{"note", req.Note != nil}, {"items", req.Items != nil}, {"fields", req.Fields != nil}, {"assignee", req.Assignee != nil},
		{"new_date", req.NewDate != nil}, {"result", req.Result != nil}, {"rating", req.Rating != nil},
	} {
		if m.set {
			out = append(out, m.name)
		}
	}
	return out
}

// knownAction reports whether name is an action of the API.
func knownAction(name string) bool {
	return name == actSubmit || slices.Contains(dossier.Actions, dossier.Action(name))
}

// actOnDossier serves POST /api/v1/dossiers/{code}/actions/{action}. The
// body may be empty for an action that needs nothing.
func (h *handler) actOnDossier(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("action")
	if !knownAction(name) {
		return egov.FieldError("action", "dossier.unknown_action", clip(name))
	}
	var req actionRequest
	var results []dossier.Upload
	if isMultipart(r) {
		// Only finish carries files: the electronic result.
		if name != string(dossier.ActFinish) {
			return egov.Errorf(egov.EINVALID, "error.multipart_only_finish")
		}
		texts, files, err := readMultipart(w, r, maxResultBody, map[string]int{"note": 4000, "result": 500},
			map[string]bool{"file": true})
		if err != nil {
			return err
		}
		for _, m := range []struct {
			name string
			dst  **string
		}{{"note", &req.Note}, {"result", &req.Result}} {
			if v, ok := texts[m.name]; ok {
				*m.dst = &v
			}
		}
		results = files
	} else if err := decodeOptionalJSON(w, r, &req); err != nil {
		return err
	}
	act := dossier.Action(name)
	for _, m := range req.present() {
		if name == actSubmit || m != "note" && !slices.Contains(actionMembers[act], m) {
			return egov.FieldError(m, "error.member_not_for_action", m, egov.Msg("dossier.action."+name))
		}
	}
	ctx, a, key := r.Context(), actor(r), r.PathValue("code")
	if name == actSubmit {
		d, err := h.app.Dossiers.Submit(ctx, a, key)
		if err != nil {
			return h.formFailure(w, r, err, nil)
		}
		return h.writeDossier(w, r, http.StatusOK, d)
	}
	in := dossier.ActionInput{Fields: req.Fields, ResultFiles: results}
	if req.Note != nil {
		in.Note = *req.Note
	}
	for _, it := range req.Items {
		in.Items = append(in.Items, dossier.SupplementItem{Field: it.Field, Note: it.Note})
	}
	if req.Assignee != nil {
		in.Assignee = strings.TrimSpace(*req.Assignee)
	}
	if req.NewDate != nil {
		d, err := parseDate("new_date", strings.TrimSpace(*req.NewDate))
		if err != nil {
			return err
		}
		in.NewDate = d
	}
	if req.Result != nil {
		in.Result = *req.Result
	}
	if req.Rating != nil {
		in.Rating = *req.Rating
	}
	d, err := h.app.Dossiers.Act(ctx, a, key, act, in)
	if err != nil {
		return h.formFailure(w, r, resultFileField(err), req.Fields)
	}
	return h.writeDossier(w, r, http.StatusOK, d)
}

// maxResultBody bounds the body of a finishing with its result files.
const maxResultBody = dossier.MaxResultFiles*dossier.MaxAttachmentBytes + 64<<10

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

// resultFileField names the "file" part in the domain's errors about the
// result documents.
func resultFileField(err error) error {
	var e *egov.Error
	if errors.As(err, &e) && e.Field == "result_file" {
		c := *e
		c.Field = "file"
		return &c
	}
	return err
}

// decodeOptionalJSON is decodeJSON for a body that may be absent or blank.
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return jsonError(err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return decodeJSON(w, r, v)
}

// --- the public lookup ---

type lookupJSON struct {
	Code       string         `json:"code"`
	Status     dossier.Status `json:"status"`
	StatusCode int            `json:"status_code"`
	DueAt      *string        `json:"due_at"`
}

// lookup serves GET /api/v1/lookup: anyone holding a dossier's code and
// the applicant's phone number learns its status, and nothing more. Any
// mismatch is the same 404.
func (h *handler) lookup(w http.ResponseWriter, r *http.Request) error {
	for _, name := range []string{"code", "phone"} {
		if err := required(r, name); err != nil {
			return err
		}
	}
	st, err := h.app.Dossiers.Lookup(r.Context(), r.RemoteAddr, param(r, "code"), param(r, "phone"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, lookupJSON{Code: st.Code, Status: st.Status, StatusCode: st.Status.Code(), DueAt: localDay(st.DueDate)})
	return nil
}

// countsJSON are the figures of a set of dossiers; dossier.Counts
// defines each.
type countsJSON struct {
	Received            int            `json:"received"`
	ReceivedOnline      int            `json:"received_online"`
	ReceivedByChannel   map[string]int `json:"received_by_channel"`
	ResolvedEarly       int            `json:"resolved_early"`
	ResolvedOnTime      int            `json:"resolved_on_time"`
	ResolvedLate        int            `json:"resolved_late"`
	InProgress          int            `json:"in_progress"`
	Overdue             int            `json:"overdue"`
	Refused             int            `json:"refused"`
	Withdrawn           int            `json:"withdrawn"`
	Stopped             int            `json:"stopped"`
	PaidOnline          int            `json:"paid_online"`
	Satisfied           int            `json:"satisfied"`
	Rated               int            `json:"rated"`
	EligibleFullyOnline int            `json:"eligible_fully_online"`
	ReceivedFullyOnline int            `json:"received_fully_online"`
	Payable             int            `json:"payable"`
	PayablePaidOnline   int            `json:"payable_paid_online"`
}

func countsOf(c *dossier.Counts) countsJSON {
	by := map[string]int{}
	for ch, n := range c.ByChannel {
		by[string(ch)] = n
	}
	return countsJSON{Received: c.Received, ReceivedOnline: c.ReceivedOnline, ReceivedByChannel: by,
		ResolvedEarly: c.ResolvedEarly, ResolvedOnTime: c.ResolvedOnTime, ResolvedLate: c.ResolvedLate,
		InProgress: c.InProgress, Overdue: c.Overdue, Refused: c.Refused, Withdrawn: c.Withdrawn, Stopped: c.Stopped,
		PaidOnline: c.PaidOnline, Satisfied: c.Satisfied, Rated: c.Rated, EligibleFullyOnline: c.EligibleFullyOnline,
		ReceivedFullyOnline: c.ReceivedFullyOnline, Payable: c.Payable, PayablePaidOnline: c.PayablePaidOnline}
}

// statsJSON is the one-stop figures of a unit's territory over a period;
// dossier.Stats defines each figure.
type statsJSON struct {
	Unit string `json:"unit"`
	From string `json:"from"`
	To   string `json:"to"`
	countsJSON
	Procedures            int                   `json:"procedures"`
	ProceduresFullyOnline int                   `json:"procedures_fully_online"`
	ByProcedure           *[]procedureStatsJSON `json:"by_procedure,omitempty"`
}

type procedureStatsJSON struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	OnlineMode string `json:"online_mode"`
	countsJSON
}

// dossierStats serves GET /api/v1/dossier-stats?unit=&from=&to=&by=: the
// figures over the unit's territory, the current month by default; with
// by=procedure also each procedure's.
func (h *handler) dossierStats(w http.ResponseWriter, r *http.Request) error {
	by := param(r, "by")
	if by != "" && by != "procedure" {
		return egov.FieldError("by", "dossier.stats_by_invalid")
	}
	from, to, err := h.unitPeriod(r)
	if err != nil {
		return err
	}
	st, err := h.app.Dossiers.Stats(r.Context(), actor(r), param(r, "unit"), from, to)
	if err != nil {
		return err
	}
	out := statsJSON{Unit: param(r, "unit"), From: from.String(), To: to.String(), countsJSON: countsOf(&st.Counts),
		Procedures: st.Procedures, ProceduresFullyOnline: st.ProceduresFullyOnline}
	if by == "procedure" {
		list := []procedureStatsJSON{}
		for i := range st.ByProcedure {
			p := &st.ByProcedure[i]
			list = append(list, procedureStatsJSON{Code: p.Code, Name: p.Name,
				OnlineMode: string(p.OnlineMode), countsJSON: countsOf(&p.Counts)})
		}
		out.ByProcedure = &list
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// dossierRegister serves GET /api/v1/dossier-register?unit=&from=&to=:
// the register of dossiers (Mẫu 06) of the unit's territory as a
// workbook, this year so far by default. It names applicants, so it is
// for officers who may read the unit's dossiers in full, and audited.
func (h *handler) dossierRegister(w http.ResponseWriter, r *http.Request) error {
	if err := required(r, "unit"); err != nil {
		return err
	}
	today := workcal.LocalDate(h.app.Units.Now())
	from, err := dateParam(r, "from", workcal.NewDate(today.Year(), 1, 1))
	if err != nil {
		return err
	}
	to, err := dateParam(r, "to", today)
	if err != nil {
		return err
	}
	reg, err := h.app.Dossiers.Register(r.Context(), actor(r), param(r, "unit"), from, to)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := dossier.WriteRegisterXLSX(&buf, reg); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="so-theo-doi-ho-so-`+reg.UnitCode+`-`+from.String()+`-`+to.String()+`.xlsx"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

// unitPeriod reads the required unit and the period [from, to] of the
// reports over a unit's territory: this month so far by default.
func (h *handler) unitPeriod(r *http.Request) (from, to workcal.Date, err error) {
	if err := required(r, "unit"); err != nil {
		return 0, 0, err
	}
	today := workcal.LocalDate(h.app.Units.Now())
	y, m, _ := today.Date()
	if from, err = dateParam(r, "from", workcal.NewDate(y, m, 1)); err != nil {
		return 0, 0, err
	}
	if to, err = dateParam(r, "to", today); err != nil {
		return 0, 0, err
	}
	return from, to, nil
}
