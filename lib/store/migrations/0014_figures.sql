-- Indexes that hold every column an area's figures count (lib/area_figures.c
-- for cards, lib/figures.c for homes), so that the counts of a city read only
-- index entries in its path range, never the rows of its tens of thousands of
-- residents, areas and assignments. The residents' index serves both: cards
-- count households and places, homes count types and the week's additions
-- (the id rides along for the join with ledger entries, which PostgreSQL's
-- index-only scan needs; SQLite keeps the rowid in every index).
CREATE INDEX residents_figures ON residents(area_path, status, resident_type, created_at, area_id, household, id);
CREATE INDEX areas_figures ON areas(path, status, level, id);
CREATE INDEX staff_figures ON staff_assignments(area_id, end_date, position);
