package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"egov/internal/app"
	"egov/internal/demo"
	"egov/internal/server"
	"egov/internal/store"
)

func init() {
	register("bench", "measure the whole system over loopback (bench dossiers, bench stats, bench trace)", func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 && args[0] == "stats" {
			return benchStatsCmd(ctx, e, args[1:])
		}
		if len(args) > 0 && args[0] == "trace" {
			return benchTraceCommand(ctx, e, args[1:])
		}
		if len(args) == 0 || args[0] != "dossiers" {
			return errors.New("usage: egov bench dossiers [--clients N] [--duration D] [--cpuprofile FILE] [--db postgres://...]\n" +
				"       egov bench stats [--values N] [--import N] [--clients N] [--runs N] [--db postgres://...]\n" +
				"       egov bench trace [--events N] [--clients N] [--duration D] [--db postgres://...]")
		}
		fs, df := newFlagSet(e, "bench dossiers")
		clients := fs.Int("clients", 64, "concurrent clients")
		duration := fs.Duration("duration", 10*time.Second, "how long each phase runs")
		profile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		stop, err := startProfile(*profile)
		if err != nil {
			return err
		}
		defer stop()
		return benchDossiers(ctx, e, df.db, *clients, *duration)
	})
}

// benchDossiers starts the platform on a fresh database with the demo data,
// serves it on loopback, and measures filings (counter intakes), status
// lookups and the inbox from many clients over HTTP. In the same run it
// measures the engine's raw rate of one-row inserts, one commit each, so
// that the figures can be read as a share of what the storage allows on
// this (shared, noisy) machine.
func benchDossiers(ctx context.Context, e *env, pgURL string, clients int, duration time.Duration) error {
	a, dsn, cleanup, err := benchApp(ctx, pgURL)
	if err != nil {
		return err
	}
	defer cleanup()
	base, stop, err := serveLoopback(a)
	if err != nil {
		return err
	}
	defer stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}

	fmt.Fprintf(e.stdout, "egov bench dossiers: %s, %d clients, %s per phase\n\n", a.DB.Engine(), clients, duration)

	raw, err := rawInsertRate(ctx, dsn, clients, duration)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%-28s %10.0f rows/s\n", "raw insert, 1 row/commit", raw)

	token, err := benchToken(client, base, "motcua.31615")
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]any{
		"procedure": "1.004873", "unit": "31615", "channel": "direct",
		"applicant": map[string]string{"name": "Sơn Văn Đức", "phone": "0987654321"},
		"fields": map[string]string{
			"requester_full_name": "Sơn Văn Đức", "requester_birth_date": "1985-01-01", "requester_cccd": "094085004321",
			"requester_address": "Xã An Thạnh", "requester_phone": "0987654321", "marital_status": "chua_ket_hon", "purpose": "Kết hôn",
		},
	})
	var codesMu sync.Mutex
	var codes []string
	commitsBefore, _ := a.DB.WriterStats()
	filing := runPhase(clients, duration, func(int) error {
		req, _ := http.NewRequest("POST", base+"/api/v1/dossiers", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		var d struct{ Code string }
		if err := json.NewDecoder(res.Body).Decode(&d); err != nil || res.StatusCode != http.StatusCreated {
			return fmt.Errorf("filing: %d %v", res.StatusCode, err)
		}
		codesMu.Lock()
		codes = append(codes, d.Code)
		codesMu.Unlock()
		return nil
	})
	filing.print(e.stdout, "filing (POST /dossiers)")
	fmt.Fprintf(e.stdout, "%-28s %10.2f of the raw insert rate\n", "", filing.rate/raw)
	if commits, _ := a.DB.WriterStats(); commits > commitsBefore {
		fmt.Fprintf(e.stdout, "%-28s %10.1f filings per commit (group commit)\n", "", float64(filing.n)/float64(commits-commitsBefore))
	}
	if len(codes) == 0 {
		return errors.New("no dossier was filed")
	}

	lookup := runPhase(clients, duration, func(i int) error {
		code := codes[i%len(codes)]
		res, err := client.Get(base + "/api/v1/lookup?phone=0987654321&code=" + url.QueryEscape(code))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("lookup: %d", res.StatusCode)
		}
		return nil
	})
	lookup.print(e.stdout, "status lookup (GET /lookup)")

	inbox := runPhase(clients, duration, func(int) error {
		req, _ := http.NewRequest("GET", base+"/api/v1/inbox", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("inbox: %d", res.StatusCode)
		}
		return nil
	})
	inbox.print(e.stdout, "inbox (GET /inbox)")
	for _, p := range []*phase{filing, lookup, inbox} {
		if p.err != nil {
			return p.err
		}
	}
	return nil
}

