package epcis

import (
	"context"

	"egov/internal/identity"
)

// What a trace operator sees. Circular 02/2024/TT-BKHCN asks every actor
// of a chain to know "one step back, one step forward": where what it
// handles came from and where it went. An operator's queries therefore
// see the events of its own organisation and, of other organisations,
// the events that
//
//   - name an object (an EPC, a parent, an input or output, a quantity
//     class such as a lot) that one of its own events names or that is one
//     of its own lots: the cooperative sees the mill's receiving and
//     milling of its paddy lot, the mill sees the cooperative's harvest and
//     shipping of the lot it received;
//   - happen at one of its places (readPoint or bizLocation);
//   - name the organisation or one of its places as a source or
//     destination: the mill sees the shipment sent to it before it
//     records its receipt.
//
// Nothing else of another organisation: not its other lots, not the
// sowing on its fields. An administrator sees every event.

// visibleSQL is the condition on epcis_events (unqualified columns) that
// limits a query to what organisation org sees; it takes visibleArgs.
const visibleSQL = `(org_id = ?
 OR id IN (SELECT x.event FROM epcis_event_epcs x WHERE x.epc IN (
     SELECT y.epc FROM epcis_event_epcs y JOIN epcis_events f ON f.id = y.event WHERE f.org_id = ?
     UNION SELECT identifier FROM trace_lots WHERE org_id = ?))
 OR read_point IN (SELECT identifier FROM trace_locations WHERE org_id = ?)
 OR biz_location IN (SELECT identifier FROM trace_locations WHERE org_id = ?)
 OR id IN (SELECT event FROM epcis_event_fields WHERE (substr(name, 1, 7) = 'source_' OR substr(name, 1, 12) = 'destination_')
     AND value IN (SELECT identifier FROM trace_organisations WHERE id = ? UNION SELECT identifier FROM trace_locations WHERE org_id = ?)))`

func visibleArgs(org int64) []any { return []any{org, org, org, org, org, org, org} }

// scope is the visibility of an actor's queries: 0 when it sees every
// event, else its organisation.
func (s *Service) scope(ctx context.Context, a *identity.Actor) (int64, error) {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return 0, err
	}
	if acc.Admin {
		return 0, nil
	}
	return acc.Org, nil
}

// limitTo adds the visibility of organisation org (0: everything) to a
// condition list.
func limitTo(org int64, where []string, args []any) ([]string, []any) {
	if org == 0 {
		return where, args
	}
	return append(where, visibleSQL), append(args, visibleArgs(org)...)
}
