-- Policy profiles (lib/policy.c). The built-ins are compiled into the
-- binary and never stored; this table holds the copies a deployment edited,
-- as the text it saved (comments kept), validated when saved.
CREATE TABLE policies (
    name TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    saved_by TEXT NOT NULL
);

-- The profile in force: one row at most (id is always 1). No row means the
-- default, CG_POLICY_DEFAULT (nhc-20). The name is a built-in's or a row of
-- policies; copies are never deleted, so it cannot dangle.
CREATE TABLE policy_active (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    since BIGINT NOT NULL,
    set_by TEXT NOT NULL
);
