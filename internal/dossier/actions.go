package dossier

import (
	"context"
	"net"
	"strings"
	"time"
	"unicode/utf8"

	"egov"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/vntext"
	"egov/internal/workcal"
)

// Action is a step an officer or the applicant takes on a filed dossier.
type Action string

const (
	ActReceive          Action = "receive"           // the desk accepts an online dossier (Mẫu 01)
	ActRefuse           Action = "refuse"            // the desk refuses it, with reasons (Mẫu 03)
	ActRequestDocuments Action = "request-documents" // everything missing, at once (Mẫu 02)
	ActSupplyDocuments  Action = "supply-documents"  // the applicant completes the dossier
	ActAssign           Action = "assign"            // hand over to a specialist
	ActApprove          Action = "approve"           // the leader approves the draft result
	ActFinish           Action = "finish"            // the result is ready
	ActReturnResult     Action = "return-result"     // the result is handed to the applicant
	ActApologise        Action = "apologise"         // a new date, once, before the deadline (Mẫu 04)
	ActRequestPayment   Action = "request-payment"   // the applicant must pay the fee before the result
	ActWithdraw         Action = "withdraw"          // the applicant withdraws
	ActStop             Action = "stop"              // the leader stops processing
	ActRate             Action = "rate"              // the applicant rates the service
)

// Actions lists every action.
var Actions = []Action{ActReceive, ActRefuse, ActRequestDocuments, ActSupplyDocuments, ActAssign, ActApprove,
	ActFinish, ActReturnResult, ActApologise, ActRequestPayment, ActWithdraw, ActStop, ActRate}

// ActionInput carries what an action needs besides the dossier.
type ActionInput struct {
	Note     string            // the reason, the comment; request-documents: the general note
	Items    []SupplementItem  // request-documents: everything missing, item by item
	Fields   map[string]string // supply-documents: the corrected fields (marked ones only)
	Assignee string            // assign: the specialist's user name
	NewDate  workcal.Date      // apologise: the new date
	Result   string            // finish: the result (e.g. the number of the certificate)
	// ResultFiles are finish's electronic result documents (PDF), required
	// when the procedure's result is electronic.
	ResultFiles []Upload
	Rating      int // rate: 1 satisfied, -1 not
}

// rule is who may take an action from which statuses. The state machine
// is this table and the checks in Act.
type rule struct {
	from []Status
	perm identity.Permission // "" for the applicant's own actions
}

var rules = map[Action]rule{
	ActReceive:          {from: []Status{StatusNew}, perm: identity.PermDossierReceive},
	ActRefuse:           {from: []Status{StatusNew, StatusReceived}, perm: identity.PermDossierReceive},
	ActRequestDocuments: {from: []Status{StatusNew, StatusReceived, StatusProcessing}, perm: identity.PermDossierReceive},
	ActSupplyDocuments:  {from: []Status{StatusSupplement}},
	ActAssign:           {from: []Status{StatusReceived, StatusProcessing}, perm: identity.PermDossierReceive},
	ActApprove:          {from: []Status{StatusProcessing}, perm: identity.PermDossierApprove},
	ActFinish:           {from: []Status{StatusProcessing}, perm: identity.PermDossierProcess},
	ActReturnResult:     {from: []Status{StatusResolved}, perm: identity.PermDossierReceive},
	ActApologise:        {from: []Status{StatusReceived, StatusProcessing}, perm: identity.PermDossierProcess},
	ActRequestPayment:   {from: []Status{StatusProcessing}, perm: identity.PermDossierProcess},
	ActWithdraw:         {from: []Status{StatusNew, StatusReceived, StatusProcessing, StatusSupplement}},
	ActStop:             {from: []Status{StatusReceived, StatusProcessing, StatusSupplement}, perm: identity.PermDossierApprove},
	ActRate:             {from: []Status{StatusReturned}},
}

