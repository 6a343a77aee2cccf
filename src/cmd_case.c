/* civgrid case list|show|act|report: cases for scripts and night shifts
 * (docs/cases.md). The command line's actor is the deployment's
 * administrator at the root: a dispatcher, who may act for any holder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/case.h"
#include "civgrid/case_json.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "cli.h"

static const struct opt_def case_opts[] = {
    OPT_DB,
    {"json", OPT_BOOL, NULL, NULL, 0, 0, "print JSON (the API's shapes) instead of text"},
    {"state", OPT_STR, NULL, NULL, 0, 0, "with list: a state, or open"},
    {"type", OPT_STR, NULL, NULL, 0, 0, "with list and report: the case type"},
    {"area", OPT_STR, NULL, NULL, 0, 0, "with list: the subtree; with report: where"},
    {"limit", OPT_INT, NULL, "50", 1, 1000, "with list: how many"},
    {"offset", OPT_INT, NULL, "0", 0, 1LL << 40, "with list: how many to skip"},
    {"note", OPT_STR, NULL, NULL, 0, 0, "with act: the note (reason, evidence)"},
    {"to", OPT_STR, NULL, NULL, 0, 0, "with act (assign, copy): an area or department code"},
    {"into", OPT_INT, NULL, NULL, 1, 1LL << 62, "with act merge: the case it duplicates"},
    {"outcome", OPT_STR, NULL, NULL, 0, 0,
     "with act report_done on a dispute: agreed|court|failed"},
    {"agreement", OPT_STR, NULL, NULL, 0, 0, "with act report_done: the agreement's text"},
    {"version", OPT_INT, NULL, NULL, 1, 1LL << 62,
     "with act: the version seen (refused if the case changed since)"},
    {"category", OPT_STR, NULL, NULL, 0, 0, "with report: the catalogue code"},
    {"title", OPT_STR, NULL, NULL, 0, 0, "with report: the title"},
    {"description", OPT_STR, NULL, NULL, 0, 0, "with report: the description"},
    {"person", OPT_STR, NULL, NULL, 0, 0, "with report: the person (assistance, dispatch)"},
    {"parties", OPT_STR, NULL, NULL, 0, 0, "with report: a dispute's parties"},
    OPT_END,
};

static int print_json(json_t *j)
{
    char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!text)
        return EXIT_FAIL;
    puts(text);
    free(text);
    return EXIT_OK;
}

static const char *unit_text(const struct cg_case_unit *u)
{
    return u->department_code ? u->department_code : u->area_code ? u->area_code : "-";
}

static int parse_id(struct cli *c, struct opts *o, const char *usage, int64_t *id)
{
    char *end = NULL;
    long long v = o->npositional >= 1 ? strtoll(o->positional[0], &end, 10) : 0;
    if (v <= 0 || *end) {
        fprintf(stderr, "civgrid %s: usage: civgrid case %s\n", c->cmd, usage);
        return EXIT_USAGE;
    }
    *id = v;
    return EXIT_OK;
}

static int case_list(struct cli *c, struct opts *o)
{
    struct cg_field_error fe = {0};
    struct cg_case_query q = {
        .state = opt_str(o, "state"),
        .type = opt_str(o, "type"),
        .area_code = opt_str(o, "area"),
        .limit = (int)opt_int(o, "limit"),
        .offset = opt_int(o, "offset"),
    };
    struct cg_case *items = NULL;
    size_t n = 0;
    int64_t total = 0;
    int rc = cg_case_list(c->store, c->actor, &q, c->arena, &items, &n, &total, &fe);
    if (rc)
        return cli_fail(c, rc, &fe);
    if (opt_bool(o, "json")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, cg_case_summary_json(c->arena, &items[i]));
        return print_json(json_pack("{s:o, s:I}", "items", arr, "total", (json_int_t)total));
    }
    printf("%-8s %-18s %-9s %-28s %-24s %s\n", "ID", "TYPE", "STATE", "CATEGORY", "HOLDER",
           "TITLE");
    for (size_t i = 0; i < n; i++)
        printf("%-8lld %-18s %-9s %-28s %-24s %s\n", (long long)items[i].id, items[i].type,
               items[i].state, items[i].category, unit_text(&items[i].holder), items[i].title);
    if ((int64_t)n + q.offset < total) /* on stderr, so that the listing stays parseable */
        fprintf(stderr, "%lld cases match; these are %lld to %lld (see --offset)\n",
                (long long)total, (long long)q.offset + 1, (long long)q.offset + (long long)n);
    return EXIT_OK;
}

