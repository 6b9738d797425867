package epcis_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"egov/internal/epcis"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

// Named queries and their subscriptions belong to the organisation of
// whoever made them: another organisation neither sees nor uses nor
// deletes them, and may use the same names. The system actor sees them
// all.
func TestNamedQueriesBelongToOrganisations(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		create := func(a *identity.Actor, name, query string) {
			t.Helper()
			if err := w.svc.CreateQuery(w.ctx, a, name, json.RawMessage(query)); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		create(w.coopOp, "giao-hang", `{"EQ_bizStep": ["shipping"]}`)
		create(w.millOp, "giao-hang", `{"EQ_bizStep": ["shipping", "receiving"]}`)
		create(w.millOp, "xay-xat", `{"EQ_bizStep": ["commissioning"]}`)
		if err := w.svc.CreateQuery(w.ctx, w.millOp, "giao-hang", json.RawMessage(`{}`)); exceptionType(err) != epcis.ValidationException {
			t.Errorf("a name taken in the organisation: %v", err)
		}
		names := func(a *identity.Actor) []string {
			t.Helper()
			qs, err := w.svc.Queries(w.ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, q := range qs {
				out = append(out, q.Name+" "+string(q.Query))
			}
			return out
		}
		if got := names(w.coopOp); len(got) != 1 || got[0] != `giao-hang {"EQ_bizStep": ["shipping"]}` {
			t.Errorf("the cooperative lists %q", got)
		}
		if got := names(w.millOp); len(got) != 2 || got[0] != `giao-hang {"EQ_bizStep": ["shipping", "receiving"]}` || got[1] != `xay-xat {"EQ_bizStep": ["commissioning"]}` {
			t.Errorf("the mill lists %q", got)
		}
		if got := names(w.farmOp); len(got) != 0 {
			t.Errorf("the shrimp farm lists %q", got)
		}
		if got := names(identity.SystemActor); len(got) != 3 {
			t.Errorf("the system lists %q", got)
		}
		if q, err := w.svc.Query(w.ctx, w.coopOp, "giao-hang"); err != nil || string(q.Query) != `{"EQ_bizStep": ["shipping"]}` || q.OrgID != w.coop.ID {
			t.Errorf("the cooperative's giao-hang: %+v %v", q, err)
		}
		notFound := func(what string, err error) {
			t.Helper()
			var ex *epcis.Exception
			if !errors.As(err, &ex) || ex.Status != http.StatusNotFound ||
				ex.Type != epcis.NoSuchNameException && ex.Type != epcis.NoSuchResourceException {
				t.Errorf("%s: %v, want not found", what, err)
			}
		}
		_, err := w.svc.Query(w.ctx, w.coopOp, "xay-xat")
		notFound("the cooperative reads the mill's query", err)
		_, err = w.svc.Subscribe(w.ctx, w.coopOp, "xay-xat", epcis.NewSubscription{Dest: "https://htx.example/hook", Stream: true})
		notFound("the cooperative subscribes to the mill's query", err)
		_, err = w.svc.Subscriptions(w.ctx, w.coopOp, "xay-xat")
		notFound("the cooperative lists the subscriptions to the mill's query", err)
		notFound("the cooperative deletes the mill's query", w.svc.DeleteQuery(w.ctx, w.coopOp, "xay-xat"))
		if _, err := w.svc.Query(w.ctx, w.millOp, "xay-xat"); err != nil {
			t.Errorf("the mill's query after the cooperative's attempt: %v", err)
		}

		// Subscriptions: the mill's, under its giao-hang, are not under the
		// cooperative's giao-hang.
		sub, err := w.svc.Subscribe(w.ctx, w.millOp, "giao-hang", epcis.NewSubscription{Dest: "https://nhamay.example/hook", Stream: true})
		if err != nil {
			t.Fatal(err)
		}
		if subs, err := w.svc.Subscriptions(w.ctx, w.coopOp, "giao-hang"); err != nil || len(subs) != 0 {
			t.Errorf("the cooperative lists %d subscriptions (%v)", len(subs), err)
		}
		_, err = w.svc.GetSubscription(w.ctx, w.coopOp, "giao-hang", sub.ID)
		notFound("the cooperative reads the mill's subscription", err)
		notFound("the cooperative unsubscribes the mill", w.svc.Unsubscribe(w.ctx, w.coopOp, "giao-hang", sub.ID))
		if subs, err := w.svc.Subscriptions(w.ctx, w.millOp, "giao-hang"); err != nil || len(subs) != 1 || subs[0].ID != sub.ID {
			t.Errorf("the mill's subscriptions: %v %v", subs, err)
		}

		// The system finds a name one organisation uses, and asks which
		// one is meant when several do.
		if q, err := identityQuery(w, "xay-xat"); err != nil || q.OrgID != w.mill.ID {
			t.Errorf("the system's xay-xat: %+v %v", q, err)
		}
		if _, err := identityQuery(w, "giao-hang"); exceptionType(err) != epcis.ValidationException {
			t.Errorf("the system's giao-hang: %v", err)
		}
		if err := w.svc.DeleteQuery(w.ctx, identity.SystemActor, "xay-xat"); err != nil {
			t.Errorf("the system deletes xay-xat: %v", err)
		}
		// Deleting the mill's giao-hang leaves the cooperative's.
		if err := w.svc.DeleteQuery(w.ctx, w.millOp, "giao-hang"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Query(w.ctx, w.coopOp, "giao-hang"); err != nil {
			t.Errorf("the cooperative's giao-hang after the mill deleted its own: %v", err)
		}
		if got := names(identity.SystemActor); len(got) != 1 {
			t.Errorf("left: %q", got)
		}
	})
}

func identityQuery(w *world, name string) (*epcis.NamedQuery, error) {
	return w.svc.Query(w.ctx, identity.SystemActor, name)
}
