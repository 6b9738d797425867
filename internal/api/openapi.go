package api

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes every route of the routes table; the tests hold
// the two together.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPI serves GET /api/openapi.json.
func (h *handler) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDocument)
	return nil
}
