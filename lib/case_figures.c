/* Figures of cases (include/civgrid/case_figures.h, docs/cases.md "Figures
 * of cases"): the summary, its fold from the timeline, its rebuild, and the
 * figures read from it or, for checks, straight from the cases. */
#include "civgrid/case_figures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/case.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/scope.h"

const char *const cg_case_fig_states[CG_CASE_FIG_NSTATES] = {"reported", "handling", "done"};

static const char *const by_codes[] = {
#define CG__FIG_BY_CODE(name, code) code,
    CG_CASE_FIG_BYS(CG__FIG_BY_CODE)
#undef CG__FIG_BY_CODE
};
#define NBYS (sizeof by_codes / sizeof by_codes[0])

/* Types and domains in their tables' order, from case.h's X-macros (the
 * figures need their labels, not the case module's code). */
static const struct cg_case_label fig_types[] = {
#define CG__FIG_TYPE(name, code, zh, en) {code, zh, en},
    CG_CASE_TYPES(CG__FIG_TYPE)
#undef CG__FIG_TYPE
};
static const struct cg_case_label fig_domains[] = {
#define CG__FIG_DOMAIN(code, zh, en) {code, zh, en},
    CG_CASE_DOMAINS(CG__FIG_DOMAIN)
#undef CG__FIG_DOMAIN
};
#define NTYPES (sizeof fig_types / sizeof fig_types[0])
#define NDOMAINS (sizeof fig_domains / sizeof fig_domains[0])

/* A case's filing day: days since 1970-01-01 in Asia/Shanghai. */
#define DAY_SQL(col) "((" col " + 28800) / 86400)"

/* The longest periods answered, in days. */
#define MAX_DAYS 3700
#define MAX_DAYS_BY_DAY 400

/* Timeline entries folded per transaction by default: a few hundred
 * milliseconds of writes at most, so that filing is not held up long. */
#define FOLD_BATCH 2000

double cg_case_fig_rate(int64_t num, int64_t den)
{
    return den > 0 ? (double)num / (double)den : -1.0;
}

/* ---- days ---- */

