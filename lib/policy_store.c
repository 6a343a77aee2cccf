/* Policy profiles in the database: the saved copies, the active profile,
 * and the audited changes to them (migration 0007). */
#include <stdio.h>
#include <string.h>

#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "embedded.h"
#include "civgrid/error.h"
#include "civgrid/policy.h"

/* Names travel in URLs and file names: lower-case ASCII, no spaces. */
static int valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 32 || name[0] == '.' || name[0] == '-')
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || *p == '-' || *p == '_' ||
              *p == '.'))
            return 0;
    return 1;
}

/* The name of the active profile, from a. */
static int active_name(cg_store *s, cg_arena *a, const char **name)
{
    cg_stmt *st = NULL;
    *name = CG_POLICY_DEFAULT;
    int rc = cg_store_query(s, &st, "SELECT name FROM policy_active WHERE id = 1", "");
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st)))
        *name = cg_arena_strdup(a, cg_stmt_text(st, 0));
    cg_stmt_reset(st);
    if (rc == CG_ENOTFOUND)
        return 0;
    return *name ? rc : CG_ENOMEM;
}

/* The text of a profile: the built-in's, else the saved copy's (with when
 * and by whom it was saved). CG_ENOTFOUND if there is neither. */
static int load_text(cg_store *s, const char *name, cg_arena *a, struct cg_policy_info *info,
                     const char **text)
{
    memset(info, 0, sizeof *info);
    info->name = name;
    if ((*text = cg_policy_builtin(name))) {
        info->builtin = 1;
        return 0;
    }
    if (!s)
        return CG_ENOTFOUND;
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT body, saved_at, saved_by FROM policies WHERE name = ?",
                            "s", name);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st))) {
        *text = cg_arena_strdup(a, cg_stmt_text(st, 0));
        info->saved_at = cg_stmt_int(st, 1);
        info->saved_by = cg_arena_strdup(a, cg_stmt_text(st, 2));
        if (!*text || !info->saved_by)
            rc = CG_ENOMEM;
    }
    cg_stmt_reset(st);
    return rc;
}

/* Copies the titles of a parsed profile into info. */
static int set_titles(struct cg_policy_info *info, const struct cg_policy *p, cg_arena *a)
{
    info->title_zh = cg_arena_strdup(a, p->title_zh);
    info->title_en = cg_arena_strdup(a, p->title_en);
    return info->title_zh && info->title_en ? 0 : CG_ENOMEM;
}

int cg_policy_get(cg_store *s, const struct cg_actor *actor, const char *name, cg_arena *a,
                  struct cg_policy *out, struct cg_policy_info *info, const char **text)
{
    if (s && !cg_actor_can(actor, CG_PERM_POLICY_READ))
        return CG_EFORBIDDEN;
    const char *active = NULL;
    int rc = load_text(s, name, a, info, text);
    if (!rc)
        rc = cg_policy_parse(*text, strlen(*text), out, NULL);
    if (!rc)
        rc = set_titles(info, out, a);
    if (!rc && s && !(rc = active_name(s, a, &active)))
        info->active = !strcmp(active, name);
    if (!rc && !s)
        info->active = !strcmp(name, CG_POLICY_DEFAULT);
    return rc;
}

/* Appends one entry to the list, its titles read from its text (left NULL
 * when a stored text no longer parses, e.g. after an upgrade). */
static int add_info(cg_arena *a, struct cg_policy_info **items, size_t *n, size_t *cap,
                    const struct cg_policy_info *info, const char *text)
{
    struct cg_policy_info *grown = cg_arena_grow(a, *items, sizeof **items, *n, cap);
    if (!grown)
        return CG_ENOMEM;
    *items = grown;
    grown[*n] = *info;
    struct cg_policy p;
    int rc = cg_policy_parse(text, strlen(text), &p, NULL) ? 0 : set_titles(&grown[*n], &p, a);
    (*n)++;
    return rc;
}

int cg_policy_list(cg_store *s, const struct cg_actor *actor, cg_arena *a,
                   struct cg_policy_info **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (s && !cg_actor_can(actor, CG_PERM_POLICY_READ))
        return CG_EFORBIDDEN;
    const char *active = CG_POLICY_DEFAULT;
    size_t cap = 0;
    int rc = s ? active_name(s, a, &active) : 0;
    for (const struct cg_embedded *e = cg__policies; !rc && e->path; e++) {
        struct cg_policy_info info = {.builtin = 1};
        info.name = cg_arena_strndup(a, e->path, strcspn(e->path, "."));
        if (!info.name)
            return CG_ENOMEM;
        info.active = !strcmp(info.name, active);
        rc = add_info(a, items, n, &cap, &info, e->data);
    }
    if (rc || !s)
        return rc;
    cg_stmt *st = NULL;
    rc = cg_store_query(s, &st, "SELECT name, body, saved_at, saved_by FROM policies ORDER BY name",
                        "");
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        struct cg_policy_info info = {.saved_at = cg_stmt_int(st, 2)};
        info.name = cg_arena_strdup(a, cg_stmt_text(st, 0));
        info.saved_by = cg_arena_strdup(a, cg_stmt_text(st, 3));
        if (!info.name || !info.saved_by) {
            rc = CG_ENOMEM;
            break;
        }
        info.active = !strcmp(info.name, active);
        rc = add_info(a, items, n, &cap, &info, cg_stmt_text(st, 1));
    }
    if (st)
        cg_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

