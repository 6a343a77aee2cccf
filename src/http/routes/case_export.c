/* Exports of cases (case_export.h): GET /api/v1/cases/export, a CSV or xlsx
 * file in the office's words, sent from a temporary file. */
#include <string.h>

#include "civgrid/case_export.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/export.h"
#include "routes.h"

int route_cases_export(struct http_req *r)
{
    const char *format = http_query(r, "format");
    if (!format)
        format = "csv";
    if (strcmp(format, "csv") && strcmp(format, "xlsx"))
        return http_fail(r, CG_EBADTYPE, "format", "format: csv or xlsx");
    int xlsx = !strcmp(format, "xlsx");
    struct cg_case_export_query q = {http_query(r, "area_code"),
                                     http_query(r, "state"),
                                     http_query(r, "type"),
                                     http_query(r, "domain"),
                                     http_query(r, "created_from"),
                                     http_query(r, "created_to"),
                                     xlsx};
    struct cg_case_export out;
    int rc = cg_case_export(r->db, r->actor, &q, r->arena, &out, &r->ferr);
    if (rc)
        return rc;
    http_add_header(
        r, "Content-Disposition",
        cg_export_disposition(r->arena, "案件", "cases", out.area.name, format, cg_now()));
    http_add_header(r, "X-Export-Rows", cg_arena_printf(r->arena, "%lld", (long long)out.rows));
    return http_reply_fd(r, 200,
                         xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                              : "text/csv; charset=utf-8",
                         out.fd, (uint64_t)out.size);
}
