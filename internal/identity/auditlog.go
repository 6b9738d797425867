package identity

import (
	"context"
	"sort"

	"egov/internal/audit"
)

// AuditLog returns the audit entries actor may read that match f, newest
// first. A reader of the whole tree sees every entry; a reader on units
// sees the entries recorded on the units of their territory (which
// includes the units merged into them), and not the entries that concern
// no unit. The filter's UnitCodes is replaced by that scope.
//
// It lives here, beside the policy, because the audit package is below
// identity (identity appends to it).
func (s *Service) AuditLog(ctx context.Context, a *Actor, f audit.Filter) ([]*audit.Entry, error) {
	if err := s.canAny(a, PermAuditRead); err != nil {
		return nil, err
	}
	ids, all := a.Scope(PermAuditRead)
	f.UnitCodes = nil
	if !all {
		g, err := s.units.Graph(ctx)
		if err != nil {
			return nil, err
		}
		today := s.units.Today()
		seen := map[string]bool{}
		codes := []string{}
		for _, id := range ids {
			u := g.ByID(id)
			if u == nil {
				continue
			}
			for uid := range g.Territory(u, today) {
				if x := g.ByID(uid); x != nil && !seen[x.Code] {
					seen[x.Code] = true
					codes = append(codes, x.Code)
				}
			}
		}
		sort.Strings(codes)
		f.UnitCodes = codes
	}
	return audit.List(ctx, s.db, f)
}
