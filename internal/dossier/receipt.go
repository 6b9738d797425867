package dossier

import (
	"fmt"
	"io"
	"strings"
	"time"

	"egov/internal/workcal"
)

// ReceiptData is everything the receipt (Mẫu 01, Giấy tiếp nhận hồ sơ và
// hẹn trả kết quả, Circular 01/2018/TT-VPCP) shows, as plain values: the
// caller fills it (ReceiptFor does from the domain types) and may change
// any of it before printing. Empty optional values leave their line out.
type ReceiptData struct {
	ParentName string // tên cơ quan chủ quản, e.g. "THÀNH PHỐ CẦN THƠ"
	AgencyName string // the receiving agency, e.g. "UBND XÃ AN THẠNH"

	Code          string // mã hồ sơ
	ProcedureName string
	ProcedureCode string // mã TTHC, e.g. "1.001193"

	ApplicantName    string
	ApplicantPhone   string
	ApplicantEmail   string // optional
	ApplicantAddress string // optional

	Documents []ReceiptDocument // thành phần hồ sơ received
	Sets      int               // số lượng hồ sơ (bộ); 0 prints 01
	Channel   Channel

	// TimeLimit is the legal time limit as printed after "Thời gian giải
	// quyết hồ sơ theo quy định là:", e.g. "05 ngày làm việc".
	TimeLimit  string
	ReceivedAt time.Time    // shown in Vietnam's time
	DueDate    workcal.Date // ngày hẹn trả kết quả
	Fee        int64        // phí, lệ phí in đồng; 0 prints "không thu"

	ReturnPlace string // where the result is collected (optional)
	OfficerName string // người tiếp nhận hồ sơ

	// Place and Date make the line "An Thạnh, ngày … tháng … năm …"; a
	// zero Date is the date of ReceivedAt.
	Place string
	Date  workcal.Date

	// RegisterBook and RegisterNo are the entry in the register (Sổ theo
	// dõi hồ sơ, Mẫu 06: quyển số, số thứ tự); the line is left out when
	// RegisterNo is empty.
	RegisterBook string
	RegisterNo   string

	// LookupURL is where the citizen follows the dossier with its code and
	// phone number, e.g. "https://dichvucong.example.gov.vn/lookup".
	LookupURL string
}

// ReceiptDocument is one document received.
type ReceiptDocument struct {
	Name   string
	Copies int    // 0 leaves the number out
	Kind   string // as printed: "bản chính", "bản sao", ... (optional)
}

// ReceiptFor builds the receipt of dossier d under procedure p: the
// documents are the procedure's required ones, the reception time d's
// ReceivedAt (its SubmittedAt when it was never received at a desk). The
// register entry is left empty: the register (Mẫu 06) numbers dossiers
// from 01 each year, which the code's daily sequence is not. LookupURL is
// the path /lookup; a caller that knows its public address prefixes it.
func ReceiptFor(d *Dossier, p *Procedure, agencyName, parentName, officerName string) ReceiptData {
	r := ReceiptData{
		ParentName:     parentName,
		AgencyName:     agencyName,
		Code:           d.Code,
		ProcedureCode:  d.ProcedureCode,
		ApplicantName:  d.ApplicantName,
		ApplicantPhone: d.ApplicantPhone,
		ApplicantEmail: d.ApplicantEmail,
		Sets:           1,
		Channel:        d.Channel,
		ReceivedAt:     d.ReceivedAt,
		DueDate:        d.DueDate,
		Fee:            d.Fee,
		OfficerName:    officerName,
		Place:          placeOf(agencyName),
		LookupURL:      "/lookup",
	}
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = d.SubmittedAt
	}
	for _, k := range []string{"requester_address", "address", "applicant_address"} {
		if a := strings.TrimSpace(d.Fields[k]); a != "" {
			r.ApplicantAddress = a
			break
		}
	}
	if p == nil {
		return r
	}
	r.ProcedureName, r.ProcedureCode = p.Name, p.Code
	for _, doc := range p.Documents {
		if doc.Required {
			r.Documents = append(r.Documents, ReceiptDocument{Name: doc.Name, Copies: doc.Copies, Kind: documentKinds[doc.Kind]})
		}
	}
	switch p.TimeLimit.Kind {
	case SameDay:
		r.TimeLimit = "trong ngày"
	case WorkingDays:
		r.TimeLimit = fmt.Sprintf("%02d ngày làm việc", p.TimeLimit.Days)
	}
	switch {
	case d.Channel == ChannelOnline && p.Result.Electronic:
		r.ReturnPlace = "trực tuyến, qua tài khoản dịch vụ công của người nộp"
	case d.Channel == ChannelPostal:
		r.ReturnPlace = "qua dịch vụ bưu chính công ích"
	default:
		r.ReturnPlace = "Bộ phận tiếp nhận và trả kết quả, " + agencyName
	}
	return r
}

