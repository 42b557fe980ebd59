/*
 * A node's manifest entry written as JSON straight from the node: the same text val_to_json gives
 * of art_node_value_in (manifest.c), without building that value first. A large project's
 * manifest is mostly models and tests whose configs are dbt's defaults, so most of an entry is
 * constant text; building it as a tree of dicts and serialising the tree cost twice the time.
 *
 * The two share every default and rule through the art_* pieces of art_internal.h (config
 * defaults, the own-config overlay, ids, versions, primary key); where an entry holds something
 * rare (a constraint, a docs or contract override, a hook), that piece is built as a value and
 * serialised. SLUICE_MANIFEST_CHECK=1 builds every entry both ways and compares them (the e2e
 * tests run with it), so the two cannot drift apart unseen.
 *
 * Handled here: models, tests, seeds, snapshots, analyses and hooks, enabled ones; the other
 * kinds (sources, exposures, unit tests, semantic nodes, disabled nodes) are left to the value.
 */
#include <stdlib.h>
#include <string.h>

#include "artifacts/art_internal.h"
#include "core/sb.h"

#define LIT(o, s) sb_add((o), (s), sizeof(s) - 1)
/* ", "key": " of a key that needs no escape */
#define KEY(o, k) LIT(o, ", \"" k "\": ")

static const char docs_json[] = "{\"show\": true, \"node_color\": null}";

static void put_str(struct sb *o, const char *s)
{
	val_json_string(o, s, strlen(s));
}

static void put_str_or(struct sb *o, const char *s, const char *dflt)
{
	put_str(o, s ? s : dflt);
}

static void put_str_or_null(struct sb *o, const char *s)
{
	if (s)
		put_str(o, s);
	else
		LIT(o, "null");
}

static void put_val(struct sb *o, value v)
{
	val_to_json(o, v, 0, 0);
}

static void put_ids(struct sb *o, const char **ids, size_t n)
{
	sb_addc(o, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			LIT(o, ", ");
		put_str(o, ids[i]);
	}
	sb_addc(o, ']');
}

static bool same_key(value a, value b)
{
	return a.len == b.len && !memcmp(a.s, b.s, a.len);
}

/* --- config --------------------------------------------------------------------------------- */

/* The node's config as config_value builds it: the defaults of its type, each replaced where the
 * node's own config sets it, then the node's other keys in their order */
struct cfg {
	const struct art_cfg_default *defs[ART_CFG_MAX];
	size_t nd;
	value set[ART_CFG_MAX];
	bool has[ART_CFG_MAX];
	value *xk, *xv;  /* keys beyond the defaults */
	uint32_t nx;
};

static long cfg_default_at(const struct cfg *st, value k)
{
	for (size_t i = 0; i < st->nd; i++)
		if (k.len == st->defs[i]->klen && !memcmp(k.s, st->defs[i]->key, k.len))
			return (long)i;
	return -1;
}

/* The node's own value of key (a default it replaced, or a key beyond the defaults); NULL when it
 * set none. *pdef: the key's place among the defaults, or -1 */
static const value *cfg_own(const struct cfg *st, value k, long *pdef)
{
	long i = *pdef = cfg_default_at(st, k);
	if (i >= 0)
		return st->has[i] ? &st->set[i] : NULL;
	for (uint32_t j = 0; j < st->nx; j++)
		if (same_key(st->xk[j], k))
			return &st->xv[j];
	return NULL;
}

static value cfg_get(struct arena *a, const struct cfg *st, const char *key)
{
	long def;
	const value *own = cfg_own(st, val_str(key), &def);
	return own ? *own : def >= 0 ? art_config_default_value(a, st->defs[def]) : val_undef();
}

/* whether the config holds key as its default (or not at all) */
static bool cfg_untouched(const struct cfg *st, const char *key)
{
	long def;
	return cfg_own(st, val_str(key), &def) == NULL;
}

static void cfg_put(struct cfg *st, value k, value v)
{
	long i = cfg_default_at(st, k);
	if (i >= 0) {
		st->has[i] = true;
		st->set[i] = v;
		return;
	}
	for (uint32_t j = 0; j < st->nx; j++) {
		if (same_key(st->xk[j], k)) {
			st->xv[j] = v;
			return;
		}
	}
	st->xk[st->nx] = k;
	st->xv[st->nx++] = v;
}

