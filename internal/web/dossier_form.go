package web

import (
	"errors"
	"net/http"
	"strconv"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
)

// The online form: one page per step of the procedure's form, each saved
// in the draft when posted, checked by the procedure's own rules when the
// citizen goes on, so that a wrong field is shown beside it at once.

type dossierFormData struct {
	*page
	Ref    string
	P      *dossier.Procedure
	Unit   string
	Step   int
	Steps  []stepLink
	Title  string
	Fields []qField
	Last   bool
	Files  []fileView // the draft's files shown on this step
}

// stepLink is a step in the list of steps at the top of the form.
type stepLink struct {
	N       int
	Title   string
	Current bool
	Wrong   bool // the step has a wrong field
}

// draft returns the signed-in citizen's draft with this reference and
// its procedure. A dossier already filed is sent to its page (done true).
func (h *handler) draft(w http.ResponseWriter, r *http.Request) (a *identity.Actor, d *dossier.Dossier, p *dossier.Procedure, done bool) {
	a, err := requireActor(r)
	if err == nil {
		d, err = h.app.Dossiers.Get(r.Context(), a, r.PathValue("ref"))
	}
	if err == nil && (d.ApplicantID != a.User.ID || d.Status != dossier.StatusDraft) {
		if d.Code != "" && d.ApplicantID == a.User.ID {
			seeOther(w, r, "/dossiers/"+d.Code)
			return nil, nil, nil, true
		}
		err = egov.Errorf(egov.ENOTFOUND, "dossier.not_found")
	}
	if err == nil {
		p, err = h.app.Procedures.Get(r.Context(), d.ProcedureCode)
	}
	if err != nil {
		h.fail(w, r, err)
		return nil, nil, nil, true
	}
	return a, d, p, false
}

// stepOf reads ?step= (from 1), clamped to the form's steps.
func stepOf(r *http.Request, p *dossier.Procedure) int {
	n, err := strconv.Atoi(r.URL.Query().Get("step"))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, len(p.Form.Pages()))
}

// dossierForm shows one step of the draft's form.
func (h *handler) dossierForm(w http.ResponseWriter, r *http.Request) {
	_, d, pr, done := h.draft(w, r)
	if done {
		return
	}
	h.renderStep(w, r, http.StatusOK, d, pr, stepOf(r, pr), d.Fields, map[string]string{}, nil, "")
}

func (h *handler) renderStep(w http.ResponseWriter, r *http.Request, status int, d *dossier.Dossier, pr *dossier.Procedure,
	step int, values, errs map[string]string, wrong map[string]bool, top string) {
	p := h.newPage(r, "dossier.form.title", "my_dossiers")
	p.Error = top
	lang := p.Lang
	pages := pr.Form.Pages()
	st := pages[step-1]
	p.Title = stepTitle(lang, st) + " · " + pr.Name
	p.formPage("/dossiers/" + d.Ref + "/form?step=" + strconv.Itoa(step))
	data := &dossierFormData{page: p, Ref: d.Ref, P: pr, Step: step, Title: stepTitle(lang, st), Last: step == len(pages)}
	for i, s := range pages {
		sl := stepLink{N: i + 1, Title: stepTitle(lang, s), Current: i+1 == step}
		for _, n := range s.Fields {
			sl.Wrong = sl.Wrong || wrong[n]
		}
		data.Steps = append(data.Steps, sl)
	}
	atts, err := h.app.Dossiers.AttachmentsOf(r.Context(), d)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	views := fileViews(lang, d, &pr.Form, atts, step)
	files := byField(views, atts)
	data.Fields = withFiles(formInputs(lang, &pr.Form, st.Fields, values, errs, h.today()), files)
	for _, n := range st.Fields {
		data.Files = append(data.Files, files[n]...)
	}
	if data.Unit, err = h.lookups(r).unitName(d.UnitID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "dossier_form", data)
}

