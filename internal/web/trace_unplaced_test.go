package web

import "testing"

// An error the domain puts on a field the form does not have still
// reaches the page.
func TestUnplacedErrors(t *testing.T) {
	fields := []traceField{{Name: "time"}, {Name: "output_qty"}}
	for _, c := range []struct {
		errs map[string]string
		want string
	}{
		{map[string]string{}, ""},
		{map[string]string{"output_qty": "placed"}, ""},
		{map[string]string{"": "the page's own"}, ""},
		{map[string]string{"quantity": "unplaced", "time": "placed"}, "unplaced"},
		{map[string]string{"b": "second", "a": "first"}, "first"},
	} {
		if got := unplaced(c.errs, fields); got != c.want {
			t.Errorf("unplaced(%v) = %q, want %q", c.errs, got, c.want)
		}
	}
}
