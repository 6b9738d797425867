package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"egov/internal/store"
	"egov/internal/store/storetest"
)

// The migration that scopes named queries to organisations rebuilds the
// queries and subscriptions tables: their rows survive it, each query
// belongs to its creator's organisation, a subscription still points at its
// query, or, made for another organisation than the query's, at that
// organisation's copy of it, and names are unique within an organisation
// only.
func TestMigrationScopesNamedQueries(t *testing.T) {
	open := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "egov.db") },
		"postgres": func(t *testing.T) string { return storetest.NewPostgresSchema(t) },
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, open[engine](t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ms, err := store.Migrations()
			if err != nil {
				t.Fatal(err)
			}
			version := 0
			for _, m := range ms {
				if m.Name == "epcis_schedules" {
					version = m.Version
				}
			}
			if version == 0 {
				t.Fatal("no migration epcis_schedules")
			}
			if _, err := db.MigrateTo(ctx, version-1); err != nil {
				t.Fatal(err)
			}
			now := "2026-03-02T01:00:00.000000Z"
			var ids = map[string]int64{}
			insert := func(key, query string, args ...any) {
				t.Helper()
				err := db.InTx(ctx, func(tx *store.Tx) error {
					var id int64
					err := tx.QueryRowContext(ctx, query+` RETURNING id`, args...).Scan(&id)
					ids[key] = id
					return err
				})
				if err != nil {
					t.Fatalf("%s: %v", key, err)
				}
			}
			insert("unit", `INSERT INTO units (code, name, type, level, valid_from, search_name) VALUES ('94', 'Sóc Trăng', 'tinh', 1, '2000-01-01', 'soc trang')`)
			for _, u := range []string{"a", "b", "none", "b2"} {
				insert("user-"+u, `INSERT INTO users (username, kind, full_name, password_hash, created_at, updated_at) VALUES (?, 'officer', ?, 'x', ?, ?)`,
					"nguoi."+u, "Người "+u, now, now)
			}
			for _, o := range []string{"a", "b"} {
				insert("org-"+o, `INSERT INTO trace_organisations (code, kind, name, unit_id, identifier, created_at) VALUES (?, 'producer', ?, ?, ?, ?)`,
					"ORG-"+o, "Tổ chức "+o, ids["unit"], "https://truyxuat.example.gov.vn/id/ORG-"+o, now)
				err := db.InTx(ctx, func(tx *store.Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT INTO trace_members (user_id, org_id, created_at) VALUES (?, ?, ?)`, ids["user-"+o], ids["org-"+o], now)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			// A second member of b, who came after the first.
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO trace_members (user_id, org_id, created_at) VALUES (?, ?, ?)`, ids["user-b2"], ids["org-b"], now)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			insert("q-a", `INSERT INTO epcis_queries (name, query, user_id, created_at) VALUES ('giao-hang', '{}', ?, ?)`, ids["user-a"], now)
			insert("q-b", `INSERT INTO epcis_queries (name, query, user_id, created_at) VALUES ('thu-hoach', '{"EQ_bizStep": ["harvesting"]}', ?, ?)`, ids["user-b"], now)
			insert("q-none", `INSERT INTO epcis_queries (name, query, user_id, created_at) VALUES ('tat-ca', '{}', ?, ?)`, ids["user-none"], now)
			insert("s-b", `INSERT INTO epcis_subscriptions (subscription_id, query_id, dest, signature_token, stream, report_if_empty, user_id, org_id, created_at)
				VALUES ('sub-b', ?, 'https://b.example/hook', 'bi-mat', 1, 0, ?, ?, ?)`, ids["q-b"], ids["user-b"], ids["org-b"], now)
			// Subscriptions made, before the migration, to the query of
			// another organisation or of none.
			for _, c := range []struct{ sub, query, user, org string }{
				{"sub-b2-a", "q-a", "user-b2", "org-b"},
				{"sub-b-a", "q-a", "user-b", "org-b"},
				{"sub-none-a", "q-a", "user-none", ""},
				{"sub-a-none", "q-none", "user-a", "org-a"},
			} {
				var org any
				if c.org != "" {
					org = ids[c.org]
				}
				insert(c.sub, `INSERT INTO epcis_subscriptions (subscription_id, query_id, dest, stream, user_id, org_id, created_at)
					VALUES (?, ?, ?, 1, ?, ?, ?)`, c.sub, ids[c.query], "https://"+c.sub+".example/hook", ids[c.user], org, now)
			}

			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			key := func(id int64, prefix string) string {
				for k, v := range ids {
					if v == id && strings.HasPrefix(k, prefix) {
						return strings.TrimPrefix(k, prefix)
					}
				}
				return "none"
			}
			rows, err := db.QueryContext(ctx, `SELECT name, COALESCE(org_id, 0), user_id, query FROM epcis_queries`)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var name, query string
				var org, user int64
				if err := rows.Scan(&name, &org, &user, &query); err != nil {
					t.Fatal(err)
				}
				got = append(got, name+"@"+key(org, "org-")+" by "+key(user, "user-")+" "+query)
			}
			rows.Close()
			slices.Sort(got)
			want := []string{"giao-hang@a by a {}", "giao-hang@b by b {}", "giao-hang@none by none {}",
				"tat-ca@a by a {}", "tat-ca@none by none {}", `thu-hoach@b by b {"EQ_bizStep": ["harvesting"]}`}
			if !slices.Equal(got, want) {
				t.Errorf("queries after the migration:\n%q\nwant\n%q", got, want)
			}
			// Each subscription is on the query of its own organisation.
			rows, err = db.QueryContext(ctx, `SELECT s.subscription_id, q.name, COALESCE(q.org_id, 0) FROM epcis_subscriptions s
				JOIN epcis_queries q ON q.id = s.query_id`)
			if err != nil {
				t.Fatal(err)
			}
			got = nil
			for rows.Next() {
				var sub, name string
				var org int64
				if err := rows.Scan(&sub, &name, &org); err != nil {
					t.Fatal(err)
				}
				got = append(got, sub+" "+name+"@"+key(org, "org-"))
			}
			rows.Close()
			slices.Sort(got)
			want = []string{"sub-a-none tat-ca@a", "sub-b thu-hoach@b", "sub-b-a giao-hang@b", "sub-b2-a giao-hang@b", "sub-none-a giao-hang@none"}
			if !slices.Equal(got, want) {
				t.Errorf("subscriptions after the migration:\n%q\nwant\n%q", got, want)
			}
			var name, token, schedule, next string
			var stream int
			err = db.QueryRowContext(ctx, `SELECT q.name, s.signature_token, s.stream, s.schedule, s.next_run_at FROM epcis_subscriptions s
				JOIN epcis_queries q ON q.id = s.query_id WHERE s.subscription_id = 'sub-b'`).Scan(&name, &token, &stream, &schedule, &next)
			if err != nil || name != "thu-hoach" || token != "bi-mat" || stream != 1 || schedule != "" || next != "" {
				t.Errorf("the subscription after the migration: %q %q %d %q %q %v", name, token, stream, schedule, next, err)
			}

			exec := func(query string, args ...any) error {
				return db.InTx(ctx, func(tx *store.Tx) error {
					_, err := tx.ExecContext(ctx, query, args...)
					return err
				})
			}
			newQuery := func(name string, org any) error {
				return exec(`INSERT INTO epcis_queries (org_id, name, query, user_id, created_at) VALUES (?, ?, '{}', ?, ?)`, org, name, ids["user-a"], now)
			}
			if err := newQuery("thu-hoach", ids["org-a"]); err != nil {
				t.Errorf("another organisation's query of the same name: %v", err)
			}
			if err := newQuery("giao-hang", ids["org-a"]); !store.IsUniqueViolation(err) {
				t.Errorf("a name taken in its organisation: %v", err)
			}
			if err := newQuery("tat-ca", nil); !store.IsUniqueViolation(err) {
				t.Errorf("a name taken among the queries of no organisation: %v", err)
			}
			// The subscriptions' reference follows the renamed table.
			sub := `INSERT INTO epcis_subscriptions (subscription_id, query_id, dest, stream, user_id, created_at) VALUES (?, ?, 'https://a.example/', 1, ?, ?)`
			var qa int64
			db.QueryRowContext(ctx, `SELECT id FROM epcis_queries WHERE name = 'giao-hang' AND org_id = ?`, ids["org-a"]).Scan(&qa)
			if err := exec(sub, "sub-a", qa, ids["user-a"], now); err != nil {
				t.Errorf("a subscription to a query: %v", err)
			}
			if err := exec(sub, "sub-x", qa+1000, ids["user-a"], now); err == nil {
				t.Error("a subscription to no query was accepted")
			}
			// A new query gets an id of its own: the identity sequence
			// follows the copied rows.
			var maxID, fresh int64
			if err := db.QueryRowContext(ctx, `SELECT MAX(id) FROM epcis_queries`).Scan(&maxID); err != nil {
				t.Fatal(err)
			}
			insert("q-new", `INSERT INTO epcis_queries (org_id, name, query, user_id, created_at) VALUES (?, 'moi', '{}', ?, ?)`, ids["org-a"], ids["user-a"], now)
			if fresh = ids["q-new"]; fresh <= maxID {
				t.Errorf("a new query got id %d, not after the copied ones (up to %d)", fresh, maxID)
			}
			// The rebuilt tables' constraints, indexes and sequences carry
			// their usual names, which a later migration may use.
			var leftover []string
			if engine == "postgres" {
				rows, err = db.QueryContext(ctx, `SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
					UNION ALL SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace`)
			} else {
				rows, err = db.QueryContext(ctx, `SELECT name || ': ' || COALESCE(sql, '') FROM sqlite_master`)
			}
			if err != nil {
				t.Fatal(err)
			}
			names := 0
			for rows.Next() {
				var name string
				if err := rows.Scan(&name); err != nil {
					t.Fatal(err)
				}
				names++
				if strings.Contains(name, "_v2") {
					leftover = append(leftover, name)
				}
			}
			rows.Close()
			if names == 0 || len(leftover) > 0 {
				t.Errorf("names left by the migration (of %d): %q", names, leftover)
			}
			if engine == "postgres" {
				var n int
				err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
					AND conname IN ('epcis_queries_pkey', 'epcis_subscriptions_pkey', 'epcis_subscriptions_query_id_fkey', 'epcis_subscriptions_subscription_id_key')`).Scan(&n)
				if err != nil || n != 4 {
					t.Errorf("%d of the usual constraint names (%v), want 4", n, err)
				}
			}
		})
	}
}
