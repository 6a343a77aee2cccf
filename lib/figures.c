/* The figures of a subtree (figures.h). The scope's residents are read twice,
 * grouped by their area's path: once for population and floating residents,
 * once joined with the ledger entries. Each group is then added to the whole
 * and to the child area whose subtree holds it, which C finds from the path
 * itself ("/1/5/9/" lies under the child whose id follows the node's path).
 * That is one pass per figure for the whole tree, where a count per child in
 * SQL would read the scope once more for every figure. */
#include <stdlib.h>
#include <string.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/figures.h"
#include "civgrid/scope.h"

/* A child's id with its place in the list, to find children by id. */
struct child_ref {
    int64_t id;
    size_t index;
};

struct tally {
    struct cg_figures *f;
    struct child_ref *refs; /* sorted by id */
    size_t plen;            /* strlen(node's path) */
};

static int cmp_ref(const void *x, const void *y)
{
    const struct child_ref *a = x, *b = y;
    return (a->id > b->id) - (a->id < b->id);
}

static int alloc_counts(cg_arena *a, size_t nledgers, struct cg_figures_counts *c)
{
    c->population = c->floating = 0;
    c->ledger = cg_arena_calloc(a, (nledgers ? nledgers : 1) * sizeof *c->ledger);
    return c->ledger ? 0 : CG_ENOMEM;
}

/* The counts of the child whose subtree holds path, or NULL when path is
 * the node's own or lies under a child past the list's cut. */
static struct cg_figures_counts *child_of(const struct tally *t, const char *path)
{
    const char *rest = path + t->plen;
    char *end = NULL;
    struct child_ref key = {strtoll(rest, &end, 10), 0};
    if (end == rest || *end != '/')
        return NULL;
    const struct child_ref *hit = bsearch(&key, t->refs, t->f->nchildren, sizeof *t->refs, cmp_ref);
    return hit ? &t->f->children[hit->index].counts : NULL;
}

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

static int read_children(cg_store *s, cg_arena *a, struct cg_figures *f, struct tally *t)
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
    size_t cap = 0, rcap = 0;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        size_t i = f->nchildren;
        if (!(f->children = cg_arena_grow(a, f->children, sizeof *f->children, i, &cap)) ||
            !(t->refs = cg_arena_grow(a, t->refs, sizeof *t->refs, i, &rcap))) {
            rc = CG_ENOMEM;
            break;
        }
        struct cg_figures_child *c = &f->children[i];
        t->refs[i] = (struct child_ref){cg_stmt_int(st, 0), i};
        c->code = cg_arena_strdup(a, cg_stmt_text(st, 1));
        c->name = cg_arena_strdup(a, cg_stmt_text(st, 2));
        c->level = cg_arena_strdup(a, cg_stmt_text(st, 3));
        if ((rc = alloc_counts(a, f->nledgers, &c->counts)))
            break;
        f->nchildren++;
    }
    cg_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (f->nchildren)
        qsort(t->refs, f->nchildren, sizeof *t->refs, cmp_ref);
    return 0;
}

/* Population, floating residents and the week's additions: one group per
 * area path and status. Additions count whatever their status is today
 * (one added and moved out in the same week was still added); the others
 * count active residents only. */
static int count_people(cg_store *s, const struct cg_scope *sc, struct tally *t)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(
        s, &st,
        "SELECT r.area_path, r.status, COUNT(*), SUM(CASE WHEN r.resident_type = 'floating'"
        " THEN 1 ELSE 0 END), SUM(CASE WHEN r.created_at >= ? THEN 1 ELSE 0 END) FROM residents r"
        " WHERE " CG_SCOPE_SQL("r.area_path") " GROUP BY r.area_path, r.status",
        "iss", t->f->since, sc->from, sc->to);
    if (rc)
        return rc;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        t->f->added += cg_stmt_int(st, 4);
        if (strcmp(cg_stmt_text(st, 1), "active"))
            continue;
        int64_t people = cg_stmt_int(st, 2), floating = cg_stmt_int(st, 3);
        t->f->counts.population += people;
        t->f->counts.floating += floating;
        struct cg_figures_counts *c = child_of(t, cg_stmt_text(st, 0));
        if (c) {
            c->population += people;
            c->floating += floating;
        }
    }
    cg_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

