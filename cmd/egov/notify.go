package main

import (
	"errors"
	"flag"
	"net"

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
}

func addNotifyFlags(fs *flag.FlagSet, e *env) *notifyFlags {
	f := &notifyFlags{}
	fs.StringVar(&f.publicURL, "public-url", e.getenv("EGOV_PUBLIC_URL"), "the site's public address, for the links in e-mails and SMS; empty: the listening address (EGOV_PUBLIC_URL)")
	fs.StringVar(&f.smtpAddr, "smtp-addr", e.getenv("EGOV_SMTP_ADDR"), "SMTP server (host:port) for notification e-mail; empty: e-mails are only recorded, like the development SMS (EGOV_SMTP_ADDR)")
	fs.StringVar(&f.smtpFrom, "smtp-from", e.getenv("EGOV_SMTP_FROM"), "sender of notification e-mail, e.g. \"Một cửa <motcua@example.gov.vn>\" (EGOV_SMTP_FROM)")
	fs.StringVar(&f.smtpUser, "smtp-user", e.getenv("EGOV_SMTP_USER"), "SMTP user for PLAIN authentication, only over TLS or to this machine; the password comes from EGOV_SMTP_PASSWORD (EGOV_SMTP_USER)")
	fs.BoolVar(&f.implicitTLS, "smtp-implicit-tls", e.getenv("EGOV_SMTP_IMPLICIT_TLS") == "1", "speak TLS from the start (SMTPS; port 465 always does); otherwise STARTTLS when offered (EGOV_SMTP_IMPLICIT_TLS=1)")
	return f
}

// apply sets the public address and the mailer of a's notifications.
func (f *notifyFlags) apply(e *env, a *app.App) error {
	a.Notify.BaseURL = f.publicURL
	if f.smtpAddr == "" {
		a.Log.Info("notifications: no SMTP server configured; e-mails are recorded only")
		return nil
	}
	if f.smtpFrom == "" {
		return errors.New("--smtp-from (EGOV_SMTP_FROM) is required with --smtp-addr")
	}
	_, port, _ := net.SplitHostPort(f.smtpAddr)
	m := &notify.SMTP{Addr: f.smtpAddr, From: f.smtpFrom, Username: f.smtpUser, Password: e.getenv("EGOV_SMTP_PASSWORD"),
		ImplicitTLS: f.implicitTLS || port == "465"}
	if err := m.Check(); err != nil {
		return err
	}
	a.Notify.Mailer = m
	a.Log.Info("notifications: e-mail through SMTP", "addr", f.smtpAddr, "implicit_tls", m.ImplicitTLS, "auth", m.Username != "")
	return nil
}
