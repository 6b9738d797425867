package dossier

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/vntext"
)

// A request for more documents (Mẫu 02, phiếu yêu cầu bổ sung, hoàn thiện
// hồ sơ) lists everything missing at once, item by item: a field of the
// form to correct or a document to attach (a file field), or a document
// the form does not name. While the dossier waits, the applicant may
// change the marked items only; everything else stays as it was received.

// SupplementItem is one thing a request for documents asks for.
type SupplementItem struct {
	Field string `json:"field"` // a field of the form; "" for a document outside the form
	Note  string `json:"note"`  // what is wrong or missing
}

// Supplement is one request for documents of a dossier.
type Supplement struct {
	N           int // the dossier's nth request: more than one makes it late
	Note        string
	Items       []SupplementItem
	RequestedAt time.Time
	SuppliedAt  time.Time // zero while the dossier waits
}

// Limits of a request for documents.
const (
	MaxSupplementItems = 50
	MaxItemNote        = 1000
)

// Marked reports whether the request asks for field ("" for documents
// outside the form).
func (sp *Supplement) Marked(field string) bool {
	for _, it := range sp.Items {
		if it.Field == field {
			return true
		}
	}
	return false
}

// checkItems cleans the items of a request for p's form: at least one,
// each a field of the form at most once, or a described document outside
// it.
func checkItems(p *Procedure, items []SupplementItem) ([]SupplementItem, error) {
	if len(items) == 0 {
		return nil, egov.FieldError("items", "dossier.missing_list_required")
	}
	if len(items) > MaxSupplementItems {
		return nil, egov.FieldError("items", "dossier.items_too_many", MaxSupplementItems)
	}
	seen := map[string]bool{}
	out := make([]SupplementItem, 0, len(items))
	for _, it := range items {
		it.Field = strings.TrimSpace(it.Field)
		it.Note = strings.TrimSpace(vntext.NFC(it.Note))
		if len(it.Note) > MaxItemNote {
			return nil, egov.FieldError("items", "form.too_long", MaxItemNote)
		}
		if it.Field == "" {
			if it.Note == "" {
				return nil, egov.FieldError("items", "dossier.item_note_required")
			}
			out = append(out, it)
			continue
		}
		fd := p.Form.Field(it.Field)
		if fd == nil {
			return nil, egov.FieldError("items", "dossier.item_field_unknown", clipName(it.Field))
		}
		if seen[it.Field] {
			return nil, egov.FieldError("items", "dossier.item_repeated", fd.Label)
		}
		seen[it.Field] = true
		out = append(out, it)
	}
	return out, nil
}

// itemsText is the list of items in words, one a line, for the history,
// the audit log and the notices that quote the request.
func itemsText(p *Procedure, note string, items []SupplementItem) string {
	var b strings.Builder
	b.WriteString(note)
	for _, it := range items {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("- ")
		if fd := p.Form.Field(it.Field); fd != nil {
			b.WriteString(fd.Label)
			if it.Note != "" {
				b.WriteString(": ")
			}
		}
		b.WriteString(it.Note)
	}
	return b.String()
}

