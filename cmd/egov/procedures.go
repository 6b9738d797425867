package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"egov/internal/dossier"
	"egov/internal/identity"
)

func init() {
	register("procedures", "import or export the procedure catalogue, JSON or XLSX (procedures import|export FILE)", func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
			return errors.New("usage: egov procedures import FILE | egov procedures export FILE (.json or .xlsx; - for JSON on standard output)")
		}
		sub := args[0]
		fs, df := newFlagSet(e, "procedures "+sub)
		if err := fs.Parse(reorder(args[1:])); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("egov procedures %s needs exactly one FILE", sub)
		}
		name := fs.Arg(0)
		a, err := df.open(ctx, e)
		if err != nil {
			return err
		}
		defer a.Close()
		if sub == "export" {
			ps, err := a.Procedures.List(ctx, dossier.ProcedureQuery{})
			if err != nil {
				return err
			}
			if name == "-" {
				return dossier.WriteCatalogue(e.stdout, ps)
			}
			f, err := os.Create(name)
			if err != nil {
				return err
			}
			write := dossier.WriteCatalogue
			if strings.HasSuffix(strings.ToLower(name), ".xlsx") {
				write = dossier.WriteCatalogueXLSX
			}
			if err := write(f, ps); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%d procedures written to %s\n", len(ps), name)
			return nil
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		ps, err := dossier.ParseCatalogueFile(b)
		if err != nil {
			return fmt.Errorf("%s: nothing imported:\n%w", name, err)
		}
		res, err := a.Procedures.Import(ctx, identity.SystemActor, ps, false)
		if err != nil {
			return fmt.Errorf("%s: nothing imported:\n%w", name, err)
		}
		fmt.Fprintf(e.stdout, "%d procedures: %d added, %d changed, %d unchanged\n", len(ps), res.Added, res.Changed, res.Unchanged)
		return nil
	})
}
