package web

import (
	"net/http"

	"egov"
	"egov/internal/identity"
)

type signinData struct {
	*page
	Username string
	Next     string
}

// signinForm shows the sign-in form; next is where to go afterwards.
func (h *handler) signinForm(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "signin.title", "signin")
	h.render(w, r, http.StatusOK, "signin", &signinData{page: p, Next: safeNext(r.URL.Query().Get("next"))})
}

// signin checks the name and password and starts a session. Failures, the
// slowing after repeated failures and the temporary lock are the identity
// domain's; the form shows its message.
func (h *handler) signin(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	d := &signinData{page: h.newPage(r, "signin.title", "signin"),
		Username: r.PostForm.Get("username"), Next: safeNext(r.PostForm.Get("next"))}
	a, err := h.app.Identity.Authenticate(r.Context(), d.Username, r.PostForm.Get("password"))
	if err == nil {
		var token string
		if token, err = h.app.Identity.NewSession(r.Context(), a.User.ID, identity.WebSession); err == nil {
			if st := state(r); st.token != "" {
				// Signing in over another session ends that one.
				h.app.Identity.EndSession(r.Context(), st.token)
			}
			h.setSession(w, r, token)
			seeOther(w, r, d.Next)
			return
		}
	}
	d.Error = h.message(r, err)
	st := status(egov.ErrorCode(err))
	if st == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	h.render(w, r, st, "signin", d)
}