// dossierFormSave saves the step's fields in the draft and attaches the
// files chosen, then: "save" stays on the step, "back" goes to the previous
// one, and "next" checks the step's fields and goes on, or shows what is
// wrong beside each field.
func (h *handler) dossierFormSave(w http.ResponseWriter, r *http.Request) {
	a, d, pr, done := h.draft(w, r)
	if done {
		return
	}
	cleanup, err := parseUploadForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer cleanup()
	step := stepOf(r, pr)
	names := pr.Form.Pages()[step-1].Fields
	posted := postedFields(r.PostForm, names)
	merged := map[string]string{}
	for k, v := range d.Fields {
		merged[k] = v
	}
	for k, v := range posted {
		merged[k] = v
	}
	lang := state(r).lang
	if _, err := h.app.Dossiers.UpdateDraft(r.Context(), a, d.Ref, merged); err != nil {
		if e, ok := asFieldError(err); ok {
			h.renderStep(w, r, http.StatusUnprocessableEntity, d, pr, step, merged,
				map[string]string{e.Field: tr(lang, e.Key, e.Args...)}, map[string]bool{e.Field: true}, "")
			return
		}
		h.fail(w, r, err)
		return
	}
	for _, n := range names {
		if fd := pr.Form.Field(n); fd == nil || fd.Type != dossier.TypeFile {
			continue
		}
		if err := h.attachUploaded(r, a, d.Ref, n, fileInputPrefix+n); err != nil {
			if e, ok := fileError(err); ok {
				h.renderStep(w, r, fileErrorStatus(e), d, pr, step, merged, map[string]string{n: tr(lang, e.Key, e.Args...)},
					map[string]bool{n: true}, "")
				return
			}
			h.fail(w, r, err)
			return
		}
	}
	base := "/dossiers/" + d.Ref
	switch r.PostForm.Get("go") {
	case "save":
		seeOther(w, r, base+"/form?step="+strconv.Itoa(step)+"&ok=draft_saved")
		return
	case "back":
		seeOther(w, r, base+"/form?step="+strconv.Itoa(max(step-1, 1)))
		return
	}
	atts, err := h.app.Dossiers.AttachmentsOf(r.Context(), d)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_, errs := pr.Form.ValidateWith(merged, dossier.AttachedFields(atts), h.today())
	msgs := map[string]string{}
	for _, n := range names {
		if e := errs[n]; e != nil {
			msgs[n] = tr(lang, e.Key, e.Args...)
		}
	}
	if len(msgs) > 0 {
		h.renderStep(w, r, http.StatusUnprocessableEntity, d, pr, step, merged, msgs, wrongSet(msgs), "")
		return
	}
	if step < len(pr.Form.Pages()) {
		seeOther(w, r, base+"/form?step="+strconv.Itoa(step+1))
		return
	}
	seeOther(w, r, base+"/review")
}

func wrongSet(msgs map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range msgs {
		out[k] = true
	}
	return out
}

type dossierReviewData struct {
	*page
	Ref       string
	P         *dossier.Procedure
	Unit      string
	Answers   []answerStep
	Wrong     int
	Fee       string
	FeeWaived string
	TimeShort string
	TimeText  string
	Files     []fileView // every file, for the removal forms
	Others    []fileView // other documents
	Accept    string
}

// dossierReview shows every answer with a link to change its step, the fee
// the answers give and the time limit, and the button that files the
// dossier.
func (h *handler) dossierReview(w http.ResponseWriter, r *http.Request) {
	_, d, pr, done := h.draft(w, r)
	if done {
		return
	}
	p := h.newPage(r, "dossier.review.title", "my_dossiers")
	lang := p.Lang
	atts, err := h.app.Dossiers.AttachmentsOf(r.Context(), d)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	clean, errs := pr.Form.ValidateWith(d.Fields, dossier.AttachedFields(atts), h.today())
	msgs := map[string]string{}
	for n, e := range errs {
		msgs[n] = tr(lang, e.Key, e.Args...)
	}
	data := &dossierReviewData{page: p, Ref: d.Ref, P: pr, Answers: answers(lang, &pr.Form, d.Fields, msgs, true), Wrong: len(msgs),
		TimeShort: timeLimitShort(lang, pr.TimeLimit), TimeText: pr.TimeLimit.Text, Accept: dossier.AcceptAttachments}
	data.Files = fileViews(lang, d, &pr.Form, atts, -1)
	files := byField(data.Files, atts)
	answerFiles(data.Answers, files)
	data.Others = files[""]
	fee, waived := pr.Fee.Compute(clean)
	data.Fee = feeText(lang, fee)
	if waived != nil {
		data.FeeWaived = waived.Label
	}
	if data.Unit, err = h.lookups(r).unitName(d.UnitID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "dossier_review", data)
}

func feeText(lang string, fee int64) string {
	if fee == 0 {
		return tr(lang, "procedure.fee.short_free")
	}
	return money(lang, fee)
}

// dossierSubmit files the draft. A form the procedure's rules refuse
// sends the citizen back to the first step with a wrong field, each
// message beside its field, the values kept.
func (h *handler) dossierSubmit(w http.ResponseWriter, r *http.Request) {
	a, d, pr, done := h.draft(w, r)
	if done {
		return
	}
	filed, err := h.app.Dossiers.Submit(r.Context(), a, d.Ref)
	var fe dossier.FormErrors
	if errors.As(err, &fe) {
		lang := state(r).lang
		msgs := fieldMessages(lang, fe)
		step := 1
	find:
		for i, st := range pr.Form.Pages() {
			for _, n := range st.Fields {
				if msgs[n] != "" {
					step = i + 1
					break find
				}
			}
		}
		// The values of the draft, as entered: the form shows them again.
		values := map[string]string{}
		for k, v := range d.Fields {
			values[k] = v
		}
		h.renderStep(w, r, http.StatusUnprocessableEntity, d, pr, step, values, msgs, wrongSet(msgs), h.message(r, err))
		return
	}
	if err != nil {
		h.failBack(w, r, err, "/dossiers/"+d.Ref+"/review")
		return
	}
	seeOther(w, r, "/dossiers/"+filed.Code+"?ok=submitted")
}
