/* civgrid area add|list: the jurisdiction tree. */
#include <stdio.h>

#include "civgrid/area.h"
#include "civgrid/error.h"
#include "cli.h"

static const struct opt_def area_opts[] = {
    OPT_DB,
    {"parent", OPT_STR, NULL, NULL, 0, 0, "code of the parent area (default: the root)"},
    {"level", OPT_STR, NULL, NULL, 0, 0,
     "city, county, town, community, grid, micro_grid or building"},
    {"name", OPT_STR, NULL, NULL, 0, 0, "the area's name"},
    {"q", OPT_STR, NULL, NULL, 0, 0, "with list: only codes or names containing this"},
    OPT_END,
};

static int area_add(struct cli *c, struct opts *o)
{
    struct cg_field_error fe = {0};
    struct cg_area a;
    if (o->npositional != 1 || !opt_str(o, "level") || !opt_str(o, "name")) {
        fprintf(
            stderr,
            "civgrid %s: usage: civgrid area add CODE --level LEVEL --name NAME [--parent CODE]\n",
            c->cmd);
        return EXIT_USAGE;
    }
    int rc = cg_area_create(c->store, c->actor, o->positional[0], opt_str(o, "parent"),
                            opt_str(o, "level"), opt_str(o, "name"), c->arena, &a, &fe);
    if (rc)
        return cli_fail(c, rc, &fe);
    printf("added %s %s (%s) under %s\n", a.code, a.name, a.level,
           a.parent_code ? a.parent_code : "-");
    return EXIT_OK;
}

static int area_list(struct cli *c, struct opts *o)
{
    struct cg_area *items = NULL;
    size_t n = 0;
    int more = 0;
    int rc = cg_area_search(c->store, c->actor, opt_str(o, "q"), 1000, c->arena, &items, &n, &more);
    if (rc)
        return cli_fail(c, rc, NULL);
    printf("%-16s %-16s %-11s %s\n", "CODE", "PARENT", "LEVEL", "NAME");
    for (size_t i = 0; i < n; i++)
        printf("%-16s %-16s %-11s %s\n", items[i].code,
               items[i].parent_code ? items[i].parent_code : "-", items[i].level, items[i].name);
    if (more) /* on stderr, so that the listing stays parseable */
        fprintf(stderr, "more areas match than these %zu; narrow the list with --q\n", n);
    return EXIT_OK;
}

static const struct subcommand subs[] = {
    {"add", area_add, "add CODE --level LEVEL --name NAME [--parent CODE]"},
    {"list", area_list, "list [--q TEXT]"},
    {NULL, NULL, NULL},
};

void usage_area(FILE *f)
{
    fprintf(f, "usage: civgrid area SUBCOMMAND --db DB ...\n\nThe jurisdiction tree (city > county "
               "> town > "
               "community > grid > building).\n\nsubcommands:\n");
    for (const struct subcommand *s = subs; s->name; s++)
        fprintf(f, "  civgrid area %s\n", s->usage);
    fprintf(f, "\noptions:\n");
    opts_usage(area_opts, f);
}

int cmd_area(int argc, char **argv)
{
    return cli_dispatch("area", subs, area_opts, argc, argv);
}
