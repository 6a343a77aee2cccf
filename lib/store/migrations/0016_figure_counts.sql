-- The figure counts (lib/counts.c, docs/internals.md "Figure counts"): for
-- every area node, what its own residents, ledger entries and staff add up to
-- (own) and what its whole subtree adds up to (n), so that the figures of a
-- city are a few rows instead of a pass over its million residents. Kept
-- current in the transaction of every write (the store's commit hook), rebuilt
-- from scratch by `civgrid figures rebuild`.
--
-- what:      residents | floating | households | added | ledger:<ledger id> |
--            staff:<position> | buildings | grids (active ones)
-- until_day: '' for a count that does not end; the end date (YYYY-MM-DD) of
--            the ledger entries or assignments counted; for added, the local
--            day of creation as days since 1970-01-01 (Asia/Shanghai).
CREATE TABLE figure_counts (
    area_id BIGINT NOT NULL REFERENCES areas(id),
    what TEXT {{bytes}} NOT NULL,
    until_day TEXT {{bytes}} NOT NULL,
    own BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (area_id, what, until_day)
);

-- The counts of what is there today; the same statement as cg_counts_rebuild
-- (lib/counts.c): each area's own counts, added to itself and every node above.
INSERT INTO figure_counts (area_id, what, until_day, own, n)
WITH RECURSIVE up(id, anc) AS (
    SELECT id, id FROM areas
    UNION ALL
    SELECT up.id, a.parent_id FROM up JOIN areas a ON a.id = up.anc WHERE a.parent_id IS NOT NULL AND a.parent_id <> 0
)
SELECT up.anc, o.what, o.until_day, SUM(CASE WHEN o.area_id = up.anc THEN o.own ELSE 0 END), SUM(o.own)
FROM (
    SELECT area_id, 'residents' AS what, '' AS until_day, COUNT(*) AS own FROM residents
    WHERE status = 'active' GROUP BY area_id
    UNION ALL
    SELECT area_id, 'floating', '', COUNT(*) FROM residents
    WHERE status = 'active' AND resident_type = 'floating' GROUP BY area_id
    UNION ALL
    SELECT area_id, 'households', '', COUNT(DISTINCT household) FROM residents
    WHERE status = 'active' AND household IS NOT NULL GROUP BY area_id
    UNION ALL
    SELECT area_id, 'added', CAST((created_at + 28800) / 86400 AS TEXT), COUNT(*) FROM residents
    GROUP BY area_id, CAST((created_at + 28800) / 86400 AS TEXT)
    UNION ALL
    SELECT r.area_id, 'ledger:' || CAST(e.ledger_id AS TEXT), COALESCE(e.end_date, ''), COUNT(*)
    FROM residents r JOIN ledger_entries e ON e.resident_id = r.id
    WHERE r.status = 'active' GROUP BY r.area_id, e.ledger_id, e.end_date
    UNION ALL
    SELECT area_id, 'staff:' || position, COALESCE(end_date, ''), COUNT(*) FROM staff_assignments
    GROUP BY area_id, position, end_date
    UNION ALL
    SELECT id, level || 's', '', COUNT(*) FROM areas
    WHERE status = 'active' AND level IN ('building', 'grid') GROUP BY id, level
) o JOIN up ON up.id = o.area_id
GROUP BY up.anc, o.what, o.until_day;
