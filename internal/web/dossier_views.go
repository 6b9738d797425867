package web

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"egov"
	"egov/internal/dossier"
	"egov/internal/i18n"
	"egov/internal/identity"
	"egov/internal/units"
	"egov/internal/vntext"
	"egov/internal/workcal"
)

// What the dossier pages share: the inputs generated from a procedure's
// form, the answers in words, a dossier as a row of a list, and who holds
// it now.

// fieldPrefix starts the name of every input generated from a procedure's
// form, so that a procedure's field can never collide with the page's own
// inputs (the applicant at the counter, the step buttons).
const fieldPrefix = "f_"

// qField is one input generated from a procedure's form field, for the
// "qfield" template.
type qField struct {
	Key       string // the field's name
	Name      string // the input's name: fieldPrefix + the field's name
	ID        string
	Label     string
	Type      string // the form field's type (dossier.TypeText...)
	Input     string // the type attribute of an <input>
	Value     string
	Checked   bool
	Options   []qOption
	Required  bool
	Help      string // the catalogue's help, as written
	Note      string // a translated note, e.g. how to give a document
	Error     string
	InputMode string
	Auto      string
	MaxLength int
	Min, Max  string
	Describe  string // the ids the input's aria-describedby names
	// A file field: the file input beside the note, and the files
	// attached for it.
	FileInput string
	Accept    string
	Files     []fileView
}

// qOption is one choice of a select or a radio group.
type qOption struct {
	Value, Label string
	Selected     bool
}

// qStep is one step of a procedure's form with its inputs.
type qStep struct {
	N      int
	Title  string
	Fields []qField
}

// stepTitle is a step's title in the page's language.
func stepTitle(lang string, st dossier.FormStep) string {
	if lang == i18n.EN && st.TitleEN != "" {
		return st.TitleEN
	}
	return st.Title
}

func fieldLabel(lang string, fd *dossier.FormField) string {
	if lang == i18n.EN && fd.LabelEN != "" {
		return fd.LabelEN
	}
	return fd.Label
}

func optionLabel(lang string, o dossier.Option) string {
	if lang == i18n.EN && o.LabelEN != "" {
		return o.LabelEN
	}
	return o.Label
}

// formInputs makes the inputs of the named fields, filled with values and
// with the message of each wrong one beside it.
func formInputs(lang string, f *dossier.Form, names []string, values, errs map[string]string, today workcal.Date) []qField {
	var out []qField
	for _, name := range names {
		fd := f.Field(name)
		if fd == nil {
			continue
		}
		q := qField{Key: fd.Name, Name: fieldPrefix + fd.Name, ID: "q-" + fd.Name, Label: fieldLabel(lang, fd), Type: fd.Type,
			Input: "text", Value: values[fd.Name], Required: fd.Required, Help: fd.Help, Error: errs[fd.Name],
			MaxLength: fd.MaxLength, Auto: "off"}
		switch fd.Type {
		case dossier.TypeNumber:
			q.Input, q.InputMode = "number", "numeric"
			if fd.Min != nil {
				q.Min = strconv.FormatInt(*fd.Min, 10)
			}
			if fd.Max != nil {
				q.Max = strconv.FormatInt(*fd.Max, 10)
			}
		case dossier.TypeDate:
			q.Input = "date"
			if fd.NotFuture {
				q.Max = today.String()
			}
		case dossier.TypeSelect:
			for _, o := range fd.Options {
				q.Options = append(q.Options, qOption{Value: o.Value, Label: optionLabel(lang, o), Selected: o.Value == q.Value})
			}
		case dossier.TypeCheckbox:
			q.Checked = q.Value == "yes"
		case dossier.TypeCCCD:
			q.InputMode, q.MaxLength = "numeric", 12
			q.Note = tr(lang, "dossier.form.cccd_hint")
		case dossier.TypePhone:
			q.Input, q.Auto = "tel", "tel"
		case dossier.TypeEmail:
			q.Input, q.Auto = "email", "email"
		case dossier.TypeFile:
			// Scans or photos in the file input; the text input is a note
			// for a paper brought to the counter instead.
			q.MaxLength = 200
			q.Note = tr(lang, "dossier.form.file_hint", dossier.MaxAttachmentBytes>>20)
			q.FileInput, q.Accept = fileInputPrefix+fd.Name, dossier.AcceptAttachments
		}
		var ids []string
		if q.Help != "" {
			ids = append(ids, "qh-"+fd.Name)
		}
		if q.Note != "" {
			ids = append(ids, "qn-"+fd.Name)
		}
		if q.Error != "" {
			ids = append(ids, "qe-"+fd.Name)
		}
		q.Describe = strings.Join(ids, " ")
		out = append(out, q)
	}
	return out
}

