/* civgrid serve: the web UI and the HTTP API. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "civgrid/error.h"
#include "civgrid/resident.h"
#include "civgrid/outbox.h"
#include "civgrid/sched.h"
#include "civgrid/serverlock.h"
#include "civgrid/store.h"
#include "commands.h"
#include "http/server.h"
#include "options.h"

#ifndef CIVGRID_SOURCE_DIR
#define CIVGRID_SOURCE_DIR "."
#endif

static const struct opt_def serve_opts[] = {
    OPT_DB,
    {"listen", OPT_STR, "CIVGRID_LISTEN", "127.0.0.1:8080", 0, 0,
     "address to listen on, HOST:PORT (port 0 picks a free one)"},
    {"threads", OPT_INT, "CIVGRID_THREADS", NULL, 1, 256,
     "worker threads (default: the number of cores)"},
    {"max_body", OPT_INT, "CIVGRID_MAX_BODY", "1048576", 1024, 1LL << 30,
     "largest request body in bytes (413 beyond)"},
    {"max_header", OPT_INT, "CIVGRID_MAX_HEADER", "65536", 4096, 1 << 24,
     "largest request line, and largest request line plus headers, in bytes (414, 431 beyond)"},
    {"max_connections", OPT_INT, "CIVGRID_MAX_CONNECTIONS", "1024", 1, 65536,
     "connections served at once"},
    {"max_connections_per_ip", OPT_INT, "CIVGRID_MAX_CONNECTIONS_PER_IP", "64", 1, 65536,
     "connections one client address may hold at once"},
    {"timeout", OPT_INT, "CIVGRID_TIMEOUT", "30", 1, 3600, "seconds an idle connection is kept"},
    {"header_timeout", OPT_INT, "CIVGRID_HEADER_TIMEOUT", "10", 1, 3600,
     "seconds a new connection may stay silent before its request head is complete"},
    {"busy_timeout_ms", OPT_INT, "CIVGRID_BUSY_TIMEOUT_MS", "5000", 0, 600000,
     "how long to wait for a database lock before answering 503"},
    {"web_root", OPT_STR, "CIVGRID_WEB_ROOT", CIVGRID_SOURCE_DIR "/web/dist", 0, 0,
     "folder of the web UI's files"},
    {"session_ttl", OPT_INT, "CIVGRID_SESSION_TTL", "43200", 60, 30 * 86400,
     "seconds a sign-in lasts"},
    {"probe_limit", OPT_INT, "CIVGRID_PROBE_LIMIT", "20", 1, 1000000,
     "ID numbers registered elsewhere a user may try per hour (429 beyond)"},
    {"export_max_rows", OPT_INT, "CIVGRID_EXPORT_MAX_ROWS", "5000", 1, 100000,
     "rows one export with full ID numbers or phones may hold (413 export_too_large beyond)"},
    {"export_day_rows", OPT_INT, "CIVGRID_EXPORT_DAY_ROWS", "20000", 1, 100000000,
     "rows a user may export with full ID numbers or phones in any 24 hours (429 "
     "export_quota_exceeded beyond)"},
    {"read_audit_fsync", OPT_BOOL, "CIVGRID_READ_AUDIT_FSYNC", NULL, 0, 0,
     "fsync the audit record of each read before answering (survives a power loss; slower "
     "searches where fsync is slow)"},
    {"data_dir", OPT_STR, "CIVGRID_DATA_DIR", NULL, 0, 0,
     "folder for case photos (default for SQLite: the database file's name with .files "
     "appended; required for PostgreSQL to take photos)"},
    {"attachment_max", OPT_INT, "CIVGRID_ATTACHMENT_MAX", "8388608", 1024, 8388608,
     "largest case photo in bytes (413 beyond)"},
    {"webhook_url", OPT_STR, "CIVGRID_WEBHOOK_URL", NULL, 0, 0,
     "http:// or https:// URL that notifications (case assigned, overdue, returned, closed) are "
     "POSTed to as JSON; unset: they wait in the outbox"},
    {"webhook_secret", OPT_STR, "CIVGRID_WEBHOOK_SECRET", NULL, 0, 0,
     "key of the X-Civgrid-Signature header (HMAC-SHA256 of the body); unset: no signature"},
    OPT_CONFIG,
    {"print_config", OPT_BOOL, NULL, NULL, 0, 0, "print the effective configuration and exit"},
    OPT_END,
};

/* Where case photos live: --data_dir, or beside a SQLite file ("city.db"
 * keeps its photos in "city.db.files"). A PostgreSQL server has no file to
 * stand beside, so there it must be given (photos answer bad_config until
 * it is). The string lives as long as the process. */
