/* The figure counts (counts.h): reading a subtree's counts from figure_counts,
 * and keeping that table current in the transaction of every write.
 *
 * A row (area, what, until_day) holds own, what the area's own rows count,
 * and n, what its whole subtree counts. A transaction notes the areas it
 * touched; just before it commits, each is counted again from its own rows
 * (a building's few hundred residents), the difference to the stored own is
 * added to own and to n of the area and of every node above it (whose ids its
 * path lists), and the sums are written in one sorted pass of upserts. */
#include "civgrid/counts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/staff.h"

/* ---- which counts are alive ---- */

/* A local day as days since 1970-01-01 in the deployment's time zone, the
 * key of the additions (the same arithmetic as the SQL below). */
static int64_t local_day(int64_t t)
{
    int64_t x = t + CG_TZ_OFFSET;
    return (x >= 0 ? x : x - 86399) / 86400;
}

/* When a reader judges counts: today's date, and the first day whose
 * additions may still be asked for (a day more than the week of figures.h,
 * so that a reader and a prune around midnight agree). */
struct horizon {
    char today[11];
    int64_t first_day;
};

static void horizon_at(int64_t now, struct horizon *h)
{
    char local[20];
    cg_time_local(now, local);
    memcpy(h->today, local, 10);
    h->today[10] = '\0';
    h->first_day = local_day(now) - 7;
}

/* Whether a count can still be read: ledger entries count through their end
 * date, assignments end on theirs, additions matter for a week. A count that
 * is no longer alive is never read, never changed and pruned by the tick. */
static int alive(const char *what, const char *until, const struct horizon *h)
{
    if (!*until)
        return 1;
    if (!strncmp(what, "ledger:", 7))
        return strcmp(until, h->today) >= 0;
    if (!strncmp(what, "staff:", 6))
        return strcmp(until, h->today) > 0;
    if (!strcmp(what, "added"))
        return strtoll(until, NULL, 10) >= h->first_day;
    return 1;
}

/* The id of the area whose path this is: the last number in it. */
static int64_t last_id(const char *path)
{
    size_t len = path ? strlen(path) : 0;
    if (len < 3 || path[len - 1] != '/')
        return 0;
    size_t i = len - 1;
    while (i > 0 && path[i - 1] != '/')
        i--;
    return strtoll(path + i, NULL, 10);
}

/* ---- reading ---- */

static int init_counts(cg_arena *a, size_t nledgers, struct cg_counts *c)
{
    memset(c, 0, sizeof *c);
    c->ledger = cg_arena_calloc(a, (nledgers ? nledgers : 1) * sizeof *c->ledger);
    return c->ledger ? 0 : CG_ENOMEM;
}

/* Adds one stored row to c. Additions are kept by local day: those of the
 * day of want.added_since and after count. */
static void add_row(const struct cg_counts_want *w, int64_t since_day, const char *what,
                    const char *until, int64_t n, struct cg_counts *c)
{
    if (!strcmp(what, "residents"))
        c->residents += n;
    else if (!strcmp(what, "floating"))
        c->floating += n;
    else if (!strcmp(what, "households"))
        c->households += n;
    else if (!strcmp(what, "buildings"))
        c->buildings += n;
    else if (!strcmp(what, "grids"))
        c->grids += n;
    else if (!strcmp(what, "added")) {
        if (w->added_since && strtoll(until, NULL, 10) >= since_day)
            c->added += n;
    } else if (!strncmp(what, "ledger:", 7)) {
        int64_t id = strtoll(what + 7, NULL, 10);
        for (size_t i = 0; i < w->nledgers; i++)
            if (w->ledger_ids[i] == id)
                c->ledger[i] += n;
    } else if (!strncmp(what, "staff:", 6)) {
        for (int i = 0; i < CG_STAFF_NPOSITIONS; i++)
            if (!strcmp(what + 6, cg_staff_positions[i]))
                c->staff[i] += n;
        c->staff_total += n;
    }
}

struct target {
    int64_t id;
    struct cg_counts *c;
};

static int cmp_target(const void *x, const void *y)
{
    const struct target *a = x, *b = y;
    return (a->id > b->id) - (a->id < b->id);
}

struct reader {
    const struct cg_counts_want *w;
    struct horizon h;
    int64_t since_day;
    struct target *t; /* the node and its children, by id */
    size_t nt;
};