// formSteps makes the inputs of every step of the form.
func formSteps(lang string, f *dossier.Form, values, errs map[string]string, today workcal.Date) []qStep {
	var out []qStep
	for i, st := range f.Pages() {
		out = append(out, qStep{N: i + 1, Title: stepTitle(lang, st), Fields: formInputs(lang, f, st.Fields, values, errs, today)})
	}
	return out
}

// postedFields reads the values of the named fields from a posted form.
// Every field is present in the result, empty when not sent, so that an
// unticked checkbox clears the field.
func postedFields(form url.Values, names []string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		out[n] = strings.TrimSpace(form.Get(fieldPrefix + n))
	}
	return out
}

// allFieldNames lists the names of every field of the form.
func allFieldNames(f *dossier.Form) []string {
	var out []string
	for _, fd := range f.Fields {
		out = append(out, fd.Name)
	}
	return out
}

// fieldMessages translates the errors of a form, by field name.
func fieldMessages(lang string, fe dossier.FormErrors) map[string]string {
	out := map[string]string{}
	for name, e := range fe {
		out[name] = tr(lang, e.Key, e.Args...)
	}
	return out
}

// answerStep is one step of the answers, in words.
type answerStep struct {
	N     int
	Title string
	Rows  []answerRow
}

type answerRow struct {
	Key, Label, Value, Error string
	Files                    []fileView // a file field's attachments
}

// answers shows the values of a dossier step by step; values of citizen-ID
// fields are masked unless full.
func answers(lang string, f *dossier.Form, values, errs map[string]string, full bool) []answerStep {
	var out []answerStep
	for i, st := range f.Pages() {
		as := answerStep{N: i + 1, Title: stepTitle(lang, st)}
		for _, name := range st.Fields {
			fd := f.Field(name)
			if fd == nil {
				continue
			}
			as.Rows = append(as.Rows, answerRow{Key: name, Label: fieldLabel(lang, fd), Value: answerValue(lang, fd, values[name], full), Error: errs[name]})
		}
		out = append(out, as)
	}
	return out
}

// answerValue is a value in words: a choice's label, a date in the
// language's form, "Có" for a ticked box, "—" for nothing.
func answerValue(lang string, fd *dossier.FormField, v string, full bool) string {
	if v == "" {
		if fd.Type == dossier.TypeCheckbox {
			return tr(lang, "dossier.answer.no")
		}
		return "—"
	}
	switch fd.Type {
	case dossier.TypeSelect:
		for _, o := range fd.Options {
			if o.Value == v {
				return optionLabel(lang, o)
			}
		}
	case dossier.TypeCheckbox:
		if v == "yes" {
			return tr(lang, "dossier.answer.yes")
		}
	case dossier.TypeDate:
		if d, err := workcal.ParseDate(v); err == nil {
			return formatDate(lang, d)
		}
	case dossier.TypeCCCD:
		if !full {
			return identity.MaskCitizenID(v)
		}
	}
	return v
}

func formatDate(lang string, d workcal.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time(time.UTC).Format(tr(lang, "format.date"))
}

func formatTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(vietnam).Format(tr(lang, "format.datetime"))
}

