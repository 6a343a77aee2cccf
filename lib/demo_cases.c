/* The demo's year of cases for 阳高县 (issue 10): about 22,000 reports over
 * the 365 days before the demo was built, 99.94 % handled, across domains,
 * grids and months, with disputes, requests and suggestions, a few cases
 * still open (some past their deadline), and timelines whose steps (report,
 * accept, escalate, assign, report_done, verify) are taken by the staff of
 * the right unit: the grid's worker, the community's grid head, the town's
 * commander, the county centre, the department.
 *
 * A bulk path, documented in docs/cases.md: a year of cases is about
 * 90,000 rows, and one transaction per action would take minutes, so the
 * demo writes each case's final row and its whole timeline with plain
 * inserts in one transaction (one audit record, demo.cases), as a loader
 * writes. It follows the state table (lib/case.c): every timeline is a walk
 * through legal (state, action) pairs. The figures' summary is then rebuilt
 * from the cases and that timeline. Deadlines skip weekends only (the
 * holiday calendar belongs to the calendar module). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/audit.h"
#include "civgrid/case_figures.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/scope.h"
#include "demo_int.h"

/* The source's year: 22,635 reports, 99.94 % handled. */
#define DEMO_CASES 22000
#define HOUR 3600
#define DAY 86400

typedef struct {
    uint64_t s;
} rng;

static uint64_t next64(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unit(rng *r)
{
    return (double)(next64(r) >> 11) * 0x1.0p-53;
}

static int chance(rng *r, double p)
{
    return unit(r) < p;
}

static int64_t between(rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(unit(r) * (double)(hi - lo + 1));
}

/* ---- what the county has ---- */

struct unit {
    int64_t id;
    const char *path, *code, *name;
    int parent;           /* index of the community (grid) or town (community); -1 */
    const char *staff;    /* the first staff member of the unit's position */
    const char *username; /* the demo account of that person, or NULL */
    int64_t user_id;
    double weight; /* grids: how busy */
};

struct dept {
    int64_t id;
    const char *code, *name, *domains;
};

struct category {
    int64_t id;
    const char *code, *domain, *zh, *size, *department;
    int accept_days, finish_days;
    double weight;
};

struct county {
    cg_arena *a;
    struct unit *grids, *comms, *towns, centre;
    size_t ngrids, ncomms, ntowns;
    struct dept depts[16];
    size_t ndepts;
    struct category *cats;
    size_t ncats;
    double grid_total, cat_total;
};

/* How often each domain's cases come, per 1,000 reports (the county's mix:
 * sanitation and public order lead, requests and disputes follow). */
static const struct {
    const char *domain;
    double per_mille;
} domain_mix[] = {
    {"sanitation", 230},   {"public_order", 110},
    {"request", 140},      {"dispute", 80},
    {"environment", 70},   {"transport", 70},
    {"civil_affairs", 60}, {"water", 45},
    {"suggestion", 40},    {"power", 30},
    {"market", 30},        {"emergency", 25},
    {"health", 20},        {"natural_disaster", 12},
    {"petition", 12},      {"other", 16},
    {"assistance", 10},
};

/* Months from January: the summer's floods, the spring's and autumn's open
 * burning and the harvest make the middle of the year busier. */
static const double month_weight[12] = {0.70, 0.62, 0.92, 1.02, 1.10, 1.18,
                                        1.28, 1.30, 1.12, 1.04, 0.92, 0.80};

static int load_units(cg_store *s, struct county *k, const char *level, const char *scope_path,
                      const char *position, struct unit **out, size_t *n)
{
    struct cg_scope sc;
    cg_stmt *st = NULL;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = cg_scope_at(scope_path, k->a, &sc);
    if (!rc)
        rc = cg_store_query(
            s, &st,
            "SELECT a.id, a.path, a.code, a.name, a.parent_id,"
            " (SELECT st.name FROM staff_assignments st WHERE st.area_id = a.id"
            " AND st.position = ? ORDER BY st.id LIMIT 1),"
            " (SELECT u.username FROM staff_assignments st JOIN users u ON u.id = st.user_id"
            " WHERE st.area_id = a.id AND st.position = ? ORDER BY st.id LIMIT 1),"
            " (SELECT u.id FROM staff_assignments st JOIN users u ON u.id = st.user_id"
            " WHERE st.area_id = a.id AND st.position = ? ORDER BY st.id LIMIT 1),"
            " (SELECT COUNT(*) FROM areas b WHERE b.parent_id = a.id)"
            " FROM areas a WHERE a.level = ? AND " CG_SCOPE_SQL("a.path") " ORDER BY a.code",
            "ssssss", position, position, position, level, sc.from, sc.to);
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct unit *u = cg_arena_calloc(k->a, ncap * sizeof *u);
            if (!u) {
                rc = CG_ENOMEM;
                break;
            }
            if (*n)
                memcpy(u, *out, *n * sizeof *u);
            *out = u;
            cap = ncap;
        }
        struct unit *u = &(*out)[(*n)++];
        u->id = cg_stmt_int(st, 0);
        u->path = cg_arena_strdup(k->a, cg_stmt_text(st, 1));
        u->code = cg_arena_strdup(k->a, cg_stmt_text(st, 2));
        u->name = cg_arena_strdup(k->a, cg_stmt_text(st, 3));
        u->parent = (int)cg_stmt_int(st, 4); /* an area id until linked */
        u->staff = cg_stmt_text(st, 5) ? cg_arena_strdup(k->a, cg_stmt_text(st, 5)) : NULL;
        u->username = cg_stmt_text(st, 6) ? cg_arena_strdup(k->a, cg_stmt_text(st, 6)) : NULL;
        u->user_id = cg_stmt_int(st, 7);
        u->weight = 1.0 + (double)cg_stmt_int(st, 8) / 4.0; /* more buildings, more cases */
        rc = u->path && u->code && u->name ? 0 : CG_ENOMEM;
    }
    if (st)
        cg_stmt_reset(st);
    return rc == CG_DONE ? 0 : rc;
}

