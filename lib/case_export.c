/* Exports of cases in the office's words (include/civgrid/case_export.h). */
#include "civgrid/case_export.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "civgrid/audit.h"
#include "civgrid/case.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/export.h"
#include "civgrid/scope.h"

/* Rows read per query: pages by (created_at, id), so that neither backend
 * holds more than a page, whatever the export's size. */
#define PAGE 1000

static const struct cg_case_label types[] = {
#define CG__EXP_TYPE(name, code, zh, en) {code, zh, en},
    CG_CASE_TYPES(CG__EXP_TYPE)
#undef CG__EXP_TYPE
        {NULL, NULL, NULL}};
static const struct cg_case_label states[] = {
#define CG__EXP_STATE(name, code, zh, en) {code, zh, en},
    CG_CASE_STATES(CG__EXP_STATE)
#undef CG__EXP_STATE
        {NULL, NULL, NULL}};
static const struct cg_case_label domains[] = {
#define CG__EXP_DOMAIN(code, zh, en) {code, zh, en},
    CG_CASE_DOMAINS(CG__EXP_DOMAIN)
#undef CG__EXP_DOMAIN
        {NULL, NULL, NULL}};
static const struct cg_case_label cards[] = {{"none", "无", "None"},
                                             {"yellow", "黄牌", "Yellow"},
                                             {"red", "红牌", "Red"},
                                             {NULL, NULL, NULL}};
static const struct cg_case_label outcomes[] = {{"agreed", "调解成功", "Agreed"},
                                                {"court", "转诉前调解", "Referred to the court"},
                                                {"failed", "调解不成", "Failed"},
                                                {NULL, NULL, NULL}};

enum {
    COL_ID,
    COL_TYPE,
    COL_STATE,
    COL_DOMAIN,
    COL_CATEGORY,
    COL_TITLE,
    COL_AREA,
    COL_AREA_CODE,
    COL_HOLDER,
    COL_REPORTER,
    COL_CREATED,
    COL_ACCEPTED,
    COL_DONE,
    COL_CLOSED,
    COL_DUE,
    COL_OVERDUE,
    COL_CARD,
    COL_OUTCOME,
    COL_ADDRESS,
    COL_DESCRIPTION,
    NCOLS
};

static const char *const heads[NCOLS] = {
    [COL_ID] = "案件编号",      [COL_TYPE] = "类型",          [COL_STATE] = "状态",
    [COL_DOMAIN] = "领域",      [COL_CATEGORY] = "事项分类",  [COL_TITLE] = "标题",
    [COL_AREA] = "所在区域",    [COL_AREA_CODE] = "区域编码", [COL_HOLDER] = "当前承办单位",
    [COL_REPORTER] = "上报人",  [COL_CREATED] = "上报时间",   [COL_ACCEPTED] = "受理时间",
    [COL_DONE] = "办结时间",    [COL_CLOSED] = "结案时间",    [COL_DUE] = "办结期限",
    [COL_OVERDUE] = "是否超期", [COL_CARD] = "督办",          [COL_OUTCOME] = "调解结果",
    [COL_ADDRESS] = "地址",     [COL_DESCRIPTION] = "描述",
};
static const double widths[NCOLS] = {
    [COL_ID] = 10,       [COL_TYPE] = 8,      [COL_STATE] = 8,    [COL_DOMAIN] = 10,
    [COL_CATEGORY] = 14, [COL_TITLE] = 40,    [COL_AREA] = 24,    [COL_AREA_CODE] = 16,
    [COL_HOLDER] = 24,   [COL_REPORTER] = 16, [COL_CREATED] = 19, [COL_ACCEPTED] = 19,
    [COL_DONE] = 19,     [COL_CLOSED] = 19,   [COL_DUE] = 19,     [COL_OVERDUE] = 8,
    [COL_CARD] = 6,      [COL_OUTCOME] = 12,  [COL_ADDRESS] = 30, [COL_DESCRIPTION] = 50,
};

/* The word of a code (the code itself when the table lacks it). */
static const char *zh(const struct cg_case_label *t, const char *code)
{
    for (; code && t->code; t++)
        if (!strcmp(t->code, code))
            return t->zh;
    return code;
}

