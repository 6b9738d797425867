-- The procedure catalogue (thủ tục hành chính). The definition is the
-- procedure's JSON as imported; the other columns are copies for listing
-- and search.
CREATE TABLE procedures (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    level INTEGER NOT NULL,
    online_mode TEXT NOT NULL,
    -- " " + the folded name + " " + the code, for search at word starts
    search_text TEXT NOT NULL,
    definition TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX procedures_field ON procedures (field);
