package reporting

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"egov/internal/i18n"
	"egov/internal/identity"
	"egov/internal/jobs"
	"egov/internal/store"
	"egov/internal/units"
	"egov/internal/workcal"
)

// RemindJob is the kind of the daily reminders job; RemindMailJob sends
// one reminder by e-mail, retried with backoff while the mail server
// refuses it.
const (
	RemindJob     = "stats.remind"
	RemindMailJob = "stats.remind.mail"
)

type reminderMail struct {
	Reminder int64 `json:"reminder"`
}

// Reminder channels: in the application (on the officer's reports list)
// and, when the officer has an address, by e-mail.
const (
	ChannelApp   = "app"
	ChannelEmail = "email"
)

// Reminder is a message recorded for a reporter before a deadline.
type Reminder struct {
	ID        int64
	Form      string
	Period    string
	Unit      string
	UserID    int64
	Deadline  workcal.Date
	Channel   string
	Recipient string
	Subject   string
	Body      string
	Status    string // "sent" (app, or e-mail accepted), "queued" (e-mail to send), "failed"
	CreatedAt time.Time
}

// Remind records a reminder for each reporter (an officer with stats.enter
// granted on the unit itself, not above it) of each unit whose report is
// not submitted and falls due within daysBefore working days from today.
// A reporter gets at most one reminder per report a day, however often it
// runs. The new reminders are returned, after Send (when set) has mailed
// those with an e-mail address.
func (s *Service) Remind(ctx context.Context, daysBefore int) ([]Reminder, error) {
	cat, g, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	today := workcal.LocalDate(now)
	horizon := cal.AddWorkingDays(today, daysBefore)
	var out []Reminder
	for _, f := range cat.Forms {
		cur := Current(f.PeriodType, today)
		for _, p := range []Period{cur.Prev(), cur} {
			for _, l := range f.Levels {
				deadline := p.Deadline(cal, l.DeadlineDays)
				if deadline.Before(today) || deadline.After(horizon) {
					continue
				}
				var us []*units.Unit
				for _, root := range g.Roots(p.End().Time(time.UTC)) {
					for _, u := range g.Subtree(root, p.End().Time(time.UTC)) {
						if u.Level == l.Level {
							us = append(us, u)
						}
					}
				}
				sts, err := approvalsOf(ctx, s.db, f, p, us)
				if err != nil {
					return nil, err
				}
				for _, u := range us {
					if sts[u.ID].Status.Done() {
						continue
					}
					rs, err := s.remindUnit(ctx, f, p, u, deadline, today, now)
					if err != nil {
						return nil, err
					}
					out = append(out, rs...)
				}
			}
		}
	}
	return out, nil
}

// remindUnit records the reminders of one unit's report.
func (s *Service) remindUnit(ctx context.Context, f *Form, p Period, u *units.Unit, deadline, today workcal.Date, now time.Time) ([]Reminder, error) {
	officers, err := s.ids.OfficersWith(ctx, identity.PermStatsEnter, u.ID)
	if err != nil {
		return nil, err
	}
	var out []Reminder
	for _, o := range officers {
		if ok, err := s.grantedOn(ctx, o, u); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		r := Reminder{Form: f.Code, Period: p.String(), Unit: u.Code, UserID: o.ID, Deadline: deadline, Channel: ChannelApp,
			Recipient: o.Username, Status: "sent", CreatedAt: now}
		if o.Email != "" && s.Send != nil && s.jobs != nil {
			r.Channel, r.Recipient, r.Status = ChannelEmail, o.Email, "queued"
		}
		r.Subject = i18n.T(i18n.VI, "report.reminder.subject", f.NameVI, p.String(), u.Name)
		r.Body = i18n.T(i18n.VI, "report.reminder.body", f.NameVI, p.String(), u.Name, deadline.Time(time.UTC).Format("02/01/2006"),
			"/reports/"+f.Code+"/"+p.String()+"/"+u.Code)
		var id int64
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			id = 0
			err := tx.QueryRowContext(ctx, `INSERT INTO stat_reminders (form_id, period, unit_id, user_id, day, deadline, channel,
				recipient, subject, body, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (form_id, period, unit_id, user_id, day) DO NOTHING RETURNING id`,
				f.ID, p.String(), u.ID, o.ID, today.String(), deadline.String(), r.Channel, r.Recipient, r.Subject, r.Body,
				r.Status, store.FormatTime(now)).Scan(&id)
			if err != nil || r.Channel != ChannelEmail {
				return err
			}
			// The e-mail goes out from its own job, queued in this commit:
			// a mail server that is down delays it and retries, and the
			// reminders of the other units are not held up.
			return s.jobs.EnqueueWith(ctx, tx, RemindMailJob, reminderMail{Reminder: id}, jobs.Options{MaxAttempts: 5})
		})
		if errors.Is(err, sql.ErrNoRows) {
			continue // reminded today already
		}
		if err != nil {
			return nil, fmt.Errorf("reporting: reminder: %w", err)
		}
		r.ID = id
		out = append(out, r)
	}
	return out, nil
}

