package main

import (
	"context"
	"fmt"
	"time"

	"egov/internal/demo"
)

func init() {
	register("demo", "run the platform with the Sóc Trăng demo data and accounts", func(ctx context.Context, e *env, args []string) error {
		fs, df := newFlagSet(e, "demo")
		addr := fs.String("addr", envOr(e, "EGOV_ADDR", "127.0.0.1:8080"), "address to listen on (EGOV_ADDR)")
		password := fs.String("demo-password", envOr(e, "EGOV_DEMO_PASSWORD", demo.DefaultPassword), "password of every demo account (EGOV_DEMO_PASSWORD)")
		nf := addNotifyFlags(fs, e)
		mem := addAnalyticsFlags(fs, e)
		history := fs.Bool("history", envOr(e, "EGOV_DEMO_HISTORY", "1") != "0", "load the dossier history 2021–today once (EGOV_DEMO_HISTORY=0: not)")
		statistics := fs.Bool("statistics", envOr(e, "EGOV_DEMO_STATISTICS", "1") != "0", "load the communes' socio-economic reports 2021–today once (EGOV_DEMO_STATISTICS=0: not)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if err := mem.check(); err != nil {
			return err
		}
		start := time.Now()
		a, err := df.open(ctx, e)
		if err != nil {
			return err
		}
		defer a.Close()
		if err := nf.apply(e, a); err != nil {
			return err
		}
		mem.apply(a)
		if err := demo.Load(ctx, a, *password); err != nil {
			return fmt.Errorf("loading the demo data: %w", err)
		}
		if *history {
			t := time.Now()
			n, err := demo.LoadHistory(ctx, a, demo.HistoryOptions{})
			if err != nil {
				return fmt.Errorf("loading the demo history: %w", err)
			}
			if n > 0 {
				a.Log.Info("demo history loaded", "dossiers", n, "took", time.Since(t).Round(time.Millisecond))
			}
		}
		if *statistics {
			t := time.Now()
			n, err := demo.LoadStatistics(ctx, a, demo.StatisticsOptions{})
			if err != nil {
				return fmt.Errorf("loading the demo statistics: %w", err)
			}
			if n > 0 {
				a.Log.Info("demo statistics loaded", "values", n, "took", time.Since(t).Round(time.Millisecond))
			}
			t = time.Now()
			// The last six due months of the communes' monthly reports,
			// submitted, approved and accepted (a few late or missing).
			if n, err = demo.LoadReportStatuses(ctx, a, time.Now(), 6); err != nil {
				return fmt.Errorf("loading the demo report statuses: %w", err)
			}
			if n > 0 {
				a.Log.Info("demo report statuses loaded", "reports", n, "took", time.Since(t).Round(time.Millisecond))
			}
		}
		a.Log.Info("demo data ready", "took", time.Since(start).Round(time.Millisecond))
		return serve(ctx, e, a, *addr, func(url string) {
			fmt.Fprintf(e.stdout, "\negov demo: %s\n\nDemo accounts (password %q):\n", url, *password)
			for _, acc := range demo.Accounts {
				fmt.Fprintf(e.stdout, "  %-18s %s\n", acc.Username, acc.What)
			}
			fmt.Fprintf(e.stdout, "\nProvenance of a retail bag of ST25 rice (GS1 Digital Link): %s%s\n", url, demo.ProvenancePath())
			fmt.Fprintln(e.stdout, "\nStop with Ctrl-C.")
		})
	})
}