static struct cg_counts *counts_of(const struct reader *r, int64_t id)
{
    struct target key = {id, NULL};
    struct target *hit = bsearch(&key, r->t, r->nt, sizeof *r->t, cmp_target);
    return hit ? hit->c : NULL;
}

static int read_rows(cg_store *s, const struct reader *r, const char *sql, int64_t id)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, sql, "i", id);
    if (rc)
        return rc;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        const char *what = cg_stmt_text(st, 1), *until = cg_stmt_text(st, 2);
        struct cg_counts *c = counts_of(r, cg_stmt_int(st, 0));
        if (c && alive(what, until, &r->h))
            add_row(r->w, r->since_day, what, until, cg_stmt_int(st, 3), c);
    }
    cg_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

int cg_counts_get(cg_store *s, const struct cg_counts_want *want, const char *node_path,
                  const int64_t *child_ids, size_t nchildren, cg_arena *a, struct cg_counts *node,
                  struct cg_counts *children)
{
    int64_t node_id = last_id(node_path);
    if (!node_id)
        return CG_EINVAL;
    struct reader r = {want, {{0}, 0}, local_day(want->added_since), NULL, 0};
    int rc = 0;
    horizon_at(want->now, &r.h);
    if (!(r.t = cg_arena_alloc(a, (nchildren + 1) * sizeof *r.t)))
        return CG_ENOMEM;
    r.t[r.nt++] = (struct target){node_id, node};
    for (size_t i = 0; i < nchildren; i++)
        r.t[r.nt++] = (struct target){child_ids[i], &children[i]};
    for (size_t i = 0; !rc && i < r.nt; i++)
        rc = init_counts(a, want->nledgers, r.t[i].c);
    qsort(r.t, r.nt, sizeof *r.t, cmp_target);
    if (!rc)
        rc = read_rows(s, &r,
                       "SELECT area_id, what, until_day, n FROM figure_counts WHERE area_id = ?",
                       node_id);
    if (!rc && nchildren)
        rc = read_rows(s, &r,
                       "SELECT c.area_id, c.what, c.until_day, c.n FROM areas a"
                       " JOIN figure_counts c ON c.area_id = a.id WHERE a.parent_id = ?",
                       node_id);
    return rc;
}

/* ---- counting an area's own rows ---- */

/* One count of a key. */
struct delta {
    int64_t area_id;
    const char *what, *until;
    int64_t own, n;
};

struct deltas {
    struct delta *d;
    size_t n, cap;
    cg_arena *a;
};

static int push(struct deltas *ds, int64_t area_id, const char *what, const char *until,
                int64_t own, int64_t n)
{
    if (!(ds->d = cg_arena_grow(ds->a, ds->d, sizeof *ds->d, ds->n, &ds->cap)))
        return CG_ENOMEM;
    ds->d[ds->n++] = (struct delta){area_id, what, until, own, n};
    return 0;
}

static int cmp_delta(const void *x, const void *y)
{
    const struct delta *a = x, *b = y;
    if (a->area_id != b->area_id)
        return (a->area_id > b->area_id) - (a->area_id < b->area_id);
    int c = strcmp(a->what, b->what);
    return c ? c : strcmp(a->until, b->until);
}

/* What an area's own rows count, by key: the same counts as the migration
 * and cg_counts_rebuild make for every area at once. */
static const char own_sql[] =
    "SELECT 'residents', '', COUNT(*) FROM residents WHERE area_path = ? AND status = 'active'"
    " UNION ALL SELECT 'floating', '', COUNT(*) FROM residents WHERE area_path = ?"
    " AND status = 'active' AND resident_type = 'floating'"
    " UNION ALL SELECT 'households', '', COUNT(DISTINCT household) FROM residents"
    " WHERE area_path = ? AND status = 'active' AND household IS NOT NULL"
    " UNION ALL SELECT 'added', CAST((created_at + 28800) / 86400 AS TEXT), COUNT(*)"
    " FROM residents WHERE area_path = ? GROUP BY CAST((created_at + 28800) / 86400 AS TEXT)"
    " UNION ALL SELECT 'ledger:' || CAST(e.ledger_id AS TEXT), COALESCE(e.end_date, ''), COUNT(*)"
    " FROM residents r JOIN ledger_entries e ON e.resident_id = r.id WHERE r.area_path = ?"
    " AND r.status = 'active' GROUP BY e.ledger_id, e.end_date"
    " UNION ALL SELECT 'staff:' || position, COALESCE(end_date, ''), COUNT(*)"
    " FROM staff_assignments WHERE area_id = ? GROUP BY position, end_date"
    " UNION ALL SELECT level || 's', '', COUNT(*) FROM areas WHERE id = ? AND status = 'active'"
    " AND level IN ('building', 'grid') GROUP BY level";

