/* The HTTP server. libmicrohttpd runs a pool of epoll threads; each request
 * gets an arena and a capped body buffer; each worker thread keeps its own
 * database connection. SIGTERM/SIGINT stop accepting, let in-flight requests
 * finish and close the databases. */
#include "server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "guard.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/log.h"
#include "civgrid/readlog.h"
#include "civgrid/writer.h"
#include "civgrid/sched.h"
#include "civgrid/utf8.h"
#include "metrics.h"
#include "router.h"
#include "routes/routes.h"
#include "static.h"

/* How long a shutdown waits for in-flight requests before closing them. */
#define DRAIN_SECONDS 10

/* Bodies up to this many times the limit are read and dropped before the 413. */
#define DISCARD_FACTOR 64

static const struct http_config *config;
static pthread_key_t db_key;
static cg_readlog *readlog; /* audit records of reads, batched (readlog.h) */
static cg_writer *changes;  /* commits the audited changes of every request (audit.h) */
static _Atomic int in_flight;
static _Atomic int stopping;

/* ---- one database connection per worker thread ---- */

static void close_thread_db(void *p)
{
    cg_store_close(p);
}

static int thread_db(cg_store **out)
{
    cg_store *s = pthread_getspecific(db_key);
    if (!s) {
        char *msg = NULL;
        int rc = cg_store_open(config->db, &s, &msg);
        if (rc) {
            cg_log(CG_LOG_ERROR, "cannot open database: %s", msg ? msg : cg_strerror(rc));
            free(msg);
            return rc;
        }
        cg_store_set_busy_timeout(s, config->busy_timeout_ms);
        cg_store_set_readlog(s, readlog);
        cg_store_set_writer(s, changes);
        pthread_setspecific(db_key, s);
    }
    *out = s;
    return 0;
}

/* The writer of the requests' audited changes: the main database, locked at
 * the batch's BEGIN because other connections write it too, durable through a
 * power loss. Concurrent filings and actions share one commit (one fsync)
 * instead of queueing for one each. */
static int changes_setup(cg_store *s, void *arg)
{
    (void)arg;
    return cg_store_set_busy_timeout(s, config->busy_timeout_ms);
}

static int open_changes(char **msg)
{
    struct cg_writer_target t = {config->db, changes_setup, NULL, CG_DURABLE_POWER_LOSS, 1};
    return cg_writer_open(&t, &changes, msg);
}

/* The worker threads close their connections at once as the pool stops; each
 * may see another still open, and SQLite removes the WAL (having checkpointed
 * it) only when the last connection closes. One more open and close, alone,
 * leaves the database file whole on its own. */
static void close_last_connection(void)
{
    cg_store *s = NULL;
    char *msg = NULL;
    if (cg_store_open(config->db, &s, &msg) == 0)
        cg_store_close(s);
    else
        cg_log(CG_LOG_WARN, "final checkpoint: %s", msg ? msg : "cannot open the database");
    free(msg);
}

/* ---- periodic jobs ---- */

/* The read log's move into the audit table, as this server's local job. */
static int move_reads(void *log, cg_store *s, int64_t now)
{
    (void)s;
    (void)now;
    return cg_readlog_flush(log);
}

/* Starts the scheduler's thread with this server's local jobs added to the
 * cluster table. */
static int start_jobs(void)
{
    /* Every second: a read's record reaches the audit table about a second
     * after it was answered, as the read log promises. */
    struct cg_sched_job move = {"readlog.move", 1, CG_SCHED_LOCAL, NULL, move_reads, readlog};
    int rc = readlog && cg_readlog_has_files(readlog) ? cg_sched_add(config->sched, &move) : 0;
    return rc ? rc : cg_sched_start(config->sched, config->db, config->busy_timeout_ms);
}

/* ---- request life cycle ---- */

/* The largest body a request may send: max_body, or for a photo's upload
 * (POST /api/v1/cases/{id}/attachments) the photo limit, since a phone's
 * photo is larger than any JSON body. */
