/* civgrid apikey add|list|revoke: the keys Open311 clients file requests
 * with (docs/open311.md). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "civgrid/apikey.h"
#include "civgrid/error.h"
#include "cli.h"

static const struct opt_def apikey_opts[] = {
    OPT_DB,
    {"scope", OPT_STR, NULL, NULL, 0, 0, "with add: code of the area the key files requests in"},
    OPT_END,
};

static int need_one(struct cli *c, struct opts *o, const char *what, const char **out)
{
    if (o->npositional != 1) {
        fprintf(stderr, "civgrid %s: give exactly one %s\n", c->cmd, what);
        return EXIT_USAGE;
    }
    *out = o->positional[0];
    return EXIT_OK;
}

static const char *when(int64_t t, char buf[20])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!t || !gmtime_r(&tt, &tm) || !strftime(buf, 20, "%Y-%m-%d %H:%M", &tm))
        return "-";
    return buf;
}

static int apikey_add(struct cli *c, struct opts *o)
{
    const char *name = NULL, *key = NULL;
    struct cg_field_error fe = {0};
    struct cg_apikey k;
    int rc = need_one(c, o, "NAME", &name);
    if (rc)
        return rc;
    if (!opt_str(o, "scope")) {
        fprintf(stderr, "civgrid %s: needs --scope AREA_CODE\n", c->cmd);
        return EXIT_USAGE;
    }
    if ((rc = cg_apikey_create(c->store, c->actor, name, opt_str(o, "scope"), c->arena, &k, &key,
                               &fe)))
        return cli_fail(c, rc, &fe);
    /* The key is shown this once and never again (only its hash is kept):
     * the last word of the output, for scripts. */
    printf("API key %s for %s %s (shown once; Open311 publishes what it files, except names, "
           "phones and emails): %s\n",
           k.name, k.area_code, k.area_name, key);
    return EXIT_OK;
}

static int apikey_list(struct cli *c, struct opts *o)
{
    (void)o;
    struct cg_apikey *items = NULL;
    size_t n = 0;
    char made[20], used[20], revoked[20];
    int rc = cg_apikey_list(c->store, c->actor, c->arena, &items, &n);
    if (rc)
        return cli_fail(c, rc, NULL);
    printf("%-6s %-24s %-16s %-17s %-17s %s\n", "ID", "NAME", "SCOPE", "CREATED", "LAST USED",
           "REVOKED");
    for (size_t i = 0; i < n; i++)
        printf("%-6lld %-24s %-16s %-17s %-17s %s\n", (long long)items[i].id, items[i].name,
               items[i].area_code, when(items[i].created_at, made),
               when(items[i].last_used_at, used), when(items[i].revoked_at, revoked));
    return EXIT_OK;
}

static int apikey_revoke(struct cli *c, struct opts *o)
{
    const char *which = NULL;
    struct cg_field_error fe = {0};
    struct cg_apikey k;
    int rc = need_one(c, o, "NAME or ID", &which);
    if (rc)
        return rc;
    if ((rc = cg_apikey_revoke(c->store, c->actor, which, c->arena, &k, &fe)))
        return cli_fail(c, rc, &fe);
    printf("API key %s revoked: its requests are refused from now on\n", k.name);
    return EXIT_OK;
}

static const struct subcommand subs[] = {
    {"add", apikey_add, "add NAME --scope AREA_CODE   (prints the key once, as its last word)"},
    {"list", apikey_list, "list                          (names and dates; never the keys)"},
    {"revoke", apikey_revoke, "revoke NAME|ID"},
    {NULL, NULL, NULL},
};

void usage_apikey(FILE *f)
{
    fprintf(f, "usage: civgrid apikey SUBCOMMAND --db DB ...\n\nManages the API keys Open311 "
               "clients (FixMyStreet ...) file service\nrequests with. Only a hash of each key "
               "is kept. Every change is audited.\n\nsubcommands:\n");
    for (const struct subcommand *s = subs; s->name; s++)
        fprintf(f, "  civgrid apikey %s\n", s->usage);
    fprintf(f, "\noptions:\n");
    opts_usage(apikey_opts, f);
}

int cmd_apikey(int argc, char **argv)
{
    return cli_dispatch("apikey", subs, apikey_opts, argc, argv);
}
