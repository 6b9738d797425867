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

	"egov"
	"egov/internal/identity"
	"egov/internal/jobs"
	"egov/internal/store"
)

// Subscription is a webhook subscription to a named query: a stream one,
// notified of each capture's matching events, or a scheduled one, sent at
// each time of its schedule the matching events recorded since the
// previous run.
type Subscription struct {
	ID             string // the subscriptionID
	Query          string // the query's name
	Dest           string
	Stream         bool
	Schedule       *Schedule // nil for a stream subscription
	ReportIfEmpty  bool
	CreatedAt      time.Time
	LastNotifiedAt time.Time // zero until the first delivery
	// A scheduled subscription's first run starts at InitialRecordTime;
	// each run ends at a cut-off, where the next one starts (MinRecordTime,
	// the standard's minRecordTime). NextRunAt is its next time.
	InitialRecordTime time.Time
	MinRecordTime     time.Time
	NextRunAt         time.Time
	token             string
}

// NewSubscription is the body of a subscription request: stream true or a
// schedule, not both.
type NewSubscription struct {
	Dest              string    `json:"dest"`
	SignatureToken    string    `json:"signatureToken"`
	Stream            bool      `json:"stream"`
	Schedule          *Schedule `json:"schedule"`
	ReportIfEmpty     bool      `json:"reportIfEmpty"`
	InitialRecordTime string    `json:"initialRecordTime"`
}

const (
	deliverJob  = "epcis.deliver"
	scheduleJob = "epcis.schedule"
)

// UseJobs registers the delivery of subscriptions on the job queue; until
// it is called, captures notify no one and schedules do not run. ids
// gives the subscribers' actors: each delivery checks that its subscriber
// still has the access it subscribed with.
func (s *Service) UseJobs(q *jobs.Queue, ids *identity.Service) {
	s.jobs, s.ids = q, ids
	q.Handle(deliverJob, s.deliver)
	q.Handle(scheduleJob, s.runSchedule)
}

