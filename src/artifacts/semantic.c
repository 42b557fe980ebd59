/*
 * The manifest's semantic_models, metrics and saved_queries entries, with the fields and defaults
 * of dbt 1.9's manifest v12: what a properties file leaves out is written as dbt's default (null,
 * false, [] or {}), and the parsed forms dbt builds (where filters, time windows, input measures,
 * a semantic model's node_relation, an export's relation) are built the same way here.
 */
#include <stdlib.h>
#include <string.h>

#include "artifacts/art_internal.h"

static value get(value d, const char *key)
{
	value v = d.type == V_DICT ? val_dict_gets(d, key) : val_undef();
	return v.type == V_UNDEF ? val_none() : v;
}

static value str_or_none(struct arena *a, value v)
{
	if (v.type == V_STR || v.type == V_NONE)
		return v;
	if (v.type == V_UNDEF)
		return val_none();
	/* expr: 1 is kept as the text "1", as dbt's str() gives */
	return val_to_str(a, v);
}

static value bool_or(value v, bool dflt)
{
	return v.type == V_BOOL ? v : val_bool(v.type == V_UNDEF || v.type == V_NONE ? dflt : val_truthy(v));
}

static value fqn_of(struct arena *a, const struct node *n)
{
	value l = val_list_new(a, n->fqn.type == V_LIST ? n->fqn.l->len : 0);
	for (uint32_t i = 0; n->fqn.type == V_LIST && i < n->fqn.l->len; i++)
		val_list_push(l, n->fqn.l->items[i]);
	return l;
}

/* dbt's parse_where_filter: none, one template or a list of them */
static value where_filter(struct arena *a, value f)
{
	if (f.type != V_STR && f.type != V_LIST)
		return val_none();
	value list = val_list_new(a, 1);
	for (uint32_t i = 0; i < (f.type == V_LIST ? f.l->len : 1); i++) {
		value w = val_dict_new(a, 1);
		val_dict_sets(w, "where_sql_template", str_or_none(a, f.type == V_LIST ? f.l->items[i] : f));
		val_list_push(list, w);
	}
	value out = val_dict_new(a, 1);
	val_dict_sets(out, "where_filters", list);
	return out;
}

/* "28 days" -> {count: 28, granularity: day} */
static value time_window(struct arena *a, value w)
{
	if (w.type != V_STR)
		return val_none();
	const char *sp = strchr(w.s, ' ');
	value out = val_dict_new(a, 2);
	val_dict_sets(out, "count", val_int(strtol(w.s, NULL, 10)));
	const char *g = sp ? sp + 1 : "";
	size_t len = strlen(g);
	if (len && g[len - 1] == 's')
		len--;
	val_dict_sets(out, "granularity", val_str_dup(a, g, len));
	return out;
}

static const char *name_of(value v)
{
	if (v.type == V_STR)
		return v.s;
	value n = get(v, "name");
	return n.type == V_STR ? n.s : "";
}

static value input_measure(struct arena *a, value m)
{
	if (m.type == V_UNDEF || m.type == V_NONE)
		return val_none();
	value d = val_dict_new(a, 5);
	val_dict_sets(d, "name", val_str(name_of(m)));
	val_dict_sets(d, "filter", where_filter(a, get(m, "filter")));
	val_dict_sets(d, "alias", get(m, "alias"));
	val_dict_sets(d, "join_to_timespine", bool_or(get(m, "join_to_timespine"), false));
	val_dict_sets(d, "fill_nulls_with", get(m, "fill_nulls_with"));
	return d;
}

static value metric_input(struct arena *a, value m)
{
	if (m.type == V_UNDEF || m.type == V_NONE)
		return val_none();
	value d = val_dict_new(a, 5);
	val_dict_sets(d, "name", val_str(name_of(m)));
	val_dict_sets(d, "filter", where_filter(a, get(m, "filter")));
	val_dict_sets(d, "alias", get(m, "alias"));
	val_dict_sets(d, "offset_window", time_window(a, get(m, "offset_window")));
	val_dict_sets(d, "offset_to_grain", get(m, "offset_to_grain"));
	return d;
}

