/* The figures of a subtree (figures.h). Counts of residents and ledger
 * entries, for the node and each child, come from the figure counts
 * (counts.h): a few rows per area, however many people live there. The
 * week's moves out and corrections come from the history of the week, found
 * by time (index resident_history_at). */
#include <stdlib.h>
#include <string.h>

#include "civgrid/clock.h"
#include "civgrid/counts.h"
#include "civgrid/error.h"
#include "civgrid/figures.h"
#include "civgrid/scope.h"

static int read_ledgers(cg_store *s, cg_arena *a, struct cg_figures *f)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT id, name, zh, en FROM ledgers ORDER BY id", "");
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        if (!(f->ledgers = cg_arena_grow(a, f->ledgers, sizeof *f->ledgers, f->nledgers, &cap))) {
            rc = CG_ENOMEM;
            break;
        }
        struct cg_ledger *l = &f->ledgers[f->nledgers++];
        memset(l, 0, sizeof *l);
        l->id = cg_stmt_int(st, 0);
        l->name = cg_arena_strdup(a, cg_stmt_text(st, 1));
        l->zh = cg_arena_strdup(a, cg_stmt_text(st, 2));
        l->en = cg_arena_strdup(a, cg_stmt_text(st, 3));
    }
    cg_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

static int read_children(cg_store *s, cg_arena *a, struct cg_figures *f, int64_t **ids)
{
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(s, &st, "SELECT COUNT(*) FROM areas WHERE parent_id = ?", "i", f->area.id);
    if (!rc && !(rc = cg_stmt_one(st)))
        f->children_total = cg_stmt_int(st, 0);
    if (st)
        cg_stmt_reset(st);
    if (rc)
        return rc;
    rc = cg_store_query(s, &st,
                        "SELECT id, code, name, level FROM areas WHERE parent_id = ?"
                        " ORDER BY code LIMIT ?",
                        "ii", f->area.id, (int64_t)CG_AREA_CHILDREN_MAX);
    if (rc)
        return rc;
    size_t cap = 0, icap = 0;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        size_t i = f->nchildren;
        if (!(f->children = cg_arena_grow(a, f->children, sizeof *f->children, i, &cap)) ||
            !(*ids = cg_arena_grow(a, *ids, sizeof **ids, i, &icap))) {
            rc = CG_ENOMEM;
            break;
        }
        struct cg_figures_child *c = &f->children[i];
        (*ids)[i] = cg_stmt_int(st, 0);
        c->code = cg_arena_strdup(a, cg_stmt_text(st, 1));
        c->name = cg_arena_strdup(a, cg_stmt_text(st, 2));
        c->level = cg_arena_strdup(a, cg_stmt_text(st, 3));
        f->nchildren++;
    }
    cg_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

/* The node's and the children's counts, from the one counting module. */
static int read_counts(cg_store *s, cg_arena *a, struct cg_figures *f, const int64_t *ids,
                       int ledgers)
{
    int64_t *lids = cg_arena_alloc(a, (f->nledgers + 1) * sizeof *lids);
    struct cg_counts node, *kids = cg_arena_alloc(a, (f->nchildren + 1) * sizeof *kids);
    if (!lids || !kids)
        return CG_ENOMEM;
    for (size_t i = 0; i < f->nledgers; i++)
        lids[i] = f->ledgers[i].id;
    struct cg_counts_want want = {f->now, f->since, lids, ledgers ? f->nledgers : 0};
    int rc = cg_counts_get(s, &want, f->area.path, ids, f->nchildren, a, &node, kids);
    if (rc)
        return rc;
    f->counts = (struct cg_figures_counts){node.residents, node.floating, node.ledger};
    f->added = node.added;
    for (size_t i = 0; i < f->nchildren; i++)
        f->children[i].counts =
            (struct cg_figures_counts){kids[i].residents, kids[i].floating, kids[i].ledger};
    return 0;
}

