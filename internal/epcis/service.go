package epcis

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/jobs"
	"egov/internal/store"
)

// Exception is an EPCIS exception: the problem type of the standard
// (epcisException:ValidationException…), the HTTP status and a detail.
type Exception struct {
	Type   string
	Status int
	Detail string
}

func (e *Exception) Error() string { return e.Type + ": " + e.Detail }

// The standard's exception types.
const (
	ValidationException      = "epcisException:ValidationException"
	QueryParameterException  = "epcisException:QueryParameterException"
	QueryTooLargeException   = "epcisException:QueryTooLargeException"
	CaptureLimitExceeded     = "epcisException:CaptureLimitExceededException"
	SecurityException        = "epcisException:SecurityException"
	NoSuchResourceException  = "epcisException:NoSuchResourceException"
	ImplementationException  = "epcisException:ImplementationException"
	QueryTooComplexException = "epcisException:QueryTooComplexException"
	NoSuchNameException      = "epcisException:NoSuchNameException"
	// SubscriptionControlsException: a subscription request without stream
	// or schedule, or with a schedule or initialRecordTime that is not
	// valid (EPCIS 1.2 §8.2.7; 400 in the REST binding).
	SubscriptionControlsException = "epcisException:SubscriptionControlsException"
)

func exception(typ string, status int, format string, args ...any) *Exception {
	return &Exception{Type: typ, Status: status, Detail: fmt.Sprintf(format, args...)}
}

// Limits are the capture limits the repository announces and enforces.
type Limits struct {
	MaxEvents int   // events per document
	MaxBytes  int64 // bytes per request body
}

// DefaultLimits fit a day's work of a mill in one document while keeping
// its transaction, which holds up every other writer, to a fraction of a
// second.
var DefaultLimits = Limits{MaxEvents: 2000, MaxBytes: 8 << 20}

// Service is the EPCIS repository.
type Service struct {
	db     *store.DB
	Parser *Parser
	Hasher *Hasher
	Limits Limits
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// Client delivers to subscribers: by default to public addresses only
	// (webhook.go).
	Client *http.Client
	// ScheduleSettle is how far before the start of a scheduled run its
	// cut-off lies: longer than a capture's transaction takes from setting
	// its events' recordTime (at its start) to committing them, and than
	// the clocks of processes sharing one PostgreSQL differ, so that no
	// event is recorded before a cut-off but stored after the run read up
	// to it (scheduled.go, store).
	ScheduleSettle time.Duration
	jobs           *jobs.Queue
	ids            *identity.Service // the subscribers' actors (UseJobs)
}

// NewService returns the repository over db; provincialBase is the base
// URI of the provincial identifier scheme.
func NewService(db *store.DB, provincialBase string) *Service {
	ids := Normalizer{Provincial: Provincial{Base: provincialBase}}
	return &Service{db: db, Parser: &Parser{IDs: ids}, Hasher: &Hasher{IDs: ids}, Limits: DefaultLimits, Now: time.Now,
		Client: publicClient(), ScheduleSettle: DefaultScheduleSettle}
}

// CaptureJob is the outcome of one capture request.
type CaptureJob struct {
	ID         int64
	UserID     int64
	OrgID      int64 // the organisation captured for; 0 for none
	UnitID     int64 // the unit of the capturing grant; 0 for the whole tree
	Events     int
	Success    bool
	Errors     []*Exception
	CreatedAt  time.Time
	FinishedAt time.Time
}

