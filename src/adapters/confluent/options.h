/*
 * Statement properties of a model on Confluent Cloud (config statement_properties, as
 * dbt-confluent names it): a mapping of sql.* options sent as the statement's spec.properties.
 */
#ifndef SLUICE_ADAPTERS_CONFLUENT_OPTIONS_H
#define SLUICE_ADAPTERS_CONFLUENT_OPTIONS_H

#include <stddef.h>

#include <sluice/flink.h>

#include "core/arena.h"
#include "value/value.h"

/* The properties of v (a mapping, none or undefined: no properties) into *pkv, *pn (arena a).
 * Values are sent as text (true/false lower case). The three keys the client sets itself
 * (sql.current-catalog, sql.current-database, sql.snapshot.mode) are refused, as dbt-confluent's
 * driver refuses them. -1 with *perr (arena a) when v is not a mapping of scalars. */
int cc_statement_properties(value v, struct arena *a, struct flink_kv **pkv, size_t *pn, char **perr);

#endif
