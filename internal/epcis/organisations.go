package epcis

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
)

// Organisation kinds: who takes part in a chain.
const (
	OrgProducer    = "producer"    // a farm household or company
	OrgCooperative = "cooperative" // hợp tác xã
	OrgMill        = "mill"        // rice mill, dryer
	OrgProcessor   = "processor"   // seafood or fruit processing plant
	OrgPacker      = "packer"      // packs retail units
	OrgTrader      = "trader"      // thương lái, wholesaler
	OrgRetailer    = "retailer"
	OrgExporter    = "exporter"
)

// OrgKinds lists the kinds in the order forms show them.
var OrgKinds = []string{OrgProducer, OrgCooperative, OrgMill, OrgProcessor, OrgPacker, OrgTrader, OrgRetailer, OrgExporter}

// Organisation is a party of the chains.
type Organisation struct {
	ID      int64  `json:"id"`
	Code    string `json:"code"` // the provincial producer code
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	UnitID  int64  `json:"unit_id"`
	Address string `json:"address,omitempty"`
	GCP     string `json:"gcp,omitempty"` // GS1 company prefix
	GLN     string `json:"gln,omitempty"` // party GLN
	// Identifier is the party's identifier in events: its GLN as a
	// Digital Link (AI 417) or its provincial URI.
	Identifier string    `json:"identifier"`
	CreatedAt  time.Time `json:"created_at"`
}

var orgCodePattern = regexp.MustCompile(`^[A-Za-z0-9-]{2,20}$`)
var gcpPattern = regexp.MustCompile(`^[0-9]{6,12}$`)

// validateOrg checks an organisation and sets its identifier.
func (s *Service) validateOrg(o *Organisation) error {
	o.Name, o.Address = text(o.Name), text(o.Address)
	switch {
	case !orgCodePattern.MatchString(o.Code):
		return egov.FieldError("code", "trace.error.org_code")
	case !slices.Contains(OrgKinds, o.Kind):
		return egov.FieldError("kind", "trace.error.kind")
	case o.Name == "":
		return egov.FieldError("name", "trace.error.name_required")
	case o.UnitID == 0:
		return egov.FieldError("unit_id", "trace.error.unit_required")
	case o.GCP != "" && !gcpPattern.MatchString(o.GCP):
		return egov.FieldError("gcp", "trace.error.gcp")
	}
	if o.GLN != "" {
		id, ok := gs1Identifier("417", o.GLN)
		if !ok {
			return egov.FieldError("gln", "trace.error.gln")
		}
		o.Identifier = id
		return nil
	}
	id, ok := s.provincial(ProvincialID{Org: o.Code})
	if !ok {
		return egov.FieldError("gln", "trace.error.no_scheme")
	}
	o.Identifier = id
	return nil
}

// CreateOrganisation registers an organisation; administrators only.
func (s *Service) CreateOrganisation(ctx context.Context, a *identity.Actor, o Organisation) (*Organisation, error) {
	if err := s.manageAll(ctx, a); err != nil {
		return nil, err
	}
	if err := s.validateOrg(&o); err != nil {
		return nil, err
	}
	o.CreatedAt = s.Now().UTC()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO trace_organisations (code, kind, name, unit_id, address, gcp, gln, identifier, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, o.Code, o.Kind, o.Name, o.UnitID, o.Address, o.GCP, o.GLN,
			o.Identifier, store.FormatTime(o.CreatedAt)).Scan(&o.ID)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "trace.organisation.create",
			ObjectType: "trace_organisation", ObjectID: fmt.Sprint(o.ID), Summary: fmt.Sprintf("%s (%s, %s)", o.Name, o.Code, o.Kind)})
	})
	if err != nil {
		return nil, conflict(err, "code", "trace.error.org_exists")
	}
	return &o, nil
}

// UpdateOrganisation changes an organisation's name, address and GS1 keys;
// its own operators or an administrator. Code, kind and unit stay.
func (s *Service) UpdateOrganisation(ctx context.Context, a *identity.Actor, o Organisation) (*Organisation, error) {
	old, err := s.Organisation(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	if _, err := s.manage(ctx, a, o.ID); err != nil {
		return nil, err
	}
	o.Code, o.Kind, o.UnitID, o.CreatedAt = old.Code, old.Kind, old.UnitID, old.CreatedAt
	if err := s.validateOrg(&o); err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE trace_organisations SET name = ?, address = ?, gcp = ?, gln = ?, identifier = ? WHERE id = ?`,
			o.Name, o.Address, o.GCP, o.GLN, o.Identifier, o.ID)
		return err
	})
	if err != nil {
		return nil, conflict(err, "gln", "trace.error.identifier_exists")
	}
	return &o, nil
}

const orgColumns = `id, code, kind, name, unit_id, address, gcp, gln, identifier, created_at`

func scanOrg(row interface{ Scan(...any) error }) (*Organisation, error) {
	var o Organisation
	var created string
	err := row.Scan(&o.ID, &o.Code, &o.Kind, &o.Name, &o.UnitID, &o.Address, &o.GCP, &o.GLN, &o.Identifier, &created)
	if err != nil {
		return nil, notFound(err)
	}
	o.CreatedAt, _ = store.ParseTime(created)
	return &o, nil
}

// Organisation returns an organisation by id (public: a provenance page
// names the parties of a chain).
func (s *Service) Organisation(ctx context.Context, id int64) (*Organisation, error) {
	return scanOrg(s.db.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM trace_organisations WHERE id = ?`, id))
}

// OrganisationByIdentifier returns the organisation an event names as a
// party (source or destination owning_party…), in any identifier form.
func (s *Service) OrganisationByIdentifier(ctx context.Context, identifier string) (*Organisation, error) {
	c, err := s.Parser.IDs.Canonical(identifier)
	if err != nil {
		return nil, egov.Errorf(egov.ENOTFOUND, "error.not_found")
	}
	return scanOrg(s.db.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM trace_organisations WHERE identifier = ?`, c))
}

// OrganisationAt returns the organisation that owns a location, given as
// the location's identifier in any form (an event's readPoint or
// bizLocation).
func (s *Service) OrganisationAt(ctx context.Context, location string) (*Organisation, error) {
	l, err := s.Location(ctx, location)
	if err != nil {
		return nil, err
	}
	return s.Organisation(ctx, l.OrgID)
}

// Organisations lists every organisation by name: operators need them to
// name where a shipment goes.
func (s *Service) Organisations(ctx context.Context, a *identity.Actor) ([]*Organisation, error) {
	if _, err := s.AccessOf(ctx, a); err != nil {
		return nil, err
	}
	return queryAll(ctx, s.db, scanOrg, `SELECT `+orgColumns+` FROM trace_organisations ORDER BY name, id`)
}

// queryAll runs a query and scans every row.
func queryAll[T any](ctx context.Context, db *store.DB, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
