package epcis

import (
	"context"
	"slices"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/store"
)

// Product kinds: the chain a product belongs to.
var ProductKinds = []string{"paddy", "rice", "shrimp", "fruit", "other"}

// Units of measure quantities are counted in (UN/CEFACT codes, as EPCIS
// quantity elements take them).
var UOMs = []string{"KGM", "TNE", "EA", "LTR"}

// Product is a trade item: a GTIN when its owner has a GS1 company prefix,
// else a product class in the provincial scheme.
type Product struct {
	ID     int64  `json:"id"`
	OrgID  int64  `json:"orgId"` // the brand owner
	Kind   string `json:"kind"`
	GTIN   string `json:"gtin,omitempty"`
	Ref    string `json:"ref,omitempty"` // provincial class reference, without a GTIN
	NameVI string `json:"nameVi"`
	NameEN string `json:"nameEn,omitempty"`
	UOM    string `json:"uom"`
	// Identifier is the product class in events: its GTIN as a Digital
	// Link (AI 01) or its provincial URI.
	Identifier string    `json:"identifier"`
	CreatedAt  time.Time `json:"createdAt"`
}

// Name is the product's name in a language (vi or en), Vietnamese when no
// English name is known.
func (p *Product) Name(lang string) string {
	if lang == "en" && p.NameEN != "" {
		return p.NameEN
	}
	return p.NameVI
}

func (s *Service) validateProduct(ctx context.Context, p *Product) error {
	p.NameVI, p.NameEN = text(p.NameVI), text(p.NameEN)
	if p.UOM == "" {
		p.UOM = "KGM"
	}
	switch {
	case !slices.Contains(ProductKinds, p.Kind):
		return egov.FieldError("kind", "trace.error.kind")
	case p.NameVI == "":
		return egov.FieldError("nameVi", "trace.error.name_required")
	case !slices.Contains(UOMs, p.UOM):
		return egov.FieldError("uom", "trace.error.uom")
	case p.GTIN == "" && !refPattern.MatchString(p.Ref):
		return egov.FieldError("ref", "trace.error.ref")
	}
	if p.GTIN != "" {
		id, ok := gs1Identifier("01", p.GTIN)
		if !ok {
			return egov.FieldError("gtin", "trace.error.gtin")
		}
		p.Identifier, p.Ref = id, ""
		return nil
	}
	org, err := s.Organisation(ctx, p.OrgID)
	if err != nil {
		return err
	}
	id, ok := s.provincial(ProvincialID{Org: org.Code, Kind: "pr", Ref: p.Ref})
	if !ok {
		return egov.FieldError("gtin", "trace.error.no_scheme")
	}
	p.Identifier = id
	return nil
}

// CreateProduct registers a product of the actor's organisation.
func (s *Service) CreateProduct(ctx context.Context, a *identity.Actor, p Product) (*Product, error) {
	org, err := s.ownerOrg(ctx, a, p.OrgID)
	if err != nil {
		return nil, err
	}
	p.OrgID = org
	if err := s.validateProduct(ctx, &p); err != nil {
		return nil, err
	}
	p.CreatedAt = s.Now().UTC()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO trace_products (org_id, kind, gtin, ref, name_vi, name_en, uom, identifier, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.OrgID, p.Kind, p.GTIN, p.Ref, p.NameVI, p.NameEN, p.UOM,
			p.Identifier, store.FormatTime(p.CreatedAt)).Scan(&p.ID)
	})
	if err != nil {
		return nil, conflict(err, "gtin", "trace.error.identifier_exists")
	}
	return &p, nil
}

// UpdateProduct changes a product's kind, names and unit; its GTIN or
// reference stays, since events name it.
func (s *Service) UpdateProduct(ctx context.Context, a *identity.Actor, p Product) (*Product, error) {
	old, err := s.ProductByID(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if _, err := s.manage(ctx, a, old.OrgID); err != nil {
		return nil, err
	}
	p.OrgID, p.GTIN, p.Ref, p.CreatedAt = old.OrgID, old.GTIN, old.Ref, old.CreatedAt
	if err := s.validateProduct(ctx, &p); err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE trace_products SET kind = ?, name_vi = ?, name_en = ?, uom = ? WHERE id = ?`,
			p.Kind, p.NameVI, p.NameEN, p.UOM, p.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

const productColumns = `id, org_id, kind, gtin, ref, name_vi, name_en, uom, identifier, created_at`

func scanProduct(row interface{ Scan(...any) error }) (*Product, error) {
	var p Product
	var created string
	err := row.Scan(&p.ID, &p.OrgID, &p.Kind, &p.GTIN, &p.Ref, &p.NameVI, &p.NameEN, &p.UOM, &p.Identifier, &created)
	if err != nil {
		return nil, notFound(err)
	}
	p.CreatedAt, _ = store.ParseTime(created)
	return &p, nil
}

// ProductByID returns a product by its id.
func (s *Service) ProductByID(ctx context.Context, id int64) (*Product, error) {
	return scanProduct(s.db.QueryRowContext(ctx, `SELECT `+productColumns+` FROM trace_products WHERE id = ?`, id))
}

// Product returns a product by its identifier in any form: a GTIN's
// Digital Link or EPC class URN, or a provincial class URI. A lot's
// identifier finds its product too.
func (s *Service) Product(ctx context.Context, identifier string) (*Product, error) {
	c, err := s.Parser.IDs.Canonical(identifier)
	if err != nil {
		return nil, egov.Errorf(egov.ENOTFOUND, "error.not_found")
	}
	if k, err := ParseDigitalLink(c); err == nil && len(k) > 0 && k[0].AI == "01" {
		c = GS1Key(k[:1]).DigitalLink()
	} else if p, ok, _ := s.Parser.IDs.Provincial.Parse(c); ok && p.Kind == "pr" {
		c = s.Parser.IDs.Provincial.URI(ProvincialID{Org: p.Org, Kind: "pr", Ref: p.Ref})
	}
	return scanProduct(s.db.QueryRowContext(ctx, `SELECT `+productColumns+` FROM trace_products WHERE identifier = ?`, c))
}

// ProductByGTIN returns the product with a GTIN (8, 12, 13 or 14 digits).
func (s *Service) ProductByGTIN(ctx context.Context, gtin string) (*Product, error) {
	id, ok := gs1Identifier("01", gtin)
	if !ok {
		return nil, egov.Errorf(egov.ENOTFOUND, "error.not_found")
	}
	return scanProduct(s.db.QueryRowContext(ctx, `SELECT `+productColumns+` FROM trace_products WHERE identifier = ?`, id))
}

// Products lists an organisation's products (0: the actor's own).
func (s *Service) Products(ctx context.Context, a *identity.Actor, org int64) ([]*Product, error) {
	org, err := s.readOrg(ctx, a, org)
	if err != nil {
		return nil, err
	}
	return queryAll(ctx, s.db, scanProduct, `SELECT `+productColumns+` FROM trace_products WHERE org_id = ? ORDER BY name_vi, id`, org)
}
