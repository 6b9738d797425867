package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"egov/internal/identity"
	"egov/internal/workcal"
)

func init() {
	register("calendar", "import announced days off and make-up Saturdays (calendar import FILE)", func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 || args[0] != "import" {
			return errors.New("usage: egov calendar import FILE  (columns date,kind,name; each year in the file replaces that year's schedule)")
		}
		fs, df := newFlagSet(e, "calendar import")
		if err := fs.Parse(reorder(args[1:])); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return errors.New("egov calendar import needs exactly one FILE")
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		days, err := workcal.ParseCSV(f)
		if err != nil {
			return fmt.Errorf("%s: nothing imported:\n%w", fs.Arg(0), err)
		}
		a, err := df.open(ctx, e)
		if err != nil {
			return err
		}
		defer a.Close()
		byYear := map[int][]workcal.Day{}
		for _, d := range days {
			byYear[d.Date.Year()] = append(byYear[d.Date.Year()], d)
		}
		for y, ds := range byYear {
			if err := a.Calendar.SetYear(ctx, identity.SystemActor, a.Identity, y, ds); err != nil {
				return fmt.Errorf("year %d: %w", y, err)
			}
			fmt.Fprintf(e.stdout, "%d: %d days\n", y, len(ds))
		}
		return nil
	})
}
