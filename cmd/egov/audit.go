package main

import (
	"context"
	"errors"
	"fmt"

	"egov/internal/audit"
)

func init() {
	register("audit", "check the audit log's hash chain (audit verify)", func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 || args[0] != "verify" {
			return errors.New("usage: egov audit verify")
		}
		fs, df := newFlagSet(e, "audit verify")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		a, err := df.open(ctx, e)
		if err != nil {
			return err
		}
		defer a.Close()
		n, err := audit.Verify(ctx, a.DB)
		var b *audit.Broken
		if errors.As(err, &b) {
			fmt.Fprintf(e.stdout, "BROKEN: %d entries checked; the first broken link is entry %d: %s\n", n, b.Seq, b.Reason)
			return errors.New("the audit log has been tampered with")
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "ok: %d entries, the chain is intact\n", n)
		return nil
	})
}
