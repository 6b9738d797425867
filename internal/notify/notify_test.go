package notify_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"egov/internal/app"
	"egov/internal/demo"
	"egov/internal/dossier"
	"egov/internal/i18n"
	"egov/internal/identity"
	"egov/internal/jobs"
	"egov/internal/notify"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

// world is the platform with the demo units, catalogue and accounts, its
// e-mail going to a test SMTP server, and one clock for everything.
type world struct {
	t     *testing.T
	ctx   context.Context
	app   *app.App
	clock time.Time
	smtp  *smtpd
}

func newWorld(t *testing.T, db *store.DB, configure func(*smtpd)) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), app: app.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))}
	// Monday 2 November 2026, 09:00 in Vietnam.
	w.clock = time.Date(2026, 11, 2, 9, 0, 0, 0, workcal.ICT)
	now := func() time.Time { return w.clock }
	a := w.app
	a.Units.Now, a.Identity.Now, a.Dossiers.Now, a.Procedures.Now, a.Jobs.Now, a.Notify.Now = now, now, now, now, now, now
	if err := demo.Load(w.ctx, a, "mat-khau-dai"); err != nil {
		t.Fatal(err)
	}
	g, _ := a.Units.Graph(w.ctx)
	if err := a.Dossiers.SetAgency(w.ctx, identity.SystemActor, g.At("31615", a.Units.Today()).ID, "900.15.31.H13"); err != nil {
		t.Fatal(err)
	}
	w.smtp = startSMTPD(t, configure)
	a.Notify.Mailer = &notify.SMTP{Addr: w.smtp.Addr, From: "Một cửa Xã An Thạnh <motcua@antanh.example>", Now: now}
	a.Notify.BaseURL = "https://dichvucong.example/"
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

func marital() map[string]string {
	return map[string]string{
		"requester_full_name": "Nguyễn Thị Lan", "requester_birth_date": "1990-03-04", "requester_cccd": "094190001234",
		"requester_address": "Ấp An Thạnh, Xã An Thạnh", "requester_phone": "0912345678", "marital_status": "chua_ket_hon",
		"purpose": "Đăng ký kết hôn",
	}
}

