/* parse_xml.h - IQN XML: a <record> or a <records> collection, each record handed to the sink. */
#ifndef IQN_PARSE_XML_H
#define IQN_PARSE_XML_H

#include <stddef.h>

#include "error.h"
#include "sink.h"

/* Set libxml2 up for untrusted input: no network, no external entities or DTDs ever loaded.
 * Call once before any parse, from the main thread. */
void iqn_parse_xml_init(void);
/* Release libxml2's global state at exit. */
void iqn_parse_xml_cleanup(void);

/* Parse data (len bytes) as IQN XML for the sink's current input. Malformed XML fails the whole
 * input ("path:line: malformed XML: message"); a bad record fails only itself. Entity references
 * are never expanded. Returns non-OK only when the sink hit a fatal index error. */
int iqn_parse_xml(struct iqn_sink *s, const char *data, size_t len, struct iqn_error *err);

#endif
