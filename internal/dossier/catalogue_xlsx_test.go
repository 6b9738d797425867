package dossier_test

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"egov/internal/dossier"
)

// birthRegistration is a procedure like 1.001193: a form in steps with
// English titles, a free fee, several channels and acts.
func birthRegistration() dossier.Procedure {
	return dossier.Procedure{
		Code: "1.001193", Name: "Thủ tục đăng ký khai sinh", Field: "Hộ tịch", Level: 3,
		Steps:    []string{"Nộp hồ sơ tại Bộ phận một cửa hoặc trực tuyến", "Công chức tư pháp – hộ tịch kiểm tra", "Trả Giấy khai sinh"},
		Channels: []dossier.Channel{dossier.ChannelDirect, dossier.ChannelOnline, dossier.ChannelPostal},
		Documents: []dossier.Document{
			{Name: "Tờ khai đăng ký khai sinh", Copies: 1, Kind: "original", Required: true},
			{Name: "Giấy chứng sinh", Copies: 1, Kind: "original_or_copy", Required: true, Note: "hoặc văn bản của người làm chứng"},
			{Name: "Văn bản ủy quyền", Copies: 1, Kind: "certified_copy", Note: "khi nộp thay"},
		},
		TimeLimit:  dossier.TimeLimit{Kind: dossier.WorkingDays, Days: 1, Text: "Ngay trong ngày làm việc; trường hợp nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo"},
		Applicants: "Cá nhân", Agency: "Ủy ban nhân dân cấp xã", OnlineMode: dossier.OnlineFull,
		Fee:        dossier.Fee{Kind: dossier.FeeFree, Text: "Miễn lệ phí đăng ký khai sinh đúng hạn"},
		Result:     dossier.Result{Name: "Giấy khai sinh", Electronic: true, Paper: true},
		LegalBasis: []string{"Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP", "Thông tư 04/2020/TT-BTP"},
		Confidence: "confirmed", Source: "Cổng Dịch vụ công quốc gia", Note: "Liên thông khai sinh – thường trú – bảo hiểm y tế",
		Form: dossier.Form{
			Fields: []dossier.FormField{
				{Name: "child_name", Label: "Họ, chữ đệm, tên của trẻ", LabelEN: "Child's full name", Type: dossier.TypeText, Required: true, MaxLength: 100},
				{Name: "child_birth_date", Label: "Ngày sinh", LabelEN: "Date of birth", Type: dossier.TypeDate, Required: true, NotFuture: true},
				{Name: "child_sex", Label: "Giới tính", Type: dossier.TypeSelect, Required: true, Options: []dossier.Option{
					{Value: "nam", Label: "Nam", LabelEN: "Male"}, {Value: "nu", Label: "Nữ", LabelEN: "Female"}}},
				{Name: "mother_name", Label: "Họ tên mẹ", Type: dossier.TypeText, Help: "Như trên căn cước"},
				{Name: "mother_cccd", Label: "Số CCCD của mẹ", Type: dossier.TypeCCCD},
				{Name: "birth_place", Label: "Nơi sinh", Type: dossier.TypeTextarea},
				{Name: "requester_email", Label: "Thư điện tử", Type: dossier.TypeEmail},
			},
			Steps: []dossier.FormStep{
				{Title: "Người được khai sinh", TitleEN: "The child", Fields: []string{"child_name", "child_birth_date", "child_sex"}},
				{Title: "Cha mẹ", Fields: []string{"mother_name", "mother_cccd"}},
				{Title: "Nơi sinh và liên hệ", TitleEN: "Place of birth and contact", Fields: []string{"birth_place", "requester_email"}},
			},
		},
	}
}

