/* error.h - status codes and the caller-owned error struct every libiqn call fills. */
#ifndef IQN_ERROR_H
#define IQN_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum iqn_status {
    IQN_OK = 0,
    IQN_EINVAL,    /* bad input: record, parameter, query */
    IQN_ENOMEM,    /* allocation failed or a size cap was hit */
    IQN_EIO,       /* file system or network error */
    IQN_ENOTFOUND, /* no such record, file or index */
    IQN_ELOCKED,   /* the index is locked by another writer */
    IQN_EINDEX,    /* the index is damaged, or of an unknown format */
    IQN_EINTERNAL  /* anything else: a bug, or an unexpected library error */
};

/* Filled by a failing call; the message names what was wrong and why. */
struct iqn_error {
    enum iqn_status code;
    char message[512];
};

/* Set err (may be NULL) to code and a printf-style message; returns code. */
int iqn_error_set(struct iqn_error *err, enum iqn_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear err (may be NULL) to IQN_OK with an empty message. */
void iqn_error_clear(struct iqn_error *err);

/* A short stable name of a status ("invalid", "not_found", ...). */
const char *iqn_status_name(enum iqn_status code);

#ifdef __cplusplus
}
#endif
#endif
