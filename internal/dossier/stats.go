package dossier

import (
	"context"
	"database/sql"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/workcal"
)

// Stats are the one-stop figures of a unit's territory (the unit, its
// subtree, and the units merged into them) over a period of days
// [From, To] in Vietnam. They feed the province's scorecard, so each is
// defined exactly:
//
//   - Received: dossiers filed in the period (submitted_at in it), by any
//     channel; ReceivedOnline those filed online; ByChannel per channel.
//   - ResolvedEarly, ResolvedOnTime, ResolvedLate: dossiers resolved in the
//     period (finished_at in it with status resolved or returned), judged
//     by Dossier.TimelinessOn (the national index's rule).
//   - InProgress, Overdue: dossiers received by the end of the period and
//     not finished by then, not yet due / past due on its last day.
//   - Refused, Withdrawn, Stopped: dossiers that ended so in the period.
//   - Rated, Satisfied: dossiers whose result was returned in the period and
//     that the applicant rated, and of those the ones rated satisfied.
//   - PaidOnline: dossiers filed online whose fee was paid online in the
//     period (paid_at in it).
type Stats struct {
	From, To       workcal.Date
	Received       int
	ReceivedOnline int
	ByChannel      map[Channel]int
	ResolvedEarly  int
	ResolvedOnTime int
	ResolvedLate   int
	InProgress     int
	Overdue        int
	Refused        int
	Withdrawn      int
	Stopped        int
	PaidOnline     int
	Rated          int
	Satisfied      int
}

// Stats computes the figures for the territory of unitCode (today's unit)
// over [from, to]. Officers who may read the unit's dossiers or analyse
// its statistics may ask.
func (s *Dossiers) Stats(ctx context.Context, a *identity.Actor, unitCode string, from, to workcal.Date) (*Stats, error) {
	if to.Before(from) {
		return nil, egov.FieldError("to", "dossier.period_invalid")
	}
	g, err := s.units.Graph(ctx)
	if err != nil {
		return nil, err
	}
	today := s.units.Today()
	u := g.At(unitCode, today)
	if u == nil {
		return nil, egov.FieldError("unit", "unit.not_found", unitCode, today.Format("2006-01-02"))
	}
	if s.ids.Can(ctx, a, identity.PermDossierRead, u.ID) != nil {
		if err := s.ids.Can(ctx, a, identity.PermStatsAnalyse, u.ID); err != nil {
			return nil, err
		}
	}
	ids := g.Territory(u, today)
	args := make([]any, 0, len(ids)+2)
	for id := range ids {
		args = append(args, id)
	}
	start, end := from.Time(workcal.ICT), to.AddDays(1).Time(workcal.ICT)
	args = append(args, store.FormatTime(end), store.FormatTime(start))
	rows, err := s.db.QueryContext(ctx, `SELECT channel, status, submitted_at, received_at, finished_at, returned_at,
		due_date, original_due_date, supplement_requests, rating
		FROM dossiers WHERE unit_id IN (`+placeholders(len(ids))+`) AND status <> 'draft'
		AND submitted_at < ? AND (finished_at IS NULL OR finished_at >= ? OR returned_at IS NOT NULL)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	st := &Stats{From: from, To: to, ByChannel: map[Channel]int{}}
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(start) && t.Before(end) }
	for rows.Next() {
		var d Dossier
		var channel, status string
		var submitted, received, finished, returned, due, origDue sql.NullString
		if err := rows.Scan(&channel, &status, &submitted, &received, &finished, &returned, &due, &origDue,
			&d.SupplementRequests, &d.Rating); err != nil {
			return nil, err
		}
		d.Channel, d.Status = Channel(channel), Status(status)
		d.SubmittedAt, d.ReceivedAt = parseNullTime(submitted), parseNullTime(received)
		d.FinishedAt, d.ReturnedAt = parseNullTime(finished), parseNullTime(returned)
		d.DueDate, d.OriginalDueDate = parseNullDate(due), parseNullDate(origDue)
		if in(d.SubmittedAt) {
			st.Received++
			st.ByChannel[d.Channel]++
			if d.Channel == ChannelOnline {
				st.ReceivedOnline++
			}
		}
		if in(d.FinishedAt) {
			switch d.Status {
			case StatusResolved, StatusReturned:
				switch d.TimelinessOn(to) {
				case Early:
					st.ResolvedEarly++
				case OnTime:
					st.ResolvedOnTime++
				default:
					st.ResolvedLate++
				}
			case StatusRefused:
				st.Refused++
			case StatusWithdrawn:
				st.Withdrawn++
			case StatusStopped:
				st.Stopped++
			}
		}
		if !d.ReceivedAt.IsZero() && d.ReceivedAt.Before(end) && (d.FinishedAt.IsZero() || !d.FinishedAt.Before(end)) {
			unfinished := d
			unfinished.FinishedAt = time.Time{}
			if unfinished.TimelinessOn(to) == Overdue {
				st.Overdue++
			} else {
				st.InProgress++
			}
		}
		if in(d.ReturnedAt) && d.Rating != 0 {
			st.Rated++
			if d.Rating > 0 {
				st.Satisfied++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids2 := args[:len(ids)]
	if st.PaidOnline, err = s.paidOnline(ctx, ids2, start, end); err != nil {
		return nil, err
	}
	return st, nil
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
