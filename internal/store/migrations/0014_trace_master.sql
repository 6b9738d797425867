-- Traceability master data (package epcis, files organisations.go,
-- locations.go, products.go, lots.go, certifications.go) and the
-- organisation each captured event is recorded for.
--
-- Every organisation, location, product and lot has one identifier: the
-- canonical form (epcis.Normalizer) of its GS1 key (a party or location
-- GLN, a GTIN, a GTIN with its lot) or, for those without a GS1 company
-- prefix, of its provincial URI ({base}/{code}, {base}/{code}/loc/{ref},
-- {base}/{code}/pr/{ref}, …/lot/{lot}). Events name them by it, so a join
-- on identifier ties an event to its master data.

-- Organisations: producers, cooperatives, mills, processors, packers,
-- traders, retailers, exporters, each tied to the administrative unit where
-- it is registered. code is its provincial producer code (the {org} of the
-- provincial scheme); gcp its GS1 company prefix and gln its party GLN
-- when it has them.
CREATE TABLE trace_organisations (
    id {{pk}},
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    address TEXT NOT NULL DEFAULT '',
    gcp TEXT NOT NULL DEFAULT '',
    gln TEXT NOT NULL DEFAULT '',
    identifier TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX trace_organisations_unit ON trace_organisations (unit_id);

-- Which organisation a trace operator works for: one per user. Capture
-- writes on its behalf and queries see what it may see.
CREATE TABLE trace_members (
    user_id BIGINT PRIMARY KEY REFERENCES users (id),
    org_id BIGINT NOT NULL REFERENCES trace_organisations (id),
    created_at TEXT NOT NULL
);
CREATE INDEX trace_members_org ON trace_members (org_id);

-- Places: fields, ponds, orchards, drying yards, mills, processing
-- plants, warehouses, shops. parent_id builds the hierarchy the
-- WD_readPoint and WD_bizLocation query parameters descend (a mill's
-- drying yard is within the mill). Coordinates in WGS 84 degrees; area in
-- square metres for a field or pond.
CREATE TABLE trace_locations (
    id {{pk}},
    org_id BIGINT NOT NULL REFERENCES trace_organisations (id),
    parent_id BIGINT REFERENCES trace_locations (id),
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_id BIGINT REFERENCES units (id),
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    area_m2 DOUBLE PRECISION,
    identifier TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, ref)
);
CREATE INDEX trace_locations_parent ON trace_locations (parent_id);

-- Products (trade items): a GTIN when the organisation has one, else a
-- provincial class reference. kind is the chain it belongs to (paddy,
-- rice, shrimp, fruit…); uom the unit quantities are counted in.
CREATE TABLE trace_products (
    id {{pk}},
    org_id BIGINT NOT NULL REFERENCES trace_organisations (id),
    kind TEXT NOT NULL,
    gtin TEXT NOT NULL DEFAULT '',
    ref TEXT NOT NULL DEFAULT '',
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    uom TEXT NOT NULL DEFAULT 'KGM',
    identifier TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX trace_products_org ON trace_products (org_id);

-- Lots (batches) of a product, with the master data a lot carries: the
-- organisation that made it, the variety (ST25), the harvest or production
-- date (a local date), the field or pond it came from and its area.
CREATE TABLE trace_lots (
    id {{pk}},
    product_id BIGINT NOT NULL REFERENCES trace_products (id),
    org_id BIGINT NOT NULL REFERENCES trace_organisations (id),
    lot TEXT NOT NULL,
    variety TEXT NOT NULL DEFAULT '',
    harvest_date TEXT NOT NULL DEFAULT '',
    location_id BIGINT REFERENCES trace_locations (id),
    area_m2 DOUBLE PRECISION,
    quantity DOUBLE PRECISION,
    note TEXT NOT NULL DEFAULT '',
    identifier TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    UNIQUE (product_id, lot)
);
CREATE INDEX trace_lots_org ON trace_lots (org_id);

-- Certifications (VietGAP, GlobalGAP, organic, geographical indication…)
-- held by an organisation, and narrowed to one of its locations or
-- products when the certificate names one. valid_from and valid_to are
-- local dates, both inclusive.
CREATE TABLE trace_certifications (
    id {{pk}},
    org_id BIGINT NOT NULL REFERENCES trace_organisations (id),
    location_id BIGINT REFERENCES trace_locations (id),
    product_id BIGINT REFERENCES trace_products (id),
    scheme TEXT NOT NULL,
    number TEXT NOT NULL,
    issuer TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX trace_certifications_org ON trace_certifications (org_id, valid_to);

-- The organisation a capture and its events were recorded for (NULL when a
-- provincial trace officer captured without one).
ALTER TABLE epcis_captures ADD COLUMN org_id BIGINT REFERENCES trace_organisations (id);
ALTER TABLE epcis_events ADD COLUMN org_id BIGINT REFERENCES trace_organisations (id);
CREATE INDEX epcis_events_org ON epcis_events (org_id, id);

-- A stream subscription delivers what its subscriber's organisation may
-- see (NULL: a subscriber who sees every event).
ALTER TABLE epcis_subscriptions ADD COLUMN org_id BIGINT REFERENCES trace_organisations (id);
