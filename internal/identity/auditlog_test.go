package identity_test

import (
	"testing"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

func TestAuditLogIsScopedToTheReadersTerritory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		for _, code := range []string{"31618", "31615", "31633"} {
			err := db.InTx(f.ctx, func(tx *store.Tx) error {
				return audit.Append(f.ctx, tx, &audit.Entry{ActorName: "x", Action: "test.entry", ObjectType: "t", ObjectID: code, UnitCode: code, Summary: "s"})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		leader := f.officer(t, "lanhdao.31615", identity.RoleLeader, f.unit("31615"))
		es, err := f.ids.AuditLog(f.ctx, leader, audit.Filter{Action: "test."})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.UnitCode)
		}
		// Xã An Thạnh 1 (31618) was merged into Xã An Thạnh; Cù Lao Dung is another commune.
		if len(got) != 2 || got[0] != "31615" || got[1] != "31618" {
			t.Fatalf("the leader of 31615 reads entries on %v, want [31615 31618]", got)
		}
		// Asking for another unit's entries does not widen the scope.
		es, _ = f.ids.AuditLog(f.ctx, leader, audit.Filter{UnitCodes: []string{"31633"}, Action: "test."})
		if len(es) != 2 {
			t.Fatalf("a filter widened the scope: %d entries", len(es))
		}
		admin := f.officer(t, "admin", identity.RoleAdmin, 0)
		if es, _ := f.ids.AuditLog(f.ctx, admin, audit.Filter{Action: "test."}); len(es) != 3 {
			t.Fatalf("the whole-tree administrator reads %d entries, want 3", len(es))
		}
		clerk := f.officer(t, "motcua.31615", identity.RoleReceiver, f.unit("31615"))
		if _, err := f.ids.AuditLog(f.ctx, clerk, audit.Filter{}); egov.ErrorCode(err) != egov.EFORBIDDEN {
			t.Fatalf("a receiver reads the audit log: %v", err)
		}
	})
}
