/*
 * The semantic layer of a project, as dbt 1.9 reads it from properties files: semantic models
 * (a model's entities, dimensions and measures), metrics (simple, ratio, cumulative, derived,
 * conversion) and saved queries. Each is a node (semantic_model.pkg.name, metric.pkg.name,
 * saved_query.pkg.name) that keeps its yml entry in node.semantic; nothing runs them.
 *
 * Their parents are dbt's: a semantic model depends on the model its `model: ref(...)` names, a
 * metric on the semantic models of its measures and on the metrics it is built from, a saved
 * query on its metrics. Those links are made once every file is read (proj_resolve_semantic).
 */
#include <string.h>

#include "core/map.h"
#include "core/sb.h"
#include "project/load_internal.h"
#include "project/semantic.h"
#include "project/yml.h"

static bool in_set(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return true;
	return false;
}

static const char *lowered(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s);
	for (char *c = out; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return out;
}

/* The name of an entry that may be written as a bare string or as a mapping with a name */
static const char *entry_name(value v)
{
	if (v.type == V_STR)
		return v.s;
	value n = val_dict_gets(v, "name");
	return n.type == V_STR ? n.s : NULL;
}

/* Checks that `key` of each mapping in entry[list_key] is one of `allowed` (lower-cased in place) */
static int check_items(struct arena *a, value entry, const char *what, const char *list_key, const char *key,
		       const char *const *allowed, const char *hint, struct diag_list *dl)
{
	value list = val_dict_gets(entry, list_key);
	if (list.type == V_UNDEF || list.type == V_NONE)
		return 0;
	if (list.type != V_LIST) {
		diag_error(dl, yml_val_loc(entry, list_key), "'%s' of %s must be a list", list_key, what);
		return -1;
	}
	int rc = 0;
	for (uint32_t i = 0; i < list.l->len; i++) {
		value it = list.l->items[i];
		value name = val_dict_gets(it, "name");
		if (it.type != V_DICT || name.type != V_STR) {
			diag_error(dl, yml_item_loc(list, i), "each of the %s of %s needs a 'name'", list_key, what);
			rc = -1;
			continue;
		}
		value v = val_dict_gets(it, key);
		if (v.type == V_STR && in_set(lowered(a, v.s), allowed)) {
			val_dict_sets(it, key, val_str(lowered(a, v.s)));
			continue;
		}
		struct diag *d = diag_error(dl, v.type == V_UNDEF ? yml_item_loc(list, i) : yml_val_loc(it, key),
					    "%s '%s' of %s needs a valid '%s'", list_key, name.s, what, key);
		diag_hint(dl, d, "%s", hint);
		rc = -1;
	}
	return rc;
}

/* The fields every kind shares: the node, its description, label, config, meta and tags */
static struct node *new_semantic(struct arena *a, enum node_type t, const struct package *pkg, const char *name,
				 value e, const char *yml_path, uint32_t file)
{
	struct node *n = proj_node_new(a, t, pkg->name, name);
	n->original_file_path = yml_path;
	const char *slash = strchr(yml_path, '/');
	n->path = slash ? slash + 1 : yml_path;
	n->file = file;
	n->raw_code = "";
	n->yaml_loc = e.type == V_DICT ? e.d->loc : LOC_NONE;
	n->fqn = proj_yml_fqn(a, pkg->name, yml_path, name);
	n->semantic = e;
	value desc = val_dict_gets(e, "description");
	n->description = desc.type == V_STR ? desc.s : NULL;
	value cfg = val_dict_gets(e, "config");
	if (cfg.type == V_DICT)
		val_dict_merge(a, n->config, cfg);
	value meta = val_dict_gets(e, "meta");
	if (meta.type == V_DICT && val_dict_gets(n->config, "meta").type == V_UNDEF)
		val_dict_sets(n->config, "meta", meta);
	return n;
}

