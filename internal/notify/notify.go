// Package notify tells a dossier's applicant what happened to it: on
// receipt, a request for more documents, an apology with a new date, a
// refusal and the result, an e-mail (when the dossier has an address) and
// an SMS (when it has a phone number).
//
// Messages are rendered in the transaction of the dossier's change (the
// Dossiers.Notify hook), stored with their delivery status and handed to a
// background job each, so a change that rolls back sends nothing and a
// provider that is down delays the message instead of the officer. The job
// retries with backoff; each attempt updates the message: queued, sent, or
// failed with the last error.
package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/dossier"
	"egov/internal/i18n"
	"egov/internal/identity"
	"egov/internal/jobs"
	"egov/internal/store"
	"egov/internal/units"
)

// Channels.
const (
	Email = "email"
	SMS   = "sms"
)

// Delivery statuses.
const (
	Queued = "queued"
	Sent   = "sent"
	Failed = "failed"
)

// Mail is one e-mail to send; the mailer adds the sender and the headers.
type Mail struct {
	To      string
	Subject string
	Body    string // plain text, UTF-8
}

// Mailer sends e-mail. An error marked jobs.Permanent fails the message at
// once; any other is retried.
type Mailer interface {
	Name() string // recorded with each message it took
	SendMail(ctx context.Context, m *Mail) error
}

// SMSSender sends text messages through an SMS provider, with the same
// error convention as Mailer.
type SMSSender interface {
	Name() string
	SendSMS(ctx context.Context, to, text string) error
}

// Recorder is the development provider for both channels: it sends
// nothing, and the message stays recorded in the database, where
// administrators read it (the messages page). It is what runs when no SMTP
// server or SMS provider is configured, so a demo works offline.
type Recorder struct{}

func (Recorder) Name() string                                  { return "dev" }
func (Recorder) SendMail(context.Context, *Mail) error         { return nil }
func (Recorder) SendSMS(context.Context, string, string) error { return nil }

// JobKind is the kind of the delivery jobs.
const JobKind = "notify.deliver"

// Service renders, stores and delivers the notices.
type Service struct {
	db    *store.DB
	units *units.Service
	ds    *dossier.Dossiers
	queue *jobs.Queue

	// Mailer sends the e-mails, SMS the text messages (Recorder: record
	// only).
	Mailer Mailer
	SMS    SMSSender
	// BaseURL is the public address of the site (https://dichvucong...),
	// for the lookup link in the messages.
	BaseURL string
	// Now returns the current time; tests replace it.
	Now func() time.Time
}

// New returns the service, with both channels recorded only, and
// registers its delivery job on q.
func New(db *store.DB, us *units.Service, ds *dossier.Dossiers, q *jobs.Queue) *Service {
	s := &Service{db: db, units: us, ds: ds, queue: q, Mailer: Recorder{}, SMS: Recorder{}, Now: time.Now}
	q.Handle(JobKind, s.deliver)
	return s
}

type payload struct {
	Message int64 `json:"message"`
}

// Notify is the Dossiers.Notify hook: it renders the notices of n in the
// applicant's language and stores and enqueues one message per channel,
// in the dossier's transaction.
func (s *Service) Notify(ctx context.Context, tx *store.Tx, n dossier.Notification) error {
	d := n.Dossier
	if n.Kind == dossier.NotifyFiled {
		// The citizen filed it themself: the language of their request is
		// the one to write to them in.
		// Vietnamese is the default, so only another language is stored
		// (no extra write for most filings).
		lang := i18n.LangFrom(ctx)
		if lang != i18n.EN {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO notification_langs (dossier_id, lang) VALUES (?, ?)
			ON CONFLICT (dossier_id) DO UPDATE SET lang = excluded.lang`, d.ID, lang)
		return err
	}
	lang := i18n.VI
	// A dossier created in this transaction (a counter intake) has no
	// language stored yet: the read would be a round trip for nothing.
	if d.Version > 1 {
		err := tx.QueryRowContext(ctx, `SELECT lang FROM notification_langs WHERE dossier_id = ?`, d.ID).Scan(&lang)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	g, err := s.units.Graph(ctx)
	if err != nil {
		return err
	}
	unitName := ""
	if u := g.ByID(d.UnitID); u != nil {
		unitName = u.Name
	}
	m := render(lang, n, unitName, s.lookupLink(d.Code))
	if to := emailAddress(d.ApplicantEmail); to != "" {
		if err := s.add(ctx, tx, n, Email, to, lang, m.Subject, m.Body); err != nil {
			return err
		}
	}
	if identity.ValidPhone(d.ApplicantPhone) {
		if err := s.add(ctx, tx, n, SMS, d.ApplicantPhone, lang, "", m.SMS); err != nil {
			return err
		}
	}
	return nil
}

// emailAddress returns the bare address of s when it is one address and
// nothing else (so nothing can reach the mail headers), else "".
func emailAddress(s string) string {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if s == "" || err != nil || a.Address != s || len(s) > 254 || strings.ContainsAny(s, "\r\n") {
		return ""
	}
	return s
}

func (s *Service) lookupLink(code string) string {
	base := strings.TrimRight(s.BaseURL, "/")
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	return base + "/lookup?code=" + code
}

func (s *Service) add(ctx context.Context, tx *store.Tx, n dossier.Notification, channel, to, lang, subject, body string) error {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO notifications (dossier_id, unit_id, event, channel, recipient, lang,
		subject, body, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		n.Dossier.ID, n.Dossier.UnitID, string(n.Kind), channel, to, lang, subject, body, Queued,
		store.FormatTime(s.Now())).Scan(&id)
	if err != nil {
		return err
	}
	return s.queue.Enqueue(ctx, tx, JobKind, payload{Message: id})
}

// deliver is the job that sends one message and records how it went.
func (s *Service) deliver(ctx context.Context, j *jobs.Job) error {
	var p payload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(err)
	}
	m, err := s.message(ctx, p.Message)
	if err != nil {
		return err
	}
	if m.Status != Queued {
		return nil // a repeated run after it was sent (or given up)
	}
	var provider string
	switch m.Channel {
	case Email:
		provider = s.Mailer.Name()
		err = s.Mailer.SendMail(ctx, &Mail{To: m.Recipient, Subject: m.Subject, Body: m.Body})
	case SMS:
		provider = s.SMS.Name()
		err = s.SMS.SendSMS(ctx, m.Recipient, m.Body)
	default:
		err = jobs.Permanent(fmt.Errorf("notify: unknown channel %q", m.Channel))
	}
	if err != nil {
		// Stored as the message's and the job's last error, shown to
		// administrators: no recipient in clear.
		err = maskedError{err}
	}
	// The message's status changes in the commit that records the job's
	// outcome, so the two always agree.
	j.OnFinish(func(ctx context.Context, tx *store.Tx, state, lastError string) error {
		status, sentAt := Sent, any(store.FormatTime(s.Now()))
		switch state {
		case jobs.Queued:
			status, sentAt = Queued, nil
		case jobs.Failed:
			status, sentAt = Failed, nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET status = ?, provider = ?, attempts = ?, last_error = ?,
			sent_at = ? WHERE id = ?`, status, provider, j.Attempt, lastError, sentAt, m.ID)
		return err
	})
	return err
}

