package dossier

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/vntext"
)

// Attachments (giấy tờ đính kèm): the scans and photos of the documents a
// procedure asks for, attached online by the applicant or handed in at the
// counter and scanned by the receiving officer.
//
// How they fit the dossier:
//   - An attachment names the form field it answers (a field of type file),
//     or none for other documents. The field's value is left alone: it stays
//     the applicant's note on the paper (its number and date, "I will bring
//     the original"), as before attachments existed. A required file field
//     is filled by a note or by an attachment (Form.ValidateWith). A field
//     may have several files: a document photographed page by page.
//   - Attachments are known outside by a random token, never by their id.
//   - The type comes from the content (PDF, JPEG, PNG), never from the name
//     or the type the browser declares; the name is cleaned and given the
//     extension of the type found. Interfaces serve them as downloads
//     (Content-Disposition: attachment) with nosniff, never inline.
//   - The bytes are stored once per content, under their SHA-256; removing
//     the last attachment of some bytes deletes them.

// Limits of attachments.
const (
	MaxAttachmentBytes = 10 << 20 // one file
	MaxDossierBytes    = 50 << 20 // all the files of a dossier
	MaxAttachments     = 30       // files per dossier
	MaxFilenameRunes   = 120
)

// The types an attachment may have.
const (
	MimePDF  = "application/pdf"
	MimeJPEG = "image/jpeg"
	MimePNG  = "image/png"
)

// AcceptAttachments is the accept attribute of a file input: the types
// attachments may have.
const AcceptAttachments = MimePDF + "," + MimeJPEG + "," + MimePNG

// extensions are the file name extensions of each type, the usual first.
var extensions = map[string][]string{
	MimePDF:  {".pdf"},
	MimeJPEG: {".jpg", ".jpeg"},
	MimePNG:  {".png"},
}

// Attachment is one file attached to a dossier.
type Attachment struct {
	ID           int64  // internal only: never shown
	Token        string // random public reference
	DossierID    int64
	Field        string // the form field it answers; "" for other documents
	Name         string // cleaned, with the extension of its type
	MIME         string // read from the content
	Size         int64
	Hash         string // SHA-256 of the content, hex
	UploadedAt   time.Time
	UploadedBy   int64  // the user who attached it; 0 for the system
	UploaderName string // their full name
}

// Upload is a file handed in with a counter intake.
type Upload struct {
	Field    string // the form field it answers; "" for other documents
	Filename string // as the browser sent it
	Content  io.Reader
}

// SniffType returns the type of an attachment's content by its first
// bytes, or "" when it is not one of the accepted types.
func SniffType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return MimePDF
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return MimeJPEG
	case bytes.HasPrefix(b, []byte{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}):
		return MimePNG
	}
	return ""
}

// defaultStem names a file whose name has nothing left once cleaned.
const defaultStem = "tai-lieu"

// CleanFilename makes a file name safe to store and to offer for download:
// the base name only (after the last / or \), valid UTF-8 in NFC, without
// control, formatting (e.g. right-to-left overrides) or path characters,
// white space collapsed, no leading or trailing dots, at most
// MaxFilenameRunes characters, ending with an extension of the type mime.
// An extension that does not match the type (the part after the last dot,
// when it is 1 to 5 ASCII letters and digits with a letter) is replaced.
func CleanFilename(name, mime string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = vntext.NFC(name)
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r) || strings.ContainsRune(`:*?"<>|`, r):
			space = true
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError ||
			unicode.Is(unicode.Co, r) || unicode.Is(unicode.Cs, r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	// Dropping a character may let its neighbours compose.
	name = strings.TrimRight(vntext.NFC(b.String()), " .")

	exts := extensions[mime]
	if len(exts) == 0 {
		exts = []string{".bin"}
	}
	stem, ext := name, exts[0]
	if i := strings.LastIndexByte(name, '.'); i >= 0 && looksLikeExtension(name[i+1:]) {
		stem = name[:i]
		if e := "." + strings.ToLower(name[i+1:]); slices.Contains(exts, e) {
			ext = e
		}
	}
	stem = strings.Trim(stem, " .")
	if max := MaxFilenameRunes - len(ext); utf8.RuneCountInString(stem) > max {
		stem = strings.Trim(string([]rune(stem)[:max]), " .")
	}
	if stem == "" {
		stem = defaultStem
	}
	return stem + ext
}

