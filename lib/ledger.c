#include "civgrid/ledger.h"

#include <string.h>
#include <time.h>

#include "civgrid/area.h"
#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/counts.h"
#include "civgrid/error.h"
#include "civgrid/scope.h"
#include "civgrid/text.h"

/* The subtree to count in: area_code's (in scope), or the actor's own. */
static int subtree(cg_store *s, const struct cg_actor *actor, const char *area_code, cg_arena *a,
                   struct cg_area *out)
{
    if (!cg_actor_can(actor, CG_PERM_PEOPLE_READ))
        return CG_EFORBIDDEN;
    return cg_area_get(s, actor, area_code && *area_code ? area_code : actor->area_code, a, out);
}

/* The ledgers' notes (cg_ledger_names leaves them out). */
static int read_notes(cg_store *s, struct cg_ledger *items, size_t n, cg_arena *a)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT id, note FROM ledgers", "");
    if (rc)
        return rc;
    while ((rc = cg_stmt_step(st)) == CG_ROW)
        for (size_t i = 0; i < n; i++)
            if (items[i].id == cg_stmt_int(st, 0) && cg_stmt_text(st, 1) &&
                !(items[i].note = cg_arena_strdup(a, cg_stmt_text(st, 1))))
                rc = CG_ENOMEM;
    cg_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

int cg_ledger_list(cg_store *s, const struct cg_actor *actor, const char *area_code, cg_arena *a,
                   struct cg_ledger **items, size_t *n)
{
    struct cg_area area;
    struct cg_ledger *out = NULL;
    size_t count = 0;
    *items = NULL;
    *n = 0;
    int rc = subtree(s, actor, area_code, a, &area);
    if (!rc)
        rc = cg_ledger_names(s, a, &out, &count);
    if (!rc && !count)
        return 0;
    if (!rc && (rc = read_notes(s, out, count, a)))
        return rc;
    int64_t *ids = rc ? NULL : cg_arena_alloc(a, count * sizeof *ids);
    if (!rc && !ids)
        rc = CG_ENOMEM;
    if (rc)
        return rc;
    /* Every ledger, however many there are: none is cut off the list. The
     * counts are the subtree's figure counts (counts.h). */
    for (size_t i = 0; i < count; i++)
        ids[i] = out[i].id;
    struct cg_counts_want want = {cg_now(), 0, ids, count};
    struct cg_counts c;
    if ((rc = cg_counts_get(s, &want, area.path, NULL, 0, a, &c, NULL)))
        return rc;
    for (size_t i = 0; i < count; i++)
        out[i].count = c.ledger[i];
    *items = out;
    *n = count;
    return 0;
}

int cg_ledger_names(cg_store *s, cg_arena *a, struct cg_ledger **items, size_t *n)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT id, name, zh, en FROM ledgers ORDER BY id", "");
    if (rc)
        return rc;
    struct cg_ledger *out = NULL;
    size_t count = 0, cap = 0;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        if (!(out = cg_arena_grow(a, out, sizeof *out, count, &cap))) {
            rc = CG_ENOMEM;
            break;
        }
        struct cg_ledger *l = &out[count++];
        *l = (struct cg_ledger){cg_stmt_int(st, 0),
                                cg_arena_strdup(a, cg_stmt_text(st, 1)),
                                cg_arena_strdup(a, cg_stmt_text(st, 2)),
                                cg_arena_strdup(a, cg_stmt_text(st, 3)),
                                NULL,
                                0};
    }
    cg_stmt_reset(st);
    if (rc < 0)
        return rc;
    *items = out;
    *n = count;
    return 0;
}

static int ledger_id(cg_store *s, const char *name, int64_t *id)
{
    return cg_store_lookup_id(s, "SELECT id FROM ledgers WHERE name = ?", name, id);
}

int cg_ledger_counts(cg_store *s, const struct cg_actor *actor, const char *ledger,
                     const char *area_code, cg_arena *a, struct cg_ledger_count **items, size_t *n)
{
    struct cg_area area;
    int64_t lid = 0;
    *items = NULL;
    *n = 0;
    int rc = subtree(s, actor, area_code, a, &area);
    if (!rc && (rc = ledger_id(s, ledger, &lid)) == CG_ENOTFOUND)
        return CG_ENOTFOUND;
    if (rc)
        return rc;
    cg_stmt *st = NULL;
    rc = cg_store_query(s, &st,
                        "SELECT id, code, name, level FROM areas WHERE parent_id = ? ORDER BY code",
                        "i", area.id);
    if (rc)
        return rc;
    size_t cap = 0, icap = 0, count = 0;
    struct cg_ledger_count *out = NULL;
    int64_t *ids = NULL;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        if (!(out = cg_arena_grow(a, out, sizeof *out, count, &cap)) ||
            !(ids = cg_arena_grow(a, ids, sizeof *ids, count, &icap))) {
            rc = CG_ENOMEM;
            break;
        }
        ids[count] = cg_stmt_int(st, 0);
        struct cg_ledger_count *c = &out[count++];
        c->area_code = cg_arena_strdup(a, cg_stmt_text(st, 1));
        c->area_name = cg_arena_strdup(a, cg_stmt_text(st, 2));
        c->area_level = cg_arena_strdup(a, cg_stmt_text(st, 3));
    }
    cg_stmt_reset(st);
    if (rc < 0)
        return rc;
    /* Each child's count is its subtree's figure count (counts.h). */
    struct cg_counts node, *kids = cg_arena_alloc(a, (count + 1) * sizeof *kids);
    struct cg_counts_want want = {cg_now(), 0, &lid, 1};
    if (!kids)
        return CG_ENOMEM;
    if ((rc = cg_counts_get(s, &want, area.path, ids, count, a, &node, kids)))
        return rc;
    for (size_t i = 0; i < count; i++)
        out[i].count = kids[i].ledger[0];
    *items = out;
    *n = count;
    return 0;
}

