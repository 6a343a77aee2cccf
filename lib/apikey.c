/* API keys for Open311 (apikey.h). A key is "cg311." followed by 43
 * base64url characters (256 random bits): too many to guess, so a wrong key
 * needs no lockout of its own, and the keyed BLAKE2b hash kept in place of
 * the key needs no salt or slow hashing (a stolen table yields nothing to
 * try). */
#include "civgrid/apikey.h"

#include <stdlib.h>
#include <string.h>

#include "civgrid/area.h"
#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/secret.h"
#include "civgrid/text.h"

#define KEY_PREFIX "cg311."
#define HASH_KEY "civgrid-apikey"

/* What a key may do: file requests and read them back, nothing else. Not
 * one of cg_roles[]: no account can be given it. */
static const struct cg_role open311_role = {"open311", "Open311 接口", "Open311 client",
                                            CG_PERM_CASES_READ | CG_PERM_CASES_WRITE};

static int name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 1 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

#define KEY_COLUMNS                                                                                \
    "k.id, k.name, a.code, a.name, k.created_at, k.revoked_at, k.last_used_at, k.created_by"

static void read_key(cg_stmt *st, cg_arena *a, struct cg_apikey *k)
{
    k->id = cg_stmt_int(st, 0);
    k->name = cg_arena_strdup(a, cg_stmt_text(st, 1));
    k->area_code = cg_arena_strdup(a, cg_stmt_text(st, 2));
    k->area_name = cg_arena_strdup(a, cg_stmt_text(st, 3));
    k->created_at = cg_stmt_int(st, 4);
    k->revoked_at = cg_stmt_int(st, 5);
    k->last_used_at = cg_stmt_int(st, 6);
    k->created_by = cg_arena_strdup(a, cg_stmt_text(st, 7));
}

/* ---- create ---- */

struct create {
    const struct cg_actor *actor;
    const char *name, *hash;
    struct cg_area area;
    int64_t now, id;
};

static int write_create(cg_store *s, void *ctx)
{
    struct create *c = ctx;
    return cg_store_insert(s, &c->id,
                           "INSERT INTO api_keys (name, key_hash, area_id, created_at, created_by)"
                           " VALUES (?, ?, ?, ?, ?) RETURNING id",
                           "ssiis", c->name, c->hash, c->area.id, c->now, c->actor->username);
}

static int check_create(cg_store *s, struct create *c, const char *area_code, cg_arena *a,
                        struct cg_field_error *fe)
{
    if (!cg_actor_can(c->actor, CG_PERM_USERS_WRITE))
        return CG_EFORBIDDEN;
    if (!name_valid(c->name))
        return cg_field_fail(fe, CG_EBADTYPE, "name",
                             "a key's name is 1-64 letters, digits, '.', '_' or '-'");
    if (!area_code || !*area_code)
        return cg_field_fail(fe, CG_EMISSING, "scope", "the key's area (--scope) is missing");
    int rc = cg_area_get_by_code(s, area_code, a, &c->area);
    if (rc == CG_ENOTFOUND || (!rc && !cg_actor_in_scope(c->actor, c->area.path)))
        return cg_field_fail(fe, CG_ENOTFOUND, "scope", "no area '%s' in your scope",
                             cg_text_valid(area_code, strlen(area_code)) ? area_code : "?");
    return rc;
}

int cg_apikey_create(cg_store *s, const struct cg_actor *actor, const char *name,
                     const char *area_code, cg_arena *a, struct cg_apikey *out, const char **key,
                     struct cg_field_error *fe)
{
    char random[64], hash[65];
    cg_secret_random(random, sizeof random, 32);
    char *k = cg_arena_printf(a, KEY_PREFIX "%s", random);
    if (!k)
        return CG_ENOMEM;
    cg_secret_hash(hash, k, HASH_KEY);
    struct create c = {.actor = actor, .name = name, .hash = hash, .now = cg_now()};
    int rc = check_create(s, &c, area_code, a, fe);
    struct cg_audit_record rec = {"apikey.create",         "apikey", name_valid(name) ? name : NULL,
                                  rc ? NULL : c.area.path, 0,        rc ? NULL : c.area.code};
    rc = cg_audit_change(s, actor, &rec, rc, write_create, &c);
    if (rc == CG_EEXISTS && fe && !fe->message[0])
        cg_field_fail(fe, rc, "name", "a key called '%s' exists (revoked keys keep their name)",
                      name);
    if (rc)
        return rc;
    *out = (struct cg_apikey){c.id, c.name, c.area.code, c.area.name, c.now, 0, 0, actor->username};
    *key = k;
    return 0;
}

/* ---- list ---- */

int cg_apikey_list(cg_store *s, const struct cg_actor *actor, cg_arena *a, struct cg_apikey **items,
                   size_t *n)
{
    *items = NULL;
    *n = 0;
    if (!cg_actor_can(actor, CG_PERM_USERS_READ))
        return CG_EFORBIDDEN;
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(s, &st,
                       "SELECT " KEY_COLUMNS " FROM api_keys k JOIN areas a ON a.id = k.area_id"
                       " ORDER BY k.name",
                       "");
    size_t cap = 0;
    while (!rc && (rc = cg_stmt_step(st)) == CG_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct cg_apikey *grown = cg_arena_alloc(a, ncap * sizeof *grown);
            if (!grown) {
                rc = CG_ENOMEM;
                break;
            }
            if (*n)
                memcpy(grown, *items, *n * sizeof *grown);
            *items = grown;
            cap = ncap;
        }
        read_key(st, a, &(*items)[(*n)++]);
        rc = 0;
    }
    if (st)
        cg_stmt_reset(st);
    return rc == CG_DONE ? 0 : rc;
}

