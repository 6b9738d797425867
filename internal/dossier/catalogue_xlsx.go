package dossier

// The catalogue as an Excel workbook, for provincial officers who edit it in
// a spreadsheet. The JSON document stays the exchange format; the workbook
// is a view of the same values that reads back to the same procedures.
//
// Layout. One sheet per list, each with two header rows:
//
//	row 1  the column's Vietnamese title, for people (free text, not read);
//	row 2  the column's key, for the program (grey, visible on purpose: an
//	       officer who inserts a column sees where its key goes);
//	row 3… one record per row.
//
// Parsing maps columns by their key in row 2, never by position: columns may
// be reordered, and a column without a key is ignored (room for an
// officer's working notes). An unknown key is an error, so that a misspelt
// key is not silently dropped. Sheets are found by name, without regard to
// accents or case; other sheets (such as the guide) are ignored.
//
//	Thủ tục           one row per procedure: code, name, field, level,
//	                  applicants, agency, channels (comma list), online_mode,
//	                  online_reason, time_limit.*, fee.* (without the
//	                  exemptions), result.*, legal_basis (one act per line of
//	                  the cell), confidence, source, note
//	Trình tự          code, order, text
//	Thành phần hồ sơ  code, order, name, copies, kind, required, note
//	Trường biểu mẫu   code, order, name, label, label_en, type, required,
//	                  help, min, max, max_length, not_future, step.title,
//	                  step.title_en
//	Lựa chọn          code, field, order, value, label, label_en
//	Miễn phí          code, order, field, label
//
// The code column ties a child row to its procedure, and a code absent from
// "Thủ tục" is an error. The rows of one procedure (of one field, for
// options) are put in the order of the order column, which may hold
// decimals (2.5 inserts a row between 2 and 3); without an order column the
// rows keep the sheet's order. The form's steps (pages) are derived from the
// fields' step.title: the fields with the same title form one step, and
// steps come in the order of their first field. So the writer lists a
// form's fields step by step, and a form whose fields are not already in
// that order reads back with its fields reordered (the pages are the same);
// a step without fields cannot be written.
//
// Cells: text is trimmed and put in NFC; numbers may be number cells or text
// (digit groups "200.000", "200,000" accepted for whole numbers); yes/no
// cells accept x, có, true, 1, yes (and blank, không, false, 0, no); a zero
// number is written as an empty cell, except a field's min and max.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"egov/internal/vntext"
)

// MaxCatalogueRows bounds the data rows of each sheet of an imported
// workbook; the file itself is bounded by MaxCatalogueBytes.
const MaxCatalogueRows = 100_000

const (
	// xlsxMaxUnzipped bounds the workbook's unzipped parts (held in
	// memory, never spilled to temporary files).
	xlsxMaxUnzipped = 128 << 20
	// xlsxMaxProblems stops a parse that has found this many problems.
	xlsxMaxProblems = 200
	xlsxFirstRow    = 3 // rows 1 and 2 are the headers
	// xlsxMaxColumns bounds the columns that hold values: excelize
	// spends time on every column up to a row's last value, so a value in
	// column XFD on every row would make a small file take minutes.
	xlsxMaxColumns    = 256
	xlsxMaxColumnName = "IW" // the first column refused
)

type xlsxKind int

const (
	xText  xlsxKind = iota
	xLong           // wrapped text
	xInt            // whole number
	xMoney          // whole number of đồng, shown with digit groups
	xBool           // x or blank
	xOrder          // a number that orders rows
)

type xlsxCol struct {
	key, title string
	kind       xlsxKind
	width      float64
	enum       []string // the values offered in a drop-down list
}

type xlsxSheet struct {
	name   string
	cols   []xlsxCol
	freeze int // columns kept in view
	index  map[string]int
}

func (s *xlsxSheet) col(key string) int {
	if i, ok := s.index[key]; ok {
		return i
	}
	panic("dossier: no column " + key + " in " + s.name)
}

