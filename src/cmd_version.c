#include <stdio.h>

#include "civgrid/store.h"
#include "civgrid/version.h"
#include "commands.h"

void usage_version(FILE *f)
{
    fprintf(f, "usage: civgrid version\n\nPrints the version and the database schema version "
               "this binary writes.\n");
}

int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 0) {
        fprintf(stderr, "civgrid version: takes no arguments\n");
        return EXIT_USAGE;
    }
    printf("civgrid %s (schema %d)\n", CIVGRID_VERSION, cg_store_latest_version());
    return EXIT_OK;
}
