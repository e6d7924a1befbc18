/* gen_record.h - generates synthetic IQN record number i of a seeded run, as IQN XML or JSON Lines. */
#ifndef IQN_GEN_RECORD_H
#define IQN_GEN_RECORD_H

#include <stdint.h>

#include "gen_buf.h"
#include "gen_model.h"

/* Append record i (ids are "gen-<seed>-<i>") to out: an indented <record> element for XML
 * (the caller writes the <records> wrapper), or one JSON object and a newline. The record
 * depends only on (model, seed, i), never on other records or on the clock. */
int iqn_gen_record(const struct iqn_gen_model *m, uint64_t seed, uint64_t i, enum iqn_gen_format fmt,
                   struct iqn_gen_buf *out, struct iqn_gen_error *err);

#endif
