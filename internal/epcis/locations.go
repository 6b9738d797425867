package epcis

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/store"
)

// Location kinds.
var LocationKinds = []string{"field", "pond", "orchard", "drying_yard", "mill", "plant", "packhouse", "warehouse", "shop", "port"}

// Location is a place of the chains: where events happen (readPoint) and
// where goods are (bizLocation). Parent places contain their children, so
// WD_readPoint and WD_bizLocation on a mill find the events at its yards.
type Location struct {
	ID       int64    `json:"id"`
	OrgID    int64    `json:"orgId"`
	ParentID int64    `json:"parentId,omitempty"`
	Kind     string   `json:"kind"`
	Ref      string   `json:"ref"` // the organisation's own reference
	Name     string   `json:"name"`
	UnitID   int64    `json:"unitId,omitempty"`
	Lat      *float64 `json:"latitude,omitempty"`
	Lon      *float64 `json:"longitude,omitempty"`
	AreaM2   *float64 `json:"areaM2,omitempty"`
	// GLN is the location's GLN when it has one (input only; stored in
	// Identifier).
	GLN string `json:"gln,omitempty"`
	// Identifier is the location in events: its GLN as a Digital Link (AI
	// 414) or its provincial URI.
	Identifier string    `json:"identifier"`
	CreatedAt  time.Time `json:"createdAt"`
}

func (s *Service) validateLocation(ctx context.Context, l *Location) error {
	l.Name = text(l.Name)
	switch {
	case !slices.Contains(LocationKinds, l.Kind):
		return egov.FieldError("kind", "trace.error.kind")
	case !refPattern.MatchString(l.Ref):
		return egov.FieldError("ref", "trace.error.ref")
	case l.Name == "":
		return egov.FieldError("name", "trace.error.name_required")
	case l.Lat != nil && (*l.Lat < -90 || *l.Lat > 90) || (l.Lat == nil) != (l.Lon == nil):
		return egov.FieldError("latitude", "trace.error.coordinates")
	case l.Lon != nil && (*l.Lon < -180 || *l.Lon > 180):
		return egov.FieldError("longitude", "trace.error.coordinates")
	case l.AreaM2 != nil && *l.AreaM2 <= 0:
		return egov.FieldError("areaM2", "trace.error.area")
	}
	if l.ParentID != 0 {
		p, err := s.LocationByID(ctx, l.ParentID)
		if err != nil || p.OrgID != l.OrgID || p.ID == l.ID {
			return egov.FieldError("parentId", "trace.error.parent")
		}
	}
	if l.GLN != "" {
		id, ok := gs1Identifier("414", l.GLN)
		if !ok {
			return egov.FieldError("gln", "trace.error.gln")
		}
		l.Identifier = id
		return nil
	}
	org, err := s.Organisation(ctx, l.OrgID)
	if err != nil {
		return err
	}
	id, ok := s.provincial(ProvincialID{Org: org.Code, Kind: "loc", Ref: l.Ref})
	if !ok {
		return egov.FieldError("gln", "trace.error.no_scheme")
	}
	l.Identifier = id
	return nil
}

// CreateLocation registers a place of the actor's organisation (an
// administrator names the organisation in l.OrgID).
func (s *Service) CreateLocation(ctx context.Context, a *identity.Actor, l Location) (*Location, error) {
	org, err := s.ownerOrg(ctx, a, l.OrgID)
	if err != nil {
		return nil, err
	}
	l.OrgID, l.ID = org, 0
	if err := s.validateLocation(ctx, &l); err != nil {
		return nil, err
	}
	l.CreatedAt = s.Now().UTC()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO trace_locations (org_id, parent_id, kind, ref, name, unit_id, latitude, longitude,
			area_m2, identifier, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			l.OrgID, nullID(l.ParentID), l.Kind, l.Ref, l.Name, nullID(l.UnitID), nullFloat(l.Lat), nullFloat(l.Lon),
			nullFloat(l.AreaM2), l.Identifier, store.FormatTime(l.CreatedAt)).Scan(&l.ID)
	})
	if err != nil {
		return nil, conflict(err, "ref", "trace.error.identifier_exists")
	}
	return &l, nil
}

