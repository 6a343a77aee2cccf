/* Lists of cases and the "my tasks" counts. A list's statement is put
 * together from fixed fragments, one per filter given, so that each
 * variant is a plain indexed query (an "? IS NULL OR col = ?" for every
 * filter would keep SQLite from using the indexes); every value is bound. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "case_int.h"
#include "civgrid/area.h"
#include "civgrid/audit.h"
#include "civgrid/buf.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/scope.h"

#define MAX_BINDS 24

struct sql {
    cg_buf text;
    int n;
    struct {
        int is_text;
        int64_t i;
        const char *s;
    } bind[MAX_BINDS];
};

/* Appends a fixed fragment of SQL (never input) with its bound values:
 * fmt has one letter per '?' ('i' int64_t, 's' text). */
static int add(struct sql *q, const char *fragment, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cg_buf_puts(&q->text, fragment) ? CG_ENOMEM : 0;
    for (const char *f = fmt; !rc && *f; f++) {
        if (q->n == MAX_BINDS) {
            rc = CG_EINTERNAL;
            break;
        }
        q->bind[q->n].is_text = *f == 's';
        if (*f == 's')
            q->bind[q->n].s = va_arg(ap, const char *);
        else
            q->bind[q->n].i = va_arg(ap, int64_t);
        q->n++;
    }
    va_end(ap);
    return rc;
}

static int prepare(cg_store *s, struct sql *q, cg_stmt **out)
{
    if (cg_buf_puts(&q->text, "") || !q->text.data)
        return CG_ENOMEM;
    int rc = cg_store_prepare(s, q->text.data, out);
    for (int i = 0; !rc && i < q->n; i++)
        rc = q->bind[i].is_text ? cg_stmt_bind_text(*out, i + 1, q->bind[i].s, (size_t)-1)
                                : cg_stmt_bind_int(*out, i + 1, q->bind[i].i);
    if (rc && *out)
        cg_stmt_reset(*out);
    return rc;
}

/* What the actor may see: a department's cases, or its scope and the
 * units below it that a case was sent or copied to. */
static int add_visibility(struct sql *q, const struct cg_actor *actor, const struct cg_scope *sc)
{
    if (cg__case_is_department(actor))
        return add(q, " AND c.id IN (SELECT u.case_id FROM case_units u WHERE u.department_id = ?)",
                   "i", actor->department_id);
    return add(
        q,
        " AND (" CG_SCOPE_SQL("c.area_path") " OR c.id IN (SELECT u.case_id FROM case_units u"
                                             " WHERE u.department_id IS NULL AND " CG_SCOPE_SQL(
                                                 "u.area_path") "))",
        "ssss", sc->from, sc->to, sc->from, sc->to);
}

/* "My tasks": open cases the actor's unit holds, and those done that wait
 * for its verification (it filed them or sent them on). */
static int add_mine(struct sql *q, const struct cg_actor *actor)
{
    if (cg__case_is_department(actor))
        return add(
            q, " AND c.holder_department_id = ? AND c.state IN ('reported', 'handling', 'done')",
            "i", actor->department_id);
    return add(q,
               " AND ((c.holder_area_id = ? AND c.holder_department_id IS NULL"
               " AND c.state IN ('reported', 'handling', 'done'))"
               " OR (c.state = 'done' AND (c.reporter = ? OR c.from_area_id = ?)))",
               "isi", actor->area_id, actor->username, actor->area_id);
}

static int check_code(const char *v, const char *field, int (*valid)(const char *),
                      struct cg_field_error *fe)
{
    if (v && !valid(v))
        return cg_field_fail(fe, CG_EBADTYPE, field, "unknown %s", field);
    return 0;
}

static int valid_state(const char *v)
{
    enum cg_case_state st;
    return !strcmp(v, "open") || !cg_case_state_parse(v, &st);
}

static int valid_type(const char *v)
{
    enum cg_case_type t;
    return !cg_case_type_parse(v, &t);
}