/* false when the node's config has a key that is not a string (left to the value) */
static bool cfg_build(struct arena *a, const struct node *n, struct cfg *st)
{
	st->nd = art_config_defaults(n->type, st->defs);
	memset(st->has, 0, sizeof(st->has));
	st->nx = 0;
	value own = n->config;
	if (own.type != V_DICT)
		return true;
	st->xk = arena_alloc(a, ((size_t)own.d->len + 1) * sizeof(value));
	st->xv = arena_alloc(a, ((size_t)own.d->len + 1) * sizeof(value));
	for (uint32_t i = 0; i < own.d->len; i++) {
		if (own.d->e[i].key.type != V_STR)
			return false;
		value k, v;
		switch (art_config_own(a, n, own.d->e[i].key, own.d->e[i].val, &k, &v)) {
		case ART_OWN_SKIP:
			break;
		case ART_OWN_CONTRACT: {
			value cur = cfg_get(a, st, "contract");
			cfg_put(st, k, cur.type == V_DICT ? art_contract_merge(a, cur, v) : v);
			break;
		}
		case ART_OWN_SET:
			cfg_put(st, k, v);
			break;
		}
	}
	return true;
}

static void put_default(struct sb *o, const struct art_cfg_default *d)
{
	switch (d->kind) {
	case ACD_TRUE: LIT(o, "true"); break;
	case ACD_ONE: LIT(o, "1"); break;
	case ACD_STR: put_str(o, d->s); break;
	case ACD_LIST: LIT(o, "[]"); break;
	case ACD_DICT: LIT(o, "{}"); break;
	case ACD_DOCS: LIT(o, docs_json); break;
	case ACD_CONTRACT: LIT(o, "{\"enforced\": false, \"alias_types\": true}"); break;
	case ACD_SNAPSHOT_META:
		LIT(o, "{\"dbt_valid_to\": null, \"dbt_valid_from\": null, \"dbt_scd_id\": null, "
		       "\"dbt_updated_at\": null, \"dbt_is_deleted\": null}");
		break;
	default: LIT(o, "null"); break;
	}
}

static void cfg_write(struct sb *o, const struct cfg *st, const struct node *n)
{
	sb_addc(o, '{');
	for (size_t i = 0; i < st->nd; i++) {
		if (i)
			LIT(o, ", ");
		put_str(o, st->defs[i]->key);
		LIT(o, ": ");
		if (i == 0)  /* enabled: the node's, whatever its config says */
			put_val(o, val_bool(n->enabled));
		else if (st->has[i])
			put_val(o, st->set[i]);
		else
			put_default(o, st->defs[i]);
	}
	for (uint32_t j = 0; j < st->nx; j++) {
		LIT(o, ", ");
		put_val(o, st->xk[j]);
		LIT(o, ": ");
		put_val(o, st->xv[j]);
	}
	sb_addc(o, '}');
}

/* --- columns -------------------------------------------------------------------------------- */

/* column_value's: the column's keys over these defaults, its constraints filled, then its config */
static const char *const col_keys[] = {"name", "description", "meta", "data_type", "constraints", "quote", "tags",
				       "granularity"};
static const char *const col_defaults[] = {NULL, "\"\"", "{}", "null", "[]", "null", "[]", "null"};
#define NCOL (sizeof(col_keys) / sizeof(col_keys[0]))

/* k's place among col_keys, or -1 */
static int col_key_at(value k)
{
	static const uint8_t lens[NCOL] = {4, 11, 4, 9, 11, 5, 4, 11};
	for (size_t i = 0; i < NCOL; i++)
		if (k.len == lens[i] && !memcmp(k.s, col_keys[i], k.len))
			return (int)i;
	return -1;
}

static void put_column_config(struct sb *o, value col)
{
	value own = col.type == V_DICT ? val_dict_gets(col, "config") : val_undef();
	value meta = own.type == V_DICT ? val_dict_gets(own, "meta") : val_undef();
	value tags = own.type == V_DICT ? val_dict_gets(own, "tags") : val_undef();
	LIT(o, "{\"meta\": ");
	if (meta.type == V_DICT)
		put_val(o, meta);
	else
		LIT(o, "{}");
	LIT(o, ", \"tags\": ");
	if (tags.type == V_STR) {
		sb_addc(o, '[');
		put_val(o, tags);
		sb_addc(o, ']');
	} else if (tags.type == V_LIST) {
		put_val(o, tags);
	} else {
		LIT(o, "[]");
	}
	sb_addc(o, '}');
}

