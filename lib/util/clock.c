#include "civgrid/clock.h"

#include <stdlib.h>
#include <time.h>

int64_t cg_now(void)
{
    const char *fake = getenv("CIVGRID_FAKE_NOW");
    if (fake && *fake)
        return strtoll(fake, NULL, 10);
    return (int64_t)time(NULL);
}

double cg_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cg_today(char out[11])
{
    time_t t = (time_t)cg_now() + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}
