/* Prometheus metrics of the HTTP server: requests by route, method and
 * status; a latency histogram; the store's query timings. Lock-free counters,
 * so that counting never slows a request. */
#ifndef CIVGRID_METRICS_H
#define CIVGRID_METRICS_H

#include "civgrid/buf.h"

/* Slots beyond the route table, for requests that matched no route. */
#define METRICS_SLOT_STATIC (-2)
#define METRICS_SLOT_UNMATCHED (-1)

int metrics_init(void);
void metrics_free(void);

/* Counts one finished request. slot is the route's index or a METRICS_SLOT_*. */
void metrics_observe(int slot, const char *method, int status, double seconds);

/* Appends the Prometheus text exposition to out. */
int metrics_render(cg_buf *out);

#endif
