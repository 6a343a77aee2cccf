/* Imports of areas, residents and venues from CSV (see import.h).
 *
 * One pass over the file inside one transaction: each record is checked and,
 * while the import can still succeed, written at once. When the import ends
 * badly (a bad row without skip_invalid, a bad header, a truncated file) or
 * is a dry run, the transaction is rolled back, so nothing is half-written
 * and the report is complete either way. After the first bad row of a strict
 * import, residents and venues are only checked, not written: the work would
 * be rolled back anyway. */
#include "civgrid/import.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/area.h"
#include "civgrid/audit.h"
#include "civgrid/buf.h"
#include "civgrid/clock.h"
#include "civgrid/csvin.h"
#include "civgrid/error.h"
#include "civgrid/place.h"
#include "civgrid/resident.h"
#include "civgrid/strmap.h"

#define DEFAULT_MAX_ERRORS 1000
#define PROGRESS_EVERY 4096
#define SCRATCH_ROWS 4096

/* ---- the kinds: each concept registers its columns in its own file ---- */

#define MAX_COLS 16
_Static_assert(CG_RESIDENT_NCOLS <= MAX_COLS && CG_AREA_NCOLS <= MAX_COLS &&
                   CG_VENUE_NCOLS <= MAX_COLS,
               "a kind has more columns than an importer maps");

static const struct cg_import_kind_info kinds[CG_IMPORT_NKINDS] = {
    [CG_IMPORT_AREAS] = {"areas", "区域", "Areas", cg_area_columns, CG_AREA_NCOLS,
                         CG_PERM_AREAS_WRITE},
    [CG_IMPORT_RESIDENTS] = {"residents", "居民", "Residents", cg_resident_columns,
                             CG_RESIDENT_NCOLS, CG_PERM_PEOPLE_WRITE},
    [CG_IMPORT_VENUES] = {"venues", "场所", "Venues", cg_venue_columns, CG_VENUE_NCOLS,
                          CG_PERM_AREAS_WRITE},
};

const struct cg_import_kind_info *cg_import_kind_info(enum cg_import_kind kind)
{
    return (unsigned)kind < CG_IMPORT_NKINDS ? &kinds[kind] : NULL;
}

int cg_import_kind_parse(const char *name, enum cg_import_kind *out)
{
    for (size_t i = 0; name && i < CG_IMPORT_NKINDS; i++)
        if (!strcmp(kinds[i].name, name)) {
            *out = (enum cg_import_kind)i;
            return 0;
        }
    return CG_EINVAL;
}

const char *cg_import_kind_name(enum cg_import_kind kind)
{
    return (unsigned)kind < CG_IMPORT_NKINDS ? kinds[kind].name : "?";
}

/* The index of an English level name in cg_area_levels, or -1. */
static int level_index(const char *level)
{
    for (int i = 0; level && cg_area_levels[i]; i++)
        if (!strcmp(cg_area_levels[i], level))
            return i;
    return -1;
}

/* ---- the import ---- */

struct node {
    int64_t id;
    int level;
    char *path; /* NULL for a node of this file that was not written */
};

struct importer {
    cg_store *s;
    const struct cg_actor *actor;
    enum cg_import_kind kind;
    const struct cg_import_options *opt;
    cg_arena *a;
    struct cg_import_result *res;
    size_t max_errors, errcap, updcap;

    const struct cg_import_column *cols;
    size_t ncols;
    int col_of[MAX_COLS];                    /* column of the file holding each field, or -1 */
    const char *header[CG_CSVIN_MAX_FIELDS]; /* as written */
    int known[CG_CSVIN_MAX_FIELDS];          /* 1 when the file's column is one of ours */
    size_t nheader;

    const struct cg_csvin_record *rec;
    int writing;
    int all_new; /* the residents table was empty: every good row is an insert */
    cg_arena *scratch;
    cg_strmap *seen; /* ID numbers or codes of this file -> line */
    cg_resident_checker *checker;
    cg_strmap *node_index; /* area code -> index in nodes, -1 when absent or out of scope */
    struct node *nodes;
    size_t nnodes, nodecap;
};

