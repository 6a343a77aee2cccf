/* The notification outbox (outbox.h): rows added in the caller's
 * transaction, delivered by a tick that claims each due row with a
 * conditional UPDATE and a lease, POSTs it with libcurl and records the
 * answer.
 *
 * Why one claim per row rather than per batch: a row's claim, its POST and
 * its result are one unit, so that two servers never send the same row at the
 * same time and a crash loses at most the rows it held, which come due again
 * when their lease runs out (the receiver then sees a repeat, hence the
 * idempotency id). */
#include "civgrid/outbox.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/log.h"
#include "civgrid/secret.h"

/* Rows read per batch, and the wall-clock time after which a run stops
 * starting new POSTs: the scheduler's thread has other jobs too. */
#define BATCH 20
#define RUN_SECONDS 5.0
/* How long a claimed row stays claimed beyond the POST's own timeout. */
#define LEASE_MARGIN 60
/* Delivered rows are kept this long for operators, then deleted. */
#define KEEP_DELIVERED (7 * 86400)

const struct cg_sched_job cg_outbox_job = {"outbox.deliver", 1,    CG_SCHED_LOCAL,
                                           cg_outbox_tick,   NULL, NULL};

static struct {
    pthread_mutex_t mu;
    char *url, *secret;
    long timeout;
    char owner[96];
} conf = {.mu = PTHREAD_MUTEX_INITIALIZER, .timeout = 10};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int cg_outbox_configure(const char *url, const char *secret, int timeout_seconds)
{
    if (url && *url && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return CG_EINVAL;
    pthread_once(&curl_once, curl_start);
    char *u = url && *url ? strdup(url) : NULL;
    char *k = secret && *secret ? strdup(secret) : NULL;
    if ((url && *url && !u) || (secret && *secret && !k)) {
        free(u);
        free(k);
        return CG_ENOMEM;
    }
    pthread_mutex_lock(&conf.mu);
    free(conf.url);
    free(conf.secret);
    conf.url = u;
    conf.secret = k;
    conf.timeout = timeout_seconds > 0 ? timeout_seconds : 10;
    if (!conf.owner[0]) {
        char host[64] = "localhost", tag[12];
        gethostname(host, sizeof host - 1);
        cg_secret_random(tag, sizeof tag, 6);
        snprintf(conf.owner, sizeof conf.owner, "%s:%ld:%s", host, (long)getpid(), tag);
    }
    pthread_mutex_unlock(&conf.mu);
    return 0;
}

int cg_outbox_configured(void)
{
    pthread_mutex_lock(&conf.mu);
    int set = conf.url != NULL;
    pthread_mutex_unlock(&conf.mu);
    return set;
}

int64_t cg_outbox_backoff(int attempts)
{
    int64_t d = CG_OUTBOX_BACKOFF_FIRST;
    for (int i = 1; i < attempts && d < CG_OUTBOX_BACKOFF_MAX; i++)
        d *= 2;
    return d < CG_OUTBOX_BACKOFF_MAX ? d : CG_OUTBOX_BACKOFF_MAX;
}

static int valid_kind(const char *kind)
{
    size_t n = kind ? strlen(kind) : 0;
    return n >= 1 && n <= 64 && strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789_.") == n;
}

int cg_outbox_add(cg_store *s, const char *kind, const char *payload_json, const char *once_key,
                  int64_t now, int64_t *id)
{
    if (!valid_kind(kind))
        return CG_EBADTYPE;
    json_t *payload = payload_json ? json_loads(payload_json, JSON_REJECT_DUPLICATES, NULL) : NULL;
    int object = json_is_object(payload);
    json_decref(payload);
    if (!object)
        return CG_EBADTYPE;
    char uid[40];
    cg_secret_random(uid, sizeof uid, 18);
    /* No row back means the once_key was already there: nothing to add.
     * (cg_store_insert takes that for a missing RETURNING clause.) */
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st,
                            "INSERT INTO outbox (uid, kind, payload, once_key, created_at, next_at)"
                            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                            "ssssii", uid, kind, payload_json, once_key, now, now);
    if (rc)
        return rc;
    rc = cg_stmt_step(st);
    int64_t new_id = rc == CG_ROW ? cg_stmt_int(st, 0) : 0;
    cg_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (id)
        *id = new_id;
    return 0;
    return rc;
}

