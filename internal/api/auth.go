package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"egov"
	"egov/internal/i18n"
	"egov/internal/identity"
)

type tokenRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type tokenResponse struct {
	Token     string `json:"token"`
	TokenType string `json:"token_type"`
	ExpiresAt string `json:"expires_at"`
}

// createToken serves POST /api/v1/auth/token: a user name and password for
// a bearer token. Failed attempts are throttled by the identity domain; a
// throttled client is told when to retry.
func (h *handler) createToken(w http.ResponseWriter, r *http.Request) error {
	var req tokenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Username == "" {
		return egov.FieldError("username", "error.missing", "username")
	}
	if req.Password == "" {
		return egov.FieldError("password", "error.missing", "password")
	}
	a, err := h.app.Identity.Authenticate(r.Context(), req.Username, req.Password)
	if err != nil {
		if s, ok := retryAfter(err); ok {
			w.Header().Set("Retry-After", strconv.Itoa(s))
		}
		return err
	}
	// Taken before the session is stored, so the expiry told is never
	// later than the stored one.
	now := h.app.Identity.Now()
	token, err := h.app.Identity.NewSession(r.Context(), a.User.ID, identity.APIToken)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tokenResponse{Token: token, TokenType: "Bearer",
		ExpiresAt: now.Add(identity.APITTL).UTC().Format(time.RFC3339)})
	return nil
}

// retryAfter returns the seconds a throttled sign-in must wait, from the
// arguments of the identity domain's messages.
func retryAfter(err error) (int, bool) {
	var e *egov.Error
	if !errors.As(err, &e) || e.Code != egov.ETOOMANY || len(e.Args) == 0 {
		return 0, false
	}
	n, ok := e.Args[0].(int)
	if !ok || n < 0 {
		return 0, false
	}
	switch e.Key {
	case "signin.slow":
		return n, true
	case "signin.locked":
		return n * 60, true
	}
	return 0, false
}

// revokeToken serves DELETE /api/v1/auth/token: it ends the token in use.
func (h *handler) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := h.app.Identity.EndSession(r.Context(), bearerToken(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type meResponse struct {
	Username string      `json:"username"`
	FullName string      `json:"full_name"`
	Kind     string      `json:"kind"`
	Grants   []grantJSON `json:"grants"`
}

type grantJSON struct {
	Role     string  `json:"role"`
	RoleName string  `json:"role_name"`
	UnitCode *string `json:"unit_code"` // null: the whole tree
	UnitName *string `json:"unit_name"`
}

// me serves GET /api/v1/me: who the token belongs to and the roles held.
func (h *handler) me(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	g, err := h.app.Units.Graph(r.Context())
	if err != nil {
		return err
	}
	l := lang(r)
	resp := meResponse{Username: a.User.Username, FullName: a.User.FullName, Kind: string(a.User.Kind), Grants: []grantJSON{}}
	for _, gr := range a.Grants {
		j := grantJSON{Role: string(gr.Role), RoleName: i18n.T(l, "role."+string(gr.Role))}
		if u := g.ByID(gr.UnitID); gr.UnitID != 0 && u != nil {
			j.UnitCode, j.UnitName = &u.Code, &u.Name
		}
		resp.Grants = append(resp.Grants, j)
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}