/* A metric made from a measure with create_metric: true, as dbt makes it */
static struct node *measure_metric(struct arena *a, const struct package *pkg, value measure, bool enabled,
				   const char *yml_path, uint32_t file)
{
	const char *name = entry_name(measure);
	value e = val_dict_new(a, 6);
	val_dict_sets(e, "name", val_str(name));
	value label = val_dict_gets(measure, "label");
	val_dict_sets(e, "label", label.type == V_STR ? label : val_str(name));
	val_dict_sets(e, "type", val_str("simple"));
	value tp = val_dict_new(a, 2);
	val_dict_sets(tp, "measure", val_str(name));
	val_dict_sets(tp, "expr", val_str(name));
	val_dict_sets(e, "type_params", tp);
	value desc = val_dict_gets(measure, "description");
	val_dict_sets(e, "description", desc.type == V_STR ? desc
						: val_str(arena_sprintf(a, "Metric created from measure %s", name)));
	value cfg = val_dict_new(a, 1);
	val_dict_sets(cfg, "enabled", val_bool(enabled));
	val_dict_sets(e, "config", cfg);
	struct node *n = new_semantic(a, NODE_METRIC, pkg, name, e, yml_path, file);
	n->yaml_loc = measure.type == V_DICT ? measure.d->loc : LOC_NONE;
	return n;
}

static int load_semantic_model(struct project *p, struct nodes_builder *nb, value e, const struct package *pkg,
			       const char *yml_path, uint32_t file, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	const char *name = entry_name(e);
	value model = val_dict_gets(e, "model");
	if (model.type != V_STR) {
		struct diag *d = diag_error(dl, model.type == V_UNDEF ? e.d->loc : yml_val_loc(e, "model"),
					    "semantic model '%s' needs a 'model'", name);
		diag_hint(dl, d, "name the model it describes: model: ref('my_model')");
		return -1;
	}
	static const char *const aggs[] = {"sum", "min", "max", "count_distinct", "sum_boolean", "average",
					   "percentile", "median", "count", NULL};
	static const char *const dims[] = {"categorical", "time", NULL};
	static const char *const ents[] = {"primary", "unique", "foreign", "natural", NULL};
	char what[300];
	snprintf(what, sizeof(what), "semantic model '%s'", name);
	int rc = 0;
	rc |= check_items(a, e, what, "measures", "agg", aggs,
			  "agg is one of sum, min, max, count_distinct, sum_boolean, average, percentile, median, count", dl);
	rc |= check_items(a, e, what, "dimensions", "type", dims, "type is categorical or time", dl);
	rc |= check_items(a, e, what, "entities", "type", ents, "type is one of primary, unique, foreign, natural", dl);
	value dl_list = val_dict_gets(e, "dimensions");
	for (uint32_t i = 0; dl_list.type == V_LIST && i < dl_list.l->len; i++) {
		value dim = dl_list.l->items[i];
		value tp = val_dict_gets(dim, "type_params");
		if (!val_streq(val_dict_gets(dim, "type"), "time") || val_dict_gets(tp, "time_granularity").type == V_STR)
			continue;
		struct diag *d = diag_error(dl, yml_item_loc(dl_list, i), "time dimension '%s' of %s needs a time_granularity",
					    entry_name(dim) ? entry_name(dim) : "?", what);
		diag_hint(dl, d, "add 'type_params: {time_granularity: day}'");
		rc = -1;
	}
	if (rc)
		return -1;
	struct node *n = new_semantic(a, NODE_SEMANTIC_MODEL, pkg, name, e, yml_path, file);
	/* model: ref('orders') is rendered as dbt does, to record the ref */
	const char *text = arena_sprintf(a, "{{ %s }}", model.s);
	const char *out;
	struct proj_render r = {.proj = p, .node = n, .arena = a, .keep = a, .dl = dl};
	if (p->hooks->render_string(&r, yml_path, text, yml_val_loc(e, "model"), &out) < 0)
		return -1;
	if (n->nrefs != 1 || n->nsources) {
		struct diag *d = diag_error(dl, yml_val_loc(e, "model"),
					    "the model of semantic model '%s' must be ref() of one model, not '%s'", name, model.s);
		diag_hint(dl, d, "write model: ref('%s')", model.s);
		return -1;
	}
	/* errors about the ref point at the entry's model, not at the text rendered */
	n->refs[0].loc = yml_val_loc(e, "model");
	proj_add_node(nb, n);
	value cfg = val_dict_gets(e, "config");
	value en = cfg.type == V_DICT ? val_dict_gets(cfg, "enabled") : val_undef();
	bool enabled = en.type == V_UNDEF || val_truthy(en);
	value measures = val_dict_gets(e, "measures");
	for (uint32_t i = 0; measures.type == V_LIST && i < measures.l->len; i++) {
		value m = measures.l->items[i];
		if (val_truthy(val_dict_gets(m, "create_metric")))
			proj_add_node(nb, measure_metric(a, pkg, m, enabled, yml_path, file));
	}
	return 0;
}