/* ---- revoke ---- */

struct revoke {
    struct cg_apikey key;
    int64_t now;
};

static int write_revoke(cg_store *s, void *ctx)
{
    struct revoke *r = ctx;
    return cg_store_run(s, NULL,
                        "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                        "ii", r->now, r->key.id);
}

static int find_key(cg_store *s, const char *name_or_id, cg_arena *a, struct cg_apikey *out)
{
    int64_t id = 0;
    char *end = NULL;
    long long v = strtoll(name_or_id, &end, 10);
    if (end != name_or_id && !*end)
        id = v;
    cg_stmt *st = NULL;
    int rc =
        cg_store_query(s, &st,
                       "SELECT " KEY_COLUMNS " FROM api_keys k JOIN areas a ON a.id = k.area_id"
                       " WHERE k.name = ? OR k.id = ? ORDER BY k.name = ? DESC LIMIT 1",
                       "sis", name_or_id, id, name_or_id);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st)))
        read_key(st, a, out);
    cg_stmt_reset(st);
    return rc;
}

int cg_apikey_revoke(cg_store *s, const struct cg_actor *actor, const char *name_or_id, cg_arena *a,
                     struct cg_apikey *out, struct cg_field_error *fe)
{
    struct revoke r = {.now = cg_now()};
    int rc = cg_actor_can(actor, CG_PERM_USERS_WRITE) ? 0 : CG_EFORBIDDEN;
    if (!rc && (!name_or_id || !*name_or_id))
        rc = cg_field_fail(fe, CG_EMISSING, "name", "which key? give its name or id");
    if (!rc && (rc = find_key(s, name_or_id, a, &r.key)) == CG_ENOTFOUND)
        cg_field_fail(fe, rc, "name", "no API key '%s'",
                      cg_text_valid(name_or_id, strlen(name_or_id)) ? name_or_id : "?");
    struct cg_audit_record rec = {"apikey.revoke", "apikey", rc ? NULL : r.key.name, NULL, 0, NULL};
    if ((rc = cg_audit_change(s, actor, &rec, rc, write_revoke, &r)))
        return rc;
    if (!r.key.revoked_at)
        r.key.revoked_at = r.now;
    *out = r.key;
    return 0;
}

/* ---- resolve ---- */

/* Counts one request of key id in the current minute, in one statement;
 * *count gets the count including this one. */
static int count_use(cg_store *s, int64_t id, int64_t now, int64_t *count)
{
    int64_t minute = now - now % 60;
    cg_stmt *st = NULL;
    int rc = cg_store_query(
        s, &st,
        "UPDATE api_keys SET window_count = CASE WHEN window_start = ? THEN window_count + 1"
        " ELSE 1 END, window_start = ?, last_used_at = ? WHERE id = ? RETURNING window_count",
        "iiii", minute, minute, now, id);
    if (rc)
        return rc;
    if (!(rc = cg_stmt_one(st)))
        *count = cg_stmt_int(st, 0);
    cg_stmt_reset(st);
    return rc;
}

static int read_actor(cg_stmt *st, const char *ip, cg_arena *a, struct cg_actor **out)
{
    struct cg_actor *act = cg_arena_calloc(a, sizeof *act);
    if (!act)
        return CG_ENOMEM;
    act->username = cg_arena_printf(a, "apikey:%s", cg_stmt_text(st, 1));
    act->display_name = act->username;
    act->role = &open311_role;
    act->area_id = cg_stmt_int(st, 2);
    act->area_path = cg_arena_strdup(a, cg_stmt_text(st, 3));
    act->area_code = cg_arena_strdup(a, cg_stmt_text(st, 4));
    act->area_name = cg_arena_strdup(a, cg_stmt_text(st, 5));
    act->area_level = cg_arena_strdup(a, cg_stmt_text(st, 6));
    act->client_ip = cg_arena_strdup(a, ip ? ip : "-");
    *out = act;
    return act->username && act->area_path && act->area_code ? 0 : CG_ENOMEM;
}

int cg_apikey_resolve(cg_store *s, const char *key, const char *client_ip, cg_arena *a,
                      struct cg_actor **out, int64_t *retry_after)
{
    char hash[65];
    *out = NULL;
    if (!key || strncmp(key, KEY_PREFIX, strlen(KEY_PREFIX)) || strlen(key) > 128)
        return CG_EAPIKEY;
    cg_secret_hash(hash, key, HASH_KEY);
    cg_stmt *st = NULL;
    int64_t id = 0, now = cg_now(), count = 0;
    int rc = cg_store_query(s, &st,
                            "SELECT k.id, k.name, a.id, a.path, a.code, a.name, a.level"
                            " FROM api_keys k JOIN areas a ON a.id = k.area_id"
                            " WHERE k.key_hash = ? AND k.revoked_at IS NULL",
                            "s", hash);
    if (rc)
        return rc;
    rc = cg_stmt_one(st);
    if (!rc) {
        id = cg_stmt_int(st, 0);
        rc = read_actor(st, client_ip, a, out);
    }
    cg_stmt_reset(st);
    if (rc)
        return rc == CG_ENOTFOUND ? CG_EAPIKEY : rc;
    if ((rc = count_use(s, id, now, &count)))
        return rc;
    if (count > CG_APIKEY_PER_MINUTE) {
        if (retry_after)
            *retry_after = 60 - now % 60;
        *out = NULL;
        return CG_ERATE_LIMITED;
    }
    return 0;
}
