/* schema.c - the one table of record fields and facets. */
#include "schema.h"

#include <string.h>

#define KB 1024u
const struct iqn_field_info iqn_fields[IQN_F_COUNT] = {
    [IQN_F_ID] = {"id", 0, 1, IQN_ID_MAX, NULL, 0, -1},
    [IQN_F_TYPE] = {"type", 0, 1, 32, NULL, 0, IQN_FACET_TYPE},
    [IQN_F_LANG] = {"lang", 0, 1, 8, NULL, 0, IQN_FACET_LANG},
    [IQN_F_PAIR] = {"pair", 0, 0, IQN_ID_MAX, NULL, 0, -1},
    [IQN_F_TITLE] = {"title", 0, 1, 2 * KB, "S", 3, -1},
    [IQN_F_SUMMARY] = {"summary", 0, 0, 64 * KB, "XS", 2, -1},
    [IQN_F_BODY] = {"body", 0, 0, IQN_BODY_MAX, NULL, 1, -1},
    [IQN_F_PROVINCE] = {"province", 1, 0, 8, NULL, 0, IQN_FACET_PROVINCE},
    [IQN_F_PROFESSION] = {"profession", 1, 0, 8, NULL, 0, IQN_FACET_PROFESSION},
    [IQN_F_TOPIC] = {"topic", 1, 0, 64, NULL, 0, IQN_FACET_TOPIC},
    [IQN_F_ORGANIZATION] = {"organization", 0, 0, 1 * KB, "XO", 1, -1},
    [IQN_F_AUTHOR] = {"author", 0, 0, 1 * KB, "A", 1, -1},
    [IQN_F_DATE] = {"date", 0, 0, 32, NULL, 0, -1},
    [IQN_F_URL] = {"url", 0, 0, 2 * KB, NULL, 0, -1},
    [IQN_F_SOURCE] = {"source", 0, 0, 4 * KB, NULL, 0, -1},
    [IQN_F_STATUS] = {"status", 0, 0, 16, NULL, 0, -1},
    [IQN_F_CONTACT] = {"contact", 0, 0, 4 * KB, NULL, 1, -1},
    [IQN_F_RESULTS] = {"results", 0, 0, 256 * KB, NULL, 1, -1},
    [IQN_F_LESSONS] = {"lessons", 0, 0, 256 * KB, NULL, 1, -1},
};

const struct iqn_facet_info iqn_facets[IQN_FACET_COUNT] = {
    [IQN_FACET_PROVINCE] = {"province", IQN_F_PROVINCE, "XP", 1},
    [IQN_FACET_PROFESSION] = {"profession", IQN_F_PROFESSION, "XN", 2},
    [IQN_FACET_TOPIC] = {"topic", IQN_F_TOPIC, "XK", 3},
    [IQN_FACET_TYPE] = {"type", IQN_F_TYPE, "XT", 4},
    [IQN_FACET_LANG] = {"lang", IQN_F_LANG, "L", 5},
};

int iqn_field_lookup(const char *name, size_t len)
{
    for (int i = 0; i < IQN_F_COUNT; i++)
        if (strlen(iqn_fields[i].name) == len && memcmp(iqn_fields[i].name, name, len) == 0)
            return i;
    return -1;
}

int iqn_facet_lookup(const char *name)
{
    for (int i = 0; i < IQN_FACET_COUNT; i++)
        if (strcmp(iqn_facets[i].name, name) == 0)
            return i;
    return -1;
}
