package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
)

type intakeData struct {
	*page
	Groups   []intakeGroup // step 1: the procedures by field
	P        *dossier.Procedure
	Units    []qOption
	Channels []qOption
	Steps    []qStep
	Form     url.Values
	Errors   map[string]string
	Accept   string
}

type intakeGroup struct {
	Field   string
	Options []qOption
}

// intakeForm is counter intake (tiếp nhận trực tiếp, bưu chính) in two
// steps: choose the procedure, then fill in the applicant and the
// procedure's form for the unit the officer receives for.
func (h *handler) intakeForm(w http.ResponseWriter, r *http.Request) {
	code := strings.TrimSpace(r.URL.Query().Get("procedure"))
	h.renderIntake(w, r, http.StatusOK, code, url.Values{}, map[string]string{}, "")
}

func (h *handler) renderIntake(w http.ResponseWriter, r *http.Request, status int, code string, form url.Values,
	errs map[string]string, formError string) {
	a, err := requirePermission(r, identity.PermDossierReceive)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "dossier.intake.title", "intake")
	p.Error = formError
	d := &intakeData{page: p, Form: form, Errors: errs, Accept: dossier.AcceptAttachments}
	if code == "" {
		ps, err := h.app.Procedures.List(r.Context(), dossier.ProcedureQuery{})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, pr := range ps {
			if !hasCounterChannel(pr) {
				continue
			}
			if len(d.Groups) == 0 || d.Groups[len(d.Groups)-1].Field != pr.Field {
				d.Groups = append(d.Groups, intakeGroup{Field: pr.Field})
			}
			g := &d.Groups[len(d.Groups)-1]
			g.Options = append(g.Options, qOption{Value: pr.Code, Label: pr.Code + " · " + pr.Name})
		}
		h.render(w, r, status, "intake", d)
		return
	}
	if !dossier.ValidCode(code) {
		h.failBack(w, r, egov.Errorf(egov.ENOTFOUND, "procedure.not_found", clipRunes(code, 20)), "/intake")
		return
	}
	pr, err := h.app.Procedures.Get(r.Context(), code)
	if err != nil {
		h.failBack(w, r, err, "/intake")
		return
	}
	p.formPage("/intake?procedure=" + pr.Code)
	d.P = pr
	within, err := h.receivable(r, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Units, err = h.unitOptions(r.Context(), pr.Level, within, form.Get("unit")); err != nil {
		h.fail(w, r, err)
		return
	}
	if len(d.Units) == 1 {
		d.Units[0].Selected = true
	}
	for _, c := range pr.Channels {
		if c == dossier.ChannelDirect || c == dossier.ChannelPostal {
			d.Channels = append(d.Channels, qOption{Value: string(c), Label: tr(p.Lang, "dossier.channel."+string(c))})
		}
	}
	chosen := form.Get("channel")
	for i := range d.Channels {
		d.Channels[i].Selected = d.Channels[i].Value == chosen || chosen == "" && i == 0
	}
	d.Steps = formSteps(p.Lang, &pr.Form, postedFields(form, allFieldNames(&pr.Form)), errs, h.today())
	h.render(w, r, status, "intake", d)
}

func hasCounterChannel(p *dossier.Procedure) bool {
	for _, c := range p.Channels {
		if c == dossier.ChannelDirect || c == dossier.ChannelPostal {
			return true
		}
	}
	return false
}

// receivable returns the ids of today's units whose dossiers the officer
// receives (nil: every unit).
func (h *handler) receivable(r *http.Request, a *identity.Actor) (map[int64]bool, error) {
	ids, all := a.Scope(identity.PermDossierReceive)
	if all {
		return nil, nil
	}
	g, err := h.app.Units.Graph(r.Context())
	if err != nil {
		return nil, err
	}
	today := h.app.Units.Today()
	out := map[int64]bool{}
	for _, id := range ids {
		if u := g.ByID(id); u != nil {
			for _, s := range g.Subtree(u, today) {
				out[s.ID] = true
			}
		}
	}
	return out, nil
}

// intake files the dossier, with the scans of the documents handed in,
// and opens its page, which shows its code.
func (h *handler) intake(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cleanup, err := parseUploadForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer cleanup()
	f := r.PostForm
	code := strings.TrimSpace(f.Get("procedure"))
	pr, err := h.app.Procedures.Get(r.Context(), code)
	if err != nil {
		h.failBack(w, r, err, "/intake")
		return
	}
	lang := state(r).lang
	in := dossier.NewDossier{ProcedureCode: pr.Code, UnitCode: strings.TrimSpace(f.Get("unit")), Channel: dossier.Channel(f.Get("channel")),
		Fields: map[string]string{},
		Applicant: dossier.Applicant{Name: f.Get("applicant_name"), CCCD: strings.TrimSpace(f.Get("applicant_cccd")),
			Phone: f.Get("applicant_phone"), Email: f.Get("applicant_email")}}
	for k, v := range postedFields(f, allFieldNames(&pr.Form)) {
		if v != "" {
			in.Fields[k] = v
		}
	}
	if in.UnitCode == "" {
		h.renderIntake(w, r, http.StatusUnprocessableEntity, pr.Code, f, map[string]string{"unit": tr(lang, "dossier.new.unit_required")}, "")
		return
	}
	files, closeFiles, err := counterUploads(r, &pr.Form)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer closeFiles()
	in.Files = files
	d, err := h.app.Dossiers.Intake(r.Context(), a, in)
	if err == nil {
		seeOther(w, r, "/dossiers/"+d.Code+"?ok=intake")
		return
	}
	// A browser cannot keep the files chosen: they are to be chosen again.
	reselect := ""
	if len(files) > 0 {
		reselect = tr(lang, "dossier.attachments.reselect")
	}
	var fe dossier.FormErrors
	if errors.As(err, &fe) {
		h.renderIntake(w, r, http.StatusUnprocessableEntity, pr.Code, f, fieldMessages(lang, fe), strings.TrimSpace(h.message(r, err)+" "+reselect))
		return
	}
	if e, ok := fileError(err); ok && strings.HasPrefix(e.Key, "attachment.") {
		field := e.Field
		if field == "" {
			field = otherFilesInput
		}
		h.renderIntake(w, r, fileErrorStatus(e), pr.Code, f, map[string]string{field: tr(lang, e.Key, e.Args...)}, reselect)
		return
	}
	if e, ok := asFieldError(err); ok {
		field := e.Field
		if field == "citizen_id" {
			field = "applicant_cccd"
		}
		h.renderIntake(w, r, http.StatusUnprocessableEntity, pr.Code, f, map[string]string{field: tr(lang, e.Key, e.Args...)}, "")
		return
	}
	if c := egov.ErrorCode(err); c == egov.EFORBIDDEN || c == egov.ECONFLICT {
		h.renderIntake(w, r, status(c), pr.Code, f, map[string]string{}, h.message(r, err))
		return
	}
	h.fail(w, r, err)
}
