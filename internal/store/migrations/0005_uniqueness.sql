-- A role is granted at most once per user and unit (NULL unit: the whole
-- tree), even when two administrators grant it at the same moment.
CREATE UNIQUE INDEX grants_unique ON grants (user_id, role, coalesce(unit_id, 0));

-- One row per year whose announced schedule was ever saved. Saving a year
-- writes its row first, which serialises concurrent saves of that year.
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY,
    updated_at TEXT NOT NULL
);
