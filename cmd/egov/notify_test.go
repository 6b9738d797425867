package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// Wrong SMTP settings stop serve at start-up with a message that names
// the setting, rather than failing every e-mail later.
func TestServeRefusesBadSMTPSettings(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"EGOV_SMTP_ADDR": "mail.example.vn:587"}, "--smtp-from"},
		{map[string]string{"EGOV_SMTP_ADDR": "mail.example.vn", "EGOV_SMTP_FROM": "motcua@example.vn"}, "smtp address"},
		{map[string]string{"EGOV_SMTP_ADDR": "mail.example.vn:587", "EGOV_SMTP_FROM": "not an address"}, "smtp sender"},
		{map[string]string{"EGOV_SMTP_ADDR": "mail.example.vn:587", "EGOV_SMTP_FROM": "motcua@example.vn", "EGOV_SMTP_USER": "motcua"}, "password"},
		{map[string]string{"EGOV_SMTP_ADDR": "mail.example.vn:587", "EGOV_SMTP_FROM": "motcua@example.vn", "EGOV_SMTP_REQUIRE_TLS": "có"}, "EGOV_SMTP_REQUIRE_TLS"},
	} {
		c.env["EGOV_DATA"] = t.TempDir()
		c.env["EGOV_ADDR"] = "127.0.0.1:0"
		e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return c.env[k] }}
		err := run(context.Background(), e, []string{"serve"})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error about %s", c.env, err, c.want)
		}
	}
}
