package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
	"egov/internal/workcal"
)

// actForm is the form of one action on a dossier page.
type actForm struct {
	Action    string // the path segment: /dossiers/{code}/act/{Action}
	Path      string // where the form posts
	Title     string
	Intro     string
	Warning   string // e.g. a second request for documents makes the dossier late
	Button    string
	Danger    bool
	Wide      bool // spans the width of the page (a long list of choices)
	Multipart bool // carries files
	Inputs    []actInput
}

// actInput is one input of an action's form.
type actInput struct {
	Name, ID, Label, Kind, Value, Error, Hint string
	Required                                  bool
	Options                                   []qOption
	Min                                       string
	Describe                                  string // the ids aria-describedby names
	Accept                                    string // a file input's types
	Items                                     []itemChoice
}

// itemChoice is one item a request for documents may mark: a field of the
// form, ticked or not, with the officer's note on it.
type itemChoice struct {
	Field, Label, Note string
	Checked            bool
}

// Names of the inputs of the request for documents and of finish.
const (
	itemInput       = "item"       // the ticked fields
	itemNotePrefix  = "item_note_" // + the field: the note on it
	itemOtherInput  = "item_other" // documents outside the form, one a line
	resultFileInput = "result_file"
)

// finish sets where the form posts and what describes each input.
func (f *actForm) finish(code string) *actForm {
	f.Path = "/dossiers/" + code + "/act/" + f.Action
	for i := range f.Inputs {
		in := &f.Inputs[i]
		var ids []string
		if in.Hint != "" {
			ids = append(ids, "h-"+in.ID)
		}
		if in.Error != "" {
			ids = append(ids, "e-"+in.ID)
		}
		in.Describe = strings.Join(ids, " ")
	}
	return f
}

// officerActions is the order in which a dossier page shows the forms of
// the actions the domain allows (Dossiers.Allowed): the usual next step
// first, the refusals last.
var officerActions = []dossier.Action{dossier.ActReceive, dossier.ActAssign, dossier.ActApprove, dossier.ActFinish,
	dossier.ActReturnResult, dossier.ActRequestDocuments, dossier.ActRequestPayment, dossier.ActApologise, dossier.ActRefuse,
	dossier.ActStop}

func hasAction(acts []dossier.Action, act dossier.Action) bool {
	for _, a := range acts {
		if a == act {
			return true
		}
	}
	return false
}

