package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"egov"
	"egov/internal/identity"
)

type userFormData struct {
	*page
	Form   url.Values
	Errors map[string]string
	Roles  []identity.Role
}

// adminUserNewForm shows the form that creates an officer with a first role.
func (h *handler) adminUserNewForm(w http.ResponseWriter, r *http.Request) {
	if _, err := requirePermission(r, identity.PermUsersManage); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "admin_user_new", &userFormData{page: h.newPage(r, "admin.user_new.title", "admin"),
		Form: url.Values{}, Errors: map[string]string{}, Roles: identity.Roles})
}

// grantUnit reads the unit of a grant from a form: a unit code valid today,
// or the whole tree when whole_tree is ticked. The domain then decides
// whether the actor may grant on it.
func (h *handler) grantUnit(r *http.Request, f url.Values) (int64, error) {
	if f.Get("whole_tree") != "" {
		return 0, nil
	}
	code := strings.TrimSpace(f.Get("unit_code"))
	if code == "" {
		return 0, egov.FieldError("unit", "grant.unit_required")
	}
	g, err := h.app.Units.Graph(r.Context())
	if err != nil {
		return 0, err
	}
	u := g.At(code, h.app.Units.Today())
	if u == nil {
		if len(code) > 20 {
			code = code[:20]
		}
		return 0, egov.FieldError("unit", "grant.unit_code_unknown", code)
	}
	return u.ID, nil
}

// adminUserNew creates the officer. A wrong field re-renders the form with
// its message; a unit outside the administrator's subtree is the domain's
// forbidden error, shown on the form with status 403.
func (h *handler) adminUserNew(w http.ResponseWriter, r *http.Request) {
	a, err := requirePermission(r, identity.PermUsersManage)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := r.PostForm
	unitID, err := h.grantUnit(r, f)
	var u *identity.User
	if err == nil {
		u, err = h.app.Identity.CreateOfficer(r.Context(), a, identity.NewUser{
			Username: f.Get("username"), FullName: f.Get("full_name"), Phone: f.Get("phone"),
			Email: f.Get("email"), Password: f.Get("password"),
		}, identity.Role(f.Get("role")), unitID)
	}
	if err != nil {
		if egov.ErrorCode(err) == egov.EINTERNAL {
			h.fail(w, r, err)
			return
		}
		p := h.newPage(r, "admin.user_new.title", "admin")
		errs, st := h.formErrors(r, p, err)
		h.render(w, r, st, "admin_user_new", &userFormData{page: p, Form: f, Errors: errs, Roles: identity.Roles})
		return
	}
	seeOther(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10)+"?ok=created")
}
