package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"egov/internal/dossier"
)

func TestPayments(t *testing.T) {
	dossierWorlds(t, func(t *testing.T, w *world) {
		d := w.fileOnline("congdan.1")
		code := d["code"].(string)
		target := "/api/v1/dossiers/" + url.PathEscape(code) + "/payments"
		if r := w.call("motcua.31615", "POST", target, nil); r.Status != http.StatusForbidden {
			t.Errorf("the desk starts a payment: %d %s", r.Status, r.Body)
		}
		if r := w.call("", "POST", target, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("no token: %d", r.Status)
		}
		if r := w.call("congdan.1", "POST", target, map[string]any{"amount": 1}); r.Status != http.StatusBadRequest {
			t.Errorf("unknown member: %d %s", r.Status, r.Body)
		}
		res := w.must(http.StatusCreated, "congdan.1", "POST", target, nil)
		u, err := url.Parse(res["redirect_url"].(string))
		if err != nil || u.Path != "/devpay/checkout" {
			t.Fatalf("redirect_url %v", res["redirect_url"])
		}
		// The provider reports the payment.
		gw := w.app.Payments.(*dossier.DevGateway)
		n, err := gw.Verify(dossier.SignNotice(gw.Secret, dossier.Notice{Ref: u.Query().Get("ref"), Amount: int64(d["fee"].(float64)),
			Status: dossier.PaymentPaid, Txn: "VNP-1", At: w.clock}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Dossiers.ConfirmPayment(context.Background(), n); err != nil {
			t.Fatal(err)
		}
		if r := w.call("congdan.1", "POST", target, nil); r.Status != http.StatusConflict {
			t.Errorf("pay twice: %d %s", r.Status, r.Body)
		}
		w.must(http.StatusOK, "congdan.1", "GET", "/api/v1/dossiers/"+url.PathEscape(code), nil)

		list := w.must(http.StatusOK, "motcua.31615", "GET", "/api/v1/payments?unit=31615&from=2026-03-01&to=2026-03-31", nil)
		ps := list["payments"].([]any)
		if len(ps) != 1 {
			t.Fatalf("payments %v", ps)
		}
		p := ps[0].(map[string]any)
		if p["dossier_code"] != code || p["status"] != "paid" || p["provider_txn"] != "VNP-1" || p["paid_at"] == nil {
			t.Errorf("payment %v", p)
		}
		if tot := list["totals"].(map[string]any)["paid"].(map[string]any); tot["count"] != 1.0 || tot["amount"] != d["fee"] {
			t.Errorf("totals %v", list["totals"])
		}
		if p["procedure"] != "1.004873" {
			t.Errorf("procedure %v", p["procedure"])
		}
		pending := w.must(http.StatusOK, "ketoan.31615", "GET", "/api/v1/payments?unit=31615&from=2026-03-01&to=2026-03-31&status=pending", nil)
		if n := len(pending["payments"].([]any)); n != 0 {
			t.Errorf("%d pending", n)
		}
		if r := w.call("ketoan.31615", "GET", "/api/v1/payments?unit=31615&from=2025-01-01&to=2026-03-31", nil); r.Status != http.StatusBadRequest || errorField(r) != "to" {
			t.Errorf("more than a year: %d %s", r.Status, r.Body)
		}
		if r := w.call("ketoan.31615", "GET", "/api/v1/payments?unit=31615&status=refunded", nil); r.Status != http.StatusBadRequest {
			t.Errorf("a bad status: %d", r.Status)
		}
		// The receipt, for the payer and the unit's officers.
		receipt := "/api/v1/payments/" + p["ref"].(string) + "/receipt"
		for _, who := range []string{"congdan.1", "ketoan.31615", "motcua.31615"} {
			r := w.call(who, "GET", receipt, nil)
			if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(r.Body), "%PDF-") {
				t.Errorf("receipt as %s: %d %s", who, r.Status, r.Header.Get("Content-Type"))
			}
		}
		for _, who := range []string{"congdan.2", "motcua.31507"} {
			if r := w.call(who, "GET", receipt, nil); r.Status != http.StatusNotFound {
				t.Errorf("receipt as %s: %d", who, r.Status)
			}
		}
		if r := w.call("congdan.1", "GET", "/api/v1/payments?unit=31615", nil); r.Status != http.StatusForbidden {
			t.Errorf("a citizen's reconciliation: %d", r.Status)
		}
		st := w.must(http.StatusOK, "motcua.31615", "GET", "/api/v1/dossier-stats?unit=31615&from=2026-03-01&to=2026-03-31", nil)
		if st["paid_online"] != 1.0 {
			t.Errorf("paid_online %v", st["paid_online"])
		}
	})
}
