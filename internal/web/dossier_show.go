package web

import (
	"net/http"
	"net/url"

	"egov/internal/dossier"
	"egov/internal/identity"
	"egov/internal/workcal"
)

type dossierData struct {
	*page
	D          *dossier.Dossier
	P          *dossier.Procedure
	Mine       bool // the applicant is reading
	Unit       string
	Status     string
	Channel    string
	Due        string
	FirstDue   string // the due date before an apology's new one
	Timeliness dossier.Timeliness
	TimeText   string
	TimeShort  string
	Fee        string
	FeeWaived  string
	Payment    string // the online payment's status
	PayButton  string // the applicant may pay the fee online
	// PaymentReceipt is the receipt of the paid fee (biên lai).
	PaymentReceipt string
	Holder         string
	Submitted      string
	Received       string
	Finished       string
	Returned       string
	Applicant      applicantView
	Answers        []answerStep
	History        []historyRow
	// The request for documents the dossier waits on, and the inputs of
	// what it marks, for the applicant (or the desk, for a walk-in).
	Supplement  *dossier.Supplement
	SupplyItems []supplyItem
	SupplyOther bool // documents outside the form are asked for
	// The electronic results the reader may download now.
	Results []resultView
	// For the applicant.
	CanWithdraw bool
	Rate        *actForm
	// For officers: the forms of the actions the status allows them.
	Actions []*actForm
	// The printable forms (Circular 01/2018) the reader may download.
	Forms []formLink
	// The attached files; the fields a scan may answer, when the reader
	// may attach (the desk, at reception).
	Files        []fileView
	AttachFields []qOption
	Accept       string
}

// supplyItem is one item of a request for documents, with the input that
// answers it (none for a document outside the form).
type supplyItem struct {
	Note  string
	Field *qField
}

// resultView is an electronic result in the page's list.
type resultView struct {
	Code, Name, URL, Size, At string
}

type formLink struct {
	No, Title, URL string
}

type applicantView struct {
	Name, CCCD, Phone, Email string
	Full                     bool // shown unmasked
}

type historyRow struct {
	At, Actor, Action, Status, Note, Due string
}

// dossierShow shows one dossier to its applicant or to an officer who may
// read it (the domain audits the officer's reading): where it stands, the
// answers, the history, and the forms of what the reader may do next.
func (h *handler) dossierShow(w http.ResponseWriter, r *http.Request) {
	h.renderDossier(w, r, http.StatusOK, "", nil, map[string]string{}, "")
}