static int load_metric(struct project *p, struct nodes_builder *nb, value e, const struct package *pkg,
		       const char *yml_path, uint32_t file, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	const char *name = entry_name(e);
	static const char *const types[] = {"simple", "ratio", "cumulative", "derived", "conversion", NULL};
	value type = val_dict_gets(e, "type");
	if (type.type != V_STR || !in_set(lowered(a, type.s), types)) {
		struct diag *d = diag_error(dl, type.type == V_UNDEF ? e.d->loc : yml_val_loc(e, "type"),
					    "metric '%s' needs a 'type'", name);
		diag_hint(dl, d, "one of simple, ratio, cumulative, derived, conversion");
		return -1;
	}
	val_dict_sets(e, "type", val_str(lowered(a, type.s)));
	value label = val_dict_gets(e, "label");
	if (label.type != V_STR) {
		struct diag *d = diag_error(dl, label.type == V_UNDEF ? e.d->loc : yml_val_loc(e, "label"),
					    "metric '%s' needs a 'label'", name);
		diag_hint(dl, d, "the name people see: label: %s", name);
		return -1;
	}
	value tp = val_dict_gets(e, "type_params");
	if (tp.type != V_DICT) {
		struct diag *d = diag_error(dl, tp.type == V_UNDEF ? e.d->loc : yml_val_loc(e, "type_params"),
					    "metric '%s' needs 'type_params'", name);
		diag_hint(dl, d, "e.g. 'type_params: {measure: my_measure}' for a simple metric");
		return -1;
	}
	value tags;
	if (yml_str_or_list(a, e, "tags", &tags, dl) < 0)
		return -1;
	struct node *n = new_semantic(a, NODE_METRIC, pkg, name, e, yml_path, file);
	/* a metric's tags are its own, not a config (dbt's MetricConfig has none) */
	n->tags = tags.type == V_LIST ? tags : val_list_new(a, 0);
	proj_add_node(nb, n);
	return 0;
}

static int load_saved_query(struct project *p, struct nodes_builder *nb, value e, const struct package *pkg,
			    const char *yml_path, uint32_t file, struct diag_list *dl)
{
	const char *name = entry_name(e);
	value qp = val_dict_gets(e, "query_params");
	if (qp.type != V_DICT) {
		struct diag *d = diag_error(dl, qp.type == V_UNDEF ? e.d->loc : yml_val_loc(e, "query_params"),
					    "saved query '%s' needs 'query_params'", name);
		diag_hint(dl, d, "list its metrics: query_params: {metrics: [my_metric]}");
		return -1;
	}
	static const char *const lists[] = {"metrics", "group_by", "order_by", "exports", NULL};
	for (const char *const *k = lists; *k; k++) {
		value holder = strcmp(*k, "exports") ? qp : e;
		value v = val_dict_gets(holder, *k);
		if (v.type != V_UNDEF && v.type != V_NONE && v.type != V_LIST) {
			diag_error(dl, yml_val_loc(holder, *k), "'%s' of saved query '%s' must be a list", *k, name);
			return -1;
		}
	}
	value exports = val_dict_gets(e, "exports");
	for (uint32_t i = 0; exports.type == V_LIST && i < exports.l->len; i++) {
		value x = exports.l->items[i];
		value as = val_dict_gets(val_dict_gets(x, "config"), "export_as");
		if (val_dict_gets(x, "name").type == V_STR &&
		    (as.type == V_UNDEF || val_streq(as, "table") || val_streq(as, "view")))
			continue;
		struct diag *d = diag_error(dl, yml_item_loc(exports, i), "export %u of saved query '%s' needs a name and "
					    "an export_as of table or view", i + 1, name);
		diag_hint(dl, d, "write '- name: my_export' with 'config: {export_as: table}'");
		return -1;
	}
	proj_add_node(nb, new_semantic(&p->arena, NODE_SAVED_QUERY, pkg, name, e, yml_path, file));
	return 0;
}

