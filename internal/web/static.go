package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"path"
	"time"
)

//go:embed static
var staticFS embed.FS

type staticFile struct {
	body []byte
	etag string
	typ  string
}

// static holds the embedded files with their hashes, computed once: the
// hash is the ETag, so a browser revalidates cheaply after a new release.
var static = func() map[string]staticFile {
	m := map[string]staticFile{}
	entries, err := staticFS.ReadDir("static")
	if err != nil {
		panic(err)
	}
	types := map[string]string{".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
	for _, e := range entries {
		b, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		typ := types[path.Ext(e.Name())]
		if typ == "" {
			typ = "application/octet-stream"
		}
		m[e.Name()] = staticFile{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, typ: typ}
	}
	return m
}()

// serveStatic serves /static/{file}. The stylesheet is cached for a day and
// revalidated by ETag after that.
func serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := static[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.typ)
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
