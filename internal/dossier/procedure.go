// Package dossier is the one-stop shop (một cửa): the catalogue of
// administrative procedures (thủ tục hành chính) and, built on it, the
// citizens' dossiers (hồ sơ) with their legal deadlines.
//
// A procedure is data, not code: a province adds or changes one by
// importing the catalogue (JSON), and the form a citizen fills in is
// generated from the procedure's declarative form definition.
package dossier

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"egov/internal/vntext"
	"egov/internal/workcal"
)

// Procedure is one administrative procedure as published. The JSON form is
// the catalogue's exchange format (import, export, storage).
type Procedure struct {
	Code  string `json:"code"`  // national code (mã TTHC), e.g. "1.001193"
	Name  string `json:"name"`  // official Vietnamese name
	Field string `json:"field"` // lĩnh vực, e.g. "Hộ tịch"
	Level int    `json:"level"` // the unit level that resolves it: 1 province, 3 commune

	// The seven parts every published procedure must show (Decision
	// 766/QĐ-TTg): name (above), steps, channels, documents, time limit,
	// who may apply, and the implementing agency.
	Steps      []string   `json:"steps"`
	Channels   []Channel  `json:"channels"`
	Documents  []Document `json:"documents"`
	TimeLimit  TimeLimit  `json:"time_limit"`
	Applicants string     `json:"applicants"`
	Agency     string     `json:"agency"`
	OnlineMode OnlineMode `json:"online_mode"`
	// OnlineReason is the published reason why the procedure is not fully
	// online (Decree 224/2026): required unless OnlineMode is full.
	OnlineReason string   `json:"online_reason,omitempty"`
	Fee          Fee      `json:"fee"`
	Result       Result   `json:"result"`
	LegalBasis   []string `json:"legal_basis"`
	Form         Form     `json:"form"`
	// Where the figures come from and how sure they are ("confirmed",
	// "secondary", "unconfirmed"), so that a province knows what to check.
	Confidence string `json:"confidence,omitempty"`
	Source     string `json:"source,omitempty"`
	Note       string `json:"note,omitempty"`

	UpdatedAt time.Time `json:"-"`
}

// Channel is how a dossier reaches the agency; the numbers are the national
// portal's channel codes.
type Channel string

const (
	ChannelDirect Channel = "direct" // 1 trực tiếp
	ChannelOnline Channel = "online" // 2 trực tuyến
	ChannelPostal Channel = "postal" // 3 bưu chính công ích
)

// Code is the national portal's channel code.
func (c Channel) Code() int {
	switch c {
	case ChannelDirect:
		return 1
	case ChannelOnline:
		return 2
	case ChannelPostal:
		return 3
	}
	return 0
}

// OnlineMode is how far a procedure can be done online (Decree 42/2022,
// Decree 224/2026).
type OnlineMode string

const (
	OnlineFull    OnlineMode = "full"    // toàn trình: filing and resolution online
	OnlinePartial OnlineMode = "partial" // một phần: some step needs presence
	OnlineNone    OnlineMode = "none"    // không trực tuyến
)

// Document is one component of the dossier (thành phần hồ sơ).
type Document struct {
	Name     string `json:"name"`
	Copies   int    `json:"copies"`   // number of copies (số lượng bộ/bản)
	Kind     string `json:"kind"`     // "original", "copy", "certified_copy", "original_or_copy"
	Required bool   `json:"required"` // optional documents are needed only in some cases
	Note     string `json:"note,omitempty"`
}

// TimeLimit is the legal time limit.
type TimeLimit struct {
	// Kind is "working_days" (Days working days counted from the day after
	// receipt) or "same_day" (resolved on the day of receipt; a dossier
	// received after 15:00 on the next working day).
	Kind string `json:"kind"`
	Days int    `json:"days,omitempty"`
	Text string `json:"text,omitempty"` // the limit as the law words it
}

// Time limit kinds.
const (
	WorkingDays = "working_days"
	SameDay     = "same_day"
)

// Due returns the day the result is due for a dossier whose complete
// papers arrived at received.
func (t TimeLimit) Due(cal *workcal.Calendar, received time.Time) workcal.Date {
	if t.Kind == SameDay {
		return cal.ReceptionDate(received)
	}
	return cal.AddWorkingDays(workcal.LocalDate(received), t.Days)
}

// Result is what the citizen receives.
type Result struct {
	Name       string `json:"name"`       // e.g. "Giấy khai sinh"
	Electronic bool   `json:"electronic"` // an electronic result (Decree 45/2020)
	Paper      bool   `json:"paper"`
}

var procedureCode = regexp.MustCompile(`^[0-9]\.[0-9]{6}$`)

// ValidCode reports whether code has the form of a national procedure code
// (mã TTHC), e.g. 1.001193.
func ValidCode(code string) bool { return procedureCode.MatchString(code) }

