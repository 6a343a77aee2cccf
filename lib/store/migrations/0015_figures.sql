-- The home page's figures (lib/figures.c): a subtree's residents counted by
-- area path, status and type, and the week's additions, from this index
-- alone (the id rides along for the join with ledger entries, which
-- PostgreSQL's index-only scan needs; SQLite keeps the rowid in every
-- index); and the history of the last seven days found by time before its
-- scope is checked.
CREATE INDEX residents_figures ON residents(area_path, status, resident_type, created_at, id);
CREATE INDEX resident_history_at ON resident_history(at, field);
