/* Ledgers (台账): tagged sets of residents with start and end dates and a
 * note. The catalogue is seeded with the five databases of Xinrong district
 * (party members, students, truck drivers, professionals, special-needs
 * people) and special care, potential risk, emergency team and volunteers. */
#ifndef CIVGRID_LEDGER_H
#define CIVGRID_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/field.h"
#include "civgrid/store.h"

struct cg_ledger {
    int64_t id;
    const char *name, *zh, *en, *note;
    int64_t count; /* active entries in the caller's scope (or the area asked for) */
};

/* The catalogue with counts of current entries in area_code's subtree (NULL:
 * the actor's scope). Needs CG_PERM_PEOPLE_READ. */
int cg_ledger_list(cg_store *s, const struct cg_actor *actor, const char *area_code, cg_arena *a,
                   struct cg_ledger **items, size_t *n);

/* The catalogue alone (no counts, no permission: the names are not personal),
 * for words in exports. */
int cg_ledger_names(cg_store *s, cg_arena *a, struct cg_ledger **items, size_t *n);

struct cg_ledger_count {
    const char *area_code, *area_name, *area_level;
    int64_t count;
};

/* Counts of ledger's current entries per child of area_code (NULL: the
 * actor's own area): one row per child node, for "per ledger per grid". */
int cg_ledger_counts(cg_store *s, const struct cg_actor *actor, const char *ledger,
                     const char *area_code, cg_arena *a, struct cg_ledger_count **items, size_t *n);

/* How cg_ledger_write treats an entry that may exist. */
enum cg_ledger_mode {
    CG_LEDGER_NEW, /* the resident was just inserted and has no entries: a plain insert */
    CG_LEDGER_ADD, /* insert the entry when missing, keep one that exists as it is */
    CG_LEDGER_SET, /* set dates and note on the entry, inserting it when missing */
};

/* Writes a resident's entry on ledger_id in the caller's transaction,
 * without audit: for saves and loaders (resident saves and imports, the
 * demo, tags). Dates and note as checked by cg_ledger_tag (NULL: none).
 * *changed (may be NULL) is set to 1 when a row was inserted or changed. */
int cg_ledger_write(cg_store *s, enum cg_ledger_mode mode, int64_t ledger_id, int64_t resident_id,
                    const char *start_date, const char *end_date, const char *note, int *changed);

/* Puts a resident on a ledger (or updates dates and note). Dates are
 * YYYY-MM-DD or NULL; end before start is refused; the note is text by the
 * one rule (text.h), at most 500 bytes. Needs
 * CG_PERM_PEOPLE_WRITE and the resident in scope. Audited. */
int cg_ledger_tag(cg_store *s, const struct cg_actor *actor, const char *ledger,
                  int64_t resident_id, const char *start_date, const char *end_date,
                  const char *note, struct cg_field_error *fe);

/* Takes a resident off a ledger (deletes the entry; audited). */
int cg_ledger_untag(cg_store *s, const struct cg_actor *actor, const char *ledger,
                    int64_t resident_id);

#endif