static value depends_on(struct arena *a, struct project *p, const struct node *n)
{
	value d = val_dict_new(a, 2);
	val_dict_sets(d, "macros", val_list_new(a, 0));
	value nodes = val_list_new(a, n->ndeps);
	for (uint32_t i = 0; i < n->ndeps; i++)
		if (n->deps[i] < p->nnodes)
			val_list_push(nodes, val_str(p->nodes[n->deps[i]]->unique_id));
	val_dict_sets(d, "nodes", nodes);
	return d;
}

static value refs_of(struct arena *a, const struct node *n)
{
	value l = val_list_new(a, n->nrefs);
	for (uint32_t i = 0; i < n->nrefs; i++) {
		value r = val_dict_new(a, 3);
		val_dict_sets(r, "name", val_str(n->refs[i].name));
		val_dict_sets(r, "package", art_str(n->refs[i].package));
		val_dict_sets(r, "version", art_str(n->refs[i].version));
		val_list_push(l, r);
	}
	return l;
}

/* The fields all three open with */
static value head(struct arena *a, const struct node *n, const char *type)
{
	value d = val_dict_new(a, 28);
	val_dict_sets(d, "name", val_str(n->name));
	val_dict_sets(d, "resource_type", val_str(type));
	val_dict_sets(d, "package_name", val_str(n->package));
	val_dict_sets(d, "path", art_str_or(n->path, ""));
	val_dict_sets(d, "original_file_path", art_str_or(n->original_file_path, ""));
	val_dict_sets(d, "unique_id", val_str(n->unique_id));
	val_dict_sets(d, "fqn", fqn_of(a, n));
	return d;
}

/* {enabled, group, meta} and the keys dbt keeps beyond them */
static value config_of(struct arena *a, const struct node *n, bool saved_query)
{
	value c = val_dict_new(a, 8);
	val_dict_sets(c, "enabled", val_bool(n->enabled));
	val_dict_sets(c, "group", get(n->config, "group"));
	val_dict_sets(c, "meta", art_dict_or_new(a, n->meta));
	if (saved_query) {
		val_dict_sets(c, "export_as", get(n->config, "export_as"));
		val_dict_sets(c, "schema", get(n->config, "schema"));
		value cache = val_dict_new(a, 1);
		val_dict_sets(cache, "enabled", bool_or(get(get(n->config, "cache"), "enabled"), false));
		val_dict_sets(c, "cache", cache);
	}
	for (uint32_t i = 0; n->config.type == V_DICT && i < n->config.d->len; i++)
		if (val_dict_get(c, n->config.d->e[i].key).type == V_UNDEF)
			val_dict_set(c, n->config.d->e[i].key, n->config.d->e[i].val);
	return c;
}

static value list_of(struct arena *a, value v)
{
	return v.type == V_LIST ? v : val_list_new(a, 0);
}

/* How a field of a semantic model's entry is written: as given (null when absent), as text, as a
 * boolean that defaults to false, as a list, always null, or as an object of its own fields (null
 * when absent). Fields are written in the order given, dbt's order. */
enum how { AS_GIVEN, TEXT, FLAG, LIST, NUL, OBJECT };
struct field {
	const char *key;
	enum how how;
	const struct field *sub; /* OBJECT: its fields, ended by a NULL key */
};

static value fields_of(struct arena *a, value x, const struct field *f);

static value field_value(struct arena *a, value x, const struct field *f)
{
	value v = get(x, f->key);
	switch (f->how) {
	case TEXT: return str_or_none(a, v);
	case FLAG: return bool_or(v, false);
	case LIST: return list_of(a, v);
	case NUL: return val_none();
	case OBJECT: return v.type == V_DICT ? fields_of(a, v, f->sub) : val_none();
	case AS_GIVEN: break;
	}
	return v;
}

static value fields_of(struct arena *a, value x, const struct field *f)
{
	size_t n = 0;
	while (f[n].key)
		n++;
	value o = val_dict_new(a, n);
	for (; f->key; f++)
		val_dict_sets(o, f->key, field_value(a, x, f));
	return o;
}

