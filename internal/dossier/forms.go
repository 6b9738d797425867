package dossier

import (
	"bytes"
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/workcal"
)

// FormNo is one of the one-stop shop's printable forms of Circular
// 01/2018/TT-VPCP (the register, Mẫu 06, is an export, not a form).
type FormNo string

const (
	FormReceipt    FormNo = "01" // Giấy tiếp nhận hồ sơ và hẹn trả kết quả
	FormSupplement FormNo = "02" // Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
	FormRefusal    FormNo = "03" // Phiếu từ chối tiếp nhận giải quyết hồ sơ
	FormApology    FormNo = "04" // Phiếu xin lỗi và hẹn lại ngày trả kết quả
	FormControl    FormNo = "05" // Phiếu kiểm soát quá trình giải quyết hồ sơ
)

// FormNos lists the forms in their order.
var FormNos = []FormNo{FormReceipt, FormSupplement, FormRefusal, FormApology, FormControl}

// formFiles are the forms' file names, before the dossier code.
var formFiles = map[FormNo]string{
	FormReceipt:    "giay-tiep-nhan-",
	FormSupplement: "phieu-yeu-cau-bo-sung-",
	FormRefusal:    "phieu-tu-choi-",
	FormApology:    "phieu-xin-loi-",
	FormControl:    "phieu-kiem-soat-",
}

// OfficersOnly reports whether only officers get the form: the control
// sheet travels with the dossier inside the agency.
func (f FormNo) OfficersOnly() bool { return f == FormControl }

// eventOf is the step whose happening makes a form exist.
var eventOf = map[FormNo]Action{
	FormSupplement: ActRequestDocuments,
	FormRefusal:    ActRefuse,
	FormApology:    ActApologise,
}

// FormsOf returns the forms of dossier d that exist, given its history:
// the receipt once it has a due date, 02, 03 and 04 once their step
// happened, and the control sheet, for officers, once it was filed.
func FormsOf(d *Dossier, events []Event, officer bool) []FormNo {
	if d.Status == StatusDraft || d.Code == "" {
		return nil
	}
	var out []FormNo
	for _, f := range FormNos {
		switch {
		case f == FormReceipt && d.DueDate.IsZero(),
			f.OfficersOnly() && !officer,
			eventOf[f] != "" && lastEvent(events, eventOf[f]) < 0:
			continue
		}
		out = append(out, f)
	}
	return out
}

// lastEvent is the index of the last event of the action, -1 when none.
func lastEvent(events []Event, act Action) int {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Action == string(act) {
			return i
		}
	}
	return -1
}

