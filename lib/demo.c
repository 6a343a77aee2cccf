/* The demo city (include/civgrid/demo.h says what it holds).
 *
 * The trees of all ten counties are first drawn in memory from the seed, so
 * that the residents can be shared out by how many households each county's
 * buildings hold; then each county is written in one transaction: its
 * nodes, staff, departments, places and residents, and one audit record.
 * Randomness comes from splitmix64 streams derived from the seed and the
 * county, one stream per purpose, so that the tree does not depend on the
 * number of residents and nothing depends on the order of database ids. */
#include "civgrid/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civgrid/area.h"
#include "civgrid/audit.h"
#include "civgrid/clock.h"
#include "civgrid/error.h"
#include "civgrid/idcard.h"
#include "civgrid/place.h"
#include "civgrid/resident.h"
#include "civgrid/secret.h"
#include "civgrid/session.h"
#include "civgrid/staff.h"
#include "civgrid/strmap.h"
#include "civgrid/user.h"
#include "demo_int.h"

/* ---- random numbers ---- */

typedef struct {
    uint64_t s;
} rng;

static uint64_t next64(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A stream for one purpose of one county. */
static rng stream(uint64_t seed, uint64_t county, uint64_t purpose)
{
    rng r = {seed};
    r.s = next64(&r) ^ (county * 0xd1b54a32d192ed03ULL) ^ (purpose * 0x8cb92ba72f3d8dd7ULL);
    next64(&r);
    return r;
}

/* Uniform in [0, n). */
static uint32_t below(rng *r, uint32_t n)
{
    return (uint32_t)(((next64(r) >> 32) * (uint64_t)n) >> 32);
}

static int between(rng *r, int lo, int hi)
{
    return lo + (int)below(r, (uint32_t)(hi - lo + 1));
}

/* True with probability p. */
static int chance(rng *r, double p)
{
    return (double)(next64(r) >> 11) * 0x1.0p-53 < p;
}

static void shuffle(rng *r, int *v, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)below(r, (uint32_t)i + 1), t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

/* ---- what the city looks like ---- */

struct town_spec {
    const char *name;
    int communities, villages;
};

struct county_spec {
    const char *code, *name;
    const struct town_spec *towns; /* the first is the seat; ended by a NULL name */
    int grids;                     /* in all */
    int per_community;             /* grids of each urban community; villages share the rest */
    int grid_workers, assistants;  /* 0: one worker a grid, an assistant on every fifth */
    int checkpoints;
    const char *const *communities; /* names of the first communities, NULL-ended, or NULL */
};

/* Yanggao: the county of the seed, with its real towns and figures (521
 * grids, 664 grid workers, 100 assistants; 龙泉镇 16 villages and the county
 * town's 15 communities). */
static const struct town_spec yanggao_towns[] = {
    {"龙泉镇", 15, 16},  {"罗文皂镇", 0, 28}, {"大白登镇", 0, 26}, {"古城镇", 0, 24},
    {"东小村镇", 0, 25}, {"狮子屯乡", 0, 22}, {"友宰镇", 0, 20},   {"王官屯镇", 0, 24},
    {"马家皂乡", 0, 20}, {"长城乡", 0, 18},   {"下深井乡", 0, 19}, {NULL, 0, 0}};
static const char *const yanggao_communities[] = {
    "光明路社区", "新华街社区", "解放路社区", "鼓楼社区", "东关社区", "西关社区",
    "南关社区",   "北关社区",   "云泉社区",   "兴阳社区", "府前社区", "和平社区",
    "建设路社区", "文化路社区", "迎宾社区",   NULL};

/* Xinrong: 175 grids over 112 villages and the district seat's 5 communities. */
static const struct town_spec xinrong_towns[] = {
    {"新荣镇", 5, 16},   {"花园屯乡", 0, 17}, {"破鲁堡乡", 0, 15}, {"郭家窑乡", 0, 16},
    {"堡子湾乡", 0, 18}, {"西村乡", 0, 14},   {"上深涧乡", 0, 16}, {NULL, 0, 0}};

/* Pingcheng: the city proper, streets only; F29 lives in 福安里小区. */
static const struct town_spec pingcheng_towns[] = {{"南关街道", 3, 0},     {"北关街道", 3, 0},
                                                   {"新建南路街道", 3, 0}, {"向阳里街道", 3, 0},
                                                   {"新华街街道", 3, 0},   {NULL, 0, 0}};
static const char *const pingcheng_communities[] = {
    "南关南街社区", "南关北街社区", "迎宾社区",     "北关社区",
    "鼓楼社区",     "华严社区",     "福安里社区",   "新建南路社区",
    "南环路社区",   "向阳东里社区", "向阳西里社区", "永泰社区",
    "新华街社区",   "魏都社区",     "红旗社区",     NULL};

/* Yungang: F27 lives in 南三路小区 and shops around it. */
static const struct town_spec yungang_towns[] = {
    {"新平旺街道", 3, 0}, {"口泉乡", 0, 4}, {"西韩岭乡", 0, 4}, {"高山镇", 1, 4}, {NULL, 0, 0}};
static const char *const yungang_communities[] = {"南三路社区", "南二路社区", "和瑞社区",
                                                  "高山社区", NULL};

static const struct town_spec yunzhou_towns[] = {
    {"西坪镇", 2, 4}, {"倍加造镇", 0, 5}, {"周士庄镇", 0, 5}, {"吉家庄乡", 0, 4}, {NULL, 0, 0}};
static const struct town_spec tianzhen_towns[] = {
    {"玉泉镇", 3, 4}, {"谷前堡镇", 0, 5}, {"米薪关镇", 0, 4}, {"逯家湾镇", 0, 4}, {NULL, 0, 0}};
static const struct town_spec guangling_towns[] = {
    {"壶泉镇", 3, 4}, {"南村镇", 0, 5}, {"一斗泉乡", 0, 4}, {"加斗乡", 0, 4}, {NULL, 0, 0}};
static const struct town_spec lingqiu_towns[] = {
    {"武灵镇", 3, 4}, {"东河南镇", 0, 5}, {"上寨镇", 0, 5}, {"落水河乡", 0, 4}, {NULL, 0, 0}};
static const struct town_spec hunyuan_towns[] = {
    {"永安镇", 3, 4}, {"西坊城镇", 0, 5}, {"沙圪坨镇", 0, 4}, {"王庄堡镇", 0, 5}, {NULL, 0, 0}};
static const struct town_spec zuoyun_towns[] = {
    {"云兴镇", 3, 4}, {"鹊儿山镇", 0, 4}, {"店湾镇", 0, 5}, {"管家堡乡", 0, 4}, {NULL, 0, 0}};

/* In code order. 9 + 9 + 9 + 9 + 6 * 8 = 84 checkpoints, Datong's figure. */
static const struct county_spec counties[] = {
    {"140212", "新荣区", xinrong_towns, 175, 4, 0, 0, 8, NULL},
    {"140213", "平城区", pingcheng_towns, 45, 3, 0, 0, 9, pingcheng_communities},
    {"140214", "云冈区", yungang_towns, 32, 4, 0, 0, 9, yungang_communities},
    {"140215", "云州区", yunzhou_towns, 30, 3, 0, 0, 9, NULL},
    {"140221", "阳高县", yanggao_towns, 521, 7, 664, 100, 9, yanggao_communities},
    {"140222", "天镇县", tianzhen_towns, 31, 3, 0, 0, 8, NULL},
    {"140223", "广灵县", guangling_towns, 31, 3, 0, 0, 8, NULL},
    {"140224", "灵丘县", lingqiu_towns, 32, 3, 0, 0, 8, NULL},
    {"140225", "浑源县", hunyuan_towns, 32, 3, 0, 0, 8, NULL},
    {"140226", "左云县", zuoyun_towns, 31, 3, 0, 0, 8, NULL},
};
#define NCOUNTIES (sizeof counties / sizeof counties[0])

/* Where floating residents come from: real division codes of nearby and
 * big places (张家口桥东区, 乌兰察布集宁区, 太原小店区, 朔州朔城区, ...). */
static const char *const home_regions[] = {"130702", "130703", "150902", "140105",
                                           "140106", "140602", "130105", "110105",
                                           "410102", "150102", "140402", "130705"};

/* Ages and birth dates are reckoned from the day of the seed's cases. */
#define REF_YEAR 2022
#define REF_MONTH 11
#define REF_DAY 22

/* ---- the tree in memory ---- */

struct town {
    char code[16];
    const char *name;
    int64_t id;
    const char *path;
};

struct community {
    char code[32];
    const char *name, *estate; /* 南三路社区, 南三路小区 (or the village's short name) */
    int town, urban, ngrids;
    int next_block; /* the next building number of an urban community */
    int lanes[20];  /* a village's lanes, shuffled, and how many are used */
    int nlanes;
    int64_t id;
    const char *path;
};

struct grid {
    char code[48];
    const char *name;
    int community, first_building, nbuildings, workers, assistant;
    int64_t residents, id;
    const char *path;
};

struct building {
    char code[64];
    const char *name;
    int grid, urban, units, floors;
    unsigned char used[20]; /* occupied flats or house numbers, one bit each */
    int64_t residents, id;
    const char *path;
};

struct tree {
    const struct county_spec *spec;
    int idx;
    struct town *towns;
    struct community *comms;
    struct grid *grids;
    struct building *blds;
    int ntowns, ncomms, ngrids, nblds;
    int64_t capacity, target;
    int64_t id;
    const char *path;
    struct cg_demo_county stats;
};

struct ctx {
    cg_store *s;
    const struct cg_actor *actor;
    cg_arena *mem; /* the trees and their names */
    cg_strmap *ids;
    cg_resident_checker *checker;
    struct cg_field_error *fe;
    uint64_t seed;
    int64_t city_id;
    const char *city_path, *city_code;
    struct cg_demo_result *out;
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* name without suffix (one of a NULL-ended list), in the arena. */
static const char *strip(cg_arena *a, const char *name, const char *const *suffixes)
{
    for (; *suffixes; suffixes++)
        if (ends_with(name, *suffixes) && strlen(name) > strlen(*suffixes))
            return cg_arena_strndup(a, name, strlen(name) - strlen(*suffixes));
    return name;
}

static const char *const town_suffixes[] = {"街道", "镇", "乡", NULL};
static const char *const county_suffixes[] = {"县", "区", NULL};

static int name_taken(const struct tree *t, const char *name)
{
    for (int i = 0; i < t->ncomms; i++)
        if (t->comms[i].name && !strcmp(t->comms[i].name, name))
            return 1;
    return 0;
}

static const char *community_name(cg_arena *a, rng *r, const struct tree *t)
{
    for (int tries = 0; tries < 200; tries++) {
        const char *w = cg__demo_word(CG__DEMO_COMMUNITY,
                                      below(r, (uint32_t)cg__demo_words(CG__DEMO_COMMUNITY)));
        const char *name = cg_arena_printf(a, "%s社区", w);
        if (!name_taken(t, name))
            return name;
    }
    return cg_arena_printf(a, "第%d社区", t->ncomms + 1);
}

static const char *village_name(cg_arena *a, rng *r, const struct tree *t)
{
    for (int tries = 0; tries < 500; tries++) {
        const char *p = cg__demo_word(CG__DEMO_VILLAGE_PREFIX,
                                      below(r, (uint32_t)cg__demo_words(CG__DEMO_VILLAGE_PREFIX)));
        const char *sfx = cg__demo_word(
            CG__DEMO_VILLAGE_SUFFIX, below(r, (uint32_t)cg__demo_words(CG__DEMO_VILLAGE_SUFFIX)));
        const char *name = cg_arena_printf(a, "%s%s村", p, sfx);
        if (!name_taken(t, name))
            return name;
    }
    return cg_arena_printf(a, "新%d村", t->ncomms + 1);
}

static void add_building(struct tree *t, rng *r, cg_arena *a, int g)
{
    struct grid *grid = &t->grids[g];
    struct community *cm = &t->comms[grid->community];
    struct building *b = &t->blds[t->nblds];
    memset(b, 0, sizeof *b);
    b->grid = g;
    b->urban = cm->urban;
    snprintf(b->code, sizeof b->code, "%s%02d", grid->code, grid->nbuildings + 1);
    if (cm->urban) {
        static const int floors[] = {5, 6, 6, 6, 7, 11, 18};
        b->units = between(r, 2, 4);
        b->floors = floors[below(r, sizeof floors / sizeof floors[0])];
        b->name = cg_arena_printf(a, "%s%d号楼", cm->estate, ++cm->next_block);
        t->capacity += b->units * b->floors * 2;
    } else {
        b->name = cg_arena_printf(a, "%s%s", cm->estate,
                                  cg__demo_word(CG__DEMO_LANE, (size_t)cm->lanes[cm->nlanes++]));
        t->capacity += 30;
    }
    grid->nbuildings++;
    t->nblds++;
}

/* Draws one county's tree from its spec. */
static int draw_tree(struct ctx *c, struct tree *t)
{
    const struct county_spec *sp = t->spec;
    rng r = stream(c->seed, (uint64_t)t->idx, 1);
    cg_arena *a = c->mem;
    int ntowns = 0, ncomms = 0, nvillages = 0, urban = 0;
    for (const struct town_spec *ts = sp->towns; ts->name; ts++) {
        ntowns++;
        ncomms += ts->communities + ts->villages;
        nvillages += ts->villages;
        urban += ts->communities;
    }
    int village_grids = sp->grids - urban * sp->per_community;
    if (nvillages ? village_grids < nvillages || village_grids > 3 * nvillages : village_grids != 0)
        return CG_EINTERNAL; /* the spec table is inconsistent */
    t->towns = cg_arena_calloc(a, sizeof *t->towns * (size_t)ntowns);
    t->comms = cg_arena_calloc(a, sizeof *t->comms * (size_t)ncomms);
    t->grids = cg_arena_calloc(a, sizeof *t->grids * (size_t)sp->grids);
    t->blds = cg_arena_calloc(a, sizeof *t->blds * (size_t)sp->grids * 8);
    int *order = calloc((size_t)(ncomms + sp->grids) + 1, sizeof *order);
    if (!t->towns || !t->comms || !t->grids || !t->blds || !order) {
        free(order);
        return CG_ENOMEM;
    }
    /* Towns: streets 0NN, towns (镇) 1NN, townships (乡) 2NN. */
    int street_no = 1, zhen_no = 100, xiang_no = 200, named = 0;
    for (const struct town_spec *ts = sp->towns; ts->name; ts++) {
        struct town *tw = &t->towns[t->ntowns];
        int no = ends_with(ts->name, "街道") ? street_no++
                 : ends_with(ts->name, "镇") ? zhen_no++
                                             : xiang_no++;
        snprintf(tw->code, sizeof tw->code, "%s%03d", sp->code, no);
        tw->name = ts->name;
        /* Communities 0NN, villages 2NN (the statistical pattern). */
        for (int k = 0; k < ts->communities + ts->villages; k++) {
            struct community *cm = &t->comms[t->ncomms];
            cm->town = t->ntowns;
            cm->urban = k < ts->communities;
            snprintf(cm->code, sizeof cm->code, "%s%03d", tw->code,
                     cm->urban ? k + 1 : 200 + k - ts->communities);
            if (cm->urban) {
                cm->name = sp->communities && sp->communities[named] ? sp->communities[named++]
                                                                     : community_name(a, &r, t);
                cm->estate = cg_arena_printf(
                    a, "%s小区", strip(a, cm->name, (const char *const[]){"社区", NULL}));
                cm->ngrids = sp->per_community;
            } else {
                cm->name = village_name(a, &r, t);
                cm->estate = strip(a, cm->name, (const char *const[]){"村", NULL});
                cm->ngrids = 1;
                for (int l = 0; l < 20; l++)
                    cm->lanes[l] = l;
                shuffle(&r, cm->lanes, 20);
            }
            t->ncomms++;
        }
        t->ntowns++;
    }
    /* The village grids beyond one per village go to villages drawn at random
     * (big villages have two or three). */
    int extra = village_grids - nvillages, nv = 0;
    for (int i = 0; i < t->ncomms; i++)
        if (!t->comms[i].urban)
            order[nv++] = i;
    while (extra > 0) {
        shuffle(&r, order, nv);
        for (int i = 0; i < nv && extra > 0; i++, extra--)
            t->comms[order[i]].ngrids++;
    }
    for (int i = 0; i < t->ncomms; i++) {
        struct community *cm = &t->comms[i];
        for (int k = 0; k < cm->ngrids; k++) {
            struct grid *g = &t->grids[t->ngrids];
            g->community = i;
            snprintf(g->code, sizeof g->code, "%s%02d", cm->code, k + 1);
            g->name = cm->urban || cm->ngrids > 1
                          ? cg_arena_printf(a, "%s第%d网格", cm->name, k + 1)
                          : cg_arena_printf(a, "%s网格", cm->name);
            g->first_building = t->nblds;
            g->workers = 1;
            int nb = cm->urban ? between(&r, 4, 8) : between(&r, 3, 5);
            for (int b = 0; b < nb; b++)
                add_building(t, &r, a, t->ngrids);
            t->ngrids++;
        }
    }
    /* Grid workers and assistants: Yanggao's figures, else one worker a grid
     * and an assistant on every fifth. */
    int workers = sp->grid_workers ? sp->grid_workers : t->ngrids;
    int assistants = sp->grid_workers ? sp->assistants : t->ngrids / 5;
    for (int i = 0; i < t->ngrids; i++)
        order[i] = i;
    shuffle(&r, order, t->ngrids);
    for (int i = 0; i < workers - t->ngrids && i < t->ngrids; i++)
        t->grids[order[i]].workers++;
    shuffle(&r, order, t->ngrids);
    for (int i = 0; i < assistants && i < t->ngrids; i++)
        t->grids[order[i]].assistant = 1;
    free(order);
    return 0;
}

/* ---- people ---- */

struct person {
    char name[32], id[19], phone[12];
    int female, age, year;
};

static void make_phone(rng *r, char out[12])
{
    static const char *const prefixes[] = {"134", "135", "136", "137", "138", "139", "150", "151",
                                           "152", "157", "158", "159", "182", "183", "187", "188",
                                           "130", "131", "132", "155", "156", "185", "186", "133",
                                           "153", "180", "181", "189", "177", "199", "166", "178"};
    snprintf(out, 12, "%s%08u", prefixes[below(r, sizeof prefixes / sizeof prefixes[0])],
             below(r, 100000000));
}

/* A person of the given age and sex with surname, born in region: name, a
 * valid ID number not handed out before, and (for the age) a phone. */
static int make_person(struct ctx *c, rng *r, const char *region, const char *surname, int female,
                       int age, struct person *p)
{
    int64_t ref = cg_days_from_civil(REF_YEAR, REF_MONTH, REF_DAY);
    int64_t born = ref - (int64_t)age * 365 - (age / 4) - (int64_t)below(r, 365);
    int y, m, d;
    cg_civil_from_days(born, &y, &m, &d);
    p->female = female;
    p->age = age;
    p->year = y;
    char given[24];
    cg__demo_given_name(given, sizeof given, y, female, next64(r));
    snprintf(p->name, sizeof p->name, "%s%s", surname, given);
    for (int tries = 0;; tries++) {
        /* The sequence number's last digit is odd for men, even for women. */
        unsigned seq = below(r, 500) * 2 + (female ? 0u : 1u);
        snprintf(p->id, sizeof p->id, "%.6s%04d%02d%02d%03u", region, y, m, d, seq);
        p->id[17] = cg_idcard_check_char(p->id);
        p->id[18] = '\0';
        if (!cg_strmap_get(c->ids, p->id, NULL))
            break;
        if (tries > 2000)
            return CG_EINTERNAL; /* a thousand people born on one day in one county */
    }
    int rc = cg_strmap_put(c->ids, p->id, 1);
    double with_phone = age < 12 ? 0.0 : age < 16 ? 0.6 : age >= 80 ? 0.55 : 0.97;
    if (chance(r, with_phone))
        make_phone(r, p->phone);
    else
        p->phone[0] = '\0';
    return rc;
}

/* A staff member: an adult of the county with a work phone. */
static int make_staff(struct ctx *c, rng *r, const char *region, int min_age, int max_age,
                      double female_p, struct person *p)
{
    int rc = make_person(c, r, region, cg__demo_surname(next64(r)), chance(r, female_p),
                         between(r, min_age, max_age), p);
    make_phone(r, p->phone);
    return rc;
}

/* The ledgers a person is on, by age, sex and household. */
static const char *tags_for(rng *r, const struct person *p, int household_size, char *buf,
                            size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
#define TAG(name) n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s" name, n ? ";" : "")
    int a = p->age, party = 0;
    if (a >= 18 && chance(r, a < 30 ? 0.05 : a < 60 ? 0.085 : 0.115)) {
        TAG("party_member");
        party = 1;
    }
    if ((a >= 6 && a <= 18 && chance(r, 0.97)) || (a >= 19 && a <= 22 && chance(r, 0.5)))
        TAG("student");
    if (!p->female && a >= 25 && a <= 58 && chance(r, 0.04))
        TAG("truck_driver");
    if (a >= 25 && a <= 60 && chance(r, 0.04))
        TAG("professional");
    if ((household_size == 1 && a >= 70 && chance(r, 0.7)) || (a >= 85 && chance(r, 0.4)) ||
        chance(r, 0.008))
        TAG("special_needs");
    if (a >= 18 && a <= 65 && chance(r, party ? 0.25 : 0.04))
        TAG("volunteer");
    if (!p->female && a >= 20 && a <= 50 && chance(r, 0.01))
        TAG("emergency_team");
#undef TAG
    return buf;
}

/* ---- writing ---- */

/* One node of the demo through the area's own rules and write. */
static int insert_area(struct ctx *c, int64_t parent_id, const char *parent_path, const char *level,
                       const char *code, const char *name, int64_t *id, const char **path)
{
    struct cg_area_input in = {code, level, name};
    int rc = cg_area_check(&in, c->mem, c->fe);
    if (!rc)
        rc = cg_area_write(c->s, parent_id, parent_path, &in, c->mem, id, path, c->fe);
    if (!rc)
        c->out->areas++;
    return rc;
}

static int write_areas(struct ctx *c, struct tree *t)
{
    int rc = insert_area(c, c->city_id, c->city_path, "county", t->spec->code, t->spec->name,
                         &t->id, &t->path);
    for (int i = 0; !rc && i < t->ntowns; i++)
        rc = insert_area(c, t->id, t->path, "town", t->towns[i].code, t->towns[i].name,
                         &t->towns[i].id, &t->towns[i].path);
    for (int i = 0; !rc && i < t->ncomms; i++) {
        struct community *cm = &t->comms[i];
        const struct town *tw = &t->towns[cm->town];
        rc = insert_area(c, tw->id, tw->path, "community", cm->code, cm->name, &cm->id, &cm->path);
    }
    for (int i = 0; !rc && i < t->ngrids; i++) {
        struct grid *g = &t->grids[i];
        const struct community *cm = &t->comms[g->community];
        rc = insert_area(c, cm->id, cm->path, "grid", g->code, g->name, &g->id, &g->path);
    }
    for (int i = 0; !rc && i < t->nblds; i++) {
        struct building *b = &t->blds[i];
        const struct grid *g = &t->grids[b->grid];
        rc = insert_area(c, g->id, g->path, "building", b->code, b->name, &b->id, &b->path);
    }
    return rc;
}

static int add_staff(struct ctx *c, rng *r, const char *region, int64_t area_id,
                     const char *position, int min_age, int max_age, double female_p)
{
    struct person p;
    int rc = make_staff(c, r, region, min_age, max_age, female_p, &p);
    char start[16];
    snprintf(start, sizeof start, "%04d-%02d-01", between(r, 2018, 2022), between(r, 1, 12));
    struct cg_staff_input in = {position, p.name, p.phone};
    if (!rc)
        rc = cg_staff_check(&in, c->mem, c->fe);
    if (!rc)
        rc = cg_staff_write(c->s, area_id, &in, 0, start, NULL);
    if (!rc)
        c->out->staff++;
    return rc;
}

/* The five-level chain: commander (a town cadre), grid head (the village or
 * community party secretary), grid workers, assistants, building and street
 * heads on about half the buildings and lanes. */
static int write_staff(struct ctx *c, struct tree *t)
{
    rng r = stream(c->seed, (uint64_t)t->idx, 2);
    const char *region = t->spec->code;
    int rc = 0, before = (int)c->out->staff;
    for (int i = 0; !rc && i < t->ntowns; i++)
        rc = add_staff(c, &r, region, t->towns[i].id, "commander", 35, 55, 0.2);
    for (int i = 0; !rc && i < t->ncomms; i++)
        rc = add_staff(c, &r, region, t->comms[i].id, "grid_head", 38, 62,
                       t->comms[i].urban ? 0.5 : 0.15);
    for (int i = 0; !rc && i < t->ngrids; i++) {
        const struct grid *g = &t->grids[i];
        for (int k = 0; !rc && k < g->workers; k++, t->stats.grid_workers++)
            rc = add_staff(c, &r, region, g->id, "grid_worker", 24, 55, 0.55);
        if (!rc && g->assistant) {
            rc = add_staff(c, &r, region, g->id, "assistant", 22, 60, 0.5);
            t->stats.assistants++;
        }
    }
    for (int i = 0; !rc && i < t->nblds; i++)
        if (chance(&r, 0.5))
            rc = add_staff(c, &r, region, t->blds[i].id,
                           t->blds[i].urban ? "building_head" : "street_head", 40, 72, 0.5);
    t->stats.staff = (int)c->out->staff - before;
    return rc;
}

/* The eleven departments that take dispatched cases, for the city or a county. */
static int write_departments(struct ctx *c, const char *code, const char *name, int64_t area_id,
                             int city)
{
    static const struct {
        const char *key, *domains, *city_fmt, *county_fmt;
    } depts[] = {
        {"power", "power", "国网%s供电公司", "国网%s供电公司"},
        {"transport", "transport", "%s交通运输局", "%s交通运输局"},
        {"water", "water", "%s水务局", "%s水务局"},
        {"environment", "environment", "%s生态环境局", "大同市生态环境局%s分局"},
        {"police", "public_order", "%s公安局", "%s公安局"},
        {"sanitation", "sanitation", "%s环境卫生服务中心", "%s环境卫生服务中心"},
        {"emergency", "emergency,natural_disaster", "%s应急管理局", "%s应急管理局"},
        {"market", "market", "%s市场监督管理局", "%s市场监督管理局"},
        {"health", "health", "%s卫生健康委员会", "%s卫生健康局"},
        {"civil_affairs", "civil_affairs", "%s民政局", "%s民政局"},
        {"petitions", "petition", "%s信访局", "%s信访局"},
    };
    const char *short_name = strip(c->mem, name, county_suffixes);
    int rc = short_name ? 0 : CG_ENOMEM;
    for (size_t i = 0; !rc && i < sizeof depts / sizeof depts[0]; i++) {
        char dcode[48], dname[160];
        snprintf(dcode, sizeof dcode, "%s-%s", code, depts[i].key);
        const char *fmt = city ? depts[i].city_fmt : depts[i].county_fmt;
        /* Districts' police are branches of the city's bureau. */
        if (!city && !strcmp(depts[i].key, "police") && ends_with(name, "区"))
            fmt = "大同市公安局%s分局";
        /* "大同市生态环境局阳高分局": branches are named by the short name. */
        snprintf(dname, sizeof dname, fmt,
                 strncmp(fmt, "大同市", strlen("大同市")) ? name : short_name);
        const char *dn = dname;
        rc = cg_department_check(dcode, &dn, depts[i].domains, c->mem, c->fe);
        if (!rc)
            rc = cg_department_write(c->s, dcode, dn, depts[i].domains, area_id, c->fe);
        if (!rc)
            c->out->departments++;
    }
    return rc;
}

static int add_place(struct ctx *c, struct tree *t, const char *code, const char *name,
                     const char *kind, const char *type, const char *area_code, const char *address)
{
    struct cg_place_input in = {code, name, kind, type, area_code, address};
    int rc = cg_place_add(c->s, c->actor, &in, c->mem, NULL, c->fe);
    if (!rc) {
        c->out->places++;
        t->stats.places++;
    }
    return rc;
}

/* Venues every county has, sampling points of urban communities, the
 * checkpoints on its roads, and the special places of Yungang and Yanggao. */
static int write_places(struct ctx *c, struct tree *t)
{
    rng r = stream(c->seed, (uint64_t)t->idx, 4);
    cg_arena *a = c->mem;
    const char *cc = t->spec->code, *county = t->spec->name;
    const char *cshort = strip(a, county, county_suffixes);
    const struct town *seat = &t->towns[0];
    const char *sshort = strip(a, seat->name, town_suffixes);
    int n = 0, rc = 0;
    struct {
        const char *type, *name;
    } common[] = {
        {"hospital", cg_arena_printf(a, "%s人民医院", county)},
        {"station", cg_arena_printf(a, "%s汽车客运站", county)},
        {"quarantine_hotel", cg_arena_printf(a, "%s集中隔离点（%s宾馆）", county, sshort)},
        {"supermarket", cg_arena_printf(a, "美特好超市%s店", sshort)},
        {"supermarket", cg_arena_printf(a, "华联超市%s店", cshort)},
        {"pharmacy", cg_arena_printf(a, "益生堂大药房%s店", sshort)},
        {"market", cg_arena_printf(a, "%s农贸市场", sshort)},
        {"school", cg_arena_printf(a, "%s第一中学", county)},
        {"restaurant", cg_arena_printf(a, "%s老字号刀削面馆", sshort)},
    };
    for (size_t i = 0; !rc && i < sizeof common / sizeof common[0]; i++)
        rc = add_place(c, t, cg_arena_printf(a, "V%s-%02d", cc, ++n), common[i].name, "venue",
                       common[i].type, seat->code, NULL);
    if (!rc && !strcmp(cc, CG_DEMO_YUNGANG)) {
        /* The venues of cases F27 and F29 (seed 000_1d187f69f45eda02). */
        static const struct {
            const char *code, *name, *type, *area, *address;
        } seed[] = {
            {CG_DEMO_VENUE_XUESHI, "薛氏菜业前60米地摊", "stall", CG_DEMO_NANSANLU,
             "云冈区南三路薛氏菜业门前60米"},
            {CG_DEMO_VENUE_JIAJIAMA, "佳家玛南环店", "supermarket", "140214001002",
             "云冈区南环路（又称佳家玛超市南环店）"},
            {CG_DEMO_VENUE_WANPINLONG, "万品隆超市红星美凯龙店", "supermarket", "140214001003",
             "云冈区红星美凯龙商场一层"},
            {CG_DEMO_VENUE_KANGERFU, "康尔福大药房向阳街门店", "pharmacy", "140214001",
             "云冈区向阳街"},
            {CG_DEMO_VENUE_NANSANLU, "南三路小区广场采样点", "sampling_point", CG_DEMO_NANSANLU,
             "南三路小区中心广场"},
        };
        for (size_t i = 0; !rc && i < sizeof seed / sizeof seed[0]; i++)
            rc = add_place(c, t, seed[i].code, seed[i].name, "venue", seed[i].type, seed[i].area,
                           seed[i].address);
    }
    for (int i = 0; !rc && i < t->ncomms; i++) {
        const struct community *cm = &t->comms[i];
        if (cm->urban && strcmp(cm->code, CG_DEMO_NANSANLU))
            rc = add_place(c, t, cg_arena_printf(a, "SP%s", cm->code),
                           cg_arena_printf(a, "%s核酸采样点", cm->estate), "venue",
                           "sampling_point", cm->code, NULL);
    }
    if (!rc && !strcmp(cc, CG_DEMO_YANGGAO)) {
        /* 林田路矿, 河流沟壑: the risk points the county put on the grid. */
        static const struct {
            int town;
            const char *type, *name;
        } risks[] = {
            {0, "forest", "龙泉镇北山防火林区"},     {9, "forest", "长城乡明长城沿线生态林"},
            {2, "field", "大白登镇东梁灌区农田"},    {7, "field", "王官屯镇设施农业大棚区"},
            {1, "road", "罗文皂镇县乡公路急弯路段"}, {3, "road", "古城镇京包铁路平交道口"},
            {6, "mine", "友宰镇废弃采石场"},         {10, "mine", "下深井乡关停煤矿井口"},
            {0, "river", "南洋河龙泉镇段"},          {4, "river", "白登河东小村镇段"},
            {5, "gully", "狮子屯乡黑水沟"},          {8, "gully", "马家皂乡大沙沟"},
        };
        for (size_t i = 0; !rc && i < sizeof risks / sizeof risks[0]; i++)
            rc = add_place(c, t, cg_arena_printf(a, "RP%s-%02zu", cc, i + 1), risks[i].name,
                           "risk_point", risks[i].type, t->towns[risks[i].town].code, NULL);
    }
    /* Checkpoints (卡口): the expressway toll gate first, then posts on the
     * roads into the towns, each (town, post) at most once. */
    static const char *const posts[] = {
        "G208国道%s检查站卡口", "S301省道%s交界卡口", "%s县乡公路出入口卡口", "%s东出口卡口",
        "%s西出口卡口",         "%s南出口卡口",       "%s北出口卡口"};
    enum { NPOSTS = sizeof posts / sizeof posts[0] };
    int pairs[16 * NPOSTS];
    int npairs = t->ntowns * NPOSTS > 16 * NPOSTS ? 16 * NPOSTS : t->ntowns * NPOSTS;
    for (int i = 0; i < npairs; i++)
        pairs[i] = i;
    shuffle(&r, pairs, npairs);
    for (int i = 0; !rc && i < t->spec->checkpoints && i <= npairs; i++) {
        const char *name = NULL;
        const struct town *tw = &t->towns[i == 0 ? 0 : pairs[i - 1] / NPOSTS];
        if (i == 0) {
            name = cg_arena_printf(a, "G55二广高速%s收费站卡口", cshort);
        } else {
            char buf[256];
            snprintf(buf, sizeof buf, posts[pairs[i - 1] % NPOSTS],
                     strip(a, tw->name, town_suffixes));
            name = cg_arena_strdup(a, buf);
        }
        if (!rc)
            rc = add_place(c, t, cg_arena_printf(a, "CK%s-%02d", cc, i + 1), name, "venue",
                           "station", tw->code, NULL);
    }
    return rc;
}

/* Picks a building by how many households it holds. */
static int pick_building(rng *r, const struct tree *t, const int64_t *cum)
{
    int64_t x = (int64_t)(next64(r) % (uint64_t)t->capacity);
    int lo = 0, hi = t->nblds - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* A free flat (unit, floor, door) or house number in b; shares one when the
 * building is full (tenants do). */
static void pick_home(rng *r, struct building *b, char unit[16], char room[24])
{
    int slots = b->urban ? b->units * b->floors * 2 : 120, s = 0;
    for (int tries = 0; tries < 8; tries++) {
        s = (int)below(r, (uint32_t)slots);
        if (!(b->used[s / 8] & (1u << (s % 8))))
            break;
    }
    b->used[s / 8] |= (unsigned char)(1u << (s % 8));
    if (b->urban) {
        int per_unit = b->floors * 2, u = s / per_unit + 1, floor = (s % per_unit) / 2 + 1,
            door = s % 2 + 1;
        snprintf(unit, 16, "%d", u);
        snprintf(room, 24, "%d%02d", floor, door);
    } else {
        unit[0] = '\0';
        snprintf(room, 24, "%d号", s + 1);
    }
}

static int write_person(struct ctx *c, struct tree *t, rng *r, struct building *b,
                        const struct person *p, const char *household, const char *unit,
                        const char *room, int floating, int size, cg_arena *a)
{
    char tags[160];
    struct cg_resident_input in = {
        .id_number = p->id,
        .name = p->name,
        .phone = p->phone,
        .area_code = b->code,
        .household = household,
        .unit = unit,
        .room = room,
        .resident_type = floating ? "floating" : "permanent",
        .tags = tags_for(r, p, size, tags, sizeof tags),
    };
    struct cg_resident_row row;
    int changed = 0;
    int rc = cg_resident_check(c->checker, &in, a, &row, c->fe);
    if (!rc)
        rc = cg_resident_write(c->s, c->actor, &row, &changed);
    if (!rc) {
        b->residents++;
        t->grids[b->grid].residents++;
        t->stats.residents++;
        t->stats.floating += floating;
        c->out->residents++;
    }
    return rc;
}

/* Households of one to five: couples, their children, now and then a
 * grandparent; single households are old people or young workers. A tenth
 * are floating, registered in their home region. */
static int write_residents(struct ctx *c, struct tree *t)
{
    if (t->target <= 0 || t->nblds == 0)
        return 0;
    rng r = stream(c->seed, (uint64_t)t->idx, 3);
    int64_t *cum = malloc(sizeof *cum * (size_t)t->nblds);
    cg_arena *a = cg_arena_new();
    int rc = cum && a ? 0 : CG_ENOMEM;
    int64_t sum = 0;
    for (int i = 0; !rc && i < t->nblds; i++) {
        const struct building *b = &t->blds[i];
        sum += b->urban ? b->units * b->floors * 2 : 30;
        cum[i] = sum;
    }
    int64_t household_no = 0;
    while (!rc && t->stats.residents < t->target) {
        struct person m[5];
        int roll = (int)below(&r, 100);
        int size = roll < 15 ? 1 : roll < 40 ? 2 : roll < 70 ? 3 : roll < 90 ? 4 : 5;
        if (size > t->target - t->stats.residents)
            size = (int)(t->target - t->stats.residents);
        int floating = chance(&r, 0.10);
        const char *region =
            floating ? home_regions[below(&r, sizeof home_regions / sizeof home_regions[0])]
                     : t->spec->code;
        const char *husband_name = cg__demo_surname(next64(&r)),
                   *wife_name = cg__demo_surname(next64(&r));
        int n = 0;
        if (size == 1) {
            int old = !floating && chance(&r, 0.6);
            int female = chance(&r, old ? 0.6 : 0.35);
            rc = make_person(c, &r, region, female ? wife_name : husband_name, female,
                             old ? between(&r, 62, 92) : between(&r, 19, 45), &m[n++]);
        } else {
            int age = floating ? between(&r, 22, 50) : between(&r, 24, 75);
            rc = make_person(c, &r, region, husband_name, 0, age, &m[n++]);
            int wife_age = age - between(&r, -2, 5);
            if (!rc)
                rc = make_person(c, &r, region, wife_name, 1, wife_age < 20 ? 20 : wife_age,
                                 &m[n++]);
            int children = size >= 5 ? 2 : size - 2;
            for (int k = 0; !rc && k < children; k++) {
                int child = wife_age - between(&r, 22, 36) - 2 * k;
                if (child < 0)
                    child = (int)below(&r, (uint32_t)(wife_age > 21 ? wife_age - 20 : 1));
                int female = chance(&r, 0.48);
                rc = make_person(c, &r, region, chance(&r, 0.95) ? husband_name : wife_name, female,
                                 child, &m[n++]);
            }
            if (!rc && size >= 5) {
                int gp = age + between(&r, 22, 32);
                rc = make_person(c, &r, region, husband_name, chance(&r, 0.6), gp > 98 ? 98 : gp,
                                 &m[n++]);
                /* A grandmother keeps her own surname. */
                if (!rc && m[n - 1].female) {
                    char given[32];
                    snprintf(given, sizeof given, "%s", m[n - 1].name + strlen(husband_name));
                    snprintf(m[n - 1].name, sizeof m[n - 1].name, "%s%s",
                             cg__demo_surname(next64(&r)), given);
                }
            }
        }
        struct building *b = &t->blds[pick_building(&r, t, cum)];
        char unit[16], room[24], household[32];
        pick_home(&r, b, unit, room);
        snprintf(household, sizeof household, "%s%06lld", t->spec->code, (long long)++household_no);
        for (int k = 0; !rc && k < n; k++)
            rc = write_person(c, t, &r, b, &m[k], household, unit[0] ? unit : NULL, room, floating,
                              size, a);
        t->stats.households++;
        if (!rc && household_no % 2000 == 0) { /* keep the arena small */
            cg_arena_free(a);
            if (!(a = cg_arena_new()))
                rc = CG_ENOMEM;
        }
    }
    cg_arena_free(a);
    free(cum);
    return rc;
}

static int write_county(struct ctx *c, struct tree *t, cg_demo_progress_fn progress, void *ud)
{
    double t0 = cg_monotonic();
    struct cg_audit_record rec = {"demo.county", "area", t->spec->code, NULL, 0, NULL};
    int rc = cg_store_begin(c->s);
    if (rc)
        return rc;
    rc = write_areas(c, t);
    if (!rc)
        rc = write_staff(c, t);
    if (!rc)
        rc = write_departments(c, t->spec->code, t->spec->name, t->id, 0);
    if (!rc)
        rc = write_places(c, t);
    if (!rc)
        rc = write_residents(c, t);
    struct cg_demo_county *st = &t->stats;
    st->code = t->spec->code;
    st->name = t->spec->name;
    st->towns = t->ntowns;
    st->communities = t->ncomms;
    st->grids = t->ngrids;
    st->buildings = t->nblds;
    rec.area_path = t->path;
    rec.detail =
        cg_arena_printf(c->mem,
                        "%s: towns=%d communities=%d grids=%d buildings=%d staff=%d places=%d"
                        " residents=%lld households=%lld",
                        t->spec->name, st->towns, st->communities, st->grids, st->buildings,
                        st->staff, st->places, (long long)st->residents, (long long)st->households);
    if (!rc)
        rc = cg_audit_write(c->s, c->actor, NULL, &rec);
    if (!rc)
        rc = cg_store_commit(c->s);
    if (rc) {
        cg_store_rollback(c->s);
        rec.outcome = rc;
        rec.area_path = NULL;
        cg_audit_commit(c->s, c->actor, NULL, &rec);
        if (!c->fe->message[0] || rc == CG_EDB)
            cg_field_fail(c->fe, rc, "", "%s %s: %s%s%s", t->spec->code, t->spec->name,
                          cg_strerror(rc), rc == CG_EDB ? ": " : "",
                          rc == CG_EDB ? cg_store_errmsg(c->s) : "");
        return rc;
    }
    st->seconds = cg_monotonic() - t0;
    if (progress)
        progress(st, ud);
    return 0;
}

/* ---- accounts ---- */

struct login_spec {
    const char *username, *role, *scope, *position, *display;
};

/* The grid with the most residents among a town's (or a county's) grids. */
static const struct grid *busiest_grid(const struct tree *t, const char *prefix)
{
    const struct grid *best = NULL;
    for (int i = 0; i < t->ngrids; i++)
        if (!strncmp(t->grids[i].code, prefix, strlen(prefix)) &&
            (!best || t->grids[i].residents > best->residents))
            best = &t->grids[i];
    return best;
}

static const struct building *busiest_building(const struct tree *t, const struct grid *g)
{
    const struct building *best = &t->blds[g->first_building];
    for (int i = 0; i < g->nbuildings; i++)
        if (t->blds[g->first_building + i].residents > best->residents)
            best = &t->blds[g->first_building + i];
    return best;
}

static const struct tree *tree_of(const struct tree *trees, const char *code)
{
    for (size_t i = 0; i < NCOUNTIES; i++)
        if (!strcmp(trees[i].spec->code, code))
            return &trees[i];
    return NULL;
}

/* The name of the first staff member in position on area, or NULL. */
static const char *staff_name(struct ctx *c, const char *area_code, const char *position)
{
    cg_stmt *st = NULL;
    const char *name = NULL;
    if (cg_store_query(c->s, &st,
                       "SELECT s.name FROM staff_assignments s JOIN areas a ON a.id = s.area_id"
                       " WHERE a.code = ? AND s.position = ? ORDER BY s.id LIMIT 1",
                       "ss", area_code, position))
        return NULL;
    if (cg_stmt_step(st) == CG_ROW)
        name = cg_arena_strdup(c->mem, cg_stmt_text(st, 0));
    cg_stmt_reset(st);
    return name;
}

static int write_logins(struct ctx *c, cg_arena *a, const struct tree *trees)
{
    const struct tree *yg = tree_of(trees, CG_DEMO_YANGGAO), *xr = tree_of(trees, "140212");
    const struct grid *g = busiest_grid(yg, CG_DEMO_LONGQUAN), *gx = busiest_grid(xr, "140212");
    const struct building *b = busiest_building(yg, g);
    const char *community = yg->comms[g->community].code;
    const struct login_spec specs[] = {
        {"centre_datong", "centre", c->city_code, NULL, "大同市综治中心"},
        {"centre_yanggao", "centre", CG_DEMO_YANGGAO, NULL, "阳高县综治中心"},
        {"commander_longquan", "commander", CG_DEMO_LONGQUAN, "commander", "龙泉镇指挥长"},
        {"grid_head_longquan", "grid_head", community, "grid_head", "网格长"},
        {"grid_worker", "grid_worker", g->code, "grid_worker", "网格员"},
        {"building_head", "building_head", b->code, "building_head", "楼栋长"},
        {"grid_worker_xinrong", "grid_worker", gx->code, "grid_worker", "网格员"},
        {"cdc", "cdc", c->city_code, NULL, "大同市疾控中心流调组"},
        {"sampler_nansanlu", "sampler", CG_DEMO_NANSANLU, NULL, "南三路社区采样队"},
        {"checkpoint_yanggao", "checkpoint", CG_DEMO_YANGGAO, NULL, "阳高县卡口值守"},
        {"dept_health_yanggao", "department", CG_DEMO_YANGGAO, NULL, "阳高县卫生健康局"},
    };
    size_t n = sizeof specs / sizeof specs[0];
    char *password = cg_arena_alloc(a, 13);
    struct cg_demo_login *logins = cg_arena_calloc(a, sizeof *logins * n);
    if (!password || !logins)
        return CG_ENOMEM;
    cg_secret_password(password, 12);
    for (size_t i = 0; i < n; i++) {
        const char *who =
            specs[i].position ? staff_name(c, specs[i].scope, specs[i].position) : NULL;
        const char *display =
            who ? cg_arena_printf(a, "%s（%s）", who, specs[i].display) : specs[i].display;
        /* The department's account belongs to the county's health bureau,
         * so that it sees the cases dispatched to it. */
        const char *dept = strcmp(specs[i].role, "department")
                               ? NULL
                               : cg_arena_printf(a, "%s-health", specs[i].scope);
        struct cg_user_input in = {specs[i].username, display,  specs[i].role,
                                   specs[i].scope,    password, dept};
        struct cg_user u;
        int rc = cg_user_create(c->s, c->actor, &in, a, &u, c->fe);
        if (rc)
            return rc;
        logins[i] = (struct cg_demo_login){specs[i].username, specs[i].role, u.area.code,
                                           u.area.name, u.display_name};
    }
    /* The accounts of staff members are linked to their assignment, so that
     * a responsibility card names the account. */
    struct cg_audit_record rec = {"demo.logins", "user", NULL,
                                  c->city_path,  0,      "linked demo accounts to staff"};
    int rc = cg_store_begin(c->s);
    for (size_t i = 0; !rc && i < n; i++)
        if (specs[i].position)
            rc = cg_store_run(
                c->s, NULL,
                "UPDATE staff_assignments SET user_id = (SELECT id FROM users WHERE username = ?)"
                " WHERE id = (SELECT MIN(s.id) FROM staff_assignments s JOIN areas a"
                " ON a.id = s.area_id WHERE a.code = ? AND s.position = ?)",
                "sss", specs[i].username, specs[i].scope, specs[i].position);
    if (!rc)
        rc = cg_audit_write(c->s, c->actor, NULL, &rec);
    if (!rc)
        rc = cg_store_commit(c->s);
    if (rc) {
        cg_store_rollback(c->s);
        return rc;
    }
    c->out->password = password;
    c->out->logins = logins;
    c->out->nlogins = n;
    c->out->grid_code = cg_arena_strdup(a, g->code);
    return 0;
}

/* ---- the whole city ---- */

int cg_demo_check(cg_store *s, int *initialised, struct cg_field_error *fe)
{
    char id[40];
    int rc = cg_deployment_id(s, id);
    if (rc && rc != CG_ENOTFOUND)
        return rc;
    *initialised = rc == 0;
    cg_stmt *st = NULL;
    rc = cg_store_query(
        s, &st,
        "SELECT (SELECT COUNT(*) FROM areas), (SELECT COUNT(*) FROM users),"
        " (SELECT COUNT(*) FROM residents), (SELECT COUNT(*) FROM places),"
        " (SELECT COUNT(*) FROM staff_assignments), (SELECT COUNT(*) FROM departments)",
        "");
    if (rc)
        return rc;
    int64_t v[6] = {0};
    rc = cg_stmt_step(st);
    for (int i = 0; rc == CG_ROW && i < 6; i++)
        v[i] = cg_stmt_int(st, i);
    cg_stmt_reset(st);
    if (rc != CG_ROW)
        return rc ? rc : CG_EDB;
    int64_t areas = *initialised ? 1 : 0, users = *initialised ? 1 : 0;
    if (v[0] > areas || v[1] > users || v[2] || v[3] || v[4] || v[5])
        return cg_field_fail(
            fe, CG_ECONFLICT, "db",
            "the database already holds data (%lld areas, %lld accounts, %lld residents,"
            " %lld places, %lld staff, %lld departments); the demo only fills a new"
            " database or one that 'civgrid init' has just created",
            (long long)v[0], (long long)v[1], (long long)v[2], (long long)v[3], (long long)v[4],
            (long long)v[5]);
    return 0;
}

/* The city node and its departments: the root itself when the database was
 * made for Datong, else a child of whatever root it has. */
static int write_city(struct ctx *c)
{
    struct cg_audit_record rec = {"demo.city", "area", CG_DEMO_CITY_CODE, NULL, 0, "大同市"};
    int rc = cg_store_begin(c->s);
    if (rc)
        return rc;
    if (!strcmp(c->actor->area_code, CG_DEMO_CITY_CODE)) {
        c->city_id = c->actor->area_id;
        c->city_path = c->actor->area_path;
    } else {
        rc = insert_area(c, c->actor->area_id, c->actor->area_path, "city", CG_DEMO_CITY_CODE,
                         CG_DEMO_CITY_NAME, &c->city_id, &c->city_path);
    }
    c->city_code = CG_DEMO_CITY_CODE;
    if (!rc)
        rc = write_departments(c, CG_DEMO_CITY_CODE, CG_DEMO_CITY_NAME, c->city_id, 1);
    rec.area_path = c->city_path;
    if (!rc)
        rc = cg_audit_write(c->s, c->actor, NULL, &rec);
    if (!rc)
        rc = cg_store_commit(c->s);
    if (rc)
        cg_store_rollback(c->s);
    return rc;
}

int cg_demo_build(cg_store *s, const struct cg_actor *actor, const struct cg_demo_options *opt,
                  cg_demo_progress_fn progress, void *ud, cg_arena *a, struct cg_demo_result *out,
                  struct cg_field_error *fe)
{
    double t0 = cg_monotonic();
    memset(out, 0, sizeof *out);
    if (!cg_actor_can(actor, CG_PERM_AREAS_WRITE | CG_PERM_USERS_WRITE | CG_PERM_PEOPLE_WRITE) ||
        !actor->area_path ||
        strchr(actor->area_path + 1, '/') != actor->area_path + strlen(actor->area_path) - 1)
        return CG_EFORBIDDEN; /* an administrator over the root */
    int initialised = 0;
    int rc = cg_demo_check(s, &initialised, fe);
    if (rc)
        return rc;
    if (!initialised)
        return CG_ENOTFOUND;
    int64_t residents = opt && opt->residents > 0 ? opt->residents : 20000;
    struct ctx c = {
        .s = s, .actor = actor, .fe = fe, .out = out, .seed = opt && opt->seed ? opt->seed : 1};
    struct tree trees[NCOUNTIES];
    memset(trees, 0, sizeof trees);
    c.mem = cg_arena_new();
    c.ids = cg_strmap_new();
    rc = c.mem && c.ids ? 0 : CG_ENOMEM;
    int64_t capacity = 0;
    for (size_t i = 0; !rc && i < NCOUNTIES; i++) {
        trees[i].spec = &counties[i];
        trees[i].idx = (int)i;
        rc = draw_tree(&c, &trees[i]);
        capacity += trees[i].capacity;
    }
    /* Residents by the households each county's buildings hold (largest
     * remainder, so that the shares add up exactly). */
    int64_t given = 0, rem[NCOUNTIES];
    for (size_t i = 0; !rc && i < NCOUNTIES; i++) {
        trees[i].target = residents * trees[i].capacity / capacity;
        rem[i] = residents * trees[i].capacity % capacity;
        given += trees[i].target;
    }
    while (!rc && given < residents) {
        size_t best = 0;
        for (size_t i = 1; i < NCOUNTIES; i++)
            if (rem[i] > rem[best])
                best = i;
        trees[best].target++;
        rem[best] = -1;
        given++;
    }
    if (!rc)
        rc = write_city(&c);
    if (!rc)
        rc = cg_resident_checker_new(s, actor, &c.checker);
    for (size_t i = 0; !rc && i < NCOUNTIES; i++)
        rc = write_county(&c, &trees[i], progress, ud);
    if (!rc)
        rc = write_logins(&c, a, trees);
    struct cg_demo_cases cases;
    if (!rc)
        rc = cg__demo_cases(s, actor, CG_DEMO_YANGGAO, c.seed, cg_now(), &cases);
    out->seconds = cg_monotonic() - t0;
    cg_resident_checker_free(c.checker);
    cg_strmap_free(c.ids);
    cg_arena_free(c.mem);
    return rc;
}
