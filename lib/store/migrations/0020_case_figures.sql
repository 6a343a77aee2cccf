-- Figures of cases (lib/case_figures.c, docs/cases.md "Figures of cases"):
-- a summary kept up to date from the timeline, so that a county's figures
-- for a year read a few thousand rows however many cases there are.

-- The counters per (area, day, category, type, holder department), for the
-- case's own area and each of its ancestors: the figures of an area are
-- the rows of that area alone. day counts days since 1970-01-01 in
-- Asia/Shanghai (the day the case was filed); department_id 0 stands for
-- "held by an area unit" (so that the key is unique on both backends).
-- secs_<state> sums the ended stays in a state, n_<state> the cases that
-- have one.
CREATE TABLE case_figures (
    id {{id}},
    area_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    category_id BIGINT NOT NULL,
    domain TEXT NOT NULL,
    type TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    filed BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    closed_on_time BIGINT NOT NULL,
    secs_reported BIGINT NOT NULL,
    n_reported BIGINT NOT NULL,
    secs_handling BIGINT NOT NULL,
    n_handling BIGINT NOT NULL,
    secs_done BIGINT NOT NULL,
    n_done BIGINT NOT NULL
);
CREATE UNIQUE INDEX case_figures_key
    ON case_figures(area_id, day, category_id, domain, type, department_id);
-- The figures read an area's rows over a period from this index alone.
CREATE INDEX case_figures_read ON case_figures(area_id, day, domain, category_id, type,
    department_id, filed, closed, closed_on_time, secs_reported, n_reported, secs_handling,
    n_handling, secs_done, n_done);

-- What each case contributes now: the fold subtracts it and adds the new
-- one when the case's timeline grows.
CREATE TABLE case_figure_cases (
    case_id BIGINT PRIMARY KEY,
    area_path TEXT {{bytes}} NOT NULL,
    day BIGINT NOT NULL,
    category_id BIGINT NOT NULL,
    domain TEXT NOT NULL,
    type TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    closed_on_time BIGINT NOT NULL,
    secs_reported BIGINT NOT NULL,
    n_reported BIGINT NOT NULL,
    secs_handling BIGINT NOT NULL,
    n_handling BIGINT NOT NULL,
    secs_done BIGINT NOT NULL,
    n_done BIGINT NOT NULL
);

-- The last case_events.id folded into the summary.
CREATE TABLE case_figures_state (
    id INTEGER PRIMARY KEY,
    watermark BIGINT NOT NULL
);
INSERT INTO case_figures_state (id, watermark) VALUES (1, 0);

-- "Open past the deadline" depends on the clock, so it is counted at each
-- request from the open cases, which are few: this index holds only them.
CREATE INDEX cases_open_due ON cases(area_path, finish_due) WHERE state <> 'closed';
