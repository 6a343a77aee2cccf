/* Files compiled into the binary (cmake/embed.cmake). */
#ifndef CIVGRID_EMBEDDED_H
#define CIVGRID_EMBEDDED_H

#include <stddef.h>

struct cg_embedded {
    const char *path; /* relative to its group's folder; NULL ends the list */
    const char *data; /* NUL-terminated */
    size_t len;
};

/* lib/store/migrations/NNNN_name.sql, in version order. */
extern const struct cg_embedded cg__migrations[];
/* policy/NAME.conf, the built-in policy profiles, by name. */
extern const struct cg_embedded cg__policies[];
/* docs/api/openapi.yaml. */
extern const struct cg_embedded cg__api_docs[];

#endif