static int valid_card(const char *v)
{
    return !strcmp(v, "none") || !strcmp(v, "yellow") || !strcmp(v, "red");
}

static int valid_domain(const char *v)
{
    for (const struct cg_case_label *d = cg_case_domains; d->code; d++)
        if (!strcmp(d->code, v))
            return 1;
    return 0;
}

static int add_filters(cg_store *s, struct sql *q, const struct cg_actor *actor,
                       const struct cg_case_query *f, cg_arena *a, struct cg_field_error *fe)
{
    struct cg_scope sc;
    int rc = check_code(f->state, "state", valid_state, fe);
    if (!rc)
        rc = check_code(f->type, "type", valid_type, fe);
    if (!rc)
        rc = check_code(f->card, "card", valid_card, fe);
    if (!rc)
        rc = check_code(f->domain, "domain", valid_domain, fe);
    if (!rc && !cg__case_is_department(actor))
        rc = cg_scope_of(actor, a, &sc);
    if (!rc)
        rc = add(q, " WHERE 1 = 1", "");
    if (!rc)
        rc = add_visibility(q, actor, &sc);
    if (!rc && f->area_code && *f->area_code) {
        struct cg_area area;
        struct cg_scope at;
        rc = cg_area_get_by_code(s, f->area_code, a, &area);
        if (!rc && !cg_actor_in_scope(actor, area.path))
            rc = CG_ENOTFOUND;
        if (rc == CG_ENOTFOUND)
            return cg_field_fail(fe, rc, "area_code", "no area '%s' in your scope", f->area_code);
        if (!rc)
            rc = cg_scope_at(area.path, a, &at);
        if (!rc)
            rc = add(q, " AND " CG_SCOPE_SQL("c.area_path"), "ss", at.from, at.to);
    }
    if (!rc && f->state && !strcmp(f->state, "open"))
        rc = add(q, " AND c.state IN ('reported', 'handling', 'done')", "");
    else if (!rc && f->state)
        rc = add(q, " AND c.state = ?", "s", f->state);
    if (!rc && f->type)
        rc = add(q, " AND c.type = ?", "s", f->type);
    if (!rc && f->domain)
        rc = add(q, " AND c.domain = ?", "s", f->domain);
    if (!rc && f->category)
        rc = add(q, " AND c.category_id = (SELECT k.id FROM case_categories k WHERE k.code = ?)",
                 "s", f->category);
    if (!rc && f->card)
        rc = add(q, " AND c.card = ?", "s", f->card);
    if (!rc && f->unit)
        rc = add(q,
                 " AND ((c.holder_department_id IS NULL AND c.holder_area_id ="
                 " (SELECT ua.id FROM areas ua WHERE ua.code = ?)) OR c.holder_department_id ="
                 " (SELECT ud.id FROM departments ud WHERE ud.code = ?))",
                 "ss", f->unit, f->unit);
    if (!rc && f->mine)
        rc = add_mine(q, actor);
    if (!rc && f->created_from)
        rc = add(q, " AND c.created_at >= ?", "i", f->created_from);
    if (!rc && f->created_to)
        rc = add(q, " AND c.created_at < ?", "i", f->created_to);
    return rc;
}

static int count(cg_store *s, const struct cg_actor *actor, const struct cg_case_query *f,
                 cg_arena *a, int64_t *total, struct cg_field_error *fe)
{
    struct sql q = {0};
    cg_stmt *st = NULL;
    cg_buf_init(&q.text, 16384);
    int rc = add(&q, "SELECT COUNT(*) FROM cases c", "");
    if (!rc)
        rc = add_filters(s, &q, actor, f, a, fe);
    if (!rc)
        rc = prepare(s, &q, &st);
    if (!rc) {
        if (!(rc = cg_stmt_one(st)))
            *total = cg_stmt_int(st, 0);
        cg_stmt_reset(st);
    }
    cg_buf_free(&q.text);
    return rc;
}

