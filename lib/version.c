/* What this build is: the API description compiled into it. */
#include "civgrid/version.h"

#include "embedded.h"

const char *cg_api_description(size_t *len)
{
    if (len)
        *len = cg__api_docs[0].len;
    return cg__api_docs[0].data;
}