var documentKinds = map[string]string{
	"original":         "bản chính",
	"copy":             "bản sao",
	"certified_copy":   "bản sao có chứng thực",
	"original_or_copy": "bản chính hoặc bản sao",
}

var channelNames = map[Channel]string{
	ChannelDirect: "trực tiếp",
	ChannelOnline: "trực tuyến",
	ChannelPostal: "qua dịch vụ bưu chính công ích",
}

// WriteReceiptPDF writes the receipt as a PDF on A5 paper. A normal
// dossier fits one page; a long list of documents flows onto more pages,
// each then numbered and marked with the dossier code.
func WriteReceiptPDF(w io.Writer, r ReceiptData) error {
	r = r.clean()
	info := docInfo{Title: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả " + r.Code, Subject: "Mẫu 01, Thông tư 01/2018/TT-VPCP",
		Author: r.AgencyName, Code: r.Code, At: r.ReceivedAt}
	return writeForm(w, info, func(p *printer) {
		p.header(heading{Parent: r.ParentName, Agency: r.AgencyName, DateLine: r.dateLine(),
			Title: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", Code: orDots(r.Code)})
		p.body(r)
		p.signatures([]signBlock{{Title: "NGƯỜI NỘP HỒ SƠ", Hint: signHint, Name: r.ApplicantName},
			{Title: "NGƯỜI TIẾP NHẬN HỒ SƠ", Hint: signHint, Name: r.OfficerName}}, r.lookupNote())
	})
}

// clean puts every text in NFC (the font has the precomposed Vietnamese
// letters; combining marks would print apart) and drops what the PDF
// writer cannot take.
func (r ReceiptData) clean() ReceiptData {
	printables(&r.ParentName, &r.AgencyName, &r.Code, &r.ProcedureName, &r.ProcedureCode,
		&r.ApplicantName, &r.ApplicantPhone, &r.ApplicantEmail, &r.ApplicantAddress, &r.TimeLimit,
		&r.ReturnPlace, &r.OfficerName, &r.Place, &r.RegisterBook, &r.RegisterNo, &r.LookupURL)
	docs := make([]ReceiptDocument, len(r.Documents))
	for i, d := range r.Documents {
		docs[i] = ReceiptDocument{Name: printable(d.Name), Copies: d.Copies, Kind: printable(d.Kind)}
	}
	r.Documents = docs
	return r
}

func (r ReceiptData) dateLine() string { return dateLine(r.Place, r.Date, r.ReceivedAt) }

func (p *printer) body(r ReceiptData) {
	p.applicant("Tiếp nhận hồ sơ của: ", r.ApplicantName, r.ApplicantAddress, r.ApplicantPhone, r.ApplicantEmail)
	p.request(r.ProcedureName, r.ProcedureCode)
	if c, ok := channelNames[r.Channel]; ok {
		p.line(reg("Hình thức nộp hồ sơ: " + c))
	}
	p.item(reg("Thành phần hồ sơ nộp gồm:"))
	docs := make([]string, len(r.Documents))
	for i, d := range r.Documents {
		docs[i] = d.Name
		var detail []string
		if d.Copies > 0 {
			detail = append(detail, fmt.Sprintf("%02d", d.Copies))
		}
		if d.Kind != "" {
			detail = append(detail, d.Kind)
		} else if d.Copies > 0 {
			detail = append(detail, "bản")
		}
		if len(detail) > 0 {
			docs[i] += " (" + strings.Join(detail, " ") + ")"
		}
	}
	p.list(docs)
	sets := r.Sets
	if sets < 1 {
		sets = 1
	}
	p.item(reg(fmt.Sprintf("Số lượng hồ sơ: %02d (bộ)", sets)))
	p.item(reg("Thời gian giải quyết hồ sơ theo quy định là: " + orDots(r.TimeLimit)))
	p.item(reg("Thời gian nhận hồ sơ: "), bold(vnTime(r.ReceivedAt)))
	due := "…… giờ …… phút, ngày …… tháng …… năm ……"
	if !r.DueDate.IsZero() {
		due = vnDate(r.DueDate)
	}
	p.item(reg("Thời gian trả kết quả giải quyết hồ sơ: "), bold(due))
	if r.Fee > 0 {
		p.item(reg("Phí, lệ phí: "), bold(money(r.Fee)+" đồng"))
	} else {
		p.item(reg("Phí, lệ phí: không thu"))
	}
	if r.ReturnPlace != "" {
		p.item(reg("Nơi trả kết quả: " + r.ReturnPlace))
	}
	if r.RegisterNo != "" {
		p.item(reg("Vào Sổ theo dõi hồ sơ, Quyển số: " + orDots(r.RegisterBook) + ", Số thứ tự: " + r.RegisterNo))
	}
}

func (r ReceiptData) lookupNote() string {
	if r.LookupURL == "" {
		return ""
	}
	return "Tra cứu tình trạng giải quyết hồ sơ tại " + r.LookupURL + " bằng mã hồ sơ " + r.Code +
		" và số điện thoại đã khai khi nộp hồ sơ."
}
