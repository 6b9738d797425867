package web

import (
	"net/http"
	"net/url"

	"egov/internal/identity"
)

type registerData struct {
	*page
	Form   url.Values
	Errors map[string]string // translated message by field name
}

// registerForm shows the citizen's self-registration form (tự đăng ký).
func (h *handler) registerForm(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "register.title", "register")
	h.render(w, r, http.StatusOK, "register", &registerData{page: p, Form: url.Values{}, Errors: map[string]string{}})
}

// register creates the citizen's account and signs them in. A wrong field
// re-renders the form with the message beside that field and the values
// entered kept (except the password).
func (h *handler) register(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := r.PostForm
	u, err := h.app.Identity.Register(r.Context(), identity.NewUser{
		FullName: f.Get("full_name"), CitizenID: f.Get("citizen_id"), Phone: f.Get("phone"),
		Email: f.Get("email"), Username: f.Get("username"), Password: f.Get("password"),
	})
	if err != nil {
		p := h.newPage(r, "register.title", "register")
		errs, st := h.formErrors(r, p, err)
		h.render(w, r, st, "register", &registerData{page: p, Form: f, Errors: errs})
		return
	}
	token, err := h.app.Identity.NewSession(r.Context(), u.ID, identity.WebSession)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.setSession(w, r, token)
	seeOther(w, r, "/account?ok=registered")
}