func looksLikeExtension(s string) bool {
	if len(s) < 1 || len(s) > 5 {
		return false
	}
	letter := false
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			letter = true
		case '0' <= c && c <= '9':
		default:
			return false
		}
	}
	return letter
}

// ContentDisposition is the Content-Disposition header that offers a file
// named name for download: an ASCII name for old browsers (accents
// removed) and the exact name in UTF-8 (RFC 6266, RFC 8187).
func ContentDisposition(name string) string {
	var ascii, enc strings.Builder
	for _, r := range vntext.Unaccent(name) {
		switch {
		case r < 0x20 || r > 0x7E || r == '"' || r == '\\' || r == '%' || r == ';':
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(r)
		}
	}
	for _, c := range []byte(name) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("!#$&+-.^_`|~", c) >= 0:
			enc.WriteByte(c)
		default:
			fmt.Fprintf(&enc, "%%%02X", c)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + enc.String()
}

// upload is a file read, checked and named, ready to store.
type upload struct {
	field, name, mime, hash string
	content                 []byte
}

// readUpload reads at most MaxAttachmentBytes of r and checks the content.
func readUpload(field, filename string, r io.Reader) (*upload, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxAttachmentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read attachment: %w", err)
	}
	if len(b) > MaxAttachmentBytes {
		return nil, &egov.Error{Code: egov.ETOOLARGE, Key: "attachment.too_large", Args: []any{MaxAttachmentBytes >> 20}, Field: field}
	}
	if len(b) == 0 {
		return nil, &egov.Error{Code: egov.EINVALID, Key: "attachment.empty", Field: field}
	}
	mime := SniffType(b)
	if mime == "" {
		return nil, &egov.Error{Code: egov.EINVALID, Key: "attachment.type", Field: field}
	}
	sum := sha256.Sum256(b)
	return &upload{field: field, name: CleanFilename(filename, mime), mime: mime, hash: hex.EncodeToString(sum[:]), content: b}, nil
}

// checkField checks that field is a file field of the procedure's form,
// or "" for other documents.
func checkField(p *Procedure, field string) error {
	if field == "" {
		return nil
	}
	if fd := p.Form.Field(field); fd == nil || fd.Type != TypeFile {
		return egov.FieldError("field", "attachment.field_invalid", clipName(field))
	}
	return nil
}

