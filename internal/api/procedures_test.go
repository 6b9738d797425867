package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"egov/internal/dossier"
	"egov/internal/i18n"
	"egov/internal/identity"
)

func ptr(n int64) *int64 { return &n }

// testProcedures is a small catalogue: two procedures of Hộ tịch, one of
// Chứng thực, one of Xây dựng resolved by the province, covering every
// online mode, both kinds of time limit and every kind of fee.
func testProcedures() []dossier.Procedure {
	birth := dossier.Procedure{
		Code: "1.001193", Name: "Thủ tục đăng ký khai sinh", Field: "Hộ tịch", Level: 3,
		Steps:    []string{"Nộp tờ khai và giấy chứng sinh", "Công chức tư pháp - hộ tịch kiểm tra", "Trả Giấy khai sinh"},
		Channels: []dossier.Channel{dossier.ChannelDirect, dossier.ChannelOnline, dossier.ChannelPostal},
		Documents: []dossier.Document{
			{Name: "Tờ khai đăng ký khai sinh", Copies: 1, Kind: "original", Required: true},
			{Name: "Giấy chứng sinh", Copies: 1, Kind: "original", Required: true},
		},
		TimeLimit:  dossier.TimeLimit{Kind: dossier.SameDay},
		Applicants: "Cha, mẹ hoặc người thân thích của trẻ", Agency: "Ủy ban nhân dân cấp xã",
		OnlineMode: dossier.OnlineFull,
		Fee:        dossier.Fee{Kind: dossier.FeeFree, Exemptions: []dossier.Exemption{{Field: "on_time", Label: "Đăng ký đúng hạn"}}},
		Result:     dossier.Result{Name: "Giấy khai sinh", Electronic: true, Paper: true},
		LegalBasis: []string{"Luật Hộ tịch 60/2014/QH13"},
		Form: dossier.Form{
			Fields: []dossier.FormField{
				{Name: "child_name", Label: "Họ, chữ đệm, tên của trẻ", LabelEN: "Child's full name", Type: dossier.TypeText, Required: true},
				{Name: "birth_date", Label: "Ngày sinh", LabelEN: "Date of birth", Type: dossier.TypeDate, Required: true, NotFuture: true},
				{Name: "sex", Label: "Giới tính", LabelEN: "Sex", Type: dossier.TypeSelect, Required: true,
					Options: []dossier.Option{{Value: "nam", Label: "Nam", LabelEN: "Male"}, {Value: "nu", Label: "Nữ", LabelEN: "Female"}}},
				{Name: "weight", Label: "Cân nặng (gam)", Type: dossier.TypeNumber, Min: ptr(300), Max: ptr(9000)},
				{Name: "parent_cccd", Label: "Số CCCD của người đi đăng ký", LabelEN: "Applicant's citizen ID", Type: dossier.TypeCCCD, Required: true},
				{Name: "phone", Label: "Số điện thoại", LabelEN: "Phone", Type: dossier.TypePhone, Required: true},
				{Name: "email", Label: "Thư điện tử", LabelEN: "Email", Type: dossier.TypeEmail},
				{Name: "birth_certificate", Label: "Ảnh giấy chứng sinh", LabelEN: "Birth certificate (scan)", Type: dossier.TypeFile, Required: true},
				{Name: "on_time", Label: "Đăng ký trong 60 ngày kể từ ngày sinh", Type: dossier.TypeCheckbox},
			},
			Steps: []dossier.FormStep{
				{Title: "Thông tin của trẻ", TitleEN: "The child", Fields: []string{"child_name", "birth_date", "sex", "weight"}},
				{Title: "Người đi đăng ký", TitleEN: "The applicant", Fields: []string{"parent_cccd", "phone", "email", "on_time"}},
				{Title: "Giấy tờ", TitleEN: "Documents", Fields: []string{"birth_certificate"}},
			},
		},
		Confidence: "confirmed", Source: "Luật Hộ tịch Điều 16",
	}
	status := dossier.Procedure{
		Code: "1.004873", Name: "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân", Field: "Hộ tịch", Level: 3,
		Steps:      []string{"Nộp tờ khai", "Xác minh", "Trả kết quả"},
		Channels:   []dossier.Channel{dossier.ChannelDirect, dossier.ChannelOnline},
		Documents:  []dossier.Document{{Name: "Tờ khai", Copies: 1, Kind: "original", Required: true}},
		TimeLimit:  dossier.TimeLimit{Kind: dossier.WorkingDays, Days: 3, Text: "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ"},
		Applicants: "Công dân Việt Nam", Agency: "Ủy ban nhân dân cấp xã",
		OnlineMode: dossier.OnlinePartial, OnlineReason: "Cần đối chiếu giấy tờ bản chính.",
		Fee:    dossier.Fee{Kind: dossier.FeeFixed, Amount: 10000, SetByProvince: true},
		Result: dossier.Result{Name: "Giấy xác nhận tình trạng hôn nhân", Paper: true},
		Form:   dossier.Form{Fields: []dossier.FormField{{Name: "full_name", Label: "Họ và tên", Type: dossier.TypeText, Required: true}}},
	}
	copyP := dossier.Procedure{
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
		LegalBasis: []string{"Nghị định 23/2015/NĐ-CP", "Thông tư 226/2016/TT-BTC"},
		Form: dossier.Form{Fields: []dossier.FormField{
			{Name: "pages", Label: "Số trang", Type: dossier.TypeNumber, Required: true, Min: ptr(1), Max: ptr(1000)},
			{Name: "copies", Label: "Số bản", Type: dossier.TypeNumber, Required: true, Min: ptr(1), Max: ptr(50)},
			{Name: "poor_household", Label: "Thuộc hộ nghèo", Type: dossier.TypeCheckbox},
		}},
	}
	permit := dossier.Procedure{
		Code: "1.009972", Name: "Cấp giấy phép xây dựng công trình cấp đặc biệt", Field: "Xây dựng", Level: 1,
		Steps:      []string{"Nộp hồ sơ", "Thẩm định", "Cấp giấy phép"},
		Channels:   []dossier.Channel{dossier.ChannelDirect, dossier.ChannelPostal},
		Documents:  []dossier.Document{{Name: "Bản vẽ thiết kế", Copies: 2, Kind: "copy", Required: true}},
		TimeLimit:  dossier.TimeLimit{Kind: dossier.WorkingDays, Days: 20},
		Applicants: "Chủ đầu tư", Agency: "Sở Xây dựng",
		OnlineMode: dossier.OnlineNone, OnlineReason: "Cần khảo sát thực địa.",
		Fee:        dossier.Fee{Kind: dossier.FeeFixed, Amount: 150000},
		Result:     dossier.Result{Name: "Giấy phép xây dựng", Paper: true},
		LegalBasis: []string{"Luật Xây dựng 2014"},
		Form:       dossier.Form{Fields: []dossier.FormField{{Name: "owner", Label: "Chủ đầu tư", Type: dossier.TypeText, Required: true}}},
	}
	return []dossier.Procedure{birth, status, copyP, permit}
}

