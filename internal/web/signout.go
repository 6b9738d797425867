package web

import "net/http"

// signout ends the session. It is a POST so that no link or image can sign
// a person out.
func (h *handler) signout(w http.ResponseWriter, r *http.Request) {
	if st := state(r); st.token != "" {
		if err := h.app.Identity.EndSession(r.Context(), st.token); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.clearSession(w, r)
	seeOther(w, r, "/?ok=signed_out")
}
