/* metrics — the daemon's status in the Prometheus text exposition format
 * (version 0.0.4), for `briefwatch metrics` and for the node exporter's
 * textfile collector (config key metrics_file). A pure function of the
 * status object that the socket's "status" op returns.
 */
#ifndef BW_METRICS_H
#define BW_METRICS_H

#include <jansson.h>

#include "buf.h"

/* Append the metrics for status (the "status" reply) to out. Unknown or
 * missing members are skipped. 0 or -ENOMEM. */
int metrics_from_status(const json_t *status, struct buf *out);

/* Write text to path atomically (fileio_replace) with mode 0644 less the
 * umask. 0 or a negative errno. */
int metrics_write_file(const char *path, const char *text, size_t len);

#endif
