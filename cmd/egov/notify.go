package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"strconv"

	"egov/internal/app"
	"egov/internal/notify"
)

// notifyFlags configure the notifications of serve and demo.
type notifyFlags struct {
	publicURL   string
	smtpAddr    string
	smtpFrom    string
	smtpUser    string
	implicitTLS bool
	requireTLS  optionalBool
	envErr      error
}

// optionalBool is a boolean flag that may be left unset (its default then
// depends on other settings).
type optionalBool struct{ set, v bool }

func (b *optionalBool) String() string {
	if !b.set {
		return ""
	}
	return strconv.FormatBool(b.v)
}

func (b *optionalBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	b.set, b.v = true, v
	return nil
}

func (b *optionalBool) IsBoolFlag() bool { return true }

func addNotifyFlags(fs *flag.FlagSet, e *env) *notifyFlags {
	f := &notifyFlags{}
	fs.StringVar(&f.publicURL, "public-url", e.getenv("EGOV_PUBLIC_URL"), "the site's public address, for the links in e-mails and SMS; empty: the listening address (EGOV_PUBLIC_URL)")
	fs.StringVar(&f.smtpAddr, "smtp-addr", e.getenv("EGOV_SMTP_ADDR"), "SMTP server (host:port) for notification e-mail; empty: e-mails are only recorded, like the development SMS (EGOV_SMTP_ADDR)")
	fs.StringVar(&f.smtpFrom, "smtp-from", e.getenv("EGOV_SMTP_FROM"), "sender of notification e-mail, e.g. \"Một cửa <motcua@example.gov.vn>\" (EGOV_SMTP_FROM)")
	fs.StringVar(&f.smtpUser, "smtp-user", e.getenv("EGOV_SMTP_USER"), "SMTP user for PLAIN authentication, only over TLS or to this machine; the password comes from EGOV_SMTP_PASSWORD (EGOV_SMTP_USER)")
	fs.BoolVar(&f.implicitTLS, "smtp-implicit-tls", e.getenv("EGOV_SMTP_IMPLICIT_TLS") == "1", "speak TLS from the start (SMTPS; port 465 always does); otherwise STARTTLS (EGOV_SMTP_IMPLICIT_TLS=1)")
	if v := e.getenv("EGOV_SMTP_REQUIRE_TLS"); v != "" {
		if err := f.requireTLS.Set(v); err != nil {
			f.envErr = fmt.Errorf("EGOV_SMTP_REQUIRE_TLS=%q: %w", v, err)
		}
	}
	fs.Var(&f.requireTLS, "smtp-require-tls", "refuse to send e-mail in clear text when the server offers no STARTTLS (the message is retried); default: on, except to a server on this machine (EGOV_SMTP_REQUIRE_TLS=1 or 0)")
	return f
}

// apply sets the public address and the mailer of a's notifications.
func (f *notifyFlags) apply(e *env, a *app.App) error {
	a.Notify.BaseURL = f.publicURL
	if f.smtpAddr == "" {
		a.Log.Info("notifications: no SMTP server configured; e-mails are recorded only")
		return nil
	}
	if f.envErr != nil {
		return f.envErr
	}
	if f.smtpFrom == "" {
		return errors.New("--smtp-from (EGOV_SMTP_FROM) is required with --smtp-addr")
	}
	_, port, _ := net.SplitHostPort(f.smtpAddr)
	m := &notify.SMTP{Addr: f.smtpAddr, From: f.smtpFrom, Username: f.smtpUser, Password: e.getenv("EGOV_SMTP_PASSWORD"),
		ImplicitTLS: f.implicitTLS || port == "465"}
	switch {
	case !f.requireTLS.set:
		m.TLS = notify.TLSAuto
	case f.requireTLS.v:
		m.TLS = notify.TLSRequired
	default:
		m.TLS = notify.TLSOptional
	}
	if err := m.Check(); err != nil {
		return err
	}
	a.Notify.Mailer = m
	a.Log.Info("notifications: e-mail through SMTP", "addr", f.smtpAddr, "implicit_tls", m.ImplicitTLS,
		"require_tls", f.requireTLS.String(), "auth", m.Username != "")
	return nil
}
