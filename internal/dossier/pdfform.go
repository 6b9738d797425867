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

// The printable forms share one layout engine: A5 paper, the heading of
// every administrative document, text that wraps with mixed weights, and
// signature blocks. The receipt (Mẫu 01) was its first user.

// The forms' font: DejaVu Sans from Debian's fonts-dejavu-core, which
// covers Vietnamese (see fonts/README.md for its source and licence).
// Embedded, so that printing never depends on the fonts of the server.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// AddFonts registers the embedded Unicode font (regular and bold) with a
// PDF and returns its family name: every printable document of egov
// (forms, receipts, QR label sheets) prints Vietnamese with it.
func AddFonts(pdf *fpdf.Fpdf) string {
	pdf.AddUTF8FontFromBytes(pgFont, "", fontRegular)
	pdf.AddUTF8FontFromBytes(pgFont, "B", fontBold)
	return pgFont
}

// Page geometry of the forms, in millimetres: A5 portrait (Circular
// 01/2018/TT-VPCP prints forms 01–05 on A5).
const (
	pgPageW  = 148.0
	pgPageH  = 210.0
	pgLeft   = 15.0
	pgRight  = 12.0
	pgTop    = 11.0
	pgBottom = 11.0
	pgWidth  = pgPageW - pgLeft - pgRight
	pgFont   = "dejavu"
)

// bodySizes are the sizes (points) the body is tried at, largest first,
// until the form fits one page; if none fits, the first is used and the
// form flows onto more pages.
var bodySizes = []float64{9, 8.5, 8}

// docInfo is a form's document properties.
type docInfo struct {
	Title, Subject, Author string
	Code                   string    // the dossier code, in the footer of a form of several pages
	At                     time.Time // creation date: the same form prints the same bytes
}

// writeForm lays a form out with draw and writes it as a PDF: at the
// largest body size at which it fits one page, else over several pages,
// each numbered and marked with the dossier code.
func writeForm(w io.Writer, info docInfo, draw func(p *printer)) error {
	var pdf *fpdf.Fpdf
	var err error
	for _, size := range bodySizes {
		pdf, err = renderForm(info, size, false, draw)
		if err != nil || pdf.PageCount() == 1 {
			break
		}
	}
	if err == nil && pdf.PageCount() > 1 {
		pdf, err = renderForm(info, bodySizes[0], true, draw)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", info.Title, info.Code, err)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("%s %s: %w", info.Title, info.Code, err)
	}
	return nil
}