static void day_text(int64_t day, char out[11])
{
    int y, m, d;
    cg_civil_from_days(day, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

/* A day's month as a number: year × 12 + month - 1. */
static int64_t month_of(int64_t day)
{
    int y, m, d;
    cg_civil_from_days(day, &y, &m, &d);
    return (int64_t)y * 12 + m - 1;
}

/* "YYYY-MM-DD" (an existing date) into a day number. */
static int parse_day(const char *text, int64_t *out)
{
    int y, m, d, n = 0;
    if (strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
        return CG_EBADTYPE;
    int64_t day = cg_days_from_civil(y, m, d);
    int yy, mm, dd;
    cg_civil_from_days(day, &yy, &mm, &dd);
    if (yy != y || mm != m || dd != d)
        return CG_EBADTYPE;
    *out = day;
    return 0;
}

/* ---- the fold ---- */

/* What one case contributes to the summary. */
struct contrib {
    int64_t case_id;
    const char *area_path;
    int64_t day, category_id, department_id;
    const char *domain, *type;
    int64_t v[8]; /* closed, closed_on_time, secs/n per state */
};

/* The contribution of cases from their row and their timeline. The stays:
 * each entry ends the stay in its from_state that began at the previous
 * entry of its case. */
#define CONTRIB_COLUMNS                                                                            \
    "c.id, c.area_path, " DAY_SQL(                                                                 \
        "c.created_at") ", c.category_id, c.domain, c.type,"                                       \
                        " COALESCE(c.holder_department_id, 0),"                                    \
                        " CASE WHEN c.state = 'closed' THEN 1 ELSE 0 END,"                         \
                        " CASE WHEN c.state = 'closed' AND (c.finish_due IS NULL OR c.closed_at "  \
                        "<= c.finish_due)"                                                         \
                        " THEN 1 ELSE 0 END,"                                                      \
                        " COALESCE(d.sr, 0), COALESCE(d.nr, 0), COALESCE(d.sh, 0), "               \
                        "COALESCE(d.nh, 0),"                                                       \
                        " COALESCE(d.sd, 0), COALESCE(d.nd, 0)"
#define STAYS_OF(events)                                                                           \
    "(SELECT e.case_id,"                                                                           \
    " SUM(CASE WHEN e.from_state = 'reported' THEN e.at - e.prev ELSE 0 END) AS sr,"               \
    " MAX(CASE WHEN e.from_state = 'reported' THEN 1 ELSE 0 END) AS nr,"                           \
    " SUM(CASE WHEN e.from_state = 'handling' THEN e.at - e.prev ELSE 0 END) AS sh,"               \
    " MAX(CASE WHEN e.from_state = 'handling' THEN 1 ELSE 0 END) AS nh,"                           \
    " SUM(CASE WHEN e.from_state = 'done' THEN e.at - e.prev ELSE 0 END) AS sd,"                   \
    " MAX(CASE WHEN e.from_state = 'done' THEN 1 ELSE 0 END) AS nd"                                \
    " FROM (SELECT case_id, from_state, at,"                                                       \
    " LAG(at) OVER (PARTITION BY case_id ORDER BY id) AS prev FROM case_events " events ") e"      \
    " GROUP BY e.case_id) d ON d.case_id = c.id"

#define TOUCHED "(SELECT case_id FROM case_events WHERE id > ? AND id <= ?)"

static const char *const sql_touched =
    "SELECT " CONTRIB_COLUMNS ", o.case_id, o.area_path, o.day, o.category_id, o.domain, o.type,"
    " o.department_id, o.closed, o.closed_on_time, o.secs_reported, o.n_reported,"
    " o.secs_handling, o.n_handling, o.secs_done, o.n_done"
    " FROM cases c LEFT JOIN " STAYS_OF(
        "WHERE case_id IN " TOUCHED) " LEFT JOIN case_figure_cases o ON o.case_id = c.id"
                                     " WHERE c.id IN " TOUCHED;

static const char *const sql_upsert =
    "INSERT INTO case_figures (area_id, day, category_id, domain, type, department_id, filed,"
    " closed, closed_on_time, secs_reported, n_reported, secs_handling, n_handling, secs_done,"
    " n_done) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (area_id, day, category_id, domain, type, department_id) DO UPDATE SET"
    " filed = case_figures.filed + excluded.filed,"
    " closed = case_figures.closed + excluded.closed,"
    " closed_on_time = case_figures.closed_on_time + excluded.closed_on_time,"
    " secs_reported = case_figures.secs_reported + excluded.secs_reported,"
    " n_reported = case_figures.n_reported + excluded.n_reported,"
    " secs_handling = case_figures.secs_handling + excluded.secs_handling,"
    " n_handling = case_figures.n_handling + excluded.n_handling,"
    " secs_done = case_figures.secs_done + excluded.secs_done,"
    " n_done = case_figures.n_done + excluded.n_done"
    " RETURNING id, filed";

static int read_contrib(cg_stmt *st, int col, cg_arena *a, struct contrib *c)
{
    c->case_id = cg_stmt_int(st, col);
    c->area_path = cg_arena_strdup(a, cg_stmt_text(st, col + 1));
    c->day = cg_stmt_int(st, col + 2);
    c->category_id = cg_stmt_int(st, col + 3);
    c->domain = cg_arena_strdup(a, cg_stmt_text(st, col + 4));
    c->type = cg_arena_strdup(a, cg_stmt_text(st, col + 5));
    c->department_id = cg_stmt_int(st, col + 6);
    for (int i = 0; i < 8; i++)
        c->v[i] = cg_stmt_int(st, col + 7 + i);
    return c->area_path && c->domain && c->type ? 0 : CG_ENOMEM;
}

static int same_key(const struct contrib *x, const struct contrib *y)
{
    return !strcmp(x->area_path, y->area_path) && x->day == y->day &&
           x->category_id == y->category_id && x->department_id == y->department_id &&
           !strcmp(x->domain, y->domain) && !strcmp(x->type, y->type);
}

/* Adds sign × c to the rows of c's area and of each of its ancestors (the
 * ids in its path), deleting a row that no case counts in any more. */
static int apply(cg_store *s, const struct contrib *c, int64_t filed, const int64_t v[8])
{
    int rc = 0;
    for (const char *p = c->area_path; !rc && *p;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        int64_t area_id = strtoll(p, (char **)&p, 10);
        cg_stmt *st = NULL;
        rc = cg_store_query(s, &st, sql_upsert, "iiissiiiiiiiiii", area_id, c->day, c->category_id,
                            c->domain, c->type, c->department_id, filed, v[0], v[1], v[2], v[3],
                            v[4], v[5], v[6], v[7]);
        if (rc)
            break;
        rc = cg_stmt_one(st);
        int64_t id = rc ? 0 : cg_stmt_int(st, 0), left = rc ? 0 : cg_stmt_int(st, 1);
        cg_stmt_reset(st);
        if (!rc && left == 0)
            rc = cg_store_run(s, NULL, "DELETE FROM case_figures WHERE id = ?", "i", id);
    }
    return rc;
}

static int save_contrib(cg_store *s, const struct contrib *c)
{
    return cg_store_run(
        s, NULL,
        "INSERT INTO case_figure_cases (case_id, area_path, day, category_id, domain, type,"
        " department_id, closed, closed_on_time, secs_reported, n_reported, secs_handling,"
        " n_handling, secs_done, n_done) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (case_id) DO UPDATE SET area_path = excluded.area_path,"
        " day = excluded.day, category_id = excluded.category_id, domain = excluded.domain,"
        " type = excluded.type, department_id = excluded.department_id,"
        " closed = excluded.closed, closed_on_time = excluded.closed_on_time,"
        " secs_reported = excluded.secs_reported, n_reported = excluded.n_reported,"
        " secs_handling = excluded.secs_handling, n_handling = excluded.n_handling,"
        " secs_done = excluded.secs_done, n_done = excluded.n_done",
        "isiissiiiiiiiii", c->case_id, c->area_path, c->day, c->category_id, c->domain, c->type,
        c->department_id, c->v[0], c->v[1], c->v[2], c->v[3], c->v[4], c->v[5], c->v[6], c->v[7]);
}

/* Replaces the old contribution of one case by its new one. */
static int refold_case(cg_store *s, const struct contrib *now, const struct contrib *old,
                       int had_old)
{
    int64_t diff[8], neg[8];
    int rc = 0, changed = !had_old;
    for (int i = 0; i < 8; i++) {
        diff[i] = now->v[i] - (had_old ? old->v[i] : 0);
        neg[i] = had_old ? -old->v[i] : 0;
        changed |= diff[i] != 0;
    }
    if (had_old && same_key(now, old)) {
        if (changed)
            rc = apply(s, now, 0, diff);
    } else {
        if (had_old)
            rc = apply(s, old, -1, neg);
        if (!rc)
            rc = apply(s, now, 1, now->v);
        changed = 1;
    }
    if (!rc && changed)
        rc = save_contrib(s, now);
    return rc;
}

static int is_postgresql(cg_store *s)
{
    return !strcmp(cg_store_backend(s), "postgresql");
}

/* One transaction: the entries in (watermark, watermark + batch]. */
static int fold_batch(cg_store *s, int batch, int64_t *folded, int *more)
{
    cg_arena *a = cg_arena_new();
    cg_stmt *st = NULL;
    int64_t wm = 0, hi = 0;
    *more = 0;
    int rc = a ? cg_store_begin(s) : CG_ENOMEM;
    if (rc) {
        cg_arena_free(a);
        return rc;
    }
    /* One folder at a time (the row lock); and on PostgreSQL no timeline
     * entry may be in flight while the watermark moves past it: SHARE mode
     * waits for the transactions inserting entries and holds new ones back
     * until the fold commits (ids are drawn in the order the inserts take
     * the table's lock). SQLite's BEGIN IMMEDIATE already does both. */
    rc = cg_store_query(s, &st,
                        "SELECT watermark FROM case_figures_state WHERE id = 1" CG_FOR_UPDATE, "");
    if (!rc) {
        rc = cg_stmt_one(st);
        wm = rc ? 0 : cg_stmt_int(st, 0);
        cg_stmt_reset(st);
    }
    if (!rc && is_postgresql(s))
        rc = cg_store_exec_script(s, "LOCK TABLE case_events IN SHARE MODE");
    if (!rc)
        rc = cg_store_query(s, &st,
                            "SELECT id FROM case_events WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?",
                            "ii", wm, (int64_t)batch - 1);
    if (!rc) {
        rc = cg_stmt_one(st);
        if (!rc) {
            hi = cg_stmt_int(st, 0);
            *more = 1;
        }
        cg_stmt_reset(st);
        if (rc == CG_ENOTFOUND)
            rc = cg_store_query(s, &st, "SELECT COALESCE(MAX(id), 0) FROM case_events", "");
        if (rc == 0 && !*more) {
            rc = cg_stmt_one(st);
            hi = rc ? 0 : cg_stmt_int(st, 0);
            cg_stmt_reset(st);
        }
    }
    struct contrib *now = NULL, *old = NULL;
    int *had = NULL;
    size_t n = 0, cap = 0;
    if (!rc && hi > wm)
        rc = cg_store_query(s, &st, sql_touched, "iiii", wm, hi, wm, hi);
    while (!rc && hi > wm) {
        int step = cg_stmt_step(st);
        if (step != CG_ROW) {
            rc = step;
            break;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            struct contrib *nn = cg_arena_alloc(a, ncap * sizeof *nn),
                           *no = cg_arena_alloc(a, ncap * sizeof *no);
            int *nh = cg_arena_alloc(a, ncap * sizeof *nh);
            if (!nn || !no || !nh) {
                rc = CG_ENOMEM;
                break;
            }
            if (n) {
                memcpy(nn, now, n * sizeof *nn);
                memcpy(no, old, n * sizeof *no);
                memcpy(nh, had, n * sizeof *nh);
            }
            now = nn, old = no, had = nh, cap = ncap;
        }
        had[n] = !cg_stmt_isnull(st, 15);
        rc = read_contrib(st, 0, a, &now[n]);
        if (!rc && had[n])
            rc = read_contrib(st, 15, a, &old[n]);
        n++;
    }
    if (hi > wm && st)
        cg_stmt_reset(st);
    for (size_t i = 0; !rc && i < n; i++)
        rc = refold_case(s, &now[i], &old[i], had[i]);
    if (!rc && hi > wm)
        rc = cg_store_run(s, NULL, "UPDATE case_figures_state SET watermark = ? WHERE id = 1", "i",
                          hi);
    if (!rc)
        rc = cg_store_commit(s);
    if (rc)
        cg_store_rollback(s);
    else if (folded && hi > wm)
        *folded += hi - wm;
    cg_arena_free(a);
    return rc;
}

/* Whether entries wait past the watermark (read without a transaction: the
 * fold itself decides under its locks). */
static int pending(cg_store *s, int *yes)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st,
                            "SELECT CASE WHEN (SELECT COALESCE(MAX(id), 0) FROM case_events) >"
                            " (SELECT watermark FROM case_figures_state WHERE id = 1)"
                            " THEN 1 ELSE 0 END",
                            "");
    if (rc)
        return rc;
    rc = cg_stmt_one(st);
    *yes = rc ? 0 : cg_stmt_int(st, 0) != 0;
    cg_stmt_reset(st);
    return rc;
}

int cg_case_figures_fold(cg_store *s, int batch, int64_t *folded)
{
    int rc, more = 1, yes = 0;
    if (folded)
        *folded = 0;
    if ((rc = pending(s, &yes)) || !yes)
        return rc;
    while (!rc && more)
        rc = fold_batch(s, batch > 0 ? batch : FOLD_BATCH, folded, &more);
    return rc;
}

int cg_case_figures_tick(cg_store *s, int64_t now)
{
    (void)now; /* the fold depends on the timeline, not on the clock */
    return cg_case_figures_fold(s, 0, NULL);
}

/* ---- the rebuild ---- */

#define SUM_COUNTERS                                                                               \
    "SUM(filed), SUM(closed), SUM(closed_on_time), SUM(secs_reported), SUM(n_reported),"           \
    " SUM(secs_handling), SUM(n_handling), SUM(secs_done), SUM(n_done)"
#define FIG_COLUMNS                                                                                \
    "area_id, day, category_id, domain, type, department_id, filed, closed, closed_on_time,"       \
    " secs_reported, n_reported, secs_handling, n_handling, secs_done, n_done"

/* The depth of an area's path: "/1/5/9/" is 3. */
#define DEPTH_SQL(col) "(LENGTH(" col ") - LENGTH(REPLACE(" col ", '/', '')) - 1)"

int cg_case_figures_rebuild(cg_store *s)
{
    int rc = cg_store_begin(s);
    if (rc)
        return rc;
    cg_stmt *st = NULL;
    int64_t depth = 0;
    if (is_postgresql(s))
        rc = cg_store_exec_script(s, "LOCK TABLE case_events IN SHARE MODE");
    if (!rc)
        rc = cg_store_run(s, NULL, "DELETE FROM case_figures", "");
    if (!rc)
        rc = cg_store_run(s, NULL, "DELETE FROM case_figure_cases", "");
    /* Every case's contribution, */
    if (!rc)
        rc = cg_store_run(s, NULL,
                          "INSERT INTO case_figure_cases (case_id, area_path, day, category_id,"
                          " domain, type, department_id, closed, closed_on_time, secs_reported,"
                          " n_reported, secs_handling, n_handling, secs_done, n_done)"
                          " SELECT " CONTRIB_COLUMNS " FROM cases c LEFT JOIN " STAYS_OF(""),
                          "");
    /* summed on each case's own area, */
    if (!rc)
        rc = cg_store_run(s, NULL,
                          "INSERT INTO case_figures (" FIG_COLUMNS ")"
                          " SELECT a.id, f.day, f.category_id, f.domain, f.type, f.department_id,"
                          " COUNT(*), SUM(f.closed), SUM(f.closed_on_time), SUM(f.secs_reported),"
                          " SUM(f.n_reported), SUM(f.secs_handling), SUM(f.n_handling),"
                          " SUM(f.secs_done), SUM(f.n_done)"
                          " FROM case_figure_cases f JOIN areas a ON a.path = f.area_path"
                          " GROUP BY a.id, f.day, f.category_id, f.domain, f.type, f.department_id",
                          "");
    if (!rc)
        rc =
            cg_store_query(s, &st, "SELECT COALESCE(MAX(" DEPTH_SQL("path") "), 0) FROM areas", "");
    if (!rc) {
        rc = cg_stmt_one(st);
        depth = rc ? 0 : cg_stmt_int(st, 0);
        cg_stmt_reset(st);
    }
    /* then level by level upwards: each parent gets the sums of its
     * children's rows (complete, since the deeper level went first) added to
     * the rows of the cases filed on the parent itself. */
    for (int64_t d = depth; !rc && d > 1; d--)
        rc = cg_store_run(
            s, NULL,
            "INSERT INTO case_figures (" FIG_COLUMNS ")"
            " SELECT a.parent_id, f.day, f.category_id, f.domain, f.type,"
            " f.department_id, " SUM_COUNTERS
            " FROM case_figures f JOIN areas a ON a.id = f.area_id"
            " WHERE a.parent_id IS NOT NULL AND " DEPTH_SQL(
                "a.path") " = ?"
                          " GROUP BY a.parent_id, f.day, f.category_id, f.domain, f.type,"
                          " f.department_id"
                          " ON CONFLICT (area_id, day, category_id, domain, type, department_id)"
                          " DO UPDATE SET filed = case_figures.filed + excluded.filed,"
                          " closed = case_figures.closed + excluded.closed,"
                          " closed_on_time = case_figures.closed_on_time + excluded.closed_on_time,"
                          " secs_reported = case_figures.secs_reported + excluded.secs_reported,"
                          " n_reported = case_figures.n_reported + excluded.n_reported,"
                          " secs_handling = case_figures.secs_handling + excluded.secs_handling,"
                          " n_handling = case_figures.n_handling + excluded.n_handling,"
                          " secs_done = case_figures.secs_done + excluded.secs_done,"
                          " n_done = case_figures.n_done + excluded.n_done",
            "i", d);
    if (!rc)
        rc = cg_store_run(s, NULL,
                          "UPDATE case_figures_state SET watermark ="
                          " (SELECT COALESCE(MAX(id), 0) FROM case_events) WHERE id = 1",
                          "");
    if (!rc)
        rc = cg_store_commit(s);
    if (rc)
        cg_store_rollback(s);
    return rc;
}

/* ---- reading ---- */

/* Every query below answers rows of the same shape: key, filed, closed,
 * closed_on_time, open_overdue, then secs and n per timed state. */
#define NCOLS 10

/* From the summary: the rows of one area (or of its children). */
#define SUMQ_FROM                                                                                  \
    " FROM case_figures f WHERE f.area_id = ? AND f.day >= ? AND f.day <= ?"                       \
    " AND (? = 0 OR f.department_id = ?)"
#define SUMQ(dim, group)                                                                           \
    "SELECT " dim ", SUM(f.filed), SUM(f.closed), SUM(f.closed_on_time), 0,"                       \
    " SUM(f.secs_reported), SUM(f.n_reported), SUM(f.secs_handling), SUM(f.n_handling),"           \
    " SUM(f.secs_done), SUM(f.n_done)" SUMQ_FROM group
static const char *const sql_summary[NBYS] = {
    [CG_CASE_FIG_BY_NONE] = SUMQ("0", ""),
    [CG_CASE_FIG_BY_DOMAIN] = SUMQ("f.domain", " GROUP BY f.domain"),
    [CG_CASE_FIG_BY_CATEGORY] = SUMQ("f.category_id", " GROUP BY f.category_id"),
    [CG_CASE_FIG_BY_TYPE] = SUMQ("f.type", " GROUP BY f.type"),
    [CG_CASE_FIG_BY_CHILD_AREA] =
        "SELECT f.area_id, SUM(f.filed), SUM(f.closed), SUM(f.closed_on_time), 0,"
        " SUM(f.secs_reported), SUM(f.n_reported), SUM(f.secs_handling), SUM(f.n_handling),"
        " SUM(f.secs_done), SUM(f.n_done) FROM areas ch JOIN case_figures f ON f.area_id = ch.id"
        " WHERE ch.parent_id = ? AND f.day >= ? AND f.day <= ? AND (? = 0 OR f.department_id = ?)"
        " GROUP BY f.area_id",
    [CG_CASE_FIG_BY_DEPARTMENT] = SUMQ("f.department_id", " GROUP BY f.department_id"),
    [CG_CASE_FIG_BY_MONTH] = SUMQ("f.day", " GROUP BY f.day"),
    [CG_CASE_FIG_BY_DAY] = SUMQ("f.day", " GROUP BY f.day"),
};

/* The filter of the cases themselves: scope range, filing time, department. */
#define CASES_WHERE(c)                                                                             \
    CG_SCOPE_SQL(c ".area_path")                                                                   \
    " AND " c ".created_at >= ? AND " c ".created_at < ?"                                          \
    " AND (? = 0 OR COALESCE(" c ".holder_department_id, 0) = ?)"

/* Open past the deadline, from the open cases (index cases_open_due). */
#define ODQ(dim, group)                                                                            \
    "SELECT " dim ", 0, 0, 0, COUNT(*), 0, 0, 0, 0, 0, 0 FROM cases c"                             \
    " WHERE c.state <> 'closed' AND c.finish_due < ? AND " CASES_WHERE("c") group
static const char *const sql_overdue[NBYS] = {
    [CG_CASE_FIG_BY_NONE] = ODQ("0", ""),
    [CG_CASE_FIG_BY_DOMAIN] = ODQ("c.domain", " GROUP BY c.domain"),
    [CG_CASE_FIG_BY_CATEGORY] = ODQ("c.category_id", " GROUP BY c.category_id"),
    [CG_CASE_FIG_BY_TYPE] = ODQ("c.type", " GROUP BY c.type"),
    [CG_CASE_FIG_BY_CHILD_AREA] = ODQ("c.area_path", " GROUP BY c.area_path"),
    [CG_CASE_FIG_BY_DEPARTMENT] =
        ODQ("COALESCE(c.holder_department_id, 0)", " GROUP BY COALESCE(c.holder_department_id, 0)"),
    [CG_CASE_FIG_BY_MONTH] = ODQ(DAY_SQL("c.created_at"), " GROUP BY " DAY_SQL("c.created_at")),
    [CG_CASE_FIG_BY_DAY] = ODQ(DAY_SQL("c.created_at"), " GROUP BY " DAY_SQL("c.created_at")),
};

/* Straight from the cases and their timeline: the reference. */
#define DIRQ(dim, group)                                                                           \
    "SELECT " dim ", COUNT(*), SUM(CASE WHEN c.state = 'closed' THEN 1 ELSE 0 END),"               \
    " SUM(CASE WHEN c.state = 'closed' AND (c.finish_due IS NULL OR c.closed_at <= c.finish_due)"  \
    " THEN 1 ELSE 0 END),"                                                                         \
    " SUM(CASE WHEN c.state <> 'closed' AND c.finish_due < ? THEN 1 ELSE 0 END),"                  \
    " SUM(d.sr), SUM(d.nr), SUM(d.sh), SUM(d.nh), SUM(d.sd), SUM(d.nd)"                            \
    " FROM cases c LEFT JOIN " STAYS_OF(                                                           \
        "WHERE case_id IN (SELECT c2.id FROM cases c2 WHERE " CASES_WHERE(                         \
            "c2") ")") " WHERE " CASES_WHERE("c") group
static const char *const sql_direct[NBYS] = {
    [CG_CASE_FIG_BY_NONE] = DIRQ("0", ""),
    [CG_CASE_FIG_BY_DOMAIN] = DIRQ("c.domain", " GROUP BY c.domain"),
    [CG_CASE_FIG_BY_CATEGORY] = DIRQ("c.category_id", " GROUP BY c.category_id"),
    [CG_CASE_FIG_BY_TYPE] = DIRQ("c.type", " GROUP BY c.type"),
    [CG_CASE_FIG_BY_CHILD_AREA] = DIRQ("c.area_path", " GROUP BY c.area_path"),
    [CG_CASE_FIG_BY_DEPARTMENT] = DIRQ("COALESCE(c.holder_department_id, 0)",
                                       " GROUP BY COALESCE(c.holder_department_id, 0)"),
    [CG_CASE_FIG_BY_MONTH] = DIRQ(DAY_SQL("c.created_at"), " GROUP BY " DAY_SQL("c.created_at")),
    [CG_CASE_FIG_BY_DAY] = DIRQ(DAY_SQL("c.created_at"), " GROUP BY " DAY_SQL("c.created_at")),
};

/* A group while the rows are read: its key as read (an integer or a text). */
struct acc {
    int64_t ikey;
    const char *tkey;
    struct cg_case_fig f;
};

struct reader {
    cg_store *s;
    cg_arena *a;
    struct cg_case_figures *out;
    enum cg_case_fig_by by;
    struct cg_area *node;
    struct cg_scope scope;
    int64_t from_day, to_day, t_from, t_to, now, dept;
    struct acc *accs;
    size_t nacc, cap;
};

/* Whether a dimension's key is text (else an integer). */
static int text_key(enum cg_case_fig_by by)
{
    return by == CG_CASE_FIG_BY_DOMAIN || by == CG_CASE_FIG_BY_TYPE;
}

static void add_fig(struct cg_case_fig *to, const struct cg_case_fig *f, int sign)
{
    to->filed += sign * f->filed;
    to->closed += sign * f->closed;
    to->closed_on_time += sign * f->closed_on_time;
    to->open_overdue += sign * f->open_overdue;
    for (int i = 0; i < CG_CASE_FIG_NSTATES; i++) {
        to->secs[i] += sign * f->secs[i];
        to->n[i] += sign * f->n[i];
    }
}

/* The group of a key, added (zero) when absent. */
static struct acc *acc_of(struct reader *r, int64_t ikey, const char *tkey)
{
    for (size_t i = 0; i < r->nacc; i++)
        if (tkey ? !strcmp(r->accs[i].tkey, tkey) : r->accs[i].ikey == ikey)
            return &r->accs[i];
    if (r->nacc == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 64;
        struct acc *g = cg_arena_calloc(r->a, ncap * sizeof *g);
        if (!g)
            return NULL;
        if (r->nacc)
            memcpy(g, r->accs, r->nacc * sizeof *g);
        r->accs = g;
        r->cap = ncap;
    }
    struct acc *g = &r->accs[r->nacc++];
    memset(g, 0, sizeof *g);
    g->ikey = ikey;
    if (tkey && !(g->tkey = cg_arena_strdup(r->a, tkey)))
        return NULL;
    return g;
}

/* The child of the node that a case's area path lies under, or the node
 * itself (then the case counts only in the total). */
static int64_t child_of(const struct reader *r, const char *path)
{
    size_t n = strlen(r->node->path);
    if (strncmp(path, r->node->path, n) || !path[n])
        return r->node->id;
    return strtoll(path + n, NULL, 10);
}

/* Reads the rows of one query into the groups (total: into out->total). */
static int collect(struct reader *r, cg_stmt *st, int total)
{
    int rc;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        struct cg_case_fig f = {0};
        f.filed = cg_stmt_int(st, 1);
        f.closed = cg_stmt_int(st, 2);
        f.closed_on_time = cg_stmt_int(st, 3);
        f.open_overdue = cg_stmt_int(st, 4);
        for (int i = 0; i < CG_CASE_FIG_NSTATES; i++) {
            f.secs[i] = cg_stmt_int(st, 5 + 2 * i);
            f.n[i] = cg_stmt_int(st, 6 + 2 * i);
        }
        if (total) {
            add_fig(&r->out->total, &f, 1);
            continue;
        }
        struct acc *g;
        if (text_key(r->by))
            g = acc_of(r, 0, cg_stmt_text(st, 0) ? cg_stmt_text(st, 0) : "");
        else if (r->by == CG_CASE_FIG_BY_CHILD_AREA && !cg_stmt_isnull(st, 0) &&
                 cg_stmt_text(st, 0)[0] == '/')
            g = acc_of(r, child_of(r, cg_stmt_text(st, 0)), NULL);
        else
            g = acc_of(r,
                       r->by == CG_CASE_FIG_BY_MONTH ? month_of(cg_stmt_int(st, 0))
                                                     : cg_stmt_int(st, 0),
                       NULL);
        if (!g) {
            rc = CG_ENOMEM;
            break;
        }
        add_fig(&g->f, &f, 1);
    }
    cg_stmt_reset(st);
    return rc == CG_DONE ? 0 : rc;
}

