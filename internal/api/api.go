// Package api is the JSON interface under /api/v1: administrative units
// through time, API tokens, the working calendar, the catalogue of
// administrative procedures, the one-stop shop's dossiers, and periodic
// reporting (indicators, forms, data values in DHIS2's shape, analytics).
//
// Like the web pages it is thin: a handler parses the request, calls the
// domain and renders the result. Every failure has one shape,
// {"error":{"code","message","field"}}, with the message translated (lang
// parameter or Accept-Language, Vietnamese by default). The routes live in
// one table, which Register loops over and which the tests compare with the
// OpenAPI document served at /api/openapi.json.
package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"egov"
	"egov/internal/app"
	"egov/internal/i18n"
	"egov/internal/identity"
	"egov/internal/workcal"
)

// route is one operation of the API.
type route struct {
	method  string
	pattern string
	query   []string // the query parameters it accepts, besides lang
	auth    bool     // needs a bearer token
	private bool     // the response must not be cached (Cache-Control: no-store)
	// semicolons separate items within a parameter's value, as in DHIS2's
	// dx=A;B (net/url would refuse them as separators of parameters).
	semicolons bool
	handle     func(h *handler, w http.ResponseWriter, r *http.Request) error
}

// routes is every operation, in the order of the OpenAPI document.
var routes = []route{
	{method: "GET", pattern: "/api/v1/units", query: []string{"at", "parent", "level", "q", "limit"}, handle: (*handler).listUnits},
	{method: "GET", pattern: "/api/v1/units/{code}", query: []string{"at"}, handle: (*handler).getUnit},
	{method: "GET", pattern: "/api/v1/units/{code}/successors", query: []string{"from", "at"}, handle: (*handler).unitSuccessors},

	{method: "POST", pattern: "/api/v1/auth/token", private: true, handle: (*handler).createToken},
	{method: "DELETE", pattern: "/api/v1/auth/token", auth: true, private: true, handle: (*handler).revokeToken},
	{method: "GET", pattern: "/api/v1/me", auth: true, private: true, handle: (*handler).me},

	{method: "GET", pattern: "/api/v1/calendar/add-working-days", query: []string{"from", "days"}, handle: (*handler).addWorkingDays},
	{method: "GET", pattern: "/api/v1/calendar/lunar", query: []string{"date"}, handle: (*handler).lunar},
	{method: "GET", pattern: "/api/v1/calendar/holidays", query: []string{"year"}, handle: (*handler).holidays},
	{method: "GET", pattern: "/api/v1/calendar/days/{date}", handle: (*handler).calendarDay},

	{method: "GET", pattern: "/api/v1/procedures", query: []string{"q", "field", "level", "online_mode"}, handle: (*handler).listProcedures},
	// export is a literal segment, more specific than {code}: the router
	// prefers it (a code has a dot and digits, never "export").
	{method: "GET", pattern: "/api/v1/procedures/export", handle: (*handler).exportProcedures},
	{method: "GET", pattern: "/api/v1/procedures/{code}", handle: (*handler).getProcedure},
	{method: "POST", pattern: "/api/v1/procedures/import", query: []string{"dry_run"}, auth: true, private: true, handle: (*handler).importProcedures},

	{method: "POST", pattern: "/api/v1/dossiers", auth: true, private: true, handle: (*handler).createDossier},
	{method: "GET", pattern: "/api/v1/dossiers", query: []string{"unit", "status", "from", "to", "page"}, auth: true, private: true, handle: (*handler).listDossiers},
	{method: "GET", pattern: "/api/v1/dossiers/{code}", auth: true, private: true, handle: (*handler).getDossier},
	{method: "PUT", pattern: "/api/v1/dossiers/{ref}/fields", auth: true, private: true, handle: (*handler).updateDraftFields},
	{method: "POST", pattern: "/api/v1/dossiers/{code}/actions/{action}", auth: true, private: true, handle: (*handler).actOnDossier},
	{method: "GET", pattern: "/api/v1/dossiers/{code}/assignees", auth: true, private: true, handle: (*handler).dossierAssignees},
	{method: "POST", pattern: "/api/v1/dossiers/{code}/attachments", auth: true, private: true, handle: (*handler).uploadAttachment},
	{method: "GET", pattern: "/api/v1/dossiers/{code}/attachments", auth: true, private: true, handle: (*handler).listAttachments},
	{method: "GET", pattern: "/api/v1/dossiers/{code}/attachments/{id}", auth: true, private: true, handle: (*handler).downloadAttachment},
	{method: "GET", pattern: "/api/v1/dossiers/{code}/results/{result}", auth: true, private: true, handle: (*handler).downloadResult},
	{method: "GET", pattern: "/api/v1/dossiers/{code}/forms/{form}", auth: true, private: true, handle: (*handler).dossierFormPDF},
	{method: "POST", pattern: "/api/v1/dossiers/{code}/payments", auth: true, private: true, handle: (*handler).startPayment},
	{method: "GET", pattern: "/api/v1/payments", query: []string{"unit", "from", "to", "status"}, auth: true, private: true, handle: (*handler).listPayments},
	{method: "GET", pattern: "/api/v1/payments/{ref}/receipt", auth: true, private: true, handle: (*handler).paymentReceiptPDF},
	{method: "GET", pattern: "/api/v1/inbox", query: []string{"page"}, auth: true, private: true, handle: (*handler).inbox},
	{method: "GET", pattern: "/api/v1/dossier-stats", query: []string{"unit", "from", "to", "by"}, auth: true, private: true, handle: (*handler).dossierStats},
	{method: "GET", pattern: "/api/v1/dossier-register", query: []string{"unit", "from", "to"}, auth: true, private: true, handle: (*handler).dossierRegister},
	// The lookup needs no token, but concerns a person: not cached.
	{method: "GET", pattern: "/api/v1/lookup", query: []string{"code", "phone"}, private: true, handle: (*handler).lookup},

	{method: "GET", pattern: "/api/v1/indicators", handle: (*handler).listIndicators},
	{method: "GET", pattern: "/api/v1/forms", query: []string{"period"}, handle: (*handler).listForms},
	{method: "POST", pattern: "/api/v1/dataValueSets", query: []string{"dryRun"}, auth: true, private: true, handle: (*handler).importDataValueSet},
	{method: "GET", pattern: "/api/v1/dataValueSets", query: []string{"dataSet", "period", "orgUnit", "children"}, auth: true, private: true, handle: (*handler).getDataValueSet},
	{method: "GET", pattern: "/api/v1/dataValueSets.xlsx", query: []string{"dataSet", "period", "orgUnit"}, auth: true, private: true, handle: (*handler).dataValueSetTemplate},
	{method: "POST", pattern: "/api/v1/dataValueSets.xlsx", query: []string{"dryRun", "importValid", "dataSet", "period", "orgUnit"}, auth: true, private: true, handle: (*handler).importDataValueSetXLSX},
	{method: "POST", pattern: "/api/v1/dataValueSets.csv", query: []string{"dryRun", "importValid"}, auth: true, private: true, handle: (*handler).importDataValueSetCSV},
	{method: "GET", pattern: "/api/v1/dataValues", query: []string{"de", "co", "pe", "ou"}, auth: true, private: true, handle: (*handler).getDataValue},
	{method: "POST", pattern: "/api/v1/dataValues", query: []string{"dryRun"}, auth: true, private: true, handle: (*handler).putDataValue},
	{method: "POST", pattern: "/api/v1/approvals/{action}", auth: true, private: true, handle: (*handler).approve},
	{method: "GET", pattern: "/api/v1/approvals", query: []string{"form", "period", "unit"}, auth: true, private: true, handle: (*handler).listApprovals},
	{method: "POST", pattern: "/api/v1/reopenings", auth: true, private: true, handle: (*handler).reopen},
	{method: "GET", pattern: "/api/v1/completeness", query: []string{"form", "period", "unit", "level"}, auth: true, private: true, handle: (*handler).completeness},
	{method: "GET", pattern: "/api/v1/targets", query: []string{"dx", "pe", "ou", "at"}, auth: true, private: true, semicolons: true, handle: (*handler).targets},
	{method: "POST", pattern: "/api/v1/targets", auth: true, private: true, handle: (*handler).setTarget},
	{method: "GET", pattern: "/api/v1/analytics", query: []string{"dx", "pe", "ou", "at"}, auth: true, private: true, semicolons: true, handle: (*handler).analytics},
	{method: "GET", pattern: "/api/v1/analytics.csv", query: []string{"dx", "pe", "ou", "at"}, auth: true, private: true, semicolons: true, handle: (*handler).analyticsCSV},

	{method: "GET", pattern: "/api/v1/trace/organisations", auth: true, private: true, handle: (*handler).listOrganisations},
	{method: "POST", pattern: "/api/v1/trace/organisations", auth: true, private: true, handle: (*handler).createOrganisation},
	{method: "GET", pattern: "/api/v1/trace/organisations/{code}", auth: true, private: true, handle: (*handler).getOrganisation},
	{method: "PUT", pattern: "/api/v1/trace/organisations/{code}", auth: true, private: true, handle: (*handler).updateOrganisation},
	{method: "POST", pattern: "/api/v1/trace/organisations/{code}/members", auth: true, private: true, handle: (*handler).addMember},
	{method: "GET", pattern: "/api/v1/trace/locations", query: []string{"org"}, auth: true, private: true, handle: (*handler).listLocations},
	{method: "POST", pattern: "/api/v1/trace/locations", query: []string{"org"}, auth: true, private: true, handle: (*handler).createLocation},
	{method: "PUT", pattern: "/api/v1/trace/locations/{id}", auth: true, private: true, handle: (*handler).updateLocation},
	{method: "GET", pattern: "/api/v1/trace/products", query: []string{"org"}, auth: true, private: true, handle: (*handler).listProducts},
	{method: "POST", pattern: "/api/v1/trace/products", query: []string{"org"}, auth: true, private: true, handle: (*handler).createProduct},
	{method: "PUT", pattern: "/api/v1/trace/products/{id}", auth: true, private: true, handle: (*handler).updateProduct},
	{method: "GET", pattern: "/api/v1/trace/lots", query: []string{"org", "limit"}, auth: true, private: true, handle: (*handler).listLots},
	{method: "POST", pattern: "/api/v1/trace/lots", query: []string{"org"}, auth: true, private: true, handle: (*handler).createLot},
	{method: "GET", pattern: "/api/v1/trace/certifications", query: []string{"org", "valid_on"}, auth: true, private: true, handle: (*handler).listCertifications},
	{method: "POST", pattern: "/api/v1/trace/certifications", query: []string{"org"}, auth: true, private: true, handle: (*handler).createCertification},
	{method: "GET", pattern: "/api/v1/trace/graph", query: []string{"id", "direction", "depth", "max_nodes"}, auth: true, private: true, handle: (*handler).traceGraph},
	{method: "GET", pattern: "/api/v1/trace/recall", query: []string{"id"}, auth: true, private: true, handle: (*handler).traceRecall},

	{method: "GET", pattern: "/api/openapi.json", handle: (*handler).openAPI},
}