// renderDossier renders the dossier page; after a refused action, failed
// names the action whose form shows form's values and errs beside its
// inputs, and formError is the message at the top.
func (h *handler) renderDossier(w http.ResponseWriter, r *http.Request, status int, failed string, form url.Values,
	errs map[string]string, formError string) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	key := r.PathValue("code")
	d, err := h.app.Dossiers.Get(r.Context(), a, key)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Status == dossier.StatusDraft {
		seeOther(w, r, "/dossiers/"+d.Ref+"/review")
		return
	}
	if key != d.Code {
		seeOther(w, r, "/dossiers/"+d.Code)
		return
	}
	ctx := r.Context()
	l := h.lookups(r)
	pr, err := l.procedure(d.ProcedureCode)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "dossier.title", "")
	p.Title = tr(p.Lang, "dossier.title_code", d.Code)
	p.formPage("/dossiers/" + d.Code)
	p.Error = formError
	lang := p.Lang
	mine := d.ApplicantID != 0 && d.ApplicantID == a.User.ID
	if mine {
		p.Nav = "my_dossiers"
	}
	today := h.today()
	data := &dossierData{page: p, D: d, P: pr, Mine: mine, Status: tr(lang, "dossier.status."+string(d.Status)),
		Channel: tr(lang, "dossier.channel."+string(d.Channel)), Due: formatDate(lang, d.DueDate),
		Timeliness: d.TimelinessOn(today), Fee: feeText(lang, d.Fee), Submitted: formatTime(lang, d.SubmittedAt),
		Received: formatTime(lang, d.ReceivedAt), Finished: formatTime(lang, d.FinishedAt), Returned: formatTime(lang, d.ReturnedAt)}
	if d.OriginalDueDate != d.DueDate {
		data.FirstDue = formatDate(lang, d.OriginalDueDate)
	}
	if data.Timeliness != dossier.NoLimit {
		data.TimeText = tr(lang, "dossier.timeliness."+string(data.Timeliness))
	}
	if data.Unit, err = l.unitName(d.UnitID); err != nil {
		h.fail(w, r, err)
		return
	}
	if data.Holder, err = l.holder(d, mine); err != nil {
		h.fail(w, r, err)
		return
	}
	// Personal data in full for the applicant and for officers who may
	// read it on the dossier's unit (Decree 13/2023); masked otherwise.
	full := mine || h.app.Identity.Can(ctx, a, identity.PermPersonalDataRead, d.UnitID) == nil
	data.Applicant = applicantView{Name: d.ApplicantName, CCCD: d.ApplicantCCCD, Phone: d.ApplicantPhone, Email: d.ApplicantEmail, Full: full}
	if !full {
		data.Applicant.CCCD = identity.MaskCitizenID(d.ApplicantCCCD)
		data.Applicant.Phone = identity.MaskPhone(d.ApplicantPhone)
		data.Applicant.Email = ""
	}
	var pf *dossier.Form
	if pr != nil {
		pf = &pr.Form
		data.TimeShort = timeLimitShort(lang, pr.TimeLimit)
		if d.FeeWaivedBy != "" {
			for _, e := range pr.Fee.Exemptions {
				if e.Field == d.FeeWaivedBy {
					data.FeeWaived = e.Label
				}
			}
		}
		data.Answers = answers(lang, pf, d.Fields, nil, full)
	}
	if data.Payment, data.PayButton, data.PaymentReceipt, err = h.paymentView(r, a, d, lang, mine); err != nil {
		h.fail(w, r, err)
		return
	}
	events, err := h.app.Dossiers.History(ctx, d)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var due workcal.Date
	for _, e := range events {
		if e.Action == "save_draft" {
			// Saving a draft is the citizen's typing, not a step of the
			// dossier; the audit log keeps it.
			continue
		}
		row := historyRow{At: formatTime(lang, e.At), Actor: e.ActorName, Action: tr(lang, "dossier.action."+e.Action),
			Status: tr(lang, "dossier.status."+string(e.To)), Note: e.Note}
		if e.DueDate != due {
			// The step set a due date: receipt, a complete supplement, an apology.
			row.Due, due = formatDate(lang, e.DueDate), e.DueDate
		}
		data.History = append(data.History, row)
	}
	if data.Results, err = h.resultViews(r, a, d, lang); err != nil {
		h.fail(w, r, err)
		return
	}
	officer := h.app.Identity.Can(ctx, a, identity.PermDossierRead, d.UnitID) == nil
	for _, f := range dossier.FormsOf(d, events, officer) {
		data.Forms = append(data.Forms, formLink{No: tr(lang, "dossier.form.number", string(f)),
			Title: tr(lang, "dossier.form."+string(f)), URL: "/dossiers/" + d.Code + "/forms/" + string(f)})
	}
	if pf == nil {
		h.render(w, r, status, "dossier", data)
		return
	}
	atts, err := h.app.Dossiers.AttachmentsOf(ctx, d)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data.Files, data.Accept = fileViews(lang, d, pf, atts, 0), dossier.AcceptAttachments
	if !mine && h.app.Dossiers.MayAttach(ctx, a, d) {
		for _, fd := range pf.Fields {
			if fd.Type == dossier.TypeFile {
				data.AttachFields = append(data.AttachFields, qOption{Value: fd.Name, Label: fieldLabel(lang, &fd)})
			}
		}
		data.AttachFields = append(data.AttachFields, qOption{Value: "", Label: tr(lang, "dossier.attachments.other")})
	}
	if d.Status == dossier.StatusSupplement && (mine || h.walkIn(r, a, d)) {
		if data.Supplement, err = h.app.Dossiers.SupplementOf(ctx, d); err != nil {
			h.fail(w, r, err)
			return
		}
		data.SupplyItems, data.SupplyOther = supplyItems(lang, pr, d, data.Supplement, failed, form, errs, today,
			byField(data.Files, atts))
	}
	if mine {
		switch d.Status {
		case dossier.StatusReturned:
			if d.Rating == 0 {
				data.Rate = rateForm(d.Code, lang, failed, form, errs)
			}
		}
		data.CanWithdraw = hasAction(h.app.Dossiers.Allowed(r.Context(), a, d), dossier.ActWithdraw)
	} else {
		if data.Actions, err = h.officerForms(r, a, d, pr, lang, failed, form, errs); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, r, status, "dossier", data)
}

// supplyItems are the inputs of what the request sp marks (every field
// when it was not recorded), filled with the dossier's values or, after a
// refusal, the posted ones; and whether other documents are asked for.
func supplyItems(lang string, pr *dossier.Procedure, d *dossier.Dossier, sp *dossier.Supplement, failed string, form url.Values,
	errs map[string]string, today workcal.Date, files map[string][]fileView) ([]supplyItem, bool) {
	names, other := openFields(&pr.Form, sp, d)
	values := d.Fields
	if failed == string(dossier.ActSupplyDocuments) {
		values = postedFields(form, names)
	}
	inputs := withFiles(formInputs(lang, &pr.Form, names, values, errs, today), files)
	var out []supplyItem
	if sp == nil || sp.N != d.SupplementRequests {
		for i := range inputs {
			out = append(out, supplyItem{Field: &inputs[i]})
		}
		return out, other
	}
	byName := map[string]*qField{}
	for i := range inputs {
		byName[inputs[i].Key] = &inputs[i]
	}
	for _, it := range sp.Items {
		out = append(out, supplyItem{Note: it.Note, Field: byName[it.Field]})
	}
	return out, other
}

// resultViews lists the electronic results the reader may download now.
func (h *handler) resultViews(r *http.Request, a *identity.Actor, d *dossier.Dossier, lang string) ([]resultView, error) {
	res, err := h.app.Dossiers.ResultsOf(r.Context(), a, d)
	if err != nil {
		return nil, err
	}
	out := make([]resultView, 0, len(res))
	for _, x := range res {
		out = append(out, resultView{Code: x.Code, Name: x.Name, URL: resultURL(d, x), Size: fileSize(lang, x.Size),
			At: formatTime(lang, x.IssuedAt)})
	}
	return out, nil
}

func resultURL(d *dossier.Dossier, x dossier.ResultDocument) string {
	return "/dossiers/" + d.Code + "/results/" + url.PathEscape(x.Code)
}
