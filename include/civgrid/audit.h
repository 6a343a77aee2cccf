/* The audit trail: who, when, from where, what, on which object, with what
 * outcome. Written in the same transaction as the change it records, so a
 * change without its record (or the reverse) cannot exist. Reads change
 * nothing: in a server their records reach the table through the read log
 * (readlog.h), committed there before the reader is answered. */
#ifndef CIVGRID_AUDIT_H
#define CIVGRID_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/store.h"

struct cg_audit_record {
    const char *action;      /* "user.create", "session.create", "resident.unmask" ... */
    const char *object_type; /* "user", "area", ... or NULL */
    const char *object_id;   /* or NULL */
    const char *area_path;   /* where the object lives, for scoped reading; or NULL */
    int outcome;             /* 0 or the CG_E* code the action ended with */
    const char *detail;      /* free text, or NULL */
};

/* Appends one record for actor (NULL: anonymous; username_hint names the
 * account tried, as for a failed login). Call inside the caller's transaction;
 * a failure of the action itself is recorded with cg_audit_commit. */
int cg_audit_write(cg_store *s, const struct cg_actor *actor, const char *username_hint,
                   const struct cg_audit_record *rec);

/* Records a read of personal data (a search, a profile, an export): in the
 * server, through the read log (readlog.h) and its group-commit writer, so
 * that a flood of reads shares commits and, on SQLite, does not commit to the
 * main database once each; elsewhere as cg_audit_commit. Call outside any
 * transaction; returns once the record is durable (writer.h says against
 * what). */
int cg_audit_read(cg_store *s, const struct cg_actor *actor, const struct cg_audit_record *rec);

/* Records an action in a transaction of its own: for reads, and for actions
 * that were refused or failed (and so rolled their own transaction back). */
int cg_audit_commit(cg_store *s, const struct cg_actor *actor, const char *username_hint,
                    const struct cg_audit_record *rec);

/* Ends the transaction of an action that rc says succeeded (0) or failed:
 * on success writes rec and commits; on failure rolls back and records the
 * failure in a transaction of its own. Returns rc, or the error that stopped
 * the commit. */
int cg_audit_end(cg_store *s, const struct cg_actor *actor, struct cg_audit_record *rec, int rc);

/* The one shape of an audited change, which every save uses:
 *
 *     int rc = <checks made outside the transaction, 0 when they pass>;
 *     return cg_audit_change(s, actor, &rec, rc, write, &ctx);
 *
 * A refusal (refused != 0) is recorded in a transaction of its own and
 * returned. Otherwise write(s, ctx) runs in a new transaction that
 * cg_audit_end ends: committed with rec when write returned 0, rolled back
 * and recorded as failed otherwise. Returns the outcome. */
typedef int (*cg_audit_write_fn)(cg_store *s, void *ctx);
int cg_audit_change(cg_store *s, const struct cg_actor *actor, struct cg_audit_record *rec,
                    int refused, cg_audit_write_fn write, void *ctx);

/* One audit row as stored: the columns CG_AUDIT_COLUMNS names, in order. */
#define CG_AUDIT_COLUMNS                                                                           \
    "at, actor_id, actor, client_ip, action, object_type, object_id, outcome, area_path, detail"
struct cg_audit_row {
    int64_t at, actor_id;
    const char *actor, *client_ip, *action, *object_type, *object_id, *outcome, *area_path, *detail;
};

/* Fills row from an actor (or username_hint) and a record, stamped now. */
void cg_audit_row_of(const struct cg_actor *actor, const char *username_hint,
                     const struct cg_audit_record *rec, struct cg_audit_row *row);

/* Inserts row with insert_sql: CG_AUDIT_INSERT of the audit table, or of a
 * table with the same columns (the read log's). */
#define CG_AUDIT_INSERT(table)                                                                     \
    "INSERT INTO " table " (" CG_AUDIT_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?,?)"
int cg_audit_insert(cg_store *s, const char *insert_sql, const struct cg_audit_row *row);

struct cg_audit_filter {
    const char *actor;  /* username, or NULL */
    const char *action; /* an action with its variants ("resident.export" lists
                         * "resident.export.unmasked" too), or a prefix ending in
                         * '.', e.g. "user." */
    const char *object_id;
    const char *outcome;  /* "ok" or an error name */
    int64_t since, until; /* epoch seconds; 0: open */
    int64_t before_id;    /* for paging: entries older than this id; 0: newest */
    int limit;            /* 1..1000, default 100 */
};

struct cg_audit_entry {
    int64_t id, at, actor_id;
    const char *actor, *client_ip, *action, *object_type, *object_id, *outcome, *detail;
};

/* Lists entries, newest first, that the actor may read (first moving the
 * read log's records into the table): needs
 * CG_PERM_AUDIT_READ (CG_EFORBIDDEN otherwise); an actor scoped below the
 * root sees entries about objects in its scope and its own actions. *more
 * says whether older entries exist past this page (ask again with
 * before_id = the last entry's id). The reading is itself audited
 * ("audit.read"). */
int cg_audit_list(cg_store *s, const struct cg_actor *actor, const struct cg_audit_filter *f,
                  cg_arena *a, struct cg_audit_entry **items, size_t *n, int *more);

#endif
