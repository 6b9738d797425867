package demo

import (
	"bytes"
	"context"
	"fmt"

	"egov"
	"egov/internal/app"
	"egov/internal/dossier"
	"egov/internal/identity"
)

// LoadProcedures adds the seeded commune procedures (data/procedures.json,
// from ../shared/data/procedures) that the catalogue does not have yet, so
// that a restart neither duplicates them nor undoes an administrator's
// edits.
func LoadProcedures(ctx context.Context, a *app.App) error {
	b, err := files.ReadFile("data/procedures.json")
	if err != nil {
		return err
	}
	ps, err := dossier.ParseCatalogue(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("procedures.json: %w", err)
	}
	var missing []dossier.Procedure
	for _, p := range ps {
		if _, err := a.Procedures.Get(ctx, p.Code); egov.ErrorCode(err) == egov.ENOTFOUND {
			missing = append(missing, p)
		} else if err != nil {
			return err
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = a.Procedures.Import(ctx, identity.SystemActor, missing, false)
	return err
}
