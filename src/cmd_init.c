/* civgrid init: creates a database (or upgrades it) and its first admin. */
#include <stdio.h>
#include <stdlib.h>

#include "civgrid/area.h"
#include "civgrid/error.h"
#include "civgrid/session.h"
#include "civgrid/store.h"
#include "commands.h"
#include "options.h"

static const struct opt_def init_opts[] = {
    OPT_DB,
    {"root_code", OPT_STR, NULL, "000000", 0, 0, "code of the root area of a new database"},
    {"root_name", OPT_STR, NULL, "全部辖区", 0, 0, "name of the root area of a new database"},
    {"root_level", OPT_STR, NULL, "city", 0, 0, "level of the root area (city, county, ...)"},
    OPT_END,
};

void usage_init(FILE *f)
{
    fprintf(f, "usage: civgrid init --db DB\n\n"
               "Creates the database's tables, or upgrades them to this binary's schema. A new\n"
               "database gets a root area and an 'admin' account whose password is printed once\n"
               "as 'admin password: <password>'.\n\noptions:\n");
    opts_usage(init_opts, f);
}

int cmd_init(int argc, char **argv)
{
    struct opts o;
    cg_store *store = NULL;
    cg_arena *arena = NULL;
    const char *db = NULL;
    int rc = opts_parse(&o, init_opts, "init", argc, argv);
    if (!rc && o.npositional) {
        fprintf(stderr, "civgrid init: unexpected argument '%s'\n", o.positional[0]);
        rc = EXIT_USAGE;
    }
    if (rc || (rc = opts_require_db(&o, "init", &db)))
        goto out;
    int from = 0, to = 0;
    char *msg = NULL;
    if ((rc = cg_store_open(db, &store, &msg))) {
        fprintf(stderr, "civgrid init: cannot open database: %s\n", msg ? msg : cg_strerror(rc));
        free(msg);
        rc = EXIT_FAIL;
        goto out;
    }
    if ((rc = cg_store_migrate(store, &from, &to))) {
        fprintf(stderr, "civgrid init: %s: %s\n", cg_strerror(rc), cg_store_errmsg(store));
        rc = EXIT_FAIL;
        goto out;
    }
    if (from == to)
        printf("database %s is up to date (schema %d)\n", db, to);
    else
        printf("database %s: schema %d -> %d\n", db, from, to);
    if (!cg_area_level_valid(opt_str(&o, "root_level"))) {
        fprintf(stderr, "civgrid init: unknown --root-level '%s'\n", opt_str(&o, "root_level"));
        rc = EXIT_USAGE;
        goto out;
    }
    const char *password = NULL;
    arena = cg_arena_new();
    rc = arena ? cg_deployment_init(store, opt_str(&o, "root_code"), opt_str(&o, "root_name"),
                                    opt_str(&o, "root_level"), arena, &password)
               : CG_ENOMEM;
    if (rc) {
        fprintf(stderr, "civgrid init: %s: %s\n", cg_strerror(rc), cg_store_errmsg(store));
        rc = EXIT_FAIL;
        goto out;
    }
    if (password)
        printf("created root area %s and account 'admin'\nadmin password: %s\n"
               "(shown only this once: sign in and keep it safe)\n",
               opt_str(&o, "root_code"), password);
out:
    cg_arena_free(arena);
    cg_store_close(store);
    opts_free(&o);
    return rc;
}
