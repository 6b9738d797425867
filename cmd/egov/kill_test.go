package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"egov/internal/store"
)

// TestMain lets the test binary play `egov demo` as a child process for
// TestAcknowledgedDossiersSurviveKill.
func TestMain(m *testing.M) {
	if dir := os.Getenv("EGOV_TEST_CHILD_DEMO"); dir != "" {
		// Without the dossier history: the test counts what it filed itself.
		e := &env{stdin: strings.NewReader(""), stdout: os.Stdout, stderr: io.Discard,
			getenv: func(k string) string { return map[string]string{"EGOV_DEMO_HISTORY": "0"}[k] }}
		if err := run(context.Background(), e, []string{"demo", "--data", dir, "--addr", "127.0.0.1:0"}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		return
	}
	os.Exit(m.Run())
}

// TestAcknowledgedDossiersSurviveKill files dossiers from many clients at
// once over HTTP, kills the server with SIGKILL in the middle, and checks
// that every dossier code the server answered with is in the database.
func TestAcknowledgedDossiersSurviveKill(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "EGOV_TEST_CHILD_DEMO="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var base string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "egov demo: "); ok {
			base = strings.TrimSpace(u)
			break
		}
	}
	if base == "" {
		t.Fatal("the demo did not start")
	}
	go io.Copy(io.Discard, out)

	token := apiToken(t, base, "motcua.31615")
	body, _ := json.Marshal(map[string]any{
		"procedure": "1.004873", "unit": "31615", "channel": "direct",
		"applicant": map[string]string{"name": "Sơn Văn Đức", "phone": "0987654321"},
		"fields": map[string]string{
			"requester_full_name": "Sơn Văn Đức", "requester_birth_date": "1985-01-01", "requester_cccd": "094085004321",
			"requester_address": "Xã An Thạnh", "requester_phone": "0987654321", "marital_status": "chua_ket_hon", "purpose": "Kết hôn",
		},
	})
	const clients, killAfter = 16, 120
	var mu sync.Mutex
	var acked []string
	killed := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				req, _ := http.NewRequest("POST", base+"/api/v1/dossiers", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the server is gone
				}
				var d struct{ Code string }
				err = json.NewDecoder(res.Body).Decode(&d)
				res.Body.Close()
				if err != nil || res.StatusCode != http.StatusCreated {
					select {
					case <-killed:
						return
					default:
					}
					t.Errorf("filing: %d %v", res.StatusCode, err)
					return
				}
				mu.Lock()
				acked = append(acked, d.Code)
				n := len(acked)
				mu.Unlock()
				if n >= killAfter {
					once.Do(func() {
						cmd.Process.Signal(syscall.SIGKILL)
						close(killed)
					})
				}
			}
		}()
	}
	wg.Wait()
	cmd.Wait()
	if len(acked) < killAfter {
		t.Fatalf("only %d dossiers were acknowledged before the server died", len(acked))
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "egov.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored := map[string]bool{}
	rows, err := db.QueryContext(context.Background(), `SELECT code FROM dossiers WHERE code IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		stored[c] = true
	}
	rows.Close()
	for _, c := range acked {
		if !stored[c] {
			t.Errorf("dossier %s was acknowledged but is gone after kill -9", c)
		}
	}
	t.Logf("%d acknowledged, %d stored", len(acked), len(stored))
}

func apiToken(t *testing.T, base, user string) string {
	t.Helper()
	res, err := http.Post(base+"/api/v1/auth/token", "application/json",
		strings.NewReader(`{"username":"`+user+`","password":"egov-demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.Token == "" {
		t.Fatalf("token for %s: %d %v", user, res.StatusCode, err)
	}
	return tok.Token
}
