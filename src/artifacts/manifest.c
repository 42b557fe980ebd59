/*
 * target/manifest.json in dbt's manifest schema v12, built as one `value` so that the same tree
 * also serves the Jinja `graph` variable and `ls --output json`.
 *
 * Keys come out in the order dbt-core writes them (its dataclass field order), and every field dbt
 * always writes is present, filled with dbt's default when the project says nothing: tools of the
 * dbt ecosystem (dbt-docs, artifact parsers, catalog crawlers) index into these dicts without
 * checking. A few rules of dbt's serialiser are reproduced on purpose:
 *  - compiled/compiled_code/extra_ctes_injected/extra_ctes appear only on a compiled node;
 *  - seeds carry no SQL fields (language, refs, ...), only root_path and depends_on.macros;
 *  - parent_map/child_map list every enabled node and source, with sorted, duplicate-free ids;
 *  - disabled nodes live under `disabled` (unique_id -> [node]), never under `nodes`.
 *
 * Cost: linear in nodes + edges + macros (plus the sort of each adjacency list), so the graph
 * variable of a 10,000-node project is cheap to build. Strings of the project are referenced, not
 * copied: the value must not outlive the project.
 */
#define _GNU_SOURCE 1 /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifacts/art_internal.h"
#include "core/hash.h"
#include "core/sb.h"
#include "graph/graph.h"

void art_index_tests(struct art_mctx *c)
{
	struct project *p = c->p;
	size_t n = p->nnodes, nt = 0;
	for (size_t i = 0; i < n; i++)
		nt += p->nodes[i]->type == NODE_TEST && p->nodes[i]->attached_node < n;
	uint32_t *off = xcalloc(n + 1 + nt + 1, sizeof(*off));
	uint32_t *idx = off + n + 1;
	for (size_t i = 0; i < n; i++)
		if (p->nodes[i]->type == NODE_TEST && p->nodes[i]->attached_node < n)
			off[p->nodes[i]->attached_node + 1]++;
	for (size_t i = 0; i < n; i++)
		off[i + 1] += off[i];
	uint32_t *fill = xmalloc((n + 1) * sizeof(*fill));
	memcpy(fill, off, (n + 1) * sizeof(*fill));
	for (size_t i = 0; i < n; i++)
		if (p->nodes[i]->type == NODE_TEST && p->nodes[i]->attached_node < n)
			idx[fill[p->nodes[i]->attached_node]++] = (uint32_t)i;
	free(fill);
	c->tests_off = off;
	c->tests = idx;
}

const char *art_resource_type(enum node_type t)
{
	static const char *const names[NODE_TYPE_COUNT] = {
		[NODE_MODEL] = "model",	      [NODE_SEED] = "seed",	      [NODE_SNAPSHOT] = "snapshot",
		[NODE_TEST] = "test",	      [NODE_SOURCE] = "source",	      [NODE_ANALYSIS] = "analysis",
		[NODE_OPERATION] = "operation", [NODE_EXPOSURE] = "exposure", [NODE_UNIT_TEST] = "unit_test",
		[NODE_METRIC] = "metric", [NODE_SEMANTIC_MODEL] = "semantic_model", [NODE_SAVED_QUERY] = "saved_query",
	};
	return (unsigned)t < NODE_TYPE_COUNT ? names[t] : "model";
}

static bool is_cstr(value v)
{
	return v.type == V_STR;
}

/* Copies every defined entry of src into dst (replacing values in place, appending new keys) */
static void overlay(value dst, value src)
{
	if (src.type != V_DICT)
		return;
	for (uint32_t i = 0; i < src.d->len; i++)
		if (src.d->e[i].val.type != V_UNDEF)
			val_dict_set(dst, src.d->e[i].key, src.d->e[i].val);
}

static value docs_default(struct arena *a)
{
	value d = val_dict_new(a, 2);
	val_dict_sets(d, "show", val_bool(true));
	val_dict_sets(d, "node_color", val_none());
	return d;
}

value art_docs_value(struct arena *a, value v)
{
	value d = docs_default(a);
	overlay(d, v);
	return d;
}

/* --- config ------------------------------------------------------------------------------- */

/* {show: true, node_color: null}, or part of it */
bool art_is_default_docs(value v)
{
	if (v.type != V_DICT)
		return v.type == V_NONE || v.type == V_UNDEF;
	value show = val_dict_gets(v, "show"), color = val_dict_gets(v, "node_color");
	return (show.type == V_UNDEF || (show.type == V_BOOL && show.b)) &&
	       (color.type == V_UNDEF || color.type == V_NONE) && v.d->len <= (uint32_t)(show.type != V_UNDEF) + (color.type != V_UNDEF);
}

/* dbt's Hook: {sql, transaction, index} from a string or a dict */
static value hook_value(struct arena *a, value h)
{
	value d = val_dict_new(a, 3);
	if (h.type == V_DICT) {
		value sql = val_dict_gets(h, "sql");
		value tr = val_dict_gets(h, "transaction");
		value ix = val_dict_gets(h, "index");
		val_dict_sets(d, "sql", sql.type == V_UNDEF ? val_str("") : sql);
		val_dict_sets(d, "transaction", tr.type == V_BOOL ? tr : val_bool(true));
		val_dict_sets(d, "index", ix.type == V_INT ? ix : val_none());
	} else {
		val_dict_sets(d, "sql", h.type == V_STR ? h : val_to_str(a, h));
		val_dict_sets(d, "transaction", val_bool(true));
		val_dict_sets(d, "index", val_none());
	}
	return d;
}

static value hooks_value(struct arena *a, value v)
{
	value l = val_list_new(a, v.type == V_LIST ? v.l->len : 1);
	if (v.type == V_LIST) {
		for (uint32_t i = 0; i < v.l->len; i++)
			val_list_push(l, hook_value(a, v.l->items[i]));
	} else if (v.type != V_NONE && v.type != V_UNDEF) {
		val_list_push(l, hook_value(a, v));
	}
	return l;
}

/*
 * The keys every node's config carries, in dbt's order: NodeAndTestConfig, then NodeConfig or
 * TestConfig, then the type's own (ModelConfig, SeedConfig, SnapshotConfig). One table serves the
 * config's value and its JSON, written straight from the node (manifest_json.c).
 */
