-- The working-day calendar (lib/calendar.c) and the notification outbox
-- (lib/outbox.c).

-- Marked days: a holiday (no work, even on a weekday) or a make-up working
-- day (调休上班, work even on a weekend). Unmarked days follow the weekday
-- rule: Monday to Friday work, Saturday and Sunday rest. day is the local
-- date "YYYY-MM-DD" (Asia/Shanghai), which sorts as dates do.
CREATE TABLE calendar_days (
    day TEXT {{bytes}} PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

-- One row: a token that every edit of calendar_days replaces in the same
-- transaction, so that each process reloads its copy of the days when it
-- differs. 1 is the seed below (every fresh database has the same days);
-- edits write a random 62-bit value, so two databases that one process opens
-- never share a token for different days.
CREATE TABLE calendar_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO calendar_version (id, version) VALUES (1, 1);

-- The seed: every day of each holiday period of the State Council's notices
-- (国务院办公厅关于…年部分节假日安排的通知), weekends inside a period
-- included, and each make-up working day the notice names.
-- 2022: 国办发明电〔2021〕11号
INSERT INTO calendar_days (day, kind, name, updated_at, updated_by) VALUES
    ('2022-01-01', 'holiday', '元旦', 0, 'seed'),
    ('2022-01-02', 'holiday', '元旦', 0, 'seed'),
    ('2022-01-03', 'holiday', '元旦', 0, 'seed'),
    ('2022-01-29', 'workday', '春节调休上班', 0, 'seed'),
    ('2022-01-30', 'workday', '春节调休上班', 0, 'seed'),
    ('2022-01-31', 'holiday', '春节', 0, 'seed'),
    ('2022-02-01', 'holiday', '春节', 0, 'seed'),
    ('2022-02-02', 'holiday', '春节', 0, 'seed'),
    ('2022-02-03', 'holiday', '春节', 0, 'seed'),
    ('2022-02-04', 'holiday', '春节', 0, 'seed'),
    ('2022-02-05', 'holiday', '春节', 0, 'seed'),
    ('2022-02-06', 'holiday', '春节', 0, 'seed'),
    ('2022-04-02', 'workday', '清明节调休上班', 0, 'seed'),
    ('2022-04-03', 'holiday', '清明节', 0, 'seed'),
    ('2022-04-04', 'holiday', '清明节', 0, 'seed'),
    ('2022-04-05', 'holiday', '清明节', 0, 'seed'),
    ('2022-04-24', 'workday', '劳动节调休上班', 0, 'seed'),
    ('2022-04-30', 'holiday', '劳动节', 0, 'seed'),
    ('2022-05-01', 'holiday', '劳动节', 0, 'seed'),
    ('2022-05-02', 'holiday', '劳动节', 0, 'seed'),
    ('2022-05-03', 'holiday', '劳动节', 0, 'seed'),
    ('2022-05-04', 'holiday', '劳动节', 0, 'seed'),
    ('2022-05-07', 'workday', '劳动节调休上班', 0, 'seed'),
    ('2022-06-03', 'holiday', '端午节', 0, 'seed'),
    ('2022-06-04', 'holiday', '端午节', 0, 'seed'),
    ('2022-06-05', 'holiday', '端午节', 0, 'seed'),
    ('2022-09-10', 'holiday', '中秋节', 0, 'seed'),
    ('2022-09-11', 'holiday', '中秋节', 0, 'seed'),
    ('2022-09-12', 'holiday', '中秋节', 0, 'seed'),
    ('2022-10-01', 'holiday', '国庆节', 0, 'seed'),
    ('2022-10-02', 'holiday', '国庆节', 0, 'seed'),
    ('2022-10-03', 'holiday', '国庆节', 0, 'seed'),
    ('2022-10-04', 'holiday', '国庆节', 0, 'seed'),
    ('2022-10-05', 'holiday', '国庆节', 0, 'seed'),
    ('2022-10-06', 'holiday', '国庆节', 0, 'seed'),
    ('2022-10-07', 'holiday', '国庆节', 0, 'seed'),
    ('2022-10-08', 'workday', '国庆节调休上班', 0, 'seed'),
    ('2022-10-09', 'workday', '国庆节调休上班', 0, 'seed');
-- 2023: 国办发明电〔2022〕16号
INSERT INTO calendar_days (day, kind, name, updated_at, updated_by) VALUES
    ('2022-12-31', 'holiday', '元旦', 0, 'seed'),
    ('2023-01-01', 'holiday', '元旦', 0, 'seed'),
    ('2023-01-02', 'holiday', '元旦', 0, 'seed'),
    ('2023-01-21', 'holiday', '春节', 0, 'seed'),
    ('2023-01-22', 'holiday', '春节', 0, 'seed'),
    ('2023-01-23', 'holiday', '春节', 0, 'seed'),
    ('2023-01-24', 'holiday', '春节', 0, 'seed'),
    ('2023-01-25', 'holiday', '春节', 0, 'seed'),
    ('2023-01-26', 'holiday', '春节', 0, 'seed'),
    ('2023-01-27', 'holiday', '春节', 0, 'seed'),
    ('2023-01-28', 'workday', '春节调休上班', 0, 'seed'),
    ('2023-01-29', 'workday', '春节调休上班', 0, 'seed'),
    ('2023-04-05', 'holiday', '清明节', 0, 'seed'),
    ('2023-04-23', 'workday', '劳动节调休上班', 0, 'seed'),
    ('2023-04-29', 'holiday', '劳动节', 0, 'seed'),
    ('2023-04-30', 'holiday', '劳动节', 0, 'seed'),
    ('2023-05-01', 'holiday', '劳动节', 0, 'seed'),
    ('2023-05-02', 'holiday', '劳动节', 0, 'seed'),
    ('2023-05-03', 'holiday', '劳动节', 0, 'seed'),
    ('2023-05-06', 'workday', '劳动节调休上班', 0, 'seed'),
    ('2023-06-22', 'holiday', '端午节', 0, 'seed'),
    ('2023-06-23', 'holiday', '端午节', 0, 'seed'),
    ('2023-06-24', 'holiday', '端午节', 0, 'seed'),
    ('2023-06-25', 'workday', '端午节调休上班', 0, 'seed'),
    ('2023-09-29', 'holiday', '中秋节、国庆节', 0, 'seed'),
    ('2023-09-30', 'holiday', '中秋节、国庆节', 0, 'seed'),
    ('2023-10-01', 'holiday', '中秋节、国庆节', 0, 'seed'),
    ('2023-10-02', 'holiday', '中秋节、国庆节', 0, 'seed'),
    ('2023-10-03', 'holiday', '中秋节、国庆节', 0, 'seed'),
    ('2023-10-04', 'holiday', '中秋节、国庆节', 0, 'seed'),
    ('2023-10-05', 'holiday', '中秋节、国庆节', 0, 'seed'),
    ('2023-10-06', 'holiday', '中秋节、国庆节', 0, 'seed'),
    ('2023-10-07', 'workday', '中秋节、国庆节调休上班', 0, 'seed'),
    ('2023-10-08', 'workday', '中秋节、国庆节调休上班', 0, 'seed');
-- 2024: 国办发明电〔2023〕7号
INSERT INTO calendar_days (day, kind, name, updated_at, updated_by) VALUES
    ('2024-01-01', 'holiday', '元旦', 0, 'seed'),
    ('2024-02-04', 'workday', '春节调休上班', 0, 'seed'),
    ('2024-02-10', 'holiday', '春节', 0, 'seed'),
    ('2024-02-11', 'holiday', '春节', 0, 'seed'),
    ('2024-02-12', 'holiday', '春节', 0, 'seed'),
    ('2024-02-13', 'holiday', '春节', 0, 'seed'),
    ('2024-02-14', 'holiday', '春节', 0, 'seed'),
    ('2024-02-15', 'holiday', '春节', 0, 'seed'),
    ('2024-02-16', 'holiday', '春节', 0, 'seed'),
    ('2024-02-17', 'holiday', '春节', 0, 'seed'),
    ('2024-02-18', 'workday', '春节调休上班', 0, 'seed'),
    ('2024-04-04', 'holiday', '清明节', 0, 'seed'),
    ('2024-04-05', 'holiday', '清明节', 0, 'seed'),
    ('2024-04-06', 'holiday', '清明节', 0, 'seed'),
    ('2024-04-07', 'workday', '清明节调休上班', 0, 'seed'),
    ('2024-04-28', 'workday', '劳动节调休上班', 0, 'seed'),
    ('2024-05-01', 'holiday', '劳动节', 0, 'seed'),
    ('2024-05-02', 'holiday', '劳动节', 0, 'seed'),
    ('2024-05-03', 'holiday', '劳动节', 0, 'seed'),
    ('2024-05-04', 'holiday', '劳动节', 0, 'seed'),
    ('2024-05-05', 'holiday', '劳动节', 0, 'seed'),
    ('2024-05-11', 'workday', '劳动节调休上班', 0, 'seed'),
    ('2024-06-10', 'holiday', '端午节', 0, 'seed'),
    ('2024-09-14', 'workday', '中秋节调休上班', 0, 'seed'),
    ('2024-09-15', 'holiday', '中秋节', 0, 'seed'),
    ('2024-09-16', 'holiday', '中秋节', 0, 'seed'),
    ('2024-09-17', 'holiday', '中秋节', 0, 'seed'),
    ('2024-09-29', 'workday', '国庆节调休上班', 0, 'seed'),
    ('2024-10-01', 'holiday', '国庆节', 0, 'seed'),
    ('2024-10-02', 'holiday', '国庆节', 0, 'seed'),
    ('2024-10-03', 'holiday', '国庆节', 0, 'seed'),
    ('2024-10-04', 'holiday', '国庆节', 0, 'seed'),
    ('2024-10-05', 'holiday', '国庆节', 0, 'seed'),
    ('2024-10-06', 'holiday', '国庆节', 0, 'seed'),
    ('2024-10-07', 'holiday', '国庆节', 0, 'seed'),
    ('2024-10-12', 'workday', '国庆节调休上班', 0, 'seed');
-- 2025: 国办发明电〔2024〕12号
INSERT INTO calendar_days (day, kind, name, updated_at, updated_by) VALUES
    ('2025-01-01', 'holiday', '元旦', 0, 'seed'),
    ('2025-01-26', 'workday', '春节调休上班', 0, 'seed'),
    ('2025-01-28', 'holiday', '春节', 0, 'seed'),
    ('2025-01-29', 'holiday', '春节', 0, 'seed'),
    ('2025-01-30', 'holiday', '春节', 0, 'seed'),
    ('2025-01-31', 'holiday', '春节', 0, 'seed'),
    ('2025-02-01', 'holiday', '春节', 0, 'seed'),
    ('2025-02-02', 'holiday', '春节', 0, 'seed'),
    ('2025-02-03', 'holiday', '春节', 0, 'seed'),
    ('2025-02-04', 'holiday', '春节', 0, 'seed'),
    ('2025-02-08', 'workday', '春节调休上班', 0, 'seed'),
    ('2025-04-04', 'holiday', '清明节', 0, 'seed'),
    ('2025-04-05', 'holiday', '清明节', 0, 'seed'),
    ('2025-04-06', 'holiday', '清明节', 0, 'seed'),
    ('2025-04-27', 'workday', '劳动节调休上班', 0, 'seed'),
    ('2025-05-01', 'holiday', '劳动节', 0, 'seed'),
    ('2025-05-02', 'holiday', '劳动节', 0, 'seed'),
    ('2025-05-03', 'holiday', '劳动节', 0, 'seed'),
    ('2025-05-04', 'holiday', '劳动节', 0, 'seed'),
    ('2025-05-05', 'holiday', '劳动节', 0, 'seed'),
    ('2025-05-31', 'holiday', '端午节', 0, 'seed'),
    ('2025-06-01', 'holiday', '端午节', 0, 'seed'),
    ('2025-06-02', 'holiday', '端午节', 0, 'seed'),
    ('2025-09-28', 'workday', '国庆节、中秋节调休上班', 0, 'seed'),
    ('2025-10-01', 'holiday', '国庆节、中秋节', 0, 'seed'),
    ('2025-10-02', 'holiday', '国庆节、中秋节', 0, 'seed'),
    ('2025-10-03', 'holiday', '国庆节、中秋节', 0, 'seed'),
    ('2025-10-04', 'holiday', '国庆节、中秋节', 0, 'seed'),
    ('2025-10-05', 'holiday', '国庆节、中秋节', 0, 'seed'),
    ('2025-10-06', 'holiday', '国庆节、中秋节', 0, 'seed'),
    ('2025-10-07', 'holiday', '国庆节、中秋节', 0, 'seed'),
    ('2025-10-08', 'holiday', '国庆节、中秋节', 0, 'seed'),
    ('2025-10-11', 'workday', '国庆节、中秋节调休上班', 0, 'seed');
-- 2026: 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）
INSERT INTO calendar_days (day, kind, name, updated_at, updated_by) VALUES
    ('2026-01-01', 'holiday', '元旦', 0, 'seed'),
    ('2026-01-02', 'holiday', '元旦', 0, 'seed'),
    ('2026-01-03', 'holiday', '元旦', 0, 'seed'),
    ('2026-01-04', 'workday', '元旦调休上班', 0, 'seed'),
    ('2026-02-14', 'workday', '春节调休上班', 0, 'seed'),
    ('2026-02-15', 'holiday', '春节', 0, 'seed'),
    ('2026-02-16', 'holiday', '春节', 0, 'seed'),
    ('2026-02-17', 'holiday', '春节', 0, 'seed'),
    ('2026-02-18', 'holiday', '春节', 0, 'seed'),
    ('2026-02-19', 'holiday', '春节', 0, 'seed'),
    ('2026-02-20', 'holiday', '春节', 0, 'seed'),
    ('2026-02-21', 'holiday', '春节', 0, 'seed'),
    ('2026-02-22', 'holiday', '春节', 0, 'seed'),
    ('2026-02-23', 'holiday', '春节', 0, 'seed'),
    ('2026-02-28', 'workday', '春节调休上班', 0, 'seed'),
    ('2026-04-04', 'holiday', '清明节', 0, 'seed'),
    ('2026-04-05', 'holiday', '清明节', 0, 'seed'),
    ('2026-04-06', 'holiday', '清明节', 0, 'seed'),
    ('2026-05-01', 'holiday', '劳动节', 0, 'seed'),
    ('2026-05-02', 'holiday', '劳动节', 0, 'seed'),
    ('2026-05-03', 'holiday', '劳动节', 0, 'seed'),
    ('2026-05-04', 'holiday', '劳动节', 0, 'seed'),
    ('2026-05-05', 'holiday', '劳动节', 0, 'seed'),
    ('2026-05-09', 'workday', '劳动节调休上班', 0, 'seed'),
    ('2026-06-19', 'holiday', '端午节', 0, 'seed'),
    ('2026-06-20', 'holiday', '端午节', 0, 'seed'),
    ('2026-06-21', 'holiday', '端午节', 0, 'seed'),
    ('2026-09-20', 'workday', '国庆节调休上班', 0, 'seed'),
    ('2026-09-25', 'holiday', '中秋节', 0, 'seed'),
    ('2026-09-26', 'holiday', '中秋节', 0, 'seed'),
    ('2026-09-27', 'holiday', '中秋节', 0, 'seed'),
    ('2026-10-01', 'holiday', '国庆节', 0, 'seed'),
    ('2026-10-02', 'holiday', '国庆节', 0, 'seed'),
    ('2026-10-03', 'holiday', '国庆节', 0, 'seed'),
    ('2026-10-04', 'holiday', '国庆节', 0, 'seed'),
    ('2026-10-05', 'holiday', '国庆节', 0, 'seed'),
    ('2026-10-06', 'holiday', '国庆节', 0, 'seed'),
    ('2026-10-07', 'holiday', '国庆节', 0, 'seed'),
    ('2026-10-10', 'workday', '国庆节调休上班', 0, 'seed');
-- 2027: PROVISIONAL. The State Council had not published its 2027 notice in the
-- sources used; these rows are the statutory holidays of 《全国年节及纪念日放假办法》
-- (2024 revision) on their 2027 dates, a statutory day on a weekend given in lieu on the
-- next weekday (补假), and no make-up working days. Replace them with the notice's days
-- (civgrid calendar set/unset, docs/operations.md) when it is published.
INSERT INTO calendar_days (day, kind, name, updated_at, updated_by) VALUES
    ('2027-01-01', 'holiday', '元旦', 0, 'seed-provisional'),
    ('2027-02-05', 'holiday', '春节', 0, 'seed-provisional'),
    ('2027-02-06', 'holiday', '春节', 0, 'seed-provisional'),
    ('2027-02-07', 'holiday', '春节', 0, 'seed-provisional'),
    ('2027-02-08', 'holiday', '春节', 0, 'seed-provisional'),
    ('2027-02-09', 'holiday', '春节补假', 0, 'seed-provisional'),
    ('2027-02-10', 'holiday', '春节补假', 0, 'seed-provisional'),
    ('2027-04-05', 'holiday', '清明节', 0, 'seed-provisional'),
    ('2027-05-01', 'holiday', '劳动节', 0, 'seed-provisional'),
    ('2027-05-02', 'holiday', '劳动节', 0, 'seed-provisional'),
    ('2027-05-03', 'holiday', '劳动节补假', 0, 'seed-provisional'),
    ('2027-05-04', 'holiday', '劳动节补假', 0, 'seed-provisional'),
    ('2027-06-09', 'holiday', '端午节', 0, 'seed-provisional'),
    ('2027-09-15', 'holiday', '中秋节', 0, 'seed-provisional'),
    ('2027-10-01', 'holiday', '国庆节', 0, 'seed-provisional'),
    ('2027-10-02', 'holiday', '国庆节', 0, 'seed-provisional'),
    ('2027-10-03', 'holiday', '国庆节', 0, 'seed-provisional'),
    ('2027-10-04', 'holiday', '国庆节补假', 0, 'seed-provisional'),
    ('2027-10-05', 'holiday', '国庆节补假', 0, 'seed-provisional');

-- Notifications waiting for the webhook, and those delivered in the last 7
-- days (lib/outbox.c deletes older ones). uid is the idempotency id the
-- receiver gets; once_key makes "one overdue notification per card" a
-- unique constraint. A process claims a due row by moving next_at past now
-- and taking the lease (owner, lease_until) in one conditional UPDATE, like
-- sched_jobs; a row whose lease ran out (its process died mid-delivery) is
-- due again.
CREATE TABLE outbox (
    id {{id}},
    uid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    once_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    owner TEXT,
    lease_until BIGINT,
    last_attempt_at BIGINT,
    last_status INTEGER,
    last_error TEXT,
    delivered_at BIGINT
);
CREATE INDEX outbox_due ON outbox(delivered_at, next_at);

-- Supervision cards (lib/cards.c): one row per card a case was given, so
-- that each card is given once (the unique key) and its timeline entry and
-- overdue notification with it. stage: accept (not accepted in time) or
-- finish (not closed in time); colour: yellow or red. cases.card holds the
-- highest colour given, for lists and the UI.
CREATE TABLE case_cards (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    stage TEXT NOT NULL CHECK (stage IN ('accept', 'finish')),
    colour TEXT NOT NULL CHECK (colour IN ('yellow', 'red')),
    threshold_days INTEGER NOT NULL,
    due_at BIGINT NOT NULL,
    given_at BIGINT NOT NULL,
    UNIQUE (case_id, stage, colour)
);
-- The open cases by filing time: the cards' tick reads only these (a partial
-- index, on SQLite and PostgreSQL alike), not the million closed ones.
CREATE INDEX cases_open_created ON cases(created_at, id) WHERE state <> 'closed';
