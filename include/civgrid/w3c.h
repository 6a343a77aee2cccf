/* W3C datetimes (https://www.w3.org/TR/NOTE-datetime), as Open311 reads and
 * writes them: "2026-11-05T08:15:30+08:00", "2026-11-05T00:15:30Z". */
#ifndef CIVGRID_W3C_H
#define CIVGRID_W3C_H

#include <stdint.h>

/* Reads a W3C datetime (YYYY-MM-DD, or YYYY-MM-DDThh:mm[:ss[.f]] followed by
 * Z or +hh:mm / -hh:mm; a date alone is midnight UTC) as epoch seconds.
 * 0, or CG_EBADTYPE for anything else (an impossible date, a time without
 * its zone). */
int cg_w3c_parse(const char *s, int64_t *out);

/* Writes t as YYYY-MM-DDThh:mm:ssZ into out. */
void cg_w3c_format(int64_t t, char out[32]);

#endif