#define CFG(key, kind, s) {key, sizeof(key) - 1, kind, s}
static const struct art_cfg_default cfg_head[] = {
	CFG("enabled", ACD_TRUE, NULL), CFG("alias", ACD_NONE, NULL), CFG("schema", ACD_NONE, NULL),
	CFG("database", ACD_NONE, NULL), CFG("tags", ACD_LIST, NULL), CFG("meta", ACD_DICT, NULL),
	CFG("group", ACD_NONE, NULL),
};
static const struct art_cfg_default cfg_test_schema = CFG("schema", ACD_STR, "dbt_test__audit");
static const struct art_cfg_default cfg_materialized[] = {
	CFG("materialized", ACD_STR, "view"), CFG("materialized", ACD_STR, "seed"),
	CFG("materialized", ACD_STR, "snapshot"), CFG("materialized", ACD_STR, "test"),
};
static const struct art_cfg_default cfg_test[] = {
	CFG("severity", ACD_STR, "ERROR"), CFG("store_failures", ACD_NONE, NULL),
	CFG("store_failures_as", ACD_NONE, NULL), CFG("where", ACD_NONE, NULL), CFG("limit", ACD_NONE, NULL),
	CFG("fail_calc", ACD_STR, "count(*)"), CFG("warn_if", ACD_STR, "!= 0"), CFG("error_if", ACD_STR, "!= 0"),
};
static const struct art_cfg_default cfg_node[] = {
	CFG("incremental_strategy", ACD_NONE, NULL), CFG("batch_size", ACD_NONE, NULL),
	CFG("lookback", ACD_ONE, NULL), CFG("begin", ACD_NONE, NULL), CFG("persist_docs", ACD_DICT, NULL),
	CFG("post-hook", ACD_LIST, NULL), CFG("pre-hook", ACD_LIST, NULL), CFG("quoting", ACD_DICT, NULL),
	CFG("column_types", ACD_DICT, NULL), CFG("full_refresh", ACD_NONE, NULL),
	CFG("unique_key", ACD_NONE, NULL), CFG("on_schema_change", ACD_STR, "ignore"),
	CFG("on_configuration_change", ACD_STR, "apply"), CFG("grants", ACD_DICT, NULL),
	CFG("packages", ACD_LIST, NULL), CFG("docs", ACD_DOCS, NULL), CFG("contract", ACD_CONTRACT, NULL),
	CFG("event_time", ACD_NONE, NULL), CFG("concurrent_batches", ACD_NONE, NULL),
};
static const struct art_cfg_default cfg_model[] = {CFG("access", ACD_STR, "protected")};
static const struct art_cfg_default cfg_seed[] = {CFG("delimiter", ACD_STR, ","), CFG("quote_columns", ACD_NONE, NULL)};
static const struct art_cfg_default cfg_snapshot[] = {
	CFG("strategy", ACD_NONE, NULL), CFG("target_schema", ACD_NONE, NULL),
	CFG("target_database", ACD_NONE, NULL), CFG("updated_at", ACD_NONE, NULL),
	CFG("check_cols", ACD_NONE, NULL), CFG("snapshot_meta_column_names", ACD_SNAPSHOT_META, NULL),
	CFG("dbt_valid_to_current", ACD_NONE, NULL),
};
#undef CFG

static size_t add_defaults(const struct art_cfg_default **out, size_t k, const struct art_cfg_default *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[k++] = &d[i];
	return k;
}

size_t art_config_defaults(enum node_type t, const struct art_cfg_default *out[ART_CFG_MAX])
{
#define ADD(tbl) k = add_defaults(out, k, tbl, sizeof(tbl) / sizeof(tbl[0]))
	size_t k = 0;
	out[k++] = &cfg_head[0];
	if (t == NODE_SOURCE || t == NODE_EXPOSURE)
		return k;
	k = add_defaults(out, k, cfg_head + 1, sizeof(cfg_head) / sizeof(cfg_head[0]) - 1);
	if (t == NODE_TEST)
		out[2] = &cfg_test_schema;
	out[k++] = &cfg_materialized[t == NODE_SEED ? 1 : t == NODE_SNAPSHOT ? 2 : t == NODE_TEST ? 3 : 0];
	if (t == NODE_TEST) {
		ADD(cfg_test);
		return k;
	}
	ADD(cfg_node);
	if (t == NODE_MODEL)
		ADD(cfg_model);
	else if (t == NODE_SEED)
		ADD(cfg_seed);
	else if (t == NODE_SNAPSHOT)
		ADD(cfg_snapshot);
	return k;
#undef ADD
}

value art_config_default_value(struct arena *a, const struct art_cfg_default *d)
{
	switch (d->kind) {
	case ACD_TRUE: return val_bool(true);
	case ACD_ONE: return val_int(1);
	case ACD_STR: return val_str(d->s);
	case ACD_LIST: return val_list_new(a, 0);
	case ACD_DICT: return val_dict_new(a, 0);
	case ACD_DOCS: return docs_default(a);
	case ACD_CONTRACT: {
		value contract = val_dict_new(a, 2);
		val_dict_sets(contract, "enforced", val_bool(false));
		val_dict_sets(contract, "alias_types", val_bool(true));
		return contract;
	}
	case ACD_SNAPSHOT_META: {
		static const char *const meta_cols[] = {"dbt_valid_to", "dbt_valid_from", "dbt_scd_id",
							"dbt_updated_at", "dbt_is_deleted"};
		value mc = val_dict_new(a, 5);
		for (size_t i = 0; i < sizeof(meta_cols) / sizeof(meta_cols[0]); i++)
			val_dict_sets(mc, meta_cols[i], val_none());
		return mc;
	}
	default: return val_none();
	}
}

enum art_own art_config_own(struct arena *a, const struct node *n, value k, value v, value *pk, value *pv)
{
	if (v.type == V_UNDEF)
		return ART_OWN_SKIP;
	bool pre = val_streq(k, "pre-hook") || val_streq(k, "pre_hook");
	bool post = val_streq(k, "post-hook") || val_streq(k, "post_hook");
	/* a test's config has no hooks nor docs: written only when the project sets them */
	if (n->type == NODE_TEST && (pre || post) && (v.type == V_NONE || (v.type == V_LIST && v.l->len == 0)))
		return ART_OWN_SKIP;
	if (n->type == NODE_TEST && val_streq(k, "docs") && art_is_default_docs(v))
		return ART_OWN_SKIP;
	*pk = k;
	*pv = v;
	if (pre || post) {
		*pk = val_str(pre ? "pre-hook" : "post-hook");
		*pv = hooks_value(a, v);
	} else if (val_streq(k, "docs") && v.type == V_DICT) {
		*pv = art_docs_value(a, v);
	} else if (val_streq(k, "contract") && v.type == V_DICT) {
		return ART_OWN_CONTRACT;
	}
	return ART_OWN_SET;
}

value art_contract_merge(struct arena *a, value current, value own)
{
	value merged = val_dict_new(a, 2);
	overlay(merged, current);
	overlay(merged, own);
	return merged;
}

/* The node's config: the defaults of its type, overlaid with its own keys */
static value config_value(struct arena *a, const struct node *n)
{
	const struct art_cfg_default *defs[ART_CFG_MAX];
	size_t nd = art_config_defaults(n->type, defs);
	value c = val_dict_new(a, (uint32_t)nd + 1);
	for (size_t i = 0; i < nd; i++)
		val_dict_sets(c, defs[i]->key, art_config_default_value(a, defs[i]));
	for (uint32_t i = 0; n->config.type == V_DICT && i < n->config.d->len; i++) {
		value k, v;
		switch (art_config_own(a, n, n->config.d->e[i].key, n->config.d->e[i].val, &k, &v)) {
		case ART_OWN_SKIP:
			break;
		case ART_OWN_CONTRACT: {
			value cur = val_dict_gets(c, "contract");
			val_dict_set(c, k, cur.type == V_DICT ? art_contract_merge(a, cur, v) : v);
			break;
		}
		case ART_OWN_SET:
			val_dict_set(c, k, v);
			break;
		}
	}
	val_dict_sets(c, "enabled", val_bool(n->enabled));
	return c;
}

