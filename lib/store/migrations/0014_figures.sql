-- Indexes that hold every column an area's figures count (lib/figures.c), so
-- that the counts of a city read only index entries in its path range, never
-- the rows of its tens of thousands of residents, areas and assignments.
CREATE INDEX residents_figures ON residents(area_path, status, resident_type, area_id, household);
CREATE INDEX areas_figures ON areas(path, status, level, id);
CREATE INDEX staff_figures ON staff_assignments(area_id, end_date, position);
