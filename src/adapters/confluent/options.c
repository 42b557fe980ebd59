/*
 * Statement properties of a model on Confluent Cloud (see options.h). Reference: §11 of the
 * Confluent Statements API notes (properties are strings; the client owns three keys).
 */
#include <string.h>

#include "adapters/confluent/options.h"

static const char *const reserved[] = {"sql.current-catalog", "sql.current-database", "sql.snapshot.mode", NULL};

int cc_statement_properties(value v, struct arena *a, struct flink_kv **pkv, size_t *pn, char **perr)
{
	*pkv = NULL;
	*pn = 0;
	if (v.type == V_UNDEF || v.type == V_NONE)
		return 0;
	if (v.type != V_DICT) {
		*perr = arena_strdup(a, "statement_properties must be a mapping of property names to values, e.g. "
					"{'sql.state-ttl': '1 h'}");
		return -1;
	}
	struct flink_kv *kv = ARENA_ARRAY(a, struct flink_kv, v.d->len + 1);
	size_t n = 0;
	for (uint32_t i = 0; i < v.d->len; i++) {
		value k = v.d->e[i].key, x = v.d->e[i].val;
		const char *key = val_cstr(a, k.type == V_STR ? k : val_to_str(a, k));
		for (int r = 0; reserved[r]; r++)
			if (!strcmp(key, reserved[r])) {
				*perr = arena_sprintf(a, "statement_properties: '%s' is a reserved system property: Sluice sets "
							 "it from the profile (and sql.snapshot.mode for bounded statements)", key);
				return -1;
			}
		if (x.type == V_LIST || x.type == V_DICT || x.type == V_NONE || x.type == V_UNDEF) {
			*perr = arena_sprintf(a, "statement_properties: the value of '%s' must be a string, number or boolean",
					      key);
			return -1;
		}
		const char *val = x.type == V_BOOL ? (x.b ? "true" : "false")
				  : val_cstr(a, x.type == V_STR ? x : val_to_str(a, x));
		kv[n++] = (struct flink_kv){key, val};
	}
	*pkv = kv;
	*pn = n;
	return 0;
}