int proj_load_semantic(struct project *p, struct nodes_builder *nb, value doc, const struct package *pkg,
		       const char *yml_path, uint32_t file, struct diag_list *dl)
{
	static const struct {
		const char *key, *what;
		int (*load)(struct project *, struct nodes_builder *, value, const struct package *, const char *,
			    uint32_t, struct diag_list *);
	} kinds[] = {
		{"semantic_models", "semantic model", load_semantic_model},
		{"metrics", "metric", load_metric},
		{"saved_queries", "saved query", load_saved_query},
	};
	int rc = 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		value list;
		if (yml_list(doc, kinds[k].key, false, &list, dl) < 0) {
			rc = -1;
			continue;
		}
		if (list.type != V_LIST)
			continue;
		for (uint32_t i = 0; i < list.l->len; i++) {
			value e = list.l->items[i];
			if (e.type != V_DICT || val_dict_gets(e, "name").type != V_STR) {
				struct diag *d = diag_error(dl, yml_item_loc(list, i), "each %s needs a 'name'", kinds[k].what);
				diag_hint(dl, d, "write '- name: my_%s' and its keys", kinds[k].key);
				rc = -1;
				continue;
			}
			if (kinds[k].load(p, nb, e, pkg, yml_path, file, dl) < 0)
				rc = -1;
		}
	}
	return rc;
}

/* The config of one after dbt_project.yml's metrics: / semantic-models: / saved-queries: */
void proj_semantic_config(struct project *p, struct node *n, struct arena *keep)
{
	value own = n->config;
	value cfg = proj_hierarchy_config(p, n, keep);
	n->unrendered_config = val_dict_new(keep, 4);
	val_dict_merge(keep, n->unrendered_config, cfg);
	val_dict_merge(keep, n->unrendered_config, own);
	val_dict_merge(keep, cfg, own);
	value en = val_dict_gets(cfg, "enabled");
	n->enabled = en.type == V_UNDEF || val_truthy(en);
	val_dict_sets(cfg, "enabled", val_bool(n->enabled));
	value meta = val_dict_gets(cfg, "meta");
	if (meta.type != V_DICT) {
		meta = val_dict_new(keep, 0);
		val_dict_sets(cfg, "meta", meta);
	}
	n->meta = meta;
	if (n->tags.type != V_LIST)
		n->tags = val_list_new(keep, 0);
	n->config = cfg;
}

/* --- resolving ------------------------------------------------------------------------------- */

struct sem_resolve {
	struct project *p;
	struct diag_list *dl;
	struct map measures; /* measure name -> semantic model node */
	struct map metrics;  /* metric name -> node (enabled or not) */
	uint8_t *state;      /* metrics: 0 not seen, 1 in progress, 2 done */
};

static void add_dep(struct project *p, struct node *n, struct node *dep)
{
	for (uint32_t i = 0; i < n->ndeps; i++)
		if (n->deps[i] == dep->index)
			return;
	n->deps = arena_realloc(&p->arena, n->deps, n->ndeps * sizeof(uint32_t), (n->ndeps + 1) * sizeof(uint32_t));
	n->deps[n->ndeps++] = dep->index;
}

