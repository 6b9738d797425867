package demo

import (
	"context"
	"fmt"

	"egov/internal/app"
	"egov/internal/identity"
)

// LoadAgencies gives today's units of the demo an agency identifier for
// dossier codes, where they have none. The identifiers follow the form of
// the national standard (V1V2V3.Z1Z2.Y1Y2.MX1X2) but are demo values, not
// the official ones: a province sets its own in the administration pages.
func LoadAgencies(ctx context.Context, a *app.App) error {
	g, err := a.Units.Graph(ctx)
	if err != nil {
		return err
	}
	today := a.Units.Today()
	root := g.At("92", today)
	if root == nil {
		return nil
	}
	for i, u := range g.Subtree(root, today) {
		have, err := a.Dossiers.Agency(ctx, u.ID)
		if err != nil {
			return err
		}
		if have != "" {
			continue
		}
		id := fmt.Sprintf("000.%02d.31.H13", i) // the city itself is 000.00.31.H13
		if err := a.Dossiers.SetAgency(ctx, identity.SystemActor, u.ID, id); err != nil {
			return fmt.Errorf("agency of %s: %w", u.Code, err)
		}
	}
	return nil
}
