/* The working-day calendar: China's public holidays and make-up working days
 * (调休), so that deadlines counted in working days ("accept within 2 working
 * days") skip the National Day week and count a make-up Saturday.
 *
 * A day is a working day when it is Monday to Friday and not marked a
 * holiday, or a Saturday or Sunday marked a make-up working day. The marks
 * live in the table calendar_days (one row per marked date), seeded for
 * 2022-2027 from the State Council's notices (2027 provisionally, see
 * migration 0018) and edited through cg_calendar_set / cg_calendar_unset.
 * Days are the deployment's local days (Asia/Shanghai, UTC+8, clock.h).
 *
 * Every process keeps the marks in memory and compares one version row with
 * the database at each call, so cg_workdays_add costs one indexed one-row
 * read and a walk over at most `days` days; an edit on one server is seen by
 * the next call on every server. */
#ifndef CIVGRID_CALENDAR_H
#define CIVGRID_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/field.h"
#include "civgrid/store.h"

/* The most working days one call counts: more is CG_ERANGE. */
#define CG_WORKDAYS_MAX 1000

/* The instant `days` working days after start (epoch seconds) expire: local
 * midnight at the end of the days-th working day after start's local day.
 *
 * The day of start never counts, whatever its hour and whether it is a
 * working day or not (the rule of periods in Chinese procedure law: 期间开始
 * 的时和日不计算在期间内). So a case filed on Monday at 08:00 or at 23:59 with
 * days = 2 is due at the end of Wednesday (Thursday 00:00 local); one filed
 * on Saturday, or on a holiday, counts from the next working day: filed on
 * 2026-09-30 (the eve of National Day) with days = 2, it is due at the end of
 * Friday 2026-10-09 (2026-10-10 00:00 local), because 10-01..10-07 are
 * holidays and 10-08, 10-09 the first two working days. days = 0 is the end
 * of start's own day. A deadline is met by anything done before *out.
 *
 * Runs in the caller's transaction if there is one (it only reads).
 * CG_ERANGE when days is below 0 or above CG_WORKDAYS_MAX. */
int cg_workdays_add(cg_store *s, int64_t start, int days, int64_t *out);

/* The inverse of cg_workdays_add for lists of many starts: *cutoff is the
 * instant such that every start before it is past its deadline at now
 * (cg_workdays_add(start, days) <= now) and no start at or after it is. A
 * scheduler tick computes it once per threshold and selects the overdue rows
 * with "created_at < ?" instead of computing each row's deadline. */
int cg_workdays_cutoff(cg_store *s, int64_t now, int days, int64_t *cutoff);

/* Whether the local day holding t is a working day (*out 1) or not (0). */
int cg_workday_is(cg_store *s, int64_t t, int *out);

/* The kinds of a marked day, as stored and as the API and CLI name them. */
#define CG_DAY_HOLIDAY "holiday" /* no work, even Monday to Friday */
#define CG_DAY_WORKDAY "workday" /* a make-up working day, even on a weekend */

/* One marked day. */
struct cg_calendar_day {
    char date[11];    /* "YYYY-MM-DD", local */
    const char *kind; /* CG_DAY_HOLIDAY or CG_DAY_WORKDAY */
    const char *name; /* "国庆节", "国庆节调休上班"; "" when none */
    int64_t updated_at;
    const char *updated_by; /* "seed" for the seeded rows */
};

/* The marked days from `from` to `to` (dates "YYYY-MM-DD", both included;
 * either may be NULL: open), in date order, at most CG_CALENDAR_LIST_MAX;
 * *more says more rows follow. Any actor with CG_PERM_POLICY_READ (every
 * staff role) may read it. */
#define CG_CALENDAR_LIST_MAX 2000
int cg_calendar_list(cg_store *s, const struct cg_actor *actor, const char *from, const char *to,
                     cg_arena *a, struct cg_calendar_day **items, size_t *n, int *more);

/* Marks date ("YYYY-MM-DD") as kind (CG_DAY_HOLIDAY or CG_DAY_WORKDAY) with
 * a name (may be NULL or ""), replacing any mark it had. Needs
 * CG_PERM_CALENDAR_WRITE; audited as calendar.set. Field errors (fe may be
 * NULL) name "date", "kind" or "name". */
int cg_calendar_set(cg_store *s, const struct cg_actor *actor, const char *date, const char *kind,
                    const char *name, struct cg_field_error *fe);

/* Removes date's mark, so that it follows the weekday rule again. Needs
 * CG_PERM_CALENDAR_WRITE; audited as calendar.unset. CG_ENOTFOUND when the
 * date had no mark. */
int cg_calendar_unset(cg_store *s, const struct cg_actor *actor, const char *date,
                      struct cg_field_error *fe);

/* Forgets this process's copy of the marks (tests). */
void cg_calendar_forget(void);

#endif
