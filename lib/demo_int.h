/* Internals of the demo (lib/demo.c, lib/demo_names.c): the name lists. */
#ifndef CIVGRID_DEMO_INT_H
#define CIVGRID_DEMO_INT_H

#include <stddef.h>
#include <stdint.h>

/* A surname, common ones weighted up (r: any random value). */
const char *cg__demo_surname(uint64_t r);

/* A given name fitting the birth year's fashion and the sex, into out. */
void cg__demo_given_name(char *out, size_t outsize, int birth_year, int female, uint64_t r);

/* Word lists for place names. */
enum cg__demo_list {
    CG__DEMO_COMMUNITY,      /* 光明路 -> 光明路社区 */
    CG__DEMO_VILLAGE_PREFIX, /* 王家 */
    CG__DEMO_VILLAGE_SUFFIX, /* 堡 -> 王家堡村 */
    CG__DEMO_LANE,           /* 东街 */
    CG__DEMO_NLISTS
};

/* The number of words in a list and one of them. */
size_t cg__demo_words(enum cg__demo_list list);
const char *cg__demo_word(enum cg__demo_list list, size_t i);

/* The demo's year of cases (lib/demo_cases.c). */
struct cg_store;
struct cg_actor;
struct cg_demo_cases {
    int64_t cases, open, events;
    double seconds;
};

/* Files a year of cases before now in the county with this code (its
 * grids, staff, departments and the demo's accounts must exist), in one
 * transaction audited as demo.cases, then rebuilds the figures' summary. */
int cg__demo_cases(struct cg_store *s, const struct cg_actor *actor, const char *county_code,
                   uint64_t seed, int64_t now, struct cg_demo_cases *out);

#endif
