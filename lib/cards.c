/* Supervision cards (cards.h): the tick that gives them and the overdue
 * figures per unit. */
#include "civgrid/cards.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/calendar.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/outbox.h"
#include "civgrid/scope.h"

/* Cases read per query and cards given per run at most; the next run (five
 * minutes on) goes on where this one stopped. */
#define PAGE 200
#define RUN_CARDS 2000

/* The four cards, in the order they are given: a yellow before the red of the
 * same stage, so the timeline reads in order when a run catches up. The
 * column and the condition are code, never input. */
static const struct card_kind {
    const char *stage, *colour, *column;
    const char *pending; /* the case still lacks what the stage asks */
} kinds[] = {
    {"accept", "yellow", "accept_yellow", "c.accepted_at IS NULL"},
    {"accept", "red", "accept_red", "c.accepted_at IS NULL"},
    {"finish", "yellow", "finish_yellow", "1 = 1"},
    {"finish", "red", "finish_red", "1 = 1"},
};

struct candidate {
    int64_t id, created_at;
};

/* The distinct thresholds the catalogue uses for a kind of card. */
static int thresholds(cg_store *s, const struct card_kind *k, int *out, size_t max, size_t *n)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT DISTINCT %s FROM case_categories ORDER BY 1", k->column);
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, sql, "");
    if (rc)
        return rc;
    *n = 0;
    while ((rc = cg_stmt_step(st)) == CG_ROW)
        if (*n < max)
            out[(*n)++] = (int)cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

/* Open cases filed before cutoff, of a category with this threshold, still
 * lacking what the stage asks and without this card. */
static int candidates(cg_store *s, const struct card_kind *k, int days, int64_t cutoff,
                      struct candidate *out, size_t *n)
{
    char sql[900];
    snprintf(sql, sizeof sql,
             "SELECT c.id, c.created_at FROM cases c"
             " JOIN case_categories k ON k.id = c.category_id"
             " WHERE c.state <> 'closed' AND c.created_at < ? AND k.%s = ? AND %s"
             " AND NOT EXISTS (SELECT 1 FROM case_cards x WHERE x.case_id = c.id"
             " AND x.stage = ? AND x.colour = ?) ORDER BY c.created_at, c.id LIMIT ?",
             k->column, k->pending);
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, sql, "iissi", cutoff, (int64_t)days, k->stage, k->colour,
                            (int64_t)PAGE);
    if (rc)
        return rc;
    *n = 0;
    while ((rc = cg_stmt_step(st)) == CG_ROW)
        out[(*n)++] = (struct candidate){cg_stmt_int(st, 0), cg_stmt_int(st, 1)};
    cg_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

/* What the card's transaction reads of the case, locked. */
struct case_now {
    char state[16], card[16];
    int accepted;
    char *title, *area_code, *holder_code, *holder_department;
};

static void case_now_free(struct case_now *c)
{
    free(c->title);
    free(c->area_code);
    free(c->holder_code);
    free(c->holder_department);
}

static char *dup_col(cg_stmt *st, int col)
{
    return cg_stmt_isnull(st, col) ? NULL : strdup(cg_stmt_text(st, col));
}

static int read_case(cg_store *s, int64_t id, struct case_now *c)
{
    cg_stmt *st = NULL;
    /* The lock first (one table, as CG_FOR_UPDATE asks), then the names. */
    int rc = cg_store_query(
        s, &st, "SELECT state, card, accepted_at FROM cases WHERE id = ?" CG_FOR_UPDATE, "i", id);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st))) {
        snprintf(c->state, sizeof c->state, "%s", cg_stmt_text(st, 0));
        snprintf(c->card, sizeof c->card, "%s", cg_stmt_text(st, 1));
        c->accepted = !cg_stmt_isnull(st, 2);
    }
    cg_stmt_reset(st);
    if (rc)
        return rc;
    rc = cg_store_query(s, &st,
                        "SELECT c.title, a.code, h.code, d.code FROM cases c"
                        " JOIN areas a ON a.id = c.area_id JOIN areas h ON h.id = c.holder_area_id"
                        " LEFT JOIN departments d ON d.id = c.holder_department_id WHERE c.id = ?",
                        "i", id);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st))) {
        c->title = dup_col(st, 0);
        c->area_code = dup_col(st, 1);
        c->holder_code = dup_col(st, 2);
        c->holder_department = dup_col(st, 3);
    }
    cg_stmt_reset(st);
    return rc;
}

static char *overdue_payload(int64_t id, const struct card_kind *k, int days, int64_t due,
                             const struct case_now *c)
{
    json_t *p = json_pack("{s:I, s:s?, s:s, s:s, s:s, s:i, s:I, s:s?, s:{s:s?, s:s?}}", "case_id",
                          (json_int_t)id, "title", c->title, "state", c->state, "stage", k->stage,
                          "card", k->colour, "threshold_days", days, "due", (json_int_t)due,
                          "area_code", c->area_code, "holder", "area_code", c->holder_code,
                          "department_code", c->holder_department);
    char *text = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    return text;
}

