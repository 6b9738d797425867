-- Background jobs (package jobs). A job is enqueued in the transaction of
-- the change that needs it, so it exists if and only if the change does.
-- state: queued (waiting for run_at), running (claimed; run_at is then the
-- end of the claim's lease, after which another worker may take it over),
-- done, failed (attempts used up, or an error that retrying cannot fix).
CREATE TABLE jobs (
    id {{pk}},
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    run_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- Notices to a dossier's applicant (package notify), one row per message
-- and channel, rendered when the change happens; status is the delivery
-- status: queued, sent or failed (with the last error and the attempts).
-- provider says who took it: smtp, or dev when it was only recorded here.
CREATE TABLE notifications (
    id {{pk}},
    dossier_id BIGINT NOT NULL REFERENCES dossiers (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    event TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    lang TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    provider TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX notifications_dossier ON notifications (dossier_id);
CREATE INDEX notifications_unit ON notifications (unit_id, id);

-- The language a citizen used when filing online, for the notices that
-- follow (Vietnamese when unknown).
CREATE TABLE notification_langs (
    dossier_id BIGINT PRIMARY KEY REFERENCES dossiers (id),
    lang TEXT NOT NULL
);
