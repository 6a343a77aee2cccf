-- How far the audit table has taken each of the server's two read log files
-- (lib/readlog.c): advanced in the same transaction that copies the records,
-- so that each is copied exactly once, even after a crash.
CREATE TABLE readlog_moved (file INTEGER PRIMARY KEY, upto BIGINT NOT NULL);
INSERT INTO readlog_moved (file, upto) VALUES (0, 0);
INSERT INTO readlog_moved (file, upto) VALUES (1, 0);
