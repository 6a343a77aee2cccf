/* One server per SQLite file.
 *
 * A server owns files beside its database that no other process may touch:
 * the read log's "-reads.0" and ".1" (readlog.h), written by its writer and
 * removed at its clean stop. A second `civgrid serve` on the same file used
 * to share them, and its clean stop deleted the first one's log: the first
 * then answered reads whose audit records never arrived. So a server holds
 * an exclusive lock (flock) on "<database>-serve.lock" for its whole life,
 * and a second server is refused with a message naming the database and the
 * process that holds it. Short CLI commands (import, user, area, audit) take
 * no lock and keep working beside a server; they use SQLite's own locking.
 * PostgreSQL needs no such lock: several servers may share one database.
 * The kernel releases the lock when the process dies, however it dies. */
#ifndef CIVGRID_SERVERLOCK_H
#define CIVGRID_SERVERLOCK_H

typedef struct cg_serverlock cg_serverlock;

/* Takes the server lock of the database at url. *out is NULL (and 0
 * returned) when url needs none (PostgreSQL, memory, URIs). CG_EBUSY when
 * another process holds it; CG_EIO when the lock file cannot be made; either
 * way *errmsg_out (if given) is a malloc'd sentence for the operator. */
int cg_serverlock_acquire(const char *url, cg_serverlock **out, char **errmsg_out);

/* Removes the lock file and releases the lock. NULL is a no-op. */
void cg_serverlock_release(cg_serverlock *lock);

#endif