/* Replaces each unit's parent area id by the index of that parent. */
static void link_units(struct unit *units, size_t n, const struct unit *parents, size_t np)
{
    for (size_t i = 0; i < n; i++) {
        int64_t pid = units[i].parent;
        units[i].parent = -1;
        for (size_t j = 0; j < np; j++)
            if (parents[j].id == pid)
                units[i].parent = (int)j;
    }
}

static int load_county(cg_store *s, const char *code, struct county *k)
{
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(s, &st, "SELECT id, path, code, name FROM areas WHERE code = ?", "s", code);
    if (!rc && !(rc = cg_stmt_one(st))) {
        k->centre.id = cg_stmt_int(st, 0);
        k->centre.path = cg_arena_strdup(k->a, cg_stmt_text(st, 1));
        k->centre.code = cg_arena_strdup(k->a, cg_stmt_text(st, 2));
        k->centre.name = cg_arena_strdup(k->a, cg_stmt_text(st, 3));
    }
    if (st)
        cg_stmt_reset(st);
    if (!rc)
        rc = cg_store_query(s, &st,
                            "SELECT u.id, u.username, u.display_name FROM users u"
                            " WHERE u.area_id = ? AND u.role = 'centre' ORDER BY u.id LIMIT 1",
                            "i", k->centre.id);
    if (!rc && !cg_stmt_one(st)) {
        k->centre.user_id = cg_stmt_int(st, 0);
        k->centre.username = cg_arena_strdup(k->a, cg_stmt_text(st, 1));
        k->centre.staff = cg_arena_strdup(k->a, cg_stmt_text(st, 2));
    }
    if (st)
        cg_stmt_reset(st);
    if (!rc)
        rc = load_units(s, k, "town", k->centre.path, "commander", &k->towns, &k->ntowns);
    if (!rc)
        rc = load_units(s, k, "community", k->centre.path, "grid_head", &k->comms, &k->ncomms);
    if (!rc)
        rc = load_units(s, k, "grid", k->centre.path, "grid_worker", &k->grids, &k->ngrids);
    if (rc)
        return rc;
    if (!k->ngrids || !k->ncomms || !k->ntowns)
        return CG_ENOTFOUND;
    link_units(k->comms, k->ncomms, k->towns, k->ntowns);
    link_units(k->grids, k->ngrids, k->comms, k->ncomms);
    for (size_t i = 0; i < k->ngrids; i++)
        k->grid_total += k->grids[i].weight;
    rc = cg_store_query(s, &st,
                        "SELECT id, code, name, domains FROM departments WHERE area_id = ?"
                        " ORDER BY code",
                        "i", k->centre.id);
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW && k->ndepts < 16) {
        struct dept *d = &k->depts[k->ndepts++];
        d->id = cg_stmt_int(st, 0);
        d->code = cg_arena_strdup(k->a, cg_stmt_text(st, 1));
        d->name = cg_arena_strdup(k->a, cg_stmt_text(st, 2));
        d->domains = cg_arena_strdup(k->a, cg_stmt_text(st, 3));
        rc = 0;
    }
    if (st)
        cg_stmt_reset(st);
    if (rc == CG_DONE || rc == CG_ROW)
        rc = 0;
    return rc;
}

