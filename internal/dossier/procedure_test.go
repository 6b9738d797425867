package dossier_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/units"
	"egov/internal/workcal"
)

func ptr(n int64) *int64 { return &n }

// certifiedCopy is a procedure like 2.000815: a fee per page with a cap,
// per copy, resolved the same day.
func certifiedCopy() dossier.Procedure {
	return dossier.Procedure{
		Code: "2.000815", Name: "Chứng thực bản sao từ bản chính giấy tờ, văn bản", Field: "Chứng thực", Level: 3,
		Steps:      []string{"Nộp bản chính và bản sao", "Đối chiếu, chứng thực", "Trả kết quả"},
		Channels:   []dossier.Channel{dossier.ChannelDirect},
		Documents:  []dossier.Document{{Name: "Bản chính giấy tờ", Copies: 1, Kind: "original", Required: true}},
		TimeLimit:  dossier.TimeLimit{Kind: dossier.SameDay},
		Applicants: "Cá nhân, tổ chức", Agency: "Ủy ban nhân dân cấp xã",
		OnlineMode: dossier.OnlinePartial, OnlineReason: "Phải xuất trình bản chính để đối chiếu.",
		Fee: dossier.Fee{Kind: dossier.FeePerPage, PageField: "pages", CopiesField: "copies", FirstPages: 2, FirstRate: 2000, Rate: 1000, Cap: 200000,
			Exemptions: []dossier.Exemption{{Field: "poor_household", Label: "Hộ nghèo"}}},
		Result:     dossier.Result{Name: "Bản sao được chứng thực", Paper: true},
		LegalBasis: []string{"Nghị định 23/2015/NĐ-CP"},
		Form: dossier.Form{Fields: []dossier.FormField{
			{Name: "requester_name", Label: "Họ và tên người yêu cầu", Type: dossier.TypeText, Required: true},
			{Name: "requester_cccd", Label: "Số CCCD", Type: dossier.TypeCCCD, Required: true},
			{Name: "pages", Label: "Số trang", Type: dossier.TypeNumber, Required: true, Min: ptr(1), Max: ptr(1000)},
			{Name: "copies", Label: "Số bản", Type: dossier.TypeNumber, Required: true, Min: ptr(1), Max: ptr(50)},
			{Name: "document_date", Label: "Ngày cấp giấy tờ", Type: dossier.TypeDate, NotFuture: true},
			{Name: "purpose", Label: "Mục đích", Type: dossier.TypeSelect, Options: []dossier.Option{{Value: "hoc_tap", Label: "Học tập"}, {Value: "viec_lam", Label: "Việc làm"}}},
			{Name: "poor_household", Label: "Thuộc hộ nghèo", Type: dossier.TypeCheckbox},
			{Name: "phone", Label: "Điện thoại", Type: dossier.TypePhone},
			{Name: "original", Label: "Ảnh bản chính", Type: dossier.TypeFile},
		}},
	}
}

func TestFeeRules(t *testing.T) {
	p := certifiedCopy()
	for _, c := range []struct {
		pages, copies string
		poor          bool
		want          int64
	}{
		{"1", "1", false, 2000},
		{"2", "1", false, 4000},
		{"3", "1", false, 5000},     // 2 × 2,000 + 1 × 1,000
		{"10", "2", false, 24000},   // (4,000 + 8,000) × 2
		{"500", "1", false, 200000}, // capped per copy
		{"500", "3", false, 600000},
		{"3", "1", true, 0}, // exempt
	} {
		v := map[string]string{"pages": c.pages, "copies": c.copies}
		if c.poor {
			v["poor_household"] = "yes"
		}
		got, waived := p.Fee.Compute(v)
		if got != c.want || (waived != nil) != c.poor {
			t.Errorf("%s pages × %s copies (poor %v) = %d (waived %v), want %d", c.pages, c.copies, c.poor, got, waived, c.want)
		}
	}
	fixed := dossier.Fee{Kind: dossier.FeeFixed, Amount: 10000}
	if got, _ := fixed.Compute(nil); got != 10000 {
		t.Errorf("a fixed fee: %d", got)
	}
}

