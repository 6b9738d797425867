// Package epcisapi is the EPCIS 2.0 REST interface under /epcis: capture
// of EPCIS documents and single events, capture jobs, events by eventID,
// the SimpleEventQuery, named queries (each organisation's own) and their
// webhook subscriptions, stream or scheduled, with the standard's
// discovery headers. Errors are RFC 7807 problem documents whose type is
// the standard's exception (epcisException:ValidationException…).
//
// Like internal/api it is thin: the routes live in one table, a handler
// reads the request, calls the epcis service and writes the answer.
package epcisapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"egov"
	"egov/internal/app"
	"egov/internal/epcis"
	"egov/internal/i18n"
	"egov/internal/identity"
)

// route is one operation.
type route struct {
	method  string
	pattern string
	handle  func(h *handler, w http.ResponseWriter, r *http.Request) error
}

var routes = []route{
	{"POST", "/epcis/capture", (*handler).capture},
	{"GET", "/epcis/capture/{id}", (*handler).captureJob},
	{"POST", "/epcis/events", (*handler).captureEvent},
	{"GET", "/epcis/events", (*handler).queryEvents},
	{"GET", "/epcis/events/{eventID}", (*handler).eventByID},
	{"POST", "/epcis/queries", (*handler).createQuery},
	{"GET", "/epcis/queries", (*handler).listQueries},
	{"GET", "/epcis/queries/{name}", (*handler).getQuery},
	{"DELETE", "/epcis/queries/{name}", (*handler).deleteQuery},
	{"GET", "/epcis/queries/{name}/events", (*handler).namedQueryEvents},
	{"POST", "/epcis/queries/{name}/subscriptions", (*handler).subscribe},
	{"GET", "/epcis/queries/{name}/subscriptions", (*handler).listSubscriptions},
	{"GET", "/epcis/queries/{name}/subscriptions/{id}", (*handler).getSubscription},
	{"DELETE", "/epcis/queries/{name}/subscriptions/{id}", (*handler).unsubscribe},
}

// The top-level resources: a collection of values, each value a resource
// whose events sub-resource is a query on it.
func init() {
	routes = append(routes, route{"GET", "/epcis", (*handler).topLevel})
	for _, res := range epcis.Resources {
		routes = append(routes,
			route{"GET", "/epcis/" + res.Name, (*handler).collection},
			route{"GET", "/epcis/" + res.Name + "/{id}", (*handler).resource},
			route{"GET", "/epcis/" + res.Name + "/{id}/events", (*handler).resourceEvents})
		optionsPaths = append(optionsPaths, "/epcis/"+res.Name, "/epcis/"+res.Name+"/{id}", "/epcis/"+res.Name+"/{id}/events")
	}
}

// optionsPaths answer OPTIONS with the discovery headers.
var optionsPaths = []string{"/epcis", "/epcis/capture", "/epcis/events", "/epcis/events/{eventID}", "/epcis/capture/{id}",
	"/epcis/queries", "/epcis/queries/{name}", "/epcis/queries/{name}/events",
	"/epcis/queries/{name}/subscriptions", "/epcis/queries/{name}/subscriptions/{id}"}

type handler struct {
	app   *app.App
	known *http.ServeMux
}

type actorKey struct{}

// Register adds the EPCIS routes to mux.
func Register(mux *http.ServeMux, a *app.App) {
	h := &handler{app: a, known: http.NewServeMux()}
	for _, rt := range routes {
		p := rt.method + " " + rt.pattern
		mux.Handle(p, h.wrap(rt))
		h.known.Handle(p, http.NotFoundHandler())
	}
	for _, p := range optionsPaths {
		mux.HandleFunc("OPTIONS "+p, h.options)
	}
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		mux.HandleFunc(m+" /epcis/", h.unmatched)
	}
}

// wrap authenticates every request: the repository holds the operators'
// business data, and the public sees it only through the provenance pages.
func (h *handler) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.versionHeaders(w)
		if err := negotiate(r); err != nil {
			h.fail(w, r, err)
			return
		}
		a, err := h.authenticate(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), actorKey{}, a))
		if err := rt.handle(h, w, r); err != nil {
			h.fail(w, r, err)
		}
	})
}