// Allowed returns the actions the actor may take on d now, in the order
// of Actions. Pages offer these; Act still decides (it also checks the
// input and the dates).
func (s *Dossiers) Allowed(ctx context.Context, a *identity.Actor, d *Dossier) []Action {
	if !s.mayRead(ctx, a, d) || d.Status == StatusDraft {
		return nil
	}
	var out []Action
	for _, act := range Actions {
		r := rules[act]
		ok := false
		for _, st := range r.from {
			ok = ok || st == d.Status
		}
		switch {
		case !ok,
			act == ActApprove && d.Approved,
			act == ActFinish && !d.Approved,
			act == ActApologise && d.Apologised,
			act == ActRequestPayment && d.Fee <= 0,
			act == ActRate && d.Rating != 0:
			continue
		}
		perm := r.perm
		if perm == "" && d.ApplicantID == 0 {
			perm = identity.PermDossierReceive
		}
		if perm == "" {
			if a.User == nil || a.User.ID != d.ApplicantID {
				continue
			}
		} else if s.ids.Can(ctx, a, perm, d.UnitID) != nil {
			continue
		}
		out = append(out, act)
	}
	return out
}

// MaxResultText bounds finish's result text (the number of a certificate,
// a short description), whatever the channel.
const MaxResultText = 500

// SupplementWindow is how many working days after receipt a request for
// documents may be made (Decree 61/2018 as amended).
const SupplementWindow = 3

