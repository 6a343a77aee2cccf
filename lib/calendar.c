/* The working-day calendar (calendar.h): marked days in calendar_days, a
 * process-wide copy of them in memory, and the working-day arithmetic that
 * deadlines use.
 *
 * The copy is checked against calendar_version at each call rather than
 * trusted for a while, so that an edit is seen at once by every process and
 * a test needs no wait; that costs one primary-key read, cheap next to the
 * insert of the case whose deadline is being computed. */
#include "civgrid/calendar.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/field.h"
#include "civgrid/text.h"

/* A marked day: its local day number (days since 1970-01-01 in UTC+8) and
 * whether it is a working day. */
struct mark {
    int32_t day;
    int32_t work;
};

static struct {
    pthread_mutex_t mu;
    int loaded;
    int64_t version;
    struct mark *marks; /* sorted by day */
    size_t n;
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t local_day(int64_t t)
{
    int64_t local = t + CG_TZ_OFFSET;
    return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

/* Reads "YYYY-MM-DD" (nothing more) into a local day number. */
static int parse_date(const char *text, int64_t *day)
{
    int64_t t = 0;
    if (!text || strlen(text) != 10 || cg_time_parse(text, &t))
        return CG_EBADTYPE;
    *day = local_day(t);
    return 0;
}

static int read_version(cg_store *s, int64_t *version)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT version FROM calendar_version WHERE id = 1", "");
    if (rc)
        return rc;
    rc = cg_stmt_one(st);
    *version = rc ? 0 : cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    return rc == CG_ENOTFOUND ? 0 : rc;
}

static int load_marks(cg_store *s, struct mark **out, size_t *n)
{
    cg_stmt *st = NULL;
    struct mark *marks = NULL;
    size_t cnt = 0, cap = 0;
    int rc = cg_store_query(s, &st, "SELECT day, kind FROM calendar_days ORDER BY day", "");
    if (rc)
        return rc;
    while ((rc = cg_stmt_step(st)) == CG_ROW) {
        int64_t day = 0;
        if (parse_date(cg_stmt_text(st, 0), &day))
            continue; /* the API and the CLI write only valid dates */
        if (cnt == cap) {
            cap = cap ? cap * 2 : 256;
            struct mark *grown = realloc(marks, cap * sizeof *grown);
            if (!grown) {
                rc = CG_ENOMEM;
                break;
            }
            marks = grown;
        }
        const char *kind = cg_stmt_text(st, 1);
        marks[cnt++] = (struct mark){(int32_t)day, kind && strcmp(kind, CG_DAY_WORKDAY) == 0};
    }
    cg_stmt_reset(st);
    if (rc < 0) {
        free(marks);
        return rc;
    }
    *out = marks;
    *n = cnt;
    return 0;
}

/* Makes the cache hold the database's current marks; called with cache.mu
 * held. */
static int refresh(cg_store *s)
{
    int64_t version = 0;
    int rc = read_version(s, &version);
    if (rc || (cache.loaded && cache.version == version))
        return rc;
    struct mark *marks = NULL;
    size_t n = 0;
    if ((rc = load_marks(s, &marks, &n)))
        return rc;
    free(cache.marks);
    cache.marks = marks;
    cache.n = n;
    cache.version = version;
    cache.loaded = 1;
    return 0;
}

void cg_calendar_forget(void)
{
    pthread_mutex_lock(&cache.mu);
    free(cache.marks);
    cache.marks = NULL;
    cache.n = 0;
    cache.loaded = 0;
    pthread_mutex_unlock(&cache.mu);
}

/* Whether local day `day` is a working day, by the cache (mu held). */
static int is_workday(int64_t day)
{
    size_t lo = 0, hi = cache.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cache.marks[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < cache.n && cache.marks[lo].day == day)
        return cache.marks[lo].work;
    int dow = (int)(((day + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday; 0 is Sunday */
    return dow != 0 && dow != 6;
}

int cg_workdays_add(cg_store *s, int64_t start, int days, int64_t *out)
{
    if (days < 0 || days > CG_WORKDAYS_MAX)
        return CG_ERANGE;
    pthread_mutex_lock(&cache.mu);
    int rc = refresh(s);
    int64_t day = local_day(start);
    for (int counted = 0; !rc && counted < days;)
        counted += is_workday(++day);
    pthread_mutex_unlock(&cache.mu);
    if (!rc)
        *out = (day + 1) * 86400 - CG_TZ_OFFSET;
    return rc;
}

int cg_workdays_cutoff(cg_store *s, int64_t now, int days, int64_t *cutoff)
{
    if (days < 0 || days > CG_WORKDAYS_MAX)
        return CG_ERANGE;
    pthread_mutex_lock(&cache.mu);
    int rc = refresh(s);
    /* The deadline of a start on day D is the end of the days-th working day
     * after D; it has passed when that day is at most `last`, the last day
     * that ended by now. Counting working days back from `last` finds the
     * days-th one, W: starts on days before W are past. The walk is bounded
     * in case an operator marked every day a holiday. */
    int64_t last = local_day(now) - 1, day = last + 1;
    int64_t stop = last - (int64_t)days * 10 - 60;
    for (int counted = 0; !rc && counted < days && day > stop;)
        counted += is_workday(--day);
    pthread_mutex_unlock(&cache.mu);
    if (!rc)
        *cutoff = day > stop ? day * 86400 - CG_TZ_OFFSET : 0;
    return rc;
}

int cg_workday_is(cg_store *s, int64_t t, int *out)
{
    pthread_mutex_lock(&cache.mu);
    int rc = refresh(s);
    if (!rc)
        *out = is_workday(local_day(t));
    pthread_mutex_unlock(&cache.mu);
    return rc;
}

/* ---- reading and editing the marks ---- */

int cg_calendar_list(cg_store *s, const struct cg_actor *actor, const char *from, const char *to,
                     cg_arena *a, struct cg_calendar_day **items, size_t *n, int *more)
{
    int64_t ignored = 0;
    if (!cg_actor_can(actor, CG_PERM_POLICY_READ))
        return CG_EFORBIDDEN;
    if ((from && parse_date(from, &ignored)) || (to && parse_date(to, &ignored)))
        return CG_EBADTYPE;
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st,
                            "SELECT day, kind, name, updated_at, updated_by FROM calendar_days"
                            " WHERE day >= ? AND day <= ? ORDER BY day LIMIT ?",
                            "ssi", from ? from : "0000-00-00", to ? to : "9999-99-99",
                            (int64_t)CG_CALENDAR_LIST_MAX + 1);
    if (rc)
        return rc;
    struct cg_calendar_day *list = cg_arena_calloc(a, (CG_CALENDAR_LIST_MAX + 1) * sizeof *list);
    size_t cnt = 0;
    *more = 0;
    if (!list)
        rc = CG_ENOMEM;
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        if (cnt == CG_CALENDAR_LIST_MAX) {
            *more = 1;
            rc = CG_DONE;
            break;
        }
        struct cg_calendar_day *d = &list[cnt++];
        snprintf(d->date, sizeof d->date, "%s", cg_stmt_text(st, 0));
        d->kind =
            strcmp(cg_stmt_text(st, 1), CG_DAY_WORKDAY) == 0 ? CG_DAY_WORKDAY : CG_DAY_HOLIDAY;
        d->name = cg_arena_strdup(a, cg_stmt_text(st, 2) ? cg_stmt_text(st, 2) : "");
        d->updated_at = cg_stmt_int(st, 3);
        d->updated_by = cg_arena_strdup(a, cg_stmt_text(st, 4) ? cg_stmt_text(st, 4) : "");
        rc = d->name && d->updated_by ? 0 : CG_ENOMEM;
    }
    cg_stmt_reset(st);
    if (rc < 0)
        return rc;
    *items = list;
    *n = cnt;
    return 0;
}

struct day_write {
    const char *date, *kind, *name, *by;
    int64_t now;
    int unset;
};

/* A new token for calendar_version: random, so that no other database one
 * process opens has it (the seed's is 1). */
static int64_t new_version(void)
{
    uint64_t v = 0;
    randombytes_buf(&v, sizeof v);
    return (int64_t)(v >> 2) + 2;
}

static int write_day(cg_store *s, void *arg)
{
    struct day_write *w = arg;
    int64_t changed = 0;
    int rc;
    if (w->unset)
        rc = cg_store_run(s, &changed, "DELETE FROM calendar_days WHERE day = ?", "s", w->date);
    else
        rc = cg_store_run(s, &changed,
                          "INSERT INTO calendar_days (day, kind, name, updated_at, updated_by)"
                          " VALUES (?, ?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET"
                          " kind = excluded.kind, name = excluded.name,"
                          " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                          "sssis", w->date, w->kind, w->name, w->now, w->by);
    if (!rc && changed == 0)
        rc = CG_ENOTFOUND;
    if (!rc)
        rc = cg_store_run(s, NULL, "UPDATE calendar_version SET version = ? WHERE id = 1", "i",
                          new_version());
    return rc;
}

static int check_date(const char *date, struct cg_field_error *fe)
{
    int64_t day = 0;
    if (!date || !*date)
        return cg_field_fail(fe, CG_EMISSING, "date", "date is required (YYYY-MM-DD)");
    if (parse_date(date, &day))
        return cg_field_fail(fe, CG_EBADTYPE, "date", "date must be a date YYYY-MM-DD");
    return 0;
}

/* Checks a mark's input outside the transaction: the date, the kind and the
 * name (the text rule, at most 64 bytes). */
static int check_mark(struct day_write *w, cg_arena *a, struct cg_field_error *fe)
{
    int rc = check_date(w->date, fe);
    if (rc)
        return rc;
    if (!w->kind || !*w->kind)
        return cg_field_fail(fe, CG_EMISSING, "kind", "kind is required (holiday or workday)");
    if (strcmp(w->kind, CG_DAY_HOLIDAY) && strcmp(w->kind, CG_DAY_WORKDAY))
        return cg_field_fail(fe, CG_EBADTYPE, "kind", "kind must be holiday or workday");
    const char *name = NULL;
    if ((rc = cg_text_check(w->name, "name", "name", 64, 0, a, &name, fe)))
        return rc;
    w->name = name ? name : "";
    return 0;
}

int cg_calendar_set(cg_store *s, const struct cg_actor *actor, const char *date, const char *kind,
                    const char *name, struct cg_field_error *fe)
{
    struct day_write w = {.date = date,
                          .kind = kind,
                          .name = name,
                          .now = cg_now(),
                          .by = actor && actor->username ? actor->username : "cli"};
    cg_arena *a = cg_arena_new();
    if (!a)
        return CG_ENOMEM;
    int rc = cg_actor_can(actor, CG_PERM_CALENDAR_WRITE) ? 0 : CG_EFORBIDDEN;
    if (!rc)
        rc = check_mark(&w, a, fe);
    char detail[160];
    snprintf(detail, sizeof detail, "kind=%s name=%s", kind ? kind : "", w.name ? w.name : "");
    struct cg_audit_record rec = {.action = "calendar.set",
                                  .object_type = "calendar_day",
                                  .object_id = date,
                                  .detail = detail};
    rc = cg_audit_change(s, actor, &rec, rc, write_day, &w);
    cg_arena_free(a);
    return rc;
}

int cg_calendar_unset(cg_store *s, const struct cg_actor *actor, const char *date,
                      struct cg_field_error *fe)
{
    struct day_write w = {.date = date, .unset = 1};
    int rc = cg_actor_can(actor, CG_PERM_CALENDAR_WRITE) ? 0 : CG_EFORBIDDEN;
    if (!rc)
        rc = check_date(date, fe);
    struct cg_audit_record rec = {
        .action = "calendar.unset", .object_type = "calendar_day", .object_id = date};
    return cg_audit_change(s, actor, &rec, rc, write_day, &w);
}
