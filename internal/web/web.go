// Package web is the HTML interface: server-rendered pages in Vietnamese by
// default and English on request, usable without JavaScript on a cheap
// phone. Handlers are thin: they parse the request, call the domain, and
// render a template; permissions are checked by the domain, and this package
// only decides which links to show.
//
// Layout follows Miniflux: one file per page action, templates and the
// stylesheet embedded and parsed once at Register.
package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"egov"
	"egov/internal/app"
	"egov/internal/i18n"
	"egov/internal/identity"
	"egov/internal/workcal"
)

//go:embed templates/*.html
var templateFS embed.FS

// maxFormBytes bounds every form body: the largest legitimate one, a year's
// holiday schedule, is a few kilobytes.
const maxFormBytes = 64 << 10

// vietnam is the zone every time is shown in (Asia/Ho_Chi_Minh keeps no
// daylight saving, so a fixed zone needs no tzdata).
var vietnam = workcal.ICT

// handler holds what every page needs: the services and the templates of
// each language.
type handler struct {
	app *app.App
	// pages[lang][name] is the page template name.html over the layout,
	// with t bound to lang. Parsing once per language keeps t a plain
	// function of its key, so templates read {{t "nav.units"}}.
	pages map[string]map[string]*template.Template
}

// Register adds the web pages to mux.
func Register(mux *http.ServeMux, a *app.App) {
	h := &handler{app: a, pages: parseTemplates()}

	// known holds the same patterns, so that the catch-all below can tell
	// a wrong method (405) from a page that does not exist (404).
	known := http.NewServeMux()
	route := func(pattern string, fn http.HandlerFunc) {
		mux.Handle(pattern, h.wrap(fn))
		known.Handle(pattern, http.NotFoundHandler())
	}

	mux.HandleFunc("GET /static/{file}", serveStatic)

	route("GET /{$}", h.home)
	route("GET /signin", h.signinForm)
	route("POST /signin", h.signin)
	route("POST /signout", h.signout)
	route("GET /register", h.registerForm)
	route("POST /register", h.register)
	route("GET /account", h.account)
	route("POST /account/password", h.changePassword)

	route("GET /procedures", h.proceduresList)
	route("GET /procedures/{code}", h.procedureShow)
	route("GET /units", h.unitsList)
	route("GET /units/{code}", h.unitShow)
	route("GET /calendar", h.calendarYear)

	// Dossiers: online filing, the citizen's list, the public lookup, and
	// the officers' inbox, list, counter intake and actions.
	route("GET /dossiers/new", h.dossierNewForm)
	route("POST /dossiers/new", h.dossierNew)
	route("GET /dossiers/{ref}/form", h.dossierForm)
	route("POST /dossiers/{ref}/form", h.dossierFormSave)
	route("GET /dossiers/{ref}/review", h.dossierReview)
	route("POST /dossiers/{ref}/submit", h.dossierSubmit)
	route("GET /dossiers/stats", h.statsPage)
	route("GET /dossiers/stats.xlsx", h.statsXLSX)
	route("GET /dossiers/register.xlsx", h.dossierRegister)
	route("GET /dossiers/{code}", h.dossierShow)
	route("GET /dossiers/{code}/withdraw", h.dossierWithdrawConfirm)
	route("GET /dossiers/{code}/receipt.pdf", h.dossierReceipt)
	route("GET /dossiers/{code}/forms/{form}", h.dossierPrintForm)
	route("POST /dossiers/{code}/act/{action}", h.dossierAct)
	route("GET /dossiers/{code}/attachments/{token}", h.dossierAttachment)
	route("GET /dossiers/{code}/results/{result}", h.dossierResult)
	route("POST /dossiers/{ref}/attachments", h.dossierAttach)
	route("POST /dossiers/{ref}/attachments/{token}/remove", h.dossierAttachmentRemove)
	route("GET /dossiers", h.dossiersList)
	route("GET /my/dossiers", h.myDossiers)
	route("GET /inbox", h.inbox)
	route("GET /intake", h.intakeForm)
	route("POST /intake", h.intake)
	route("GET /lookup", h.lookupForm)
	route("POST /lookup", h.lookup)
	h.registerPayments(mux, route)

	// Periodic reports: the officers' list, the completeness of the level
	// below, and each report's entry page and approval steps.
	route("GET /reports", h.reportsList)
	route("GET /reports/completeness", h.reportsCompleteness)
	route("GET /reports/{form}/{period}/{unit}", h.reportEntry)
	route("POST /reports/{form}/{period}/{unit}", h.reportSave)
	route("POST /reports/{form}/{period}/{unit}/approval", h.reportApproval)
	// Statistics: the pivot over the reporting values, and its exports.
	route("GET /analytics", h.analyticsPage)
	route("GET /analytics.xlsx", h.analyticsXLSX)
	route("GET /analytics.csv", h.analyticsCSV)
	route("GET /trace", h.traceHome)
	route("GET /trace/events/new", h.traceEventForm)
	route("POST /trace/events/new", h.traceEvent)
	route("GET /trace/lots/new", h.masterGet(lotForm))
	route("POST /trace/lots/new", h.masterPost(lotForm))
	route("GET /trace/locations/new", h.masterGet(locationForm))
	route("POST /trace/locations/new", h.masterPost(locationForm))
	route("GET /trace/products/new", h.masterGet(productForm))
	route("POST /trace/products/new", h.masterPost(productForm))
	// Traceability: the GS1 Digital Link resolver and the public
	// provenance page, the operators' trace graph and QR labels.
	h.registerResolver(route)
	route("GET /trace/graph", h.traceGraph)
	route("GET /trace/recall", h.traceRecall)
	route("GET /labels/qr.png", h.labelPNG)
	route("GET /labels/qr.svg", h.labelSVG)
	route("GET /labels/sheet.pdf", h.labelSheet)

	route("GET /admin", h.adminIndex)
	route("GET /admin/users", h.adminUsers)
	route("GET /admin/users/new", h.adminUserNewForm)
	route("POST /admin/users/new", h.adminUserNew)
	route("GET /admin/users/{id}", h.adminUserShow)
	route("POST /admin/users/{id}/unlock", h.adminUserUnlock)
	route("POST /admin/users/{id}/grants", h.adminGrantAdd)
	route("POST /admin/users/{id}/grants/{grant}/remove", h.adminGrantRemove)
	route("GET /admin/calendar", h.adminCalendar)
	route("POST /admin/calendar", h.adminCalendarSet)
	route("GET /admin/audit", h.adminAudit)
	route("GET /admin/messages", h.adminMessages)
	route("GET /admin/procedures", h.adminProcedures)
	route("POST /admin/procedures", h.adminProceduresImport)
	route("GET /admin/reports/reopen", h.adminReopen)
	route("POST /admin/reports/reopen", h.adminReopenSave)
	route("GET /admin/trace", h.adminTrace)
	route("POST /admin/trace/organisations", h.adminTraceOrg)
	route("POST /admin/trace/members", h.adminTraceMember)
	route("POST /admin/trace/members/{user}/remove", h.adminTraceMemberRemove)

	// Reports: the spreadsheet round trip of a unit's report.
	route("GET /reports/{form}/{period}/{unit}/template.xlsx", h.reportTemplate)
	route("GET /reports/{form}/{period}/{unit}/import", h.reportImportForm)
	route("POST /reports/{form}/{period}/{unit}/import", h.reportImport)

	// Anything else is a page that does not exist, or a page asked for with
	// the wrong method; more specific patterns (the API's, the operational
	// endpoints) take precedence.
	mux.Handle("/", h.wrap(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			r2 := r.Clone(r.Context())
			r2.Method = m
			if _, pattern := known.Handler(r2); pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			h.fail(w, r, egov.Errorf(egov.EMETHOD, "error.method_not_allowed"))
			return
		}
		h.fail(w, r, egov.Errorf(egov.ENOTFOUND, "error.not_found"))
	}))
}

