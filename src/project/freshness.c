/*
 * A source table's freshness criteria and loaded_at_field, merged as dbt 1.9's source parser merges
 * them (parser/sources.py, merge_freshness): the source's `freshness:`, then its `config: freshness`
 * (dbt 1.10's form), then the table's, then the table's config, each pair merged in turn:
 *  - an absent block counts as an empty threshold; an explicit `null` switches freshness off
 *    unless a later, non-empty block turns it back on;
 *  - two blocks merge key by key, and `warn_after`/`error_after` merge one level deeper (count and
 *    period), where an explicit `null` drops that threshold.
 * The result is a dict {warn_after, error_after, filter} (a threshold is {count, period} or None), or
 * V_NONE when freshness is off. The table's loaded_at_field wins when it is present, even as null.
 */
#include <string.h>

#include "project/load_internal.h"

/* A Time block from YAML: {count, period}, None for an explicit null, an empty one when absent */
static value time_of(struct arena *a, value v)
{
	if (v.type == V_NONE)
		return val_none();
	value t = val_dict_new(a, 2);
	value count = v.type == V_DICT ? val_dict_gets(v, "count") : val_undef();
	value period = v.type == V_DICT ? val_dict_gets(v, "period") : val_undef();
	val_dict_sets(t, "count", count.type == V_UNDEF ? val_none() : count);
	val_dict_sets(t, "period", period.type == V_UNDEF ? val_none() : period);
	return t;
}

static bool time_set(value t)
{
	return t.type == V_DICT && val_dict_gets(t, "count").type != V_NONE &&
	       val_dict_gets(t, "period").type != V_NONE;
}

/* A FreshnessThreshold from YAML; `absent` blocks are empty thresholds, `null` is None */
static value threshold_of(struct arena *a, value v)
{
	if (v.type == V_NONE)
		return val_none();
	value t = val_dict_new(a, 3);
	val_dict_sets(t, "warn_after", time_of(a, v.type == V_DICT ? val_dict_gets(v, "warn_after") : val_undef()));
	val_dict_sets(t, "error_after", time_of(a, v.type == V_DICT ? val_dict_gets(v, "error_after") : val_undef()));
	value filter = v.type == V_DICT ? val_dict_gets(v, "filter") : val_undef();
	val_dict_sets(t, "filter", filter.type == V_UNDEF ? val_none() : filter);
	return t;
}

static bool threshold_set(value t)
{
	return t.type == V_DICT && (time_set(val_dict_gets(t, "warn_after")) || time_set(val_dict_gets(t, "error_after")));
}

/* merge_freshness_time_thresholds: two set thresholds merge key by key (both keys are set, so the
 * update wins); an explicit null update drops it; otherwise `update or base` */
static value merge_time(value base, value update)
{
	if (time_set(base) && time_set(update))
		return update;
	if (update.type == V_NONE)
		return val_none();
	return time_set(update) ? update : base;
}

static value merge_threshold(struct arena *a, value base, value update)
{
	if (base.type != V_NONE && update.type != V_NONE) {
		value m = val_dict_new(a, 3);
		value filter = val_dict_gets(update, "filter");
		val_dict_sets(m, "filter", filter.type != V_NONE ? filter : val_dict_gets(base, "filter"));
		val_dict_sets(m, "warn_after",
			      merge_time(val_dict_gets(base, "warn_after"), val_dict_gets(update, "warn_after")));
		val_dict_sets(m, "error_after",
			      merge_time(val_dict_gets(base, "error_after"), val_dict_gets(update, "error_after")));
		/* keep the dict's key order as dbt writes it */
		value ordered = val_dict_new(a, 3);
		val_dict_sets(ordered, "warn_after", val_dict_gets(m, "warn_after"));
		val_dict_sets(ordered, "error_after", val_dict_gets(m, "error_after"));
		val_dict_sets(ordered, "filter", val_dict_gets(m, "filter"));
		return ordered;
	}
	if (base.type == V_NONE && threshold_set(update))
		return update;
	return val_none();
}

static value config_freshness(value block)
{
	value cfg = block.type == V_DICT ? val_dict_gets(block, "config") : val_undef();
	return cfg.type == V_DICT ? val_dict_gets(cfg, "freshness") : val_undef();
}

value proj_source_freshness(struct arena *a, value source, value table)
{
	value steps[4] = {
		val_dict_gets(source, "freshness"),
		config_freshness(source),
		val_dict_gets(table, "freshness"),
		config_freshness(table),
	};
	value merged = threshold_of(a, steps[0]);
	for (int i = 1; i < 4; i++)
		merged = merge_threshold(a, merged, threshold_of(a, steps[i]));
	return merged;
}

value proj_project_freshness(struct arena *a, value merged, value project)
{
	/* dbt 1.9 (SourcePatcher._generate_source_config): a properties file that sets no threshold
	 * leaves the project's +freshness in the config, and the config's freshness is the source's */
	if (project.type == V_UNDEF || merged.type != V_DICT || threshold_set(merged))
		return merged;
	return threshold_of(a, project);
}

bool proj_freshness_active(value threshold)
{
	return threshold_set(threshold);
}

value proj_source_loaded_at_field(value source, value table)
{
	value t = val_dict_gets(table, "loaded_at_field");
	if (t.type == V_UNDEF) {
		value tc = val_dict_gets(table, "config");
		t = tc.type == V_DICT ? val_dict_gets(tc, "loaded_at_field") : val_undef();
	}
	if (t.type != V_UNDEF)
		return t;
	value s = val_dict_gets(source, "loaded_at_field");
	if (s.type == V_UNDEF) {
		value sc = val_dict_gets(source, "config");
		s = sc.type == V_DICT ? val_dict_gets(sc, "loaded_at_field") : val_undef();
	}
	return s.type == V_UNDEF ? val_none() : s;
}
