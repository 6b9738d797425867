package dossier

import (
	"fmt"
	"io"
	"strings"
	"time"

	"egov/internal/workcal"
)

// Forms 02–05 of Circular 01/2018/TT-VPCP, each as plain values the
// caller fills (FormPDF does from the dossier and its history) and a
// writer that prints it on A5 in the layout of the receipt.

// SupplementRequest is Mẫu 02, Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ:
// everything missing, asked at once, and why.
type SupplementRequest struct {
	FormBase
	ReceivedAt time.Time // when the dossier was received (optional)
	Items      []string  // each document or content to add or correct
	Reason     string    // optional: the form then gives the general one
}

// Refusal is Mẫu 03, Phiếu từ chối tiếp nhận giải quyết hồ sơ.
type Refusal struct {
	FormBase
	ReceivedAt time.Time // optional
	Reason     string
}

// Apology is Mẫu 04, Phiếu xin lỗi và hẹn lại ngày trả kết quả.
type Apology struct {
	FormBase
	ReceivedAt time.Time    // optional
	DueDate    workcal.Date // the date the receipt promised
	NewDate    workcal.Date
	Reason     string
}

// ControlSheet is Mẫu 05, Phiếu kiểm soát quá trình giải quyết hồ sơ: the
// hand-over log of the dossier.
type ControlSheet struct {
	FormBase
	DueDate workcal.Date // the due date now in force
	Steps   []HandOver
}

// HandOver is one row of the control sheet: who handed the dossier to
// whom and when, the deadline of the step that ended there, and how the
// hand-over stood against it.
type HandOver struct {
	From, To string
	At       time.Time
	Deadline workcal.Date // zero: the step has none (the applicant's time)
	Result   Timeliness   // Early, OnTime or Late; NoLimit without a deadline
	Note     string
}

func (b *FormBase) clean() {
	printables(&b.ParentName, &b.AgencyName, &b.Agency, &b.Code, &b.ProcedureName, &b.ProcedureCode, &b.ApplicantName,
		&b.ApplicantPhone, &b.ApplicantEmail, &b.ApplicantAddress, &b.OfficerName, &b.Place)
	if b.Agency == "" {
		b.Agency = b.AgencyName
	}
}

func (b *FormBase) info(title, subject string) docInfo {
	return docInfo{Title: title + " " + b.Code, Subject: subject, Author: b.AgencyName, Code: b.Code, At: b.At}
}

func (b *FormBase) heading(title string) heading {
	return heading{Parent: b.ParentName, Agency: b.AgencyName, DateLine: dateLine(b.Place, workcal.Date(0), b.At),
		Title: title, Code: orDots(b.Code)}
}

// top prints what forms 02–04 start with: the heading, whose dossier it
// is, the procedure and when the dossier was received (when known).
func (p *printer) top(f FormBase, title string, received time.Time) {
	p.header(f.heading(title))
	p.applicant("Hồ sơ của: ", f.ApplicantName, f.ApplicantAddress, f.ApplicantPhone, f.ApplicantEmail)
	p.request(f.ProcedureName, f.ProcedureCode)
	if !received.IsZero() {
		p.line(reg("Thời gian tiếp nhận hồ sơ: " + vnTime(received)))
	}
	p.gap(1)
}

// paras prints text as paragraphs, one a line of the text, indented.
func (p *printer) paras(text string) {
	for _, line := range strings.Split(text, "\n") {
		if line = printable(line); line != "" {
			p.para(pgLeft+4, 0, p.size, p.leading, reg(line))
		}
	}
}