/* --- pieces of a node -------------------------------------------------------------------- */

/* dbt's ColumnLevelConstraint (and ModelLevelConstraint, with columns), defaults filled */
static value constraint_value(struct arena *a, value con, bool model_level)
{
	value d = val_dict_new(a, 8);
	val_dict_sets(d, "type", val_none());
	val_dict_sets(d, "name", val_none());
	val_dict_sets(d, "expression", val_none());
	val_dict_sets(d, "warn_unenforced", val_bool(true));
	val_dict_sets(d, "warn_unsupported", val_bool(true));
	val_dict_sets(d, "to", val_none());
	val_dict_sets(d, "to_columns", val_list_new(a, 0));
	if (model_level)
		val_dict_sets(d, "columns", val_list_new(a, 0));
	overlay(d, con);
	return d;
}

value art_constraints_value(struct arena *a, value l, bool model_level)
{
	value out = val_list_new(a, l.type == V_LIST ? l.l->len : 0);
	for (uint32_t i = 0; l.type == V_LIST && i < l.l->len; i++)
		val_list_push(out, constraint_value(a, l.l->items[i], model_level));
	return out;
}

static value column_value(struct arena *a, value key, value col)
{
	value d = val_dict_new(a, 8);
	val_dict_sets(d, "name", key);
	val_dict_sets(d, "description", val_str(""));
	val_dict_sets(d, "meta", val_dict_new(a, 0));
	val_dict_sets(d, "data_type", val_none());
	val_dict_sets(d, "constraints", val_list_new(a, 0));
	val_dict_sets(d, "quote", val_none());
	val_dict_sets(d, "tags", val_list_new(a, 0));
	val_dict_sets(d, "granularity", val_none());
	overlay(d, col);
	val_dict_sets(d, "constraints", art_constraints_value(a, val_dict_gets(d, "constraints"), false));
	/* dbt 1.9's ColumnConfig: the meta and tags of the column's own config: */
	value own = col.type == V_DICT ? val_dict_gets(col, "config") : val_undef();
	value meta = own.type == V_DICT ? val_dict_gets(own, "meta") : val_undef();
	value tags = own.type == V_DICT ? val_dict_gets(own, "tags") : val_undef();
	if (tags.type == V_STR) {
		value l = val_list_new(a, 1);
		val_list_push(l, tags);
		tags = l;
	}
	value cc = val_dict_new(a, 2);
	val_dict_sets(cc, "meta", meta.type == V_DICT ? meta : val_dict_new(a, 0));
	val_dict_sets(cc, "tags", tags.type == V_LIST ? tags : val_list_new(a, 0));
	val_dict_sets(d, "config", cc);
	return d;
}

value art_columns_value(struct arena *a, value cols)
{
	if (cols.type != V_DICT)
		return val_dict_new(a, 0);
	value d = val_dict_new(a, cols.d->len);
	for (uint32_t i = 0; i < cols.d->len; i++)
		val_dict_set(d, cols.d->e[i].key, column_value(a, cols.d->e[i].key, cols.d->e[i].val));
	return d;
}

static value fqn_value(struct arena *a, const struct node *n)
{
	if (n->fqn.type == V_LIST)
		return n->fqn;
	value l = val_list_new(a, 2);
	val_list_push(l, art_str_or(n->package, ""));
	val_list_push(l, art_str_or(n->name, ""));
	return l;
}

static int cmp_cstr(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

size_t art_dep_ids(struct project *p, const struct node *n, const char **ids)
{
	size_t k = 0;
	uint32_t *sorted = NULL;
	if (n->ndeps > 16) {
		/* many deps: duplicate check by binary search instead of a quadratic scan */
		sorted = xmalloc(n->ndeps * sizeof(*sorted));
		memcpy(sorted, n->deps, n->ndeps * sizeof(*sorted));
		qsort(sorted, n->ndeps, sizeof(*sorted), cmp_u32);
	}
	uint8_t *seen = sorted ? xcalloc(n->ndeps, 1) : NULL;
	for (uint32_t i = 0; i < n->ndeps; i++) {
		uint32_t d = n->deps[i];
		if (d >= p->nnodes)
			continue;
		bool dup = false;
		if (sorted) {
			uint32_t *hit = bsearch(&d, sorted, n->ndeps, sizeof(*sorted), cmp_u32);
			while (hit > sorted && hit[-1] == d)
				hit--;
			size_t at = (size_t)(hit - sorted);
			dup = seen[at];
			seen[at] = 1;
		} else {
			for (uint32_t j = 0; j < i && !dup; j++)
				dup = n->deps[j] == d;
		}
		if (!dup)
			ids[k++] = p->nodes[d]->unique_id;
	}
	free(sorted);
	free(seen);
	return k;
}

size_t art_macro_ids(const char *const *ids, uint32_t n, const char **out)
{
	size_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		bool dup = false;
		for (uint32_t j = 0; j < i && j < 64 && !dup; j++)
			dup = !strcmp(ids[j], ids[i]);
		if (!dup)
			out[k++] = ids[i];
	}
	return k;
}

