package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"egov/internal/app"
	"egov/internal/server"
)

func init() {
	register("serve", "run the platform (production: no demo data)", func(ctx context.Context, e *env, args []string) error {
		fs, df := newFlagSet(e, "serve")
		addr := fs.String("addr", envOr(e, "EGOV_ADDR", "127.0.0.1:8080"), "address to listen on (EGOV_ADDR)")
		secure := fs.Bool("secure-cookies", e.getenv("EGOV_SECURE_COOKIES") == "1", "mark cookies Secure behind a TLS proxy (EGOV_SECURE_COOKIES=1)")
		nf := addNotifyFlags(fs, e)
		if err := fs.Parse(args); err != nil {
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
