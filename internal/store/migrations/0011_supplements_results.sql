-- Requests for more documents (Mẫu 02), one row per request: n is the
-- dossier's nth request, note the officer's words, items the JSON list of
-- what is missing ([{"field","note"}], field '' for a document outside the
-- form). While the dossier waits, the applicant may change only those.
CREATE TABLE dossier_supplements (
    dossier_id BIGINT NOT NULL REFERENCES dossiers (id),
    n INTEGER NOT NULL,
    note TEXT NOT NULL,
    items TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    requested_by BIGINT REFERENCES users (id),
    supplied_at TEXT,
    PRIMARY KEY (dossier_id, n)
);

-- Electronic results of dossiers (Decree 45/2020): code is
-- <dossier code>-KQ<n>, n from 1 per dossier. The bytes are blobs, shared
-- with attachments by hash.
CREATE TABLE dossier_results (
    id {{pk}},
    code TEXT NOT NULL UNIQUE,
    dossier_id BIGINT NOT NULL REFERENCES dossiers (id),
    n INTEGER NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    hash TEXT NOT NULL REFERENCES blobs (hash),
    issued_at TEXT NOT NULL,
    issued_by BIGINT REFERENCES users (id),
    UNIQUE (dossier_id, n)
);
CREATE INDEX dossier_results_hash ON dossier_results (hash);