// fallbackMethods get a catch-all under /api/ so that an unknown path or a
// wrong method gets a JSON error rather than the router's plain text. One
// pattern per method, not a single "/api/", so that the catch-all cannot
// conflict with a "GET /" the web pages may register.
var fallbackMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// handler serves the API over the application's services.
type handler struct {
	app *app.App
	// known routes the API's own patterns only; the catch-all asks it which
	// methods a path has.
	known *http.ServeMux
}

// Register adds the API routes to mux.
func Register(mux *http.ServeMux, a *app.App) {
	h := &handler{app: a, known: http.NewServeMux()}
	for _, rt := range routes {
		p := rt.method + " " + rt.pattern
		mux.Handle(p, h.wrap(rt))
		h.known.Handle(p, http.NotFoundHandler())
	}
	for _, m := range fallbackMethods {
		mux.HandleFunc(m+" /api/", h.unmatched)
	}
}

// wrap checks what every route checks (the bearer token, the query
// parameters) and renders the handler's error.
func (h *handler) wrap(rt route) http.Handler {
	allowed := append([]string{"lang"}, rt.query...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.private || rt.auth {
			w.Header().Set("Cache-Control", "no-store")
		}
		if rt.semicolons {
			r.URL.RawQuery = strings.ReplaceAll(r.URL.RawQuery, ";", "%3B")
		}
		if rt.auth {
			actor, err := h.authenticate(r)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), actorKey{}, actor))
		}
		if err := checkQuery(r, allowed); err != nil {
			h.fail(w, r, err)
			return
		}
		r = r.WithContext(i18n.WithLang(r.Context(), lang(r)))
		if err := rt.handle(h, w, r); err != nil {
			h.fail(w, r, err)
		}
	})
}

