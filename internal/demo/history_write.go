package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"egov/internal/store"
	"egov/internal/workcal"
)

// maxParams bounds the parameters of one statement: SQLite allows 32,766,
// PostgreSQL 65,535.
const maxParams = 30000

// insertRows inserts n rows into table with multi-row INSERTs, each
// ending with tail (an ON CONFLICT or RETURNING clause). row appends the
// values of row i to args; rows are made a statement at a time, so the
// whole history is never held as arguments at once. The full-size
// statement is prepared once: parsing thousands of placeholders costs as
// much as storing the rows. With scan, each statement is a query and scan
// reads each row it returns.
func insertRows(ctx context.Context, tx *store.Tx, table string, cols []string, n int, row func(i int, args []any) ([]any, error),
	tail string, scan func(*sql.Rows) error) error {
	per := min(maxParams/len(cols), 500)
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	statement := func(rows int) string {
		return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(one+",", rows), ",") + tail
	}
	var full *sql.Stmt
	if n >= per {
		var err error
		if full, err = tx.PrepareContext(ctx, statement(per)); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		defer full.Close()
	}
	args := make([]any, 0, per*len(cols))
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		args = args[:0]
		for i := start; i < end; i++ {
			var err error
			if args, err = row(i, args); err != nil {
				return err
			}
		}
		var res *sql.Rows
		var err error
		switch {
		case end-start == per && scan == nil:
			_, err = full.ExecContext(ctx, args...)
		case end-start == per:
			res, err = full.QueryContext(ctx, args...)
		case scan == nil:
			_, err = tx.ExecContext(ctx, statement(end-start), args...)
		default:
			res, err = tx.QueryContext(ctx, statement(end-start), args...)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		if res == nil {
			continue
		}
		for res.Next() {
			if err := scan(res); err != nil {
				res.Close()
				return err
			}
		}
		if err := res.Close(); err != nil {
			return err
		}
	}
	return nil
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return store.FormatTime(t)
}

func dateOrNil(d workcal.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func idOrNil(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}

var dossierCols = []string{"ref", "code", "procedure_code", "unit_id", "channel", "status", "applicant_id", "applicant_name",
	"applicant_cccd", "applicant_phone", "applicant_email", "fields", "fee", "fee_waived_by", "holder_id", "submitted_at",
	"received_at", "due_date", "original_due_date", "finished_at", "returned_at", "supplement_requests", "apologised",
	"approved", "result", "rating", "rating_comment", "version", "created_at", "updated_at"}

var eventCols = []string{"dossier_id", "at", "actor_id", "actor_name", "action", "from_status", "to_status", "note", "due_date"}

var paymentCols = []string{"ref", "dossier_id", "amount", "status", "provider", "provider_txn", "created_at", "paid_at"}

// writeHistory stores the dossiers, their events, their online payments
// and the counters of their codes.
func writeHistory(ctx context.Context, tx *store.Tx, ds []*Generated, last workcal.Date) error {
	if tx.Engine() == store.SQLite {
		// A page cache that holds the indexes being filled, for this load
		// only: the default one spills to the log on every batch.
		var was int64
		if err := tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&was); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -65536`); err != nil {
			return err
		}
		defer tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, was))
	}
	byRef := make(map[string]*Generated, len(ds))
	for _, g := range ds {
		byRef[g.D.Ref] = g
	}
	err := insertRows(ctx, tx, "dossiers", dossierCols, len(ds), func(i int, args []any) ([]any, error) {
		d := &ds[i].D
		return append(args, d.Ref, d.Code, d.ProcedureCode, d.UnitID, string(d.Channel), string(d.Status), idOrNil(d.ApplicantID),
			d.ApplicantName, d.ApplicantCCCD, d.ApplicantPhone, d.ApplicantEmail, ds[i].Fields, d.Fee, d.FeeWaivedBy,
			idOrNil(d.HolderID), timeOrNil(d.SubmittedAt), timeOrNil(d.ReceivedAt), dateOrNil(d.DueDate),
			dateOrNil(d.OriginalDueDate), timeOrNil(d.FinishedAt), timeOrNil(d.ReturnedAt), d.SupplementRequests,
			bit(d.Apologised), bit(d.Approved), d.Result, d.Rating, d.RatingComment, d.Version,
			store.FormatTime(d.CreatedAt), store.FormatTime(d.UpdatedAt)), nil
	}, " RETURNING id, ref", func(r *sql.Rows) error {
		var id int64
		var ref string
		if err := r.Scan(&id, &ref); err != nil {
			return err
		}
		if g := byRef[ref]; g != nil {
			g.D.ID = id
		}
		return nil
	})
	if err != nil {
		return err
	}
	type ev struct {
		g *Generated
		e *GeneratedEvent
	}
	var events []ev
	var paid []*Generated
	counters := map[[2]string]int{}
	for _, g := range ds {
		for i := range g.Events {
			events = append(events, ev{g, &g.Events[i]})
		}
		if !g.PaidAt.IsZero() {
			paid = append(paid, g)
		}
		// Only the last day's counters matter: no dossier is filed on a
		// day that has passed, and the numbers of the history's days are
		// in its codes already.
		if day := workcal.LocalDate(g.D.SubmittedAt); day == last {
			key := [2]string{g.Agency, day.String()}
			counters[key] = max(counters[key], g.counter)
		}
	}
	err = insertRows(ctx, tx, "dossier_events", eventCols, len(events), func(i int, args []any) ([]any, error) {
		e := events[i].e
		return append(args, events[i].g.D.ID, store.FormatTime(e.At), idOrNil(e.ActorID), e.ActorName, e.Action,
			string(e.From), string(e.To), e.Note, dateOrNil(e.DueDate)), nil
	}, "", nil)
	if err != nil {
		return err
	}
	err = insertRows(ctx, tx, "payments", paymentCols, len(paid), func(i int, args []any) ([]any, error) {
		g := paid[i]
		return append(args, "h"+g.D.Ref, g.D.ID, g.D.Fee, "paid", "devpay", txnOf(g.D.Ref),
			store.FormatTime(g.PaidAt.Add(-time.Minute)), store.FormatTime(g.PaidAt)), nil
	}, "", nil)
	if err != nil {
		return err
	}
	keys := make([][2]string, 0, len(counters))
	for k := range counters {
		keys = append(keys, k)
	}
	// The counters end at the last number given, after any used before.
	return insertRows(ctx, tx, "dossier_counters", []string{"agency", "day", "n"}, len(keys), func(i int, args []any) ([]any, error) {
		return append(args, keys[i][0], keys[i][1], counters[keys[i]]), nil
	}, " ON CONFLICT (agency, day) DO UPDATE SET n = excluded.n", nil)
}