/* ---- delivery ---- */

struct row {
    int64_t id, created_at;
    int attempts;
    char uid[40], kind[65];
    char *payload;
};

/* The due rows' ids, oldest due first. */
static int due_ids(cg_store *s, int64_t now, int64_t *ids, size_t *n)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st,
                            "SELECT id FROM outbox WHERE delivered_at IS NULL AND next_at <= ?"
                            " AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_at, id"
                            " LIMIT ?",
                            "iii", now, now, (int64_t)BATCH);
    if (rc)
        return rc;
    *n = 0;
    while ((rc = cg_stmt_step(st)) == CG_ROW)
        ids[(*n)++] = cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

/* Takes the row if it is still due and unclaimed: *won 1 when this process
 * now holds it until now + lease. */
static int claim(cg_store *s, int64_t id, int64_t now, int64_t lease, const char *owner, int *won)
{
    int64_t changed = 0;
    int rc = cg_store_run(s, &changed,
                          "UPDATE outbox SET owner = ?, lease_until = ? WHERE id = ?"
                          " AND delivered_at IS NULL AND next_at <= ?"
                          " AND (lease_until IS NULL OR lease_until < ?)",
                          "siiii", owner, now + lease, id, now, now);
    *won = changed == 1;
    return rc;
}

static int read_row(cg_store *s, int64_t id, struct row *r)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(
        s, &st, "SELECT uid, kind, payload, created_at, attempts FROM outbox WHERE id = ?", "i",
        id);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st))) {
        r->id = id;
        snprintf(r->uid, sizeof r->uid, "%s", cg_stmt_text(st, 0));
        snprintf(r->kind, sizeof r->kind, "%s", cg_stmt_text(st, 1));
        r->payload = strdup(cg_stmt_text(st, 2));
        r->created_at = cg_stmt_int(st, 3);
        r->attempts = (int)cg_stmt_int(st, 4);
        if (!r->payload)
            rc = CG_ENOMEM;
    }
    cg_stmt_reset(st);
    return rc;
}

/* The body the receiver gets: the envelope around the caller's payload. */
static char *render(const struct row *r)
{
    json_t *data = json_loads(r->payload, 0, NULL);
    json_t *body = json_pack("{s:s, s:s, s:I, s:i, s:o}", "id", r->uid, "kind", r->kind,
                             "created_at", (json_int_t)r->created_at, "attempt", r->attempts + 1,
                             "data", data ? data : json_object());
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    return text;
}

/* "sha256=<hex>" of the HMAC-SHA256 of body keyed by secret. */
static void sign(const char *secret, const char *body, char out[80])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 80 - 7, mac, sizeof mac);
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
    (void)ptr;
    (void)arg;
    return size * nmemb;
}

/* POSTs body; *status is the HTTP status (0 when none came) and why the
 * failure in words when it is not a 2xx. */
