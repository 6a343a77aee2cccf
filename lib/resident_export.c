/* Exports of residents with full ID numbers or phones: a purpose, a cap per
 * file and a cap per user in any 24 hours. A file of people leaves the
 * system for good; these rules make a bulk copy of a jurisdiction's
 * identities a deliberate, bounded and explained act instead of one click. */
#include <stdatomic.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/text.h"
#include "civgrid/utf8.h"
#include "resident_int.h"

#define DAY 86400

static _Atomic int max_rows = CG_RESIDENT_EXPORT_MAX_ROWS_DEFAULT;
static _Atomic int day_rows = CG_RESIDENT_EXPORT_DAY_ROWS_DEFAULT;

void cg_resident_set_export_caps(int per_request, int per_day)
{
    max_rows = per_request > 0 ? per_request : 1;
    day_rows = per_day > 0 ? per_day : 1;
}

void cg_resident_export_caps(int *per_request, int *per_day)
{
    *per_request = max_rows;
    *per_day = day_rows;
}

int cg__resident_export_max_rows(void)
{
    return max_rows;
}

int cg__resident_check_purpose(const char *purpose, cg_arena *a, const char **out,
                               struct cg_field_error *fe)
{
    /* Four bytes a character at most: the byte limit never refuses what
     * the character count allows. */
    int rc =
        cg_text_check(purpose, "purpose", "purpose", CG_RESIDENT_PURPOSE_MAX * 4, 1, a, out, fe);
    if (rc)
        return rc;
    size_t n = cg_utf8_count(*out);
    if (n < CG_RESIDENT_PURPOSE_MIN || n > CG_RESIDENT_PURPOSE_MAX)
        return cg_field_bounds(
            cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "purpose",
                                       "purpose must be %d to %d characters",
                                       CG_RESIDENT_PURPOSE_MIN, CG_RESIDENT_PURPOSE_MAX),
                         fe, CG_R_LENGTH, NULL),
            fe, CG_RESIDENT_PURPOSE_MIN, CG_RESIDENT_PURPOSE_MAX);
    return 0;
}

/* Rows the user exported in the window ending at now, and when the oldest
 * of those exports leaves it. */
static int exported_since(cg_store *s, int64_t user_id, int64_t now, int64_t *rows, int64_t *oldest)
{
    cg_stmt *st = NULL;
    *rows = *oldest = 0;
    int rc = cg_store_query(s, &st,
                            "SELECT COALESCE(SUM(exported), 0), COALESCE(MIN(at), 0)"
                            " FROM unmasked_exports WHERE user_id = ? AND at > ?",
                            "ii", user_id, now - DAY);
    if (!rc && !(rc = cg_stmt_one(st))) {
        *rows = cg_stmt_int(st, 0);
        *oldest = cg_stmt_int(st, 1);
    }
    if (st)
        cg_stmt_reset(st);
    return rc;
}

int cg_resident_export_wait(cg_store *s, const struct cg_actor *actor, int64_t *seconds)
{
    int64_t now = cg_now(), rows = 0, oldest = 0;
    *seconds = 0;
    if (!actor || !actor->user_id)
        return 0;
    int rc = exported_since(s, actor->user_id, now, &rows, &oldest);
    if (!rc && rows && oldest) {
        *seconds = oldest + DAY - now;
        if (*seconds < 1)
            *seconds = 1;
    }
    return rc;
}

/* Inside the reservation's transaction: the sum and the insert. The user's
 * row is locked first on PostgreSQL, so that two exports of one user take
 * turns and cannot both fit into the same remainder (SQLite's BEGIN
 * IMMEDIATE already serialises them). */
static int reserve(cg_store *s, const struct cg_actor *actor, int64_t n, int64_t now,
                   struct cg_field_error *fe)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT id FROM users WHERE id = ?" CG_FOR_UPDATE, "i",
                            actor->user_id);
    if (!rc) {
        rc = cg_stmt_one(st);
        cg_stmt_reset(st);
    }
    int64_t rows = 0, oldest = 0;
    if (!rc)
        rc = exported_since(s, actor->user_id, now, &rows, &oldest);
    if (!rc && rows + n > day_rows)
        return cg_field_fail(fe, CG_EEXPORT_QUOTA, "",
                             "%lld of %d rows with full numbers exported in the last 24 hours; "
                             "this export has %lld",
                             (long long)rows, (int)day_rows, (long long)n);
    if (!rc)
        rc = cg_store_run(s, NULL,
                          "INSERT INTO unmasked_exports (user_id, at, exported) VALUES (?, ?, ?)",
                          "iii", actor->user_id, now, n);
    if (!rc)
        rc = cg_store_run(s, NULL, "DELETE FROM unmasked_exports WHERE user_id = ? AND at < ?",
                          "ii", actor->user_id, now - 2 * DAY);
    return rc;
}

int cg__resident_export_reserve(cg_store *s, const struct cg_actor *actor, size_t n,
                                struct cg_field_error *fe)
{
    if (!actor || !actor->user_id || !n)
        return 0;
    int rc = cg_store_begin(s);
    if (rc)
        return rc;
    rc = reserve(s, actor, (int64_t)n, cg_now(), fe);
    if (!rc)
        return cg_store_commit(s);
    cg_store_rollback(s);
    return rc;
}
