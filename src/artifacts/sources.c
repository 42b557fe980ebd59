/*
 * target/sources.json: the results of `sluice source freshness`, in dbt's sources v3 schema
 * (artifacts/schemas/freshness/v3). A source whose query failed is a SourceFreshnessRuntimeError
 * ({unique_id, error, status}); the others carry their timestamps, age, status and criteria.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "artifacts/art_internal.h"

#define ART_SCHEMA_SOURCES "https://schemas.getdbt.com/dbt/sources/v3.json"

/* Python's datetime.isoformat() of an aware UTC datetime: 2024-05-01T10:00:00[.123456]+00:00 */
static const char *iso_utc(struct arena *a, double epoch)
{
	double whole = floor(epoch);
	long usec = lround((epoch - whole) * 1e6);
	if (usec >= 1000000) {
		whole += 1;
		usec -= 1000000;
	}
	int64_t secs = (int64_t)whole;
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t rem = secs - days * 86400;
	/* civil_from_days (Hinnant) */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02d:%02d:%02d", (long long)y, m, d, (int)(rem / 3600),
			 (int)(rem / 60 % 60), (int)(rem % 60));
	if (usec)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ".%06ld", usec);
	snprintf(buf + n, sizeof(buf) - (size_t)n, "+00:00");
	return arena_strdup(a, buf);
}

static value time_value(struct arena *a, value t)
{
	if (t.type != V_DICT)
		return val_none();
	value d = val_dict_new(a, 2);
	value count = val_dict_gets(t, "count"), period = val_dict_gets(t, "period");
	val_dict_sets(d, "count", count.type == V_UNDEF ? val_none() : count);
	val_dict_sets(d, "period", period.type == V_UNDEF ? val_none() : period);
	return d;
}

/* AdapterResponse with omit_none, as dbt writes it */
static value response_value(struct arena *a, value r)
{
	value d = val_dict_new(a, 3);
	for (uint32_t i = 0; r.type == V_DICT && i < r.d->len; i++)
		if (r.d->e[i].val.type != V_NONE && r.d->e[i].val.type != V_UNDEF)
			val_dict_set(d, r.d->e[i].key, r.d->e[i].val);
	return d;
}

static value timing_value(struct arena *a, const struct freshness_result *r)
{
	value list = val_list_new(a, 2);
	static const char *const names[] = {"compile", "execute"};
	for (int i = 0; i < 2; i++) {
		value t = val_dict_new(a, 3);
		val_dict_sets(t, "name", val_str(names[i]));
		/* a source compiles to nothing: its compile step is the instant the query starts */
		val_dict_sets(t, "started_at", val_str(art_iso_time_dup(a, r->execute_started)));
		val_dict_sets(t, "completed_at",
			      val_str(art_iso_time_dup(a, i ? r->execute_completed : r->execute_started)));
		val_list_push(list, t);
	}
	return list;
}

static value result_value(struct arena *a, struct project *p, const struct freshness_result *r)
{
	const struct node *n = p->nodes[r->node];
	value d = val_dict_new(a, 10);
	val_dict_sets(d, "unique_id", val_str(n->unique_id));
	if (!strcmp(r->status, "runtime error")) {
		val_dict_sets(d, "error", art_str(r->error));
		val_dict_sets(d, "status", val_str("runtime error"));
		return d;
	}
	val_dict_sets(d, "max_loaded_at", val_str(iso_utc(a, r->max_loaded_at)));
	val_dict_sets(d, "snapshotted_at", val_str(iso_utc(a, r->snapshotted_at)));
	val_dict_sets(d, "max_loaded_at_time_ago_in_s", val_float(r->age));
	val_dict_sets(d, "status", val_str(r->status));
	value crit = val_dict_new(a, 3);
	val_dict_sets(crit, "warn_after", time_value(a, val_dict_gets(n->freshness, "warn_after")));
	val_dict_sets(crit, "error_after", time_value(a, val_dict_gets(n->freshness, "error_after")));
	value filter = val_dict_gets(n->freshness, "filter");
	val_dict_sets(crit, "filter", filter.type == V_STR ? filter : val_none());
	val_dict_sets(d, "criteria", crit);
	val_dict_sets(d, "adapter_response", response_value(a, r->adapter_response));
	val_dict_sets(d, "timing", timing_value(a, r));
	val_dict_sets(d, "thread_id", val_str("Thread-1 (worker)"));
	val_dict_sets(d, "execution_time", val_float(r->execution_time));
	return d;
}

int art_write_sources(const char *path, struct project *p, const struct freshness_result *results, size_t n,
		      double elapsed_time, const struct art_invocation *inv, struct diag_list *dl)
{
	struct arena a;
	arena_init(&a, 0);
	value doc = val_dict_new(&a, 3);
	val_dict_sets(doc, "metadata", art_metadata(&a, p, ART_SCHEMA_SOURCES, inv));
	value list = val_list_new(&a, n);
	for (size_t i = 0; i < n; i++)
		val_list_push(list, result_value(&a, p, &results[i]));
	val_dict_sets(doc, "results", list);
	val_dict_sets(doc, "elapsed_time", val_float(elapsed_time));
	int rc = art_write_json(path, doc, dl);
	arena_release(&a);
	return rc;
}