/* Reads rows (what, until, count) into ds with the given sign, keeping only
 * the alive counts. */
static int read_own(cg_stmt *st, const struct horizon *h, int sign, struct deltas *ds)
{
    int rc;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        const char *what = cg_stmt_text(st, 0), *until = cg_stmt_text(st, 1);
        int64_t n = cg_stmt_int(st, 2);
        if (!n || !alive(what, until, h))
            continue;
        const char *w = cg_arena_strdup(ds->a, what), *u = cg_arena_strdup(ds->a, until);
        if (!w || !u || (rc = push(ds, 0, w, u, sign * n, 0)))
            return w && u ? rc : CG_ENOMEM;
    }
    return rc < 0 ? rc : 0;
}

/* Adds to out what changed in the area's own counts since they were stored:
 * its own rows counted now minus the stored own, for the area itself and for
 * every node above it. Locks the area's row first (PostgreSQL), so that two
 * transactions recounting one area take turns and the second counts what the
 * first committed. */
static int recount_area(cg_store *s, int64_t id, const struct horizon *h, struct deltas *out)
{
    cg_stmt *st = NULL;
    char *path = NULL;
    struct deltas own = {NULL, 0, 0, out->a};
    int rc = cg_store_query(s, &st, "SELECT path FROM areas WHERE id = ?" CG_FOR_UPDATE, "i", id);
    if (!rc && !(rc = cg_stmt_one(st)))
        path = cg_arena_strdup(out->a, cg_stmt_text(st, 0));
    if (st)
        cg_stmt_reset(st);
    if (rc)
        return rc == CG_ENOTFOUND || rc == CG_DONE ? 0 : rc;
    if (!path)
        return CG_ENOMEM;
    if (!(rc = cg_store_query(s, &st, own_sql, "sssssii", path, path, path, path, path, id, id))) {
        rc = read_own(st, h, 1, &own);
        cg_stmt_reset(st);
    }
    if (!rc && !(rc = cg_store_query(s, &st,
                                     "SELECT what, until_day, own FROM figure_counts"
                                     " WHERE area_id = ?",
                                     "i", id))) {
        rc = read_own(st, h, -1, &own);
        cg_stmt_reset(st);
    }
    if (rc || !own.n)
        return rc;
    /* Sum by key; each key that changed goes to the area and its ancestors. */
    qsort(own.d, own.n, sizeof *own.d, cmp_delta);
    for (size_t i = 0; !rc && i < own.n;) {
        size_t j = i;
        int64_t sum = 0;
        for (; j < own.n && !cmp_delta(&own.d[i], &own.d[j]); j++)
            sum += own.d[j].own;
        for (const char *p = path; !rc && sum && *p;) {
            char *end = NULL;
            int64_t anc = strtoll(p + 1, &end, 10);
            if (end == p + 1 || *end != '/')
                break;
            rc = push(out, anc, own.d[i].what, own.d[i].until, anc == id ? sum : 0, sum);
            p = end;
        }
        i = j;
    }
    return rc;
}

/* Writes the deltas: sorted, summed by key, one upsert per key. The sorted
 * order is also the order in which PostgreSQL locks the rows, the same in
 * every transaction, so that two cannot wait for each other. */
static int apply(cg_store *s, struct deltas *ds)
{
    int rc = 0;
    if (!ds->n)
        return 0; /* nothing changed: a writer's job that failed had touched it */
    qsort(ds->d, ds->n, sizeof *ds->d, cmp_delta);
    for (size_t i = 0; !rc && i < ds->n;) {
        struct delta sum = ds->d[i];
        size_t j = i + 1;
        for (; j < ds->n && !cmp_delta(&ds->d[i], &ds->d[j]); j++) {
            sum.own += ds->d[j].own;
            sum.n += ds->d[j].n;
        }
        if (sum.own || sum.n)
            rc = cg_store_run(s, NULL,
                              "INSERT INTO figure_counts (area_id, what, until_day, own, n)"
                              " VALUES (?, ?, ?, ?, ?) ON CONFLICT (area_id, what, until_day)"
                              " DO UPDATE SET own = figure_counts.own + excluded.own,"
                              " n = figure_counts.n + excluded.n",
                              "issii", sum.area_id, sum.what, sum.until, sum.own, sum.n);
        i = j;
    }
    return rc;
}