static value id_list_value(struct arena *a, const char **ids, size_t n)
{
	value l = val_list_new(a, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		val_list_push(l, val_str(ids[i]));
	return l;
}

static value depends_on(struct art_mctx *c, const struct node *n, bool with_nodes)
{
	value d = val_dict_new(c->a, 2);
	const char **ids = arena_alloc(c->a, ((size_t)n->nmacros_used + n->ndeps + 1) * sizeof(*ids));
	val_dict_sets(d, "macros", id_list_value(c->a, ids, art_macro_ids(n->macros_used, n->nmacros_used, ids)));
	if (with_nodes)
		val_dict_sets(d, "nodes", id_list_value(c->a, ids, art_dep_ids(c->p, n, ids)));
	return d;
}

value art_ref_version(const struct ref_call *r)
{
	/* dbt keeps the version as the call gave it: ref('m', v=2) is 2, ref('m', v='2') is "2" */
	const char *v = r->version;
	bool digits = v && *v && strspn(v, "0123456789") == strlen(v);
	value given = r->given_version;
	return !v ? val_none() : given.type != V_UNDEF ? given : digits ? val_int(strtoll(v, NULL, 10)) : val_str(v);
}

static value refs_value(struct arena *a, const struct node *n)
{
	value l = val_list_new(a, n->nrefs);
	for (uint32_t i = 0; i < n->nrefs; i++) {
		value r = val_dict_new(a, 3);
		val_dict_sets(r, "name", art_str_or(n->refs[i].name, ""));
		val_dict_sets(r, "package", art_str(n->refs[i].package));
		val_dict_sets(r, "version", art_ref_version(&n->refs[i]));
		val_list_push(l, r);
	}
	return l;
}

static value sources_value(struct arena *a, const struct node *n)
{
	value l = val_list_new(a, n->nsources);
	for (uint32_t i = 0; i < n->nsources; i++) {
		value pair = val_list_new(a, 2);
		val_list_push(pair, art_str_or(n->sources[i].source, ""));
		val_list_push(pair, art_str_or(n->sources[i].table, ""));
		val_list_push(l, pair);
	}
	return l;
}

const char *art_package_root(struct project *p, const char *package)
{
	for (size_t i = 0; package && i < p->npackages; i++)
		if (p->packages[i].name && !strcmp(p->packages[i].name, package))
			return p->packages[i].root;
	return p->root;
}

/* "models.orders" / "sources.raw": the yml entry a generic test hangs off, as dbt names it */
value art_file_key_name(struct art_mctx *c, const struct node *n)
{
	/* a source's test is attached to nothing: its source is the first it reads */
	if (n->attached_node >= c->p->nnodes && n->nsources > 0 && n->sources[0].source)
		return val_str_fmt(c->a, "sources.%s", n->sources[0].source);
	if (n->attached_node >= c->p->nnodes)
		return val_none();
	const struct node *t = c->p->nodes[n->attached_node];
	switch (t->type) {
	case NODE_SOURCE: return val_str_fmt(c->a, "sources.%s", t->source_name ? t->source_name : t->name);
	case NODE_SEED: return val_str_fmt(c->a, "seeds.%s", t->name);
	case NODE_SNAPSHOT: return val_str_fmt(c->a, "snapshots.%s", t->name);
	case NODE_ANALYSIS: return val_str_fmt(c->a, "analyses.%s", t->name);
	default: return val_str_fmt(c->a, "models.%s", t->name);
	}
}

static value cfg_get(value cfg, const char *key)
{
	return cfg.type == V_DICT ? val_dict_gets(cfg, key) : val_undef();
}

static value or_none(value v)
{
	return v.type == V_UNDEF ? val_none() : v;
}

/* --- primary_key ------------------------------------------------------------------------- */

static bool is_pk_constraint(value con)
{
	return con.type == V_DICT && val_streq(val_dict_gets(con, "type"), "primary_key");
}

static int cmp_value_str(const void *x, const void *y)
{
	const value *a = x, *b = y;
	return strcmp(a->s, b->s);
}

/* The distinct strings of `l`, sorted */
static value sorted_strings(struct arena *a, value l)
{
	value out = val_list_new(a, l.l->len);
	for (uint32_t i = 0; i < l.l->len; i++) {
		value s = l.l->items[i];
		bool dup = s.type != V_STR;
		for (uint32_t j = 0; j < out.l->len && !dup; j++)
			dup = val_eq(out.l->items[j], s);
		if (!dup)
			val_list_push(out, s);
	}
	if (out.l->len > 1)
		qsort(out.l->items, out.l->len, sizeof(value), cmp_value_str);
	return out;
}

static void add_test_columns(struct arena *a, const struct node *t, value uniq_on, value uniq_off, value not_null)
{
	value md = t->test_metadata;
	value kw = val_dict_gets(md, "kwargs"), name = val_dict_gets(md, "name");
	value col = val_dict_gets(kw, "column_name"), combo = val_dict_gets(kw, "combination_of_columns");
	value cols = val_list_new(a, 1);
	if (col.type == V_STR) {
		val_list_push(cols, col);
	} else if (combo.type == V_LIST) {
		for (uint32_t i = 0; i < combo.l->len; i++)
			if (combo.l->items[i].type == V_STR)
				val_list_push(cols, combo.l->items[i]);
	}
	bool uniq = val_streq(name, "unique") || val_streq(name, "unique_combination_of_columns");
	value to = uniq ? (t->enabled ? uniq_on : uniq_off) : val_streq(name, "not_null") ? not_null : val_undef();
	for (uint32_t i = 0; to.type == V_LIST && i < cols.l->len; i++)
		val_list_push(to, cols.l->items[i]);
}

static bool has_string(value l, value s)
{
	for (uint32_t i = 0; i < l.l->len; i++)
		if (val_eq(l.l->items[i], s))
			return true;
	return false;
}

/*
 * dbt 1.9's inferred primary key of a model, sorted: the columns of a primary_key constraint of the
 * model, else the first column with one, else the columns with both a unique (or
 * unique_combination_of_columns) and a not_null test, else those with an enabled unique test, else
 * those with a disabled one.
 */
value art_primary_key(struct art_mctx *c, const struct node *n)
{
	struct arena *a = c->a;
	value cons = n->constraints;
	for (uint32_t i = 0; cons.type == V_LIST && i < cons.l->len; i++) {
		value cols = val_dict_gets(cons.l->items[i], "columns");
		if (is_pk_constraint(cons.l->items[i]))
			return cols.type == V_LIST ? sorted_strings(a, cols) : val_list_new(a, 0);
	}
	for (uint32_t i = 0; n->columns.type == V_DICT && i < n->columns.d->len; i++) {
		value cc = val_dict_gets(n->columns.d->e[i].val, "constraints");
		for (uint32_t j = 0; cc.type == V_LIST && j < cc.l->len; j++) {
			if (is_pk_constraint(cc.l->items[j])) {
				value l = val_list_new(a, 1);
				val_list_push(l, n->columns.d->e[i].key);
				return l;
			}
		}
	}
	value uniq_on = val_list_new(a, 2), uniq_off = val_list_new(a, 2), not_null = val_list_new(a, 2);
	struct project *p = c->p;
	if (c->tests_off) {
		for (uint32_t k = c->tests_off[n->index]; k < c->tests_off[n->index + 1]; k++)
			add_test_columns(a, p->nodes[c->tests[k]], uniq_on, uniq_off, not_null);
	} else {
		for (size_t i = 0; i < p->nnodes; i++)
			if (p->nodes[i]->type == NODE_TEST && p->nodes[i]->attached_node == n->index)
				add_test_columns(a, p->nodes[i], uniq_on, uniq_off, not_null);
	}
	value both = val_list_new(a, 2);
	for (uint32_t i = 0; i < not_null.l->len; i++)
		if (has_string(uniq_on, not_null.l->items[i]) || has_string(uniq_off, not_null.l->items[i]))
			val_list_push(both, not_null.l->items[i]);
	if (both.l->len)
		return sorted_strings(a, both);
	return sorted_strings(a, uniq_on.l->len ? uniq_on : uniq_off);
}

/* --- one node ---------------------------------------------------------------------------- */

/*
 * A source's config as dbt 1.9.8 writes its SourceConfig: enabled, event_time and freshness (the
 * source's own freshness: dbt keeps the two equal), then the keys the project set; the node
 * defaults every node's config gets here (empty tags, meta and hooks, default docs) are not
 * SourceConfig's and are left out
 */
static value source_config(struct arena *a, value cfg, value freshness)
{
	value sc = val_dict_new(a, 4);
	val_dict_sets(sc, "enabled", val_dict_gets(cfg, "enabled").type == V_BOOL ? val_dict_gets(cfg, "enabled")
										   : val_bool(true));
	val_dict_sets(sc, "event_time", or_none(val_dict_gets(cfg, "event_time")));
	val_dict_sets(sc, "freshness", freshness.type == V_UNDEF ? val_none() : freshness);
	for (uint32_t i = 0; cfg.type == V_DICT && i < cfg.d->len; i++) {
		value k = cfg.d->e[i].key, v = cfg.d->e[i].val;
		if (val_streq(k, "enabled") || val_streq(k, "event_time") || val_streq(k, "freshness"))
			continue;
		bool empty = (v.type == V_LIST && v.l->len == 0) || (v.type == V_DICT && v.d->len == 0);
		if ((val_streq(k, "tags") || val_streq(k, "meta") || val_streq(k, "pre-hook") || val_streq(k, "post-hook")) &&
		    empty)
			continue;
		if (val_streq(k, "docs") && art_is_default_docs(v))
			continue;
		val_dict_set(sc, k, v);
	}
	return sc;
}

static value source_value(struct art_mctx *c, const struct node *n, value cfg)
{
	struct arena *a = c->a;
	value d = val_dict_new(a, 32);
	val_dict_sets(d, "database", art_str(n->database));
	val_dict_sets(d, "schema", art_str_or(n->schema, ""));
	val_dict_sets(d, "name", art_str_or(n->name, ""));
	val_dict_sets(d, "resource_type", val_str("source"));
	val_dict_sets(d, "package_name", art_str_or(n->package, ""));
	val_dict_sets(d, "path", art_str_or(n->path, ""));
	val_dict_sets(d, "original_file_path", art_str_or(n->original_file_path, ""));
	val_dict_sets(d, "unique_id", art_str_or(n->unique_id, ""));
	val_dict_sets(d, "fqn", fqn_value(a, n));
	val_dict_sets(d, "source_name", art_str_or(n->source_name, ""));
	val_dict_sets(d, "source_description", art_str_or(n->source_description, ""));
	val_dict_sets(d, "loader", art_str_or(n->loader, ""));
	val_dict_sets(d, "identifier", art_str_or(n->alias, n->name ? n->name : ""));
	value quoting = val_dict_new(a, 4);
	val_dict_sets(quoting, "database", val_none());
	val_dict_sets(quoting, "schema", val_none());
	val_dict_sets(quoting, "identifier", val_none());
	val_dict_sets(quoting, "column", val_none());
	overlay(quoting, cfg_get(n->config, "quoting"));
	val_dict_sets(d, "quoting", quoting);
	val_dict_sets(d, "loaded_at_field", or_none(cfg_get(n->config, "loaded_at_field")));
	/* the criteria as merged at parse (project/freshness.c); None when switched off */
	value fresh = val_dict_new(a, 3);
	static const char *const after[] = {"warn_after", "error_after"};
	for (int i = 0; i < 2; i++) {
		value given = n->freshness.type == V_DICT ? val_dict_gets(n->freshness, after[i]) : val_undef();
		if (given.type == V_NONE) {
			val_dict_sets(fresh, after[i], val_none());
			continue;
		}
		value t = val_dict_new(a, 2);
		val_dict_sets(t, "count", val_none());
		val_dict_sets(t, "period", val_none());
		overlay(t, given);
		val_dict_sets(fresh, after[i], t);
	}
	val_dict_sets(fresh, "filter", n->freshness.type == V_DICT
					       ? or_none(val_dict_gets(n->freshness, "filter"))
					       : val_none());
	val_dict_sets(d, "freshness", n->freshness.type == V_NONE ? val_none() : fresh);
	value ext = cfg_get(n->config, "external");
	val_dict_sets(d, "external", ext.type == V_DICT ? ext : val_none());
	val_dict_sets(d, "description", art_str_or(n->description, ""));
	val_dict_sets(d, "columns", art_columns_value(a, n->columns));
	val_dict_sets(d, "meta", art_dict_or_new(a, n->meta));
	val_dict_sets(d, "source_meta", art_dict_or_new(a, n->source_meta));
	val_dict_sets(d, "tags", art_list_or_new(a, n->tags));
	val_dict_sets(d, "config", source_config(a, cfg, val_dict_gets(d, "freshness")));
	val_dict_sets(d, "patch_path", art_str(n->patch_path));
	val_dict_sets(d, "unrendered_config", art_dict_or_new(a, n->unrendered_config));
	val_dict_sets(d, "relation_name", art_str(n->relation_name));
	val_dict_sets(d, "created_at", val_float(c->created_at));
	return d;
}

static value exposure_value(struct art_mctx *c, const struct node *n, value cfg)
{
	struct arena *a = c->a;
	value d = val_dict_new(a, 24);
	val_dict_sets(d, "name", art_str_or(n->name, ""));
	val_dict_sets(d, "resource_type", val_str("exposure"));
	val_dict_sets(d, "package_name", art_str_or(n->package, ""));
	val_dict_sets(d, "path", art_str_or(n->path, ""));
	val_dict_sets(d, "original_file_path", art_str_or(n->original_file_path, ""));
	val_dict_sets(d, "unique_id", art_str_or(n->unique_id, ""));
	val_dict_sets(d, "fqn", fqn_value(a, n));
	value type = cfg_get(n->config, "type");
	val_dict_sets(d, "type", is_cstr(type) ? type : val_str("dashboard"));
	value owner = val_dict_new(a, 2);
	val_dict_sets(owner, "email", val_none());
	val_dict_sets(owner, "name", val_none());
	overlay(owner, cfg_get(n->config, "owner"));
	val_dict_sets(d, "owner", owner);
	val_dict_sets(d, "description", art_str_or(n->description, ""));
	val_dict_sets(d, "label", or_none(cfg_get(n->config, "label")));
	val_dict_sets(d, "maturity", or_none(cfg_get(n->config, "maturity")));
	val_dict_sets(d, "meta", art_dict_or_new(a, n->meta));
	val_dict_sets(d, "tags", art_list_or_new(a, n->tags));
	value ecfg = val_dict_new(a, 1);
	val_dict_sets(ecfg, "enabled", val_dict_gets(cfg, "enabled"));
	val_dict_sets(d, "config", ecfg);
	val_dict_sets(d, "unrendered_config", art_dict_or_new(a, n->unrendered_config));
	val_dict_sets(d, "url", or_none(cfg_get(n->config, "url")));
	val_dict_sets(d, "depends_on", depends_on(c, n, true));
	val_dict_sets(d, "refs", refs_value(a, n));
	val_dict_sets(d, "sources", sources_value(a, n));
	val_dict_sets(d, "metrics", n->metric_calls.type == V_LIST ? n->metric_calls : val_list_new(a, 0));
	val_dict_sets(d, "created_at", val_float(c->created_at));
	return d;
}

value art_node_value_in(struct art_mctx *c, const struct node *n)
{
	struct arena *a = c->a;
	if (n->type == NODE_UNIT_TEST)
		return art_unit_test_value(a, c->p, n);
	if (node_is_semantic(n->type))
		return art_semantic_value(a, c->p, n, c->created_at);
	value cfg = config_value(a, n);
	if (n->type == NODE_SOURCE)
		return source_value(c, n, cfg);
	if (n->type == NODE_EXPOSURE)
		return exposure_value(c, n, cfg);

	value d = val_dict_new(a, 44);
	/* ParsedResourceMandatory */
	val_dict_sets(d, "database", art_str(n->database));
	val_dict_sets(d, "schema", art_str_or(n->schema, ""));
	val_dict_sets(d, "name", art_str_or(n->name, ""));
	val_dict_sets(d, "resource_type", val_str(art_resource_type(n->type)));
	val_dict_sets(d, "package_name", art_str_or(n->package, ""));
	val_dict_sets(d, "path", art_str_or(n->path, ""));
	val_dict_sets(d, "original_file_path", art_str_or(n->original_file_path, ""));
	val_dict_sets(d, "unique_id", art_str_or(n->unique_id, ""));
	val_dict_sets(d, "fqn", fqn_value(a, n));
	val_dict_sets(d, "alias", art_str_or(n->alias, n->name ? n->name : ""));
	value checksum = val_dict_new(a, 2);
	val_dict_sets(checksum, "name", val_str(n->checksum ? "sha256" : "none"));
	val_dict_sets(checksum, "checksum", art_str_or(n->checksum, ""));
	val_dict_sets(d, "checksum", checksum);
	val_dict_sets(d, "config", cfg);
	/* ParsedResource */
	val_dict_sets(d, "tags", art_list_or_new(a, n->tags));
	val_dict_sets(d, "description", art_str_or(n->description, ""));
	val_dict_sets(d, "columns", art_columns_value(a, n->columns));
	val_dict_sets(d, "meta", art_dict_or_new(a, n->meta));
	val_dict_sets(d, "group", or_none(val_dict_gets(cfg, "group")));
	val_dict_sets(d, "docs", art_docs_value(a, n->docs.type == V_DICT ? n->docs : val_dict_gets(cfg, "docs")));
	val_dict_sets(d, "patch_path", art_str(n->patch_path));
	val_dict_sets(d, "build_path", val_none());
	val_dict_sets(d, "unrendered_config", art_dict_or_new(a, n->unrendered_config));
	val_dict_sets(d, "created_at", val_float(c->created_at));
	val_dict_sets(d, "relation_name", art_str(n->relation_name));
	if (n->type == NODE_SEED) {
		/* dbt does not load a seed's rows at parse time: its raw_code stays empty */
		val_dict_sets(d, "raw_code", val_str(""));
		val_dict_sets(d, "root_path", art_str(art_package_root(c->p, n->package)));
		val_dict_sets(d, "depends_on", depends_on(c, n, false));
		return d;
	}
	size_t raw_len = n->raw_code ? (n->raw_len ? n->raw_len : strlen(n->raw_code)) : 0;
	val_dict_sets(d, "raw_code", n->raw_code ? val_strn(n->raw_code, raw_len) : val_str(""));
	/* CompiledResource */
	val_dict_sets(d, "language", art_str_or(n->language, "sql"));
	val_dict_sets(d, "refs", refs_value(a, n));
	val_dict_sets(d, "sources", sources_value(a, n));
	val_dict_sets(d, "metrics", n->metric_calls.type == V_LIST ? n->metric_calls : val_list_new(a, 0));
	val_dict_sets(d, "depends_on", depends_on(c, n, true));
	val_dict_sets(d, "compiled_path", art_str(n->compiled_path));
	if (n->compiled_code) {
		val_dict_sets(d, "compiled", val_bool(true));
		val_dict_sets(d, "compiled_code", val_str(n->compiled_code));
		val_dict_sets(d, "extra_ctes_injected", val_bool(true));
		val_dict_sets(d, "extra_ctes", val_list_new(a, 0));
	}
	value cc = val_dict_gets(cfg, "contract");
	value contract = val_dict_new(a, 3);
	val_dict_sets(contract, "enforced", val_bool(false));
	val_dict_sets(contract, "alias_types", val_bool(true));
	overlay(contract, cc);
	const char *csum = proj_contract_checksum(a, n);
	val_dict_sets(contract, "checksum", csum ? val_str(csum) : val_none());
	val_dict_sets(d, "contract", contract);

	switch (n->type) {
	case NODE_MODEL: {
		value access = val_dict_gets(cfg, "access");
		val_dict_sets(d, "access", is_cstr(access) ? access : val_str("protected"));
		val_dict_sets(d, "constraints", art_constraints_value(a, n->constraints, true));
		val_dict_sets(d, "version", n->version.type == V_UNDEF ? val_none() : n->version);
		val_dict_sets(d, "latest_version", n->latest_version.type == V_UNDEF ? val_none() : n->latest_version);
		val_dict_sets(d, "deprecation_date", art_str(n->deprecation_date));
		val_dict_sets(d, "primary_key", art_primary_key(c, n));
		val_dict_sets(d, "time_spine", n->time_spine);
		break;
	}
	case NODE_TEST:
		if (n->test_metadata.type == V_DICT) {
			val_dict_sets(d, "column_name", art_str(n->column_name));
			val_dict_sets(d, "file_key_name", art_file_key_name(c, n));
			val_dict_sets(d, "attached_node",
				      n->attached_node < c->p->nnodes
					      ? val_str(c->p->nodes[n->attached_node]->unique_id)
					      : val_none());
			value md = val_dict_new(a, 3);
			val_dict_sets(md, "name", val_str(""));
			val_dict_sets(md, "kwargs", val_dict_new(a, 0));
			val_dict_sets(md, "namespace", val_none());
			overlay(md, n->test_metadata);
			val_dict_sets(d, "test_metadata", md);
		}
		break;
	case NODE_OPERATION: {
		/* a hook's place in its on-run-start/on-run-end list, the end of its name */
		const char *dash = strrchr(n->name, '-');
		val_dict_sets(d, "index", dash ? val_int(strtol(dash + 1, NULL, 10)) : val_none());
		break;
	}
	default:
		break;
	}
	return d;
}

value art_node_value(struct arena *a, struct project *p, const struct node *n)
{
	struct art_mctx c = {a, p, art_now(), NULL, NULL};
	return art_node_value_in(&c, n);
}

/* --- macros and docs ---------------------------------------------------------------------- */

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/*
 * The text of a macro's definition, `{% macro ... %}` through `{% endmacro %}` (or a test's or a
 * materialization's, through its own end tag), cut from the file
 * the macro was parsed from. Its location may point at the tag or at the name inside it, so the
 * opening `{%` is looked for backwards from there (not past a `%}`). "" when not found.
 */
static value macro_sql(const struct macro_def *m)
{
	uint32_t file = m->loc.file ? m->loc.file : m->file;
	size_t len = 0;
	const char *text = file ? diag_file_text(file, &len) : NULL;
	if (!text || m->loc.off >= len)
		return val_str("");
	size_t start = m->loc.off;
	if (!(text[start] == '{' && start + 1 < len && text[start + 1] == '%')) {
		size_t i = start;
		bool found = false;
		while (i > 0 && start - i < 4096) {
			i--;
			if (text[i] == '{' && text[i + 1] == '%') {
				found = true;
				break;
			}
			if (text[i] == '%' && text[i + 1] == '}')
				break;
		}
		if (!found)
			return val_str("");
		start = i;
	}
	const char *end = text + len;
	/* the block ends with the end tag of its own kind: endmacro, endtest, endmaterialization */
	const char *w = text + start + 2;
	while (w < end && (*w == '-' || *w == '+' || is_space(*w)))
		w++;
	size_t wlen = 0;
	while (w + wlen < end && (w[wlen] == '_' || (w[wlen] >= 'a' && w[wlen] <= 'z')))
		wlen++;
	char endtag[32];
	if (wlen == 0 || wlen > 20)
		return val_str("");
	int tlen = snprintf(endtag, sizeof(endtag), "end%.*s", (int)wlen, w);
	const char *q = text + start + 2;
	while (q < end) {
		const char *k = memmem(q, (size_t)(end - q), endtag, (size_t)tlen);
		if (!k)
			break;
		q = k + tlen;
		/* preceded by "{%" [-+] spaces */
		const char *b = k;
		while (b > text + start && is_space(b[-1]))
			b--;
		if (b > text + start && (b[-1] == '-' || b[-1] == '+'))
			b--;
		if (!(b - 2 >= text + start && b[-2] == '{' && b[-1] == '%'))
			continue;
		/* followed by spaces [-] "%}" */
		const char *e = q;
		while (e < end && is_space(*e))
			e++;
		if (e < end && *e == '-')
			e++;
		if (e + 1 < end && e[0] == '%' && e[1] == '}')
			return val_strn(text + start, (size_t)(e + 2 - (text + start)));
	}
	return val_str("");
}

value art_macro_value(struct art_mctx *c, const struct macro_def *m)
{
	struct arena *a = c->a;
	value d = val_dict_new(a, 16);
	val_dict_sets(d, "name", art_str_or(m->name, ""));
	val_dict_sets(d, "resource_type", val_str("macro"));
	val_dict_sets(d, "package_name", art_str_or(m->package, ""));
	val_dict_sets(d, "path", art_str_or(m->path, ""));
	val_dict_sets(d, "original_file_path", art_str_or(m->path, ""));
	val_dict_sets(d, "unique_id", art_str_or(m->unique_id, ""));
	val_dict_sets(d, "macro_sql", macro_sql(m));
	value dep = val_dict_new(a, 1);
	value ids = val_list_new(a, m->ndeps);
	for (uint32_t i = 0; i < m->ndeps; i++)
		val_list_push(ids, val_str(m->deps[i]));
	val_dict_sets(dep, "macros", ids);
	val_dict_sets(d, "depends_on", dep);
	val_dict_sets(d, "description", art_str_or(m->description, ""));
	val_dict_sets(d, "meta", art_dict_or_new(a, m->meta));
	val_dict_sets(d, "docs", art_docs_value(a, m->docs));
	val_dict_sets(d, "patch_path", art_str(m->patch_path));
	val_dict_sets(d, "arguments", art_list_or_new(a, m->arguments));
	val_dict_sets(d, "created_at", val_float(c->created_at));
	val_dict_sets(d, "supported_languages", val_none());
	return d;
}

static value doc_value(struct arena *a, const char *package, size_t plen, const char *name, value text,
		       value where)
{
	value d = val_dict_new(a, 8);
	val_dict_sets(d, "name", val_str(name));
	val_dict_sets(d, "resource_type", val_str("doc"));
	val_dict_sets(d, "package_name", val_strn(package, plen));
	bool known = where.type == V_LIST && where.l->len == 2;
	val_dict_sets(d, "path", known ? where.l->items[0] : val_str(""));
	val_dict_sets(d, "original_file_path", known ? where.l->items[1] : val_str(""));
	val_dict_sets(d, "unique_id", val_str_fmt(a, "doc.%.*s.%s", (int)plen, package, name));
	val_dict_sets(d, "block_contents", text.type == V_STR ? text : val_to_str(a, text));
	return d;
}

value art_docs_section(struct arena *a, struct project *p)
{
	value docs = p->docs_blocks;
	value out = val_dict_new(a, docs.type == V_DICT ? docs.d->len + 1 : 1);
	bool has_overview = false;
	for (uint32_t i = 0; docs.type == V_DICT && i < docs.d->len; i++) {
		value k = docs.d->e[i].key;
		if (k.type != V_STR)
			continue;
		const char *key = val_cstr(a, k);
		const char *dot = strchr(key, '.');
		const char *pkg = dot ? key : (p->name ? p->name : "");
		size_t plen = dot ? (size_t)(dot - key) : strlen(pkg);
		const char *name = dot ? dot + 1 : key;
		value dv = doc_value(a, pkg, plen, name, docs.d->e[i].val, val_dict_get(p->docs_files, k));
		val_dict_set(out, val_dict_gets(dv, "unique_id"), dv);
		if (!strcmp(key, "dbt.__overview__"))
			has_overview = true;
	}
	if (!has_overview) {
		/* dbt-docs opens on this block when the project defines no overview of its own */
		value dv = doc_value(a, "dbt", 3, "__overview__",
				     val_str("### Welcome!\n\nThis documentation was generated by Sluice from a "
					     "dbt project. Use the navigation on the left to browse models, "
					     "sources and tests, and the lineage graph to see how they connect.\n"),
				     val_undef());
		val_dict_set(out, val_dict_gets(dv, "unique_id"), dv);
	}
	return out;
}

/* --- parent and child maps ---------------------------------------------------------------- */

static bool in_graph(struct project *p, uint32_t i)
{
	return i < p->nnodes && p->nodes[i]->enabled && p->nodes[i]->type != NODE_UNIT_TEST;
}

/* ids of idx[0..n) that are in the graph, sorted, each once, into tmp (at least n pointers);
 * returns how many */
static size_t id_list(struct project *p, const uint32_t *idx, size_t n, const char **tmp)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (in_graph(p, idx[i]))
			tmp[k++] = p->nodes[idx[i]]->unique_id;
	qsort(tmp, k, sizeof(*tmp), cmp_cstr);
	size_t out = 0;
	for (size_t i = 0; i < k; i++)
		if (i == 0 || strcmp(tmp[i], tmp[out - 1]))
			tmp[out++] = tmp[i];
	return out;
}

