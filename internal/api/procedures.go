package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"egov"
	"egov/internal/dossier"
	"egov/internal/i18n"
	"egov/internal/identity"
	"egov/internal/vntext"
)

// procedureSummary is a procedure in a listing: enough to choose one.
type procedureSummary struct {
	Code       string             `json:"code"`
	Name       string             `json:"name"`
	Field      string             `json:"field"`
	Level      int                `json:"level"`
	OnlineMode dossier.OnlineMode `json:"online_mode"`
	TimeLimit  timeLimitJSON      `json:"time_limit"`
	Fee        feeSummary         `json:"fee"`
}

// timeLimitJSON is a time limit with every member present: days is 0 for
// a same-day limit, and text is the law's wording or, when the catalogue
// has none, the limit in words in the language asked for.
type timeLimitJSON struct {
	Kind string `json:"kind"`
	Days int    `json:"days"`
	Text string `json:"text"`
}

// feeSummary is the fee rule without the form fields it reads.
type feeSummary struct {
	Kind       string `json:"kind"`
	Amount     int64  `json:"amount,omitempty"`
	FirstPages int64  `json:"first_pages,omitempty"`
	FirstRate  int64  `json:"first_rate,omitempty"`
	Rate       int64  `json:"rate,omitempty"`
	Cap        int64  `json:"cap,omitempty"`
	// PerCopy: the amount is charged for each copy asked for.
	PerCopy bool `json:"per_copy"`
	// Exemptions are the labels of the cases that waive the fee.
	Exemptions    []string `json:"exemptions"`
	SetByProvince bool     `json:"set_by_province"`
	Text          string   `json:"text,omitempty"`
}

func newProcedureSummary(lang string, p *dossier.Procedure) procedureSummary {
	return procedureSummary{Code: p.Code, Name: p.Name, Field: p.Field, Level: p.Level, OnlineMode: p.OnlineMode,
		TimeLimit: newTimeLimitJSON(lang, p.TimeLimit), Fee: newFeeSummary(&p.Fee)}
}

func newTimeLimitJSON(lang string, t dossier.TimeLimit) timeLimitJSON {
	j := timeLimitJSON{Kind: t.Kind, Days: t.Days, Text: t.Text}
	if t.Kind == dossier.SameDay {
		j.Days = 0
	}
	if j.Text == "" {
		if t.Kind == dossier.SameDay {
			j.Text = i18n.T(lang, "procedure.time_limit.same_day")
		} else {
			j.Text = i18n.T(lang, "procedure.time_limit.days", t.Days)
		}
	}
	return j
}

func newFeeSummary(f *dossier.Fee) feeSummary {
	s := feeSummary{Kind: f.Kind, PerCopy: f.CopiesField != "", Exemptions: []string{}, SetByProvince: f.SetByProvince, Text: f.Text}
	switch f.Kind {
	case dossier.FeeFixed:
		s.Amount = f.Amount
	case dossier.FeePerPage:
		s.FirstPages, s.FirstRate, s.Rate, s.Cap = f.FirstPages, f.FirstRate, f.Rate, f.Cap
	}
	for _, e := range f.Exemptions {
		s.Exemptions = append(s.Exemptions, e.Label)
	}
	return s
}

// Online modes a listing can filter on.
var onlineModes = []dossier.OnlineMode{dossier.OnlineFull, dossier.OnlinePartial, dossier.OnlineNone}

// maxFieldLen bounds the field parameter; field names are short.
const maxFieldLen = 200

// listProcedures serves GET /api/v1/procedures: the catalogue, or the
// procedures whose name (or code) has words starting with q, accents and
// case ignored ("dang ky khai sinh" finds "Thủ tục đăng ký khai sinh"),
// filtered by field, level and online mode; by field, then name.
func (h *handler) listProcedures(w http.ResponseWriter, r *http.Request) error {
	var q dossier.ProcedureQuery
	q.Text = param(r, "q")
	if utf8.RuneCountInString(q.Text) > maxQueryLen {
		return egov.FieldError("q", "error.too_long", "q", maxQueryLen)
	}
	q.Field = vntext.NFC(param(r, "field"))
	if utf8.RuneCountInString(q.Field) > maxFieldLen {
		return egov.FieldError("field", "error.too_long", "field", maxFieldLen)
	}
	level, err := intParam(r, "level", 0, 1, 9)
	if err != nil {
		return err
	}
	q.Level = level
	if s := param(r, "online_mode"); s != "" {
		q.OnlineMode = dossier.OnlineMode(s)
		if !validOnlineMode(q.OnlineMode) {
			return egov.FieldError("online_mode", "error.bad_online_mode", clip(s))
		}
	}
	ps, err := h.app.Procedures.List(r.Context(), q)
	if err != nil {
		return err
	}
	l := lang(r)
	out := make([]procedureSummary, 0, len(ps))
	for _, p := range ps {
		out = append(out, newProcedureSummary(l, p))
	}
	writeJSON(w, http.StatusOK, struct {
		Procedures []procedureSummary `json:"procedures"`
	}{out})
	return nil
}

