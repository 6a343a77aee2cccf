-- The home page's figures (lib/figures.c): counts of a subtree's residents
-- grouped by area path, read from the index alone (the id rides along for the
-- join with ledger entries, which PostgreSQL's index-only scan needs; SQLite
-- keeps the rowid in every index), and the last seven days' additions and
-- changes, found by time before their scope is checked.
CREATE INDEX residents_figures ON residents(area_path, status, resident_type, id);
CREATE INDEX residents_created ON residents(created_at, area_path);
CREATE INDEX resident_history_at ON resident_history(at, field);
