package reporting

// Entry closing (khóa nhập số liệu). A unit's report of a form for a period
// may be entered until CloseDays calendar days after the unit's Decree 09
// deadline (Form.Deadline); from the next day Import refuses its values,
// unless the report has been reopened until a date not yet past.
//
// Who reopens: whoever holds stats.approve on the unit's parent on the
// period's last day — the level that accepts or returns the report (for a
// unit without a parent, on the unit itself). That is the officer who knows
// whether a late correction is warranted, and it is scoped like the
// approval itself; the administrators of users hold no statistics
// permissions. A reopening needs a reason, lasts at most MaxReopenDays and
// is audited; a new one replaces the last.
//
// The command line and the demo loader (the system actor) enter history
// and are never refused.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/units"
	"egov/internal/workcal"
)

// DefaultCloseDays is how long entry stays open after the deadline in the
// seed catalogue (and for forms added before closing existed).
const DefaultCloseDays = 10

// MaxCloseDays bounds a form's CloseDays.
const MaxCloseDays = 366

// MaxReopenDays bounds how far ahead a reopening may last.
const MaxReopenDays = 90

// EntryWindow is whether a unit's report of a form for a period is open for
// entry, and why.
type EntryWindow struct {
	Form     string
	Period   string
	Unit     string
	UnitName string
	Deadline workcal.Date
	// LastDay is the last day of entry without a reopening; zero when the
	// form's entry never closes.
	LastDay workcal.Date
	// Closed: entry has closed and no reopening is in force.
	Closed bool
	// Reopened: entry is open past LastDay thanks to Reopening.
	Reopened bool
	// Reopening is the last reopening, in force or expired; nil if none.
	Reopening *Reopening
}

// Reopening lets a unit enter a closed report until a day.
type Reopening struct {
	Form     string
	Period   string
	Unit     string
	UnitName string
	Until    workcal.Date // the last day open
	Reason   string
	By       string
	At       time.Time
}

// calendar is the working calendar deadlines count in.
func (s *Service) calendar(ctx context.Context) (*workcal.Calendar, error) {
	if s.Calendar == nil {
		return workcal.New(nil)
	}
	return s.Calendar.Calendar(ctx)
}

// today is the local date in Vietnam by the service's clock.
func (s *Service) today() workcal.Date { return workcal.LocalDate(s.Now()) }

// lastDay is the last day of entry of f by a unit of level for p; ok is
// false when it never closes (or units of level do not report f).
func (f *Form) lastDay(p Period, level int, cal *workcal.Calendar) (workcal.Date, bool) {
	if f.CloseDays <= 0 {
		return 0, false
	}
	d, ok := f.Deadline(p, level, cal)
	if !ok {
		return 0, false
	}
	return d.AddDays(f.CloseDays), true
}

// EntryWindow says whether a unit's report is open for entry, for whoever
// may read or approve the unit's statistics.
func (s *Service) EntryWindow(ctx context.Context, a *identity.Actor, formCode, period, unitCode string) (*EntryWindow, error) {
	f, p, u, _, err := s.resolveReport(ctx, formCode, period, unitCode)
	if err != nil {
		return nil, err
	}
	if err := s.canRead(ctx, a, u.ID); err != nil {
		if err2 := s.ids.Can(ctx, a, identity.PermStatsApprove, u.ID); err2 != nil {
			return nil, err
		}
	}
	return s.entryWindow(ctx, f, p, u)
}

// entryWindow is EntryWindow without the permission check.
func (s *Service) entryWindow(ctx context.Context, f *Form, p Period, u *units.Unit) (*EntryWindow, error) {
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	ro, err := s.reopening(ctx, s.db, f, p, u)
	if err != nil {
		return nil, err
	}
	return s.window(f, p, u, cal, ro), nil
}

