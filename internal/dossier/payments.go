package dossier

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/workcal"
)

// PaymentStatus is where an online payment stands.
type PaymentStatus string

const (
	PaymentPending PaymentStatus = "pending"
	PaymentPaid    PaymentStatus = "paid"
	PaymentFailed  PaymentStatus = "failed"
)

// Payment is one attempt to pay a dossier's fee online.
type Payment struct {
	ID          int64 // internal only
	Ref         string
	DossierID   int64
	DossierCode string
	Amount      int64
	Status      PaymentStatus
	Provider    string
	ProviderTxn string
	CreatedAt   time.Time
	PaidAt      time.Time

	// Of the dossier: who pays, for what, where.
	UnitID        int64
	ApplicantID   int64
	ApplicantName string
	ProcedureCode string
}

// Notice is what a payment provider reports about a payment, once its
// signature is verified.
type Notice struct {
	Provider string
	Ref      string
	Amount   int64
	Status   PaymentStatus // paid or failed
	Txn      string        // the provider's transaction
	At       time.Time
}

// Gateway is a payment provider: it hosts the payment page, and signs
// what it reports back (the browser's return and the server-to-server
// notification).
type Gateway interface {
	// Name is the provider's name stored with each payment.
	Name() string
	// Start returns the page of the provider where the applicant pays p;
	// afterwards the provider sends the browser to returnURL.
	Start(p Payment, returnURL string) (redirectURL string, err error)
	// Verify checks the signature and the freshness of what the provider
	// sent, and returns the notice it carries.
	Verify(params url.Values) (Notice, error)
}

// NoticeMaxAge is how old a signed notice may be: an older one is a replay.
const NoticeMaxAge = 15 * time.Minute

// Signature parameters of a notice.
const (
	paramRef    = "ref"
	paramAmount = "amount"
	paramStatus = "status"
	paramTxn    = "txn"
	paramTime   = "ts"
	paramSig    = "sig"
)

// canonical is the string a notice's signature covers: the fields in a
// fixed order, each on its own line.
func canonical(ref, amount, status, txn, ts string) string {
	return strings.Join([]string{ref, amount, status, txn, ts}, "\n")
}

func sign(secret []byte, s string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

// SignNotice returns the query parameters that carry n, signed with
// HMAC-SHA256 under secret.
func SignNotice(secret []byte, n Notice) url.Values {
	amount, ts := strconv.FormatInt(n.Amount, 10), strconv.FormatInt(n.At.Unix(), 10)
	return url.Values{paramRef: {n.Ref}, paramAmount: {amount}, paramStatus: {string(n.Status)}, paramTxn: {n.Txn},
		paramTime: {ts}, paramSig: {sign(secret, canonical(n.Ref, amount, string(n.Status), n.Txn, ts))}}
}

var errBadSignature = egov.Errorf(egov.EINVALID, "payment.bad_signature")

// VerifyNotice checks params signed by SignNotice under secret, at now: a
// wrong signature, a malformed field, or a time more than NoticeMaxAge
// away from now is refused.
func VerifyNotice(secret []byte, params url.Values, now time.Time) (Notice, error) {
	get := func(k string) string {
		if len(params[k]) != 1 {
			return ""
		}
		return params[k][0]
	}
	ref, amount, status, txn, ts, sig := get(paramRef), get(paramAmount), get(paramStatus), get(paramTxn), get(paramTime), get(paramSig)
	want := sign(secret, canonical(ref, amount, status, txn, ts))
	if len(secret) == 0 || sig == "" || !hmac.Equal([]byte(sig), []byte(want)) {
		return Notice{}, errBadSignature
	}
	n := Notice{Ref: ref, Txn: txn, Status: PaymentStatus(status)}
	var err error
	if n.Amount, err = strconv.ParseInt(amount, 10, 64); err != nil || n.Amount <= 0 || ref == "" || txn == "" ||
		(n.Status != PaymentPaid && n.Status != PaymentFailed) {
		return Notice{}, errBadSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Notice{}, errBadSignature
	}
	n.At = time.Unix(sec, 0).UTC()
	if age := now.Sub(n.At); age > NoticeMaxAge || age < -NoticeMaxAge {
		return Notice{}, egov.Errorf(egov.EINVALID, "payment.stale_notice")
	}
	return n, nil
}

// payable are the statuses in which the applicant may pay the fee.
var payable = []Status{StatusNew, StatusReceived, StatusProcessing, StatusPayment}

// StartPayment starts paying the fee of the dossier with this code online:
// only its applicant may, while the dossier is filed and not finished, the
// fee is above zero and not paid yet. It returns the provider's page.
func (s *Dossiers) StartPayment(ctx context.Context, a *identity.Actor, code, returnURL string) (string, error) {
	if s.Gateway == nil {
		return "", egov.Errorf(egov.ECONFLICT, "payment.unavailable")
	}
	var p Payment
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		d, err := s.load(ctx, tx, code)
		if err != nil {
			return err
		}
		if !s.mayRead(ctx, a, d) || d.Status == StatusDraft {
			return egov.Errorf(egov.ENOTFOUND, "dossier.not_found")
		}
		if err := s.mustBeApplicant(a, d); err != nil {
			return err
		}
		ok := false
		for _, st := range payable {
			ok = ok || d.Status == st
		}
		if !ok {
			return conflict(d, "payment")
		}
		if d.Fee <= 0 {
			return egov.Errorf(egov.ECONFLICT, "payment.no_fee")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM payments WHERE dossier_id = ? AND status = 'paid'`, d.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return egov.Errorf(egov.ECONFLICT, "payment.already_paid")
		}
		now := s.Now().UTC()
		p = Payment{Ref: newRef(), DossierID: d.ID, DossierCode: d.Code, Amount: d.Fee, Status: PaymentPending,
			Provider: s.Gateway.Name(), CreatedAt: now}
		if err := tx.QueryRowContext(ctx, `INSERT INTO payments (ref, dossier_id, amount, status, provider, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, p.Ref, p.DossierID, p.Amount, string(p.Status), p.Provider,
			store.FormatTime(now)).Scan(&p.ID); err != nil {
			return err
		}
		unit, err := s.unitCode(ctx, d.UnitID)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "payment.start",
			ObjectType: "dossier", ObjectID: d.Code, UnitCode: unit,
			Summary: fmt.Sprintf("thanh toán %s: %d đồng qua %s", p.Ref, p.Amount, p.Provider)})
	})
	if err != nil {
		return "", err
	}
	return s.Gateway.Start(p, returnURL)
}

