package dossier

import (
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"

	"egov/internal/vntext"
	"egov/internal/workcal"
)

// The receipt's font: DejaVu Sans from Debian's fonts-dejavu-core, which
// covers Vietnamese (see fonts/README.md for its source and licence).
// Embedded, so that printing never depends on the fonts of the server.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
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

// placeOf guesses the place of the date line from the agency's name:
// "UBND XÃ AN THẠNH" gives "An Thạnh".
func placeOf(agency string) string {
	s := strings.ToUpper(strings.Join(strings.Fields(vntext.NFC(agency)), " "))
	for _, prefix := range []string{"UBND ", "ỦY BAN NHÂN DÂN ", "UỶ BAN NHÂN DÂN ",
		"TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG ", "BỘ PHẬN MỘT CỬA "} {
		s = strings.TrimPrefix(s, prefix)
	}
	for _, kind := range []string{"TỈNH ", "THÀNH PHỐ ", "QUẬN ", "HUYỆN ", "THỊ XÃ ", "THỊ TRẤN ", "PHƯỜNG ", "XÃ ", "ĐẶC KHU "} {
		if strings.HasPrefix(s, kind) {
			s = strings.TrimPrefix(s, kind)
			break
		}
	}
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[n:]
	}
	return strings.Join(words, " ")
}

// Page geometry of the receipt, in millimetres: A5 portrait.
const (
	rcPageW  = 148.0
	rcPageH  = 210.0
	rcLeft   = 15.0
	rcRight  = 12.0
	rcTop    = 11.0
	rcBottom = 11.0
	rcWidth  = rcPageW - rcLeft - rcRight
	rcFont   = "dejavu"
)

// bodySizes are the sizes (points) the body is tried at, largest first,
// until the receipt fits one page; if none fits, the first is used and the
// receipt flows onto more pages.
var bodySizes = []float64{9, 8.5, 8}

// WriteReceiptPDF writes the receipt as a PDF on A5 paper. A normal
// dossier fits one page; a long list of documents flows onto more pages,
// each then numbered and marked with the dossier code.
func WriteReceiptPDF(w io.Writer, r ReceiptData) error {
	r = r.clean()
	var pdf *fpdf.Fpdf
	var err error
	for _, size := range bodySizes {
		pdf, err = renderReceipt(r, size, false)
		if err != nil || pdf.PageCount() == 1 {
			break
		}
	}
	if err == nil && pdf.PageCount() > 1 {
		pdf, err = renderReceipt(r, bodySizes[0], true)
	}
	if err != nil {
		return fmt.Errorf("receipt %s: %w", r.Code, err)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("receipt %s: %w", r.Code, err)
	}
	return nil
}

// clean puts every text in NFC (the font has the precomposed Vietnamese
// letters; combining marks would print apart) and drops what the PDF
// writer cannot take.
func (r ReceiptData) clean() ReceiptData {
	for _, s := range []*string{&r.ParentName, &r.AgencyName, &r.Code, &r.ProcedureName, &r.ProcedureCode,
		&r.ApplicantName, &r.ApplicantPhone, &r.ApplicantEmail, &r.ApplicantAddress, &r.TimeLimit,
		&r.ReturnPlace, &r.OfficerName, &r.Place, &r.RegisterBook, &r.RegisterNo, &r.LookupURL} {
		*s = printable(*s)
	}
	docs := make([]ReceiptDocument, len(r.Documents))
	for i, d := range r.Documents {
		docs[i] = ReceiptDocument{Name: printable(d.Name), Copies: d.Copies, Kind: printable(d.Kind)}
	}
	r.Documents = docs
	return r
}

