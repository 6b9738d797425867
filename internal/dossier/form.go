package dossier

import (
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"egov"
	"egov/internal/identity"
	"egov/internal/vntext"
	"egov/internal/workcal"
)

// Form is a procedure's declarative form (tờ khai): the fields a citizen
// fills in, grouped in steps. It is stored with the procedure, so a
// province changes a form without a release.
type Form struct {
	Fields []FormField `json:"fields"`
	// Steps group the fields into the pages of the online form; without
	// steps every field is on one page.
	Steps []FormStep `json:"steps,omitempty"`
}

// FormStep is one page of the form.
type FormStep struct {
	Title   string   `json:"title"`
	TitleEN string   `json:"title_en,omitempty"`
	Fields  []string `json:"fields"`
}

// FormField is one input.
type FormField struct {
	Name     string   `json:"name"` // [a-z][a-z0-9_]*, unique in the form
	Label    string   `json:"label"`
	LabelEN  string   `json:"label_en,omitempty"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Help     string   `json:"help,omitempty"`
	Options  []Option `json:"options,omitempty"` // select
	Min      *int64   `json:"min,omitempty"`     // number
	Max      *int64   `json:"max,omitempty"`     // number
	// MaxLength bounds text (default 500 characters, 4,000 for textarea).
	MaxLength int `json:"max_length,omitempty"`
	// NotFuture refuses dates after today (a date of birth, of death).
	NotFuture bool `json:"not_future,omitempty"`
}

// Option is one choice of a select field.
type Option struct {
	Value   string `json:"value"`
	Label   string `json:"label"`
	LabelEN string `json:"label_en,omitempty"`
}

// Field types.
const (
	TypeText     = "text"
	TypeTextarea = "textarea"
	TypeNumber   = "number" // a whole number
	TypeDate     = "date"   // YYYY-MM-DD
	TypeSelect   = "select"
	TypeCheckbox = "checkbox" // "yes" when ticked
	TypeCCCD     = "cccd"     // a 12-digit citizen ID
	TypePhone    = "phone"
	TypeEmail    = "email"
	TypeFile     = "file" // an attached document
)

var fieldTypes = map[string]bool{TypeText: true, TypeTextarea: true, TypeNumber: true, TypeDate: true, TypeSelect: true,
	TypeCheckbox: true, TypeCCCD: true, TypePhone: true, TypeEmail: true, TypeFile: true}

var fieldName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Field returns the field named name, or nil.
func (f *Form) Field(name string) *FormField {
	for i := range f.Fields {
		if f.Fields[i].Name == name {
			return &f.Fields[i]
		}
	}
	return nil
}

func (f *Form) check() []Problem {
	var ps []Problem
	bad := func(path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if len(f.Fields) == 0 {
		bad("form.fields", "a form needs at least one field")
	}
	if len(f.Fields) > 200 {
		bad("form.fields", "at most 200 fields")
	}
	seen := map[string]bool{}
	for i := range f.Fields {
		fd := &f.Fields[i]
		path := fmt.Sprintf("form.fields[%d]", i)
		fd.Label = strings.TrimSpace(vntext.NFC(fd.Label))
		if !fieldName.MatchString(fd.Name) {
			bad(path+".name", "%q is not a field name (a-z, 0-9, _; starting with a letter)", fd.Name)
		} else if seen[fd.Name] {
			bad(path+".name", "%q repeats", fd.Name)
		}
		seen[fd.Name] = true
		if fd.Label == "" {
			bad(path+".label", "a field needs a label")
		}
		if !fieldTypes[fd.Type] {
			bad(path+".type", "%q is not a field type", fd.Type)
		}
		if fd.Type == TypeSelect {
			if len(fd.Options) == 0 {
				bad(path+".options", "a select field needs options")
			}
			vals := map[string]bool{}
			for j, o := range fd.Options {
				if o.Value == "" || o.Label == "" || vals[o.Value] {
					bad(fmt.Sprintf("%s.options[%d]", path, j), "an option needs a unique value and a label")
				}
				vals[o.Value] = true
			}
		} else if len(fd.Options) > 0 {
			bad(path+".options", "only select fields have options")
		}
		if (fd.Min != nil || fd.Max != nil) && fd.Type != TypeNumber {
			bad(path, "only number fields have min and max")
		}
		if fd.Min != nil && fd.Max != nil && *fd.Min > *fd.Max {
			bad(path, "min is greater than max")
		}
		if fd.MaxLength < 0 || fd.MaxLength > 10000 {
			bad(path+".max_length", "max_length is from 1 to 10000")
		}
		if fd.NotFuture && fd.Type != TypeDate {
			bad(path+".not_future", "only date fields can refuse future dates")
		}
	}
	inStep := map[string]bool{}
	for i, st := range f.Steps {
		path := fmt.Sprintf("form.steps[%d]", i)
		if strings.TrimSpace(st.Title) == "" {
			bad(path+".title", "a step needs a title")
		}
		for _, n := range st.Fields {
			if !seen[n] {
				bad(path+".fields", "no field named %q", n)
			} else if inStep[n] {
				bad(path+".fields", "%q is already in a step", n)
			}
			inStep[n] = true
		}
	}
	if len(f.Steps) > 0 {
		for _, fd := range f.Fields {
			if !inStep[fd.Name] {
				bad("form.steps", "field %q is in no step", fd.Name)
			}
		}
	}
	return ps
}

// Pages returns the form's steps; a form without steps is one page.
func (f *Form) Pages() []FormStep {
	if len(f.Steps) > 0 {
		return f.Steps
	}
	st := FormStep{Title: "Thông tin", TitleEN: "Information"}
	for _, fd := range f.Fields {
		st.Fields = append(st.Fields, fd.Name)
	}
	return []FormStep{st}
}

// Validate checks values against the form and returns the cleaned values
// and one error per wrong field (field name → error with a message key).
// Values for unknown fields are an error too. A file field's value is a
// note on the document (its number and date, or that the original will be
// brought); only its length is checked here.
func (f *Form) Validate(values map[string]string, today workcal.Date) (map[string]string, map[string]*egov.Error) {
	return f.ValidateWith(values, nil, today)
}

// ValidateWith is Validate for a dossier with attachments: a required file
// field is filled by a note or by an attachment answering it (attached
// names the fields that have one).
func (f *Form) ValidateWith(values map[string]string, attached map[string]bool, today workcal.Date) (map[string]string, map[string]*egov.Error) {
	clean := map[string]string{}
	errs := map[string]*egov.Error{}
	for name := range values {
		if f.Field(name) == nil {
			errs[name] = egov.FieldError(name, "form.unknown_field", name)
		}
	}
	for _, fd := range f.Fields {
		v := strings.TrimSpace(vntext.NFC(values[fd.Name]))
		if v == "" {
			if fd.Required && fd.Type != TypeCheckbox && !(fd.Type == TypeFile && attached[fd.Name]) {
				errs[fd.Name] = egov.FieldError(fd.Name, "form.required")
			}
			continue
		}
		if err := fd.validate(&v, today); err != nil {
			errs[fd.Name] = err
			continue
		}
		clean[fd.Name] = v
	}
	return clean, errs
}

func (fd *FormField) validate(v *string, today workcal.Date) *egov.Error {
	fe := func(key string, args ...any) *egov.Error { return egov.FieldError(fd.Name, key, args...) }
	switch fd.Type {
	case TypeText, TypeTextarea:
		max := fd.MaxLength
		if max == 0 {
			max = 500
			if fd.Type == TypeTextarea {
				max = 4000
			}
		}
		if utf8.RuneCountInString(*v) > max {
			return fe("form.too_long", max)
		}
	case TypeNumber:
		n, err := strconv.ParseInt(*v, 10, 64)
		if err != nil {
			return fe("form.not_number")
		}
		if (fd.Min != nil && n < *fd.Min) || (fd.Max != nil && n > *fd.Max) {
			lo, hi := int64(-1<<62), int64(1<<62)
			if fd.Min != nil {
				lo = *fd.Min
			}
			if fd.Max != nil {
				hi = *fd.Max
			}
			return fe("form.number_range", lo, hi)
		}
		*v = strconv.FormatInt(n, 10)
	case TypeDate:
		d, err := workcal.ParseDate(*v)
		if err != nil {
			return fe("form.bad_date")
		}
		if fd.NotFuture && d.After(today) {
			return fe("form.future_date")
		}
	case TypeSelect:
		for _, o := range fd.Options {
			if o.Value == *v {
				return nil
			}
		}
		return fe("form.bad_option")
	case TypeCheckbox:
		if *v != "yes" {
			return fe("form.bad_option")
		}
	case TypeCCCD:
		if _, err := identity.ParseCitizenID(*v, today.Time(time.UTC)); err != nil {
			key, args := egov.ErrorKey(err)
			return fe(key, args...)
		}
	case TypePhone:
		*v = strings.ReplaceAll(*v, " ", "")
		if !identity.ValidPhone(*v) {
			return fe("user.phone_invalid")
		}
	case TypeEmail:
		if a, err := mail.ParseAddress(*v); err != nil || a.Address != *v || len(*v) > 254 {
			return fe("user.email_invalid")
		}
	case TypeFile:
		if len(*v) > 200 {
			return fe("form.bad_option")
		}
	}
	return nil
}
