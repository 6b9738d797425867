package web

import (
	"context"
	"net/http"
	"net/url"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
)

// paymentReturn is where the provider sends the browser back.
const paymentReturn = "/payments/return"

// registerPayments adds the payment routes, and the development gateway's
// hosted pages when it is the provider.
func (h *handler) registerPayments(mux *http.ServeMux, route func(string, http.HandlerFunc)) {
	route("POST /dossiers/{code}/pay", h.dossierPay)
	route("GET "+paymentReturn, h.paymentReturn)
	route("POST /payments/notify", h.paymentNotify)
	route("GET /payments", h.paymentsList)
	route("GET /payments/export.csv", h.paymentsExport)
	route("GET /payments/{ref}/receipt.pdf", h.paymentReceipt)
	if g, ok := h.app.Payments.(*dossier.DevGateway); ok {
		route("GET /devpay/checkout", g.Checkout)
		// The gateway's notification goes through the same verification
		// as one that came over the network.
		route("POST /devpay/pay", g.Pay(func(ctx context.Context, params url.Values) error {
			_, err := h.confirm(ctx, params)
			return err
		}))
	}
}

// dossierPay starts paying the dossier's fee online: the applicant goes to
// the provider's page.
func (h *handler) dossierPay(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to, err := h.app.Dossiers.StartPayment(r.Context(), a, r.PathValue("code"), paymentReturn)
	if err != nil {
		h.failBack(w, r, err, "/dossiers/"+r.PathValue("code"))
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// confirm verifies a provider's signed notice and records it.
func (h *handler) confirm(ctx context.Context, params url.Values) (*dossier.Payment, error) {
	if h.app.Payments == nil {
		return nil, egov.Errorf(egov.ECONFLICT, "payment.unavailable")
	}
	n, err := h.app.Payments.Verify(params)
	if err != nil {
		return nil, err
	}
	return h.app.Dossiers.ConfirmPayment(ctx, n)
}

// paymentReturn takes the browser's signed return from the provider,
// records the outcome (the notification may not have arrived yet; the
// same notice twice changes nothing) and shows the dossier.
func (h *handler) paymentReturn(w http.ResponseWriter, r *http.Request) {
	p, err := h.confirm(r.Context(), r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ok := "paid"
	if p.Status != dossier.PaymentPaid {
		ok = "payment_failed"
	}
	seeOther(w, r, "/dossiers/"+p.DossierCode+"?ok="+ok)
}

// paymentNotify is the provider's server-to-server notification. It
// carries no session and no Origin, so cross-origin protection lets it
// through; the signature is what authenticates it.
func (h *handler) paymentNotify(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := parseForm(w, r); err != nil {
		w.WriteHeader(status(egov.ErrorCode(err)))
		w.Write([]byte(egov.ErrorCode(err) + "\n"))
		return
	}
	if _, err := h.confirm(r.Context(), r.PostForm); err != nil {
		code := egov.ErrorCode(err)
		if code == egov.EINTERNAL {
			h.app.Log.Error("web: payment notification", "err", err)
		}
		w.WriteHeader(status(code))
		w.Write([]byte(code + "\n"))
		return
	}
	w.Write([]byte("OK\n"))
}

// paymentView is what the dossier page says about the online payment,
// and the receipt of a paid one (its payer and the dossier's officers may
// download it).
func (h *handler) paymentView(r *http.Request, a *identity.Actor, d *dossier.Dossier, lang string, mine bool) (status, button, receipt string, err error) {
	p, err := h.app.Dossiers.PaymentOf(r.Context(), d)
	if err != nil {
		return "", "", "", err
	}
	if p != nil && p.Status == dossier.PaymentPaid {
		return tr(lang, "payment.paid", money(lang, p.Amount), formatTime(lang, p.PaidAt), p.ProviderTxn), "",
			"/payments/" + p.Ref + "/receipt.pdf", nil
	}
	switch {
	case mine:
	case p != nil:
		status = tr(lang, "payment.status."+string(p.Status))
	case d.Fee > 0:
		status = tr(lang, "payment.status.none")
	}
	if mine && h.app.Payments != nil && d.Fee > 0 {
		switch d.Status {
		case dossier.StatusNew, dossier.StatusReceived, dossier.StatusProcessing, dossier.StatusPayment:
			button = tr(lang, "payment.pay_button", thousands(lang, d.Fee))
		}
	}
	return status, button, "", nil
}