// unmatched answers a request under /api/ that no route takes: 405 when the
// path exists with other methods, else 404.
func (h *handler) unmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := h.known.Handler(probe); pattern != "" {
			allow = append(allow, m)
			if m == "GET" {
				allow = append(allow, "HEAD")
			}
		}
	}
	if len(allow) == 0 {
		h.fail(w, r, egov.Errorf(egov.ENOTFOUND, "error.not_found"))
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeError(w, r, http.StatusMethodNotAllowed, egov.EMETHOD, "error.method_not_allowed", nil, "")
}

type actorKey struct{}

// actor returns the actor that the bearer token of the request authenticated.
func actor(r *http.Request) *identity.Actor {
	a, _ := r.Context().Value(actorKey{}).(*identity.Actor)
	return a
}

// bearerToken returns the token of an "Authorization: Bearer <token>" header.
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

func (h *handler) authenticate(r *http.Request) (*identity.Actor, error) {
	token := bearerToken(r)
	if token == "" {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	return h.app.Identity.ActorForToken(r.Context(), token, identity.APIToken)
}

// lang is the language of the messages: the lang parameter, else
// Accept-Language, else Vietnamese.
func lang(r *http.Request) string {
	return i18n.Match(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))
}

// --- query parameters ---

// checkQuery refuses a malformed query string, parameters the route does not
// know (a typo would otherwise be silently ignored) and repeated parameters.
func checkQuery(r *http.Request, allowed []string) error {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return egov.Errorf(egov.EINVALID, "error.bad_query")
	}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			return egov.FieldError(clip(name), "error.unknown_parameter", clip(name))
		}
		if len(q[name]) > 1 {
			return egov.FieldError(name, "error.repeated_parameter", name)
		}
	}
	return nil
}

