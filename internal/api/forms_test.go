package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestDossierForms(t *testing.T) {
	dossierWorlds(t, func(t *testing.T, w *world) {
		code := w.fileOnline("congdan.1")["code"].(string)
		form := func(n string) string { return "/api/v1/dossiers/" + url.PathEscape(code) + "/forms/" + n }
		status := func(who, n string, want int) *response {
			t.Helper()
			r := w.call(who, "GET", form(n), nil)
			if r.Status != want {
				t.Fatalf("form %s as %q: %d %s, want %d", n, who, r.Status, r.Body, want)
			}
			return r
		}
		pdf := func(who, n string) {
			t.Helper()
			r := status(who, n, http.StatusOK)
			if r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(r.Body), "%PDF-") ||
				!strings.Contains(r.Header.Get("Content-Disposition"), code+".pdf") {
				t.Errorf("form %s: %s %s", n, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
			}
		}
		status("congdan.1", "01", http.StatusConflict)
		status("congdan.1", "02", http.StatusConflict)
		status("congdan.1", "05", http.StatusForbidden)
		status("congdan.1", "06", http.StatusNotFound)
		status("", "05", http.StatusUnauthorized)
		pdf("motcua.31615", "05")

		w.mustAct("motcua.31615", code, "receive", nil)
		w.mustAct("motcua.31615", code, "request-documents", map[string]any{"items": []map[string]string{{"note": "Bản sao bản án ly hôn"}}})
		for _, who := range []string{"congdan.1", "motcua.31615", "lanhdao.92"} {
			pdf(who, "01")
			pdf(who, "02")
		}
		status("congdan.1", "03", http.StatusConflict)
		status("congdan.1", "04", http.StatusConflict)
		status("congdan.2", "02", http.StatusNotFound)
		status("motcua.31507", "02", http.StatusNotFound)
	})
}