// requestDocuments records the request of d (its SupplementRequests-th).
func (s *Dossiers) requestDocuments(ctx context.Context, tx *store.Tx, a *identity.Actor, d *Dossier, note string, items []SupplementItem) error {
	b, err := json.Marshal(items)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO dossier_supplements (dossier_id, n, note, items, requested_at, requested_by)
		VALUES (?, ?, ?, ?, ?, ?)`, d.ID, d.SupplementRequests, note, string(b), store.FormatTime(s.Now()), nullID(a.ID()))
	return err
}

// checkSupply refuses a change to a field the request did not mark. A
// field sent with its value unchanged is no change. Without a recorded
// request (dossiers from before requests had items) every field is open.
func checkSupply(p *Procedure, sp *Supplement, old, fields map[string]string) error {
	for k, v := range fields {
		fd := p.Form.Field(k)
		if fd == nil {
			return egov.FieldError(k, "form.unknown_field", clipName(k))
		}
		if sp == nil || sp.Marked(k) {
			continue
		}
		if strings.TrimSpace(vntext.NFC(v)) != old[k] {
			return egov.FieldError(k, "dossier.supply_not_marked", fd.Label)
		}
	}
	return nil
}

// checkAnswered requires an answer to every item of the request sp of
// dossier id: a marked field of the form changed from old (fields are the
// values sent), a marked
// file field given a file since the request, and as many documents outside
// the form attached since the request as it asks for. Otherwise the dossier
// would go back to the agency, its clock restarted, with nothing supplied.
func checkAnswered(ctx context.Context, q store.Querier, p *Procedure, sp *Supplement, id int64, old, fields map[string]string) error {
	if sp == nil {
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT field, COUNT(*) FROM dossier_attachments
		WHERE dossier_id = ? AND uploaded_at >= ? GROUP BY field`, id, store.FormatTime(sp.RequestedAt))
	if err != nil {
		return err
	}
	defer rows.Close()
	since := map[string]int{}
	for rows.Next() {
		var f string
		var n int
		if err := rows.Scan(&f, &n); err != nil {
			return err
		}
		since[f] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	others := 0
	for _, it := range sp.Items {
		if it.Field == "" {
			if others++; since[""] < others {
				return egov.FieldError("attachments", "dossier.supply_document_missing", clipName(it.Note))
			}
			continue
		}
		fd := p.Form.Field(it.Field)
		switch {
		case fd == nil: // the field has left the form since the request
		case fd.Type == TypeFile:
			if since[it.Field] == 0 {
				return egov.FieldError(it.Field, "dossier.supply_file_missing", fd.Label)
			}
		default:
			v, ok := fields[it.Field]
			if !ok || strings.TrimSpace(vntext.NFC(v)) == old[it.Field] {
				return egov.FieldError(it.Field, "dossier.supply_unchanged", fd.Label)
			}
		}
	}
	return nil
}

// supplied marks d's request as answered.
func (s *Dossiers) supplied(ctx context.Context, tx *store.Tx, d *Dossier) error {
	_, err := tx.ExecContext(ctx, `UPDATE dossier_supplements SET supplied_at = ? WHERE dossier_id = ? AND n = ?`,
		store.FormatTime(s.Now()), d.ID, d.SupplementRequests)
	return err
}

// SupplementOf returns the latest request for documents of a dossier the
// caller has already read (with Get), or nil when none was recorded.
func (s *Dossiers) SupplementOf(ctx context.Context, d *Dossier) (*Supplement, error) {
	return latestSupplement(ctx, s.db, d)
}

func latestSupplement(ctx context.Context, q store.Querier, d *Dossier) (*Supplement, error) {
	var sp Supplement
	var items, requested string
	var supplied sql.NullString
	err := q.QueryRowContext(ctx, `SELECT n, note, items, requested_at, supplied_at FROM dossier_supplements
		WHERE dossier_id = ? ORDER BY n DESC LIMIT 1`, d.ID).Scan(&sp.N, &sp.Note, &items, &requested, &supplied)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(items), &sp.Items); err != nil {
		return nil, err
	}
	sp.RequestedAt, _ = store.ParseTime(requested)
	if supplied.Valid {
		sp.SuppliedAt, _ = store.ParseTime(supplied.String)
	}
	return &sp, nil
}

// pendingSupplement is the request d waits on, nil when it waits on none
// or the request was not recorded.
func pendingSupplement(ctx context.Context, q store.Querier, d *Dossier) (*Supplement, error) {
	if d.Status != StatusSupplement {
		return nil, nil
	}
	sp, err := latestSupplement(ctx, q, d)
	if err != nil || sp == nil || sp.N != d.SupplementRequests {
		return nil, err
	}
	return sp, nil
}

// checkMarkedFile refuses a file, while d waits for documents, for an item
// the request did not mark (field "" is a document outside the form).
func checkMarkedFile(ctx context.Context, q store.Querier, p *Procedure, d *Dossier, field string) error {
	sp, err := pendingSupplement(ctx, q, d)
	if err != nil || sp == nil || sp.Marked(field) {
		return err
	}
	var label any = egov.Msg("dossier.attachments.other")
	if fd := p.Form.Field(field); fd != nil {
		label = fd.Label
	}
	return egov.FieldError("field", "dossier.supply_not_marked", label)
}