static size_t body_cap(const char *method, const char *path)
{
    static const char prefix[] = "/api/v1/cases/", suffix[] = "/attachments";
    size_t n = strlen(path), p = sizeof prefix - 1, s = sizeof suffix - 1;
    if (strcmp(method, "POST") || n <= p + s || strncmp(path, prefix, p) ||
        strcmp(path + n - s, suffix) || config->attachment_max <= config->max_body)
        return config->max_body;
    for (size_t i = p; i < n - s; i++)
        if (path[i] < '0' || path[i] > '9')
            return config->max_body;
    return config->attachment_max;
}

/* Starts a request once its request line is read (raw_uri as sent); the
 * method and decoded path come with the first call of the access handler. */
static struct http_req *request_new(struct MHD_Connection *conn, const char *raw_uri)
{
    cg_arena *a = cg_arena_new();
    struct http_req *r = a ? cg_arena_calloc(a, sizeof *r) : NULL;
    if (!r) {
        cg_arena_free(a);
        return NULL;
    }
    r->arena = a;
    r->conn = conn;
    r->cfg = config;
    r->raw_uri = cg_arena_strdup(a, raw_uri);
    r->started = cg_monotonic();
    r->route_slot = METRICS_SLOT_UNMATCHED;
    cg_buf_init(&r->body, config->max_body);
    cg_buf_init(&r->out, 0);
    r->out_fd = -1;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char ip[INET6_ADDRSTRLEN] = "-";
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof ip);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof ip);
    }
    r->client_ip = cg_arena_strdup(a, ip);
    return r;
}

static void request_free(struct http_req *r)
{
    cg_buf_free(&r->body);
    cg_buf_free(&r->out);
    if (r->out_fd >= 0) /* a file never sent */
        close(r->out_fd);
    /* Only requests whose head had arrived counted as in flight. */
    if (r->begun)
        atomic_fetch_sub(&in_flight, 1);
    cg_arena_free(r->arena);
}

/* Turns a failure into the one error body every client can rely on. */
static void render_error(struct http_req *r, int err)
{
    /* Open311 clients read only the specification's error format, also for
     * what fails before a route runs (an unknown path, a wrong method, a
     * body over the limit). */
    if (r->path && strncmp(r->path, "/open311/", 9) == 0 && open311_error(r, err) == 0)
        return;
    json_t *body = json_object();
    const char *msg = r->ferr.message[0] ? r->ferr.message : cg_strerror(err);
    /* A client reading only the message should still know which field. */
    if (r->ferr.field[0] && !strstr(msg, r->ferr.field))
        msg = cg_arena_printf(r->arena, "%s: %s", r->ferr.field, msg);
    json_object_set_new(body, "error", json_string(cg_err_name(err)));
    json_object_set_new(body, "message", json_string(msg ? msg : cg_strerror(err)));
    if (r->ferr.field[0])
        json_object_set_new(body, "field", json_string(r->ferr.field));
    /* The stable reason and its parameters, from which a client words the
     * error in its reader's language (the message stays English). */
    if (r->ferr.reason[0]) {
        json_object_set_new(body, "reason", json_string(r->ferr.reason));
        if (r->ferr.value[0])
            json_object_set_new(body, "value",
                                json_string(cg_utf8_repair(r->arena, r->ferr.value)));
    }
    if (r->ferr.bounded) {
        json_object_set_new(body, "min", json_integer(r->ferr.min));
        json_object_set_new(body, "max", json_integer(r->ferr.max));
    }
    if (err == CG_EBUSY)
        http_add_header(r, "Retry-After", "1");
    if (http_reply_json(r, cg_err_http_status(err), body)) {
        r->status = 500;
        cg_buf_reset(&r->out);
    }
}

static void dispatch(struct http_req *r)
{
    const char *allow = NULL;
    int rc;
    if ((rc = r->refused))
        goto out;
    if (r->body_too_large) {
        rc = http_fail(r, CG_ETOOBIG, NULL, "the request body is larger than %zu bytes",
                       r->body.cap);
        goto out;
    }
    switch (router_match(r, &allow)) {
    case ROUTE_NO_PATH:
        if (static_serve(r) == 0)
            return;
        rc = http_fail(r, CG_ENOTFOUND, NULL, "no such path: %s", r->path);
        goto out;
    case ROUTE_WRONG_METHOD:
        rc = http_fail(r, CG_EMETHOD, NULL, "%s is not allowed on %s (allowed: %s)", r->method,
                       r->path, allow);
        goto out;
    case ROUTE_FOUND:
        break;
    }
    if ((rc = thread_db(&r->db)))
        goto out;
    if ((rc = auth_resolve(r)))
        goto out;
    rc = r->route->handler(r);
out:
    if (rc && cg_err_http_status(rc) >= 500 && rc != CG_EBUSY)
        cg_log(CG_LOG_ERROR, "%s %s: %s: %s", r->method, r->path, cg_strerror(rc),
               r->db ? cg_store_errmsg(r->db) : "no database connection");
    if (rc)
        render_error(r, rc);
    if (rc == CG_EMETHOD && allow)
        http_add_header(r, "Allow", allow);
}

