/*
 * The loaded project: dbt_project.yml, the profile target, and every node (models, seeds, snapshots,
 * tests, sources, ...) with its config, columns and the ref()/source() calls captured while parsing.
 *
 * Ownership: everything hangs off the project arena (and the per-thread arenas used by parallel
 * parsing, which the project keeps); proj_release() frees it all. After proj_load() returns, the
 * project is read-only except for the per-node run state (compiled_code, status), which only the
 * worker running that node writes.
 *
 * Module direction: project -> jinja, value, core. The dbt context (dbt/) is above it: the loader
 * renders through struct proj_hooks (project.h), which the caller of proj_load() passes in.
 */
#ifndef SLUICE_PROJECT_H
#define SLUICE_PROJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/diag.h"
#include "core/map.h"
#include "value/value.h"

struct jj_env;
struct jj_template;
struct proj_hooks;

/* The dbt-core version whose behaviour Sluice matches: `dbt_version` in the context, the
 * artifacts' metadata, and what require-dbt-version ranges are checked against */
#define DBT_MATCHED_VERSION "1.9.8"

enum node_type {
	NODE_MODEL,
	NODE_SEED,
	NODE_SNAPSHOT,
	NODE_TEST,
	NODE_SOURCE,
	NODE_ANALYSIS,
	NODE_OPERATION,
	NODE_EXPOSURE,
	NODE_UNIT_TEST,
	NODE_METRIC,
	NODE_SEMANTIC_MODEL,
	NODE_SAVED_QUERY,
	NODE_TYPE_COUNT
};

/* "model", "seed", ... as dbt spells resource types */
const char *node_type_name(enum node_type t);
/* "1 test" / "2 data tests": how dbt's console lines name n nodes of a type (without the number) */
const char *node_type_label(enum node_type t, size_t n);
int node_type_parse(const char *s, enum node_type *pt);
/* Metrics, semantic models and saved queries: read from properties files, never run */
static inline bool node_is_semantic(enum node_type t)
{
	return t == NODE_METRIC || t == NODE_SEMANTIC_MODEL || t == NODE_SAVED_QUERY;
}

#define NODE_NONE UINT32_MAX

struct ref_call {
	const char *package;  /* NULL for ref('name') */
	const char *name;
	struct loc loc;
	const char *version;  /* ref('name', v=2): "2"; NULL for the latest version */
	value given_version;  /* the version as called: 2, 1.5 or '2' (V_UNDEF when none or unknown) */
};

struct source_call {
	const char *source;
	const char *table;
	struct loc loc;
};

/* The batch a microbatch model runs now (the runner sets node.batch while it renders and runs it):
 * what its refs' event_time filter and model.batch read */
struct node_batch {
	const char *id;           /* "20240917" */
	const char *label;        /* "2024-09-17": its compiled and run files' suffix */
	const char *start, *end;  /* "2024-09-17 00:00:00+00:00" */
	bool incremental;         /* is_incremental() is true, should_full_refresh() false */
	value config;             /* the config its render reads: hooks on the first and last batch
				   * only, and the bounds under dbt 1.9's __dbt_internal_ keys */
};

