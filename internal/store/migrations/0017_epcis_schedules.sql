-- Named queries belong to organisations, and subscriptions may run on a
-- schedule (package epcis, named.go, subscriptions.go, schedule.go).
--
-- A query's name was unique across the repository; now it is unique within
-- its organisation, so two cooperatives may both keep a query "giao-hang".
-- SQLite cannot drop a column's UNIQUE constraint in place, so both tables
-- are built anew (the subscriptions too, as they point at the queries): the
-- old rows are kept in temporary tables, the old tables dropped, the new
-- ones created under their own names and filled from the temporary ones.
-- The same statements serve PostgreSQL, where creating the new tables
-- under their final names (not renaming) gives their constraints,
-- indexes and identity sequences the usual names (epcis_queries_pkey,
-- epcis_subscriptions_query_id_fkey, epcis_queries_id_seq ...) that a later
-- migration may name. Ids are not copied, so the identity sequences stay
-- right; the old names were unique, so a subscription finds its query
-- again by name (and organisation, below).

-- The old rows, each query with its creator's organisation.
CREATE TEMP TABLE epcis_queries_old AS
SELECT q.id, (SELECT m.org_id FROM trace_members m WHERE m.user_id = q.user_id) AS org_id, q.name, q.query, q.user_id, q.created_at
FROM epcis_queries q;

CREATE TEMP TABLE epcis_subscriptions_old AS
SELECT s.id, s.subscription_id, s.query_id, s.dest, s.signature_token, s.stream, s.report_if_empty, s.user_id, s.org_id,
    s.created_at, s.last_notified_at
FROM epcis_subscriptions s;

DROP TABLE epcis_subscriptions;
DROP TABLE epcis_queries;

-- org_id is the organisation of the operator who created the query, which
-- owns its name (NULL for an actor of no organisation: those share one more
-- set of names).
CREATE TABLE epcis_queries (
    id {{pk}},
    org_id BIGINT REFERENCES trace_organisations (id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);

-- A subscription is a stream one (stream = 1: every capture's matching
-- events, a delivery job per capture) or a scheduled one (stream = 0):
-- schedule is its QuerySchedule as JSON ({"hour": "1", "minute": "5"}),
-- read in Vietnam's time. At each tick, next_run_at, a job claims the run
-- by moving next_run_at on with a conditional UPDATE (so processes sharing
-- the database deliver a tick once) and moves min_record_time to the run's
-- cut-off; the run delivers the events recorded from the previous
-- min_record_time (at first initial_record_time) up to that cut-off.
-- Times are UTC; '' where they do not apply.
CREATE TABLE epcis_subscriptions (
    id {{pk}},
    subscription_id TEXT NOT NULL UNIQUE,
    query_id BIGINT NOT NULL REFERENCES epcis_queries (id),
    dest TEXT NOT NULL,
    signature_token TEXT NOT NULL DEFAULT '',
    stream INTEGER NOT NULL,
    report_if_empty INTEGER NOT NULL DEFAULT 0,
    user_id BIGINT NOT NULL REFERENCES users (id),
    org_id BIGINT REFERENCES trace_organisations (id),
    created_at TEXT NOT NULL,
    last_notified_at TEXT NOT NULL DEFAULT '',
    schedule TEXT NOT NULL DEFAULT '',
    initial_record_time TEXT NOT NULL DEFAULT '',
    min_record_time TEXT NOT NULL DEFAULT '',
    next_run_at TEXT NOT NULL DEFAULT ''
);

INSERT INTO epcis_queries (org_id, name, query, user_id, created_at)
SELECT org_id, name, query, user_id, created_at FROM epcis_queries_old ORDER BY id;

-- Until now anyone could subscribe to any query: a subscription made for
-- another organisation than the query's (its org_id, what its deliveries
-- see, NULL for an administrator's) gets that organisation's own copy of
-- the query, owned by the first of its subscribers there, so that its
-- members list and delete it and the query's owners do not see its dest.
-- Names were unique, so a copy takes no name its organisation has.
INSERT INTO epcis_queries (org_id, name, query, user_id, created_at)
SELECT s.org_id, q.name, q.query, MIN(s.user_id), q.created_at
FROM epcis_subscriptions_old s JOIN epcis_queries_old q ON q.id = s.query_id
WHERE COALESCE(s.org_id, 0) <> COALESCE(q.org_id, 0)
GROUP BY q.id, q.name, q.query, q.created_at, s.org_id
ORDER BY q.id, MIN(s.user_id);

INSERT INTO epcis_subscriptions (subscription_id, query_id, dest, signature_token, stream, report_if_empty, user_id,
    org_id, created_at, last_notified_at)
SELECT s.subscription_id, n.id, s.dest, s.signature_token, s.stream, s.report_if_empty, s.user_id,
    s.org_id, s.created_at, s.last_notified_at
FROM epcis_subscriptions_old s JOIN epcis_queries_old q ON q.id = s.query_id
JOIN epcis_queries n ON n.name = q.name AND COALESCE(n.org_id, 0) = COALESCE(s.org_id, 0)
ORDER BY s.id;

DROP TABLE epcis_subscriptions_old;
DROP TABLE epcis_queries_old;

-- COALESCE puts the queries of no organisation under one name space (NULLs
-- are otherwise all distinct in a unique index, on both engines).
CREATE UNIQUE INDEX epcis_queries_org_name ON epcis_queries (COALESCE(org_id, 0), name);
CREATE INDEX epcis_subscriptions_query ON epcis_subscriptions (query_id);
CREATE INDEX epcis_subscriptions_stream ON epcis_subscriptions (stream);
