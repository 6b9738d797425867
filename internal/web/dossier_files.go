package web

import (
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
)

// Attached documents: the file inputs of the dossier forms (online steps,
// counter intake, supplement), the lists of attached files with their
// download links, and the download itself, always as an attachment with
// nosniff, whatever the type.

// fileInputPrefix starts the name of the file input of a form field
// (fieldPrefix names its note); otherFilesInput is the input for other
// documents.
const (
	fileInputPrefix = "file_"
	otherFilesInput = "attachments"
)

// maxUploadForm bounds a form that carries files: every file a dossier
// may hold, and the form's fields.
const maxUploadForm = dossier.MaxDossierBytes + maxFormBytes

// parseUploadForm parses a form that may carry files (multipart/form-data)
// or not. Files over what fits in memory go to temporary files, which the
// function it returns removes (the server cannot: wrap gives the page a
// copy of the request).
func parseUploadForm(w http.ResponseWriter, r *http.Request) (func(), error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return func() {}, parseForm(w, r)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadForm)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return func() {}, egov.Errorf(egov.ETOOLARGE, "attachment.dossier_too_large", dossier.MaxDossierBytes>>20)
		}
		return func() {}, egov.Errorf(egov.EINVALID, "error.bad_form")
	}
	return func() { r.MultipartForm.RemoveAll() }, nil
}

// uploaded returns the files chosen in the input named name; an input
// left empty sends none.
func uploaded(r *http.Request, name string) []*multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	var out []*multipart.FileHeader
	for _, fh := range r.MultipartForm.File[name] {
		if fh.Filename != "" || fh.Size > 0 {
			out = append(out, fh)
		}
	}
	return out
}