struct node {
	enum node_type type;
	uint32_t index;                  /* position in project.nodes */
	const char *unique_id;           /* model.jaffle_shop.orders */
	const char *name;
	const char *package;             /* package (project) name */
	const char *path;                /* relative to its resource folder: staging/stg_orders.sql */
	const char *original_file_path;  /* relative to the package root: models/staging/stg_orders.sql */
	const char *abs_path;            /* absolute path of the file (NULL for sources) */
	uint32_t file;                   /* diag file id (0 when none) */
	const char *raw_code;            /* the file's text (SQL, or CSV for seeds) */
	size_t raw_len;
	const char *checksum;            /* sha256 hex of the file */
	const char *language;            /* "sql" */
	struct jj_template *tmpl;        /* parsed raw_code; read it through proj_node_template() */
	bool tmpl_lazy;                  /* tmpl is parsed from raw_code on first use: a load from the
	                                  * project snapshot parses only the templates a command renders,
	                                  * and a full load lets go of each once it rendered it */
	bool config_shared;              /* config, unrendered_config and columns are other tests' too: copy
	                                  * them before changing them (proj_own_config) */
	value fqn;                       /* list of strings: [package, folders..., name] */
	value config;                    /* dict: resolved config (materialized, schema, alias, tags, ...) */
	value unrendered_config;         /* dict: config as written in the model/yml */
	const char *description;
	value columns;                   /* dict name -> {name, description, meta, data_type, constraints, quote, tags} */
	value meta;                      /* dict */
	value tags;                      /* list of strings */
	value docs;                      /* dict {show, node_color} */
	value constraints;               /* models: list of the model-level constraints of its yml entry */
	value version;                   /* versioned models (versions: in yml): its `v`; V_UNDEF else */
	value latest_version;            /* the model's latest_version (or highest v); V_UNDEF else */
	const char *deprecation_date;    /* of its version entry, as written, or NULL */
	const char *patch_path;          /* "pkg://models/staging/schema.yml" when a yml entry describes it */
	value time_spine;                /* models: {standard_granularity_column, custom_granularities}, or V_NONE */
	value metric_calls;              /* list of [name] or [package, name] of its metric() calls at parse */
	value semantic;                  /* metrics, semantic models, saved queries: their yml entry, and a
	                                  * metric's input_measures once resolved (project/semantic.c) */
	struct loc yaml_loc;             /* the yml entry describing it, for errors */
	bool enabled;
	const struct node_batch *batch;  /* a microbatch model's batch while it runs, else NULL */

	/* captured while parsing */
	struct ref_call *refs;
	uint32_t nrefs;
	struct source_call *sources;
	uint32_t nsources;
	const char **macros_used;        /* unique ids: macro.pkg.name */
	uint32_t nmacros_used;
	/* every macro the parse render of its own code called, from inside macros too (not in the
	 * manifest): partial parsing renders the node again when one of them changed (reparse.c) */
	const char **parse_macros;
	uint32_t nparse_macros;

	/* resolved dependencies (node indices: models, seeds, snapshots, sources) */
	uint32_t *deps;
	uint32_t ndeps;

	/* relation */
	const char *database;
	const char *schema;
	const char *alias;               /* identifier for sources */
	const char *relation_name;       /* quoted: "db"."schema"."alias"; NULL for ephemeral/tests */

	/* sources */
	const char *source_name;
	const char *source_description;
	const char *loader;
	value source_meta;
	value freshness;

	/* tests */
	value test_metadata;             /* {name, kwargs, namespace} for generic tests; V_NONE else */
	const char *column_name;
	uint32_t attached_node;          /* the model a generic test is defined on, or NODE_NONE */

	/* unit tests (project/unit_tests.c): {model, given, expect, overrides, entry}; the tested model
	 * is attached_node and deps are its parents, so inputs are built before the test runs */
	value unit_test;

	/* snapshots: the {% snapshot %} block's body, a callable rendered where the node's SQL is */
	value snapshot_body;

	/* models and singular tests: what its own config() calls set while parsing (V_UNDEF else),
	 * kept to tell whether one whose file changed may be parsed again alone (project/snapshot.c) */
	value infile_config;

	/* run state, written by the one worker running the node */
	char *compiled_code;
	const char *compiled_path;
};

struct macro_def {
	const char *unique_id;   /* macro.pkg.name */
	const char *name;
	const char *package;
	const char *path;        /* relative to the package root */
	const char *abs_path;
	uint32_t file;
	struct loc loc;
	value fn;                /* the callable (jj_template_macros) */
	const char *description;
	value arguments;         /* list of {name, type, description} from yml */
	value meta;
	value docs;              /* the docs: of its yml entry, or V_UNDEF */
	const char *patch_path;  /* "pkg://macros/schema.yml" when a yml entry describes it */
	struct loc yaml_loc;     /* that entry, for errors (a full load's only) */
	const char **deps;       /* depends_on.macros: unique_ids (dbt_project_macro_deps) */
	uint32_t ndeps;
};

struct profile_target {
	const char *profile_name;
	const char *target_name;
	const char *type;         /* duckdb, postgres, ... */
	value fields;             /* dict: every key of the target, rendered */
	int threads;
	int parse_threads;        /* the profile's threads whatever --threads says: what parsing sees */
	const char *database;     /* resolved by the adapter when absent */
	const char *schema;
	const char *profiles_path;  /* the profiles.yml used, or NULL for the zero-config default */
	bool zero_config;
};