func parseTemplates() map[string]map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]map[string]*template.Template{}
	for _, lang := range i18n.Languages {
		base := template.Must(template.New("layout").Funcs(funcs(lang)).ParseFS(templateFS, "templates/layout.html", "templates/partials.html"))
		out[lang] = map[string]*template.Template{}
		for _, n := range names {
			name := strings.TrimSuffix(path.Base(n), ".html")
			if name == "layout" || name == "partials" {
				continue
			}
			out[lang][name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
		}
	}
	return out
}

// funcs are the template functions, bound to one language.
func funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) string { return i18n.T(lang, key, args...) },
		// date shows a date (a unit's validity, an audit day) in the
		// language's usual form.
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format(i18n.T(lang, "format.date"))
		},
		// datetime shows an instant in Vietnam's time.
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(vietnam).Format(i18n.T(lang, "format.datetime"))
		},
		"iso": func(t time.Time) string { return t.Format("2006-01-02") },
		// cdate shows a date of the working calendar.
		"cdate": func(d workcal.Date) string {
			if d.IsZero() {
				return ""
			}
			return d.Time(time.UTC).Format(i18n.T(lang, "format.date"))
		},
		"field": newField,
		// lastday turns an exclusive end (a unit's ValidTo) into the last
		// day included.
		"lastday": func(t time.Time) time.Time { return t.AddDate(0, 0, -1) },
		"has":     func(key string) bool { return i18n.Has(lang, key) },
		"add":     func(a, b int) int { return a + b },
		// lunar shows the lunar date of d, e.g. "1/1" or "15/2 nhuận".
		"lunar": func(d workcal.Date) string {
			l := workcal.SolarToLunar(d)
			s := strconv.Itoa(l.Day) + "/" + strconv.Itoa(l.Month)
			if l.Leap {
				s += i18n.T(lang, "calendar.leap_short")
			}
			return s
		},
		// weekday names a day of the week, e.g. "Thứ Hai".
		"weekday": func(d workcal.Date) string { return i18n.T(lang, "weekday."+strconv.Itoa(int(d.Weekday()))) },
	}
}

