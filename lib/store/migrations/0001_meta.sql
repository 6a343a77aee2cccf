-- Deployment facts: its random id (tokens of another deployment are refused)
-- and when it was created.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
