/* The category catalogue of cases: seeded by migration 0017, edited by the
 * centre. */
#include <stdio.h>
#include <string.h>

#include "case_int.h"
#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/text.h"

#define CATEGORY_COLUMNS                                                                           \
    "id, code, domain, zh, en, size, department, accept_days, finish_days, accept_yellow,"         \
    " accept_red, finish_yellow, finish_red, reopen_days, active"

static void read_category(cg_stmt *st, cg_arena *a, struct cg_case_category *c)
{
    memset(c, 0, sizeof *c);
    c->id = cg_stmt_int(st, 0);
    c->code = cg_arena_strdup(a, cg_stmt_text(st, 1));
    c->domain = cg_arena_strdup(a, cg_stmt_text(st, 2));
    c->zh = cg_arena_strdup(a, cg_stmt_text(st, 3));
    c->en = cg_arena_strdup(a, cg_stmt_text(st, 4));
    c->size = cg_arena_strdup(a, cg_stmt_text(st, 5));
    c->department = cg_stmt_isnull(st, 6) ? NULL : cg_arena_strdup(a, cg_stmt_text(st, 6));
    c->accept_days = (int)cg_stmt_int(st, 7);
    c->finish_days = (int)cg_stmt_int(st, 8);
    c->accept_yellow = (int)cg_stmt_int(st, 9);
    c->accept_red = (int)cg_stmt_int(st, 10);
    c->finish_yellow = (int)cg_stmt_int(st, 11);
    c->finish_red = (int)cg_stmt_int(st, 12);
    c->reopen_days = (int)cg_stmt_int(st, 13);
    c->active = (int)cg_stmt_int(st, 14);
}

int cg_case_category_list(cg_store *s, const struct cg_actor *actor, int all, cg_arena *a,
                          struct cg_case_category **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (!cg_actor_can(actor, CG_PERM_CASES_READ))
        return CG_EFORBIDDEN;
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT COUNT(*) FROM case_categories", "");
    size_t cap = 0;
    if (!rc && !(rc = cg_stmt_one(st)))
        cap = (size_t)cg_stmt_int(st, 0);
    if (st)
        cg_stmt_reset(st);
    if (rc || !cap)
        return rc;
    if (!(*items = cg_arena_calloc(a, cap * sizeof **items)))
        return CG_ENOMEM;
    rc = cg_store_query(s, &st,
                        "SELECT " CATEGORY_COLUMNS
                        " FROM case_categories WHERE (? = 1 OR active = 1)"
                        " ORDER BY domain, code",
                        "i", (int64_t)(all != 0));
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW && *n < cap) {
        read_category(st, a, &(*items)[(*n)++]);
        rc = 0;
    }
    if (st)
        cg_stmt_reset(st);
    return rc == CG_DONE || rc == CG_ROW ? 0 : rc;
}

int cg_case_category_get(cg_store *s, const char *code, cg_arena *a, struct cg_case_category *out)
{
    if (!code)
        return CG_ENOTFOUND;
    cg_stmt *st = NULL;
    int rc = cg_store_query(
        s, &st, "SELECT " CATEGORY_COLUMNS " FROM case_categories WHERE code = ?", "s", code);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st)))
        read_category(st, a, out);
    cg_stmt_reset(st);
    return rc;
}

