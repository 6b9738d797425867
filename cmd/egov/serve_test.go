package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"256MB": 256 << 20, "2GB": 2 << 30, "0": 0, "1024": 1024, "512 kb": 512 << 10, "10B": 10} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "lots", "-1MB", "1TB", "1.5GB", "99999999999GB"} {
		if got, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q) = %d, want an error", in, got)
		}
	}
}

// A wrong memory setting stops serve at start-up, naming the setting.
func TestServeRefusesBadAnalyticsMemory(t *testing.T) {
	envs := map[string]string{"EGOV_DATA": t.TempDir(), "EGOV_ADDR": "127.0.0.1:0", "EGOV_ANALYTICS_MEMORY": "lots"}
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return envs[k] }}
	if err := run(context.Background(), e, []string{"serve"}); err == nil || !strings.Contains(err.Error(), "EGOV_ANALYTICS_MEMORY") {
		t.Errorf("serve with EGOV_ANALYTICS_MEMORY=lots: %v", err)
	}
}
