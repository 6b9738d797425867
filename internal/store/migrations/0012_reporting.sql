-- Periodic reporting and statistics (chế độ báo cáo, thống kê). The
-- catalogue (categories, indicators, forms, rules) is data; codes are its
-- stable identifiers.
CREATE TABLE stat_categories (
    code TEXT PRIMARY KEY,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);
CREATE TABLE stat_category_options (
    category_code TEXT NOT NULL REFERENCES stat_categories (code),
    code TEXT NOT NULL,
    position INTEGER NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    PRIMARY KEY (category_code, code)
);

-- An indicator is entered (categories: ';'-separated category codes whose
-- option combinations each hold a value) or computed (numerator and
-- denominator codes, factor), the latter evaluated after aggregation.
CREATE TABLE stat_indicators (
    id {{pk}},
    code TEXT NOT NULL UNIQUE,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    unit TEXT NOT NULL,
    value_type TEXT NOT NULL,
    agg_units TEXT NOT NULL,
    agg_time TEXT NOT NULL,
    period_type TEXT NOT NULL,
    categories TEXT NOT NULL DEFAULT '',
    numerator TEXT NOT NULL DEFAULT '',
    denominator TEXT NOT NULL DEFAULT '',
    factor DOUBLE PRECISION NOT NULL DEFAULT 1
);

CREATE TABLE stat_forms (
    id {{pk}},
    code TEXT NOT NULL UNIQUE,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    period_type TEXT NOT NULL
);
-- The levels of units that report a form, each with its deadline in
-- working days after the data window's cut-off (Decree 09/2019).
CREATE TABLE stat_form_levels (
    form_id BIGINT NOT NULL REFERENCES stat_forms (id),
    level INTEGER NOT NULL,
    deadline_days INTEGER NOT NULL,
    PRIMARY KEY (form_id, level)
);
CREATE TABLE stat_form_sections (
    form_id BIGINT NOT NULL REFERENCES stat_forms (id),
    position INTEGER NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    PRIMARY KEY (form_id, position)
);
CREATE TABLE stat_form_items (
    form_id BIGINT NOT NULL REFERENCES stat_forms (id),
    section INTEGER NOT NULL,
    position INTEGER NOT NULL,
    indicator_id BIGINT NOT NULL REFERENCES stat_indicators (id),
    PRIMARY KEY (form_id, indicator_id)
);

-- left and right are sums of indicator codes: "CX.XH.01 + CX.XH.02".
CREATE TABLE stat_rules (
    id {{pk}},
    code TEXT NOT NULL UNIQUE,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    left_side TEXT NOT NULL,
    operator TEXT NOT NULL,
    right_side TEXT NOT NULL,
    importance TEXT NOT NULL,
    missing TEXT NOT NULL
);

CREATE TABLE stat_targets (
    indicator_id BIGINT NOT NULL REFERENCES stat_indicators (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    period TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    on_track DOUBLE PRECISION NOT NULL,
    at_risk DOUBLE PRECISION NOT NULL,
    lower_is_better INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (indicator_id, unit_id, period)
);

-- Data values: one per indicator, option combination ('' without
-- categories), unit version and period. The unit is the version that
-- existed during the period; analytics map it to the structure of any date.
-- period_start and period_end (YYYY-MM-DD) let analytics select by range.
CREATE TABLE stat_values (
    indicator_id BIGINT NOT NULL REFERENCES stat_indicators (id),
    combo TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    period TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    value TEXT NOT NULL,
    num DOUBLE PRECISION,
    comment TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (indicator_id, combo, unit_id, period)
);
CREATE INDEX stat_values_unit ON stat_values (unit_id, period);
-- Covers what analytics reads, so that a range of an indicator is read
-- from the index alone.
CREATE INDEX stat_values_range ON stat_values (indicator_id, period_start, period_end, unit_id, combo, period, num);

-- Approval of a form's report for a period by a unit version: approved by
-- the unit (its data is then locked), accepted or returned by the level
-- above. No row: open.
CREATE TABLE stat_approvals (
    form_id BIGINT NOT NULL REFERENCES stat_forms (id),
    period TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (form_id, period, unit_id)
);
CREATE INDEX stat_approvals_unit ON stat_approvals (unit_id, period);

-- Bumped in the transaction of every change to an indicator's values, so
-- that each process's in-memory copy for analytics knows when to reload.
CREATE TABLE stat_versions (
    indicator_id BIGINT PRIMARY KEY REFERENCES stat_indicators (id),
    n BIGINT NOT NULL
);
