package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
	"egov/internal/vntext"
	"egov/internal/workcal"
)

type paymentsData struct {
	*page
	Form     url.Values
	Errors   map[string]string
	Statuses []qOption
	Rows     []paymentRow
	Totals   []paymentTotal
	Period   string
	Export   string // the CSV of the same list
}

type paymentRow struct {
	At, Ref, Dossier, DossierURL, Payer, Procedure, Amount string
	Status, StatusLabel, Provider, Txn, Receipt            string
}

type paymentTotal struct {
	Label  string
	Count  int
	Amount string
}

// paymentQuery is the reconciliation list asked for: the unit (by default
// the first the reader may reconcile), the period (this month so far by
// default) and the status.
type paymentQuery struct {
	Unit     string
	From, To workcal.Date
	Status   dossier.PaymentStatus
}

var errNoPayments = egov.Errorf(egov.EFORBIDDEN, "error.forbidden")

// paymentQueryOf reads the query; errs holds a message per bad field.
func (h *handler) paymentQueryOf(r *http.Request, a *identity.Actor, lang string) (paymentQuery, url.Values, map[string]string) {
	q := r.URL.Query()
	form := url.Values{}
	errs := map[string]string{}
	clip := func(k string) string { return clipRunes(strings.TrimSpace(q.Get(k)), 40) }
	pq := paymentQuery{Unit: clip("unit"), Status: dossier.PaymentStatus(clip("status"))}
	if pq.Unit == "" {
		pq.Unit = h.defaultUnit(r, a, identity.PermPaymentsRead)
	}
	today := h.today()
	y, m, _ := today.Date()
	pq.From, pq.To = workcal.NewDate(y, m, 1), today
	for _, k := range []string{"from", "to"} {
		s := clip(k)
		if s == "" {
			continue
		}
		day, err := workcal.ParseDate(s)
		if err != nil {
			errs[k] = tr(lang, "error.bad_date", s)
			continue
		}
		if k == "from" {
			pq.From = day
		} else {
			pq.To = day
		}
	}
	form.Set("unit", pq.Unit)
	form.Set("from", pq.From.String())
	form.Set("to", pq.To.String())
	if pq.Status != "" {
		form.Set("status", string(pq.Status))
	}
	return pq, form, errs
}

// defaultUnit is today's code of the first unit on which the actor has
// perm, "" when none (or only the whole tree).
func (h *handler) defaultUnit(r *http.Request, a *identity.Actor, perm identity.Permission) string {
	ids, _ := a.Scope(perm)
	if len(ids) == 0 {
		return ""
	}
	g, err := h.app.Units.Graph(r.Context())
	if err != nil {
		return ""
	}
	if u := g.ByID(ids[0]); u != nil {
		return u.Code
	}
	return ""
}

// paymentsAsked reads the reconciliation list the signed-in reader asks
// for, after checking they may reconcile somewhere; ok false means the
// response is sent.
func (h *handler) paymentsAsked(w http.ResponseWriter, r *http.Request) (a *identity.Actor, pq paymentQuery, form url.Values,
	errs map[string]string, ok bool) {
	a, err := requireActor(r)
	if err == nil && !hasPermission(a, identity.PermPaymentsRead) {
		err = errNoPayments
	}
	if err != nil {
		h.fail(w, r, err)
		return nil, pq, nil, nil, false
	}
	pq, form, errs = h.paymentQueryOf(r, a, state(r).lang)
	return a, pq, form, errs, true
}

