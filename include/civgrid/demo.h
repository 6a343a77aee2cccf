/* The demo city: Datong (大同市, 140200) with its ten districts and counties,
 * built into a new database so that every screen of civgrid has something
 * true-to-life to show.
 *
 * What it builds (DOMAIN.md, "Demo data worth generating"):
 *  - the jurisdiction tree: the city; its districts and counties with their
 *    real administrative division codes (平城区 140213 ... 左云县 140226);
 *    Yanggao's 11 real towns with 15 communities, 242 villages and 521
 *    grids; Xinrong's 7 towns, 112 villages and 175 grids; Yungang's
 *    新平旺街道 with 南三路社区 (南三路小区, case F27's home) and Pingcheng's
 *    福安里社区 (case F29's); the other counties a smaller tree. Below the
 *    county, codes follow the statistical pattern (town +3 digits, community
 *    or village +3, grid +2, building +2) but are not the official ones, and
 *    town names outside Yanggao and Xinrong, village and community names are
 *    plausible rather than real;
 *  - buildings under every grid (numbered blocks in towns, lanes in villages);
 *  - residents with plausible names, valid ID numbers of their county (or of
 *    their home region for the 10 % floating), phones, households, unit and
 *    room, and ledger tags (party members about 7 %, students, truck drivers,
 *    professionals, special-needs people, volunteers, emergency team);
 *  - staff chains: a commander per town, a grid head per community or
 *    village, grid workers and assistants (664 and 100 in Yanggao), building
 *    and street heads;
 *  - eleven departments for the city and for each county;
 *  - places: the venues of the seed trajectories in 云冈区 (codes below), a
 *    sampling point per urban community, hospitals, stations, quarantine
 *    hotels, 84 checkpoints (venues of type station), and risk points in
 *    Yanggao (林田路矿, 河流沟壑);
 *  - demo accounts, all with one random password.
 *
 * Everything except the passwords is a function of the seed: two runs with
 * the same seed and resident count give the same tree, people and places.
 * Birth dates and ages are reckoned from 22 November 2022, the day of the
 * seed's cases. */
#ifndef CIVGRID_DEMO_H
#define CIVGRID_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/field.h"
#include "civgrid/store.h"

/* The root of the demo city. */
#define CG_DEMO_CITY_CODE "140200"
#define CG_DEMO_CITY_NAME "大同市"

/* Nodes and venues the outbreak demo (cases F27 and F29) refers to. */
#define CG_DEMO_YUNGANG "140214"
#define CG_DEMO_NANSANLU "140214001001" /* 云冈区新平旺街道南三路社区 (南三路小区) */
#define CG_DEMO_FUANLI "140213003001" /* 平城区新建南路街道福安里社区 */
#define CG_DEMO_YANGGAO "140221"
#define CG_DEMO_LONGQUAN "140221100"                   /* 阳高县龙泉镇 */
#define CG_DEMO_VENUE_XUESHI "yg-xueshi-stall"         /* 薛氏菜业前60米地摊 (stall) */
#define CG_DEMO_VENUE_JIAJIAMA "yg-jiajiama-nanhuan"   /* 佳家玛南环店 (supermarket) */
#define CG_DEMO_VENUE_WANPINLONG "yg-wanpinlong-hxmkl" /* 万品隆超市红星美凯龙店 */
#define CG_DEMO_VENUE_KANGERFU "yg-kangerfu-xiangyang" /* 康尔福大药房向阳街门店 (pharmacy) */
#define CG_DEMO_VENUE_NANSANLU "yg-nansanlu-sampling" /* 南三路小区广场采样点 */

struct cg_demo_options {
    int64_t residents; /* how many residents; 0: 20000 */
    uint64_t seed;     /* 0: 1 */
};

/* One county's figures, handed to the progress callback when it is done. */
struct cg_demo_county {
    const char *code, *name;
    int towns, communities, grids, buildings, places;
    int grid_workers, assistants, staff;
    int64_t residents, floating, households;
    double seconds;
};

typedef void (*cg_demo_progress_fn)(const struct cg_demo_county *c, void *ud);

struct cg_demo_login {
    const char *username, *role, *scope_code, *scope_name, *display_name;
};

struct cg_demo_result {
    const char *password; /* of every demo login (arena); shown once */
    struct cg_demo_login *logins;
    size_t nlogins;
    int64_t areas, residents, staff, places, departments;
    const char *grid_code; /* the grid of the "grid_worker" login */
    double seconds;
};

/* Whether the database can take the demo: 0 when it is not initialised
 * (*initialised = 0) or holds nothing beyond what init creates (the root
 * area and the admin account; *initialised = 1). CG_ECONFLICT with a message
 * in fe saying what is there otherwise. */
int cg_demo_check(cg_store *s, int *initialised, struct cg_field_error *fe);

/* Builds the city into an initialised database that cg_demo_check accepts.
 * When the root area is not 140200, the city is made a child of it. actor
 * must be an administrator over the root (the command line's actor). Each
 * county is written in one transaction with its audit record ("demo.county";
 * the places' own "place.create" records), then the accounts are created one
 * by one (audited as user.create). progress (may be NULL) is called after
 * each county. Errors: CG_ECONFLICT (not empty, message in fe),
 * CG_ENOTFOUND (not initialised), CG_EFORBIDDEN (not an administrator over
 * the root), store errors (fe names the county being written). A failure
 * leaves the counties written before it: start again with a new database.
 * Result strings live in a. */
int cg_demo_build(cg_store *s, const struct cg_actor *actor, const struct cg_demo_options *opt,
                  cg_demo_progress_fn progress, void *ud, cg_arena *a, struct cg_demo_result *out,
                  struct cg_field_error *fe);

#endif