// printable returns s in NFC on one line, with characters outside the
// Basic Multilingual Plane (which the PDF writer's font tables do not
// hold) replaced by "?".
func printable(s string) string {
	s = vntext.NFC(s)
	var b strings.Builder
	for _, c := range s {
		switch {
		case c > 0xFFFF || c == utf8.RuneError:
			b.WriteByte('?')
		case unicode.IsControl(c) || unicode.IsSpace(c):
			b.WriteByte(' ')
		default:
			b.WriteRune(c)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// renderReceipt lays the receipt out with body text of size points;
// numbered marks each page with its number and the dossier code.
func renderReceipt(r ReceiptData, size float64, numbered bool) (*fpdf.Fpdf, error) {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: fpdf.SizeType{Wd: rcPageW, Ht: rcPageH}})
	pdf.AddUTF8FontFromBytes(rcFont, "", fontRegular)
	pdf.AddUTF8FontFromBytes(rcFont, "B", fontBold)
	pdf.SetMargins(rcLeft, rcTop, rcRight)
	pdf.SetAutoPageBreak(false, rcBottom) // the printer breaks pages itself, between lines
	pdf.SetCellMargin(0)
	pdf.SetTitle("Giấy tiếp nhận hồ sơ và hẹn trả kết quả "+r.Code, true)
	pdf.SetSubject("Mẫu 01, Thông tư 01/2018/TT-VPCP", true)
	pdf.SetAuthor(r.AgencyName, true)
	pdf.SetCreator("egov", false)
	pdf.SetLang("vi")
	pdf.SetCatalogSort(true)
	if !r.ReceivedAt.IsZero() {
		// The same receipt prints the same bytes, so a reprint is the
		// same document.
		pdf.SetCreationDate(r.ReceivedAt)
		pdf.SetModificationDate(r.ReceivedAt)
	}
	if numbered {
		pdf.AliasNbPages("{nb}")
		pdf.SetFooterFunc(func() {
			pdf.SetFont(rcFont, "", 7.5)
			pdf.SetXY(rcLeft, rcPageH-rcBottom+3)
			pdf.CellFormat(rcWidth, 4, "Mã hồ sơ: "+r.Code, "", 0, "L", false, 0, "")
			pdf.SetXY(rcLeft, rcPageH-rcBottom+3)
			pdf.CellFormat(rcWidth, 4, fmt.Sprintf("Trang %d/{nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
		})
	}
	pdf.AddPage()
	p := &printer{pdf: pdf, size: size, leading: size * 0.48}
	p.header(r)
	p.body(r)
	p.signatures(r)
	return pdf, pdf.Error()
}

// printer lays out text with its own line breaking, so that a line may mix
// regular and bold words and wrapped lines may hang under a number.
type printer struct {
	pdf     *fpdf.Fpdf
	size    float64 // body text, points
	leading float64 // body line height, mm
}

// span is a run of text in one weight; pad is extra room (mm) before it
// unless it starts a line, a tab of sorts.
type span struct {
	text string
	bold bool
	pad  float64
}

func reg(s string) span  { return span{text: s} }
func bold(s string) span { return span{text: s, bold: true} }

// word is a unit of line breaking: a word in one weight, with or without
// a space before it.
type word struct {
	text  string
	bold  bool
	space bool
	pad   float64
}

func (p *printer) font(bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	p.pdf.SetFont(rcFont, style, size)
}

func (p *printer) width(w word, size float64) float64 {
	p.font(w.bold, size)
	return p.pdf.GetStringWidth(w.text)
}

func (p *printer) spaceWidth(size float64) float64 {
	p.font(false, size)
	return p.pdf.GetStringWidth(" ")
}

// words splits spans into words, keeping where spaces were.
func words(spans []span) []word {
	var ws []word
	space := false
	for _, s := range spans {
		if s.text == "" {
			continue
		}
		if strings.HasPrefix(s.text, " ") {
			space = true
		}
		for i, f := range strings.Fields(s.text) {
			w := word{text: f, bold: s.bold, space: (i > 0 || space) && len(ws) > 0}
			if i == 0 && len(ws) > 0 {
				w.pad = s.pad
			}
			ws = append(ws, w)
		}
		space = strings.HasSuffix(s.text, " ")
	}
	return ws
}

// wrap breaks words into lines: the first at most first wide, the others
// at most rest. A word longer than a line is cut between characters.
func (p *printer) wrap(ws []word, size, first, rest float64) [][]word {
	var lines [][]word
	var line []word
	used, limit := 0.0, first
	sp := p.spaceWidth(size)
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		wd := p.width(w, size)
		gap := 0.0
		if len(line) > 0 {
			gap = w.pad
			if w.space {
				gap += sp
			}
		}
		if used+gap+wd <= limit {
			line = append(line, w)
			used += gap + wd
			continue
		}
		if len(line) > 0 {
			lines = append(lines, line)
			line, used, limit = nil, 0, rest
			i-- // the word starts the next line
			continue
		}
		// Alone and too long: cut it where it overflows.
		runes := []rune(w.text)
		n := 1
		for n < len(runes) && p.width(word{text: string(runes[:n+1]), bold: w.bold}, size) <= limit {
			n++
		}
		lines = append(lines, []word{{text: string(runes[:n]), bold: w.bold}})
		limit = rest
		if n < len(runes) {
			ws[i] = word{text: string(runes[n:]), bold: w.bold}
			i--
		}
	}
	if len(line) > 0 {
		lines = append(lines, line)
	}
	return lines
}

// room starts a new page unless h millimetres fit above the bottom margin.
func (p *printer) room(h float64) {
	if p.pdf.GetY()+h > rcPageH-rcBottom {
		p.pdf.AddPage()
		p.pdf.SetY(rcTop)
	}
}

// drawLine prints one line of words at x on the current line, of height lh.
func (p *printer) drawLine(line []word, x, size, lh float64) {
	y := p.pdf.GetY()
	sp := p.spaceWidth(size)
	for i := 0; i < len(line); {
		// Print runs of one weight as one piece of text.
		j := i + 1
		text := line[i].text
		for j < len(line) && line[j].bold == line[i].bold && line[j].pad == 0 {
			if line[j].space {
				text += " "
			}
			text += line[j].text
			j++
		}
		if i > 0 {
			x += line[i].pad
			if line[i].space {
				x += sp
			}
		}
		p.font(line[i].bold, size)
		wd := p.pdf.GetStringWidth(text)
		p.pdf.SetXY(x, y)
		p.pdf.CellFormat(wd, lh, text, "", 0, "L", false, 0, "")
		x += wd
		i = j
	}
	p.pdf.SetXY(rcLeft, y+lh)
}

// para prints a paragraph from x: its first line starts at x, the others
// at x+hang, all end at the right margin.
func (p *printer) para(x, hang, size, lh float64, spans ...span) {
	right := rcLeft + rcWidth
	lines := p.wrap(words(spans), size, right-x, right-x-hang)
	for i, line := range lines {
		p.room(lh)
		if i == 0 {
			p.drawLine(line, x, size, lh)
		} else {
			p.drawLine(line, x+hang, size, lh)
		}
	}
}

// centred prints text centred in the column [x, x+w], wrapped to it, and
// returns the widest line's width.
func (p *printer) centred(x, w, size, lh float64, b bool, text string) float64 {
	widest := 0.0
	for _, line := range p.wrap(words([]span{{text: text, bold: b}}), size, w, w) {
		s := joinWords(line)
		p.font(b, size)
		wd := p.pdf.GetStringWidth(s)
		widest = max(widest, wd)
		p.room(lh)
		y := p.pdf.GetY()
		p.pdf.SetXY(x, y)
		p.pdf.CellFormat(w, lh, s, "", 0, "C", false, 0, "")
		p.pdf.SetXY(rcLeft, y+lh)
	}
	return widest
}

func joinWords(line []word) string {
	var b strings.Builder
	for i, w := range line {
		if i > 0 && w.space {
			b.WriteByte(' ')
		}
		b.WriteString(w.text)
	}
	return b.String()
}

// fit returns the largest size from max down to min (in steps of a
// quarter point) at which text fits w on one line.
func (p *printer) fit(text string, b bool, maxSize, minSize, w float64) float64 {
	size := maxSize
	for ; size > minSize; size -= 0.25 {
		p.font(b, size)
		if p.pdf.GetStringWidth(text) <= w {
			break
		}
	}
	return size
}

// rule draws a centred horizontal line of width w under the current line.
func (p *printer) rule(x, w, colW float64) {
	y := p.pdf.GetY() + 0.8
	p.pdf.SetLineWidth(0.2)
	p.pdf.Line(x+(colW-w)/2, y, x+(colW+w)/2, y)
	p.pdf.SetY(y + 0.8)
}

// The header: the agency on the left, the national heading and the date
// line on the right, as in every administrative document (Decree 30/2020).
func (p *printer) header(r ReceiptData) {
	const (
		leftW  = 50.0
		gap    = 2.0
		rightX = rcLeft + leftW + gap
		rightW = rcWidth - leftW - gap
		hsize  = 8.5
		hlh    = 4.0
	)
	top := p.pdf.GetY()

	// Left: tên cơ quan chủ quản, tên cơ quan (bold), a short rule.
	if r.ParentName != "" {
		p.centred(rcLeft, leftW, hsize, hlh, false, strings.ToUpper(r.ParentName))
	}
	p.centred(rcLeft, leftW, hsize, hlh, true, strings.ToUpper(orDots(r.AgencyName)))
	p.rule(rcLeft, 14, leftW)
	leftBottom := p.pdf.GetY()

	// Right: quốc hiệu, tiêu ngữ underlined, then the place and date.
	p.pdf.SetY(top)
	const nation = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	p.centred(rightX, rightW, p.fit(nation, true, hsize, 6.5, rightW), hlh, true, nation)
	motto := p.centred(rightX, rightW, hsize+0.5, hlh+0.3, true, "Độc lập - Tự do - Hạnh phúc")
	p.rule(rightX, motto, rightW)
	p.pdf.SetY(p.pdf.GetY() + 2)
	p.centred(rightX, rightW, hsize, hlh, false, r.dateLine())

	p.pdf.SetY(max(leftBottom, p.pdf.GetY()) + 5)

	// The title and the code.
	title := "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
	p.centred(rcLeft, rcWidth, p.fit(title, true, 11.5, 9, rcWidth), 5.5, true, title)
	p.pdf.SetY(p.pdf.GetY() + 0.5)
	codeLine := []span{reg("Mã hồ sơ: "), bold(orDots(r.Code))}
	p.font(false, 10)
	wd := p.pdf.GetStringWidth("Mã hồ sơ: ")
	p.font(true, 10)
	wd += p.pdf.GetStringWidth(orDots(r.Code))
	p.para(rcLeft+max(0, (rcWidth-wd)/2), 0, 10, 5, codeLine...)
	p.pdf.SetY(p.pdf.GetY() + 3)
}

func (r ReceiptData) dateLine() string {
	d := r.Date
	if d.IsZero() && !r.ReceivedAt.IsZero() {
		d = workcal.LocalDate(r.ReceivedAt)
	}
	place := r.Place
	if place == "" {
		place = "……"
	}
	if d.IsZero() {
		return place + ", ngày …… tháng …… năm ……"
	}
	return place + ", " + vnDate(d)
}

func (p *printer) body(r ReceiptData) {
	line := func(spans ...span) { p.para(rcLeft, 0, p.size, p.leading, spans...) }
	line(reg("Tiếp nhận hồ sơ của: "), bold(orDots(r.ApplicantName)))
	if r.ApplicantAddress != "" {
		line(reg("Địa chỉ: " + r.ApplicantAddress))
	}
	contact := []span{reg("Số điện thoại: " + orDots(r.ApplicantPhone))}
	if r.ApplicantEmail != "" {
		contact = append(contact, span{text: " Email: " + r.ApplicantEmail, pad: 6})
	}
	line(contact...)
	request := []span{reg("Nội dung yêu cầu giải quyết: "), bold(orDots(r.ProcedureName))}
	if r.ProcedureCode != "" {
		request = append(request, reg(" (mã thủ tục "+r.ProcedureCode+")"))
	}
	line(request...)
	if c, ok := channelNames[r.Channel]; ok {
		line(reg("Hình thức nộp hồ sơ: " + c))
	}

	n := 0
	item := func(spans ...span) {
		n++
		num := strconv.Itoa(n) + ". "
		p.font(false, p.size)
		p.para(rcLeft, p.pdf.GetStringWidth(num), p.size, p.leading, append([]span{reg(num)}, spans...)...)
	}
	item(reg("Thành phần hồ sơ nộp gồm:"))
	// The documents' numbers align on the right, their names on the left.
	p.font(false, p.size)
	numW := p.pdf.GetStringWidth(strconv.Itoa(len(r.Documents)) + ") ")
	for i, d := range r.Documents {
		num := strconv.Itoa(i+1) + ") "
		text := d.Name
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
			text += " (" + strings.Join(detail, " ") + ")"
		}
		p.font(false, p.size)
		w := p.pdf.GetStringWidth(num)
		p.para(rcLeft+4+numW-w, w, p.size, p.leading, reg(num), reg(text))
	}
	sets := r.Sets
	if sets < 1 {
		sets = 1
	}
	item(reg(fmt.Sprintf("Số lượng hồ sơ: %02d (bộ)", sets)))
	item(reg("Thời gian giải quyết hồ sơ theo quy định là: " + orDots(r.TimeLimit)))
	item(reg("Thời gian nhận hồ sơ: "), bold(vnTime(r.ReceivedAt)))
	due := "…… giờ …… phút, ngày …… tháng …… năm ……"
	if !r.DueDate.IsZero() {
		due = vnDate(r.DueDate)
	}
	item(reg("Thời gian trả kết quả giải quyết hồ sơ: "), bold(due))
	if r.Fee > 0 {
		item(reg("Phí, lệ phí: "), bold(money(r.Fee)+" đồng"))
	} else {
		item(reg("Phí, lệ phí: không thu"))
	}
	if r.ReturnPlace != "" {
		item(reg("Nơi trả kết quả: " + r.ReturnPlace))
	}
	if r.RegisterNo != "" {
		item(reg("Vào Sổ theo dõi hồ sơ, Quyển số: " + orDots(r.RegisterBook) + ", Số thứ tự: " + r.RegisterNo))
	}
}

// signatures prints the two signature blocks side by side and the lookup
// note under them, kept together on one page.
func (p *printer) signatures(r ReceiptData) {
	const (
		gapAbove = 3.0
		signH    = 17.0 // room to sign
		noteSize = 7.5
		noteLH   = 3.4
	)
	note := r.lookupNote()
	noteLines := 0
	if note != "" {
		noteLines = len(p.wrap(words([]span{reg(note)}), noteSize, rcWidth, rcWidth))
	}
	p.room(gapAbove + 4.5 + 4 + signH + 4.5 + 2 + float64(noteLines)*noteLH)
	p.pdf.SetY(p.pdf.GetY() + gapAbove)
	top := p.pdf.GetY()
	half := rcWidth / 2
	block := func(x float64, title, name string) float64 {
		p.pdf.SetY(top)
		p.centred(x, half, p.size, 4.5, true, title)
		p.centred(x, half, 7.5, 4, false, "(Ký và ghi rõ họ tên)")
		p.pdf.SetY(p.pdf.GetY() + signH)
		if name != "" {
			p.centred(x, half, p.size, 4.5, true, name)
		}
		return p.pdf.GetY()
	}
	y1 := block(rcLeft, "NGƯỜI NỘP HỒ SƠ", r.ApplicantName)
	y2 := block(rcLeft+half, "NGƯỜI TIẾP NHẬN HỒ SƠ", r.OfficerName)
	p.pdf.SetY(max(y1, y2) + 2)
	if note != "" {
		p.pdf.SetTextColor(60, 60, 60)
		p.para(rcLeft, 0, noteSize, noteLH, reg(note))
		p.pdf.SetTextColor(0, 0, 0)
	}
}

func (r ReceiptData) lookupNote() string {
	if r.LookupURL == "" {
		return ""
	}
	return "Tra cứu tình trạng giải quyết hồ sơ tại " + r.LookupURL + " bằng mã hồ sơ " + r.Code +
		" và số điện thoại đã khai khi nộp hồ sơ."
}

func orDots(s string) string {
	if s == "" {
		return "……………………"
	}
	return s
}

// vnDate formats d as "ngày 05 tháng 11 năm 2026".
func vnDate(d workcal.Date) string {
	y, m, dd := d.Date()
	return fmt.Sprintf("ngày %02d tháng %02d năm %04d", dd, int(m), y)
}

// vnTime formats t in Vietnam's time as "08 giờ 30 phút, ngày 05 tháng 11
// năm 2026".
func vnTime(t time.Time) string {
	if t.IsZero() {
		return "…… giờ …… phút, ngày …… tháng …… năm ……"
	}
	t = t.In(workcal.ICT) // Asia/Ho_Chi_Minh: UTC+7, no daylight saving
	return fmt.Sprintf("%02d giờ %02d phút, ", t.Hour(), t.Minute()) + vnDate(workcal.DateOf(t))
}

// money formats đồng with dots between thousands, the Vietnamese way.
func money(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
