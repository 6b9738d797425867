package epcis

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"egov/internal/jobs"
	"egov/internal/store"
)

// How a scheduled subscription runs.
//
// Its row keeps the next time of its schedule (next_run_at) and the
// cut-off of its previous run (min_record_time, at first the
// initialRecordTime), and a schedule job waits in the queue for that
// time. The job claims the run in one transaction: a conditional UPDATE
// moves next_run_at on to the schedule's following time and
// min_record_time to this run's cut-off, only if next_run_at is still the
// time the job found. Several processes sharing PostgreSQL may hold a job
// for the same time (each queues one at start when it finds none); one
// claim wins and the others do nothing. The same transaction queues the
// delivery of the events recorded from the previous cut-off up to this
// one (a delivery job, retried with backoff as a stream delivery is, and
// carrying its interval, so a retry sends the same events) and the job of
// the following time. Consecutive runs thus cover adjacent intervals:
// every event is in exactly one run, whatever their deliveries do.
//
// Times the repository was down for are not made up one by one: the first
// run after them covers everything recorded since the previous cut-off,
// and the following time is the schedule's first after now.

// DefaultScheduleSettle is the default of Service.ScheduleSettle.
const DefaultScheduleSettle = time.Minute

// tick is the payload of a schedule job.
type tick struct {
	Subscription string `json:"subscription"`
}

func (s *Service) enqueueTick(ctx context.Context, tx *store.Tx, id string, at time.Time) error {
	return s.jobs.EnqueueWith(ctx, tx, scheduleJob, tick{id}, jobs.Options{RunAt: at})
}

// runSchedule claims a scheduled subscription's due run and queues its
// delivery and the next run.
func (s *Service) runSchedule(ctx context.Context, j *jobs.Job) error {
	var t tick
	if err := json.Unmarshal(j.Payload, &t); err != nil {
		return jobs.Permanent(err)
	}
	// The cut-off is taken when the run starts, ScheduleSettle back: a
	// capture sets its events' recordTime at the start of its transaction,
	// before it commits, so the most recent record times may still be
	// arriving. This assumes a capture's transaction commits within
	// ScheduleSettle of its start and that the clocks of the processes
	// sharing one PostgreSQL agree within ScheduleSettle (Service.store).
	now := s.Now().UTC()
	// A subscriber who lost the access it subscribed with gets no more
	// runs: the job fails for good and queues no following one.
	var user int64
	var org sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT user_id, org_id FROM epcis_subscriptions WHERE subscription_id = ? AND stream = 0`,
		t.Subscription).Scan(&user, &org)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // unsubscribed since
	}
	if err != nil {
		return err
	}
	if err := s.checkSubscriber(ctx, t.Subscription, user, org); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var schedule, next, from string
		err := tx.QueryRowContext(ctx, `SELECT schedule, next_run_at, min_record_time FROM epcis_subscriptions
			WHERE subscription_id = ? AND stream = 0`, t.Subscription).Scan(&schedule, &next, &from)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // unsubscribed since
		}
		if err != nil {
			return err
		}
		if parseTime(next).After(now) {
			// Another job for this time has run already and queued the
			// job of the following time.
			return nil
		}
		var sc Schedule
		if err := json.Unmarshal([]byte(schedule), &sc); err != nil {
			return jobs.Permanent(err)
		}
		tt, err := ParseSchedule(sc)
		if err != nil {
			return jobs.Permanent(err)
		}
		following := tt.Next(now).UTC()
		cut := now.Add(-s.ScheduleSettle)
		if start := parseTime(from); cut.Before(start) {
			cut = start // an initialRecordTime still to come
		}
		res, err := tx.ExecContext(ctx, `UPDATE epcis_subscriptions SET next_run_at = ?, min_record_time = ?
			WHERE subscription_id = ? AND next_run_at = ?`, formatTime(following), store.FormatTime(cut), t.Subscription, next)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err // 0: another process claimed this run first
		}
		err = s.jobs.Enqueue(ctx, tx, deliverJob, delivery{Subscription: t.Subscription, From: from, To: store.FormatTime(cut)})
		if err != nil {
			return err
		}
		return s.enqueueTick(ctx, tx, t.Subscription, following)
	})
}

// ResumeSchedules queues the next run of each scheduled subscription that
// has none queued, and returns how many it queued. serve calls it at
// start: a subscription made while no job queue ran, or whose schedule job
// failed for good (its database was unreachable through all attempts),
// runs again from its recorded next time.
func (s *Service) ResumeSchedules(ctx context.Context) (int, error) {
	if s.jobs == nil {
		return 0, errors.New("epcis: no job queue")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT subscription_id, next_run_at FROM epcis_subscriptions WHERE stream = 0 ORDER BY id`)
	if err != nil {
		return 0, err
	}
	type due struct {
		id string
		at time.Time
	}
	var all, missing []due
	for rows.Next() {
		var id, next string
		if err := rows.Scan(&id, &next); err != nil {
			rows.Close()
			return 0, err
		}
		all = append(all, due{id, parseTime(next)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, d := range all {
		pending, err := s.jobs.PendingPayload(ctx, scheduleJob, tick{d.id})
		if err != nil {
			return 0, err
		}
		if !pending {
			missing = append(missing, d)
		}
	}
	if len(missing) == 0 {
		return 0, nil
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		for _, m := range missing {
			if err := s.enqueueTick(ctx, tx, m.id, m.at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(missing), nil
}