static int load_categories(cg_store *s, struct county *k)
{
    cg_stmt *st = NULL;
    int64_t n = 0;
    int rc = cg_store_query(s, &st, "SELECT COUNT(*) FROM case_categories WHERE active = 1", "");
    if (!rc && !(rc = cg_stmt_one(st)))
        n = cg_stmt_int(st, 0);
    if (st)
        cg_stmt_reset(st);
    if (!rc && !(k->cats = cg_arena_calloc(k->a, (size_t)(n + 1) * sizeof *k->cats)))
        rc = CG_ENOMEM;
    if (!rc)
        rc = cg_store_query(s, &st,
                            "SELECT id, code, domain, zh, size, department, accept_days,"
                            " finish_days FROM case_categories WHERE active = 1 ORDER BY code",
                            "");
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW && (int64_t)k->ncats < n) {
        struct category *c = &k->cats[k->ncats++];
        c->id = cg_stmt_int(st, 0);
        c->code = cg_arena_strdup(k->a, cg_stmt_text(st, 1));
        c->domain = cg_arena_strdup(k->a, cg_stmt_text(st, 2));
        c->zh = cg_arena_strdup(k->a, cg_stmt_text(st, 3));
        c->size = cg_arena_strdup(k->a, cg_stmt_text(st, 4));
        c->department = cg_stmt_text(st, 5) ? cg_arena_strdup(k->a, cg_stmt_text(st, 5)) : NULL;
        c->accept_days = (int)cg_stmt_int(st, 6);
        c->finish_days = (int)cg_stmt_int(st, 7);
        rc = 0;
    }
    if (st)
        cg_stmt_reset(st);
    if (rc == CG_DONE || rc == CG_ROW)
        rc = 0;
    /* Each domain's share goes to its categories evenly; positive dispatch
     * belongs to the epidemic years, not this one. */
    for (size_t i = 0; !rc && i < k->ncats; i++) {
        struct category *c = &k->cats[i];
        int same = 0;
        for (size_t j = 0; j < k->ncats; j++)
            same += !strcmp(k->cats[j].domain, c->domain) &&
                    strcmp(k->cats[j].code, "health.positive_dispatch");
        for (size_t d = 0; d < sizeof domain_mix / sizeof domain_mix[0]; d++)
            if (!strcmp(domain_mix[d].domain, c->domain) && same)
                c->weight = domain_mix[d].per_mille / same;
        if (!strcmp(c->code, "health.positive_dispatch"))
            c->weight = 0;
        k->cat_total += c->weight;
    }
    return rc;
}

/* The month (1-12) of a day number (days since 1970-01-01). */
static int month_of(int64_t z)
{
    int y, m, d;
    cg_civil_from_days(z, &y, &m, &d);
    return m;
}

/* ---- one case's life ---- */

struct step {
    const char *action, *from, *to;
    int64_t at;
    const struct unit *by; /* whose staff acts (NULL: the department) */
    const struct dept *dept_by;
    int64_t unit_area, unit_dept; /* where it went */
    const char *note;
};

struct life {
    struct step steps[12];
    int n;
    const struct category *cat;
    const char *type;
    const struct unit *grid, *comm, *town;
    const struct dept *dept; /* the department it is assigned to, or NULL */
    int64_t created, accept_due, finish_due;
    const char *outcome;
};

/* t plus n working days (Monday to Friday, in Asia/Shanghai). */
static int64_t workdays_add(int64_t t, int n)
{
    while (n > 0) {
        t += DAY;
        int64_t wd = ((t + CG_TZ_OFFSET) / DAY + 4) % 7; /* 0 Sunday */
        if (wd != 0 && wd != 6)
            n--;
    }
    return t;
}

