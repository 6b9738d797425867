package dossier

import (
	"fmt"
	"strconv"
)

// Fee is a procedure's fee rule (phí, lệ phí), in đồng.
type Fee struct {
	// Kind is "free", "fixed" (Amount, times the number in CopiesField
	// when set) or "per_page" (FirstRate for each of the first FirstPages
	// pages, Rate for each further page, at most Cap per copy; times the
	// number in CopiesField when set).
	Kind        string `json:"kind"`
	Amount      int64  `json:"amount,omitempty"`
	PageField   string `json:"page_field,omitempty"`
	CopiesField string `json:"copies_field,omitempty"`
	FirstPages  int64  `json:"first_pages,omitempty"`
	FirstRate   int64  `json:"first_rate,omitempty"`
	Rate        int64  `json:"rate,omitempty"`
	Cap         int64  `json:"cap,omitempty"`
	// Exemptions waive the fee when their checkbox field is ticked (e.g.
	// on-time birth registration, poor households).
	Exemptions []Exemption `json:"exemptions,omitempty"`
	// SetByProvince says the amount is set by the provincial People's
	// Council: the seeded value is a plausible one to be replaced.
	SetByProvince bool   `json:"set_by_province,omitempty"`
	Text          string `json:"text,omitempty"` // the fee as the law words it
}

// Exemption waives the fee when Field (a checkbox) is ticked.
type Exemption struct {
	Field string `json:"field"`
	Label string `json:"label"`
}

// Fee kinds.
const (
	FeeFree    = "free"
	FeeFixed   = "fixed"
	FeePerPage = "per_page"
)

func (f *Fee) check(form *Form) []Problem {
	var ps []Problem
	bad := func(path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	numberField := func(path, name string) {
		if name == "" {
			return
		}
		if fd := form.Field(name); fd == nil || fd.Type != TypeNumber {
			bad(path, "%q is not a number field of the form", name)
		}
	}
	switch f.Kind {
	case FeeFree:
		if f.Amount != 0 {
			bad("fee.amount", "a free procedure has no amount")
		}
	case FeeFixed:
		if f.Amount <= 0 || f.Amount > 100_000_000 {
			bad("fee.amount", "a fixed fee is from 1 to 100,000,000 đồng")
		}
	case FeePerPage:
		if f.PageField == "" {
			bad("fee.page_field", "a fee per page needs the form field that holds the number of pages")
		}
		if f.FirstPages < 0 || f.FirstRate < 0 || f.Rate <= 0 || f.Cap < 0 {
			bad("fee", "pages, rates and cap cannot be negative, and the rate is required")
		}
	default:
		bad("fee.kind", "%q is not free, fixed or per_page", f.Kind)
	}
	numberField("fee.page_field", f.PageField)
	numberField("fee.copies_field", f.CopiesField)
	for i, e := range f.Exemptions {
		if fd := form.Field(e.Field); fd == nil || fd.Type != TypeCheckbox {
			bad(fmt.Sprintf("fee.exemptions[%d].field", i), "%q is not a checkbox field of the form", e.Field)
		}
		if e.Label == "" {
			bad(fmt.Sprintf("fee.exemptions[%d].label", i), "an exemption needs a label")
		}
	}
	return ps
}

// Compute returns the fee for a dossier with these (validated) form values,
// and the exemption that waived it, if any.
func (f *Fee) Compute(values map[string]string) (amount int64, waivedBy *Exemption) {
	for i, e := range f.Exemptions {
		if values[e.Field] == "yes" {
			return 0, &f.Exemptions[i]
		}
	}
	num := func(name string, def int64) int64 {
		if name == "" {
			return def
		}
		n, err := strconv.ParseInt(values[name], 10, 64)
		if err != nil || n < 1 {
			return def
		}
		return n
	}
	copies := num(f.CopiesField, 1)
	switch f.Kind {
	case FeeFixed:
		return f.Amount * copies, nil
	case FeePerPage:
		pages := num(f.PageField, 1)
		first := min(pages, f.FirstPages)
		per := first*f.FirstRate + (pages-first)*f.Rate
		if f.Cap > 0 {
			per = min(per, f.Cap)
		}
		return per * copies, nil
	}
	return 0, nil
}
