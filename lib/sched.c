/* The scheduler (sched.h): the table of periodic jobs, the claim that lets
 * one process run each due cluster job, and the thread `serve` runs it in.
 *
 * Why a conditional UPDATE rather than PostgreSQL's advisory locks: the same
 * statement works on SQLite (a server and a cron `civgrid tick` on one file)
 * and on PostgreSQL, and the row it changes is also where operators read the
 * job's state. Under PostgreSQL's READ COMMITTED, two servers updating the
 * row at once are serialised by its row lock, and the second re-reads the
 * row as the first left it: next_due has moved past now, so its UPDATE
 * changes nothing and it does not run the job. An advisory lock would also
 * be lost with the connection that holds it and would need a second record
 * of which period already ran. */
#include "civgrid/sched.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civgrid/cards.h"
#include "civgrid/clock.h"
#include "civgrid/counts.h"
#include "civgrid/error.h"
#include "civgrid/log.h"
#include "civgrid/case_figures.h"
#include "civgrid/session.h"

/* The cluster jobs. A module adds its tick here: name, period, kind, tick. */
const struct cg_sched_job cg_sched_jobs[] = {
    {"session.expire", 3600, CG_SCHED_CLUSTER, cg_session_tick, NULL, NULL},
    {"case_figures.fold", 5, CG_SCHED_CLUSTER, cg_case_figures_tick, NULL, NULL},
    {"case.cards", 300, CG_SCHED_CLUSTER, cg_cards_tick, NULL, NULL},
    {"figures.prune", 86400, CG_SCHED_CLUSTER, cg_counts_tick, NULL, NULL},
    {NULL, 0, CG_SCHED_CLUSTER, NULL, NULL, NULL},
};

/* A job of this scheduler. A local job's runs are known only here; a
 * cluster job's are in its row of sched_jobs, and these fields stay 0. */
struct slot {
    struct cg_sched_job job;
    int64_t next_due, last_run, last_ms, runs, failures;
    const char *last_outcome; /* static: "ok" or an error name */
    char last_message[200];
};

struct cg_sched {
    char owner[160];
    struct slot *slots;
    size_t n, cap;
    pthread_mutex_t mu; /* guards the slots' state and stopping */
    pthread_cond_t wake;
    pthread_t thread;
    int running, stopping;
    char *url;
    int busy_timeout_ms;
    cg_store *store;   /* the thread's connection, NULL while closed */
    cg_store *ensured; /* the connection on which the rows were last ensured */
    int open_failed;   /* the last open failed (logged once, not every second) */
};

int64_t cg_sched_next_due(int64_t now, int64_t period)
{
    if (period < 1)
        period = 1;
    int64_t local = now + CG_TZ_OFFSET;
    int64_t start = local - (local % period + period) % period; /* floor, also below 0 */
    return start + period - CG_TZ_OFFSET;
}

static int add_slot(cg_sched *sc, const struct cg_sched_job *job)
{
    if (!job->name || !*job->name || job->period < 1 || !job->tick == !job->tick_ctx)
        return CG_EINVAL;
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 8;
        struct slot *grown = realloc(sc->slots, cap * sizeof *grown);
        if (!grown)
            return CG_ENOMEM;
        sc->slots = grown;
        sc->cap = cap;
    }
    sc->slots[sc->n++] = (struct slot){.job = *job};
    return 0;
}

int cg_sched_new(const char *who, cg_sched **out)
{
    cg_sched *sc = calloc(1, sizeof *sc);
    if (!sc)
        return CG_ENOMEM;
    char host[64] = "localhost";
    gethostname(host, sizeof host - 1);
    snprintf(sc->owner, sizeof sc->owner, "%s@%s:%ld", who, host, (long)getpid());
    pthread_mutex_init(&sc->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&sc->wake, &attr);
    pthread_condattr_destroy(&attr);
    int rc = 0;
    for (const struct cg_sched_job *j = cg_sched_jobs; !rc && j->name; j++)
        rc = add_slot(sc, j);
    if (rc) {
        cg_sched_free(sc);
        return rc;
    }
    *out = sc;
    return 0;
}

