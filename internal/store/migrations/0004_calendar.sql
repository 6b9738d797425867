-- Announced public-sector schedules: weekday days off ('off') and make-up
-- working Saturdays ('work'). A year with rows here uses them instead of the
-- statutory default rules.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days (year);
