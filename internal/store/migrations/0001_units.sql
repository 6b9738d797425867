-- Administrative units (đơn vị hành chính) as an N-level tree that changes
-- over time. A GSO code is unique only at one date, so units have a surrogate
-- id; a unit is valid on [valid_from, valid_to), valid_to NULL while it exists.
CREATE TABLE units (
    id {{pk}},
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    level INTEGER NOT NULL,
    -- the parent is the unit with this code at the same date: a parent that is
    -- renamed gets a new version without touching its children
    parent_code TEXT NOT NULL DEFAULT '',
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    -- name folded for search without accents or case ("xa an thanh")
    search_name TEXT NOT NULL
);
CREATE INDEX units_code ON units (code, valid_from);
CREATE INDEX units_parent ON units (parent_code);

-- Which unit took over a unit's territory, from which date. A merger has
-- several rows into one unit; a rename or a move is a row from the old
-- version to the new version of the same code.
CREATE TABLE unit_successions (
    from_id BIGINT NOT NULL REFERENCES units (id),
    to_id BIGINT NOT NULL REFERENCES units (id),
    effective TEXT NOT NULL,
    PRIMARY KEY (from_id, to_id)
);
CREATE INDEX unit_successions_to ON unit_successions (to_id);

-- Bumped by every change to units, so that every process can tell when its
-- in-memory copy of the tree is stale.
CREATE TABLE units_generation (
    id INTEGER PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO units_generation (id, n) VALUES (1, 0);
