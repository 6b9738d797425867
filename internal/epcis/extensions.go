package epcis

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Extension is one scalar value of an extension field, for the queries.
type Extension struct {
	Scope string // "" for a top-level field, ILMD for the ilmd's
	Name  string // as sent: prefix:local
	IRI   string // {namespace}local, when the prefix is known
	Value string
	Num   *float64
}

// extensions lists the scalar values of an event's top-level and ILMD
// extension fields (nested objects are not indexed).
func extensions(ev *Event) []Extension {
	ns := namespaces(ev.Context)
	if own, ok := ev.Body["@context"]; ok {
		for k, v := range namespaces(own) {
			ns[k] = v
		}
	}
	var out []Extension
	add := func(scope, name string, v any) {
		iri := name
		if prefix, local, ok := strings.Cut(name, ":"); ok && ns[prefix] != "" {
			iri = "{" + ns[prefix] + "}" + local
		}
		var vals []any
		if arr, ok := v.([]any); ok {
			vals = arr
		} else {
			vals = []any{v}
		}
		for _, x := range vals {
			e := Extension{Scope: scope, Name: name, IRI: iri}
			switch y := x.(type) {
			case string:
				e.Value = y
				if f, err := strconv.ParseFloat(y, 64); err == nil {
					e.Num = &f
				}
			case json.Number:
				e.Value = string(y)
				if f, err := y.Float64(); err == nil {
					e.Num = &f
				}
			case bool:
				e.Value = strconv.FormatBool(y)
			default:
				continue
			}
			out = append(out, e)
		}
	}
	std := eventProps[ev.Type]
	for k, v := range ev.Body {
		if strings.Contains(k, ":") && !isStandard(k, std) {
			add("", k, v)
		}
	}
	if il, ok := ev.Body["ilmd"].(map[string]any); ok {
		for k, v := range il {
			add("ILMD", k, v)
		}
	}
	return out
}

func isStandard(k string, std []string) bool {
	for _, s := range std {
		if s == k {
			return true
		}
	}
	for _, s := range commonProps {
		if s == k {
			return true
		}
	}
	return false
}