// attachUploaded attaches the files chosen in the input named name to the
// dossier with key, as answers to field ("" for other documents).
func (h *handler) attachUploaded(r *http.Request, a *identity.Actor, key, field, name string) error {
	for _, fh := range uploaded(r, name) {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		_, err = h.app.Dossiers.Attach(r.Context(), a, key, field, fh.Filename, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// counterUploads are the files of a counter intake: the file input of each
// file field of the form, and the input for other documents. The caller
// closes them.
func counterUploads(r *http.Request, f *dossier.Form) ([]dossier.Upload, func(), error) {
	var files []multipart.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	var out []dossier.Upload
	add := func(field, input string) error {
		for _, fh := range uploaded(r, input) {
			file, err := fh.Open()
			if err != nil {
				return err
			}
			files = append(files, file)
			out = append(out, dossier.Upload{Field: field, Filename: fh.Filename, Content: file})
		}
		return nil
	}
	for _, fd := range f.Fields {
		if fd.Type == dossier.TypeFile {
			if err := add(fd.Name, fileInputPrefix+fd.Name); err != nil {
				closeAll()
				return nil, nil, err
			}
		}
	}
	if err := add("", otherFilesInput); err != nil {
		closeAll()
		return nil, nil, err
	}
	return out, closeAll, nil
}

// fileView is an attached file in a list.
type fileView struct {
	Token     string
	Name      string
	URL       string // the download
	Size      string
	Field     string // the label of the field it answers, or "other documents"
	By, At    string
	Removing  string // the id of the form that removes it (drafts)
	RemoveURL string // where that form posts
}

// fileSize shows a size in kB or MB.
func fileSize(lang string, n int64) string {
	if n < 1<<20 {
		return tr(lang, "file.size_kb", (n+1023)/1024)
	}
	tenths := (n*10 + 1<<19) >> 20
	return tr(lang, "file.size_mb", tenths/10, tenths%10)
}

// dossierKey is how the pages name a dossier: its code once filed.
func dossierKey(d *dossier.Dossier) string {
	if d.Code != "" {
		return d.Code
	}
	return d.Ref
}

// fileViews makes the list rows of attachments. On a draft's page (step
// > 0 for a step of its form, -1 for its review) each gets a removal form
// that leads back there; step 0 is any other page.
func fileViews(lang string, d *dossier.Dossier, f *dossier.Form, atts []dossier.Attachment, step int) []fileView {
	out := make([]fileView, 0, len(atts))
	for _, at := range atts {
		v := fileView{Token: at.Token, Name: at.Name, URL: "/dossiers/" + dossierKey(d) + "/attachments/" + at.Token,
			Size: fileSize(lang, at.Size), By: at.UploaderName, At: formatTime(lang, at.UploadedAt),
			Field: tr(lang, "dossier.attachments.other")}
		if fd := f.Field(at.Field); fd != nil {
			v.Field = fieldLabel(lang, fd)
		}
		if step != 0 && d.Status == dossier.StatusDraft {
			v.Removing = "rm-" + at.Token
			v.RemoveURL = v.URL + "/remove"
			if step > 0 {
				v.RemoveURL += "?step=" + strconv.Itoa(step)
			}
		}
		out = append(out, v)
	}
	return out
}

// byField groups file rows by the field their attachment answers.
func byField(views []fileView, atts []dossier.Attachment) map[string][]fileView {
	out := map[string][]fileView{}
	for i, at := range atts {
		out[at.Field] = append(out[at.Field], views[i])
	}
	return out
}

// withFiles puts the files of each file field beside its input.
func withFiles(fields []qField, files map[string][]fileView) []qField {
	for i := range fields {
		if fields[i].Type == dossier.TypeFile {
			fields[i].Files = files[fields[i].Key]
		}
	}
	return fields
}

// fileError returns err when it is about a file itself (its type, its
// size, the dossier's limits), for the form to show beside its input.
func fileError(err error) (*egov.Error, bool) {
	var e *egov.Error
	if errors.As(err, &e) && (e.Code == egov.EINVALID || e.Code == egov.ETOOLARGE) {
		return e, true
	}
	return nil, false
}

// fileErrorStatus is the status of a form shown again with a file's error:
// 413 for a file too large, 422 for a wrong one.
func fileErrorStatus(e *egov.Error) int {
	if e.Code == egov.ETOOLARGE {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusUnprocessableEntity
}

// answerFiles puts the files of each file field under its answer.
func answerFiles(steps []answerStep, files map[string][]fileView) {
	for i := range steps {
		for j := range steps[i].Rows {
			row := &steps[i].Rows[j]
			if row.Files = files[row.Key]; len(row.Files) > 0 && row.Value == "—" {
				row.Value = ""
			}
		}
	}
}

// dossierAttachment serves an attached file to whoever may read the
// dossier, as a download: never shown by the browser, whatever it holds.
func (h *handler) dossierAttachment(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	at, content, err := h.app.Dossiers.OpenAttachment(r.Context(), a, r.PathValue("code"), r.PathValue("token"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sendFile(w, at.MIME, at.Name, content)
}

// dossierResult serves an electronic result to whoever may have it now
// (the domain decides and audits), as a download.
func (h *handler) dossierResult(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, content, err := h.app.Dossiers.OpenResult(r.Context(), a, r.PathValue("code"), r.PathValue("result"))
	if err != nil {
		h.failBack(w, r, err, "/dossiers/"+r.PathValue("code"))
		return
	}
	sendFile(w, res.MIME, res.Name, content)
}

// sendFile sends a dossier's file as a download: never shown by the
// browser, whatever it holds, and never cached.
func sendFile(w http.ResponseWriter, mime, name string, content []byte) {
	hd := w.Header()
	hd.Set("Content-Type", mime)
	hd.Set("Content-Disposition", dossier.ContentDisposition(name))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Content-Length", strconv.Itoa(len(content)))
	w.Write(content)
}

// dossierAttach attaches the chosen files to a dossier: other documents on
// a draft's review page, or the scans the desk makes of what is brought
// to the counter. It goes back to the page it came from.
func (h *handler) dossierAttach(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	key := r.PathValue("ref")
	back := "/dossiers/" + key
	if r.URL.Query().Get("from") == "review" {
		back += "/review"
	}
	cleanup, err := parseUploadForm(w, r)
	if err != nil {
		h.failBack(w, r, err, back)
		return
	}
	defer cleanup()
	if len(uploaded(r, otherFilesInput)) == 0 {
		h.failBack(w, r, egov.Errorf(egov.EINVALID, "dossier.attachments.none_chosen"), back)
		return
	}
	if err := h.attachUploaded(r, a, key, r.PostForm.Get("field"), otherFilesInput); err != nil {
		h.failBack(w, r, err, back)
		return
	}
	seeOther(w, r, back+"?ok=attachment_added")
}

// dossierAttachmentRemove removes a file from a draft and goes back to the
// step (or the review) it was shown on.
func (h *handler) dossierAttachmentRemove(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	key := r.PathValue("ref")
	back := "/dossiers/" + key + "/review"
	if n, err := strconv.Atoi(r.URL.Query().Get("step")); err == nil && n > 0 {
		back = "/dossiers/" + key + "/form?step=" + strconv.Itoa(n)
	}
	if err := h.app.Dossiers.RemoveAttachment(r.Context(), a, key, r.PathValue("token")); err != nil {
		h.failBack(w, r, err, back)
		return
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	seeOther(w, r, back+sep+"ok=attachment_removed")
}
