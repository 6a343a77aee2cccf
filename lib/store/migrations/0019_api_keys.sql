-- Open311 (issue 10, docs/open311.md): the API keys that file service
-- requests. A key is shown once when it is made and stored only as a keyed
-- hash (lib/apikey.c); it names the area its requests are filed in. Revoked
-- keys stay, so that the cases they filed still say which key filed them.
-- window_start and window_count count the key's requests in the current
-- minute, in one atomic UPDATE, so that parallel requests cannot lose counts.
CREATE TABLE api_keys (
    id {{id}},
    name TEXT {{bytes}} NOT NULL UNIQUE,
    key_hash TEXT {{bytes}} NOT NULL UNIQUE,
    area_id BIGINT NOT NULL REFERENCES areas(id),
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT,
    window_start BIGINT NOT NULL DEFAULT 0,
    window_count INTEGER NOT NULL DEFAULT 0
);

-- The service requests filed through Open311: which key filed each case
-- and what the client sent that a case has no column for. Open311's public
-- lists read only these cases (GET requests by filing time; updates by the
-- time of their timeline entries). email is the resident's and is never
-- answered.
CREATE TABLE open311_requests (
    case_id BIGINT NOT NULL PRIMARY KEY REFERENCES cases(id),
    api_key_id BIGINT NOT NULL REFERENCES api_keys(id),
    created_at BIGINT NOT NULL,
    media_url TEXT,
    email TEXT
);
CREATE INDEX open311_requests_created ON open311_requests(created_at, case_id);
CREATE INDEX case_events_at ON case_events(at, case_id);
