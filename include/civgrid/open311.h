/* Open311 GeoReport v2 (docs/open311.md): the services residents may file
 * through a client such as FixMyStreet, the requests filed that way, and
 * what happened to them. The HTTP layer (src/http/routes/open311.c) renders
 * these in XML and JSON; this is what it reads and writes.
 *
 * What is public: Open311's GET methods need no key, so they answer only
 * what the specification publishes: the requests filed through Open311
 * (never other cases), their service, description as filed, address,
 * location, status and times, and the unit that holds them. Never the
 * reporter's name, phone or email. Strings are arena memory. */
#ifndef CIVGRID_OPEN311_H
#define CIVGRID_OPEN311_H

#include <stddef.h>
#include <stdint.h>

#include "civgrid/actor.h"
#include "civgrid/arena.h"
#include "civgrid/field.h"
#include "civgrid/store.h"

/* A service: an active category of the catalogue that residents may file
 * (event and request domains; not disputes, suggestions, findings,
 * assistance or positive dispatch, which name people or are staff work). */
struct cg_o311_service {
    const char *code;        /* the category's code */
    const char *name;        /* its zh or en name, by lang */
    const char *description; /* "<domain>: <name>" in lang */
    const char *group;       /* the domain's name in lang */
    const char *keywords;    /* the code's words, comma-separated */
};

/* One attribute of every service definition (the spec's attribute). */
struct cg_o311_attribute {
    const char *code;
    const char *datatype; /* string | text */
    int required;
    const char *zh, *en; /* the description, by lang */
};
extern const struct cg_o311_attribute cg_o311_attributes[]; /* ended by a NULL code */

/* lang is "zh" or "en". */
int cg_open311_services(cg_store *s, const char *lang, cg_arena *a, struct cg_o311_service **items,
                        size_t *n);
/* CG_ENOSERVICE when code is no service. */
int cg_open311_service_get(cg_store *s, const char *code, const char *lang, cg_arena *a,
                           struct cg_o311_service *out);

/* What a client files (POST requests). Text as received; checked here. */
struct cg_o311_input {
    const char *service_code;
    const char *lat, *lon; /* decimal degrees as sent, or NULL */
    const char *address_string, *address_id;
    const char *email, *first_name, *last_name, *phone;
    const char *description, *media_url;
    const char *title, *building; /* attribute[title], attribute[building] */
};

/* Files a request as a case of type request, source open311, in the key
 * actor's area (cg_apikey_resolve), with its Open311 row, audited as
 * case.report, in one transaction. Field errors name the Open311 field.
 * *id gets the case's id (the service_request_id). */
int cg_open311_file(cg_store *s, const struct cg_actor *key_actor, const struct cg_o311_input *in,
                    cg_arena *a, int64_t *id, struct cg_field_error *fe);

/* A filed request as Open311 shows it. */
struct cg_o311_request {
    int64_t id;
    const char *status;       /* open | closed */
    const char *state;        /* the case's state (external_status_code) */
    const char *status_notes; /* the state's name in lang, and the holder's last public note */
    const char *service_code, *service_name;
    const char *description, *agency, *address, *media_url;
    int64_t requested, updated, expected; /* epoch seconds; expected 0: none */
    int has_location;
    int64_t lat_e6, lon_e6;
};

struct cg_o311_query {
    const int64_t *ids; /* service_request_id: when given, the rest is ignored */
    size_t n_ids;
    const char *service_codes; /* comma-separated, or NULL */
    const char *status;        /* open | closed | NULL */
    int64_t start, end;        /* [start, end) of the filing time */
    int64_t page, page_size;   /* page from 1 */
};

/* The requests that match q, newest first. */
int cg_open311_requests(cg_store *s, const struct cg_o311_query *q, const char *lang, cg_arena *a,
                        struct cg_o311_request **items, size_t *n);

/* One entry of a request's timeline (the servicerequestupdates extension). */
struct cg_o311_update {
    int64_t id, request_id, at;
    const char *status;      /* open | closed after it */
    const char *state;       /* the case's state after it */
    const char *description; /* the action's name in lang, and its note when public */
};

/* The timeline entries (but the filing) of Open311 requests made in
 * [start, end), oldest first, one page. */
int cg_open311_updates(cg_store *s, int64_t start, int64_t end, int64_t page, int64_t page_size,
                       const char *lang, cg_arena *a, struct cg_o311_update **items, size_t *n);

#endif