static int run(struct reader *r, const char *const *sqls, int direct, enum cg_case_fig_by by,
               int total)
{
    cg_stmt *st = NULL;
    const char *sql = sqls[by];
    int rc;
    if (sqls == sql_summary)
        rc = cg_store_query(r->s, &st, sql, "iiiii", r->node->id, r->from_day, r->to_day, r->dept,
                            r->dept);
    else if (!direct)
        rc = cg_store_query(r->s, &st, sql, "issiiii", r->now, r->scope.from, r->scope.to,
                            r->t_from, r->t_to, r->dept, r->dept);
    else
        rc = cg_store_query(r->s, &st, sql, "issiiiissiiii", r->now, r->scope.from, r->scope.to,
                            r->t_from, r->t_to, r->dept, r->dept, r->scope.from, r->scope.to,
                            r->t_from, r->t_to, r->dept, r->dept);
    return rc ? rc : collect(r, st, total);
}

static int by_code(const char *code, enum cg_case_fig_by *out)
{
    for (size_t i = 0; i < NBYS; i++)
        if (!strcmp(by_codes[i], code ? code : "")) {
            *out = (enum cg_case_fig_by)i;
            return 0;
        }
    return CG_EBADTYPE;
}

/* Checks the query and fills the reader: the area (in scope), the period. */
static int prepare(struct reader *r, const struct cg_actor *actor,
                   const struct cg_case_fig_query *q, struct cg_field_error *fe)
{
    struct cg_case_figures *o = r->out;
    if (!cg_actor_can(actor, CG_PERM_CASES_READ))
        return CG_EFORBIDDEN;
    if (by_code(q->by, &r->by))
        return cg_field_fail(fe, CG_EBADTYPE, "by",
                             "by: one of domain, category, type,"
                             " child_area, department, month, day");
    o->by = r->by;
    int64_t today = (r->now + CG_TZ_OFFSET) / 86400;
    int y, m, d;
    cg_civil_from_days(today, &y, &m, &d);
    r->from_day = cg_days_from_civil(y, 1, 1);
    r->to_day = today;
    if (q->from && q->from[0] && parse_day(q->from, &r->from_day))
        return cg_field_fail(fe, CG_EBADTYPE, "from", "from: a date YYYY-MM-DD");
    if (q->to && q->to[0] && parse_day(q->to, &r->to_day))
        return cg_field_fail(fe, CG_EBADTYPE, "to", "to: a date YYYY-MM-DD");
    int64_t span = r->to_day - r->from_day + 1;
    if (span < 1 || span > MAX_DAYS || (r->by == CG_CASE_FIG_BY_DAY && span > MAX_DAYS_BY_DAY))
        return cg_field_fail(fe, CG_ERANGE, "to",
                             "to: from %d to %d days after from (%d with by=day)", 0, MAX_DAYS - 1,
                             MAX_DAYS_BY_DAY - 1);
    day_text(r->from_day, o->from);
    day_text(r->to_day, o->to);
    r->t_from = r->from_day * 86400 - CG_TZ_OFFSET;
    r->t_to = (r->to_day + 1) * 86400 - CG_TZ_OFFSET;
    r->dept = actor->department_id;
    r->node = &o->area;
    const char *code = q->area_code && q->area_code[0] ? q->area_code : actor->area_code;
    int rc = code ? cg_area_get(r->s, actor, code, r->a, &o->area) : CG_ENOTFOUND;
    if (rc == CG_ENOTFOUND)
        return cg_field_fail(fe, rc, "area_code", "area_code: no such area in your scope");
    if (!rc)
        rc = cg_scope_at(o->area.path, r->a, &r->scope);
    return rc;
}