/* constraints_value's list: most columns and models have none */
static void put_constraints(struct sb *o, struct arena *a, value l, bool model_level)
{
	if (l.type == V_LIST && l.l->len)
		put_val(o, art_constraints_value(a, l, model_level));
	else
		LIT(o, "[]");
}

static bool put_column(struct sb *o, struct arena *a, value key, value col)
{
	value got[NCOL];
	for (size_t i = 0; i < NCOL; i++)
		got[i] = val_undef();
	uint32_t len = col.type == V_DICT ? col.d->len : 0;
	for (uint32_t i = 0; i < len; i++) {
		if (col.d->e[i].key.type != V_STR)
			return false;
		int k = col_key_at(col.d->e[i].key);
		if (k >= 0 && col.d->e[i].val.type != V_UNDEF)
			got[k] = col.d->e[i].val;
	}
	sb_addc(o, '{');
	for (size_t k = 0; k < NCOL; k++) {
		if (k)
			LIT(o, ", ");
		sb_addc(o, '"');
		sb_adds(o, col_keys[k]);
		LIT(o, "\": ");
		if (k == 4) {
			put_constraints(o, a, got[k], false);
		} else if (got[k].type != V_UNDEF) {
			put_val(o, got[k]);
		} else if (k == 0) {
			put_val(o, key);
		} else {
			sb_adds(o, col_defaults[k]);
		}
	}
	bool config_done = false;
	for (uint32_t i = 0; i < len; i++) {
		value k = col.d->e[i].key, v = col.d->e[i].val;
		if (col_key_at(k) >= 0 || v.type == V_UNDEF)
			continue;
		LIT(o, ", ");
		put_val(o, k);
		LIT(o, ": ");
		if (val_streq(k, "config")) {
			put_column_config(o, col);
			config_done = true;
		} else {
			put_val(o, v);
		}
	}
	if (!config_done) {
		LIT(o, ", \"config\": ");
		put_column_config(o, col);
	}
	sb_addc(o, '}');
	return true;
}

static bool put_columns(struct sb *o, struct arena *a, value cols)
{
	if (cols.type != V_DICT || cols.d->len == 0) {
		LIT(o, "{}");
		return true;
	}
	sb_addc(o, '{');
	for (uint32_t i = 0; i < cols.d->len; i++) {
		if (cols.d->e[i].key.type != V_STR)
			return false;
		if (i)
			LIT(o, ", ");
		put_val(o, cols.d->e[i].key);
		LIT(o, ": ");
		if (!put_column(o, a, cols.d->e[i].key, cols.d->e[i].val))
			return false;
	}
	sb_addc(o, '}');
	return true;
}

/* --- the rest of a node ---------------------------------------------------------------------- */

static void put_refs(struct sb *o, const struct node *n)
{
	sb_addc(o, '[');
	for (uint32_t i = 0; i < n->nrefs; i++) {
		if (i)
			LIT(o, ", ");
		LIT(o, "{\"name\": ");
		put_str_or(o, n->refs[i].name, "");
		LIT(o, ", \"package\": ");
		put_str_or_null(o, n->refs[i].package);
		LIT(o, ", \"version\": ");
		put_val(o, art_ref_version(&n->refs[i]));
		sb_addc(o, '}');
	}
	sb_addc(o, ']');
}

static void put_sources(struct sb *o, const struct node *n)
{
	sb_addc(o, '[');
	for (uint32_t i = 0; i < n->nsources; i++) {
		if (i)
			LIT(o, ", ");
		sb_addc(o, '[');
		put_str_or(o, n->sources[i].source, "");
		LIT(o, ", ");
		put_str_or(o, n->sources[i].table, "");
		sb_addc(o, ']');
	}
	sb_addc(o, ']');
}

static void put_depends_on(struct sb *o, struct art_mctx *c, const struct node *n, bool with_nodes)
{
	const char **ids = arena_alloc(c->a, ((size_t)n->nmacros_used + n->ndeps + 1) * sizeof(*ids));
	LIT(o, "{\"macros\": ");
	put_ids(o, ids, art_macro_ids(n->macros_used, n->nmacros_used, ids));
	if (with_nodes) {
		LIT(o, ", \"nodes\": ");
		put_ids(o, ids, art_dep_ids(c->p, n, ids));
	}
	sb_addc(o, '}');
}

