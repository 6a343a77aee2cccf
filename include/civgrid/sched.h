/* The scheduler: one table of periodic jobs, like redis's serverCron.
 *
 * A module offers one idempotent tick, `int cg_<module>_tick(cg_store *s,
 * int64_t now)`, and adds one line to the table cg_sched_jobs (lib/sched.c).
 * `civgrid serve` runs the table in a thread of its own, checking every
 * second; `civgrid tick [--at TIME]` runs every due job once and exits.
 *
 * Two kinds of job:
 * - cluster jobs act on the shared database. With several processes on one
 *   database (servers on one PostgreSQL, or a server and a cron `civgrid
 *   tick`), each due run happens in exactly one process: a process claims
 *   it by advancing the job's row in the table sched_jobs with one
 *   conditional UPDATE (the row count says whether it won), and holds a
 *   lease on the row until the run ends, so that a slow run never overlaps
 *   the next. Their last run, outcome and duration are kept in that row.
 * - local jobs act on a process's own state (a server's read log), run in
 *   every process that registers them, and keep their last run in memory.
 *
 * A job runs once per period, at times aligned to multiples of its period in
 * the deployment's time zone (a daily job runs at local midnight). A missed
 * period (the server was down, the clock jumped) runs once, not once per
 * missed period. A failing run is logged with the job's name and runs again
 * at the next period; the claim already moved the job on, so a failure never
 * retries in a tight loop. */
#ifndef CIVGRID_SCHED_H
#define CIVGRID_SCHED_H

#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/store.h"

typedef struct cg_sched cg_sched;

enum cg_sched_kind { CG_SCHED_CLUSTER, CG_SCHED_LOCAL };

/* How long a claim holds a cluster job. A run still going after this long is
 * taken for dead (its process crashed), and the job's next due run may start
 * elsewhere; ticks are idempotent, so an overlap then costs only time. */
#define CG_SCHED_LEASE_SECONDS 600

struct cg_sched_job {
    const char *name; /* "module.verb", e.g. "session.expire" */
    int64_t period;   /* seconds between runs, at least 1 */
    enum cg_sched_kind kind;
    /* A module's tick: does whatever is due at now (epoch seconds), in its
     * own transactions, and may run again at the same now to no effect.
     * Returns 0 or a negative CG_E* code. */
    int (*tick)(cg_store *s, int64_t now);
    /* Instead of tick, for a job that needs process state: called with ctx. */
    int (*tick_ctx)(void *ctx, cg_store *s, int64_t now);
    void *ctx;
};

/* The deployment's cluster jobs, ended by an entry with a NULL name. */
extern const struct cg_sched_job cg_sched_jobs[];

/* One finished run, as reported to a cg_sched_report callback. */
struct cg_sched_run {
    const char *name;
    enum cg_sched_kind kind;
    int rc;          /* the tick's result: 0 or a CG_E* code */
    const char *why; /* the failure in words ("" when rc is 0) */
    int64_t now;     /* the time the run was for */
    double ms;       /* how long the tick took */
};

typedef void (*cg_sched_report)(void *arg, const struct cg_sched_run *run);

/* A job as operators see it (civgrid tick --list, GET /api/v1/system/jobs).
 * Times are epoch seconds, 0 when unknown: a job never run has next_due 0
 * (due at once) and last_run 0. */
struct cg_sched_status {
    const char *name;
    enum cg_sched_kind kind;
    int64_t period;
    int64_t next_due;
    const char *owner;   /* the process that claimed the last run (cluster), or NULL */
    int64_t lease_until; /* non-zero while a claimed run is going (cluster) */
    int64_t last_run;
    const char *last_outcome; /* "ok", an error name, or NULL before the first run */
    const char *last_message; /* the failure in words, or NULL */
    int64_t last_ms;
    int64_t runs, failures;
};

/* A scheduler holding the cluster table; who ("serve", "tick") names the
 * process in the claims it makes, with the host and process id. */
int cg_sched_new(const char *who, cg_sched **out);

/* Stops the thread if running and frees the scheduler. Accepts NULL. */
void cg_sched_free(cg_sched *sc);

/* Adds a job that needs process state, such as a server's local jobs
 * (copied; job->ctx must outlive the scheduler). Not while the thread runs.
 * CG_EINVAL for a job without a name, a period or a tick, or with both. */
int cg_sched_add(cg_sched *sc, const struct cg_sched_job *job);

/* Runs every job due at now once, on s, calling report (may be NULL) after
 * each run. A tick's failure is reported and logged, not returned: the
 * result is 0, or the first error of the scheduler's own statements on the
 * table (CG_EBUSY, CG_EDB ...), after which the remaining cluster jobs were
 * not tried (local jobs were). */
int cg_sched_run_due(cg_sched *sc, cg_store *s, int64_t now, cg_sched_report report, void *arg);

/* Starts the scheduler's thread: with its own connection to the database at
 * url, it runs the due jobs at cg_now() once a second (so CIVGRID_FAKE_NOW
 * holds). A lost connection is reopened at the next second. */
int cg_sched_start(cg_sched *sc, const char *url, int busy_timeout_ms);

/* Asks the thread to stop, waits for the run in progress to end and joins
 * it. Does nothing if the thread is not running. */
void cg_sched_stop(cg_sched *sc);

/* Every job of sc (cluster jobs with their row in sched_jobs, local jobs
 * with this process's memory), in the table's order. Needs
 * CG_PERM_AUDIT_READ (CG_EFORBIDDEN): the jobs are the deployment's
 * operations, read by the same people as its audit trail. Everything lives
 * in a. */
int cg_sched_list(cg_store *s, const struct cg_actor *actor, cg_sched *sc, cg_arena *a,
                  struct cg_sched_status **out, size_t *n);

/* The first time after now that a job of this period is due: the next
 * multiple of period counted from 1970-01-01 00:00 in the deployment's time
 * zone, so that every period that divides a day starts at local midnight. */
int64_t cg_sched_next_due(int64_t now, int64_t period);

#endif