// UpdateLocation changes a place's name, kind, parent, unit, coordinates
// and area; its reference and identifier stay, since events name it.
func (s *Service) UpdateLocation(ctx context.Context, a *identity.Actor, l Location) (*Location, error) {
	old, err := s.LocationByID(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	if _, err := s.manage(ctx, a, old.OrgID); err != nil {
		return nil, err
	}
	l.OrgID, l.Ref, l.GLN, l.CreatedAt = old.OrgID, old.Ref, "", old.CreatedAt
	if err := s.validateLocation(ctx, &l); err != nil {
		return nil, err
	}
	if l.ParentID != 0 && s.isWithin(ctx, l.ParentID, l.ID) {
		return nil, egov.FieldError("parentId", "trace.error.parent")
	}
	l.Identifier = old.Identifier
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE trace_locations SET parent_id = ?, kind = ?, name = ?, unit_id = ?, latitude = ?,
			longitude = ?, area_m2 = ? WHERE id = ?`, nullID(l.ParentID), l.Kind, l.Name, nullID(l.UnitID), nullFloat(l.Lat),
			nullFloat(l.Lon), nullFloat(l.AreaM2), l.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// isWithin reports whether location id lies within location ancestor (or
// is it), walking up the parents.
func (s *Service) isWithin(ctx context.Context, id, ancestor int64) bool {
	for range 64 {
		if id == ancestor {
			return true
		}
		var parent sql.NullInt64
		if err := s.db.QueryRowContext(ctx, `SELECT parent_id FROM trace_locations WHERE id = ?`, id).Scan(&parent); err != nil || !parent.Valid {
			return false
		}
		id = parent.Int64
	}
	return true
}

const locationColumns = `id, org_id, parent_id, kind, ref, name, unit_id, latitude, longitude, area_m2, identifier, created_at`

func scanLocation(row interface{ Scan(...any) error }) (*Location, error) {
	var l Location
	var parent, unit sql.NullInt64
	var lat, lon, area sql.NullFloat64
	var created string
	err := row.Scan(&l.ID, &l.OrgID, &parent, &l.Kind, &l.Ref, &l.Name, &unit, &lat, &lon, &area, &l.Identifier, &created)
	if err != nil {
		return nil, notFound(err)
	}
	l.ParentID, l.UnitID = parent.Int64, unit.Int64
	l.Lat, l.Lon, l.AreaM2 = floatPtr(lat), floatPtr(lon), floatPtr(area)
	l.CreatedAt, _ = store.ParseTime(created)
	return &l, nil
}

// LocationByID returns a place by its id.
func (s *Service) LocationByID(ctx context.Context, id int64) (*Location, error) {
	return scanLocation(s.db.QueryRowContext(ctx, `SELECT `+locationColumns+` FROM trace_locations WHERE id = ?`, id))
}

// Location returns a place by its identifier in any form (an event's
// readPoint or bizLocation, a GLN Digital Link, an SGLN URN, a
// provincial URI).
func (s *Service) Location(ctx context.Context, identifier string) (*Location, error) {
	c, err := s.Parser.IDs.Canonical(identifier)
	if err != nil {
		return nil, egov.Errorf(egov.ENOTFOUND, "error.not_found")
	}
	return scanLocation(s.db.QueryRowContext(ctx, `SELECT `+locationColumns+` FROM trace_locations WHERE identifier = ?`, c))
}

// Locations lists an organisation's places by reference (0: the actor's
// own organisation).
func (s *Service) Locations(ctx context.Context, a *identity.Actor, org int64) ([]*Location, error) {
	org, err := s.readOrg(ctx, a, org)
	if err != nil {
		return nil, err
	}
	return queryAll(ctx, s.db, scanLocation, `SELECT `+locationColumns+` FROM trace_locations WHERE org_id = ? ORDER BY ref`, org)
}

// readOrg is the organisation a list is read for: master data is public,
// so any trace actor may read any organisation's; 0 means its own.
func (s *Service) readOrg(ctx context.Context, a *identity.Actor, org int64) (int64, error) {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return 0, err
	}
	if org == 0 {
		org = acc.Org
	}
	if org == 0 {
		return 0, egov.FieldError("org", "trace.error.org_required")
	}
	return org, nil
}

// descendantLocations is the SQL of the identifiers of n given locations
// and of every location within them, for WD_readPoint and WD_bizLocation.
func descendantLocations(n int) string {
	return `WITH RECURSIVE d (id, identifier) AS (SELECT id, identifier FROM trace_locations WHERE identifier IN (` + placeholders(n) + `)
		UNION SELECT l.id, l.identifier FROM trace_locations l JOIN d ON l.parent_id = d.id) SELECT identifier FROM d`
}