func clipName(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// mayAttach says whether the actor may attach files to d now: its applicant
// while it is a draft or waits for documents; an officer who receives the
// unit's dossiers while it is at the desk (new, received) or waits for
// documents. Whoever may not read d learns nothing of it.
func (s *Dossiers) mayAttach(ctx context.Context, a *identity.Actor, d *Dossier) error {
	if a == nil || a.User == nil && !a.System {
		return egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	if !s.mayRead(ctx, a, d) {
		return egov.Errorf(egov.ENOTFOUND, "dossier.not_found")
	}
	if a.User != nil && d.ApplicantID != 0 && d.ApplicantID == a.User.ID {
		if d.Status == StatusDraft || d.Status == StatusSupplement {
			return nil
		}
		return conflict(d, "attach")
	}
	if err := s.ids.Can(ctx, a, identity.PermDossierReceive, d.UnitID); err != nil {
		return err
	}
	switch d.Status {
	case StatusNew, StatusReceived, StatusSupplement:
		return nil
	}
	return conflict(d, "attach")
}

// Attach attaches a file to the dossier with this code or reference, as
// the answer to a file field of its form ("" for other documents). See
// mayAttach for who may; the limits are MaxAttachmentBytes per file,
// MaxDossierBytes and MaxAttachments per dossier (too_large errors); a
// content that is not a PDF, JPEG or PNG is invalid (attachment.type).
func (s *Dossiers) Attach(ctx context.Context, a *identity.Actor, key, field, filename string, r io.Reader) (*Attachment, error) {
	// Check before reading, so that a stranger's upload is not even read;
	// again in the transaction, which decides.
	d, err := s.load(ctx, s.db, key)
	if err != nil {
		return nil, err
	}
	if err := s.mayAttach(ctx, a, d); err != nil {
		return nil, err
	}
	field = strings.TrimSpace(field)
	proc, err := s.procs.Get(ctx, d.ProcedureCode)
	if err != nil {
		return nil, err
	}
	if err := checkField(proc, field); err != nil {
		return nil, err
	}
	if err := checkMarkedFile(ctx, s.db, proc, d, field); err != nil {
		return nil, err
	}
	up, err := readUpload(field, filename, r)
	if err != nil {
		return nil, err
	}
	var att *Attachment
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		d, err := s.load(ctx, tx, key)
		if err != nil {
			return err
		}
		if err := s.mayAttach(ctx, a, d); err != nil {
			return err
		}
		// A request for documents opens only the items it marks.
		if err := checkMarkedFile(ctx, tx, proc, d, field); err != nil {
			return err
		}
		att, err = s.storeAttachment(ctx, tx, a, d, up)
		return err
	})
	if err != nil {
		return nil, err
	}
	return att, nil
}

// Lock spaces of store.Tx.LockKey.
const (
	lockDossierFiles int32 = 0x0d055e01 // a dossier's attachments (limits)
	lockBlob         int32 = 0x0d055e02 // the bytes of one hash
)

func hashKey(hash string) int32 {
	b, err := hex.DecodeString(hash[:8])
	if err != nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(b))
}

