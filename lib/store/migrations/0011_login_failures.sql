-- Failed sign-ins counted per name tried, whether or not an account has that
-- name: an unknown name then slows down and locks exactly like a known one,
-- so the answers never tell which names exist. One row a name, counted with
-- one atomic upsert (lib/session.c), so parallel guesses cannot lose counts.
-- users.failed_logins and users.locked_until (0002) are no longer used.
CREATE TABLE login_failures (
    username TEXT {{bytes}} NOT NULL PRIMARY KEY,
    failed INTEGER NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_at BIGINT NOT NULL
);
CREATE INDEX login_failures_last ON login_failures(last_at);