static enum MHD_Result send_response(struct http_req *r)
{
    size_t len = 0;
    struct MHD_Response *resp;
    if (r->out_fd >= 0) { /* a file (an export): libmicrohttpd reads it and closes it */
        r->sent_bytes = (size_t)r->out_size;
        resp = MHD_create_response_from_fd64(r->out_size, r->out_fd);
        if (!resp)
            close(r->out_fd);
        r->out_fd = -1;
        if (!resp)
            return MHD_NO;
    } else {
        char *data = cg_buf_steal(&r->out, &len);
        r->sent_bytes = len;
        resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
            free(data);
            return MHD_NO;
        }
    }
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    /* Links out of the UI must not carry its addresses (area codes, search
     * terms in the query) to other sites. */
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    if (strncmp(r->path, "/api/", 5) == 0)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->header_name[i], r->header_value[i]);
    if (atomic_load(&stopping))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct http_req *r = *con_cls;
    if (!r && !(r = *con_cls = request_new(conn, url)))
        return MHD_NO;
    if (!r->begun) {
        r->begun = 1;
        atomic_fetch_add(&in_flight, 1);
        r->method = cg_arena_strdup(r->arena, method);
        r->path = cg_arena_strdup(r->arena, url);
        if (!r->method || !r->path)
            return MHD_NO;
        /* The head is complete: from now on the connection is kept as long
         * as any idle one (header_timeout applied until here). */
        MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned)config->timeout);
        /* An announced over-size body is read and dropped, so that the client,
         * still sending, gets to read the 413 (closing at once resets its
         * connection first); only an absurd size is cut off at once. */
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long announced = cl ? strtoull(cl, NULL, 10) : 0;
        size_t cap = body_cap(r->method, r->path);
        if (cap != config->max_body)
            cg_buf_init(&r->body, cap); /* still empty: nothing to free */
        if (announced > cap)
            r->body_too_large = 1;
        /* A request the guard refuses is answered before its body is read. */
        r->refused = guard_request(r);
        if (r->refused || announced / DISCARD_FACTOR > cap) {
            dispatch(r);
            return send_response(r);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!r->body_too_large && cg_buf_append(&r->body, upload_data, *upload_data_size))
            r->body_too_large = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->status) /* already answered (the 413 above) */
        return MHD_YES;
    dispatch(r);
    return send_response(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    struct http_req *r = *con_cls;
    if (!r)
        return;
    double seconds = cg_monotonic() - r->started;
    int status = r->status;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !status)
        status = 0;
    metrics_observe(r->route_slot, r->method ? r->method : "-", status, seconds);
    char line[1200];
    const char *path = r->path ? r->path : r->raw_uri;
    int n = snprintf(line, sizeof line, "access %s \"%s %.900s\" %d %zu %.3fms%s", r->client_ip,
                     r->method ? r->method : "-", path ? path : "-", status, r->sent_bytes,
                     seconds * 1000, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    cg_log_line(line, n < (int)sizeof line ? n : (int)sizeof line - 1);
    request_free(r);
    *con_cls = NULL;
}

/* Creates the request as soon as its line is read, to keep the target as
 * the client sent it (libmicrohttpd decodes it in place afterwards). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    return request_new(conn, uri);
}

/* A new connection gets header_timeout seconds of silence at most until its
 * request head is complete, so that slow clients holding connections open
 * without ever finishing a request (slowloris) are cut off early. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    (void)socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
                                  (unsigned)config->header_timeout);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    cg_log(CG_LOG_WARN, "http: %s", msg);
}

/* ---- start and stop ---- */