// FormPDF prints form f of the dossier with this code as an A5 PDF and
// returns it with its file name. The applicant gets the forms addressed to
// them (01–04); officers who may read the dossier get every form, and
// their printing is audited as a reading of the dossier. A form whose step
// has not happened is a conflict that says so.
func (s *Dossiers) FormPDF(ctx context.Context, a *identity.Actor, code string, f FormNo) ([]byte, string, error) {
	if _, ok := formFiles[f]; !ok {
		return nil, "", egov.Errorf(egov.ENOTFOUND, "dossier.form_unknown")
	}
	d, err := s.load(ctx, s.db, code)
	if err != nil {
		return nil, "", err
	}
	if a == nil || a.User == nil {
		return nil, "", egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	if d.Status == StatusDraft || !s.mayRead(ctx, a, d) {
		return nil, "", egov.Errorf(egov.ENOTFOUND, "dossier.not_found")
	}
	officer := s.ids.Can(ctx, a, identity.PermDossierRead, d.UnitID) == nil
	if f.OfficersOnly() && !officer {
		return nil, "", egov.Errorf(egov.EFORBIDDEN, "dossier.form_officers_only")
	}
	events, err := s.History(ctx, d)
	if err != nil {
		return nil, "", err
	}
	if !hasForm(FormsOf(d, events, officer), f) {
		return nil, "", formNotYet(f)
	}
	base, err := s.formBase(ctx, d, events)
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	switch f {
	case FormReceipt:
		p, err := s.procs.Get(ctx, d.ProcedureCode)
		if err != nil {
			return nil, "", err
		}
		r := ReceiptFor(d, p, base.AgencyName, base.ParentName, base.OfficerName)
		err = WriteReceiptPDF(&buf, r)
	case FormSupplement:
		e := events[lastEvent(events, ActRequestDocuments)]
		base.OfficerName, base.At = base.names[e.ActorName], e.At
		items, reason, serr := s.missingItems(ctx, d, e.Note)
		if serr != nil {
			return nil, "", serr
		}
		err = WriteSupplementPDF(&buf, SupplementRequest{FormBase: base, ReceivedAt: receivedBefore(events, lastEvent(events, ActRequestDocuments)),
			Items: items, Reason: reason})
	case FormRefusal:
		e := events[lastEvent(events, ActRefuse)]
		base.OfficerName, base.At = base.names[e.ActorName], e.At
		err = WriteRefusalPDF(&buf, Refusal{FormBase: base, ReceivedAt: receivedBefore(events, lastEvent(events, ActRefuse)), Reason: e.Note})
	case FormApology:
		i := lastEvent(events, ActApologise)
		e := events[i]
		base.OfficerName, base.At = base.names[e.ActorName], e.At
		var due workcal.Date
		if i > 0 {
			due = events[i-1].DueDate
		}
		err = WriteApologyPDF(&buf, Apology{FormBase: base, ReceivedAt: receivedBefore(events, i), DueDate: due,
			NewDate: e.DueDate, Reason: e.Note})
	case FormControl:
		cal, cerr := s.cal.Calendar(ctx)
		if cerr != nil {
			return nil, "", cerr
		}
		base.At = s.Now()
		err = WriteControlSheetPDF(&buf, ControlSheet{FormBase: base, DueDate: d.DueDate,
			Steps: HandOvers(d, events, cal, base.names)})
	}
	if err != nil {
		return nil, "", err
	}
	if d.ApplicantID == 0 || d.ApplicantID != a.User.ID {
		unit, err := s.unitCode(ctx, d.UnitID)
		if err != nil {
			return nil, "", err
		}
		err = s.db.InTx(ctx, func(tx *store.Tx) error {
			return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "dossier.read",
				ObjectType: "dossier", ObjectID: d.Code, UnitCode: unit, Summary: "in Mẫu " + string(f)})
		})
		if err != nil {
			return nil, "", err
		}
	}
	return buf.Bytes(), formFiles[f] + d.Code + ".pdf", nil
}

// formNotYet says why form f does not exist yet.
func formNotYet(f FormNo) error {
	switch f {
	case FormSupplement:
		return egov.Errorf(egov.ECONFLICT, "dossier.form_no_request")
	case FormRefusal:
		return egov.Errorf(egov.ECONFLICT, "dossier.form_no_refusal")
	case FormApology:
		return egov.Errorf(egov.ECONFLICT, "dossier.form_no_apology")
	}
	return egov.Errorf(egov.ECONFLICT, "dossier.receipt_not_yet")
}

func hasForm(fs []FormNo, f FormNo) bool {
	for _, g := range fs {
		if g == f {
			return true
		}
	}
	return false
}

// receivedBefore is when the dossier was last received before event i:
// the reception (or counter intake, or complete supplement) it concerns.
func receivedBefore(events []Event, i int) time.Time {
	for j := i - 1; j >= 0; j-- {
		switch events[j].Action {
		case string(ActReceive), "intake", string(ActSupplyDocuments):
			return events[j].At
		}
	}
	return time.Time{}
}

// FormBase is what forms 02–05 print about the agency and the dossier.
type FormBase struct {
	ParentName string // tên cơ quan chủ quản, e.g. "THÀNH PHỐ CẦN THƠ"
	AgencyName string // in the heading, e.g. "UBND XÃ AN THẠNH"
	// Agency names the agency in running text, e.g. "Ủy ban nhân dân xã
	// An Thạnh"; empty is AgencyName.
	Agency string

	Code          string
	ProcedureName string
	ProcedureCode string

	ApplicantName    string
	ApplicantPhone   string
	ApplicantEmail   string // optional
	ApplicantAddress string // optional

	OfficerName string    // who signs (optional)
	At          time.Time // when the form was made: its date line
	Place       string    // of the date line

	names map[string]string // user name → full name, for the steps
}