// intake files a walk-in dossier at the counter of Xã An Thạnh.
func (w *world) intake(email string) *dossier.Dossier {
	w.t.Helper()
	d, err := w.app.Dossiers.Intake(w.ctx, w.actor("motcua.31615"), dossier.NewDossier{ProcedureCode: "1.004873",
		UnitCode: "31615", Channel: dossier.ChannelDirect, Fields: marital(),
		Applicant: dossier.Applicant{Name: "Sơn Văn Đức", Phone: "0987654321", Email: email}})
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

func (w *world) must(who, code string, act dossier.Action, in dossier.ActionInput) *dossier.Dossier {
	w.t.Helper()
	d, err := w.app.Dossiers.Act(w.ctx, w.actor(who), code, act, in)
	if err != nil {
		w.t.Fatalf("%s %s: %v", who, act, err)
	}
	return d
}

// runDue runs the due jobs, as the worker would.
func (w *world) runDue() int {
	w.t.Helper()
	n, err := w.app.Jobs.RunDue(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *world) messages(code string) []*notify.Message {
	w.t.Helper()
	ms, err := w.app.Notify.List(w.ctx, identity.SystemActor, notify.Filter{Dossier: code})
	if err != nil {
		w.t.Fatal(err)
	}
	return ms
}

func (w *world) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.app.DB.QueryRowContext(w.ctx, query, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// received returns the next message the SMTP server accepted.
func (w *world) received() *envelope {
	w.t.Helper()
	select {
	case e := <-w.smtp.got:
		return e
	default:
		w.t.Fatal("the SMTP server received nothing")
		return nil
	}
}

func (w *world) nothingReceived() {
	w.t.Helper()
	select {
	case e := <-w.smtp.got:
		w.t.Fatalf("the SMTP server received %q", e.Data)
	default:
	}
}

// parsed is an e-mail as a mail reader sees it.
type parsed struct {
	Header  mail.Header
	Subject string
	Body    string
}

func parse(t *testing.T, raw string) *parsed {
	t.Helper()
	for i := 0; i < len(raw); i++ {
		if raw[i] >= 0x80 {
			t.Fatalf("the raw message is not 7-bit at %d: %q", i, raw[max(0, i-20):min(len(raw), i+20)])
		}
	}
	if strings.Contains(strings.ReplaceAll(raw, "\r\n", ""), "\n") {
		t.Fatal("a bare LF in the message")
	}
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if ct := m.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if cte := m.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding %q", cte)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return &parsed{Header: m.Header, Subject: subject, Body: strings.ReplaceAll(string(body), "\r\n", "\n")}
}

func wantIn(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q:\n%s", what, sub, s)
		}
	}
}

// A counter intake sends the applicant an e-mail through a real SMTP
// conversation, in Vietnamese with its diacritics intact, and an SMS
// recorded by the development provider.
func TestIntakeSendsEmailAndSMS(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, nil)
		d := w.intake("duc.son@example.vn")
		ms := w.messages(d.Code)
		if len(ms) != 2 || ms[0].Status != notify.Queued || ms[1].Status != notify.Queued {
			t.Fatalf("before delivery: %+v", ms)
		}
		if n := w.runDue(); n != 2 {
			t.Fatalf("ran %d jobs", n)
		}
		e := w.received()
		if e.From != "motcua@antanh.example" || len(e.To) != 1 || e.To[0] != "duc.son@example.vn" {
			t.Fatalf("envelope %s → %v", e.From, e.To)
		}
		m := parse(t, e.Data)
		if m.Subject != "Hồ sơ "+d.Code+" đã được tiếp nhận" {
			t.Errorf("subject %q", m.Subject)
		}
		from, err := m.Header.AddressList("From")
		if err != nil || from[0].Name != "Một cửa Xã An Thạnh" {
			t.Errorf("From %v %v", from, err)
		}
		wantIn(t, "the e-mail", m.Body,
			"Kính gửi ông/bà Sơn Văn Đức,",
			"Xã An Thạnh đã tiếp nhận hồ sơ "+d.Code+" của ông/bà (thủ tục: Thủ tục cấp Giấy xác nhận tình trạng hôn nhân).",
			"Ngày hẹn trả kết quả: 05/11/2026.",
			"https://dichvucong.example/lookup?code="+d.Code,
			"Bộ phận Một cửa – Xã An Thạnh")
		if m.Header.Get("Date") != "Mon, 02 Nov 2026 09:00:00 +0700" || m.Header.Get("Message-Id") == "" {
			t.Errorf("Date %q, Message-ID %q", m.Header.Get("Date"), m.Header.Get("Message-Id"))
		}

		byChannel := map[string]*notify.Message{}
		for _, m := range w.messages(d.Code) {
			byChannel[m.Channel] = m
		}
		em, sms := byChannel[notify.Email], byChannel[notify.SMS]
		if em.Status != notify.Sent || em.Provider != "smtp" || em.Attempts != 1 || em.SentAt.IsZero() {
			t.Errorf("e-mail record %+v", em)
		}
		if sms.Status != notify.Sent || sms.Provider != "dev" || sms.Recipient != "•••••••321" || sms.Event != dossier.NotifyReceived {
			t.Errorf("SMS record %+v", sms)
		}
		want := "Xa An Thanh: ho so " + d.Code + " da duoc tiep nhan, hen tra ket qua ngay 05/11/2026. Tra cuu: https://dichvucong.example/lookup?code=" + d.Code
		if sms.Body != want {
			t.Errorf("SMS %q\nwant %q", sms.Body, want)
		}
		// Delivered once: running again sends nothing more.
		if n := w.runDue(); n != 0 {
			t.Fatalf("ran %d more", n)
		}
		w.nothingReceived()
	})
}

