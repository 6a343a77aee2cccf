/* The commands of the civgrid program, one file each (src/cmd_<verb>.c). */
#ifndef CIVGRID_COMMANDS_H
#define CIVGRID_COMMANDS_H

#include <stdio.h>

#include "civgrid/store.h"

/* Exit codes shared by every command. */
#define EXIT_OK 0
#define EXIT_FAIL 1  /* the command ran and failed */
#define EXIT_USAGE 2 /* bad arguments */

struct command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the first argument after the name */
    const char *summary;
    void (*usage)(FILE *f);
};

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_area(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_tick(int argc, char **argv);
int cmd_case_figures(int argc, char **argv);
int cmd_case(int argc, char **argv);
void usage_case(FILE *f);
int cmd_apikey(int argc, char **argv);
int cmd_figures(int argc, char **argv);
void usage_serve(FILE *f);
void usage_user(FILE *f);
void usage_area(FILE *f);
void usage_audit(FILE *f);
void usage_demo(FILE *f);
void usage_import(FILE *f);
void usage_policy(FILE *f);
void usage_calendar(FILE *f);
void usage_tick(FILE *f);
void usage_apikey(FILE *f);
void usage_figures(FILE *f);
void usage_case_figures(FILE *f);
void usage_init(FILE *f);
void usage_version(FILE *f);

/* Opens db and brings its schema up to date, printing a clear message on
 * failure (e.g. a database newer than this binary). EXIT_OK or EXIT_FAIL. */
int open_database(const char *cmd, const char *db, cg_store **out);

#endif
