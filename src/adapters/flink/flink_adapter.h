/* What of the Flink adapter other modules reach directly: its log callback and the gateway
 * session of an opened adapter, for `sluice sql`, which streams rows with their kinds as they
 * arrive.
 *
 * Module direction: adapters -> flink, value, core (flink: the Gateway client library, as
 * <sluice/flink.h>).
 */
#ifndef SLUICE_ADAPTERS_FLINK_ADAPTER_H
#define SLUICE_ADAPTERS_FLINK_ADAPTER_H

#include <sluice/flink.h>

#include "adapters/adapter.h"

struct adapter;

/* The client library's log callback that sends its lines to logs/sluice.log */
void adp_flink_log(void *ud, int level, const char *line);

/* The run's session of an adapter opened by adapter_flink.open (not to be closed by the caller) */
flink_session *adp_flink_session(struct adapter *ad);

/* A result's columns from the client library's (names and Flink SQL type text), and one value as
 * the adapter interface holds it (DECIMAL as a float, JSON of composites as text): for the
 * adapters on libsluice-flink (flink, confluent) */
void adp_flink_columns(struct adapter_result *r, const struct flink_column *cols, size_t ncols, struct arena *a);
value adp_flink_value(const struct flink_value *v, struct arena *a);

/* The Statements API connection of an adapter opened by adapter_confluent.open, and its
 * statements' name prefix and label (for `sluice sql`) */
flink_cc *adp_confluent_cc(struct adapter *ad, const char **pprefix, const char **plabel);

/* For the catalogs of both adapters (flink, confluent): whether an option key names a secret
 * (password, token, ...), whose value must not reach catalog.json, and one entry of a table's
 * stats ({id, label, value, include, description}) put into the dict stats under id */
bool adp_flink_secret_option(const char *key);
void adp_flink_catalog_stat(struct arena *a, value stats, const char *id, const char *label, value v, const char *desc);

#endif