/* {name: "", kwargs: {}, namespace: null} overlaid with the test's metadata */
static bool put_test_metadata(struct sb *o, value md)
{
	static const char *const keys[] = {"name", "kwargs", "namespace"};
	static const char *const dflt[] = {"\"\"", "{}", "null"};
	for (uint32_t i = 0; i < md.d->len; i++)
		if (md.d->e[i].key.type != V_STR)
			return false;
	sb_addc(o, '{');
	for (size_t k = 0; k < 3; k++) {
		if (k)
			LIT(o, ", ");
		put_str(o, keys[k]);
		LIT(o, ": ");
		value v = val_dict_gets(md, keys[k]);
		if (v.type != V_UNDEF)
			put_val(o, v);
		else
			sb_adds(o, dflt[k]);
	}
	for (uint32_t i = 0; i < md.d->len; i++) {
		value k = md.d->e[i].key;
		if (md.d->e[i].val.type == V_UNDEF || val_streq(k, "name") || val_streq(k, "kwargs") ||
		    val_streq(k, "namespace"))
			continue;
		LIT(o, ", ");
		put_val(o, k);
		LIT(o, ": ");
		put_val(o, md.d->e[i].val);
	}
	sb_addc(o, '}');
	return true;
}

static void put_contract(struct sb *o, struct arena *a, const struct cfg *st, const struct node *n)
{
	const char *csum = proj_contract_checksum(a, n);
	if (cfg_untouched(st, "contract")) {
		LIT(o, "{\"enforced\": false, \"alias_types\": true, \"checksum\": ");
		put_str_or_null(o, csum);
		sb_addc(o, '}');
		return;
	}
	value dflt = val_dict_new(a, 2);
	val_dict_sets(dflt, "enforced", val_bool(false));
	val_dict_sets(dflt, "alias_types", val_bool(true));
	value ct = art_contract_merge(a, dflt, cfg_get(a, st, "contract"));
	val_dict_sets(ct, "checksum", csum ? val_str(csum) : val_none());
	put_val(o, ct);
}

/* The fields of a model, a generic test or a hook after the ones every node has */
static bool put_type_fields(struct art_mctx *c, const struct node *n, struct sb *o, const struct cfg *st)
{
	struct arena *a = c->a;
	switch (n->type) {
	case NODE_MODEL: {
		value access = cfg_get(a, st, "access");
		KEY(o, "access");
		if (access.type == V_STR)
			put_val(o, access);
		else
			LIT(o, "\"protected\"");
		KEY(o, "constraints");
		put_constraints(o, a, n->constraints, true);
		KEY(o, "version");
		put_val(o, n->version.type == V_UNDEF ? val_none() : n->version);
		KEY(o, "latest_version");
		put_val(o, n->latest_version.type == V_UNDEF ? val_none() : n->latest_version);
		KEY(o, "deprecation_date");
		put_str_or_null(o, n->deprecation_date);
		KEY(o, "primary_key");
		put_val(o, art_primary_key(c, n));
		KEY(o, "time_spine");
		put_val(o, n->time_spine);
		break;
	}
	case NODE_TEST:
		if (n->test_metadata.type == V_DICT) {
			KEY(o, "column_name");
			put_str_or_null(o, n->column_name);
			KEY(o, "file_key_name");
			put_val(o, art_file_key_name(c, n));
			KEY(o, "attached_node");
			put_str_or_null(o, n->attached_node < c->p->nnodes ? c->p->nodes[n->attached_node]->unique_id : NULL);
			KEY(o, "test_metadata");
			return put_test_metadata(o, n->test_metadata);
		}
		break;
	case NODE_OPERATION: {
		/* a hook's place in its on-run-start/on-run-end list, the end of its name */
		const char *dash = strrchr(n->name, '-');
		KEY(o, "index");
		put_val(o, dash ? val_int(strtol(dash + 1, NULL, 10)) : val_none());
		break;
	}
	default:
		break;
	}
	return true;
}

