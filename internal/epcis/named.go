package epcis

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
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
	OrgID int64           // the organisation it belongs to; 0 for none
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

// CreateQuery keeps a query under a name. Names belong to organisations:
// two organisations may each have a query of the same name, while a name
// taken in the actor's own organisation is a conflict.
func (s *Service) CreateQuery(ctx context.Context, a *identity.Actor, name string, query json.RawMessage) error {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return err
	}
	if !queryNamePattern.MatchString(name) {
		return queryError("a query name has 1 to 64 letters, digits, '.', '_' or '-'")
	}
	if _, err := s.QueryValues(query); err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO epcis_queries (org_id, name, query, user_id, created_at) VALUES (?, ?, ?, ?, ?)`,
			nullID(acc.Org), name, string(query), a.ID(), store.FormatTime(s.Now()))
		return err
	})
	if store.IsUniqueViolation(err) {
		return exception(ValidationException, http.StatusConflict, "a query named %s exists", name)
	}
	return err
}

// Queries lists by name the named queries of the actor's organisation;
// the system actor's lists every organisation's.
func (s *Service) Queries(ctx context.Context, a *identity.Actor) ([]NamedQuery, error) {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return nil, err
	}
	cond, args := ` WHERE COALESCE(org_id, 0) = ?`, []any{acc.Org}
	if a.System {
		cond, args = "", nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT name, query, COALESCE(org_id, 0) FROM epcis_queries`+cond+` ORDER BY name, org_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []NamedQuery{}
	for rows.Next() {
		var nq NamedQuery
		var q string
		if err := rows.Scan(&nq.Name, &q, &nq.OrgID); err != nil {
			return nil, err
		}
		nq.Query = json.RawMessage(q)
		out = append(out, nq)
	}
	return out, rows.Err()
}

// storedQuery is a named query's row.
type storedQuery struct {
	id, org, user int64
	name, query   string
}

// querier is a *store.DB or a *store.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// findQuery finds the query an actor means by a name: its organisation's
// (the actors of no organisation share one more set of names). Another
// organisation's query of that name does not exist for it. The system
// actor looks in every organisation; a name that several of them use is
// then ambiguous.
func (s *Service) findQuery(ctx context.Context, db querier, a *identity.Actor, acc Access, name string) (*storedQuery, error) {
	cond, args := `COALESCE(org_id, 0) = ? AND name = ?`, []any{acc.Org, name}
	if a.System {
		cond, args = `name = ?`, []any{name}
	}
	rows, err := db.QueryContext(ctx, `SELECT id, COALESCE(org_id, 0), user_id, name, query FROM epcis_queries WHERE `+cond+` LIMIT 2`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var found []storedQuery
	for rows.Next() {
		var q storedQuery
		if err := rows.Scan(&q.id, &q.org, &q.user, &q.name, &q.query); err != nil {
			return nil, err
		}
		found = append(found, q)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, exception(NoSuchNameException, http.StatusNotFound, "no query named %s", name)
	case 1:
		return &found[0], nil
	default:
		return nil, exception(ValidationException, http.StatusConflict, "several organisations have a query named %s", name)
	}
}

// Query returns a named query of the actor's organisation.
func (s *Service) Query(ctx context.Context, a *identity.Actor, name string) (*NamedQuery, error) {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return nil, err
	}
	q, err := s.findQuery(ctx, s.db, a, acc, name)
	if err != nil {
		return nil, err
	}
	return &NamedQuery{Name: q.name, Query: json.RawMessage(q.query), OrgID: q.org}, nil
}

// DeleteQuery deletes a named query and its subscriptions; only whoever
// created it may.
func (s *Service) DeleteQuery(ctx context.Context, a *identity.Actor, name string) error {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		q, err := s.findQuery(ctx, tx, a, acc, name)
		if err != nil {
			return err
		}
		if q.user != a.ID() && !a.System {
			return exception(SecurityException, http.StatusForbidden, "only its creator deletes the query %s", name)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM epcis_subscriptions WHERE query_id = ?`, q.id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM epcis_queries WHERE id = ?`, q.id)
		return err
	})
}