void art_edge_lists(struct project *p, const struct graph *g, bool children, art_edge_fn fn, void *ctx)
{
	size_t n = p->nnodes;
	const uint32_t *par_off, *par, *chi_off, *chi;
	uint32_t *own = NULL;
	if (g && g->n == n && g->par_off && g->chi_off) {
		par_off = g->par_off;
		par = g->par;
		chi_off = g->chi_off;
		chi = g->chi;
	} else {
		/* no graph: parents are the nodes' deps, children their transpose (CSR, counting sort) */
		size_t nedges = 0;
		for (size_t i = 0; i < n; i++)
			if (in_graph(p, (uint32_t)i))
				nedges += p->nodes[i]->ndeps;
		own = xcalloc(2 * (n + 1) + 2 * nedges + 1, sizeof(*own));
		uint32_t *po = own, *pp = po + n + 1, *co = pp + nedges, *cc = co + n + 1;
		size_t e = 0;
		for (size_t i = 0; i < n; i++) {
			po[i] = (uint32_t)e;
			if (!in_graph(p, (uint32_t)i))
				continue;
			const struct node *nd = p->nodes[i];
			for (uint32_t j = 0; j < nd->ndeps; j++) {
				if (nd->deps[j] >= n)
					continue;
				pp[e++] = nd->deps[j];
				co[nd->deps[j] + 1]++;
			}
		}
		po[n] = (uint32_t)e;
		for (size_t i = 0; i < n; i++)
			co[i + 1] += co[i];
		uint32_t *fill = xmalloc((n + 1) * sizeof(*fill));
		memcpy(fill, co, (n + 1) * sizeof(*fill));
		for (size_t i = 0; i < n; i++)
			for (uint32_t k = po[i]; k < po[i + 1]; k++)
				cc[fill[pp[k]]++] = (uint32_t)i;
		free(fill);
		par_off = po;
		par = pp;
		chi_off = co;
		chi = cc;
	}
	size_t maxdeg = 1;
	for (size_t i = 0; i < n; i++) {
		if (par_off[i + 1] - par_off[i] > maxdeg)
			maxdeg = par_off[i + 1] - par_off[i];
		if (chi_off[i + 1] - chi_off[i] > maxdeg)
			maxdeg = chi_off[i + 1] - chi_off[i];
	}
	const char **tmp = xmalloc(maxdeg * sizeof(*tmp));
	/* dbt lists the nodes first, then the sources, exposures, metrics, semantic models, saved queries */
	static const int pass_of[NODE_TYPE_COUNT] = {[NODE_SOURCE] = 1, [NODE_EXPOSURE] = 2, [NODE_METRIC] = 3,
						     [NODE_SEMANTIC_MODEL] = 4, [NODE_SAVED_QUERY] = 5};
	for (int pass = 0; pass < 6; pass++) {
		for (size_t i = 0; i < n; i++) {
			if (!in_graph(p, (uint32_t)i) || pass_of[p->nodes[i]->type] != pass)
				continue;
			size_t k = children ? id_list(p, chi + chi_off[i], chi_off[i + 1] - chi_off[i], tmp)
					    : id_list(p, par + par_off[i], par_off[i + 1] - par_off[i], tmp);
			fn(ctx, p->nodes[i]->unique_id, tmp, k);
		}
	}
	free(tmp);
	free(own);
}

