package dossier

import (
	"time"

	"egov/internal/workcal"
)

// Status is where a dossier stands. Each status but Draft maps one-to-one
// onto the status code the national portal receives.
type Status string

const (
	StatusDraft      Status = "draft"      // the citizen has not filed it yet
	StatusNew        Status = "new"        // 1 mới đăng ký: filed online, not yet received
	StatusReceived   Status = "received"   // 2 được tiếp nhận
	StatusRefused    Status = "refused"    // 3 không được tiếp nhận (Mẫu 03)
	StatusProcessing Status = "processing" // 4 đang xử lý
	StatusSupplement Status = "supplement" // 5 yêu cầu bổ sung giấy tờ (Mẫu 02)
	StatusPayment    Status = "payment"    // 6 yêu cầu thực hiện nghĩa vụ tài chính
	StatusWithdrawn  Status = "withdrawn"  // 7 công dân yêu cầu rút hồ sơ
	StatusStopped    Status = "stopped"    // 8 dừng xử lý
	StatusResolved   Status = "resolved"   // 9 đã xử lý xong
	StatusReturned   Status = "returned"   // 10 đã trả kết quả
)

// Statuses lists every status in the order of the national codes.
var Statuses = []Status{StatusDraft, StatusNew, StatusReceived, StatusRefused, StatusProcessing, StatusSupplement,
	StatusPayment, StatusWithdrawn, StatusStopped, StatusResolved, StatusReturned}

// Code is the national portal's status code (0 for a draft).
func (s Status) Code() int {
	for i, t := range Statuses {
		if t == s {
			return i
		}
	}
	return -1
}

// Ended reports whether the dossier is finished for the agency: refused,
// withdrawn, stopped, resolved or returned.
func (s Status) Ended() bool {
	switch s {
	case StatusRefused, StatusWithdrawn, StatusStopped, StatusResolved, StatusReturned:
		return true
	}
	return false
}

// Dossier is one citizen's or business's request under a procedure.
type Dossier struct {
	ID            int64  // internal only: never shown
	Ref           string // random public reference, also of drafts
	Code          string // dossier code, given when it is filed
	ProcedureCode string
	UnitID        int64 // the unit that receives and resolves it
	Channel       Channel
	Status        Status

	ApplicantID    int64 // the citizen's account; 0 for a walk-in without one
	ApplicantName  string
	ApplicantCCCD  string
	ApplicantPhone string
	ApplicantEmail string
	Fields         map[string]string

	Fee         int64
	FeeWaivedBy string
	HolderID    int64 // the officer who holds it now (0: the receiving desk)

	SubmittedAt time.Time
	ReceivedAt  time.Time
	// DueDate is when the result is due; OriginalDueDate the first due date
	// after the last complete filing, kept when an apology sets a new one.
	DueDate         workcal.Date
	OriginalDueDate workcal.Date
	FinishedAt      time.Time // resolved, refused, withdrawn or stopped
	ReturnedAt      time.Time

	SupplementRequests int
	Apologised         bool
	Approved           bool
	Result             string
	Rating             int // 1 satisfied, -1 not satisfied, 0 not rated
	RatingComment      string

	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Timeliness is how a dossier ended against its time limit, by the rule of
// the national service index (Decision 766/QĐ-TTg): a dossier is on time if
// it ended (resolved, refused, withdrawn or stopped, whichever first) no
// later than its due date; the citizen's supplement time is not counted
// (the clock restarts when the complete dossier arrives); more than one
// request for documents makes it late; an unfinished dossier is judged on
// the day asked, except that one waiting for the applicant (more documents
// or the fee) is never overdue for that wait. The due date is the one the law gives: an apology's new
// date does not make a late dossier on time.
type Timeliness string

const (
	Early   Timeliness = "early"
	OnTime  Timeliness = "on_time"
	Late    Timeliness = "late"
	NotDue  Timeliness = "not_due" // unfinished, not yet due
	Overdue Timeliness = "overdue" // unfinished, past due
	NoLimit Timeliness = ""        // a draft or a dossier not yet received
)

// TimelinessOn judges d on day today.
func (d *Dossier) TimelinessOn(today workcal.Date) Timeliness {
	due := d.OriginalDueDate
	if due.IsZero() {
		due = d.DueDate
	}
	if due.IsZero() {
		return NoLimit
	}
	if !d.FinishedAt.IsZero() {
		end := workcal.LocalDate(d.FinishedAt)
		switch {
		case d.SupplementRequests > 1 || end.After(due):
			return Late
		case end.Before(due):
			return Early
		}
		return OnTime
	}
	if d.SupplementRequests > 1 {
		return Overdue
	}
	if d.Status == StatusSupplement || d.Status == StatusPayment {
		// The applicant holds it: their waiting does not count against the
		// agency (the clock restarts when the documents arrive).
		return NotDue
	}
	if today.After(due) {
		return Overdue
	}
	return NotDue
}
