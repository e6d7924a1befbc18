/* report.h - the --report file: every file or record that failed or was skipped, one row each,
 * as CSV (path,line,id,status,reason) or, when the file name ends in ".json", a JSON array of
 * {"path","line","id","status","reason"} objects. Rows are written as they come (memory stays
 * flat); the file is written to NAME.tmp and renamed into place when closed. */
#ifndef IQN_REPORT_H
#define IQN_REPORT_H

#include "error.h"

struct iqn_report;

/* Create the report at path. */
int iqn_report_open(const char *path, struct iqn_report **out, struct iqn_error *err);
/* One row: line 0 and id NULL when unknown; status "failed" or "skipped". */
void iqn_report_add(struct iqn_report *r, const char *path, long line, const char *id, const char *status,
                    const char *reason);
/* Finish and rename into place; frees r (accepts NULL). Non-OK when the file could not be written. */
int iqn_report_close(struct iqn_report *r, struct iqn_error *err);

#endif
