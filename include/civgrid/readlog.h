/* The read log: where a server's audit records of reads wait, durably, for
 * about a second before they join the audit table. The first client of the
 * group-commit writer (writer.h).
 *
 * Why: every search or profile read of personal data writes an audit record.
 * On SQLite a commit to the database makes every other connection drop its
 * page cache and memory map at its next read (the WAL changed), so a commit
 * per read made each search fault the database back in (5,000 searches/s
 * without the audit write, 1,700 with it; bench/search.sh). The records of
 * reads are therefore committed by the writer to files of their own,
 * "<database>-reads.0" and ".1" (written in turn, so that the one not being
 * written is emptied), and cg_readlog_flush carries them into the audit
 * table in one transaction of the database. A request is answered only after
 * its record is committed to the read log, and the move is exactly once: the
 * audit table's side records how far it has taken the log (table
 * readlog_moved).
 *
 * Durability (writer.h) is the server's choice (serve --read-audit-fsync).
 * The default, CG_DURABLE_PROCESS_KILL: an answered read's record survives a
 * kill of the process; a power loss may lose the records of the reads
 * answered since the last move (about a second: each move commits to the
 * database with synchronous=FULL). CG_DURABLE_POWER_LOSS puts an fsync in
 * every search's answer: 6-10 ms on the disks measured, which made searches
 * 5-8 times slower and their p99 miss its 10 ms target (docs/benchmarks.md).
 * Reads change no state, so the lighter level is the default; writes of
 * state (check-ins, roster ticks) always use CG_DURABLE_POWER_LOSS.
 *
 * On PostgreSQL there are no files: the writer's target is the database
 * itself and it commits the records, in batches, straight to the audit table
 * (one commit per batch instead of one per read); cg_readlog_flush has
 * nothing to move. A SQLite database in memory or named by a URI, and a CLI
 * process, have no read log: cg_audit_read commits to the audit table
 * directly.
 *
 * The server's scheduler calls cg_readlog_flush once a second (the local
 * job "readlog.move"). */
#ifndef CIVGRID_READLOG_H
#define CIVGRID_READLOG_H

#include "civgrid/audit.h"
#include "civgrid/store.h"
#include "civgrid/writer.h"

/* Opens the read log of the database at url and starts its writer; any records an earlier process
 * left are moved at once. *out is NULL (and 0 returned) when url has no read log. On failure
 * *errmsg_out (if given) is a malloc'd reason. The files are this process's alone: a server holds
 * the database's server lock (serverlock.h) before it opens them. */
int cg_readlog_open(const char *url, enum cg_durability durability, cg_readlog **out,
                    char **errmsg_out);

/* Appends one record and returns once it is durably committed to the read
 * log (CG_EBUSY while closing). Any thread. */
int cg_readlog_append(cg_readlog *log, const struct cg_audit_row *row);

/* 1 when records wait in the log's files for cg_readlog_flush to move them
 * (SQLite); 0 when the writer commits them to the audit table itself
 * (PostgreSQL): then nothing needs to call cg_readlog_flush periodically. */
int cg_readlog_has_files(const cg_readlog *log);

/* Moves every record appended before the call into the audit table: the one
 * entry that moves records (the scheduler and GET /api/v1/audit call it). Any thread; concurrent
 * calls share one move. */
int cg_readlog_flush(cg_readlog *log);

/* Lets the writer commit what is queued, moves what is left
 * and removes the log's files when they are empty. No other call on log may
 * run during or after it (stop the HTTP workers and the scheduler first).
 * NULL is a no-op. */
void cg_readlog_close(cg_readlog *log);

#endif
