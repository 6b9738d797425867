package web

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"egov"
	"egov/internal/dossier"
	"egov/internal/vntext"
)

// maxListed is the most procedures the catalogue page lists without a
// search or a filter; a larger catalogue shows its fields instead, so the
// page stays light on a phone.
const maxListed = 300

type proceduresData struct {
	*page
	Query  string
	Field  string
	Level  int
	Mode   string
	Fields []string
	Levels []int
	Modes  []dossier.OnlineMode
	// Filtered: a search or a filter was given.
	Filtered bool
	Count    int
	Groups   []procedureGroup
	// Index lists the fields with their counts when the catalogue is too
	// large to list unfiltered.
	Index []procedureGroup
}

// procedureGroup is the procedures of one field (lĩnh vực).
type procedureGroup struct {
	Field      string
	Count      int
	Procedures []procedureRow
}

// procedureRow is a procedure in a listing, its facts in words.
type procedureRow struct {
	Code, Name string
	Mode       dossier.OnlineMode
	ModeLabel  string
	TimeLimit  string
	Fee        string
}

// Levels and online modes the filters offer.
var (
	procedureLevels = []int{1, 2, 3}
	onlineModes     = []dossier.OnlineMode{dossier.OnlineFull, dossier.OnlinePartial, dossier.OnlineNone}
)

// proceduresList is the catalogue of administrative procedures: a search
// by name or code without accents ("dang ky khai sinh"), and filters by
// field, level and online mode; the results grouped by field.
func (h *handler) proceduresList(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "procedures.title", "procedures")
	qs := r.URL.Query()
	d := &proceduresData{page: p, Levels: procedureLevels, Modes: onlineModes}
	d.Query = clipRunes(strings.TrimSpace(qs.Get("q")), maxSearchLen)
	d.Field = clipRunes(vntext.NFC(strings.TrimSpace(qs.Get("field"))), 200)
	if s := strings.TrimSpace(qs.Get("level")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 9 {
			h.failBack(w, r, egov.Errorf(egov.EINVALID, "procedures.bad_filter"), "/procedures")
			return
		}
		d.Level = n
	}
	if s := strings.TrimSpace(qs.Get("online_mode")); s != "" {
		if !validMode(dossier.OnlineMode(s)) {
			h.failBack(w, r, egov.Errorf(egov.EINVALID, "procedures.bad_filter"), "/procedures")
			return
		}
		d.Mode = s
	}
	d.Filtered = d.Query != "" || d.Field != "" || d.Level != 0 || d.Mode != ""
	fields, err := h.app.Procedures.Fields(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Fields = fields
	ps, err := h.app.Procedures.List(r.Context(), dossier.ProcedureQuery{
		Text: d.Query, Field: d.Field, Level: d.Level, OnlineMode: dossier.OnlineMode(d.Mode)})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Count = len(ps)
	groups := groupByField(p.Lang, ps)
	if !d.Filtered && len(ps) > maxListed {
		for _, g := range groups {
			d.Index = append(d.Index, procedureGroup{Field: g.Field, Count: g.Count})
		}
	} else {
		d.Groups = groups
	}
	h.render(w, r, http.StatusOK, "procedures", d)
}

// groupByField groups procedures sorted by field (as List returns them).
func groupByField(lang string, ps []*dossier.Procedure) []procedureGroup {
	var out []procedureGroup
	for _, pr := range ps {
		if len(out) == 0 || out[len(out)-1].Field != pr.Field {
			out = append(out, procedureGroup{Field: pr.Field})
		}
		g := &out[len(out)-1]
		g.Count++
		g.Procedures = append(g.Procedures, procedureRow{Code: pr.Code, Name: pr.Name, Mode: pr.OnlineMode,
			ModeLabel: modeLabel(lang, pr.OnlineMode), TimeLimit: timeLimitShort(lang, pr.TimeLimit), Fee: feeShort(lang, &pr.Fee)})
	}
	return out
}

func validMode(m dossier.OnlineMode) bool {
	for _, v := range onlineModes {
		if v == m {
			return true
		}
	}
	return false
}

func modeLabel(lang string, m dossier.OnlineMode) string {
	return tr(lang, "procedure.mode."+string(m))
}

// timeLimitShort is a time limit in a few words: "Trong ngày", "3 ngày
// làm việc".
func timeLimitShort(lang string, t dossier.TimeLimit) string {
	if t.Kind == dossier.SameDay {
		return tr(lang, "procedure.time_limit.same_day")
	}
	return tr(lang, "procedure.time_limit.days", t.Days)
}

// feeShort is a fee in a few words: "Miễn phí", "10.000 đ", "Theo số trang".
func feeShort(lang string, f *dossier.Fee) string {
	switch f.Kind {
	case dossier.FeeFree:
		return tr(lang, "procedure.fee.short_free")
	case dossier.FeeFixed:
		if f.CopiesField != "" {
			return tr(lang, "procedure.fee.short_per_copy", money(lang, f.Amount))
		}
		return money(lang, f.Amount)
	case dossier.FeePerPage:
		return tr(lang, "procedure.fee.short_per_page")
	}
	return ""
}

// money writes an amount in đồng with the language's thousands separator:
// "200.000 đ", or "VND 200,000".
func money(lang string, n int64) string {
	return tr(lang, "format.money", thousands(lang, n))
}

// thousands writes n with the language's thousands separator: "200.000".
func thousands(lang string, n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := tr(lang, "format.thousands")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// clipRunes shortens s to at most n characters.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
