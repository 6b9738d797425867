package web

import "net/http"

// home shows the entry points for each kind of visitor.
func (h *handler) home(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "home", h.newPage(r, "home.title", "home"))
}
