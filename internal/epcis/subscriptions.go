package epcis

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"egov/internal/identity"
	"egov/internal/jobs"
	"egov/internal/store"
)

// Subscription is a webhook subscription to a named query.
type Subscription struct {
	ID             string // the subscriptionID
	Query          string // the query's name
	Dest           string
	Stream         bool
	ReportIfEmpty  bool
	CreatedAt      time.Time
	LastNotifiedAt time.Time // zero until the first delivery
	token          string
}

// NewSubscription is the body of a subscription request.
type NewSubscription struct {
	Dest           string `json:"dest"`
	SignatureToken string `json:"signatureToken"`
	Stream         bool   `json:"stream"`
	ReportIfEmpty  bool   `json:"reportIfEmpty"`
}

const deliverJob = "epcis.deliver"

// UseJobs registers the delivery of subscriptions on the job queue; until
// it is called, captures notify no one.
func (s *Service) UseJobs(q *jobs.Queue) {
	s.jobs = q
	q.Handle(deliverJob, s.deliver)
}

// Subscribe adds a webhook subscription to a named query. Only stream
// subscriptions (every capture's matching events) are supported: a
// scheduled one is refused.
func (s *Service) Subscribe(ctx context.Context, a *identity.Actor, query string, ns NewSubscription) (*Subscription, error) {
	org, err := s.scope(ctx, a)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(ns.Dest)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, exception(ValidationException, http.StatusBadRequest, "dest must be an http(s) URL")
	}
	if !ns.Stream {
		return nil, exception(ImplementationException, http.StatusNotImplemented,
			"only stream subscriptions are supported: set stream to true")
	}
	var b [16]byte
	rand.Read(b[:])
	sub := &Subscription{ID: hex.EncodeToString(b[:]), Query: query, Dest: ns.Dest, Stream: true,
		ReportIfEmpty: ns.ReportIfEmpty, CreatedAt: s.Now().UTC(), token: ns.SignatureToken}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var qid int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM epcis_queries WHERE name = ?`, query).Scan(&qid)
		if errors.Is(err, sql.ErrNoRows) {
			return exception(NoSuchNameException, http.StatusNotFound, "no query named %s", query)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO epcis_subscriptions (subscription_id, query_id, dest, signature_token, stream,
			report_if_empty, user_id, org_id, created_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)`,
			sub.ID, qid, sub.Dest, sub.token, boolInt(sub.ReportIfEmpty), a.ID(), nullID(org), store.FormatTime(sub.CreatedAt))
		return err
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

const subscriptionColumns = `s.subscription_id, q.name, s.dest, s.signature_token, s.stream, s.report_if_empty, s.created_at, s.last_notified_at`