// fieldView is one input of a form, for the "input" template: its label and
// hint are catalogue keys, its value the one entered, its error translated.
type fieldView struct {
	Name, Label, Type, Value, Error, Auto, Hint, InputMode string
	Required                                               bool
}

func newField(form url.Values, errs map[string]string, name, label, typ, auto, hint, inputMode string, required bool) fieldView {
	return fieldView{Name: name, Label: label, Type: typ, Value: form.Get(name), Error: errs[name],
		Auto: auto, Hint: hint, InputMode: inputMode, Required: required}
}

// page is what the layout needs; each page's data embeds it.
type page struct {
	Lang      string
	Actor     *identity.Actor
	Title     string // translated
	OtherLang string
	SwitchURL string // this page in the other language
	Notice    string // a translated confirmation, e.g. after a redirect
	Error     string // a translated message about the whole form
	Status    int    // for error pages
	Nav       string // which navigation item is current
}

// formPage makes the language switch of a form re-rendered after a POST
// lead to the page that shows the form.
func (p *page) formPage(path string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	p.SwitchURL = path + sep + "lang=" + p.OtherLang
}

// SignedIn reports whether someone is signed in.
func (p *page) SignedIn() bool { return p.Actor != nil && p.Actor.User != nil }

// CanAdmin reports whether the administration link applies: the actor may
// manage users, read the audit log, reopen reports or manage the
// traceability organisations somewhere.
func (p *page) CanAdmin() bool { return canAdmin(p.Actor) }

func canAdmin(a *identity.Actor) bool {
	if a == nil {
		return false
	}
	for _, perm := range []identity.Permission{identity.PermUsersManage, identity.PermAuditRead, identity.PermCalendarManage, identity.PermStatsApprove, identity.PermTraceManage} {
		if ids, all := a.Scope(perm); all || len(ids) > 0 {
			return true
		}
	}
	return false
}

// notices are the confirmations a redirect may ask for with ?ok=; only
// these keys are shown, so a link cannot put arbitrary text on a page.
var notices = map[string]string{
	"registered":       "notice.registered",
	"signed_out":       "notice.signed_out",
	"password_changed": "notice.password_changed",
	"unlocked":         "notice.unlocked",
	"created":          "notice.user_created",
	"grant_added":      "notice.grant_added",
	"grant_removed":    "notice.grant_removed",
	"calendar_saved":   "notice.calendar_saved",
	// Dossiers: filing, and each action by its name.
	"draft_saved":       "notice.draft_saved",
	"submitted":         "notice.dossier_submitted",
	"intake":            "notice.dossier_intake",
	"receive":           "notice.dossier_receive",
	"refuse":            "notice.dossier_refuse",
	"request-documents": "notice.dossier_request_documents",
	"supply-documents":  "notice.dossier_supply_documents",
	"assign":            "notice.dossier_assign",
	"approve":           "notice.dossier_approve",
	"finish":            "notice.dossier_finish",
	"return-result":     "notice.dossier_return_result",
	"apologise":         "notice.dossier_apologise",
	"withdraw":          "notice.dossier_withdraw",
	"stop":              "notice.dossier_stop",
	"rate":              "notice.dossier_rate",
	"paid":              "notice.dossier_paid",
	"payment_failed":    "notice.payment_failed",

	// Periodic reports: saved, and each approval step by its name.
	"report_saved":   "notice.report_saved",
	"report_submit":  "notice.report_submit",
	"report_approve": "notice.report_approve",
	"report_accept":  "notice.report_accept",
	"report_return":  "notice.report_return",
	// Traceability.
	"trace_recorded": "notice.trace_recorded",
	"trace_saved":    "notice.trace_saved",

	// Attached documents.
	"attachment_added":   "notice.attachment_added",
	"attachment_removed": "notice.attachment_removed",
}

