/* civgrid error codes.
 *
 * Every libcivgrid function that can fail returns int: 0 on success or one of
 * the negative CG_E* codes below (libuv's convention). Results come back
 * through out-parameters. Each code has a stable machine-readable name
 * (cg_err_name) that the HTTP API puts in {"error": ...}, a human message
 * (cg_strerror), and one HTTP status (cg_err_http_status).
 */
#ifndef CIVGRID_ERROR_H
#define CIVGRID_ERROR_H

/* X(NAME, value, "snake_case_name", http_status, "message") */
#define CG_ERRNO_MAP(X)                                                                            \
    X(NOMEM, -1, "out_of_memory", 500, "out of memory")                                            \
    X(INVAL, -2, "invalid_argument", 400, "invalid argument")                                      \
    X(NOTFOUND, -3, "not_found", 404, "not found")                                                 \
    X(EXISTS, -4, "already_exists", 409, "already exists")                                         \
    X(TOOBIG, -5, "too_large", 413, "too large")                                                   \
    X(BUSY, -6, "database_busy", 503, "database busy, try again")                                  \
    X(DB, -7, "database_error", 500, "database error")                                             \
    X(SCHEMA_NEWER, -8, "schema_newer", 500,                                                       \
      "database schema is newer than this binary; upgrade civgrid")                                \
    X(IO, -9, "io_error", 500, "input/output error")                                               \
    X(BADJSON, -10, "malformed_json", 400, "request body is not valid JSON")                       \
    X(BADTYPE, -11, "invalid_field", 400, "a field has the wrong type or value")                   \
    X(MISSING, -12, "missing_field", 400, "a required field is missing")                           \
    X(METHOD, -13, "method_not_allowed", 405, "method not allowed")                                \
    X(UNAUTH, -14, "unauthenticated", 401, "authentication required")                              \
    X(FORBIDDEN, -15, "forbidden", 403, "not allowed for this user")                               \
    X(CONFLICT, -16, "conflict", 409, "conflicts with the current state")                          \
    X(LOCKED, -17, "account_locked", 429, "too many failed logins; try again later")               \
    X(BADCRED, -18, "invalid_credentials", 401, "wrong username or password")                      \
    X(DISABLED, -19, "account_disabled", 403, "account disabled")                                  \
    X(EXPIRED, -20, "session_expired", 401, "session expired or revoked")                          \
    X(CSRF, -21, "csrf_failed", 403, "missing or wrong CSRF token")                                \
    X(UNSUPPORTED, -22, "unsupported", 400, "not supported")                                       \
    X(RANGE, -23, "out_of_range", 400, "value out of range")                                       \
    X(CONFIG, -24, "bad_config", 400, "bad configuration")                                         \
    X(INTERNAL, -25, "internal_error", 500, "internal error")                                      \
    X(INVALID_ROWS, -26, "invalid_rows", 422, "rows of the file are invalid; nothing was written") \
    X(WEAKPASS, -27, "weak_password", 400, "the password is too weak")                             \
    X(MEDIATYPE, -28, "unsupported_media_type", 415,                                               \
      "the request body has the wrong Content-Type")                                               \
    X(URILONG, -29, "uri_too_long", 414, "the request line is too long")                           \
    X(HEADERSBIG, -30, "headers_too_large", 431, "the request headers are too large")              \
    X(RATE_LIMITED, -31, "rate_limited", 429, "too many requests of this kind; try again later")   \
    X(EXPORT_TOO_LARGE, -32, "export_too_large", 413,                                              \
      "too many rows for one export with full numbers; narrow the list")                           \
    X(EXPORT_QUOTA, -33, "export_quota_exceeded", 429,                                             \
      "the rows a user may export with full numbers in 24 hours are used up")                      \
    X(CASE_STATE, -34, "case_action_not_allowed", 409,                                             \
      "this action is not allowed in the case's current state")                                    \
    X(CASE_HOLDER, -35, "case_not_holder", 403,                                                    \
      "only the unit that holds the case (or verifies it, or filed it) may do this")               \
    X(CASE_VERSION, -36, "case_version_conflict", 409,                                             \
      "the case was changed by someone else meanwhile; reload it and try again")                   \
    X(CASE_REOPEN, -37, "case_reopen_expired", 409, "the time to reopen this case has passed")     \
    X(BADIMAGE, -38, "unsupported_image", 415, "the file is not a JPEG, PNG or WebP image")        \
    X(CASE_RULE, -39, "case_rule", 409, "the case's rules do not allow this action here")          \
    X(APIKEY, -43, "api_key_invalid", 403,                                                         \
      "a valid api_key is needed (missing, unknown or revoked)")                                   \
    X(NOSERVICE, -44, "unknown_service", 404, "no such service_code")                              \
    X(FORMAT, -45, "unknown_format", 404, "no such format: use .xml or .json")

enum cg_errno {
#define CG__ERR_ENUM(name, val, str, status, msg) CG_E##name = (val),
    CG_ERRNO_MAP(CG__ERR_ENUM)
#undef CG__ERR_ENUM
};

/* Human-readable English message for an error code; never NULL. */
const char *cg_strerror(int err);

/* Stable snake_case name for the API ("not_found"); never NULL. */
const char *cg_err_name(int err);

/* The HTTP status the API answers this error with (500 for unknown codes). */
int cg_err_http_status(int err);

#endif