/* dbt's IndirectSelection: how the tests of selected nodes join a selection (graph/select.c) */
enum indirect_mode { INDIRECT_EAGER, INDIRECT_CAUTIOUS, INDIRECT_BUILDABLE, INDIRECT_EMPTY };

struct package {
	const char *name;
	const char *root;        /* absolute folder */
	value project_yml;       /* its dbt_project.yml */
	bool is_root;
};

struct project {
	struct arena arena;
	struct jj_env *jinja;
	struct arena **tmpl_arenas; /* the templates parsed on first use (proj_node_template), one
				     * arena for each thread that parsed some */
	size_t ntmpl_arenas;
	uint64_t load_gen;         /* this load's number in the process (a thread's arena is its) */
	struct arena *loader_arena; /* p->loader_macros once a render added to it */
	struct arena *parse_arenas;         /* one per parsing thread, kept for the nodes' lifetime */
	int nparse_arenas;
	struct arena **extra_arenas;        /* proj_new_arena(): one per worker of a run, and so on */
	size_t nextra_arenas;

	const char *root;         /* absolute project folder */
	const char *name;
	const char *version;
	const char *profile_name;
	uint32_t project_file;    /* diag file id of dbt_project.yml */
	value yml;                /* dbt_project.yml as loaded */
	value vars;               /* merged vars: project-level then --vars */
	value cli_vars;           /* --vars */
	const char *target_path;  /* absolute */
	const char *log_path;     /* absolute */
	const char *packages_install_path;
	value model_paths, seed_paths, test_paths, macro_paths, snapshot_paths, analysis_paths, docs_paths;
	value clean_targets;

	struct package *packages;  /* [0] is the root project */
	size_t npackages;

	struct node **nodes;       /* every node, in a stable order (by unique_id) */
	size_t nnodes;
	struct map by_id;          /* unique_id -> node */
	struct map macro_ids;      /* a macro's unique_id -> the same string, kept (nodes' macro lists
				    * point at it rather than copy it) */
	struct map by_name;        /* "name" and "pkg.name" -> node (models, seeds, snapshots) */
	struct map sources_by_name;/* "source.table" -> node */

	struct macro_def **macros;
	size_t nmacros;
	value macros_by_package;   /* dict package -> dict name -> callable */
	bool macro_deps_done;      /* each macro's deps are known (dbt_project_macro_deps) */

	value groups;              /* dict "group.pkg.name" -> the manifest's group entry */
	value docs_blocks;         /* dict "pkg.name" -> text */
	value docs_files;          /* dict "pkg.name" -> [path, original_file_path] of its file */
	value properties_files;    /* dict: absolute path of each properties file -> its top keys */
	value loader_macros;       /* set (dict id -> true) of the macros the load called other than
				    * from a node's own code (names, properties, dbt_project.yml):
				    * a change to one means a full parse (proj_note_loader_macro) */

	struct profile_target target;
	const char *invocation_id;
	const char *run_started_at;  /* ISO 8601 */
	bool full_refresh;           /* --full-refresh: compiling sees it too (is_incremental()) */
	value flags;                 /* the `flags` dict of the context (FULL_REFRESH, WHICH, ...) */
	value graph_value;           /* `graph`, built on first use */
	struct arena *graph_arena;
	value graph_cache;           /* what templates add to `graph` (graph.setdefault('elementary',
				      * {})): a dict of a shared arena (arena.shared), kept for the run */
	/* --state: what state:/result: selectors compare against (state/state.h); NULL without it */
	uint8_t *state_flags;        /* per node, enum state_flag bits */
	const char **state_results;  /* per node, its status in the state's run_results.json, or NULL */
	struct state_relation {      /* per node, where the state's run built it (--defer); alias NULL: */
		const char *database, *schema, *alias;  /* none to defer to */
	} *state_relations;
	const char *state_dir;
	const char **state_breaking; /* per node: dbt's breaking changes to its enforced contract, or NULL */
	bool state_breaking_told;    /* they were reported (once, when state:modified is evaluated) */
	uint8_t *source_fresher;     /* per node: a fresher source (source_status:fresher), or NULL */
	enum indirect_mode indirect_selection; /* how tests join a selection (--indirect-selection) */
	const uint8_t *selected;     /* the nodes this run builds (per node), for --favor-state; or NULL */
	const struct proj_hooks *hooks; /* proj_options.hooks: how the loader renders */
	uint32_t files_at_load;      /* diagnostics' files registered before the load began */
	uint32_t files_before_nodes; /* diagnostics' files registered before the node phases */
	bool from_snapshot;          /* the node phases were read from proj_options.snapshot */
	uint64_t snapshot_id;        /* what identifies the nodes as loaded: the id of the snapshot
				      * they were read from or are written to, with the changed files'
				      * contents after a partial load; 0 for a load not snapshotted */
	const char *snapshot_refused;   /* or why that snapshot was not read, when one was offered */
	uint32_t snapshot_reparsed;  /* models parsed again, their files changed since the snapshot */
	value debug_notes;           /* list of strings the load has for the log alone (the log opens
				      * after the load: the CLI writes them then), or V_UNDEF */
};

