package notify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpd is a small SMTP server for the tests: enough of RFC 5321 for
// net/smtp (EHLO/HELO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP,
// QUIT). Each message it accepts arrives on got.
type smtpd struct {
	t    *testing.T
	ln   net.Listener
	Addr string
	got  chan *envelope
	// TLS, when set, is offered with STARTTLS.
	TLS *tls.Config
	// Auth offers AUTH PLAIN.
	Auth bool
	// Fail, when set, may answer a command instead of the server: it gets
	// the connection's number (from 1) and the command's verb, and
	// returns a reply line, or "" to carry on.
	Fail func(conn int, verb string) string

	mu    sync.Mutex
	conns int
	wg    sync.WaitGroup
}

// envelope is one accepted message.
type envelope struct {
	From string
	To   []string
	Data string
	TLS  bool
	Auth string // the PLAIN credentials, "user:password"
}

func startSMTPD(t *testing.T, configure func(*smtpd)) *smtpd {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpd{t: t, ln: ln, Addr: ln.Addr().String(), got: make(chan *envelope, 16)}
	if configure != nil {
		configure(s)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			n := s.conns
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c, n)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

// Conns returns how many connections the server has accepted.
func (s *smtpd) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

func (s *smtpd) serve(c net.Conn, n int) {
	defer func() { c.Close() }()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(c)
	reply := func(lines ...string) {
		for _, l := range lines {
			tp.PrintfLine("%s", l)
		}
	}
	reply("220 smtpd.test ESMTP ready")
	env := &envelope{}
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if s.Fail != nil {
			if r := s.Fail(n, verb); r != "" {
				reply(r)
				continue
			}
		}
		switch verb {
		case "EHLO":
			lines := []string{"250-smtpd.test greets " + arg}
			if s.TLS != nil && !env.TLS {
				lines = append(lines, "250-STARTTLS")
			}
			if s.Auth {
				lines = append(lines, "250-AUTH PLAIN")
			}
			reply(append(lines, "250 8BITMIME")...)
		case "HELO":
			reply("250 smtpd.test")
		case "STARTTLS":
			if s.TLS == nil || env.TLS {
				reply("502 5.5.1 not now")
				continue
			}
			reply("220 2.0.0 go ahead")
			tc := tls.Server(c, s.TLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, tp = tc, textproto.NewConn(tc)
			env = &envelope{TLS: true}
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			b, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(b), "\x00")
			if !s.Auth || mech != "PLAIN" || err != nil || len(parts) != 3 {
				reply("504 5.5.4 unsupported")
				continue
			}
			env.Auth = parts[1] + ":" + parts[2]
			reply("235 2.7.0 authenticated")
		case "MAIL":
			env.From = angle(arg)
			reply("250 2.1.0 ok")
		case "RCPT":
			env.To = append(env.To, angle(arg))
			reply("250 2.1.5 ok")
		case "DATA":
			reply("354 end with <CRLF>.<CRLF>")
			data, err := readData(tp)
			if err != nil {
				return
			}
			env.Data = data
			s.got <- env
			env = &envelope{TLS: env.TLS, Auth: env.Auth}
			reply("250 2.0.0 queued")
		case "RSET":
			env = &envelope{TLS: env.TLS, Auth: env.Auth}
			reply("250 2.0.0 ok")
		case "NOOP":
			reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("502 5.5.2 unknown command")
		}
	}
}

// readData reads the message after DATA up to the line with a lone dot,
// undoing the dot-stuffing and keeping the line endings as they came (so a
// test can see a bare LF).
func readData(tp *textproto.Conn) (string, error) {
	var b strings.Builder
	for {
		line, err := tp.R.ReadString('\n')
		if err != nil {
			return "", err
		}
		if line == ".\r\n" {
			return b.String(), nil
		}
		b.WriteString(strings.TrimPrefix(line, "."))
	}
}

// angle returns the address between < and > in a MAIL or RCPT argument.
func angle(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}

// testCert returns a server certificate for mail.test and 127.0.0.1, and a
// pool that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mail.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"mail.test"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}
