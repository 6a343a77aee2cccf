/* Time. Inside civgrid times are UTC epoch seconds; durations use the
 * monotonic clock so that a wall-clock jump never breaks a timeout. */
#ifndef CIVGRID_CLOCK_H
#define CIVGRID_CLOCK_H

#include <stdint.h>

/* UTC epoch seconds. CIVGRID_FAKE_NOW (epoch seconds) overrides it, so that
 * tests of expiry and deadlines need not sleep. */
int64_t cg_now(void);

/* The deployment's time zone: Asia/Shanghai, UTC+8, with no daylight saving,
 * so one offset converts every date. */
#define CG_TZ_OFFSET (8 * 3600)

/* Today's date in the deployment's time zone (Asia/Shanghai, UTC+8, no
 * daylight saving) as "YYYY-MM-DD". */
void cg_today(char out[11]);

/* Reads a time given by a person: epoch seconds ("1764000000"), or ISO 8601
 * "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" (a space may replace the T) in the
 * deployment's time zone unless it ends in "Z" or an offset ("+08:00",
 * "-0500"). CG_EINVAL for anything else, or a date that does not exist. */
int cg_time_parse(const char *text, int64_t *out);

/* t as "YYYY-MM-DD HH:MM:SS" in the deployment's time zone. */
void cg_time_local(int64_t t, char out[20]);

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar, and
 * back (Howard Hinnant's days_from_civil and civil_from_days): date
 * arithmetic that consults no time zone. */
int64_t cg_days_from_civil(int64_t y, int m, int d);
void cg_civil_from_days(int64_t days, int *y, int *m, int *d);

/* Monotonic seconds, for measuring durations. */
double cg_monotonic(void);

#endif