static int known(const struct cg_case_label *t, const char *code)
{
    for (; t->code; t++)
        if (!strcmp(t->code, code))
            return 1;
    return 0;
}

static const char *when(cg_arena *a, cg_stmt *st, int col)
{
    if (cg_stmt_isnull(st, col) || !cg_stmt_int(st, col))
        return NULL;
    char buf[20];
    cg_time_local(cg_stmt_int(st, col), buf);
    return cg_arena_strdup(a, buf);
}

#define SELECT_PAGE                                                                                \
    "SELECT c.id, c.type, c.state, c.domain, cat.zh, c.title, ar.name, ar.code,"                   \
    " COALESCE(d.name, ha.name), c.reporter, c.created_at, c.accepted_at, c.done_at,"              \
    " c.closed_at, c.finish_due, c.card, c.outcome, c.address, c.description"                      \
    " FROM cases c JOIN case_categories cat ON cat.id = c.category_id"                             \
    " JOIN areas ar ON ar.id = c.area_id JOIN areas ha ON ha.id = c.holder_area_id"                \
    " LEFT JOIN departments d ON d.id = c.holder_department_id"                                    \
    " WHERE " CG_SCOPE_SQL(                                                                        \
        "c.area_path") " AND (? = 0 OR EXISTS (SELECT 1 FROM case_units u WHERE u.case_id = c.id"  \
                       " AND u.department_id = ?))"                                                \
                       " AND (? = '' OR c.state = ? OR (? = 'open' AND c.state <> 'closed'))"      \
                       " AND (? = '' OR c.type = ?) AND (? = '' OR c.domain = ?)"                  \
                       " AND c.created_at >= ? AND c.created_at < ?"                               \
                       " AND (c.created_at > ? OR (c.created_at = ? AND c.id > ?))"                \
                       " ORDER BY c.created_at, c.id LIMIT ?"

struct filter {
    struct cg_scope sc;
    int64_t dept, from, to, now;
    const char *state, *type, *domain;
};

static int write_page(cg_store *s, const struct filter *f, struct cg_export_stream *x, cg_arena *a,
                      int64_t *at, int64_t *id, int64_t *rows, int *n)
{
    cg_stmt *st = NULL;
    *n = 0;
    int rc = cg_store_query(s, &st, SELECT_PAGE, "ssiisssssssiiiiii", f->sc.from, f->sc.to, f->dept,
                            f->dept, f->state, f->state, f->state, f->type, f->type, f->domain,
                            f->domain, f->from, f->to, *at, *at, *id, (int64_t)PAGE);
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        const char *cell[NCOLS] = {0};
        int64_t due = cg_stmt_int(st, 14), closed = cg_stmt_int(st, 13);
        int open = strcmp(cg_stmt_text(st, 2), "closed") != 0;
        int late = due && (open ? f->now > due : closed > due);
        cell[COL_ID] = cg_arena_printf(a, "%lld", (long long)cg_stmt_int(st, 0));
        cell[COL_TYPE] = zh(types, cg_stmt_text(st, 1));
        cell[COL_STATE] = zh(states, cg_stmt_text(st, 2));
        cell[COL_DOMAIN] = zh(domains, cg_stmt_text(st, 3));
        cell[COL_CATEGORY] = cg_stmt_text(st, 4);
        cell[COL_TITLE] = cg_stmt_text(st, 5);
        cell[COL_AREA] = cg_stmt_text(st, 6);
        cell[COL_AREA_CODE] = cg_stmt_text(st, 7);
        cell[COL_HOLDER] = cg_stmt_text(st, 8);
        cell[COL_REPORTER] = cg_stmt_text(st, 9);
        cell[COL_CREATED] = when(a, st, 10);
        cell[COL_ACCEPTED] = when(a, st, 11);
        cell[COL_DONE] = when(a, st, 12);
        cell[COL_CLOSED] = when(a, st, 13);
        cell[COL_DUE] = when(a, st, 14);
        cell[COL_OVERDUE] = due ? (late ? "是" : "否") : NULL;
        cell[COL_CARD] = zh(cards, cg_stmt_text(st, 15));
        cell[COL_OUTCOME] = zh(outcomes, cg_stmt_text(st, 16));
        cell[COL_ADDRESS] = cg_stmt_text(st, 17);
        cell[COL_DESCRIPTION] = cg_stmt_text(st, 18);
        *at = cg_stmt_int(st, 10);
        *id = cg_stmt_int(st, 0);
        rc = cg_export_stream_row(x, cell);
        (*rows)++;
        (*n)++;
    }
    if (st)
        cg_stmt_reset(st);
    return rc == CG_DONE ? 0 : rc;
}

