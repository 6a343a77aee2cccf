/* Residents: one row per ID number, on a building or grid, with household,
 * unit and room, permanent or floating, and moved-out and deceased kept as
 * history. Every read takes the actor, is limited to its scope, masks ID
 * numbers and phones unless the role needs them, and is audited. */
#ifndef CIVGRID_RESIDENT_H
#define CIVGRID_RESIDENT_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/area.h"
#include "civgrid/arena.h"
#include "civgrid/import.h"
#include "civgrid/field.h"
#include "civgrid/store.h"

#define CG_RESIDENT_MAX_TAGS 16

struct cg_resident_input {
    const char *id_number, *name, *phone; /* phone may be NULL or "" */
    const char *area_code;                /* a building or a grid */
    const char *household, *unit, *room;  /* may be NULL */
    const char *resident_type;            /* permanent (default) | floating */
    const char *tags;                     /* ledger names separated by ';', may be NULL */
};

/* A checked input, ready to write (arena memory). */
struct cg_resident_row {
    char id_number[19];
    char id_tail[5];
    char birth_date[11];
    char sex[2];
    const char *name, *phone, *household, *unit, *room, *resident_type;
    int64_t area_id;
    const char *area_code, *area_path;
    int64_t tag_ids[CG_RESIDENT_MAX_TAGS];
    int ntags;
};

struct cg_resident {
    int64_t id;
    const char *id_number; /* masked unless the role may see it */
    const char *name, *sex, *birth_date, *phone, *household, *unit, *room, *resident_type, *status;
    struct cg_area area;
    const char *tags; /* ledger names separated by ';' */
    int64_t updated_at;
};

struct cg_resident_query {
    const char *q;             /* name, ID number (full or last 4-6), phone, or area name */
    const char *area_code;     /* limit to this subtree (inside the actor's scope) */
    const char *ledger;        /* limit to this ledger */
    const char *status;        /* active (default), moved_out, deceased, all */
    int limit, offset;         /* default 50, at most 100000 for exports */
    const char *export_format; /* "csv" or "xlsx" when the results become a file */
    const char *purpose;       /* why a file with full numbers is made (4-200 characters) */
};

/* Lookup caches for checking many rows at once (import). */
typedef struct cg_resident_checker cg_resident_checker;

/* A checker for rows written by actor: every area must be in its scope. */
int cg_resident_checker_new(cg_store *s, const struct cg_actor *actor, cg_resident_checker **out);
void cg_resident_checker_free(cg_resident_checker *c);

/* The columns of an import of residents (import.h), in this order. The last
 * four are what an export adds: derived from the ID number or the area, or
 * changed by their own action (status), so an exported list can be
 * corrected in Excel and imported again; they are read and ignored. */
enum {
    CG_RESIDENT_COL_ID,
    CG_RESIDENT_COL_NAME,
    CG_RESIDENT_COL_PHONE,
    CG_RESIDENT_COL_AREA,
    CG_RESIDENT_COL_HOUSEHOLD,
    CG_RESIDENT_COL_UNIT,
    CG_RESIDENT_COL_ROOM,
    CG_RESIDENT_COL_TYPE,
    CG_RESIDENT_COL_TAGS,
    CG_RESIDENT_COL_SEX,
    CG_RESIDENT_COL_BIRTH,
    CG_RESIDENT_COL_AREA_NAME,
    CG_RESIDENT_COL_STATUS,
    CG_RESIDENT_NCOLS
};
extern const struct cg_import_column cg_resident_columns[CG_RESIDENT_NCOLS];

/* Checks one input: ID number (GB 11643), name, phone, area (in scope,
 * building or grid), type and tags. Fills *row with arena memory. Field
 * errors name id_number, name, phone, area_code, resident_type or tags. */
int cg_resident_check(cg_resident_checker *c, const struct cg_resident_input *in, cg_arena *a,
                      struct cg_resident_row *row, struct cg_field_error *fe);

/* The same, going on past a bad field: up to max field errors in fe[] (each
 * with its reason and value), their number in *nfe. Returns the first row
 * error (CG_EBADTYPE or CG_EMISSING), 0, or a failure. For reports that list
 * every fault of a row at once (the import). Ledgers may be named by code or
 * by their Chinese or English name. */
int cg_resident_check_all(cg_resident_checker *c, const struct cg_resident_input *in, cg_arena *a,
                          struct cg_resident_row *row, struct cg_field_error *fe, int max,
                          int *nfe);

/* Writes a checked row inside the caller's transaction: inserts it, or, when
 * the ID number exists, updates what differs and records each change in the
 * history. *changed tells whether anything was written (a re-import of the
 * same data writes nothing). */
int cg_resident_write(cg_store *s, const struct cg_actor *actor, const struct cg_resident_row *row,
                      int *changed);

/* cg_resident_write, also giving the id of the existing resident it changed
 * (*updated; 0 when it inserted one or changed nothing), so that an import's
 * report, its dry run too, says which rows update whom. */
int cg_resident_write_updating(cg_store *s, const struct cg_actor *actor,
                               const struct cg_resident_row *row, int *changed, int64_t *updated);

/* Inserts a checked row that the caller knows to be new (no resident has its
 * ID number: a first load into an empty table, de-duplicated by the caller),
 * with its ledger entries, inside the caller's transaction. Skips the lookup
 * cg_resident_write makes per row. */
int cg_resident_insert_new(cg_store *s, const struct cg_resident_row *row);