static value list_fields(struct arena *a, value src, const struct field *f)
{
	src = list_of(a, src);
	value out = val_list_new(a, src.l->len);
	for (uint32_t i = 0; i < src.l->len; i++)
		val_list_push(out, fields_of(a, src.l->items[i], f));
	return out;
}

static const struct field agg_time_fields[] = {{"agg_time_dimension", AS_GIVEN, NULL}, {NULL, AS_GIVEN, NULL}};
static const struct field defaults_field = {"defaults", OBJECT, agg_time_fields};
static const struct field entity_fields[] = {
	{"name", AS_GIVEN, NULL}, {"type", AS_GIVEN, NULL}, {"description", AS_GIVEN, NULL},
	{"label", AS_GIVEN, NULL}, {"role", AS_GIVEN, NULL}, {"expr", TEXT, NULL}, {NULL, AS_GIVEN, NULL},
};
static const struct field agg_params_fields[] = {
	{"percentile", AS_GIVEN, NULL}, {"use_discrete_percentile", FLAG, NULL},
	{"use_approximate_percentile", FLAG, NULL}, {NULL, AS_GIVEN, NULL},
};
static const struct field non_additive_fields[] = {
	{"name", AS_GIVEN, NULL}, {"window_choice", AS_GIVEN, NULL}, {"window_groupings", LIST, NULL},
	{NULL, AS_GIVEN, NULL},
};
static const struct field measure_fields[] = {
	{"name", AS_GIVEN, NULL}, {"agg", AS_GIVEN, NULL}, {"description", AS_GIVEN, NULL},
	{"label", AS_GIVEN, NULL}, {"create_metric", FLAG, NULL}, {"expr", TEXT, NULL},
	{"agg_params", OBJECT, agg_params_fields}, {"non_additive_dimension", OBJECT, non_additive_fields},
	{"agg_time_dimension", AS_GIVEN, NULL}, {NULL, AS_GIVEN, NULL},
};
static const struct field validity_fields[] = {{"is_start", FLAG, NULL}, {"is_end", FLAG, NULL}, {NULL, AS_GIVEN, NULL}};
static const struct field type_params_fields[] = {
	{"time_granularity", AS_GIVEN, NULL}, {"validity_params", OBJECT, validity_fields}, {NULL, AS_GIVEN, NULL},
};
static const struct field dimension_fields[] = {
	{"name", AS_GIVEN, NULL}, {"type", AS_GIVEN, NULL}, {"description", AS_GIVEN, NULL},
	{"label", AS_GIVEN, NULL}, {"is_partition", FLAG, NULL}, {"type_params", OBJECT, type_params_fields},
	{"expr", TEXT, NULL}, {"metadata", NUL, NULL}, {NULL, AS_GIVEN, NULL},
};

static value semantic_model_value(struct arena *a, struct project *p, const struct node *n, double created_at)
{
	value e = n->semantic;
	value d = head(a, n, "semantic_model");
	val_dict_sets(d, "model", get(e, "model"));
	const struct node *m = n->ndeps ? p->nodes[n->deps[0]] : NULL;
	if (m) {
		value rel = val_dict_new(a, 4);
		val_dict_sets(rel, "alias", art_str_or(m->alias, m->name));
		val_dict_sets(rel, "schema_name", art_str_or(m->schema, ""));
		val_dict_sets(rel, "database", art_str(m->database));
		val_dict_sets(rel, "relation_name", art_str(m->relation_name));
		val_dict_sets(d, "node_relation", rel);
	} else {
		val_dict_sets(d, "node_relation", val_none());
	}
	val_dict_sets(d, "description", get(e, "description"));
	val_dict_sets(d, "label", get(e, "label"));
	val_dict_sets(d, "defaults", field_value(a, e, &defaults_field));
	val_dict_sets(d, "entities", list_fields(a, get(e, "entities"), entity_fields));
	val_dict_sets(d, "measures", list_fields(a, get(e, "measures"), measure_fields));
	val_dict_sets(d, "dimensions", list_fields(a, get(e, "dimensions"), dimension_fields));
	val_dict_sets(d, "metadata", val_none());
	val_dict_sets(d, "depends_on", depends_on(a, p, n));
	val_dict_sets(d, "refs", refs_of(a, n));
	val_dict_sets(d, "created_at", val_float(created_at));
	val_dict_sets(d, "config", config_of(a, n, false));
	val_dict_sets(d, "unrendered_config", art_dict_or_new(a, n->unrendered_config));
	val_dict_sets(d, "primary_entity", get(e, "primary_entity"));
	val_dict_sets(d, "group", get(n->config, "group"));
	return d;
}

