/* JSON forms of library objects, shared by the routes. */
#ifndef CIVGRID_RENDER_H
#define CIVGRID_RENDER_H

#include <jansson.h>

#include "civgrid/actor.h"
#include "civgrid/area.h"
#include "civgrid/staff.h"
#include "civgrid/user.h"

json_t *render_area(const struct cg_area *a);
json_t *render_user(const struct cg_user *u);
json_t *render_actor(const struct cg_actor *a);
/* The codes of the permissions set in perms, in cg_perms order. */
json_t *render_perms(unsigned perms);
json_t *render_staff(const struct cg_staff *s);

#endif
