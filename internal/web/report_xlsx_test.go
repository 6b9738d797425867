package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/reporting/reportingtest"
)

// statsSite is a site with the reporting catalogue and 2024's yearly
// report of An Thạnh 1 (31618) started, on the site's clock.
func statsSite(t *testing.T) *site {
	t.Helper()
	s := newSite(t)
	s.app.Reporting.Now = func() time.Time { return time.Unix(0, s.clock.Load()) }
	ctx := context.Background()
	if err := s.app.Reporting.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	set := reporting.ValueSet{DataSet: "KTXH-XA-NAM", Period: "2024", OrgUnit: "31618", Values: []reporting.ValueIn{{DataElement: "CX.DS.05", Value: "12"}}}
	if _, err := s.app.Reporting.Import(ctx, identity.SystemActor, set, false); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReportXLSXPages(t *testing.T) {
	s := statsSite(t)
	if err := s.app.Reporting.SetCloseDays(context.Background(), identity.SystemActor, "KTXH-XA-NAM", 0); err != nil {
		t.Fatal(err)
	}
	s.officer("baocao.anthanh", identity.RoleReporter, "31615")
	s.officer("baocao.myphuoc", identity.RoleReporter, "31603")
	b := s.browser()
	b.signIn("baocao.anthanh")
	const page = "/reports/KTXH-XA-NAM/2024/31618/import"

	expect(t, b.get(page), 200, "Nhập số liệu từ tệp Excel", "Xã An Thạnh 1 (31618)", "Năm 2024", "Hạn nộp: 16/12/2024.",
		`href="/reports/KTXH-XA-NAM/2024/31618/template.xlsx"`, `enctype="multipart/form-data"`, `name="import_valid"`)
	tmpl := b.get("/reports/KTXH-XA-NAM/2024/31618/template.xlsx")
	if tmpl.StatusCode != 200 || tmpl.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		tmpl.Header.Get("Content-Disposition") != `attachment; filename="KTXH-XA-NAM_2024_31618.xlsx"` {
		t.Fatalf("template: %d %v", tmpl.StatusCode, tmpl.Header)
	}

	// A wrong cell: listed by cell, nothing saved.
	bad := string(reportingtest.Fill(t, []byte(tmpl.body), map[[2]string]any{{"CX.DS.05", "default"}: 14, {"CX.CDS.05", "default"}: "chín"}))
	res := b.postFiles(page, nil, upfile{"file", "bao-cao.xlsx", bad})
	expect(t, res, http.StatusUnprocessableEntity, "Chưa ghi số liệu nào", "<code>&#39;Hạ tầng số, xã hội số&#39;!F8</code>", "Giá trị phải là một số.")
	// The valid part, asked for.
	res = b.postFiles(page, url.Values{"import_valid": {"1"}}, upfile{"file", "bao-cao.xlsx", bad})
	expect(t, res, 200, "Đã ghi: 0 giá trị mới, 1 giá trị sửa, 0 giá trị xóa", "Giá trị phải là một số.")
	v, err := s.app.Reporting.Value(context.Background(), identity.SystemActor, "CX.DS.05", "", "2024", "31618")
	if err != nil || v.Value != "14" {
		t.Fatalf("after the upload: %+v %v", v, err)
	}
	// Not a workbook; no file.
	expect(t, b.postFiles(page, nil, upfile{"file", "bao-cao.csv", "CX.DS.05,12\n"}), http.StatusBadRequest, "không phải là tệp Excel (.xlsx)")
	expect(t, b.postFiles(page, nil), http.StatusUnprocessableEntity, "Chọn tệp Excel để tải lên.")

	// Another commune's reporter sees neither page nor file.
	other := s.browser()
	other.signIn("baocao.myphuoc")
	expect(t, other.get(page), http.StatusForbidden)
	expect(t, other.get("/reports/KTXH-XA-NAM/2024/31618/template.xlsx"), http.StatusForbidden)
	expect(t, other.postFiles(page, nil, upfile{"file", "bao-cao.xlsx", bad}), http.StatusForbidden)
	// A visitor is sent to sign in.
	if res := s.browser().get(page); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a visitor: %d", res.StatusCode)
	}
}

func TestReopenPage(t *testing.T) {
	s := statsSite(t) // on 2 March 2026, 2024's report closed after 26 December 2024
	s.officer("baocao.anthanh", identity.RoleReporter, "31615")
	s.officer("thongke.tp", identity.RoleStatistician, "92")
	reporter := s.browser()
	reporter.signIn("baocao.anthanh")
	const page = "/reports/KTXH-XA-NAM/2024/31618/import"
	expect(t, reporter.get(page), 200, "Đã hết hạn nhập từ sau ngày 26/12/2024.")
	data := reporter.get("/reports/KTXH-XA-NAM/2024/31618/template.xlsx").body
	expect(t, reporter.postFiles(page, nil, upfile{"file", "bao-cao.xlsx", data}), http.StatusConflict, "Đã hết hạn nhập số liệu biểu KTXH-XA-NAM kỳ 2024")
	expect(t, reporter.get("/admin/reports/reopen"), http.StatusForbidden)

	stat := s.browser()
	stat.signIn("thongke.tp")
	expect(t, stat.get("/admin"), 200, `href="/admin/reports/reopen"`)
	expect(t, stat.get("/admin/reports/reopen?form=KTXH-XA-NAM&period=2024&unit=31618"), 200, "Mở lại nhập số liệu",
		`value="2024"`, `value="31618"`, "Không có báo cáo nào đang được mở lại.")
	form := url.Values{"form": {"KTXH-XA-NAM"}, "period": {"2024"}, "unit": {"31618"}, "until": {"2026-03-06"}, "reason": {"Bổ sung số liệu hộ nghèo"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("until", "2026-02-01")
	expect(t, stat.post("/admin/reports/reopen", bad), http.StatusUnprocessableEntity, "Ngày mở lại phải từ hôm nay trở đi.", `value="31618"`)
	bad.Set("until", "mai")
	expect(t, stat.post("/admin/reports/reopen", bad), http.StatusUnprocessableEntity, "không hợp lệ; cần dạng YYYY-MM-DD")
	expect(t, stat.post("/admin/reports/reopen", form), 200, "Đã mở lại biểu KTXH-XA-NAM kỳ 2024 cho Xã An Thạnh 1 (31618) đến hết ngày 06/03/2026.",
		"Bổ sung số liệu hộ nghèo", "thongke.tp")

	expect(t, reporter.get(page), 200, "được mở lại đến hết ngày 06/03/2026")
	expect(t, reporter.postFiles(page, nil, upfile{"file", "bao-cao.xlsx", data}), 200, "Đã ghi:")
	s.advance(5 * 24 * time.Hour) // 7 March
	reporter.signIn("baocao.anthanh")
	expect(t, reporter.postFiles(page, nil, upfile{"file", "bao-cao.xlsx", data}), http.StatusConflict)
}