static const char *data_dir(const struct opts *o, const char *db)
{
    static char beside[4096];
    const char *dir = opt_str(o, "data_dir");
    if (dir && *dir)
        return dir;
    if (!strncmp(db, "postgres://", 11) || !strncmp(db, "postgresql://", 13))
        return NULL;
    snprintf(beside, sizeof beside, "%s.files", db);
    return beside;
}

void usage_serve(FILE *f)
{
    fprintf(f, "usage: civgrid serve --db DB [--listen HOST:PORT] [--threads N] [OPTIONS]\n\n"
               "Serves the web UI and the HTTP API until SIGTERM or SIGINT, then finishes the\n"
               "requests in flight and closes the database. Each value comes from its flag, else\n"
               "its environment variable, else the config file, else its default.\n\noptions:\n");
    opts_usage(serve_opts, f);
}

int cmd_serve(int argc, char **argv)
{
    struct opts o;
    cg_serverlock *lock = NULL;
    int rc = opts_parse(&o, serve_opts, "serve", argc, argv);
    if (!rc && o.npositional) {
        fprintf(stderr, "civgrid serve: unexpected argument '%s'\n", o.positional[0]);
        rc = EXIT_USAGE;
    }
    if (rc)
        goto out;
    char threads[24];
    if (!opt_str(&o, "threads")) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        snprintf(threads, sizeof threads, "%ld", n > 0 ? n : 1);
        o.value[2] = threads; /* serve_opts[2] is threads */
        o.source[2] = "default";
    }
    if (opt_bool(&o, "print_config")) {
        opts_print(&o, stdout);
        goto out;
    }
    const char *db = NULL;
    if ((rc = opts_require_db(&o, "serve", &db)))
        goto out;
    /* One server per SQLite file, held until it stops (serverlock.h). */
    char *msg = NULL;
    if (cg_serverlock_acquire(db, &lock, &msg)) {
        fprintf(stderr, "civgrid serve: %s\n", msg ? msg : "cannot take the server lock");
        free(msg);
        rc = EXIT_FAIL;
        goto out;
    }
    /* Migrate once here, so that worker threads only ever open. */
    cg_store *store = NULL;
    if ((rc = open_database("serve", db, &store)))
        goto out;
    cg_store_close(store);
    cg_sched *sched = NULL;
    if ((rc = cg_sched_new("serve", &sched))) {
        fprintf(stderr, "civgrid serve: %s\n", cg_strerror(rc));
        rc = EXIT_FAIL;
        goto out;
    }
    /* Notifications go out from the scheduler's thread (outbox.h). */
    if (cg_outbox_configure(opt_str(&o, "webhook_url"), opt_str(&o, "webhook_secret"), 10)) {
        fprintf(stderr, "civgrid serve: --webhook-url must start with http:// or https://\n");
        cg_sched_free(sched);
        rc = EXIT_USAGE;
        goto out;
    }
    if ((rc = cg_sched_add(sched, &cg_outbox_job))) {
        fprintf(stderr, "civgrid serve: %s\n", cg_strerror(rc));
        cg_sched_free(sched);
        rc = EXIT_FAIL;
        goto out;
    }
    cg_resident_set_probe_limit((int)opt_int(&o, "probe_limit"));
    cg_resident_set_export_caps((int)opt_int(&o, "export_max_rows"),
                                (int)opt_int(&o, "export_day_rows"));
    struct http_config cfg = {
        .db = db,
        .listen = opt_str(&o, "listen"),
        .threads = (int)opt_int(&o, "threads"),
        .max_body = (size_t)opt_int(&o, "max_body"),
        .max_header = (size_t)opt_int(&o, "max_header"),
        .max_connections = (int)opt_int(&o, "max_connections"),
        .max_connections_per_ip = (int)opt_int(&o, "max_connections_per_ip"),
        .timeout = (int)opt_int(&o, "timeout"),
        .header_timeout = (int)opt_int(&o, "header_timeout"),
        .busy_timeout_ms = (int)opt_int(&o, "busy_timeout_ms"),
        .web_root = opt_str(&o, "web_root"),
        .session_ttl = (int)opt_int(&o, "session_ttl"),
        .sched = sched,
        .read_audit_fsync = opt_bool(&o, "read_audit_fsync"),
        .data_dir = data_dir(&o, db),
        .attachment_max = (size_t)opt_int(&o, "attachment_max"),
    };
    rc = http_serve(&cfg);
    cg_sched_free(sched);
out:
    cg_serverlock_release(lock);
    opts_free(&o);
    return rc;
}