/* ---- the transaction's touched areas ---- */

struct touched {
    int64_t *ids;
    size_t n, cap;
};

static int cmp_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static int before_commit(cg_store *s, void *state)
{
    struct touched *t = state;
    if (!t->n)
        return 0;
    cg_arena *a = cg_arena_new();
    struct deltas ds = {NULL, 0, 0, a};
    struct horizon h;
    int rc = a ? 0 : CG_ENOMEM;
    horizon_at(cg_now(), &h);
    /* Areas in id order: PostgreSQL locks their rows in one order everywhere. */
    qsort(t->ids, t->n, sizeof *t->ids, cmp_id);
    for (size_t i = 0; !rc && i < t->n; i++)
        if (!i || t->ids[i] != t->ids[i - 1])
            rc = recount_area(s, t->ids[i], &h, &ds);
    if (!rc)
        rc = apply(s, &ds);
    cg_arena_free(a);
    return rc;
}

static void end(void *state)
{
    ((struct touched *)state)->n = 0;
}

static void free_touched(void *state)
{
    struct touched *t = state;
    free(t->ids);
    free(t);
}

static const struct cg_store_hook hook = {before_commit, end, free_touched};

int cg_counts_touch(cg_store *s, int64_t area_id)
{
    struct touched *t = cg_store_hook_state(s, &hook);
    if (!t) {
        if (!(t = calloc(1, sizeof *t)))
            return CG_ENOMEM;
        int rc = cg_store_hook_set(s, &hook, t);
        if (rc) {
            free(t);
            return rc;
        }
    }
    if (t->n && t->ids[t->n - 1] == area_id)
        return 0; /* a load touches one building many times in a row */
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        int64_t *ids = realloc(t->ids, cap * sizeof *ids);
        if (!ids)
            return CG_ENOMEM;
        t->ids = ids;
        t->cap = cap;
    }
    t->ids[t->n++] = area_id;
    /* A load of a million rows in one transaction touches thousands of areas
     * a million times: fold the repeats now and then to bound the list. */
    if (t->n >= 65536 && t->n == t->cap) {
        qsort(t->ids, t->n, sizeof *t->ids, cmp_id);
        size_t k = 0;
        for (size_t i = 0; i < t->n; i++)
            if (!k || t->ids[i] != t->ids[k - 1])
                t->ids[k++] = t->ids[i];
        t->n = k;
    }
    return 0;
}

int cg_counts_touch_path(cg_store *s, const char *path)
{
    int64_t id = last_id(path);
    return id ? cg_counts_touch(s, id) : CG_EINVAL;
}

int cg_counts_touch_resident(cg_store *s, int64_t resident_id)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT area_path FROM residents WHERE id = ?" CG_FOR_UPDATE,
                            "i", resident_id);
    if (!rc && !(rc = cg_stmt_one(st)))
        rc = cg_counts_touch_path(s, cg_stmt_text(st, 0));
    if (st)
        cg_stmt_reset(st);
    return rc;
}

/* ---- moves, rebuilds and the tick ---- */

/* Pushes n (with sign) to every node on path except the node itself. */
static int push_above(struct deltas *ds, const char *path, int64_t node_id, const char *what,
                      const char *until, int64_t n)
{
    int rc = 0;
    for (const char *p = path; !rc && *p;) {
        char *end = NULL;
        int64_t anc = strtoll(p + 1, &end, 10);
        if (end == p + 1 || *end != '/')
            break;
        if (anc != node_id)
            rc = push(ds, anc, what, until, 0, n);
        p = end;
    }
    return rc;
}