/* Records a refused or failed change in a transaction of its own. */
static int refuse(cg_store *s, const struct cg_actor *actor, struct cg_audit_record *rec, int rc)
{
    rec->outcome = rc;
    cg_audit_commit(s, actor, NULL, rec);
    return rc;
}

/* Whether a copy called name is saved; fills 0 or 1 into *exists. */
static int copy_exists(cg_store *s, const char *name, int *exists)
{
    cg_stmt *st = NULL;
    int rc = cg_store_query(s, &st, "SELECT 1 FROM policies WHERE name = ?", "s", name);
    if (rc)
        return rc;
    rc = cg_stmt_one(st);
    cg_stmt_reset(st);
    *exists = rc == 0;
    return rc == CG_ENOTFOUND ? 0 : rc;
}

int cg_policy_save(cg_store *s, const struct cg_actor *actor, const char *name, const char *text,
                   size_t len, cg_arena *a, struct cg_policy_error *err)
{
    struct cg_audit_record rec = {"policy.save", "policy", name, NULL, 0, NULL};
    struct cg_policy p;
    const char *active = NULL;
    int exists = 0;
    if (err)
        memset(err, 0, sizeof *err);
    if (!cg_actor_can(actor, CG_PERM_POLICY_WRITE))
        return refuse(s, actor, &rec, CG_EFORBIDDEN);
    if (!valid_name(name)) {
        if (err) {
            snprintf(err->key, sizeof err->key, "name");
            err->reason = cg_reason_name(CG_R_BAD_VALUE);
            snprintf(err->message, sizeof err->message,
                     "a profile name is 1-32 of a-z, 0-9, '-', '_' or '.'");
        }
        return refuse(s, actor, &rec, CG_EBADTYPE);
    }
    if (cg_policy_builtin(name)) {
        if (err) {
            snprintf(err->key, sizeof err->key, "name");
            err->reason = cg_reason_name(CG_R_BUILTIN);
            snprintf(err->message, sizeof err->message,
                     "%s is built in and cannot be overwritten; save the copy under another name",
                     name);
        }
        return refuse(s, actor, &rec, CG_ECONFLICT);
    }
    int rc = cg_policy_parse(text, len, &p, err);
    if (rc)
        return refuse(s, actor, &rec, rc);
    if ((rc = cg_store_begin(s)))
        return refuse(s, actor, &rec, rc);
    if (!(rc = copy_exists(s, name, &exists)) && !(rc = active_name(s, a, &active)))
        rc =
            cg_store_run(s, NULL,
                         "INSERT INTO policies (name, body, saved_at, saved_by) VALUES (?, ?, ?, ?)"
                         " ON CONFLICT (name) DO UPDATE SET body = excluded.body,"
                         " saved_at = excluded.saved_at, saved_by = excluded.saved_by",
                         "ssis", name, cg_arena_strndup(a, text, len), cg_now(), actor->username);
    /* Replacing the active copy changes the rules in force: say so. */
    rec.detail = cg_arena_printf(a, "%s%s", exists ? "replaced" : "created",
                                 active && !strcmp(active, name) ? " (the active profile)" : "");
    return cg_audit_end(s, actor, &rec, rc);
}

int cg_policy_activate(cg_store *s, const struct cg_actor *actor, const char *name, cg_arena *a)
{
    struct cg_audit_record rec = {"policy.activate", "policy", name, NULL, 0, NULL};
    struct cg_policy_info info;
    struct cg_policy p;
    const char *text = NULL, *before = NULL;
    if (!cg_actor_can(actor, CG_PERM_POLICY_WRITE))
        return refuse(s, actor, &rec, CG_EFORBIDDEN);
    int rc = load_text(s, name, a, &info, &text);
    /* A copy saved by an older binary may no longer be valid: never activate it. */
    if (!rc)
        rc = cg_policy_parse(text, strlen(text), &p, NULL);
    if (rc)
        return refuse(s, actor, &rec, rc);
    if ((rc = cg_store_begin(s)))
        return refuse(s, actor, &rec, rc);
    if (!(rc = active_name(s, a, &before)))
        rc = cg_store_run(s, NULL,
                          "INSERT INTO policy_active (id, name, since, set_by) VALUES (1, ?, ?, ?)"
                          " ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
                          " since = excluded.since, set_by = excluded.set_by",
                          "sis", name, cg_now(), actor->username);
    rec.detail = before ? cg_arena_printf(a, "was %s", before) : NULL;
    return cg_audit_end(s, actor, &rec, rc);
}

int cg_policy_active(cg_store *s, cg_arena *a, struct cg_policy *out, const char **name)
{
    struct cg_policy_info info;
    const char *active = NULL, *text = NULL;
    int rc = active_name(s, a, &active);
    if (!rc)
        rc = load_text(s, active, a, &info, &text);
    if (!rc)
        rc = cg_policy_parse(text, strlen(text), out, NULL);
    if (!rc && name)
        *name = active;
    return rc;
}