static void add_error(struct importer *im, long line, const char *column, const char *code,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static const char *column(const struct importer *im, int f);
static int field_index(const struct importer *im, const char *field);

static void add_error(struct importer *im, long line, const char *column, const char *code,
                      const char *fmt, ...)
{
    struct cg_import_result *res = im->res;
    res->errors_total++;
    if (res->nerrors == im->max_errors)
        return;
    if (res->nerrors == im->errcap) {
        size_t cap = im->errcap ? im->errcap * 4 : 16;
        if (cap > im->max_errors)
            cap = im->max_errors;
        struct cg_import_error *e = cg_arena_alloc(im->a, cap * sizeof *e);
        if (!e)
            return;
        if (res->nerrors)
            memcpy(e, res->errors, res->nerrors * sizeof *e);
        res->errors = e;
        im->errcap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = cg_arena_vprintf(im->a, fmt, ap);
    va_end(ap);
    /* The code may live in the reader's error, which the next record reuses. */
    const char *kept = cg_arena_strdup(im->a, code);
    res->errors[res->nerrors++] = (struct cg_import_error){
        line, column ? column : "", kept ? kept : "", msg ? msg : "", "", "", ""};
}

/* Gives the error just added its field, reason word and value (the words a
 * report shows instead of the English message). */
static void explain_word(struct importer *im, const char *field, const char *reason,
                         const char *value)
{
    struct cg_import_result *res = im->res;
    if (!res->nerrors || res->errors_total != (int64_t)res->nerrors)
        return; /* the error was counted but not kept */
    struct cg_import_error *e = &res->errors[res->nerrors - 1];
    e->field = field ? field : "";
    e->reason = reason ? cg_arena_strdup(im->a, reason) : "";
    e->value = value ? cg_arena_strdup(im->a, value) : "";
    if (!e->reason || !e->value)
        e->reason = e->value = "";
}

static void explain(struct importer *im, const char *field, enum cg_reason reason,
                    const char *value)
{
    explain_word(im, field, cg_reason_name(reason), value);
}

/* Adds a concept's field error as an error of the current row. */
static void add_field_error(struct importer *im, int rc, const struct cg_field_error *fe)
{
    int f = field_index(im, fe->field);
    add_error(im, im->rec->line, column(im, f), cg_err_name(rc), "%s",
              fe->message[0] ? fe->message : cg_strerror(rc));
    explain_word(im, f >= 0 ? im->cols[f].name : "", fe->reason, fe->value);
}

/* Notes that the row at line changes the existing resident id (the first
 * max_errors of them are kept, like errors). */
static int add_update(struct importer *im, long line, int64_t id, const char *name)
{
    struct cg_import_result *res = im->res;
    res->updates_total++;
    if (res->nupdates == im->max_errors)
        return 0;
    if (res->nupdates == im->updcap) {
        size_t cap = im->updcap ? im->updcap * 4 : 16;
        if (cap > im->max_errors)
            cap = im->max_errors;
        struct cg_import_update *u = cg_arena_alloc(im->a, cap * sizeof *u);
        if (!u)
            return CG_ENOMEM;
        if (res->nupdates)
            memcpy(u, res->updates, res->nupdates * sizeof *u);
        res->updates = u;
        im->updcap = cap;
    }
    const char *copy = cg_arena_strdup(im->a, name); /* the row lives in scratch memory */
    if (!copy)
        return CG_ENOMEM;
    res->updates[res->nupdates++] = (struct cg_import_update){line, id, copy};
    return 0;
}

/* The header of field f as written in the file, or "" when the file lacks it. */
static const char *column(const struct importer *im, int f)
{
    return f >= 0 && im->col_of[f] >= 0 ? im->header[im->col_of[f]] : "";
}

static int field_index(const struct importer *im, const char *field)
{
    for (size_t i = 0; field && i < im->ncols; i++)
        if (!strcmp(im->cols[i].name, field))
            return (int)i;
    return -1;
}

/* The value of field f in the current record ("" when absent). A leading
 * apostrophe that cg_export_csv put before a formula-like text goes. */
static const char *val(const struct importer *im, int f)
{
    int c = im->col_of[f];
    if (c < 0 || (size_t)c >= im->rec->nfields)
        return "";
    const char *v = im->rec->fields[c];
    if (v[0] == '\'' && v[1] && strchr("=+-@", v[1]))
        return v + 1;
    return v;
}

/* Lower-cases ASCII, turns spaces and '-' into '_' and drops the '*' that
 * templates put on required columns. */
static void normalise(const char *in, char *out, size_t outsz)
{
    size_t n = 0;
    while (*in == ' ' || *in == '*')
        in++;
    for (; *in && n + 1 < outsz; in++)
        out[n++] = *in == ' ' || *in == '-' ? '_' : (char)tolower((unsigned char)*in);
    while (n && (out[n - 1] == '_' || out[n - 1] == '*'))
        n--;
    out[n] = '\0';
}

static const char *expected_columns(struct importer *im)
{
    cg_buf b;
    cg_buf_init(&b, 2048);
    for (size_t i = 0; i < im->ncols; i++)
        if (im->cols[i].required >= 0)
            cg_buf_printf(&b, "%s%s (%s)%s", i ? ", " : "", im->cols[i].name, im->cols[i].zh,
                          im->cols[i].required ? "*" : "");
    const char *s = cg_arena_strdup(im->a, b.data ? b.data : "");
    cg_buf_free(&b);
    return s;
}

/* Maps the header's columns to fields; 0, or 1 when the header is bad. */
static int read_header(struct importer *im, const struct cg_csvin_record *rec)
{
    int bad = 0;
    for (size_t f = 0; f < im->ncols; f++)
        im->col_of[f] = -1;
    im->nheader = rec->nfields;
    for (size_t c = 0; c < rec->nfields; c++) {
        char norm[128];
        im->header[c] = cg_arena_strdup(im->a, rec->fields[c]);
        im->known[c] = 0;
        normalise(rec->fields[c], norm, sizeof norm);
        if (!norm[0])
            continue; /* an unnamed column: its cells must stay empty */
        int found = -1;
        for (size_t f = 0; found < 0 && f < im->ncols; f++)
            for (const char *const *al = im->cols[f].aliases; *al; al++)
                if (!strcmp(*al, norm)) {
                    found = (int)f;
                    break;
                }
        if (found < 0) {
            add_error(im, rec->line, im->header[c], "unknown_column",
                      "unknown column '%s' for %s (columns: %s)", im->header[c],
                      kinds[im->kind].name, expected_columns(im));
            explain(im, "", CG_R_UNKNOWN_COLUMN, im->header[c]);
            bad = 1;
        } else if (im->col_of[found] >= 0) {
            add_error(im, rec->line, im->header[c], "duplicate_column",
                      "column '%s' means %s, like column '%s' before it", im->header[c],
                      im->cols[found].name, im->header[im->col_of[found]]);
            explain(im, im->cols[found].name, CG_R_DUPLICATE_COLUMN, im->header[c]);
            bad = 1;
        } else {
            im->col_of[found] = (int)c;
            im->known[c] = 1;
        }
    }
    for (size_t f = 0; f < im->ncols; f++)
        if (im->cols[f].required > 0 && im->col_of[f] < 0) {
            add_error(im, rec->line, "", "missing_field",
                      "the header lacks the required column %s (%s)", im->cols[f].name,
                      im->cols[f].zh);
            explain(im, im->cols[f].name, CG_R_MISSING_COLUMN, "");
            bad = 1;
        }
    return bad;
}

/* Whether an error code of a check is about the row (the rest are failures
 * of the import itself). */
static int row_error(int rc)
{
    return rc == CG_EBADTYPE || rc == CG_EMISSING || rc == CG_ENOTFOUND || rc == CG_EEXISTS ||
           rc == CG_ECONFLICT;
}

static int blank(const char *s)
{
    return !s || !*s;
}

/* Registers a code of this file; 1 (with an error) when it came before. */
static int duplicate(struct importer *im, const char *key, int f, const char *code,
                     const char *what)
{
    int64_t first = 0;
    if (cg_strmap_get(im->seen, key, &first)) {
        add_error(im, im->rec->line, column(im, f), code, "the same %s as line %lld", what,
                  (long long)first);
        explain(im, im->cols[f].name, CG_R_DUPLICATE_IN_FILE, key);
        return 1;
    }
    if (cg_strmap_put(im->seen, key, im->rec->line))
        return CG_ENOMEM;
    return 0;
}

/* ---- areas in scope, by code (parents of areas, homes of venues) ---- */

static int add_node(struct importer *im, const char *code, int64_t id, int level, const char *path)
{
    if (im->nnodes == im->nodecap) {
        size_t cap = im->nodecap ? im->nodecap * 2 : 64;
        struct node *n = realloc(im->nodes, cap * sizeof *n);
        if (!n)
            return CG_ENOMEM;
        im->nodes = n;
        im->nodecap = cap;
    }
    struct node *n = &im->nodes[im->nnodes];
    n->id = id;
    n->level = level;
    n->path = path ? strdup(path) : NULL;
    if (path && !n->path)
        return CG_ENOMEM;
    return cg_strmap_put(im->node_index, code, (int64_t)im->nnodes++);
}

/* The active area with this code in the actor's scope, or NULL. */
static const struct node *find_node(struct importer *im, const char *code, int *rc)
{
    int64_t idx = -1;
    *rc = 0;
    if (!cg_strmap_get(im->node_index, code, &idx)) {
        struct cg_area area;
        *rc = cg_area_get_by_code(im->s, code, im->scratch, &area);
        if (*rc == CG_ENOTFOUND ||
            (!*rc && (!cg_actor_in_scope(im->actor, area.path) || strcmp(area.status, "active")))) {
            *rc = cg_strmap_put(im->node_index, code, -1);
            return NULL;
        }
        if (*rc || (*rc = add_node(im, code, area.id, level_index(area.level), area.path)))
            return NULL;
        cg_strmap_get(im->node_index, code, &idx);
    }
    return idx >= 0 ? &im->nodes[idx] : NULL;
}

/* ---- one row of each kind: 0 good, 1 bad (reported), or a failure ---- */

/* Reports a refusal of a concept's check (fe names the field) as a row
 * error; 1, or the failure that was not about the row. */
static int refuse(struct importer *im, int rc, const struct cg_field_error *fe)
{
    if (!row_error(rc))
        return rc;
    add_field_error(im, rc, fe);
    return 1;
}

static int row_area(struct importer *im)
{
    struct cg_area_input in = {val(im, CG_AREA_COL_CODE), val(im, CG_AREA_COL_LEVEL),
                               val(im, CG_AREA_COL_NAME)};
    const char *parent_code = val(im, CG_AREA_COL_PARENT);
    const char *code, *level, *name;
    long line = im->rec->line;
    struct cg_field_error fe = {0};
    int rc = cg_area_check(&in, im->scratch, &fe);
    if (rc)
        return refuse(im, rc, &fe);
    code = in.code, level = in.level, name = in.name;
    if ((rc = duplicate(im, code, CG_AREA_COL_CODE, "duplicate_code", "area code")))
        return rc;
    const struct node *parent =
        find_node(im, blank(parent_code) ? im->actor->area_code : parent_code, &rc);
    if (rc)
        return rc;
    if (!parent) {
        add_error(im, line, column(im, CG_AREA_COL_PARENT), "invalid_field",
                  "no area with code '%s' in your scope (a parent must exist or come earlier in "
                  "the file)",
                  parent_code);
        explain(im, "parent_code", CG_R_UNKNOWN_AREA, parent_code);
        return 1;
    }
    struct cg_area old;
    rc = cg_area_get_by_code(im->s, code, im->scratch, &old);
    if (rc && rc != CG_ENOTFOUND)
        return rc;
    if (rc == 0) {
        /* An area that exists: the same again is unchanged, a new name is a
         * rename; moves and level changes belong to the area tree. */
        if (!cg_actor_in_scope(im->actor, old.path)) {
            add_error(im, line, column(im, CG_AREA_COL_CODE), "already_exists",
                      "area code '%s' is taken", code);
            explain(im, "code", CG_R_TAKEN, code);
            return 1;
        }
        int same_parent = old.parent_id == parent->id || (old.parent_id == 0 && blank(parent_code));
        if (!same_parent || strcmp(old.level, level)) {
            add_error(im, line, column(im, same_parent ? CG_AREA_COL_LEVEL : CG_AREA_COL_PARENT),
                      "conflict",
                      "area '%s' exists as a %s under '%s'; an import does not move areas or "
                      "change levels",
                      code, old.level, old.parent_code ? old.parent_code : "-");
            explain(im, same_parent ? "level" : "parent_code", CG_R_NO_MOVE, code);
            return 1;
        }
        if ((rc = add_node(im, code, old.id, level_index(old.level), old.path)))
            return rc;
        if (!strcmp(old.name, name)) {
            im->res->unchanged++;
            return 0;
        }
        if (old.id == im->actor->area_id) {
            add_error(im, line, column(im, CG_AREA_COL_NAME), "conflict",
                      "you cannot rename the area you are scoped to");
            explain(im, "name", CG_R_OWN_AREA, code);
            return 1;
        }
        if (im->writing && (rc = cg_area_write_name(im->s, old.id, name)))
            return rc;
        im->res->written++;
        return 0;
    }
    if ((rc = cg_area_check_parent(level, parent->level >= 0 ? cg_area_levels[parent->level] : "",
                                   "level", &fe)))
        return refuse(im, rc, &fe);
    int64_t id = 0;
    const char *path = NULL;
    if (im->writing && parent->path &&
        (rc = cg_area_write(im->s, parent->id, parent->path, &in, im->scratch, &id, &path, &fe)))
        return rc == CG_EEXISTS ? refuse(im, rc, &fe) : rc;
    if ((rc = add_node(im, code, id, level_index(level), path)))
        return rc;
    im->res->written++;
    return 0;
}

static int row_resident(struct importer *im)
{
    struct cg_resident_input in = {
        .id_number = val(im, CG_RESIDENT_COL_ID),
        .name = val(im, CG_RESIDENT_COL_NAME),
        .phone = val(im, CG_RESIDENT_COL_PHONE),
        .area_code = val(im, CG_RESIDENT_COL_AREA),
        .household = val(im, CG_RESIDENT_COL_HOUSEHOLD),
        .unit = val(im, CG_RESIDENT_COL_UNIT),
        .room = val(im, CG_RESIDENT_COL_ROOM),
        .resident_type = val(im, CG_RESIDENT_COL_TYPE),
        .tags = val(im, CG_RESIDENT_COL_TAGS),
    };
    long line = im->rec->line;
    if (strchr(in.id_number, 'E') && strchr(in.id_number, '+')) {
        add_error(im, line, column(im, CG_RESIDENT_COL_ID), "invalid_field",
                  "Excel turned the ID number into a number (%s) and lost its last digits: format "
                  "the column"
                  " as text and type the numbers again",
                  in.id_number);
        explain(im, "id_number", CG_R_EXCEL_NUMBER, in.id_number);
        return 1;
    }
    struct cg_field_error fe[CG_RESIDENT_NCOLS];
    struct cg_resident_row row;
    int nfe = 0;
    int rc =
        cg_resident_check_all(im->checker, &in, im->scratch, &row, fe, CG_RESIDENT_NCOLS, &nfe);
    if (rc && !row_error(rc))
        return rc;
    if (rc) { /* every bad field of the row, not only the first */
        for (int i = 0; i < nfe; i++)
            add_field_error(im, strcmp(fe[i].reason, "missing") ? CG_EBADTYPE : CG_EMISSING,
                            &fe[i]);
        /* A valid ID number still counts for duplicates after it. */
        if (row.id_number[0] && !cg_strmap_get(im->seen, row.id_number, NULL) &&
            cg_strmap_put(im->seen, row.id_number, line))
            return CG_ENOMEM;
        return 1;
    }
    if ((rc = duplicate(im, row.id_number, CG_RESIDENT_COL_ID, "duplicate_id", "ID number")))
        return rc;
    if (!im->writing)
        return 0;
    int changed = 1;
    int64_t updated = 0;
    rc = im->all_new ? cg_resident_insert_new(im->s, &row)
                     : cg_resident_write_updating(im->s, im->actor, &row, &changed, &updated);
    if (rc == CG_EEXISTS) {
        add_error(im, line, column(im, CG_RESIDENT_COL_ID), "already_exists",
                  "a resident with this ID number is registered outside your scope");
        explain(im, "id_number", CG_R_OUTSIDE_SCOPE, "");
        return 1;
    }
    if (rc)
        return rc;
    if (updated && (rc = add_update(im, line, updated, row.name)))
        return rc;
    if (changed)
        im->res->written++;
    else
        im->res->unchanged++;
    return 0;
}

static int same_text(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* A cell typed on several lines (Alt+Enter in Excel) is one line of the
 * address: line breaks become spaces before the place's rules see it. */
static const char *one_line(struct importer *im, const char *text)
{
    if (!strpbrk(text, "\r\n"))
        return text;
    char *one = cg_arena_strdup(im->scratch, text), *w = one;
    if (!one)
        return NULL;
    for (const char *p = text; *p; p++)
        if (*p != '\r' && *p != '\n')
            *w++ = *p;
        else if (w > one && w[-1] != ' ')
            *w++ = ' ';
    *w = '\0';
    return one;
}

static int row_venue(struct importer *im)
{
    struct cg_place_input in = {.code = val(im, CG_VENUE_COL_CODE),
                                .name = val(im, CG_VENUE_COL_NAME),
                                .kind = "venue",
                                .type = val(im, CG_VENUE_COL_TYPE),
                                .area_code = val(im, CG_VENUE_COL_AREA),
                                .address = one_line(im, val(im, CG_VENUE_COL_ADDRESS))};
    long line = im->rec->line;
    struct cg_field_error fe = {0};
    int rc;
    if (!in.address)
        return CG_ENOMEM;
    if (blank(in.code)) { /* the key of a re-import: an import never makes codes up */
        add_error(im, line, column(im, CG_VENUE_COL_CODE), "missing_field", "the code is missing");
        explain(im, "code", CG_R_MISSING, "");
        return 1;
    }
    if ((rc = cg_place_check(&in, im->scratch, &fe)))
        return refuse(im, rc, &fe);
    const struct node *area = find_node(im, in.area_code, &rc);
    if (rc)
        return rc;
    if (!area) {
        add_error(im, line, column(im, CG_VENUE_COL_AREA), "invalid_field",
                  "no area with code '%s' in your scope", in.area_code);
        explain(im, "area_code", CG_R_UNKNOWN_AREA, in.area_code);
        return 1;
    }
    if ((rc = duplicate(im, in.code, CG_VENUE_COL_CODE, "duplicate_code", "place code")))
        return rc;
    if (!im->writing)
        return 0;
    cg_stmt *st = NULL;
    if ((rc = cg_store_query(
             im->s, &st,
             "SELECT kind, name, type, area_id, address, area_path FROM places WHERE code = ?", "s",
             in.code)))
        return rc;
    rc = cg_stmt_step(st);
    if (rc == CG_DONE) {
        cg_stmt_reset(st);
        rc = cg_place_write(im->s, &in, area->id, area->path, 0, NULL, &fe);
        if (!rc)
            im->res->written++;
        return rc;
    }
    if (rc != CG_ROW) {
        cg_stmt_reset(st);
        return rc;
    }
    int venue = !strcmp(cg_stmt_text(st, 0), "venue");
    int in_scope = cg_actor_in_scope(im->actor, cg_stmt_text(st, 5));
    int same = same_text(cg_stmt_text(st, 1), in.name) && same_text(cg_stmt_text(st, 2), in.type) &&
               cg_stmt_int(st, 3) == area->id && same_text(cg_stmt_text(st, 4), in.address);
    cg_stmt_reset(st);
    if (!venue || !in_scope) {
        add_error(im, line, column(im, CG_VENUE_COL_CODE), "already_exists",
                  venue ? "place code '%s' is taken" : "place code '%s' belongs to a risk point",
                  in.code);
        explain(im, "code", venue ? CG_R_TAKEN : CG_R_RISK_POINT, in.code);
        return 1;
    }
    if (same) {
        im->res->unchanged++;
        return 0;
    }
    rc = cg_place_write(im->s, &in, area->id, area->path, 1, NULL, &fe);
    if (!rc)
        im->res->written++;
    return rc;
}

/* Checks the cells the header does not name: extra values and values under
 * an unnamed column are errors, empty ones are spreadsheet padding. */
static int stray_cells(struct importer *im)
{
    const struct cg_csvin_record *rec = im->rec;
    for (size_t c = 0; c < rec->nfields; c++) {
        if (!rec->lens[c] || (c < im->nheader && im->known[c]))
            continue;
        char where[24];
        snprintf(where, sizeof where, "%zu", c + 1);
        if (c >= im->nheader)
            add_error(im, rec->line, "", "invalid_field",
                      "the row has %zu fields but the header names %zu columns", rec->nfields,
                      im->nheader);
        else
            add_error(im, rec->line, "", "unknown_column",
                      "a value in column %zu, which has no header", c + 1);
        explain(im, "", c >= im->nheader ? CG_R_EXTRA_CELLS : CG_R_UNNAMED_COLUMN, where);
        return 1;
    }
    return 0;
}

static void report_progress(struct importer *im, cg_csvin *in)
{
    if (!im->opt->progress)
        return;
    uint64_t done = 0, total = 0;
    if (in)
        cg_csvin_progress(in, &done, &total);
    im->opt->progress(im->opt->progress_ctx, done, total, im->res->rows);
}

/* A big load of residents drops the residents' non-unique indexes and builds
 * them again before the commit, in the same transaction: building an index
 * from all rows at once (a sort) is several times cheaper than keeping five
 * indexes up to date row by row with random keys, and a failed or dry-run
 * import rolls the drop back with everything else. Only when the file holds
 * at least twice as many rows as the table (a first load, or one that
 * triples it): a small import, or a re-import of what is stored, must not pay
 * for rebuilding a county's indexes. Whether a backend drops indexes at all is
 * the store's business (store.h, bulk loads): PostgreSQL keeps them. */
#define DEFER_MIN_BYTES (8u << 20)
#define BYTES_PER_ROW 80

static int defer_indexes(struct importer *im, uint64_t bytes, struct cg_bulk *bulk)
{
    if (im->kind != CG_IMPORT_RESIDENTS || !cg_store_bulk_defers_indexes(im->s) ||
        bytes < DEFER_MIN_BYTES)
        return 0;
    cg_stmt *st = NULL;
    int64_t stored = 0;
    int rc = cg_store_query(im->s, &st, "SELECT COUNT(*) FROM residents", "");
    if (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        stored = cg_stmt_int(st, 0);
        rc = 0;
    }
    if (st)
        cg_stmt_reset(st);
    if (rc || 2 * stored > (int64_t)(bytes / BYTES_PER_ROW))
        return rc;
    /* Into an empty table (a first load) every row the file does not repeat is
     * new: the unique index goes too, and each row is a plain insert; the
     * unique index is built last and would refuse a duplicate that slipped
     * through, failing the whole import. */
    int dropped = 0;
    rc = cg_store_bulk_defer_indexes(im->s, bulk, "residents", stored == 0, &dropped);
    im->all_new = dropped && stored == 0;
    return rc;
}

static int audit(struct importer *im, int outcome, int in_transaction)
{
    struct cg_import_result *res = im->res;
    char name[32];
    snprintf(name, sizeof name, "import.%s", res->kind);
    const char *detail =
        cg_arena_printf(im->a, "rows=%lld written=%lld unchanged=%lld invalid=%lld encoding=%s%s",
                        (long long)res->rows, (long long)res->written, (long long)res->unchanged,
                        (long long)res->invalid, res->encoding[0] ? res->encoding : "-",
                        res->dry_run ? " dry_run" : "");
    struct cg_audit_record rec = {name,    "import", NULL, im->actor ? im->actor->area_path : NULL,
                                  outcome, detail};
    return in_transaction ? cg_audit_write(im->s, im->actor, NULL, &rec)
                          : cg_audit_commit(im->s, im->actor, NULL, &rec);
}

/* Commits, or rolls back, and records the outcome. */
static int finish(struct importer *im, int rc, int bad_file, struct cg_bulk *bulk)
{
    struct cg_import_result *res = im->res;
    int64_t good = res->rows - res->invalid;
    if (!rc &&
        (bad_file || (res->invalid && !im->opt->skip_invalid) || (res->invalid && good == 0)))
        rc = CG_EINVALID_ROWS;
    if (!rc && res->dry_run) {
        cg_store_rollback(im->s);
        return audit(im, 0, 0);
    }
    if (!rc)
        rc = cg_store_bulk_rebuild(im->s, bulk);
    if (!rc)
        rc = audit(im, 0, 1);
    if (!rc)
        rc = cg_store_commit(im->s);
    if (rc) {
        cg_store_rollback(im->s);
        /* A dry run keeps its counts of the good rows and the residents they
         * would change (what would be written once the bad ones are fixed or
         * skipped); a real import wrote none and changed no one. */
        if (!res->dry_run || rc != CG_EINVALID_ROWS) {
            res->written = res->unchanged = res->updates_total = 0;
            res->nupdates = 0;
        }
        audit(im, rc, 0);
    }
    return rc;
}

/* Reads every record of in and writes or reports it; decides the outcome. */
static int run(struct importer *im, cg_csvin *in)
{
    struct cg_import_result *res = im->res;
    struct cg_csvin_record rec;
    struct cg_csvin_error cerr;
    int rc = 0, bad_file = 0, header_seen = 0, bad_header = 0;
    if (im->kind == CG_IMPORT_RESIDENTS)
        rc = cg_resident_checker_new(im->s, im->actor, &im->checker);
    if (!rc && (!(im->seen = cg_strmap_new()) || !(im->node_index = cg_strmap_new()) ||
                !(im->scratch = cg_arena_new())))
        rc = CG_ENOMEM;
    if (rc)
        return rc;
    uint64_t done = 0, total = 0;
    cg_csvin_progress(in, &done, &total);
    struct cg_bulk *bulk = NULL;
    if ((rc = cg_store_bulk_begin(im->s, &bulk)))
        return rc;
    if ((rc = cg_store_begin(im->s))) {
        cg_store_bulk_end(im->s, bulk);
        return rc;
    }
    rc = defer_indexes(im, total, bulk);
    int since_scratch = 0;
    while (!rc) {
        int r = cg_csvin_next(in, &rec, &cerr);
        if (r == CG_CSVIN_END)
            break;
        if (r < 0) {
            if (r == CG_ENOMEM) {
                rc = r;
                break;
            }
            add_error(im, cerr.line, "", cerr.code, "%s", cerr.message);
            res->file_errors++;
            bad_file = 1;
            break;
        }
        if (!header_seen) {
            header_seen = 1;
            int64_t before = res->errors_total;
            if (r == CG_CSVIN_BAD_RECORD || read_header(im, &rec)) {
                if (r == CG_CSVIN_BAD_RECORD)
                    add_error(im, rec.line, "", cerr.code, "the header line: %s", cerr.message);
                res->file_errors += res->errors_total - before;
                bad_file = bad_header = 1;
            }
            continue;
        }
        res->rows++;
        if (bad_header) { /* the rows are counted, so that the report says none can be read */
            res->invalid++;
            continue;
        }
        /* A dry run writes every good row (and rolls back), so that it counts
         * what would be written even after a bad row. */
        im->writing = im->opt->skip_invalid || im->opt->dry_run || res->invalid == 0;
        im->rec = &rec;
        int row = 0;
        if (r == CG_CSVIN_BAD_RECORD) {
            add_error(im, rec.line, "", cerr.code, "%s", cerr.message);
            row = 1;
        } else if (!(row = stray_cells(im))) {
            row = im->kind == CG_IMPORT_AREAS       ? row_area(im)
                  : im->kind == CG_IMPORT_RESIDENTS ? row_resident(im)
                                                    : row_venue(im);
        }
        if (row < 0) {
            rc = row;
            break;
        }
        res->invalid += row;
        if (++since_scratch == SCRATCH_ROWS) {
            cg_arena_free(im->scratch);
            if (!(im->scratch = cg_arena_new()))
                rc = CG_ENOMEM;
            since_scratch = 0;
        }
        if (res->rows % PROGRESS_EVERY == 0)
            report_progress(im, in);
    }
    report_progress(im, in);
    if (!rc && !header_seen && !bad_file) {
        add_error(im, 1, "", "missing_field",
                  "the file is empty: its first line must name the columns (%s)",
                  expected_columns(im));
        explain(im, "", CG_R_EMPTY_FILE, "");
        res->file_errors++;
        bad_file = 1;
    }
    rc = finish(im, rc, bad_file, bulk);
    cg_store_bulk_end(im->s, bulk);
    return rc;
}

static void importer_free(struct importer *im)
{
    cg_resident_checker_free(im->checker);
    cg_strmap_free(im->seen);
    cg_strmap_free(im->node_index);
    for (size_t i = 0; i < im->nnodes; i++)
        free(im->nodes[i].path);
    free(im->nodes);
    cg_arena_free(im->scratch);
}

/* Opens the source (path, or data when path is NULL) and runs the import. */
static int import(cg_store *s, const struct cg_actor *actor, enum cg_import_kind kind,
                  const char *path, const void *data, size_t len,
                  const struct cg_import_options *opt, cg_arena *a, struct cg_import_result *out)
{
    static const struct cg_import_options defaults = {0};
    struct importer im = {
        .s = s, .actor = actor, .kind = kind, .opt = opt ? opt : &defaults, .a = a, .res = out};
    memset(out, 0, sizeof *out);
    if ((unsigned)kind >= CG_IMPORT_NKINDS)
        return CG_EINVAL;
    out->kind = kinds[kind].name;
    out->encoding = "";
    out->dry_run = im.opt->dry_run;
    im.max_errors = im.opt->max_errors ? im.opt->max_errors : DEFAULT_MAX_ERRORS;
    im.cols = kinds[kind].columns;
    im.ncols = kinds[kind].ncolumns;
    if (!cg_actor_can(actor, kinds[kind].perm)) {
        audit(&im, CG_EFORBIDDEN, 0);
        return CG_EFORBIDDEN;
    }
    cg_csvin *in = NULL;
    struct cg_csvin_error cerr;
    int rc = path ? cg_csvin_open_file(path, &in, &cerr) : cg_csvin_open_mem(data, len, &in, &cerr);
    if (rc) {
        if (rc == CG_ENOMEM)
            return rc;
        add_error(&im, cerr.line, "", cerr.code, "%s", cerr.message);
        out->file_errors++;
        rc = rc == CG_EIO ? CG_EIO : CG_EINVALID_ROWS;
        audit(&im, rc, 0);
        return rc;
    }
    out->encoding = cg_csvin_encoding(in);
    rc = run(&im, in);
    importer_free(&im);
    cg_csvin_free(in);
    return rc;
}

int cg_import_file(cg_store *s, const struct cg_actor *actor, enum cg_import_kind kind,
                   const char *path, const struct cg_import_options *opt, cg_arena *a,
                   struct cg_import_result *out)
{
    return import(s, actor, kind, path, NULL, 0, opt, a, out);
}

int cg_import_mem(cg_store *s, const struct cg_actor *actor, enum cg_import_kind kind,
                  const void *data, size_t len, const struct cg_import_options *opt, cg_arena *a,
                  struct cg_import_result *out)
{
    return import(s, actor, kind, NULL, data ? data : "", len, opt, a, out);
}