static const struct dept *dept_for(const struct county *k, const char *word)
{
    if (!word)
        return NULL;
    size_t n = strlen(word);
    for (size_t i = 0; i < k->ndepts; i++)
        for (const char *p = k->depts[i].domains; p && *p;) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            if (len == n && !strncmp(p, word, n))
                return &k->depts[i];
            p = e ? e + 1 : NULL;
        }
    return NULL;
}

static void add(struct life *l, const char *action, const char *from, const char *to,
                const struct unit *by, const struct dept *dept_by, const char *note)
{
    struct step *s = &l->steps[l->n++];
    *s = (struct step){action, from, to, 0, by, dept_by, 0, 0, note};
}

static const char *type_of(const struct category *c)
{
    if (!strcmp(c->domain, "request"))
        return "request";
    if (!strcmp(c->domain, "dispute"))
        return "dispute";
    if (!strcmp(c->domain, "suggestion"))
        return "suggestion";
    if (!strncmp(c->code, "finding.", 8))
        return "finding";
    if (!strcmp(c->domain, "assistance"))
        return "assistance";
    return "event";
}

/* The walk through the state table: on the spot, by the grid, by the town,
 * or up to the centre and out to a department. */
static void plan(rng *r, const struct county *k, struct life *l)
{
    const struct category *c = l->cat;
    int small = !strcmp(c->size, "small");
    const struct dept *d = dept_for(k, c->department);
    add(l, "report", NULL, "reported", l->grid, NULL, NULL);
    if (small && strcmp(l->type, "dispute") && strcmp(l->type, "suggestion") &&
        chance(r, !strcmp(l->type, "request") ? 0.7 : 0.62)) {
        add(l, "handle_on_spot", "reported", "closed", l->grid, NULL, "已现场处置，拍照留存");
        return;
    }
    if (small) {
        add(l, "accept", "reported", "handling", l->grid, NULL, NULL);
        if (chance(r, 0.03)) {
            add(l, "report_done", "handling", "done", l->grid, NULL, "已处理");
            add(l, "verify_fail", "done", "handling", l->comm, NULL, "现场核查未整改到位");
        }
        add(l, "report_done", "handling", "done", l->grid, NULL,
            !strcmp(l->type, "dispute") ? "经调解双方达成一致" : "已办结，群众满意");
        add(l, "verify_pass", "done", "closed", l->comm, NULL, NULL);
        return;
    }
    struct step *s;
    add(l, "escalate", "reported", "reported", l->grid, NULL, "需上级协调处置");
    l->steps[l->n - 1].unit_area = l->comm->id;
    add(l, "escalate", "reported", "reported", l->comm, NULL, NULL);
    l->steps[l->n - 1].unit_area = l->town->id;
    if (!d || chance(r, 0.45)) { /* the town handles it */
        add(l, "accept", "reported", "handling", l->town, NULL, NULL);
        add(l, "report_done", "handling", "done", l->town, NULL, "镇级协调处置完毕");
        add(l, "verify_pass", "done", "closed", l->grid, NULL, "现场核查属实");
        return;
    }
    add(l, "escalate", "reported", "reported", l->town, NULL, NULL);
    l->steps[l->n - 1].unit_area = k->centre.id;
    add(l, "assign", "reported", "reported", &k->centre, NULL, NULL);
    s = &l->steps[l->n - 1];
    s->unit_area = k->centre.id;
    s->unit_dept = d->id;
    l->dept = d;
    add(l, "accept", "reported", "handling", NULL, d, NULL);
    if (chance(r, 0.04)) {
        add(l, "report_done", "handling", "done", NULL, d, "已处置");
        add(l, "verify_fail", "done", "handling", l->grid, NULL, "群众反映问题仍存在");
    }
    add(l, "report_done", "handling", "done", NULL, d, "已按职责处置完毕");
    add(l, "verify_pass", "done", "closed", l->grid, NULL, "现场核查属实");
}

/* Times: the first steps come within hours, the finish within the deadline
 * for most cases (late for about one in thirty), on the spot within an hour. */