// WriteSupplementPDF writes Mẫu 02.
func WriteSupplementPDF(w io.Writer, f SupplementRequest) error {
	f.clean()
	items := make([]string, 0, len(f.Items))
	for _, it := range f.Items {
		if it = printable(it); it != "" {
			items = append(items, it)
		}
	}
	reason := printable(f.Reason)
	if reason == "" {
		reason = "Hồ sơ chưa đầy đủ, hợp lệ theo quy định của thủ tục hành chính."
	}
	const title = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
	return writeForm(w, f.info("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Mẫu 02, Thông tư 01/2018/TT-VPCP"), func(p *printer) {
		p.top(f.FormBase, title, f.ReceivedAt)
		p.line(reg("Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:"))
		if len(items) == 0 {
			items = []string{"……………………"}
		}
		p.list(items)
		p.line(reg("Lý do: "), reg(reason))
		p.gap(1)
		p.line(reg("Ông/bà bổ sung, hoàn thiện hồ sơ một lần theo các nội dung trên. Thời gian bổ sung hồ sơ không tính vào " +
			"thời hạn giải quyết; thời hạn giải quyết được tính lại từ khi " + f.Agency + " nhận đủ hồ sơ."))
		p.line(reg("Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ " + f.Agency + " để được hướng dẫn."))
		p.signatures([]signBlock{{Title: "NGƯỜI HƯỚNG DẪN", Hint: signHint, Name: f.OfficerName}}, "")
	})
}

// WriteRefusalPDF writes Mẫu 03.
func WriteRefusalPDF(w io.Writer, f Refusal) error {
	f.clean()
	const title = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
	return writeForm(w, f.info("Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Mẫu 03, Thông tư 01/2018/TT-VPCP"), func(p *printer) {
		p.top(f.FormBase, title, f.ReceivedAt)
		p.line(reg("Qua xem xét, " + f.Agency + " thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:"))
		if strings.TrimSpace(f.Reason) == "" {
			p.paras("……………………")
		}
		p.paras(f.Reason)
		p.gap(1)
		p.line(reg("Xin thông báo để ông/bà được biết và thực hiện./."))
		p.signatures([]signBlock{{Title: "NGƯỜI TIẾP NHẬN HỒ SƠ", Hint: signHint, Name: f.OfficerName}}, "")
	})
}

// WriteApologyPDF writes Mẫu 04.
func WriteApologyPDF(w io.Writer, f Apology) error {
	f.clean()
	dateOr := func(d workcal.Date) string {
		if d.IsZero() {
			return "ngày …… tháng …… năm ……"
		}
		return vnDate(d)
	}
	const title = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
	return writeForm(w, f.info("Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Mẫu 04, Thông tư 01/2018/TT-VPCP"), func(p *printer) {
		p.top(f.FormBase, title, f.ReceivedAt)
		p.line(reg("Theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả, thời gian trả kết quả giải quyết hồ sơ là "),
			bold(dateOr(f.DueDate)), reg("."))
		p.line(reg("Tuy nhiên đến nay, " + f.Agency + " chưa thể trả kết quả giải quyết hồ sơ của ông/bà đúng hạn. Lý do:"))
		if strings.TrimSpace(f.Reason) == "" {
			p.paras("……………………")
		}
		p.paras(f.Reason)
		p.line(reg("Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của ông/bà. "+f.Agency+
			" xin lỗi ông/bà và hẹn trả kết quả giải quyết hồ sơ vào "), bold(dateOr(f.NewDate)), reg("."))
		p.line(reg("Xin trân trọng cảm ơn sự hợp tác của ông/bà./."))
		p.signatures([]signBlock{{Title: "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", Hint: "(Ký, ghi rõ họ tên và đóng dấu)"}}, "")
	})
}

// timelinessWords are the control sheet's words for a hand-over against
// its step's deadline.
var timelinessWords = map[Timeliness]string{Early: "Trước hạn", OnTime: "Đúng hạn", Late: "Quá hạn"}

