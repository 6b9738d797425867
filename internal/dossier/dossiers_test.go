package dossier_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sort"
	"testing"
	"time"

	"egov"
	"egov/internal/app"
	"egov/internal/audit"
	"egov/internal/demo"
	"egov/internal/dossier"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

// world is the platform over one database with the demo units, calendar,
// catalogue and accounts, and a clock the test moves.
type world struct {
	t     testing.TB
	ctx   context.Context
	app   *app.App
	clock time.Time
}

const password = "mat-khau-dai"

func newWorld(t testing.TB, db *store.DB) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), app: app.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))}
	// Monday 2 November 2026, 09:00 in Vietnam.
	w.clock = time.Date(2026, 11, 2, 9, 0, 0, 0, workcal.ICT)
	now := func() time.Time { return w.clock }
	w.app.Units.Now, w.app.Identity.Now, w.app.Dossiers.Now, w.app.Procedures.Now = now, now, now, now
	if err := demo.Load(w.ctx, w.app, password); err != nil {
		t.Fatal(err)
	}
	g, _ := w.app.Units.Graph(w.ctx)
	for code, ident := range map[string]string{"31615": "900.15.31.H13", "31633": "900.33.31.H13"} {
		if err := w.app.Dossiers.SetAgency(w.ctx, identity.SystemActor, g.At(code, w.app.Units.Today()).ID, ident); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *world) actor(username string) *identity.Actor {
	w.t.Helper()
	u, err := w.app.Identity.UserByName(w.ctx, username)
	if err != nil {
		w.t.Fatal(err)
	}
	a, err := w.app.Identity.ActorFor(w.ctx, u)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// marital is a complete form of 1.004873 (xác nhận tình trạng hôn nhân).
func marital() map[string]string {
	return map[string]string{
		"requester_full_name": "Nguyễn Thị Lan", "requester_birth_date": "1990-03-04", "requester_cccd": "094190001234",
		"requester_address": "Ấp An Thạnh, Xã An Thạnh", "requester_phone": "0912345678", "marital_status": "chua_ket_hon",
		"purpose": "Đăng ký kết hôn",
	}
}

func (w *world) filed(citizen string) *dossier.Dossier {
	w.t.Helper()
	a := w.actor(citizen)
	d, err := w.app.Dossiers.CreateDraft(w.ctx, a, dossier.NewDossier{ProcedureCode: "1.004873", UnitCode: "31615", Fields: map[string]string{"purpose": "x"}})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.app.Dossiers.UpdateDraft(w.ctx, a, d.Ref, marital()); err != nil {
		w.t.Fatal(err)
	}
	d, err = w.app.Dossiers.Submit(w.ctx, a, d.Ref)
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

func (w *world) act(who, code string, act dossier.Action, in dossier.ActionInput) (*dossier.Dossier, error) {
	return w.app.Dossiers.Act(w.ctx, w.actor(who), code, act, in)
}

func (w *world) must(who, code string, act dossier.Action, in dossier.ActionInput) *dossier.Dossier {
	w.t.Helper()
	d, err := w.act(who, code, act, in)
	if err != nil {
		w.t.Fatalf("%s %s: %v", who, act, err)
	}
	return d
}

func errCode(err error) string { return egov.ErrorCode(err) }

// resultPDF is an electronic result to finish a dossier with.
func resultPDF() []dossier.Upload {
	return []dossier.Upload{{Filename: "ket-qua.pdf", Content: bytes.NewReader(pdfFile)}}
}

// missing is a request for documents that marks these fields.
func missing(note string, fields ...string) dossier.ActionInput {
	in := dossier.ActionInput{Note: note}
	for _, f := range fields {
		in.Items = append(in.Items, dossier.SupplementItem{Field: f})
	}
	return in
}

func TestOnlineJourney(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		a := w.actor("congdan.1")
		d, err := w.app.Dossiers.CreateDraft(w.ctx, a, dossier.NewDossier{ProcedureCode: "1.004873", UnitCode: "31615"})
		if err != nil || d.Status != dossier.StatusDraft || d.Code != "" {
			t.Fatalf("draft: %+v %v", d, err)
		}
		// An incomplete form is refused field by field, and nothing changes.
		_, err = w.app.Dossiers.Submit(w.ctx, a, d.Ref)
		var fe dossier.FormErrors
		if errCode(err) != egov.EINVALID || !asFormErrors(err, &fe) || fe["requester_full_name"] == nil || fe["marital_status"] == nil {
			t.Fatalf("incomplete submit: %v", err)
		}
		if _, err := w.app.Dossiers.UpdateDraft(w.ctx, a, d.Ref, marital()); err != nil {
			t.Fatal(err)
		}
		d, err = w.app.Dossiers.Submit(w.ctx, a, d.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^900\.15\.31\.H13-261102-0001$`).MatchString(d.Code) || d.Status != dossier.StatusNew || d.Status.Code() != 1 {
			t.Fatalf("submitted: code %q status %s", d.Code, d.Status)
		}
		if d.Fee != 8000 && d.Fee <= 0 {
			t.Fatalf("fee %d", d.Fee)
		}
		// Received at 09:00 on Monday 2 November: 3 working days → Thursday 5.
		d = w.must("motcua.31615", d.Code, dossier.ActReceive, dossier.ActionInput{})
		if d.Status != dossier.StatusReceived || d.DueDate.String() != "2026-11-05" {
			t.Fatalf("received: %s due %s", d.Status, d.DueDate)
		}
		// Receiving again is not allowed in this state, and says so.
		if _, err := w.act("motcua.31615", d.Code, dossier.ActReceive, dossier.ActionInput{}); errCode(err) != egov.ECONFLICT {
			t.Fatalf("second receive: %v", err)
		}
		d = w.must("motcua.31615", d.Code, dossier.ActAssign, dossier.ActionInput{Assignee: "chuyenvien.31615"})
		if d.Status != dossier.StatusProcessing || d.HolderID != w.actor("chuyenvien.31615").ID() {
			t.Fatalf("assigned: %+v", d)
		}
		if _, err := w.act("chuyenvien.31615", d.Code, dossier.ActFinish, dossier.ActionInput{}); errCode(err) != egov.ECONFLICT {
			t.Fatalf("finish before approval: %v", err)
		}
		if _, err := w.act("chuyenvien.31615", d.Code, dossier.ActApprove, dossier.ActionInput{}); errCode(err) != egov.EFORBIDDEN {
			t.Fatalf("a specialist approving: %v", err)
		}
		w.clock = w.clock.Add(24 * time.Hour)
		w.must("lanhdao.31615", d.Code, dossier.ActApprove, dossier.ActionInput{})
		d = w.must("chuyenvien.31615", d.Code, dossier.ActFinish, dossier.ActionInput{Result: "Giấy xác nhận số 12/2026", ResultFiles: resultPDF()})
		if d.Status != dossier.StatusResolved || d.TimelinessOn(workcal.LocalDate(w.clock)) != dossier.Early {
			t.Fatalf("finished: %s %s", d.Status, d.TimelinessOn(workcal.LocalDate(w.clock)))
		}
		d = w.must("motcua.31615", d.Code, dossier.ActReturnResult, dossier.ActionInput{})
		if _, err := w.act("congdan.2", d.Code, dossier.ActRate, dossier.ActionInput{Rating: 1}); errCode(err) != egov.ENOTFOUND {
			t.Fatalf("someone else rating: %v", err)
		}
		d = w.must("congdan.1", d.Code, dossier.ActRate, dossier.ActionInput{Rating: 1, Note: "Nhanh"})
		if d.Status != dossier.StatusReturned || d.Status.Code() != 10 || d.Rating != 1 {
			t.Fatalf("returned and rated: %+v", d)
		}
		hist, err := w.app.Dossiers.History(w.ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, e := range hist {
			steps = append(steps, e.Action)
		}
		want := "create_draft save_draft submit receive assign approve finish return-result rate"
		if got := join(steps); got != want {
			t.Fatalf("history %s, want %s", got, want)
		}
	})
}

func asFormErrors(err error, fe *dossier.FormErrors) bool {
	e, ok := err.(dossier.FormErrors)
	*fe = e
	return ok
}

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}

func TestWhoMaySeeAndAct(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.filed("congdan.1")
		// Another commune's desk may neither act nor read.
		if _, err := w.act("motcua.31507", d.Code, dossier.ActReceive, dossier.ActionInput{}); errCode(err) != egov.ENOTFOUND {
			t.Fatalf("another commune receiving: %v", err)
		}
		// Who may read but not act is forbidden: the city leader is no desk.
		if _, err := w.act("lanhdao.92", d.Code, dossier.ActReceive, dossier.ActionInput{}); errCode(err) != egov.EFORBIDDEN {
			t.Fatalf("the city leader receiving: %v", err)
		}
		for _, who := range []string{"motcua.31507", "congdan.2", "thongke.31615"} {
			if _, err := w.app.Dossiers.Get(w.ctx, w.actor(who), d.Code); errCode(err) != egov.ENOTFOUND {
				t.Errorf("%s reading: %v", who, err)
			}
		}
		// The applicant, the commune and the city leader may read; officers' reads are audited.
		for _, who := range []string{"congdan.1", "motcua.31615", "lanhdao.92"} {
			if _, err := w.app.Dossiers.Get(w.ctx, w.actor(who), d.Code); err != nil {
				t.Errorf("%s reading: %v", who, err)
			}
		}
		reads, _ := w.app.Identity.AuditLog(w.ctx, identity.SystemActor, auditFilter("dossier.read"))
		if len(reads) != 2 {
			t.Errorf("%d audited reads, want 2 (the two officers)", len(reads))
		}
		// Only citizens file online; officers use the counter.
		if _, err := w.app.Dossiers.CreateDraft(w.ctx, w.actor("motcua.31615"), dossier.NewDossier{ProcedureCode: "1.004873", UnitCode: "31615"}); errCode(err) != egov.EFORBIDDEN {
			t.Errorf("an officer drafting online: %v", err)
		}
	})
}

func TestSupplementAndApology(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.filed("congdan.1")
		d = w.must("motcua.31615", d.Code, dossier.ActReceive, dossier.ActionInput{})
		if _, err := w.act("motcua.31615", d.Code, dossier.ActRequestDocuments, dossier.ActionInput{}); errCode(err) != egov.EINVALID {
			t.Fatalf("a request without the list: %v", err)
		}
		d = w.must("motcua.31615", d.Code, dossier.ActRequestDocuments, missing("Thiếu bản sao giấy tờ ly hôn", "marital_status"))
		if d.Status != dossier.StatusSupplement || d.Status.Code() != 5 {
			t.Fatalf("status %s", d.Status)
		}
		// The citizen answers a week later; the clock restarts from then.
		w.clock = time.Date(2026, 11, 9, 10, 0, 0, 0, workcal.ICT) // Monday
		d = w.must("congdan.1", d.Code, dossier.ActSupplyDocuments, dossier.ActionInput{Fields: map[string]string{"marital_status": "da_ly_hon"}})
		if d.Status != dossier.StatusReceived || d.DueDate.String() != "2026-11-12" || d.Fields["marital_status"] != "da_ly_hon" {
			t.Fatalf("after supply: %s due %s", d.Status, d.DueDate)
		}
		// Four working days after receipt it is too late to ask again.
		w.clock = time.Date(2026, 11, 13, 9, 0, 0, 0, workcal.ICT)
		if _, err := w.act("motcua.31615", d.Code, dossier.ActRequestDocuments, missing("x", "purpose")); errCode(err) != egov.ECONFLICT {
			t.Fatalf("a request after 4 working days: %v", err)
		}
		w.clock = time.Date(2026, 11, 10, 9, 0, 0, 0, workcal.ICT) // Tuesday, due Thursday
		w.must("motcua.31615", d.Code, dossier.ActAssign, dossier.ActionInput{Assignee: "chuyenvien.31615"})
		newDate, _ := workcal.ParseDate("2026-11-16")
		d = w.must("chuyenvien.31615", d.Code, dossier.ActApologise, dossier.ActionInput{Note: "Cần xác minh thêm", NewDate: newDate})
		if d.DueDate != newDate || d.OriginalDueDate.String() != "2026-11-12" {
			t.Fatalf("after apology: due %s (original %s)", d.DueDate, d.OriginalDueDate)
		}
		if _, err := w.act("chuyenvien.31615", d.Code, dossier.ActApologise, dossier.ActionInput{Note: "y", NewDate: newDate.AddDays(3)}); errCode(err) != egov.ECONFLICT {
			t.Fatalf("a second apology: %v", err)
		}
		// Finished on the new date: late against the legal time limit.
		w.clock = time.Date(2026, 11, 16, 9, 0, 0, 0, workcal.ICT)
		w.must("lanhdao.31615", d.Code, dossier.ActApprove, dossier.ActionInput{})
		d = w.must("chuyenvien.31615", d.Code, dossier.ActFinish, dossier.ActionInput{ResultFiles: resultPDF()})
		if tl := d.TimelinessOn(workcal.LocalDate(w.clock)); tl != dossier.Late {
			t.Fatalf("timeliness %s, want late", tl)
		}
	})
}

func TestApologyMustComeADayBefore(t *testing.T) {
	db := storetest.SQLite(t)
	w := newWorld(t, db)
	d := w.filed("congdan.1")
	w.must("motcua.31615", d.Code, dossier.ActReceive, dossier.ActionInput{}) // due Thursday 5
	w.clock = time.Date(2026, 11, 5, 8, 0, 0, 0, workcal.ICT)
	nd, _ := workcal.ParseDate("2026-11-10")
	if _, err := w.act("chuyenvien.31615", d.Code, dossier.ActApologise, dossier.ActionInput{Note: "x", NewDate: nd}); errCode(err) != egov.ECONFLICT {
		t.Fatalf("an apology on the due day: %v", err)
	}
}

// Of officers acting on one dossier at once, exactly one succeeds.
func TestConcurrentActions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.filed("congdan.1")
		receiver := w.actor("motcua.31615")
		results := make(chan error, 8)
		for i := 0; i < 8; i++ {
			go func() {
				_, err := w.app.Dossiers.Act(w.ctx, receiver, d.Code, dossier.ActReceive, dossier.ActionInput{})
				results <- err
			}()
		}
		ok := 0
		for i := 0; i < 8; i++ {
			switch err := <-results; errCode(err) {
			case "":
				ok++
			case egov.ECONFLICT:
			default:
				t.Fatalf("a concurrent receive failed with %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of 8 concurrent receives succeeded", ok)
		}
	})
}

// Counter intakes at once get consecutive numbers without gaps or repeats.
func TestCodesAreGapFreeUnderConcurrency(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		receiver := w.actor("motcua.31615")
		const n = 20
		codes := make(chan string, n)
		for i := 0; i < n; i++ {
			go func() {
				d, err := w.app.Dossiers.Intake(w.ctx, receiver, dossier.NewDossier{ProcedureCode: "1.004873", UnitCode: "31615",
					Channel: dossier.ChannelDirect, Fields: marital(), Applicant: dossier.Applicant{Name: "Sơn Văn Đức", Phone: "0987654321"}})
				if err != nil {
					t.Error(err)
					codes <- ""
					return
				}
				codes <- d.Code
			}()
		}
		var got []string
		for i := 0; i < n; i++ {
			got = append(got, <-codes)
		}
		sort.Strings(got)
		for i, c := range got {
			want := "900.15.31.H13-261102-" + pad(i+1)
			if c != want {
				t.Fatalf("codes %v: position %d is %q, want %q", got, i, c, want)
			}
		}
	})
}

func pad(n int) string { return fmt.Sprintf("%04d", n) }

func TestLookupTellsOnlyTheStatus(t *testing.T) {
	db := storetest.SQLite(t)
	w := newWorld(t, db)
	d := w.filed("congdan.1")
	st, err := w.app.Dossiers.Lookup(w.ctx, "192.0.2.1", d.Code, "0912 345 678")
	if err != nil || st.Status != dossier.StatusNew || st.Code != d.Code {
		t.Fatalf("lookup: %+v %v", st, err)
	}
	for _, c := range [][2]string{{d.Code, "0987654321"}, {d.Code, ""}, {"900.15.31.H13-261102-0099", "0912345678"}, {d.Ref, "0912345678"}} {
		if _, err := w.app.Dossiers.Lookup(w.ctx, "192.0.2.1", c[0], c[1]); errCode(err) != egov.ENOTFOUND {
			t.Errorf("lookup %v: %v", c, err)
		}
	}
}

func TestTimeliness(t *testing.T) {
	due, _ := workcal.ParseDate("2026-11-05")
	at := func(s string) time.Time { d, _ := workcal.ParseDate(s); return d.Time(workcal.ICT).Add(10 * time.Hour) }
	day := func(s string) workcal.Date { d, _ := workcal.ParseDate(s); return d }
	for _, c := range []struct {
		finished string
		requests int
		today    string
		want     dossier.Timeliness
	}{
		{"2026-11-04", 0, "", dossier.Early},
		{"2026-11-05", 0, "", dossier.OnTime},
		{"2026-11-06", 0, "", dossier.Late},
		{"2026-11-04", 2, "", dossier.Late}, // a second request for documents
		{"", 0, "2026-11-05", dossier.NotDue},
		{"", 0, "2026-11-06", dossier.Overdue},
	} {
		d := &dossier.Dossier{DueDate: due, OriginalDueDate: due, SupplementRequests: c.requests}
		if c.finished != "" {
			d.FinishedAt = at(c.finished)
		}
		if got := d.TimelinessOn(day(c.today)); got != c.want {
			t.Errorf("%+v: %s, want %s", c, got, c.want)
		}
	}
}

func auditFilter(action string) audit.Filter { return audit.Filter{Action: action} }

func codesOf(ds []*dossier.Dossier) map[string]bool {
	m := map[string]bool{}
	for _, d := range ds {
		m[d.Code] = true
	}
	return m
}

func TestListsAndInboxes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		a := w.filed("congdan.1")
		b := w.filed("congdan.2")
		draft, err := w.app.Dossiers.CreateDraft(w.ctx, w.actor("congdan.1"), dossier.NewDossier{ProcedureCode: "1.004873", UnitCode: "31615"})
		if err != nil {
			t.Fatal(err)
		}
		// Citizens list their own dossiers, drafts included.
		mine, err := w.app.Dossiers.List(w.ctx, w.actor("congdan.1"), dossier.ListQuery{})
		if err != nil || len(mine) != 2 || !codesOf(mine)[a.Code] || codesOf(mine)[b.Code] {
			t.Fatalf("congdan.1 lists %d: %v", len(mine), err)
		}
		if mine[0].Ref != draft.Ref && mine[1].Ref != draft.Ref {
			t.Fatal("the draft is not in the citizen's list")
		}
		// Officers list their territory's filed dossiers; another commune sees none.
		for who, want := range map[string]int{"motcua.31615": 2, "lanhdao.92": 2, "motcua.31507": 0} {
			ds, err := w.app.Dossiers.List(w.ctx, w.actor(who), dossier.ListQuery{})
			if err != nil || len(ds) != want {
				t.Errorf("%s lists %d, want %d (%v)", who, len(ds), want, err)
			}
		}
		ds, _ := w.app.Dossiers.List(w.ctx, w.actor("lanhdao.92"), dossier.ListQuery{UnitCode: "31633"})
		if len(ds) != 0 {
			t.Errorf("the leader's list of 31633 holds %d", len(ds))
		}
		if _, err := w.app.Dossiers.List(w.ctx, w.actor("thongke.31615"), dossier.ListQuery{}); errCode(err) != egov.EFORBIDDEN {
			t.Errorf("a reporter listing dossiers: %v", err)
		}
		// Inboxes: the desk has both to receive; after hand-over the specialist has one.
		if in, _ := w.app.Dossiers.Inbox(w.ctx, w.actor("motcua.31615"), 1); len(in) != 2 {
			t.Fatalf("desk inbox %d", len(in))
		}
		w.must("motcua.31615", a.Code, dossier.ActReceive, dossier.ActionInput{})
		w.must("motcua.31615", a.Code, dossier.ActAssign, dossier.ActionInput{Assignee: "chuyenvien.31615"})
		if in, _ := w.app.Dossiers.Inbox(w.ctx, w.actor("chuyenvien.31615"), 1); len(in) != 1 || in[0].Code != a.Code {
			t.Fatalf("specialist inbox %d", len(in))
		}
		if in, _ := w.app.Dossiers.Inbox(w.ctx, w.actor("lanhdao.31615"), 1); len(in) != 1 || in[0].Code != a.Code {
			t.Fatalf("leader inbox %d", len(in))
		}
		if in, _ := w.app.Dossiers.Inbox(w.ctx, w.actor("motcua.31615"), 1); len(in) != 1 || in[0].Code != b.Code {
			t.Fatalf("desk inbox after hand-over %d", len(in))
		}
		if in, err := w.app.Dossiers.Inbox(w.ctx, w.actor("thongke.31615"), 1); err != nil || len(in) != 0 {
			t.Fatalf("a reporter's inbox: %d %v", len(in), err)
		}
	})
}

func TestAssignees(t *testing.T) {
	db := storetest.SQLite(t)
	w := newWorld(t, db)
	d := w.filed("congdan.1")
	us, err := w.app.Dossiers.Assignees(w.ctx, w.actor("motcua.31615"), d.Code)
	if err != nil || len(us) != 1 || us[0].Username != "chuyenvien.31615" {
		var names []string
		for _, u := range us {
			names = append(names, u.Username)
		}
		t.Fatalf("assignees %v, %v", names, err)
	}
	if _, err := w.app.Dossiers.Assignees(w.ctx, w.actor("motcua.31507"), d.Code); errCode(err) != egov.EFORBIDDEN {
		t.Fatalf("another commune's desk: %v", err)
	}
}

// A walk-in applicant has no account: the desk records their supplement.
func TestDeskSuppliesForWalkIns(t *testing.T) {
	db := storetest.SQLite(t)
	w := newWorld(t, db)
	d, err := w.app.Dossiers.Intake(w.ctx, w.actor("motcua.31615"), dossier.NewDossier{ProcedureCode: "1.004873", UnitCode: "31615",
		Channel: dossier.ChannelDirect, Fields: marital(), Applicant: dossier.Applicant{Name: "Sơn Văn Đức", Phone: "0987654321"}})
	if err != nil {
		t.Fatal(err)
	}
	w.must("motcua.31615", d.Code, dossier.ActRequestDocuments, missing("Thiếu giấy tờ", "marital_status"))
	if _, err := w.act("congdan.1", d.Code, dossier.ActSupplyDocuments, dossier.ActionInput{}); errCode(err) != egov.ENOTFOUND {
		t.Fatalf("a stranger supplying: %v", err)
	}
	d = w.must("motcua.31615", d.Code, dossier.ActSupplyDocuments, dossier.ActionInput{Fields: map[string]string{"marital_status": "da_ly_hon"}})
	if d.Status != dossier.StatusReceived {
		t.Fatalf("status %s", d.Status)
	}
}

func TestAllowedFollowsTheRules(t *testing.T) {
	db := storetest.SQLite(t)
	w := newWorld(t, db)
	d := w.filed("congdan.1")
	allowed := func(who string) string {
		d, err := w.app.Dossiers.Get(w.ctx, w.actor(who), d.Code)
		if err != nil {
			return "(" + errCode(err) + ")"
		}
		var out []string
		for _, a := range w.app.Dossiers.Allowed(w.ctx, w.actor(who), d) {
			out = append(out, string(a))
		}
		return join(out)
	}
	for who, want := range map[string]string{
		"motcua.31615":     "receive refuse request-documents",
		"congdan.1":        "withdraw",
		"chuyenvien.31615": "",
		"lanhdao.31615":    "",
		"motcua.31507":     "(not_found)",
	} {
		if got := allowed(who); got != want {
			t.Errorf("%s may %q on a new dossier, want %q", who, got, want)
		}
	}
	w.must("motcua.31615", d.Code, dossier.ActReceive, dossier.ActionInput{})
	w.must("motcua.31615", d.Code, dossier.ActAssign, dossier.ActionInput{Assignee: "chuyenvien.31615"})
	for who, want := range map[string]string{
		"chuyenvien.31615": "apologise request-payment",
		"lanhdao.31615":    "approve stop",
	} {
		if got := allowed(who); got != want {
			t.Errorf("%s may %q while processing, want %q", who, got, want)
		}
	}
	w.must("lanhdao.31615", d.Code, dossier.ActApprove, dossier.ActionInput{})
	if got := allowed("chuyenvien.31615"); got != "finish apologise request-payment" {
		t.Errorf("after approval the specialist may %q", got)
	}
}

// Officers' lists put open dossiers first, soonest due first, then the
// finished ones, latest first: years of history must not push today's
// work off the first page.
func TestListOrder(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		oldFinished := w.filed("congdan.1")
		w.must("motcua.31615", oldFinished.Code, dossier.ActRefuse, dossier.ActionInput{Note: "Không thuộc thẩm quyền"})
		sooner := w.filed("congdan.2")
		w.must("motcua.31615", sooner.Code, dossier.ActReceive, dossier.ActionInput{})
		w.clock = w.clock.Add(24 * time.Hour)
		newFinished := w.filed("congdan.2")
		w.must("motcua.31615", newFinished.Code, dossier.ActRefuse, dossier.ActionInput{Note: "Không thuộc thẩm quyền"})
		later := w.filed("congdan.1") // received a day after sooner, due a day later
		w.must("motcua.31615", later.Code, dossier.ActReceive, dossier.ActionInput{})
		if !later.DueDate.IsZero() && !sooner.DueDate.IsZero() && !sooner.DueDate.Before(later.DueDate) {
			t.Fatal("the fixture's due dates are not in order")
		}
		ds, err := w.app.Dossiers.List(w.ctx, w.actor("motcua.31615"), dossier.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range ds {
			got = append(got, d.Code)
		}
		want := []string{sooner.Code, later.Code, newFinished.Code, oldFinished.Code}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("order %v, want %v", got, want)
		}
	})
}

// Guessing the phone number of one dossier, or trying many codes from one
// address, is refused after a number of failures for a while; other
// codes and other addresses are not held up, and the right answer after
// the refusal window works again.
func TestLookupLimitsGuessing(t *testing.T) {
	db := storetest.SQLite(t)
	w := newWorld(t, db)
	d := w.filed("congdan.1")
	other := w.filed("congdan.2")
	lookup := func(client, code, phone string) error {
		_, err := w.app.Dossiers.Lookup(w.ctx, client, code, phone)
		return err
	}
	for i := 0; i < 10; i++ {
		if err := lookup(fmt.Sprint("192.0.2.", i), d.Code, fmt.Sprint("09000000", 10+i)); errCode(err) != egov.ENOTFOUND {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	// The code is held now, even with the right phone number and from a
	// new address; another code is not.
	if err := lookup("198.51.100.1", d.Code, "0912345678"); errCode(err) != egov.ETOOMANY {
		t.Fatalf("after 10 failures on one code: %v", err)
	}
	if err := lookup("198.51.100.1", other.Code, "0987654321"); err != nil {
		t.Fatalf("another code: %v", err)
	}
	// One address trying many codes is held too, for every code.
	for i := 0; i < 100; i++ {
		lookup("203.0.113.7", fmt.Sprintf("900.15.31.H13-261102-%04d", 100+i), "0912345678")
	}
	if err := lookup("203.0.113.7", other.Code, "0987654321"); errCode(err) != egov.ETOOMANY {
		t.Fatalf("after 100 failures from one address: %v", err)
	}
	// After the window, the right answer works again.
	w.clock = w.clock.Add(11 * time.Minute)
	if err := lookup("203.0.113.7", d.Code, "0912345678"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}