var (
	codeCol  = xlsxCol{"code", "Mã thủ tục", xText, 11, nil}
	orderCol = xlsxCol{"order", "Thứ tự", xOrder, 7, nil}

	sheetProcedures = newXLSXSheet("Thủ tục", 2,
		codeCol,
		xlsxCol{"name", "Tên thủ tục", xLong, 45, nil},
		xlsxCol{"field", "Lĩnh vực", xText, 16, nil},
		xlsxCol{"level", "Cấp giải quyết (1 tỉnh … 3 xã)", xInt, 10, nil},
		xlsxCol{"applicants", "Đối tượng thực hiện", xLong, 25, nil},
		xlsxCol{"agency", "Cơ quan thực hiện", xLong, 25, nil},
		xlsxCol{"channels", "Cách thức thực hiện (direct, online, postal)", xText, 18, nil},
		xlsxCol{"online_mode", "Mức độ trực tuyến", xText, 11, []string{string(OnlineFull), string(OnlinePartial), string(OnlineNone)}},
		xlsxCol{"online_reason", "Lý do chưa trực tuyến toàn trình", xLong, 30, nil},
		xlsxCol{"time_limit.kind", "Loại thời hạn", xText, 13, []string{WorkingDays, SameDay}},
		xlsxCol{"time_limit.days", "Số ngày làm việc", xInt, 9, nil},
		xlsxCol{"time_limit.text", "Thời hạn giải quyết (theo văn bản)", xLong, 30, nil},
		xlsxCol{"fee.kind", "Loại phí, lệ phí", xText, 10, []string{FeeFree, FeeFixed, FeePerPage}},
		xlsxCol{"fee.amount", "Mức thu (đồng)", xMoney, 11, nil},
		xlsxCol{"fee.page_field", "Trường số trang", xText, 12, nil},
		xlsxCol{"fee.copies_field", "Trường số bản", xText, 12, nil},
		xlsxCol{"fee.first_pages", "Số trang đầu", xInt, 8, nil},
		xlsxCol{"fee.first_rate", "Giá trang đầu (đồng/trang)", xMoney, 11, nil},
		xlsxCol{"fee.rate", "Giá trang tiếp theo (đồng/trang)", xMoney, 11, nil},
		xlsxCol{"fee.cap", "Mức thu tối đa một bản (đồng)", xMoney, 11, nil},
		xlsxCol{"fee.set_by_province", "Mức thu do HĐND tỉnh quy định", xBool, 10, nil},
		xlsxCol{"fee.text", "Phí, lệ phí (theo văn bản)", xLong, 30, nil},
		xlsxCol{"result.name", "Kết quả thực hiện", xLong, 25, nil},
		xlsxCol{"result.electronic", "Kết quả điện tử", xBool, 9, nil},
		xlsxCol{"result.paper", "Kết quả bản giấy", xBool, 9, nil},
		xlsxCol{"legal_basis", "Căn cứ pháp lý (mỗi văn bản một dòng)", xLong, 40, nil},
		xlsxCol{"confidence", "Độ tin cậy", xText, 12, []string{"confirmed", "secondary", "unconfirmed"}},
		xlsxCol{"source", "Nguồn", xLong, 30, nil},
		xlsxCol{"note", "Ghi chú", xLong, 30, nil},
	)
	sheetSteps = newXLSXSheet("Trình tự", 2,
		codeCol, orderCol,
		xlsxCol{"text", "Bước thực hiện", xLong, 90, nil},
	)
	sheetDocuments = newXLSXSheet("Thành phần hồ sơ", 2,
		codeCol, orderCol,
		xlsxCol{"name", "Tên giấy tờ", xLong, 60, nil},
		xlsxCol{"copies", "Số lượng", xInt, 8, nil},
		xlsxCol{"kind", "Loại bản", xText, 16, []string{"original", "copy", "certified_copy", "original_or_copy"}},
		xlsxCol{"required", "Bắt buộc", xBool, 9, nil},
		xlsxCol{"note", "Ghi chú", xLong, 40, nil},
	)
	sheetFields = newXLSXSheet("Trường biểu mẫu", 3,
		codeCol, orderCol,
		xlsxCol{"name", "Tên trường (a-z, 0-9, _)", xText, 20, nil},
		xlsxCol{"label", "Nhãn", xLong, 30, nil},
		xlsxCol{"label_en", "Nhãn (tiếng Anh)", xLong, 25, nil},
		xlsxCol{"type", "Kiểu", xText, 10, []string{TypeText, TypeTextarea, TypeNumber, TypeDate, TypeSelect,
			TypeCheckbox, TypeCCCD, TypePhone, TypeEmail, TypeFile}},
		xlsxCol{"required", "Bắt buộc", xBool, 9, nil},
		xlsxCol{"help", "Hướng dẫn nhập", xLong, 30, nil},
		xlsxCol{"min", "Giá trị nhỏ nhất", xInt, 9, nil},
		xlsxCol{"max", "Giá trị lớn nhất", xInt, 9, nil},
		xlsxCol{"max_length", "Độ dài tối đa (ký tự)", xInt, 9, nil},
		xlsxCol{"not_future", "Không sau ngày hôm nay", xBool, 9, nil},
		xlsxCol{"step.title", "Bước (trang) của biểu mẫu", xText, 22, nil},
		xlsxCol{"step.title_en", "Bước (tiếng Anh)", xText, 18, nil},
	)
	sheetOptions = newXLSXSheet("Lựa chọn", 3,
		codeCol,
		xlsxCol{"field", "Tên trường", xText, 20, nil},
		orderCol,
		xlsxCol{"value", "Giá trị", xText, 18, nil},
		xlsxCol{"label", "Nhãn", xLong, 30, nil},
		xlsxCol{"label_en", "Nhãn (tiếng Anh)", xLong, 25, nil},
	)
	sheetExemptions = newXLSXSheet("Miễn phí", 2,
		codeCol, orderCol,
		xlsxCol{"field", "Trường đánh dấu (checkbox)", xText, 22, nil},
		xlsxCol{"label", "Đối tượng được miễn", xLong, 40, nil},
	)
	xlsxSheets = []*xlsxSheet{sheetProcedures, sheetSteps, sheetDocuments, sheetFields, sheetOptions, sheetExemptions}
)

const xlsxGuideSheet = "Hướng dẫn"

var xlsxGuide = []string{
	"Danh mục thủ tục hành chính — hướng dẫn nhập trên Excel",
	"",
	"Mỗi trang tính là một danh sách. Dòng 1 là tiêu đề; dòng 2 (chữ xám) là khóa mà phần mềm dùng để đọc cột: không sửa dòng 2.",
	"Có thể đổi thứ tự cột. Cột không có khóa ở dòng 2 được bỏ qua (dùng để ghi chú riêng). Dữ liệu bắt đầu từ dòng 3.",
	"Cột “Mã thủ tục” (code) nối mỗi dòng với thủ tục của nó; mã phải có trong trang “Thủ tục”. Nhập mã dạng văn bản, ví dụ 1.001193.",
	"Cột “Thứ tự” (order) xếp các dòng của cùng một thủ tục; được dùng số thập phân (2.5) để chèn một dòng vào giữa.",
	"Ô có/không: x, có, true hoặc 1 là có; để trống, không, false hoặc 0 là không.",
	"Cách thức thực hiện (channels): direct (trực tiếp), online (trực tuyến), postal (bưu chính công ích), cách nhau bằng dấu phẩy.",
	"Căn cứ pháp lý (legal_basis): mỗi văn bản một dòng trong ô (Alt+Enter).",
	"Biểu mẫu: các trường có cùng “Bước (trang)” (step.title) nằm trên cùng một trang; các trang theo thứ tự xuất hiện đầu tiên.",
	"Lựa chọn: các giá trị của trường kiểu select, mỗi dòng một lựa chọn. Miễn phí: trường kiểu checkbox mà khi đánh dấu thì không thu phí.",
	"Các giá trị mã (online_mode, time_limit.kind, fee.kind, kind, type, confidence) chọn trong danh sách thả xuống.",
	"Khi nhập, mọi lỗi được báo kèm trang, ô (ví dụ Thành phần hồ sơ!D7) và không dữ liệu nào được ghi cho đến khi hết lỗi.",
}

