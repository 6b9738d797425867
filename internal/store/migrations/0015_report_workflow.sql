-- The reporting officers' workflow (issue 4): a report is submitted by the
-- unit's reporter before its leader approves it. submitted_at is the first
-- time it reached the leader (submitted, or approved without a submission),
-- kept through returns, so that timeliness is measured against the form's
-- deadline once.
ALTER TABLE stat_approvals ADD COLUMN submitted_at TEXT;

-- Reminders sent to a unit's reporters before a report's deadline, one per
-- report, reporter and day at most (the unique key makes a repeated run of
-- the daily job send nothing twice). Recorded like the applicants' notices:
-- channel, recipient, text and delivery status.
CREATE TABLE stat_reminders (
    id {{pk}},
    form_id BIGINT NOT NULL REFERENCES stat_forms (id),
    period TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    deadline TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (form_id, period, unit_id, user_id, day)
);
CREATE INDEX stat_reminders_user ON stat_reminders (user_id, id);
