/* Every route handler, one file per resource (src/http/routes/<resource>.c). */
#ifndef CIVGRID_ROUTES_H
#define CIVGRID_ROUTES_H

#include "../http.h"

/* system.c */
int route_system_health(struct http_req *r);
int route_system_metrics(struct http_req *r);
int route_system_version(struct http_req *r);
int route_system_openapi(struct http_req *r);
int route_system_routes(struct http_req *r);
int route_system_jobs(struct http_req *r);
int route_system_outbox(struct http_req *r);

/* session.c */
int route_session_create(struct http_req *r);
int route_session_delete(struct http_req *r);
int route_session_me(struct http_req *r);

/* roles.c */
int route_roles_list(struct http_req *r);

/* meta.c */
int route_meta_get(struct http_req *r);

/* users.c */
int route_users_list(struct http_req *r);
int route_users_create(struct http_req *r);
int route_users_get(struct http_req *r);
int route_users_update(struct http_req *r);

/* areas.c */
int route_areas_list(struct http_req *r);
int route_areas_get(struct http_req *r);
int route_areas_create(struct http_req *r);
int route_areas_update(struct http_req *r);
int route_areas_children(struct http_req *r);
int route_areas_card(struct http_req *r);
int route_areas_staff(struct http_req *r);

/* case_export.c */
int route_cases_export(struct http_req *r);

/* case_figures.c */
int route_case_figures_get(struct http_req *r);

/* figures.c */
int route_figures_get(struct http_req *r);

/* ledgers.c */
int route_ledgers_list(struct http_req *r);
int route_ledgers_counts(struct http_req *r);
int route_ledgers_tag(struct http_req *r);
int route_ledgers_untag(struct http_req *r);

/* staff.c */
int route_staff_assign(struct http_req *r);
int route_staff_end(struct http_req *r);

/* departments.c */
int route_departments_list(struct http_req *r);
int route_departments_create(struct http_req *r);

/* residents.c */
int route_residents_list(struct http_req *r);
int route_residents_get(struct http_req *r);
int route_residents_save(struct http_req *r);
int route_residents_update(struct http_req *r);
int route_residents_history(struct http_req *r);

/* audit.c */
int route_audit_list(struct http_req *r);

/* import.c */
int route_import_upload(struct http_req *r);
int route_import_kinds(struct http_req *r);

/* places.c */
int route_places_list(struct http_req *r);
int route_places_create(struct http_req *r);
int route_places_get(struct http_req *r);
int route_places_update(struct http_req *r);

/* cases.c */
int route_cases_create(struct http_req *r);
int route_cases_list(struct http_req *r);
int route_cases_counts(struct http_req *r);
int route_cases_get(struct http_req *r);
int route_cases_act(struct http_req *r);
int route_cases_attach(struct http_req *r);
int route_cases_attachment(struct http_req *r);
int route_case_categories_list(struct http_req *r);
int route_case_categories_get(struct http_req *r);
int route_case_categories_create(struct http_req *r);
int route_case_categories_update(struct http_req *r);
/* Adds the case enumerations and the active catalogue to meta's answer. */
int render_case_meta(struct http_req *r, json_t *out);

/* policy.c */
int route_policy_list(struct http_req *r);
int route_policy_get(struct http_req *r);
int route_policy_save(struct http_req *r);
int route_policy_activate(struct http_req *r);
int route_policy_active(struct http_req *r);

/* calendar.c */
int route_calendar_list(struct http_req *r);
int route_calendar_set(struct http_req *r);
int route_calendar_unset(struct http_req *r);
int route_calendar_deadline(struct http_req *r);

/* case_overdue.c */
int route_case_overdue_list(struct http_req *r);
/* open311.c: Open311 GeoReport v2 at /open311/v2 (public; POST needs an api_key) */
int route_open311_discovery(struct http_req *r);
int route_open311_services(struct http_req *r);
int route_open311_service_definition(struct http_req *r);
int route_open311_requests_create(struct http_req *r);
int route_open311_requests_list(struct http_req *r);
int route_open311_requests_get(struct http_req *r);
int route_open311_tokens_get(struct http_req *r);
int route_open311_updates_list(struct http_req *r);
/* Answers err in Open311's error format, XML unless the path ends with
 * ".json": for the server's own refusals under /open311/. 0 once set. */
int open311_error(struct http_req *r, int err);

#endif
