package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"egov/internal/app"
	"egov/internal/reporting"
	"egov/internal/server"
)

func init() {
	register("serve", "run the platform (production: no demo data)", func(ctx context.Context, e *env, args []string) error {
		fs, df := newFlagSet(e, "serve")
		addr := fs.String("addr", envOr(e, "EGOV_ADDR", "127.0.0.1:8080"), "address to listen on (EGOV_ADDR)")
		secure := fs.Bool("secure-cookies", e.getenv("EGOV_SECURE_COOKIES") == "1", "mark cookies Secure behind a TLS proxy (EGOV_SECURE_COOKIES=1)")
		nf := addNotifyFlags(fs, e)
		mem := addAnalyticsFlags(fs, e)
		if err := fs.Parse(args); err != nil {
			return err
		}
		if err := mem.check(); err != nil {
			return err
		}
		a, err := df.open(ctx, e)
		if err != nil {
			return err
		}
		defer a.Close()
		if err := nf.apply(e, a); err != nil {
			return err
		}
		mem.apply(a)
		a.SecureCookies = *secure
		return serve(ctx, e, a, *addr, nil)
	})
}

// serve listens on addr and serves until ctx ends, then shuts down
// gracefully. ready, when not nil, runs once the listener is open.
func serve(ctx context.Context, e *env, a *app.App, addr string, ready func(url string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           server.New(a),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	url := "http://" + ln.Addr().String()
	a.Log.Info("listening", "url", url, "database", a.DB.Location, "engine", a.DB.Engine())
	if a.Notify.BaseURL == "" {
		a.Notify.BaseURL = url
	}
	// The background jobs (notification deliveries) run beside the
	// server and stop after it, finishing what they are sending.
	a.Jobs.Start()
	if err := a.Reporting.ScheduleReminders(ctx); err != nil {
		a.Log.Warn("the report reminders are not scheduled", "err", err)
	}
	if n, err := a.Trace.ResumeSchedules(ctx); err != nil {
		a.Log.Warn("the scheduled EPCIS subscriptions are not resumed", "err", err)
	} else if n > 0 {
		a.Log.Info("scheduled EPCIS subscriptions resumed", "subscriptions", n)
	}
	defer func() {
		jctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := a.Jobs.Stop(jctx); err != nil {
			a.Log.Warn("background jobs cut short", "err", err)
		}
	}()
	// Analytics' memory takes the forms' indicators in beside the
	// server, so that the first analyses need not load them; a query
	// meanwhile waits only for the indicators it needs.
	var warm sync.WaitGroup
	wctx, stopWarm := context.WithCancel(ctx)
	warm.Add(1)
	go func() {
		defer warm.Done()
		t := time.Now()
		n, err := a.Reporting.Warm(wctx)
		if err != nil && wctx.Err() == nil {
			a.Log.Warn("analytics: warming stopped", "err", err)
			return
		}
		m := a.Reporting.AnalyticsMemory()
		a.Log.Info("analytics: indicators loaded into memory", "indicators", n, "bytes", m.Bytes, "limit", m.Limit,
			"took", time.Since(t).Round(time.Millisecond))
	}()
	defer func() { stopWarm(); warm.Wait() }()
	if ready != nil {
		ready(url)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// analyticsFlags configure the memory analytics keeps values in, for serve
// and demo.
type analyticsFlags struct {
	memory string
}

func addAnalyticsFlags(fs *flag.FlagSet, e *env) *analyticsFlags {
	f := &analyticsFlags{}
	fs.StringVar(&f.memory, "analytics-memory", envOr(e, "EGOV_ANALYTICS_MEMORY", fmt.Sprintf("%dMB", reporting.DefaultAnalyticsMemory>>20)),
		"memory for the values analytics answers from, e.g. 256MB or 2GB; beyond it the least recently used indicators are dropped and read again when asked for; 0: no limit (EGOV_ANALYTICS_MEMORY)")
	return f
}

func (f *analyticsFlags) check() error {
	if _, err := parseBytes(f.memory); err != nil {
		return fmt.Errorf("--analytics-memory (EGOV_ANALYTICS_MEMORY): %w", err)
	}
	return nil
}

func (f *analyticsFlags) apply(a *app.App) {
	n, _ := parseBytes(f.memory)
	a.Reporting.SetAnalyticsMemory(n)
}

// parseBytes reads a size: a whole number of bytes, or of KB, MB or GB
// (powers of 1024).
func parseBytes(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size such as 256MB", s)
	}
	return n * mult, nil
}
