/* civgrid demo: builds the demo city (大同市) into a new database. */
#include <stdio.h>
#include <stdlib.h>

#include "civgrid/arena.h"
#include "civgrid/demo.h"
#include "civgrid/error.h"
#include "civgrid/session.h"
#include "civgrid/store.h"
#include "commands.h"
#include "options.h"

static const struct opt_def demo_opts[] = {
    OPT_DB,
    {"residents", OPT_INT, NULL, "20000", 1, 10000000, "how many residents to make"},
    {"seed", OPT_INT, NULL, "1", 1, 0x7fffffffffffffffLL,
     "the seed: the same seed makes the same city"},
    OPT_END,
};

void usage_demo(FILE *f)
{
    fprintf(f, "usage: civgrid demo --db DB [--residents N] [--seed S]\n\n"
               "Builds the demo city into a new database: Datong (大同市, 140200) with its ten\n"
               "districts and counties, Yanggao's 11 towns and 521 grids, Xinrong's 175 grids,\n"
               "buildings, residents with valid ID numbers, ledgers, staff chains, departments,\n"
               "venues (those of cases F27 and F29 among them), 84 checkpoints and risk points.\n"
               "A new database is initialised first, as 'civgrid init' does, with 140200 as its\n"
               "root; a database that holds anything beyond what init creates is refused. The\n"
               "same seed gives the same city; only the passwords are random. The demo accounts\n"
               "and their password are printed once at the end.\n\noptions:\n");
    opts_usage(demo_opts, f);
}

static void progress(const struct cg_demo_county *c, void *ud)
{
    (void)ud;
    printf(
        "  %s %s: %d towns, %d communities and villages, %d grids, %d buildings, %d grid workers,"
        " %d assistants, %d places, %lld residents (%lld floating) in %lld households (%.1f s)\n",
        c->code, c->name, c->towns, c->communities, c->grids, c->buildings, c->grid_workers,
        c->assistants, c->places, (long long)c->residents, (long long)c->floating,
        (long long)c->households, c->seconds);
    fflush(stdout);
}

int cmd_demo(int argc, char **argv)
{
    struct opts o;
    cg_store *store = NULL;
    cg_arena *arena = NULL;
    const char *db = NULL, *admin_password = NULL;
    struct cg_field_error fe = {0};
    int rc = opts_parse(&o, demo_opts, "demo", argc, argv), initialised = 0, started = 0;
    if (!rc && o.npositional) {
        fprintf(stderr, "civgrid demo: unexpected argument '%s'\n", o.positional[0]);
        rc = EXIT_USAGE;
    }
    if (rc || (rc = opts_require_db(&o, "demo", &db)) || (rc = open_database("demo", db, &store)))
        goto out;
    if (!(arena = cg_arena_new())) {
        rc = EXIT_FAIL;
        goto out;
    }
    if ((rc = cg_demo_check(store, &initialised, &fe)))
        goto fail;
    started = 1;
    if (!initialised) {
        if ((rc = cg_deployment_init(store, CG_DEMO_CITY_CODE, CG_DEMO_CITY_NAME, "city", arena,
                                     &admin_password)))
            goto fail;
        printf("created root area %s %s and account 'admin'\nadmin password: %s\n",
               CG_DEMO_CITY_CODE, CG_DEMO_CITY_NAME, admin_password);
    }
    struct cg_actor *actor = NULL;
    if ((rc = cg_actor_cli(store, arena, &actor)))
        goto fail;
    struct cg_demo_options opt = {.residents = opt_int(&o, "residents"),
                                  .seed = (uint64_t)opt_int(&o, "seed")};
    struct cg_demo_result res;
    printf("building the demo city %s (%lld residents, seed %llu) into %s\n", CG_DEMO_CITY_NAME,
           (long long)opt.residents, (unsigned long long)opt.seed, db);
    fflush(stdout);
    if ((rc = cg_demo_build(store, actor, &opt, progress, NULL, arena, &res, &fe)))
        goto fail;
    printf(
        "done in %.1f s: %lld areas, %lld residents, %lld staff, %lld places, %lld departments\n\n",
        res.seconds, (long long)res.areas, (long long)res.residents, (long long)res.staff,
        (long long)res.places, (long long)res.departments);
    printf("demo logins (password for all: %s):\n", res.password);
    printf("  %-22s %-14s %-16s %s password: %s\n", "admin", "admin", actor->area_code,
           actor->area_name, admin_password ? admin_password : "(the one 'civgrid init' printed)");
    for (size_t i = 0; i < res.nlogins; i++)
        printf("  %-22s %-14s %-16s %s %s\n", res.logins[i].username, res.logins[i].role,
               res.logins[i].scope_code, res.logins[i].scope_name, res.logins[i].display_name);
    printf("(passwords are shown only this once)\n");
    rc = EXIT_OK;
    goto out;
fail:
    if (fe.message[0])
        fprintf(stderr, "civgrid demo: %s\n", fe.message);
    else
        fprintf(stderr, "civgrid demo: %s%s%s\n", cg_strerror(rc), rc == CG_EDB ? ": " : "",
                rc == CG_EDB ? cg_store_errmsg(store) : "");
    if (started)
        fprintf(stderr,
                "civgrid demo: %s may hold part of the demo now; start again with a new database\n",
                db);
    rc = EXIT_FAIL;
out:
    cg_arena_free(arena);
    cg_store_close(store);
    opts_free(&o);
    return rc;
}