static void print_case(const struct cg_case *k)
{
    char when[20];
    printf("case %lld (version %lld): %s %s, %s\n", (long long)k->id, (long long)k->version,
           k->type, k->category, k->state);
    printf("  title:   %s\n", k->title);
    printf("  area:    %s %s\n", k->area.area_code, k->area.area_name);
    printf("  holder:  %s\n", unit_text(&k->holder));
    printf("  actions:");
    for (int i = 0; i < CG_CASE_NACTIONS; i++)
        if (k->actions & (1u << i))
            printf(" %s", cg_case_action_labels[i].code);
    printf("%s\n", k->actions ? "" : " (none)");
    for (size_t i = 0; i < k->n_events; i++) {
        const struct cg_case_event *e = &k->events[i];
        cg_time_local(e->at, when);
        printf("  %s %-14s %-10s %s%s%s\n", when, e->action, e->to_state, e->actor,
               e->note ? ": " : "", e->note ? e->note : "");
    }
}

static int case_show(struct cli *c, struct opts *o)
{
    int64_t id = 0;
    struct cg_case k;
    int rc = parse_id(c, o, "show ID [--json]", &id);
    if (rc)
        return rc;
    if ((rc = cg_case_get(c->store, c->actor, id, c->arena, &k)))
        return cli_fail(c, rc, NULL);
    if (opt_bool(o, "json"))
        return print_json(cg_case_json(c->arena, &k));
    print_case(&k);
    return EXIT_OK;
}

static int case_act(struct cli *c, struct opts *o)
{
    int64_t id = 0;
    struct cg_field_error fe = {0};
    struct cg_case k;
    int rc = parse_id(c, o, "act ID ACTION [--note TEXT] [--to UNIT] [--into ID]", &id);
    if (rc)
        return rc;
    if (o->npositional != 2) {
        fprintf(stderr, "civgrid %s: usage: civgrid case act ID ACTION [--note TEXT] [--to UNIT]\n",
                c->cmd);
        return EXIT_USAGE;
    }
    struct cg_case_action_input in = {
        .action = o->positional[1],
        .version = opt_str(o, "version") ? opt_int(o, "version") : 0,
        .note = opt_str(o, "note"),
        .to = opt_str(o, "to"),
        .into = opt_str(o, "into") ? opt_int(o, "into") : 0,
        .outcome = opt_str(o, "outcome"),
        .agreement = opt_str(o, "agreement"),
    };
    if ((rc = cg_case_act(c->store, c->actor, id, &in, c->arena, &k, &fe)))
        return cli_fail(c, rc, &fe);
    if (opt_bool(o, "json"))
        return print_json(cg_case_json(c->arena, &k));
    printf("case %lld: %s, now %s, held by %s\n", (long long)k.id, in.action, k.state,
           unit_text(&k.holder));
    return EXIT_OK;
}

static int case_report(struct cli *c, struct opts *o)
{
    struct cg_field_error fe = {0};
    struct cg_case k;
    struct cg_case_input in = {
        .type = opt_str(o, "type"),
        .category = opt_str(o, "category"),
        .area_code = opt_str(o, "area"),
        .title = opt_str(o, "title"),
        .description = opt_str(o, "description"),
        .person_name = opt_str(o, "person"),
        .parties = opt_str(o, "parties"),
        .source = "cli",
    };
    int rc = cg_case_report(c->store, c->actor, &in, c->arena, &k, &fe);
    if (!rc)
        rc = cg_case_get(c->store, c->actor, k.id, c->arena, &k);
    if (rc)
        return cli_fail(c, rc, &fe);
    if (opt_bool(o, "json"))
        return print_json(cg_case_json(c->arena, &k));
    printf("filed case %lld (%s %s), held by %s\n", (long long)k.id, k.type, k.category,
           unit_text(&k.holder));
    return EXIT_OK;
}

static const struct subcommand subs[] = {
    {"list", case_list, "list [--state S] [--type T] [--area CODE] [--limit N] [--json]"},
    {"show", case_show, "show ID [--json]"},
    {"act", case_act,
     "act ID ACTION [--note TEXT] [--to UNIT] [--into ID] [--outcome O] [--agreement TEXT] "
     "[--version V] [--json]"},
    {"report", case_report,
     "report --type T --category C --title TEXT [--area CODE] [--description TEXT] "
     "[--person NAME] [--parties TEXT] [--json]"},
    {NULL, NULL, NULL},
};

void usage_case(FILE *f)
{
    fprintf(f, "usage: civgrid case SUBCOMMAND --db DB ...\n\n"
               "Cases: events, requests, disputes, suggestions, findings, assistance and\n"
               "positive dispatch, through one workflow (docs/cases.md). An action that is\n"
               "not allowed exits 1 and changes nothing.\n\nsubcommands:\n");
    for (const struct subcommand *s = subs; s->name; s++)
        fprintf(f, "  civgrid case %s\n", s->usage);
    fprintf(f, "\nactions:");
    for (int i = 0; i < CG_CASE_NACTIONS; i++)
        fprintf(f, " %s", cg_case_action_labels[i].code);
    fprintf(f, "\n\noptions:\n");
    opts_usage(case_opts, f);
}

int cmd_case(int argc, char **argv)
{
    return cli_dispatch("case", subs, case_opts, argc, argv);
}
