/* civgrid figures rebuild: counts every area's figures again from the
 * residents, ledger entries and staff themselves (counts.h), for a database
 * whose rows were changed behind civgrid's back (a restore, SQL by hand). */
#include <stdio.h>

#include "civgrid/clock.h"
#include "civgrid/counts.h"
#include "cli.h"

static const struct opt_def figures_opts[] = {
    OPT_DB,
    OPT_END,
};

static int figures_rebuild(struct cli *c, struct opts *o)
{
    if (o->npositional) {
        fprintf(stderr, "civgrid figures rebuild: unexpected argument '%s'\n", o->positional[0]);
        return EXIT_USAGE;
    }
    double t0 = cg_monotonic();
    int rc = cg_counts_rebuild(c->store);
    if (rc)
        return cli_fail(c, rc, NULL);
    printf("figure counts rebuilt (%.1f s)\n", cg_monotonic() - t0);
    return EXIT_OK;
}

static const struct subcommand subs[] = {
    {"rebuild", figures_rebuild, "rebuild"},
    {NULL, NULL, NULL},
};

void usage_figures(FILE *f)
{
    fprintf(f, "usage: civgrid figures SUBCOMMAND --db DB\n\n"
               "The figure counts behind the home page and the area cards. Every write keeps\n"
               "them current; rebuild counts them again from scratch, in one transaction,\n"
               "after rows were changed by hand (SQL, a partial restore).\n\nsubcommands:\n");
    for (const struct subcommand *s = subs; s->name; s++)
        fprintf(f, "  civgrid figures %s\n", s->usage);
    fprintf(f, "\noptions:\n");
    opts_usage(figures_opts, f);
}

int cmd_figures(int argc, char **argv)
{
    return cli_dispatch("figures", subs, figures_opts, argc, argv);
}
