package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"egov/internal/demo"
	"egov/internal/store"
)

func runCmd(t *testing.T, envs map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return envs[k] }}
	err := run(context.Background(), e, args)
	return out.String() + errb.String(), err
}

func TestHelpListsCommands(t *testing.T) {
	out, err := runCmd(t, nil, "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"serve", "demo", "migrate", "units", "user", "audit", "calendar"} {
		if !strings.Contains(out, "  "+c+" ") {
			t.Errorf("help does not list %s:\n%s", c, out)
		}
	}
	if _, err := runCmd(t, nil, "nonsense"); err == nil {
		t.Error("an unknown command succeeded")
	}
}

// The command-line journey of an administrator: migrate, import units,
// create the first administrator, and catch tampering with the audit log.
func TestAdministratorJourney(t *testing.T) {
	data := t.TempDir()
	envs := map[string]string{"EGOV_DATA": data, "EGOV_USER_PASSWORD": "mat-khau-quan-tri"}
	if out, err := runCmd(t, envs, "migrate"); err != nil || !strings.Contains(out, "migration(s) applied") {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	shared := "../../../shared/data/admin-units/"
	out, err := runCmd(t, envs, "units", "import", shared+"soc-trang-2021.csv", "--from", "2021-01-01")
	if err != nil || !strings.Contains(out, "121 units: 121 added") {
		t.Fatalf("units import: %v\n%s", err, out)
	}
	if out, err = runCmd(t, envs, "units", "import", "--from=2021-01-01", shared+"soc-trang-2021.csv"); err != nil || !strings.Contains(out, "121 unchanged") {
		t.Fatalf("second units import: %v\n%s", err, out)
	}
	if out, err = runCmd(t, envs, "units", "import", shared+"can-tho-2025.csv", "--from", "2025-07-01"); err != nil {
		t.Fatalf("units import 2025: %v\n%s", err, out)
	}
	// The 2024 merger row names 31522 on 2024-09-01, which exists (unrenamed).
	if out, err = runCmd(t, envs, "units", "merges", shared+"soc-trang-2025-merges.csv"); err != nil || !strings.Contains(out, "109 rows") {
		t.Fatalf("units merges: %v\n%s", err, out)
	}
	bad := filepath.Join(data, "bad.csv")
	os.WriteFile(bad, []byte("code,name,type,level,parent_code\n99999,Xã Mới,Xã,3,92\n9999x,Xã Hỏng,Xã,3,92\n"), 0o600)
	if out, err = runCmd(t, envs, "units", "import", bad, "--from", "2026-01-01"); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("a bad file: %v\n%s", err, out)
	}
	if out, err = runCmd(t, envs, "user", "add", "--admin", "quantri"); err != nil || !strings.Contains(out, "created quantri") {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	if out, err = runCmd(t, envs, "user", "add", "--role", "leader", "--unit", "31615", "lanhdao"); err != nil {
		t.Fatalf("user add --role: %v\n%s", err, out)
	}
	if out, err = runCmd(t, envs, "audit", "verify"); err != nil || !strings.Contains(out, "ok: ") {
		t.Fatalf("audit verify: %v\n%s", err, out)
	}

	// Tamper with entry 2 behind the platform's back.
	db, err := store.Open(context.Background(), filepath.Join(data, "egov.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(context.Background(), `UPDATE audit_log SET actor_name = 'ai-do' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, err = runCmd(t, envs, "audit", "verify")
	if err == nil || !strings.Contains(out, "first broken link is entry 2") {
		t.Fatalf("audit verify after tampering: %v\n%s", err, out)
	}
}

// `egov demo` serves, answers /healthz, and shuts down cleanly when its
// context ends (SIGINT/SIGTERM in main); a second start loads nothing twice.
func TestDemoServesAndShutsDown(t *testing.T) {
	data := t.TempDir()
	for round := 0; round < 2; round++ {
		ctx, cancel := context.WithCancel(context.Background())
		var out, logs syncBuf
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &logs, getenv: func(k string) string {
			// The dossier history and the statistics have their own tests
			// (internal/demo); here they would only make the test slow.
			return map[string]string{"EGOV_DATA": data, "EGOV_ADDR": "127.0.0.1:0", "EGOV_DEMO_HISTORY": "0", "EGOV_DEMO_STATISTICS": "0",
				"EGOV_ANALYTICS_MEMORY": "64MB"}[k]
		}}
		done := make(chan error, 1)
		go func() { done <- run(ctx, e, []string{"demo"}) }()
		url := waitForURL(t, &out, done)
		res, err := http.Get(url + "/healthz")
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("round %d: /healthz: %v %v", round, res, err)
		}
		res.Body.Close()
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("round %d: shutdown: %v", round, err)
		}
		// Analytics' memory was warmed (or its warming stopped by the
		// shutdown) under the limit set.
		if !strings.Contains(logs.String(), "limit=67108864") {
			t.Errorf("round %d: no analytics warming under a 64 MB limit in the log:\n%s", round, logs.String())
		}
	}
	db, err := store.Open(context.Background(), filepath.Join(data, "egov.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var users, units, procedures int
	db.QueryRowContext(context.Background(), `SELECT count(*) FROM users`).Scan(&users)
	db.QueryRowContext(context.Background(), `SELECT count(*) FROM units`).Scan(&units)
	db.QueryRowContext(context.Background(), `SELECT count(*) FROM procedures`).Scan(&procedures)
	if users != len(demo.Accounts) || units != 166 || procedures != 27 {
		t.Fatalf("after two starts: %d users, %d unit versions, %d procedures; want %d, 166, 27", users, units, procedures, len(demo.Accounts))
	}
}

// waitForURL waits for the demo's banner and returns its URL.
func waitForURL(t *testing.T, out *syncBuf, done chan error) string {
	t.Helper()
	for {
		changed := out.changed() // taken before reading, so no write is missed
		for _, line := range strings.Split(out.String(), "\n") {
			if u, ok := strings.CutPrefix(line, "egov demo: "); ok {
				return strings.TrimSpace(u)
			}
		}
		select {
		case err := <-done:
			t.Fatalf("demo stopped: %v\n%s", err, out.String())
		case <-changed:
		}
	}
}

// syncBuf is a buffer written by the server goroutine and read by the
// test, which waits on changed() instead of sleeping.
type syncBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
	ch  chan struct{}
}

func (b *syncBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch != nil {
		close(b.ch)
		b.ch = nil
	}
	return b.buf.Write(p)
}

func (b *syncBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// changed returns a channel closed at the next write.
func (b *syncBuf) changed() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	return b.ch
}

// The catalogue goes out and back in through the command line; an edited
// file changes what it changed, and a broken one changes nothing.
func TestProceduresImportExport(t *testing.T) {
	data := t.TempDir()
	envs := map[string]string{"EGOV_DATA": data}
	seed := "../../internal/demo/data/procedures.json"
	out, err := runCmd(t, envs, "procedures", "import", seed)
	if err != nil || !strings.Contains(out, "27 procedures: 27 added") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	exported := filepath.Join(data, "out.json")
	if out, err = runCmd(t, envs, "procedures", "export", exported); err != nil || !strings.Contains(out, "27 procedures written") {
		t.Fatalf("export: %v\n%s", err, out)
	}
	if out, err = runCmd(t, envs, "procedures", "import", exported); err != nil || !strings.Contains(out, "27 unchanged") {
		t.Fatalf("re-import of the export: %v\n%s", err, out)
	}
	b, _ := os.ReadFile(exported)
	edited := strings.Replace(string(b), `"name": "Thủ tục đăng ký khai sinh"`, `"name": "Đăng ký khai sinh"`, 1)
	os.WriteFile(exported, []byte(edited), 0o600)
	if out, err = runCmd(t, envs, "procedures", "import", exported); err != nil || !strings.Contains(out, "1 changed, 26 unchanged") {
		t.Fatalf("import of an edit: %v\n%s", err, out)
	}
	// The same catalogue through a spreadsheet changes nothing.
	sheet := filepath.Join(data, "thu-tuc.xlsx")
	if out, err = runCmd(t, envs, "procedures", "export", sheet); err != nil {
		t.Fatalf("export xlsx: %v\n%s", err, out)
	}
	if out, err = runCmd(t, envs, "procedures", "import", sheet); err != nil || !strings.Contains(out, "27 unchanged") {
		t.Fatalf("import xlsx: %v\n%s", err, out)
	}
	broken := strings.Replace(edited, `"agency": "`, `"agency": "  `, 1)
	broken = strings.Replace(broken, `"level": 3`, `"level": 0`, 1)
	os.WriteFile(exported, []byte(broken), 0o600)
	if out, err = runCmd(t, envs, "procedures", "import", exported); err == nil || !strings.Contains(err.Error(), "procedures[0].level") {
		t.Fatalf("import of a broken file: %v\n%s", err, out)
	}
}

// egov bench dossiers runs its phases and prints each figure.
func TestBenchDossiers(t *testing.T) {
	out, err := runCmd(t, nil, "bench", "dossiers", "--clients", "4", "--duration", "300ms")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	for _, want := range []string{"raw insert, 1 row/commit", "filing (POST /dossiers)", "of the raw insert rate", "status lookup", "inbox", "p99"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}

// egov bench stats, scaled down, generates, imports through the API and
// prints each query beside its GROUP BY.
func TestBenchStats(t *testing.T) {
	out, err := runCmd(t, nil, "bench", "stats", "--values", "30000", "--import", "2000", "--runs", "3")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	for _, want := range []string{"generated (bulk insert)", "import (POST /dataValueSets)", "20 indicators × communes",
		"20 indicators × old districts", "computed indicator × communes", "cold/GROUP BY", "pivot/GROUP BY", "freshness", "(want 1000)",
		"memory after the queries: RSS", "every indicator, 20 at a time", "memory after every indicator"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, ": 0 cells") {
		t.Errorf("a query answered nothing:\n%s", out)
	}
}