func validOnlineMode(m dossier.OnlineMode) bool {
	for _, v := range onlineModes {
		if m == v {
			return true
		}
	}
	return false
}

// getProcedure serves GET /api/v1/procedures/{code}: the whole procedure as
// the catalogue holds it, with its form.
func (h *handler) getProcedure(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	if !dossier.ValidCode(code) {
		return egov.FieldError("code", "error.bad_procedure_code", clip(code))
	}
	p, err := h.app.Procedures.Get(r.Context(), code)
	if err != nil {
		return err
	}
	if p.LegalBasis == nil {
		p.LegalBasis = []string{}
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// exportProcedures serves GET /api/v1/procedures/export: the whole
// catalogue in the format import reads, as a file to save.
func (h *handler) exportProcedures(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.app.Procedures.List(r.Context(), dossier.ProcedureQuery{})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := dossier.WriteCatalogue(&buf, ps); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="thu-tuc.json"`)
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

// importResult is what an import did, or with dry_run what it would do.
type importResult struct {
	Added     int  `json:"added"`
	Changed   int  `json:"changed"`
	Unchanged int  `json:"unchanged"`
	DryRun    bool `json:"dry_run"`
}

// importProcedures serves POST /api/v1/procedures/import: a catalogue
// document (as export writes it) adds new procedures and replaces changed
// ones, all or nothing. With dry_run=true it is checked and counted but
// not stored. A catalogue with problems gets 400 with every problem and
// the path of its value.
func (h *handler) importProcedures(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	dryRun, err := boolParam(r, "dry_run")
	if err != nil {
		return err
	}
	// The permission first, so that only an administrator learns what is
	// wrong with a catalogue.
	if err := h.app.Identity.Can(r.Context(), a, identity.PermProceduresManage, 0); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, dossier.MaxCatalogueBytes)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if tooLarge(err) {
			return egov.Errorf(egov.ETOOLARGE, "error.body_too_large", dossier.MaxCatalogueBytes)
		}
		return egov.Errorf(egov.EINVALID, "error.json_truncated")
	}
	ps, err := dossier.ParseCatalogue(bytes.NewReader(body))
	if err != nil {
		return h.catalogueFailure(w, r, err)
	}
	var res dossier.ImportResult
	res, err = h.app.Procedures.Import(r.Context(), a, ps, dryRun)
	if err != nil {
		return h.catalogueFailure(w, r, err)
	}
	writeJSON(w, http.StatusOK, importResult{Added: res.Added, Changed: res.Changed, Unchanged: res.Unchanged, DryRun: dryRun})
	return nil
}

// problemJSON is one problem of a refused catalogue.
type problemJSON struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// catalogueFailure renders a refused catalogue: the usual error shape with
// the list of problems inside the error object. Other errors are returned
// for the usual rendering.
func (h *handler) catalogueFailure(w http.ResponseWriter, r *http.Request, err error) error {
	var ce dossier.CatalogueErrors
	if !errors.As(err, &ce) {
		return err
	}
	body := struct {
		Error struct {
			Code     string        `json:"code"`
			Message  string        `json:"message"`
			Problems []problemJSON `json:"problems"`
		} `json:"error"`
	}{}
	body.Error.Code = egov.EINVALID
	body.Error.Message = i18n.T(lang(r), "error.catalogue_invalid", len(ce))
	body.Error.Problems = make([]problemJSON, 0, len(ce))
	for _, p := range ce {
		body.Error.Problems = append(body.Error.Problems, problemJSON{Path: p.Path, Message: p.Msg})
	}
	writeJSON(w, http.StatusBadRequest, body)
	return nil
}

// boolParam reads a true/false parameter, false when absent.
func boolParam(r *http.Request, name string) (bool, error) {
	s := param(r, name)
	if s == "" {
		return false, nil
	}
	switch strings.ToLower(s) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, egov.FieldError(name, "error.bad_boolean", name)
}