// dossierRow is a dossier in a list.
type dossierRow struct {
	Link       string
	Code       string // "" for a draft
	Procedure  string
	Unit       string
	Status     dossier.Status
	StatusText string
	Due        string
	Timeliness dossier.Timeliness
	TimeText   string
	Holder     string
	Applicant  string
	Submitted  string
	Draft      bool
	Results    []resultView // the electronic results ready to download
}

// lookups remembers, during one request, the names a list shows many
// times: procedures, units, holders.
type lookups struct {
	h      *handler
	ctx    context.Context
	lang   string
	procs  map[string]*dossier.Procedure
	graph  *units.Graph
	people map[int64]map[int64]string // unit → officer → full name
}

func (h *handler) lookups(r *http.Request) *lookups {
	return &lookups{h: h, ctx: r.Context(), lang: state(r).lang, procs: map[string]*dossier.Procedure{},
		people: map[int64]map[int64]string{}}
}

// procedure returns the procedure with code, nil when it is gone.
func (l *lookups) procedure(code string) (*dossier.Procedure, error) {
	if p, ok := l.procs[code]; ok {
		return p, nil
	}
	p, err := l.h.app.Procedures.Get(l.ctx, code)
	if egov.ErrorCode(err) == egov.ENOTFOUND {
		p, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	l.procs[code] = p
	return p, nil
}

func (l *lookups) procedureName(code string) (string, error) {
	p, err := l.procedure(code)
	if err != nil || p == nil {
		return code, err
	}
	return p.Name, nil
}

func (l *lookups) unitName(id int64) (string, error) {
	if l.graph == nil {
		g, err := l.h.app.Units.Graph(l.ctx)
		if err != nil {
			return "", err
		}
		l.graph = g
	}
	if u := l.graph.ByID(id); u != nil {
		return u.Name, nil
	}
	return "", nil
}

// holder says who holds a dossier now: the applicant while it is a draft
// or waits for documents, the officer it was handed to, or the receiving
// desk (bộ phận một cửa); nobody once it has ended.
//
// The dossier domain keeps the holder's id only; the name comes from the
// officers who may process the unit's dossiers (the only ones a dossier
// is handed to).
func (l *lookups) holder(d *dossier.Dossier, mine bool) (string, error) {
	switch {
	case d.Status == dossier.StatusDraft || d.Status == dossier.StatusSupplement:
		if mine {
			return tr(l.lang, "dossier.holder.you"), nil
		}
		return tr(l.lang, "dossier.holder.applicant"), nil
	case d.Status.Ended() && d.Status != dossier.StatusResolved:
		return "—", nil
	case d.HolderID == 0:
		return tr(l.lang, "dossier.holder.desk"), nil
	}
	names, ok := l.people[d.UnitID]
	if !ok {
		us, err := l.h.app.Identity.OfficersWith(l.ctx, identity.PermDossierProcess, d.UnitID)
		if err != nil {
			return "", err
		}
		names = map[int64]string{}
		for _, u := range us {
			names[u.ID] = u.FullName
		}
		l.people[d.UnitID] = names
	}
	if n := names[d.HolderID]; n != "" {
		return n, nil
	}
	return tr(l.lang, "dossier.holder.officer"), nil
}

// row makes the list row of d.
func (l *lookups) row(d *dossier.Dossier, today workcal.Date, mine bool) (dossierRow, error) {
	lang := l.lang
	row := dossierRow{Code: d.Code, Status: d.Status, StatusText: tr(lang, "dossier.status."+string(d.Status)),
		Due: formatDate(lang, d.DueDate), Timeliness: d.TimelinessOn(today), Applicant: d.ApplicantName,
		Submitted: formatTime(lang, d.SubmittedAt), Draft: d.Status == dossier.StatusDraft}
	if row.Timeliness != dossier.NoLimit {
		row.TimeText = tr(lang, "dossier.timeliness."+string(row.Timeliness))
	}
	if row.Draft {
		row.Link = "/dossiers/" + d.Ref + "/form"
	} else {
		row.Link = "/dossiers/" + d.Code
	}
	var err error
	if row.Procedure, err = l.procedureName(d.ProcedureCode); err != nil {
		return row, err
	}
	if row.Unit, err = l.unitName(d.UnitID); err != nil {
		return row, err
	}
	row.Holder, err = l.holder(d, mine)
	return row, err
}

func (l *lookups) rows(ds []*dossier.Dossier, today workcal.Date, mine bool) ([]dossierRow, error) {
	out := make([]dossierRow, 0, len(ds))
	for _, d := range ds {
		row, err := l.row(d, today, mine)
		if err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, nil
}

// today is the day in Vietnam by the dossier service's clock.
func (h *handler) today() workcal.Date { return workcal.LocalDate(h.app.Dossiers.Now()) }

// unitOptions lists today's units of a level, sorted by name, as choices;
// only those within ids when ids is not nil.
func (h *handler) unitOptions(ctx context.Context, level int, within map[int64]bool, selected string) ([]qOption, error) {
	g, err := h.app.Units.Graph(ctx)
	if err != nil {
		return nil, err
	}
	today := h.app.Units.Today()
	us := g.Find(units.Query{At: today, Level: level})
	sort.SliceStable(us, func(i, j int) bool { return vntext.Compare(us[i].Name, us[j].Name) < 0 })
	var kept []*units.Unit
	parents := map[string]bool{}
	for _, u := range us {
		if within != nil && !within[u.ID] {
			continue
		}
		kept = append(kept, u)
		parents[u.ParentCode] = true
	}
	var out []qOption
	for _, u := range kept {
		label := u.Name
		// Units of several provinces may share a name: name the parent then.
		if p := g.Parent(u, today); p != nil && len(parents) > 1 {
			label += " — " + p.Name
		}
		out = append(out, qOption{Value: u.Code, Label: label, Selected: u.Code == selected})
	}
	return out, nil
}

// Which links the layout shows for dossiers.

// IsCitizen reports whether a citizen is signed in.
func (p *page) IsCitizen() bool {
	return p.SignedIn() && p.Actor.User.Kind == identity.Citizen
}

// CanInbox reports whether the actor works on dossiers somewhere.
func (p *page) CanInbox() bool {
	if !p.SignedIn() {
		return false
	}
	for _, perm := range []identity.Permission{identity.PermDossierReceive, identity.PermDossierProcess, identity.PermDossierApprove} {
		if hasPermission(p.Actor, perm) {
			return true
		}
	}
	return false
}

// CanIntake reports whether the actor receives dossiers somewhere.
func (p *page) CanIntake() bool {
	return p.SignedIn() && hasPermission(p.Actor, identity.PermDossierReceive)
}

// CanListDossiers reports whether the actor reads dossiers somewhere.
func (p *page) CanListDossiers() bool {
	return p.SignedIn() && p.Actor.User.Kind == identity.Officer && hasPermission(p.Actor, identity.PermDossierRead)
}

// pageNumber reads ?page=, 1 when absent.
func pageNumber(q url.Values) (int, error) {
	s := strings.TrimSpace(q.Get("page"))
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 100000 {
		return 0, egov.Errorf(egov.EINVALID, "error.bad_number", clipRunes(s, 20))
	}
	return n, nil
}

// pageLinks are the links to the neighbouring pages of a list of perPage
// rows: path with q and another page number.
func pageLinks(path string, q url.Values, page, got, perPage int) (prev, next string) {
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "page" && k != "ok" && len(vs) > 0 && vs[0] != "" {
				v.Set(k, vs[0])
			}
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	if page > 1 {
		prev = link(page - 1)
	}
	if got >= perPage {
		next = link(page + 1)
	}
	return prev, next
}

// listPerPage is how many dossiers a list page shows (the domain's default).
const listPerPage = 50
