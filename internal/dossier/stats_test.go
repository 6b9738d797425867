package dossier_test

import (
	"reflect"
	"testing"
	"time"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

func TestStats(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		// Before the 2025 reorganisation: a dossier at Xã An Thạnh 1 (31618),
		// which merged into Xã An Thạnh (31615).
		w.clock = time.Date(2025, 3, 3, 9, 0, 0, 0, workcal.ICT)
		g, _ := w.app.Units.Graph(w.ctx)
		old := g.At("31618", w.app.Units.Today())
		if err := w.app.Dossiers.SetAgency(w.ctx, identity.SystemActor, old.ID, "000.18.31.H94"); err != nil {
			t.Fatal(err)
		}
		intakeBy := func(a *identity.Actor, unit string) *dossier.Dossier {
			d, err := w.app.Dossiers.Intake(w.ctx, a, dossier.NewDossier{ProcedureCode: "1.004873", UnitCode: unit,
				Channel: dossier.ChannelDirect, Fields: marital(), Applicant: dossier.Applicant{Name: "Sơn Văn Đức", Phone: "0987654321"}})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		// (The demo's officers hold grants on today's units, which did not
		// exist yet: the old commune's desk is played by the system.)
		oldD := intakeBy(identity.SystemActor, "31618")
		if _, err := w.app.Dossiers.Act(w.ctx, identity.SystemActor, oldD.Code, dossier.ActRefuse, dossier.ActionInput{Note: "Không thuộc thẩm quyền"}); err != nil {
			t.Fatal(err)
		}
		intake := func(unit string) *dossier.Dossier { return intakeBy(w.actor("motcua.31615"), unit) }

		resolve := func(d *dossier.Dossier) {
			w.must("motcua.31615", d.Code, dossier.ActAssign, dossier.ActionInput{Assignee: "chuyenvien.31615"})
			w.must("lanhdao.31615", d.Code, dossier.ActApprove, dossier.ActionInput{})
			w.must("chuyenvien.31615", d.Code, dossier.ActFinish, dossier.ActionInput{ResultFiles: resultPDF()})
		}
		finish := func(d *dossier.Dossier) {
			resolve(d)
			w.must("motcua.31615", d.Code, dossier.ActReturnResult, dossier.ActionInput{})
		}
		// October: an online dossier resolved, its result returned and rated
		// in November (it counts in November's ratings only).
		w.clock = time.Date(2026, 10, 26, 9, 0, 0, 0, workcal.ICT)
		rated := w.filed("congdan.2")
		w.must("motcua.31615", rated.Code, dossier.ActReceive, dossier.ActionInput{})
		resolve(rated)

		// November 2026 at Xã An Thạnh: one resolved early, one late, one
		// withdrawn, one still open and overdue, one online and open, one
		// waiting for documents since before its due date (in progress: the
		// applicant's waiting does not count against the agency).
		w.clock = time.Date(2026, 11, 2, 9, 0, 0, 0, workcal.ICT)
		w.must("motcua.31615", rated.Code, dossier.ActReturnResult, dossier.ActionInput{})
		w.must("congdan.2", rated.Code, dossier.ActRate, dossier.ActionInput{Rating: 1})
		early, late, gone := intake("31615"), intake("31615"), intake("31615")
		intake("31615") // still open at the end of November: overdue
		waiting := intake("31615")
		online := w.filed("congdan.1")
		w.must("congdan.1", online.Code, dossier.ActWithdraw, dossier.ActionInput{})
		w.clock = time.Date(2026, 11, 3, 9, 0, 0, 0, workcal.ICT)
		w.must("motcua.31615", waiting.Code, dossier.ActRequestDocuments, missing("Thiếu giấy tờ", "marital_status"))
		finish(early) // due 5 November
		if _, err := w.act("motcua.31615", gone.Code, dossier.ActStop, dossier.ActionInput{Note: "x"}); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Fatalf("a desk stopping: %v", err)
		}
		w.must("lanhdao.31615", gone.Code, dossier.ActStop, dossier.ActionInput{Note: "Người yêu cầu không liên hệ lại"})
		w.clock = time.Date(2026, 11, 9, 9, 0, 0, 0, workcal.ICT)
		finish(late)
		w.clock = time.Date(2026, 11, 30, 9, 0, 0, 0, workcal.ICT)

		nov1, _ := workcal.ParseDate("2026-11-01")
		nov30, _ := workcal.ParseDate("2026-11-30")
		st, err := w.app.Dossiers.Stats(w.ctx, w.actor("lanhdao.92"), "31615", nov1, nov30)
		if err != nil {
			t.Fatal(err)
		}
		want := dossier.Counts{Received: 6, ReceivedOnline: 1, ResolvedEarly: 1, ResolvedLate: 1,
			Withdrawn: 1, Stopped: 1, Overdue: 1, InProgress: 1, Rated: 1, Satisfied: 1,
			ByChannel: map[dossier.Channel]int{dossier.ChannelDirect: 5, dossier.ChannelOnline: 1},
			// 1.004873 is fully online, and its fee of 8,000 đồng unpaid.
			EligibleFullyOnline: 6, ReceivedFullyOnline: 1, Payable: 6}
		if !reflect.DeepEqual(st.Counts, want) || st.From != nov1 || st.To != nov30 {
			t.Fatalf("November at 31615:\n got %+v\nwant %+v", st.Counts, want)
		}
		// The commune's catalogue: 27 procedures, 17 of them fully online;
		// one procedure has dossiers, with the same figures.
		if st.Procedures != 27 || st.ProceduresFullyOnline != 17 || len(st.ByProcedure) != 1 ||
			st.ByProcedure[0].Code != "1.004873" || st.ByProcedure[0].OnlineMode != dossier.OnlineFull ||
			!reflect.DeepEqual(st.ByProcedure[0].Counts, want) {
			t.Fatalf("catalogue and procedures: %d %d %+v", st.Procedures, st.ProceduresFullyOnline, st.ByProcedure)
		}
		if r := st.OnlineRate(); r != (dossier.Ratio{Num: 1, Den: 6}) {
			t.Fatalf("online rate %+v", r)
		}
		if r := st.OnTimeRate(); r != (dossier.Ratio{Num: 1, Den: 2}) {
			t.Fatalf("on-time rate %+v", r)
		}
		if r := st.SatisfactionRate(); r != (dossier.Ratio{Num: 1, Den: 1}) || r.Percent() != 100 {
			t.Fatalf("satisfaction %+v", r)
		}
		// A reporter of the commune reads the figures, not the dossiers; a
		// receiver of another commune reads neither.
		if _, err := w.app.Dossiers.Stats(w.ctx, w.actor("thongke.31615"), "31615", nov1, nov30); err != nil {
			t.Fatalf("the commune's reporter: %v", err)
		}
		if _, err := w.app.Dossiers.List(w.ctx, w.actor("thongke.31615"), dossier.ListQuery{UnitCode: "31615"}); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Fatalf("the reporter listing dossiers: %v", err)
		}
		if units, err := w.app.Dossiers.StatsUnits(w.ctx, w.actor("thongke.31615")); err != nil || len(units) != 1 || units[0].Code != "31615" {
			t.Fatalf("the reporter's units: %v %v", units, err)
		}
		if units, _ := w.app.Dossiers.StatsUnits(w.ctx, w.actor("lanhdao.92")); len(units) != 44 || units[0].Code != "92" {
			t.Fatalf("the city leader's units: %d", len(units))
		}
		// The old commune's dossier of March 2025 counts under today's unit.
		mar1, _ := workcal.ParseDate("2025-03-01")
		mar31, _ := workcal.ParseDate("2025-03-31")
		st, err = w.app.Dossiers.Stats(w.ctx, w.actor("thongke.92"), "31615", mar1, mar31)
		if err != nil || st.Received != 1 || st.Refused != 1 {
			t.Fatalf("March 2025 at 31615: %+v %v", st, err)
		}
		if st, _ := w.app.Dossiers.Stats(w.ctx, w.actor("lanhdao.92"), "31633", nov1, nov30); st.Received != 0 {
			t.Fatalf("another commune: %+v", st)
		} else if r := st.SatisfactionRate(); r.Defined() || r.Percent() != 0 {
			t.Fatalf("satisfaction without ratings: %+v", r)
		}
		// October: the rated dossier resolved, not yet rated.
		oct1, _ := workcal.ParseDate("2026-10-01")
		oct31, _ := workcal.ParseDate("2026-10-31")
		if st, err := w.app.Dossiers.Stats(w.ctx, w.actor("lanhdao.92"), "31615", oct1, oct31); err != nil ||
			st.Received != 1 || st.Resolved() != 1 || st.Rated != 0 {
			t.Fatalf("October at 31615: %+v %v", st, err)
		}
		if _, err := w.app.Dossiers.Stats(w.ctx, w.actor("motcua.31507"), "31615", nov1, nov30); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Fatalf("another commune's desk: %v", err)
		}
	})
}
