package epcis

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"egov/internal/identity"
	"egov/internal/store"
)

// NamedQuery is a query kept under a name.
type NamedQuery struct {
	Name  string
	Query json.RawMessage // the JSON query body, as created
}

var queryNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// QueryValues turns a JSON query body ({"eventType": ["ObjectEvent"],
// "GE_eventTime": "…", "eventCountLimit": 100, …}) into query parameters:
// lists become pipe-separated alternatives, EXISTS_ parameters take true.
// It checks the parameters as GET /epcis/events would.
func (s *Service) QueryValues(body []byte) (url.Values, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, queryError("the query must be a JSON object: %v", err)
	}
	v := url.Values{}
	for k, x := range m {
		if k == "@context" {
			continue
		}
		switch y := x.(type) {
		case string:
			v.Set(k, y)
		case json.Number:
			v.Set(k, string(y))
		case bool:
			if !y || !strings.HasPrefix(k, "EXISTS_") {
				return nil, queryError("%s: a boolean is only for EXISTS_ parameters, and only true", k)
			}
			v.Set(k, "")
		case []any:
			var alts []string
			for _, e := range y {
				str, ok := e.(string)
				if !ok || str == "" || strings.Contains(str, "|") {
					return nil, queryError("%s: the list must hold non-empty strings", k)
				}
				alts = append(alts, str)
			}
			if len(alts) == 0 {
				return nil, queryError("%s: empty list", k)
			}
			v.Set(k, strings.Join(alts, "|"))
		default:
			return nil, queryError("%s: unsupported value", k)
		}
	}
	if _, err := s.ParseQuery(v, nil); err != nil {
		return nil, err
	}
	return v, nil
}

// CreateQuery keeps a query under a name; a taken name is a conflict.
func (s *Service) CreateQuery(ctx context.Context, a *identity.Actor, name string, query json.RawMessage) error {
	if _, err := s.AccessOf(ctx, a); err != nil {
		return err
	}
	if !queryNamePattern.MatchString(name) {
		return queryError("a query name has 1 to 64 letters, digits, '.', '_' or '-'")
	}
	if _, err := s.QueryValues(query); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO epcis_queries (name, query, user_id, created_at) VALUES (?, ?, ?, ?)`,
			name, string(query), a.ID(), store.FormatTime(s.Now()))
		return err
	})
	if store.IsUniqueViolation(err) {
		return exception(ValidationException, http.StatusConflict, "a query named %s exists", name)
	}
	return err
}

// Queries lists the named queries by name.
func (s *Service) Queries(ctx context.Context, a *identity.Actor) ([]NamedQuery, error) {
	if _, err := s.AccessOf(ctx, a); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT name, query FROM epcis_queries ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []NamedQuery{}
	for rows.Next() {
		var n, q string
		if err := rows.Scan(&n, &q); err != nil {
			return nil, err
		}
		out = append(out, NamedQuery{n, json.RawMessage(q)})
	}
	return out, rows.Err()
}

// Query returns a named query.
func (s *Service) Query(ctx context.Context, a *identity.Actor, name string) (*NamedQuery, error) {
	if _, err := s.AccessOf(ctx, a); err != nil {
		return nil, err
	}
	var q string
	err := s.db.QueryRowContext(ctx, `SELECT query FROM epcis_queries WHERE name = ?`, name).Scan(&q)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, exception(NoSuchNameException, http.StatusNotFound, "no query named %s", name)
	}
	if err != nil {
		return nil, err
	}
	return &NamedQuery{name, json.RawMessage(q)}, nil
}

// DeleteQuery deletes a named query and its subscriptions; only whoever
// created it may.
func (s *Service) DeleteQuery(ctx context.Context, a *identity.Actor, name string) error {
	if _, err := s.AccessOf(ctx, a); err != nil {
		return err
	}
	var owner int64
	err := s.db.QueryRowContext(ctx, `SELECT user_id FROM epcis_queries WHERE name = ?`, name).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return exception(NoSuchNameException, http.StatusNotFound, "no query named %s", name)
	}
	if err != nil {
		return err
	}
	if owner != a.ID() && !a.System {
		return exception(SecurityException, http.StatusForbidden, "only its creator deletes the query %s", name)
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM epcis_subscriptions WHERE query_id IN (SELECT id FROM epcis_queries WHERE name = ?)`, name)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM epcis_queries WHERE name = ?`, name)
		return err
	})
}
