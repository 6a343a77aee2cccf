/* civgrid tick: runs every due periodic job once (sched.h), for cron and for
 * tests with a controlled clock; --list shows the jobs. */
#include <stdio.h>

#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/outbox.h"
#include "civgrid/sched.h"
#include "cli.h"

static const struct opt_def tick_opts[] = {
    OPT_DB,
    {"at", OPT_STR, NULL, NULL, 0, 0,
     "run as of TIME: epoch seconds or YYYY-MM-DD[THH:MM[:SS]] (default: now)"},
    {"webhook_url", OPT_STR, "CIVGRID_WEBHOOK_URL", NULL, 0, 0,
     "deliver due notifications to this URL (as civgrid serve does)"},
    {"webhook_secret", OPT_STR, "CIVGRID_WEBHOOK_SECRET", NULL, 0, 0,
     "key of the X-Civgrid-Signature header"},
    {"list", OPT_BOOL, NULL, NULL, 0, 0, "list the jobs, their next due time and last run"},
    OPT_END,
};

void usage_tick(FILE *f)
{
    fprintf(f, "usage: civgrid tick --db DB [--at TIME]\n"
               "       civgrid tick --db DB --list\n\n"
               "Runs once each periodic job that is due, prints each run (name, outcome,\n"
               "milliseconds) and exits 1 if one failed. Safe beside running servers and\n"
               "other ticks: each due run happens in one process only. A server's own jobs\n"
               "(such as readlog.move) run only inside 'civgrid serve'; outbox.deliver runs\n"
               "here too when a webhook URL is given.\n\n"
               "TIME is in Asia/Shanghai unless it ends in Z or +HH:MM. Without --at,\n"
               "CIVGRID_FAKE_NOW (epoch seconds) sets the clock, as for every command.\n\n"
               "options:\n");
    opts_usage(tick_opts, f);
}

struct tally {
    int ran, failed;
};

static void print_run(void *arg, const struct cg_sched_run *run)
{
    struct tally *t = arg;
    t->ran++;
    t->failed += run->rc != 0;
    printf("%-24s %-16s %8.1f ms%s%s\n", run->name, run->rc ? cg_err_name(run->rc) : "ok", run->ms,
           run->rc ? "  " : "", run->why);
}

static int tick_list(struct cli *c, cg_sched *sc)
{
    struct cg_sched_status *st = NULL;
    size_t n = 0;
    int rc = cg_sched_list(c->store, c->actor, sc, c->arena, &st, &n);
    if (rc)
        return cli_fail(c, rc, NULL);
    printf("%-24s %-8s %8s  %-19s  %-19s  %-16s %8s %6s %6s  %s\n", "NAME", "KIND", "PERIOD",
           "NEXT DUE", "LAST RUN", "OUTCOME", "MS", "RUNS", "FAILED", "OWNER");
    for (size_t i = 0; i < n; i++) {
        char next[20] = "now", last[20] = "never";
        if (st[i].next_due)
            cg_time_local(st[i].next_due, next);
        if (st[i].last_run)
            cg_time_local(st[i].last_run, last);
        printf("%-24s %-8s %7llds  %-19s  %-19s  %-16s %8lld %6lld %6lld  %s%s\n", st[i].name,
               st[i].kind == CG_SCHED_CLUSTER ? "cluster" : "local", (long long)st[i].period, next,
               last, st[i].last_outcome ? st[i].last_outcome : "-", (long long)st[i].last_ms,
               (long long)st[i].runs, (long long)st[i].failures, st[i].owner ? st[i].owner : "-",
               st[i].lease_until ? " (running)" : "");
        if (st[i].last_message)
            printf("%-24s last failure: %s\n", "", st[i].last_message);
    }
    return EXIT_OK;
}

static int tick_run(struct cli *c, cg_sched *sc, int64_t now)
{
    struct tally t = {0};
    int rc = cg_sched_run_due(sc, c->store, now, print_run, &t);
    if (rc)
        return cli_fail(c, rc, NULL);
    char when[20];
    cg_time_local(now, when);
    if (!t.ran)
        printf("nothing due at %s (Asia/Shanghai)\n", when);
    if (t.failed)
        fprintf(stderr, "civgrid tick: %d of %d jobs failed\n", t.failed, t.ran);
    return t.failed ? EXIT_FAIL : EXIT_OK;
}

static int tick_main(struct cli *c, struct opts *o)
{
    const char *at = opt_str(o, "at");
    int64_t now = cg_now();
    if (o->npositional) {
        fprintf(stderr, "civgrid tick: unexpected argument '%s'\n", o->positional[0]);
        return EXIT_USAGE;
    }
    if (at && opt_bool(o, "list")) {
        fprintf(stderr, "civgrid tick: --at and --list go separately\n");
        return EXIT_USAGE;
    }
    if (at && cg_time_parse(at, &now)) {
        fprintf(stderr,
                "civgrid tick: --at '%s' is not a time: give epoch seconds or"
                " YYYY-MM-DD[THH:MM[:SS]] (Asia/Shanghai, or ending in Z or +HH:MM)\n",
                at);
        return EXIT_USAGE;
    }
    if (cg_outbox_configure(opt_str(o, "webhook_url"), opt_str(o, "webhook_secret"), 10)) {
        fprintf(stderr, "civgrid tick: --webhook-url must start with http:// or https://\n");
        return EXIT_USAGE;
    }
    cg_sched *sc = NULL;
    int rc = cg_sched_new("tick", &sc);
    const char *url = opt_str(o, "webhook_url");
    if (!rc && url && *url)
        rc = cg_sched_add(sc, &cg_outbox_job);
    if (rc) {
        cg_sched_free(sc);
        return cli_fail(c, rc, NULL);
    }
    rc = opt_bool(o, "list") ? tick_list(c, sc) : tick_run(c, sc, now);
    cg_sched_free(sc);
    return rc;
}

int cmd_tick(int argc, char **argv)
{
    return cli_run("tick", tick_main, tick_opts, argc, argv);
}
