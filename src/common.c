#include <stdio.h>
#include <stdlib.h>

#include "civgrid/error.h"
#include "commands.h"

int open_database(const char *cmd, const char *db, cg_store **out)
{
    char *msg = NULL;
    int rc = cg_store_open(db, out, &msg);
    if (rc) {
        fprintf(stderr, "civgrid %s: cannot open database: %s\n", cmd, msg ? msg : cg_strerror(rc));
        free(msg);
        return EXIT_FAIL;
    }
    rc = cg_store_migrate(*out, NULL, NULL);
    if (rc) {
        fprintf(stderr, "civgrid %s: %s: %s\n", cmd, cg_strerror(rc), cg_store_errmsg(*out));
        cg_store_close(*out);
        *out = NULL;
        return EXIT_FAIL;
    }
    return EXIT_OK;
}