// Every notified step of an online dossier writes to the citizen in the
// language they filed in; a dossier without an e-mail address gets SMS
// only.
func TestNoticesOfEachStep(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, nil)
		citizen := w.actor("congdan.1")
		ctx := i18n.WithLang(w.ctx, i18n.EN)
		dr, err := w.app.Dossiers.CreateDraft(ctx, citizen, dossier.NewDossier{ProcedureCode: "1.004873", UnitCode: "31615", Fields: marital()})
		if err != nil {
			t.Fatal(err)
		}
		d, err := w.app.Dossiers.Submit(ctx, citizen, dr.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(w.messages(d.Code)) != 0 {
			t.Fatal("filing online sent a notice")
		}
		w.must("motcua.31615", d.Code, dossier.ActReceive, dossier.ActionInput{})
		w.must("motcua.31615", d.Code, dossier.ActRequestDocuments, dossier.ActionInput{Items: []dossier.SupplementItem{{Note: "Bản sao CCCD"}, {Note: "Giấy xác nhận cư trú"}}})
		for _, name := range []string{"cccd.pdf", "cu-tru.pdf"} {
			if _, err := w.app.Dossiers.Attach(ctx, citizen, d.Code, "", name, strings.NewReader("%PDF-1.4\n%%EOF\n")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.app.Dossiers.Act(ctx, citizen, d.Code, dossier.ActSupplyDocuments, dossier.ActionInput{}); err != nil {
			t.Fatal(err)
		}
		w.must("motcua.31615", d.Code, dossier.ActAssign, dossier.ActionInput{Assignee: "chuyenvien.31615"})
		w.must("chuyenvien.31615", d.Code, dossier.ActApologise, dossier.ActionInput{Note: "Chờ xác minh", NewDate: workcal.NewDate(2026, 11, 12)})
		w.must("lanhdao.31615", d.Code, dossier.ActApprove, dossier.ActionInput{})
		w.must("chuyenvien.31615", d.Code, dossier.ActFinish, dossier.ActionInput{Result: "Số 15/2026/XNTTHN",
			ResultFiles: []dossier.Upload{{Filename: "ket-qua.pdf", Content: strings.NewReader("%PDF-1.4\n%%EOF\n")}}})
		w.must("motcua.31615", d.Code, dossier.ActReturnResult, dossier.ActionInput{})
		w.runDue()

		ms := w.messages(d.Code)
		var events []string
		for i := len(ms) - 1; i >= 0; i-- {
			if ms[i].Lang != i18n.EN || ms[i].Status != notify.Sent {
				t.Errorf("message %+v", ms[i])
			}
			events = append(events, string(ms[i].Event)+"/"+ms[i].Channel)
		}
		want := "received/email received/sms supplement/email supplement/sms apology/email apology/sms resolved/email resolved/sms returned/email returned/sms"
		if strings.Join(events, " ") != want {
			t.Fatalf("notices %v\nwant %s", events, want)
		}
		bodies := map[string]string{}
		for range 5 {
			m := parse(t, w.received().Data)
			bodies[m.Subject] = m.Body
		}
		for subject, body := range map[string][]string{
			"Dossier " + d.Code + " has been received": {"Dear Nguyễn Thị Lan,", "Xã An Thạnh has received your dossier"},
			"Dossier " + d.Code + ": more documents are needed": {"What is missing:\n  - Bản sao CCCD\n  - Giấy xác nhận cư trú\n",
				"The time limit runs again"},
			"Dossier " + d.Code + ": our apology and a new date for the result": {"Reason: Chờ xác minh", "The new date for the result: 12 Nov 2026."},
			"Dossier " + d.Code + ": the result is ready":                       {"Result: Số 15/2026/XNTTHN"},
			"Dossier " + d.Code + ": the result has been returned":              {"has been handed over"},
		} {
			b, ok := bodies[subject]
			if !ok {
				t.Errorf("no e-mail %q among %v", subject, keys(bodies))
				continue
			}
			wantIn(t, subject, b, append(body, "Look up your dossier")...)
			if strings.Contains(b, "notify.") {
				t.Errorf("an untranslated key in %q:\n%s", subject, b)
			}
		}

		// A refusal, to a walk-in without an e-mail address: SMS only, in
		// Vietnamese.
		r := w.intake("")
		w.must("motcua.31615", r.Code, dossier.ActRefuse, dossier.ActionInput{Note: "Không thuộc thẩm quyền của xã"})
		w.runDue()
		ms = w.messages(r.Code)
		if len(ms) != 2 || ms[0].Channel != notify.SMS || ms[0].Event != dossier.NotifyRefused || ms[0].Lang != i18n.VI {
			t.Fatalf("%+v", ms)
		}
		wantIn(t, "the refusal SMS", ms[0].Body, "Xa An Thanh: ho so "+r.Code+" khong duoc tiep nhan. Ly do: Khong thuoc tham quyen cua xa.")
		w.nothingReceived()
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The SMTP server refuses the first attempt for the time being (451): the
// message stays queued with the error, and the retry after the backoff
// delivers it once.
func TestRetryAfterTemporaryFailure(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, func(s *smtpd) {
			s.Fail = func(conn int, verb string) string {
				if conn == 1 && verb == "MAIL" {
					return "451 4.3.0 mailbox busy, try again later"
				}
				return ""
			}
		})
		d := w.intake("duc.son@example.vn")
		w.runDue()
		em := email(t, w.messages(d.Code))
		if em.Status != notify.Queued || em.Attempts != 1 || !strings.Contains(em.LastError, "451 4.3.0 mailbox busy") {
			t.Fatalf("after the refusal: %+v", em)
		}
		w.nothingReceived()
		// Not before the backoff ends.
		w.clock = w.clock.Add(29 * time.Second)
		if n := w.runDue(); n != 0 {
			t.Fatalf("retried %d early", n)
		}
		w.clock = w.clock.Add(time.Second)
		if n := w.runDue(); n != 1 {
			t.Fatalf("retried %d", n)
		}
		m := parse(t, w.received().Data)
		wantIn(t, "the e-mail", m.Body, d.Code)
		em = email(t, w.messages(d.Code))
		if em.Status != notify.Sent || em.Attempts != 2 || em.LastError != "" || w.smtp.Conns() != 2 {
			t.Fatalf("after the retry: %+v, %d connections", em, w.smtp.Conns())
		}
	})
}