int cg_counts_move(cg_store *s, int64_t node_id, const char *old_path, const char *new_path)
{
    cg_arena *a = cg_arena_new();
    struct deltas ds = {NULL, 0, 0, a};
    cg_stmt *st = NULL;
    int rc = a ? 0 : CG_ENOMEM;
    /* Locked, so that a recount of an area below that commits meanwhile is
     * moved with the rest. */
    if (!rc)
        rc = cg_store_query(s, &st,
                            "SELECT what, until_day, n FROM figure_counts WHERE area_id = ?"
                            " AND n <> 0" CG_FOR_UPDATE,
                            "i", node_id);
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        const char *what = cg_arena_strdup(a, cg_stmt_text(st, 0));
        const char *until = cg_arena_strdup(a, cg_stmt_text(st, 1));
        int64_t n = cg_stmt_int(st, 2);
        rc = !what || !until ? CG_ENOMEM : push_above(&ds, old_path, node_id, what, until, -n);
        if (!rc)
            rc = push_above(&ds, new_path, node_id, what, until, n);
    }
    if (st)
        cg_stmt_reset(st);
    if (rc == CG_DONE)
        rc = 0;
    if (!rc)
        rc = apply(s, &ds);
    cg_arena_free(a);
    return rc;
}

/* Every area's own counts, added to itself and to every node above it (the
 * statement of migration 0016). */
static const char rebuild_sql[] =
    "INSERT INTO figure_counts (area_id, what, until_day, own, n)"
    " WITH RECURSIVE up(id, anc) AS (SELECT id, id FROM areas UNION ALL"
    " SELECT up.id, a.parent_id FROM up JOIN areas a ON a.id = up.anc"
    " WHERE a.parent_id IS NOT NULL AND a.parent_id <> 0)"
    " SELECT up.anc, o.what, o.until_day, SUM(CASE WHEN o.area_id = up.anc THEN o.own ELSE 0 END),"
    " SUM(o.own) FROM ("
    " SELECT area_id, 'residents' AS what, '' AS until_day, COUNT(*) AS own FROM residents"
    " WHERE status = 'active' GROUP BY area_id"
    " UNION ALL SELECT area_id, 'floating', '', COUNT(*) FROM residents"
    " WHERE status = 'active' AND resident_type = 'floating' GROUP BY area_id"
    " UNION ALL SELECT area_id, 'households', '', COUNT(DISTINCT household) FROM residents"
    " WHERE status = 'active' AND household IS NOT NULL GROUP BY area_id"
    " UNION ALL SELECT area_id, 'added', CAST((created_at + 28800) / 86400 AS TEXT), COUNT(*)"
    " FROM residents GROUP BY area_id, CAST((created_at + 28800) / 86400 AS TEXT)"
    " UNION ALL SELECT r.area_id, 'ledger:' || CAST(e.ledger_id AS TEXT),"
    " COALESCE(e.end_date, ''), COUNT(*) FROM residents r"
    " JOIN ledger_entries e ON e.resident_id = r.id WHERE r.status = 'active'"
    " GROUP BY r.area_id, e.ledger_id, e.end_date"
    " UNION ALL SELECT area_id, 'staff:' || position, COALESCE(end_date, ''), COUNT(*)"
    " FROM staff_assignments GROUP BY area_id, position, end_date"
    " UNION ALL SELECT id, level || 's', '', COUNT(*) FROM areas WHERE status = 'active'"
    " AND level IN ('building', 'grid') GROUP BY id, level"
    ") o JOIN up ON up.id = o.area_id GROUP BY up.anc, o.what, o.until_day";

int cg_counts_rebuild(cg_store *s)
{
    int rc = cg_store_begin(s);
    if (rc)
        return rc;
    rc = cg_store_run(s, NULL, "DELETE FROM figure_counts", "");
    if (!rc)
        rc = cg_store_run(s, NULL, rebuild_sql, "");
    if (rc) {
        cg_store_rollback(s);
        return rc;
    }
    return cg_store_commit(s);
}

int cg_counts_tick(cg_store *s, int64_t now)
{
    struct horizon h;
    char first[24];
    horizon_at(now, &h);
    snprintf(first, sizeof first, "%lld", (long long)h.first_day);
    int rc = cg_store_begin(s);
    if (rc)
        return rc;
    /* The same rule as alive(); day numbers have five digits until 2243, so
     * that they compare as text. */
    rc = cg_store_run(s, NULL,
                      "DELETE FROM figure_counts WHERE (own = 0 AND n = 0) OR (until_day <> ''"
                      " AND ((what LIKE 'ledger:%' AND until_day < ?)"
                      " OR (what LIKE 'staff:%' AND until_day <= ?)"
                      " OR (what = 'added' AND until_day < ?)))",
                      "sss", h.today, h.today, first);
    if (rc) {
        cg_store_rollback(s);
        return rc;
    }
    return cg_store_commit(s);
}