// captureFor checks that the actor may capture and returns the
// organisation it captures for (0 for a provincial officer who is member
// of none) and the unit of its trace_operator grant (0 for the whole tree).
func (s *Service) captureFor(ctx context.Context, a *identity.Actor) (org, unit int64, err error) {
	if a == nil {
		return 0, 0, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	units, all := a.Scope(identity.PermTraceCapture)
	if len(units) == 0 && !all {
		return 0, 0, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return 0, 0, err
	}
	if len(units) > 0 {
		unit = units[0]
	}
	return acc.Org, unit, nil
}

// Capture validates an EPCISDocument and stores all of its events, or none.
// An invalid document is refused at once; a document that is valid but
// cannot be stored (an eventID already captured) gives a failed job.
func (s *Service) Capture(ctx context.Context, a *identity.Actor, data []byte) (*CaptureJob, error) {
	org, unit, err := s.captureFor(ctx, a)
	if err != nil {
		return nil, err
	}
	return s.captureDocument(ctx, a, org, unit, data)
}

// captureDocument is Capture once captureFor has named the organisation
// and unit the actor captures for.
func (s *Service) captureDocument(ctx context.Context, a *identity.Actor, org, unit int64, data []byte) (*CaptureJob, error) {
	if int64(len(data)) > s.Limits.MaxBytes {
		return nil, exception(CaptureLimitExceeded, http.StatusRequestEntityTooLarge, "the document exceeds %d bytes", s.Limits.MaxBytes)
	}
	doc, err := s.Parser.ParseDocument(data)
	if err != nil {
		return nil, validationException(err)
	}
	if doc.Type != "EPCISDocument" {
		return nil, exception(ValidationException, http.StatusBadRequest, "capture takes an EPCISDocument, not %s", doc.Type)
	}
	if len(doc.Events) > s.Limits.MaxEvents {
		return nil, exception(CaptureLimitExceeded, http.StatusRequestEntityTooLarge, "the document has %d events, more than %d", len(doc.Events), s.Limits.MaxEvents)
	}
	return s.store(ctx, a, org, unit, doc.Events)
}

// CaptureEvent stores one event sent on its own and returns its eventID; an
// event whose eventID is already stored is a conflict.
func (s *Service) CaptureEvent(ctx context.Context, a *identity.Actor, data []byte) (string, error) {
	org, unit, err := s.captureFor(ctx, a)
	if err != nil {
		return "", err
	}
	if int64(len(data)) > s.Limits.MaxBytes {
		return "", exception(CaptureLimitExceeded, http.StatusRequestEntityTooLarge, "the event exceeds %d bytes", s.Limits.MaxBytes)
	}
	ev, err := s.Parser.ParseEvent(data)
	if err != nil {
		return "", validationException(err)
	}
	job, err := s.store(ctx, a, org, unit, []*Event{ev})
	if err != nil {
		return "", err
	}
	if !job.Success {
		return "", job.Errors[0]
	}
	return ev.EventID, nil
}

func validationException(err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return exception(ValidationException, http.StatusBadRequest, "%s", ve.Error())
	}
	return err
}

// errDuplicate aborts a capture whose event is already stored.
type errDuplicate struct{ eventID string }

func (e errDuplicate) Error() string { return "duplicate " + e.eventID }

// store writes the events in one transaction and records the job.
//
// The events' recordTime is read from the clock inside the transaction,
// not when the request arrived: a scheduled run's cut-off lies
// ScheduleSettle before the run starts (scheduled.go), and an event must
// not get a record time before a cut-off yet commit after the run read up
// to it, or it falls in no run. Stamped at the start of the transaction's
// function, with one writer per process, a capture stamped before a
// cut-off commits before the run of that cut-off reads, unless its
// transaction (or the commit it shares with others) lasts longer than
// ScheduleSettle. Processes sharing PostgreSQL also need their clocks
// within ScheduleSettle of one another. Bodies are marshalled before the
// transaction, without recordTime, which the transaction puts in front
// (withRecordTime): the writer only copies them. recordTime is not part of
// an event's hash, so eventIDs are computed before as well.
func (s *Service) store(ctx context.Context, a *identity.Actor, org, unit int64, events []*Event) (*CaptureJob, error) {
	now := s.Now().UTC()
	job := &CaptureJob{UserID: a.ID(), OrgID: org, UnitID: unit, Events: len(events), Success: true, CreatedAt: now, FinishedAt: now}
	rows := make([]eventRow, len(events))
	seen := map[string]bool{}
	for i, ev := range events {
		if ev.EventID == "" {
			ev.EventID, _ = s.Hasher.EventHash(ev.Body, ev.Context)
			ev.Body["eventID"] = ev.EventID
		}
		delete(ev.Body, "recordTime") // the incoming one is ignored; the transaction sets it
		if !ev.ErrorDeclared {
			if seen[ev.EventID] {
				job.Success = false
				job.Errors = []*Exception{duplicate(ev.EventID)}
			}
			seen[ev.EventID] = true
		}
		body, err := json.Marshal(ev.Body)
		if err != nil {
			return nil, err
		}
		ctxJSON, err := json.Marshal(ev.Context)
		if err != nil {
			return nil, err
		}
		rows[i] = eventRow{ev: ev, body: string(body), context: string(ctxJSON), exts: extensions(ev), sensors: sensorRows(ev)}
	}
	if job.Success {
		var recorded time.Time
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			recorded = s.Now().UTC()
			job.FinishedAt = recorded
			id, err := insertJob(ctx, tx, job)
			if err != nil {
				return err
			}
			job.ID = id
			stamp := EventTimeUTC(recorded)
			for _, r := range rows {
				if err := insertEvent(ctx, tx, id, job.OrgID, recorded, stamp, r); err != nil {
					return err
				}
			}
			return s.notifySubscribers(ctx, tx, id)
		})
		if err == nil {
			for _, ev := range events {
				ev.Body["recordTime"] = EventTimeUTC(recorded)
			}
		}
		var dup errDuplicate
		switch {
		case errors.As(err, &dup):
			job.Success = false
			job.Errors = []*Exception{duplicate(dup.eventID)}
		case err != nil:
			return nil, err
		default:
			return job, nil
		}
	}
	// A failed capture stores no event, only the job that says why.
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		job.FinishedAt = s.Now().UTC()
		id, err := insertJob(ctx, tx, job)
		job.ID = id
		return err
	})
	if err != nil {
		return nil, err
	}
	return job, nil
}