/* What --state found about a node (state/state.c fills them, the selector reads them) */
enum state_flag {
	STATE_NEW = 1,            /* not in the state manifest */
	STATE_BODY = 2,           /* raw code (seeds: file checksum) differs */
	STATE_CONFIGS = 4,        /* unrendered configs differ (beyond database/schema/alias/tags/group) */
	STATE_RELATION = 8,       /* configured database/schema/alias differ */
	STATE_DESCRIPTIONS = 16,  /* persisted descriptions differ */
	STATE_MACROS = 32,        /* a macro it calls, directly or not, changed */
	STATE_CONTRACT = 64,      /* an enforced contract changed */
	STATE_OTHER = 128,        /* anything else dbt counts as a change (fqn, source quoting, freshness) */
};
#define STATE_MODIFIED 0xff

/*
 * What loading needs of the dbt Jinja context, which lives in dbt/, a module above this one: the
 * loader renders every node once (execute = false) so that ref(), source() and config() record
 * what they are called with, and renders the Jinja of dbt_project.yml, profiles.yml, packages.yml
 * and properties files. It calls no function of dbt/ for that: the caller of proj_load() passes
 * the context's implementation of these hooks (dbt_proj_hooks, dbt/context.h) in proj_options,
 * and the project keeps it in p->hooks. Every render here is of the parse phase.
 */
struct proj_render {
	struct project *proj;
	struct node *node;        /* the node rendered, or NULL (dbt_project.yml, a profile, ...) */
	const char *package;      /* without a node: the package whose file is rendered (its vars),
				   * NULL for the root project */
	struct arena *arena;      /* the render's scratch arena: results are allocated there */
	struct arena *keep;       /* where what outlives the render goes (parse captures); NULL: the
				   * project arena (single-threaded callers only) */
	struct diag_list *dl;
	void *impl;               /* the hooks' own state, NULL before the first render: the renders
				   * made with one proj_render share one context */
};

struct proj_hooks {
	/* The node-independent globals (var, env_var, modules, flags, ...); sets p->flags */
	void (*install_globals)(struct project *p);
	/* Every macro of p->macros_by_package as a global (root project over packages over dbt's) */
	void (*install_macros)(struct project *p);
	/* Renders the node's template once, capturing ref/source/config into it. 0 or -1. */
	int (*parse_node)(struct project *p, struct node *n, struct arena *scratch, struct arena *keep,
			  struct diag_list *dl);
	/* Renders a generic test's macro once; *pconfig (in `keep`): what its config() calls set.
	 * 0 or -1. */
	int (*parse_generic_test)(struct project *p, struct node *n, struct arena *scratch, struct arena *keep,
				  value *pconfig, struct diag_list *dl);
	/* Renders a string (from YAML) as a template; *pout in r->arena. 0 or -1. */
	int (*render_string)(struct proj_render *r, const char *name, const char *text, struct loc where,
			     const char **pout);
	/* Renders a string natively, as dbt renders test arguments and configs: "{{ expr }}" alone is
	 * that expression's value. *pout in r->arena. 0 or -1. */
	int (*render_native)(struct proj_render *r, const char *name, const char *text, struct loc where,
			     value *pout);
	/* Calls a macro by name (root project, packages, then dbt's). 0 or -1. */
	int (*call_macro)(struct proj_render *r, const char *name, const struct vargs *args, value *pout);
	/* Fills each macro's deps (its depends_on.macros, found in its text) once */
	void (*macro_deps)(struct project *p);
	/* Frees what the context keeps for the process (proj_release() calls it) */
	void (*release)(void);
};

