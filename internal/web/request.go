package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"egov"
	"egov/internal/i18n"
	"egov/internal/identity"
)

// Cookie names.
const (
	sessionCookie = "egov_session"
	langCookie    = "lang"
)

// reqState is what wrap learns about a request before the page runs.
type reqState struct {
	lang  string
	actor *identity.Actor // nil for a visitor
	token string          // the session token, "" for a visitor
}

type stateKey struct{}

func state(r *http.Request) *reqState {
	if s, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		return s
	}
	return &reqState{lang: i18n.VI}
}

// wrap runs before every page: it handles the language switch, picks the
// language, and resolves the session to an actor.
func (h *handler) wrap(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method == http.MethodGet && q.Has("lang") {
			h.switchLanguage(w, r, q)
			return
		}
		st := &reqState{}
		var choice string
		if c, err := r.Cookie(langCookie); err == nil {
			choice = c.Value
		}
		st.lang = i18n.Match(choice, r.Header.Get("Accept-Language"))
		r = r.WithContext(i18n.WithLang(context.WithValue(r.Context(), stateKey{}, st), st.lang))

		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			a, err := h.app.Identity.ActorForToken(r.Context(), c.Value, identity.WebSession)
			switch egov.ErrorCode(err) {
			case "":
				st.actor, st.token = a, c.Value
			case egov.EUNAUTHORIZED:
				// Expired or ended elsewhere: carry on as a visitor.
				h.clearSession(w, r)
			default:
				h.fail(w, r, err)
				return
			}
		}
		next(w, r)
	})
}

// switchLanguage remembers the chosen language in a cookie and sends the
// browser back to the same page without the parameter, so that the
// language sticks for the following pages and links stay clean.
func (h *handler) switchLanguage(w http.ResponseWriter, r *http.Request, q url.Values) {
	lang := q.Get("lang")
	if lang == i18n.VI || lang == i18n.EN {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
	}
	q.Del("lang")
	to := r.URL.Path
	if len(q) > 0 {
		to += "?" + q.Encode()
	}
	http.Redirect(w, r, safeNext(to), http.StatusSeeOther)
}

// secure reports whether cookies must be marked Secure.
func (h *handler) secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") || h.app.SecureCookies
}

func (h *handler) setSession(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: int(identity.WebTTL / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
}

func (h *handler) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
}

// safeNext returns next when it is a path on this site, else "/". A path
// must start with exactly one slash: "//host" and "/\host" are read by
// browsers as other sites.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return "/"
	}
	if strings.ContainsAny(next, "\r\n\t\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}
