/* Internal interfaces between the files of the project loader (see load.c for the order). */
#ifndef SLUICE_PROJECT_LOAD_INTERNAL_H
#define SLUICE_PROJECT_LOAD_INTERNAL_H

#include "core/vec.h"

#define PROJ_MAX_THREADS 8
#include "project/project.h"

/* A generic test from a properties file, waiting to become a node once every model is known */
struct pending_test {
	value def;                   /* the test entry: a string or a one-key dict */
	struct loc loc;
	const char *package;
	const char *yml_path;        /* original_file_path of the yml */
	uint32_t yml_file;
	enum node_type target_type;  /* NODE_MODEL (also seeds, snapshots) or NODE_SOURCE */
	const char *target_name;     /* model name, or source name */
	const char *table_name;      /* for sources */
	const char *column;          /* or NULL */
	const char *version;         /* a version of a versioned model ("2"), or NULL */
	bool dropped;                /* not built: none of the model's versions has the column */
};

struct nodes_builder {
	struct node **v;
	size_t n, cap;
	value patches;  /* dict: "models:pkg:name" -> {entry, yml_path, yml_file, columns} */
	VEC(struct pending_test *) tests;
	VEC(struct node *) unit_tests;  /* unit_tests: entries, added once every other node is known */
};

/* Whether text is what proj_read_file accepts (UTF-8 without NUL bytes) */
bool proj_text_ok(const char *text, size_t len);
const char *proj_read_file(struct project *p, const char *abs, const char *display, uint32_t *pfile,
			   size_t *plen, struct diag_list *dl);
int proj_load_packages(struct project *p, struct diag_list *dl);
int proj_load_profile(struct project *p, const struct proj_options *opt, struct diag_list *dl);
/* Renders the Jinja of dbt_project.yml's config sections (models:, seeds:, ...) in place */
int proj_render_project_configs(struct project *p, struct diag_list *dl);
/* require-dbt-version of a package (or the root project) against the dbt version Sluice matches:
 * 0, or -1 with dbt's error (packages.c) */
int proj_check_dbt_version(struct project *p, const struct package *pkg, struct diag_list *dl);
int proj_load_macros(struct project *p, struct diag_list *dl);
int proj_find_models(struct project *p, struct nodes_builder *nb, struct diag_list *dl);
int proj_load_schema_files(struct project *p, struct nodes_builder *nb, struct diag_list *dl);
/* One properties file (`rel` to its package's root) read and loaded as proj_load_schema_files
 * loads each: its patches and generic tests go to nb. 1, loading nothing, when it holds a top key
 * not in `only` (NULL-terminated); -1 after adding diagnostics. */
int proj_load_properties_file(struct project *p, struct nodes_builder *nb, const struct package *pkg, const char *rel,
			      const char *const *only, struct diag_list *dl);
int proj_parse_nodes(struct project *p, struct nodes_builder *nb, int threads, struct diag_list *dl);
int proj_build_tests(struct project *p, struct nodes_builder *nb, struct diag_list *dl);
int proj_resolve(struct project *p, struct diag_list *dl);
/* Puts nodes in the project's order (by unique_id) */
void proj_sort_nodes(struct node **v, size_t n);
/* by_name: models, seeds, snapshots and analyses by name, package.name and their versions */
void proj_index_names(struct project *p);
/* How a node read from a snapshot gets its template again */
enum snap_tmpl {
	TMPL_NONE,      /* it has one, or needs none */
	TMPL_CODE,      /* parsed from its code, in its own file */
	TMPL_SHARED,    /* a generic test: parsed from its code once for every test of that code */
	TMPL_SNAPSHOT,  /* a {% snapshot %} block: its file's block, called through PROJ_SNAPSHOT_CALL */
};