/* Gives one card in one transaction: the unique row decides whether it is
 * new; the case is read locked and checked again, because it may have been
 * accepted or closed since it was selected. */
static int give(cg_store *s, const struct card_kind *k, int days, const struct candidate *cand,
                int64_t now, int *given)
{
    struct case_now c = {0};
    char *payload = NULL;
    int64_t due = 0;
    *given = 0;
    int rc = cg_workdays_add(s, cand->created_at, days, &due);
    if (rc)
        return rc;
    if ((rc = cg_store_begin(s)))
        return rc;
    if ((rc = read_case(s, cand->id, &c)))
        goto out;
    if (strcmp(c.state, "closed") == 0 || (strcmp(k->stage, "accept") == 0 && c.accepted))
        goto out; /* no longer overdue: nothing to give */
    cg_stmt *st = NULL;
    rc = cg_store_query(s, &st,
                        "INSERT INTO case_cards (case_id, stage, colour, threshold_days, due_at,"
                        " given_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                        "issiii", cand->id, k->stage, k->colour, (int64_t)days, due, now);
    if (rc)
        goto out;
    rc = cg_stmt_step(st);
    cg_stmt_reset(st);
    if (rc != CG_ROW)
        goto out; /* given already (rc 0), or failed */
    int raise = strcmp(k->colour, "red") == 0 || strcmp(c.card, "red") != 0;
    char note[32];
    snprintf(note, sizeof note, "%s.%s", k->stage, k->colour);
    char once[96];
    snprintf(once, sizeof once, "case:%lld:card:%s", (long long)cand->id, note);
    if (!(payload = overdue_payload(cand->id, k, days, due, &c))) {
        rc = CG_ENOMEM;
        goto out;
    }
    rc = raise ? cg_store_run(s, NULL, "UPDATE cases SET card = ? WHERE id = ?", "si", k->colour,
                              cand->id)
               : 0;
    if (!rc)
        rc = cg_store_run(s, NULL,
                          "INSERT INTO case_events (case_id, at, actor, actor_name, action,"
                          " from_state, to_state, note) VALUES (?, ?, 'system', '督办', 'card',"
                          " ?, ?, ?)",
                          "iisss", cand->id, now, c.state, c.state, note);
    if (!rc)
        rc = cg_outbox_add(s, CG_OUTBOX_OVERDUE, payload, once, now, NULL);
    *given = !rc;
out:
    rc = rc < 0 ? rc : 0;
    int end = rc ? cg_store_rollback(s) : cg_store_commit(s);
    free(payload);
    case_now_free(&c);
    if (!rc && end)
        *given = 0;
    return rc ? rc : end;
}

/* Gives the cards of one kind and threshold; *budget counts down. */
static int give_kind(cg_store *s, const struct card_kind *k, int days, int64_t now, int *budget)
{
    int64_t cutoff = 0;
    int rc = cg_workdays_cutoff(s, now, days, &cutoff);
    struct candidate page[PAGE];
    size_t n = PAGE;
    /* A page whose rows all became ineligible would come back again: stop
     * when a page gave nothing. */
    int progressed = 1;
    while (!rc && n == PAGE && progressed && *budget > 0) {
        if ((rc = candidates(s, k, days, cutoff, page, &n)))
            break;
        progressed = 0;
        for (size_t i = 0; !rc && i<n && * budget> 0; i++) {
            int given = 0;
            rc = give(s, k, days, &page[i], now, &given);
            progressed += given;
            *budget -= given;
        }
    }
    return rc;
}

int cg_cards_tick(cg_store *s, int64_t now)
{
    int budget = RUN_CARDS, rc = 0;
    for (size_t i = 0; !rc && i < sizeof kinds / sizeof kinds[0]; i++) {
        int days[64];
        size_t n = 0;
        rc = thresholds(s, &kinds[i], days, 64, &n);
        for (size_t j = 0; !rc && j < n; j++)
            rc = days[j] >= 0 && days[j] <= CG_WORKDAYS_MAX
                     ? give_kind(s, &kinds[i], days[j], now, &budget)
                     : 0;
    }
    return rc;
}

/* ---- overdue figures ---- */

static const char *dup_or_null(cg_arena *a, cg_stmt *st, int col)
{
    return cg_stmt_isnull(st, col) ? NULL : cg_arena_strdup(a, cg_stmt_text(st, col));
}

static int overdue_units(cg_store *s, const struct cg_scope *sc, cg_arena *a,
                         struct cg_overdue_unit **units, size_t *n, int *more)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st,
                            "SELECT h.code, h.name, h.level, d.code, d.name,"
                            " SUM(CASE WHEN c.card = 'yellow' THEN 1 ELSE 0 END),"
                            " SUM(CASE WHEN c.card = 'red' THEN 1 ELSE 0 END) FROM cases c"
                            " JOIN areas h ON h.id = c.holder_area_id"
                            " LEFT JOIN departments d ON d.id = c.holder_department_id"
                            " WHERE c.state <> 'closed' AND c.card <> 'none' AND " CG_SCOPE_SQL(
                                "c.area_path") " GROUP BY h.code, h.name, h.level, d.code, d.name "
                                               "ORDER BY 7 DESC, 6 DESC, 1, 4 LIMIT ?",
                            "ssi", sc->from, sc->to, (int64_t)CG_OVERDUE_UNITS_MAX + 1);
    if (rc)
        return rc;
    struct cg_overdue_unit *list = cg_arena_calloc(a, (CG_OVERDUE_UNITS_MAX + 1) * sizeof *list);
    *n = 0;
    *more = 0;
    if (!list)
        rc = CG_ENOMEM;
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        rc = 0;
        if (*n == CG_OVERDUE_UNITS_MAX) {
            *more = 1;
            break;
        }
        struct cg_overdue_unit *u = &list[(*n)++];
        u->area_code = dup_or_null(a, st, 0);
        u->area_name = dup_or_null(a, st, 1);
        u->area_level = dup_or_null(a, st, 2);
        u->department_code = dup_or_null(a, st, 3);
        u->department_name = dup_or_null(a, st, 4);
        u->yellow = cg_stmt_int(st, 5);
        u->red = cg_stmt_int(st, 6);
    }
    cg_stmt_reset(st);
    if (rc < 0)
        return rc;
    *units = list;
    return 0;
}