/* {name, filter, alias, join_to_timespine, fill_nulls_with} of a measure written as a name or a mapping */
static value or_none(value v)
{
	return v.type == V_UNDEF ? val_none() : v;
}

static value input_measure(struct arena *a, value m)
{
	value out = val_dict_new(a, 5);
	val_dict_sets(out, "name", val_str(entry_name(m) ? entry_name(m) : ""));
	val_dict_sets(out, "filter", or_none(val_dict_gets(m, "filter")));
	val_dict_sets(out, "alias", or_none(val_dict_gets(m, "alias")));
	val_dict_sets(out, "join_to_timespine", or_none(val_dict_gets(m, "join_to_timespine")));
	val_dict_sets(out, "fill_nulls_with", or_none(val_dict_gets(m, "fill_nulls_with")));
	return out;
}

/* Adds a measure unless an equal one is there, as dbt's add_input_measure */
static void push_measure(struct arena *a, value list, value m)
{
	value im = input_measure(a, m);
	for (uint32_t i = 0; i < list.l->len; i++)
		if (val_eq(list.l->items[i], im))
			return;
	val_list_push(list, im);
}

static struct loc where_in(value dict, const char *key, struct node *n)
{
	return val_dict_gets(dict, key).type != V_UNDEF ? yml_val_loc(dict, key) : n->yaml_loc;
}

static int measure_dep(struct sem_resolve *r, struct node *n, value holder, const char *key, value list)
{
	value m = val_dict_gets(holder, key);
	const char *name = entry_name(m);
	if (!name) {
		struct diag *d = diag_error(r->dl, where_in(holder, key, n), "%s metric '%s' needs a '%s'",
					    val_dict_gets(n->semantic, "type").s, n->name, key);
		diag_hint(r->dl, d, "name a measure of a semantic model");
		return -1;
	}
	struct node *sm = map_gets(&r->measures, name);
	if (!sm) {
		struct diag *d = diag_error(r->dl, yml_val_loc(holder, key),
					    "metric '%s': a semantic model having a measure `%s` does not exist but was referenced",
					    n->name, name);
		diag_hint(r->dl, d, "declare the measure under 'measures:' of a semantic model, or fix the name");
		return -1;
	}
	if (!sm->enabled) {
		diag_error(r->dl, yml_val_loc(holder, key),
			   "metric '%s': the measure `%s` is referenced on disabled semantic model `%s`", n->name, name, sm->name);
		return -1;
	}
	push_measure(&r->p->arena, list, m);
	add_dep(r->p, n, sm);
	return 0;
}

static int resolve_metric(struct sem_resolve *r, struct node *n);

static int metric_dep(struct sem_resolve *r, struct node *n, value m, struct loc at, value list)
{
	const char *name = entry_name(m);
	struct node *t = name ? map_gets(&r->metrics, name) : NULL;
	if (!t) {
		struct diag *d = diag_error(r->dl, at, "metric '%s': the metric `%s` does not exist but was referenced",
					    n->name, name ? name : "?");
		diag_hint(r->dl, d, "declare it under 'metrics:', or fix the name");
		return -1;
	}
	if (!t->enabled) {
		diag_error(r->dl, at, "metric '%s': the metric `%s` is disabled and thus cannot be referenced", n->name, name);
		return -1;
	}
	if (resolve_metric(r, t) < 0)
		return -1;
	value theirs = val_dict_gets(t->semantic, "input_measures");
	for (uint32_t i = 0; theirs.type == V_LIST && i < theirs.l->len; i++)
		push_measure(&r->p->arena, list, theirs.l->items[i]);
	add_dep(r->p, n, t);
	return 0;
}

