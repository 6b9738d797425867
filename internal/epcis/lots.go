package epcis

import (
	"context"
	"database/sql"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/store"
)

// Lot is a batch of a product with its master data: who made it, the
// variety, the harvest (or production) date, the field or pond it came
// from and that place's area sown or stocked.
type Lot struct {
	ID          int64    `json:"id"`
	ProductID   int64    `json:"productId"`
	OrgID       int64    `json:"orgId"`
	Lot         string   `json:"lot"`
	Variety     string   `json:"variety,omitempty"`
	HarvestDate string   `json:"harvestDate,omitempty"` // local date YYYY-MM-DD
	LocationID  int64    `json:"locationId,omitempty"`
	AreaM2      *float64 `json:"areaM2,omitempty"`
	Quantity    *float64 `json:"quantity,omitempty"` // in the product's unit
	Note        string   `json:"note,omitempty"`
	// Identifier is the lot in events: GTIN and lot as a Digital Link (AI
	// 01/10) or the provincial …/pr/{ref}/lot/{lot}.
	Identifier string    `json:"identifier"`
	CreatedAt  time.Time `json:"createdAt"`
}

func (s *Service) validateLot(ctx context.Context, l *Lot, p *Product) error {
	l.Variety, l.Note = text(l.Variety), text(l.Note)
	switch {
	case !validLot(l.Lot):
		return egov.FieldError("lot", "trace.error.lot")
	case l.HarvestDate != "" && !validDay(l.HarvestDate):
		return egov.FieldError("harvestDate", "trace.error.date")
	case l.AreaM2 != nil && *l.AreaM2 <= 0:
		return egov.FieldError("areaM2", "trace.error.area")
	case l.Quantity != nil && *l.Quantity < 0:
		return egov.FieldError("quantity", "trace.error.quantity")
	case len(l.Note) > 500:
		return egov.FieldError("note", "trace.error.too_long")
	}
	if l.LocationID != 0 {
		loc, err := s.LocationByID(ctx, l.LocationID)
		if err != nil || loc.OrgID != l.OrgID {
			return egov.FieldError("locationId", "trace.error.location")
		}
	}
	l.Identifier = LotIdentifier(s.Parser.IDs.Provincial, p, l.Lot)
	return nil
}

func validDay(s string) bool { _, ok := ParseDay(s); return ok }

// LotIdentifier is the identifier of lot lot of product p.
func LotIdentifier(pv Provincial, p *Product, lot string) string {
	if p.GTIN != "" {
		k, _ := ParseDigitalLink(p.Identifier)
		return append(k[:1:1], AIValue{AI: "10", Value: lot}).DigitalLink()
	}
	id, _, _ := pv.Parse(p.Identifier)
	id.Lot = lot
	return pv.URI(id)
}

// CreateLot registers a lot made by the actor's organisation, of one of
// its products.
func (s *Service) CreateLot(ctx context.Context, a *identity.Actor, l Lot) (*Lot, error) {
	p, err := s.ProductByID(ctx, l.ProductID)
	if err != nil {
		return nil, egov.FieldError("productId", "trace.error.product")
	}
	org, err := s.ownerOrg(ctx, a, l.OrgID)
	if err != nil {
		return nil, err
	}
	if l.OrgID == 0 {
		org = p.OrgID
		if _, err := s.manage(ctx, a, org); err != nil {
			return nil, err
		}
	}
	l.OrgID = org
	if err := s.validateLot(ctx, &l, p); err != nil {
		return nil, err
	}
	l.CreatedAt = s.Now().UTC()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO trace_lots (product_id, org_id, lot, variety, harvest_date, location_id, area_m2,
			quantity, note, identifier, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			l.ProductID, l.OrgID, l.Lot, l.Variety, l.HarvestDate, nullID(l.LocationID), nullFloat(l.AreaM2),
			nullFloat(l.Quantity), l.Note, l.Identifier, store.FormatTime(l.CreatedAt)).Scan(&l.ID)
	})
	if err != nil {
		return nil, conflict(err, "lot", "trace.error.lot_exists")
	}
	return &l, nil
}

const lotColumns = `id, product_id, org_id, lot, variety, harvest_date, location_id, area_m2, quantity, note, identifier, created_at`

func scanLot(row interface{ Scan(...any) error }) (*Lot, error) {
	var l Lot
	var loc sql.NullInt64
	var area, qty sql.NullFloat64
	var created string
	err := row.Scan(&l.ID, &l.ProductID, &l.OrgID, &l.Lot, &l.Variety, &l.HarvestDate, &loc, &area, &qty, &l.Note, &l.Identifier, &created)
	if err != nil {
		return nil, notFound(err)
	}
	l.LocationID, l.AreaM2, l.Quantity = loc.Int64, floatPtr(area), floatPtr(qty)
	l.CreatedAt, _ = store.ParseTime(created)
	return &l, nil
}

// Lot returns lot lot of a product given by its identifier in any form
// (for /01/{gtin}/10/{lot}: the GTIN's Digital Link).
func (s *Service) Lot(ctx context.Context, product, lot string) (*Lot, error) {
	p, err := s.Product(ctx, product)
	if err != nil {
		return nil, err
	}
	return scanLot(s.db.QueryRowContext(ctx, `SELECT `+lotColumns+` FROM trace_lots WHERE product_id = ? AND lot = ?`, p.ID, lot))
}

// LotByIdentifier returns a lot by its identifier in any form (an LGTIN
// Digital Link or URN, a provincial lot URI): what a quantity element of
// an event names.
func (s *Service) LotByIdentifier(ctx context.Context, identifier string) (*Lot, error) {
	c, err := s.Parser.IDs.Canonical(identifier)
	if err != nil {
		return nil, egov.Errorf(egov.ENOTFOUND, "error.not_found")
	}
	return scanLot(s.db.QueryRowContext(ctx, `SELECT `+lotColumns+` FROM trace_lots WHERE identifier = ?`, c))
}

// LotByID returns a lot by its id.
func (s *Service) LotByID(ctx context.Context, id int64) (*Lot, error) {
	return scanLot(s.db.QueryRowContext(ctx, `SELECT `+lotColumns+` FROM trace_lots WHERE id = ?`, id))
}

// Lots lists an organisation's lots, newest first, at most limit (0: the
// actor's own organisation).
func (s *Service) Lots(ctx context.Context, a *identity.Actor, org int64, limit int) ([]*Lot, error) {
	org, err := s.readOrg(ctx, a, org)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	return queryAll(ctx, s.db, scanLot, `SELECT `+lotColumns+` FROM trace_lots WHERE org_id = ? ORDER BY id DESC LIMIT ?`, org, limit)
}
