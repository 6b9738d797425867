package dossier_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"egov"
	"egov/internal/dossier"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

// startPayment starts paying d's fee as citizen and returns the payment's
// reference, read from the gateway's page.
func (w *world) startPayment(citizen string, d *dossier.Dossier) string {
	w.t.Helper()
	to, err := w.app.Dossiers.StartPayment(w.ctx, w.actor(citizen), d.Code, "/payments/return")
	if err != nil {
		w.t.Fatal(err)
	}
	u, err := url.Parse(to)
	if err != nil || u.Path != "/devpay/checkout" || u.Query().Get("ref") == "" {
		w.t.Fatalf("redirect %q", to)
	}
	return u.Query().Get("ref")
}

func (w *world) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.app.DB.QueryRowContext(w.ctx, query, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func TestPayments(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		gw := w.app.Payments.(*dossier.DevGateway)
		d := w.filed("congdan.1")
		if d.Fee <= 0 {
			t.Fatalf("fee %d", d.Fee)
		}
		// Only the applicant pays.
		if _, err := w.app.Dossiers.StartPayment(w.ctx, w.actor("congdan.2"), d.Code, "/payments/return"); errCode(err) != egov.ENOTFOUND {
			t.Fatalf("another citizen: %v", err)
		}
		if _, err := w.app.Dossiers.StartPayment(w.ctx, w.actor("motcua.31615"), d.Code, "/payments/return"); errCode(err) != egov.EFORBIDDEN {
			t.Fatalf("an officer: %v", err)
		}
		ref := w.startPayment("congdan.1", d)
		n := dossier.Notice{Ref: ref, Amount: d.Fee, Status: dossier.PaymentPaid, Txn: "TXN-1", At: w.clock}
		good := dossier.SignNotice(gw.Secret, n)

		// Forged: another secret, a changed field, no signature.
		forged := []url.Values{dossier.SignNotice([]byte("not the secret"), n)}
		changed := url.Values{}
		for k, v := range good {
			changed[k] = v
		}
		changed.Set("amount", "1")
		forged = append(forged, changed, url.Values{"ref": {ref}, "amount": {"8000"}, "status": {"paid"}, "txn": {"x"}, "ts": {"1"}})
		for i, p := range forged {
			if _, err := gw.Verify(p); errCode(err) != egov.EINVALID {
				t.Errorf("forged %d: %v", i, err)
			}
		}
		// Stale: signed more than 15 minutes ago.
		old := n
		old.At = w.clock.Add(-16 * time.Minute)
		if _, err := gw.Verify(dossier.SignNotice(gw.Secret, old)); err == nil || !strings.Contains(egovKey(err), "stale") {
			t.Errorf("stale notice: %v", err)
		}
		// A signed notice with the wrong amount, or an unknown reference.
		wrong := n
		wrong.Amount++
		if nt, err := gw.Verify(dossier.SignNotice(gw.Secret, wrong)); err != nil {
			t.Fatal(err)
		} else if _, err := w.app.Dossiers.ConfirmPayment(w.ctx, nt); errCode(err) != egov.EINVALID {
			t.Errorf("amount mismatch: %v", err)
		}
		unknown := n
		unknown.Ref = "khongcogiaodichnay"
		if _, err := w.app.Dossiers.ConfirmPayment(w.ctx, unknown); errCode(err) != egov.ENOTFOUND {
			t.Errorf("unknown ref: %v", err)
		}
		if p, _ := w.app.Dossiers.PaymentOf(w.ctx, d); p == nil || p.Status != dossier.PaymentPending {
			t.Fatalf("before payment: %+v", p)
		}

		// The notice, then the same notice again (the return after the
		// notification): paid once, one event, one audit entry.
		for i := 0; i < 3; i++ {
			nt, err := gw.Verify(good)
			if err != nil {
				t.Fatal(err)
			}
			p, err := w.app.Dossiers.ConfirmPayment(w.ctx, nt)
			if err != nil || p.Status != dossier.PaymentPaid || p.DossierCode != d.Code {
				t.Fatalf("confirm %d: %+v %v", i, p, err)
			}
		}
		if k := w.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'dossier.payment' AND object_id = ?`, d.Code); k != 1 {
			t.Errorf("%d audit entries", k)
		}
		if k := w.count(`SELECT COUNT(*) FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id WHERE d.code = ? AND e.action = 'payment'`, d.Code); k != 1 {
			t.Errorf("%d events", k)
		}
		p, err := w.app.Dossiers.PaymentOf(w.ctx, d)
		if err != nil || p.Status != dossier.PaymentPaid || p.ProviderTxn != "TXN-1" || p.PaidAt.IsZero() || p.Amount != d.Fee {
			t.Fatalf("paid: %+v %v", p, err)
		}
		// Paid: no second payment; another transaction for it is refused.
		if _, err := w.app.Dossiers.StartPayment(w.ctx, w.actor("congdan.1"), d.Code, "/payments/return"); errCode(err) != egov.ECONFLICT {
			t.Errorf("pay twice: %v", err)
		}
		second := n
		second.Txn = "TXN-2"
		if _, err := w.app.Dossiers.ConfirmPayment(w.ctx, second); errCode(err) != egov.ECONFLICT {
			t.Errorf("second transaction: %v", err)
		}

		// The provider's transaction replayed for another payment.
		d2 := w.filed("congdan.1")
		ref2 := w.startPayment("congdan.1", d2)
		replay := dossier.Notice{Ref: ref2, Amount: d2.Fee, Status: dossier.PaymentPaid, Txn: "TXN-1", At: w.clock}
		if _, err := w.app.Dossiers.ConfirmPayment(w.ctx, replay); errCode(err) != egov.ECONFLICT {
			t.Errorf("replayed transaction: %v", err)
		}
		// A cancelled payment leaves the fee due.
		failed := replay
		failed.Txn, failed.Status = "TXN-3", dossier.PaymentFailed
		if p, err := w.app.Dossiers.ConfirmPayment(w.ctx, failed); err != nil || p.Status != dossier.PaymentFailed {
			t.Fatalf("failed: %+v %v", p, err)
		}
		if p, _ := w.app.Dossiers.PaymentOf(w.ctx, d2); p == nil || p.Status != dossier.PaymentFailed {
			t.Errorf("after failure: %+v", p)
		}

		// Statistics and the reconciliation list of the commune.
		day := workcal.LocalDate(w.clock)
		st, err := w.app.Dossiers.Stats(w.ctx, w.actor("motcua.31615"), "31615", day, day)
		if err != nil || st.PaidOnline != 1 {
			t.Errorf("paid online: %+v %v", st, err)
		}
		if st, _ := w.app.Dossiers.Stats(w.ctx, w.actor("motcua.31615"), "31615", day.AddDays(1), day.AddDays(1)); st == nil || st.PaidOnline != 0 {
			t.Errorf("paid online the next day: %+v", st)
		}
		list, err := w.app.Dossiers.Payments(w.ctx, w.actor("motcua.31615"), "31615", day, day, "")
		if err != nil || len(list) != 2 || list[0].DossierCode != d.Code && list[1].DossierCode != d.Code {
			t.Fatalf("reconciliation: %+v %v", list, err)
		}
		// A year at most, like the register.
		if _, err := w.app.Dossiers.Payments(w.ctx, w.actor("motcua.31615"), "31615", day.AddDays(-dossier.MaxRegisterDays), day, ""); egovKey(err) != "payment.period_too_long" {
			t.Errorf("a reconciliation over more than a year: %v", err)
		}
		if _, err := w.app.Dossiers.Payments(w.ctx, w.actor("motcua.31615"), "31615", day.AddDays(1-dossier.MaxRegisterDays), day, ""); err != nil {
			t.Errorf("a reconciliation over a year: %v", err)
		}
		if _, err := w.app.Dossiers.Payments(w.ctx, w.actor("congdan.1"), "31615", day, day, ""); errCode(err) != egov.EFORBIDDEN {
			t.Errorf("a citizen's reconciliation: %v", err)
		}
	})
}

func egovKey(err error) string {
	k, _ := egov.ErrorKey(err)
	return k
}

// Status 6: the specialist asks for the fee, the applicant holds the
// dossier until the payment arrives, and the payment resumes processing.
func TestRequestPayment(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		gw := w.app.Payments.(*dossier.DevGateway)
		d := w.filed("congdan.1")
		w.must("motcua.31615", d.Code, dossier.ActReceive, dossier.ActionInput{})
		w.must("motcua.31615", d.Code, dossier.ActAssign, dossier.ActionInput{Assignee: "chuyenvien.31615"})
		d = w.must("chuyenvien.31615", d.Code, dossier.ActRequestPayment, dossier.ActionInput{Note: "Nộp lệ phí trước khi nhận kết quả"})
		if d.Status != dossier.StatusPayment || d.Status.Code() != 6 {
			t.Fatalf("status %s (%d)", d.Status, d.Status.Code())
		}
		if _, err := w.act("chuyenvien.31615", d.Code, dossier.ActFinish, dossier.ActionInput{}); errCode(err) != egov.ECONFLICT {
			t.Fatalf("finishing while the fee is unpaid: %v", err)
		}
		ref := w.startPayment("congdan.1", d)
		nt, err := gw.Verify(dossier.SignNotice(gw.Secret, dossier.Notice{Ref: ref, Amount: d.Fee, Status: dossier.PaymentPaid, Txn: "TXN-6", At: w.clock}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Dossiers.ConfirmPayment(w.ctx, nt); err != nil {
			t.Fatal(err)
		}
		d, err = w.app.Dossiers.Get(w.ctx, w.actor("congdan.1"), d.Code)
		if err != nil || d.Status != dossier.StatusProcessing {
			t.Fatalf("after the payment: %s %v", d.Status, err)
		}
		// Paid once is paid: no second request.
		if _, err := w.act("chuyenvien.31615", d.Code, dossier.ActRequestPayment, dossier.ActionInput{}); errCode(err) != egov.ECONFLICT {
			t.Fatalf("a second request after payment: %v", err)
		}
	})
}