func TestFormValidation(t *testing.T) {
	p := certifiedCopy()
	today, _ := workcal.ParseDate("2026-11-29")
	clean, errs := p.Form.Validate(map[string]string{
		"requester_name": "  Nguyễn Văn A ", "requester_cccd": "094085000123", "pages": "03", "copies": "1",
		"document_date": "2020-05-01", "purpose": "hoc_tap", "phone": "0912 345 678",
	}, today)
	if len(errs) != 0 {
		t.Fatalf("a good form: %v", errs)
	}
	if clean["requester_name"] != "Nguyễn Văn A" || clean["pages"] != "3" || clean["phone"] != "0912345678" {
		t.Fatalf("cleaned values: %v", clean)
	}
	_, errs = p.Form.Validate(map[string]string{
		"requester_cccd": "123", "pages": "0", "copies": "hai", "document_date": "2027-01-01",
		"purpose": "du_lich", "poor_household": "maybe", "phone": "12", "nonsense": "x",
	}, today)
	want := map[string]string{
		"requester_name": "form.required", "requester_cccd": "cccd.length", "pages": "form.number_range",
		"copies": "form.not_number", "document_date": "form.future_date", "purpose": "form.bad_option",
		"poor_household": "form.bad_option", "phone": "user.phone_invalid", "nonsense": "form.unknown_field",
	}
	for field, key := range want {
		e := errs[field]
		if e == nil || e.Key != key || e.Field != field {
			t.Errorf("%s: %v, want %s", field, e, key)
		}
	}
	if len(errs) != len(want) {
		t.Errorf("%d errors, want %d: %v", len(errs), len(want), errs)
	}
}

func TestCheckFindsEveryMissingPart(t *testing.T) {
	p := dossier.Procedure{Code: "1.23", OnlineMode: "sometimes", Fee: dossier.Fee{Kind: dossier.FeePerPage, PageField: "nope"},
		Form: dossier.Form{Fields: []dossier.FormField{{Name: "A", Type: "colour"}}, Steps: []dossier.FormStep{{Title: "x", Fields: []string{"b"}}}}}
	got := map[string]bool{}
	for _, pr := range p.Check() {
		got[pr.Path] = true
	}
	for _, path := range []string{"code", "name", "field", "level", "steps", "channels", "documents", "time_limit.kind",
		"applicants", "agency", "online_mode", "result", "form.fields[0].name", "form.fields[0].label", "form.fields[0].type",
		"form.steps[0].fields", "fee.page_field"} {
		if !got[path] {
			t.Errorf("no problem reported at %s (got %v)", path, got)
		}
	}
	good := certifiedCopy()
	if ps := good.Check(); len(ps) != 0 {
		t.Fatalf("a good procedure has problems: %v", ps)
	}
	good.OnlineReason = ""
	if ps := good.Check(); len(ps) != 1 || ps[0].Path != "online_reason" {
		t.Fatalf("a partly online procedure without a reason: %v", ps)
	}
}

func TestDueDates(t *testing.T) {
	cal, err := workcal.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	ict := workcal.ICT
	// Thursday 26 November 2026.
	before := time.Date(2026, 11, 26, 14, 59, 0, 0, ict)
	after := time.Date(2026, 11, 26, 15, 0, 0, 0, ict)
	same := dossier.TimeLimit{Kind: dossier.SameDay}
	if got := same.Due(cal, before).String(); got != "2026-11-26" {
		t.Errorf("same day before 15:00: %s", got)
	}
	if got := same.Due(cal, after).String(); got != "2026-11-27" {
		t.Errorf("same day at 15:00: %s", got)
	}
	three := dossier.TimeLimit{Kind: dossier.WorkingDays, Days: 3}
	if got := three.Due(cal, after).String(); got != "2026-12-01" {
		t.Errorf("3 working days from Thursday: %s", got)
	}
}

func TestCatalogueParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		`{"procedures":[{"code":"1.000001","colour":"red"}]}`: "unknown field",
		`{"procedures":[`:     "ends too early",
		`{"procedures":[]}`:   "no procedures",
		`{"procedures":5}`:    "expected",
		`{"procedures":[{}]}`: "procedures[0].code",
	} {
		_, err := dossier.ParseCatalogue(strings.NewReader(in))
		var ce dossier.CatalogueErrors
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want it to mention %q", in, err, want)
		}
	}
}

func FuzzParseCatalogue(f *testing.F) {
	f.Add(`{"procedures":[{"code":"1.000001"}]}`)
	f.Add(`{"procedures":[]}`)
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := dossier.ParseCatalogue(strings.NewReader(s))
		if err == nil {
			for i := range ps {
				if len(ps[i].Check()) != 0 {
					t.Fatalf("accepted a procedure with problems")
				}
			}
		}
	})
}

func TestProceduresService(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := identity.NewService(db, units.NewService(db))
		svc := dossier.NewProcedures(db, ids)
		copyP := certifiedCopy()
		birth := certifiedCopy()
		birth.Code, birth.Name, birth.Field = "1.001193", "Thủ tục đăng ký khai sinh", "Hộ tịch"
		res, err := svc.Import(ctx, identity.SystemActor, []dossier.Procedure{copyP, birth}, false)
		if err != nil || res.Added != 2 {
			t.Fatalf("import: %+v %v", res, err)
		}
		if res, err = svc.Import(ctx, identity.SystemActor, []dossier.Procedure{certifiedCopy(), birth}, false); err != nil || res.Unchanged != 2 {
			t.Fatalf("second import: %+v %v", res, err)
		}
		// Accent-free search at word starts.
		for q, want := range map[string]string{"dang ky khai sinh": "1.001193", "KHAI SINH": "1.001193", "chung thuc": "2.000815", "2.000815": "2.000815", "hai sinh": ""} {
			ps, err := svc.List(ctx, dossier.ProcedureQuery{Text: q})
			got := ""
			if len(ps) == 1 {
				got = ps[0].Code
			}
			if err != nil || got != want {
				t.Errorf("search %q: %d results (%s), %v; want %s", q, len(ps), got, err, want)
			}
		}
		ps, _ := svc.List(ctx, dossier.ProcedureQuery{Field: "Hộ tịch"})
		if len(ps) != 1 {
			t.Errorf("field filter: %d", len(ps))
		}
		fields, _ := svc.Fields(ctx)
		if strings.Join(fields, ",") != "Chứng thực,Hộ tịch" {
			t.Errorf("fields: %v", fields)
		}
		p, err := svc.Get(ctx, "2.000815")
		if err != nil || p.Fee.Cap != 200000 || len(p.Form.Fields) != 9 || p.UpdatedAt.IsZero() {
			t.Fatalf("get: %+v %v", p, err)
		}
		if _, err := svc.Get(ctx, "9.999999"); egov.ErrorCode(err) != egov.ENOTFOUND {
			t.Fatalf("unknown code: %v", err)
		}
		// A bad procedure in the batch: nothing stored.
		bad := certifiedCopy()
		bad.Code, bad.Agency = "2.000999", ""
		changed := birth
		changed.Name = "Đăng ký khai sinh (sửa)"
		_, err = svc.Import(ctx, identity.SystemActor, []dossier.Procedure{changed, bad}, false)
		var ce dossier.CatalogueErrors
		if !errors.As(err, &ce) || ce[0].Path != "procedures[1].agency" {
			t.Fatalf("a bad batch: %v", err)
		}
		if p, _ := svc.Get(ctx, "1.001193"); p.Name != "Thủ tục đăng ký khai sinh" {
			t.Fatal("a rejected batch changed a procedure")
		}
		// Only a whole-tree administrator imports.
		officer := &identity.Actor{User: &identity.User{ID: 9, Username: "x"}, Grants: []identity.Grant{{Role: identity.RoleAdmin, UnitID: 1}}}
		if _, err := svc.Import(ctx, officer, []dossier.Procedure{certifiedCopy()}, false); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Fatalf("a unit administrator imported: %v", err)
		}
	})
}
