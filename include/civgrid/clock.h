/* Time. Inside civgrid times are UTC epoch seconds; durations use the
 * monotonic clock so that a wall-clock jump never breaks a timeout. */
#ifndef CIVGRID_CLOCK_H
#define CIVGRID_CLOCK_H

#include <stdint.h>

/* UTC epoch seconds. CIVGRID_FAKE_NOW (epoch seconds) overrides it, so that
 * tests of expiry and deadlines need not sleep. */
int64_t cg_now(void);

/* Today's date in the deployment's time zone (Asia/Shanghai, UTC+8, no
 * daylight saving) as "YYYY-MM-DD". */
void cg_today(char out[11]);

/* Monotonic seconds, for measuring durations. */
double cg_monotonic(void);

#endif