// WriteControlSheetPDF writes Mẫu 05: the dossier, then one row a
// hand-over in the columns of the official layout.
func WriteControlSheetPDF(w io.Writer, f ControlSheet) error {
	f.clean()
	const title = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
	cols := []column{
		{Title: "TÊN CƠ QUAN", Width: 38},
		{Title: "THỜI GIAN GIAO, NHẬN HỒ SƠ", Width: 29},
		{Title: "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/Đúng hạn/Quá hạn)", Width: 26},
		{Title: "GHI CHÚ", Width: pgWidth - 38 - 29 - 26},
	}
	rows := make([][][][]span, len(f.Steps))
	for i, s := range f.Steps {
		result := [][]span{{bold(timelinessWords[s.Result])}}
		if s.Deadline.IsZero() {
			result = [][]span{{reg("—")}}
		} else {
			y, m, d := s.Deadline.Date()
			result = append(result, []span{reg(fmt.Sprintf("(hạn %02d/%02d/%04d)", d, int(m), y))})
		}
		note := printable(s.Note)
		if r := []rune(note); len(r) > 240 {
			// The sheet is a log, not the file: a long note is cut.
			note = string(r[:240]) + "…"
		}
		rows[i] = [][][]span{
			{{reg(fmt.Sprintf("%d. Giao: ", i+1)), bold(printable(s.From))}, {reg("Nhận: "), bold(printable(s.To))}},
			{{reg(vnTime(s.At))}},
			result,
			{{reg(note)}},
		}
	}
	return writeForm(w, f.info("Phiếu kiểm soát quá trình giải quyết hồ sơ", "Mẫu 05, Thông tư 01/2018/TT-VPCP"), func(p *printer) {
		p.header(f.heading(title))
		p.line(reg("Cơ quan (bộ phận) giải quyết hồ sơ: " + orDots(f.Agency)))
		p.line(reg("Hồ sơ của: "), bold(orDots(f.ApplicantName)))
		p.request(f.ProcedureName, f.ProcedureCode)
		if !f.DueDate.IsZero() {
			p.line(reg("Hạn trả kết quả: "), bold(vnDate(f.DueDate)))
		}
		p.gap(1.5)
		p.table(cols, rows)
		p.gap(2)
		p.pdf.SetTextColor(60, 60, 60)
		p.para(pgLeft, 0, 7, 3.2, reg("Ghi chú: Kết quả của mỗi lần giao, nhận so với hạn của bước vừa xong: chuyển hồ sơ "+
			"từ Bộ phận tiếp nhận và trả kết quả trong ngày tiếp nhận (ngày làm việc tiếp theo nếu tiếp nhận sau 15 giờ); "+
			"yêu cầu bổ sung hồ sơ trong 03 ngày làm việc kể từ khi tiếp nhận; các bước giải quyết và trả kết quả theo hạn "+
			"trả kết quả. Thời gian người nộp bổ sung hồ sơ không có hạn của cơ quan."))
		p.pdf.SetTextColor(0, 0, 0)
	})
}

// Parties of the control sheet.
const (
	deskName = "Bộ phận tiếp nhận và trả kết quả"
)

