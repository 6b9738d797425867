// Package demo loads the Sóc Trăng demo data set: the administrative units
// from 2021 through the 2024 merger and the 2025 reorganisation into Thành
// phố Cần Thơ, the announced holidays, and the demo accounts. Nothing about
// Sóc Trăng lives anywhere else in the code.
package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"time"

	"egov/internal/units"
)

//go:embed data/*.csv data/*.json
var files embed.FS

// unitSteps are the files that build the units' history, in date order.
var unitSteps = []struct {
	file string
	from string // "" for a merges file
}{
	{"soc-trang-2021.csv", "2021-01-01"},
	{"soc-trang-2024-09-01.csv", "2024-09-01"},
	{"can-tho-2025.csv", "2025-07-01"},
	{"soc-trang-2025-merges.csv", ""},
	{"soc-trang-2025-districts.csv", ""},
}

// LoadUnits imports the demo units. It is idempotent: on a database that
// already has them it changes nothing.
func LoadUnits(ctx context.Context, svc *units.Service) error {
	for _, st := range unitSteps {
		b, err := files.ReadFile("data/" + st.file)
		if err != nil {
			return err
		}
		if st.from == "" {
			rows, err := units.ParseMergesCSV(bytes.NewReader(b))
			if err != nil {
				return fmt.Errorf("%s: %w", st.file, err)
			}
			if _, err := svc.ImportMerges(ctx, "demo", rows); err != nil {
				return fmt.Errorf("%s: %w", st.file, err)
			}
			continue
		}
		rows, err := units.ParseUnitsCSV(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("%s: %w", st.file, err)
		}
		from, _ := time.Parse("2006-01-02", st.from)
		if _, err := svc.Import(ctx, "demo", rows, from); err != nil {
			return fmt.Errorf("%s: %w", st.file, err)
		}
	}
	return nil
}
