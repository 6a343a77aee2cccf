#include "metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/error.h"
#include "civgrid/store.h"
#include "civgrid/writer.h"
#include "router.h"

static const char *const methods[] = {"GET",    "POST", "PUT",     "PATCH",
                                      "DELETE", "HEAD", "OPTIONS", "OTHER"};
#define NMETHODS (int)(sizeof methods / sizeof methods[0])

static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404,
                               405, 409, 413, 429, 431, 500, 503, 0};
#define NSTATUSES (int)(sizeof statuses / sizeof statuses[0])

static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                0.1,    0.25,  0.5,    1,     2.5,  5};
#define NBOUNDS (int)(sizeof bounds / sizeof bounds[0])

static _Atomic uint64_t *counts; /* [slot][method][status] */
static int nslots;
static _Atomic uint64_t latency_bucket[NBOUNDS];
static _Atomic uint64_t latency_count, latency_sum_ns;

int metrics_init(void)
{
    nslots = nroutes + 2;
    counts = calloc((size_t)nslots * NMETHODS * NSTATUSES, sizeof *counts);
    return counts ? 0 : CG_ENOMEM;
}

void metrics_free(void)
{
    free((void *)counts);
    counts = NULL;
}

static int method_index(const char *m)
{
    for (int i = 0; i < NMETHODS - 1; i++)
        if (strcmp(methods[i], m) == 0)
            return i;
    return NMETHODS - 1;
}

static int status_index(int status)
{
    for (int i = 0; i < NSTATUSES - 1; i++)
        if (statuses[i] == status)
            return i;
    return NSTATUSES - 1;
}

void metrics_observe(int slot, const char *method, int status, double seconds)
{
    if (!counts)
        return;
    int s = slot >= 0 ? slot : nroutes + (slot == METRICS_SLOT_STATIC ? 0 : 1);
    size_t at = ((size_t)s * NMETHODS + (size_t)method_index(method)) * NSTATUSES +
                (size_t)status_index(status);
    atomic_fetch_add_explicit(&counts[at], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&latency_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&latency_sum_ns, (uint64_t)(seconds * 1e9), memory_order_relaxed);
    for (int i = 0; i < NBOUNDS; i++)
        if (seconds <= bounds[i])
            atomic_fetch_add_explicit(&latency_bucket[i], 1, memory_order_relaxed);
}

static const char *slot_name(int s)
{
    if (s < nroutes)
        return routes[s].pattern;
    return s == nroutes ? "static" : "unmatched";
}

static int render_requests(cg_buf *out)
{
    int rc = cg_buf_puts(
        out, "# HELP civgrid_http_requests_total HTTP requests by route, method and status.\n"
             "# TYPE civgrid_http_requests_total counter\n");
    for (int s = 0; s < nslots && !rc; s++)
        for (int m = 0; m < NMETHODS && !rc; m++)
            for (int st = 0; st < NSTATUSES && !rc; st++) {
                uint64_t n = atomic_load(
                    &counts[((size_t)s * NMETHODS + (size_t)m) * NSTATUSES + (size_t)st]);
                if (!n)
                    continue;
                char status[8] = "other";
                if (statuses[st])
                    snprintf(status, sizeof status, "%d", statuses[st]);
                rc = cg_buf_printf(
                    out,
                    "civgrid_http_requests_total{route=\"%s\",method=\"%s\",status=\"%s\"} %llu\n",
                    slot_name(s), methods[m], status, (unsigned long long)n);
            }
    return rc;
}

static int render_histogram(cg_buf *out, const char *name, const char *help, const double *b,
                            const uint64_t *bucket, int nb, uint64_t count, double sum)
{
    int rc = cg_buf_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    for (int i = 0; i < nb && !rc; i++)
        rc = cg_buf_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name, b[i],
                           (unsigned long long)bucket[i]);
    if (!rc)
        rc = cg_buf_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n", name,
                           (unsigned long long)count, name, sum, name, (unsigned long long)count);
    return rc;
}

/* The group-commit writer's counts (writer.h). */
static int render_writer(cg_buf *out)
{
    struct cg_writer_stats w;
    double seconds = 0;
    cg_writer_totals(&w, &seconds);
    return cg_buf_printf(
        out,
        "# HELP civgrid_writer_jobs_total Writes committed or refused by the group-commit writer.\n"
        "# TYPE civgrid_writer_jobs_total counter\ncivgrid_writer_jobs_total %llu\n"
        "# HELP civgrid_writer_failed_jobs_total Writer jobs answered with an error.\n"
        "# TYPE civgrid_writer_failed_jobs_total counter\ncivgrid_writer_failed_jobs_total %llu\n"
        "# HELP civgrid_writer_batches_total Transactions of the writer (one fsync each).\n"
        "# TYPE civgrid_writer_batches_total counter\ncivgrid_writer_batches_total %llu\n"
        "# HELP civgrid_writer_failed_batches_total Writer transactions that did not commit.\n"
        "# TYPE civgrid_writer_failed_batches_total counter\n"
        "civgrid_writer_failed_batches_total %llu\n"
        "# HELP civgrid_writer_batch_seconds_total Time of the writer's transactions, commit "
        "included.\n"
        "# TYPE civgrid_writer_batch_seconds_total counter\n"
        "civgrid_writer_batch_seconds_total %.6f\n",
        (unsigned long long)w.jobs, (unsigned long long)w.failed_jobs,
        (unsigned long long)w.batches, (unsigned long long)w.failed_batches, seconds);
}

int metrics_render(cg_buf *out)
{
    uint64_t lat[NBOUNDS];
    for (int i = 0; i < NBOUNDS; i++)
        lat[i] = atomic_load(&latency_bucket[i]);
    struct cg_store_stats db;
    cg_store_stats_get(&db);
    int rc = render_requests(out);
    if (!rc)
        rc = render_histogram(
            out, "civgrid_http_request_duration_seconds", "Time from request to response.", bounds,
            lat, NBOUNDS, atomic_load(&latency_count), (double)atomic_load(&latency_sum_ns) / 1e9);
    if (!rc)
        rc = render_histogram(out, "civgrid_db_query_duration_seconds",
                              "Time of each database statement.", cg_store_bucket_bounds, db.bucket,
                              CG_STORE_BUCKETS, db.count, db.sum_seconds);
    if (!rc)
        rc = cg_buf_printf(
            out,
            "# HELP civgrid_db_errors_total Database statements that failed.\n"
            "# TYPE civgrid_db_errors_total counter\ncivgrid_db_errors_total %llu\n"
            "# HELP civgrid_db_busy_total Database statements that found the database busy.\n"
            "# TYPE civgrid_db_busy_total counter\ncivgrid_db_busy_total %llu\n",
            (unsigned long long)db.errors, (unsigned long long)db.busy);
    if (!rc)
        rc = render_writer(out);
    return rc;
}