int cg_case_list(cg_store *s, const struct cg_actor *actor, const struct cg_case_query *f,
                 cg_arena *a, struct cg_case **items, size_t *n, int64_t *total,
                 struct cg_field_error *fe)
{
    *items = NULL;
    *n = 0;
    if (!cg_actor_can(actor, CG_PERM_CASES_READ))
        return CG_EFORBIDDEN;
    int limit = f->limit ? f->limit : 50;
    if (limit < 1 || limit > 1000)
        return cg_field_fail(fe, CG_EBADTYPE, "limit", "limit is 1 to 1000");
    if (f->offset < 0)
        return cg_field_fail(fe, CG_EBADTYPE, "offset", "offset is 0 or more");
    struct sql q = {0};
    cg_stmt *st = NULL;
    cg_buf_init(&q.text, 16384);
    int rc = add(&q, "SELECT " CG__CASE_COLUMNS CG__CASE_FROM, "");
    if (!rc)
        rc = add_filters(s, &q, actor, f, a, fe);
    if (!rc)
        rc = add(&q, " ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?", "ii",
                 (int64_t)limit, f->offset);
    if (!rc && !(*items = cg_arena_calloc(a, (size_t)limit * sizeof **items)))
        rc = CG_ENOMEM;
    if (!rc)
        rc = prepare(s, &q, &st);
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        cg__case_read(st, a, &(*items)[(*n)++]);
        rc = 0;
    }
    if (st)
        cg_stmt_reset(st);
    cg_buf_free(&q.text);
    if (rc != CG_DONE && rc)
        return rc;
    if (total)
        rc = count(s, actor, f, a, total, fe);
    if (rc)
        return rc;
    struct cg_audit_record rec = {"case.list",      "case", NULL,
                                  actor->area_path, 0,      cg_arena_printf(a, "%zu cases", *n)};
    return cg_audit_read(s, actor, &rec);
}

int cg_case_counts_mine(cg_store *s, const struct cg_actor *actor, struct cg_case_counts *out)
{
    memset(out, 0, sizeof *out);
    if (!cg_actor_can(actor, CG_PERM_CASES_READ))
        return CG_EFORBIDDEN;
    int dept = cg__case_is_department(actor);
    cg_stmt *st = NULL;
    int rc = dept
                 ? cg_store_query(s, &st,
                                  "SELECT state, COUNT(*) FROM cases WHERE holder_department_id = ?"
                                  " AND state IN ('reported', 'handling', 'done') GROUP BY state",
                                  "i", actor->department_id)
                 : cg_store_query(s, &st,
                                  "SELECT state, COUNT(*) FROM cases WHERE holder_area_id = ?"
                                  " AND holder_department_id IS NULL"
                                  " AND state IN ('reported', 'handling', 'done') GROUP BY state",
                                  "i", actor->area_id);
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        const char *state = cg_stmt_text(st, 0);
        int64_t v = cg_stmt_int(st, 1);
        if (!strcmp(state, "reported"))
            out->reported = v;
        else if (!strcmp(state, "handling"))
            out->handling = v;
        else
            out->done = v;
        rc = 0;
    }
    if (st)
        cg_stmt_reset(st);
    if (rc != CG_DONE)
        return rc;
    if (dept)
        return 0;
    /* Done cases it filed or sent on, held by another unit. */
    rc = cg_store_query(s, &st,
                        "SELECT COUNT(*) FROM cases WHERE state = 'done'"
                        " AND (reporter = ? OR from_area_id = ?)"
                        " AND NOT (holder_area_id = ? AND holder_department_id IS NULL)",
                        "sii", actor->username, actor->area_id, actor->area_id);
    if (!rc && !(rc = cg_stmt_one(st)))
        out->to_verify = cg_stmt_int(st, 0);
    if (st)
        cg_stmt_reset(st);
    return rc;
}
