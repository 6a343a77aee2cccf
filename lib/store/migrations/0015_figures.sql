-- The home page's figures (lib/figures.c): the history of the last seven days
-- found by time before its scope is checked. (Residents are counted from
-- residents_figures, 0014.)
CREATE INDEX resident_history_at ON resident_history(at, field);