static int count_one(cg_store *s, const char *sql, const struct cg_scope *sc, int64_t since,
                     int64_t *out)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, sql, "iss", since, sc->from, sc->to);
    if (!rc && !(rc = cg_stmt_one(st)))
        *out = cg_stmt_int(st, 0);
    if (st)
        cg_stmt_reset(st);
    return rc;
}

/* Below this many residents a subtree's history is read resident by
 * resident; above it, the week's history of everyone is read and its scope
 * checked row by row (see count_week). */
#define WEEK_BY_RESIDENT_MAX 2000

/* The week's moves out and corrections: the distinct residents of the scope
 * with such a row in the history since f->since. The order of the join is
 * chosen here, not by the planner, which has no statistics on SQLite and
 * would read a county's every resident to find a week's few changes: a small
 * subtree (a grid) starts from its residents (index residents_area, then
 * resident_history_resident), a large one from the week's rows of the
 * history (index resident_history_at, then each row's resident). CROSS JOIN
 * keeps SQLite to the order written; PostgreSQL plans it like a JOIN. */
static int count_week(cg_store *s, const struct cg_scope *sc, struct cg_figures *f)
{
#define WEEK_SQL(from, cond)                                                                       \
    "SELECT COUNT(DISTINCT h.resident_id) FROM " from " WHERE h.resident_id = r.id"                \
    " AND h.at >= ? AND " cond " AND " CG_SCOPE_SQL("r.area_path")
#define BY_RESIDENT "residents r CROSS JOIN resident_history h"
#define BY_HISTORY "resident_history h CROSS JOIN residents r"
#define MOVED_OUT "h.field = 'status' AND h.new_value = 'moved_out'"
/* A status change and its note are not corrections; every other field is. */
#define CORRECTED "h.field NOT IN ('status', 'note')"
    static const char *const sql[2][2] = {
        {WEEK_SQL(BY_HISTORY, MOVED_OUT), WEEK_SQL(BY_HISTORY, CORRECTED)},
        {WEEK_SQL(BY_RESIDENT, MOVED_OUT), WEEK_SQL(BY_RESIDENT, CORRECTED)},
    };
    int small = f->counts.population <= WEEK_BY_RESIDENT_MAX;
    int rc = count_one(s, sql[small][0], sc, f->since, &f->moved_out);
    if (!rc)
        rc = count_one(s, sql[small][1], sc, f->since, &f->corrected);
    return rc;
}

int64_t cg_figures_week_start(int64_t now)
{
    int64_t day = (now + CG_TZ_OFFSET) / 86400 - (CG_FIGURES_WEEK_DAYS - 1);
    return day * 86400 - CG_TZ_OFFSET;
}

int cg_figures_get(cg_store *s, const struct cg_actor *actor, const char *code, int64_t now,
                   cg_arena *a, struct cg_figures *out)
{
    memset(out, 0, sizeof *out);
    if (!cg_actor_can(actor, CG_PERM_AREAS_READ))
        return CG_EFORBIDDEN;
    /* Who is on which ledger is the people's business: in a small area a
     * count can point at a person, so ledgers are counted only for those
     * who may read the people themselves. */
    int ledgers = cg_actor_can(actor, CG_PERM_PEOPLE_READ);
    struct cg_scope sc;
    int64_t *ids = NULL;
    int rc = cg_area_get(s, actor, code && *code ? code : actor->area_code, a, &out->area);
    if (!rc)
        rc = cg_scope_at(out->area.path, a, &sc);
    if (rc)
        return rc;
    out->now = now;
    out->since = cg_figures_week_start(now);
    if ((ledgers && (rc = read_ledgers(s, a, out))) || (rc = read_children(s, a, out, &ids)) ||
        (rc = read_counts(s, a, out, ids, ledgers)) || (rc = count_week(s, &sc, out)))
        return rc;
    for (size_t i = 0; i < out->nledgers; i++)
        out->ledgers[i].count = out->counts.ledger[i];
    return 0;
}
