package demo

import (
	"bytes"
	"context"

	"egov/internal/app"
	"egov/internal/workcal"
)

// DefaultPassword is the demo accounts' password unless another is given.
const DefaultPassword = "egov-demo"

// Load loads the whole demo data set into a: units, announced holidays and
// accounts, the procedure catalogue, the catalogue of
// statistical indicators and report forms, the traceability chains. Loading it again changes nothing.
func Load(ctx context.Context, a *app.App, password string) error {
	if err := LoadUnits(ctx, a.Units); err != nil {
		return err
	}
	if err := LoadHolidays(ctx, a); err != nil {
		return err
	}
	if err := LoadProcedures(ctx, a); err != nil {
		return err
	}
	if err := LoadAgencies(ctx, a); err != nil {
		return err
	}
	if err := a.Reporting.Seed(ctx); err != nil {
		return err
	}
	if err := LoadAccounts(ctx, a.Identity, a.Units, password); err != nil {
		return err
	}
	return LoadTrace(ctx, a)
}

// LoadHolidays stores the announced public-sector schedules 2024–2026 for
// the years that have none yet.
func LoadHolidays(ctx context.Context, a *app.App) error {
	b, err := files.ReadFile("data/vn-public-sector-2024-2026.csv")
	if err != nil {
		return err
	}
	days, err := workcal.ParseCSV(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return a.Calendar.Seed(ctx, days)
}