// Problem is one thing wrong in a procedure definition, with the path of
// the value ("form.fields[2].type").
type Problem struct {
	Path string
	Msg  string
}

func (p Problem) String() string { return p.Path + ": " + p.Msg }

// Check returns every problem of the definition: missing parts of the
// seven, unknown kinds, and a form or fee that refers to fields it lacks.
// A procedure with problems is never stored.
func (p *Procedure) Check() []Problem {
	var ps []Problem
	bad := func(path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	p.normalise()
	if !procedureCode.MatchString(p.Code) {
		bad("code", "%q is not a national procedure code like 1.001193", p.Code)
	}
	if p.Name == "" || len(p.Name) > 500 {
		bad("name", "the name is required (at most 500 bytes)")
	}
	if p.Field == "" {
		bad("field", "the field (lĩnh vực) is required")
	}
	if p.Level < 1 || p.Level > 9 {
		bad("level", "the level of the resolving unit is a number from 1 to 9")
	}
	if len(p.Steps) == 0 {
		bad("steps", "the steps are one of the seven required parts")
	}
	for i, s := range p.Steps {
		if s == "" {
			bad(fmt.Sprintf("steps[%d]", i), "empty step")
		}
	}
	if len(p.Channels) == 0 {
		bad("channels", "the channels are one of the seven required parts")
	}
	seen := map[Channel]bool{}
	for i, c := range p.Channels {
		if c.Code() == 0 || seen[c] {
			bad(fmt.Sprintf("channels[%d]", i), "%q is not direct, online or postal, or repeats", c)
		}
		seen[c] = true
	}
	if len(p.Documents) == 0 {
		bad("documents", "the documents are one of the seven required parts")
	}
	for i, d := range p.Documents {
		path := fmt.Sprintf("documents[%d]", i)
		if d.Name == "" {
			bad(path+".name", "a document needs a name")
		}
		if d.Copies < 1 || d.Copies > 20 {
			bad(path+".copies", "the number of copies is from 1 to 20")
		}
		switch d.Kind {
		case "original", "copy", "certified_copy", "original_or_copy":
		default:
			bad(path+".kind", "%q is not original, copy, certified_copy or original_or_copy", d.Kind)
		}
	}
	switch p.TimeLimit.Kind {
	case SameDay:
	case WorkingDays:
		if p.TimeLimit.Days < 1 || p.TimeLimit.Days > 365 {
			bad("time_limit.days", "a time limit in working days is from 1 to 365")
		}
	default:
		bad("time_limit.kind", "%q is not working_days or same_day", p.TimeLimit.Kind)
	}
	if p.Applicants == "" {
		bad("applicants", "who may apply is one of the seven required parts")
	}
	if p.Agency == "" {
		bad("agency", "the implementing agency is one of the seven required parts")
	}
	switch p.OnlineMode {
	case OnlineFull:
		if !seen[ChannelOnline] {
			bad("channels", "a fully online procedure must accept the online channel")
		}
	case OnlinePartial, OnlineNone:
		if p.OnlineReason == "" {
			bad("online_reason", "a procedure that is not fully online must publish why (Decree 224/2026)")
		}
	default:
		bad("online_mode", "%q is not full, partial or none", p.OnlineMode)
	}
	if p.Result.Name == "" || (!p.Result.Electronic && !p.Result.Paper) {
		bad("result", "the result needs a name and a kind (electronic, paper or both)")
	}
	switch p.Confidence {
	case "", "confirmed", "secondary", "unconfirmed":
	default:
		bad("confidence", "%q is not confirmed, secondary or unconfirmed", p.Confidence)
	}
	ps = append(ps, p.Form.check()...)
	ps = append(ps, p.Fee.check(&p.Form)...)
	return ps
}

// normalise puts text in NFC without stray spaces.
func (p *Procedure) normalise() {
	clean := func(s string) string { return strings.TrimSpace(vntext.NFC(s)) }
	p.Code, p.Name, p.Field = clean(p.Code), clean(p.Name), clean(p.Field)
	p.Applicants, p.Agency, p.OnlineReason = clean(p.Applicants), clean(p.Agency), clean(p.OnlineReason)
	p.Note, p.Source = clean(p.Note), clean(p.Source)
	for i := range p.Steps {
		p.Steps[i] = clean(p.Steps[i])
	}
	for i := range p.Documents {
		p.Documents[i].Name = clean(p.Documents[i].Name)
	}
	for i := range p.LegalBasis {
		p.LegalBasis[i] = clean(p.LegalBasis[i])
	}
	if p.LegalBasis == nil {
		// One form for "none", so that a catalogue read from JSON or from a
		// spreadsheet compares equal to the stored one.
		p.LegalBasis = []string{}
	}
	p.Result.Name = clean(p.Result.Name)
	p.TimeLimit.Text = clean(p.TimeLimit.Text)
}
