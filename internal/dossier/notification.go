package dossier

import (
	"context"

	"egov/internal/identity"
	"egov/internal/store"
)

// NotificationKind is a change of a dossier that its applicant is told about
// (by e-mail and SMS, package notify).
type NotificationKind string

const (
	// NotifyFiled: the citizen filed online. Nothing is sent (the page
	// confirmed it), but the language they used is remembered for the
	// notices that follow.
	NotifyFiled      NotificationKind = "filed"
	NotifyReceived   NotificationKind = "received"   // received online or at the counter (Mẫu 01)
	NotifySupplement NotificationKind = "supplement" // more documents are needed (Mẫu 02)
	NotifyRefused    NotificationKind = "refused"    // refused, with the reason (Mẫu 03)
	NotifyApology    NotificationKind = "apology"    // late: an apology and a new date (Mẫu 04)
	NotifyResolved   NotificationKind = "resolved"   // the result is ready
	NotifyReturned   NotificationKind = "returned"   // the result was returned
)

// Notification is what Dossiers.Notify receives, inside the transaction of the
// change, after the dossier has been stored.
type Notification struct {
	Kind      NotificationKind
	Dossier   *Dossier // as stored; read it, do not keep it
	Procedure *Procedure
	Note      string // the reason (refusal, apology) or what is missing
}

// notifiedActions maps the actions of the dossier history onto
// notifications.
var notifiedActions = map[string]NotificationKind{
	"submit":                    NotifyFiled,
	"intake":                    NotifyReceived,
	string(ActReceive):          NotifyReceived,
	string(ActRequestDocuments): NotifySupplement,
	string(ActRefuse):           NotifyRefused,
	string(ActApologise):        NotifyApology,
	string(ActFinish):           NotifyResolved,
	string(ActReturnResult):     NotifyReturned,
}

// notify calls the Notify hook when action is one the applicant is told
// about; the hook's error rolls the change back, so a change and its
// notification are stored together or not at all.
func (s *Dossiers) notify(ctx context.Context, tx *store.Tx, action string, d *Dossier, proc *Procedure, note string) error {
	ev, ok := notifiedActions[action]
	if !ok || s.Notify == nil {
		return nil
	}
	return s.Notify(ctx, tx, Notification{Kind: ev, Dossier: d, Procedure: proc, Note: note})
}

// Territory returns the ids of the units whose dossiers the actor reaches
// with permission p (nil: all of them); forbidden when p is held nowhere.
// Services beside this one that keep records per dossier scope their
// lists with it.
func (s *Dossiers) Territory(ctx context.Context, a *identity.Actor, p identity.Permission) ([]int64, error) {
	return s.territory(ctx, a, p, "")
}