/* ---- naming the groups ---- */

static int cmp_key(const void *x, const void *y)
{
    const struct cg_case_fig_group *a = x, *b = y;
    if (!a->key || !b->key)
        return !a->key - !b->key; /* NULL last */
    return strcmp(a->key, b->key);
}

/* Groups in the order of a label table (domains, types), those with cases. */
static int name_labels(struct reader *r, const struct cg_case_label *labels, size_t n)
{
    struct cg_case_figures *o = r->out;
    o->groups = cg_arena_calloc(r->a, (r->nacc + 1) * sizeof *o->groups);
    if (!o->groups)
        return CG_ENOMEM;
    for (size_t i = 0; i <= n; i++)
        for (size_t k = 0; k < r->nacc; k++) {
            int known = 0;
            for (size_t j = 0; j < n; j++)
                known |= !strcmp(labels[j].code, r->accs[k].tkey);
            /* Known codes in the table's order, then any other (an old code). */
            if (i < n ? strcmp(labels[i].code, r->accs[k].tkey) : known)
                continue;
            struct cg_case_fig_group *g = &o->groups[o->ngroups++];
            g->key = r->accs[k].tkey;
            g->zh = i < n ? labels[i].zh : g->key;
            g->en = i < n ? labels[i].en : g->key;
            g->f = r->accs[k].f;
        }
    return 0;
}

