/* civgrid: the one program. A table of commands (git's way): each entry
 * names the function that runs it and the one that prints its usage. */
#include <stdio.h>
#include <string.h>

#include "civgrid/secret.h"
#include "civgrid/version.h"
#include "commands.h"

static int cmd_help(int argc, char **argv);
static void usage_help(FILE *f);

static const struct command commands[] = {
    {"init", cmd_init, "create or upgrade a database", usage_init},
    {"serve", cmd_serve, "serve the web UI and the HTTP API", usage_serve},
    {"user", cmd_user, "add, list, change and disable accounts", usage_user},
    {"area", cmd_area, "add and list areas of the jurisdiction tree", usage_area},
    {"audit", cmd_audit, "read the audit trail", usage_audit},
    {"demo", cmd_demo, "build the demo city (大同市) into a new database", usage_demo},
    {"policy", cmd_policy, "list, show, check, save and choose policy profiles", usage_policy},
    {"import", cmd_import, "load areas, residents or venues from a CSV file", usage_import},
    {"case-figures", cmd_case_figures, "rebuild, fold and show the figures of cases",
     usage_case_figures},
    {"case", cmd_case, "list, show, file and act on cases", usage_case},
    {"calendar", cmd_calendar, "list and mark holidays and make-up working days", usage_calendar},
    {"apikey", cmd_apikey, "add, list and revoke Open311 API keys", usage_apikey},
    {"tick", cmd_tick, "run the periodic jobs that are due, once", usage_tick},
    {"figures", cmd_figures, "rebuild the figure counts of the home page and area cards",
     usage_figures},
    {"version", cmd_version, "print the version", usage_version},
    {"help", cmd_help, "show help for a command", usage_help},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void usage_main(FILE *f)
{
    fprintf(f, "civgrid %s: grid management (网格化管理) for a county or city\n\n",
            CIVGRID_VERSION);
    fprintf(f, "usage: civgrid COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'civgrid help COMMAND' shows a command's options.\n");
}

static void usage_help(FILE *f)
{
    fprintf(f, "usage: civgrid help [COMMAND]\n");
}

static int cmd_help(int argc, char **argv)
{
    if (argc == 0) {
        usage_main(stdout);
        return EXIT_OK;
    }
    const struct command *c = find_command(argv[0]);
    if (!c) {
        fprintf(stderr, "civgrid help: unknown command '%s'\n", argv[0]);
        return EXIT_USAGE;
    }
    c->usage(stdout);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    if (cg_secret_init()) {
        fprintf(stderr, "civgrid: cannot initialise libsodium\n");
        return EXIT_FAIL;
    }
    if (argc < 2) {
        usage_main(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage_main(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0)
        name = "version";
    const struct command *c = find_command(name);
    if (!c) {
        fprintf(stderr, "civgrid: unknown command '%s' (see 'civgrid --help')\n", name);
        return EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            c->usage(stdout);
            return EXIT_OK;
        }
    }
    return c->run(argc - 2, argv + 2);
}