static void timeline(rng *r, struct life *l, int64_t now)
{
    int64_t window = l->finish_due - l->created;
    int64_t end = l->steps[l->n - 1].action[0] == 'h'
                      ? between(r, 10 * 60, 90 * 60)
                      : (int64_t)((chance(r, 0.03) ? 1.05 + unit(r) : 0.08 + 0.85 * unit(r)) *
                                  (double)window);
    if (l->created + end > now - HOUR) /* a recent case: its life is quicker */
        end = (now - HOUR - l->created) > 120 ? (now - HOUR - l->created) : 120;
    l->steps[0].at = l->created;
    for (int i = 1; i < l->n; i++) {
        int64_t left = end - (l->steps[i - 1].at - l->created);
        int remaining = l->n - i;
        int64_t gap = remaining > 1 ? (int64_t)((double)left / remaining * (0.3 + unit(r))) : left;
        l->steps[i].at = l->steps[i - 1].at + (gap > 60 ? gap : 60);
    }
}

/* ---- writing ---- */

struct writer {
    cg_store *s;
    rng r;
    const struct county *k;
    int64_t now, filed, open, events;
};

static const char *actor_user(const struct step *s, const struct county *k, int64_t *uid,
                              const char **name, cg_arena *a)
{
    (void)k;
    if (s->dept_by) {
        *uid = 0;
        *name = s->dept_by->name;
        return cg_arena_printf(a, "demo:%s", s->dept_by->code);
    }
    *uid = s->by->user_id;
    *name = s->by->staff ? s->by->staff : s->by->name;
    return s->by->username ? s->by->username : cg_arena_printf(a, "demo:%s", s->by->code);
}

static int write_step(struct writer *w, int64_t case_id, const struct step *s, cg_arena *a)
{
    int64_t uid = 0;
    const char *name = NULL, *user = actor_user(s, w->k, &uid, &name, a);
    if (!user)
        return CG_ENOMEM;
    w->events++;
    return cg_store_run(
        w->s, NULL,
        "INSERT INTO case_events (case_id, at, actor_id, actor, actor_name, action, from_state,"
        " to_state, note, unit_area_id, unit_department_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "iizssssszzz", case_id, s->at, uid, user, name, s->action, s->from, s->to, s->note,
        s->unit_area, s->unit_dept);
}

static const char *title_of(rng *r, const struct life *l, cg_arena *a)
{
    static const char *const where[] = {"路口", "小区门口", "村委会旁", "主街",
                                        "巷道", "集市",     "学校附近", "广场"};
    return cg_arena_printf(a, "%s%s%s", l->grid->name, where[next64(r) % 8], l->cat->zh);
}

/* A person's name for parties and requesters. */
static const char *someone(rng *r, cg_arena *a)
{
    char given[16];
    cg__demo_given_name(given, sizeof given, (int)between(r, 1950, 2000), (int)(next64(r) & 1),
                        next64(r));
    return cg_arena_printf(a, "%s%s", cg__demo_surname(next64(r)), given);
}

