package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"egov/internal/jobs"
)

// SMTP sends e-mail through an SMTP server (a submission server on port
// 587 with STARTTLS, 465 with implicit TLS, or a local relay on 25).
// Without implicit TLS, STARTTLS is required unless TLS says otherwise.
type SMTP struct {
	Addr string // host:port
	From string // the sender: an address, optionally with a name
	// Username and Password, when set, authenticate with PLAIN, which is
	// only ever sent over TLS or to a server on this machine.
	Username, Password string
	// ImplicitTLS speaks TLS from the start (SMTPS, port 465); otherwise
	// the connection is upgraded with STARTTLS.
	ImplicitTLS bool
	// TLS says whether a server that offers no STARTTLS gets the message
	// in clear. By default (TLSAuto) only a server on this machine does:
	// otherwise anyone on the path could strip the offer and read the
	// applicants' notices.
	TLS TLSPolicy
	// TLSConfig, when set, is used for TLS (its ServerName defaults to the
	// host of Addr).
	TLSConfig *tls.Config
	// Timeout bounds one delivery (default 30 s).
	Timeout time.Duration
	// Hello is the name given in EHLO (default "localhost").
	Hello string
	// Dial opens the connection (default net.Dialer); tests replace it.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Now returns the current time, for the Date header.
	Now func() time.Time
}

// TLSPolicy is whether delivery without TLS is refused.
type TLSPolicy int

const (
	TLSAuto     TLSPolicy = iota // required unless the server is on this machine (loopback)
	TLSRequired                  // required, even on this machine
	TLSOptional                  // STARTTLS when offered, clear text otherwise
)

// requireTLS applies the policy to the server host.
func (p TLSPolicy) requireTLS(host string) bool {
	switch p {
	case TLSRequired:
		return true
	case TLSOptional:
		return false
	}
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// Name names the provider in the delivery record.
func (m *SMTP) Name() string { return "smtp" }

// Check validates the settings, for a clear error at start-up rather than
// at the first message.
func (m *SMTP) Check() error {
	if _, _, err := net.SplitHostPort(m.Addr); err != nil {
		return fmt.Errorf("smtp address %q: %w", m.Addr, err)
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return fmt.Errorf("smtp sender %q: %w", m.From, err)
	}
	if (m.Username == "") != (m.Password == "") {
		return errors.New("smtp: give both a user and a password, or neither")
	}
	return nil
}

// SendMail delivers msg. Replies 5xx (and settings that cannot work) are
// permanent errors; network trouble and 4xx replies are worth a retry.
func (m *SMTP) SendMail(ctx context.Context, msg *Mail) error {
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("smtp sender: %w", err))
	}
	to := emailAddress(msg.To)
	if to == "" {
		return jobs.Permanent(fmt.Errorf("smtp: bad recipient %q", msg.To))
	}
	data, err := m.compose(from, to, msg)
	if err != nil {
		return jobs.Permanent(err)
	}
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return jobs.Permanent(err)
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dial := m.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	conn, err := dial(ctx, "tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	// The connection ends with the context, whatever it is waiting for.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	tlsConfig := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if m.TLSConfig != nil {
		tlsConfig = m.TLSConfig.Clone()
		if tlsConfig.ServerName == "" {
			tlsConfig.ServerName = host
		}
	}
	if m.ImplicitTLS {
		conn = tls.Client(conn, tlsConfig)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return classify(err)
	}
	defer c.Close()
	hello := m.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return classify(err)
	}
	if !m.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				return classify(err)
			}
		} else if m.TLS.requireTLS(host) {
			// Worth a retry: the offer may have been stripped on the way,
			// or the server's TLS may come back.
			return errors.New("smtp: the server offers no STARTTLS; not sending in clear text (see --smtp-require-tls)")
		}
	}
	if m.Username != "" {
		// net/smtp's PLAIN refuses to send the password unless the
		// connection is TLS or the server is this machine.
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			var te *textproto.Error
			if errors.As(err, &te) {
				return classify(err)
			}
			return jobs.Permanent(fmt.Errorf("smtp auth: %w", err))
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return classify(err)
	}
	if err := c.Rcpt(to); err != nil {
		return classify(err)
	}
	w, err := c.Data()
	if err != nil {
		return classify(err)
	}
	if _, err := w.Write(data); err != nil {
		return classify(err)
	}
	if err := w.Close(); err != nil {
		return classify(err)
	}
	// The message is accepted once DATA is; a failing QUIT changes nothing.
	c.Quit()
	return nil
}

// classify marks the server's permanent refusals (5xx) as permanent and
// keeps the server's words as it said them.
func classify(err error) error {
	var te *textproto.Error
	if !errors.As(err, &te) {
		return fmt.Errorf("smtp: %w", err)
	}
	err = fmt.Errorf("smtp: the server answered %03d %s", te.Code, te.Msg)
	if te.Code >= 500 {
		return jobs.Permanent(err)
	}
	return err
}

// compose writes the message: UTF-8 plain text in quoted-printable, the
// subject and the sender's name as RFC 2047 encoded words.
func (m *SMTP) compose(from *mail.Address, to string, msg *Mail) ([]byte, error) {
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	var id [12]byte
	rand.Read(id[:])
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	subject := strings.Join(strings.Fields(msg.Subject), " ")
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", "<"+to+">")
	header("Subject", mime.BEncoding.Encode("utf-8", subject))
	header("Date", now().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	// RFC 3834: no auto-replies to an automatic notice.
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(msg.Body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