// storeAttachment checks the dossier's limits and stores up for d. The
// locks make concurrent uploads to one dossier count each other, and keep
// a removal from deleting bytes another upload is about to use.
func (s *Dossiers) storeAttachment(ctx context.Context, tx *store.Tx, a *identity.Actor, d *Dossier, up *upload) (*Attachment, error) {
	if err := tx.LockKey(ctx, lockDossierFiles, int32(d.ID)); err != nil {
		return nil, err
	}
	var n, total int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*), CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM dossier_attachments
		WHERE dossier_id = ?`, d.ID).Scan(&n, &total); err != nil {
		return nil, err
	}
	if n >= MaxAttachments {
		return nil, &egov.Error{Code: egov.ETOOLARGE, Key: "attachment.too_many", Args: []any{MaxAttachments}, Field: up.field}
	}
	if total+int64(len(up.content)) > MaxDossierBytes {
		return nil, &egov.Error{Code: egov.ETOOLARGE, Key: "attachment.dossier_too_large", Args: []any{MaxDossierBytes >> 20}, Field: up.field}
	}
	if err := putBlob(ctx, tx, up); err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	att := &Attachment{Token: newRef(), DossierID: d.ID, Field: up.field, Name: up.name, MIME: up.mime,
		Size: int64(len(up.content)), Hash: up.hash, UploadedAt: now, UploadedBy: a.ID(), UploaderName: a.Name()}
	if a.User != nil {
		att.UploaderName = a.User.FullName
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO dossier_attachments (token, dossier_id, field, name, mime, size, hash,
		uploaded_at, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		att.Token, d.ID, att.Field, att.Name, att.MIME, att.Size, att.Hash, store.FormatTime(now), nullID(a.ID())).Scan(&att.ID); err != nil {
		return nil, err
	}
	return att, s.auditAttachment(ctx, tx, a, d, "dossier.attachment_add", att)
}

// putBlob stores the bytes of up once per content. The lock keeps a
// removal from deleting bytes another upload is about to use.
func putBlob(ctx context.Context, tx *store.Tx, up *upload) error {
	if err := tx.LockKey(ctx, lockBlob, hashKey(up.hash)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO blobs (hash, size, content) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
		up.hash, len(up.content), up.content)
	return err
}

// auditAttachment records a step on an attachment. The file name stays
// out of the log: it often carries a name or an ID number.
func (s *Dossiers) auditAttachment(ctx context.Context, tx *store.Tx, a *identity.Actor, d *Dossier, action string, att *Attachment) error {
	code, err := s.unitCode(ctx, d.UnitID)
	if err != nil {
		return err
	}
	obj := d.Code
	if obj == "" {
		obj = d.Ref
	}
	field := att.Field
	if field == "" {
		field = "giấy tờ khác"
	}
	return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: action, ObjectType: "dossier",
		ObjectID: obj, UnitCode: code, Summary: fmt.Sprintf("tệp %s (%s): %s, %d byte, sha256 %s", att.Token, field, att.MIME,
			att.Size, att.Hash[:16])})
}

// readableDossier returns the dossier with this key when the actor may
// read it (see Get), without auditing.
func (s *Dossiers) readableDossier(ctx context.Context, a *identity.Actor, key string) (*Dossier, error) {
	if a == nil || a.User == nil && !a.System {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	d, err := s.load(ctx, s.db, key)
	if err != nil {
		return nil, err
	}
	if !s.mayRead(ctx, a, d) {
		return nil, egov.Errorf(egov.ENOTFOUND, "dossier.not_found")
	}
	return d, nil
}

const attachmentColumns = `a.id, a.token, a.dossier_id, a.field, a.name, a.mime, a.size, a.hash, a.uploaded_at,
	a.uploaded_by, COALESCE(u.full_name, '')`

func scanAttachment(row interface{ Scan(...any) error }, extra ...any) (Attachment, error) {
	var at Attachment
	var uploaded string
	var by sql.NullInt64
	dest := append([]any{&at.ID, &at.Token, &at.DossierID, &at.Field, &at.Name, &at.MIME, &at.Size, &at.Hash, &uploaded,
		&by, &at.UploaderName}, extra...)
	if err := row.Scan(dest...); err != nil {
		return at, err
	}
	at.UploadedAt, _ = store.ParseTime(uploaded)
	at.UploadedBy = by.Int64
	return at, nil
}

// Attachments lists the files of a dossier, in the order they were
// attached, to whoever may read the dossier (see Get).
func (s *Dossiers) Attachments(ctx context.Context, a *identity.Actor, key string) ([]Attachment, error) {
	d, err := s.readableDossier(ctx, a, key)
	if err != nil {
		return nil, err
	}
	return s.AttachmentsOf(ctx, d)
}

// AttachmentsOf lists the files of a dossier the caller has already read
// (with Get).
func (s *Dossiers) AttachmentsOf(ctx context.Context, d *Dossier) ([]Attachment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+attachmentColumns+` FROM dossier_attachments a
		LEFT JOIN users u ON u.id = a.uploaded_by WHERE a.dossier_id = ? ORDER BY a.id`, d.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		at, err := scanAttachment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, at)
	}
	return out, rows.Err()
}

// AttachedFields returns the set of form fields that attachments answer.
func AttachedFields(atts []Attachment) map[string]bool {
	out := map[string]bool{}
	for _, at := range atts {
		if at.Field != "" {
			out[at.Field] = true
		}
	}
	return out
}

// attachedFields is AttachedFields read in a transaction.
func attachedFields(ctx context.Context, q store.Querier, dossierID int64) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT field FROM dossier_attachments WHERE dossier_id = ? AND field <> ''`, dossierID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			return nil, err
		}
		out[f] = true
	}
	return out, rows.Err()
}

