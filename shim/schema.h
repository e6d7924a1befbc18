/* schema.h - the record schema, defined once: fields, facets, term prefixes, value slots.
 *
 * How multi-valued facets are stored and counted (see docs/DESIGN.md):
 * each facet has one boolean term per code for filtering (prefix + lower-cased code),
 * and one value slot holding the record's whole set of codes, sorted and joined by ','.
 * Xapian's built-in ValueCountMatchSpy counts those sets, one per document, and we split
 * each set and add its count to every code in it. That is exact for multi-valued facets
 * and, being a stock spy, is serialised to remote shards (xapian-tcpsrv) and merged there. */
#ifndef IQN_SCHEMA_H
#define IQN_SCHEMA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every field of a record (SPEC section 2). Order is the order of output. */
enum iqn_field {
    IQN_F_ID,
    IQN_F_TYPE,
    IQN_F_LANG,
    IQN_F_PAIR,
    IQN_F_TITLE,
    IQN_F_SUMMARY,
    IQN_F_BODY,
    IQN_F_PROVINCE,
    IQN_F_PROFESSION,
    IQN_F_TOPIC,
    IQN_F_ORGANIZATION,
    IQN_F_AUTHOR,
    IQN_F_DATE,
    IQN_F_URL,
    IQN_F_SOURCE,
    IQN_F_STATUS,
    IQN_F_CONTACT,
    IQN_F_RESULTS,
    IQN_F_LESSONS,
    IQN_F_COUNT
};

/* The facets a search can filter and count on. */
enum iqn_facet {
    IQN_FACET_PROVINCE,
    IQN_FACET_PROFESSION,
    IQN_FACET_TOPIC,
    IQN_FACET_TYPE,
    IQN_FACET_LANG,
    IQN_FACET_COUNT
};

struct iqn_field_info {
    const char *name;    /* field name in XML, JSON and the API */
    int multi;           /* 0..n values (arrays in JSON) */
    int required;
    size_t max_len;      /* bytes, per value */
    const char *prefix;  /* free-text term prefix for field searches ("title:"), or NULL */
    int text_weight;     /* wdf multiplier when indexed as free text; 0 = not free text */
    int vocab;           /* enum iqn_facet of the vocabulary it must match, or -1 */
};

struct iqn_facet_info {
    const char *name;        /* API parameter and vocabulary file name */
    enum iqn_field field;    /* the record field that carries it */
    const char *prefix;      /* boolean term prefix; terms are prefix + lower-cased code */
    unsigned slot;           /* value slot holding the sorted, ','-joined code set */
};

/* Value slots. */
#define IQN_SLOT_DATE 0      /* YYYYMMDD, zero padded ("2021" -> "20210000") */
#define IQN_SLOT_HASH 6      /* content hash (16 hex digits): unchanged records are not rewritten */
#define IQN_SLOT_SORT 8      /* date key then id: a total order, the same however the index is sharded */
#define IQN_SLOT_TIEBREAK 9  /* a tiny weight (sortable_serialise) ordering records of equal relevance */
#define IQN_SLOT_BODY 10     /* the stored record's body; its other fields are the document data */

/* Bumped whenever the way records are indexed changes: every record is then re-indexed by the
 * next import (it is part of the content hash). */
#define IQN_SCHEMA_VERSION 6

/* Boolean term prefixes. */
#define IQN_PREFIX_ID "Q"
#define IQN_PREFIX_YEAR "Y"
#define IQN_TERM_PAIRED "XPAIRED" /* the record's translation is indexed too, and its text is in this document */

#define IQN_STUB_NAME "iqn.stub" /* in a sharded index's folder: the Xapian stub listing its shards */
#define IQN_SHARDS_MAX 256
#define IQN_ID_MAX 128
#define IQN_BODY_MAX (8u * 1024 * 1024)  /* a 300-page report is ~1 MB of text */
#define IQN_FACET_VALUES_MAX 64          /* codes of one facet on one record */

extern const struct iqn_field_info iqn_fields[IQN_F_COUNT];
extern const struct iqn_facet_info iqn_facets[IQN_FACET_COUNT];

/* Field by name, or -1. */
int iqn_field_lookup(const char *name, size_t len);
/* Facet by name, or -1. */
int iqn_facet_lookup(const char *name);

#ifdef __cplusplus
}
#endif
#endif
