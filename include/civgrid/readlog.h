/* The read log: where a server's audit records of reads wait, durably, for
 * about a second before they join the audit table.
 *
 * Why: every search or profile read of personal data writes an audit record.
 * On SQLite a commit to the database makes every other connection drop its
 * page cache and memory map at its next read (the WAL changed), so a commit
 * per read made each search fault the database back in (5,000 searches/s
 * without the audit write, 1,700 with it; bench/search.sh). The records of
 * reads are therefore committed to files of their own, "<database>-reads.0"
 * and ".1" (written in turn, so that the one not being written is emptied),
 * by one writer thread that commits whatever has queued up as one batch
 * (group commit), and a mover thread carries them into the audit table once
 * a second in one transaction. A request is answered only after its record
 * is committed to the read log, and the move is exactly once: the audit
 * table's side records how far it has taken the log (table readlog_moved).
 *
 * Only SQLite databases in a file have a read log; elsewhere (PostgreSQL, a
 * CLI process) cg_audit_read commits to the audit table directly. */
#ifndef CIVGRID_READLOG_H
#define CIVGRID_READLOG_H

#include "civgrid/audit.h"
#include "civgrid/store.h"

/* Opens the read log of the database at url and starts its two threads; any
 * records an earlier process left are moved at once. *out is NULL (and 0
 * returned) when url has no read log. On failure *errmsg_out (if given) is a
 * malloc'd reason. */
int cg_readlog_open(const char *url, cg_readlog **out, char **errmsg_out);

/* Appends one record and returns once it is committed to the read log. */
int cg_readlog_append(cg_readlog *log, const struct cg_audit_row *row);

/* Moves every record appended before the call into the audit table. */
int cg_readlog_flush(cg_readlog *log);

/* Moves what is left, stops the threads and removes the log's file when it
 * is empty. NULL is a no-op. */
void cg_readlog_close(cg_readlog *log);

#endif
