/* W3C datetimes (w3c.h): the subset of ISO 8601 Open311 uses. */
#include "civgrid/w3c.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int cg_w3c_parse(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!s || strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return CG_EBADTYPE;
    const char *p = s + 10;
    if (*p) {
        if (*p != 'T' || !digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi))
            return CG_EBADTYPE;
        p += 6;
        if (*p == ':') {
            if (!digits(p + 1, 2, &sec))
                return CG_EBADTYPE;
            p += 3;
            if (*p == '.') {
                if (p[1] < '0' || p[1] > '9')
                    return CG_EBADTYPE;
                for (p++; *p >= '0' && *p <= '9'; p++)
                    ;
            }
        }
        if (*p == 'Z' && !p[1]) {
            p++;
        } else if ((*p == '+' || *p == '-') && digits(p + 1, 2, &oh) && p[3] == ':' &&
                   digits(p + 4, 2, &om) && !p[6]) {
            sign = *p == '+' ? 1 : -1;
            p += 6;
        } else {
            return CG_EBADTYPE;
        }
        if (h > 23 || mi > 59 || sec > 60 || oh > 14 || om > 59)
            return CG_EBADTYPE;
    }
    *out = cg_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
           sign * (oh * 3600 + om * 60);
    return 0;
}

void cg_w3c_format(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}