// officerForms returns the forms of the actions the officer may take on d
// now; the failed action's form shows the values entered and the errors.
func (h *handler) officerForms(r *http.Request, a *identity.Actor, d *dossier.Dossier, pr *dossier.Procedure, lang, failed string,
	form url.Values, errs map[string]string) ([]*actForm, error) {
	var out []*actForm
	allowed := map[dossier.Action]bool{}
	for _, act := range h.app.Dossiers.Allowed(r.Context(), a, d) {
		allowed[act] = true
	}
	for _, oa := range officerActions {
		if !allowed[oa] {
			continue
		}
		act := string(oa)
		f := &actForm{Action: act, Title: tr(lang, "dossier.do."+act), Button: tr(lang, "dossier.do."+act),
			Intro: tr(lang, "dossier.intro."+act)}
		values, fe := url.Values{}, map[string]string{}
		if failed == act {
			values, fe = form, errs
		}
		in := func(name, kind, label, hint string, required bool) *actInput {
			f.Inputs = append(f.Inputs, actInput{Name: name, ID: "a-" + act + "-" + name, Kind: kind, Label: tr(lang, label),
				Value: values.Get(name), Error: fe[name], Required: required})
			ai := &f.Inputs[len(f.Inputs)-1]
			if hint != "" {
				ai.Hint = tr(lang, hint)
			}
			return ai
		}
		switch oa {
		case dossier.ActRequestDocuments:
			f.Intro, f.Wide = tr(lang, "dossier.intro.request-documents", dossier.SupplementWindow), true
			if d.SupplementRequests > 0 {
				f.Warning = tr(lang, "dossier.warn.second_request", d.SupplementRequests+1)
			}
			items := in("items", "items", "dossier.field.missing", "dossier.field.missing_hint", true)
			items.Items = itemChoices(lang, pr, values)
			in(itemOtherInput, "textarea", "dossier.field.missing_other", "dossier.field.missing_other_hint", false)
			in("note", "textarea", "dossier.field.missing_note", "form.optional", false)
		case dossier.ActAssign:
			ai := in("assignee", "select", "dossier.field.assignee", "", true)
			us, err := h.app.Dossiers.Assignees(r.Context(), a, d.Code)
			if err != nil {
				return nil, err
			}
			for _, u := range us {
				ai.Options = append(ai.Options, qOption{Value: u.Username, Label: u.FullName + " (" + u.Username + ")",
					Selected: u.Username == ai.Value || u.ID == d.HolderID && ai.Value == ""})
			}
		case dossier.ActFinish:
			in("result", "text", "dossier.field.result", "dossier.field.result_hint", false)
			f.Multipart = true
			hint := "dossier.field.result_file_paper"
			if pr != nil && pr.Result.Electronic {
				hint = "dossier.field.result_file_hint"
			}
			ai := in(resultFileInput, "file", "dossier.field.result_file", "", pr != nil && pr.Result.Electronic)
			ai.Accept = dossier.MimePDF
			if pr != nil {
				ai.Hint = tr(lang, hint, pr.Result.Name, dossier.MaxAttachmentBytes>>20)
			}
		case dossier.ActApologise:
			ai := in("new_date", "date", "dossier.field.new_date", "", true)
			ai.Min = d.DueDate.AddDays(1).String()
			in("note", "textarea", "dossier.field.reason", "", true)
		case dossier.ActRefuse, dossier.ActStop:
			in("note", "textarea", "dossier.field.reason", "", true)
			f.Danger = true
		}
		out = append(out, f.finish(d.Code))
	}
	// A walk-in applicant has no account: the desk withdraws and rates
	// for them (supplying documents is the form of the supplement).
	if h.walkIn(r, a, d) {
		if allowed[dossier.ActWithdraw] {
			values, fe := url.Values{}, map[string]string{}
			if failed == string(dossier.ActWithdraw) {
				values, fe = form, errs
			}
			out = append(out, (&actForm{Action: string(dossier.ActWithdraw), Title: tr(lang, "dossier.withdraw.title"),
				Intro: tr(lang, "dossier.intro.withdraw_walk_in"), Button: tr(lang, "dossier.withdraw.confirm"), Danger: true,
				Inputs: []actInput{{Name: "note", ID: "a-withdraw-note", Kind: "textarea", Label: tr(lang, "dossier.field.reason"),
					Hint: tr(lang, "form.optional"), Value: values.Get("note"), Error: fe["note"]}}}).finish(d.Code))
		}
		if allowed[dossier.ActRate] {
			f := rateForm(d.Code, lang, failed, form, errs)
			f.Intro = tr(lang, "dossier.intro.rate_walk_in")
			out = append(out, f)
		}
	}
	return out, nil
}

// itemChoices are the fields of the form, in the order of its steps, for
// a request for documents to mark; values are the posted form after a
// refusal.
func itemChoices(lang string, pr *dossier.Procedure, values url.Values) []itemChoice {
	if pr == nil {
		return nil
	}
	ticked := map[string]bool{}
	for _, v := range values[itemInput] {
		ticked[v] = true
	}
	var out []itemChoice
	for _, st := range pr.Form.Pages() {
		for _, name := range st.Fields {
			if fd := pr.Form.Field(name); fd != nil {
				out = append(out, itemChoice{Field: name, Label: fieldLabel(lang, fd), Note: values.Get(itemNotePrefix + name),
					Checked: ticked[name]})
			}
		}
	}
	return out
}

// postedItems reads the items of a request for documents: the ticked
// fields with their notes, then each line of the other documents.
func postedItems(f url.Values) []dossier.SupplementItem {
	var out []dossier.SupplementItem
	for _, field := range f[itemInput] {
		out = append(out, dossier.SupplementItem{Field: field, Note: f.Get(itemNotePrefix + field)})
	}
	for _, line := range strings.Split(f.Get(itemOtherInput), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, dossier.SupplementItem{Note: line})
		}
	}
	return out
}