func catalogueJSON(t testing.TB, ps []dossier.Procedure) string {
	t.Helper()
	b, err := json.Marshal(dossier.Catalogue{Procedures: ps})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// seedProcedures imports the test catalogue as the system.
func (fx *fixture) seedProcedures() {
	fx.t.Helper()
	if _, err := fx.app.Procedures.Import(context.Background(), identity.SystemActor, testProcedures(), false); err != nil {
		fx.t.Fatal(err)
	}
}

// token signs username in and returns the Authorization header pair.
func (fx *fixture) token(username, password string) []string {
	fx.t.Helper()
	r := fx.do("POST", "/api/v1/auth/token", `{"username":"`+username+`","password":"`+password+`"}`)
	if r.Status != http.StatusOK {
		fx.t.Fatalf("token of %s: %d %s", username, r.Status, r.Body)
	}
	return []string{"Authorization", "Bearer " + r.JSON["token"].(string)}
}

func TestProcedureSearch(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		if got := list(fx.ok("/api/v1/procedures"), "procedures"); len(got) != 0 {
			t.Fatalf("an empty catalogue lists %s", field(got, "code"))
		}
		fx.seedProcedures()

		// Everything, by field then name in Vietnamese order.
		all := list(fx.ok("/api/v1/procedures"), "procedures")
		if got := field(all, "code"); got != "2.000815 1.004873 1.001193 1.009972" {
			t.Errorf("order: %s", got)
		}

		// Without accents, in any case, by the beginnings of words.
		for _, q := range []string{"dang+ky+khai+sinh", "%C4%91%C4%83ng+k%C3%BD+khai+sinh", "DANG%20KY%20KHAI", "khai+sinh", "1.0011"} {
			got := list(fx.ok("/api/v1/procedures?q="+q), "procedures")
			if field(got, "code") != "1.001193" || got[0]["name"] != "Thủ tục đăng ký khai sinh" {
				t.Errorf("q=%s: %s", q, field(got, "name"))
			}
		}
		if got := list(fx.ok("/api/v1/procedures?q=ang+ky"), "procedures"); len(got) != 0 {
			t.Errorf("the middle of a word matched: %s", field(got, "name"))
		}

		// The summary: the time limit in words when the catalogue has none,
		// the fee rule.
		birth := list(fx.ok("/api/v1/procedures?q=khai+sinh"), "procedures")[0]
		tl := birth["time_limit"].(map[string]any)
		if birth["field"] != "Hộ tịch" || birth["level"] != 3.0 || birth["online_mode"] != "full" ||
			tl["kind"] != "same_day" || tl["days"] != 0.0 || tl["text"] != i18n.T(i18n.VI, "procedure.time_limit.same_day") {
			t.Errorf("summary: %v", birth)
		}
		copyP := list(fx.ok("/api/v1/procedures?q=2.000815&lang=en"), "procedures")[0]
		fee := copyP["fee"].(map[string]any)
		if fee["kind"] != "per_page" || fee["first_pages"] != 2.0 || fee["first_rate"] != 2000.0 || fee["rate"] != 1000.0 ||
			fee["cap"] != 200000.0 || fee["per_copy"] != true || fee["exemptions"].([]any)[0] != "Hộ nghèo" {
			t.Errorf("fee: %v", fee)
		}
		if tl := copyP["time_limit"].(map[string]any); tl["text"] != i18n.T(i18n.EN, "procedure.time_limit.same_day") {
			t.Errorf("English time limit: %v", tl)
		}
		status := list(fx.ok("/api/v1/procedures?q=tinh+trang+hon+nhan"), "procedures")[0]
		if tl := status["time_limit"].(map[string]any); tl["days"] != 3.0 || tl["text"] != "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ" {
			t.Errorf("the law's wording: %v", tl)
		}
		if fee := status["fee"].(map[string]any); fee["amount"] != 10000.0 || fee["set_by_province"] != true || fee["per_copy"] != false {
			t.Errorf("fixed fee: %v", fee)
		}

		// Filters, alone and together.
		for query, want := range map[string]string{
			"field=" + url.QueryEscape("Hộ tịch"): "1.004873 1.001193",
			"field=" + url.QueryEscape("Ho tich"): "",
			"level=1":                             "1.009972",
			"level=3&online_mode=partial":         "2.000815 1.004873",
			"online_mode=full":                    "1.001193",
			"online_mode=none":                    "1.009972",
			"field=" + url.QueryEscape("Hộ tịch") + "&online_mode=full": "1.001193",
			"q=thu+tuc&field=" + url.QueryEscape("Hộ tịch"):             "1.004873 1.001193",
			"q=thu+tuc&level=1":    "",
			"q=chung+thuc&lang=en": "2.000815",
		} {
			if got := field(list(fx.ok("/api/v1/procedures?"+query), "procedures"), "code"); got != want {
				t.Errorf("%s: %q, want %q", query, got, want)
			}
		}
		// A field in decomposed Unicode is the same field.
		nfd := "Ho\u0323\u0302 ti\u0323ch"
		if got := field(list(fx.ok("/api/v1/procedures?field="+url.QueryEscape(nfd)), "procedures"), "code"); got != "1.004873 1.001193" {
			t.Errorf("NFD field: %q", got)
		}
	})
}

