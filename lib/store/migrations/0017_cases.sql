-- Cases (issue 10): one closed loop for events, requests, disputes,
-- suggestions, findings, assistance and positive dispatch (include/civgrid/case.h,
-- docs/cases.md). Sized for a million cases: every list reads an index.

-- The editable category catalogue. Deadlines and card thresholds are in
-- working days (the calendar's cg_workdays_add); reopen_days in calendar days.
-- department is the domain word of the department a case of this category
-- goes to by default (departments.domains), resolved in the case's county,
-- because departments are per county and the catalogue is the deployment's.
CREATE TABLE case_categories (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL,
    zh TEXT NOT NULL,
    en TEXT NOT NULL,
    size TEXT NOT NULL DEFAULT 'big',          -- small | big
    department TEXT,
    accept_days INTEGER NOT NULL DEFAULT 2,
    finish_days INTEGER NOT NULL DEFAULT 5,
    accept_yellow INTEGER NOT NULL DEFAULT 2,
    accept_red INTEGER NOT NULL DEFAULT 5,
    finish_yellow INTEGER NOT NULL DEFAULT 5,
    finish_red INTEGER NOT NULL DEFAULT 10,
    reopen_days INTEGER NOT NULL DEFAULT 7,
    active INTEGER NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL DEFAULT 0
);

-- A department's users see only the cases assigned or copied to it.
ALTER TABLE users ADD COLUMN department_id BIGINT REFERENCES departments(id);

-- One row per case. area_path is where it happened (who sees it by scope);
-- holder_* is the unit that holds it (an area, and a department when a
-- department holds it: then the area is the department's); from_* the unit
-- that sent it there (send_back returns it). version grows with every action:
-- an action's UPDATE ... WHERE version = ? is how one of two racing users wins.
CREATE TABLE cases (
    id {{id}},
    type TEXT NOT NULL,
    category_id BIGINT NOT NULL REFERENCES case_categories(id),
    domain TEXT NOT NULL,                      -- the category's, kept for figures
    state TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    source TEXT NOT NULL,                      -- ui | api | cli | open311 | demo
    area_id BIGINT NOT NULL REFERENCES areas(id),
    area_path TEXT {{bytes}} NOT NULL,
    holder_area_id BIGINT NOT NULL REFERENCES areas(id),
    holder_department_id BIGINT REFERENCES departments(id),
    from_area_id BIGINT REFERENCES areas(id),
    from_department_id BIGINT REFERENCES departments(id),
    reporter_id BIGINT REFERENCES users(id),
    reporter TEXT NOT NULL,                    -- username, cli:NAME, apikey:NAME
    contact_name TEXT,
    contact_phone TEXT,
    title TEXT NOT NULL,
    description TEXT,
    address TEXT,
    lat_e6 BIGINT,                             -- WGS-84 degrees x 10^6, or NULL
    lon_e6 BIGINT,
    parties TEXT,                              -- dispute
    mediator TEXT,
    outcome TEXT,                              -- agreed | court | failed
    agreement TEXT,
    person_name TEXT,                          -- assistance, positive dispatch
    person_id_number TEXT,
    person_phone TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    accepted_at BIGINT,
    done_at BIGINT,
    closed_at BIGINT,
    accept_due BIGINT,                         -- NULL: no calendar to compute it
    finish_due BIGINT,
    card TEXT NOT NULL DEFAULT 'none',         -- none | yellow | red
    merged_into BIGINT REFERENCES cases(id)
);
-- Lists in a scope by state, newest first; "my tasks" by holder; time ranges.
CREATE INDEX cases_area ON cases(area_path, state, created_at);
CREATE INDEX cases_created ON cases(created_at);
CREATE INDEX cases_holder_area ON cases(holder_area_id, state, created_at);
CREATE INDEX cases_holder_department ON cases(holder_department_id, state, created_at);
CREATE INDEX cases_category ON cases(category_id, created_at);

-- The timeline: one row per action, oldest first.
CREATE TABLE case_events (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    actor_name TEXT,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT,
    unit_area_id BIGINT REFERENCES areas(id),  -- where it went (assign, escalate, copy ...)
    unit_department_id BIGINT REFERENCES departments(id),
    into_case_id BIGINT REFERENCES cases(id)   -- merge
);
CREATE INDEX case_events_case ON case_events(case_id, id);

-- Photos: the file lives under the data directory (cases/<case_id>/<id>);
-- the type was sniffed from its bytes. event_id NULL: a photo of the case
-- not yet (or never) attached to an action.
CREATE TABLE case_attachments (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    event_id BIGINT REFERENCES case_events(id),
    name TEXT,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploader TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments(case_id, id);

-- Units that see a case besides its area's scope: every unit it was
-- escalated or assigned to, and every unit it was copied to. A department's
-- users see a case exactly when their department has a row here.
CREATE TABLE case_units (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    area_id BIGINT NOT NULL REFERENCES areas(id),
    area_path TEXT {{bytes}} NOT NULL,
    department_id BIGINT REFERENCES departments(id),
    reason TEXT NOT NULL,                      -- escalate | assign | copy
    created_at BIGINT NOT NULL
);
CREATE INDEX case_units_case ON case_units(case_id);
CREATE INDEX case_units_area ON case_units(area_path, case_id);
CREATE INDEX case_units_department ON case_units(department_id, case_id);

-- The seeded catalogue. Small categories are handled on the spot by the grid;
-- big ones go up. Requests are closed daily (日日清, 事事结).
INSERT INTO case_categories (code, domain, zh, en, size, department, accept_days, finish_days) VALUES
    ('power.outage', 'power', '停电断电', 'Power outage', 'big', 'power', 1, 3),
    ('power.line_hazard', 'power', '线路隐患', 'Power line hazard', 'big', 'power', 1, 5),
    ('power.meter', 'power', '电表用电问题', 'Meter or supply problem', 'small', 'power', 2, 5),
    ('transport.road_damage', 'transport', '道路破损', 'Damaged road', 'big', 'transport', 2, 10),
    ('transport.illegal_parking', 'transport', '违章停车', 'Illegal parking', 'small', 'transport', 1, 2),
    ('transport.traffic_facility', 'transport', '交通设施损坏', 'Broken traffic facility', 'big', 'transport', 2, 5),
    ('water.supply_outage', 'water', '停水', 'Water supply cut', 'big', 'water', 1, 3),
    ('water.pipe_leak', 'water', '管道漏水', 'Leaking pipe', 'big', 'water', 1, 5),
    ('water.drainage', 'water', '排水不畅', 'Blocked drain', 'small', 'water', 2, 5),
    ('environment.pollution', 'environment', '环境污染', 'Pollution', 'big', 'environment', 1, 10),
    ('environment.burning', 'environment', '露天焚烧', 'Open burning', 'small', 'environment', 1, 2),
    ('environment.noise', 'environment', '噪声扰民', 'Noise nuisance', 'small', 'environment', 2, 5),
    ('public_order.security_risk', 'public_order', '治安隐患', 'Security risk', 'big', 'public_order', 1, 5),
    ('public_order.fire_risk', 'public_order', '消防隐患', 'Fire hazard', 'big', 'emergency', 1, 5),
    ('public_order.gathering', 'public_order', '聚集事件', 'Gathering', 'big', 'public_order', 1, 2),
    ('sanitation.garbage', 'sanitation', '垃圾堆放', 'Piled garbage', 'small', 'sanitation', 1, 2),
    ('sanitation.public_toilet', 'sanitation', '公厕问题', 'Public toilet', 'small', 'sanitation', 2, 5),
    ('sanitation.street_cleaning', 'sanitation', '街面保洁', 'Street cleaning', 'small', 'sanitation', 1, 2),
    ('natural_disaster.flood', 'natural_disaster', '洪涝', 'Flood', 'big', 'natural_disaster', 1, 3),
    ('natural_disaster.landslide', 'natural_disaster', '地质灾害隐患', 'Landslide risk', 'big', 'natural_disaster', 1, 5),
    ('natural_disaster.forest_fire', 'natural_disaster', '森林火险', 'Forest fire risk', 'big', 'natural_disaster', 1, 2),
    ('market.food_safety', 'market', '食品安全', 'Food safety', 'big', 'market', 1, 5),
    ('market.unlicensed', 'market', '无证经营', 'Unlicensed business', 'big', 'market', 2, 10),
    ('market.price', 'market', '价格违法', 'Unlawful pricing', 'big', 'market', 2, 5),
    ('health.epidemic', 'health', '疫情防控', 'Epidemic control', 'big', 'health', 1, 2),
    ('health.medical', 'health', '就医需求', 'Medical need', 'big', 'health', 1, 2),
    ('civil_affairs.hardship', 'civil_affairs', '困难救助', 'Hardship relief', 'big', 'civil_affairs', 2, 10),
    ('civil_affairs.elderly', 'civil_affairs', '独居老人帮扶', 'Help for the elderly living alone', 'small', 'civil_affairs', 1, 5),
    ('petition.complaint', 'petition', '信访投诉', 'Petition or complaint', 'big', 'petition', 2, 10),
    ('emergency.safety_hazard', 'emergency', '安全生产隐患', 'Workplace safety hazard', 'big', 'emergency', 1, 5),
    ('emergency.accident', 'emergency', '突发事故', 'Accident', 'big', 'emergency', 1, 2),
    ('request.errand', 'request', '代办跑腿', 'Errand', 'small', NULL, 1, 1),
    ('request.buy_for_me', 'request', '代买代购', 'Buy for me', 'small', NULL, 1, 1),
    ('request.emotional_support', 'request', '心理疏导', 'Emotional support', 'small', 'health', 1, 1),
    ('request.medicine', 'request', '代购药品', 'Medicine delivery', 'small', 'health', 1, 1),
    ('request.other', 'request', '其他诉求', 'Other request', 'small', NULL, 1, 2),
    ('dispute.neighbour', 'dispute', '邻里纠纷', 'Neighbour dispute', 'small', NULL, 2, 10),
    ('dispute.family', 'dispute', '婚姻家庭纠纷', 'Family dispute', 'small', NULL, 2, 10),
    ('dispute.land', 'dispute', '土地山林纠纷', 'Land dispute', 'big', NULL, 2, 10),
    ('dispute.labour', 'dispute', '劳资纠纷', 'Wage or labour dispute', 'big', 'petition', 2, 10),
    ('dispute.property', 'dispute', '物业纠纷', 'Property management dispute', 'small', NULL, 2, 10),
    ('suggestion.public_service', 'suggestion', '公共服务建议', 'Public service suggestion', 'small', NULL, 2, 10),
    ('suggestion.infrastructure', 'suggestion', '基础设施建议', 'Infrastructure suggestion', 'big', NULL, 2, 10),
    ('finding.inspection', 'other', '暗访检查问题', 'Undercover inspection finding', 'big', NULL, 1, 5),
    ('finding.supervision', 'other', '督导检查问题', 'Supervision finding', 'big', NULL, 1, 5),
    ('assistance.locate_person', 'assistance', '人员协查', 'Locate and check a person', 'small', 'health', 1, 1),
    ('health.positive_dispatch', 'health', '阳性病例派单', 'Positive case dispatch', 'big', 'health', 1, 1),
    ('other.other', 'other', '其他事件', 'Other event', 'big', NULL, 2, 5);
