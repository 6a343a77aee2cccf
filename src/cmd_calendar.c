/* civgrid calendar list|set|unset: the working-day calendar's marked days
 * (holidays and make-up working days), as the API edits them. */
#include <stdio.h>
#include <string.h>

#include "civgrid/calendar.h"
#include "civgrid/error.h"
#include "cli.h"

static const struct opt_def calendar_opts[] = {
    OPT_DB,
    {"from", OPT_STR, NULL, NULL, 0, 0, "with list: the first date YYYY-MM-DD"},
    {"to", OPT_STR, NULL, NULL, 0, 0, "with list: the last date YYYY-MM-DD"},
    {"name", OPT_STR, NULL, NULL, 0, 0, "with set: the day's name (国庆节, 国庆节调休上班)"},
    OPT_END,
};

static int calendar_list(struct cli *c, struct opts *o)
{
    struct cg_calendar_day *items = NULL;
    size_t n = 0;
    int more = 0;
    if (o->npositional) {
        fprintf(stderr, "civgrid %s: unexpected argument '%s'\n", c->cmd, o->positional[0]);
        return EXIT_USAGE;
    }
    int rc = cg_calendar_list(c->store, c->actor, opt_str(o, "from"), opt_str(o, "to"), c->arena,
                              &items, &n, &more);
    if (rc == CG_EBADTYPE) {
        fprintf(stderr, "civgrid %s: --from and --to are dates YYYY-MM-DD (%s)\n", c->cmd,
                cg_err_name(rc));
        return EXIT_USAGE;
    }
    if (rc)
        return cli_fail(c, rc, NULL);
    printf("%-10s  %-7s  %s\n", "DATE", "KIND", "NAME");
    for (size_t i = 0; i < n; i++)
        printf("%-10s  %-7s  %s\n", items[i].date, items[i].kind, items[i].name);
    if (more)
        fprintf(stderr, "civgrid %s: only the first %d days; narrow with --from/--to\n", c->cmd,
                CG_CALENDAR_LIST_MAX);
    return EXIT_OK;
}

static int calendar_set(struct cli *c, struct opts *o)
{
    struct cg_field_error fe = {0};
    if (o->npositional != 2) {
        fprintf(stderr, "civgrid %s: give DATE and KIND (holiday or workday)\n", c->cmd);
        return EXIT_USAGE;
    }
    int rc = cg_calendar_set(c->store, c->actor, o->positional[0], o->positional[1],
                             opt_str(o, "name"), &fe);
    if (rc)
        return cli_fail(c, rc, &fe);
    printf("%s is now a %s\n", o->positional[0],
           strcmp(o->positional[1], CG_DAY_WORKDAY) ? "holiday" : "make-up working day");
    return EXIT_OK;
}

static int calendar_unset(struct cli *c, struct opts *o)
{
    struct cg_field_error fe = {0};
    if (o->npositional != 1) {
        fprintf(stderr, "civgrid %s: give one DATE\n", c->cmd);
        return EXIT_USAGE;
    }
    int rc = cg_calendar_unset(c->store, c->actor, o->positional[0], &fe);
    if (rc == CG_ENOTFOUND) {
        fprintf(stderr, "civgrid %s: %s has no mark (%s)\n", c->cmd, o->positional[0],
                cg_err_name(rc));
        return EXIT_FAIL;
    }
    if (rc)
        return cli_fail(c, rc, &fe);
    printf("%s follows the weekday rule again\n", o->positional[0]);
    return EXIT_OK;
}

static const struct subcommand subs[] = {
    {"list", calendar_list, "list [--from DATE] [--to DATE] --db DB"},
    {"set", calendar_set, "set DATE holiday|workday [--name NAME] --db DB"},
    {"unset", calendar_unset, "unset DATE --db DB   (the day follows the weekday rule again)"},
    {NULL, NULL, NULL},
};

void usage_calendar(FILE *f)
{
    fprintf(f, "usage: civgrid calendar SUBCOMMAND ...\n\n"
               "The working-day calendar that case deadlines and supervision cards count in:\n"
               "Monday to Friday are working days unless marked holiday; Saturday and Sunday\n"
               "are not unless marked workday (a make-up day, 调休上班). Seeded 2022-2027 from\n"
               "the State Council's notices (2027 provisional). DATE is YYYY-MM-DD in\n"
               "Asia/Shanghai. Changes are audited and seen at once by running servers.\n\n"
               "subcommands:\n");
    for (const struct subcommand *s = subs; s->name; s++)
        fprintf(f, "  civgrid calendar %s\n", s->usage);
    fprintf(f, "\noptions:\n");
    opts_usage(calendar_opts, f);
}

int cmd_calendar(int argc, char **argv)
{
    return cli_dispatch("calendar", subs, calendar_opts, argc, argv);
}
