package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"egov"
	"egov/internal/dossier"
)

// Attachments of dossiers: uploaded as multipart/form-data (a "file" part
// and an optional "field" part naming the form field the file answers),
// listed, and downloaded. The domain decides who may and reads the type
// from the content; downloads are always attachments, with nosniff.

// maxUploadBody bounds the body of an upload: one file and a little
// multipart framing.
const maxUploadBody = dossier.MaxAttachmentBytes + 64<<10

// attachmentJSON is one attached file.
type attachmentJSON struct {
	ID         string  `json:"id"`
	Field      *string `json:"field"` // null for other documents
	Name       string  `json:"name"`
	Type       string  `json:"type"`
	Size       int64   `json:"size"`
	SHA256     string  `json:"sha256"`
	UploadedAt string  `json:"uploaded_at"`
	UploadedBy string  `json:"uploaded_by"`
	URL        string  `json:"url"`
}

func toAttachmentJSON(key string, at dossier.Attachment) attachmentJSON {
	return attachmentJSON{ID: at.Token, Field: optional(at.Field), Name: at.Name, Type: at.MIME, Size: at.Size, SHA256: at.Hash,
		UploadedAt: at.UploadedAt.UTC().Format(time.RFC3339), UploadedBy: at.UploaderName,
		URL: "/api/v1/dossiers/" + url.PathEscape(key) + "/attachments/" + at.Token}
}

// uploadAttachment serves POST /api/v1/dossiers/{code}/attachments.
func (h *handler) uploadAttachment(w http.ResponseWriter, r *http.Request) error {
	texts, files, err := readMultipart(w, r, maxUploadBody, map[string]int{"field": 100}, map[string]bool{"file": false})
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return egov.FieldError("file", "error.missing", "file")
	}
	key := r.PathValue("code")
	at, err := h.app.Dossiers.Attach(r.Context(), actor(r), key, strings.TrimSpace(texts["field"]), files[0].Filename,
		files[0].Content)
	if err != nil {
		return fileField(err)
	}
	j := toAttachmentJSON(key, *at)
	w.Header().Set("Location", j.URL)
	writeJSON(w, http.StatusCreated, j)
	return nil
}

// readMultipart reads a multipart/form-data body of at most limit bytes:
// the text parts named in texts, once each and at most as long as given,
// and the file parts named in files, each at most MaxAttachmentBytes (the
// domain refuses it as too large) and repeated only where files says so.
// Any other part is refused.
func readMultipart(w http.ResponseWriter, r *http.Request, limit int64, texts map[string]int, files map[string]bool) (map[string]string, []dossier.Upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, egov.Errorf(egov.EINVALID, "error.multipart_expected")
	}
	outTexts := map[string]string{}
	var outFiles []dossier.Upload
	seen := map[string]bool{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, uploadError(err)
		}
		name := p.FormName()
		repeatable, isFile := files[name]
		if seen[name] && !repeatable {
			return nil, nil, egov.FieldError(clip(name), "error.repeated_parameter", clip(name))
		}
		seen[name] = true
		max, isText := texts[name]
		switch {
		case isText:
			b, err := io.ReadAll(io.LimitReader(p, int64(max)+1))
			if err != nil {
				return nil, nil, uploadError(err)
			}
			if len(b) > max {
				return nil, nil, egov.FieldError(name, "form.too_long", max)
			}
			outTexts[name] = string(b)
		case isFile:
			content, err := io.ReadAll(io.LimitReader(p, dossier.MaxAttachmentBytes+1))
			if err != nil {
				return nil, nil, uploadError(err)
			}
			outFiles = append(outFiles, dossier.Upload{Field: name, Filename: p.FileName(), Content: bytes.NewReader(content)})
		default:
			return nil, nil, egov.FieldError(clip(name), "error.unknown_part", clip(name))
		}
	}
	return outTexts, outFiles, nil
}

// uploadError is a failure to read the upload: too large, or malformed.
func uploadError(err error) error {
	if tooLarge(err) {
		return &egov.Error{Code: egov.ETOOLARGE, Key: "attachment.too_large", Args: []any{dossier.MaxAttachmentBytes >> 20}, Field: "file"}
	}
	return egov.Errorf(egov.EINVALID, "error.bad_form")
}

// fileField names the "file" part in the domain's errors about the file's
// content (the domain names the form field it was to answer).
func fileField(err error) error {
	var e *egov.Error
	if errors.As(err, &e) && strings.HasPrefix(e.Key, "attachment.") && e.Key != "attachment.field_invalid" {
		c := *e
		c.Field = "file"
		return &c
	}
	return err
}

// listAttachments serves GET /api/v1/dossiers/{code}/attachments.
func (h *handler) listAttachments(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("code")
	atts, err := h.app.Dossiers.Attachments(r.Context(), actor(r), key)
	if err != nil {
		return err
	}
	out := make([]attachmentJSON, 0, len(atts))
	for _, at := range atts {
		out = append(out, toAttachmentJSON(key, at))
	}
	writeJSON(w, http.StatusOK, struct {
		Attachments []attachmentJSON `json:"attachments"`
	}{out})
	return nil
}

// downloadAttachment serves GET /api/v1/dossiers/{code}/attachments/{id}:
// the file as a download, of the type its content has, never to be
// rendered by the browser.
func (h *handler) downloadAttachment(w http.ResponseWriter, r *http.Request) error {
	at, content, err := h.app.Dossiers.OpenAttachment(r.Context(), actor(r), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeDownload(w, at.MIME, at.Name, content)
	return nil
}

// downloadResult serves GET /api/v1/dossiers/{code}/results/{result}: an
// electronic result, as a download, to whoever may have it now.
func (h *handler) downloadResult(w http.ResponseWriter, r *http.Request) error {
	res, content, err := h.app.Dossiers.OpenResult(r.Context(), actor(r), r.PathValue("code"), r.PathValue("result"))
	if err != nil {
		return err
	}
	writeDownload(w, res.MIME, res.Name, content)
	return nil
}

// writeDownload sends a file as a download of the type its content has,
// never to be rendered by the browser.
func writeDownload(w http.ResponseWriter, mime, name string, content []byte) {
	hd := w.Header()
	hd.Set("Content-Type", mime)
	hd.Set("Content-Disposition", dossier.ContentDisposition(name))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Length", strconv.Itoa(len(content)))
	w.WriteHeader(http.StatusOK)
	w.Write(content)
}
