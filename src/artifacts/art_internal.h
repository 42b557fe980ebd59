/*
 * Helpers shared by the artifact writers (manifest.c, results.c): small value constructors that map
 * C NULLs to JSON nulls, dbt's timestamp format, the metadata block every artifact opens with, and
 * the one place a finished artifact is serialised, scrubbed of secrets and written.
 *
 * Ownership: every value is built in the arena handed in; nothing here frees.
 */
#ifndef SLUICE_ARTIFACTS_INTERNAL_H
#define SLUICE_ARTIFACTS_INTERNAL_H

#include "artifacts/artifacts.h"

/* The dbt-core version whose artifacts we write */
#define ART_DBT_VERSION DBT_MATCHED_VERSION

#define ART_SCHEMA_MANIFEST "https://schemas.getdbt.com/dbt/manifest/v12.json"
#define ART_SCHEMA_RUN_RESULTS "https://schemas.getdbt.com/dbt/run-results/v6.json"
#define ART_SCHEMA_CATALOG "https://schemas.getdbt.com/dbt/catalog/v1.json"

/* A string, or None for NULL (the string is not copied) */
value art_str(const char *s);
/* A string, or `dflt` for NULL */
value art_str_or(const char *s, const char *dflt);
/* v when it is a dict (list), else a new empty one */
value art_dict_or_new(struct arena *a, value v);
value art_list_or_new(struct arena *a, value v);

/* "2024-05-01T10:00:00.123456Z" (dbt's datetime format) into out[32] */
void art_iso_time(double epoch, char out[32]);
/* art_iso_time of `epoch` copied into the arena */
const char *art_iso_time_dup(struct arena *a, double epoch);

/*
 * The metadata every artifact starts with: dbt_schema_version, dbt_version, generated_at,
 * invocation_id, env. The manifest appends its own keys to the returned dict.
 */
value art_metadata(struct arena *a, struct project *p, const char *schema_url,
		   const struct art_invocation *inv);

/*
 * Serialises v as compact JSON (Python json.dumps separators), replaces every registered secret
 * and writes the file atomically. On failure adds a diagnostic naming the path and returns -1.
 */
struct sb;
int art_write_json(const char *path, value v, struct diag_list *dl) __attribute__((warn_unused_result));
/* Writes JSON text already serialised in out (scrubbed of secrets first), and releases out */
int art_write_json_text(const char *path, struct sb *out, struct diag_list *dl) __attribute__((warn_unused_result));

/* The manifest's unit_tests section, and one entry of it (unit_tests.c) */
value art_unit_test_value(struct arena *a, struct project *p, const struct node *n);
value art_unit_tests(struct arena *a, struct project *p);

/* The manifest entry of a metric, semantic model or saved query (semantic.c) */
value art_semantic_value(struct arena *a, struct project *p, const struct node *n, double created_at);

/* --- the manifest's pieces (manifest.c), for its streaming writer (manifest_write.c) --- */

/* Everything one build of node values shares */
struct art_mctx {
	struct arena *a;
	struct project *p;
	double created_at;
	/* the generic tests attached to node i: tests[tests_off[i] .. tests_off[i + 1]); NULL when not
	 * built (one node alone: its tests are then looked for) */
	const uint32_t *tests_off, *tests;
};
/* Fills c->tests_off/tests (CSR by attached node, counting sort); free(c->tests_off) releases both */
void art_index_tests(struct art_mctx *c);
/* One node's entry (nodes, sources, exposures, metrics, ...), a macro's, the docs section */
value art_node_value_in(struct art_mctx *c, const struct node *n);
value art_macro_value(struct art_mctx *c, const struct macro_def *m);
value art_docs_section(struct arena *a, struct project *p);
/* parent_map and child_map: every enabled node and source, sorted and without duplicates */
struct graph;
void art_edge_maps(struct arena *a, struct project *p, const struct graph *g, value parent_map, value child_map);
/* The same, one map at a time and one entry at a time (fn gets the node's id and its list), so a
 * writer can stream them */
typedef void (*art_edge_fn)(void *ctx, const char *id, const char *const *ids, size_t n);
void art_edge_lists(struct project *p, const struct graph *g, bool children, art_edge_fn fn, void *ctx);
/*
 * The pieces of a node's entry that its value (manifest.c) and its JSON written straight from the
 * node (manifest_json.c) share, so that the two cannot disagree on dbt's defaults.
 */
const char *art_resource_type(enum node_type t);
/* A default of a config key, and the keys a node type's config always carries */
enum art_cfg_kind { ACD_NONE, ACD_TRUE, ACD_ONE, ACD_STR, ACD_LIST, ACD_DICT, ACD_DOCS, ACD_CONTRACT, ACD_SNAPSHOT_META };
struct art_cfg_default {
	const char *key;
	uint8_t klen;   /* strlen(key) */
	uint8_t kind;   /* enum art_cfg_kind */
	const char *s;  /* ACD_STR */
};
#define ART_CFG_MAX 48
size_t art_config_defaults(enum node_type t, const struct art_cfg_default *out[ART_CFG_MAX]);
value art_config_default_value(struct arena *a, const struct art_cfg_default *d);
/* One key of the node's own config as its config sets it: left out, set (under *pk, to *pv: a
 * hook list as dbt's Hook dicts, docs filled), or a contract to merge with the config's so far */
enum art_own { ART_OWN_SKIP, ART_OWN_SET, ART_OWN_CONTRACT };
enum art_own art_config_own(struct arena *a, const struct node *n, value k, value v, value *pk, value *pv);
value art_contract_merge(struct arena *a, value current, value own);
/* {show, node_color} filled from v; whether v says no more than the default */
value art_docs_value(struct arena *a, value v);
bool art_is_default_docs(value v);
value art_columns_value(struct arena *a, value cols);
value art_constraints_value(struct arena *a, value l, bool model_level);
value art_primary_key(struct art_mctx *c, const struct node *n);
value art_file_key_name(struct art_mctx *c, const struct node *n);
const char *art_package_root(struct project *p, const char *package);
value art_ref_version(const struct ref_call *r);
/* depends_on: the node's dependencies' and macros' unique ids, each once, in the order found, into
 * ids (room for n->ndeps, n->nmacros_used); their count */
size_t art_dep_ids(struct project *p, const struct node *n, const char **ids);
size_t art_macro_ids(const char *const *ids, uint32_t n, const char **out);
/* A node's entry written as JSON straight from the node, the text val_to_json gives of
 * art_node_value_in; false (out unchanged) for an entry it leaves to the value */
struct sb;
bool art_node_json(struct art_mctx *c, const struct node *n, struct sb *out);
/* The manifest's metadata: the common one and project_name, project_id, user_id, ... */
value art_manifest_metadata(struct arena *a, struct project *p, const struct art_invocation *inv);

#endif