func newXLSXSheet(name string, freeze int, cols ...xlsxCol) *xlsxSheet {
	s := &xlsxSheet{name: name, cols: cols, freeze: freeze, index: map[string]int{}}
	for i, c := range cols {
		s.index[c.key] = i
	}
	return s
}

// xlsxRow is one row to write: values by key (nil leaves the cell empty).
type xlsxRow map[string]any

func xInt64(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

func xIntPtr(n *int64) any {
	if n == nil {
		return nil
	}
	return *n
}

func xBoolCell(b bool) any {
	if b {
		return "x"
	}
	return nil
}

// WriteCatalogueXLSX writes procedures as a workbook that
// ParseCatalogueXLSX reads back (see the layout above), with a guide sheet
// for the officers who edit it.
func WriteCatalogueXLSX(w io.Writer, ps []*Procedure) error {
	rows := map[*xlsxSheet][]xlsxRow{}
	add := func(s *xlsxSheet, r xlsxRow) { rows[s] = append(rows[s], r) }
	for _, p := range ps {
		if p == nil {
			return errors.New("dossier: a nil procedure")
		}
		add(sheetProcedures, xlsxRow{
			"code": p.Code, "name": p.Name, "field": p.Field, "level": xInt64(int64(p.Level)),
			"applicants": p.Applicants, "agency": p.Agency, "channels": joinChannels(p.Channels),
			"online_mode": string(p.OnlineMode), "online_reason": p.OnlineReason,
			"time_limit.kind": p.TimeLimit.Kind, "time_limit.days": xInt64(int64(p.TimeLimit.Days)), "time_limit.text": p.TimeLimit.Text,
			"fee.kind": p.Fee.Kind, "fee.amount": xInt64(p.Fee.Amount), "fee.page_field": p.Fee.PageField,
			"fee.copies_field": p.Fee.CopiesField, "fee.first_pages": xInt64(p.Fee.FirstPages),
			"fee.first_rate": xInt64(p.Fee.FirstRate), "fee.rate": xInt64(p.Fee.Rate), "fee.cap": xInt64(p.Fee.Cap),
			"fee.set_by_province": xBoolCell(p.Fee.SetByProvince), "fee.text": p.Fee.Text,
			"result.name": p.Result.Name, "result.electronic": xBoolCell(p.Result.Electronic), "result.paper": xBoolCell(p.Result.Paper),
			"legal_basis": strings.Join(p.LegalBasis, "\n"), "confidence": p.Confidence, "source": p.Source, "note": p.Note,
		})
		for i, s := range p.Steps {
			add(sheetSteps, xlsxRow{"code": p.Code, "order": i + 1, "text": s})
		}
		for i, d := range p.Documents {
			add(sheetDocuments, xlsxRow{"code": p.Code, "order": i + 1, "name": d.Name, "copies": xInt64(int64(d.Copies)),
				"kind": d.Kind, "required": xBoolCell(d.Required), "note": d.Note})
		}
		for i, fs := range formRows(&p.Form) {
			fd := &p.Form.Fields[fs.field]
			r := xlsxRow{"code": p.Code, "order": i + 1, "name": fd.Name, "label": fd.Label, "label_en": fd.LabelEN,
				"type": fd.Type, "required": xBoolCell(fd.Required), "help": fd.Help, "min": xIntPtr(fd.Min), "max": xIntPtr(fd.Max),
				"max_length": xInt64(int64(fd.MaxLength)), "not_future": xBoolCell(fd.NotFuture)}
			if fs.step >= 0 {
				r["step.title"], r["step.title_en"] = p.Form.Steps[fs.step].Title, p.Form.Steps[fs.step].TitleEN
			}
			add(sheetFields, r)
			for j, o := range fd.Options {
				add(sheetOptions, xlsxRow{"code": p.Code, "field": fd.Name, "order": j + 1, "value": o.Value, "label": o.Label, "label_en": o.LabelEN})
			}
		}
		for i, e := range p.Fee.Exemptions {
			add(sheetExemptions, xlsxRow{"code": p.Code, "order": i + 1, "field": e.Field, "label": e.Label})
		}
	}

	for _, s := range xlsxSheets {
		if len(rows[s]) > MaxCatalogueRows {
			return fmt.Errorf("dossier: %d rows for sheet %s, more than an import reads (%d)", len(rows[s]), s.name, MaxCatalogueRows)
		}
	}
	f := excelize.NewFile()
	defer f.Close()
	st, err := newXLSXStyles(f)
	if err != nil {
		return err
	}
	for i, s := range xlsxSheets {
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), s.name)
		} else {
			_, err = f.NewSheet(s.name)
		}
		if err == nil {
			err = writeXLSXSheet(f, s, rows[s], st)
		}
		if err != nil {
			return fmt.Errorf("dossier: writing sheet %s: %w", s.name, err)
		}
	}
	if err := writeXLSXGuide(f, st); err != nil {
		return err
	}
	// The first sheet is the active one already; SetActiveSheet would
	// parse every streamed sheet back.
	return f.Write(w)
}

