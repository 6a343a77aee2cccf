/* The writer: one group-commit writer per database target.
 *
 * Any thread submits a job: a write (run on the writer thread's own
 * connection, inside the batch's transaction) and an optional after-commit
 * step (for in-memory indexes). One thread takes whatever has queued while
 * the previous batch was committing and commits it as one batch, one
 * transaction; each submitter is answered only once its batch is durable.
 * Under load one fsync serves every request of a batch.
 *
 * The target. On PostgreSQL the writer's connection is to the database
 * itself. On SQLite it can be the database file, but clients that flood
 * (reads' audit records, check-ins) write to side files beside it instead,
 * attached by the target's setup: every commit to the main file makes every
 * other connection drop its page cache and memory map at its next read, so
 * floods committed there would slow every search (docs/benchmarks.md).
 * cg_writer_side_file names such a file.
 *
 * Durability: what an answered job survives, chosen per target.
 * - CG_DURABLE_POWER_LOSS (the default): a process kill (SIGKILL, a crash of
 *   civgrid, the OOM killer), a power loss and a kernel crash. On SQLite the
 *   writer's connection commits with synchronous=FULL (the WAL is fsync'd at
 *   every commit: one fsync per batch, which is what group commit pays for);
 *   a setup that attaches side files sets them to FULL too. On PostgreSQL the
 *   writer's session runs with synchronous_commit=on whatever the server's
 *   default, so a commit returns once the server has flushed its WAL (as
 *   durable as the server's fsync and its synchronous standbys make it).
 * - CG_DURABLE_PROCESS_KILL: a process kill only. On SQLite the connection
 *   keeps synchronous=NORMAL (a setup sets attached files the same): a commit
 *   reaches the operating system, not the disk, so a power loss may lose the
 *   batches since the last checkpoint. No fsync in the answer. PostgreSQL
 *   commits as above. For records whose loss in a power cut loses no state
 *   (the read log: readlog.h).
 * - Loss or corruption of the disk itself: neither; that is what backups
 *   are for.
 * A job that was not answered (the process died first) may or may not have
 * been committed.
 *
 * A failing job does not sink the others of its batch: each job's write
 * runs inside a SAVEPOINT of its own, and a failure rolls back to it, so
 * only that job's statements are undone and the batch still commits. Chosen
 * over "roll back the batch and retry it without the failed job" because a
 * write then runs exactly once (no callback needs to be safe to repeat) and
 * a failure costs the others nothing; the price is two statements per job
 * (in-process on SQLite, round trips on PostgreSQL), skipped when the batch
 * holds one job. If the batch itself fails (BEGIN, a savepoint, COMMIT, or
 * an error after which SQLite has rolled the whole transaction back), every
 * job in it fails with that error.
 *
 * Thread safety: cg_writer_submit and cg_writer_sync may be called from any
 * number of threads; cg_writer_close must not race with them. */
#ifndef CIVGRID_WRITER_H
#define CIVGRID_WRITER_H

#include <stdint.h>

#include "civgrid/store.h"

typedef struct cg_writer cg_writer;

/* A job's write. Runs on the writer thread with the writer's connection s,
 * inside the batch's transaction (which begins deferred on SQLite: a file is
 * locked at its first write, so a write that reads a file other connections
 * also write may fail with CG_EBUSY). Returns 0 or a CG_E* code; on failure
 * only this job's statements are undone. Must not begin, commit or roll back. */
typedef int (*cg_writer_write_fn)(cg_store *s, void *arg);

/* A job's after-commit step. Runs on the writer thread once the batch has
 * ended and before the submitter is answered, in submission order within the
 * batch; committed is 1 when the job's write is durable, 0 when it is not
 * (its write failed, or its batch did not commit). Must be quick, and must
 * not submit to a writer (it would wait for itself). */
typedef void (*cg_writer_after_fn)(void *arg, int committed);

struct cg_writer_job {
    cg_writer_write_fn write; /* NULL: nothing to write (a marker, see cg_writer_sync) */
    cg_writer_after_fn after; /* or NULL */
    void *arg;                /* given to both; owned by the submitter */
};

/* What an answered job survives (above). */
enum cg_durability { CG_DURABLE_POWER_LOSS = 0, CG_DURABLE_PROCESS_KILL = 1 };

/* What a writer commits to. */
struct cg_writer_target {
    /* The connection to open: a PostgreSQL URL, a SQLite file, or ":memory:"
     * when setup attaches the side files that are the real target. */
    const char *url;
    /* Runs once on the writer's connection before its thread starts (attach
     * side files, create their tables); NULL for none. */
    int (*setup)(cg_store *s, void *arg);
    void *setup_arg;
    enum cg_durability durability;
    /* Take the write lock when a batch begins (SQLite's BEGIN IMMEDIATE):
     * for a writer of the main file, which other connections write too, so
     * that a batch that reads before it writes never fails to upgrade its
     * lock. Side files that only the writer writes begin deferred (0). */
    int lock_at_begin;
};

/* Opens the target's connection, runs its setup, sets its commits'
 * durability (see above) and starts the writer thread. On failure *out is NULL and
 * *errmsg_out (if given) a malloc'd reason. */
int cg_writer_open(const struct cg_writer_target *target, cg_writer **out, char **errmsg_out);

/* Queues job and waits until its batch has ended: 0 once its write is
 * durable, else the write's own error, or the error that failed its batch,
 * or CG_EBUSY when the writer is closing. job is only read during the call. */
int cg_writer_submit(cg_writer *w, const struct cg_writer_job *job);

/* Returns once every job submitted before the call has been answered. A
 * batch of nothing but such markers opens no transaction. */
int cg_writer_sync(cg_writer *w);

/* Commits what is queued, stops the thread and closes the connection.
 * NULL is a no-op. */
void cg_writer_close(cg_writer *w);

/* Counts since open, for tests and /metrics. */
struct cg_writer_stats {
    uint64_t jobs;           /* answered jobs with a write */
    uint64_t failed_jobs;    /* of which answered with an error */
    uint64_t batches;        /* transactions committed or tried */
    uint64_t failed_batches; /* of which did not commit */
    uint64_t queued;         /* jobs waiting now, not yet in a batch */
};
void cg_writer_stats(cg_writer *w, struct cg_writer_stats *out);

/* The same counts summed over every writer the process has run (queued is
 * 0), and the seconds its batches took from BEGIN to the end of COMMIT (the
 * fsync included), for /metrics: jobs per batch is what group commit saves. */
void cg_writer_totals(struct cg_writer_stats *out, double *batch_seconds);

/* The path of a side file beside the SQLite file that url names: the file's
 * path followed by suffix ("-reads.0"). *path_out is a malloc'd string, or
 * NULL when url has no file to put one beside (PostgreSQL, ":memory:",
 * "file:" URIs). CG_ENOMEM. */
int cg_writer_side_file(const char *url, const char *suffix, char **path_out);

#endif