static int name_categories(struct reader *r)
{
    struct cg_case_figures *o = r->out;
    o->groups = cg_arena_calloc(r->a, (r->nacc + 1) * sizeof *o->groups);
    cg_stmt *st = NULL;
    int rc = o->groups ? 0 : CG_ENOMEM;
    for (size_t k = 0; !rc && k < r->nacc; k++) {
        struct cg_case_fig_group *g = &o->groups[o->ngroups++];
        g->f = r->accs[k].f;
        rc = cg_store_query(r->s, &st,
                            "SELECT code, zh, en, domain FROM case_categories WHERE id = ?", "i",
                            r->accs[k].ikey);
        if (!rc && !(rc = cg_stmt_one(st))) {
            g->key = cg_arena_strdup(r->a, cg_stmt_text(st, 0));
            g->zh = cg_arena_strdup(r->a, cg_stmt_text(st, 1));
            g->en = cg_arena_strdup(r->a, cg_stmt_text(st, 2));
            g->domain = cg_arena_strdup(r->a, cg_stmt_text(st, 3));
            rc = g->key && g->zh && g->en && g->domain ? 0 : CG_ENOMEM;
        }
        if (st)
            cg_stmt_reset(st);
    }
    if (!rc) /* by domain (the table's order), then code */
        for (size_t i = 1; i < o->ngroups; i++)
            for (size_t j = i; j > 0; j--) {
                struct cg_case_fig_group *x = &o->groups[j - 1], *y = &o->groups[j];
                size_t dx = NDOMAINS, dy = NDOMAINS;
                for (size_t d = 0; d < NDOMAINS; d++) {
                    if (!strcmp(fig_domains[d].code, x->domain))
                        dx = d;
                    if (!strcmp(fig_domains[d].code, y->domain))
                        dy = d;
                }
                if (dx < dy || (dx == dy && strcmp(x->key, y->key) <= 0))
                    break;
                struct cg_case_fig_group t = *x;
                *x = *y;
                *y = t;
            }
    return rc;
}