static int category_code_valid(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n < 1 || n > 64)
        return 0;
    for (const char *p = code; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              *p == '.' || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

static int check_days(int v, const char *field, struct cg_field_error *fe)
{
    if (v < 0 || v > 365)
        return cg_field_fail(fe, CG_EBADTYPE, field, "%s is 0 to 365 days", field);
    return 0;
}

int cg_case_category_check(cg_store *s, struct cg_case_category *c, cg_arena *a,
                           struct cg_field_error *fe)
{
    (void)s;
    if (!c->code || !*c->code)
        return cg_field_fail(fe, CG_EMISSING, "code", "the category code is missing");
    if (!category_code_valid(c->code))
        return cg_field_fail(fe, CG_EBADTYPE, "code",
                             "a category code is 1-64 letters, digits, '.', '_' or '-'");
    if (!c->domain || !*c->domain)
        return cg_field_fail(fe, CG_EMISSING, "domain", "the domain is missing");
    const struct cg_case_label *d = cg_case_domains;
    while (d->code && strcmp(d->code, c->domain))
        d++;
    if (!d->code)
        return cg_field_fail(fe, CG_EBADTYPE, "domain",
                             "unknown domain (see case_domains in meta)");
    int rc = cg_text_check(c->zh, "zh", "a Chinese name", 100, 1, a, &c->zh, fe);
    if (!rc)
        rc = cg_text_check(c->en, "en", "an English name", 100, 1, a, &c->en, fe);
    if (!rc)
        rc = cg_text_check(c->department, "department", "a department domain", 64, 0, a,
                           &c->department, fe);
    if (rc)
        return rc;
    if (!c->size)
        c->size = "big";
    if (strcmp(c->size, "small") && strcmp(c->size, "big"))
        return cg_field_fail(fe, CG_EBADTYPE, "size", "size is small or big");
    struct {
        int v;
        const char *name;
    } days[] = {{c->accept_days, "accept_days"},     {c->finish_days, "finish_days"},
                {c->accept_yellow, "accept_yellow"}, {c->accept_red, "accept_red"},
                {c->finish_yellow, "finish_yellow"}, {c->finish_red, "finish_red"},
                {c->reopen_days, "reopen_days"}};
    for (size_t i = 0; !rc && i < sizeof days / sizeof days[0]; i++)
        rc = check_days(days[i].v, days[i].name, fe);
    if (!rc && c->accept_yellow > c->accept_red)
        rc = cg_field_fail(fe, CG_EBADTYPE, "accept_red", "the red card comes after the yellow");
    if (!rc && c->finish_yellow > c->finish_red)
        rc = cg_field_fail(fe, CG_EBADTYPE, "finish_red", "the red card comes after the yellow");
    return rc;
}

struct category_write {
    struct cg_case_category *c;
    int update;
    struct cg_field_error *fe;
};

static int write_category(cg_store *s, void *ctx)
{
    struct category_write *w = ctx;
    const struct cg_case_category *c = w->c;
    int64_t changes = 0;
    if (w->update) {
        int rc = cg_store_run(
            s, &changes,
            "UPDATE case_categories SET domain = ?, zh = ?, en = ?, size = ?, department = ?,"
            " accept_days = ?, finish_days = ?, accept_yellow = ?, accept_red = ?,"
            " finish_yellow = ?, finish_red = ?, reopen_days = ?, active = ?, updated_at = ?"
            " WHERE code = ?",
            "sssssiiiiiiiiis", c->domain, c->zh, c->en, c->size, c->department,
            (int64_t)c->accept_days, (int64_t)c->finish_days, (int64_t)c->accept_yellow,
            (int64_t)c->accept_red, (int64_t)c->finish_yellow, (int64_t)c->finish_red,
            (int64_t)c->reopen_days, (int64_t)(c->active != 0), cg_now(), c->code);
        return rc ? rc : changes ? 0 : CG_ENOTFOUND;
    }
    int rc = cg_store_insert(
        s, NULL,
        "INSERT INTO case_categories (code, domain, zh, en, size, department, accept_days,"
        " finish_days, accept_yellow, accept_red, finish_yellow, finish_red, reopen_days, active,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        "ssssssiiiiiiiii", c->code, c->domain, c->zh, c->en, c->size, c->department,
        (int64_t)c->accept_days, (int64_t)c->finish_days, (int64_t)c->accept_yellow,
        (int64_t)c->accept_red, (int64_t)c->finish_yellow, (int64_t)c->finish_red,
        (int64_t)c->reopen_days, (int64_t)(c->active != 0), cg_now());
    if (rc == CG_EEXISTS)
        return cg_field_fail(w->fe, rc, "code", "category '%s' already exists", c->code);
    return rc;
}

static int save(cg_store *s, const struct cg_actor *actor, const struct cg_case_category *in,
                int update, cg_arena *a, struct cg_case_category *out, struct cg_field_error *fe)
{
    struct cg_case_category c = *in;
    struct cg_audit_record rec = {update ? "case_category.update" : "case_category.create",
                                  "case_category",
                                  in->code,
                                  NULL,
                                  0,
                                  NULL};
    int rc = cg_actor_can(actor, CG_PERM_CASES_CATALOGUE) ? 0 : CG_EFORBIDDEN;
    if (!rc)
        rc = cg_case_category_check(s, &c, a, fe);
    if (!rc)
        rec.detail = cg_arena_printf(a, "%s %s %s", c.domain, c.size, c.zh);
    struct category_write w = {&c, update, fe};
    if ((rc = cg_audit_change(s, actor, &rec, rc, write_category, &w)))
        return rc;
    return cg_case_category_get(s, c.code, a, out);
}

int cg_case_category_create(cg_store *s, const struct cg_actor *actor,
                            const struct cg_case_category *in, cg_arena *a,
                            struct cg_case_category *out, struct cg_field_error *fe)
{
    return save(s, actor, in, 0, a, out, fe);
}

int cg_case_category_update(cg_store *s, const struct cg_actor *actor,
                            const struct cg_case_category *in, cg_arena *a,
                            struct cg_case_category *out, struct cg_field_error *fe)
{
    return save(s, actor, in, 1, a, out, fe);
}