void cg_sched_free(cg_sched *sc)
{
    if (!sc)
        return;
    cg_sched_stop(sc);
    pthread_cond_destroy(&sc->wake);
    pthread_mutex_destroy(&sc->mu);
    free(sc->slots);
    free(sc->url);
    free(sc);
}

int cg_sched_add(cg_sched *sc, const struct cg_sched_job *job)
{
    if (sc->running)
        return CG_EINVAL;
    return add_slot(sc, job);
}

/* ---- running the jobs ---- */

/* Gives every cluster job of the table its row (due at once) if it has none,
 * and the period this binary gives it, which operators read. */
static int ensure_rows(cg_sched *sc, cg_store *s)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < sc->n; i++) {
        const struct cg_sched_job *j = &sc->slots[i].job;
        if (j->kind != CG_SCHED_CLUSTER)
            continue;
        rc = cg_store_run(s, NULL,
                          "INSERT INTO sched_jobs (name, period_seconds, next_due) VALUES (?, ?, 0)"
                          " ON CONFLICT (name) DO NOTHING",
                          "si", j->name, j->period);
        if (!rc)
            rc = cg_store_run(s, NULL,
                              "UPDATE sched_jobs SET period_seconds = ?"
                              " WHERE name = ? AND period_seconds <> ?",
                              "isi", j->period, j->name, j->period);
    }
    return rc;
}

#define DUE " WHERE name = ? AND next_due <= ? AND (lease_until IS NULL OR lease_until < ?)"

/* Claims the cluster job's run due at now: *won is 1 if this process won it,
 * 0 if it is not due or another process has it. The UPDATE alone decides;
 * the SELECT before it only spares SQLite's write lock when nothing is due,
 * which is nearly every second. */
static int claim(cg_sched *sc, cg_store *s, const struct cg_sched_job *j, int64_t now, int *won)
{
    cg_stmt *st = NULL;
    *won = 0;
    int rc = cg_store_query(s, &st, "SELECT 1 FROM sched_jobs" DUE, "sii", j->name, now, now);
    if (rc)
        return rc;
    rc = cg_stmt_one(st);
    cg_stmt_reset(st);
    if (rc)
        return rc == CG_ENOTFOUND ? 0 : rc;
    int64_t changed = 0;
    rc = cg_store_run(s, &changed,
                      "UPDATE sched_jobs SET next_due = ?, owner = ?, lease_until = ?" DUE,
                      "isisii", cg_sched_next_due(now, j->period), sc->owner,
                      now + CG_SCHED_LEASE_SECONDS, j->name, now, now);
    *won = changed == 1;
    return rc;
}

/* Records the run in the job's row and gives up the lease, unless the lease
 * ran out and another process claimed the job since. */
static int finish(cg_sched *sc, cg_store *s, const struct cg_sched_run *run)
{
    return cg_store_run(s, NULL,
                        "UPDATE sched_jobs SET lease_until = NULL, last_run = ?, last_outcome = ?,"
                        " last_message = ?, last_ms = ?, runs = runs + 1, failures = failures + ?"
                        " WHERE name = ? AND owner = ?",
                        "issiiss", run->now, run->rc ? cg_err_name(run->rc) : "ok",
                        run->rc ? run->why : NULL, (int64_t)(run->ms + 0.5),
                        (int64_t)(run->rc != 0), run->name, sc->owner);
}

/* Runs one tick and describes how it went. */
static void run_tick(const struct cg_sched_job *j, cg_store *s, int64_t now,
                     struct cg_sched_run *run, char *why, size_t whysize)
{
    double started = cg_monotonic();
    int rc = j->tick ? j->tick(s, now) : j->tick_ctx(j->ctx, s, now);
    *run =
        (struct cg_sched_run){.name = j->name, .kind = j->kind, .rc = rc, .why = why, .now = now};
    run->ms = (cg_monotonic() - started) * 1000;
    why[0] = '\0';
    if (rc) {
        /* The connection's message belongs to this failure only if the
         * database failed. */
        int db = rc == CG_EDB || rc == CG_EIO || rc == CG_EBUSY;
        const char *detail = db ? cg_store_errmsg(s) : "";
        snprintf(why, whysize, "%s%s%s", cg_strerror(rc), *detail ? ": " : "", detail);
        cg_log(CG_LOG_ERROR, "job %s failed: %s (retried in %lld s)", j->name, why,
               (long long)(cg_sched_next_due(now, j->period) - now));
    }
}