// formBase fills what forms 02–05 share from the dossier, its unit and
// the people of its history.
func (s *Dossiers) formBase(ctx context.Context, d *Dossier, events []Event) (FormBase, error) {
	b := FormBase{Code: d.Code, ProcedureCode: d.ProcedureCode, ApplicantName: d.ApplicantName,
		ApplicantPhone: d.ApplicantPhone, ApplicantEmail: d.ApplicantEmail}
	b.ApplicantAddress = ReceiptFor(d, nil, "", "", "").ApplicantAddress
	if p, err := s.procs.Get(ctx, d.ProcedureCode); err == nil {
		b.ProcedureName = p.Name
	} else if egov.ErrorCode(err) != egov.ENOTFOUND {
		return b, err
	}
	g, err := s.units.Graph(ctx)
	if err != nil {
		return b, err
	}
	if u := g.ByID(d.UnitID); u != nil {
		at := u.LastDay(s.units.Today())
		b.AgencyName = "UBND " + strings.ToUpper(u.Name)
		b.Agency = "Ủy ban nhân dân " + lowerFirst(u.Name)
		if anc := g.Ancestors(u, at); len(anc) > 0 {
			b.ParentName = strings.ToUpper(anc[len(anc)-1].Name)
		}
	}
	b.Place = placeOf(b.AgencyName)
	var users []string
	for _, e := range events {
		users = append(users, e.ActorName)
		if e.Action == string(ActAssign) {
			users = append(users, assigneeOf(e.Note))
		}
	}
	if b.names, err = s.fullNames(ctx, users); err != nil {
		return b, err
	}
	for _, e := range events {
		if e.Action == string(ActReceive) || e.Action == "intake" {
			b.OfficerName = b.names[e.ActorName]
		}
	}
	return b, nil
}

// fullNames maps user names to the people's full names; a name not found
// (the system, a deleted account) maps to itself.
func (s *Dossiers) fullNames(ctx context.Context, usernames []string) (map[string]string, error) {
	out := map[string]string{}
	var args []any
	for _, u := range usernames {
		if _, ok := out[u]; !ok && u != "" {
			out[u] = u
			args = append(args, u)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT username, full_name FROM users WHERE username IN (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u, full string
		if err := rows.Scan(&u, &full); err != nil {
			return nil, err
		}
		out[u] = full
	}
	out["system"] = "Hệ thống"
	return out, rows.Err()
}

// assigneeOf is the user name an assign step's note ends with ("… →
// username", as Act writes it).
func assigneeOf(note string) string {
	i := strings.LastIndex(note, "→")
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(note[i+len("→"):])
}

// assignNote is an assign step's note without the assignee.
func assignNote(note string) string {
	i := strings.LastIndex(note, "→")
	if i < 0 {
		return note
	}
	return strings.TrimSpace(note[:i])
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// missingItems lists what the last request for documents of d asked for,
// and its reason: the marked items as recorded, or, for a request recorded
// only as a note (the demo's history), the note's lines.
func (s *Dossiers) missingItems(ctx context.Context, d *Dossier, note string) ([]string, string, error) {
	sp, err := latestSupplement(ctx, s.db, d)
	if err != nil {
		return nil, "", err
	}
	if sp == nil || len(sp.Items) == 0 {
		items, reason := SplitMissing(note)
		return items, reason, nil
	}
	p, err := s.procs.Get(ctx, d.ProcedureCode)
	if err != nil {
		return nil, "", err
	}
	var items []string
	for _, it := range sp.Items {
		line := it.Note
		if fd := p.Form.Field(it.Field); fd != nil {
			line = fd.Label
			if it.Note != "" {
				line += ": " + it.Note
			}
		}
		items = append(items, line)
	}
	return items, sp.Note, nil
}

// SplitMissing reads the note of a request for documents: each line is an
// item missing or to correct, but a line starting "Lý do:" gives the
// reason. Bullets and numbers that start a line are dropped (the form
// numbers the items itself).
func SplitMissing(note string) (items []string, reason string) {
	for _, line := range strings.Split(strings.ReplaceAll(note, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if r, ok := cutPrefixFold(line, "lý do:"); ok {
			reason = strings.TrimSpace(strings.Join([]string{reason, strings.TrimSpace(r)}, " "))
			continue
		}
		line = strings.TrimSpace(strings.TrimLeft(line, "-–•*+"))
		if i := strings.IndexAny(line, ".)"); i > 0 && i <= 3 && strings.Trim(line[:i], "0123456789") == "" {
			line = strings.TrimSpace(line[i+1:])
		}
		if line != "" {
			items = append(items, line)
		}
	}
	return items, reason
}

// cutPrefixFold is strings.CutPrefix ignoring case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}
