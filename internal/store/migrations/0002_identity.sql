-- People who sign in: officers (cán bộ) and citizens (công dân).
CREATE TABLE users (
    id {{pk}},
    username TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    full_name TEXT NOT NULL,
    citizen_id TEXT,
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    last_failed_at TEXT,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX users_citizen_id ON users (citizen_id) WHERE citizen_id IS NOT NULL;

-- A role granted on a unit covers the unit's subtree and the territory of
-- its predecessors. unit_id NULL means the whole tree (system administrator).
CREATE TABLE grants (
    id {{pk}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    unit_id BIGINT REFERENCES units (id),
    created_at TEXT NOT NULL,
    created_by BIGINT
);
CREATE INDEX grants_user ON grants (user_id);

-- Server-side sessions (web) and bearer tokens (API). Only the SHA-256 of
-- the secret is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
