package dossier

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
)

// Electronic results (kết quả giải quyết điện tử, Decree 45/2020): the
// documents a dossier ends with, attached by the officer who finishes it.
// Each has the code <dossier code>-KQ<n>, n from 1 per dossier, and is a
// PDF (read from the content, like attachments). A procedure whose result
// is electronic cannot be finished without one; a paper-only result needs
// none (a scan may still be kept).
//
// The applicant downloads them once the result is theirs: when the
// dossier is resolved if the procedure returns its result electronically,
// when the result has been returned otherwise. Officers who may read the
// dossier download them at any time after, audited.

// ResultDocument is one electronic result of a dossier.
type ResultDocument struct {
	ID         int64 // internal only: never shown
	Code       string
	DossierID  int64
	N          int
	Name       string // cleaned file name
	MIME       string
	Size       int64
	Hash       string
	IssuedAt   time.Time
	IssuedBy   int64
	IssuerName string
}

// MaxResultFiles bounds the result documents of one finishing.
const MaxResultFiles = 5

// readResults reads and checks the result documents of a finishing: PDF
// only, each within MaxAttachmentBytes.
func readResults(files []Upload) ([]*upload, error) {
	if len(files) > MaxResultFiles {
		return nil, &egov.Error{Code: egov.ETOOLARGE, Key: "result.too_many", Args: []any{MaxResultFiles}, Field: "result_file"}
	}
	var out []*upload
	for _, f := range files {
		up, err := readUpload("result_file", f.Filename, f.Content)
		if err != nil {
			return nil, err
		}
		if up.mime != MimePDF {
			return nil, &egov.Error{Code: egov.EINVALID, Key: "result.type", Field: "result_file"}
		}
		out = append(out, up)
	}
	return out, nil
}

// issueResults stores the result documents of d, numbered after those it
// has, in the finishing's transaction.
func (s *Dossiers) issueResults(ctx context.Context, tx *store.Tx, a *identity.Actor, d *Dossier, p *Procedure, ups []*upload) error {
	if len(ups) == 0 && p.Result.Electronic {
		return egov.FieldError("result_file", "result.required", p.Result.Name)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) FROM dossier_results WHERE dossier_id = ?`, d.ID).Scan(&n); err != nil {
		return err
	}
	unit, err := s.unitCode(ctx, d.UnitID)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	for _, up := range ups {
		n++
		if err := putBlob(ctx, tx, up); err != nil {
			return err
		}
		code := fmt.Sprintf("%s-KQ%d", d.Code, n)
		if _, err := tx.ExecContext(ctx, `INSERT INTO dossier_results (code, dossier_id, n, name, mime, size, hash, issued_at, issued_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, code, d.ID, n, up.name, up.mime, len(up.content), up.hash,
			store.FormatTime(now), nullID(a.ID())); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "dossier.result_issue",
			ObjectType: "dossier", ObjectID: d.Code, UnitCode: unit,
			Summary: fmt.Sprintf("kết quả %s: %s, %d byte, sha256 %s", code, up.mime, len(up.content), up.hash[:16])}); err != nil {
			return err
		}
	}
	return nil
}

// ResultReady reports whether d's applicant may download its electronic
// results: once resolved when p returns its result electronically, once
// returned otherwise.
func ResultReady(d *Dossier, p *Procedure) bool {
	switch d.Status {
	case StatusReturned:
		return true
	case StatusResolved:
		return p != nil && p.Result.Electronic
	}
	return false
}

const resultColumns = `r.id, r.code, r.dossier_id, r.n, r.name, r.mime, r.size, r.hash, r.issued_at, r.issued_by, COALESCE(u.full_name, '')`

func scanResult(row interface{ Scan(...any) error }, extra ...any) (ResultDocument, error) {
	var res ResultDocument
	var issued string
	var by sql.NullInt64
	dest := append([]any{&res.ID, &res.Code, &res.DossierID, &res.N, &res.Name, &res.MIME, &res.Size, &res.Hash, &issued,
		&by, &res.IssuerName}, extra...)
	if err := row.Scan(dest...); err != nil {
		return res, err
	}
	res.IssuedAt, _ = store.ParseTime(issued)
	res.IssuedBy = by.Int64
	return res, nil
}

// ResultsOf lists the electronic results of a dossier the caller has
// already read (with Get) that the actor may download now: all of them
// for an officer who may read it, the applicant's once ready (ResultReady).
func (s *Dossiers) ResultsOf(ctx context.Context, a *identity.Actor, d *Dossier) ([]ResultDocument, error) {
	out := []ResultDocument{}
	if d.FinishedAt.IsZero() {
		return out, nil
	}
	if ok, err := s.mayDownloadResult(ctx, a, d); err != nil || !ok {
		return out, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+resultColumns+` FROM dossier_results r
		LEFT JOIN users u ON u.id = r.issued_by WHERE r.dossier_id = ? ORDER BY r.n`, d.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		res, err := scanResult(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, rows.Err()
}

// mayDownloadResult says whether the actor, who may read d, may have its
// results now.
func (s *Dossiers) mayDownloadResult(ctx context.Context, a *identity.Actor, d *Dossier) (bool, error) {
	if !s.isApplicant(a, d) {
		return s.mayRead(ctx, a, d), nil
	}
	p, err := s.procs.Get(ctx, d.ProcedureCode)
	if err != nil {
		return false, err
	}
	return ResultReady(d, p), nil
}

func (s *Dossiers) isApplicant(a *identity.Actor, d *Dossier) bool {
	return a != nil && a.User != nil && d.ApplicantID != 0 && d.ApplicantID == a.User.ID
}

// OpenResult returns an electronic result of a dossier and its content:
// to the applicant once ready (a conflict before), to an officer who may
// read the dossier (audited: results carry personal data).
func (s *Dossiers) OpenResult(ctx context.Context, a *identity.Actor, key, code string) (ResultDocument, []byte, error) {
	d, err := s.readableDossier(ctx, a, key)
	if err != nil {
		return ResultDocument{}, nil, err
	}
	code = strings.TrimSpace(code)
	var content []byte
	res, err := scanResult(s.db.QueryRowContext(ctx, `SELECT `+resultColumns+`, b.content FROM dossier_results r
		JOIN blobs b ON b.hash = r.hash LEFT JOIN users u ON u.id = r.issued_by
		WHERE r.dossier_id = ? AND r.code = ?`, d.ID, code), &content)
	if errors.Is(err, sql.ErrNoRows) {
		return ResultDocument{}, nil, egov.Errorf(egov.ENOTFOUND, "result.not_found")
	}
	if err != nil {
		return ResultDocument{}, nil, err
	}
	ok, err := s.mayDownloadResult(ctx, a, d)
	if err != nil {
		return ResultDocument{}, nil, err
	}
	if !ok {
		return ResultDocument{}, nil, egov.Errorf(egov.ECONFLICT, "result.not_ready", egov.Msg("dossier.status."+string(d.Status)))
	}
	if s.isApplicant(a, d) {
		return res, content, nil
	}
	unit, err := s.unitCode(ctx, d.UnitID)
	if err != nil {
		return ResultDocument{}, nil, err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "dossier.result_read",
			ObjectType: "dossier", ObjectID: d.Code, UnitCode: unit, Summary: "tải kết quả " + res.Code})
	})
	if err != nil {
		return ResultDocument{}, nil, err
	}
	return res, content, nil
}
