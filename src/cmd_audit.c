/* civgrid audit: reads the audit trail, newest first. */
#include <stdio.h>
#include <time.h>

#include "civgrid/audit.h"
#include "civgrid/error.h"
#include "cli.h"

static const struct opt_def audit_opts[] = {
    OPT_DB,
    {"actor", OPT_STR, NULL, NULL, 0, 0, "only this username"},
    {"action", OPT_STR, NULL, NULL, 0, 0,
     "only this action (with its variants: resident.export lists resident.export.unmasked), or a "
     "prefix ending in '.' (user.)"},
    {"object", OPT_STR, NULL, NULL, 0, 0, "only this object id"},
    {"outcome", OPT_STR, NULL, NULL, 0, 0,
     "only this outcome (ok, forbidden, invalid_credentials, ...)"},
    {"since", OPT_INT, NULL, NULL, 0, INT64_MAX, "from this time (epoch seconds)"},
    {"until", OPT_INT, NULL, NULL, 0, INT64_MAX, "before this time (epoch seconds)"},
    {"limit", OPT_INT, NULL, "100", 1, 1000, "at most this many entries"},
    OPT_END,
};

void usage_audit(FILE *f)
{
    fprintf(f, "usage: civgrid audit --db DB [filters]\n\nPrints the audit trail, newest first, "
               "with times "
               "in Asia/Shanghai.\n\noptions:\n");
    opts_usage(audit_opts, f);
}

static int audit_run(struct cli *c, struct opts *o)
{
    struct cg_audit_filter f = {.actor = opt_str(o, "actor"),
                                .action = opt_str(o, "action"),
                                .object_id = opt_str(o, "object"),
                                .outcome = opt_str(o, "outcome"),
                                .since = opt_int(o, "since"),
                                .until = opt_int(o, "until"),
                                .limit = (int)opt_int(o, "limit")};
    struct cg_audit_entry *e = NULL;
    size_t n = 0;
    int more = 0;
    int rc = cg_audit_list(c->store, c->actor, &f, c->arena, &e, &n, &more);
    if (rc)
        return cli_fail(c, rc, NULL);
    for (size_t i = 0; i < n; i++) {
        time_t t = (time_t)e[i].at + 8 * 3600; /* Asia/Shanghai has no daylight saving */
        struct tm tm;
        char when[32];
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        printf("%s  %-16s %-15s %-18s %-14s %-10s %s\n", when, e[i].actor,
               e[i].client_ip ? e[i].client_ip : "-", e[i].action,
               e[i].object_id ? e[i].object_id : "-", e[i].outcome, e[i].detail ? e[i].detail : "");
    }
    /* A cut list says so, on stderr so that the listing stays parseable. */
    if (more)
        fprintf(stderr,
                "more entries are older than these %zu; raise --limit or narrow the filter\n", n);
    return EXIT_OK;
}

int cmd_audit(int argc, char **argv)
{
    return cli_run("audit", audit_run, audit_opts, argc, argv);
}
