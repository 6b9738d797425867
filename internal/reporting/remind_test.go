package reporting_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

func TestReminders(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		anThanh := fx.actor("baocao.anthanh", identity.RoleReporter, "31615")
		other := fx.actor("baocao.myphuoc", identity.RoleReporter, "31603")
		fx.actor("thongke.tp", identity.RoleStatistician, "92") // enters for the whole city: not reminded per commune
		cal, err := fx.app.Calendar.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := reporting.ParsePeriod("202602")
		deadline := p.Deadline(cal, 1)
		// Three working days before the commune deadline: too early for a
		// reminder two working days ahead.
		at := func(d workcal.Date, hour int) {
			fx.rep.Now = func() time.Time { return d.Time(workcal.ICT).Add(time.Duration(hour) * time.Hour) }
		}
		early := deadline
		for i := 0; i < 3; {
			if early = early.AddDays(-1); cal.IsWorkingDay(early) {
				i++
			}
		}
		at(early, 8)
		remind := func() []reporting.Reminder {
			t.Helper()
			rs, err := fx.rep.Remind(ctx, 2)
			if err != nil {
				t.Fatal(err)
			}
			var mine []reporting.Reminder
			for _, r := range rs {
				if r.Form == "KTXH-XA-THANG" && r.Period == "202602" {
					mine = append(mine, r)
				}
			}
			return mine
		}
		if rs := remind(); len(rs) != 0 {
			t.Fatalf("reminded three working days ahead: %+v", rs)
		}
		// My Phước submits; on the deadline day only An Thạnh is reminded,
		// once however often the job runs.
		if _, err := fx.rep.Import(ctx, other, monthly("31603", "202602"), false); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.rep.Approve(ctx, other, reporting.ActSubmit, "KTXH-XA-THANG", "202602", "31603", ""); err != nil {
			t.Fatal(err)
		}
		at(deadline, 8)
		rs := remind()
		if len(rs) != 1 || rs[0].Unit != "31615" || rs[0].UserID != anThanh.ID() || rs[0].Channel != reporting.ChannelApp ||
			rs[0].Deadline != deadline {
			t.Fatalf("reminders on the deadline: %+v", rs)
		}
		if rs := remind(); len(rs) != 0 {
			t.Errorf("reminded twice on one day: %+v", rs)
		}
		got, err := fx.rep.RemindersOf(ctx, anThanh, 10)
		if err != nil || len(got) != 1 || got[0].Body == "" || got[0].Form != "KTXH-XA-THANG" {
			t.Fatalf("An Thạnh's reminders: %+v %v", got, err)
		}
		if got, _ := fx.rep.RemindersOf(ctx, other, 10); len(got) != 0 {
			t.Errorf("My Phước, submitted, was reminded: %+v", got)
		}

		// A reporter with an address gets the reminder by e-mail; a mailer
		// that refuses it leaves it recorded as failed.
		g, _ := fx.app.Units.Graph(ctx)
		if _, err := fx.app.Identity.CreateOfficer(ctx, identity.SystemActor, identity.NewUser{Username: "baocao2.anthanh",
			FullName: "Lê Thị Hoa", Email: "hoa@anthanh.example.gov.vn", Password: "mật-khẩu-dài-đủ-12"},
			identity.RoleReporter, g.At("31615", fx.app.Units.Today()).ID); err != nil {
			t.Fatal(err)
		}
		var mailed []string
		refuse := true
		fx.rep.Send = func(_ context.Context, to, subject, body string) error {
			mailed = append(mailed, to+": "+subject)
			if refuse {
				return errors.New("550 <" + strings.ToUpper(to) + ">: mailbox unavailable")
			}
			return nil
		}
		rs = remind()
		if len(rs) != 1 || rs[0].Channel != reporting.ChannelEmail || rs[0].Status != "queued" || len(mailed) != 0 {
			t.Fatalf("the e-mailed reminder is not queued: %+v %q", rs, mailed)
		}
		// Its job meets a mail server that refuses it: the reminder stays
		// queued with the error (the address masked), and the retry sends it.
		q := fx.app.Jobs
		if n, err := q.RunDue(ctx); err != nil || n != 1 {
			t.Fatalf("ran %d jobs: %v", n, err)
		}
		status := func() (string, string) {
			var st, lastErr string
			if err := db.QueryRowContext(ctx, `SELECT status, last_error FROM stat_reminders WHERE id = ?`, rs[0].ID).
				Scan(&st, &lastErr); err != nil {
				t.Fatal(err)
			}
			return st, lastErr
		}
		if st, lastErr := status(); st != "queued" || !strings.Contains(lastErr, "mailbox unavailable") ||
			strings.Contains(strings.ToLower(lastErr), "hoa@anthanh") || len(mailed) != 1 ||
			!strings.HasPrefix(mailed[0], "hoa@anthanh.example.gov.vn: Nhắc hạn nộp báo cáo") {
			t.Fatalf("after a refusal: %s %q, mailed %q", st, lastErr, mailed)
		}
		refuse = false
		later := time.Now().Add(24 * time.Hour)
		q.Now = func() time.Time { return later }
		if n, err := q.RunDue(ctx); err != nil || n != 1 {
			t.Fatalf("ran %d retries: %v", n, err)
		}
		if st, lastErr := status(); st != "sent" || lastErr != "" || len(mailed) != 2 {
			t.Fatalf("after the retry: %s %q, mailed %q", st, lastErr, mailed)
		}
		// After the deadline: no more reminders (the report is overdue).
		at(deadline.AddDays(1), 8)
		if rs := remind(); len(rs) != 0 {
			t.Errorf("reminded after the deadline: %+v", rs)
		}
	})
}

// The daily job: scheduled once for the next morning, it runs the
// reminders and queues the next morning's run.
func TestRemindersJob(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		q := fx.app.Jobs
		start := time.Date(2026, 3, 2, 10, 0, 0, 0, workcal.ICT)
		q.Now = func() time.Time { return start }
		for i := 0; i < 2; i++ {
			if err := fx.rep.ScheduleReminders(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := q.RunDue(ctx); err != nil || n != 0 {
			t.Fatalf("ran %d jobs before the morning: %v", n, err)
		}
		q.Now = func() time.Time { return start.Add(21*time.Hour + 30*time.Minute) } // 07:30 the next day
		if n, err := q.RunDue(ctx); err != nil || n != 1 {
			t.Fatalf("ran %d jobs in the morning, want the one scheduled once: %v", n, err)
		}
		if pending, err := q.Pending(ctx, reporting.RemindJob); err != nil || !pending {
			t.Fatalf("the next morning's run is not queued: %v %v", pending, err)
		}
	})
}