// formRow places a field in the written order: step by step, then the
// fields that are in no step.
type formRow struct{ field, step int }

func formRows(f *Form) []formRow {
	var out []formRow
	done := make([]bool, len(f.Fields))
	for si, st := range f.Steps {
		for _, name := range st.Fields {
			for i := range f.Fields {
				if !done[i] && f.Fields[i].Name == name {
					done[i] = true
					out = append(out, formRow{i, si})
					break
				}
			}
		}
	}
	for i := range f.Fields {
		if !done[i] {
			out = append(out, formRow{i, -1})
		}
	}
	return out
}

func joinChannels(cs []Channel) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

type xlsxStyles struct {
	title, key, guide int
	byKind            map[xlsxKind]int
}

func newXLSXStyles(f *excelize.File) (*xlsxStyles, error) {
	top := func(a excelize.Alignment) *excelize.Alignment { a.Vertical = "top"; return &a }
	st := &xlsxStyles{byKind: map[xlsxKind]int{}}
	style, err := styler(f)
	st.title = style(excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top(excelize.Alignment{WrapText: true}),
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border: []excelize.Border{{Type: "bottom", Color: "9BC2E6", Style: 1}}})
	st.key = style(excelize.Style{Font: &excelize.Font{Italic: true, Size: 9, Color: "808080"}, NumFmt: 49,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}})
	st.guide = style(excelize.Style{Alignment: top(excelize.Alignment{WrapText: true})})
	// Text columns are formatted as text, so that a code typed later
	// (1.001190) is not turned into a number (1.00119).
	st.byKind[xText] = style(excelize.Style{NumFmt: 49, Alignment: top(excelize.Alignment{})})
	st.byKind[xLong] = style(excelize.Style{NumFmt: 49, Alignment: top(excelize.Alignment{WrapText: true})})
	st.byKind[xInt] = style(excelize.Style{Alignment: top(excelize.Alignment{})})
	st.byKind[xMoney] = style(excelize.Style{NumFmt: 3, Alignment: top(excelize.Alignment{})})
	st.byKind[xBool] = style(excelize.Style{NumFmt: 49, Alignment: top(excelize.Alignment{Horizontal: "center"})})
	st.byKind[xOrder] = style(excelize.Style{Alignment: top(excelize.Alignment{Horizontal: "center"})})
	return st, *err
}

