/* The group-commit writer (writer.h): one thread, one connection, batches
 * of whatever queued while the previous batch was committing. */
#include "civgrid/writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "store_int.h"

/* A batch's size is capped so that one transaction stays short under a
 * flood: the jobs beyond it wait for the next batch. */
#define MAX_BATCH 1024

/* Counts over every writer of the process, for /metrics. */
static _Atomic uint64_t total_jobs, total_failed_jobs, total_batches, total_failed_batches;
static _Atomic uint64_t total_batch_ns;

/* A submitted job; it lives on the submitting thread's stack, and that
 * thread waits until done is set. */
struct pending {
    const struct cg_writer_job *job;
    int rc, done;
    struct pending *next;
};

struct cg_writer {
    cg_store *s; /* used by the writer thread only, once started */
    int lock_at_begin;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work, answered, left;
    struct pending *head, *tail;
    int stopping; /* no more submissions; the thread drains and ends */
    int inside;   /* submitters still in cg_writer_submit: close waits for them */
    struct cg_writer_stats stats;
};

/* ---- one batch ---- */

/* Runs one job's write inside its savepoint: its failure undoes only its own
 * statements. Returns the error that fails the whole batch (a savepoint
 * statement that failed: SQLite may have rolled everything back), else 0
 * with the job's own result in p->rc. */
static int run_job(cg_store *s, struct pending *p, int savepoint)
{
    int rc = savepoint ? cg_store_exec_script(s, "SAVEPOINT cg_job") : 0;
    if (rc)
        return rc;
    p->rc = p->job->write(s, p->job->arg);
    if (!savepoint)
        return p->rc; /* alone in its batch: its failure is the batch's */
    return cg_store_exec_script(s, p->rc ? "ROLLBACK TO cg_job; RELEASE cg_job" : "RELEASE cg_job");
}

static void count_batch(cg_writer *w, const struct pending *batch, int rc, double seconds)
{
    uint64_t jobs = 0, failed = 0;
    for (const struct pending *p = batch; p; p = p->next)
        if (p->job->write) {
            jobs++;
            failed += p->rc != 0;
        }
    pthread_mutex_lock(&w->mu);
    w->stats.batches++;
    w->stats.failed_batches += rc != 0;
    w->stats.jobs += jobs;
    w->stats.failed_jobs += failed;
    pthread_mutex_unlock(&w->mu);
    atomic_fetch_add(&total_batches, 1);
    atomic_fetch_add(&total_failed_batches, rc != 0);
    atomic_fetch_add(&total_jobs, jobs);
    atomic_fetch_add(&total_failed_jobs, failed);
    atomic_fetch_add(&total_batch_ns, (uint64_t)(seconds * 1e9));
}

/* Writes and commits the batch; each job's rc says how it ended. */
static void write_batch(cg_writer *w, struct pending *batch)
{
    int writes = 0;
    for (struct pending *p = batch; p; p = p->next)
        writes += p->job->write != NULL;
    if (!writes)
        return; /* markers only: nothing to commit */
    double started = cg_monotonic();
    /* A deferred BEGIN (SQLite): the first write locks only the file it
     * writes, so a client's other side files stay free for its own
     * connections (the read log empties one while this writes the other). */
    int rc = w->lock_at_begin ? cg_store_begin(w->s) : cg_store_exec_script(w->s, "BEGIN");
    for (struct pending *p = batch; !rc && p; p = p->next)
        if (p->job->write)
            rc = run_job(w->s, p, writes > 1);
    if (!rc)
        rc = cg_store_commit(w->s);
    if (rc) {
        cg_store_rollback(w->s); /* fails harmlessly if SQLite already did */
        for (struct pending *p = batch; p; p = p->next)
            if (!p->rc)
                p->rc = rc;
    }
    count_batch(w, batch, rc, cg_monotonic() - started);
}

/* Takes up to MAX_BATCH jobs off the queue (the caller holds mu). */
static struct pending *take_batch(cg_writer *w, int *n)
{
    struct pending *batch = w->head, *last = batch;
    *n = 1;
    while (last->next && *n < MAX_BATCH) {
        last = last->next;
        ++*n;
    }
    w->head = last->next;
    if (!w->head)
        w->tail = NULL;
    last->next = NULL;
    w->stats.queued -= (uint64_t)*n;
    return batch;
}