// Message is a stored notice and its delivery status.
type Message struct {
	ID          int64
	DossierCode string
	UnitID      int64
	Event       dossier.NotificationKind
	Channel     string
	Recipient   string
	Lang        string
	Subject     string
	Body        string
	Status      string
	Provider    string
	Attempts    int
	LastError   string
	CreatedAt   time.Time
	SentAt      time.Time
}

const messageColumns = `n.id, d.code, n.unit_id, n.event, n.channel, n.recipient, n.lang, n.subject, n.body, n.status,
	n.provider, n.attempts, n.last_error, n.created_at, n.sent_at`

func scanMessage(row interface{ Scan(...any) error }) (*Message, error) {
	var m Message
	var code sql.NullString
	var event, created string
	var sent sql.NullString
	if err := row.Scan(&m.ID, &code, &m.UnitID, &event, &m.Channel, &m.Recipient, &m.Lang, &m.Subject, &m.Body,
		&m.Status, &m.Provider, &m.Attempts, &m.LastError, &created, &sent); err != nil {
		return nil, err
	}
	m.DossierCode, m.Event = code.String, dossier.NotificationKind(event)
	m.CreatedAt, _ = store.ParseTime(created)
	if sent.Valid {
		m.SentAt, _ = store.ParseTime(sent.String)
	}
	return &m, nil
}

func (s *Service) message(ctx context.Context, id int64) (*Message, error) {
	return scanMessage(s.db.QueryRowContext(ctx, `SELECT `+messageColumns+`
		FROM notifications n JOIN dossiers d ON d.id = n.dossier_id WHERE n.id = ?`, id))
}

// Filter selects messages for List.
type Filter struct {
	Channel string // "", Email or SMS
	Status  string // "", Queued, Sent or Failed
	Dossier string // a dossier code
	Before  int64  // only messages older than this id (paging)
	Limit   int    // at most 200
}

// List returns the messages the actor may read, newest first: the audit
// readers (administrators, leaders) see those of the dossiers within their
// territory. Recipients come masked; a list of one dossier's messages is
// audited.
func (s *Service) List(ctx context.Context, a *identity.Actor, f Filter) ([]*Message, error) {
	unitIDs, err := s.ds.Territory(ctx, a, identity.PermAuditRead)
	if err != nil {
		return nil, err
	}
	var where []string
	var args []any
	if unitIDs != nil {
		if len(unitIDs) == 0 {
			return nil, nil
		}
		where = append(where, "n.unit_id IN (?"+strings.Repeat(", ?", len(unitIDs)-1)+")")
		for _, id := range unitIDs {
			args = append(args, id)
		}
	}
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	switch f.Channel {
	case "":
	case Email, SMS:
		add("n.channel = ?", f.Channel)
	default:
		return nil, egov.FieldError("channel", "notify.filter_invalid")
	}
	switch f.Status {
	case "":
	case Queued, Sent, Failed:
		add("n.status = ?", f.Status)
	default:
		return nil, egov.FieldError("status", "notify.filter_invalid")
	}
	if f.Dossier != "" {
		add("d.code = ?", f.Dossier)
	}
	if f.Before > 0 {
		add("n.id < ?", f.Before)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 200
	}
	q := `SELECT ` + messageColumns + ` FROM notifications n JOIN dossiers d ON d.id = n.dossier_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY n.id DESC LIMIT ?"
	rows, err := s.db.QueryContext(ctx, q, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		// (Errors are stored masked; masking again covers older rows.)
		m.Recipient, m.LastError = MaskRecipient(m.Channel, m.Recipient), identity.MaskContactsIn(m.LastError)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if f.Dossier == "" {
		return out, nil
	}
	// One dossier's messages say who its applicant is and what they were
	// told: reading them is audited, like reading the dossier.
	unitCode := ""
	if len(out) > 0 {
		if g, err := s.units.Graph(ctx); err == nil {
			if u := g.ByID(out[0].UnitID); u != nil {
				unitCode = u.Code
			}
		}
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "notify.read",
			ObjectType: "dossier", ObjectID: f.Dossier, UnitCode: unitCode,
			Summary: fmt.Sprintf("xem %d thông báo gửi người nộp hồ sơ", len(out))})
	})
	return out, err
}
