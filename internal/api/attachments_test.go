package api

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"egov/internal/audit"
	"egov/internal/dossier"
	"egov/internal/identity"
)

var (
	pdfBytes  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
	pngBytes  = []byte{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 'I', 'H', 'D', 'R', 1, 2, 3}
	htmlBytes = []byte("<html><script>alert(1)</script></html>")
)

// part is one part of a multipart body: a file when filename is set.
type part struct{ name, filename, content string }

func multipartBody(t testing.TB, parts ...part) (body, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var err error
		if p.filename != "" {
			w, e := mw.CreateFormFile(p.name, p.filename)
			if e == nil {
				_, e = w.Write([]byte(p.content))
			}
			err = e
		} else {
			err = mw.WriteField(p.name, p.content)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	mw.Close()
	return buf.String(), mw.FormDataContentType()
}

// upload posts parts to a dossier's attachments as username.
func (w *world) upload(username, key string, parts ...part) *response {
	w.t.Helper()
	body, ct := multipartBody(w.t, parts...)
	return w.do("POST", "/api/v1/dossiers/"+url.PathEscape(key)+"/attachments", body, append(w.as(username), "Content-Type", ct)...)
}

func TestAttachmentsAPI(t *testing.T) {
	dossierWorlds(t, func(t *testing.T, w *world) {
		draft := w.must(201, "congdan.1", "POST", "/api/v1/dossiers", map[string]any{"procedure": "1.004873", "unit": "31615", "fields": marital()})
		ref := draft["ref"].(string)

		r := w.upload("congdan.1", ref, part{"field", "", "divorce_or_death_file"}, part{"file", "../Bản án ly hôn.PNG", string(pdfBytes)})
		if r.Status != http.StatusCreated || r.JSON["name"] != "Bản án ly hôn.pdf" || r.JSON["type"] != "application/pdf" ||
			r.JSON["field"] != "divorce_or_death_file" || r.JSON["size"] != float64(len(pdfBytes)) || r.JSON["uploaded_by"] != "Nguyễn Thị Lan" {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		id := r.JSON["id"].(string)
		if loc := r.Header.Get("Location"); loc != "/api/v1/dossiers/"+ref+"/attachments/"+id || r.JSON["url"] != loc {
			t.Errorf("Location %q, url %v", loc, r.JSON["url"])
		}
		r = w.upload("congdan.1", ref, part{"file", "ảnh.png", string(pngBytes)})
		if r.Status != http.StatusCreated || r.JSON["field"] != nil || r.JSON["type"] != "image/png" {
			t.Fatalf("another document: %d %s", r.Status, r.Body)
		}

		// Refused: an HTML page named .pdf, an empty file, no file, a
		// field that takes no file, a part nobody asked for, a JSON body.
		for _, c := range []struct {
			parts       []part
			status      int
			code, field string
		}{
			{[]part{{"file", "ban-an.pdf", string(htmlBytes)}}, 400, "invalid", "file"},
			{[]part{{"field", "", "divorce_or_death_file"}, {"file", "rong.pdf", ""}}, 400, "invalid", "file"},
			{[]part{{"field", "", "divorce_or_death_file"}}, 400, "invalid", "file"},
			{[]part{{"field", "", "purpose"}, {"file", "a.pdf", string(pdfBytes)}}, 400, "invalid", "field"},
			{[]part{{"note", "", "x"}, {"file", "a.pdf", string(pdfBytes)}}, 400, "invalid", "note"},
			{[]part{{"file", "a.pdf", string(pdfBytes)}, {"file", "b.pdf", string(pdfBytes)}}, 400, "invalid", "file"},
		} {
			r := w.upload("congdan.1", ref, c.parts...)
			if code, field, _ := errorOf(r); r.Status != c.status || code != c.code || field != c.field {
				t.Errorf("%v: %d %s", c.parts, r.Status, r.Body)
			}
		}
		r = w.call("congdan.1", "POST", "/api/v1/dossiers/"+ref+"/attachments", map[string]any{"file": "x"})
		if r.Status != http.StatusBadRequest {
			t.Errorf("a JSON body: %d %s", r.Status, r.Body)
		}
		// Too large: a file over 10 MiB, whether the body fits or not.
		for _, n := range []int{dossier.MaxAttachmentBytes + 1, dossier.MaxAttachmentBytes + 1<<20} {
			big := "%PDF-" + strings.Repeat("x", n-5)
			r := w.upload("congdan.1", ref, part{"file", "lon.pdf", big})
			if code, field, _ := errorOf(r); r.Status != http.StatusRequestEntityTooLarge || code != "too_large" || field != "file" {
				t.Errorf("%d bytes: %d %s", n, r.Status, r.Body)
			}
		}

		// The list, and the download: an attachment, with nosniff.
		atts := list(w.must(200, "congdan.1", "GET", "/api/v1/dossiers/"+ref+"/attachments", nil), "attachments")
		if len(atts) != 2 || atts[0]["id"] != id || atts[1]["name"] != "ảnh.png" {
			t.Fatalf("list: %v", atts)
		}
		dl := w.do("GET", "/api/v1/dossiers/"+ref+"/attachments/"+id, "", w.as("congdan.1")...)
		if dl.Status != 200 || !bytes.Equal(dl.Body, pdfBytes) || dl.Header.Get("Content-Type") != "application/pdf" ||
			dl.Header.Get("X-Content-Type-Options") != "nosniff" || dl.Header.Get("Cache-Control") != "no-store" ||
			dl.Header.Get("Content-Disposition") != `attachment; filename="Ban an ly hon.pdf"; filename*=UTF-8''B%E1%BA%A3n%20%C3%A1n%20ly%20h%C3%B4n.pdf` {
			t.Fatalf("download: %d %v", dl.Status, dl.Header)
		}

		// Nobody else sees a draft's files.
		for _, who := range []string{"congdan.2", "motcua.31615"} {
			for _, target := range []string{"/attachments", "/attachments/" + id} {
				if r := w.call(who, "GET", "/api/v1/dossiers/"+ref+target, nil); r.Status != http.StatusNotFound {
					t.Errorf("%s GET %s: %d", who, target, r.Status)
				}
			}
			if r := w.upload(who, ref, part{"file", "a.pdf", string(pdfBytes)}); r.Status != http.StatusNotFound {
				t.Errorf("%s uploading: %d %s", who, r.Status, r.Body)
			}
		}
		if r := w.call("congdan.1", "GET", "/api/v1/dossiers/"+ref+"/attachments/aaaaaaaaaaaaaaaa", nil); r.Status != http.StatusNotFound {
			t.Errorf("an unknown attachment: %d", r.Status)
		}
		if r := w.do("GET", "/api/v1/dossiers/"+ref+"/attachments", ""); r.Status != http.StatusUnauthorized {
			t.Errorf("without a token: %d", r.Status)
		}

		// Filed, the citizen waits for a request for documents; the desk
		// attaches what is brought to the counter, and its downloads are
		// audited.
		code := w.mustAct("congdan.1", ref, "submit", nil)["code"].(string)
		key := url.PathEscape(code)
		if r := w.upload("congdan.1", code, part{"file", "a.pdf", string(pdfBytes)}); r.Status != http.StatusConflict {
			t.Errorf("the citizen attaching to a filed dossier: %d %s", r.Status, r.Body)
		}
		r = w.upload("motcua.31615", code, part{"file", "scan.png", string(pngBytes)})
		if r.Status != http.StatusCreated || r.JSON["uploaded_by"] != "Lâm Thị Hồng" || r.Header.Get("Location") != "/api/v1/dossiers/"+key+"/attachments/"+r.JSON["id"].(string) {
			t.Fatalf("the desk attaching: %d %s", r.Status, r.Body)
		}
		if r := w.upload("motcua.31507", code, part{"file", "a.pdf", string(pdfBytes)}); r.Status != http.StatusNotFound {
			t.Errorf("another commune's desk: %d", r.Status)
		}
		if r := w.do("GET", "/api/v1/dossiers/"+key+"/attachments/"+id, "", w.as("motcua.31615")...); r.Status != 200 || !bytes.Equal(r.Body, pdfBytes) {
			t.Errorf("the desk downloading: %d", r.Status)
		}
		if n := len(list(w.must(200, "motcua.31615", "GET", "/api/v1/dossiers/"+key+"/attachments", nil), "attachments")); n != 3 {
			t.Errorf("the desk lists %d", n)
		}
		reads, err := w.app.Identity.AuditLog(t.Context(), identity.SystemActor, audit.Filter{Action: "dossier.attachment_read"})
		if err != nil || len(reads) != 1 || reads[0].ActorName != "motcua.31615" || reads[0].ObjectID != code {
			t.Errorf("audited downloads: %v %v", reads, err)
		}
	})
}