/* What the command line adds to loading */
struct proj_options {
	const char *project_dir;   /* default "." */
	const char *profiles_dir;  /* --profiles-dir, or NULL */
	const char *profile;       /* --profile override, or NULL */
	const char *target;        /* --target, or NULL */
	const char *target_path;   /* --target-path, or NULL */
	const char *log_path;      /* --log-path (or DBT_LOG_PATH), or NULL */
	const char *vars;          /* --vars text (YAML or JSON), or NULL */
	int threads;               /* --threads, 0 when not given */
	bool need_profile;         /* false for commands that need no connection (parse, ls) */
	bool project_only;         /* deps: dbt_project.yml and vars only (packages not installed yet) */
	bool no_version_check;     /* --no-version-check: require-dbt-version is not enforced */
	const struct proj_hooks *hooks; /* required: the Jinja context the loader renders through */
	/* Called once the macros are loaded (p->target_path and the flags known): a snapshot that
	 * proj_snapshot_write made of this project's last full load, which the caller found still
	 * current (nothing that load read has changed but the files in *pchanged, absolute paths of
	 * .sql files whose text changed), to read the node phases from. It must stay mapped for the
	 * process's life (strings point into it). 0 with *pdata NULL: a full load. */
	int (*snapshot)(struct project *p, void *ud, const void **pdata, size_t *plen, const char *const **pchanged,
			size_t *pnchanged);
	void *snapshot_ud;
};

/* The process's CPU time in seconds; phase timings (to the log, and to stderr with SLUICE_TIMING=1) */
double proj_cpu_s(void);
void proj_timing(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Loads the project: reads and validates the files, parses every node's Jinja once (rendering it to
 * capture ref/source/config), resolves refs and sources. Returns 0, or -1 after adding diagnostics
 * (each with file, line and column). The project is usable for diagnostics even on failure and
 * must be released in both cases.
 */
int proj_load(struct project *p, const struct proj_options *opt, struct diag_list *dl)
	__attribute__((warn_unused_result));
void proj_release(struct project *p);
/*
 * The project snapshot (snapshot.c): what a full load's node phases built, passed to `sink` piece
 * by piece (it returns 0, or -1 on failure); 0, -1 when something in it cannot be written (a
 * callable in a config, say), or -2 when the sink failed. Read back by proj_load through
 * proj_options.snapshot.
 */
typedef int (*proj_snapshot_sink)(void *ud, const void *data, size_t len);
int proj_snapshot_write(struct project *p, proj_snapshot_sink sink, void *ud);

/* The node's template, parsed from its code on first use when the load left that for later
 * (thread-safe); NULL when it has none, or after adding diagnostics to dl */
struct jj_template *proj_node_template(struct project *p, struct node *n, struct diag_list *dl);
/* A macro the load called other than from a node's own code (p->loader_macros); thread-safe */
void proj_note_loader_macro(struct project *p, const char *id);
/* Whether the node has a template (parsed or still to parse) */
static inline bool proj_node_has_template(const struct node *n)
{
	return n->tmpl || n->tmpl_lazy;
}
struct node *proj_node(struct project *p, const char *unique_id);
/* Merges config `src` into `dst` with dbt's rules (tags and hooks append, meta merges) */
void proj_config_merge(struct arena *a, value dst, value src);
/* Whether a source's merged freshness criteria (node->freshness) set a warn_after or error_after */
bool proj_freshness_active(value threshold);
/* A new arena that lives as long as the project, for one thread's allocations (not thread-safe:
 * call it before starting the threads) */
struct arena *proj_new_arena(struct project *p);
/* ref('name') / ref('pkg', 'name') resolution; NULL when unknown */
struct node *proj_ref(struct project *p, const char *package, const char *name);
/* ref('name', v=...): a version of a versioned model ("2"); the latest one when version is NULL */
struct node *proj_ref_version(struct project *p, const char *package, const char *name, const char *version);
/* A version as dbt writes it in names: "2", "1.5" */
const char *proj_version_str(struct arena *a, value v);
/* source('s', 't') as a node of `from_package` resolves it (dbt's resolve_source: the root project,
 * that package, then any); proj_source as the root project does. A disabled table is returned when
 * no enabled one is found. The map key of a package's table is proj_source_key's. */
