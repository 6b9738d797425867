package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"egov/internal/app"
	"egov/internal/epcis/epcistest"
	"egov/internal/identity"
	"egov/internal/server"
	"egov/internal/store/storetest"
)

// FuzzResolverRoutes sends arbitrary paths and link types through the
// whole router: the resolver answers 200, 307, 400 or 404 (a path outside
// it, 404 or a redirect to sign in), never a server error.
func FuzzResolverRoutes(f *testing.F) {
	for _, s := range []string{"/01/" + epcistest.RiceGTIN + "/10/R2026-01", "/01/" + epcistest.RiceGTIN + "/21/BAG001",
		"/id/HTX-01/pr/LUA-ST25/lot/P1", "/01/123", "/01/%zz", "/00/" + "089399990000000017", "/gtin/x/lot/y", "/id/a/b/c/d/e/f"} {
		f.Add(s, "", "")
		f.Add(s, "all", "application/linkset+json")
		f.Add(s, "gs1:pip", "text/html")
	}
	a := app.New(storetest.SQLite(f), slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	u, err := a.Identity.CreateOfficer(ctx, identity.SystemActor, identity.NewUser{Username: "truyxuat", FullName: "Cán bộ truy xuất", Password: password},
		identity.RoleTraceOperator, 0)
	if err != nil {
		f.Fatal(err)
	}
	op, err := a.Identity.ActorFor(ctx, u)
	if err != nil {
		f.Fatal(err)
	}
	if job, err := a.Trace.Capture(ctx, op, epcistest.Document(epcistest.Events())); err != nil || !job.Success {
		f.Fatalf("capture: %v", err)
	}
	h := server.New(a)
	f.Fuzz(func(t *testing.T, path, linkType, accept string) {
		u, err := url.Parse(path)
		if err != nil || u.Path == "" || u.Path[0] != '/' || u.Host != "" || u.Scheme != "" {
			return
		}
		if linkType != "" {
			u.RawQuery = url.Values{"linkType": {linkType}}.Encode()
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.URL = u
		req.RequestURI = u.RequestURI()
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusTemporaryRedirect, http.StatusBadRequest, http.StatusNotFound,
			http.StatusSeeOther, http.StatusMovedPermanently, http.StatusMethodNotAllowed:
		default:
			t.Fatalf("%s (linkType %q, Accept %q): %d\n%.500s", u, linkType, accept, rec.Code, rec.Body.String())
		}
	})
}
