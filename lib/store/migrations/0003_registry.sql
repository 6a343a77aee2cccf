-- The registry: residents with their history, ledgers (台账), staff chains,
-- departments and places. Every row that belongs somewhere carries the
-- path of its area, so that scope filters are a prefix test on one column.

CREATE TABLE residents (
    id {{id}},
    id_number TEXT NOT NULL,
    id_tail TEXT NOT NULL,          -- last 4 characters, for "last digits" search
    name TEXT {{bytes}} NOT NULL,
    sex TEXT NOT NULL,              -- M or F, from the ID number
    birth_date TEXT NOT NULL,       -- YYYY-MM-DD, from the ID number
    phone TEXT,
    area_id BIGINT NOT NULL REFERENCES areas(id),
    area_path TEXT {{bytes}} NOT NULL,
    household TEXT,
    unit TEXT,
    room TEXT,
    resident_type TEXT NOT NULL DEFAULT 'permanent',  -- permanent | floating
    status TEXT NOT NULL DEFAULT 'active',            -- active | moved_out | deceased
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- A named index rather than a column constraint, so that a first load of a
-- county can drop it and build it once, sorted, at the end (lib/import.c).
CREATE UNIQUE INDEX residents_id_number ON residents(id_number);
-- Status and path ride along in the search indexes, so that a search checks
-- scope and status from the index and reads only the rows it returns.
CREATE INDEX residents_name ON residents(name, status, area_path);
CREATE INDEX residents_tail ON residents(id_tail, status, area_path);
CREATE INDEX residents_phone ON residents(phone);
CREATE INDEX residents_area ON residents(area_path);

-- Moves, status changes and corrections, oldest first: nothing is lost.
CREATE TABLE resident_history (
    id {{id}},
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX resident_history_resident ON resident_history(resident_id, at);

CREATE TABLE ledgers (
    id {{id}},
    name TEXT NOT NULL UNIQUE,      -- stable key, e.g. party_member
    zh TEXT NOT NULL,
    en TEXT NOT NULL,
    note TEXT
);

CREATE TABLE ledger_entries (
    id {{id}},
    ledger_id BIGINT NOT NULL REFERENCES ledgers(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    start_date TEXT,                -- YYYY-MM-DD or NULL (open)
    end_date TEXT,
    note TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (ledger_id, resident_id)
);
CREATE INDEX ledger_entries_resident ON ledger_entries(resident_id);

-- The five-level chain: commander, grid_head, grid_worker, assistant,
-- building_head (or street_head) on a node.
CREATE TABLE staff_assignments (
    id {{id}},
    area_id BIGINT NOT NULL REFERENCES areas(id),
    position TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT,
    user_id BIGINT REFERENCES users(id),
    start_date TEXT,
    end_date TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX staff_area ON staff_assignments(area_id);

CREATE TABLE departments (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    domains TEXT NOT NULL,          -- comma-separated: power,transport,...
    area_id BIGINT NOT NULL REFERENCES areas(id)
);

-- Venues (shops, markets, pharmacies, sampling points, quarantine hotels)
-- and risk points (forests, fields, roads, mines, rivers, gullies).
CREATE TABLE places (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,             -- venue | risk_point
    type TEXT NOT NULL,
    area_id BIGINT NOT NULL REFERENCES areas(id),
    area_path TEXT {{bytes}} NOT NULL,
    address TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    created_at BIGINT NOT NULL
);
CREATE INDEX places_area ON places(area_path);

INSERT INTO ledgers (name, zh, en, note) VALUES
    ('party_member', '党员', 'Party members', '新荣区五大数据库之一'),
    ('student', '学生', 'Students', '新荣区五大数据库之一'),
    ('truck_driver', '货车司机', 'Truck drivers', '新荣区五大数据库之一'),
    ('professional', '专业人才', 'Professionals', '新荣区五大数据库之一'),
    ('special_needs', '特殊人群', 'Special-needs people', '独居老人、残疾人、卧床人员：上门服务'),
    ('special_care', '特殊关爱', 'Special care', NULL),
    ('potential_risk', '潜在风险', 'Potential risk', '居家隔离、健康监测'),
    ('emergency_team', '应急队伍', 'Emergency team', NULL),
    ('volunteer', '志愿者', 'Volunteers', NULL);
