-- The EPCIS 2.0 repository (package epcis).
--
-- A capture job is one POST /epcis/capture (or /epcis/events): who sent it,
-- for which organisation (the unit of the operator's trace_operator grant,
-- NULL for a grant on the whole tree), and how it ended. Capture is
-- all-or-nothing: success is 1 when every event was stored, else 0 with
-- errors, a JSON array of problem details.
CREATE TABLE epcis_captures (
    id {{pk}},
    user_id BIGINT NOT NULL REFERENCES users (id),
    unit_id BIGINT REFERENCES units (id),
    events INTEGER NOT NULL,
    success INTEGER NOT NULL,
    errors TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    finished_at TEXT NOT NULL
);

-- One row per captured event. body is the event's JSON as captured plus the
-- recordTime the server set (and the eventID it generated, if none came), so
-- a query returns exactly what was sent; context is the @context it came
-- with. The other columns are the indexed, canonical query fields: CBV
-- values as full URIs, identifiers in canonical form, times in UTC.
-- An error declaration is an event of its own with the eventID of the event
-- it corrects, so the eventID is unique only among plain events.
CREATE TABLE epcis_events (
    id {{pk}},
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    event_time TEXT NOT NULL,
    record_time TEXT NOT NULL,
    tz_offset TEXT NOT NULL,
    action TEXT NOT NULL DEFAULT '',
    biz_step TEXT NOT NULL DEFAULT '',
    disposition TEXT NOT NULL DEFAULT '',
    read_point TEXT NOT NULL DEFAULT '',
    biz_location TEXT NOT NULL DEFAULT '',
    error_declared INTEGER NOT NULL DEFAULT 0,
    error_reason TEXT NOT NULL DEFAULT '',
    declaration_time TEXT NOT NULL DEFAULT '',
    capture_id BIGINT NOT NULL REFERENCES epcis_captures (id),
    body TEXT NOT NULL,
    context TEXT NOT NULL
);
CREATE UNIQUE INDEX epcis_events_event_id ON epcis_events (event_id) WHERE error_declared = 0;
CREATE INDEX epcis_events_declared ON epcis_events (event_id) WHERE error_declared = 1;
CREATE INDEX epcis_events_time ON epcis_events (event_time);
CREATE INDEX epcis_events_record_time ON epcis_events (record_time);
CREATE INDEX epcis_events_biz_step ON epcis_events (biz_step, event_time);
CREATE INDEX epcis_events_read_point ON epcis_events (read_point, event_time);
CREATE INDEX epcis_events_biz_location ON epcis_events (biz_location, event_time);

-- Every identifier of every event, canonical, with where it appears: epc
-- (epcList), parent, child, input, output, and the quantity classes class,
-- childClass, inputClass, outputClass with their quantity and unit.
CREATE TABLE epcis_event_epcs (
    event BIGINT NOT NULL REFERENCES epcis_events (id),
    role TEXT NOT NULL,
    epc TEXT NOT NULL,
    quantity DOUBLE PRECISION,
    uom TEXT NOT NULL DEFAULT ''
);
CREATE INDEX epcis_event_epcs_epc ON epcis_event_epcs (epc, role, event);
CREATE INDEX epcis_event_epcs_event ON epcis_event_epcs (event);

-- Other values the queries look for, named as their query parameter:
-- bizTransaction_{type}, source_{type}, destination_{type} (identifiers
-- canonical), transformationID, correctiveEventID,
-- persistentDisposition_set/_unset (CBV URIs), sensorElementList (empty
-- value, for EXISTS_sensorElementList).
CREATE TABLE epcis_event_fields (
    event BIGINT NOT NULL REFERENCES epcis_events (id),
    name TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX epcis_event_fields_value ON epcis_event_fields (name, value, event);
CREATE INDEX epcis_event_fields_event ON epcis_event_fields (event);

-- The events' extension fields, top-level (scope '') and in the ILMD (scope
-- ILMD), for the EQ_/GT_/…/EXISTS_ parameters on them: the name as sent
-- (prefix:local) and with its namespace expanded from the @context
-- ({namespace}local); each scalar value (each element of an array), as
-- text and, when it is a number, as a number.
CREATE TABLE epcis_event_extensions (
    event BIGINT NOT NULL REFERENCES epcis_events (id),
    scope TEXT NOT NULL,
    name TEXT NOT NULL,
    iri TEXT NOT NULL,
    value TEXT NOT NULL,
    num DOUBLE PRECISION
);
CREATE INDEX epcis_event_extensions_iri ON epcis_event_extensions (scope, iri, value);
CREATE INDEX epcis_event_extensions_name ON epcis_event_extensions (scope, name, value);
CREATE INDEX epcis_event_extensions_event ON epcis_event_extensions (event);

-- Named queries (/epcis/queries): a SimpleEventQuery kept under a name, as
-- the JSON query body it was created with, by a trace operator.
CREATE TABLE epcis_queries (
    id {{pk}},
    name TEXT NOT NULL UNIQUE,
    query TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);

-- Webhook subscriptions to a named query. A stream subscription gets, for
-- every capture, the captured events its query matches (a background job
-- per subscription and capture, retried), as an EPCISQueryDocument signed
-- with HMAC-SHA256 of the body under the client's signature token in the
-- GS1-Signature header.
CREATE TABLE epcis_subscriptions (
    id {{pk}},
    subscription_id TEXT NOT NULL UNIQUE,
    query_id BIGINT NOT NULL REFERENCES epcis_queries (id),
    dest TEXT NOT NULL,
    signature_token TEXT NOT NULL DEFAULT '',
    stream INTEGER NOT NULL,
    report_if_empty INTEGER NOT NULL DEFAULT 0,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    last_notified_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX epcis_subscriptions_query ON epcis_subscriptions (query_id);
CREATE INDEX epcis_subscriptions_stream ON epcis_subscriptions (stream);

-- One row per sensor report, with its element's metadata times, for the
-- sensor query parameters (EQ_type, GE_value_CEL, GE_time…). type is the
-- measurement type as a bare GS1 word or its URI; numbers are numbers.
CREATE TABLE epcis_sensor_reports (
    event BIGINT NOT NULL REFERENCES epcis_events (id),
    type TEXT NOT NULL,
    uom TEXT NOT NULL DEFAULT '',
    value DOUBLE PRECISION,
    min_value DOUBLE PRECISION,
    max_value DOUBLE PRECISION,
    mean_value DOUBLE PRECISION,
    sdev DOUBLE PRECISION,
    perc_rank DOUBLE PRECISION,
    perc_value DOUBLE PRECISION,
    device_id TEXT NOT NULL DEFAULT '',
    data_processing_method TEXT NOT NULL DEFAULT '',
    biz_rules TEXT NOT NULL DEFAULT '',
    microorganism TEXT NOT NULL DEFAULT '',
    chemical_substance TEXT NOT NULL DEFAULT '',
    string_value TEXT NOT NULL DEFAULT '',
    boolean_value TEXT NOT NULL DEFAULT '',
    hex_binary_value TEXT NOT NULL DEFAULT '',
    uri_value TEXT NOT NULL DEFAULT '',
    time TEXT NOT NULL DEFAULT '',
    start_time TEXT NOT NULL DEFAULT '',
    end_time TEXT NOT NULL DEFAULT ''
);
CREATE INDEX epcis_sensor_reports_type ON epcis_sensor_reports (type, uom, value);
CREATE INDEX epcis_sensor_reports_event ON epcis_sensor_reports (event);
