-- Online payments of dossier fees. ref is the random reference the
-- provider sees; provider_txn the provider's transaction, set when it
-- reports the payment, and used once only.
CREATE TABLE payments (
    id {{pk}},
    ref TEXT NOT NULL UNIQUE,
    dossier_id BIGINT NOT NULL REFERENCES dossiers (id),
    amount BIGINT NOT NULL,
    status TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_txn TEXT,
    created_at TEXT NOT NULL,
    paid_at TEXT
);
CREATE UNIQUE INDEX payments_provider_txn ON payments (provider, provider_txn);
CREATE INDEX payments_dossier ON payments (dossier_id);
CREATE INDEX payments_paid ON payments (status, paid_at);