// param returns the value of a query parameter, "" when absent. An empty
// value counts as absent, as a form with an empty field sends it.
func param(r *http.Request, name string) string {
	return strings.TrimSpace(r.URL.Query().Get(name))
}

// required fails when parameter name is absent or empty.
func required(r *http.Request, name string) error {
	if param(r, name) == "" {
		return egov.FieldError(name, "error.missing", name)
	}
	return nil
}

// Supported years of the working calendar (those an administrator can
// announce a schedule for).
const (
	minYear = 1900
	maxYear = 2199
)

// dateParam returns the date in parameter name, or def when it is absent.
func dateParam(r *http.Request, name string, def workcal.Date) (workcal.Date, error) {
	s := param(r, name)
	if s == "" {
		return def, nil
	}
	return parseDate(name, s)
}

func parseDate(field, s string) (workcal.Date, error) {
	d, err := workcal.ParseDate(s)
	if err != nil {
		return 0, egov.FieldError(field, "error.bad_date", clip(s))
	}
	return d, nil
}

// calendarDate checks that d lies in the years the calendar supports.
func calendarDate(field string, d workcal.Date) error {
	if y := d.Year(); y < minYear || y > maxYear {
		return egov.FieldError(field, "error.date_out_of_range", d.String(), minYear, maxYear)
	}
	return nil
}

// intParam returns the integer in parameter name, def when it is absent;
// it must lie in [lo, hi].
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	s := param(r, name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, egov.FieldError(name, "error.bad_number", clip(s))
	}
	if n < lo || n > hi {
		return 0, egov.FieldError(name, "error.out_of_range", name, lo, hi)
	}
	return n, nil
}

// clip shortens user input echoed in a message.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}
