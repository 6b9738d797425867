// Command egov is the provincial digital-government platform: one binary
// that serves the web pages and the API, and administers the database.
//
// Run `egov help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"egov/internal/app"
)

// command is one sub-command; each lives in a file of its own.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, env *env, args []string) error) {
	commands[name] = command{summary: summary, run: run}
}

// env is what a command runs with: its output streams and the environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if err := run(ctx, e, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "egov:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout)
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		usage(e.stderr)
		return fmt.Errorf("unknown command %q", args[0])
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "egov — provincial digital-government platform")
	fmt.Fprintln(w, "\nUsage: egov COMMAND [flags]\n\nCommands:")
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun `egov COMMAND -h` for a command's flags. Every flag has an EGOV_* environment")
	fmt.Fprintln(w, "variable equivalent, e.g. --db and EGOV_DB; a flag given on the command line wins.")
}

// dbFlags are the flags every command that opens the database has.
type dbFlags struct {
	data string
	db   string
	log  string
}

// newFlagSet returns a flag set with the database flags, whose defaults
// come from the EGOV_* environment.
func newFlagSet(e *env, name string) (*flag.FlagSet, *dbFlags) {
	fs := flag.NewFlagSet("egov "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	f := &dbFlags{}
	fs.StringVar(&f.data, "data", envOr(e, "EGOV_DATA", "egov-data"), "data directory; the SQLite database lives here (EGOV_DATA)")
	fs.StringVar(&f.db, "db", e.getenv("EGOV_DB"), "a postgres:// URL; empty: the SQLite file in the data directory (EGOV_DB)")
	fs.StringVar(&f.log, "log-format", envOr(e, "EGOV_LOG_FORMAT", "text"), "log format: text or json (EGOV_LOG_FORMAT)")
	return fs, f
}

func envOr(e *env, key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

func (f *dbFlags) dsn() string {
	if f.db != "" {
		return f.db
	}
	return filepath.Join(f.data, "egov.db")
}

func (f *dbFlags) logger(e *env) *slog.Logger {
	if strings.EqualFold(f.log, "json") {
		return slog.New(slog.NewJSONHandler(e.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(e.stderr, nil))
}

// open opens and migrates the database.
func (f *dbFlags) open(ctx context.Context, e *env) (*app.App, error) {
	return app.Open(ctx, f.dsn(), f.logger(e))
}
