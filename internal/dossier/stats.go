package dossier

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/units"
	"egov/internal/vntext"
	"egov/internal/workcal"
)

// Counts are the one-stop figures of a set of dossiers over a period of
// days [From, To] in Vietnam. They feed the province's scorecard (the
// service index of Decision 766/QĐ-TTg), so each is defined exactly. A
// dossier is counted where its row says: its unit, channel and procedure
// as filed.
//
//   - Received: dossiers filed in the period (submitted_at in it), by any
//     channel; ReceivedOnline those filed online; ByChannel per channel.
//   - ResolvedEarly, ResolvedOnTime, ResolvedLate: dossiers resolved in the
//     period (finished_at in it with status resolved or returned), judged
//     by Dossier.TimelinessOn (the national index's rule).
//   - InProgress, Overdue: dossiers received by the end of the period and
//     not finished by then, not yet due / past due on its last day. A
//     dossier waiting for the applicant (more documents, or the fee) is in
//     progress: the waiting does not count against the agency (Dossier.
//     TimelinessOn), unless a second request for documents already made
//     it late.
//   - Refused, Withdrawn, Stopped: dossiers that ended so in the period.
//   - Rated, Satisfied: dossiers whose result was returned in the period and
//     that the applicant rated, and of those the ones rated satisfied.
//   - PaidOnline: dossiers filed online whose fee was paid online in the
//     period (paid_at in it), whenever they were filed.
//   - EligibleFullyOnline: dossiers received (as Received) under a
//     procedure that is fully online (toàn trình) in today's catalogue —
//     the catalogue keeps no history of online modes; ReceivedFullyOnline:
//     of those, the ones filed online. Their ratio is the index's "fully
//     online dossiers" figure.
//   - Payable: dossiers received (as Received) with a fee to pay (above
//     zero after exemptions); PayablePaidOnline: of those, the ones whose
//     fee has been paid online by the time the figures are computed. Their
//     ratio is the index's "dossiers paid online" figure.
type Counts struct {
	Received            int
	ReceivedOnline      int
	ByChannel           map[Channel]int
	ResolvedEarly       int
	ResolvedOnTime      int
	ResolvedLate        int
	InProgress          int
	Overdue             int
	Refused             int
	Withdrawn           int
	Stopped             int
	PaidOnline          int
	Rated               int
	Satisfied           int
	EligibleFullyOnline int
	ReceivedFullyOnline int
	Payable             int
	PayablePaidOnline   int
}

// Resolved is the number of dossiers resolved in the period.
func (c *Counts) Resolved() int { return c.ResolvedEarly + c.ResolvedOnTime + c.ResolvedLate }

// Ratio is a share: Num of Den. Den 0 means the share is undefined (no
// dossier it applies to), not zero.
type Ratio struct{ Num, Den int }

// Defined reports whether the share has a denominator.
func (r Ratio) Defined() bool { return r.Den > 0 }

// Percent is the share in percent (0 when undefined).
func (r Ratio) Percent() float64 {
	if r.Den == 0 {
		return 0
	}
	return 100 * float64(r.Num) / float64(r.Den)
}

// OnTimeRate is the share of resolved dossiers resolved early or on time.
func (c *Counts) OnTimeRate() Ratio {
	return Ratio{c.ResolvedEarly + c.ResolvedOnTime, c.Resolved()}
}

// OnlineRate is the share of received dossiers filed online.
func (c *Counts) OnlineRate() Ratio { return Ratio{c.ReceivedOnline, c.Received} }

// FullyOnlineRate is the share of dossiers of fully online procedures
// that were filed online (ReceivedFullyOnline / EligibleFullyOnline).
func (c *Counts) FullyOnlineRate() Ratio { return Ratio{c.ReceivedFullyOnline, c.EligibleFullyOnline} }

// PaidOnlineRate is the share of dossiers with a fee whose fee was paid
// online (PayablePaidOnline / Payable).
func (c *Counts) PaidOnlineRate() Ratio { return Ratio{c.PayablePaidOnline, c.Payable} }

// SatisfactionRate is the share of rated dossiers rated satisfied.
func (c *Counts) SatisfactionRate() Ratio { return Ratio{c.Satisfied, c.Rated} }

// Stats are the one-stop figures of a unit's territory (the unit, its
// subtree, and the units merged into them) over a period: the totals
// (Counts) and the same per procedure.
//
//   - Procedures: the procedures of today's catalogue resolved at a level
//     that some unit of the territory has today; ProceduresFullyOnline:
//     those of them that are fully online (toàn trình). Their ratio is the
//     share of fully online procedures.
//   - ByProcedure: the Counts of each procedure that has a dossier counted
//     in the period, the most received first.
type Stats struct {
	From, To workcal.Date
	Counts
	Procedures            int
	ProceduresFullyOnline int
	ByProcedure           []ProcedureStats
}

// FullyOnlineProcedureRate is the share of the territory's procedures that
// are fully online.
func (s *Stats) FullyOnlineProcedureRate() Ratio { return Ratio{s.ProceduresFullyOnline, s.Procedures} }

