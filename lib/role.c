/* The roles of DOMAIN.md and what each may do. Scope (where) is separate:
 * it comes from the user's area. */
#include <string.h>

#include "civgrid/actor.h"
#include "civgrid/scope.h"

#define PHONE CG_PERM_UNMASK_PHONE
/* Every staff role sees the tree in scope and the rules in force. */
#define TREE (CG_PERM_AREAS_READ | CG_PERM_POLICY_READ)
#define POLICY CG_PERM_POLICY_WRITE
#define READ CG_PERM_PEOPLE_READ
#define WRITE (CG_PERM_PEOPLE_READ | CG_PERM_PEOPLE_WRITE)
/* Cases: every staff role files cases and acts on those its unit holds;
 * supervisors (centre, commander, grid head) dispatch and may act for the
 * units below them; the centre edits the catalogue. A department acts only
 * on the cases held by or copied to its department (lib/case.c). */
#define CASES (CG_PERM_CASES_READ | CG_PERM_CASES_WRITE)
#define DISPATCH (CASES | CG_PERM_CASES_DISPATCH)
#define CATALOGUE CG_PERM_CASES_CATALOGUE

const struct cg_role cg_roles[] = {
    {"admin", "系统管理员", "Administrator",
     CG_PERM_USERS_READ | CG_PERM_USERS_WRITE | CG_PERM_AUDIT_READ | CG_PERM_AREAS_WRITE | TREE |
         WRITE | POLICY | DISPATCH | CATALOGUE | CG_PERM_CALENDAR_WRITE},
    {"centre", "综治中心", "Command centre",
     CG_PERM_USERS_READ | CG_PERM_AUDIT_READ | TREE | WRITE | POLICY | DISPATCH | CATALOGUE |
         CG_PERM_CALENDAR_WRITE},
    {"commander", "指挥长", "Commander", TREE | PHONE | WRITE | DISPATCH},
    {"grid_head", "网格长", "Grid head", TREE | PHONE | WRITE | DISPATCH},
    {"grid_worker", "网格员", "Grid worker", TREE | PHONE | WRITE | CASES},
    {"assistant", "网格辅助员", "Grid assistant", TREE | PHONE | WRITE | CASES},
    {"building_head", "楼栋长", "Building head", TREE | PHONE | READ | CASES},
    {"department", "职能部门", "Department", TREE | CASES},
    {"cdc", "疾控流调", "CDC tracer", TREE | PHONE | CG_PERM_UNMASK_ID | READ | CASES},
    {"sampler", "采样队", "Sampling team", TREE | READ | CASES},
    {"checkpoint", "卡口", "Checkpoint officer", TREE | CASES},
    {"resident", "居民", "Resident", 0},
    {NULL, NULL, NULL, 0},
};

const struct cg_perm_info cg_perms[] = {
#define CG_PERM_INFO(name, bit, code) {CG_PERM_##name, code},
    CG_PERMS(CG_PERM_INFO)
#undef CG_PERM_INFO
        {0, NULL},
};

const struct cg_role *cg_role_find(const char *name)
{
    for (const struct cg_role *r = cg_roles; name && r->name; r++)
        if (strcmp(r->name, name) == 0)
            return r;
    return NULL;
}

int cg_actor_can(const struct cg_actor *a, unsigned perm)
{
    return a && a->role && (a->role->perms & perm) == perm;
}

int cg_actor_in_scope(const struct cg_actor *a, const char *area_path)
{
    return a && cg_scope_holds(a->area_path, area_path);
}
