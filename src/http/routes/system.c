/* Routes about the server itself: health, metrics, version, API description,
 * periodic jobs. */
#include <string.h>

#include "../metrics.h"
#include "../router.h"
#include "civgrid/error.h"
#include "civgrid/outbox.h"
#include "civgrid/sched.h"
#include "civgrid/version.h"
#include "routes.h"

int route_system_health(struct http_req *r)
{
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(r->db, &st, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", "");
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    int64_t version = rc == CG_ROW ? cg_stmt_int(st, 0) : 0;
    cg_stmt_reset(st);
    if (rc < 0)
        return rc;
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:s, s:s, s:I}", "status", "ok", "version",
                                     CIVGRID_VERSION, "backend", cg_store_backend(r->db),
                                     "schema_version", (json_int_t)version));
}

int route_system_metrics(struct http_req *r)
{
    int rc = metrics_render(&r->out);
    if (rc)
        return rc;
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return 0;
}

int route_system_version(struct http_req *r)
{
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:s}", "name", "civgrid", "version", CIVGRID_VERSION));
}

int route_system_openapi(struct http_req *r)
{
    size_t len = 0;
    const char *doc = cg_api_description(&len);
    return http_reply_bytes(r, 200, "application/yaml; charset=utf-8", doc, len);
}

/* The route table itself, so that a test can hold it against the OpenAPI file. */
int route_system_routes(struct http_req *r)
{
    json_t *items = json_array();
    for (int i = 0; i < nroutes; i++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:b}", "method", routes[i].method,
                                               "path", routes[i].pattern, "public",
                                               routes[i].flags & ROUTE_PUBLIC));
    return http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The scheduler's jobs: the cluster jobs' shared rows and this server's own
 * local jobs. */
int route_system_jobs(struct http_req *r)
{
    struct cg_sched_status *st = NULL;
    size_t n = 0;
    if (!r->cfg->sched)
        return http_fail(r, CG_EINTERNAL, NULL, "this server runs no scheduler");
    int rc = cg_sched_list(r->db, r->actor, r->cfg->sched, r->arena, &st, &n);
    if (rc)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:I, s:I, s:s?, s:I, s:I, s:s?, s:s?, s:I, s:I, s:I}", "name",
                      st[i].name, "kind", st[i].kind == CG_SCHED_CLUSTER ? "cluster" : "local",
                      "period_seconds", (json_int_t)st[i].period, "next_due",
                      (json_int_t)st[i].next_due, "owner", st[i].owner, "lease_until",
                      (json_int_t)st[i].lease_until, "last_run", (json_int_t)st[i].last_run,
                      "last_outcome", st[i].last_outcome, "last_message", st[i].last_message,
                      "last_ms", (json_int_t)st[i].last_ms, "runs", (json_int_t)st[i].runs,
                      "failures", (json_int_t)st[i].failures));
    return http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static json_t *time_or_null(int64_t t)
{
    return t ? json_integer(t) : json_null();
}

/* The notification outbox: what waits for the webhook, with its tries. */
int route_system_outbox(struct http_req *r)
{
    struct cg_outbox_item *items = NULL;
    struct cg_outbox_counts counts = {0};
    size_t n = 0;
    int64_t limit = 100;
    const char *state = http_query(r, "state");
    int rc = http_query_int(r, "limit", 1, 500, &limit);
    if (!rc)
        rc = cg_outbox_list(r->db, r->actor, state, (int)limit, r->arena, &items, &n, &counts);
    if (rc == CG_EBADTYPE)
        return http_fail(r, rc, "state", "state is pending, retrying or delivered");
    if (rc)
        return rc;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct cg_outbox_item *it = &items[i];
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:i, s:o, s:s?}", "id",
                            (json_int_t)it->id, "uid", it->uid, "kind", it->kind, "state",
                            it->state, "created_at", (json_int_t)it->created_at, "next_at",
                            it->delivered_at ? json_null() : json_integer(it->next_at),
                            "last_attempt_at", time_or_null(it->last_attempt_at), "delivered_at",
                            time_or_null(it->delivered_at), "attempts", it->attempts, "last_status",
                            it->last_status ? json_integer(it->last_status) : json_null(),
                            "last_error", it->last_error));
    }
    return http_reply_json(
        r, 200,
        json_pack("{s:o, s:{s:I, s:I, s:I}, s:b}", "items", list, "counts", "pending",
                  (json_int_t)counts.pending, "retrying", (json_int_t)counts.retrying, "delivered",
                  (json_int_t)counts.delivered, "webhook_configured", cg_outbox_configured()));
}