func (h *handler) authenticate(r *http.Request) (*identity.Actor, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	return h.app.Identity.ActorForToken(r.Context(), strings.TrimSpace(token), identity.APIToken)
}

func actor(r *http.Request) *identity.Actor {
	a, _ := r.Context().Value(actorKey{}).(*identity.Actor)
	return a
}

// versionHeaders are sent with every answer.
func (h *handler) versionHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("GS1-EPCIS-Version", "2.0.0")
	hd.Set("GS1-CBV-Version", "2.0.0")
}

// negotiate refuses a request for another EPCIS version or for a format
// other than JSON (EPCIS XML is not served).
func negotiate(r *http.Request) error {
	if v := r.Header.Get("GS1-EPCIS-Version"); v != "" && v != "2.0" && !strings.HasPrefix(v, "2.0.") {
		return &epcis.Exception{Type: epcis.ImplementationException, Status: http.StatusNotAcceptable,
			Detail: "this repository speaks EPCIS 2.0.0, not " + v}
	}
	accept := r.Header.Get("Accept")
	if accept == "" {
		return nil
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "*/*", "application/*", "application/json", "application/ld+json", "application/problem+json":
			return nil
		}
	}
	return &epcis.Exception{Type: epcis.ImplementationException, Status: http.StatusNotAcceptable,
		Detail: "answers are application/ld+json or application/json"}
}

// options answers the discovery request of a path.
func (h *handler) options(w http.ResponseWriter, r *http.Request) {
	h.versionHeaders(w)
	hd := w.Header()
	hd.Set("GS1-EPCIS-Min", "2.0.0")
	hd.Set("GS1-EPCIS-Max", "2.0.0")
	hd.Set("GS1-CBV-Min", "2.0.0")
	hd.Set("GS1-CBV-Max", "2.0.0")
	// Events are returned as captured; identifiers are matched in any form.
	hd.Set("GS1-EPC-Format", "Never_Translates")
	hd.Set("GS1-Extensions", "")
	hd.Set("GS1-Vendor-Version", "egov")
	lim := h.app.Trace.Limits
	allow := "OPTIONS"
	switch r.Pattern {
	case "OPTIONS /epcis/capture":
		allow = "OPTIONS, POST"
		hd.Set("GS1-EPCIS-Capture-Limit", strconv.Itoa(lim.MaxEvents))
		hd.Set("GS1-EPCIS-Capture-File-Size-Limit", strconv.FormatInt(lim.MaxBytes, 10))
		hd.Set("GS1-Capture-Error-Behaviour", "rollback")
	case "OPTIONS /epcis/events":
		allow = "OPTIONS, GET, POST"
		hd.Set("GS1-EPCIS-Capture-Limit", "1")
		hd.Set("GS1-EPCIS-Capture-File-Size-Limit", strconv.FormatInt(lim.MaxBytes, 10))
	case "OPTIONS /epcis/queries", "OPTIONS /epcis/queries/{name}/subscriptions":
		allow = "OPTIONS, GET, POST"
	case "OPTIONS /epcis/queries/{name}", "OPTIONS /epcis/queries/{name}/subscriptions/{id}":
		allow = "OPTIONS, GET, DELETE"
	default:
		allow = "OPTIONS, GET"
	}
	hd.Set("Allow", allow)
	w.WriteHeader(http.StatusNoContent)
}

// unmatched answers a path under /epcis/ that no route takes.
func (h *handler) unmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{"GET", "POST", "DELETE"} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := h.known.Handler(probe); p != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		h.fail(w, r, &epcis.Exception{Type: epcis.NoSuchResourceException, Status: http.StatusNotFound, Detail: "no such resource"})
		return
	}
	w.Header().Set("Allow", strings.Join(append(allow, "OPTIONS"), ", "))
	h.fail(w, r, &epcis.Exception{Type: epcis.ImplementationException, Status: http.StatusMethodNotAllowed, Detail: r.Method + " is not allowed here"})
}