// HandOvers derives the control sheet's rows from a dossier's history:
// each step that moves the dossier to another party is a row, judged
// against the deadline of the step that ends with it; a step that leaves
// the dossier where it is (an apology, an approval by the holder, a
// payment) is noted on the row of the party that holds it. names maps
// user names to full names.
func HandOvers(d *Dossier, events []Event, cal *workcal.Calendar, names map[string]string) []HandOver {
	name := func(u string) string {
		if n, ok := names[u]; ok && n != "" {
			return n
		}
		return u
	}
	applicant := "Người nộp hồ sơ: " + orDots(d.ApplicantName)
	desk := func(u string) string { return deskName + ": " + name(u) }
	var (
		rows     []HandOver
		holder   = applicant
		deadline workcal.Date // of the holder's step
		due      workcal.Date // the due date in force
		received time.Time
	)
	move := func(e Event, to, note string) {
		h := HandOver{From: holder, To: to, At: e.At, Deadline: deadline, Note: note}
		if !deadline.IsZero() {
			switch at := workcal.LocalDate(e.At); {
			case at.Before(deadline):
				h.Result = Early
			case at.After(deadline):
				h.Result = Late
			default:
				h.Result = OnTime
			}
		}
		rows = append(rows, h)
		holder = to
	}
	annotate := func(note string) {
		if len(rows) == 0 || note == "" {
			return
		}
		r := &rows[len(rows)-1]
		r.Note = strings.TrimSpace(strings.TrimSuffix(r.Note, ".") + ". " + note)
		r.Note = strings.TrimPrefix(r.Note, ". ")
	}
	withNote := func(what, note string) string {
		if note == "" {
			return what
		}
		return what + ": " + note
	}
	for _, e := range events {
		switch Action(e.Action) {
		case "submit":
			move(e, deskName, "Nộp hồ sơ trực tuyến")
			deadline = workcal.Date(0)
		case "intake":
			received = e.At
			move(e, desk(e.ActorName), "Tiếp nhận hồ sơ tại quầy, hẹn trả "+shortDate(e.DueDate))
			deadline, due = cal.ReceptionDate(e.At), e.DueDate
		case ActReceive:
			received = e.At
			if holder == deskName {
				// The online dossier was at the desk already: its officer
				// takes it.
				rows[len(rows)-1].To, holder = desk(e.ActorName), desk(e.ActorName)
			}
			annotate("Tiếp nhận " + shortTime(e.At) + ", hẹn trả " + shortDate(e.DueDate))
			deadline, due = cal.ReceptionDate(e.At), e.DueDate
		case ActAssign:
			move(e, "Chuyên viên: "+name(assigneeOf(e.Note)), withNote("Chuyển xử lý", assignNote(e.Note)))
			deadline = due
		case ActApprove:
			to := "Lãnh đạo: " + name(e.ActorName)
			if holder == to {
				annotate("Phê duyệt")
				continue
			}
			move(e, to, withNote("Trình phê duyệt, đã phê duyệt", e.Note))
			deadline = due
		case ActFinish:
			move(e, deskName, withNote("Hoàn thành xử lý ("+name(e.ActorName)+")", e.Note))
			deadline = due
		case ActReturnResult:
			if holder == deskName {
				holder = desk(e.ActorName)
			}
			move(e, applicant, withNote("Trả kết quả", e.Note))
			deadline = workcal.Date(0)
		case ActRequestDocuments:
			if !received.IsZero() {
				deadline = cal.AddWorkingDays(workcal.LocalDate(received), SupplementWindow)
			}
			if holder == deskName {
				holder = desk(e.ActorName)
			}
			move(e, applicant, withNote("Yêu cầu bổ sung, hoàn thiện hồ sơ", e.Note))
			deadline = workcal.Date(0)
		case ActSupplyDocuments:
			received = e.At
			to := deskName
			if e.ActorName != applicantUser(events) {
				to = desk(e.ActorName)
			}
			move(e, to, "Bổ sung hồ sơ, hẹn trả "+shortDate(e.DueDate))
			deadline, due = cal.ReceptionDate(e.At), e.DueDate
		case ActRefuse:
			if holder == deskName {
				holder = desk(e.ActorName)
			}
			move(e, applicant, withNote("Từ chối tiếp nhận", e.Note))
			deadline = workcal.Date(0)
		case ActWithdraw:
			move(e, applicant, withNote("Rút hồ sơ", e.Note))
			deadline = workcal.Date(0)
		case ActApologise:
			annotate(withNote("Xin lỗi, hẹn lại ngày trả kết quả "+shortDate(e.DueDate)+" ("+name(e.ActorName)+")", e.Note))
			if deadline == due {
				deadline = e.DueDate
			}
			due = e.DueDate
		case ActStop:
			annotate(withNote("Dừng xử lý ("+name(e.ActorName)+")", e.Note))
		case ActRequestPayment:
			annotate("Yêu cầu nộp phí, lệ phí (" + name(e.ActorName) + ")")
		case "payment":
			annotate(withNote("Đã nộp phí, lệ phí", e.Note))
		}
	}
	return rows
}

// applicantUser is the user name that submitted the dossier online, ""
// for a counter intake.
func applicantUser(events []Event) string {
	for _, e := range events {
		if e.Action == "submit" {
			return e.ActorName
		}
	}
	return ""
}

func shortDate(d workcal.Date) string {
	if d.IsZero() {
		return "……"
	}
	y, m, dd := d.Date()
	return fmt.Sprintf("%02d/%02d/%04d", dd, int(m), y)
}

func shortTime(t time.Time) string {
	t = t.In(workcal.ICT)
	return fmt.Sprintf("%02d:%02d %s", t.Hour(), t.Minute(), shortDate(workcal.DateOf(t)))
}