func writeXLSXSheet(f *excelize.File, s *xlsxSheet, rows []xlsxRow, st *xlsxStyles) error {
	// Drop-down lists for the coded values; they must be in place before
	// the stream writer takes the worksheet over.
	for i, c := range s.cols {
		if c.enum == nil {
			continue
		}
		letter, _ := excelize.ColumnNumberToName(i + 1)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s%d:%s%d", letter, xlsxFirstRow, letter, MaxCatalogueRows+xlsxFirstRow-1)
		if err := dv.SetDropList(c.enum); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleWarning, c.key, strings.Join(c.enum, ", "))
		if err := f.AddDataValidation(s.name, dv); err != nil {
			return err
		}
	}
	sw, err := f.NewStreamWriter(s.name)
	if err != nil {
		return err
	}
	// Each column goes to the front of the list, which Excel wants in
	// ascending order (the stream writer does not sort it).
	for i := len(s.cols) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, s.cols[i].width); err != nil {
			return err
		}
		if err := sw.SetColStyle(i+1, i+1, st.byKind[s.cols[i].kind]); err != nil {
			return err
		}
	}
	topLeft, _ := excelize.CoordinatesToCellName(s.freeze+1, xlsxFirstRow)
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: s.freeze, YSplit: xlsxFirstRow - 1,
		TopLeftCell: topLeft, ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: topLeft, ActiveCell: topLeft, Pane: "bottomRight"}}}); err != nil {
		return err
	}
	titles := make([]any, len(s.cols))
	keys := make([]any, len(s.cols))
	for i, c := range s.cols {
		titles[i] = excelize.Cell{StyleID: st.title, Value: c.title}
		keys[i] = excelize.Cell{StyleID: st.key, Value: c.key}
	}
	if err := sw.SetRow("A1", titles, excelize.RowOpts{Height: 48}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", keys); err != nil {
		return err
	}
	vals := make([]any, len(s.cols))
	for n, r := range rows {
		for i, c := range s.cols {
			v := r[c.key]
			if str, ok := v.(string); ok {
				if str == "" {
					v = nil
				} else if utf16Len(str) > excelize.TotalCellChars {
					return fmt.Errorf("dossier: %s %s is longer than a cell holds (%d characters)", r["code"], c.key, excelize.TotalCellChars)
				}
			}
			vals[i] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, xlsxFirstRow+n)
		if err := sw.SetRow(cell, vals, excelize.RowOpts{Height: xlsxRowHeight(s, vals)}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// xlsxRowHeight fits a row to its wrapped text, roughly (up to ten
// lines): spreadsheets size rows when a cell is edited, not when a file
// is opened.
func xlsxRowHeight(s *xlsxSheet, vals []any) float64 {
	lines := 1
	for i, c := range s.cols {
		str, ok := vals[i].(string)
		if !ok || c.kind != xLong {
			continue
		}
		n := 0
		for _, l := range strings.Split(str, "\n") {
			n += max(1, int(math.Ceil(float64(utf8.RuneCountInString(l))/(c.width*1.1))))
		}
		lines = max(lines, n)
	}
	return 15 * float64(min(lines, 10))
}

func writeXLSXGuide(f *excelize.File, st *xlsxStyles) error {
	if _, err := f.NewSheet(xlsxGuideSheet); err != nil {
		return err
	}
	if err := f.SetColWidth(xlsxGuideSheet, "A", "A", 120); err != nil {
		return err
	}
	for i, line := range xlsxGuide {
		cell := fmt.Sprintf("A%d", i+1)
		if err := f.SetCellStr(xlsxGuideSheet, cell, line); err != nil {
			return err
		}
		style := st.guide
		if i == 0 {
			style = st.title
		}
		if err := f.SetCellStyle(xlsxGuideSheet, cell, cell, style); err != nil {
			return err
		}
	}
	return nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// ParseCatalogueXLSX reads and checks a catalogue workbook (see the layout
// above). Every problem is reported with its sheet and cell
// ("Thành phần hồ sơ!D7: …"), the problems that Procedure.Check finds too,
// mapped back to the cell that holds the value. On any problem it returns
// CatalogueErrors and no procedures.
func ParseCatalogueXLSX(r io.Reader) ([]Procedure, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCatalogueBytes+1))
	if err != nil {
		return nil, CatalogueErrors{{Path: "(document)", Msg: "reading the workbook: " + err.Error()}}
	}
	if len(data) > MaxCatalogueBytes {
		return nil, CatalogueErrors{{Path: "(document)", Msg: "the workbook is larger than 8 MiB"}}
	}
	// An encrypted workbook and the old .xls format are OLE files; refuse
	// them before excelize tries a password (an expensive key derivation).
	if !bytes.HasPrefix(data, []byte("PK")) {
		return nil, CatalogueErrors{{Path: "(document)", Msg: "this is not an .xlsx workbook (an .xls file or a password-protected workbook?): save it as an Excel workbook (.xlsx) without a password"}}
	}
	x := &xlsxParser{reported: map[string]bool{}}
	ps := x.parse(data)
	if len(x.errs) > 0 {
		return nil, x.errs
	}
	return ps, nil
}

type xlsxParser struct {
	f        *excelize.File
	errs     CatalogueErrors
	reported map[string]bool // cells with a problem found while reading
}

func (x *xlsxParser) full() bool { return len(x.errs) >= xlsxMaxProblems }

func (x *xlsxParser) add(ref, format string, args ...any) {
	if x.full() {
		return
	}
	x.errs = append(x.errs, Problem{Path: ref, Msg: fmt.Sprintf(format, args...)})
	if len(x.errs) == xlsxMaxProblems {
		x.errs = append(x.errs, Problem{Path: "(document)", Msg: fmt.Sprintf("stopped after %d problems", xlsxMaxProblems)})
	}
}

// parse reads the workbook; a panic in excelize (on a malformed file) is a
// problem of the document, not of the server.
func (x *xlsxParser) parse(data []byte) (ps []Procedure) {
	defer func() {
		if v := recover(); v != nil {
			ps = nil
			x.errs = append(x.errs, Problem{Path: "(document)", Msg: fmt.Sprintf("the workbook cannot be read (%v)", v)})
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: xlsxMaxUnzipped, UnzipXMLSizeLimit: xlsxMaxUnzipped})
	if err != nil {
		x.add("(document)", "the workbook cannot be read: %v", err)
		return nil
	}
	defer f.Close()
	x.f = f
	return x.procedures()
}

// xlsxTable is one sheet as read: its key columns and its non-blank rows.
type xlsxTable struct {
	s      *xlsxSheet
	name   string // as spelt in the workbook
	letter []string
	rows   []xlsxRecord
}

type xlsxRecord struct {
	n    int      // the row number in the sheet
	vals []string // by the sheet's columns; "" where absent or blank
}

func (t *xlsxTable) has(key string) bool { return t.letter[t.s.col(key)] != "" }

// ref is the cell of key on row n, or the row when the sheet has no such
// column.
func (t *xlsxTable) ref(key string, n int) string {
	if key != "" {
		if l := t.letter[t.s.col(key)]; l != "" {
			return fmt.Sprintf("%s!%s%d", t.name, l, n)
		}
	}
	return fmt.Sprintf("%s!%d", t.name, n)
}

func (x *xlsxParser) readTables() map[*xlsxSheet]*xlsxTable {
	found := map[string]string{}
	for _, name := range x.f.GetSheetList() {
		k := vntext.Fold(strings.TrimSpace(name))
		if prev, dup := found[k]; dup {
			x.add(name, "two sheets are named like this one (%q)", prev)
		}
		found[k] = name
	}
	tables := map[*xlsxSheet]*xlsxTable{}
	for _, s := range xlsxSheets {
		name, ok := found[vntext.Fold(s.name)]
		if !ok {
			x.add(s.name, "the workbook has no sheet %q", s.name)
			continue
		}
		if t := x.readTable(s, name); t != nil {
			tables[s] = t
		}
	}
	return tables
}

func (x *xlsxParser) readTable(s *xlsxSheet, name string) *xlsxTable {
	t := &xlsxTable{s: s, name: name, letter: make([]string, len(s.cols))}
	colOf := make([]int, len(s.cols)) // the sheet's column (0-based) of each key
	rows, err := x.f.Rows(name)
	if err != nil {
		x.add(name, "the sheet cannot be read: %v", err)
		return nil
	}
	defer rows.Close()
	n := 0
	for rows.Next() && !x.full() {
		n++
		if n > MaxCatalogueRows+xlsxFirstRow-1 {
			x.add(fmt.Sprintf("%s!%d", name, n), "a sheet has at most %d rows of data", MaxCatalogueRows)
			return nil
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			x.add(fmt.Sprintf("%s!%d", name, n), "the row cannot be read: %v", err)
			return nil
		}
		if len(cells) > xlsxMaxColumns {
			letter, _ := excelize.ColumnNumberToName(len(cells))
			x.add(fmt.Sprintf("%s!%s%d", name, letter, n), "a sheet of the catalogue has at most %d columns: clear the cells from column %s on",
				xlsxMaxColumns, xlsxMaxColumnName)
			return nil
		}
		switch {
		case n < xlsxFirstRow-1:
			continue // titles, for people
		case n == xlsxFirstRow-1:
			for c, v := range cells {
				key := strings.ToLower(strings.TrimSpace(v))
				if key == "" {
					continue
				}
				letter, _ := excelize.ColumnNumberToName(c + 1)
				i, ok := s.index[key]
				switch {
				case !ok:
					x.add(fmt.Sprintf("%s!%s%d", name, letter, n), "unknown key %q (the keys of this sheet are %s)", key, s.keys())
				case t.letter[i] != "":
					x.add(fmt.Sprintf("%s!%s%d", name, letter, n), "the key %q is also in column %s", key, t.letter[i])
				default:
					t.letter[i], colOf[i] = letter, c
				}
			}
			if !t.has("code") {
				x.add(fmt.Sprintf("%s!%d", name, n), "row 2 holds no key \"code\": row 2 holds the keys of the columns (%s)", s.keys())
				return nil
			}
			continue
		}
		vals := make([]string, len(s.cols))
		blank := true
		for i, c := range colOf {
			if t.letter[i] != "" && c < len(cells) {
				vals[i] = xlsxClean(cells[c])
				blank = blank && vals[i] == ""
			}
		}
		if !blank {
			t.rows = append(t.rows, xlsxRecord{n: n, vals: vals})
		}
	}
	if n < xlsxFirstRow-1 && !x.full() {
		x.add(name, "the sheet has no header rows (row 1 titles, row 2 keys)")
		return nil
	}
	if err := rows.Error(); err != nil {
		x.add(name, "the sheet cannot be read: %v", err)
		return nil
	}
	return t
}

func (s *xlsxSheet) keys() string {
	k := make([]string, len(s.cols))
	for i, c := range s.cols {
		k[i] = c.key
	}
	return strings.Join(k, ", ")
}

func xlsxClean(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(vntext.NFC(s), "\r\n", "\n"))
}

