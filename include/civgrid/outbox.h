/* The notification outbox: notifications (a case assigned, overdue, sent
 * back, closed ...) written in the same transaction as the change they tell
 * of, and delivered afterwards to the deployment's webhook by the scheduler
 * job "outbox.deliver".
 *
 * Delivery is at least once: a row stays until a POST of it was answered
 * with a 2xx; a failure is retried with exponential backoff (30 s, 1 min,
 * 2 min ... at most one hour apart), forever; a process that dies between the
 * POST and recording the answer sends it again after its lease. Receivers
 * drop repeats by the notification's "id" (also sent as the header
 * Idempotency-Key). With several servers on one database each due row is
 * claimed by one of them with a conditional UPDATE and a lease, like the
 * scheduler's jobs (sched.h). */
#ifndef CIVGRID_OUTBOX_H
#define CIVGRID_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/sched.h"
#include "civgrid/store.h"

/* Kinds the case workflow sends; any word of [a-z0-9_.] (1-64 bytes) is
 * accepted, so a module may add its own. */
#define CG_OUTBOX_ASSIGNED "case.assigned"
#define CG_OUTBOX_OVERDUE "case.overdue"
#define CG_OUTBOX_RETURNED "case.returned"
#define CG_OUTBOX_CLOSED "case.closed"

/* Adds a notification of kind with payload_json (a JSON object: what the
 * receiver gets as "data") to the outbox, in the CALLER's transaction: call
 * it between cg_store_begin and cg_store_commit (or inside a
 * cg_audit_change write), so that the notification exists exactly when the
 * change does. Delivery starts at now.
 *
 * once_key (may be NULL) makes the notification unique: a second add with
 * the same key adds nothing and sets *id to 0 (for "one overdue
 * notification per card": "case:42:card:accept:yellow"). *id (may be NULL)
 * receives the new row's id. CG_EBADTYPE for a kind outside the alphabet or
 * a payload that is not a JSON object. */
int cg_outbox_add(cg_store *s, const char *kind, const char *payload_json, const char *once_key,
                  int64_t now, int64_t *id);

/* Where and how notifications are delivered: a process setting, from civgrid
 * serve's --webhook-url / CIVGRID_WEBHOOK_URL and --webhook-secret /
 * CIVGRID_WEBHOOK_SECRET. url NULL or "" turns delivery off (rows wait).
 * secret NULL or "": no signature header. CG_EINVAL for a url that is not
 * http:// or https://. The strings are copied. */
int cg_outbox_configure(const char *url, const char *secret, int timeout_seconds);

/* The tick of cg_outbox_job ("outbox.deliver"): claims the
 * rows due at now (a bounded batch), POSTs each to the webhook and records
 * the answer: delivered on a 2xx, otherwise attempts + 1, the error, and the
 * next try after the backoff. Rows delivered more than 7 days ago are
 * deleted. Does nothing without a webhook. Idempotent. */
int cg_outbox_tick(cg_store *s, int64_t now);

/* Whether a webhook URL is set in this process. */
int cg_outbox_configured(void);

/* The job that runs cg_outbox_tick every second: a local job (sched.h),
 * added by civgrid serve and civgrid tick to their schedulers. It is local
 * because each row is claimed on its own, so every server may look for due
 * rows every second without a write when there are none. */
extern const struct cg_sched_job cg_outbox_job;

/* The delay before try number attempt + 1 after attempt failures (1, 2, ...):
 * 30 s doubled per failure, at most CG_OUTBOX_BACKOFF_MAX. */
#define CG_OUTBOX_BACKOFF_FIRST 30
#define CG_OUTBOX_BACKOFF_MAX 3600
int64_t cg_outbox_backoff(int attempts);

/* One notification as operators see it. */
struct cg_outbox_item {
    int64_t id;
    const char *uid; /* the idempotency id the receiver gets */
    const char *kind;
    const char *state; /* "pending" (never tried), "retrying" (tried, failed) or "delivered" */
    int64_t created_at, next_at, last_attempt_at, delivered_at;
    int attempts;
    int last_status;        /* the last HTTP status, 0 when none came */
    const char *last_error; /* or NULL */
};

struct cg_outbox_counts {
    int64_t pending, retrying, delivered;
};

/* The undelivered notifications, oldest first (with state "delivered" also
 * the delivered ones, newest first), at most limit (1..500), and the counts
 * of each state. Needs CG_PERM_AUDIT_READ: the outbox is the deployment's
 * operations, read by those who read its jobs. */
int cg_outbox_list(cg_store *s, const struct cg_actor *actor, const char *state, int limit,
                   cg_arena *a, struct cg_outbox_item **items, size_t *n,
                   struct cg_outbox_counts *counts);

#endif