static value metric_value(struct arena *a, struct project *p, const struct node *n, double created_at)
{
	value e = n->semantic;
	const char *type = get(e, "type").type == V_STR ? get(e, "type").s : "simple";
	value d = head(a, n, "metric");
	val_dict_sets(d, "description", art_str_or(n->description, ""));
	val_dict_sets(d, "label", get(e, "label"));
	val_dict_sets(d, "type", val_str(type));
	value tp = get(e, "type_params"), o = val_dict_new(a, 10);
	val_dict_sets(o, "measure", input_measure(a, get(tp, "measure")));
	value inputs = val_list_new(a, 2), got = get(e, "input_measures");
	for (uint32_t i = 0; got.type == V_LIST && i < got.l->len; i++)
		val_list_push(inputs, input_measure(a, got.l->items[i]));
	val_dict_sets(o, "input_measures", inputs);
	val_dict_sets(o, "numerator", metric_input(a, get(tp, "numerator")));
	val_dict_sets(o, "denominator", metric_input(a, get(tp, "denominator")));
	val_dict_sets(o, "expr", str_or_none(a, get(tp, "expr")));
	val_dict_sets(o, "window", time_window(a, get(tp, "window")));
	val_dict_sets(o, "grain_to_date", get(tp, "grain_to_date"));
	value ms = val_list_new(a, 2), src = list_of(a, get(tp, "metrics"));
	for (uint32_t i = 0; i < src.l->len; i++)
		val_list_push(ms, metric_input(a, src.l->items[i]));
	val_dict_sets(o, "metrics", ms);
	value ctp = get(tp, "conversion_type_params");
	if (ctp.type == V_DICT) {
		value c = val_dict_new(a, 6);
		val_dict_sets(c, "base_measure", input_measure(a, get(ctp, "base_measure")));
		val_dict_sets(c, "conversion_measure", input_measure(a, get(ctp, "conversion_measure")));
		val_dict_sets(c, "entity", get(ctp, "entity"));
		value calc = get(ctp, "calculation");
		val_dict_sets(c, "calculation", calc.type == V_STR ? calc : val_str("conversion_rate"));
		val_dict_sets(c, "window", time_window(a, get(ctp, "window")));
		val_dict_sets(c, "constant_properties", get(ctp, "constant_properties"));
		ctp = c;
	}
	val_dict_sets(o, "conversion_type_params", ctp.type == V_DICT ? ctp : val_none());
	if (!strcmp(type, "cumulative")) {
		/* the older window / grain_to_date of type_params fill in the cumulative ones */
		value cum = get(tp, "cumulative_type_params"), c = val_dict_new(a, 3);
		value w = get(cum, "window"), g = get(cum, "grain_to_date"), pa = get(cum, "period_agg");
		val_dict_sets(c, "window", time_window(a, w.type == V_STR ? w : get(tp, "window")));
		val_dict_sets(c, "grain_to_date", g.type == V_STR ? g : get(tp, "grain_to_date"));
		val_dict_sets(c, "period_agg", pa.type == V_STR ? pa : val_str("first"));
		val_dict_sets(o, "cumulative_type_params", c);
	} else {
		val_dict_sets(o, "cumulative_type_params", val_none());
	}
	val_dict_sets(d, "type_params", o);
	val_dict_sets(d, "filter", where_filter(a, get(e, "filter")));
	val_dict_sets(d, "metadata", val_none());
	val_dict_sets(d, "time_granularity", get(e, "time_granularity"));
	/* dbt copies a non-empty config meta over the metric's own */
	value meta = n->meta.type == V_DICT && n->meta.d->len ? n->meta : get(e, "meta");
	val_dict_sets(d, "meta", art_dict_or_new(a, meta));
	val_dict_sets(d, "tags", art_list_or_new(a, n->tags));
	val_dict_sets(d, "config", config_of(a, n, false));
	val_dict_sets(d, "unrendered_config", art_dict_or_new(a, n->unrendered_config));
	val_dict_sets(d, "sources", val_list_new(a, 0));
	val_dict_sets(d, "depends_on", depends_on(a, p, n));
	val_dict_sets(d, "refs", val_list_new(a, 0));
	val_dict_sets(d, "metrics", val_list_new(a, 0));
	val_dict_sets(d, "created_at", val_float(created_at));
	val_dict_sets(d, "group", get(n->config, "group"));
	return d;
}