// Subscribe adds a webhook subscription to a named query of the actor's
// organisation. Its deliveries see what the subscriber's queries see.
func (s *Service) Subscribe(ctx context.Context, a *identity.Actor, query string, ns NewSubscription) (*Subscription, error) {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return nil, err
	}
	scope := acc.Org // what its deliveries see, as scope() says
	if acc.Admin {
		scope = 0
	}
	u, err := url.Parse(ns.Dest)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, exception(ValidationException, http.StatusBadRequest, "dest must be an http(s) URL")
	}
	var tt *Timetable
	switch {
	case ns.Stream && ns.Schedule != nil:
		return nil, subscriptionError("a subscription has stream true or a schedule, not both")
	case ns.Schedule != nil:
		if tt, err = ParseSchedule(*ns.Schedule); err != nil {
			return nil, err
		}
	case !ns.Stream:
		return nil, subscriptionError("set stream to true, or give a schedule")
	}
	now := s.Now().UTC()
	var b [16]byte
	rand.Read(b[:])
	sub := &Subscription{ID: hex.EncodeToString(b[:]), Dest: ns.Dest, Stream: ns.Stream, Schedule: ns.Schedule,
		ReportIfEmpty: ns.ReportIfEmpty, CreatedAt: now, token: ns.SignatureToken}
	var schedule string
	if tt != nil {
		sub.InitialRecordTime = now
		if ns.InitialRecordTime != "" {
			t, err := ParseTime(ns.InitialRecordTime)
			if err != nil {
				return nil, subscriptionError("initialRecordTime: %v", err)
			}
			sub.InitialRecordTime = t.UTC()
		}
		sub.MinRecordTime, sub.NextRunAt = sub.InitialRecordTime, tt.Next(now).UTC()
		j, _ := json.Marshal(ns.Schedule)
		schedule = string(j)
	} else if ns.InitialRecordTime != "" {
		return nil, subscriptionError("initialRecordTime is for scheduled subscriptions: a stream one gets the events captured after it")
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		q, err := s.findQuery(ctx, tx, a, acc, query)
		if err != nil {
			return err
		}
		sub.Query = q.name
		_, err = tx.ExecContext(ctx, `INSERT INTO epcis_subscriptions (subscription_id, query_id, dest, signature_token, stream,
			report_if_empty, user_id, org_id, created_at, schedule, initial_record_time, min_record_time, next_run_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sub.ID, q.id, sub.Dest, sub.token, boolInt(sub.Stream), boolInt(sub.ReportIfEmpty), a.ID(), nullID(scope),
			store.FormatTime(sub.CreatedAt), schedule, formatTime(sub.InitialRecordTime), formatTime(sub.MinRecordTime),
			formatTime(sub.NextRunAt))
		if err != nil || tt == nil || s.jobs == nil {
			return err
		}
		return s.enqueueTick(ctx, tx, sub.ID, sub.NextRunAt)
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// formatTime is store.FormatTime, and "" for the zero time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return store.FormatTime(t)
}

func parseTime(s string) time.Time {
	t, _ := store.ParseTime(s)
	return t
}

const subscriptionColumns = `s.subscription_id, q.name, s.dest, s.signature_token, s.stream, s.report_if_empty, s.created_at,
	s.last_notified_at, s.schedule, s.initial_record_time, s.min_record_time, s.next_run_at`

// scanSubscription reads subscriptionColumns, then any extra columns into
// extra.
func scanSubscription(row interface{ Scan(...any) error }, extra ...any) (*Subscription, error) {
	var sub Subscription
	var stream, empty int
	var created, notified, schedule, initial, min, next string
	dest := append([]any{&sub.ID, &sub.Query, &sub.Dest, &sub.token, &stream, &empty, &created, &notified,
		&schedule, &initial, &min, &next}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	sub.Stream, sub.ReportIfEmpty = stream == 1, empty == 1
	sub.CreatedAt, sub.LastNotifiedAt = parseTime(created), parseTime(notified)
	sub.InitialRecordTime, sub.MinRecordTime, sub.NextRunAt = parseTime(initial), parseTime(min), parseTime(next)
	if schedule != "" {
		sub.Schedule = &Schedule{}
		if err := json.Unmarshal([]byte(schedule), sub.Schedule); err != nil {
			return nil, err
		}
	}
	return &sub, nil
}

// Subscriptions lists the subscriptions to a named query of the actor's
// organisation.
func (s *Service) Subscriptions(ctx context.Context, a *identity.Actor, query string) ([]*Subscription, error) {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return nil, err
	}
	q, err := s.findQuery(ctx, s.db, a, acc, query)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+subscriptionColumns+` FROM epcis_subscriptions s
		JOIN epcis_queries q ON q.id = s.query_id WHERE s.query_id = ? ORDER BY s.id`, q.id)
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

// GetSubscription returns one subscription to a named query of the actor's
// organisation.
func (s *Service) GetSubscription(ctx context.Context, a *identity.Actor, query, id string) (*Subscription, error) {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return nil, err
	}
	q, err := s.findQuery(ctx, s.db, a, acc, query)
	if err != nil {
		return nil, err
	}
	sub, err := scanSubscription(s.db.QueryRowContext(ctx, `SELECT `+subscriptionColumns+` FROM epcis_subscriptions s
		JOIN epcis_queries q ON q.id = s.query_id WHERE s.query_id = ? AND s.subscription_id = ?`, q.id, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, exception(NoSuchResourceException, http.StatusNotFound, "no subscription %s to %s", id, query)
	}
	return sub, err
}

// Unsubscribe deletes a subscription; deliveries and runs already queued
// find it gone and stop.
func (s *Service) Unsubscribe(ctx context.Context, a *identity.Actor, query, id string) error {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		q, err := s.findQuery(ctx, tx, a, acc, query)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM epcis_subscriptions WHERE query_id = ? AND subscription_id = ?`, q.id, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = exception(NoSuchResourceException, http.StatusNotFound, "no subscription %s to %s", id, query)
			}
			return err
		}
		return nil
	})
}