// businessLicence has a fixed fee per copy set by the province and a
// number field whose minimum is 0 (a value, not an absent bound).
func businessLicence() dossier.Procedure {
	return dossier.Procedure{
		Code: "2.000720", Name: "Đăng ký thành lập hộ kinh doanh", Field: "Thành lập và hoạt động của hộ kinh doanh", Level: 2,
		Steps:      []string{"Nộp hồ sơ", "Cấp Giấy chứng nhận"},
		Channels:   []dossier.Channel{dossier.ChannelOnline, dossier.ChannelDirect},
		Documents:  []dossier.Document{{Name: "Giấy đề nghị đăng ký hộ kinh doanh", Copies: 2, Kind: "original", Required: true}},
		TimeLimit:  dossier.TimeLimit{Kind: dossier.WorkingDays, Days: 3},
		Applicants: "Cá nhân, thành viên hộ gia đình", Agency: "Phòng Tài chính – Kế hoạch",
		OnlineMode: dossier.OnlineNone, OnlineReason: "Chưa kết nối cơ sở dữ liệu đăng ký hộ kinh doanh.",
		Fee:    dossier.Fee{Kind: dossier.FeeFixed, Amount: 100000, CopiesField: "licence_copies", SetByProvince: true},
		Result: dossier.Result{Name: "Giấy chứng nhận đăng ký hộ kinh doanh", Paper: true},
		Form: dossier.Form{Fields: []dossier.FormField{
			{Name: "business_name", Label: "Tên hộ kinh doanh", Type: dossier.TypeText, Required: true},
			{Name: "employees", Label: "Số lao động", Type: dossier.TypeNumber, Min: ptr(0), Max: ptr(9)},
			{Name: "licence_copies", Label: "Số bản", Type: dossier.TypeNumber, Min: ptr(1)},
			{Name: "capital", Label: "Vốn kinh doanh (đồng)", Type: dossier.TypeNumber, Max: ptr(10_000_000_000)},
			{Name: "phone", Label: "Điện thoại", Type: dossier.TypePhone, Required: true},
			{Name: "registration", Label: "Giấy tờ kèm theo", Type: dossier.TypeFile},
		}},
	}
}

func xlsxTestProcedures() []dossier.Procedure {
	return []dossier.Procedure{certifiedCopy(), birthRegistration(), businessLicence()}
}

