package web

import (
	"net/http"

	"egov"
	"egov/internal/identity"
)

// requirePermission returns the signed-in actor when it holds perm on some
// unit. It only decides whether a page applies; the domain checks each
// object against the actor's subtree.
func requirePermission(r *http.Request, perm identity.Permission) (*identity.Actor, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, err
	}
	if ids, all := a.Scope(perm); !all && len(ids) == 0 {
		return nil, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	return a, nil
}

func hasPermission(a *identity.Actor, perm identity.Permission) bool {
	ids, all := a.Scope(perm)
	return all || len(ids) > 0
}

type adminData struct {
	*page
	Users, Audit, Calendar bool
	// Procedures: the catalogue import, for administrators of the whole tree.
	Procedures bool
	// Messages: the notices sent to applicants (audit readers).
	Messages bool
	// Reopen: reopening closed reports for entry (stats.approve).
	Reopen bool
	// Trace: the organisations of the traceability chains (trace.manage).
	Trace bool
}

// adminIndex lists the administration pages the actor may use.
func (h *handler) adminIndex(w http.ResponseWriter, r *http.Request) {
	a, err := requireActor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !canAdmin(a) {
		h.fail(w, r, egov.Errorf(egov.EFORBIDDEN, "error.forbidden"))
		return
	}
	h.render(w, r, http.StatusOK, "admin", &adminData{page: h.newPage(r, "admin.title", "admin"),
		Users:      hasPermission(a, identity.PermUsersManage),
		Audit:      hasPermission(a, identity.PermAuditRead),
		Calendar:   hasPermission(a, identity.PermCalendarManage),
		Procedures: h.app.Identity.Can(r.Context(), a, identity.PermProceduresManage, 0) == nil,
		Messages:   hasPermission(a, identity.PermAuditRead),
		Reopen:     hasPermission(a, identity.PermStatsApprove),
		Trace:      hasPermission(a, identity.PermTraceManage)})
}