/* input_measures and parents of a metric, its inputs' first */
static int resolve_metric(struct sem_resolve *r, struct node *n)
{
	if (r->state[n->index] == 2)
		return 0;
	if (r->state[n->index] == 1) {
		struct diag *d = diag_error(r->dl, n->yaml_loc, "metric '%s' is built from itself", n->name);
		diag_hint(r->dl, d, "a derived or ratio metric cannot use itself, directly or through others");
		return -1;
	}
	r->state[n->index] = 1;
	struct arena *a = &r->p->arena;
	value e = n->semantic;
	value tp = val_dict_gets(e, "type_params");
	const char *type = val_dict_gets(e, "type").s;
	value list = val_list_new(a, 2);
	int rc = 0;
	if (!strcmp(type, "simple") || !strcmp(type, "cumulative")) {
		rc = measure_dep(r, n, tp, "measure", list);
	} else if (!strcmp(type, "conversion")) {
		value ctp = val_dict_gets(tp, "conversion_type_params");
		if (ctp.type != V_DICT) {
			diag_error(r->dl, where_in(tp, "conversion_type_params", n),
				   "conversion metric '%s' needs conversion_type_params with base_measure, conversion_measure "
				   "and entity", n->name);
			rc = -1;
		} else {
			rc = measure_dep(r, n, ctp, "base_measure", list);
			rc |= measure_dep(r, n, ctp, "conversion_measure", list);
		}
	} else if (!strcmp(type, "ratio")) {
		if (!entry_name(val_dict_gets(tp, "numerator")) || !entry_name(val_dict_gets(tp, "denominator"))) {
			diag_error(r->dl, where_in(e, "type_params", n),
				   "Invalid ratio metric. Both a numerator and denominator must be specified");
			rc = -1;
		} else {
			rc = metric_dep(r, n, val_dict_gets(tp, "numerator"), yml_val_loc(tp, "numerator"), list);
			rc |= metric_dep(r, n, val_dict_gets(tp, "denominator"), yml_val_loc(tp, "denominator"), list);
		}
	} else {
		value ms = val_dict_gets(tp, "metrics");
		if (ms.type != V_LIST || ms.l->len == 0) {
			struct diag *d = diag_error(r->dl, where_in(tp, "metrics", n), "derived metric '%s' needs 'metrics'",
						    n->name);
			diag_hint(r->dl, d, "list the metrics its expr uses: metrics: [a, b]");
			rc = -1;
		}
		for (uint32_t i = 0; ms.type == V_LIST && i < ms.l->len; i++)
			rc |= metric_dep(r, n, ms.l->items[i], yml_item_loc(ms, i), list);
	}
	val_dict_sets(n->semantic, "input_measures", list);
	r->state[n->index] = 2;
	return rc;
}

/* The metric() calls of models and exposures: each makes the caller depend on the metric */
static int resolve_metric_calls(struct sem_resolve *r)
{
	struct project *p = r->p;
	int rc = 0;
	for (size_t i = 0; i < p->nnodes; i++) {
		struct node *n = p->nodes[i];
		value calls = n->metric_calls;
		if (calls.type != V_LIST || !n->enabled)
			continue;
		for (uint32_t k = 0; k < calls.l->len; k++) {
			value c = calls.l->items[k];
			const char *pkg = c.l->len == 2 ? c.l->items[0].s : NULL;
			const char *name = c.l->items[c.l->len - 1].s;
			struct node *t = pkg ? proj_node(p, arena_sprintf(&p->arena, "metric.%s.%s", pkg, name))
					     : map_gets(&r->metrics, name);
			if (t && t->enabled) {
				add_dep(p, n, t);
				continue;
			}
			/* dbt's TargetNotFoundError, which titles the resource type */
			char *title = arena_strdup(&p->arena, node_type_name(n->type));
			title[0] = (char)(title[0] - 'a' + 'A');
			struct diag *d = diag_error(r->dl, n->type == NODE_EXPOSURE ? n->yaml_loc : loc_at(n->file, 1, 1, 0),
						    "%s '%s' (%s) depends on a metric named '%s%s%s' which %s",
						    title, n->unique_id,
						    n->original_file_path, pkg ? pkg : "", pkg ? "." : "", name,
						    t ? "is disabled" : "was not found");
			diag_hint(r->dl, d, "declare the metric under 'metrics:' in a properties file, or fix the name");
			rc = -1;
		}
	}
	return rc;
}

