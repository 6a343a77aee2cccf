/* Staff chains: the five levels of people responsible for a node
 * (commander, grid head, grid worker, assistant, building or street head),
 * departments with their domains, and a grid's responsibility card. */
#ifndef CIVGRID_STAFF_H
#define CIVGRID_STAFF_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/area.h"
#include "civgrid/arena.h"
#include "civgrid/field.h"
#include "civgrid/area_figures.h"
#include "civgrid/store.h"

/* commander, grid_head, grid_worker, assistant, building_head, street_head; NULL-ended. */
extern const char *const cg_staff_positions[];

struct cg_staff {
    int64_t id;
    const char *position, *name, *phone, *username, *start_date, *end_date;
    struct cg_area area;
};

/* ---- the staff's rules, for every door (API, demo) ---- */

/* One assignment as a door gives it. */
struct cg_staff_input {
    const char *position, *name, *phone; /* phone may be NULL or empty */
};

/* Checks an assignment's own fields and rewrites in to their stored form:
 * position one of cg_staff_positions, name by the one text rule (text.h,
 * 1-100 bytes, trimmed), phone an 11-digit mobile number or absent (NULL).
 * Field errors name position, name or phone. */
int cg_staff_check(struct cg_staff_input *in, cg_arena *a, struct cg_field_error *fe);

/* Inserts a checked assignment on area_id from start_date (YYYY-MM-DD),
 * linked to the account user_id (0: none), in the caller's transaction,
 * without audit. *id (may be NULL) receives the new id. */
int cg_staff_write(cg_store *s, int64_t area_id, const struct cg_staff_input *in, int64_t user_id,
                   const char *start_date, int64_t *id);

/* Assigns a person to a position on a node. username (may be NULL) links a
 * civgrid account. Needs CG_PERM_AREAS_WRITE and the node in scope. The phone
 * of a staff member is a work number and is shown unmasked. Audited. */
int cg_staff_assign(cg_store *s, const struct cg_actor *actor, const char *area_code,
                    const char *position, const char *name, const char *phone, const char *username,
                    cg_arena *a, struct cg_staff *out, struct cg_field_error *fe);

/* Ends an assignment (sets its end date to today). */
int cg_staff_end(cg_store *s, const struct cg_actor *actor, int64_t id);

/* An area's responsibility card. At city, county and town level it leads
 * with the child areas and their figures; at every level it names the chain
 * above the area (who to call) and the people of the area and below it,
 * grouped by position, each group with its exact total. Lists are cut only
 * where the card says so; a group's full list pages through cg_staff_page. */
#define CG_CARD_CHAIN_MAX 200      /* staff on the nodes above */
#define CG_CARD_BUILDINGS_MAX 1000 /* buildings listed (community level and below) */
#define CG_CARD_CHILDREN_MAX 200   /* child areas with figures (town level and above) */
#define CG_CARD_GROUP_FEW 5        /* people listed per position at town level and above */
#define CG_CARD_GROUP_MAX 200      /* people listed per position below town level */

/* Whether a card of this level leads with its child areas (city, county,
 * town) rather than with its people and buildings. */
int cg_card_is_overview(const char *level);

struct cg_card_child {
    struct cg_area area;
    struct cg_area_figures figures;
};

/* The active staff of one position on the area and below it. */
struct cg_card_group {
    const char *position;
    int64_t total; /* all of them; items lists the first n */
    struct cg_staff *items;
    size_t n;
};

struct cg_card {
    struct cg_area area;
    struct cg_area_figures figures; /* exact, the area and below */
    struct cg_staff *chain;         /* on the nodes above the area, top first */
    size_t nchain;
    int chain_truncated;            /* more staff above than CG_CARD_CHAIN_MAX */
    struct cg_card_child *children; /* overview levels only */
    size_t nchildren;
    int64_t children_total;                           /* children the area has, listed or not */
    struct cg_card_group groups[CG_STAFF_NPOSITIONS]; /* by cg_staff_positions */
    struct cg_area *buildings;                        /* below overview levels only */
    size_t nbuildings;
    int64_t buildings_total;                 /* active buildings below, listed or not */
    int64_t households, residents, floating; /* the same as in figures */
};

int cg_staff_card(cg_store *s, const struct cg_actor *actor, const char *area_code, cg_arena *a,
                  struct cg_card *out);

/* One page of the active staff on an area in scope and below it, of one
 * position (NULL or empty: every position), in the card's order (by area
 * code, then by assignment). *total counts them all. A position not in
 * cg_staff_positions is CG_EBADTYPE naming position. Audited as area.staff,
 * like the card: the page names staff and their phones. */
int cg_staff_page(cg_store *s, const struct cg_actor *actor, const char *area_code,
                  const char *position, int64_t offset, int64_t limit, cg_arena *a,
                  struct cg_staff **items, size_t *n, int64_t *total, struct cg_field_error *fe);

struct cg_department {
    int64_t id;
    const char *code, *name, *domains;
};

/* Checks a department: code 1-32 letters, digits, '-', '_' or '.', name by
 * the one text rule (1-100 bytes), domains a comma-separated list of at most
 * 500 bytes. name is rewritten trimmed. */
int cg_department_check(const char *code, const char **name, const char *domains, cg_arena *a,
                        struct cg_field_error *fe);

/* Inserts a checked department on area_id in the caller's transaction,
 * without audit. A taken code is CG_EEXISTS naming code. */
int cg_department_write(cg_store *s, const char *code, const char *name, const char *domains,
                        int64_t area_id, struct cg_field_error *fe);

/* Adds a department (county-wide; domains comma-separated, e.g.
 * "power,transport"). Needs CG_PERM_AREAS_WRITE. */
int cg_department_create(cg_store *s, const struct cg_actor *actor, const char *code,
                         const char *name, const char *domains, cg_arena *a,
                         struct cg_department *out, struct cg_field_error *fe);

int cg_department_list(cg_store *s, const struct cg_actor *actor, cg_arena *a,
                       struct cg_department **items, size_t *n);

#endif
