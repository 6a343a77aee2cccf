/* civgrid case-figures rebuild|fold|show: the summary behind the figures of
 * cases (case_figures.h): recompute it from scratch, fold the pending
 * timeline, or print the figures as the API answers them (--direct: from a
 * plain GROUP BY over the cases, to check the summary against). */
#include <stdio.h>
#include <stdlib.h>

#include "civgrid/case_figures.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "cli.h"

static const struct opt_def figures_opts[] = {
    OPT_DB,
    {"area", OPT_STR, NULL, NULL, 0, 0, "show: the area's code (default: the root)"},
    {"from", OPT_STR, NULL, NULL, 0, 0, "show: first filing day YYYY-MM-DD"},
    {"to", OPT_STR, NULL, NULL, 0, 0, "show: last filing day YYYY-MM-DD"},
    {"by", OPT_STR, NULL, NULL, 0, 0,
     "show: domain, category, type, child_area, department, month or day"},
    {"direct", OPT_BOOL, NULL, NULL, 0, 0,
     "show: compute from the cases with a plain GROUP BY, not from the summary"},
    OPT_END,
};

static int figures_rebuild(struct cli *c, struct opts *o)
{
    (void)o;
    double t0 = cg_monotonic();
    int rc = cg_case_figures_rebuild(c->store);
    if (rc)
        return cli_fail(c, rc, NULL);
    printf("rebuilt the figures' summary in %.2f s\n", cg_monotonic() - t0);
    return EXIT_OK;
}

static int figures_fold(struct cli *c, struct opts *o)
{
    (void)o;
    int64_t n = 0;
    int rc = cg_case_figures_fold(c->store, 0, &n);
    if (rc)
        return cli_fail(c, rc, NULL);
    printf("folded %lld timeline entries\n", (long long)n);
    return EXIT_OK;
}

static int figures_show(struct cli *c, struct opts *o)
{
    struct cg_case_fig_query q = {opt_str(o, "area"), opt_str(o, "from"), opt_str(o, "to"),
                                  opt_str(o, "by")};
    struct cg_case_figures f;
    struct cg_field_error fe = {0};
    int rc = (opt_bool(o, "direct") ? cg_case_figures_direct : cg_case_figures_get)(
        c->store, c->actor, &q, cg_now(), c->arena, &f, &fe);
    if (rc)
        return cli_fail(c, rc, &fe);
    json_t *j = cg_case_figures_json(&f);
    char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
    json_decref(j);
    if (!s)
        return cli_fail(c, CG_ENOMEM, NULL);
    printf("%s\n", s);
    free(s);
    return EXIT_OK;
}

static const struct subcommand subs[] = {
    {"rebuild", figures_rebuild, "rebuild --db DB"},
    {"fold", figures_fold, "fold --db DB"},
    {"show", figures_show,
     "show [--area CODE] [--from DAY] [--to DAY] [--by DIMENSION] [--direct] --db DB"},
    {NULL, NULL, NULL},
};

void usage_case_figures(FILE *f)
{
    fprintf(f, "usage: civgrid case-figures SUBCOMMAND --db DB ...\n\n"
               "The summary behind the figures of cases (docs/cases.md, \"Figures of cases\"):\n"
               "rebuild recomputes it from the cases and their timelines (after a bulk load, or\n"
               "to check it); fold adds the timeline entries not yet in it (the server does so\n"
               "every 5 seconds); show prints the figures as GET /api/v1/case-figures answers.\n\n"
               "subcommands:\n");
    for (const struct subcommand *s = subs; s->name; s++)
        fprintf(f, "  civgrid case-figures %s\n", s->usage);
    fprintf(f, "\noptions:\n");
    opts_usage(figures_opts, f);
}

int cmd_case_figures(int argc, char **argv)
{
    return cli_dispatch("case-figures", subs, figures_opts, argc, argv);
}