func (s *Service) window(f *Form, p Period, u *units.Unit, cal *workcal.Calendar, ro *Reopening) *EntryWindow {
	w := &EntryWindow{Form: f.Code, Period: p.String(), Unit: u.Code, UnitName: u.Name, Reopening: ro}
	w.Deadline, _ = f.Deadline(p, u.Level, cal)
	last, closes := f.lastDay(p, u.Level, cal)
	if closes {
		w.LastDay = last
		today := s.today()
		reopened := ro != nil && !today.After(ro.Until)
		w.Closed = today.After(last) && !reopened
		w.Reopened = today.After(last) && reopened
	}
	return w
}

func (s *Service) reopening(ctx context.Context, q store.Querier, f *Form, p Period, u *units.Unit) (*Reopening, error) {
	ro := &Reopening{Form: f.Code, Period: p.String(), Unit: u.Code, UnitName: u.Name}
	var until, at string
	err := q.QueryRowContext(ctx, `SELECT until, reason, created_by, created_at FROM stat_reopenings WHERE form_id = ? AND period = ? AND unit_id = ?`,
		f.ID, p.String(), u.ID).Scan(&until, &ro.Reason, &ro.By, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reporting: %w", err)
	}
	if ro.Until, err = workcal.ParseDate(until); err != nil {
		return nil, fmt.Errorf("reporting: reopening until: %w", err)
	}
	ro.At, _ = store.ParseTime(at)
	return ro, nil
}

// canReopen allows stats.approve on the unit's parent on the period's last
// day, or on the unit itself when it has none.
func (s *Service) canReopen(ctx context.Context, a *identity.Actor, g *units.Graph, p Period, u *units.Unit) error {
	over := u
	if parent := g.Parent(u, p.End().Time(time.UTC)); parent != nil {
		over = parent
	}
	return s.ids.Can(ctx, a, identity.PermStatsApprove, over.ID)
}

// Reopen reopens a unit's report of a form for a period for entry until a
// day (from today to MaxReopenDays ahead), with a reason; audited.
func (s *Service) Reopen(ctx context.Context, a *identity.Actor, formCode, period, unitCode string, until workcal.Date, reason string) (*Reopening, error) {
	if a == nil {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	f, p, u, g, err := s.resolveReport(ctx, formCode, period, unitCode)
	if err != nil {
		return nil, err
	}
	if err := s.canReopen(ctx, a, g, p, u); err != nil {
		return nil, err
	}
	today := s.today()
	switch {
	case until.IsZero():
		return nil, egov.FieldError("until", "error.missing", "until")
	case until.Before(today):
		return nil, egov.FieldError("until", "stats.reopen.until_past")
	case until.After(today.AddDays(MaxReopenDays)):
		return nil, egov.FieldError("until", "stats.reopen.until_far", MaxReopenDays)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, egov.FieldError("reason", "stats.reopen.reason_required")
	}
	if len([]rune(reason)) > 1000 {
		reason = string([]rune(reason)[:1000])
	}
	now := s.Now()
	ro := &Reopening{Form: f.Code, Period: p.String(), Unit: u.Code, UnitName: u.Name, Until: until, Reason: reason, By: a.Name(), At: now}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM stat_reopenings WHERE form_id = ? AND period = ? AND unit_id = ?`, f.ID, p.String(), u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stat_reopenings (form_id, period, unit_id, until, reason, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, f.ID, p.String(), u.ID, until.String(), reason, a.Name(), store.FormatTime(now)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "stats.reopen",
			ObjectType: "report", ObjectID: f.Code + "/" + p.String(), UnitCode: u.Code,
			Summary: fmt.Sprintf("%s %s: reopened until %s: %s", f.Code, p, until, reason)})
	})
	if err != nil {
		return nil, fmt.Errorf("reporting: reopen: %w", err)
	}
	return ro, nil
}

// MaxReopeningsListed bounds Reopenings.
const MaxReopeningsListed = 200

// Reopenings lists the reopenings in force today (the latest first) that
// the actor could have made.
func (s *Service) Reopenings(ctx context.Context, a *identity.Actor) ([]Reopening, error) {
	if a == nil {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	cat, g, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	forms := map[int64]*Form{}
	for _, f := range cat.Forms {
		forms[f.ID] = f
	}
	var out []Reopening
	err = eachRow(ctx, s.db, `SELECT form_id, period, unit_id, until, reason, created_by, created_at FROM stat_reopenings
		WHERE until >= ? ORDER BY created_at DESC`, func(scan func(...any) error) error {
		var formID, unitID int64
		var period, until, at string
		var ro Reopening
		if err := scan(&formID, &period, &unitID, &until, &ro.Reason, &ro.By, &at); err != nil {
			return err
		}
		f, u := forms[formID], g.ByID(unitID)
		p, perr := ParsePeriod(period)
		if f == nil || u == nil || perr != nil || len(out) >= MaxReopeningsListed || s.canReopen(ctx, a, g, p, u) != nil {
			return nil
		}
		ro.Form, ro.Period, ro.Unit, ro.UnitName = f.Code, period, u.Code, u.Name
		ro.Until, _ = workcal.ParseDate(until)
		ro.At, _ = store.ParseTime(at)
		out = append(out, ro)
		return nil
	}, s.today().String())
	return out, err
}

// SetCloseDays sets how many days after the deadline entry of a form stays
// open (0: never closes). It changes the catalogue for every unit: it needs
// stats.approve on the whole tree.
func (s *Service) SetCloseDays(ctx context.Context, a *identity.Actor, formCode string, days int) error {
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return err
	}
	f := cat.Form(formCode)
	if f == nil {
		return egov.FieldError("form", "stats.unknown_form", clip(formCode))
	}
	if days < 0 || days > MaxCloseDays {
		return egov.FieldError("close_days", "stats.reopen.bad_close_days", MaxCloseDays)
	}
	if err := s.ids.Can(ctx, a, identity.PermStatsApprove, 0); err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE stat_forms SET close_days = ? WHERE id = ?`, days, f.ID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "stats.close_days",
			ObjectType: "form", ObjectID: f.Code, Summary: fmt.Sprintf("%s: entry closes %d days after the deadline", f.Code, days)})
	})
	if err != nil {
		return fmt.Errorf("reporting: %w", err)
	}
	s.invalidate()
	return nil
}