static void remember(cg_sched *sc, struct slot *sl, const struct cg_sched_run *run)
{
    pthread_mutex_lock(&sc->mu);
    sl->last_run = run->now;
    sl->last_ms = (int64_t)(run->ms + 0.5);
    sl->last_outcome = run->rc ? cg_err_name(run->rc) : "ok";
    snprintf(sl->last_message, sizeof sl->last_message, "%s", run->why);
    sl->runs++;
    sl->failures += run->rc != 0;
    pthread_mutex_unlock(&sc->mu);
}

/* Runs the slot's job if it is due at now; the claim comes first, so that a
 * failed run is retried at the next period and not at the next second. */
static int run_slot(cg_sched *sc, cg_store *s, struct slot *sl, int64_t now, cg_sched_report report,
                    void *arg)
{
    const struct cg_sched_job *j = &sl->job;
    int won = 0, rc = 0;
    if (j->kind == CG_SCHED_CLUSTER) {
        if ((rc = claim(sc, s, j, now, &won)) || !won)
            return rc;
    } else {
        pthread_mutex_lock(&sc->mu);
        won = sl->next_due <= now;
        if (won)
            sl->next_due = cg_sched_next_due(now, j->period);
        pthread_mutex_unlock(&sc->mu);
        if (!won)
            return 0;
    }
    struct cg_sched_run run;
    char why[200];
    run_tick(j, s, now, &run, why, sizeof why);
    if (j->kind == CG_SCHED_CLUSTER)
        rc = finish(sc, s, &run);
    else
        remember(sc, sl, &run);
    if (report)
        report(arg, &run);
    return rc;
}

/* After the first failure of the table's statements the remaining cluster
 * jobs wait for the next check, but local jobs still run: a server's own
 * work (its read log) must not stop while the shared database is away. */
int cg_sched_run_due(cg_sched *sc, cg_store *s, int64_t now, cg_sched_report report, void *arg)
{
    int rc = 0;
    if (sc->ensured != s && !(rc = ensure_rows(sc, s)))
        sc->ensured = s;
    for (size_t i = 0; i < sc->n; i++) {
        if (rc && sc->slots[i].job.kind == CG_SCHED_CLUSTER)
            continue;
        int err = run_slot(sc, s, &sc->slots[i], now, report, arg);
        if (!rc)
            rc = err;
    }
    return rc;
}

/* ---- the thread ---- */

static int open_store(cg_sched *sc)
{
    char *msg = NULL;
    int rc = cg_store_open(sc->url, &sc->store, &msg);
    if (rc) {
        if (!sc->open_failed)
            cg_log(CG_LOG_ERROR, "scheduler: cannot open the database: %s",
                   msg ? msg : cg_strerror(rc));
        sc->open_failed = 1;
        free(msg);
        return rc;
    }
    sc->open_failed = 0;
    cg_store_set_busy_timeout(sc->store, sc->busy_timeout_ms);
    return 0;
}

/* One check: runs what is due now. After a failure of the scheduler's own
 * statements the connection is closed, so that a lost one is reopened. */
static void check(cg_sched *sc)
{
    if (!sc->store && open_store(sc))
        return;
    int rc = cg_sched_run_due(sc, sc->store, cg_now(), NULL, NULL);
    if (rc && rc != CG_EBUSY) {
        cg_log(CG_LOG_ERROR, "scheduler: %s: %s", cg_strerror(rc), cg_store_errmsg(sc->store));
        cg_store_close(sc->store);
        sc->store = NULL;
        sc->ensured = NULL;
    } else if (rc) {
        cg_log(CG_LOG_WARN, "scheduler: database busy; trying again in a second");
    }
}

