package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"egov"
	"egov/internal/identity"
)

type adminUserData struct {
	*page
	User   userRow
	Form   url.Values
	Errors map[string]string
	Roles  []identity.Role
}

// adminUserShow shows one user the administrator manages, with the grants
// and the form that adds one. A user outside the administrator's subtree is
// not found, as the domain says.
func (h *handler) adminUserShow(w http.ResponseWriter, r *http.Request) {
	h.renderUser(w, r, http.StatusOK, url.Values{}, nil)
}

func (h *handler) renderUser(w http.ResponseWriter, r *http.Request, status int, form url.Values, formErr error) {
	a, err := requirePermission(r, identity.PermUsersManage)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.app.Identity.GetUser(r.Context(), a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	row, err := h.userRow(r, u)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "admin.user.title", "admin")
	p.Title = u.FullName
	if r.Method != http.MethodGet {
		p.formPage("/admin/users/" + strconv.FormatInt(id, 10))
	}
	errs := map[string]string{}
	if formErr != nil {
		errs, _ = h.formErrors(r, p, formErr)
	}
	h.render(w, r, status, "admin_user", &adminUserData{page: p, User: row, Form: form, Errors: errs, Roles: identity.Roles})
}

// adminGrantAdd gives the user a role on a unit.
func (h *handler) adminGrantAdd(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.userPost(w, r)
	if !ok {
		return
	}
	unitID, err := h.grantUnit(r, r.PostForm)
	if err == nil {
		_, err = h.app.Identity.AddGrant(r.Context(), a, id, identity.Role(r.PostForm.Get("role")), unitID)
	}
	if err != nil {
		if egov.ErrorCode(err) == egov.EINTERNAL {
			h.fail(w, r, err)
			return
		}
		h.renderUser(w, r, formStatus(err), r.PostForm, err)
		return
	}
	seeOther(w, r, "/admin/users/"+strconv.FormatInt(id, 10)+"?ok=grant_added")
}

// formStatus is the status of a form re-rendered for err.
func formStatus(err error) int {
	var e *egov.Error
	if errors.As(err, &e) && e.Field != "" && e.Code == egov.EINVALID {
		return http.StatusUnprocessableEntity
	}
	return status(egov.ErrorCode(err))
}

// adminGrantRemove revokes a grant of the user.
func (h *handler) adminGrantRemove(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.userPost(w, r)
	if !ok {
		return
	}
	grantID, err := pathID(r, "grant")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.app.Identity.RemoveGrant(r.Context(), a, id, grantID); err != nil {
		if egov.ErrorCode(err) == egov.EFORBIDDEN {
			h.renderUser(w, r, http.StatusForbidden, url.Values{}, err)
			return
		}
		h.fail(w, r, err)
		return
	}
	if _, err := h.app.Identity.GetUser(r.Context(), a, id); err != nil {
		// The user's last grant in this administrator's subtree is gone,
		// and with it the administrator's view of the user.
		seeOther(w, r, "/admin/users?ok=grant_removed")
		return
	}
	seeOther(w, r, "/admin/users/"+strconv.FormatInt(id, 10)+"?ok=grant_removed")
}
