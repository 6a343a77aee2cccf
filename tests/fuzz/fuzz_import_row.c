/* Fuzz target: each import kind's row, as a CSV record. The first byte picks
 * the kind (areas, residents, venues); the rest is one data record under the
 * full header the kind registers (its columns, in order). The record goes
 * twice through the rules:
 *   1. straight into the concept's check (cg_area_check, cg_resident_check,
 *      cg_place_check): whatever it accepts must be a stored form that obeys
 *      the one text rule (valid UTF-8, no control character, trimmed, within
 *      its length), whatever the bytes were;
 *   2. through the whole import as a dry run (header mapping, row checks,
 *      lookups, duplicate detection, the report) into an in-memory database
 *      that holds a small tree, which must end in success or a report and
 *      never in another error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/area.h"
#include "civgrid/csvin.h"
#include "civgrid/error.h"
#include "civgrid/import.h"
#include "civgrid/place.h"
#include "civgrid/resident.h"
#include "civgrid/session.h"
#include "civgrid/text.h"

#define MAX_INPUT 4096

static cg_store *store;
static struct cg_actor *actor;
static cg_resident_checker *checker;

static const char TREE[] = "code,parent_code,level,name\n"
                           "C1,,county,阳高县\nT1,C1,town,龙泉镇\nM1,T1,community,东关社区\n"
                           "G1,M1,grid,一网格\nB1,G1,building,1号楼\n";

static void need(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_import_row: %s\n", what);
        abort();
    }
}

static void setup(void)
{
    static cg_arena *a; /* lives as long as the actor */
    const char *pw = NULL;
    struct cg_import_result res;
    need(!cg_store_open(":memory:", &store, NULL), "open");
    need(!cg_store_migrate(store, NULL, NULL), "migrate");
    need((a = cg_arena_new()) != NULL, "arena");
    need(!cg_deployment_init(store, "R0", "大同市", "city", a, &pw), "init");
    need(!cg_actor_cli(store, a, &actor), "actor");
    need(!cg_import_mem(store, actor, CG_IMPORT_AREAS, TREE, sizeof TREE - 1, NULL, a, &res),
         "tree");
    need(!cg_resident_checker_new(store, actor, &checker), "checker");
}

/* A stored text obeys the one rule: NULL where optional, else valid UTF-8
 * without control characters, no space at either end, at most max bytes. */
static void stored_text(const char *s, size_t max, int optional)
{
    if (!s) {
        need(optional, "a required text came back NULL");
        return;
    }
    size_t n = strlen(s);
    need(n > 0 && n <= max, "a text outside its length");
    need(cg_text_valid(s, n), "a text that breaks the rule");
    need(s[0] != ' ' && s[n - 1] != ' ', "an untrimmed text");
}

/* The value of column col of the record ("" when the record is short). */
static const char *field(const struct cg_csvin_record *rec, size_t col)
{
    return col < rec->nfields ? rec->fields[col] : "";
}

static void check_row(enum cg_import_kind kind, const struct cg_csvin_record *rec, cg_arena *a)
{
    struct cg_field_error fe = {0};
    if (kind == CG_IMPORT_AREAS) {
        struct cg_area_input in = {field(rec, CG_AREA_COL_CODE), field(rec, CG_AREA_COL_LEVEL),
                                   field(rec, CG_AREA_COL_NAME)};
        if (!cg_area_check(&in, a, &fe)) {
            stored_text(in.name, 200, 0);
            need(cg_area_level_valid(in.level), "an unknown level accepted");
        }
    } else if (kind == CG_IMPORT_VENUES) {
        struct cg_place_input in = {.code = field(rec, CG_VENUE_COL_CODE),
                                    .name = field(rec, CG_VENUE_COL_NAME),
                                    .kind = "venue",
                                    .type = field(rec, CG_VENUE_COL_TYPE),
                                    .area_code = field(rec, CG_VENUE_COL_AREA),
                                    .address = field(rec, CG_VENUE_COL_ADDRESS)};
        if (!cg_place_check(&in, a, &fe)) {
            stored_text(in.name, 200, 0);
            stored_text(in.address, 400, 1);
            need(cg_place_type_find("venue", in.type) != NULL, "an unknown type accepted");
        }
    } else {
        struct cg_resident_input in = {.id_number = field(rec, CG_RESIDENT_COL_ID),
                                       .name = field(rec, CG_RESIDENT_COL_NAME),
                                       .phone = field(rec, CG_RESIDENT_COL_PHONE),
                                       .area_code = field(rec, CG_RESIDENT_COL_AREA),
                                       .household = field(rec, CG_RESIDENT_COL_HOUSEHOLD),
                                       .unit = field(rec, CG_RESIDENT_COL_UNIT),
                                       .room = field(rec, CG_RESIDENT_COL_ROOM),
                                       .resident_type = field(rec, CG_RESIDENT_COL_TYPE),
                                       .tags = field(rec, CG_RESIDENT_COL_TAGS)};
        struct cg_resident_row row;
        if (!cg_resident_check(checker, &in, a, &row, &fe)) {
            stored_text(row.name, 100, 0);
            stored_text(row.household, 64, 1);
            stored_text(row.unit, 64, 1);
            stored_text(row.room, 64, 1);
        }
    }
}

/* The kind's header line: the names of every column it registers. */
static size_t header(const struct cg_import_kind_info *info, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < info->ncolumns; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "", info->columns[i].name);
    n += (size_t)snprintf(out + n, cap - n, "\n");
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!store)
        setup();
    if (size < 1 || size > MAX_INPUT)
        return 0;
    enum cg_import_kind kind = (enum cg_import_kind)(data[0] % CG_IMPORT_NKINDS);
    const struct cg_import_kind_info *info = cg_import_kind_info(kind);
    char csv[512 + MAX_INPUT];
    size_t n = header(info, csv, sizeof csv);
    memcpy(csv + n, data + 1, size - 1);
    n += size - 1;

    cg_arena *a = cg_arena_new();
    need(a != NULL, "arena");
    cg_csvin *in = NULL;
    struct cg_csvin_error err;
    struct cg_csvin_record rec;
    if (!cg_csvin_open_mem(csv, n, &in, &err)) {
        int r = cg_csvin_next(in, &rec, &err); /* the header */
        while (r > 0 && (r = cg_csvin_next(in, &rec, &err)) > 0)
            if (r != CG_CSVIN_BAD_RECORD)
                check_row(kind, &rec, a);
        cg_csvin_free(in);
    }

    struct cg_import_options opt = {.dry_run = 1, .max_errors = 8};
    struct cg_import_result res;
    int rc = cg_import_mem(store, actor, kind, csv, n, &opt, a, &res);
    need(rc == 0 || rc == CG_EINVALID_ROWS, cg_strerror(rc));
    need(res.invalid <= res.rows, "more invalid rows than rows");
    cg_arena_free(a);
    return 0;
}