/* A partial parse (reparse.c) of a snapshot's nodes: in, the nodes in their order and how each
 * gets its template; out, the nodes replaced in place (the ones parsed again), the ones to drop
 * and the ones to add, and which need their dependencies (deps_only) or everything proj_resolve
 * does (resolve) done again once the nodes are in place. Per-node arrays are indexed as nodes. */
struct reparse {
	struct node **nodes;
	uint32_t nn;
	uint8_t *kind;
	uint8_t *removed, *resolve, *deps_only;
	uint8_t *again;       /* rendered again as if its file had changed... */
	const char **via;     /* ...because this file changed (its own, a macro file, a source's) */
	VEC(struct node *) added;
	value loader_macros;  /* the snapshot's: macros its load called other than from nodes' code */
};
/* NULL when parsing the `changed` files (absolute paths) again alone gives what a full load would,
 * with rp brought up to date; else why not */
const char *proj_reparse(struct project *p, struct reparse *rp, const char *const *changed, size_t nchanged);
void proj_reparse_release(struct reparse *rp);

/* A snapshot read back in place of the node phases: 1, 0 when it does not fit this load (nothing
 * changed: load the project whole; p->snapshot_refused says why), or -1 after adding diagnostics.
 * The models of the `changed` files (absolute paths) are parsed again, when that alone gives what
 * a full load would (else 0; see reparse_models in snapshot.c). */
int proj_snapshot_read(struct project *p, const void *data, size_t len, const char *const *changed, size_t nchanged,
		       struct diag_list *dl);
/* The template of a {% snapshot %} node: it calls the block's body, a macro */
#define PROJ_SNAPSHOT_CALL "{{ __sluice_snapshot_body() }}"
/* unit_tests: in a properties file (unit_tests.c): read them into nodes held by the builder */
int proj_collect_unit_tests(struct project *p, struct nodes_builder *nb, value doc, const struct package *pkg,
			    const char *yml_path, uint32_t file, struct diag_list *dl);
/* Once nodes are resolved: ties each unit test to its model and inputs, checks its fixtures */
int proj_link_unit_tests(struct project *p, struct diag_list *dl);

/*
 * Runs fn(ctx, i, arena) for every i in [0, n) on the parsing threads (one a core), each with its
 * own long-lived arena from p->parse_arenas. fn must touch only item i's state and thread-safe
 * things (diag lists). Returns the OR of fn's results.
 */
typedef int (*proj_item_fn)(void *ctx, size_t i, struct arena *a);
int proj_parallel(struct project *p, size_t n, proj_item_fn fn, void *ctx);
/* Puts the diagnostics added after `mark` (NULL: all) in file and offset order */
void proj_sort_diags(struct diag_list *dl, struct diag *mark);

/* A generic test's template: they all read `{{ test_x(**_dbt_generic_test_kwargs) }}`, so one is
 * parsed for each such code and kept in `cache`; NULL after a diagnostic */
struct jj_template *proj_test_template(struct project *p, struct map *cache, const struct node *n,
				      struct diag_list *dl);
/* A parsed node's config, as dbt resolves it: dbt_project.yml's hierarchy, then its properties
 * entry (`patch`: {entry, yml_path, yml_file, columns}, or V_UNDEF when none describes it), then
 * its own config() calls (what n->config holds after rendering); applies the entry's description,
 * columns and so on too. 0, or -1 after adding diagnostics. */
int proj_compose_config(struct project *p, struct node *n, value patch, struct arena *keep, struct diag_list *dl);
/* A node's config and unrendered config made its own, when they were shared (node.config_shared) */
void proj_own_config(struct node *n, struct arena *a);
/* A source's or exposure's config, as the parse phase finishes it (the loader made the rest) */
void proj_finish_yml_node(struct node *n, struct arena *keep);
/* The node's checksum, as dbt computes it (of its code stripped); raw_len loses trailing space */
void proj_node_checksum(struct node *n, struct arena *keep);
/* The sha256 (hex, in a) of a file's text as dbt hashes it: stripped as Python's str.strip() */
const char *proj_file_checksum(struct arena *a, const char *text, size_t len);
/* The relations a node depends on, from its refs and sources (resolve.c); 0, or -1 after adding
 * diagnostics */