func renderForm(info docInfo, size float64, numbered bool, draw func(p *printer)) (*fpdf.Fpdf, error) {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: fpdf.SizeType{Wd: pgPageW, Ht: pgPageH}})
	AddFonts(pdf)
	pdf.SetMargins(pgLeft, pgTop, pgRight)
	pdf.SetAutoPageBreak(false, pgBottom) // the printer breaks pages itself, between lines
	pdf.SetCellMargin(0)
	pdf.SetTitle(info.Title, true)
	pdf.SetSubject(info.Subject, true)
	pdf.SetAuthor(info.Author, true)
	pdf.SetCreator("egov", false)
	pdf.SetLang("vi")
	pdf.SetCatalogSort(true)
	if !info.At.IsZero() {
		// The same form prints the same bytes, so a reprint is the same
		// document.
		pdf.SetCreationDate(info.At)
		pdf.SetModificationDate(info.At)
	}
	if numbered {
		pdf.AliasNbPages("{nb}")
		pdf.SetFooterFunc(func() {
			pdf.SetFont(pgFont, "", 7.5)
			pdf.SetXY(pgLeft, pgPageH-pgBottom+3)
			pdf.CellFormat(pgWidth, 4, "Mã hồ sơ: "+info.Code, "", 0, "L", false, 0, "")
			pdf.SetXY(pgLeft, pgPageH-pgBottom+3)
			pdf.CellFormat(pgWidth, 4, fmt.Sprintf("Trang %d/{nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
		})
	}
	pdf.AddPage()
	draw(&printer{pdf: pdf, size: size, leading: size * 0.48})
	return pdf, pdf.Error()
}

// printer lays out text with its own line breaking, so that a line may mix
// regular and bold words and wrapped lines may hang under a number.
type printer struct {
	pdf     *fpdf.Fpdf
	size    float64 // body text, points
	leading float64 // body line height, mm
	items   int     // the last number item gave
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
	p.pdf.SetFont(pgFont, style, size)
}

func (p *printer) width(w word, size float64) float64 {
	p.font(w.bold, size)
	return p.pdf.GetStringWidth(w.text)
}

func (p *printer) spaceWidth(size float64) float64 {
	p.font(false, size)
	return p.pdf.GetStringWidth(" ")
}

// textWidth is the width of s in one weight.
func (p *printer) textWidth(s string, b bool, size float64) float64 {
	p.font(b, size)
	return p.pdf.GetStringWidth(s)
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

// room starts a new page unless h millimetres fit above the bottom margin,
// and reports whether it did.
func (p *printer) room(h float64) bool {
	if p.pdf.GetY()+h > pgPageH-pgBottom {
		p.pdf.AddPage()
		p.pdf.SetY(pgTop)
		return true
	}
	return false
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
	p.pdf.SetXY(pgLeft, y+lh)
}

// para prints a paragraph from x: its first line starts at x, the others
// at x+hang, all end at the right margin.
func (p *printer) para(x, hang, size, lh float64, spans ...span) {
	right := pgLeft + pgWidth
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

// line prints a paragraph of body text from the left margin.
func (p *printer) line(spans ...span) { p.para(pgLeft, 0, p.size, p.leading, spans...) }

// item prints the next numbered paragraph of the body ("1. …"), its
// wrapped lines hanging under the text.
func (p *printer) item(spans ...span) {
	p.items++
	num := strconv.Itoa(p.items) + ". "
	p.para(pgLeft, p.textWidth(num, false, p.size), p.size, p.leading, append([]span{reg(num)}, spans...)...)
}

// list prints texts as a list indented under the current paragraph,
// numbered "1)", "2)", … with the numbers aligned on the right.
func (p *printer) list(texts []string) {
	numW := p.textWidth(strconv.Itoa(len(texts))+") ", false, p.size)
	for i, text := range texts {
		num := strconv.Itoa(i+1) + ") "
		w := p.textWidth(num, false, p.size)
		p.para(pgLeft+4+numW-w, w, p.size, p.leading, reg(num), reg(text))
	}
}

// applicant prints whom a form concerns: label and the name in bold, the
// address (left out when empty), the phone and the e-mail (left out when
// empty).
func (p *printer) applicant(label, name, address, phone, email string) {
	p.line(reg(label), bold(orDots(name)))
	if address != "" {
		p.line(reg("Địa chỉ: " + address))
	}
	contact := []span{reg("Số điện thoại: " + orDots(phone))}
	if email != "" {
		contact = append(contact, span{text: " Email: " + email, pad: 6})
	}
	p.line(contact...)
}

// request prints the line of the procedure the dossier asks for.
func (p *printer) request(name, code string) {
	spans := []span{reg("Nội dung yêu cầu giải quyết: "), bold(orDots(name))}
	if code != "" {
		spans = append(spans, reg(" (mã thủ tục "+code+")"))
	}
	p.line(spans...)
}

// gap leaves h millimetres of room.
func (p *printer) gap(h float64) { p.pdf.SetY(p.pdf.GetY() + h) }

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
		p.pdf.SetXY(pgLeft, y+lh)
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

// heading is the top of a form: the agency on the left, the national
// heading and the date line on the right, as in every administrative
// document (Decree 30/2020); then the title and the dossier code.
type heading struct {
	Parent   string // tên cơ quan chủ quản (optional)
	Agency   string // tên cơ quan
	Number   string // "Số: …" under the agency (optional)
	DateLine string // "An Thạnh, ngày … tháng … năm …"
	Title    string
	Subtitle string // a line under the title (optional)
	Code     string // "Mã hồ sơ: …"; empty leaves the line out
}

func (p *printer) header(h heading) {
	const (
		leftW  = 50.0
		gap    = 2.0
		rightX = pgLeft + leftW + gap
		rightW = pgWidth - leftW - gap
		hsize  = 8.5
		hlh    = 4.0
	)
	top := p.pdf.GetY()

	// Left: tên cơ quan chủ quản, tên cơ quan (bold), a short rule.
	if h.Parent != "" {
		p.centred(pgLeft, leftW, hsize, hlh, false, strings.ToUpper(h.Parent))
	}
	p.centred(pgLeft, leftW, hsize, hlh, true, strings.ToUpper(orDots(h.Agency)))
	p.rule(pgLeft, 14, leftW)
	if h.Number != "" {
		p.gap(1)
		p.centred(pgLeft, leftW, hsize-0.5, hlh, false, h.Number)
	}
	leftBottom := p.pdf.GetY()

	// Right: quốc hiệu, tiêu ngữ underlined, then the place and date.
	p.pdf.SetY(top)
	const nation = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	p.centred(rightX, rightW, p.fit(nation, true, hsize, 6.5, rightW), hlh, true, nation)
	motto := p.centred(rightX, rightW, hsize+0.5, hlh+0.3, true, "Độc lập - Tự do - Hạnh phúc")
	p.rule(rightX, motto, rightW)
	p.gap(2)
	p.centred(rightX, rightW, hsize, hlh, false, h.DateLine)

	p.pdf.SetY(max(leftBottom, p.pdf.GetY()) + 5)

	// The title and the code.
	p.centred(pgLeft, pgWidth, p.fit(h.Title, true, 11.5, 9, pgWidth), 5.5, true, h.Title)
	if h.Subtitle != "" {
		p.centred(pgLeft, pgWidth, 8, 4, false, h.Subtitle)
	}
	if h.Code != "" {
		p.gap(0.5)
		wd := p.textWidth("Mã hồ sơ: ", false, 10) + p.textWidth(h.Code, true, 10)
		p.para(pgLeft+max(0, (pgWidth-wd)/2), 0, 10, 5, reg("Mã hồ sơ: "), bold(h.Code))
	}
	p.gap(3)
}

// signBlock is one signature: a title in capitals, how to sign, the name.
type signBlock struct {
	Title string
	Hint  string // "(Ký và ghi rõ họ tên)"
	Name  string
}

// signatures prints up to two signature blocks side by side (one alone
// sits on the right, where a signer signs) and a note under them, kept
// together on one page.
func (p *printer) signatures(blocks []signBlock, note string) {
	const (
		gapAbove = 3.0
		signH    = 17.0 // room to sign
		noteSize = 7.5
		noteLH   = 3.4
	)
	noteLines := 0
	if note != "" {
		noteLines = len(p.wrap(words([]span{reg(note)}), noteSize, pgWidth, pgWidth))
	}
	half := pgWidth / 2
	titleLines := 1
	for _, b := range blocks {
		titleLines = max(titleLines, len(p.wrap(words([]span{bold(b.Title)}), p.size, half, half)))
	}
	p.room(gapAbove + 4.5*float64(titleLines) + 4 + signH + 4.5 + 2 + float64(noteLines)*noteLH)
	p.gap(gapAbove)
	top := p.pdf.GetY()
	bottom := top
	for i, b := range blocks {
		x := pgLeft + float64(i)*half
		if len(blocks) == 1 {
			x = pgLeft + half
		}
		p.pdf.SetY(top)
		p.centred(x, half, p.size, 4.5, true, b.Title)
		if b.Hint != "" {
			p.centred(x, half, 7.5, 4, false, b.Hint)
		}
		p.gap(signH)
		if b.Name != "" {
			p.centred(x, half, p.size, 4.5, true, b.Name)
		}
		bottom = max(bottom, p.pdf.GetY())
	}
	p.pdf.SetY(bottom + 2)
	if note != "" {
		p.pdf.SetTextColor(60, 60, 60)
		p.para(pgLeft, 0, noteSize, noteLH, reg(note))
		p.pdf.SetTextColor(0, 0, 0)
	}
}

const signHint = "(Ký và ghi rõ họ tên)"

// column is one column of a table: its heading and width (mm).
type column struct {
	Title string
	Width float64
}

// table prints a table with ruled cells: the heading row in bold, then
// each row, whose cells are paragraphs (one []span a paragraph). A row
// that does not fit the page starts the next one, under the heading again.
func (p *printer) table(cols []column, rows [][][][]span) {
	const (
		pad  = 1.0
		size = 7.5
		lh   = 3.5
	)
	cellLines := func(c column, paras [][]span) [][]word {
		var out [][]word
		for _, sp := range paras {
			out = append(out, p.wrap(words(sp), size, c.Width-2*pad, c.Width-2*pad)...)
		}
		return out
	}
	p.tableHead(cols, cellLines, size, lh, pad)
	for _, r := range rows {
		cells := make([][][]word, len(cols))
		n := 1
		for i, c := range cols {
			if i < len(r) {
				cells[i] = cellLines(c, r[i])
			}
			n = max(n, len(cells[i]))
		}
		h := float64(n)*lh + 2*pad
		if p.room(h) {
			p.tableHead(cols, cellLines, size, lh, pad)
		}
		p.cells(cols, cells, size, lh, pad, h, false)
	}
}

// tableHead prints the heading row of a table.
func (p *printer) tableHead(cols []column, cellLines func(column, [][]span) [][]word, size, lh, pad float64) {
	cells := make([][][]word, len(cols))
	n := 1
	for i, c := range cols {
		cells[i] = cellLines(c, [][]span{{bold(c.Title)}})
		n = max(n, len(cells[i]))
	}
	h := float64(n)*lh + 2*pad
	p.room(h)
	p.cells(cols, cells, size, lh, pad, h, true)
}

// cells prints one row of ruled cells h high; centred cells (the heading)
// are centred both ways.
func (p *printer) cells(cols []column, cells [][][]word, size, lh, pad, h float64, centred bool) {
	y := p.pdf.GetY()
	x := pgLeft
	p.pdf.SetLineWidth(0.2)
	for i, c := range cols {
		p.pdf.Rect(x, y, c.Width, h, "D")
		top := y + pad
		if centred {
			top += (h - 2*pad - float64(len(cells[i]))*lh) / 2
		}
		p.pdf.SetY(top)
		for _, line := range cells[i] {
			lx := x + pad
			if centred {
				lx = x + (c.Width-p.lineWidth(line, size))/2
			}
			p.drawLine(line, lx, size, lh)
		}
		x += c.Width
	}
	p.pdf.SetXY(pgLeft, y+h)
}

// lineWidth is the width of a line of words.
func (p *printer) lineWidth(line []word, size float64) float64 {
	w := 0.0
	for i, wd := range line {
		if i > 0 {
			w += wd.pad
			if wd.space {
				w += p.spaceWidth(size)
			}
		}
		w += p.width(wd, size)
	}
	return w
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

// printables applies printable to each string.
func printables(ss ...*string) {
	for _, s := range ss {
		*s = printable(*s)
	}
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

// dateLine is "Place, ngày … tháng … năm …" of the date d, else of the
// time at, else with the date left blank.
func dateLine(place string, d workcal.Date, at time.Time) string {
	if d.IsZero() && !at.IsZero() {
		d = workcal.LocalDate(at)
	}
	if place == "" {
		place = "……"
	}
	if d.IsZero() {
		return place + ", ngày …… tháng …… năm ……"
	}
	return place + ", " + vnDate(d)
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
