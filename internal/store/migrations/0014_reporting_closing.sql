-- Entry of a form's report closes close_days calendar days after the
-- unit's deadline (0: never closes, as DHIS2's expiry days).
ALTER TABLE stat_forms ADD COLUMN close_days INTEGER NOT NULL DEFAULT 10;

-- A unit's report of a form for a period reopened for entry after it
-- closed, until a local date (YYYY-MM-DD, the last day open). One row per
-- report: a new reopening replaces the last; the audit log keeps them all.
CREATE TABLE stat_reopenings (
    form_id BIGINT NOT NULL REFERENCES stat_forms (id),
    period TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    until TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (form_id, period, unit_id)
);
CREATE INDEX stat_reopenings_unit ON stat_reopenings (unit_id, period);