int proj_resolve_node_deps(struct project *p, struct node *n, struct diag_list *dl);
/* dbt's check that no two resources build the same relation: 0, or -1 after adding its error */
int proj_check_relations(struct project *p, struct diag_list *dl);
/* dbt's check_valid_microbatch_config: each microbatch model's event_time, begin, batch_size,
 * lookback and concurrent_batches; 0, or -1 after adding its error */
int proj_check_microbatch(struct project *p, struct diag_list *dl);
/* All proj_resolve does for one node, with every other node in place: its dependencies, the model
 * a generic test is attached to, its relation's names and its descriptions' Jinja */
int proj_resolve_node(struct project *p, struct node *n, struct diag_list *dl);
/* A node with every field at dbt's default (unique_id type.package.name); allocated in `a` */
struct node *proj_node_new(struct arena *a, enum node_type type, const char *package, const char *name);
struct node *proj_node_bare(struct arena *a, enum node_type type, const char *package, const char *name);
/* Two enabled nodes of one unique_id are an error (disabled ones may share it); 0 or -1 */
int proj_check_unique_names(struct nodes_builder *nb, struct diag_list *dl);
/* p->by_id[n->unique_id] = n, unless an enabled node has it already */
void proj_index_id(struct project *p, struct node *n);
/* The fqn of something declared in a properties file: its folders below the resource folder */
value proj_yml_fqn(struct arena *a, const char *package, const char *yml_path, const char *name);

/* A column entry of a properties file as the node keeps it ({name, description, meta, data_type,
 * constraints, quote, tags, ...}); *perr after adding a diagnostic */
value proj_column_dict(struct arena *a, value col, struct diag_list *dl, bool *perr);
/* The generic tests (tests:/data_tests:) of a properties entry or column, as pending tests */
int proj_add_tests(struct nodes_builder *nb, struct project *p, value owner, const char *package,
		   const char *yml_path, uint32_t yml_file, enum node_type tt, const char *target,
		   const char *table, const char *column, struct diag_list *dl);
/* versions: of models (versions.c): each version's file becomes a node of the model's name with
 * its version, and gets a properties entry of its own (key "models:pkg:name:vN") */
int proj_apply_versions(struct project *p, struct nodes_builder *nb, struct diag_list *dl);
/* dbt's normalize_date: a date or naive datetime as an ISO datetime in the local time zone
 * ("2030-01-01" -> "2030-01-01T00:00:00+00:00"); other text as written */
const char *proj_normalize_date(struct arena *a, const char *s);
/* dbt's warnings of models past (or nearing) their deprecation_date and of refs to them */
void proj_deprecation_warnings(struct project *p, struct diag_list *dl);
/* A unit test of a versioned model becomes one a version (versions: include/exclude) */
int proj_version_unit_tests(struct project *p, struct nodes_builder *nb, struct diag_list *dl);
/* Adds a node to the builder */
void proj_add_node(struct nodes_builder *nb, struct node *n);
/* The config a node gets from dbt_project.yml's models:/seeds:/... hierarchy */
value proj_hierarchy_config(struct project *p, const struct node *n, struct arena *a);
/* A source table's freshness criteria, merged from the source and the table as dbt does
 * (freshness.c): {warn_after, error_after, filter}, or V_NONE when switched off */
value proj_source_freshness(struct arena *a, value source, value table);
/* The freshness the properties file merged (proj_source_freshness), or the one dbt_project.yml's
 * sources: config gives when the file sets no threshold */
value proj_project_freshness(struct arena *a, value merged, value project);
/* The table's loaded_at_field when present (even null), else the source's; V_NONE when none */
value proj_source_loaded_at_field(value source, value table);

#endif