static bool put_node(struct art_mctx *c, const struct node *n, struct sb *o, struct cfg *st)
{
	struct arena *a = c->a;
	if (!cfg_build(a, n, st))
		return false;
	LIT(o, "{\"database\": ");
	put_str_or_null(o, n->database);
	KEY(o, "schema");
	put_str_or(o, n->schema, "");
	KEY(o, "name");
	put_str_or(o, n->name, "");
	KEY(o, "resource_type");
	put_str(o, art_resource_type(n->type));
	KEY(o, "package_name");
	put_str_or(o, n->package, "");
	KEY(o, "path");
	put_str_or(o, n->path, "");
	KEY(o, "original_file_path");
	put_str_or(o, n->original_file_path, "");
	KEY(o, "unique_id");
	put_str_or(o, n->unique_id, "");
	KEY(o, "fqn");
	if (n->fqn.type == V_LIST) {
		put_val(o, n->fqn);
	} else {
		sb_addc(o, '[');
		put_str_or(o, n->package, "");
		LIT(o, ", ");
		put_str_or(o, n->name, "");
		sb_addc(o, ']');
	}
	KEY(o, "alias");
	put_str_or(o, n->alias, n->name ? n->name : "");
	KEY(o, "checksum");
	if (n->checksum) {
		LIT(o, "{\"name\": \"sha256\", \"checksum\": ");
		put_str(o, n->checksum);
		sb_addc(o, '}');
	} else {
		LIT(o, "{\"name\": \"none\", \"checksum\": \"\"}");
	}
	KEY(o, "config");
	cfg_write(o, st, n);
	KEY(o, "tags");
	if (n->tags.type == V_LIST)
		put_val(o, n->tags);
	else
		LIT(o, "[]");
	KEY(o, "description");
	put_str_or(o, n->description, "");
	KEY(o, "columns");
	if (!put_columns(o, a, n->columns))
		return false;
	KEY(o, "meta");
	if (n->meta.type == V_DICT)
		put_val(o, n->meta);
	else
		LIT(o, "{}");
	KEY(o, "group");
	put_val(o, cfg_get(a, st, "group"));
	KEY(o, "docs");
	if (n->docs.type == V_DICT)
		put_val(o, art_docs_value(a, n->docs));
	else if (cfg_untouched(st, "docs"))
		LIT(o, docs_json);
	else
		put_val(o, art_docs_value(a, cfg_get(a, st, "docs")));
	KEY(o, "patch_path");
	put_str_or_null(o, n->patch_path);
	LIT(o, ", \"build_path\": null, \"unrendered_config\": ");
	if (n->unrendered_config.type == V_DICT)
		put_val(o, n->unrendered_config);
	else
		LIT(o, "{}");
	KEY(o, "created_at");
	put_val(o, val_float(c->created_at));
	KEY(o, "relation_name");
	put_str_or_null(o, n->relation_name);
	if (n->type == NODE_SEED) {
		/* as the value: a seed's rows are not its raw_code at parse time */
		LIT(o, ", \"raw_code\": \"\", \"root_path\": ");
		put_str_or_null(o, art_package_root(c->p, n->package));
		KEY(o, "depends_on");
		put_depends_on(o, c, n, false);
		sb_addc(o, '}');
		return true;
	}
	KEY(o, "raw_code");
	if (n->raw_code)
		val_json_string(o, n->raw_code, n->raw_len ? n->raw_len : strlen(n->raw_code));
	else
		LIT(o, "\"\"");
	KEY(o, "language");
	put_str_or(o, n->language, "sql");
	KEY(o, "refs");
	put_refs(o, n);
	KEY(o, "sources");
	put_sources(o, n);
	KEY(o, "metrics");
	if (n->metric_calls.type == V_LIST)
		put_val(o, n->metric_calls);
	else
		LIT(o, "[]");
	KEY(o, "depends_on");
	put_depends_on(o, c, n, true);
	KEY(o, "compiled_path");
	put_str_or_null(o, n->compiled_path);
	if (n->compiled_code) {
		LIT(o, ", \"compiled\": true, \"compiled_code\": ");
		put_str(o, n->compiled_code);
		LIT(o, ", \"extra_ctes_injected\": true, \"extra_ctes\": []");
	}
	KEY(o, "contract");
	put_contract(o, a, st, n);
	if (!put_type_fields(c, n, o, st))
		return false;
	sb_addc(o, '}');
	return true;
}

bool art_node_json(struct art_mctx *c, const struct node *n, struct sb *out)
{
	if (!n->enabled || n->type == NODE_SOURCE || n->type == NODE_EXPOSURE || n->type == NODE_UNIT_TEST ||
	    node_is_semantic(n->type))
		return false;
	size_t start = out->len;
	struct arena_mark m = arena_mark(c->a);
	struct cfg st;
	bool ok = put_node(c, n, out, &st);
	arena_reset(c->a, m);
	if (!ok)
		out->len = start;
	return ok;
}