struct edge_map {
	struct arena *a;
	value map;
};

static void edge_map_add(void *ctx, const char *id, const char *const *ids, size_t n)
{
	struct edge_map *em = ctx;
	value l = val_list_new(em->a, n);
	for (size_t i = 0; i < n; i++)
		val_list_push(l, val_str(ids[i]));
	val_dict_set(em->map, val_str(id), l);
}

void art_edge_maps(struct arena *a, struct project *p, const struct graph *g, value parent_map,
		   value child_map)
{
	struct edge_map pm = {a, parent_map}, cm = {a, child_map};
	art_edge_lists(p, g, false, edge_map_add, &pm);
	art_edge_lists(p, g, true, edge_map_add, &cm);
}

/* --- the manifest ------------------------------------------------------------------------- */

value art_manifest_metadata(struct arena *a, struct project *p, const struct art_invocation *inv)
{
	value meta = art_metadata(a, p, ART_SCHEMA_MANIFEST, inv);
	val_dict_sets(meta, "project_name", art_str(p->name));
	if (p->name) {
		char id[33];
		md5_hex(p->name, strlen(p->name), id);
		val_dict_sets(meta, "project_id", val_str_dup(a, id, 32));
	} else {
		val_dict_sets(meta, "project_id", val_none());
	}
	val_dict_sets(meta, "user_id", val_none());
	val_dict_sets(meta, "send_anonymous_usage_stats", val_bool(false));
	val_dict_sets(meta, "adapter_type", art_str(p->target.type));
	return meta;
}

