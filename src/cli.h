/* Shared plumbing of the commands that act on the database as the
 * command-line actor (user, area, audit). */
#ifndef CIVGRID_CLI_H
#define CIVGRID_CLI_H

#include <stddef.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/json.h"
#include "civgrid/store.h"
#include "commands.h"
#include "options.h"

struct cli {
    const char *cmd;
    cg_store *store;
    cg_arena *arena;
    struct cg_actor *actor;
};

/* Opens --db, migrates it and builds the command-line actor. */
int cli_open(struct cli *c, const char *cmd, const struct opts *o);
void cli_close(struct cli *c);

/* Prints an error (the field message if any) and returns the exit code. */
int cli_fail(struct cli *c, int err, const struct cg_field_error *fe);

/* Reads one line from standard input (without echo on a terminal). */
int cli_read_password(struct cli *c, char *out, size_t outsize);

/* A subcommand of a command with subcommands ("user add"). */
struct subcommand {
    const char *name;
    int (*run)(struct cli *c, struct opts *o);
    const char *usage;
};

/* Parses argv against defs, opens the database as the command-line actor and
 * calls run; releases everything afterwards. */
int cli_run(const char *cmd, int (*run)(struct cli *c, struct opts *o), const struct opt_def *defs,
            int argc, char **argv);

/* Finds argv[0] among subs, parses the rest against defs and runs it. */
int cli_dispatch(const char *cmd, const struct subcommand *subs, const struct opt_def *defs,
                 int argc, char **argv);

#endif