static void post(const char *url, const char *secret, long timeout, const struct row *r,
                 const char *body, long *status, char *why, size_t whysize)
{
    char h_key[80], h_kind[100], h_sig[100], sig[80];
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(h_key, sizeof h_key, "Idempotency-Key: %s", r->uid);
    snprintf(h_kind, sizeof h_kind, "X-Civgrid-Event: %s", r->kind);
    hdr = curl_slist_append(hdr, h_key);
    hdr = curl_slist_append(hdr, h_kind);
    if (secret) {
        sign(secret, body, sig);
        snprintf(h_sig, sizeof h_sig, "X-Civgrid-Signature: %s", sig);
        hdr = curl_slist_append(hdr, h_sig);
    }
    char err[CURL_ERROR_SIZE] = "";
    CURL *c = curl_easy_init();
    *status = 0;
    if (!c || !hdr) {
        snprintf(why, whysize, "out of memory");
        goto out;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "civgrid-outbox");
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        snprintf(why, whysize, "%s", err[0] ? err : curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (*status < 200 || *status > 299)
        snprintf(why, whysize, "HTTP %ld", *status);
    else
        why[0] = '\0';
out:
    curl_easy_cleanup(c);
    curl_slist_free_all(hdr);
}

/* Records one try's answer on the row this process holds. */
static int record(cg_store *s, const struct row *r, int64_t now, long status, const char *why,
                  const char *owner)
{
    if (status >= 200 && status <= 299)
        return cg_store_run(s, NULL,
                            "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1,"
                            " last_attempt_at = ?, last_status = ?, last_error = NULL,"
                            " lease_until = NULL WHERE id = ? AND owner = ?",
                            "iiiis", now, now, (int64_t)status, r->id, owner);
    return cg_store_run(s, NULL,
                        "UPDATE outbox SET attempts = attempts + 1, next_at = ?,"
                        " last_attempt_at = ?, last_status = ?, last_error = ?,"
                        " lease_until = NULL WHERE id = ? AND owner = ?",
                        "iiisis", now + cg_outbox_backoff(r->attempts + 1), now, (int64_t)status,
                        why, r->id, owner);
}

static int deliver_one(cg_store *s, int64_t id, int64_t now, const char *url, const char *secret,
                       long timeout, const char *owner)
{
    int won = 0;
    struct row r = {0};
    char *body = NULL;
    int rc = claim(s, id, now, timeout + LEASE_MARGIN, owner, &won);
    if (rc || !won)
        goto out;
    if ((rc = read_row(s, id, &r)))
        goto out;
    if (!(body = render(&r))) {
        rc = CG_ENOMEM;
        goto out;
    }
    long status = 0;
    char why[CURL_ERROR_SIZE + 16];
    post(url, secret, timeout, &r, body, &status, why, sizeof why);
    if (status < 200 || status > 299)
        cg_log(CG_LOG_WARN, "outbox: notification %lld (%s) not delivered: %s; try %d",
               (long long)id, r.kind, why, r.attempts + 1);
    rc = record(s, &r, now, status, why, owner);
out:
    free(body);
    free(r.payload);
    return rc;
}

int cg_outbox_tick(cg_store *s, int64_t now)
{
    pthread_mutex_lock(&conf.mu);
    char *url = conf.url ? strdup(conf.url) : NULL;
    char *secret = conf.secret ? strdup(conf.secret) : NULL;
    long timeout = conf.timeout;
    char owner[96];
    snprintf(owner, sizeof owner, "%s", conf.owner);
    pthread_mutex_unlock(&conf.mu);
    int64_t ids[BATCH];
    size_t n = 0;
    int rc = 0;
    if (!url)
        goto out;
    /* Batches until nothing is due or the run's time is up: a row tried
     * is no longer due (delivered, or due after its backoff) and a row
     * another process holds is not selected, so the loop ends. */
    double started = cg_monotonic();
    do {
        if ((rc = due_ids(s, now, ids, &n)))
            goto out;
        for (size_t i = 0; !rc && i < n && cg_monotonic() - started < RUN_SECONDS; i++)
            rc = deliver_one(s, ids[i], now, url, secret, timeout, owner);
    } while (!rc && n == BATCH && cg_monotonic() - started < RUN_SECONDS);
    if (!rc)
        rc = cg_store_run(s, NULL, "DELETE FROM outbox WHERE delivered_at < ?", "i",
                          now - KEEP_DELIVERED);
out:
    free(url);
    free(secret);
    return rc;
}

/* ---- what operators see ---- */

#define STATE_SQL                                                                                  \
    "CASE WHEN delivered_at IS NOT NULL THEN 'delivered' WHEN attempts = 0 THEN 'pending'"         \
    " ELSE 'retrying' END"

static int count_states(cg_store *s, struct cg_outbox_counts *c)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st,
                            "SELECT COALESCE(SUM(CASE WHEN delivered_at IS NULL AND attempts = 0"
                            " THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN delivered_at IS NULL"
                            " AND attempts > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN"
                            " delivered_at IS NOT NULL THEN 1 ELSE 0 END), 0) FROM outbox",
                            "");
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st)))
        *c = (struct cg_outbox_counts){cg_stmt_int(st, 0), cg_stmt_int(st, 1), cg_stmt_int(st, 2)};
    cg_stmt_reset(st);
    return rc;
}