func writeXLSX(t testing.TB, ps []dossier.Procedure) []byte {
	t.Helper()
	ptrs := make([]*dossier.Procedure, len(ps))
	for i := range ps {
		ptrs[i] = &ps[i]
	}
	var b bytes.Buffer
	if err := dossier.WriteCatalogueXLSX(&b, ptrs); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// normalised makes empty and absent lists alike, which JSON and the
// workbook do not tell apart.
func normalised(ps []dossier.Procedure) []dossier.Procedure {
	out := make([]dossier.Procedure, len(ps))
	for i, p := range ps {
		p.Check() // the same NFC and trimming as an import
		p.UpdatedAt = time.Time{}
		p.Steps = nilIfEmpty(p.Steps)
		p.Channels = nilIfEmpty(p.Channels)
		p.Documents = nilIfEmpty(p.Documents)
		p.LegalBasis = nilIfEmpty(p.LegalBasis)
		p.Fee.Exemptions = nilIfEmpty(p.Fee.Exemptions)
		p.Form.Fields = nilIfEmpty(append([]dossier.FormField(nil), p.Form.Fields...))
		for j := range p.Form.Fields {
			p.Form.Fields[j].Options = nilIfEmpty(p.Form.Fields[j].Options)
		}
		p.Form.Steps = nilIfEmpty(append([]dossier.FormStep(nil), p.Form.Steps...))
		for j := range p.Form.Steps {
			p.Form.Steps[j].Fields = nilIfEmpty(p.Form.Steps[j].Fields)
		}
		out[i] = p
	}
	return out
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestCatalogueXLSXRoundTrip(t *testing.T) {
	roundTrip := func(t *testing.T, ps []dossier.Procedure) {
		data := writeXLSX(t, ps)
		got, err := dossier.ParseCatalogueXLSX(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("reading the written workbook:\n%v", err)
		}
		want := normalised(ps)
		got = normalised(got)
		if len(got) != len(want) {
			t.Fatalf("%d procedures read back, want %d", len(got), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s changed in the round trip:\n got %+v\nwant %+v", want[i].Code, got[i], want[i])
			}
		}
	}
	t.Run("procedures", func(t *testing.T) {
		ps := xlsxTestProcedures()
		for i := range ps {
			if pr := ps[i].Check(); len(pr) != 0 {
				t.Fatalf("%s is not a valid procedure: %v", ps[i].Code, pr)
			}
		}
		roundTrip(t, ps)
	})
	t.Run("demo catalogue", func(t *testing.T) {
		f, err := os.Open("../demo/data/procedures.json")
		if errors.Is(err, os.ErrNotExist) {
			t.Skip("no demo catalogue yet (internal/demo/data/procedures.json)")
		}
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ps, err := dossier.ParseCatalogue(f)
		if err != nil {
			t.Fatalf("the demo catalogue is invalid:\n%v", err)
		}
		for i := range ps {
			ps[i].Form = inStepOrder(ps[i].Form)
		}
		roundTrip(t, ps)
	})
}

// inStepOrder lists a form's fields step by step, the order a workbook
// keeps (the pages are unchanged).
func inStepOrder(f dossier.Form) dossier.Form {
	if len(f.Steps) == 0 {
		return f
	}
	var fields []dossier.FormField
	for _, st := range f.Steps {
		for _, n := range st.Fields {
			fields = append(fields, *f.Field(n))
		}
	}
	f.Fields = fields
	return f
}

// sheetCell finds the cell of key (by the key row) on the row whose key
// column holds value, or on row when value is "".
func sheetCell(t *testing.T, f *excelize.File, sheet, key, matchKey, match string) string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil || len(rows) < 2 {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	col := func(k string) int {
		for i, v := range rows[1] {
			if v == k {
				return i
			}
		}
		t.Fatalf("sheet %s has no key %s", sheet, k)
		return 0
	}
	c, m := col(key), col(matchKey)
	for r := 2; r < len(rows); r++ {
		if m < len(rows[r]) && rows[r][m] == match {
			name, _ := excelize.CoordinatesToCellName(c+1, r+1)
			return name
		}
	}
	t.Fatalf("sheet %s: no row with %s %q", sheet, matchKey, match)
	return ""
}

// editXLSX returns the workbook changed by edit.
func editXLSX(t *testing.T, data []byte, edit func(f *excelize.File)) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	edit(f)
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func set(t *testing.T, f *excelize.File, sheet, cell string, v any) {
	t.Helper()
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
}

func TestCatalogueXLSXProblems(t *testing.T) {
	good := writeXLSX(t, xlsxTestProcedures())
	const (
		main   = "Thủ tục"
		steps  = "Trình tự"
		docs   = "Thành phần hồ sơ"
		fields = "Trường biểu mẫu"
		opts   = "Lựa chọn"
	)
	for _, c := range []struct {
		name string
		edit func(t *testing.T, f *excelize.File) (cell string)
		msg  string // the whole problem is cell + ": " + msg...
	}{
		{"a bad number", func(t *testing.T, f *excelize.File) string {
			cell := sheetCell(t, f, docs, "copies", "name", "Giấy chứng sinh")
			set(t, f, docs, cell, "hai")
			return docs + "!" + cell
		}, `copies "hai" is not a number`},
		{"a missing required cell", func(t *testing.T, f *excelize.File) string {
			cell := sheetCell(t, f, main, "name", "code", "1.001193")
			set(t, f, main, cell, "  ")
			return main + "!" + cell
		}, "1.001193 name: the name is required"},
		{"a child row without a code", func(t *testing.T, f *excelize.File) string {
			cell := sheetCell(t, f, steps, "code", "text", "Trả Giấy khai sinh")
			set(t, f, steps, cell, "")
			return steps + "!" + cell
		}, "code is required"},
		{"an orphan child row", func(t *testing.T, f *excelize.File) string {
			set(t, f, steps, "A40", "1.009999")
			set(t, f, steps, "B40", 1)
			set(t, f, steps, "C40", "Nộp hồ sơ")
			return steps + "!A40"
		}, "no procedure 1.009999 in Thủ tục"},
		{"an unknown field type", func(t *testing.T, f *excelize.File) string {
			cell := sheetCell(t, f, fields, "type", "name", "mother_name")
			set(t, f, fields, cell, "colour")
			return fields + "!" + cell
		}, `1.001193 form.fields[3].type: "colour" is not a field type`},
		{"an option of a missing field", func(t *testing.T, f *excelize.File) string {
			cell := sheetCell(t, f, opts, "field", "value", "viec_lam")
			set(t, f, opts, cell, "reason")
			return opts + "!" + cell
		}, `2.000815 has no field "reason"`},
		{"an option without a value", func(t *testing.T, f *excelize.File) string {
			cell := sheetCell(t, f, opts, "value", "value", "nu")
			set(t, f, opts, cell, "")
			return opts + "!" + cell
		}, "1.001193 form.fields[2].options[1]: an option needs a unique value and a label"},
		{"a repeated order", func(t *testing.T, f *excelize.File) string {
			cell := sheetCell(t, f, steps, "order", "text", "Trả kết quả")
			set(t, f, steps, cell, 2)
			return steps + "!" + cell
		}, "order 2 repeats"},
		{"a bad yes or no", func(t *testing.T, f *excelize.File) string {
			cell := sheetCell(t, f, main, "result.paper", "code", "2.000720")
			set(t, f, main, cell, "maybe")
			return main + "!" + cell
		}, `result.paper "maybe" is not yes or no`},
		{"an unknown key", func(t *testing.T, f *excelize.File) string {
			set(t, f, main, "AF2", "fee.amout")
			return main + "!AF2"
		}, `unknown key "fee.amout"`},
		{"a code whose zeros Excel dropped", func(t *testing.T, f *excelize.File) string {
			cell := sheetCell(t, f, main, "code", "code", "2.000720")
			set(t, f, main, cell, 2.00072)
			for _, sheet := range []string{steps, docs, fields} {
				rows, _ := f.GetRows(sheet)
				for r := range rows {
					if rows[r][0] == "2.000720" {
						set(t, f, sheet, "A"+itoa(r+1), "2.00072")
					}
				}
			}
			return main + "!" + cell
		}, `"2.00072" is not a national procedure code like 1.001193: did Excel drop trailing zeros?`},
		{"a value far to the right", func(t *testing.T, f *excelize.File) string {
			set(t, f, steps, "XFD5", "z") // on every row, it would take minutes to read
			return steps + "!XFD5"
		}, "a sheet of the catalogue has at most 256 columns: clear the cells from column IW on"},
		{"a select field whose options moved away", func(t *testing.T, f *excelize.File) string {
			if err := f.DeleteSheet(opts); err != nil {
				t.Fatal(err)
			}
			return opts
		}, `the workbook has no sheet "Lựa chọn"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ref string
			data := editXLSX(t, good, func(f *excelize.File) { ref = c.edit(t, f) })
			ps, err := dossier.ParseCatalogueXLSX(bytes.NewReader(data))
			var ce dossier.CatalogueErrors
			if !errors.As(err, &ce) || ps != nil {
				t.Fatalf("got %d procedures and %v, want CatalogueErrors and none", len(ps), err)
			}
			if len(ce) != 1 || ce[0].Path != ref || !strings.HasPrefix(ce[0].Msg, c.msg) {
				t.Fatalf("problems:\n%v\nwant exactly one: %s: %s…", err, ref, c.msg)
			}
		})
	}
}

func itoa(n int) string {
	s, _ := excelize.CoordinatesToCellName(1, n)
	return s[1:]
}

// An officer's workbook: columns moved, a column of notes without a key,
// numbers typed as text, yes written "có", channels in Vietnamese. It reads
// as the original.
func TestCatalogueXLSXToleratesOfficersHabits(t *testing.T) {
	ps := xlsxTestProcedures()
	data := editXLSX(t, writeXLSX(t, ps), func(f *excelize.File) {
		const docs = "Thành phần hồ sơ"
		rows, err := f.GetRows(docs)
		if err != nil {
			t.Fatal(err)
		}
		// Reverse the columns and add an unkeyed one at the front.
		for r, row := range rows {
			for len(row) < len(rows[1]) {
				row = append(row, "")
			}
			out := []any{"ghi chú riêng " + itoa(r+1)}
			for i := len(row) - 1; i >= 0; i-- {
				out = append(out, row[i])
			}
			if r == 1 {
				out[0] = ""
			}
			if err := f.SetSheetRow(docs, "A"+itoa(r+1), &out); err != nil {
				t.Fatal(err)
			}
		}
		set(t, f, docs, sheetCell(t, f, docs, "required", "name", "Tờ khai đăng ký khai sinh"), " có ")
		set(t, f, docs, sheetCell(t, f, docs, "copies", "name", "Giấy đề nghị đăng ký hộ kinh doanh"), "2")
		const main = "Thủ tục"
		set(t, f, main, sheetCell(t, f, main, "fee.amount", "code", "2.000720"), "100.000")
		set(t, f, main, sheetCell(t, f, main, "fee.cap", "code", "2.000815"), "200,000")
		set(t, f, main, sheetCell(t, f, main, "level", "code", "2.000720"), 2.0)
		set(t, f, main, sheetCell(t, f, main, "channels", "code", "1.001193"), "Trực tiếp; trực tuyến, bưu chính công ích")
		set(t, f, main, sheetCell(t, f, main, "result.electronic", "code", "1.001193"), true)
		// Rows put out of order, kept in order by the order column.
		const steps = "Trình tự"
		a := sheetCell(t, f, steps, "text", "text", "Nộp bản chính và bản sao")
		b := sheetCell(t, f, steps, "text", "text", "Trả kết quả")
		set(t, f, steps, a, "Trả kết quả")
		set(t, f, steps, b, "Nộp bản chính và bản sao")
		set(t, f, steps, "B"+a[1:], 3)
		set(t, f, steps, "B"+b[1:], 0.5)
	})
	got, err := dossier.ParseCatalogueXLSX(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%v", err)
	}
	if want := normalised(ps); !reflect.DeepEqual(normalised(got), want) {
		t.Fatalf("got  %+v\nwant %+v", normalised(got), want)
	}
}

func TestCatalogueXLSXRefusesWhatIsNotAWorkbook(t *testing.T) {
	for name, in := range map[string][]byte{
		"empty":         nil,
		"text":          []byte("code,name\n1.001193,Khai sinh\n"),
		"an .xls (OLE)": append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...),
		"a broken zip":  append([]byte("PK\x03\x04"), make([]byte, 100)...),
		"too large":     bytes.Repeat([]byte("PK"), dossier.MaxCatalogueBytes/2+1),
	} {
		ps, err := dossier.ParseCatalogueXLSX(bytes.NewReader(in))
		var ce dossier.CatalogueErrors
		if !errors.As(err, &ce) || ps != nil || ce[0].Path != "(document)" {
			t.Errorf("%s: %d procedures, %v", name, len(ps), err)
		}
	}
	empty := writeXLSX(t, nil)
	_, err := dossier.ParseCatalogueXLSX(bytes.NewReader(empty))
	if err == nil || !strings.Contains(err.Error(), "Thủ tục: the catalogue has no procedures") {
		t.Errorf("an empty workbook: %v", err)
	}
}

func FuzzParseCatalogueXLSX(f *testing.F) {
	f.Add(writeXLSX(f, xlsxTestProcedures()))
	f.Add(writeXLSX(f, []dossier.Procedure{certifiedCopy()}))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := dossier.ParseCatalogueXLSX(bytes.NewReader(data))
		if err != nil {
			var ce dossier.CatalogueErrors
			if !errors.As(err, &ce) || len(ce) == 0 || ps != nil {
				t.Fatalf("%d procedures and %T %v", len(ps), err, err)
			}
			return
		}
		for i := range ps {
			if pr := ps[i].Check(); len(pr) != 0 {
				t.Fatalf("accepted a procedure with problems: %v", pr)
			}
		}
	})
}