struct node *proj_source_from(struct project *p, const char *from_package, const char *source, const char *table);
struct node *proj_source(struct project *p, const char *source, const char *table);
const char *proj_source_key(struct arena *a, const char *package, const char *source, const char *table);
/* Contracts (project/contract.c): whether the node's contract is enforced; whether its
 * materialization creates constraints (table, incremental); dbt's checks of its constraints, which
 * also make a foreign key's ref()/source() a dependency (0, or -1 after adding diagnostics); and
 * the contract's checksum (sha256 hex in `a`, NULL when not enforced) */
bool proj_contract_enforced(const struct node *n);
int proj_contract_check(struct node *n, struct arena *keep, struct diag_list *dl);
/* a foreign key's `to`: ref('a'), ref('pkg', 'a', v=2) or source('s', 't'); see contract.c */
int proj_parse_ref_or_source(struct arena *a, const char *to, bool *pis_ref, const char *args[2], value *pversion);
const char *proj_contract_checksum(struct arena *a, const struct node *n);
/*
 * The unique id (macro.pkg.name, in `a`) of the macro `name` as dbt resolves it for a node of
 * package `local`: that package's own, then the root project's, then another package's, then
 * dbt's built-in one; NULL when there is none.
 */
const char *proj_macro_id(struct project *p, struct arena *a, const char *local, const char *name);
/* The macro `name` of `package`, or (package NULL) as dbt looks it up: the root project's, then
 * another package's, then the global project's; V_UNDEF when there is none */
value proj_find_macro(struct project *p, const char *package, const char *name);
/* Fills each macro's deps (depends_on.macros) through the project's hooks, once */
void proj_macro_deps(struct project *p);

/* The config a render of the node reads: the node's, or its running batch's (node_batch) */
static inline value proj_node_config(const struct node *n)
{
	return n->batch && n->batch->config.type == V_DICT ? n->batch->config : n->config;
}

/*
 * Microbatch models (microbatch.c): whether they run batch by batch (dbt's use_microbatch_batches),
 * whether a node is one, and their batches as dbt's MicrobatchBuilder cuts them: times in whole
 * seconds since the epoch, UTC; a batch is [start, end)
 */
bool proj_microbatch_batches(const struct project *p);
bool proj_is_microbatch(const struct node *n);
/* Its begin config as a time (*out may be NULL); false when it is none */
bool proj_microbatch_begin(const struct node *n, int64_t *out);
enum mb_size { MB_HOUR, MB_DAY, MB_MONTH, MB_YEAR };
struct mb_batch {
	int64_t start, end;
};
/* batch_size: hour, day, month or year */
bool mb_size_of(value v, enum mb_size *out);
int64_t mb_truncate(int64_t t, enum mb_size size);
int64_t mb_offset(int64_t t, enum mb_size size, int off);
int64_t mb_ceiling(int64_t t, enum mb_size size);
/* The batches from start to end (at least one; the last ends at `end`); *out is malloc'd */
size_t mb_batches(int64_t start, int64_t end, enum mb_size size, struct mb_batch **out);
/* build_start_time: --event-time-start, else begin on a first run, else the checkpoint less
 * `lookback` batches */
int64_t mb_start(enum mb_size size, int lookback, bool incremental, bool has_event_time_start,
		 int64_t event_time_start, int64_t begin, int64_t checkpoint);
/* format_batch_start ("2024-09-17", "2024-09-17T16", ...), or the batch id (without dashes) */
void mb_format_start(int64_t t, enum mb_size size, bool id, char out[32]);
/* A time as str() of an aware UTC datetime: "2024-09-17 00:00:00+00:00" */
void mb_time_str(int64_t t, char out[32]);
/* "2024-09-17", "2024-09-17 16:06:00" or "2024-09-17T16:06:00" (with a UTC offset or Z), as UTC */
bool mb_parse_time(const char *s, int64_t *out);

#endif
