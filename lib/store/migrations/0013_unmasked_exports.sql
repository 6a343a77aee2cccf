-- Rows each user exported with full ID numbers or phones, for the cap per
-- user in any 24 hours (lib/resident_export.c). The audit trail says who
-- exported what and why; this table only counts, so that the cap is one
-- indexed sum and not a parse of audit details. Rows older than two days are
-- deleted as new ones come.
CREATE TABLE unmasked_exports (
    id {{id}},
    user_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    exported BIGINT NOT NULL
);
CREATE INDEX unmasked_exports_user ON unmasked_exports(user_id, at);