// Act takes action on the dossier with this code. An action the status
// does not allow is a conflict that says why; an actor who may not take it
// is forbidden; of two officers acting at once, one succeeds and the other
// gets a conflict.
func (s *Dossiers) Act(ctx context.Context, a *identity.Actor, code string, act Action, in ActionInput) (*Dossier, error) {
	r, ok := rules[act]
	if !ok {
		return nil, egov.Errorf(egov.ENOTFOUND, "dossier.unknown_action", string(act))
	}
	in.Note = strings.TrimSpace(vntext.NFC(in.Note))
	if len(in.Note) > 4000 {
		return nil, egov.FieldError("note", "form.too_long", 4000)
	}
	in.Result = strings.TrimSpace(vntext.NFC(in.Result))
	if utf8.RuneCountInString(in.Result) > MaxResultText {
		return nil, egov.FieldError("result", "form.too_long", MaxResultText)
	}
	cal, err := s.cal.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var results []*upload
	if act == ActFinish {
		if results, err = readResults(in.ResultFiles); err != nil {
			return nil, err
		}
	}
	var assignee *identity.User
	if act == ActAssign {
		if assignee, err = s.ids.UserByName(ctx, in.Assignee); err != nil {
			return nil, egov.FieldError("assignee", "dossier.assignee_invalid")
		}
	}
	return s.change(ctx, a, code, func(tx *store.Tx, d *Dossier, proc *Procedure) (string, string, error) {
		if d.Status == StatusDraft {
			return "", "", egov.Errorf(egov.ENOTFOUND, "dossier.not_found")
		}
		// Whoever may not even read the dossier learns nothing about it.
		if !s.mayRead(ctx, a, d) {
			return "", "", egov.Errorf(egov.ENOTFOUND, "dossier.not_found")
		}
		perm := r.perm
		if perm == "" && d.ApplicantID == 0 {
			// A walk-in applicant has no account: the desk acts for them.
			perm = identity.PermDossierReceive
		}
		if perm == "" {
			if err := s.mustBeApplicant(a, d); err != nil {
				return "", "", err
			}
		} else if err := s.ids.Can(ctx, a, perm, d.UnitID); err != nil {
			return "", "", err
		}
		allowed := false
		for _, st := range r.from {
			allowed = allowed || st == d.Status
		}
		if !allowed {
			return "", "", conflict(d, string(act))
		}
		now := s.Now().UTC()
		today := workcal.LocalDate(now)
		switch act {
		case ActReceive:
			d.Status, d.ReceivedAt = StatusReceived, now
			d.DueDate = proc.TimeLimit.Due(cal, now)
			d.OriginalDueDate = d.DueDate
		case ActRefuse:
			if in.Note == "" {
				return "", "", egov.FieldError("note", "dossier.reason_required")
			}
			d.Status, d.FinishedAt = StatusRefused, now
		case ActRequestDocuments:
			items, err := checkItems(proc, in.Items)
			if err != nil {
				return "", "", err
			}
			if !d.ReceivedAt.IsZero() && cal.CountWorkingDays(workcal.LocalDate(d.ReceivedAt), today) > SupplementWindow {
				return "", "", egov.Errorf(egov.ECONFLICT, "dossier.supplement_too_late", SupplementWindow)
			}
			d.Status, d.HolderID = StatusSupplement, 0
			d.SupplementRequests++
			if err := s.requestDocuments(ctx, tx, a, d, in.Note, items); err != nil {
				return "", "", err
			}
			in.Note = itemsText(proc, in.Note, items)
		case ActSupplyDocuments:
			sp, err := pendingSupplement(ctx, tx, d)
			if err != nil {
				return "", "", err
			}
			if err := checkSupply(proc, sp, d.Fields, in.Fields); err != nil {
				return "", "", err
			}
			old := d.Fields
			merged := map[string]string{}
			for k, v := range d.Fields {
				merged[k] = v
			}
			for k, v := range in.Fields {
				merged[k] = v
			}
			d.Fields = merged
			attached, err := attachedFields(ctx, tx, d.ID)
			if err != nil {
				return "", "", err
			}
			if err := s.fill(d, proc, attached); err != nil {
				return "", "", err
			}
			// Wrong values are refused first (the most precise), then an
			// item asked for and not supplied.
			if err := checkAnswered(ctx, tx, proc, sp, d.ID, old, in.Fields); err != nil {
				return "", "", err
			}
			// The time limit restarts when the complete dossier arrives: the
			// applicant's waiting does not count against the agency.
			d.Status, d.ReceivedAt = StatusReceived, now
			// An apology (Mẫu 04) given before the request still counts: it
			// is once only for the dossier.
			d.DueDate = proc.TimeLimit.Due(cal, now)
			d.OriginalDueDate = d.DueDate
			if err := s.supplied(ctx, tx, d); err != nil {
				return "", "", err
			}
		case ActAssign:
			if err := s.ids.Can(ctx, &identity.Actor{User: assignee, Grants: s.grants(ctx, assignee)}, identity.PermDossierProcess, d.UnitID); err != nil {
				return "", "", egov.FieldError("assignee", "dossier.assignee_invalid")
			}
			d.Status, d.HolderID = StatusProcessing, assignee.ID
			in.Note = strings.TrimSpace(in.Note + " → " + assignee.Username)
		case ActApprove:
			d.Approved = true
		case ActFinish:
			if !d.Approved {
				return "", "", egov.Errorf(egov.ECONFLICT, "dossier.not_approved")
			}
			d.Status, d.FinishedAt, d.HolderID = StatusResolved, now, 0
			d.Result = in.Result
			if err := s.issueResults(ctx, tx, a, d, proc, results); err != nil {
				return "", "", err
			}
		case ActReturnResult:
			d.Status, d.ReturnedAt = StatusReturned, now
		case ActApologise:
			if d.Apologised {
				return "", "", egov.Errorf(egov.ECONFLICT, "dossier.apology_once")
			}
			if in.Note == "" {
				return "", "", egov.FieldError("note", "dossier.reason_required")
			}
			if today.After(cal.AddWorkingDays(d.DueDate, -1)) {
				return "", "", egov.Errorf(egov.ECONFLICT, "dossier.apology_too_late")
			}
			if !in.NewDate.After(d.DueDate) {
				return "", "", egov.FieldError("new_date", "dossier.new_date_invalid")
			}
			d.DueDate, d.Apologised = in.NewDate, true
		case ActRequestPayment:
			if d.Fee <= 0 {
				return "", "", egov.Errorf(egov.ECONFLICT, "dossier.no_fee")
			}
			var paid int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM payments WHERE dossier_id = ? AND status = 'paid'`, d.ID).Scan(&paid); err != nil {
				return "", "", err
			}
			if paid > 0 {
				return "", "", egov.Errorf(egov.ECONFLICT, "dossier.already_paid")
			}
			// The applicant holds the dossier until the payment arrives; the
			// payment puts it back in processing (ConfirmPayment).
			d.Status = StatusPayment
		case ActWithdraw:
			d.Status, d.FinishedAt, d.HolderID = StatusWithdrawn, now, 0
		case ActStop:
			if in.Note == "" {
				return "", "", egov.FieldError("note", "dossier.reason_required")
			}
			d.Status, d.FinishedAt, d.HolderID = StatusStopped, now, 0
		case ActRate:
			if in.Rating != 1 && in.Rating != -1 {
				return "", "", egov.FieldError("rating", "dossier.rating_invalid")
			}
			d.Rating, d.RatingComment = in.Rating, in.Note
		}
		return string(act), in.Note, nil
	})
}

func (s *Dossiers) grants(ctx context.Context, u *identity.User) []identity.Grant {
	a, err := s.ids.ActorFor(ctx, u)
	if err != nil {
		return nil
	}
	return a.Grants
}

// Get returns a dossier to its applicant or to an officer who may read
// the unit's dossiers. An officer's reading is audited (it shows personal
// data).
func (s *Dossiers) Get(ctx context.Context, a *identity.Actor, key string) (*Dossier, error) {
	d, err := s.load(ctx, s.db, key)
	if err != nil {
		return nil, err
	}
	if a == nil || a.User == nil {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	if d.ApplicantID != 0 && d.ApplicantID == a.User.ID {
		return d, nil
	}
	if !s.mayRead(ctx, a, d) {
		// Whether the code exists is not for others to learn.
		return nil, egov.Errorf(egov.ENOTFOUND, "dossier.not_found")
	}
	code, err := s.unitCode(ctx, d.UnitID)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return appendRead(ctx, tx, a, d, code)
	})
	return d, err
}

// mayRead reports whether the actor may see the dossier at all: its
// applicant, or an officer who may read the unit's filed dossiers.
func (s *Dossiers) mayRead(ctx context.Context, a *identity.Actor, d *Dossier) bool {
	if a == nil || a.User == nil {
		return a != nil && a.System
	}
	if d.ApplicantID != 0 && d.ApplicantID == a.User.ID {
		return true
	}
	return d.Status != StatusDraft && s.ids.Can(ctx, a, identity.PermDossierRead, d.UnitID) == nil
}

// Event is one step of a dossier's history.
type Event struct {
	At        time.Time
	ActorName string
	Action    string
	From, To  Status
	Note      string
	DueDate   workcal.Date
}

// History returns the steps of a dossier the actor may read (see Get).
func (s *Dossiers) History(ctx context.Context, d *Dossier) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, actor_name, action, from_status, to_status, note, due_date
		FROM dossier_events WHERE dossier_id = ? ORDER BY id`, d.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at, from, to string
		var due *string
		if err := rows.Scan(&at, &e.ActorName, &e.Action, &from, &to, &e.Note, &due); err != nil {
			return nil, err
		}
		e.At, _ = store.ParseTime(at)
		e.From, e.To = Status(from), Status(to)
		if due != nil {
			e.DueDate, _ = workcal.ParseDate(*due)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// PublicStatus is what anyone holding a dossier code and the applicant's
// phone number learns, and nothing more.
type PublicStatus struct {
	Code    string
	Status  Status
	DueDate workcal.Date
}

// Lookup returns the status of a dossier when code and phone match; any
// mismatch is the same not-found, so the lookup tells nothing else.
// remoteAddr is the asker's network address (host:port, as net/http gives
// it); past a number of failures per code or per address, lookups are
// refused for a while (lookupguard.go).
func (s *Dossiers) Lookup(ctx context.Context, remoteAddr, code, phone string) (PublicStatus, error) {
	client := remoteAddr
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		client = host // every port of one address is one asker
	}
	code, phone = strings.TrimSpace(code), strings.ReplaceAll(strings.TrimSpace(phone), " ", "")
	now := s.Now()
	if s.lookups.blocked(client, code, now) {
		return PublicStatus{}, egov.Errorf(egov.ETOOMANY, "dossier.lookup_too_many", int(lookupWindow.Minutes()))
	}
	d, err := s.load(ctx, s.db, code)
	if err != nil || d.Code == "" || d.Code != code || phone == "" || d.ApplicantPhone != phone {
		if err != nil && egov.ErrorCode(err) == egov.EINTERNAL {
			return PublicStatus{}, err
		}
		s.lookups.failed(client, code, now)
		return PublicStatus{}, egov.Errorf(egov.ENOTFOUND, "dossier.lookup_failed")
	}
	return PublicStatus{Code: d.Code, Status: d.Status, DueDate: d.DueDate}, nil
}

// Assignees returns the specialists a dossier can be handed to: the
// officers who may process the dossiers of its unit. The actor must be
// allowed to assign it.
func (s *Dossiers) Assignees(ctx context.Context, a *identity.Actor, code string) ([]*identity.User, error) {
	d, err := s.load(ctx, s.db, code)
	if err != nil {
		return nil, err
	}
	if err := s.ids.Can(ctx, a, rules[ActAssign].perm, d.UnitID); err != nil {
		return nil, err
	}
	return s.ids.OfficersWith(ctx, identity.PermDossierProcess, d.UnitID)
}
