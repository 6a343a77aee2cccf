/* Policy profiles: the rules of an outbreak (isolation days, test days,
 * code colours, risk levels, retention) as data. A profile is a text of
 * "key = value" lines (policy/NAME.conf, compiled into the binary), parsed and
 * validated into one typed struct cg_policy; rule code reads its fields and
 * never looks a rule up by name. The deployment's active profile, and any
 * copies edited from the built-ins, live in the database.
 *
 * File format: one "key = value" per line; '#' starts a comment (a whole
 * line, or the rest of a line after the value); blank lines are ignored;
 * lists are comma-separated ("1,2,3,5,7") or "none"; switches are "yes" or
 * "no"; colours are "red" or "yellow". Every key appears exactly once. */
#ifndef CIVGRID_POLICY_H
#define CIVGRID_POLICY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/buf.h"
#include "civgrid/field.h"
#include "civgrid/store.h"

/* The profile a deployment follows until it chooses one: the newest shipped. */
#define CG_POLICY_DEFAULT "nhc-20"

/* Longest profile text accepted, in bytes. */
#define CG_POLICY_MAX_TEXT 65536

/* Health-code colours. Green is what applies when no status does, so no
 * status of a profile can be green. */
enum cg_code_colour { CG_CODE_GREEN, CG_CODE_YELLOW, CG_CODE_RED };

/* Risk levels of an area; cg_policy.risk_levels is a set of them. */
enum cg_risk_level { CG_RISK_LOW = 1u << 0, CG_RISK_MEDIUM = 1u << 1, CG_RISK_HIGH = 1u << 2 };

/* Where an arrival from a high-risk area is isolated. */
enum cg_isolation_place { CG_ISOLATE_CENTRAL, CG_ISOLATE_HOME };

/* Days of a period on which a test is due, ascending, from 1 (the period's
 * first day); n == 0 for none. */
#define CG_POLICY_MAX_DAYS 31
struct cg_policy_days {
    int n;
    unsigned char day[CG_POLICY_MAX_DAYS];
};

/* One profile, typed. Every field is set by a successful parse. */
struct cg_policy {
    char title_zh[160], title_en[160];
    int lookback_days; /* contacts traced from this many days before onset or sampling */
    struct {
        int central_days; /* central isolation */
        struct cg_policy_days central_tests;
        int home_days; /* home health monitoring after isolation */
        struct cg_policy_days home_tests;
        enum cg_code_colour code;      /* while isolated */
        enum cg_code_colour home_code; /* while monitored at home */
    } close_contact;
    int trace_secondary; /* 1: secondary contacts are traced */
    struct {
        int home_days; /* home isolation; 0 when not traced */
        struct cg_policy_days tests;
        enum cg_code_colour code;
    } secondary_contact;
    unsigned risk_levels; /* CG_RISK_*: always high and low, medium or not */
    struct {
        struct cg_policy_days high_tests; /* tests in a high-risk area's first days */
        int high_clear_days;              /* clear days before a high area steps down one level */
        int high_medium_clear_days;       /* further clear days a stepped-down area stays medium */
        int medium_clear_days; /* clear days before an area declared medium becomes low */
    } risk;
    struct {
        enum cg_isolation_place place;
        int days;
        struct cg_policy_days tests;
        enum cg_code_colour code;
    } arrival_high;
    int arrival_landing_test; /* 1: every registered arrival takes a first-landing test */
    enum cg_code_colour infection_code, venue_exposure_code, positive_pool_code, missed_test_code;
    int checkin_retention_days; /* check-ins older than this are deleted */
};

/* What was wrong with a profile, and where. reason is one of the stable
 * words (cg_reason_name) "syntax", "unknown_key", "duplicate_key", "bad_value",
 * "missing_key", "inconsistent", "too_large"; line is 1-based, 0 when the
 * problem has no line (a missing key, a JSON field). key may be "". */
struct cg_policy_error {
    int line;
    char key[64];
    const char *reason;
    char message[256];
};

/* Parses and validates len bytes of profile text. Errors: CG_EBADTYPE (a
 * line or value is wrong), CG_EMISSING (a key is absent), CG_ETOOBIG; err
 * (may be NULL) says which line and key. *out is unspecified on failure. */
int cg_policy_parse(const char *text, size_t len, struct cg_policy *out,
                    struct cg_policy_error *err);

/* The same from a JSON object of the keys cg_policy_json writes (integers,
 * true/false, strings, arrays of days). Fields "name", "builtin", "active",
 * "saved_at" and "saved_by" are ignored, so that a profile read from the API
 * can be sent back edited. The canonical text is appended to text_out. */
int cg_policy_parse_json(json_t *obj, struct cg_policy *out, cg_buf *text_out,
                         struct cg_policy_error *err);

/* Writes p as profile text, one key a line, in the order of the files. */
int cg_policy_format(const struct cg_policy *p, cg_buf *out);

/* Every key of p as a JSON object: days as integers, lists as arrays,
 * switches as true/false, colours and names as strings. New reference. */
json_t *cg_policy_json(const struct cg_policy *p);

/* Names of the colours, risk levels and isolation places as in the files. */
const char *cg_code_colour_name(enum cg_code_colour c);

/* The text of the built-in profile called name (policy/NAME.conf), or NULL. */
const char *cg_policy_builtin(const char *name);

/* A profile as the database and the built-ins know it. */
struct cg_policy_info {
    const char *name;
    int builtin; /* compiled in: cannot be overwritten */
    int active;
    int64_t saved_at; /* 0 for a built-in */
    const char *saved_by;
    const char *title_zh, *title_en;
};

/* The profiles (built-ins first, then saved copies by name), marking the
 * active one. Needs CG_PERM_POLICY_READ. With s and actor NULL, lists the
 * built-ins alone (they are public: compiled into the binary). */
int cg_policy_list(cg_store *s, const struct cg_actor *actor, cg_arena *a,
                   struct cg_policy_info **items, size_t *n);

/* One profile, parsed, with its text (the file or the saved text) in *text.
 * Needs CG_PERM_POLICY_READ. CG_ENOTFOUND for an unknown name. With s and
 * actor NULL, finds the built-ins alone. */
int cg_policy_get(cg_store *s, const struct cg_actor *actor, const char *name, cg_arena *a,
                  struct cg_policy *out, struct cg_policy_info *info, const char **text);

/* Saves text as the copy called name, replacing an earlier copy of that
 * name, after validating it (err says what is wrong). A built-in's name is
 * refused (CG_ECONFLICT), as is a name that is not 1-32 of a-z, 0-9, '-',
 * '_', '.' (CG_EBADTYPE, key "name"). Needs CG_PERM_POLICY_WRITE. Audited as
 * policy.save. */
int cg_policy_save(cg_store *s, const struct cg_actor *actor, const char *name, const char *text,
                   size_t len, cg_arena *a, struct cg_policy_error *err);

/* Makes name the deployment's active profile. Needs CG_PERM_POLICY_WRITE.
 * Audited as policy.activate, naming the profile it replaced. */
int cg_policy_activate(cg_store *s, const struct cg_actor *actor, const char *name, cg_arena *a);

/* The active profile for rule code (no actor: the rules apply to everyone),
 * parsed; CG_POLICY_DEFAULT when none was chosen. *name (may be NULL)
 * receives its name from a. Parsing a profile takes microseconds: call it
 * once per operation or tick and pass the struct down. */
int cg_policy_active(cg_store *s, cg_arena *a, struct cg_policy *out, const char **name);

#endif