// newPage starts the data of a page for request r.
func (h *handler) newPage(r *http.Request, titleKey, nav string) *page {
	st := state(r)
	p := &page{Lang: st.lang, Actor: st.actor, Title: tr(st.lang, titleKey), Nav: nav}
	p.OtherLang = i18n.EN
	if p.Lang == i18n.EN {
		p.OtherLang = i18n.VI
	}
	q := r.URL.Query()
	q.Set("lang", p.OtherLang)
	p.SwitchURL = r.URL.Path + "?" + q.Encode()
	if r.Method != http.MethodGet {
		// A form re-rendered after a POST switches language on the form's
		// page (see formPage), not on the POST's target.
		p.formPage(r.URL.Path)
	}
	if key, ok := notices[r.URL.Query().Get("ok")]; ok {
		p.Notice = tr(st.lang, key)
	}
	return p
}

// tr translates key for the request's language; every message that Go code
// (rather than a template) puts on a page goes through it, so the catalogue
// test can find the keys.
func tr(lang, key string, args ...any) string { return i18n.T(lang, key, args...) }

// render writes page name with data and status. It renders into a buffer
// first so that a template error becomes a clean error page, never half a
// page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	lang := state(r).lang
	t := h.pages[lang][name]
	var buf bytes.Buffer
	if t == nil {
		h.app.Log.Error("web: no such template", "name", name)
		h.renderInternal(w, r)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		h.app.Log.Error("web: render", "template", name, "err", err)
		h.renderInternal(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Language", lang)
	hd.Add("Vary", "Cookie, Accept-Language")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// renderInternal is the last resort when rendering itself failed.
func (h *handler) renderInternal(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write([]byte(tr(state(r).lang, "error.internal") + "\n"))
}

// errorData is the data of the error page.
type errorData struct {
	*page
	Message string
	Back    string // a link to offer, e.g. the form to correct
}

// status maps an error code to an HTTP status.
func status(code string) int { return egov.HTTPStatus(code) }

// message translates err for the user; an internal error is logged and
// becomes the generic message.
func (h *handler) message(r *http.Request, err error) string {
	lang := state(r).lang
	if egov.ErrorCode(err) == egov.EINTERNAL {
		h.app.Log.Error("web: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		return tr(lang, "error.internal")
	}
	key, args := egov.ErrorKey(err)
	return tr(lang, key, args...)
}

// fail shows err as a page: a sign-in redirect for a visitor who must sign
// in, else an error page with the status of the error's code.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.failBack(w, r, err, "")
}

func (h *handler) failBack(w http.ResponseWriter, r *http.Request, err error, back string) {
	code := egov.ErrorCode(err)
	if code == egov.EUNAUTHORIZED && state(r).actor == nil {
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = r.URL.Path
		}
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	st := status(code)
	titleKey := "error.title"
	switch st {
	case http.StatusNotFound:
		titleKey = "error.title_not_found"
	case http.StatusForbidden:
		titleKey = "error.title_forbidden"
	}
	p := h.newPage(r, titleKey, "")
	p.Status = st
	h.render(w, r, st, "error", &errorData{page: p, Message: h.message(r, err), Back: back})
}

// fieldErrors turns a domain error about one field into the map a form
// shows beside its inputs; any other error goes to the form's top.
func (h *handler) formErrors(r *http.Request, p *page, err error) (map[string]string, int) {
	var e *egov.Error
	if errors.As(err, &e) && e.Field != "" && e.Code == egov.EINVALID {
		m := map[string]string{e.Field: tr(p.Lang, e.Key, e.Args...)}
		if e.Field == "unit" {
			// Forms ask for a unit by its code.
			m["unit_code"] = m["unit"]
		}
		return m, http.StatusUnprocessableEntity
	}
	p.Error = h.message(r, err)
	return map[string]string{}, status(egov.ErrorCode(err))
}

// parseForm parses a form body of at most maxFormBytes. A larger body is a
// too_large error.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return egov.Errorf(egov.ETOOLARGE, "error.body_too_large", maxFormBytes)
		}
		return egov.Errorf(egov.EINVALID, "error.bad_form")
	}
	return nil
}

// requireActor returns the signed-in actor or an unauthorized error.
func requireActor(r *http.Request) (*identity.Actor, error) {
	a := state(r).actor
	if a == nil {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	return a, nil
}

// seeOther redirects after a successful POST.
func seeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
