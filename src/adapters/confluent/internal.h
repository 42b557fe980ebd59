/* Internal interfaces between the files of the Confluent Cloud adapter (confluent.c: profile,
 * statements, methods; catalog.c: relations, columns and the docs catalog through
 * INFORMATION_SCHEMA). */
#ifndef SLUICE_ADAPTERS_CONFLUENT_INTERNAL_H
#define SLUICE_ADAPTERS_CONFLUENT_INTERNAL_H

#include "adapters/adapter.h"

/* Runs one metadata query (a snapshot statement labelled hidden, deleted once read) and
 * collects all its rows into *pres. 0, or -1 with *perr. */
int adp_cc_query(struct adapter_conn *c, const char *sql, struct adapter_result *pres, struct arena *a, char **perr);
/* The profile's environment (dbt's database) and Kafka cluster (dbt's schema) */
const char *adp_cc_env(struct adapter_conn *c);
const char *adp_cc_db(struct adapter_conn *c);
/* Sleeps ms in short steps; false when Ctrl-C cancelled the connection meanwhile */
bool adp_cc_pause(struct adapter_conn *c, long ms);
/* `name` quoted with backticks */
const char *adp_cc_quote(const char *ident, struct arena *a);

/* catalog.c */
int adp_cc_get_relation(struct adapter_conn *c, const char *database, const char *schema, const char *identifier,
			struct adapter_relation *prel, bool *pfound, struct arena *a, char **perr);
int adp_cc_list_relations(struct adapter_conn *c, const char *database, const char *schema,
			  struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr);
int adp_cc_get_columns(struct adapter_conn *c, const struct adapter_relation *rel, struct adapter_column **pcols,
		       size_t *pn, struct arena *a, char **perr);
int adp_cc_create_schema(struct adapter_conn *c, const char *database, const char *schema, struct arena *a,
			 char **perr);
int adp_cc_catalog(struct adapter_conn *c, const char *database, const char *const *schemas, size_t nschemas,
		   struct adapter_catalog_table **ptables, size_t *pn, struct arena *a, char **perr);

#endif