// paymentsList is the accountant's reconciliation page: the online
// payments of a unit's territory over a period, by status, with totals and
// the same list as CSV.
func (h *handler) paymentsList(w http.ResponseWriter, r *http.Request) {
	a, pq, form, errs, ok := h.paymentsAsked(w, r)
	if !ok {
		return
	}
	p := h.newPage(r, "payment.list.title", "payments")
	d := &paymentsData{page: p, Form: form, Errors: errs}
	for _, s := range []dossier.PaymentStatus{dossier.PaymentPaid, dossier.PaymentPending, dossier.PaymentFailed} {
		d.Statuses = append(d.Statuses, qOption{Value: string(s), Label: tr(p.Lang, "payment.status."+string(s)), Selected: s == pq.Status})
	}
	if len(errs) > 0 {
		h.render(w, r, http.StatusBadRequest, "payments", d)
		return
	}
	ps, err := h.app.Dossiers.Payments(r.Context(), a, pq.Unit, pq.From, pq.To, pq.Status)
	if e, ok := asFieldError(err); ok {
		field := e.Field
		if field != "status" && field != "to" {
			field = "unit"
		}
		d.Errors[field] = tr(p.Lang, e.Key, e.Args...)
		h.render(w, r, http.StatusBadRequest, "payments", d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	readable := map[int64]bool{}
	for _, py := range ps {
		row := paymentRow{At: formatTime(p.Lang, py.CreatedAt), Ref: py.Ref, Dossier: py.DossierCode, Payer: py.ApplicantName,
			Procedure: py.ProcedureCode, Amount: thousands(p.Lang, py.Amount), Status: string(py.Status),
			StatusLabel: tr(p.Lang, "payment.status."+string(py.Status)), Provider: py.Provider, Txn: py.ProviderTxn}
		if !py.PaidAt.IsZero() {
			row.At = formatTime(p.Lang, py.PaidAt)
			row.Receipt = "/payments/" + py.Ref + "/receipt.pdf"
		}
		ok, seen := readable[py.UnitID]
		if !seen {
			ok = h.app.Identity.Can(r.Context(), a, identity.PermDossierRead, py.UnitID) == nil
			readable[py.UnitID] = ok
		}
		if ok {
			row.DossierURL = "/dossiers/" + py.DossierCode
		}
		d.Rows = append(d.Rows, row)
	}
	t := dossier.TotalsOf(ps)
	var all int64
	for _, s := range []dossier.PaymentStatus{dossier.PaymentPaid, dossier.PaymentPending, dossier.PaymentFailed} {
		if pq.Status == "" || pq.Status == s {
			d.Totals = append(d.Totals, paymentTotal{Label: tr(p.Lang, "payment.status."+string(s)), Count: t.Count[s],
				Amount: thousands(p.Lang, t.Amount[s])})
		}
		all += t.Amount[s]
	}
	if pq.Status == "" {
		d.Totals = append(d.Totals, paymentTotal{Label: tr(p.Lang, "payment.list.all"), Count: len(ps), Amount: thousands(p.Lang, all)})
	}
	d.Period = tr(p.Lang, "payment.list.period", formatDate(p.Lang, pq.From), formatDate(p.Lang, pq.To))
	d.Export = "/payments/export.csv?" + form.Encode()
	h.render(w, r, http.StatusOK, "payments", d)
}

// paymentsExport sends the reconciliation list as CSV (UTF-8 with a byte
// order mark, so that spreadsheet programs read the Vietnamese right).
func (h *handler) paymentsExport(w http.ResponseWriter, r *http.Request) {
	a, pq, form, errs, ok := h.paymentsAsked(w, r)
	if !ok {
		return
	}
	lang := state(r).lang
	if len(errs) > 0 {
		// The page shows what is wrong beside the inputs.
		seeOther(w, r, "/payments?"+r.URL.RawQuery)
		return
	}
	back := "/payments?" + form.Encode()
	ps, err := h.app.Dossiers.Payments(r.Context(), a, pq.Unit, pq.From, pq.To, pq.Status)
	if err != nil {
		h.failBack(w, r, err, back)
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.Write([]string{tr(lang, "payment.csv.ref"), tr(lang, "payment.csv.dossier"), tr(lang, "payment.csv.procedure"),
		tr(lang, "payment.csv.payer"), tr(lang, "payment.csv.amount"), tr(lang, "payment.csv.status"),
		tr(lang, "payment.csv.provider"), tr(lang, "payment.csv.txn"), tr(lang, "payment.csv.created"), tr(lang, "payment.csv.paid")})
	at := func(py dossier.Payment, paid bool) string {
		t := py.CreatedAt
		if paid {
			t = py.PaidAt
		}
		if t.IsZero() {
			return ""
		}
		return t.In(vietnam).Format("2006-01-02 15:04:05")
	}
	for _, py := range ps {
		// Every text cell is made safe: the payer's name and the provider's
		// transaction number come from outside.
		cw.Write([]string{vntext.CellSafe(py.Ref), vntext.CellSafe(py.DossierCode), vntext.CellSafe(py.ProcedureCode), vntext.CellSafe(py.ApplicantName),
			strconv.FormatInt(py.Amount, 10), tr(lang, "payment.status."+string(py.Status)), vntext.CellSafe(py.Provider),
			vntext.CellSafe(py.ProviderTxn), at(py, false), at(py, true)})
	}
	cw.Flush()
	name := "doi-soat-" + pq.Unit + "-" + pq.From.String() + "-" + pq.To.String() + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", dossier.ContentDisposition(name))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
}

// paymentReceipt serves the receipt of a paid fee to its payer and to the
// officers of the unit.
func (h *handler) paymentReceipt(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pdf, name, err := h.app.Dossiers.PaymentReceiptPDF(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	servePDF(w, name, pdf)
}

// CanPayments reports whether the actor reconciles fees somewhere.
func (p *page) CanPayments() bool {
	return p.SignedIn() && hasPermission(p.Actor, identity.PermPaymentsRead)
}
