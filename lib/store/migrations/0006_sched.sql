-- The scheduler's cluster jobs (lib/sched.c): one row per job, shared by
-- every process on the database. A process claims a due run by advancing
-- next_due and taking the lease in one conditional UPDATE; only the process
-- whose UPDATE changed the row runs it. The last run's outcome stays here for
-- operators (civgrid tick --list, GET /api/v1/system/jobs).
CREATE TABLE sched_jobs (
    name TEXT PRIMARY KEY,
    period_seconds BIGINT NOT NULL,
    next_due BIGINT NOT NULL,
    owner TEXT,
    lease_until BIGINT,
    last_run BIGINT,
    last_outcome TEXT,
    last_message TEXT,
    last_ms BIGINT,
    runs BIGINT NOT NULL DEFAULT 0,
    failures BIGINT NOT NULL DEFAULT 0
);
