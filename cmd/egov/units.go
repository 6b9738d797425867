package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"egov/internal/units"
)

func init() {
	register("units", "import administrative units (units import FILE --from DATE, units merges FILE)", func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 || (args[0] != "import" && args[0] != "merges") {
			return errors.New("usage: egov units import FILE --from YYYY-MM-DD | egov units merges FILE")
		}
		sub := args[0]
		fs, df := newFlagSet(e, "units "+sub)
		from := fs.String("from", "", "the date from which the file describes the units (import)")
		if err := fs.Parse(reorder(args[1:])); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("egov units %s needs exactly one FILE", sub)
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		a, err := df.open(ctx, e)
		if err != nil {
			return err
		}
		defer a.Close()
		if sub == "merges" {
			rows, err := units.ParseMergesCSV(f)
			if err != nil {
				return fmt.Errorf("%s: nothing imported:\n%w", fs.Arg(0), err)
			}
			res, err := a.Units.ImportMerges(ctx, "cli", rows)
			if err != nil {
				return fmt.Errorf("%s: nothing imported:\n%w", fs.Arg(0), err)
			}
			fmt.Fprintf(e.stdout, "%d rows: %d successions added, %d units ended, %d already applied\n", len(rows), res.Linked, res.Ended, res.Unchanged)
			return nil
		}
		if *from == "" {
			return errors.New("egov units import needs --from YYYY-MM-DD")
		}
		d, err := units.ParseDate(*from)
		if err != nil {
			return fmt.Errorf("--from %q is not a date YYYY-MM-DD", *from)
		}
		rows, err := units.ParseUnitsCSV(f)
		if err != nil {
			return fmt.Errorf("%s: nothing imported:\n%w", fs.Arg(0), err)
		}
		res, err := a.Units.Import(ctx, "cli", rows, d)
		if err != nil {
			return fmt.Errorf("%s: nothing imported:\n%w", fs.Arg(0), err)
		}
		fmt.Fprintf(e.stdout, "%d units: %d added, %d changed, %d unchanged\n", len(rows), res.Added, res.Changed, res.Unchanged)
		return nil
	})
}

// reorder moves flags before positional arguments, so that both
// `import FILE --from D` and `import --from D FILE` work.
func reorder(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			if !containsEq(a) && i+1 < len(args) && isValueFlag(a) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

func containsEq(s string) bool {
	for _, c := range s {
		if c == '=' {
			return true
		}
	}
	return false
}

// isValueFlag: every flag of these commands takes a value except booleans.
func isValueFlag(name string) bool {
	switch name {
	case "-admin", "--admin":
		return false
	}
	return true
}