// walkIn reports whether the desk acts for the applicant of d: a walk-in
// without an account, on a unit the officer receives for.
func (h *handler) walkIn(r *http.Request, a *identity.Actor, d *dossier.Dossier) bool {
	return d.ApplicantID == 0 && h.app.Identity.Can(r.Context(), a, identity.PermDossierReceive, d.UnitID) == nil
}

// rateForm is the applicant's rating of the service.
func rateForm(code, lang, failed string, form url.Values, errs map[string]string) *actForm {
	values, fe := url.Values{}, map[string]string{}
	if failed == string(dossier.ActRate) {
		values, fe = form, errs
	}
	act := string(dossier.ActRate)
	return (&actForm{Action: act, Title: tr(lang, "dossier.do.rate"), Button: tr(lang, "dossier.rate.submit"), Intro: tr(lang, "dossier.intro.rate"),
		Inputs: []actInput{
			{Name: "rating", ID: "a-rate-rating", Kind: "radio", Label: tr(lang, "dossier.field.rating"), Required: true,
				Error: fe["rating"], Options: []qOption{
					{Value: "1", Label: tr(lang, "dossier.rating.satisfied"), Selected: values.Get("rating") == "1"},
					{Value: "-1", Label: tr(lang, "dossier.rating.not_satisfied"), Selected: values.Get("rating") == "-1"}}},
			{Name: "note", ID: "a-rate-note", Kind: "textarea", Label: tr(lang, "dossier.field.comment"),
				Hint: tr(lang, "form.optional"), Value: values.Get("note"), Error: fe["note"]},
		}}).finish(code)
}

