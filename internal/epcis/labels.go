package epcis

import (
	"context"

	"egov"
	"egov/internal/identity"
)

// LabelText is what a QR label carries: the Digital Link URI on this
// resolver, and the product's name and the lot printed under the code.
type LabelText struct {
	URI     string
	Product string
	Lot     string
}

// LabelFor returns the label of an identifier (a lot, an item, a logistic
// unit, in any form) for an operator who prints labels: its URI on the
// resolver at origin, and from the master data the product's name in lang.
func (s *Service) LabelFor(ctx context.Context, a *identity.Actor, origin, id, lang string) (*LabelText, error) {
	if _, err := s.AccessOf(ctx, a); err != nil {
		return nil, err
	}
	starts, err := s.startIDs(id)
	if err != nil {
		return nil, err
	}
	c := starts[0]
	l := &LabelText{URI: s.ResolverURI(origin, c)}
	if p, err := s.Product(ctx, c); err == nil {
		l.Product = p.Name(lang)
	}
	if k, err := ParseDigitalLink(c); err == nil {
		for _, v := range k {
			switch {
			case v.AI == "01" && l.Product == "":
				l.Product = "GTIN " + v.Value
			case v.AI == "00":
				l.Product = "SSCC " + v.Value
			case v.AI == "10":
				l.Lot = v.Value
			}
		}
	} else if p, ok, _ := s.Parser.IDs.Provincial.Parse(c); ok {
		if l.Product == "" {
			l.Product = p.Ref
		}
		l.Lot = p.Lot
	}
	if len(l.URI) > 512 {
		return nil, egov.FieldError("id", "tracing.error.id")
	}
	return l, nil
}