static int ledger_index(const struct cg_figures *f, int64_t id)
{
    for (size_t i = 0; i < f->nledgers; i++)
        if (f->ledgers[i].id == id)
            return (int)i;
    return -1;
}

/* Current ledger entries of active residents (as cg_ledger_list counts
 * them): one group per area path and ledger. */
static int count_ledgers(cg_store *s, const struct cg_scope *sc, int64_t now, struct tally *t)
{
    char day[20];
    cg_time_local(now, day);
    day[10] = '\0';
    cg_stmt *st = NULL;
    int rc = cg_store_query(
        s, &st,
        "SELECT r.area_path, e.ledger_id, COUNT(*) FROM residents r"
        " JOIN ledger_entries e ON e.resident_id = r.id WHERE " CG_SCOPE_SQL(
            "r.area_path") " AND r.status = 'active' AND (e.end_date IS NULL OR e.end_date >= ?)"
                           " GROUP BY r.area_path, e.ledger_id",
        "sss", sc->from, sc->to, day);
    if (rc)
        return rc;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        int i = ledger_index(t->f, cg_stmt_int(st, 1));
        if (i < 0)
            continue;
        int64_t n = cg_stmt_int(st, 2);
        t->f->counts.ledger[i] += n;
        struct cg_figures_counts *c = child_of(t, cg_stmt_text(st, 0));
        if (c)
            c->ledger[i] += n;
    }
    cg_stmt_reset(st);
    return rc < 0 ? rc : 0;
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

/* The week's moves out and corrections, from the history: the planner
 * starts from the seven days' rows (index resident_history_at) or from the
 * scope's residents, whichever it finds fewer. */
static int count_week(cg_store *s, const struct cg_scope *sc, struct cg_figures *f)
{
    int rc = count_one(
        s,
        "SELECT COUNT(DISTINCT h.resident_id) FROM resident_history h"
        " JOIN residents r ON r.id = h.resident_id WHERE h.at >= ?"
        " AND h.field = 'status' AND h.new_value = 'moved_out' AND " CG_SCOPE_SQL("r.area_path"),
        sc, f->since, &f->moved_out);
    /* A status change and its note are not corrections; every other field is. */
    if (!rc)
        rc = count_one(s,
                       "SELECT COUNT(DISTINCT h.resident_id) FROM resident_history h"
                       " JOIN residents r ON r.id = h.resident_id WHERE h.at >= ?"
                       " AND h.field NOT IN ('status', 'note') AND " CG_SCOPE_SQL("r.area_path"),
                       sc, f->since, &f->corrected);
    return rc;
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
    struct tally t = {out, NULL, 0};
    int rc = cg_area_get(s, actor, code && *code ? code : actor->area_code, a, &out->area);
    if (!rc)
        rc = cg_scope_at(out->area.path, a, &sc);
    if (rc)
        return rc;
    t.plen = strlen(out->area.path);
    out->now = now;
    out->since = now - CG_FIGURES_WEEK;
    if ((ledgers && (rc = read_ledgers(s, a, out))) ||
        (rc = alloc_counts(a, out->nledgers, &out->counts)) ||
        (rc = read_children(s, a, out, &t)) || (rc = count_people(s, &sc, &t)) ||
        (ledgers && (rc = count_ledgers(s, &sc, now, &t))) || (rc = count_week(s, &sc, out)))
        return rc;
    for (size_t i = 0; i < out->nledgers; i++)
        out->ledgers[i].count = out->counts.ledger[i];
    return 0;
}