/* Registers a new resident (check + insert + audit in one transaction),
 * never changing an existing one. An ID number already registered is
 * CG_EEXISTS on the id_number field, with nothing written: when the
 * resident is in the actor's scope, *existing is its id and *out describes
 * it with its name and ID number masked (so that the registrar sees whom
 * the number belongs to); when it is elsewhere, *existing stays 0, nothing
 * about it is told, and the answer is audited as resident.probe_elsewhere.
 * Past the probe limit (cg_resident_set_probe_limit) a number the actor
 * cannot see is CG_ERATE_LIMITED (cg_resident_probe_wait says how long). */
int cg_resident_register(cg_store *s, const struct cg_actor *actor,
                         const struct cg_resident_input *in, cg_arena *a, struct cg_resident *out,
                         int64_t *existing, struct cg_field_error *fe);

/* A correction: the fields it names (non-NULL) change, the others keep
 * their stored values. "" clears an optional field. A masked ID number or
 * phone sent back as shown names no change, so a role that sees them masked
 * corrects the other fields without retyping them. */
struct cg_resident_patch {
    const char *id_number, *name, *phone, *area_code, *household, *unit, *room, *resident_type;
};

/* Corrects resident id (in scope, CG_PERM_PEOPLE_WRITE) with the same checks
 * as a registration, recording each changed field in the history, in one
 * transaction audited as resident.correct. A new ID number another resident
 * holds is CG_EEXISTS (a probe when that one is elsewhere). */
int cg_resident_correct(cg_store *s, const struct cg_actor *actor, int64_t id,
                        const struct cg_resident_patch *patch, cg_arena *a, struct cg_resident *out,
                        struct cg_field_error *fe);

/* Probes of ID numbers registered elsewhere a user may make in an hour. */
#define CG_RESIDENT_PROBE_LIMIT_DEFAULT 20
void cg_resident_set_probe_limit(int per_hour);

/* Seconds until the actor may probe again (0: it may now). */
int cg_resident_probe_wait(cg_store *s, const struct cg_actor *actor, int64_t *seconds);

/* Records n probes that another door answered (an import's rows "registered
 * outside your scope", dry run or not), in a transaction of its own; *over
 * says the actor went past the limit with them (then its answer must be
 * withheld: CG_ERATE_LIMITED). */
int cg_resident_probes_record(cg_store *s, const struct cg_actor *actor, int64_t n,
                              const char *detail, int *over);

/* Whether q asks for the actor's whole scope: no search text, no ledger and
 * no area below the actor's own. Such a list shows ID numbers masked even to
 * a role that may see them in full (cg_resident_search): unmasked lists start
 * from a search or a filter, never from the whole jurisdiction. */
int cg_resident_query_whole_scope(const struct cg_actor *actor, const struct cg_resident_query *q);

/* Searches residents in scope, at most q->limit of them; *more says whether
 * more matched. Needs CG_PERM_PEOPLE_READ. Audited as resident.search, or
 * resident.export with the format when q->export_format is set ("+.unmasked"
 * when full numbers were shown), with the number of results. Roles that see
 * masked ID numbers get the birth year only (cg_mask_birth_date); so does
 * every role on a whole-scope query (cg_resident_query_whole_scope).
 *
 * An export that carries full numbers (ID numbers or phones) needs
 * q->purpose (CG_EMISSING, or CG_EBADTYPE when not 4-200 characters, naming
 * "purpose" in fe), holds at most the per-request cap of rows
 * (CG_EEXPORT_TOO_LARGE) and counts against the user's cap in any 24 hours
 * (CG_EEXPORT_QUOTA; cg_resident_export_wait says for how long); its audit
 * record carries the purpose. Refusals are audited too. */
int cg_resident_search(cg_store *s, const struct cg_actor *actor, const struct cg_resident_query *q,
                       cg_arena *a, struct cg_resident **items, size_t *n, int *more,
                       struct cg_field_error *fe);

/* The caps of exports with full numbers: rows per file, rows per user in any
 * 24 hours (civgrid serve --export-max-rows, --export-day-rows). */
#define CG_RESIDENT_EXPORT_MAX_ROWS_DEFAULT 5000
#define CG_RESIDENT_EXPORT_DAY_ROWS_DEFAULT 20000
#define CG_RESIDENT_PURPOSE_MIN 4
#define CG_RESIDENT_PURPOSE_MAX 200
void cg_resident_set_export_caps(int max_rows, int day_rows);
void cg_resident_export_caps(int *max_rows, int *day_rows);

/* Seconds until the actor's rows exported with full numbers in the last 24
 * hours fall below the daily cap (0: some remain now). */
int cg_resident_export_wait(cg_store *s, const struct cg_actor *actor, int64_t *seconds);

/* Reads one resident by id, in scope. Audited as resident.read. */
int cg_resident_get(cg_store *s, const struct cg_actor *actor, int64_t id, cg_arena *a,
                    struct cg_resident *out);

/* Sets status active, moved_out or deceased, with a note, in the history. */
int cg_resident_set_status(cg_store *s, const struct cg_actor *actor, int64_t id,
                           const char *status, const char *note, cg_arena *a,
                           struct cg_resident *out, struct cg_field_error *fe);

struct cg_resident_change {
    int64_t at;
    const char *actor, *field, *old_value, *new_value;
};

/* The whole history of one resident, oldest first (same rules as
 * cg_resident_get). */
int cg_resident_history(cg_store *s, const struct cg_actor *actor, int64_t id, cg_arena *a,
                        struct cg_resident_change **items, size_t *n);

#endif