static value saved_query_value(struct arena *a, struct project *p, const struct node *n, double created_at)
{
	value e = n->semantic;
	value d = head(a, n, "saved_query");
	value qp = get(e, "query_params"), q = val_dict_new(a, 5);
	val_dict_sets(q, "metrics", list_of(a, get(qp, "metrics")));
	val_dict_sets(q, "group_by", list_of(a, get(qp, "group_by")));
	val_dict_sets(q, "where", where_filter(a, get(qp, "where")));
	val_dict_sets(q, "order_by", list_of(a, get(qp, "order_by")));
	val_dict_sets(q, "limit", get(qp, "limit"));
	val_dict_sets(d, "query_params", q);
	value exports = val_list_new(a, 1), src = list_of(a, get(e, "exports"));
	for (uint32_t i = 0; i < src.l->len; i++) {
		value x = src.l->items[i], xc = get(x, "config"), o = val_dict_new(a, 3), c = val_dict_new(a, 4);
		/* the export's config over the saved query's; its relation as dbt names it */
		value as = get(xc, "export_as"), schema = get(xc, "schema_name");
		if (schema.type != V_STR)
			schema = get(xc, "schema");
		if (schema.type != V_STR)
			schema = get(n->config, "schema");
		value alias = get(xc, "alias"), db = get(xc, "database");
		val_dict_sets(c, "export_as", as.type == V_STR ? as : get(n->config, "export_as"));
		val_dict_sets(c, "schema_name", schema.type == V_STR ? schema : art_str(p->target.schema));
		val_dict_sets(c, "alias", alias.type == V_STR ? alias : get(x, "name"));
		val_dict_sets(c, "database", db.type == V_STR ? db : art_str(p->target.database));
		val_dict_sets(o, "name", get(x, "name"));
		val_dict_sets(o, "config", c);
		val_dict_sets(o, "unrendered_config", art_dict_or_new(a, xc));
		val_list_push(exports, o);
	}
	val_dict_sets(d, "exports", exports);
	val_dict_sets(d, "description", get(e, "description"));
	val_dict_sets(d, "label", get(e, "label"));
	val_dict_sets(d, "metadata", val_none());
	val_dict_sets(d, "config", config_of(a, n, true));
	val_dict_sets(d, "unrendered_config", art_dict_or_new(a, n->unrendered_config));
	val_dict_sets(d, "group", get(n->config, "group"));
	val_dict_sets(d, "depends_on", depends_on(a, p, n));
	val_dict_sets(d, "created_at", val_float(created_at));
	val_dict_sets(d, "refs", val_list_new(a, 0));
	return d;
}

value art_semantic_value(struct arena *a, struct project *p, const struct node *n, double created_at)
{
	switch (n->type) {
	case NODE_SEMANTIC_MODEL: return semantic_model_value(a, p, n, created_at);
	case NODE_SAVED_QUERY: return saved_query_value(a, p, n, created_at);
	default: return metric_value(a, p, n, created_at);
	}
}
