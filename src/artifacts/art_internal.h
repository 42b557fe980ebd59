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
/* The manifest's metadata: the common one and project_name, project_id, user_id, ... */
value art_manifest_metadata(struct arena *a, struct project *p, const struct art_invocation *inv);

#endif