func TestProcedureDetail(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		fx.seedProcedures()
		p := fx.ok("/api/v1/procedures/1.001193")
		if p["name"] != "Thủ tục đăng ký khai sinh" || p["online_mode"] != "full" || p["confidence"] != "confirmed" ||
			len(p["steps"].([]any)) != 3 || len(p["documents"].([]any)) != 2 {
			t.Errorf("procedure: %s", fx.get("/api/v1/procedures/1.001193").Body)
		}
		form := p["form"].(map[string]any)
		fields := list(form, "fields")
		types := map[string]bool{}
		for _, f := range fields {
			types[f["type"].(string)] = true
			for _, k := range []string{"name", "label", "type", "required"} {
				if _, ok := f[k]; !ok {
					t.Errorf("field %v lacks %s", f["name"], k)
				}
			}
		}
		for _, ty := range []string{"text", "number", "date", "select", "cccd", "phone", "email", "file"} {
			if !types[ty] {
				t.Errorf("no field of type %s", ty)
			}
		}
		sex := fields[2]
		if sex["name"] != "sex" || sex["required"] != true || sex["label_en"] != "Sex" || len(sex["options"].([]any)) != 2 {
			t.Errorf("select field: %v", sex)
		}
		if opt := sex["options"].([]any)[1].(map[string]any); opt["value"] != "nu" || opt["label"] != "Nữ" || opt["label_en"] != "Female" {
			t.Errorf("option: %v", opt)
		}
		if steps := list(form, "steps"); len(steps) != 3 || steps[0]["title_en"] != "The child" {
			t.Errorf("steps: %v", steps)
		}
		if w := fields[3]; w["min"] != 300.0 || w["max"] != 9000.0 {
			t.Errorf("number bounds: %v", w)
		}
		// A procedure without a legal basis has an empty list, not null.
		if lb, ok := fx.ok("/api/v1/procedures/1.004873")["legal_basis"].([]any); !ok || len(lb) != 0 {
			t.Errorf("legal_basis of 1.004873: %v", lb)
		}

		for _, c := range []struct {
			path, code, field string
			status            int
		}{
			{"/api/v1/procedures/9.999999", "not_found", "", 404},
			{"/api/v1/procedures/abc", "invalid", "code", 400},
			{"/api/v1/procedures/1.00119", "invalid", "code", 400},
			{"/api/v1/procedures/1.0011930", "invalid", "code", 400},
			{"/api/v1/procedures/import", "invalid", "code", 400},
			{"/api/v1/procedures/1.001193?at=2026-01-01", "invalid", "at", 400},
			{"/api/v1/procedures?level=0", "invalid", "level", 400},
			{"/api/v1/procedures?level=x", "invalid", "level", 400},
			{"/api/v1/procedures?online_mode=sometimes", "invalid", "online_mode", 400},
			{"/api/v1/procedures?q=" + strings.Repeat("a", 101), "invalid", "q", 400},
			{"/api/v1/procedures?field=" + strings.Repeat("a", 201), "invalid", "field", 400},
			{"/api/v1/procedures?linh_vuc=x", "invalid", "linh_vuc", 400},
			{"/api/v1/procedures/export?q=x", "invalid", "q", 400},
			{"/api/v1/procedures/1.001193/form", "not_found", "", 404},
		} {
			r := fx.get(c.path)
			if code, f, msg := errorOf(r); r.Status != c.status || code != c.code || f != c.field || messageKey.MatchString(msg) {
				t.Errorf("%s: %d %s, want %d %s %q", c.path, r.Status, r.Body, c.status, c.code, c.field)
			}
		}
		if _, _, msg := errorOf(fx.get("/api/v1/procedures/9.999999?lang=en")); !strings.Contains(msg, "9.999999") {
			t.Errorf("not found message: %q", msg)
		}
		// The wrong method on a procedure, on the export and on the import.
		for target, allow := range map[string]string{
			"/api/v1/procedures/1.001193": "GET, HEAD",
			"/api/v1/procedures/export":   "GET, HEAD",
			"/api/v1/procedures":          "GET, HEAD",
		} {
			if r := fx.do("POST", target, "{}"); r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != allow {
				t.Errorf("POST %s: %d, Allow %q", target, r.Status, r.Header.Get("Allow"))
			}
		}
		// GET /api/v1/procedures/import is taken by {code} (and refused as
		// a bad code), so the Allow of the import path names GET too.
		if r := fx.do("PUT", "/api/v1/procedures/import", "{}"); r.Status != http.StatusMethodNotAllowed || !strings.Contains(r.Header.Get("Allow"), "POST") {
			t.Errorf("PUT import: %d, Allow %q", r.Status, r.Header.Get("Allow"))
		}
	})
}