// ProcedureStats are the figures of one procedure.
type ProcedureStats struct {
	Code       string
	Name       string // "" when the procedure left the catalogue
	OnlineMode OnlineMode
	Counts
}

// Stats computes the figures for the territory of unitCode (today's unit)
// over [from, to]. Officers who may read the unit's dossiers, or read its
// figures (dossier.stats: leaders, reporters, statisticians), may ask.
func (s *Dossiers) Stats(ctx context.Context, a *identity.Actor, unitCode string, from, to workcal.Date) (*Stats, error) {
	if to.Before(from) {
		return nil, egov.FieldError("to", "dossier.period_invalid")
	}
	g, u, err := s.statsUnit(ctx, a, unitCode)
	if err != nil {
		return nil, err
	}
	today := s.units.Today()
	ids := g.Territory(u, today)
	args := make([]any, 0, len(ids)+2)
	for id := range ids {
		args = append(args, id)
	}
	unitArgs := args[:len(ids):len(ids)]
	start, end := from.Time(workcal.ICT), to.AddDays(1).Time(workcal.ICT)
	catalogue, err := s.procs.List(ctx, ProcedureQuery{})
	if err != nil {
		return nil, err
	}
	procs := map[string]*Procedure{}
	for _, p := range catalogue {
		procs[p.Code] = p
	}
	st := &Stats{From: from, To: to, Counts: Counts{ByChannel: map[Channel]int{}}}
	levels := map[int]bool{}
	for _, x := range g.Subtree(u, today) {
		levels[x.Level] = true
	}
	for _, p := range catalogue {
		if levels[p.Level] {
			st.Procedures++
			if p.OnlineMode == OnlineFull {
				st.ProceduresFullyOnline++
			}
		}
	}
	byProc := map[string]*ProcedureStats{}
	of := func(code string) *Counts {
		ps := byProc[code]
		if ps == nil {
			ps = &ProcedureStats{Code: code, Counts: Counts{ByChannel: map[Channel]int{}}}
			if p := procs[code]; p != nil {
				ps.Name, ps.OnlineMode = p.Name, p.OnlineMode
			}
			byProc[code] = ps
		}
		return &ps.Counts
	}

	// Only dossiers the period can count: unfinished, finished in or after
	// it, or returned (and so perhaps rated) in or after it.
	args = append(args, store.FormatTime(end), store.FormatTime(start), store.FormatTime(start))
	rows, err := s.db.QueryContext(ctx, `SELECT procedure_code, channel, status, fee, submitted_at, received_at, finished_at,
		returned_at, due_date, original_due_date, supplement_requests, rating,
		CASE WHEN EXISTS (SELECT 1 FROM payments p WHERE p.dossier_id = dossiers.id AND p.status = 'paid') THEN 1 ELSE 0 END
		FROM dossiers WHERE unit_id IN (`+placeholders(len(ids))+`) AND status <> 'draft'
		AND submitted_at < ? AND (finished_at IS NULL OR finished_at >= ? OR returned_at >= ?)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(start) && t.Before(end) }
	for rows.Next() {
		var d Dossier
		var channel, status string
		var submitted, received, finished, returned, due, origDue sql.NullString
		var paid int
		if err := rows.Scan(&d.ProcedureCode, &channel, &status, &d.Fee, &submitted, &received, &finished, &returned, &due,
			&origDue, &d.SupplementRequests, &d.Rating, &paid); err != nil {
			return nil, err
		}
		d.Channel, d.Status = Channel(channel), Status(status)
		d.SubmittedAt, d.ReceivedAt = parseNullTime(submitted), parseNullTime(received)
		d.FinishedAt, d.ReturnedAt = parseNullTime(finished), parseNullTime(returned)
		d.DueDate, d.OriginalDueDate = parseNullDate(due), parseNullDate(origDue)
		p := procs[d.ProcedureCode]
		fully := p != nil && p.OnlineMode == OnlineFull
		for _, c := range []*Counts{&st.Counts, of(d.ProcedureCode)} {
			c.count(&d, in, end, to, fully, paid == 1)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	paid, err := s.paidOnlineByProcedure(ctx, unitArgs, start, end)
	if err != nil {
		return nil, err
	}
	for code, n := range paid {
		st.PaidOnline += n
		of(code).PaidOnline += n
	}
	for _, ps := range byProc {
		st.ByProcedure = append(st.ByProcedure, *ps)
	}
	sort.Slice(st.ByProcedure, func(i, j int) bool {
		a, b := &st.ByProcedure[i], &st.ByProcedure[j]
		if a.Received != b.Received {
			return a.Received > b.Received
		}
		if c := vntext.Compare(a.Name, b.Name); c != 0 {
			return c < 0
		}
		return a.Code < b.Code
	})
	return st, nil
}

// count adds dossier d to the figures of the period [start, end) whose
// last day is to; fully says its procedure is fully online, paid that its
// fee was paid online.
func (c *Counts) count(d *Dossier, in func(time.Time) bool, end time.Time, to workcal.Date, fully, paid bool) {
	if in(d.SubmittedAt) {
		c.Received++
		c.ByChannel[d.Channel]++
		online := d.Channel == ChannelOnline
		if online {
			c.ReceivedOnline++
		}
		if fully {
			c.EligibleFullyOnline++
			if online {
				c.ReceivedFullyOnline++
			}
		}
		if d.Fee > 0 {
			c.Payable++
			if paid {
				c.PayablePaidOnline++
			}
		}
	}
	if in(d.FinishedAt) {
		switch d.Status {
		case StatusResolved, StatusReturned:
			switch d.TimelinessOn(to) {
			case Early:
				c.ResolvedEarly++
			case OnTime:
				c.ResolvedOnTime++
			default:
				c.ResolvedLate++
			}
		case StatusRefused:
			c.Refused++
		case StatusWithdrawn:
			c.Withdrawn++
		case StatusStopped:
			c.Stopped++
		}
	}
	if !d.ReceivedAt.IsZero() && d.ReceivedAt.Before(end) && (d.FinishedAt.IsZero() || !d.FinishedAt.Before(end)) {
		unfinished := *d
		unfinished.FinishedAt = time.Time{}
		if unfinished.TimelinessOn(to) == Overdue {
			c.Overdue++
		} else {
			c.InProgress++
		}
	}
	if in(d.ReturnedAt) && d.Rating != 0 {
		c.Rated++
		if d.Rating > 0 {
			c.Satisfied++
		}
	}
}

// statsUnit finds today's unit and checks that the actor may read its
// figures.
func (s *Dossiers) statsUnit(ctx context.Context, a *identity.Actor, unitCode string) (*units.Graph, *units.Unit, error) {
	g, u, err := s.todayUnit(ctx, unitCode)
	if err != nil {
		return nil, nil, err
	}
	if s.ids.Can(ctx, a, identity.PermDossierRead, u.ID) != nil {
		if err := s.ids.Can(ctx, a, identity.PermDossierStats, u.ID); err != nil {
			return nil, nil, err
		}
	}
	return g, u, nil
}

// todayUnit finds the unit that has unitCode today (an invalid "unit"
// field when none has), with the graph it is in.
func (s *Dossiers) todayUnit(ctx context.Context, unitCode string) (*units.Graph, *units.Unit, error) {
	g, err := s.units.Graph(ctx)
	if err != nil {
		return nil, nil, err
	}
	today := s.units.Today()
	u := g.At(unitCode, today)
	if u == nil {
		return nil, nil, egov.FieldError("unit", "unit.not_found", unitCode, today.Format("2006-01-02"))
	}
	return g, u, nil
}

// paidOnlineByProcedure counts, per procedure, the online dossiers of the
// units ids whose fee was paid in [start, end).
func (s *Dossiers) paidOnlineByProcedure(ctx context.Context, ids []any, start, end time.Time) (map[string]int, error) {
	args := append(append([]any{}, ids...), store.FormatTime(start), store.FormatTime(end))
	rows, err := s.db.QueryContext(ctx, `SELECT d.procedure_code, COUNT(DISTINCT p.dossier_id) FROM payments p
		JOIN dossiers d ON d.id = p.dossier_id
		WHERE d.unit_id IN (`+placeholders(len(ids))+`) AND d.channel = 'online' AND p.status = 'paid'
		AND p.paid_at >= ? AND p.paid_at < ? GROUP BY d.procedure_code`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			return nil, err
		}
		out[code] = n
	}
	return out, rows.Err()
}

// StatsUnits are the units whose figures the actor may read, for a
// picker: each unit a grant holding dossier.read or dossier.stats names,
// and today's units under it, in code order within each grant's tree.
func (s *Dossiers) StatsUnits(ctx context.Context, a *identity.Actor) ([]*units.Unit, error) {
	g, err := s.units.Graph(ctx)
	if err != nil {
		return nil, err
	}
	today := s.units.Today()
	var roots []*units.Unit
	for _, p := range []identity.Permission{identity.PermDossierStats, identity.PermDossierRead} {
		grants, all := a.Scope(p)
		if all {
			roots = g.Roots(today)
			break
		}
		for _, id := range grants {
			if u := g.ByID(id); u != nil {
				for _, v := range g.Successors(u, today) {
					roots = append(roots, v)
				}
			}
		}
	}
	var out []*units.Unit
	seen := map[int64]bool{}
	for _, r := range roots {
		for _, u := range g.Subtree(r, today) {
			if !seen[u.ID] {
				seen[u.ID] = true
				out = append(out, u)
			}
		}
	}
	return out, nil
}

func parseNullTime(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	t, _ := store.ParseTime(s.String)
	return t
}

func parseNullDate(s sql.NullString) workcal.Date {
	if !s.Valid {
		return 0
	}
	d, _ := workcal.ParseDate(s.String)
	return d
}