// xlsxCell reads the typed values of one row, reporting bad cells.
type xlsxCell struct {
	x *xlsxParser
	t *xlsxTable
	r xlsxRecord
}

func (c xlsxCell) ref(key string) string { return c.t.ref(key, c.r.n) }

func (c xlsxCell) bad(key, format string, args ...any) {
	ref := c.ref(key)
	c.x.reported[ref] = true
	c.x.add(ref, format, args...)
}

func (c xlsxCell) str(key string) string { return c.r.vals[c.t.s.col(key)] }

// whole reads a whole number within ±limit; blank is 0 (and not set).
func (c xlsxCell) whole(key string, limit int64) (int64, bool) {
	v := c.str(key)
	if v == "" {
		return 0, false
	}
	n, ok := parseWhole(v)
	if !ok {
		c.bad(key, "%s %q is not a number", key, v)
		return 0, false
	}
	if n > limit || n < -limit {
		c.bad(key, "%s %s is out of range", key, v)
		return 0, false
	}
	return n, true
}

func (c xlsxCell) integer(key string) int {
	n, _ := c.whole(key, math.MaxInt32)
	return int(n)
}

func (c xlsxCell) whole64(key string) int64 {
	n, _ := c.whole(key, math.MaxInt64)
	return n
}

func (c xlsxCell) intPtr(key string) *int64 {
	if n, ok := c.whole(key, math.MaxInt64); ok {
		return &n
	}
	return nil
}

func (c xlsxCell) yes(key string) bool {
	v := c.str(key)
	switch vntext.Fold(v) {
	case "x", "co", "true", "1", "yes", "y":
		return true
	case "", "khong", "false", "0", "no", "n":
		return false
	}
	c.bad(key, "%s %q is not yes or no (x, có, true, 1; or blank, không, false, 0)", key, v)
	return false
}

// required reads a text that must not be blank.
func (c xlsxCell) required(key string) (string, bool) {
	v := c.str(key)
	if v == "" {
		c.bad(key, "%s is required", key)
	}
	return v, v != ""
}

// order reads the order cell; without an order column rows keep the
// sheet's order.
func (c xlsxCell) order() (float64, bool) {
	if !c.t.has("order") {
		return float64(c.r.n), true
	}
	v := c.str("order")
	if v == "" {
		c.bad("order", "order is required")
		return 0, false
	}
	s := v
	if !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1) // 2,5 in a Vietnamese locale
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		c.bad("order", "order %q is not a number", v)
		return 0, false
	}
	return f, true
}