/* Inserts the case as its last step left it, then its timeline. */
static int write_case(struct writer *w, struct life *l, int cut, cg_arena *a)
{
    rng *r = &w->r;
    int n = l->n - cut;
    const struct step *last = &l->steps[n - 1];
    const char *state = last->to;
    int64_t holder_area = l->grid->id, holder_dept = 0, from_area = 0, from_dept = 0;
    int64_t accepted = 0, done = 0, closed = 0;
    for (int i = 1; i < n; i++) {
        const struct step *s = &l->steps[i];
        if (!strcmp(s->action, "escalate") || !strcmp(s->action, "assign")) {
            from_area = holder_area;
            from_dept = holder_dept;
            holder_area = s->unit_area;
            holder_dept = s->unit_dept;
        }
        if (!strcmp(s->action, "accept") && !accepted)
            accepted = s->at;
        if (!strcmp(s->action, "report_done"))
            done = s->at;
        if (!strcmp(s->to, "closed"))
            closed = s->at;
    }
    int dispute = !strcmp(l->type, "dispute");
    const char *outcome = dispute && done ? l->outcome : NULL;
    int request = !strcmp(l->type, "request");
    char phone[12];
    snprintf(phone, sizeof phone, "1%d%09llu", (int)between(r, 30, 99),
             (unsigned long long)(next64(r) % 1000000000ULL));
    int overdue = strcmp(state, "closed") && l->finish_due < w->now;
    int64_t case_id = 0;
    int rc = cg_store_insert(
        w->s, &case_id,
        "INSERT INTO cases (type, category_id, domain, state, version, source, area_id,"
        " area_path, holder_area_id, holder_department_id, from_area_id, from_department_id,"
        " reporter_id, reporter, contact_name, contact_phone, title, description, parties,"
        " mediator, outcome, agreement, person_name, created_at, updated_at, accepted_at,"
        " done_at, closed_at, accept_due, finish_due, card)"
        " VALUES (?, ?, ?, ?, ?, 'demo', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        "sissiisizzzzssssssssssiizzziis", l->type, l->cat->id, l->cat->domain, state, (int64_t)n,
        l->grid->id, l->grid->path, holder_area, holder_dept, from_area, from_dept,
        l->grid->user_id, l->grid->username ? l->grid->username : "demo",
        request ? someone(r, a) : NULL, request ? phone : NULL, title_of(r, l, a),
        !strcmp(l->type, "finding") ? "督导检查发现，需限期整改" : NULL,
        dispute ? cg_arena_printf(a, "%s；%s", someone(r, a), someone(r, a)) : NULL,
        dispute ? l->grid->staff : NULL, outcome,
        outcome && !strcmp(outcome, "agreed") ? "双方自愿达成调解协议，当场履行" : NULL,
        !strcmp(l->type, "assistance") ? someone(r, a) : NULL, l->created, last->at, accepted, done,
        closed, l->accept_due, l->finish_due, overdue ? "red" : "none");
    for (int i = 0; !rc && i < n; i++)
        rc = write_step(w, case_id, &l->steps[i], a);
    for (int i = 1; !rc && i < n; i++) {
        const struct step *s = &l->steps[i];
        if (!strcmp(s->action, "escalate") || !strcmp(s->action, "assign")) {
            const char *path = NULL;
            const struct county *k = w->k;
            if (s->unit_area == k->centre.id)
                path = k->centre.path;
            else
                for (size_t j = 0; !path && j < k->ncomms; j++)
                    if (k->comms[j].id == s->unit_area)
                        path = k->comms[j].path;
            for (size_t j = 0; !path && j < k->ntowns; j++)
                if (k->towns[j].id == s->unit_area)
                    path = k->towns[j].path;
            rc = cg_store_run(w->s, NULL,
                              "INSERT INTO case_units (case_id, area_id, area_path, department_id,"
                              " reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                              "iiszsi", case_id, s->unit_area, path ? path : k->centre.path,
                              s->unit_dept, s->action, s->at);
        }
    }
    w->filed++;
    w->open += strcmp(state, "closed") != 0;
    return rc;
}

static const struct unit *pick_grid(rng *r, const struct county *k)
{
    double x = unit(r) * k->grid_total;
    for (size_t i = 0; i < k->ngrids; i++)
        if ((x -= k->grids[i].weight) < 0)
            return &k->grids[i];
    return &k->grids[k->ngrids - 1];
}

static const struct category *pick_category(rng *r, const struct county *k, int month)
{
    for (;;) {
        double x = unit(r) * k->cat_total;
        const struct category *c = &k->cats[k->ncats - 1];
        for (size_t i = 0; i < k->ncats; i++)
            if ((x -= k->cats[i].weight) < 0) {
                c = &k->cats[i];
                break;
            }
        /* Floods in summer, open burning in spring and autumn: others are
         * redrawn out of season most of the time. */
        int summer = month >= 6 && month <= 9,
            burning = month == 3 || month == 4 || month == 10 || month == 11;
        if (!strcmp(c->code, "natural_disaster.flood") && !summer && chance(r, 0.9))
            continue;
        if (!strcmp(c->code, "environment.burning") && !burning && chance(r, 0.8))
            continue;
        return c;
    }
}

/* The filing time of the i-th of n cases: days weighted by month and
 * weekday, in office hours mostly. */
