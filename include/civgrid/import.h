/* Imports: the CSV files that towns and departments keep their registers in,
 * loaded into the registry (areas, residents, venues).
 *
 * Every row is checked by its concept's own check (cg_area_check,
 * cg_resident_check, cg_place_check: the same rules as one record saved
 * through the API or the command line) and written by its concept's write;
 * the import itself only reads the CSV, maps the header to the columns each
 * concept registers (cg_import_kind_info) and reports each bad row: line,
 * column, code and message. By default nothing is written
 * unless every row is good; with skip_invalid the good rows are written and
 * the rest reported. The whole write is one transaction with one audit
 * record (import.<kind>), so a failed import leaves nothing half-written. A
 * re-import of the same file changes nothing and says so (unchanged).
 *
 * Columns are named in the header line, in English or Chinese:
 *   areas      code (编码, 代码), parent_code (上级编码), level (层级, 级别),
 *              name (名称). An empty parent_code puts the area under the
 *              importing user's own area (the root for the command line); a
 *              parent must exist or come earlier in the file. Levels may be
 *              written in Chinese: 市 县/区 镇/街道 社区/村 网格 微网格 楼栋.
 *   residents  id_number (身份证号), name (姓名), phone (手机号, 电话),
 *              area_code (区域编码, 网格编码, 楼栋编码), household (户号),
 *              unit (单元), room (房间, 室), resident_type (人员类型: 常住,
 *              流动), tags (标签, 台账: ledger names separated by ';'). The
 *              columns an export adds (sex 性别, birth_date 出生日期,
 *              area_name 区域名称, status 状态) are accepted and ignored.
 *   venues     code (编码), name (名称), type (类型: shop 商店, market 市场,
 *              supermarket 超市, pharmacy 药店, restaurant 餐馆,
 *              sampling_point 采样点, quarantine_hotel 隔离酒店, school 学校,
 *              hospital 医院, station 车站, stall 地摊, other 其他),
 *              area_code (区域编码), address (地址).
 *
 * Permissions: residents need CG_PERM_PEOPLE_WRITE, areas and venues
 * CG_PERM_AREAS_WRITE; every row must lie in the actor's scope.
 */
#ifndef CIVGRID_IMPORT_H
#define CIVGRID_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/store.h"

enum cg_import_kind { CG_IMPORT_AREAS, CG_IMPORT_RESIDENTS, CG_IMPORT_VENUES, CG_IMPORT_NKINDS };

/* One column an importable kind accepts. Each concept registers its own in
 * its file (cg_area_columns in area.c, cg_resident_columns in resident.c,
 * cg_venue_columns in place.c); the import maps headers by them, and
 * GET /api/v1/import/kinds shows them to the UI. */
struct cg_import_column {
    const char *name;           /* the English header, also the field its errors name */
    int required;               /* 1 required, 0 optional, -1 read and ignored */
    const char *zh, *en;        /* labels; zh is also a header the import accepts */
    const char *const *aliases; /* every header that means it (normalised: lower case, '_'
                                   for spaces and '-'), NULL-ended */
};
#define CG_IMPORT_ALIASES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* One importable kind: its name, labels, columns and the permission it needs. */
struct cg_import_kind_info {
    const char *name, *zh, *en;
    const struct cg_import_column *columns;
    size_t ncolumns;
    unsigned perm;
};

/* The registered kind, or NULL past the last. */
const struct cg_import_kind_info *cg_import_kind_info(enum cg_import_kind kind);

/* "areas", "residents", "venues" to a kind: 0 or CG_EINVAL. */
int cg_import_kind_parse(const char *name, enum cg_import_kind *out);
const char *cg_import_kind_name(enum cg_import_kind kind);

/* Called every few thousand rows with the input bytes read so far, the input
 * size and the rows read. */
typedef void (*cg_import_progress_fn)(void *ctx, uint64_t bytes_done, uint64_t bytes_total,
                                      int64_t rows);

struct cg_import_options {
    int skip_invalid;               /* write the good rows, report the bad */
    int dry_run;                    /* check and count everything, then roll back */
    size_t max_errors;              /* errors kept in the report (0: 1000); all are counted */
    cg_import_progress_fn progress; /* may be NULL */
    void *progress_ctx;
};

/* One problem, in the file's terms. */
struct cg_import_error {
    long line;           /* 1-based physical line the record starts on; 0: the file */
    const char *column;  /* the header as written in the file, or "" */
    const char *code;    /* invalid_field, missing_field, duplicate_id, duplicate_code,
                            unknown_column, duplicate_column, already_exists, conflict,
                            malformed_csv, bad_encoding, truncated, too_long, io_error */
    const char *message; /* English */
    const char *field;   /* the field (English column name) the error is about, or "" */
    const char *reason;  /* a stable word for why, for the UI to translate ("unknown_ledger",
                            "bad_phone", "missing" ...), or "" */
    const char *value;   /* the value refused (a cell, a header), or "" */
};

/* A row that changes a resident already registered (imports update by ID
 * number): which one, so that a dry run shows whom a file would change. */
struct cg_import_update {
    long line;           /* as in cg_import_error */
    int64_t resident_id; /* the existing resident */
    const char *name;    /* the name in the row */
};

struct cg_import_result {
    const char *kind;     /* "residents" */
    const char *encoding; /* "utf-8", "utf-8-bom", "gb18030", or "" when unread */
    int dry_run;
    int64_t rows;                   /* data records read (blank rows not counted) */
    int64_t written;                /* rows inserted or changed (with dry_run: that would be) */
    int64_t unchanged;              /* good rows identical to what the database holds */
    int64_t invalid;                /* rows with an error */
    struct cg_import_error *errors; /* the first max_errors problems, in file order */
    size_t nerrors;
    int64_t errors_total; /* all problems, >= nerrors */
    int64_t file_errors;  /* problems of the file itself (header, encoding), not of a row;
                             with one, every row counts as invalid: none can be read */
    struct cg_import_update *updates; /* the first max_errors of them, in file order */
    size_t nupdates;
    int64_t updates_total; /* all rows that change an existing resident */
};

/* Imports the CSV file at path (see cg_csvin_open_file) as actor. All
 * memory of *out lives in a.
 * Returns 0 when the rows were written (all of them, or with skip_invalid
 * every good one, at least one; an empty file writes nothing and succeeds);
 * CG_EINVALID_ROWS when nothing was written because of the report's problems
 * (bad rows, bad header, a truncated file or bad encoding); CG_EFORBIDDEN
 * when the actor's role may not import this kind (nothing read); CG_EIO
 * when the file cannot be opened (the report says why); database errors
 * otherwise. The outcome is audited in every case. */
int cg_import_file(cg_store *s, const struct cg_actor *actor, enum cg_import_kind kind,
                   const char *path, const struct cg_import_options *opt, cg_arena *a,
                   struct cg_import_result *out);

/* The same for len bytes in memory (an uploaded file). */
int cg_import_mem(cg_store *s, const struct cg_actor *actor, enum cg_import_kind kind,
                  const void *data, size_t len, const struct cg_import_options *opt, cg_arena *a,
                  struct cg_import_result *out);

#endif