static int name_departments(struct reader *r)
{
    struct cg_case_figures *o = r->out;
    o->groups = cg_arena_calloc(r->a, (r->nacc + 1) * sizeof *o->groups);
    cg_stmt *st = NULL;
    int rc = o->groups ? 0 : CG_ENOMEM;
    for (size_t k = 0; !rc && k < r->nacc; k++) {
        struct cg_case_fig_group *g = &o->groups[o->ngroups++];
        g->f = r->accs[k].f;
        if (!r->accs[k].ikey)
            continue; /* the area units: key NULL */
        rc = cg_store_query(r->s, &st, "SELECT code, name FROM departments WHERE id = ?", "i",
                            r->accs[k].ikey);
        if (!rc && !(rc = cg_stmt_one(st))) {
            g->key = cg_arena_strdup(r->a, cg_stmt_text(st, 0));
            g->name = cg_arena_strdup(r->a, cg_stmt_text(st, 1));
            rc = g->key && g->name ? 0 : CG_ENOMEM;
        }
        if (st)
            cg_stmt_reset(st);
    }
    if (!rc)
        qsort(o->groups, o->ngroups, sizeof *o->groups, cmp_key);
    return rc;
}

/* Every child of the node, zeros included; the node's own cases first when
 * there are any (the total less the children's). */
