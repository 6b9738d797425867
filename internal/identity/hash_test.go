package identity_test

import (
	"testing"
	"time"

	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

// TestHashingOutsideTransaction holds each password hash (registration,
// officer creation, a password change) until another write of the process
// has committed: a hash computed inside a transaction would block the one
// writer goroutine and that write could not finish.
func TestHashingOutsideTransaction(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		entered, release := make(chan struct{}), make(chan struct{})
		identity.SetHasher(f.ids, func(p string) string {
			entered <- struct{}{}
			<-release
			return identity.HashPassword(p)
		})
		check := func(name string, op func() error) {
			t.Helper()
			done := make(chan error, 1)
			go func() { done <- op() }()
			select {
			case <-entered:
			case err := <-done:
				t.Fatalf("%s: not hashed: %v", name, err)
			}
			other := make(chan error, 1)
			go func() { other <- db.InTx(f.ctx, func(tx *store.Tx) error { return nil }) }()
			select {
			case err := <-other:
				if err != nil {
					t.Errorf("%s: other write: %v", name, err)
				}
			case <-time.After(2 * time.Second):
				t.Errorf("%s: another write waited for the password hash", name)
				close(release)
				<-other
			}
			select {
			case <-release:
			default:
				close(release)
			}
			if err := <-done; err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			release = make(chan struct{})
		}
		var id int64
		check("register", func() error {
			u, err := f.ids.Register(f.ctx, identity.NewUser{Username: "congdan.h", FullName: "Lê Văn Hà", CitizenID: "094185000124", Phone: "0912345679", Password: "mat-khau-dai"})
			if err == nil {
				id = u.ID
			}
			return err
		})
		check("officer", func() error {
			_, err := f.ids.CreateOfficer(f.ctx, identity.SystemActor, identity.NewUser{Username: "canbo.h", FullName: "Cán bộ Hà", Password: "mat-khau-dai"}, identity.RoleReceiver, f.unit("31615"))
			return err
		})
		check("password", func() error {
			return f.ids.SetPassword(f.ctx, identity.SystemActor, id, "mat-khau-moi-dai")
		})
	})
}
