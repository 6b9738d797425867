package epcis

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/store"
)

// Certification schemes.
var CertSchemes = []string{"vietgap", "globalgap", "organic", "gi", "asc", "haccp", "other"}

// Certification is a certificate an organisation holds (VietGAP, GlobalGAP,
// organic, a geographical indication…), for the organisation as a whole
// or narrowed to one of its places or products.
type Certification struct {
	ID         int64     `json:"id"`
	OrgID      int64     `json:"orgId"`
	LocationID int64     `json:"locationId,omitempty"`
	ProductID  int64     `json:"productId,omitempty"`
	Scheme     string    `json:"scheme"`
	Number     string    `json:"number"`
	Issuer     string    `json:"issuer"`
	ValidFrom  string    `json:"validFrom"` // local dates, inclusive
	ValidTo    string    `json:"validTo"`
	CreatedAt  time.Time `json:"createdAt"`
}

func (s *Service) validateCert(ctx context.Context, c *Certification) error {
	c.Number, c.Issuer = text(c.Number), text(c.Issuer)
	from, okFrom := ParseDay(c.ValidFrom)
	to, okTo := ParseDay(c.ValidTo)
	switch {
	case !slices.Contains(CertSchemes, c.Scheme):
		return egov.FieldError("scheme", "trace.error.kind")
	case c.Number == "" || len(c.Number) > 100:
		return egov.FieldError("number", "trace.error.cert_number")
	case c.Issuer == "" || len(c.Issuer) > 200:
		return egov.FieldError("issuer", "trace.error.issuer")
	case !okFrom:
		return egov.FieldError("validFrom", "trace.error.date")
	case !okTo || to.Before(from):
		return egov.FieldError("validTo", "trace.error.valid_to")
	}
	if c.LocationID != 0 {
		l, err := s.LocationByID(ctx, c.LocationID)
		if err != nil || l.OrgID != c.OrgID {
			return egov.FieldError("locationId", "trace.error.location")
		}
	}
	if c.ProductID != 0 {
		p, err := s.ProductByID(ctx, c.ProductID)
		if err != nil || p.OrgID != c.OrgID {
			return egov.FieldError("productId", "trace.error.product")
		}
	}
	return nil
}

// CreateCertification records a certificate of the actor's organisation.
func (s *Service) CreateCertification(ctx context.Context, a *identity.Actor, c Certification) (*Certification, error) {
	org, err := s.ownerOrg(ctx, a, c.OrgID)
	if err != nil {
		return nil, err
	}
	c.OrgID = org
	if err := s.validateCert(ctx, &c); err != nil {
		return nil, err
	}
	c.CreatedAt = s.Now().UTC()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO trace_certifications (org_id, location_id, product_id, scheme, number, issuer,
			valid_from, valid_to, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.OrgID, nullID(c.LocationID), nullID(c.ProductID), c.Scheme, c.Number, c.Issuer, c.ValidFrom, c.ValidTo,
			store.FormatTime(c.CreatedAt)).Scan(&c.ID)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

const certColumns = `id, org_id, location_id, product_id, scheme, number, issuer, valid_from, valid_to, created_at`

func scanCert(row interface{ Scan(...any) error }) (*Certification, error) {
	var c Certification
	var loc, prod sql.NullInt64
	var created string
	err := row.Scan(&c.ID, &c.OrgID, &loc, &prod, &c.Scheme, &c.Number, &c.Issuer, &c.ValidFrom, &c.ValidTo, &created)
	if err != nil {
		return nil, notFound(err)
	}
	c.LocationID, c.ProductID = loc.Int64, prod.Int64
	c.CreatedAt, _ = store.ParseTime(created)
	return &c, nil
}

// Certifications lists an organisation's certificates, expired ones too
// (0: the actor's own organisation).
func (s *Service) Certifications(ctx context.Context, a *identity.Actor, org int64) ([]*Certification, error) {
	org, err := s.readOrg(ctx, a, org)
	if err != nil {
		return nil, err
	}
	return queryAll(ctx, s.db, scanCert, `SELECT `+certColumns+` FROM trace_certifications WHERE org_id = ? ORDER BY valid_to DESC, id`, org)
}

// CertSubjects are what a provenance page asks certificates about:
// organisations (their organisation-wide certificates), places and
// products (certificates narrowed to them).
type CertSubjects struct {
	Orgs, Locations, Products []int64
}

// CertificationsValid returns the certificates valid on day (a local
// date) that apply to any of the subjects: an organisation's certificates
// for the whole organisation, and those narrowed to one of the places or
// products. Public: the provenance page shows them.
func (s *Service) CertificationsValid(ctx context.Context, day time.Time, subj CertSubjects) ([]*Certification, error) {
	var or []string
	var args []any
	add := func(cond string, ids []int64) {
		if len(ids) == 0 {
			return
		}
		or = append(or, cond+" IN ("+placeholders(len(ids))+")")
		for _, id := range ids {
			args = append(args, id)
		}
	}
	add("location_id IS NULL AND product_id IS NULL AND org_id", subj.Orgs)
	add("location_id", subj.Locations)
	add("product_id", subj.Products)
	if len(or) == 0 {
		return nil, nil
	}
	d := day.Format(time.DateOnly)
	args = append(args, d, d)
	return queryAll(ctx, s.db, scanCert, `SELECT `+certColumns+` FROM trace_certifications WHERE (`+strings.Join(or, " OR ")+
		`) AND valid_from <= ? AND valid_to >= ? ORDER BY scheme, id`, args...)
}
