package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"egov"
	"egov/internal/identity"
)

type adminUsersData struct {
	*page
	Query string
	Users []userRow
}

// userRow is a user as the administrators' list shows them.
type userRow struct {
	identity.UserView
	Grants      []grantView
	Locked      bool // locked until LockedUntil
	Slowed      bool // further sign-ins must wait
	CanUnlock   bool
	LockedUntil time.Time
}

func (h *handler) userRow(r *http.Request, u identity.UserView) (userRow, error) {
	gs, err := h.grantViews(r, u.Grants)
	if err != nil {
		return userRow{}, err
	}
	now := h.app.Identity.Now()
	row := userRow{UserView: u, Grants: gs, LockedUntil: u.LockedUntil}
	row.Locked = now.Before(u.LockedUntil)
	row.Slowed = !row.Locked && u.FailedLogins >= identity.SlowAfter
	row.CanUnlock = u.FailedLogins > 0 || row.Locked
	return row, nil
}

// adminUsers lists the users the administrator manages, with their failed
// sign-ins and locks.
func (h *handler) adminUsers(w http.ResponseWriter, r *http.Request) {
	a, err := requirePermission(r, identity.PermUsersManage)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > maxSearchLen {
		q = q[:maxSearchLen]
	}
	us, err := h.app.Identity.ListUsers(r.Context(), a, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &adminUsersData{page: h.newPage(r, "admin.users.title", "admin"), Query: q}
	for _, u := range us {
		row, err := h.userRow(r, u)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Users = append(d.Users, row)
	}
	h.render(w, r, http.StatusOK, "admin_users", d)
}

// pathID reads a numeric path parameter; anything else names nothing.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, egov.Errorf(egov.ENOTFOUND, "error.not_found")
	}
	return id, nil
}

// userPost starts an administrator's POST about the user in the path: the
// permission, the user's id, the parsed form. It has answered the request
// when ok is false.
func (h *handler) userPost(w http.ResponseWriter, r *http.Request) (a *identity.Actor, id int64, ok bool) {
	a, err := requirePermission(r, identity.PermUsersManage)
	if err == nil {
		id, err = pathID(r, "id")
	}
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
		return nil, 0, false
	}
	return a, id, true
}

// adminUserUnlock clears a user's failed sign-ins and lock.
func (h *handler) adminUserUnlock(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.userPost(w, r)
	if !ok {
		return
	}
	if err := h.app.Identity.Unlock(r.Context(), a, id); err != nil {
		h.fail(w, r, err)
		return
	}
	back := "/admin/users?ok=unlocked"
	if r.PostForm.Get("back") == "user" {
		back = "/admin/users/" + strconv.FormatInt(id, 10) + "?ok=unlocked"
	}
	seeOther(w, r, back)
}