// delivery is the payload of a delivery job: a stream subscription's
// capture, or a scheduled run's events recorded in [From, To). Page, when
// set, is where a run of more events than a document holds goes on.
type delivery struct {
	Subscription string `json:"subscription"`
	Capture      int64  `json:"capture,omitempty"`
	From         string `json:"from,omitempty"`
	To           string `json:"to,omitempty"`
	Page         string `json:"page,omitempty"`
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
		if err := s.jobs.Enqueue(ctx, tx, deliverJob, delivery{Subscription: id, Capture: captureID}); err != nil {
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

// deliver posts a stream subscription's capture, or a scheduled run, to
// the subscriber: the events its query matches among those its
// organisation sees, as an EPCISQueryDocument signed with the
// subscription's token. A failure is retried with the queue's backoff;
// an answer 404 or 410 ends the delivery.
func (s *Service) deliver(ctx context.Context, j *jobs.Job) error {
	var d delivery
	if err := json.Unmarshal(j.Payload, &d); err != nil {
		return jobs.Permanent(err)
	}
	var query string
	var user int64
	var org sql.NullInt64 // the subscriber's organisation: it gets what that sees
	sub, err := scanSubscription(s.db.QueryRowContext(ctx, `SELECT `+subscriptionColumns+`, q.query, s.user_id, s.org_id FROM epcis_subscriptions s
		JOIN epcis_queries q ON q.id = s.query_id WHERE s.subscription_id = ?`, d.Subscription), &query, &user, &org)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // unsubscribed since
	}
	if err != nil {
		return err
	}
	if err := s.checkSubscriber(ctx, sub.ID, user, org); err != nil {
		return err
	}
	v, err := s.QueryValues([]byte(query))
	if err != nil {
		return jobs.Permanent(err)
	}
	if d.Page != "" {
		v.Set("nextPageToken", d.Page)
	}
	q, err := s.ParseQuery(v, nil)
	if err != nil {
		return jobs.Permanent(err)
	}
	if d.Capture != 0 {
		q.where = append(q.where, "capture_id = ?")
		q.args = append(q.args, d.Capture)
	} else {
		q.where = append(q.where, "record_time >= ?", "record_time < ?")
		q.args = append(q.args, d.From, d.To)
	}
	q.perPage = s.Limits.MaxEvents
	page, err := s.queryEvents(ctx, org.Int64, q, v)
	var ex *Exception
	if errors.As(err, &ex) {
		return jobs.Permanent(err) // maxEventCount exceeded, say: trying again finds as many
	}
	if err != nil {
		return err
	}
	if len(page.Events) == 0 && (!sub.ReportIfEmpty || d.Page != "") {
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
		if err != nil || page.Next == "" {
			return err
		}
		// More events than a document holds: the rest go in the next
		// delivery, which retries on its own.
		d.Page = page.Next
		return s.jobs.Enqueue(ctx, tx, deliverJob, d)
	})
}

// checkSubscriber checks, before a delivery or a scheduled run, that the
// subscription's creator still has the access its org_id was set from at
// Subscribe: still a member of that organisation, or, for a subscription
// of no organisation, still an administrator of the repository. The scope
// was fixed when the subscription was made; without this check an
// operator removed from the organisation (or moved to another), or an
// administrator who lost trace.manage, would go on receiving what they may
// no longer query. A lost access fails the job for good (jobs.Permanent);
// the subscription stays, and delivers again if the access comes back.
func (s *Service) checkSubscriber(ctx context.Context, id string, userID int64, org sql.NullInt64) error {
	if s.ids == nil {
		return errors.New("epcis: no identity service to check subscribers with")
	}
	lost := func(why string) error {
		return jobs.Permanent(fmt.Errorf("subscription %s: its subscriber (user %d) %s", id, userID, why))
	}
	u, err := s.ids.UserByID(ctx, userID)
	if egov.ErrorCode(err) == egov.ENOTFOUND {
		return lost("no longer exists")
	}
	if err != nil {
		return err
	}
	if u.Disabled {
		return lost("is disabled")
	}
	a, err := s.ids.ActorFor(ctx, u)
	if err != nil {
		return err
	}
	acc, err := s.AccessOf(ctx, a)
	switch egov.ErrorCode(err) {
	case "":
	case egov.EFORBIDDEN, egov.EUNAUTHORIZED:
		return lost("may no longer query the repository")
	default:
		return err
	}
	switch {
	case org.Valid && acc.Org != org.Int64:
		return lost("is no longer a member of the subscription's organisation")
	case !org.Valid && !acc.Admin:
		return lost("is no longer an administrator")
	}
	return nil
}
