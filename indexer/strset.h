/* strset.h - a set of byte strings (record ids) with copies of its members: open addressing. */
#ifndef IQN_STRSET_H
#define IQN_STRSET_H

#include <stddef.h>

struct iqn_strset;

struct iqn_strset *iqn_strset_new(void); /* NULL when memory runs out */
void iqn_strset_free(struct iqn_strset *s); /* accepts NULL */
/* Add s (len bytes): 1 if added, 0 if it was there, -1 when memory runs out. */
int iqn_strset_add(struct iqn_strset *set, const char *s, size_t len);
int iqn_strset_has(const struct iqn_strset *set, const char *s, size_t len);
/* Add every id of a space-separated list; -1 when memory runs out. */
int iqn_strset_add_list(struct iqn_strset *set, const char *ids);

#endif