static int64_t filing_time(rng *r, int64_t first_day, int64_t days, const double *cum)
{
    double x = unit(r) * cum[days - 1];
    int64_t lo = 0, hi = days - 1;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (cum[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    int hour = chance(r, 0.85) ? (int)between(r, 8, 18) : (int)between(r, 0, 23);
    return (first_day + lo) * DAY - CG_TZ_OFFSET + hour * HOUR + between(r, 0, HOUR - 1);
}

static int write_year(struct writer *w)
{
    cg_arena *a = cg_arena_new();
    rng *r = &w->r;
    const struct county *k = w->k;
    int64_t today = (w->now + CG_TZ_OFFSET) / DAY, days = 365, first = today - days;
    double *cum = calloc((size_t)days, sizeof *cum);
    if (!cum || !a) {
        free(cum);
        cg_arena_free(a);
        return CG_ENOMEM;
    }
    double total = 0;
    for (int64_t i = 0; i < days; i++) {
        int64_t d = first + i, wd = (d + 4) % 7;
        total += month_weight[month_of(d) - 1] * (wd == 0 || wd == 6 ? 0.55 : 1.0);
        cum[i] = total;
    }
    int rc = 0;
    int64_t n = DEMO_CASES;
    for (int64_t i = 0; !rc && i < n; i++) {
        struct life l;
        memset(&l, 0, sizeof l);
        l.created = filing_time(r, first, days, cum);
        l.cat = pick_category(r, k, month_of((l.created + CG_TZ_OFFSET) / DAY));
        l.type = type_of(l.cat);
        l.grid = pick_grid(r, k);
        l.comm = &k->comms[l.grid->parent >= 0 ? l.grid->parent : 0];
        l.town = &k->towns[l.comm->parent >= 0 ? l.comm->parent : 0];
        l.accept_due = workdays_add(l.created, l.cat->accept_days);
        l.finish_due = workdays_add(l.created, l.cat->finish_days);
        double o = unit(r);
        l.outcome = o < 0.86 ? "agreed" : o < 0.96 ? "court" : "failed";
        plan(r, k, &l);
        timeline(r, &l, w->now);
        /* Still open: 0.06 % of the year, mostly among the last fortnight's
         * cases, a few older ones left past their deadline. */
        int64_t age = w->now - l.created;
        int cut = 0;
        if (l.n > 1 && chance(r, age < 14 * DAY ? 0.009 : 0.00027))
            cut = (int)between(r, 1, l.n - 1 < 3 ? l.n - 1 : 3);
        rc = write_case(w, &l, cut, a);
        if (!rc && i % 1000 == 999) { /* keep the arena small */
            cg_arena_free(a);
            rc = (a = cg_arena_new()) ? 0 : CG_ENOMEM;
        }
    }
    free(cum);
    cg_arena_free(a);
    return rc;
}

int cg__demo_cases(cg_store *s, const struct cg_actor *actor, const char *county_code,
                   uint64_t seed, int64_t now, struct cg_demo_cases *out)
{
    memset(out, 0, sizeof *out);
    double t0 = cg_monotonic();
    struct county k = {0};
    if (!(k.a = cg_arena_new()))
        return CG_ENOMEM;
    struct writer w = {.s = s, .r = {seed ^ 0x63617365ULL}, .k = &k, .now = now};
    struct cg_audit_record rec = {"demo.cases", "area", county_code, NULL, 0, NULL};
    struct cg_bulk *bulk = NULL;
    int rc = load_county(s, county_code, &k);
    if (!rc)
        rc = load_categories(s, &k);
    if (!rc)
        rc = cg_store_bulk_begin(s, &bulk);
    if (!rc)
        rc = cg_store_begin(s);
    if (rc) {
        cg_store_bulk_end(s, bulk);
        cg_arena_free(k.a);
        return rc;
    }
    rc = write_year(&w);
    rec.area_path = k.centre.path;
    rec.detail = cg_arena_printf(k.a, "%s: cases=%lld open=%lld events=%lld", k.centre.name,
                                 (long long)w.filed, (long long)w.open, (long long)w.events);
    if (!rc)
        rc = cg_audit_write(s, actor, NULL, &rec);
    if (!rc)
        rc = cg_store_commit(s);
    if (rc)
        cg_store_rollback(s);
    cg_store_bulk_end(s, bulk);
    out->cases = w.filed;
    out->open = w.open;
    out->events = w.events;
    /* The figures' summary, computed from the new timeline at once: the
     * rebuild's few set-wise statements are much quicker than folding a
     * year case by case (8 against 55 s on PostgreSQL, where every statement is a round trip). */
    if (!rc)
        rc = cg_case_figures_rebuild(s);
    out->seconds = cg_monotonic() - t0;
    cg_arena_free(k.a);
    return rc;
}