static void *sched_main(void *arg)
{
    cg_sched *sc = arg;
    pthread_mutex_lock(&sc->mu);
    while (!sc->stopping) {
        pthread_mutex_unlock(&sc->mu);
        check(sc);
        pthread_mutex_lock(&sc->mu);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += 1;
        while (!sc->stopping && pthread_cond_timedwait(&sc->wake, &sc->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&sc->mu);
    cg_store_close(sc->store);
    sc->store = NULL;
    sc->ensured = NULL;
    return NULL;
}

int cg_sched_start(cg_sched *sc, const char *url, int busy_timeout_ms)
{
    if (sc->running)
        return CG_EINVAL;
    free(sc->url);
    if (!(sc->url = strdup(url)))
        return CG_ENOMEM;
    sc->busy_timeout_ms = busy_timeout_ms;
    sc->stopping = 0;
    if (pthread_create(&sc->thread, NULL, sched_main, sc))
        return CG_ENOMEM;
    sc->running = 1;
    return 0;
}

void cg_sched_stop(cg_sched *sc)
{
    if (!sc || !sc->running)
        return;
    pthread_mutex_lock(&sc->mu);
    sc->stopping = 1;
    pthread_cond_signal(&sc->wake);
    pthread_mutex_unlock(&sc->mu);
    pthread_join(sc->thread, NULL);
    sc->running = 0;
}

/* ---- what operators see ---- */

static int read_row(cg_store *s, cg_arena *a, struct cg_sched_status *st)
{
    cg_stmt *q = NULL;
    int rc = cg_store_query(s, &q,
                            "SELECT next_due, owner, lease_until, last_run, last_outcome,"
                            " last_message, last_ms, runs, failures FROM sched_jobs WHERE name = ?",
                            "s", st->name);
    if (rc)
        return rc;
    rc = cg_stmt_one(q);
    if (!rc) {
        st->next_due = cg_stmt_int(q, 0);
        st->owner = cg_stmt_isnull(q, 1) ? NULL : cg_arena_strdup(a, cg_stmt_text(q, 1));
        st->lease_until = cg_stmt_int(q, 2);
        st->last_run = cg_stmt_int(q, 3);
        st->last_outcome = cg_stmt_isnull(q, 4) ? NULL : cg_arena_strdup(a, cg_stmt_text(q, 4));
        st->last_message = cg_stmt_isnull(q, 5) ? NULL : cg_arena_strdup(a, cg_stmt_text(q, 5));
        st->last_ms = cg_stmt_int(q, 6);
        st->runs = cg_stmt_int(q, 7);
        st->failures = cg_stmt_int(q, 8);
    }
    cg_stmt_reset(q);
    return rc == CG_ENOTFOUND ? 0 : rc; /* no row yet: never run, due at once */
}

static void read_slot(cg_sched *sc, const struct slot *sl, cg_arena *a, struct cg_sched_status *st)
{
    pthread_mutex_lock(&sc->mu);
    st->next_due = sl->next_due;
    st->last_run = sl->last_run;
    st->last_outcome = sl->last_outcome;
    st->last_message = sl->last_message[0] ? cg_arena_strdup(a, sl->last_message) : NULL;
    st->last_ms = sl->last_ms;
    st->runs = sl->runs;
    st->failures = sl->failures;
    pthread_mutex_unlock(&sc->mu);
}

int cg_sched_list(cg_store *s, const struct cg_actor *actor, cg_sched *sc, cg_arena *a,
                  struct cg_sched_status **out, size_t *n)
{
    if (!cg_actor_can(actor, CG_PERM_AUDIT_READ))
        return CG_EFORBIDDEN;
    struct cg_sched_status *list = cg_arena_calloc(a, (sc->n ? sc->n : 1) * sizeof *list);
    if (!list)
        return CG_ENOMEM;
    int rc = 0;
    for (size_t i = 0; !rc && i < sc->n; i++) {
        const struct slot *sl = &sc->slots[i];
        struct cg_sched_status *st = &list[i];
        st->name = sl->job.name;
        st->kind = sl->job.kind;
        st->period = sl->job.period;
        if (sl->job.kind == CG_SCHED_CLUSTER)
            rc = read_row(s, a, st);
        else
            read_slot(sc, sl, a, st);
    }
    if (rc)
        return rc;
    *out = list;
    *n = sc->n;
    return 0;
}