value art_manifest_value(struct arena *a, struct project *p, const struct graph *g,
			 const struct art_invocation *inv)
{
	struct art_mctx c = {a, p, art_now(), NULL, NULL};
	art_index_tests(&c);
	proj_macro_deps(p);
	value m = val_dict_new(a, 16);

	val_dict_sets(m, "metadata", art_manifest_metadata(a, p, inv));

	size_t nsrc = 0, nexp = 0;
	for (size_t i = 0; i < p->nnodes; i++) {
		nsrc += p->nodes[i]->type == NODE_SOURCE;
		nexp += p->nodes[i]->type == NODE_EXPOSURE;
	}
	value nodes = val_dict_new(a, p->nnodes - nsrc - nexp);
	value semantic[3] = {val_dict_new(a, 0), val_dict_new(a, 0), val_dict_new(a, 0)};
	value sources = val_dict_new(a, nsrc);
	value exposures = val_dict_new(a, nexp);
	value disabled = val_dict_new(a, 0);
	for (size_t i = 0; i < p->nnodes; i++) {
		const struct node *n = p->nodes[i];
		value v = art_node_value_in(&c, n);
		value id = val_str(n->unique_id);
		if (!n->enabled) {
			value l = val_dict_get(disabled, id);
			if (l.type != V_LIST) {
				l = val_list_new(a, 1);
				val_dict_set(disabled, id, l);
			}
			val_list_push(l, v);
		} else if (n->type == NODE_UNIT_TEST) {
			continue;
		} else if (n->type == NODE_SOURCE) {
			val_dict_set(sources, id, v);
		} else if (n->type == NODE_EXPOSURE) {
			val_dict_set(exposures, id, v);
		} else if (node_is_semantic(n->type)) {
			val_dict_set(semantic[n->type - NODE_METRIC], id, v);
		} else {
			val_dict_set(nodes, id, v);
		}
	}
	val_dict_sets(m, "nodes", nodes);
	val_dict_sets(m, "sources", sources);

	value macros = val_dict_new(a, p->nmacros);
	for (size_t i = 0; i < p->nmacros; i++)
		val_dict_set(macros, val_str(p->macros[i]->unique_id), art_macro_value(&c, p->macros[i]));
	val_dict_sets(m, "macros", macros);
	val_dict_sets(m, "docs", art_docs_section(a, p));
	val_dict_sets(m, "exposures", exposures);
	val_dict_sets(m, "metrics", semantic[0]);
	val_dict_sets(m, "groups", p->groups.type == V_DICT ? p->groups : val_dict_new(a, 0));
	val_dict_sets(m, "selectors", val_dict_new(a, 0));
	val_dict_sets(m, "disabled", disabled);

	value parent_map = val_dict_new(a, p->nnodes);
	value child_map = val_dict_new(a, p->nnodes);
	art_edge_maps(a, p, g, parent_map, child_map);
	val_dict_sets(m, "parent_map", parent_map);
	val_dict_sets(m, "child_map", child_map);
	val_dict_sets(m, "group_map", val_dict_new(a, 0));
	val_dict_sets(m, "saved_queries", semantic[2]);
	val_dict_sets(m, "semantic_models", semantic[1]);
	val_dict_sets(m, "unit_tests", art_unit_tests(a, p));
	free((void *)c.tests_off);
	return m;
}
