/* ui_query.h - the state of a search page, read from its URL (the parameters of the JSON search
 * API, less the API-only ones), turned into a shim query, and written back into URLs. */
#ifndef IQN_UI_QUERY_H
#define IQN_UI_QUERY_H

#include <stddef.h>

#include "buf.h"
#include "db.h"
#include "params.h"
#include "vocab.h"

struct MHD_Connection;

#define IQN_UI_PER_PAGE 10
#define IQN_UI_PAGE_MAX 1001 /* the API's deepest offset (10000) at 10 a page */
#define IQN_UI_CODES_MAX 64  /* selected values of one facet */
#define IQN_UI_Q_MAX 1024

enum iqn_ui_sort { IQN_UI_SORT_RELEVANCE, IQN_UI_SORT_OLDEST, IQN_UI_SORT_NEWEST, IQN_UI_SORT_COUNT };

/* Strings point into the request (MHD's argument storage) or the vocabularies. */
struct iqn_ui_query {
    int lang;                        /* the page's language, enum iqn_lang */
    const char *q;                   /* NULL when empty */
    const char *codes[IQN_FACET_COUNT][IQN_UI_CODES_MAX]; /* canonical codes, no duplicates */
    size_t ncodes[IQN_FACET_COUNT];
    const char *from, *to;           /* as given (YYYY, YYYY-MM, YYYY-MM-DD), NULL when open */
    char from_key[9], to_key[9];     /* their keys (iqn_date_key) */
    int sort;                        /* enum iqn_ui_sort as asked; the default depends on q */
    int sort_given;                  /* sort was in the URL */
    unsigned long page;              /* 1-based */
    const char *pf;                  /* "search within professions" text of the no-JS form */
    int partial;                     /* partial=1: answer only the results region */
};

/* The sort names of the URL (the API's): "relevance", "date", "-date". */
extern const char *const iqn_ui_sort_names[IQN_UI_SORT_COUNT];

/* Read the page's parameters from conn into a new query (*out, freed with iqn_ui_query_free; NULL
 * when memory ran out, and then -1 with pe saying so). An unknown parameter or code, a bad date or
 * page is an error naming the parameter (*out is then still set, for the caller to free). */
int iqn_ui_query_read(struct MHD_Connection *conn, const struct iqn_vocab *vocab, int lang, struct iqn_ui_query **out,
                      struct iqn_param_error *pe);
/* Free a query from iqn_ui_query_read (NULL is fine). */
void iqn_ui_query_free(struct iqn_ui_query *uq);

/* The sort in effect: the one asked for, else relevance with a query and newest first without. */
int iqn_ui_query_sort(const struct iqn_ui_query *uq);
/* 1 if a facet value or a date bound is selected. */
int iqn_ui_query_has_filters(const struct iqn_ui_query *uq);

/* Fill q for this page (q borrows uq's strings): filters, dates, sort, this page of 10 hits. */
void iqn_ui_query_search(const struct iqn_ui_query *uq, struct iqn_query *q);

/* Drop the i-th selected value of facet f. */
void iqn_ui_query_remove(struct iqn_ui_query *uq, int f, size_t i);
/* Drop every facet value and both date bounds (the query and sort stay). */
void iqn_ui_query_clear_filters(struct iqn_ui_query *uq);

/* Append path and the query string of uq's state to u: q, facets, from, to, sort (when asked),
 * page (when above 1). pf and partial are never written. */
int iqn_ui_query_url(struct iqn_buf *u, const char *path, const struct iqn_ui_query *uq);

#endif