static int name_children(struct reader *r)
{
    struct cg_case_figures *o = r->out;
    cg_stmt *st = NULL;
    int64_t n = 0;
    int rc = cg_store_query(r->s, &st, "SELECT COUNT(*) FROM areas WHERE parent_id = ?", "i",
                            r->node->id);
    if (!rc && !(rc = cg_stmt_one(st)))
        n = cg_stmt_int(st, 0);
    if (st)
        cg_stmt_reset(st);
    if (!rc && !(o->groups = cg_arena_calloc(r->a, (size_t)(n + 1) * sizeof *o->groups)))
        rc = CG_ENOMEM;
    if (rc)
        return rc;
    struct cg_case_fig_group *self = &o->groups[o->ngroups++];
    self->key = r->node->code;
    self->name = r->node->name;
    self->level = r->node->level;
    self->self = 1;
    self->f = o->total;
    rc = cg_store_query(r->s, &st,
                        "SELECT id, code, name, level FROM areas WHERE parent_id = ? ORDER BY code",
                        "i", r->node->id);
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW && (int64_t)o->ngroups <= n) {
        struct cg_case_fig_group *g = &o->groups[o->ngroups++];
        g->key = cg_arena_strdup(r->a, cg_stmt_text(st, 1));
        g->name = cg_arena_strdup(r->a, cg_stmt_text(st, 2));
        g->level = cg_arena_strdup(r->a, cg_stmt_text(st, 3));
        if (!g->key || !g->name || !g->level) {
            rc = CG_ENOMEM;
            break;
        }
        for (size_t k = 0; k < r->nacc; k++)
            if (r->accs[k].ikey == cg_stmt_int(st, 0))
                g->f = r->accs[k].f;
        add_fig(&self->f, &g->f, -1);
        rc = 0;
    }
    if (st)
        cg_stmt_reset(st);
    if (rc == CG_DONE || rc == CG_ROW)
        rc = 0;
    if (!rc && !self->f.filed) { /* no case on the node itself: no group */
        memmove(o->groups, o->groups + 1, (o->ngroups - 1) * sizeof *o->groups);
        o->ngroups--;
    }
    return rc;
}