func TestProcedureExport(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		fx.seedProcedures()
		r := fx.get("/api/v1/procedures/export")
		if r.Status != http.StatusOK || r.Header.Get("Content-Disposition") != `attachment; filename="thu-tuc.json"` {
			t.Fatalf("export: %d %v", r.Status, r.Header)
		}
		ps, err := dossier.ParseCatalogue(bytes.NewReader(r.Body))
		if err != nil || len(ps) != 4 {
			t.Fatalf("the export does not parse as a catalogue: %d %v", len(ps), err)
		}
		if !strings.Contains(string(r.Body), `"name": "Thủ tục đăng ký khai sinh"`) {
			t.Errorf("export is not readable UTF-8:\n%.500s", r.Body)
		}
		// Exported and imported again, nothing changes.
		fx.officer("quantri", "mat-khau-quan-tri", identity.RoleAdmin, "")
		imp := fx.do("POST", "/api/v1/procedures/import", string(r.Body), fx.token("quantri", "mat-khau-quan-tri")...)
		if imp.Status != http.StatusOK || imp.JSON["unchanged"] != 4.0 || imp.JSON["added"] != 0.0 || imp.JSON["changed"] != 0.0 {
			t.Errorf("re-import of the export: %d %s", imp.Status, imp.Body)
		}
	})
}