static int valid_date(const char *d)
{
    if (!d)
        return 1;
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
            return 0;
    int month = (d[5] - '0') * 10 + (d[6] - '0'), day = (d[8] - '0') * 10 + (d[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/* The resident's area path, if it is in the actor's scope. */
static int resident_path(cg_store *s, const struct cg_actor *actor, int64_t id, cg_arena *a,
                         const char **path)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT area_path FROM residents WHERE id = ?", "i", id);
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    if (rc == CG_ROW)
        *path = cg_arena_strdup(a, cg_stmt_text(st, 0));
    cg_stmt_reset(st);
    if (rc == CG_ROW)
        return cg_actor_in_scope(actor, *path) ? 0 : CG_ENOTFOUND;
    return rc ? rc : CG_ENOTFOUND;
}

int cg_ledger_write(cg_store *s, enum cg_ledger_mode mode, int64_t ledger_id, int64_t resident_id,
                    const char *start_date, const char *end_date, const char *note, int *changed)
{
    int64_t n = 0;
    int rc = 0;
    if (mode == CG_LEDGER_SET)
        rc = cg_store_run(s, &n,
                          "UPDATE ledger_entries SET start_date = ?, end_date = ?, note = ?"
                          " WHERE ledger_id = ? AND resident_id = ?",
                          "sssii", start_date, end_date, note, ledger_id, resident_id);
    if (rc || n)
        goto out;
    if (mode == CG_LEDGER_ADD)
        rc = cg_store_run(s, &n,
                          "INSERT INTO ledger_entries (ledger_id, resident_id, created_at)"
                          " SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM ledger_entries"
                          " WHERE ledger_id = ? AND resident_id = ?)",
                          "iiiii", ledger_id, resident_id, cg_now(), ledger_id, resident_id);
    else
        rc = cg_store_run(s, &n,
                          "INSERT INTO ledger_entries (ledger_id, resident_id, start_date,"
                          " end_date, note, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                          "iisssi", ledger_id, resident_id, start_date, end_date, note, cg_now());
out:
    if (!rc && n && changed)
        *changed = 1;
    return rc;
}

struct ledger_change {
    int64_t ledger_id, resident_id;
    const char *start, *end, *note;
    int remove;
};

static int write_change(cg_store *s, void *ctx)
{
    const struct ledger_change *w = ctx;
    int64_t n = 0;
    int rc = cg_counts_touch_resident(s, w->resident_id);
    if (rc)
        return rc;
    if (!w->remove)
        return cg_ledger_write(s, CG_LEDGER_SET, w->ledger_id, w->resident_id, w->start, w->end,
                               w->note, NULL);
    rc = cg_store_run(s, &n, "DELETE FROM ledger_entries WHERE ledger_id = ? AND resident_id = ?",
                      "ii", w->ledger_id, w->resident_id);
    return rc ? rc : (n ? 0 : CG_ENOTFOUND);
}

static int change(cg_store *s, const struct cg_actor *actor, const char *ledger,
                  int64_t resident_id, const char *start, const char *end, const char *note,
                  int remove, struct cg_field_error *fe)
{
    cg_arena *a = cg_arena_new();
    const char *path = NULL;
    int64_t lid = 0;
    struct cg_audit_record rec = {
        remove ? "ledger.untag" : "ledger.tag", "resident", NULL, NULL, 0, ledger};
    int rc = a ? 0 : CG_ENOMEM;
    if (!rc && !cg_actor_can(actor, CG_PERM_PEOPLE_WRITE))
        rc = CG_EFORBIDDEN;
    if (!rc)
        rc = resident_path(s, actor, resident_id, a, &path);
    if (!rc && (rc = ledger_id(s, ledger, &lid)) == CG_ENOTFOUND)
        rc = cg_field_why(cg_field_fail(fe, CG_EBADTYPE, "ledger", "no ledger named '%s'", ledger),
                          fe, CG_R_UNKNOWN_LEDGER, ledger);
    if (!rc && (!valid_date(start) || !valid_date(end)))
        rc = cg_field_why(cg_field_fail(fe, CG_EBADTYPE,
                                        valid_date(start) ? "end_date" : "start_date",
                                        "dates are YYYY-MM-DD"),
                          fe, CG_R_BAD_DATE, valid_date(start) ? end : start);
    if (!rc && start && end && strcmp(end, start) < 0)
        rc = cg_field_why(
            cg_field_fail(fe, CG_EBADTYPE, "end_date", "the end date is before the start date"), fe,
            CG_R_END_BEFORE_START, end);
    if (!rc)
        rc = cg_text_check(note, "note", "a note", 500, 0, a, &note, fe);
    rec.object_id = a ? cg_arena_printf(a, "%lld", (long long)resident_id) : NULL;
    rec.area_path = path;
    struct ledger_change w = {lid, resident_id, start, end, note, remove};
    rc = cg_audit_change(s, actor, &rec, rc, write_change, &w);
    cg_arena_free(a);
    return rc;
}

int cg_ledger_tag(cg_store *s, const struct cg_actor *actor, const char *ledger,
                  int64_t resident_id, const char *start_date, const char *end_date,
                  const char *note, struct cg_field_error *fe)
{
    return change(s, actor, ledger, resident_id, start_date, end_date, note, 0, fe);
}

int cg_ledger_untag(cg_store *s, const struct cg_actor *actor, const char *ledger,
                    int64_t resident_id)
{
    return change(s, actor, ledger, resident_id, NULL, NULL, NULL, 1, NULL);
}