// OpenAttachment returns a file of a dossier and its content to whoever
// may read the dossier. An officer's opening is audited, like reading the
// dossier: scanned documents carry personal data.
func (s *Dossiers) OpenAttachment(ctx context.Context, a *identity.Actor, key, token string) (Attachment, []byte, error) {
	d, err := s.readableDossier(ctx, a, key)
	if err != nil {
		return Attachment{}, nil, err
	}
	token = strings.ToLower(strings.TrimSpace(token))
	var content []byte
	at, err := scanAttachment(s.db.QueryRowContext(ctx, `SELECT `+attachmentColumns+`, b.content FROM dossier_attachments a
		JOIN blobs b ON b.hash = a.hash LEFT JOIN users u ON u.id = a.uploaded_by
		WHERE a.dossier_id = ? AND a.token = ?`, d.ID, token), &content)
	if errors.Is(err, sql.ErrNoRows) {
		return Attachment{}, nil, egov.Errorf(egov.ENOTFOUND, "attachment.not_found")
	}
	if err != nil {
		return Attachment{}, nil, err
	}
	if a.User != nil && d.ApplicantID != 0 && d.ApplicantID == a.User.ID {
		return at, content, nil
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return s.auditAttachment(ctx, tx, a, d, "dossier.attachment_read", &at)
	})
	if err != nil {
		return Attachment{}, nil, err
	}
	return at, content, nil
}

// RemoveAttachment removes a file from a draft, for its applicant. The
// bytes go too unless another attachment has the same.
func (s *Dossiers) RemoveAttachment(ctx context.Context, a *identity.Actor, key, token string) error {
	token = strings.ToLower(strings.TrimSpace(token))
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		d, err := s.load(ctx, tx, key)
		if err != nil {
			return err
		}
		if !s.mayRead(ctx, a, d) {
			if a == nil || a.User == nil && !a.System {
				return egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
			}
			return egov.Errorf(egov.ENOTFOUND, "dossier.not_found")
		}
		if err := s.mustBeApplicant(a, d); err != nil {
			return err
		}
		if d.Status != StatusDraft {
			return conflict(d, "remove_attachment")
		}
		var at Attachment
		err = tx.QueryRowContext(ctx, `SELECT id, token, field, mime, size, hash FROM dossier_attachments
			WHERE dossier_id = ? AND token = ?`, d.ID, token).Scan(&at.ID, &at.Token, &at.Field, &at.MIME, &at.Size, &at.Hash)
		if errors.Is(err, sql.ErrNoRows) {
			return egov.Errorf(egov.ENOTFOUND, "attachment.not_found")
		}
		if err != nil {
			return err
		}
		if err := tx.LockKey(ctx, lockDossierFiles, int32(d.ID)); err != nil {
			return err
		}
		if err := tx.LockKey(ctx, lockBlob, hashKey(at.Hash)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM dossier_attachments WHERE id = ?`, at.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM blobs WHERE hash = ?
			AND NOT EXISTS (SELECT 1 FROM dossier_attachments WHERE hash = ?)
			AND NOT EXISTS (SELECT 1 FROM dossier_results WHERE hash = ?)`, at.Hash, at.Hash, at.Hash); err != nil {
			return err
		}
		return s.auditAttachment(ctx, tx, a, d, "dossier.attachment_remove", &at)
	})
}

// readUploads reads and checks the files of a counter intake, against the
// limits of one dossier.
func readUploads(p *Procedure, files []Upload) ([]*upload, error) {
	if len(files) > MaxAttachments {
		return nil, egov.Errorf(egov.ETOOLARGE, "attachment.too_many", MaxAttachments)
	}
	var out []*upload
	total := 0
	for _, f := range files {
		field := strings.TrimSpace(f.Field)
		if err := checkField(p, field); err != nil {
			return nil, err
		}
		up, err := readUpload(field, f.Filename, f.Content)
		if err != nil {
			return nil, err
		}
		if total += len(up.content); total > MaxDossierBytes {
			return nil, &egov.Error{Code: egov.ETOOLARGE, Key: "attachment.dossier_too_large", Args: []any{MaxDossierBytes >> 20}, Field: field}
		}
		out = append(out, up)
	}
	return out, nil
}

// MayAttach reports whether the actor may attach files to d now (see
// Attach), for the pages to offer the form; Attach still decides.
func (s *Dossiers) MayAttach(ctx context.Context, a *identity.Actor, d *Dossier) bool {
	return s.mayAttach(ctx, a, d) == nil
}
