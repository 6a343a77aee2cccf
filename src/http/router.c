#include "router.h"

#include <string.h>

#include "routes/routes.h"

const struct route routes[] = {
    {"GET", "/healthz", route_system_health, ROUTE_PUBLIC},
    {"GET", "/metrics", route_system_metrics, ROUTE_PUBLIC},
    {"GET", "/api/v1/version", route_system_version, ROUTE_PUBLIC},
    {"GET", "/api/v1/openapi.yaml", route_system_openapi, ROUTE_PUBLIC},
    {"GET", "/api/v1/routes", route_system_routes, ROUTE_PUBLIC},
    {"GET", "/api/v1/system/jobs", route_system_jobs, 0},
    {"GET", "/api/v1/system/outbox", route_system_outbox, 0},
    {"POST", "/api/v1/session", route_session_create, ROUTE_PUBLIC},
    {"DELETE", "/api/v1/session", route_session_delete, 0},
    {"GET", "/api/v1/me", route_session_me, 0},
    {"GET", "/api/v1/roles", route_roles_list, 0},
    {"GET", "/api/v1/meta", route_meta_get, 0},
    {"GET", "/api/v1/users", route_users_list, 0},
    {"POST", "/api/v1/users", route_users_create, 0},
    {"GET", "/api/v1/users/{username}", route_users_get, 0},
    {"PATCH", "/api/v1/users/{username}", route_users_update, 0},
    {"GET", "/api/v1/areas", route_areas_list, 0},
    {"POST", "/api/v1/areas", route_areas_create, 0},
    {"GET", "/api/v1/areas/{code}", route_areas_get, 0},
    {"PATCH", "/api/v1/areas/{code}", route_areas_update, 0},
    {"GET", "/api/v1/areas/{code}/children", route_areas_children, 0},
    {"GET", "/api/v1/areas/{code}/card", route_areas_card, 0},
    {"GET", "/api/v1/areas/{code}/staff", route_areas_staff, 0},
    {"GET", "/api/v1/areas/{code}/figures", route_figures_get, 0},
    {"GET", "/api/v1/case-figures", route_case_figures_get, 0},
    {"GET", "/api/v1/cases/export", route_cases_export, 0},
    {"GET", "/api/v1/ledgers", route_ledgers_list, 0},
    {"GET", "/api/v1/ledgers/{name}/counts", route_ledgers_counts, 0},
    {"PUT", "/api/v1/residents/{id}/ledgers/{name}", route_ledgers_tag, 0},
    {"DELETE", "/api/v1/residents/{id}/ledgers/{name}", route_ledgers_untag, 0},
    {"POST", "/api/v1/staff", route_staff_assign, 0},
    {"DELETE", "/api/v1/staff/{id}", route_staff_end, 0},
    {"GET", "/api/v1/departments", route_departments_list, 0},
    {"POST", "/api/v1/departments", route_departments_create, 0},
    {"GET", "/api/v1/audit", route_audit_list, 0},
    {"GET", "/api/v1/places", route_places_list, 0},
    {"POST", "/api/v1/places", route_places_create, 0},
    {"GET", "/api/v1/places/{code}", route_places_get, 0},
    {"PATCH", "/api/v1/places/{code}", route_places_update, 0},
    {"GET", "/api/v1/residents", route_residents_list, 0},
    {"POST", "/api/v1/residents", route_residents_save, 0},
    {"GET", "/api/v1/residents/{id}", route_residents_get, 0},
    {"PATCH", "/api/v1/residents/{id}", route_residents_update, 0},
    {"GET", "/api/v1/residents/{id}/history", route_residents_history, 0},
    {"GET", "/api/v1/import/kinds", route_import_kinds, 0},
    {"POST", "/api/v1/import/{kind}", route_import_upload, 0},
    {"GET", "/api/v1/policies", route_policy_list, 0},
    {"GET", "/api/v1/policies/{name}", route_policy_get, 0},
    {"PUT", "/api/v1/policies/{name}", route_policy_save, 0},
    {"POST", "/api/v1/policies/{name}/activate", route_policy_activate, 0},
    {"GET", "/api/v1/policy/active", route_policy_active, 0},
    {"GET", "/api/v1/cases", route_cases_list, 0},
    {"POST", "/api/v1/cases", route_cases_create, 0},
    {"GET", "/api/v1/case-counts", route_cases_counts, 0},
    {"GET", "/api/v1/cases/{id}", route_cases_get, 0},
    {"POST", "/api/v1/cases/{id}/actions/{action}", route_cases_act, 0},
    {"POST", "/api/v1/cases/{id}/attachments", route_cases_attach, 0},
    {"GET", "/api/v1/cases/{id}/attachments/{aid}", route_cases_attachment, 0},
    {"GET", "/api/v1/case-categories", route_case_categories_list, 0},
    {"POST", "/api/v1/case-categories", route_case_categories_create, 0},
    {"GET", "/api/v1/case-categories/{code}", route_case_categories_get, 0},
    {"PATCH", "/api/v1/case-categories/{code}", route_case_categories_update, 0},
    {"GET", "/api/v1/calendar/days", route_calendar_list, 0},
    {"PUT", "/api/v1/calendar/days/{date}", route_calendar_set, 0},
    {"DELETE", "/api/v1/calendar/days/{date}", route_calendar_unset, 0},
    {"GET", "/api/v1/calendar/deadline", route_calendar_deadline, 0},
    {"GET", "/api/v1/case-overdue", route_case_overdue_list, 0},
    {"GET", "/open311/v2/discovery.{format}", route_open311_discovery, ROUTE_PUBLIC},
    {"GET", "/open311/v2/services.{format}", route_open311_services, ROUTE_PUBLIC},
    {"GET", "/open311/v2/services/{code}", route_open311_service_definition, ROUTE_PUBLIC},
    {"POST", "/open311/v2/requests.{format}", route_open311_requests_create, ROUTE_PUBLIC},
    {"GET", "/open311/v2/requests.{format}", route_open311_requests_list, ROUTE_PUBLIC},
    {"GET", "/open311/v2/requests/{id}", route_open311_requests_get, ROUTE_PUBLIC},
    {"GET", "/open311/v2/tokens/{token}", route_open311_tokens_get, ROUTE_PUBLIC},
    {"GET", "/open311/v2/servicerequestupdates.{format}", route_open311_updates_list, ROUTE_PUBLIC},

};

