-- Accounts: the jurisdiction tree (minimal; the registry extends it), users
-- with a role and a scope, sessions, and the audit trail.

-- path lists the ids from the root, '/1/5/23/': a node's subtree is every
-- row whose path starts with its own, so scope checks need no recursion.
CREATE TABLE areas (
    id {{id}},
    parent_id BIGINT REFERENCES areas(id),
    level TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    path TEXT {{bytes}} NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created_at BIGINT NOT NULL
);
CREATE INDEX areas_parent ON areas(parent_id);
CREATE INDEX areas_path ON areas(path);

CREATE TABLE users (
    id {{id}},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    area_id BIGINT NOT NULL REFERENCES areas(id),
    status TEXT NOT NULL DEFAULT 'active',
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX users_area ON users(area_id);

-- Only a hash of each token is kept: a copy of the database signs nobody in.
CREATE TABLE sessions (
    id {{id}},
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    client_ip TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE audit (
    id {{id}},
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    client_ip TEXT,
    action TEXT NOT NULL,
    object_type TEXT,
    object_id TEXT,
    outcome TEXT NOT NULL,
    area_path TEXT {{bytes}},
    detail TEXT
);
CREATE INDEX audit_at ON audit(at);
CREATE INDEX audit_actor ON audit(actor, at);
CREATE INDEX audit_action ON audit(action, at);
