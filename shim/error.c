/* error.c - the error struct shared by every libiqn call. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int iqn_error_set(struct iqn_error *err, enum iqn_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return (int)code;
}

void iqn_error_clear(struct iqn_error *err)
{
    if (err) {
        err->code = IQN_OK;
        err->message[0] = '\0';
    }
}

const char *iqn_status_name(enum iqn_status code)
{
    switch (code) {
    case IQN_OK: return "ok";
    case IQN_EINVAL: return "invalid";
    case IQN_ENOMEM: return "too_large";
    case IQN_EIO: return "io_error";
    case IQN_ENOTFOUND: return "not_found";
    case IQN_ELOCKED: return "locked";
    case IQN_EINDEX: return "index_error";
    case IQN_EINTERNAL: return "internal";
    }
    return "internal";
}