static void *writer_main(void *arg)
{
    cg_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->work, &w->mu);
        if (!w->head)
            break; /* stopping, and everything queued is answered */
        int n = 0;
        struct pending *batch = take_batch(w, &n);
        pthread_mutex_unlock(&w->mu);
        write_batch(w, batch);
        for (struct pending *p = batch; p; p = p->next)
            if (p->job->after)
                p->job->after(p->job->arg, p->rc == 0);
        pthread_mutex_lock(&w->mu);
        while (batch) {
            struct pending *next = batch->next; /* gone once its thread sees done */
            batch->done = 1;
            batch = next;
        }
        pthread_cond_broadcast(&w->answered);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* ---- submitting ---- */

int cg_writer_submit(cg_writer *w, const struct cg_writer_job *job)
{
    struct pending p = {job, 0, 0, NULL};
    pthread_mutex_lock(&w->mu);
    if (w->stopping) {
        pthread_mutex_unlock(&w->mu);
        return CG_EBUSY;
    }
    if (w->tail)
        w->tail->next = &p;
    else
        w->head = &p;
    w->tail = &p;
    w->stats.queued++;
    w->inside++;
    pthread_cond_signal(&w->work);
    while (!p.done)
        pthread_cond_wait(&w->answered, &w->mu);
    if (!--w->inside && w->stopping)
        pthread_cond_signal(&w->left);
    pthread_mutex_unlock(&w->mu);
    return p.rc;
}

int cg_writer_sync(cg_writer *w)
{
    static const struct cg_writer_job marker = {NULL, NULL, NULL};
    return cg_writer_submit(w, &marker);
}

void cg_writer_stats(cg_writer *w, struct cg_writer_stats *out)
{
    pthread_mutex_lock(&w->mu);
    *out = w->stats;
    pthread_mutex_unlock(&w->mu);
}

void cg_writer_totals(struct cg_writer_stats *out, double *batch_seconds)
{
    *out = (struct cg_writer_stats){atomic_load(&total_jobs), atomic_load(&total_failed_jobs),
                                    atomic_load(&total_batches), atomic_load(&total_failed_batches),
                                    0};
    *batch_seconds = (double)atomic_load(&total_batch_ns) / 1e9;
}

/* ---- life cycle ---- */

static int open_connection(cg_writer *w, const struct cg_writer_target *t, char **errmsg_out)
{
    int rc = cg_store_open(t->url, &w->s, errmsg_out);
    if (rc)
        return rc;
    if (t->setup)
        rc = t->setup(w->s, t->setup_arg);
    if (!rc)
        rc = cg_store_exec_script(w->s, w->s->ops->durability_sql[t->durability != 0]);
    if (rc && errmsg_out && !*errmsg_out) {
        const char *m = cg_store_errmsg(w->s);
        *errmsg_out = strdup(*m ? m : cg_strerror(rc));
    }
    return rc;
}

int cg_writer_open(const struct cg_writer_target *target, cg_writer **out, char **errmsg_out)
{
    *out = NULL;
    if (errmsg_out)
        *errmsg_out = NULL;
    cg_writer *w = calloc(1, sizeof *w);
    if (!w)
        return CG_ENOMEM;
    w->lock_at_begin = target->lock_at_begin;
    int rc = open_connection(w, target, errmsg_out);
    if (!rc && (pthread_mutex_init(&w->mu, NULL) || pthread_cond_init(&w->work, NULL) ||
                pthread_cond_init(&w->answered, NULL) || pthread_cond_init(&w->left, NULL)))
        rc = CG_EINTERNAL;
    if (!rc && pthread_create(&w->thread, NULL, writer_main, w))
        rc = CG_EINTERNAL;
    if (rc) {
        cg_store_close(w->s);
        free(w);
        return rc;
    }
    *out = w;
    return 0;
}

void cg_writer_close(cg_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    /* Submitters answered by the last batch may not have woken yet: the
     * mutex and conditions must outlive them. */
    pthread_mutex_lock(&w->mu);
    while (w->inside)
        pthread_cond_wait(&w->left, &w->mu);
    pthread_mutex_unlock(&w->mu);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->answered);
    pthread_cond_destroy(&w->left);
    cg_store_close(w->s);
    free(w);
}

/* ---- side files ---- */

int cg_writer_side_file(const char *url, const char *suffix, char **path_out)
{
    *path_out = NULL;
    if (!strncmp(url, "postgres", 8))
        return 0;
    if (!strncmp(url, "sqlite:", 7))
        url += 7;
    if (!*url || !strcmp(url, ":memory:") || !strncmp(url, "file:", 5))
        return 0;
    size_t n = strlen(url) + strlen(suffix) + 1;
    if (!(*path_out = malloc(n)))
        return CG_ENOMEM;
    memcpy(*path_out, url, strlen(url));
    memcpy(*path_out + strlen(url), suffix, strlen(suffix) + 1);
    return 0;
}
