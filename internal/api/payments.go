package api

import (
	"net/http"

	"egov/internal/dossier"
)

// startPayment serves POST /api/v1/dossiers/{code}/payments: the applicant
// starts paying the fee online and gets the provider's page, where the
// browser goes next; afterwards the provider returns it to the web
// site's /payments/return.
func (h *handler) startPayment(w http.ResponseWriter, r *http.Request) error {
	var req struct{}
	if err := decodeOptionalJSON(w, r, &req); err != nil {
		return err
	}
	to, err := h.app.Dossiers.StartPayment(r.Context(), actor(r), r.PathValue("code"), "/payments/return")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"redirect_url": to})
	return nil
}

type paymentJSON struct {
	Ref           string  `json:"ref"`
	DossierCode   string  `json:"dossier_code"`
	ProcedureCode string  `json:"procedure"`
	Amount        int64   `json:"amount"`
	Status        string  `json:"status"`
	Provider      string  `json:"provider"`
	ProviderTxn   *string `json:"provider_txn"`
	CreatedAt     string  `json:"created_at"`
	PaidAt        *string `json:"paid_at"`
}

// listPayments serves GET /api/v1/payments: the reconciliation list of a
// unit's territory for its accountant.
func (h *handler) listPayments(w http.ResponseWriter, r *http.Request) error {
	from, to, err := h.unitPeriod(r)
	if err != nil {
		return err
	}
	ps, err := h.app.Dossiers.Payments(r.Context(), actor(r), param(r, "unit"), from, to, dossier.PaymentStatus(param(r, "status")))
	if err != nil {
		return err
	}
	out := make([]paymentJSON, 0, len(ps))
	for _, p := range ps {
		j := paymentJSON{Ref: p.Ref, DossierCode: p.DossierCode, ProcedureCode: p.ProcedureCode, Amount: p.Amount, Status: string(p.Status),
			Provider: p.Provider, CreatedAt: p.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
		if p.ProviderTxn != "" {
			j.ProviderTxn = &p.ProviderTxn
		}
		if !p.PaidAt.IsZero() {
			s := p.PaidAt.UTC().Format("2006-01-02T15:04:05Z")
			j.PaidAt = &s
		}
		out = append(out, j)
	}
	t := dossier.TotalsOf(ps)
	totals := map[string]any{}
	for _, s := range []dossier.PaymentStatus{dossier.PaymentPaid, dossier.PaymentPending, dossier.PaymentFailed} {
		totals[string(s)] = map[string]any{"count": t.Count[s], "amount": t.Amount[s]}
	}
	writeJSON(w, http.StatusOK, map[string]any{"unit": param(r, "unit"), "from": from.String(), "to": to.String(),
		"payments": out, "totals": totals})
	return nil
}

// paymentReceiptPDF serves GET /api/v1/payments/{ref}/receipt: the receipt
// of a paid fee (biên lai thu phí, lệ phí) as an A5 PDF.
func (h *handler) paymentReceiptPDF(w http.ResponseWriter, r *http.Request) error {
	pdf, name, err := h.app.Dossiers.PaymentReceiptPDF(r.Context(), actor(r), r.PathValue("ref"))
	if err != nil {
		return err
	}
	writePDF(w, name, pdf)
	return nil
}