// closedEntry is why an entry may not be stored.
type closedEntry struct {
	form    *Form
	lastDay workcal.Date
}

// closedEntries returns the entries (by index) whose report has closed for
// entry: some form that collects the indicator for the period's type at
// the unit's level has closed and is not reopened. Asked inside the
// import's transaction, as the locks are.
func (s *Service) closedEntries(ctx context.Context, q store.Querier, cat *Catalogue, cal *workcal.Calendar, entries []entry) (map[int]closedEntry, error) {
	type report struct {
		form   int64
		unit   int64
		period string
	}
	today := s.today()
	candidates := map[int][]closedEntry{}
	pairs := map[touchKey]bool{}
	for i, e := range entries {
		for _, f := range cat.Forms {
			if f.PeriodType != e.period.Type || !f.Has(e.ind.Code) {
				continue
			}
			last, closes := f.lastDay(e.period, e.unit.Level, cal)
			if closes && today.After(last) {
				candidates[i] = append(candidates[i], closedEntry{f, last})
				pairs[touchKey{e.unit.ID, e.period.String()}] = true
			}
		}
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	open := map[report]bool{}
	err := eachPairChunk(pairs, "", func(where string, args []any) error {
		return eachRow(ctx, q, `SELECT form_id, unit_id, period FROM stat_reopenings WHERE until >= ? AND `+where,
			func(scan func(...any) error) error {
				var r report
				if err := scan(&r.form, &r.unit, &r.period); err != nil {
					return err
				}
				open[r] = true
				return nil
			}, append([]any{today.String()}, args...)...)
	})
	if err != nil {
		return nil, err
	}
	out := map[int]closedEntry{}
	for i, cs := range candidates {
		e := entries[i]
		for _, c := range cs {
			if !open[report{c.form.ID, e.unit.ID, e.period.String()}] {
				out[i] = c
				break
			}
		}
	}
	return out, nil
}

// dmy shows a date as Vietnamese forms write it.
func dmy(d workcal.Date) string { return d.Time(time.UTC).Format("02/01/2006") }