const int nroutes = (int)(sizeof routes / sizeof routes[0]);

/* Matches one pattern against a path segment by segment, capturing {name}
 * segments. Returns 1 on a match. */
static int match_pattern(struct http_req *r, const char *pattern, const char *path)
{
    int nparams = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *pend = strchr(p, '}');
            const char *send = strchr(s, '/');
            if (!send)
                send = s + strlen(s);
            if (!pend || send == s || nparams == HTTP_MAX_PARAMS)
                return 0;
            r->param_name[nparams] = cg_arena_strndup(r->arena, p + 1, (size_t)(pend - p - 1));
            r->param_value[nparams] = cg_arena_strndup(r->arena, s, (size_t)(send - s));
            nparams++;
            p = pend + 1;
            s = send;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    if (*p || *s)
        return 0;
    r->nparams = nparams;
    return 1;
}

enum route_match router_match(struct http_req *r, const char **allow)
{
    int path_seen = 0;
    cg_buf methods;
    cg_buf_init(&methods, 256);
    /* HEAD is answered like GET, without the body (MHD drops it). */
    const char *method = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
    for (int i = 0; i < nroutes; i++) {
        if (!match_pattern(r, routes[i].pattern, r->path))
            continue;
        if (strcmp(routes[i].method, method) == 0) {
            r->route = &routes[i];
            r->route_slot = i;
            cg_buf_free(&methods);
            return ROUTE_FOUND;
        }
        path_seen = 1;
        if (r->route_slot < 0)
            r->route_slot = i;
        cg_buf_printf(&methods, "%s%s", methods.len ? ", " : "", routes[i].method);
    }
    r->nparams = 0;
    if (path_seen) {
        *allow = cg_arena_strdup(r->arena, methods.data);
        cg_buf_free(&methods);
        return ROUTE_WRONG_METHOD;
    }
    cg_buf_free(&methods);
    return ROUTE_NO_PATH;
}