// parseWhole reads a whole number written plainly, with digit groups
// ("200.000", "200,000", "200 000") or as a number cell may hold it
// ("2E+5", "3.0").
func parseWhole(s string) (int64, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	for _, sep := range []string{".", ",", " ", "\u00a0"} {
		parts := strings.Split(strings.TrimPrefix(s, "-"), sep)
		if len(parts) < 2 || len(parts[0]) < 1 || len(parts[0]) > 3 {
			continue
		}
		ok := allDigits(parts[0])
		for _, p := range parts[1:] {
			ok = ok && len(p) == 3 && allDigits(p)
		}
		if ok {
			n, err := strconv.ParseInt(strings.ReplaceAll(s, sep, ""), 10, 64)
			return n, err == nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// xlsxLoc remembers the rows a procedure was read from, to put Check's
// problems on the cells that hold the values.
type xlsxLoc struct {
	row                          int
	steps, docs, fields, exempts []int
	options                      [][]int // by field
	formSteps                    []int   // the row of each step's first field
}

var truncatedCode = regexp.MustCompile(`^[0-9]\.[0-9]{1,5}$`)

func (x *xlsxParser) procedures() []Procedure {
	tables := x.readTables()
	if len(tables) < len(xlsxSheets) || x.full() {
		return nil // a missing sheet would only repeat as problems of every procedure
	}
	main := tables[sheetProcedures]
	var ps []Procedure
	var locs []*xlsxLoc
	byCode := map[string]int{}
	for _, r := range main.rows {
		c := xlsxCell{x, main, r}
		code, ok := c.required("code")
		if !ok {
			continue
		}
		if i, dup := byCode[code]; dup {
			c.bad("code", "%s is also on row %d", code, locs[i].row)
			continue
		}
		if truncatedCode.MatchString(code) {
			c.bad("code", "%q is not a national procedure code like 1.001193: did Excel drop trailing zeros? Format the column as text and type the code again", code)
		}
		byCode[code] = len(ps)
		locs = append(locs, &xlsxLoc{row: r.n})
		p := Procedure{
			Code: code, Name: c.str("name"), Field: c.str("field"), Level: c.integer("level"),
			Applicants: c.str("applicants"), Agency: c.str("agency"), Channels: parseChannels(c.str("channels")),
			OnlineMode: OnlineMode(c.str("online_mode")), OnlineReason: c.str("online_reason"),
			TimeLimit: TimeLimit{Kind: c.str("time_limit.kind"), Days: c.integer("time_limit.days"), Text: c.str("time_limit.text")},
			Fee: Fee{Kind: c.str("fee.kind"), Amount: c.whole64("fee.amount"), PageField: c.str("fee.page_field"),
				CopiesField: c.str("fee.copies_field"), FirstPages: c.whole64("fee.first_pages"), FirstRate: c.whole64("fee.first_rate"),
				Rate: c.whole64("fee.rate"), Cap: c.whole64("fee.cap"), SetByProvince: c.yes("fee.set_by_province"), Text: c.str("fee.text")},
			Result:     Result{Name: c.str("result.name"), Electronic: c.yes("result.electronic"), Paper: c.yes("result.paper")},
			LegalBasis: splitLines(c.str("legal_basis")),
			Confidence: c.str("confidence"), Source: c.str("source"), Note: c.str("note"),
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 && len(x.errs) == 0 {
		x.add(main.name, "the catalogue has no procedures")
	}

	if t := tables[sheetSteps]; t != nil {
		for _, g := range x.groups(t, byCode, "") {
			for _, c := range g.rows {
				ps[g.proc].Steps = append(ps[g.proc].Steps, c.str("text"))
				locs[g.proc].steps = append(locs[g.proc].steps, c.r.n)
			}
		}
	}
	if t := tables[sheetDocuments]; t != nil {
		for _, g := range x.groups(t, byCode, "") {
			for _, c := range g.rows {
				ps[g.proc].Documents = append(ps[g.proc].Documents, Document{Name: c.str("name"), Copies: c.integer("copies"),
					Kind: c.str("kind"), Required: c.yes("required"), Note: c.str("note")})
				locs[g.proc].docs = append(locs[g.proc].docs, c.r.n)
			}
		}
	}
	if t := tables[sheetFields]; t != nil {
		for _, g := range x.groups(t, byCode, "") {
			x.form(&ps[g.proc].Form, locs[g.proc], g.rows)
		}
	}
	if t := tables[sheetOptions]; t != nil {
		for _, g := range x.groups(t, byCode, "field") {
			p, l := &ps[g.proc], locs[g.proc]
			i := fieldIndex(&p.Form, g.sub)
			if i < 0 {
				for _, c := range g.rows {
					c.bad("field", "%s has no field %q in %s", p.Code, g.sub, sheetFields.name)
				}
				continue
			}
			for _, c := range g.rows {
				p.Form.Fields[i].Options = append(p.Form.Fields[i].Options, Option{Value: c.str("value"), Label: c.str("label"), LabelEN: c.str("label_en")})
				l.options[i] = append(l.options[i], c.r.n)
			}
		}
	}
	if t := tables[sheetExemptions]; t != nil {
		for _, g := range x.groups(t, byCode, "") {
			for _, c := range g.rows {
				field, _ := c.required("field")
				ps[g.proc].Fee.Exemptions = append(ps[g.proc].Fee.Exemptions, Exemption{Field: field, Label: c.str("label")})
				locs[g.proc].exempts = append(locs[g.proc].exempts, c.r.n)
			}
		}
	}

	for i := range ps {
		for _, pr := range ps[i].Check() {
			ref := x.locate(tables, &ps[i], locs[i], pr.Path)
			if !x.reported[ref] {
				x.add(ref, "%s %s: %s", ps[i].Code, pr.Path, pr.Msg)
			}
		}
	}
	return ps
}

func fieldIndex(f *Form, name string) int {
	for i := range f.Fields {
		if f.Fields[i].Name == name {
			return i
		}
	}
	return -1
}

// form builds a procedure's fields and derives the steps from their step
// titles, in the order of each step's first field.
func (x *xlsxParser) form(f *Form, l *xlsxLoc, rows []xlsxCell) {
	stepOf := map[string]int{}
	enRow := map[int]xlsxCell{} // the row that gave a step its English title
	for _, c := range rows {
		fd := FormField{Name: c.str("name"), Label: c.str("label"), LabelEN: c.str("label_en"), Type: c.str("type"),
			Required: c.yes("required"), Help: c.str("help"), Min: c.intPtr("min"), Max: c.intPtr("max"),
			MaxLength: c.integer("max_length"), NotFuture: c.yes("not_future")}
		f.Fields = append(f.Fields, fd)
		l.fields = append(l.fields, c.r.n)
		l.options = append(l.options, nil)
		title, en := c.str("step.title"), c.str("step.title_en")
		if title == "" {
			if en != "" {
				c.bad("step.title", "a step with an English title (%q) needs a title", en)
			}
			continue
		}
		i, ok := stepOf[title]
		if !ok {
			i = len(f.Steps)
			stepOf[title] = i
			f.Steps = append(f.Steps, FormStep{Title: title})
			l.formSteps = append(l.formSteps, c.r.n)
		}
		st := &f.Steps[i]
		st.Fields = append(st.Fields, fd.Name)
		switch {
		case en == "" || en == st.TitleEN:
		case st.TitleEN == "":
			st.TitleEN = en
			enRow[i] = c
		default:
			c.bad("step.title_en", "the step %q is called %q in English on row %d", title, st.TitleEN, enRow[i].r.n)
		}
	}
}

type xlsxGroup struct {
	proc int
	sub  string // the field of an option
	rows []xlsxCell
}

// groups collects a child sheet's rows by procedure (and by sub, when
// given), in the order of the order column. A row whose code is not in the
// main sheet is a problem.
func (x *xlsxParser) groups(t *xlsxTable, byCode map[string]int, sub string) []xlsxGroup {
	type item struct {
		c   xlsxCell
		ord float64
	}
	index := map[[2]string]int{}
	var keys []xlsxGroup
	var items [][]item
	for _, r := range t.rows {
		c := xlsxCell{x, t, r}
		code, ok := c.required("code")
		if !ok {
			continue
		}
		proc, ok := byCode[code]
		if !ok {
			c.bad("code", "no procedure %s in %s", code, sheetProcedures.name)
			continue
		}
		s := ""
		if sub != "" {
			if s, ok = c.required(sub); !ok {
				continue
			}
		}
		ord, ok := c.order()
		if !ok {
			continue
		}
		k := [2]string{code, s}
		g, seen := index[k]
		if !seen {
			g = len(keys)
			index[k] = g
			keys = append(keys, xlsxGroup{proc: proc, sub: s})
			items = append(items, nil)
		}
		items[g] = append(items[g], item{c, ord})
	}
	for g := range keys {
		its := items[g]
		sort.SliceStable(its, func(i, j int) bool { return its[i].ord < its[j].ord })
		for i, it := range its {
			if i > 0 && it.ord == its[i-1].ord && t.has("order") {
				it.c.bad("order", "order %s repeats (also row %d)", it.c.str("order"), its[i-1].c.r.n)
			}
			keys[g].rows = append(keys[g].rows, it.c)
		}
	}
	return keys
}

func parseChannels(s string) []Channel {
	var cs []Channel
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		v = strings.TrimSpace(v)
		switch vntext.Fold(v) {
		case "":
			continue
		case "direct", "truc tiep", "1":
			cs = append(cs, ChannelDirect)
		case "online", "truc tuyen", "2":
			cs = append(cs, ChannelOnline)
		case "postal", "buu chinh", "buu chinh cong ich", "3":
			cs = append(cs, ChannelPostal)
		default:
			cs = append(cs, Channel(v)) // Check reports it
		}
	}
	return cs
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

var checkPath = regexp.MustCompile(`^(steps|channels|documents|form\.fields|form\.steps|fee\.exemptions)\[(\d+)\](?:\.options\[(\d+)\])?(?:\.([a-z_.]+))?$`)

// locate returns the cell that holds the value at a Check path, or the
// procedure's row in the main sheet.
func (x *xlsxParser) locate(tables map[*xlsxSheet]*xlsxTable, p *Procedure, l *xlsxLoc, path string) string {
	main := tables[sheetProcedures]
	at := func(s *xlsxSheet, rows []int, i int, key string) string {
		t := tables[s]
		if t == nil || i >= len(rows) {
			return main.ref("", l.row)
		}
		if _, ok := s.index[key]; !ok {
			key = ""
		}
		return t.ref(key, rows[i])
	}
	if m := checkPath.FindStringSubmatch(path); m != nil {
		i, _ := strconv.Atoi(m[2])
		key := m[4]
		switch m[1] {
		case "steps":
			return at(sheetSteps, l.steps, i, "text")
		case "channels":
			return main.ref("channels", l.row)
		case "documents":
			return at(sheetDocuments, l.docs, i, key)
		case "form.fields":
			if m[3] != "" {
				j, _ := strconv.Atoi(m[3])
				if i < len(l.options) {
					return at(sheetOptions, l.options[i], j, "value")
				}
				return main.ref("", l.row)
			}
			switch key {
			case "":
				key = "min" // min and max
			case "options":
				key = "type"
			}
			return at(sheetFields, l.fields, i, key)
		case "form.steps":
			return at(sheetFields, l.formSteps, i, "step.title")
		case "fee.exemptions":
			return at(sheetExemptions, l.exempts, i, key)
		}
	}
	switch path {
	case "result": // a name and a kind
		path = "result.name"
		if p.Result.Name != "" {
			path = "result.paper"
			if x.reported[main.ref("result.electronic", l.row)] {
				path = "result.electronic"
			}
		}
	case "fee":
		path = "fee.rate"
	}
	if _, ok := sheetProcedures.index[path]; ok {
		return main.ref(path, l.row)
	}
	return main.ref("", l.row)
}