// benchApp opens the platform on a fresh database (see benchDatabase) with
// the demo data; cleanup closes and removes it.
func benchApp(ctx context.Context, pgURL string) (a *app.App, dsn string, cleanup func(), err error) {
	dsn, drop, err := benchDatabase(ctx, pgURL)
	if err != nil {
		return nil, "", nil, err
	}
	a, err = app.Open(ctx, dsn, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		drop()
		return nil, "", nil, err
	}
	cleanup = func() { a.Close(); drop() }
	if err := demo.Load(ctx, a, demo.DefaultPassword); err != nil {
		cleanup()
		return nil, "", nil, err
	}
	return a, dsn, cleanup, nil
}

// serveLoopback serves the platform on a loopback port and returns its
// base URL.
func serveLoopback(a *app.App) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: server.New(a)}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// startProfile writes a CPU profile to path (none when path is empty) until
// stop is called.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// benchDatabase returns a fresh database: a temporary SQLite file, or a new
// schema on the given PostgreSQL server, removed by cleanup.
func benchDatabase(ctx context.Context, pgURL string) (string, func(), error) {
	if pgURL == "" {
		dir, err := os.MkdirTemp("", "egov-bench-")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, "egov.db"), func() { os.RemoveAll(dir) }, nil
	}
	var b [4]byte
	rand.Read(b[:])
	schema := "egov_bench_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", pgURL)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		return "", nil, err
	}
	u, err := url.Parse(pgURL)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		admin.Close()
	}, nil
}

// rawInsertRate inserts rows of the size of a dossier, one per commit,
// from the same number of clients, through a plain database/sql pool (no
// group commit), and returns rows per second: the engine's raw rate.
func rawInsertRate(ctx context.Context, dsn string, clients int, duration time.Duration) (float64, error) {
	db, err := store.OpenRaw(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	pk, insert := "INTEGER PRIMARY KEY", `INSERT INTO bench_raw (body) VALUES (?)`
	if strings.HasPrefix(dsn, "postgres") {
		pk, insert = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", `INSERT INTO bench_raw (body) VALUES ($1)`
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE bench_raw (id `+pk+`, body TEXT NOT NULL)`); err != nil {
		return 0, err
	}
	row := strings.Repeat("x", 800)
	p := runPhase(clients, duration, func(int) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, insert, row); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	})
	return p.rate, p.err
}

// phase is one measured load: its rate and latency percentiles.
type phase struct {
	rate          float64
	p50, p95, p99 time.Duration
	n             int
	err           error
}

func (p *phase) print(w io.Writer, name string) {
	fmt.Fprintf(w, "%-28s %10.0f req/s   p50 %7.2f ms   p95 %7.2f ms   p99 %7.2f ms   (%d)\n", name, p.rate,
		ms(p.p50), ms(p.p95), ms(p.p99), p.n)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// runPhase runs fn from clients goroutines for duration and measures it.
func runPhase(clients int, duration time.Duration, fn func(i int) error) *phase {
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var seq atomic.Int64
	stop := time.Now().Add(duration)
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(stop) {
				t := time.Now()
				if err := fn(int(seq.Add(1))); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					break
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	p := &phase{n: len(lat), err: firstErr, rate: float64(len(lat)) / elapsed.Seconds()}
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		at := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
		p.p50, p.p95, p.p99 = at(0.50), at(0.95), at(0.99)
	}
	return p
}

func benchToken(client *http.Client, base, user string) (string, error) {
	res, err := client.Post(base+"/api/v1/auth/token", "application/json",
		strings.NewReader(`{"username":"`+user+`","password":"`+demo.DefaultPassword+`"}`))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var tok struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.Token == "" {
		return "", fmt.Errorf("token for %s: %d %v", user, res.StatusCode, err)
	}
	return tok.Token, nil
}