const paymentColumns = `p.id, p.ref, p.dossier_id, d.code, p.amount, p.status, p.provider, p.provider_txn, p.created_at, p.paid_at,
	d.unit_id, d.applicant_id, d.applicant_name, d.procedure_code`

func scanPayment(row interface{ Scan(...any) error }) (*Payment, error) {
	var p Payment
	var code, txn, paid sql.NullString
	var applicant sql.NullInt64
	var status, created string
	if err := row.Scan(&p.ID, &p.Ref, &p.DossierID, &code, &p.Amount, &status, &p.Provider, &txn, &created, &paid,
		&p.UnitID, &applicant, &p.ApplicantName, &p.ProcedureCode); err != nil {
		return nil, err
	}
	p.DossierCode, p.Status, p.ProviderTxn, p.ApplicantID = code.String, PaymentStatus(status), txn.String, applicant.Int64
	p.CreatedAt, _ = store.ParseTime(created)
	p.PaidAt = parseNullTime(paid)
	return &p, nil
}

// ConfirmPayment records what the provider reported in n (whose signature
// the gateway verified). It is idempotent: the same notice again changes
// nothing and succeeds. It refuses an unknown reference, an amount other
// than the payment's, and a transaction already used for another payment
// or a second, different transaction for a paid one. A payment marks the
// dossier's history and the audit log.
func (s *Dossiers) ConfirmPayment(ctx context.Context, n Notice) (*Payment, error) {
	var p *Payment
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		p, err = scanPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+`
			FROM payments p JOIN dossiers d ON d.id = p.dossier_id WHERE p.ref = ?`, n.Ref))
		if errors.Is(err, sql.ErrNoRows) {
			return egov.Errorf(egov.ENOTFOUND, "payment.not_found")
		}
		if err != nil {
			return err
		}
		if n.Provider != "" && n.Provider != p.Provider {
			return egov.Errorf(egov.ENOTFOUND, "payment.not_found")
		}
		if n.Amount != p.Amount {
			return egov.Errorf(egov.EINVALID, "payment.amount_mismatch")
		}
		if p.Status != PaymentPending {
			if p.ProviderTxn == n.Txn && p.Status == n.Status {
				return nil // a repeated notice
			}
			return egov.Errorf(egov.ECONFLICT, "payment.already_settled")
		}
		var other string
		err = tx.QueryRowContext(ctx, `SELECT ref FROM payments WHERE provider = ? AND provider_txn = ? AND id <> ?`,
			p.Provider, n.Txn, p.ID).Scan(&other)
		if err == nil {
			return egov.Errorf(egov.ECONFLICT, "payment.txn_reused")
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := s.Now().UTC()
		var paid any
		if n.Status == PaymentPaid {
			paid = store.FormatTime(now)
			p.PaidAt = now
		}
		res, err := tx.ExecContext(ctx, `UPDATE payments SET status = ?, provider_txn = ?, paid_at = ? WHERE id = ? AND status = 'pending'`,
			string(n.Status), n.Txn, paid, p.ID)
		if store.IsUniqueViolation(err) {
			return egov.Errorf(egov.ECONFLICT, "payment.txn_reused")
		}
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return egov.Errorf(egov.ECONFLICT, "dossier.changed_meanwhile")
		}
		p.Status, p.ProviderTxn = n.Status, n.Txn
		d, err := s.load(ctx, tx, p.DossierCode)
		if err != nil {
			return err
		}
		gw := &identity.Actor{System: true}
		if n.Status != PaymentPaid {
			unit, err := s.unitCode(ctx, d.UnitID)
			if err != nil {
				return err
			}
			return audit.Append(ctx, tx, &audit.Entry{ActorID: gw.ID(), ActorName: gw.Name(), Action: "payment.failed",
				ObjectType: "dossier", ObjectID: d.Code, UnitCode: unit, Summary: "thanh toán " + p.Ref + " không thành công"})
		}
		from := d.Status
		if d.Status == StatusPayment {
			// The fee the officer asked for is paid: processing resumes.
			res, err := tx.ExecContext(ctx, `UPDATE dossiers SET status = 'processing', version = version + 1, updated_at = ?
				WHERE id = ? AND version = ?`, store.FormatTime(now), d.ID, d.Version)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return egov.Errorf(egov.ECONFLICT, "dossier.changed_meanwhile")
			}
			d.Status, d.Version = StatusProcessing, d.Version+1
		}
		return s.event(ctx, tx, gw, d, "payment", from,
			fmt.Sprintf("%d đồng, %s %s", p.Amount, p.Provider, p.ProviderTxn))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// PaymentOf returns the dossier's paid payment, else its latest attempt,
