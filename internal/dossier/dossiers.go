package dossier

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/units"
	"egov/internal/vntext"
	"egov/internal/workcal"
)

// Dossiers is the one-stop shop's dossier service. Every call that acts
// for a person takes the actor and checks what it may do.
type Dossiers struct {
	db    *store.DB
	ids   *identity.Service
	units *units.Service
	cal   *workcal.Service
	procs *Procedures
	// Gateway is the online payment provider (nil: no online payment).
	Gateway Gateway
	// Notify, when set, is called in the transaction of each change the
	// applicant is told about (see Notification).
	Notify func(ctx context.Context, tx *store.Tx, n Notification) error
	// Now returns the current time; tests replace it.
	Now func() time.Time

	lookups lookupGuard
}

// NewDossiers returns the dossier service.
func NewDossiers(db *store.DB, ids *identity.Service, us *units.Service, cal *workcal.Service, procs *Procedures) *Dossiers {
	return &Dossiers{db: db, ids: ids, units: us, cal: cal, procs: procs, Now: time.Now}
}

// agencyPattern is the identifier of a body in the national standard for
// document systems: V1V2V3.Z1Z2.Y1Y2.MX1X2.
var agencyPattern = regexp.MustCompile(`^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$`)

// SetAgency sets the identifier a unit's dossier codes start with. An
// administrator of the unit may set it.
func (s *Dossiers) SetAgency(ctx context.Context, a *identity.Actor, unitID int64, identifier string) error {
	if err := s.ids.Can(ctx, a, identity.PermUsersManage, unitID); err != nil {
		return err
	}
	identifier = strings.ToUpper(strings.TrimSpace(identifier))
	if !agencyPattern.MatchString(identifier) {
		return egov.FieldError("identifier", "dossier.agency_invalid")
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO unit_agencies (unit_id, identifier) VALUES (?, ?)
			ON CONFLICT (unit_id) DO UPDATE SET identifier = excluded.identifier`, unitID, identifier)
		if store.IsUniqueViolation(err) {
			return egov.FieldError("identifier", "dossier.agency_taken")
		}
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "dossier.set_agency",
			ObjectType: "unit", ObjectID: fmt.Sprint(unitID), Summary: "mã định danh cơ quan " + identifier})
	})
}

// Agency returns a unit's identifier, or "" when none is set.
func (s *Dossiers) Agency(ctx context.Context, unitID int64) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT identifier FROM unit_agencies WHERE unit_id = ?`, unitID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// Applicant is who a dossier is for.
type Applicant struct {
	Name  string
	CCCD  string
	Phone string
	Email string
}

// NewDossier is the input of a draft or a counter intake.
type NewDossier struct {
	ProcedureCode string
	UnitCode      string // today's code of the receiving unit
	Channel       Channel
	Fields        map[string]string
	// Applicant names the person at the counter; online, the signed-in
	// citizen is the applicant and this is ignored.
	Applicant Applicant
	// Files are the scanned documents handed in at the counter, attached
	// in the intake's transaction (online, the citizen attaches to the
	// draft: Attach).
	Files []Upload
}

// CreateDraft starts a dossier for a signed-in citizen (or an officer
// filing at the counter, see Intake). The fields may be incomplete; they
// are checked on submission.
func (s *Dossiers) CreateDraft(ctx context.Context, a *identity.Actor, in NewDossier) (*Dossier, error) {
	if a == nil || a.User == nil {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	if a.User.Kind != identity.Citizen {
		return nil, egov.Errorf(egov.EFORBIDDEN, "dossier.citizens_only")
	}
	proc, unit, err := s.procedureAndUnit(ctx, in)
	if err != nil {
		return nil, err
	}
	if !hasChannel(proc, ChannelOnline) {
		return nil, egov.Errorf(egov.ECONFLICT, "dossier.not_online", proc.Code)
	}
	fields, err := s.draftFields(proc, in.Fields)
	if err != nil {
		return nil, err
	}
	d := &Dossier{
		Ref: newRef(), ProcedureCode: proc.Code, UnitID: unit.ID, Channel: ChannelOnline, Status: StatusDraft,
		ApplicantID: a.User.ID, ApplicantName: a.User.FullName, ApplicantCCCD: a.User.CitizenID,
		ApplicantPhone: a.User.Phone, ApplicantEmail: a.User.Email, Fields: fields,
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return s.insert(ctx, tx, a, d, "create_draft", "")
	})
	return d, err
}

// UpdateDraft replaces the fields of a draft (the citizen saves and comes
// back later).
func (s *Dossiers) UpdateDraft(ctx context.Context, a *identity.Actor, ref string, fields map[string]string) (*Dossier, error) {
	return s.change(ctx, a, ref, func(tx *store.Tx, d *Dossier, proc *Procedure) (string, string, error) {
		if err := s.mustBeApplicant(a, d); err != nil {
			return "", "", err
		}
		if d.Status != StatusDraft {
			return "", "", conflict(d, "save_draft")
		}
		f, err := s.draftFields(proc, fields)
		if err != nil {
			return "", "", err
		}
		d.Fields = f
		return "save_draft", "", nil
	})
}

// draftFields keeps the values of known fields, bounded, without checking
// that the form is complete.
func (s *Dossiers) draftFields(proc *Procedure, in map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range in {
		if proc.Form.Field(k) == nil {
			return nil, egov.FieldError(k, "form.unknown_field", k)
		}
		v = strings.TrimSpace(vntext.NFC(v))
		if len(v) > 10000 {
			return nil, egov.FieldError(k, "form.too_long", 10000)
		}
		if v != "" {
			out[k] = v
		}
	}
	return out, nil
}

// FormErrors are the wrong fields of a submitted form, each with its own
// message. It is an EINVALID error.
type FormErrors map[string]*egov.Error

func (e FormErrors) Error() string { return fmt.Sprintf("invalid: %d fields", len(e)) }

// Unwrap makes egov.ErrorCode see EINVALID.
func (e FormErrors) Unwrap() error { return egov.Errorf(egov.EINVALID, "form.invalid", len(e)) }

// Submit files a draft online: the form must be complete and valid. The
// dossier gets its code and status "new" and waits for the receiving desk.
func (s *Dossiers) Submit(ctx context.Context, a *identity.Actor, ref string) (*Dossier, error) {
	return s.change(ctx, a, ref, func(tx *store.Tx, d *Dossier, proc *Procedure) (string, string, error) {
		if err := s.mustBeApplicant(a, d); err != nil {
			return "", "", err
		}
		if d.Status != StatusDraft {
			return "", "", conflict(d, "submit")
		}
		attached, err := attachedFields(ctx, tx, d.ID)
		if err != nil {
			return "", "", err
		}
		if err := s.fill(d, proc, attached); err != nil {
			return "", "", err
		}
		if err := s.assignCode(ctx, tx, d); err != nil {
			return "", "", err
		}
		d.Status, d.SubmittedAt = StatusNew, s.Now().UTC()
		return "submit", "", nil
	})
}

// Intake files a dossier at the counter (trực tiếp) or received by post
// (bưu chính công ích): the receiving officer checks it, it gets its code
// and is received at once, and its due date runs from now.
func (s *Dossiers) Intake(ctx context.Context, a *identity.Actor, in NewDossier) (*Dossier, error) {
	if in.Channel != ChannelDirect && in.Channel != ChannelPostal {
		return nil, egov.FieldError("channel", "dossier.channel_invalid")
	}
	proc, unit, err := s.procedureAndUnit(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := s.ids.Can(ctx, a, identity.PermDossierReceive, unit.ID); err != nil {
		return nil, err
	}
	if !hasChannel(proc, in.Channel) {
		return nil, egov.FieldError("channel", "dossier.channel_not_offered")
	}
	ap := in.Applicant
	ap.Name = strings.Join(strings.Fields(vntext.NFC(ap.Name)), " ")
	ap.Phone = strings.ReplaceAll(strings.TrimSpace(ap.Phone), " ", "")
	if ap.Name == "" || len(ap.Name) > 200 {
		return nil, egov.FieldError("applicant_name", "user.full_name_required")
	}
	if ap.CCCD != "" {
		if _, err := identity.ParseCitizenID(ap.CCCD, s.Now()); err != nil {
			return nil, err
		}
	}
	if !identity.ValidPhone(ap.Phone) {
		return nil, egov.FieldError("applicant_phone", "user.phone_invalid")
	}
	d := &Dossier{Ref: newRef(), ProcedureCode: proc.Code, UnitID: unit.ID, Channel: in.Channel, Fields: in.Fields,
		ApplicantName: ap.Name, ApplicantCCCD: strings.TrimSpace(ap.CCCD), ApplicantPhone: ap.Phone, ApplicantEmail: strings.TrimSpace(ap.Email)}
	files, err := readUploads(proc, in.Files)
	if err != nil {
		return nil, err
	}
	attached := map[string]bool{}
	for _, f := range files {
		if f.field != "" {
			attached[f.field] = true
		}
	}
	if err := s.fill(d, proc, attached); err != nil {
		return nil, err
	}
	cal, err := s.cal.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.assignCode(ctx, tx, d); err != nil {
			return err
		}
		d.Status, d.SubmittedAt, d.ReceivedAt = StatusReceived, now, now
		d.DueDate = proc.TimeLimit.Due(cal, now)
		d.OriginalDueDate = d.DueDate
		if err := s.insert(ctx, tx, a, d, "intake", ""); err != nil {
			return err
		}
		for _, f := range files {
			if _, err := s.storeAttachment(ctx, tx, a, d, f); err != nil {
				return err
			}
		}
		return s.notify(ctx, tx, "intake", d, proc, "")
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// fill validates the form, with the file fields that attachments answer,
// and computes the fee.
func (s *Dossiers) fill(d *Dossier, proc *Procedure, attached map[string]bool) error {
	clean, errs := proc.Form.ValidateWith(d.Fields, attached, workcal.LocalDate(s.Now()))
	if len(errs) > 0 {
		return FormErrors(errs)
	}
	d.Fields = clean
	fee, waived := proc.Fee.Compute(clean)
	d.Fee, d.FeeWaivedBy = fee, ""
	if waived != nil {
		d.FeeWaivedBy = waived.Field
	}
	return nil
}

// assignCode gives d its code: the agency identifier, the day (YYMMDD in
// Vietnam) and the day's sequence number at that agency, taken from a
// counter row in the same transaction, so numbers have no gaps and no
// repeats under concurrent filings.
func (s *Dossiers) assignCode(ctx context.Context, tx *store.Tx, d *Dossier) error {
	day := workcal.LocalDate(s.Now())
	y, m, dd := day.Date()
	// One statement finds the unit's agency identifier and takes the next
	// number: on PostgreSQL every statement here is a round trip on the
	// writer's connection.
	var agency string
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO dossier_counters (agency, day, n)
		SELECT identifier, ?, 1 FROM unit_agencies WHERE unit_id = ?
		ON CONFLICT (agency, day) DO UPDATE SET n = dossier_counters.n + 1 RETURNING agency, n`,
		day.String(), d.UnitID).Scan(&agency, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return egov.Errorf(egov.ECONFLICT, "dossier.no_agency")
	}
	if err != nil {
		return err
	}
	d.Code = fmt.Sprintf("%s-%02d%02d%02d-%04d", agency, y%100, int(m), dd, n)
	return nil
}

func (s *Dossiers) procedureAndUnit(ctx context.Context, in NewDossier) (*Procedure, *units.Unit, error) {
	proc, err := s.procs.Get(ctx, strings.TrimSpace(in.ProcedureCode))
	if err != nil {
		return nil, nil, err
	}
	g, err := s.units.Graph(ctx)
	if err != nil {
		return nil, nil, err
	}
	unit := g.At(strings.TrimSpace(in.UnitCode), s.units.Today())
	if unit == nil {
		return nil, nil, egov.FieldError("unit", "unit.not_found", in.UnitCode, s.units.Today().Format("2006-01-02"))
	}
	if unit.Level != proc.Level {
		return nil, nil, egov.FieldError("unit", "dossier.wrong_level")
	}
	return proc, unit, nil
}

func hasChannel(p *Procedure, c Channel) bool {
	for _, x := range p.Channels {
		if x == c {
			return true
		}
	}
	return false
}

func (s *Dossiers) mustBeApplicant(a *identity.Actor, d *Dossier) error {
	if a == nil || a.User == nil {
		return egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	if d.ApplicantID == 0 || a.User.ID != d.ApplicantID {
		return egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	return nil
}

// newRef is a random public reference: 16 characters of base32, so that
// no sequential id is ever shown.
func newRef() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}

func conflict(d *Dossier, action string) error {
	return egov.Errorf(egov.ECONFLICT, "dossier.not_allowed", egov.Msg("dossier.status."+string(d.Status)), egov.Msg("dossier.action."+action))
}

const dossierColumns = `id, ref, code, procedure_code, unit_id, channel, status, applicant_id, applicant_name, applicant_cccd,
	applicant_phone, applicant_email, fields, fee, fee_waived_by, holder_id, submitted_at, received_at, due_date,
	original_due_date, finished_at, returned_at, supplement_requests, apologised, approved, result, rating, rating_comment,
	version, created_at, updated_at`

func scanDossier(row interface{ Scan(...any) error }) (*Dossier, error) {
	var d Dossier
	var code, submitted, received, due, origDue, finished, returned sql.NullString
	var applicant, holder sql.NullInt64
	var channel, status, fields, created, updated string
	var apologised, approved int
	if err := row.Scan(&d.ID, &d.Ref, &code, &d.ProcedureCode, &d.UnitID, &channel, &status, &applicant, &d.ApplicantName,
		&d.ApplicantCCCD, &d.ApplicantPhone, &d.ApplicantEmail, &fields, &d.Fee, &d.FeeWaivedBy, &holder, &submitted,
		&received, &due, &origDue, &finished, &returned, &d.SupplementRequests, &apologised, &approved, &d.Result,
		&d.Rating, &d.RatingComment, &d.Version, &created, &updated); err != nil {
		return nil, err
	}
	d.Code, d.Channel, d.Status = code.String, Channel(channel), Status(status)
	d.ApplicantID, d.HolderID = applicant.Int64, holder.Int64
	d.Apologised, d.Approved = apologised != 0, approved != 0
	if err := json.Unmarshal([]byte(fields), &d.Fields); err != nil {
		return nil, fmt.Errorf("dossier %d fields: %w", d.ID, err)
	}
	t := func(s sql.NullString) time.Time {
		if !s.Valid {
			return time.Time{}
		}
		v, _ := store.ParseTime(s.String)
		return v
	}
	dt := func(s sql.NullString) workcal.Date {
		if !s.Valid {
			return 0
		}
		v, _ := workcal.ParseDate(s.String)
		return v
	}
	d.SubmittedAt, d.ReceivedAt, d.FinishedAt, d.ReturnedAt = t(submitted), t(received), t(finished), t(returned)
	d.DueDate, d.OriginalDueDate = dt(due), dt(origDue)
	d.CreatedAt, _ = store.ParseTime(created)
	d.UpdatedAt, _ = store.ParseTime(updated)
	return &d, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return store.FormatTime(t)
}

func nullDate(d workcal.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// insert stores a new dossier and its first event.
func (s *Dossiers) insert(ctx context.Context, tx *store.Tx, a *identity.Actor, d *Dossier, action, note string) error {
	now := s.Now().UTC()
	d.CreatedAt, d.UpdatedAt, d.Version = now, now, 1
	fields, err := json.Marshal(d.Fields)
	if err != nil {
		return err
	}
	var code any
	if d.Code != "" {
		code = d.Code
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO dossiers (ref, code, procedure_code, unit_id, channel, status, applicant_id,
		applicant_name, applicant_cccd, applicant_phone, applicant_email, fields, fee, fee_waived_by, holder_id, submitted_at,
		received_at, due_date, original_due_date, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		d.Ref, code, d.ProcedureCode, d.UnitID, string(d.Channel), string(d.Status), nullID(d.ApplicantID), d.ApplicantName,
		d.ApplicantCCCD, d.ApplicantPhone, d.ApplicantEmail, string(fields), d.Fee, d.FeeWaivedBy, nullID(d.HolderID),
		nullTime(d.SubmittedAt), nullTime(d.ReceivedAt), nullDate(d.DueDate), nullDate(d.OriginalDueDate),
		store.FormatTime(now), store.FormatTime(now)).Scan(&d.ID)
	if err != nil {
		return err
	}
	return s.event(ctx, tx, a, d, action, StatusDraft, note)
}

// event appends a step to the dossier's history and to the audit log.
func (s *Dossiers) event(ctx context.Context, tx *store.Tx, a *identity.Actor, d *Dossier, action string, from Status, note string) error {
	if err := tx.ExecDeferred(ctx, `INSERT INTO dossier_events (dossier_id, at, actor_id, actor_name, action, from_status, to_status, note, due_date)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, store.FormatTime(s.Now()), nullID(a.ID()), a.Name(), action, string(from), string(d.Status), note, nullDate(d.DueDate)); err != nil {
		return err
	}
	obj := d.Code
	if obj == "" {
		obj = d.Ref
	}
	code, err := s.unitCode(ctx, d.UnitID)
	if err != nil {
		return err
	}
	summary := fmt.Sprintf("%s: %s → %s", action, from, d.Status)
	if note != "" {
		summary += ": " + note
	}
	return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "dossier." + action,
		ObjectType: "dossier", ObjectID: obj, UnitCode: code, Summary: summary})
}

func (s *Dossiers) unitCode(ctx context.Context, id int64) (string, error) {
	g, err := s.units.Graph(ctx)
	if err != nil {
		return "", err
	}
	if u := g.ByID(id); u != nil {
		return u.Code, nil
	}
	return "", fmt.Errorf("dossier: no unit %d", id)
}

// change loads the dossier with this code or reference, lets fn change it,
// and stores it if the version read is still the stored one: of two
// officers acting at once, the second gets a conflict instead of
// overwriting the first.
func (s *Dossiers) change(ctx context.Context, a *identity.Actor, key string, fn func(tx *store.Tx, d *Dossier, p *Procedure) (action, note string, err error)) (*Dossier, error) {
	var d *Dossier
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		d, err = s.load(ctx, tx, key)
		if err != nil {
			return err
		}
		proc, err := s.procs.Get(ctx, d.ProcedureCode)
		if err != nil {
			return err
		}
		from, version := d.Status, d.Version
		action, note, err := fn(tx, d, proc)
		if err != nil {
			return err
		}
		fields, err := json.Marshal(d.Fields)
		if err != nil {
			return err
		}
		var code any
		if d.Code != "" {
			code = d.Code
		}
		d.UpdatedAt = s.Now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE dossiers SET code = ?, status = ?, fields = ?, fee = ?, fee_waived_by = ?,
			holder_id = ?, submitted_at = ?, received_at = ?, due_date = ?, original_due_date = ?, finished_at = ?,
			returned_at = ?, supplement_requests = ?, apologised = ?, approved = ?, result = ?, rating = ?,
			rating_comment = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`,
			code, string(d.Status), string(fields), d.Fee, d.FeeWaivedBy, nullID(d.HolderID), nullTime(d.SubmittedAt),
			nullTime(d.ReceivedAt), nullDate(d.DueDate), nullDate(d.OriginalDueDate), nullTime(d.FinishedAt),
			nullTime(d.ReturnedAt), d.SupplementRequests, boolInt(d.Apologised), boolInt(d.Approved), d.Result, d.Rating,
			d.RatingComment, store.FormatTime(d.UpdatedAt), d.ID, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return egov.Errorf(egov.ECONFLICT, "dossier.changed_meanwhile")
		}
		d.Version = version + 1
		if err := s.event(ctx, tx, a, d, action, from, note); err != nil {
			return err
		}
		return s.notify(ctx, tx, action, d, proc, note)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// load finds a dossier by code or by reference.
func (s *Dossiers) load(ctx context.Context, q store.Querier, key string) (*Dossier, error) {
	key = strings.TrimSpace(key)
	if key == "" || len(key) > 64 {
		return nil, egov.Errorf(egov.ENOTFOUND, "dossier.not_found")
	}
	d, err := scanDossier(q.QueryRowContext(ctx, `SELECT `+dossierColumns+` FROM dossiers WHERE code = ? OR ref = ?`, key, strings.ToLower(key)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, egov.Errorf(egov.ENOTFOUND, "dossier.not_found")
	}
	return d, err
}

// appendRead audits an officer's reading of a dossier's personal data.
func appendRead(ctx context.Context, tx *store.Tx, a *identity.Actor, d *Dossier, unitCode string) error {
	return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "dossier.read",
		ObjectType: "dossier", ObjectID: d.Code, UnitCode: unitCode, Summary: "xem hồ sơ"})
}