/* Parses "HOST:PORT" or "[V6]:PORT" into a socket address. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, int *v6)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host)
        return CG_EINVAL;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port < 0 || port > 65535)
        return CG_EINVAL;
    memset(ss, 0, sizeof *ss);
    size_t hl = strlen(host);
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *v6 = 1;
        return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1 ? 0 : CG_EINVAL;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *v6 = 0;
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : CG_EINVAL;
}

/* libmicrohttpd answers a request head that does not fit in a connection's
 * memory itself, with an HTML body; twice max_header leaves room for guard.c
 * to answer every head up to twice the limit with the JSON error instead. */
static size_t pool_size(const struct http_config *cfg)
{
    return cfg->max_header * 2 + 4096;
}

static void drain(void)
{
    double deadline = cg_monotonic() + DRAIN_SECONDS;
    while (atomic_load(&in_flight) > 0 && cg_monotonic() < deadline)
        usleep(10000);
    if (atomic_load(&in_flight) > 0)
        cg_log(CG_LOG_WARN, "closing %d requests still running after %d s", atomic_load(&in_flight),
               DRAIN_SECONDS);
}

int http_serve(const struct http_config *cfg)
{
    config = cfg;
    struct sockaddr_storage addr;
    int v6 = 0;
    if (parse_listen(cfg->listen, &addr, &v6)) {
        fprintf(stderr, "civgrid serve: --listen '%s' is not HOST:PORT (e.g. 127.0.0.1:8080)\n",
                cfg->listen);
        return 2;
    }
    if (metrics_init() || pthread_key_create(&db_key, close_thread_db)) {
        fprintf(stderr, "civgrid serve: out of memory\n");
        return 1;
    }
    char *msg = NULL;
    int rc = cg_readlog_open(
        cfg->db, cfg->read_audit_fsync ? CG_DURABLE_POWER_LOSS : CG_DURABLE_PROCESS_KILL, &readlog,
        &msg);
    if (rc) {
        fprintf(stderr, "civgrid serve: cannot open the read log: %s\n",
                msg ? msg : cg_strerror(rc));
        free(msg);
        metrics_free();
        return 1;
    }
    if ((rc = open_changes(&msg))) {
        fprintf(stderr, "civgrid serve: cannot open the database's writer: %s\n",
                msg ? msg : cg_strerror(rc));
        free(msg);
        cg_readlog_close(readlog);
        metrics_free();
        return 1;
    }
    /* Signals are taken by sigwait below; the pool threads inherit the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* After the mask: the scheduler's thread inherits it, and leaves the
     * signals to sigwait. */
    if (cfg->sched && (rc = start_jobs())) {
        fprintf(stderr, "civgrid serve: cannot start the scheduler: %s\n", cg_strerror(rc));
        cg_writer_close(changes);
        cg_readlog_close(readlog);
        metrics_free();
        return 1;
    }

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO | (v6 ? MHD_USE_IPv6 : 0);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)cfg->threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_connections_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        pool_size(cfg), MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "civgrid serve: cannot listen on %s (address in use or not local?)\n",
                cfg->listen);
        cg_sched_stop(cfg->sched);
        cg_writer_close(changes);
        cg_readlog_close(readlog);
        metrics_free();
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char host[256];
    snprintf(host, sizeof host, "%.*s", (int)(strrchr(cfg->listen, ':') - cfg->listen),
             cfg->listen);
    cg_log(CG_LOG_INFO, "listening on http://%s:%u (%d threads, database %s)", host,
           info ? info->port : 0, cfg->threads, cfg->db);

    int sig = 0;
    sigwait(&sigs, &sig);
    cg_log(CG_LOG_INFO, "%s received: finishing %d requests in flight", strsignal(sig),
           atomic_load(&in_flight));
    atomic_store(&stopping, 1);
    MHD_socket listen_fd = MHD_quiesce_daemon(d);
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    drain();
    MHD_stop_daemon(d);        /* joins the pool; each thread closes its database */
    cg_sched_stop(cfg->sched); /* lets a job's run end; before the read log it moves */
    cg_writer_close(changes);
    changes = NULL;
    cg_readlog_close(readlog);
    readlog = NULL;
    close_last_connection();
    metrics_free();
    cg_log(CG_LOG_INFO, "stopped");
    return 0;
}
