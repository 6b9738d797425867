package dossier_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"egov"
	"egov/internal/dossier"
	"egov/internal/i18n"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

func TestRegister(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		intake := func() *dossier.Dossier {
			d, err := w.app.Dossiers.Intake(w.ctx, w.actor("motcua.31615"), dossier.NewDossier{ProcedureCode: "1.004873",
				UnitCode: "31615", Channel: dossier.ChannelDirect, Fields: marital(),
				Applicant: dossier.Applicant{Name: "Nguyễn Thị Lan", CCCD: "094190001234", Phone: "0912345678"}})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		// Two dossiers at the end of 2025, two at the start of 2026 (one
		// filed online, received the next day).
		w.clock = time.Date(2025, 12, 30, 9, 0, 0, 0, workcal.ICT)
		a, b := intake(), intake()
		// a waits for documents past its first due date: not overdue.
		w.clock = time.Date(2025, 12, 31, 9, 0, 0, 0, workcal.ICT)
		w.must("motcua.31615", a.Code, dossier.ActRequestDocuments, missing("Thiếu giấy tờ", "marital_status"))
		w.clock = time.Date(2026, 1, 5, 8, 0, 0, 0, workcal.ICT)
		c := intake()
		w.must("motcua.31615", c.Code, dossier.ActAssign, dossier.ActionInput{Assignee: "chuyenvien.31615"})
		w.must("lanhdao.31615", c.Code, dossier.ActApprove, dossier.ActionInput{})
		w.must("chuyenvien.31615", c.Code, dossier.ActFinish, dossier.ActionInput{ResultFiles: resultPDF()})
		w.must("motcua.31615", c.Code, dossier.ActReturnResult, dossier.ActionInput{})
		online := w.filed("congdan.1")
		w.clock = time.Date(2026, 1, 6, 8, 0, 0, 0, workcal.ICT)
		w.must("motcua.31615", online.Code, dossier.ActReceive, dossier.ActionInput{})
		w.must("motcua.31615", b.Code, dossier.ActWithdraw, dossier.ActionInput{})
		notReceived := w.filed("congdan.2") // filed, never received: not in the register

		from, to := workcal.NewDate(2025, 12, 1), workcal.NewDate(2026, 1, 31)
		reg, err := w.app.Dossiers.Register(w.ctx, w.actor("lanhdao.31615"), "31615", from, to)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		var nos []int
		for _, r := range reg.Rows {
			codes, nos = append(codes, r.Code), append(nos, r.No)
		}
		if strings.Join(codes, " ") != strings.Join([]string{a.Code, b.Code, c.Code, online.Code}, " ") || len(nos) != 4 ||
			nos[0] != 1 || nos[1] != 2 || nos[2] != 1 || nos[3] != 2 {
			t.Fatalf("rows %v numbered %v (not received: %s)", codes, nos, notReceived.Code)
		}
		r := reg.Rows[2]
		if r.Applicant != "Nguyễn Thị Lan" || r.Address != "Ấp An Thạnh, Xã An Thạnh; 0912345678" || r.Agency != "UBND Xã An Thạnh" ||
			r.Sets != 1 || r.TransferredAt.IsZero() || r.ResultAt.IsZero() || r.ReturnedAt.IsZero() || r.DueDate.IsZero() {
			t.Fatalf("row: %+v", r)
		}
		if reg.Rows[0].Note != "Bổ sung hồ sơ" || reg.Rows[1].Note != "Công dân rút hồ sơ" || reg.Rows[3].Note != "Nộp trực tuyến" {
			t.Fatalf("notes: %q %q %q", reg.Rows[0].Note, reg.Rows[1].Note, reg.Rows[3].Note)
		}
		// Each download is audited.
		var n int
		db.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'dossier.register' AND object_id = '31615'`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d audit entries", n)
		}
		// Long past its first due date, a still waits for the applicant: the
		// register does not call it overdue.
		w.clock = time.Date(2026, 1, 20, 8, 0, 0, 0, workcal.ICT)
		if dec, err := w.app.Dossiers.Register(w.ctx, w.actor("lanhdao.31615"), "31615", from, workcal.NewDate(2025, 12, 31)); err != nil ||
			len(dec.Rows) != 2 || dec.Rows[0].Code != a.Code || dec.Rows[0].Note != "Bổ sung hồ sơ" {
			t.Fatalf("December at 20 January: %+v %v", dec, err)
		}
		w.clock = time.Date(2026, 1, 6, 8, 0, 0, 0, workcal.ICT)

		// The workbook: a sheet per year, numbered from 01, the form's
		// columns, never the citizen ID.
		var buf bytes.Buffer
		if err := dossier.WriteRegisterXLSX(&buf, reg); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(f.GetSheetList(), ","); got != "Năm 2025,Năm 2026" {
			t.Fatalf("sheets %s", got)
		}
		rows, _ := f.GetRows("Năm 2026")
		if rows[1][0] != "SỔ THEO DÕI HỒ SƠ" || rows[5][1] != "Mã hồ sơ" || rows[5][9] != "Chuyển hồ sơ đến cơ quan giải quyết" ||
			rows[6][9] != "Ngày, tháng, năm" || rows[8][0] != "01" || rows[8][1] != c.Code || rows[9][0] != "02" {
			t.Fatalf("sheet 2026: %q", rows[:10])
		}
		for _, sheet := range f.GetSheetList() {
			rows, _ := f.GetRows(sheet)
			for _, row := range rows {
				for _, v := range row {
					if strings.Contains(v, "094190001234") {
						t.Fatalf("a citizen ID in the register: %q", v)
					}
				}
			}
		}
		layout, _ := f.GetPageLayout("Năm 2026")
		if layout.Orientation == nil || *layout.Orientation != "landscape" || layout.Size == nil || *layout.Size != 9 {
			t.Fatalf("page layout %+v", layout)
		}

		// Who may not: a reporter (no personal data), another commune's desk;
		// a period longer than a year.
		for _, who := range []string{"thongke.31615", "motcua.31507"} {
			if _, err := w.app.Dossiers.Register(w.ctx, w.actor(who), "31615", from, to); egov.ErrorCode(err) != egov.EFORBIDDEN {
				t.Fatalf("%s: %v", who, err)
			}
		}
		if _, err := w.app.Dossiers.Register(w.ctx, w.actor("lanhdao.31615"), "31615", from, from.AddDays(400)); egov.ErrorCode(err) != egov.EINVALID {
			t.Fatalf("400 days: %v", err)
		}
	})
}

func TestStatsXLSX(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	w.filed("congdan.1")
	w.filed("congdan.2")
	day := workcal.LocalDate(w.clock)
	st, err := w.app.Dossiers.Stats(w.ctx, w.actor("lanhdao.92"), "92", day, day)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	label := func(key string, args ...any) string { return i18n.T("vi", key, args...) }
	if err := dossier.WriteStatsXLSX(&buf, st, "Thành phố Cần Thơ", label); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	summary, _ := f.GetRows("Tổng hợp")
	if summary[0][0] != "SỐ LIỆU GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" || summary[5][0] != "Hồ sơ tiếp nhận" || summary[5][1] != "2" {
		t.Fatalf("summary %q", summary[:7])
	}
	// The online share is a percentage cell: 2 of 2.
	if v, _ := f.GetCellValue("Tổng hợp", "C9"); summary[8][0] != "    Trực tuyến (tỷ lệ hồ sơ nộp trực tuyến)" || v != "100.0%" {
		t.Fatalf("online line %q %q", summary[8], v)
	}
	procs, _ := f.GetRows("Theo thủ tục")
	if procs[5][0] != "1.004873" || procs[5][2] != "2" || procs[6][1] != "Tổng cộng" || procs[6][2] != "2" {
		t.Fatalf("by procedure %q", procs[4:])
	}
}