// grantedOn reports whether the officer's stats.enter comes from a grant on
// the unit itself (the reporters of a city are not reminded of each of its
// communes' reports).
func (s *Service) grantedOn(ctx context.Context, u *identity.User, unit *units.Unit) (bool, error) {
	a, err := s.ids.ActorFor(ctx, u)
	if err != nil {
		return false, err
	}
	for _, g := range a.Grants {
		if g.UnitID != unit.ID {
			continue
		}
		for _, p := range identity.Policy[g.Role] {
			if p == identity.PermStatsEnter {
				return true, nil
			}
		}
	}
	return false, nil
}

// RemindersOf returns the latest reminders sent to the actor, newest first.
func (s *Service) RemindersOf(ctx context.Context, a *identity.Actor, limit int) ([]Reminder, error) {
	if a == nil || a.User == nil {
		return nil, nil
	}
	var out []Reminder
	err := eachRow(ctx, s.db, `SELECT r.id, f.code, r.period, u.code, r.user_id, r.deadline, r.channel, r.recipient, r.subject, r.body,
		r.status, r.created_at FROM stat_reminders r JOIN stat_forms f ON f.id = r.form_id JOIN units u ON u.id = r.unit_id
		WHERE r.user_id = ? ORDER BY r.id DESC LIMIT ?`, func(scan func(...any) error) error {
		var r Reminder
		var deadline, at string
		if err := scan(&r.ID, &r.Form, &r.Period, &r.Unit, &r.UserID, &deadline, &r.Channel, &r.Recipient, &r.Subject, &r.Body,
			&r.Status, &at); err != nil {
			return err
		}
		r.Deadline, _ = workcal.ParseDate(deadline)
		r.CreatedAt, _ = store.ParseTime(at)
		out = append(out, r)
		return nil
	}, a.User.ID, limit)
	return out, err
}

// reminderHour is when the daily job runs: 07:00 in Vietnam.
const reminderHour = 7

// nextRun is the next 07:00 in Vietnam after t.
func nextRun(t time.Time) time.Time {
	l := t.In(workcal.ICT)
	next := time.Date(l.Year(), l.Month(), l.Day(), reminderHour, 0, 0, 0, workcal.ICT)
	if !next.After(t) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// UseJobs registers the daily reminders job on q: each run reminds the
// reporters whose reports fall due within daysBefore working days, then
// schedules the next run for the next morning.
func (s *Service) UseJobs(q *jobs.Queue, daysBefore int) {
	s.jobs = q
	q.Handle(RemindJob, func(ctx context.Context, j *jobs.Job) error {
		// Done or failed for good, the next morning's run is queued in
		// the same commit; a retry will do it instead.
		j.OnFinish(func(ctx context.Context, tx *store.Tx, state, _ string) error {
			if state == jobs.Queued {
				return nil
			}
			return q.EnqueueWith(ctx, tx, RemindJob, struct{}{}, jobs.Options{RunAt: nextRun(q.Now()), MaxAttempts: 3})
		})
		_, err := s.Remind(ctx, daysBefore)
		return err
	})
	q.Handle(RemindMailJob, s.mailReminder)
}

// mailReminder is the job that e-mails one reminder. Its status changes in
// the commit that records the job's outcome: sent, queued for a retry, or
// failed once the attempts are used up.
func (s *Service) mailReminder(ctx context.Context, j *jobs.Job) error {
	var p reminderMail
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(err)
	}
	var to, subject, body, status string
	err := s.db.QueryRowContext(ctx, `SELECT recipient, subject, body, status FROM stat_reminders WHERE id = ?`, p.Reminder).
		Scan(&to, &subject, &body, &status)
	if errors.Is(err, sql.ErrNoRows) || status != "queued" {
		return nil // its officer was deleted, or a repeated run after it was sent
	}
	if err != nil {
		return err
	}
	if s.Send == nil {
		return jobs.Permanent(errors.New("reporting: no mailer"))
	}
	if err = s.Send(ctx, to, subject, body); err != nil {
		// Kept as the reminder's and the job's last error: without the
		// address in clear.
		masked := errors.New(identity.MaskContactsIn(err.Error()))
		if jobs.IsPermanent(err) {
			masked = jobs.Permanent(masked)
		}
		err = masked
	}
	j.OnFinish(func(ctx context.Context, tx *store.Tx, state, lastError string) error {
		status := "sent"
		switch state {
		case jobs.Queued:
			status = "queued"
		case jobs.Failed:
			status = "failed"
		}
		_, err := tx.ExecContext(ctx, `UPDATE stat_reminders SET status = ?, last_error = ? WHERE id = ?`,
			status, lastError, p.Reminder)
		return err
	})
	return err
}

// ScheduleReminders queues the reminders job for the next morning unless
// it is queued already (serve calls it at start).
func (s *Service) ScheduleReminders(ctx context.Context) error {
	if s.jobs == nil {
		return errors.New("reporting: no job queue")
	}
	if pending, err := s.jobs.Pending(ctx, RemindJob); err != nil || pending {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		return s.jobs.EnqueueWith(ctx, tx, RemindJob, struct{}{}, jobs.Options{RunAt: nextRun(s.jobs.Now()), MaxAttempts: 3})
	})
}