/* Every month or day of the period, zeros included. */
static int name_periods(struct reader *r)
{
    struct cg_case_figures *o = r->out;
    int monthly = r->by == CG_CASE_FIG_BY_MONTH;
    int64_t first = monthly ? month_of(r->from_day) : r->from_day,
            last = monthly ? month_of(r->to_day) : r->to_day;
    o->groups = cg_arena_calloc(r->a, (size_t)(last - first + 1) * sizeof *o->groups);
    if (!o->groups)
        return CG_ENOMEM;
    for (int64_t k = first; k <= last; k++) {
        struct cg_case_fig_group *g = &o->groups[o->ngroups++];
        char text[11];
        if (monthly)
            snprintf(text, sizeof text, "%04d-%02d", (int)(k / 12), (int)(k % 12) + 1);
        else
            day_text(k, text);
        if (!(g->key = cg_arena_strdup(r->a, text)))
            return CG_ENOMEM;
        for (size_t i = 0; i < r->nacc; i++)
            if (r->accs[i].ikey == k)
                g->f = r->accs[i].f;
    }
    return 0;
}

static int name_groups(struct reader *r)
{
    switch (r->by) {
    case CG_CASE_FIG_BY_NONE:
        return 0;
    case CG_CASE_FIG_BY_DOMAIN:
        return name_labels(r, fig_domains, NDOMAINS);
    case CG_CASE_FIG_BY_TYPE:
        return name_labels(r, fig_types, NTYPES);
    case CG_CASE_FIG_BY_CATEGORY:
        return name_categories(r);
    case CG_CASE_FIG_BY_DEPARTMENT:
        return name_departments(r);
    case CG_CASE_FIG_BY_CHILD_AREA:
        return name_children(r);
    case CG_CASE_FIG_BY_MONTH:
    case CG_CASE_FIG_BY_DAY:
        return name_periods(r);
    }
    return CG_EINTERNAL;
}

static int figures(cg_store *s, const struct cg_actor *actor, const struct cg_case_fig_query *q,
                   int64_t now, int direct, cg_arena *a, struct cg_case_figures *out,
                   struct cg_field_error *fe)
{
    memset(out, 0, sizeof *out);
    out->as_of = now;
    struct reader r = {.s = s, .a = a, .out = out, .now = now};
    int rc = prepare(&r, actor, q, fe);
    if (!rc && !direct)
        rc = cg_case_figures_fold(s, 0, NULL);
    if (!rc)
        rc = run(&r, direct ? sql_direct : sql_summary, direct, CG_CASE_FIG_BY_NONE, 1);
    if (!rc && !direct)
        rc = run(&r, sql_overdue, 0, CG_CASE_FIG_BY_NONE, 1);
    if (!rc && r.by != CG_CASE_FIG_BY_NONE)
        rc = run(&r, direct ? sql_direct : sql_summary, direct, r.by, 0);
    if (!rc && r.by != CG_CASE_FIG_BY_NONE && !direct)
        rc = run(&r, sql_overdue, 0, r.by, 0);
    if (!rc)
        rc = name_groups(&r);
    return rc;
}

int cg_case_figures_get(cg_store *s, const struct cg_actor *actor,
                        const struct cg_case_fig_query *q, int64_t now, cg_arena *a,
                        struct cg_case_figures *out, struct cg_field_error *fe)
{
    return figures(s, actor, q, now, 0, a, out, fe);
}

int cg_case_figures_direct(cg_store *s, const struct cg_actor *actor,
                           const struct cg_case_fig_query *q, int64_t now, cg_arena *a,
                           struct cg_case_figures *out, struct cg_field_error *fe)
{
    return figures(s, actor, q, now, 1, a, out, fe);
}

/* ---- JSON ---- */

static json_t *rate_json(int64_t num, int64_t den)
{
    return den > 0 ? json_real(cg_case_fig_rate(num, den)) : json_null();
}

static json_t *fig_json(const struct cg_case_fig *f)
{
    json_t *hours = json_object();
    for (int i = 0; hours && i < CG_CASE_FIG_NSTATES; i++)
        json_object_set_new(hours, cg_case_fig_states[i],
                            json_pack("{s:f, s:I, s:o}", "total", (double)f->secs[i] / 3600.0,
                                      "cases", (json_int_t)f->n[i], "mean",
                                      f->n[i]
                                          ? json_real((double)f->secs[i] / 3600.0 / (double)f->n[i])
                                          : json_null()));
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "filed", (json_int_t)f->filed, "closed",
        (json_int_t)f->closed, "open", (json_int_t)(f->filed - f->closed), "closed_on_time",
        (json_int_t)f->closed_on_time, "closed_late", (json_int_t)(f->closed - f->closed_on_time),
        "open_overdue", (json_int_t)f->open_overdue, "handled_rate", rate_json(f->closed, f->filed),
        "on_time_rate", rate_json(f->closed_on_time, f->closed + f->open_overdue), "hours", hours);
}

static json_t *group_json(enum cg_case_fig_by by, const struct cg_case_fig_group *g)
{
    json_t *o = fig_json(&g->f);
    if (!o)
        return NULL;
    json_object_set_new(o, "key", g->key ? json_string(g->key) : json_null());
    if (g->zh) {
        json_object_set_new(o, "zh", json_string(g->zh));
        json_object_set_new(o, "en", json_string(g->en));
    }
    if (g->domain)
        json_object_set_new(o, "domain", json_string(g->domain));
    if (by == CG_CASE_FIG_BY_CHILD_AREA || by == CG_CASE_FIG_BY_DEPARTMENT)
        json_object_set_new(o, "name", g->name ? json_string(g->name) : json_null());
    if (g->level)
        json_object_set_new(o, "level", json_string(g->level));
    if (g->self)
        json_object_set_new(o, "self", json_true());
    return o;
}

json_t *cg_case_figures_json(const struct cg_case_figures *f)
{
    json_t *groups = json_array();
    for (size_t i = 0; groups && i < f->ngroups; i++)
        if (json_array_append_new(groups, group_json(f->by, &f->groups[i]))) {
            json_decref(groups);
            return NULL;
        }
    return json_pack("{s:{s:s, s:s, s:s}, s:s, s:s, s:o, s:I, s:o, s:o}", "area", "code",
                     f->area.code, "name", f->area.name, "level", f->area.level, "from", f->from,
                     "to", f->to, "by", f->by ? json_string(by_codes[f->by]) : json_null(), "as_of",
                     (json_int_t)f->as_of, "total", fig_json(&f->total), "groups", groups);
}