/* The carded open cases held by unit: a department code, or else an area
 * code (held by that area and no department). */
static int overdue_cases(cg_store *s, const struct cg_scope *sc, const char *unit, cg_arena *a,
                         struct cg_overdue_case **cases, size_t *n, int *more)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(
        s, &st,
        "SELECT c.id, c.created_at, c.accept_due, c.finish_due, c.title, c.state, c.card, k.code"
        " FROM cases c JOIN case_categories k ON k.id = c.category_id"
        " JOIN areas h ON h.id = c.holder_area_id"
        " LEFT JOIN departments d ON d.id = c.holder_department_id"
        " WHERE c.state <> 'closed' AND c.card <> 'none' AND " CG_SCOPE_SQL(
            "c.area_path") " AND (d.code = ? OR (d.code IS NULL AND h.code = ?))"
                           " ORDER BY CASE WHEN c.card = 'red' THEN 0 ELSE 1 END, c.created_at, "
                           "c.id LIMIT ?",
        "ssssi", sc->from, sc->to, unit, unit, (int64_t)CG_OVERDUE_CASES_MAX + 1);
    if (rc)
        return rc;
    struct cg_overdue_case *list = cg_arena_calloc(a, (CG_OVERDUE_CASES_MAX + 1) * sizeof *list);
    *n = 0;
    *more = 0;
    if (!list)
        rc = CG_ENOMEM;
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        rc = 0;
        if (*n == CG_OVERDUE_CASES_MAX) {
            *more = 1;
            break;
        }
        struct cg_overdue_case *c = &list[(*n)++];
        c->id = cg_stmt_int(st, 0);
        c->created_at = cg_stmt_int(st, 1);
        c->accept_due = cg_stmt_int(st, 2);
        c->finish_due = cg_stmt_int(st, 3);
        c->title = dup_or_null(a, st, 4);
        c->state = dup_or_null(a, st, 5);
        c->card = dup_or_null(a, st, 6);
        c->category = dup_or_null(a, st, 7);
    }
    cg_stmt_reset(st);
    if (rc < 0)
        return rc;
    *cases = list;
    return 0;
}

int cg_cards_overdue(cg_store *s, const struct cg_actor *actor, const char *unit, cg_arena *a,
                     struct cg_overdue_unit **units, size_t *n_units, int *units_more,
                     struct cg_overdue_case **cases, size_t *n_cases, int *cases_more)
{
    struct cg_scope sc;
    *n_cases = 0;
    *cases_more = 0;
    *cases = NULL;
    if (!cg_actor_can(actor, CG_PERM_CASES_DISPATCH))
        return CG_EFORBIDDEN;
    int rc = cg_scope_of(actor, a, &sc);
    if (!rc)
        rc = overdue_units(s, &sc, a, units, n_units, units_more);
    if (!rc && unit)
        rc = overdue_cases(s, &sc, unit, a, cases, n_cases, cases_more);
    return rc;
}
