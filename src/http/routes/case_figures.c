/* The figures of cases (case_figures.h): GET /api/v1/case-figures. */
#include "civgrid/case_figures.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "routes.h"

int route_case_figures_get(struct http_req *r)
{
    struct cg_case_fig_query q = {http_query(r, "area_code"), http_query(r, "from"),
                                  http_query(r, "to"), http_query(r, "by")};
    struct cg_case_figures f;
    int rc = cg_case_figures_get(r->db, r->actor, &q, cg_now(), r->arena, &f, &r->ferr);
    if (rc)
        return rc;
    json_t *body = cg_case_figures_json(&f);
    return body ? http_reply_json(r, 200, body) : CG_ENOMEM;
}
