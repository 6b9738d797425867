package main

import (
	"context"
	"fmt"

	"egov/internal/store"
)

func init() {
	register("migrate", "apply pending database migrations", func(ctx context.Context, e *env, args []string) error {
		fs, df := newFlagSet(e, "migrate")
		if err := fs.Parse(args); err != nil {
			return err
		}
		db, err := store.Open(ctx, df.dsn())
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d migration(s) applied to %s\n", n, db.Location)
		return nil
	})
}
