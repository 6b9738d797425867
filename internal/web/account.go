package web

import (
	"errors"
	"net/http"

	"egov"
	"egov/internal/identity"
)

type accountData struct {
	*page
	User            *identity.User
	MaskedCitizenID string
	Grants          []grantView
	Errors          map[string]string
}

// grantView is a grant with its unit's name for display.
type grantView struct {
	ID       int64
	Role     identity.Role
	UnitCode string // "" for the whole tree
	UnitName string
}

func (h *handler) grantViews(r *http.Request, gs []identity.Grant) ([]grantView, error) {
	g, err := h.app.Units.Graph(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]grantView, 0, len(gs))
	for _, gr := range gs {
		v := grantView{ID: gr.ID, Role: gr.Role}
		if u := g.ByID(gr.UnitID); u != nil {
			v.UnitCode, v.UnitName = u.Code, u.Name
		}
		out = append(out, v)
	}
	return out, nil
}

// account shows the signed-in person's account and the password form.
func (h *handler) account(w http.ResponseWriter, r *http.Request) {
	h.renderAccount(w, r, http.StatusOK, map[string]string{}, "")
}

func (h *handler) renderAccount(w http.ResponseWriter, r *http.Request, status int, errs map[string]string, formError string) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	gs, err := h.grantViews(r, a.Grants)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "account.title", "account")
	p.formPage("/account")
	p.Error = formError
	h.render(w, r, status, "account", &accountData{page: p, User: a.User,
		MaskedCitizenID: identity.MaskCitizenID(a.User.CitizenID), Grants: gs, Errors: errs})
}

// changePassword re-checks the current password (which counts towards the
// sign-in throttle like any sign-in), sets the new one, and starts a fresh
// session: setting a password ends every session of the user.
func (h *handler) changePassword(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := r.PostForm
	lang := state(r).lang
	if f.Get("new_password") != f.Get("confirm_password") {
		h.renderAccount(w, r, http.StatusUnprocessableEntity,
			map[string]string{"confirm_password": tr(lang, "account.password_mismatch")}, "")
		return
	}
	if _, err := h.app.Identity.Authenticate(r.Context(), a.User.Username, f.Get("current_password")); err != nil {
		switch egov.ErrorCode(err) {
		case egov.EUNAUTHORIZED:
			h.renderAccount(w, r, http.StatusUnprocessableEntity,
				map[string]string{"current_password": tr(lang, "account.current_wrong")}, "")
		case egov.ETOOMANY:
			h.renderAccount(w, r, http.StatusTooManyRequests, map[string]string{}, h.message(r, err))
		default:
			h.fail(w, r, err)
		}
		return
	}
	if err := h.app.Identity.SetPassword(r.Context(), a, a.User.ID, f.Get("new_password")); err != nil {
		var e *egov.Error
		if errors.As(err, &e) && e.Field == "password" {
			h.renderAccount(w, r, http.StatusUnprocessableEntity, map[string]string{"new_password": tr(lang, e.Key, e.Args...)}, "")
			return
		}
		h.fail(w, r, err)
		return
	}
	token, err := h.app.Identity.NewSession(r.Context(), a.User.ID, identity.WebSession)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.setSession(w, r, token)
	seeOther(w, r, "/account?ok=password_changed")
}