// fail writes err as a problem document.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var p epcis.Problem
	var ex *epcis.Exception
	var ee *egov.Error
	switch {
	case errors.As(err, &ex):
		p = epcis.ProblemOf(ex)
	case errors.As(err, &ee) && (ee.Code == egov.EUNAUTHORIZED || ee.Code == egov.EFORBIDDEN):
		p = epcis.Problem{Type: epcis.SecurityException, Title: "SecurityException", Status: egov.HTTPStatus(ee.Code),
			Detail: i18n.T(i18n.Match(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language")), ee.Key, ee.Args...)}
		if ee.Code == egov.EUNAUTHORIZED {
			w.Header().Set("WWW-Authenticate", `Bearer realm="egov"`)
		}
	default:
		h.app.Log.Error("epcis: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		p = epcis.Problem{Type: epcis.ImplementationException, Title: "ImplementationException", Status: http.StatusInternalServerError}
	}
	p.Instance = r.URL.Path
	b, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	w.Write(append(b, '\n'))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"type":"epcisException:ImplementationException","status":500}`)
	}
	w.Header().Set("Content-Type", "application/ld+json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// readBody reads a request body within the announced size limit and
// checks its media type.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	if mt, _, _ := strings.Cut(ct, ";"); ct != "" {
		switch strings.TrimSpace(strings.ToLower(mt)) {
		case "application/json", "application/ld+json":
		default:
			return nil, &epcis.Exception{Type: epcis.ValidationException, Status: http.StatusUnsupportedMediaType,
				Detail: "send application/json or application/ld+json"}
		}
	}
	max := h.app.Trace.Limits.MaxBytes
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &epcis.Exception{Type: epcis.CaptureLimitExceeded, Status: http.StatusRequestEntityTooLarge,
			Detail: "the body exceeds " + strconv.FormatInt(max, 10) + " bytes"}
	}
	return data, err
}

// capture serves POST /epcis/capture.
func (h *handler) capture(w http.ResponseWriter, r *http.Request) error {
	data, err := h.readBody(w, r)
	if err != nil {
		return err
	}
	if b := r.Header.Get("GS1-Capture-Error-Behaviour"); b != "" && b != "rollback" {
		return &epcis.Exception{Type: epcis.ImplementationException, Status: http.StatusNotImplemented,
			Detail: "only the rollback capture error behaviour is supported"}
	}
	job, err := h.app.Trace.Capture(r.Context(), actor(r), data)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/epcis/capture/"+epcis.FormatID(job.ID))
	w.Header().Set("GS1-Capture-Error-Behaviour", "rollback")
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// captureJobJSON is the capture job document of the standard.
type captureJobJSON struct {
	CaptureID             string          `json:"captureID"`
	CreatedAt             string          `json:"createdAt"`
	FinishedAt            string          `json:"finishedAt"`
	Running               bool            `json:"running"`
	Success               bool            `json:"success"`
	CaptureErrorBehaviour string          `json:"captureErrorBehaviour"`
	Events                int             `json:"eventCount"`
	Errors                []epcis.Problem `json:"errors"`
}

// captureJob serves GET /epcis/capture/{id}.
func (h *handler) captureJob(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return &epcis.Exception{Type: epcis.NoSuchResourceException, Status: http.StatusNotFound, Detail: "no such capture job"}
	}
	job, err := h.app.Trace.Job(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	out := captureJobJSON{CaptureID: epcis.FormatID(job.ID), CreatedAt: epcis.EventTimeUTC(job.CreatedAt),
		FinishedAt: epcis.EventTimeUTC(job.FinishedAt), Success: job.Success, CaptureErrorBehaviour: "rollback",
		Events: job.Events, Errors: []epcis.Problem{}}
	for _, e := range job.Errors {
		out.Errors = append(out.Errors, epcis.ProblemOf(e))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// captureEvent serves POST /epcis/events.
func (h *handler) captureEvent(w http.ResponseWriter, r *http.Request) error {
	data, err := h.readBody(w, r)
	if err != nil {
		return err
	}
	id, err := h.app.Trace.CaptureEvent(r.Context(), actor(r), data)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/epcis/events/"+url.PathEscape(id))
	w.WriteHeader(http.StatusCreated)
	return nil
}

// eventByID serves GET /epcis/events/{eventID}: the event and the error
// declarations made for it.
func (h *handler) eventByID(w http.ResponseWriter, r *http.Request) error {
	a, err := h.checkReader(r)
	if err != nil {
		return err
	}
	evs, err := h.app.Trace.EventsByIDFor(r.Context(), a, r.PathValue("eventID"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, epcis.QueryDocument(evs, h.app.Trace.Now()))
	return nil
}

// checkReader: for now the repository is read by trace operators and the
// administrators of the traceability data only.
func (h *handler) checkReader(r *http.Request) (*identity.Actor, error) {
	a := actor(r)
	_, manage := a.Scope(identity.PermTraceManage)
	if units, all := a.Scope(identity.PermTraceCapture); len(units) == 0 && !all && !manage {
		return nil, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	return a, nil
}

// queryEvents serves GET /epcis/events: a SimpleEventQuery, paged, with
// the next page in a Link header.
func (h *handler) queryEvents(w http.ResponseWriter, r *http.Request) error {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return queryException("malformed query string")
	}
	return h.runQuery(w, r, v)
}

// runQuery answers a SimpleEventQuery; the next page's link keeps the path.
func (h *handler) runQuery(w http.ResponseWriter, r *http.Request, v url.Values) error {
	ext, err := epcis.ParseExtensionsHeader(r.Header.Get("GS1-Extensions"))
	if err != nil {
		return err
	}
	q, err := h.app.Trace.ParseQuery(v, ext)
	if err != nil {
		return err
	}
	page, err := h.app.Trace.QueryEvents(r.Context(), actor(r), q, v)
	if err != nil {
		return err
	}
	if page.Next != "" {
		next, _ := url.ParseQuery(r.URL.RawQuery)
		next.Set("nextPageToken", page.Next)
		w.Header().Set("Link", "<"+r.URL.Path+"?"+next.Encode()+`>; rel="next"`)
	}
	writeJSON(w, http.StatusOK, epcis.QueryDocument(page.Events, h.app.Trace.Now()))
	return nil
}

// collectionContext is the @context of the collections.
var collectionContext = []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"}

// topLevel serves GET /epcis: the top-level resources.
func (h *handler) topLevel(w http.ResponseWriter, r *http.Request) error {
	members := []string{"capture", "events", "queries"}
	for _, res := range epcis.Resources {
		members = append(members, res.Name)
	}
	writeJSON(w, http.StatusOK, map[string]any{"@context": collectionContext, "type": "Collection", "member": members})
	return nil
}

// resourceName is the top-level resource of a request's path.
func resourceName(r *http.Request) string {
	rest := strings.TrimPrefix(r.Pattern, "GET /epcis/")
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// collection serves GET /epcis/{resource}: its members, paged.
func (h *handler) collection(w http.ResponseWriter, r *http.Request) error {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return queryException("malformed query string")
	}
	perPage, after := epcis.DefaultPerPage, ""
	for k, vs := range v {
		switch {
		case len(vs) != 1:
			return queryException(k + " is given more than once")
		case k == "perPage":
			n, err := strconv.Atoi(vs[0])
			if err != nil || n < 1 || n > epcis.MaxPerPage {
				return queryException("perPage must be between 1 and " + strconv.Itoa(epcis.MaxPerPage))
			}
			perPage = n
		case k == "nextPageToken":
			b, err := base64.RawURLEncoding.DecodeString(vs[0])
			if err != nil {
				return queryException("malformed nextPageToken")
			}
			after = string(b)
		default:
			return queryException("unknown query parameter " + k)
		}
	}
	members, more, err := h.app.Trace.Members(r.Context(), actor(r), resourceName(r), after, perPage)
	if err != nil {
		return err
	}
	if more {
		next := url.Values{"perPage": {strconv.Itoa(perPage)}, "nextPageToken": {base64.RawURLEncoding.EncodeToString([]byte(members[len(members)-1]))}}
		w.Header().Set("Link", "<"+r.URL.Path+"?"+next.Encode()+`>; rel="next"`)
	}
	if members == nil {
		members = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"@context": collectionContext, "type": "Collection", "member": members})
	return nil
}

func queryException(detail string) error {
	return &epcis.Exception{Type: epcis.QueryParameterException, Status: http.StatusBadRequest, Detail: detail}
}

// resource serves GET /epcis/{resource}/{id}: its sub-resources.
func (h *handler) resource(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.checkReader(r); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"@context": collectionContext, "type": "Collection", "member": []string{"events"}})
	return nil
}

// resourceEvents serves GET /epcis/{resource}/{id}/events: the events
// query with the resource's parameter set to id.
func (h *handler) resourceEvents(w http.ResponseWriter, r *http.Request) error {
	name := resourceName(r)
	for _, res := range epcis.Resources {
		if res.Name != name {
			continue
		}
		v, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return queryException("malformed query string")
		}
		if v.Has(res.Param) {
			return queryException(res.Param + " is set by the path")
		}
		v.Set(res.Param, r.PathValue("id"))
		return h.runQuery(w, r, v)
	}
	return &epcis.Exception{Type: epcis.NoSuchResourceException, Status: http.StatusNotFound, Detail: "no such resource"}
}

// queryDefinition is the body of POST /epcis/queries and the answer of
// GET /epcis/queries/{name}.
type queryDefinition struct {
	Name  string          `json:"name"`
	Query json.RawMessage `json:"query"`
}

// createQuery serves POST /epcis/queries.
func (h *handler) createQuery(w http.ResponseWriter, r *http.Request) error {
	data, err := h.readBody(w, r)
	if err != nil {
		return err
	}
	var def queryDefinition
	d := json.NewDecoder(strings.NewReader(string(data)))
	d.DisallowUnknownFields()
	if err := d.Decode(&def); err != nil || def.Name == "" || len(def.Query) == 0 {
		return &epcis.Exception{Type: epcis.ValidationException, Status: http.StatusBadRequest,
			Detail: `the body is {"name": "…", "query": {…}}`}
	}
	if err := h.app.Trace.CreateQuery(r.Context(), actor(r), def.Name, def.Query); err != nil {
		return err
	}
	w.Header().Set("Location", "/epcis/queries/"+url.PathEscape(def.Name))
	w.WriteHeader(http.StatusCreated)
	return nil
}

// listQueries serves GET /epcis/queries.
func (h *handler) listQueries(w http.ResponseWriter, r *http.Request) error {
	qs, err := h.app.Trace.Queries(r.Context(), actor(r))
	if err != nil {
		return err
	}
	out := make([]queryDefinition, len(qs))
	for i, q := range qs {
		out[i] = queryDefinition{q.Name, q.Query}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getQuery serves GET /epcis/queries/{name}.
func (h *handler) getQuery(w http.ResponseWriter, r *http.Request) error {
	q, err := h.app.Trace.Query(r.Context(), actor(r), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, queryDefinition{q.Name, q.Query})
	return nil
}

// deleteQuery serves DELETE /epcis/queries/{name}.
func (h *handler) deleteQuery(w http.ResponseWriter, r *http.Request) error {
	if err := h.app.Trace.DeleteQuery(r.Context(), actor(r), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// namedQueryEvents serves GET /epcis/queries/{name}/events: the stored
// query, paged by perPage and nextPageToken from the URL.
func (h *handler) namedQueryEvents(w http.ResponseWriter, r *http.Request) error {
	q, err := h.app.Trace.Query(r.Context(), actor(r), r.PathValue("name"))
	if err != nil {
		return err
	}
	v, err := h.app.Trace.QueryValues(q.Query)
	if err != nil {
		return err
	}
	page, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return queryException("malformed query string")
	}
	for k, vs := range page {
		if k != "perPage" && k != "nextPageToken" {
			return queryException(k + ": a named query takes only perPage and nextPageToken")
		}
		v[k] = vs
	}
	return h.runQuery(w, r, v)
}

// subscriptionJSON is a subscription as the API shows it: never its
// signature token.
type subscriptionJSON struct {
	SubscriptionID    string          `json:"subscriptionID"`
	QueryName         string          `json:"queryName"`
	Dest              string          `json:"dest"`
	Stream            bool            `json:"stream,omitempty"`
	Schedule          *epcis.Schedule `json:"schedule,omitempty"`
	ReportIfEmpty     bool            `json:"reportIfEmpty"`
	InitialRecordTime string          `json:"initialRecordTime,omitempty"`
	MinRecordTime     string          `json:"minRecordTime,omitempty"`
	CreatedAt         string          `json:"createdAt"`
	LastNotifiedAt    string          `json:"lastNotifiedAt,omitempty"`
}

func subscriptionOut(s *epcis.Subscription) subscriptionJSON {
	out := subscriptionJSON{SubscriptionID: s.ID, QueryName: s.Query, Dest: s.Dest, Stream: s.Stream, Schedule: s.Schedule,
		ReportIfEmpty: s.ReportIfEmpty, CreatedAt: epcis.EventTimeUTC(s.CreatedAt)}
	if !s.LastNotifiedAt.IsZero() {
		out.LastNotifiedAt = epcis.EventTimeUTC(s.LastNotifiedAt)
	}
	if s.Schedule != nil {
		out.InitialRecordTime, out.MinRecordTime = epcis.EventTimeUTC(s.InitialRecordTime), epcis.EventTimeUTC(s.MinRecordTime)
	}
	return out
}

// subscribe serves POST /epcis/queries/{name}/subscriptions: stream true,
// or a schedule.
func (h *handler) subscribe(w http.ResponseWriter, r *http.Request) error {
	data, err := h.readBody(w, r)
	if err != nil {
		return err
	}
	var ns epcis.NewSubscription
	d := json.NewDecoder(strings.NewReader(string(data)))
	d.DisallowUnknownFields()
	if err := d.Decode(&ns); err != nil {
		var ex *epcis.Exception
		if errors.As(err, &ex) {
			return ex // a schedule that is not one
		}
		return &epcis.Exception{Type: epcis.ValidationException, Status: http.StatusBadRequest,
			Detail: `the body is {"dest": "https://…", "signatureToken": "…", "stream": true} or {"dest": …, "schedule": {"hour": "1", "minute": "5"}}`}
	}
	name := r.PathValue("name")
	sub, err := h.app.Trace.Subscribe(r.Context(), actor(r), name, ns)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/epcis/queries/"+url.PathEscape(name)+"/subscriptions/"+sub.ID)
	writeJSON(w, http.StatusCreated, subscriptionOut(sub))
	return nil
}

// listSubscriptions serves GET /epcis/queries/{name}/subscriptions.
func (h *handler) listSubscriptions(w http.ResponseWriter, r *http.Request) error {
	subs, err := h.app.Trace.Subscriptions(r.Context(), actor(r), r.PathValue("name"))
	if err != nil {
		return err
	}
	out := make([]subscriptionJSON, len(subs))
	for i, s := range subs {
		out[i] = subscriptionOut(s)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getSubscription serves GET /epcis/queries/{name}/subscriptions/{id}.
func (h *handler) getSubscription(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.app.Trace.GetSubscription(r.Context(), actor(r), r.PathValue("name"), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, subscriptionOut(sub))
	return nil
}

// unsubscribe serves DELETE /epcis/queries/{name}/subscriptions/{id}.
func (h *handler) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	if err := h.app.Trace.Unsubscribe(r.Context(), actor(r), r.PathValue("name"), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
