-- The one-stop shop's dossiers (hồ sơ). A draft has only a random
-- reference; the dossier code is given when the dossier is filed.
CREATE TABLE dossiers (
    id {{pk}},
    ref TEXT NOT NULL UNIQUE,
    code TEXT UNIQUE,
    procedure_code TEXT NOT NULL REFERENCES procedures (code),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    applicant_id BIGINT REFERENCES users (id),
    applicant_name TEXT NOT NULL,
    applicant_cccd TEXT NOT NULL DEFAULT '',
    applicant_phone TEXT NOT NULL DEFAULT '',
    applicant_email TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL,
    fee BIGINT NOT NULL DEFAULT 0,
    fee_waived_by TEXT NOT NULL DEFAULT '',
    holder_id BIGINT REFERENCES users (id),
    submitted_at TEXT,
    received_at TEXT,
    due_date TEXT,
    original_due_date TEXT,
    finished_at TEXT,
    returned_at TEXT,
    supplement_requests INTEGER NOT NULL DEFAULT 0,
    apologised INTEGER NOT NULL DEFAULT 0,
    approved INTEGER NOT NULL DEFAULT 0,
    result TEXT NOT NULL DEFAULT '',
    rating INTEGER NOT NULL DEFAULT 0,
    rating_comment TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX dossiers_unit_status ON dossiers (unit_id, status);
CREATE INDEX dossiers_applicant ON dossiers (applicant_id);
CREATE INDEX dossiers_due ON dossiers (status, due_date);

-- Every step of a dossier: the hand-over log of Mẫu 05 and the history a
-- citizen sees.
CREATE TABLE dossier_events (
    id {{pk}},
    dossier_id BIGINT NOT NULL REFERENCES dossiers (id),
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    due_date TEXT
);
CREATE INDEX dossier_events_dossier ON dossier_events (dossier_id, id);

-- Gap-free dossier numbers: one row per agency and day, incremented in the
-- transaction that files the dossier.
CREATE TABLE dossier_counters (
    agency TEXT NOT NULL,
    day TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (agency, day)
);

-- The identifier of each receiving unit in the national standard for
-- document systems (V1V2V3.Z1Z2.Y1Y2.MX1X2), used in dossier codes.
CREATE TABLE unit_agencies (
    unit_id BIGINT PRIMARY KEY REFERENCES units (id),
    identifier TEXT NOT NULL UNIQUE
);