/* Two of a kind with one name in one package: dbt's duplicate resource error */
static int check_duplicates(struct project *p, struct diag_list *dl)
{
	struct map seen = MAP_INIT;
	int rc = 0;
	for (size_t i = 0; i < p->nnodes; i++) {
		struct node *n = p->nodes[i];
		if (!node_is_semantic(n->type))
			continue;
		struct node *prev = map_gets(&seen, n->unique_id);
		if (!prev) {
			map_puts(&seen, n->unique_id, n);
			continue;
		}
		struct diag *d = diag_error(dl, n->yaml_loc, "two %s are named '%s' (%s)",
					    n->type == NODE_SEMANTIC_MODEL ? "semantic models"
					    : n->type == NODE_SAVED_QUERY  ? "saved queries" : "metrics",
					    n->name, n->unique_id);
		diag_note(dl, d, prev->yaml_loc, "the other one is here");
		diag_hint(dl, d, "rename one of them: names must be unique in a package");
		rc = -1;
	}
	map_release(&seen);
	return rc;
}

int proj_resolve_semantic(struct project *p, struct diag_list *dl)
{
	if (check_duplicates(p, dl) < 0)
		return -1;
	struct diag *before = dl->tail;
	struct sem_resolve r = {p, dl, MAP_INIT, MAP_INIT, NULL};
	bool any = false;
	for (size_t i = 0; i < p->nnodes; i++) {
		struct node *n = p->nodes[i];
		if (n->type == NODE_SEMANTIC_MODEL) {
			any = true;
			value ms = val_dict_gets(n->semantic, "measures");
			for (uint32_t k = 0; ms.type == V_LIST && k < ms.l->len; k++) {
				const char *m = entry_name(ms.l->items[k]);
				/* an enabled one wins over a disabled one of the same measure */
				struct node *prev = m ? map_gets(&r.measures, m) : NULL;
				if (m && (!prev || (!prev->enabled && n->enabled)))
					map_puts(&r.measures, m, n);
			}
		} else if (n->type == NODE_METRIC) {
			any = true;
			struct node *prev = map_gets(&r.metrics, n->name);
			if (!prev || (!prev->enabled && n->enabled) || (n->enabled && !strcmp(n->package, p->name)))
				map_puts(&r.metrics, n->name, n);
		} else if (n->type == NODE_SAVED_QUERY) {
			any = true;
		}
	}
	int rc = 0;
	if (any) {
		r.state = xcalloc(p->nnodes, 1);
		for (size_t i = 0; i < p->nnodes; i++) {
			struct node *n = p->nodes[i];
			if (n->type == NODE_METRIC && n->enabled) {
				rc |= resolve_metric(&r, n);
			} else if (n->type == NODE_SAVED_QUERY && n->enabled) {
				value qp = val_dict_gets(n->semantic, "query_params");
				value ms = val_dict_gets(qp, "metrics");
				for (uint32_t k = 0; ms.type == V_LIST && k < ms.l->len; k++) {
					const char *m = entry_name(ms.l->items[k]);
					struct node *t = m ? map_gets(&r.metrics, m) : NULL;
					if (t && t->enabled) {
						add_dep(p, n, t);
						continue;
					}
					struct diag *d = diag_error(dl, yml_item_loc(ms, k),
								    "Saved query '%s' (%s) depends on a metric named '%s' which %s",
								    n->unique_id, n->original_file_path, m ? m : "?",
								    t ? "is disabled" : "was not found");
					diag_hint(dl, d, "declare the metric under 'metrics:', or fix the name");
					rc = -1;
				}
			}
		}
		free(r.state);
	}
	rc |= resolve_metric_calls(&r);
	map_release(&r.measures);
	map_release(&r.metrics);
	proj_sort_diags(dl, before);
	return rc;
}
