#include "civgrid/error.h"

#include <stddef.h>

struct err_entry {
    int code;
    const char *name;
    int status;
    const char *message;
};

static const struct err_entry errors[] = {
#define ENTRY(name, val, str, status, msg) {val, str, status, msg},
    CG_ERRNO_MAP(ENTRY)
#undef ENTRY
};

static const struct err_entry *find(int err)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].code == err)
            return &errors[i];
    return NULL;
}

const char *cg_strerror(int err)
{
    const struct err_entry *e = find(err);
    if (err == 0)
        return "success";
    return e ? e->message : "unknown error";
}

const char *cg_err_name(int err)
{
    const struct err_entry *e = find(err);
    if (err == 0)
        return "ok";
    return e ? e->name : "internal_error";
}

int cg_err_http_status(int err)
{
    const struct err_entry *e = find(err);
    return e ? e->status : 500;
}