func duplicate(eventID string) *Exception {
	return exception(ValidationException, http.StatusConflict, "an event with eventID %s is already captured", eventID)
}

type eventRow struct {
	ev      *Event
	body    string
	context string
	exts    []Extension
	sensors []sensorRow
}

func insertJob(ctx context.Context, tx *store.Tx, job *CaptureJob) (int64, error) {
	errs, err := json.Marshal(problems(job.Errors))
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO epcis_captures (user_id, unit_id, org_id, events, success, errors, created_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, job.UserID, nullID(job.UnitID), nullID(job.OrgID), job.Events, boolInt(job.Success), string(errs),
		store.FormatTime(job.CreatedAt), store.FormatTime(job.FinishedAt)).Scan(&id)
	return id, err
}

// withRecordTime is an event's body, marshalled without recordTime, with
// recordTime (EventTimeUTC) as its first member.
func withRecordTime(body, stamp string) string {
	var b strings.Builder
	b.Grow(len(body) + len(stamp) + 16)
	b.WriteString(`{"recordTime":"`)
	b.WriteString(stamp)
	b.WriteByte('"')
	if rest := strings.TrimSpace(body[1:]); rest != "}" {
		b.WriteByte(',')
	}
	b.WriteString(body[1:])
	return b.String()
}

func insertEvent(ctx context.Context, tx *store.Tx, captureID, org int64, recordTime time.Time, stamp string, r eventRow) error {
	ev := r.ev
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO epcis_events (event_id, event_type, event_time, record_time, tz_offset, action,
		biz_step, disposition, read_point, biz_location, error_declared, error_reason, declaration_time, capture_id, org_id, body, context)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ev.EventID, ev.Type, store.FormatTime(ev.EventTime), store.FormatTime(recordTime), ev.TimeZone, ev.Action,
		ev.BizStep, ev.Disposition, ev.ReadPoint, ev.BizLocation, boolInt(ev.ErrorDeclared), ev.ErrorReason,
		declarationTime(ev), captureID, nullID(org), withRecordTime(r.body, stamp), r.context).Scan(&id)
	if store.IsUniqueViolation(err) {
		return errDuplicate{ev.EventID}
	}
	if err != nil {
		return err
	}
	// The identifiers, fields and extension values go in multi-row
	// statements, so a document costs a few statements per event, not one
	// per identifier.
	err = insertRows(ctx, tx, &epcInserts, ev.EPCs, func(e EPCRef) []any {
		var q any
		if e.Quantity != nil {
			q = *e.Quantity
		}
		return []any{id, string(e.Role), e.ID, q, e.UOM}
	})
	if err != nil {
		return err
	}
	err = insertRows(ctx, tx, &extInserts, r.exts, func(e Extension) []any {
		var num any
		if e.Num != nil {
			num = *e.Num
		}
		return []any{id, e.Scope, e.Name, e.IRI, e.Value, num}
	})
	if err != nil {
		return err
	}
	err = insertRows(ctx, tx, &sensorInserts, r.sensors, func(s sensorRow) []any { return s.values(id) })
	if err != nil {
		return err
	}
	return insertRows(ctx, tx, &fieldInserts, ev.Fields, func(f Field) []any { return []any{id, f.Name, f.Value} })
}

// insertRows inserts rows in statements of at most epcChunk rows each;
// stmts[n] is the statement for n rows. Nothing reads their answer and
// they break no unique constraint, so on PostgreSQL they travel with the
// next event's insert (ExecDeferred): a document costs about one round
// trip per event instead of three.
func insertRows[T any](ctx context.Context, tx *store.Tx, stmts *[epcChunk + 1]string, rows []T, values func(T) []any) error {
	for start := 0; start < len(rows); start += epcChunk {
		part := rows[start:min(start+epcChunk, len(rows))]
		var args []any
		for _, r := range part {
			args = append(args, values(r)...)
		}
		if err := tx.ExecDeferred(ctx, stmts[len(part)], args...); err != nil {
			return err
		}
	}
	return nil
}