// dossierAct takes an action on a dossier and goes back to its page with
// a notice. A wrong input is shown beside it in the action's form; any
// other refusal (a status that does not allow the action: 409) at the top
// of the page, in the domain's words.
func (h *handler) dossierAct(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	a, err := requireActor(r)
	if err != nil {
		seeOther(w, r, "/signin?next="+url.QueryEscape("/dossiers/"+code))
		return
	}
	cleanup, err := parseUploadForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer cleanup()
	act := dossier.Action(r.PathValue("action"))
	f := r.PostForm
	in := dossier.ActionInput{Note: f.Get("note"), Assignee: strings.TrimSpace(f.Get("assignee")), Result: f.Get("result")}
	lang := state(r).lang
	switch act {
	case dossier.ActRequestDocuments:
		in.Items = postedItems(f)
	case dossier.ActFinish:
		for _, fh := range uploaded(r, resultFileInput) {
			file, err := fh.Open()
			if err != nil {
				h.fail(w, r, err)
				return
			}
			defer file.Close()
			in.ResultFiles = append(in.ResultFiles, dossier.Upload{Filename: fh.Filename, Content: file})
		}
	}
	switch f.Get("rating") {
	case "1":
		in.Rating = 1
	case "-1":
		in.Rating = -1
	}
	if act == dossier.ActApologise {
		s := strings.TrimSpace(f.Get("new_date"))
		d, err := workcal.ParseDate(s)
		if err != nil {
			key := "form.bad_date"
			if s == "" {
				key = "form.required"
			}
			h.renderDossier(w, r, http.StatusUnprocessableEntity, string(act), f, map[string]string{"new_date": tr(lang, key)}, "")
			return
		}
		in.NewDate = d
	}
	if act == dossier.ActSupplyDocuments {
		// The corrected form: every field, so that an unticked box clears.
		d, err := h.app.Dossiers.Get(r.Context(), a, code)
		var pr *dossier.Procedure
		if err == nil {
			pr, err = h.app.Procedures.Get(r.Context(), d.ProcedureCode)
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		sp, err := h.app.Dossiers.SupplementOf(r.Context(), d)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		// The marked fields only, every one of them, so that an unticked
		// box clears.
		names, other := openFields(&pr.Form, sp, d)
		in.Fields = postedFields(f, names)
		// The documents chosen are attached first: the form is checked
		// with them.
		var fields []string
		for _, name := range names {
			if pr.Form.Field(name).Type == dossier.TypeFile {
				fields = append(fields, name)
			}
		}
		if other {
			fields = append(fields, "")
		}
		for _, field := range fields {
			input := fileInputPrefix + field
			if field == "" {
				input = otherFilesInput
			}
			if err := h.attachUploaded(r, a, code, field, input); err != nil {
				if e, ok := fileError(err); ok {
					msg := tr(lang, e.Key, e.Args...)
					if field == "" {
						h.renderDossier(w, r, fileErrorStatus(e), string(act), f, map[string]string{}, msg)
					} else {
						h.renderDossier(w, r, fileErrorStatus(e), string(act), f, map[string]string{field: msg}, "")
					}
					return
				}
				h.fail(w, r, err)
				return
			}
		}
	}
	d, err := h.app.Dossiers.Act(r.Context(), a, code, act, in)
	if err == nil {
		seeOther(w, r, "/dossiers/"+d.Code+"?ok="+url.QueryEscape(string(act)))
		return
	}
	var fe dossier.FormErrors
	if errors.As(err, &fe) {
		h.renderDossier(w, r, http.StatusUnprocessableEntity, string(act), f, fieldMessages(lang, fe), h.message(r, err))
		return
	}
	if e, ok := asFieldError(err); ok {
		msg := tr(lang, e.Key, e.Args...)
		if e.Field == otherFilesInput {
			// The documents outside the form: said like their file errors.
			h.renderDossier(w, r, http.StatusUnprocessableEntity, string(act), f, map[string]string{}, msg)
			return
		}
		h.renderDossier(w, r, http.StatusUnprocessableEntity, string(act), f, map[string]string{e.Field: msg}, "")
		return
	}
	if egov.ErrorCode(err) == egov.EINTERNAL || egov.ErrorCode(err) == egov.ENOTFOUND {
		h.fail(w, r, err)
		return
	}
	// The page shows the dossier as it is now, with the domain's reason.
	// One who may not read the dossier gets the page's not-found instead,
	// and so learns nothing of it.
	h.renderDossier(w, r, status(egov.ErrorCode(err)), "", nil, map[string]string{}, h.message(r, err))
}

// openFields are the fields of the form the applicant may change while d
// waits on sp, and whether documents outside the form are asked for:
// what sp marks, or everything when the request was not recorded.
func openFields(f *dossier.Form, sp *dossier.Supplement, d *dossier.Dossier) (names []string, other bool) {
	if sp == nil || sp.N != d.SupplementRequests {
		return allFieldNames(f), true
	}
	for _, it := range sp.Items {
		if it.Field == "" {
			other = true
		} else if f.Field(it.Field) != nil {
			names = append(names, it.Field)
		}
	}
	return names, other
}

type withdrawData struct {
	*page
	D         *dossier.Dossier
	Procedure string
	Form      url.Values
}

// dossierWithdrawConfirm asks the applicant to confirm the withdrawal,
// without JavaScript: a page with the button that posts it.
func (h *handler) dossierWithdrawConfirm(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.app.Dossiers.Get(r.Context(), a, r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back := "/dossiers/" + d.Code
	if d.ApplicantID != a.User.ID {
		h.failBack(w, r, egov.Errorf(egov.EFORBIDDEN, "error.forbidden"), back)
		return
	}
	if !hasAction(h.app.Dossiers.Allowed(r.Context(), a, d), dossier.ActWithdraw) {
		h.failBack(w, r, egov.Errorf(egov.ECONFLICT, "dossier.not_allowed", egov.Msg("dossier.status."+string(d.Status)),
			egov.Msg("dossier.action.withdraw")), back)
		return
	}
	name, err := h.lookups(r).procedureName(d.ProcedureCode)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "dossier.withdraw.title", "my_dossiers")
	h.render(w, r, http.StatusOK, "dossier_withdraw", &withdrawData{page: p, D: d, Procedure: name, Form: url.Values{}})
}