func email(t *testing.T, ms []*notify.Message) *notify.Message {
	t.Helper()
	for _, m := range ms {
		if m.Channel == notify.Email {
			return m
		}
	}
	t.Fatal("no e-mail")
	return nil
}

// A permanent refusal (5xx) fails the message at once, with the server's
// words kept; a server that stays down fails it when the attempts are used
// up.
func TestPermanentFailure(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, func(s *smtpd) {
			s.Fail = func(conn int, verb string) string {
				if verb == "RCPT" {
					return "550 5.1.1 <nobody@example.vn>: no such mailbox (0987654321)"
				}
				return ""
			}
		})
		d := w.intake("nobody@example.vn")
		w.runDue()
		em := email(t, w.messages(d.Code))
		if em.Status != notify.Failed || em.Attempts != 1 || em.Recipient != "n•••@example.vn" ||
			!strings.Contains(em.LastError, "550 5.1.1 <n•••@example.vn>: no such mailbox (•••••••321)") {
			t.Fatalf("%+v", em)
		}
		// Stored masked, in the message and its job alike.
		if n := w.count(`SELECT COUNT(*) FROM notifications WHERE last_error LIKE '%nobody@%' OR last_error LIKE '%0987654321%'`) +
			w.count(`SELECT COUNT(*) FROM jobs WHERE last_error LIKE '%nobody@%' OR last_error LIKE '%0987654321%'`); n != 0 {
			t.Fatalf("%d errors store the recipient in clear", n)
		}
		// Reading one dossier's messages is audited.
		if n := w.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'notify.read' AND object_id = ?`, d.Code); n != 1 {
			t.Fatalf("%d audit entries for the read", n)
		}
		w.clock = w.clock.Add(24 * time.Hour)
		if n := w.runDue(); n != 0 {
			t.Fatalf("a failed message ran again: %d", n)
		}
		w.nothingReceived()

		// Nobody listens on the address any more.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		w.app.Notify.Mailer = &notify.SMTP{Addr: addr, From: "motcua@antanh.example"}
		w.app.Jobs.MaxAttempts = 3
		d = w.intake("duc.son@example.vn")
		for range 3 {
			w.runDue()
			w.clock = w.clock.Add(time.Hour)
		}
		em = email(t, w.messages(d.Code))
		if em.Status != notify.Failed || em.Attempts != 3 || !strings.Contains(em.LastError, "connection refused") {
			t.Fatalf("%+v", em)
		}
	})
}

// The notices are stored and enqueued in the dossier's transaction: when
// the action rolls back after them, nothing is left to send.
func TestRolledBackActionEnqueuesNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, nil)
		d := w.intake("duc.son@example.vn")
		w.runDue()
		<-w.smtp.got
		boom := errors.New("the disk is full")
		real := w.app.Dossiers.Notify
		w.app.Dossiers.Notify = func(ctx context.Context, tx *store.Tx, n dossier.Notification) error {
			if err := real(ctx, tx, n); err != nil {
				return err
			}
			return boom
		}
		_, err := w.app.Dossiers.Act(w.ctx, w.actor("motcua.31615"), d.Code, dossier.ActRefuse, dossier.ActionInput{Note: "Sai thẩm quyền"})
		if !errors.Is(err, boom) {
			t.Fatalf("act: %v", err)
		}
		_, err = w.app.Dossiers.Intake(w.ctx, w.actor("motcua.31615"), dossier.NewDossier{ProcedureCode: "1.004873",
			UnitCode: "31615", Channel: dossier.ChannelDirect, Fields: marital(),
			Applicant: dossier.Applicant{Name: "Sơn Văn Đức", Phone: "0987654321", Email: "duc.son@example.vn"}})
		if !errors.Is(err, boom) {
			t.Fatalf("intake: %v", err)
		}
		var notes, queued int
		if err := db.QueryRowContext(w.ctx, `SELECT count(*) FROM notifications`).Scan(&notes); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(w.ctx, `SELECT count(*) FROM jobs WHERE state <> ?`, jobs.Done).Scan(&queued); err != nil {
			t.Fatal(err)
		}
		if notes != 2 || queued != 0 {
			t.Fatalf("%d notifications (want the intake's 2), %d jobs pending", notes, queued)
		}
		if n := w.runDue(); n != 0 {
			t.Fatalf("ran %d", n)
		}
		w.nothingReceived()
	})
}

// The worker that serve starts delivers without being asked, and stops
// cleanly.
func TestWorkerDelivers(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t), nil)
	w.app.Jobs.Now = time.Now
	w.app.Jobs.Start()
	d := w.intake("duc.son@example.vn")
	select {
	case e := <-w.smtp.got:
		wantIn(t, "the e-mail", parse(t, e.Data).Body, d.Code)
	case <-time.After(10 * time.Second):
		t.Fatal("the worker delivered nothing")
	}
	if err := w.app.Jobs.Stop(w.ctx); err != nil {
		t.Fatal(err)
	}
}

// PLAIN authentication goes over STARTTLS; without TLS to a server that is
// not this machine, the password is never sent and the message fails.
func TestSMTPAuthNeedsTLS(t *testing.T) {
	cert, pool := testCert(t)
	s := startSMTPD(t, func(s *smtpd) {
		s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		s.Auth = true
	})
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, s.Addr)
	}
	m := &notify.SMTP{Addr: "mail.test:587", From: "motcua@antanh.example", Username: "motcua", Password: "bí mật",
		TLSConfig: &tls.Config{RootCAs: pool}, Dial: dial}
	if err := m.Check(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := m.SendMail(ctx, &notify.Mail{To: "lan@example.vn", Subject: "Thử", Body: "Xin chào"}); err != nil {
		t.Fatal(err)
	}
	e := <-s.got
	if !e.TLS || e.Auth != "motcua:bí mật" {
		t.Fatalf("TLS %v, auth %q", e.TLS, e.Auth)
	}

	plain := startSMTPD(t, func(s *smtpd) { s.Auth = true })
	m.Dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, plain.Addr)
	}
	m.TLS = notify.TLSOptional // (by default it would not get this far: TestSMTPRequiresTLS)
	err := m.SendMail(ctx, &notify.Mail{To: "lan@example.vn", Subject: "Thử", Body: "Xin chào"})
	if !jobs.IsPermanent(err) || !strings.Contains(err.Error(), "unencrypted") {
		t.Fatalf("PLAIN without TLS: %v", err)
	}
	select {
	case e := <-plain.got:
		t.Fatalf("delivered without TLS: %+v", e)
	default:
	}
	// To a server on this machine, PLAIN without TLS is fine.
	local := &notify.SMTP{Addr: plain.Addr, From: "motcua@antanh.example", Username: "motcua", Password: "x"}
	if err := local.SendMail(ctx, &notify.Mail{To: "lan@example.vn", Subject: "Thử", Body: "Xin chào"}); err != nil {
		t.Fatal(err)
	}
	if e := <-plain.got; e.Auth != "motcua:x" {
		t.Fatalf("auth %q", e.Auth)
	}
}

// A server that offers no STARTTLS gets nothing in clear text unless it
// is on this machine or the setting allows it; the refusal is retried
// (the offer may have been stripped on the way).
func TestSMTPRequiresTLS(t *testing.T) {
	plain := startSMTPD(t, nil)
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, plain.Addr)
	}
	ctx := context.Background()
	mail := &notify.Mail{To: "lan@example.vn", Subject: "Thử", Body: "Xin chào"}
	for _, m := range []*notify.SMTP{
		{Addr: "mail.test:587", From: "motcua@antanh.example", Dial: dial},
		{Addr: plain.Addr, From: "motcua@antanh.example", TLS: notify.TLSRequired},
	} {
		err := m.SendMail(ctx, mail)
		if err == nil || jobs.IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
			t.Fatalf("%s without STARTTLS: %v", m.Addr, err)
		}
	}
	select {
	case e := <-plain.got:
		t.Fatalf("delivered in clear: %+v", e)
	default:
	}
	for _, m := range []*notify.SMTP{
		{Addr: "mail.test:587", From: "motcua@antanh.example", Dial: dial, TLS: notify.TLSOptional},
		{Addr: plain.Addr, From: "motcua@antanh.example"}, // this machine
	} {
		if err := m.SendMail(ctx, mail); err != nil {
			t.Fatalf("%s: %v", m.Addr, err)
		}
		if e := <-plain.got; e.TLS {
			t.Fatalf("%+v", e)
		}
	}
}