// nil when there is none.
func (s *Dossiers) PaymentOf(ctx context.Context, d *Dossier) (*Payment, error) {
	p, err := scanPayment(s.db.QueryRowContext(ctx, `SELECT `+paymentColumns+`
		FROM payments p JOIN dossiers d ON d.id = p.dossier_id WHERE p.dossier_id = ?
		ORDER BY CASE WHEN p.status = 'paid' THEN 0 ELSE 1 END, p.id DESC LIMIT 1`, d.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return p, err
}

// Payments is the reconciliation list of a unit's territory over the days
// [from, to] in Vietnam: the payments paid in the period and the attempts
// started in it that were not paid, oldest first; status, when not empty,
// keeps only the payments in that status. Officers who may read the
// unit's payments (payments.read: the accountant, the desk, the leader)
// may ask.
func (s *Dossiers) Payments(ctx context.Context, a *identity.Actor, unitCode string, from, to workcal.Date, status PaymentStatus) ([]Payment, error) {
	if to.Before(from) {
		return nil, egov.FieldError("to", "dossier.period_invalid")
	}
	// Like the register, a year at most: one request reads no more.
	if to.Sub(from) >= MaxRegisterDays {
		return nil, egov.FieldError("to", "payment.period_too_long", MaxRegisterDays)
	}
	switch status {
	case "", PaymentPending, PaymentPaid, PaymentFailed:
	default:
		return nil, egov.FieldError("status", "payment.status_invalid")
	}
	ids, err := s.payTerritory(ctx, a, unitCode, identity.PermPaymentsRead)
	if err != nil {
		return nil, err
	}
	start, end := from.Time(workcal.ICT), to.AddDays(1).Time(workcal.ICT)
	args := append(ids, store.FormatTime(start), store.FormatTime(end), string(status), string(status))
	rows, err := s.db.QueryContext(ctx, `SELECT `+paymentColumns+`
		FROM payments p JOIN dossiers d ON d.id = p.dossier_id
		WHERE d.unit_id IN (`+placeholders(len(ids))+`)
		AND COALESCE(p.paid_at, p.created_at) >= ? AND COALESCE(p.paid_at, p.created_at) < ?
		AND (? = '' OR p.status = ?)
		ORDER BY COALESCE(p.paid_at, p.created_at), p.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

// PaymentTotals sums a reconciliation list by status.
type PaymentTotals struct {
	Count  map[PaymentStatus]int
	Amount map[PaymentStatus]int64
}

// TotalsOf sums the payments by status.
func TotalsOf(ps []Payment) PaymentTotals {
	t := PaymentTotals{Count: map[PaymentStatus]int{}, Amount: map[PaymentStatus]int64{}}
	for _, p := range ps {
		t.Count[p.Status]++
		t.Amount[p.Status] += p.Amount
	}
	return t
}

// payTerritory returns the ids of the units of unitCode's territory (as
// Stats counts them), once the actor's permission on it is checked.
func (s *Dossiers) payTerritory(ctx context.Context, a *identity.Actor, unitCode string, perm identity.Permission) ([]any, error) {
	g, u, err := s.todayUnit(ctx, unitCode)
	if err != nil {
		return nil, err
	}
	if err := s.ids.Can(ctx, a, perm, u.ID); err != nil {
		return nil, err
	}
	var ids []any
	for id := range g.Territory(u, s.units.Today()) {
		ids = append(ids, id)
	}
	return ids, nil
}
