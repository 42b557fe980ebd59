/* Adapter registry: maps a profile's `type:` to its vtable. */
#include "adapters/adapter.h"

#include <string.h>

const struct adapter_vtable *adapter_find(const char *type)
{
	static const struct adapter_vtable *const all[] = {&adapter_duckdb, &adapter_flink, &adapter_postgres,
									  &adapter_confluent};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->type, type))
			return all[i];
	return NULL;
}

const char *relation_type_name(enum relation_type t)
{
	switch (t) {
	case REL_TABLE: return "table";
	case REL_VIEW: return "view";
	case REL_EXTERNAL: return "external";
	case REL_MATERIALIZED_VIEW: return "materialized_view";
	default: return "unknown";
	}
}

const char *adapter_sql_body(const char *sql)
{
	for (;;) {
		while (*sql == ' ' || (*sql >= '\t' && *sql <= '\r'))
			sql++;
		if (sql[0] == '-' && sql[1] == '-') {
			while (*sql && *sql != '\n')
				sql++;
		} else if (sql[0] == '/' && sql[1] == '*') {
			const char *e = strstr(sql + 2, "*/");
			sql = e ? e + 2 : sql + strlen(sql);
		} else {
			return sql;
		}
	}
}