func TestProcedureImport(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		fx.officer("quantri", "mat-khau-quan-tri", identity.RoleAdmin, "")
		fx.officer("quantri.31615", "mat-khau-quan-tri", identity.RoleAdmin, "31615")
		admin := fx.token("quantri", "mat-khau-quan-tri")
		communeAdmin := fx.token("quantri.31615", "mat-khau-quan-tri")
		const path = "/api/v1/procedures/import"
		good := catalogueJSON(t, testProcedures())
		count := func() int {
			ps, err := fx.app.Procedures.List(context.Background(), dossier.ProcedureQuery{})
			if err != nil {
				t.Fatal(err)
			}
			return len(ps)
		}

		// Only an administrator of the whole tree.
		if r := fx.do("POST", path, good); r.Status != http.StatusUnauthorized {
			t.Errorf("without a token: %d %s", r.Status, r.Body)
		}
		for _, body := range []string{good, `{"procedures":[{}]}`} {
			r := fx.do("POST", path, body, communeAdmin...)
			if code, _, _ := errorOf(r); r.Status != http.StatusForbidden || code != "forbidden" {
				t.Errorf("a commune's administrator: %d %s", r.Status, r.Body)
			}
		}

		// A dry run counts and stores nothing.
		r := fx.do("POST", path+"?dry_run=true", good, admin...)
		if r.Status != http.StatusOK || r.JSON["added"] != 4.0 || r.JSON["dry_run"] != true || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("dry run: %d %s", r.Status, r.Body)
		}
		if n := count(); n != 0 {
			t.Fatalf("a dry run stored %d procedures", n)
		}
		if r := fx.get("/api/v1/procedures/1.001193"); r.Status != http.StatusNotFound {
			t.Errorf("after a dry run: %d", r.Status)
		}

		r = fx.do("POST", path, good, admin...)
		if r.Status != http.StatusOK || r.JSON["added"] != 4.0 || r.JSON["dry_run"] != false {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		if got := field(list(fx.ok("/api/v1/procedures?q=dang+ky+khai+sinh"), "procedures"), "code"); got != "1.001193" {
			t.Errorf("search after import: %q", got)
		}

		// One procedure changed: the dry run says so and changes nothing.
		ps := testProcedures()
		ps[0].TimeLimit = dossier.TimeLimit{Kind: dossier.WorkingDays, Days: 2}
		changed := catalogueJSON(t, ps)
		r = fx.do("POST", path+"?dry_run=1", changed, admin...)
		if r.Status != http.StatusOK || r.JSON["changed"] != 1.0 || r.JSON["unchanged"] != 3.0 || r.JSON["added"] != 0.0 {
			t.Errorf("dry run of a change: %d %s", r.Status, r.Body)
		}
		if tl := fx.ok("/api/v1/procedures/1.001193")["time_limit"].(map[string]any); tl["kind"] != "same_day" {
			t.Errorf("a dry run changed the procedure: %v", tl)
		}
		r = fx.do("POST", path+"?dry_run=false", changed, admin...)
		if r.Status != http.StatusOK || r.JSON["changed"] != 1.0 || r.JSON["unchanged"] != 3.0 {
			t.Errorf("import of a change: %d %s", r.Status, r.Body)
		}
		if tl := fx.ok("/api/v1/procedures/1.001193")["time_limit"].(map[string]any); tl["kind"] != "working_days" || tl["days"] != 2.0 {
			t.Errorf("the change was not stored: %v", tl)
		}

		// A bad catalogue: 400 with every problem and its path, nothing
		// stored, also in a dry run.
		bad := testProcedures()
		bad[1].TimeLimit.Days = 0
		bad[2].Form.Fields[0].Type = "colour"
		bad = append(bad, dossier.Procedure{Code: "9.000001", Name: "Thủ tục mới"})
		for _, target := range []string{path, path + "?dry_run=true"} {
			r = fx.do("POST", target, catalogueJSON(t, bad), admin...)
			code, _, msg := errorOf(r)
			if r.Status != http.StatusBadRequest || code != "invalid" || msg == "" {
				t.Fatalf("%s with a bad catalogue: %d %s", target, r.Status, r.Body)
			}
			paths := map[string]bool{}
			for _, p := range r.JSON["error"].(map[string]any)["problems"].([]any) {
				p := p.(map[string]any)
				paths[p["path"].(string)] = true
				if p["message"] == "" {
					t.Errorf("problem without a message: %v", p)
				}
			}
			for _, want := range []string{"procedures[1].time_limit.days", "procedures[2].form.fields[0].type", "procedures[4].steps"} {
				if !paths[want] {
					t.Errorf("%s: no problem at %s: %v", target, want, paths)
				}
			}
		}
		if n := count(); n != 4 {
			t.Errorf("a bad catalogue changed the count to %d", n)
		}

		// Documents that are not catalogues.
		for body, wantPath := range map[string]string{
			`{"procedures":[`:                     "(document)",
			`not json`:                            "(document)",
			`{"procedures":[]}`:                   "procedures",
			`{"procedures":[],"extra":1}`:         "(document)",
			`{"procedures":[]} {"procedures":[]}`: "(document)",
		} {
			r = fx.do("POST", path, body, admin...)
			problems, _ := r.JSON["error"].(map[string]any)["problems"].([]any)
			if r.Status != http.StatusBadRequest || len(problems) == 0 || problems[0].(map[string]any)["path"] != wantPath {
				t.Errorf("%s: %d %s", body, r.Status, r.Body)
			}
		}
		r = fx.do("POST", path, "", append(admin, "Content-Type", "application/json")...)
		if r.Status != http.StatusBadRequest {
			t.Errorf("empty body: %d %s", r.Status, r.Body)
		}

		// Bad parameters, and a body over the limit.
		r = fx.do("POST", path+"?dry_run=maybe", good, admin...)
		if code, f, _ := errorOf(r); r.Status != http.StatusBadRequest || code != "invalid" || f != "dry_run" {
			t.Errorf("dry_run=maybe: %d %s", r.Status, r.Body)
		}
		r = fx.do("POST", path+"?force=1", good, admin...)
		if _, f, _ := errorOf(r); r.Status != http.StatusBadRequest || f != "force" {
			t.Errorf("unknown parameter: %d %s", r.Status, r.Body)
		}
		huge := `{"procedures":[` + strings.Repeat(" ", dossier.MaxCatalogueBytes) + `]}`
		r = fx.do("POST", path, huge, admin...)
		if code, _, _ := errorOf(r); r.Status != http.StatusRequestEntityTooLarge || code != "too_large" {
			t.Errorf("over 8 MiB: %d %.200s", r.Status, r.Body)
		}
		if n := count(); n != 4 {
			t.Errorf("count %d after refused imports", n)
		}
	})
}

// TestProcedureMessageKeys: the keys this file's handlers use are in both
// catalogues (TestMessageKeys looks at error, unit and signin keys only).
func TestProcedureMessageKeys(t *testing.T) {
	for _, key := range []string{"procedure.not_found", "procedure.time_limit.same_day", "procedure.time_limit.days",
		"error.bad_online_mode", "error.bad_procedure_code", "error.catalogue_invalid", "error.bad_boolean"} {
		if !i18n.Has(i18n.VI, key) || !i18n.Has(i18n.EN, key) {
			t.Errorf("message key %s is not in both catalogues", key)
		}
	}
}
