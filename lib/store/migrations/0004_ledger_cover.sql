-- A page of search results shows each resident's ledgers: with the end date
-- and the ledger in the index, that lookup reads no ledger_entries row (50
-- random row reads per page of results before).
DROP INDEX ledger_entries_resident;
CREATE INDEX ledger_entries_resident ON ledger_entries(resident_id, end_date, ledger_id);