#define LIST_COLUMNS                                                                               \
    "SELECT id, uid, kind, " STATE_SQL ", created_at, next_at, last_attempt_at, delivered_at,"     \
    " attempts, last_status, last_error FROM outbox"

/* The rows of one state (NULL: every undelivered one). */
static int query_list(cg_store *s, const char *state, int limit, cg_stmt **st)
{
    if (!state)
        return cg_store_query(s, st,
                              LIST_COLUMNS " WHERE delivered_at IS NULL ORDER BY created_at, id"
                                           " LIMIT ?",
                              "i", (int64_t)limit);
    if (strcmp(state, "delivered") == 0)
        return cg_store_query(s, st,
                              LIST_COLUMNS " WHERE delivered_at IS NOT NULL"
                                           " ORDER BY delivered_at DESC, id DESC LIMIT ?",
                              "i", (int64_t)limit);
    return cg_store_query(s, st,
                          LIST_COLUMNS " WHERE delivered_at IS NULL AND " STATE_SQL " = ?"
                                       " ORDER BY created_at, id LIMIT ?",
                          "si", state, (int64_t)limit);
}

static const char *dup_or_null(cg_arena *a, cg_stmt *st, int col)
{
    return cg_stmt_isnull(st, col) ? NULL : cg_arena_strdup(a, cg_stmt_text(st, col));
}

int cg_outbox_list(cg_store *s, const struct cg_actor *actor, const char *state, int limit,
                   cg_arena *a, struct cg_outbox_item **items, size_t *n,
                   struct cg_outbox_counts *counts)
{
    if (!cg_actor_can(actor, CG_PERM_AUDIT_READ))
        return CG_EFORBIDDEN;
    if (state && strcmp(state, "pending") && strcmp(state, "retrying") &&
        strcmp(state, "delivered"))
        return CG_EBADTYPE;
    if (limit < 1 || limit > 500)
        return CG_ERANGE;
    int rc = count_states(s, counts);
    cg_stmt *st = NULL;
    if (!rc)
        rc = query_list(s, state, limit, &st);
    if (rc)
        return rc;
    struct cg_outbox_item *list = cg_arena_calloc(a, (size_t)limit * sizeof *list);
    size_t cnt = 0;
    if (!list)
        rc = CG_ENOMEM;
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        struct cg_outbox_item *it = &list[cnt++];
        it->id = cg_stmt_int(st, 0);
        it->uid = dup_or_null(a, st, 1);
        it->kind = dup_or_null(a, st, 2);
        it->state = dup_or_null(a, st, 3);
        it->created_at = cg_stmt_int(st, 4);
        it->next_at = cg_stmt_int(st, 5);
        it->last_attempt_at = cg_stmt_int(st, 6);
        it->delivered_at = cg_stmt_int(st, 7);
        it->attempts = (int)cg_stmt_int(st, 8);
        it->last_status = (int)cg_stmt_int(st, 9);
        it->last_error = dup_or_null(a, st, 10);
        rc = 0;
    }
    cg_stmt_reset(st);
    if (rc < 0)
        return rc;
    *items = list;
    *n = cnt;
    return 0;
}
