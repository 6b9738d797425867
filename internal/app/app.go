// Package app wires the domain services over one database. The web and API
// packages receive an *App and call the services; they hold no state of
// their own, so several processes can share one PostgreSQL.
package app

import (
	"context"
	"crypto/rand"
	"log/slog"
	"os"
	"strings"
	"time"

	"egov/internal/dossier"
	"egov/internal/epcis"
	"egov/internal/identity"
	"egov/internal/jobs"
	"egov/internal/notify"
	"egov/internal/reporting"
	"egov/internal/store"
	"egov/internal/units"
	"egov/internal/workcal"
)

// App holds the domain services.
type App struct {
	DB       *store.DB
	Units    *units.Service
	Identity *identity.Service
	Calendar *workcal.Service
	// Procedures is the catalogue of administrative procedures.
	Procedures *dossier.Procedures
	// Dossiers are the one-stop shop's dossiers.
	Dossiers *dossier.Dossiers
	// Payments is the online payment provider; the dossier service uses
	// the same one (Dossiers.Gateway).
	Payments dossier.Gateway
	// Jobs is the background job queue; serve and demo run its worker.
	Jobs *jobs.Queue
	// Notify tells applicants about their dossiers by e-mail and SMS
	// (recorded only until a mailer and an SMS provider are set).
	Notify *notify.Service
	// Reporting is periodic reporting and statistics.
	Reporting *reporting.Service
	// Trace is the EPCIS 2.0 repository of traceability events.
	Trace *epcis.Service
	Log   *slog.Logger
	// SecureCookies marks cookies Secure even on plain HTTP requests (set it
	// behind a TLS-terminating proxy that does not send X-Forwarded-Proto).
	SecureCookies bool
}

// ReminderDays is how many working days before a report's deadline its
// unit's reporters are reminded, each morning until it is submitted.
const ReminderDays = 2

// New wires the services over an open, migrated database.
func New(db *store.DB, log *slog.Logger) *App {
	if log == nil {
		log = slog.Default()
	}
	us := units.NewService(db)
	ids := identity.NewService(db, us)
	cal := workcal.NewService(db)
	procs := dossier.NewProcedures(db, ids)
	ds := dossier.NewDossiers(db, ids, us, cal, procs)
	// The development gateway until a real provider is configured. Its
	// secret is EGOV_PAYMENT_SECRET, else a random one for this process.
	secret := []byte(os.Getenv("EGOV_PAYMENT_SECRET"))
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret)
	}
	ds.Gateway = &dossier.DevGateway{Secret: secret, Now: func() time.Time { return ds.Now() }}
	q := jobs.New(db, log)
	ns := notify.New(db, us, ds, q)
	ds.Notify = ns.Notify
	trace := epcis.NewService(db, traceBase())
	trace.UseJobs(q, ids)
	rep := reporting.New(db, us, ids)
	rep.Calendar = cal
	rep.Send = func(ctx context.Context, to, subject, body string) error {
		return ns.Mailer.SendMail(ctx, &notify.Mail{To: to, Subject: subject, Body: body})
	}
	rep.UseJobs(q, ReminderDays)
	return &App{
		DB:         db,
		Units:      us,
		Identity:   ids,
		Calendar:   cal,
		Procedures: procs,
		Dossiers:   ds,
		Payments:   ds.Gateway,
		Jobs:       q,
		Notify:     ns,
		Reporting:  rep,
		Trace:      trace,
		Log:        log,
	}
}

// Open opens the database named by dsn, applies pending migrations and
// wires the services.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*App, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return New(db, log), nil
}

// Close closes the database.
func (a *App) Close() error { return a.DB.Close() }

// DefaultTraceBase is the base URI of the provincial identifier scheme
// until EGOV_TRACE_BASE names the province's own domain.
const DefaultTraceBase = "https://truyxuat.example.gov.vn/id"

// traceBase is the base URI of the provincial identifiers of producers
// without a GS1 company prefix (EGOV_TRACE_BASE, no trailing slash).
func traceBase() string {
	if b := strings.TrimRight(os.Getenv("EGOV_TRACE_BASE"), "/"); b != "" {
		return b
	}
	return DefaultTraceBase
}
