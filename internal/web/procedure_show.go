package web

import (
	"net/http"
	"strconv"
	"strings"

	"egov"
	"egov/internal/dossier"
	"egov/internal/i18n"
)

type procedureData struct {
	*page
	P        *dossier.Procedure
	Level    string
	Mode     string
	Channels []string
	Docs     []documentRow
	Result   string
	// The time limit: in a few words, what it means, and an example due
	// date counted on the working calendar from now.
	TimeShort, TimeMeaning, TimeExample string
	// The fee: in a few words, the rule in words, the exemptions.
	FeeShort, FeeRule string
	Exemptions        []string
	FormSteps         []formStepView
	Confidence        string
	// Online: the procedure accepts dossiers filed online.
	Online bool
}

type documentRow struct {
	Name, Note, Kind string
	Copies           int
	Required         bool
}

// formStepView is a page of the procedure's form, for the read-only
// preview.
type formStepView struct {
	Title  string
	Fields []formFieldView
}

type formFieldView struct {
	Label, Type, Help, Options string
	Required                   bool
}

// procedureShow shows everything a citizen needs to know before applying:
// the seven published parts, the fee rule in words, the online mode with
// its published reason, and a preview of the form.
func (h *handler) procedureShow(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if !dossier.ValidCode(code) {
		h.failBack(w, r, egov.Errorf(egov.ENOTFOUND, "procedure.not_found", clipRunes(code, 20)), "/procedures")
		return
	}
	pr, err := h.app.Procedures.Get(r.Context(), code)
	if err != nil {
		h.failBack(w, r, err, "/procedures")
		return
	}
	cal, err := h.app.Calendar.Calendar(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(r, "procedures.title", "procedures")
	p.Title = pr.Name
	lang := p.Lang
	d := &procedureData{page: p, P: pr, Mode: modeLabel(lang, pr.OnlineMode),
		TimeShort: timeLimitShort(lang, pr.TimeLimit), FeeShort: feeShort(lang, &pr.Fee)}
	d.Level = strings.TrimSpace(levelName(lang, pr.Level))
	d.Online = acceptsOnline(pr)
	for _, c := range pr.Channels {
		d.Channels = append(d.Channels, tr(lang, "procedure.channel."+string(c)))
	}
	for _, doc := range pr.Documents {
		d.Docs = append(d.Docs, documentRow{Name: doc.Name, Note: doc.Note, Kind: tr(lang, "procedure.doc_kind."+doc.Kind),
			Copies: doc.Copies, Required: doc.Required})
	}
	var kinds []string
	if pr.Result.Electronic {
		kinds = append(kinds, tr(lang, "procedure.result.electronic"))
	}
	if pr.Result.Paper {
		kinds = append(kinds, tr(lang, "procedure.result.paper"))
	}
	d.Result = pr.Result.Name
	if len(kinds) > 0 {
		d.Result += " (" + strings.Join(kinds, ", ") + ")"
	}

	now := h.app.Units.Now()
	due := pr.TimeLimit.Due(cal, now)
	if pr.TimeLimit.Kind == dossier.SameDay {
		d.TimeMeaning = tr(lang, "procedure.time_limit.same_day_meaning")
	} else {
		d.TimeMeaning = tr(lang, "procedure.time_limit.days_meaning", pr.TimeLimit.Days)
	}
	d.TimeExample = tr(lang, "procedure.time_limit.example", now.In(vietnam).Format(tr(lang, "format.datetime")),
		tr(lang, "weekday."+strconv.Itoa(int(due.Weekday()))), due.Time(vietnam).Format(tr(lang, "format.date")))

	d.FeeRule, d.Exemptions = feeWords(lang, &pr.Fee, &pr.Form)
	d.FormSteps = formPreview(lang, &pr.Form)
	if pr.Confidence != "" {
		d.Confidence = tr(lang, "procedure.confidence."+pr.Confidence)
	}
	h.render(w, r, http.StatusOK, "procedure", d)
}

func levelName(lang string, level int) string {
	if k := "unit.level." + strconv.Itoa(level); i18n.Has(lang, k) {
		return tr(lang, k)
	}
	return strconv.Itoa(level)
}

// feeWords is the fee rule in words, e.g. "2.000 đồng/trang cho 2 trang
// đầu, 1.000 đồng/trang từ trang thứ 3, tối đa 200.000 đồng/bản", and the
// cases that waive it (in English, the label of the exemption's checkbox
// when it has one).
func feeWords(lang string, f *dossier.Fee, form *dossier.Form) (string, []string) {
	var parts []string
	switch f.Kind {
	case dossier.FeeFree:
		parts = append(parts, tr(lang, "procedure.fee.free"))
	case dossier.FeeFixed:
		if f.CopiesField != "" {
			parts = append(parts, tr(lang, "procedure.fee.fixed_per_copy", thousands(lang, f.Amount)))
		} else {
			parts = append(parts, tr(lang, "procedure.fee.fixed", thousands(lang, f.Amount)))
		}
	case dossier.FeePerPage:
		if f.FirstPages > 0 {
			parts = append(parts, tr(lang, "procedure.fee.first_pages", thousands(lang, f.FirstRate), f.FirstPages),
				tr(lang, "procedure.fee.next_pages", thousands(lang, f.Rate), f.FirstPages+1))
		} else {
			parts = append(parts, tr(lang, "procedure.fee.per_page", thousands(lang, f.Rate)))
		}
		if f.Cap > 0 {
			parts = append(parts, tr(lang, "procedure.fee.cap", thousands(lang, f.Cap)))
		} else if f.CopiesField != "" {
			parts = append(parts, tr(lang, "procedure.fee.each_copy"))
		}
	}
	var exempt []string
	for _, e := range f.Exemptions {
		label := e.Label
		if fd := form.Field(e.Field); lang == i18n.EN && fd != nil && fd.LabelEN != "" {
			label = fd.LabelEN
		}
		exempt = append(exempt, label)
	}
	return strings.Join(parts, ", "), exempt
}

// formPreview lists the form's fields page by page, labels in the page's
// language where the catalogue has them.
func formPreview(lang string, f *dossier.Form) []formStepView {
	en := lang == i18n.EN
	var out []formStepView
	for _, st := range f.Pages() {
		v := formStepView{Title: st.Title}
		if en && st.TitleEN != "" {
			v.Title = st.TitleEN
		}
		for _, name := range st.Fields {
			fd := f.Field(name)
			if fd == nil {
				continue
			}
			fv := formFieldView{Label: fd.Label, Type: tr(lang, "procedure.field_type."+fd.Type), Help: fd.Help, Required: fd.Required}
			if en && fd.LabelEN != "" {
				fv.Label = fd.LabelEN
			}
			var opts []string
			for _, o := range fd.Options {
				if en && o.LabelEN != "" {
					opts = append(opts, o.LabelEN)
				} else {
					opts = append(opts, o.Label)
				}
			}
			fv.Options = strings.Join(opts, ", ")
			v.Fields = append(v.Fields, fv)
		}
		out = append(out, v)
	}
	return out
}
