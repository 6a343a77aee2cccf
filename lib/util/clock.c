#include "civgrid/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civgrid/error.h"

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
    time_t t = (time_t)cg_now() + CG_TZ_OFFSET;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

void cg_time_local(int64_t t, char out[20])
{
    time_t local = (time_t)(t + CG_TZ_OFFSET);
    struct tm tm;
    if (!gmtime_r(&local, &tm) || !strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm))
        snprintf(out, 20, "%s", "?"); /* beyond the year 9999 */
}

/* Reads exactly n digits at *p, advancing it; -1 when they are not there. */
static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    return v;
}

int64_t cg_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cg_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* "Z", "+HH", "+HH:MM", "+HHMM" (or '-') into seconds east of UTC; "" is the
 * deployment's zone. */
static int parse_zone(const char *p, int64_t *offset)
{
    if (!*p) {
        *offset = CG_TZ_OFFSET;
        return 0;
    }
    if (p[0] == 'Z' && !p[1]) {
        *offset = 0;
        return 0;
    }
    if (*p != '+' && *p != '-')
        return CG_EINVAL;
    int sign = *p++ == '-' ? -1 : 1;
    int hh = digits(&p, 2), mm = 0;
    int colon = *p == ':';
    p += colon;
    if (colon || *p)
        mm = digits(&p, 2);
    if (hh < 0 || hh > 14 || mm < 0 || mm > 59 || *p)
        return CG_EINVAL;
    *offset = sign * (hh * 3600 + mm * 60);
    return 0;
}

static int parse_epoch(const char *text, int64_t *out)
{
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    /* Up to the year 9999, like the dates. */
    if (*end || v < 0 || v > 253402300799LL)
        return CG_EINVAL;
    *out = (int64_t)v;
    return 0;
}

int cg_time_parse(const char *text, int64_t *out)
{
    if (!text || !*text)
        return CG_EINVAL;
    if (strspn(text, "0123456789") == strlen(text))
        return parse_epoch(text, out);
    const char *p = text;
    int y = digits(&p, 4);
    int mo = *p == '-' ? (p++, digits(&p, 2)) : -1;
    int d = *p == '-' ? (p++, digits(&p, 2)) : -1;
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return CG_EINVAL;
    int hh = 0, mi = 0, ss = 0;
    if (*p == 'T' || *p == ' ') {
        p++;
        hh = digits(&p, 2);
        mi = *p == ':' ? (p++, digits(&p, 2)) : -1;
        if (*p == ':') {
            p++;
            ss = digits(&p, 2);
        }
        if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59)
            return CG_EINVAL;
    }
    int64_t offset = 0;
    if (parse_zone(p, &offset))
        return CG_EINVAL;
    int64_t t = cg_days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - offset;
    if (t < 0) /* before 1970, like a negative epoch */
        return CG_EINVAL;
    *out = t;
    return 0;
}