// scanSubscription reads subscriptionColumns, then any extra columns into
// extra.
func scanSubscription(row interface{ Scan(...any) error }, extra ...any) (*Subscription, error) {
	var sub Subscription
	var stream, empty int
	var created, notified string
	dest := append([]any{&sub.ID, &sub.Query, &sub.Dest, &sub.token, &stream, &empty, &created, &notified}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	sub.Stream, sub.ReportIfEmpty = stream == 1, empty == 1
	sub.CreatedAt, _ = store.ParseTime(created)
	if notified != "" {
		sub.LastNotifiedAt, _ = store.ParseTime(notified)
	}
	return &sub, nil
}

// Subscriptions lists the subscriptions to a named query.
func (s *Service) Subscriptions(ctx context.Context, a *identity.Actor, query string) ([]*Subscription, error) {
	if _, err := s.Query(ctx, a, query); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+subscriptionColumns+` FROM epcis_subscriptions s
		JOIN epcis_queries q ON q.id = s.query_id WHERE q.name = ? ORDER BY s.id`, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Subscription{}
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// GetSubscription returns one subscription to a named query.
func (s *Service) GetSubscription(ctx context.Context, a *identity.Actor, query, id string) (*Subscription, error) {
	if _, err := s.AccessOf(ctx, a); err != nil {
		return nil, err
	}
	sub, err := scanSubscription(s.db.QueryRowContext(ctx, `SELECT `+subscriptionColumns+` FROM epcis_subscriptions s
		JOIN epcis_queries q ON q.id = s.query_id WHERE q.name = ? AND s.subscription_id = ?`, query, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, exception(NoSuchResourceException, http.StatusNotFound, "no subscription %s to %s", id, query)
	}
	return sub, err
}

// Unsubscribe deletes a subscription; deliveries already queued find it
// gone and stop.
func (s *Service) Unsubscribe(ctx context.Context, a *identity.Actor, query, id string) error {
	if _, err := s.GetSubscription(ctx, a, query, id); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM epcis_subscriptions WHERE subscription_id = ?`, id)
		return err
	})
}

type delivery struct {
	Subscription string `json:"subscription"`
	Capture      int64  `json:"capture"`
}

// notifySubscribers enqueues, in the capture's transaction, a delivery per
// stream subscription.
func (s *Service) notifySubscribers(ctx context.Context, tx *store.Tx, captureID int64) error {
	if s.jobs == nil {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT subscription_id FROM epcis_subscriptions WHERE stream = 1`)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.jobs.Enqueue(ctx, tx, deliverJob, delivery{id, captureID}); err != nil {
			return err
		}
	}
	return nil
}

// Signature is the GS1-Signature of a delivery: HMAC-SHA256 of the body
// under the subscription's signature token, in hex.
func Signature(token string, body []byte) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// deliver posts one capture's matching events to a subscriber.
func (s *Service) deliver(ctx context.Context, j *jobs.Job) error {
	var d delivery
	if err := json.Unmarshal(j.Payload, &d); err != nil {
		return jobs.Permanent(err)
	}
	var query string
	var org sql.NullInt64 // the subscriber's organisation: it gets what that sees
	sub, err := scanSubscription(s.db.QueryRowContext(ctx, `SELECT `+subscriptionColumns+`, q.query, s.org_id FROM epcis_subscriptions s
		JOIN epcis_queries q ON q.id = s.query_id WHERE s.subscription_id = ?`, d.Subscription), &query, &org)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // unsubscribed since
	}
	if err != nil {
		return err
	}
	v, err := s.QueryValues([]byte(query))
	if err != nil {
		return jobs.Permanent(err)
	}
	q, err := s.ParseQuery(v, nil)
	if err != nil {
		return jobs.Permanent(err)
	}
	q.where = append(q.where, "capture_id = ?")
	q.args = append(q.args, d.Capture)
	q.perPage = s.Limits.MaxEvents
	page, err := s.queryEvents(ctx, org.Int64, q, v)
	if err != nil {
		return err
	}
	if len(page.Events) == 0 && !sub.ReportIfEmpty {
		return nil
	}
	doc := QueryDocument(page.Events, s.Now())
	qr := doc["epcisBody"].(map[string]any)["queryResults"].(map[string]any)
	qr["queryName"], qr["subscriptionID"] = sub.Query, sub.ID
	body, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", sub.Dest, bytes.NewReader(body))
	if err != nil {
		return jobs.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/ld+json")
	req.Header.Set("GS1-EPCIS-Version", "2.0.0")
	if sub.token != "" {
		req.Header.Set("GS1-Signature", Signature(sub.token, body))
	}
	res, err := s.Client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	res.Body.Close()
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
	case res.StatusCode == http.StatusGone || res.StatusCode == http.StatusNotFound:
		return jobs.Permanent(fmt.Errorf("the subscriber answered %s", res.Status))
	default:
		return fmt.Errorf("the subscriber answered %s", res.Status)
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE epcis_subscriptions SET last_notified_at = ? WHERE subscription_id = ?`,
			store.FormatTime(s.Now()), sub.ID)
		return err
	})
}