func declarationTime(ev *Event) string {
	if !ev.ErrorDeclared {
		return ""
	}
	return store.FormatTime(ev.DeclarationTime)
}

const epcChunk = 64

// epcInserts[n] and fieldInserts[n] insert n identifier or field rows.
var epcInserts, fieldInserts = multiInsert("INSERT INTO epcis_event_epcs (event, role, epc, quantity, uom) VALUES ", "(?, ?, ?, ?, ?)"),
	multiInsert("INSERT INTO epcis_event_fields (event, name, value) VALUES ", "(?, ?, ?)")

var extInserts = multiInsert("INSERT INTO epcis_event_extensions (event, scope, name, iri, value, num) VALUES ", "(?, ?, ?, ?, ?, ?)")

func multiInsert(head, row string) (s [epcChunk + 1]string) {
	for n := 1; n <= epcChunk; n++ {
		s[n] = head + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
	}
	return s
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Problem is an RFC 7807 problem document.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// ProblemOf is the problem document of an exception.
func ProblemOf(e *Exception) Problem {
	title := e.Type
	if _, t, ok := cutColon(e.Type); ok {
		title = t
	}
	return Problem{Type: e.Type, Title: title, Status: e.Status, Detail: e.Detail}
}

func cutColon(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func problems(es []*Exception) []Problem {
	out := []Problem{}
	for _, e := range es {
		out = append(out, ProblemOf(e))
	}
	return out
}

// Job returns a capture job; operators see the jobs of their own
// organisation.
func (s *Service) Job(ctx context.Context, a *identity.Actor, id int64) (*CaptureJob, error) {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return nil, err
	}
	job := &CaptureJob{ID: id}
	var unitID, orgID sql.NullInt64
	var success int
	var errs, created, finished string
	err = s.db.QueryRowContext(ctx, `SELECT user_id, unit_id, org_id, events, success, errors, created_at, finished_at
		FROM epcis_captures WHERE id = ?`, id).Scan(&job.UserID, &unitID, &orgID, &job.Events, &success, &errs, &created, &finished)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !acc.Admin && orgID.Int64 != acc.Org {
		return nil, exception(NoSuchResourceException, http.StatusNotFound, "no capture job %d", id)
	}
	if err != nil {
		return nil, err
	}
	job.UnitID, job.OrgID, job.Success = unitID.Int64, orgID.Int64, success == 1
	job.CreatedAt, _ = store.ParseTime(created)
	job.FinishedAt, _ = store.ParseTime(finished)
	var ps []Problem
	if err := json.Unmarshal([]byte(errs), &ps); err != nil {
		return nil, err
	}
	for _, p := range ps {
		job.Errors = append(job.Errors, &Exception{Type: p.Type, Status: p.Status, Detail: p.Detail})
	}
	return job, nil
}

// StoredEvent is an event as the repository returns it.
type StoredEvent struct {
	Body    json.RawMessage
	Context json.RawMessage
}

// EventsByID returns the event with an eventID and the error declarations
// made for it, in capture order, whoever captured them (for the public
// provenance page; operators use EventsByIDFor).
func (s *Service) EventsByID(ctx context.Context, eventID string) ([]StoredEvent, error) {
	return s.eventsByID(ctx, 0, eventID)
}

// EventsByIDFor is EventsByID for an operator: an event its organisation
// may not see does not exist for it.
func (s *Service) EventsByIDFor(ctx context.Context, a *identity.Actor, eventID string) ([]StoredEvent, error) {
	org, err := s.scope(ctx, a)
	if err != nil {
		return nil, err
	}
	return s.eventsByID(ctx, org, eventID)
}

func (s *Service) eventsByID(ctx context.Context, org int64, eventID string) ([]StoredEvent, error) {
	where, args := limitTo(org, []string{"event_id = ?"}, []any{eventID})
	rows, err := s.db.QueryContext(ctx, `SELECT body, context FROM epcis_events`+whereClause(where)+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredEvent
	for rows.Next() {
		var body, c string
		if err := rows.Scan(&body, &c); err != nil {
			return nil, err
		}
		out = append(out, StoredEvent{Body: json.RawMessage(body), Context: json.RawMessage(c)})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, exception(NoSuchResourceException, http.StatusNotFound, "no event %s", eventID)
	}
	return out, nil
}

// FormatID is a capture job's id in its URL.
func FormatID(id int64) string { return strconv.FormatInt(id, 10) }