static int parse_filter(const struct cg_case_export_query *q, struct filter *f,
                        struct cg_field_error *fe)
{
    f->state = q->state ? q->state : "";
    f->type = q->type ? q->type : "";
    f->domain = q->domain ? q->domain : "";
    if (*f->state && strcmp(f->state, "open") && !known(states, f->state))
        return cg_field_fail(fe, CG_EBADTYPE, "state", "state: a case state or open");
    if (*f->type && !known(types, f->type))
        return cg_field_fail(fe, CG_EBADTYPE, "type", "type: a case type");
    if (*f->domain && !known(domains, f->domain))
        return cg_field_fail(fe, CG_EBADTYPE, "domain", "domain: a catalogue domain");
    f->from = 0;
    f->to = INT64_MAX;
    if (q->created_from && *q->created_from && cg_time_parse(q->created_from, &f->from))
        return cg_field_fail(fe, CG_EBADTYPE, "created_from",
                             "created_from: epoch seconds or YYYY-MM-DD[THH:MM[:SS]]");
    if (q->created_to && *q->created_to && cg_time_parse(q->created_to, &f->to))
        return cg_field_fail(fe, CG_EBADTYPE, "created_to",
                             "created_to: epoch seconds or YYYY-MM-DD[THH:MM[:SS]]");
    return 0;
}

int cg_case_export(cg_store *s, const struct cg_actor *actor, const struct cg_case_export_query *q,
                   cg_arena *a, struct cg_case_export *out, struct cg_field_error *fe)
{
    memset(out, 0, sizeof *out);
    out->fd = -1;
    if (!cg_actor_can(actor, CG_PERM_CASES_READ))
        return CG_EFORBIDDEN;
    struct filter f = {.dept = actor->department_id, .now = cg_now()};
    int rc = parse_filter(q, &f, fe);
    if (rc)
        return rc;
    const char *code = q->area_code && *q->area_code ? q->area_code : actor->area_code;
    rc = code ? cg_area_get(s, actor, code, a, &out->area) : CG_ENOTFOUND;
    if (rc == CG_ENOTFOUND)
        return cg_field_fail(fe, rc, "area_code", "area_code: no such area in your scope");
    if (!rc)
        rc = cg_scope_at(out->area.path, a, &f.sc);
    struct cg_export_stream *x = NULL;
    if (!rc)
        rc = cg_export_stream_open(q->xlsx, "案件", heads, NCOLS, widths, &x);
    int64_t at = -1, id = 0;
    for (int n = PAGE; !rc && n == PAGE;) {
        cg_arena *page = cg_arena_new(); /* one page's words at a time */
        rc = page ? write_page(s, &f, x, page, &at, &id, &out->rows, &n) : CG_ENOMEM;
        cg_arena_free(page);
    }
    if (rc)
        cg_export_stream_abort(x);
    else
        rc = cg_export_stream_close(x, &out->fd, &out->size);
    struct cg_audit_record rec = {
        "case.export",
        "area",
        out->area.code,
        out->area.path,
        rc,
        cg_arena_printf(a, "format=%s state=%s type=%s domain=%s results=%lld",
                        q->xlsx ? "xlsx" : "csv", f.state, f.type, f.domain, (long long)out->rows)};
    int arc = cg_audit_read(s, actor, &rec);
    if (!rc && arc) {
        close(out->fd);
        out->fd = -1;
        rc = arc;
    }
    return rc;
}
