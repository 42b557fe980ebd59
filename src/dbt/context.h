/*
 * The dbt Jinja context: what a model, macro or test sees when rendered (ref, source, config, var,
 * env_var, this, target, execute, is_incremental, adapter, return, log, exceptions, modules, ...).
 *
 * Two phases, as in dbt:
 *  - parse: every node is rendered once with execute = false; ref(), source() and config() record
 *    what they are called with into the node (its refs/sources/config); nothing touches a database.
 *  - execute: the node's SQL is rendered for real; ref() and source() return the relations of the
 *    nodes they name, and adapter calls reach the engine through the worker's connection.
 *
 * Threads: renders of different nodes may run at once; each has its own `struct dbt_render`.
 *
 * Module direction: dbt -> artifacts, project, adapters, jinja, value, core. It implements the
 * loader's struct proj_hooks (dbt_proj_hooks) for the modules above it to pass to proj_load().
 */
#ifndef SLUICE_DBT_CONTEXT_H
#define SLUICE_DBT_CONTEXT_H

#include <stdbool.h>

#include "adapters/adapter.h"
#include "core/diag.h"
#include "core/sb.h"
#include "project/project.h"
#include "value/value.h"

struct jj_template;

enum dbt_phase { DBT_PARSE, DBT_EXECUTE };

/* Per-render state, handed to native functions as the render's user pointer */
struct dbt_render {
	struct project *proj;
	struct node *node;            /* the node rendered, or NULL (operations, dbt_project.yml) */
	const char *package;          /* without a node: the package whose file is rendered, NULL for
				       * the root project (var() looks up that package's vars) */
	enum dbt_phase phase;
	struct arena *arena;          /* the render's scratch arena */
	struct arena *keep;           /* where what outlives the render goes (parse captures); NULL:
				       * the project arena (single-threaded callers only) */
	struct diag_list *dl;
	/* execute phase */
	struct adapter *adapter;
	const struct adapter_vtable *vt;
	struct adapter_conn *conn;
	bool full_refresh;
	value statements;             /* dict: statement name -> result (load_result) */
	value ctx;                    /* the context dict of this render */
	/* results the materialization reports */
	value relations;              /* list of relations created (return({'relations': [...]})) */
	const char *status_message;   /* adapter response of the main statement */
	int64_t rows_affected;
	value call_result;            /* dbt_call_value() */
	bool main_pending;            /* the next statement run is the node's 'main' one */
	bool status_set;              /* status_message/rows_affected come from the 'main' statement */
	value ephemerals;             /* list of ephemeral nodes ref()'d, for CTE injection */
	struct sb *main_sql;          /* where the 'main' statement's SQL is written (target/run) */
	int worker;                   /* the run's worker rendering it, from 1; 0: the main thread */
	bool compiling;               /* dbt_render() of the node's own code in the execute phase */
	bool own_code;                /* the parse render of the node's own code (dbt_parse_node) */
	bool runtime_lookups;         /* while parsing, config.get() and var() answer as at run time:
				       * generate_schema_name and its kin (dbt's GenerateNameProvider
				       * has RuntimeConfigObject and RuntimeVar) */
	bool not_the_node;            /* a render of the node's code for another node (a unit test),
				       * or of a name macro for the node: its macro calls are not the
				       * node's dependencies */
	value outer_macros;           /* render(): the macros running in the render that called it,
				       * the bottom of context_macro_stack; V_UNDEF else */
	const char **grown_parse, **grown_used;  /* the node's parse_macros / macros_used lists as
						  * this render last grew them (add_id), and their */
	uint32_t grown_parse_cap, grown_used_cap; /* capacities */
	const char *connection_name;  /* dbt's connection name where there is no node ("master" for
				       * hooks, "macro_NAME" for an operation); NULL: the node's id */
	const char *query_comment;    /* dbt_query_commented(): NULL until computed, "" for none */
	bool query_comment_append;
};

/* What the project loader renders through: pass it as proj_options.hooks to proj_load(). Its
 * renders are of the parse phase; each proj_render gets one dbt_render, made on its first use. */
extern const struct proj_hooks dbt_proj_hooks;

/* Installs the node-independent globals (env_var, var handling, modules, exceptions...) */
void dbt_install_globals(struct project *p);

/* The command line's flags, recorded before loading so parsing sees them in `flags` (flags.c) */
struct dbt_flags {
	const char *which;       /* the command: run, build, test, ... */
	bool full_refresh, fail_fast, debug;
	bool store_failures;     /* --store-failures */
	bool empty;              /* --empty: ref() and source() read no rows */
	bool defer, favor_state; /* --defer / --favor-state: ref() may read the --state run's relations */
	int threads;             /* --threads, 0 when not given */
	const char *log_format;
};
void dbt_flags_preset(const struct dbt_flags *f);
/* Whether a template read an attribute of `flags` since the preset: a load that read none gives
 * the same nodes for every command */
bool dbt_flags_were_read(void);

struct jj_vm;
/* The render a native function runs in; raises when there is none */
struct dbt_render *dbt_r(struct jj_vm *vm);
/* `model` in the context: the node as the manifest describes it */
value dbt_model_value(struct arena *a, struct project *p, struct node *n);
/* One of dbt's objects (a RunResult, a node, a TimingInfo): the fields' values as attributes, and
 * to_dict() (runtime_config.c) */
value dbt_object(struct arena *a, value fields);
/* Makes every macro a global of the environment (root project over packages over the global project) */
void dbt_install_macros(struct project *p);
/* Calls any callable from C at the top level of a render */
int dbt_call_value(struct dbt_render *r, value fn, const struct vargs *args, value *pout);
/* Frees the compiled patterns of modules.re (end of process) */
void dbt_modules_release(void);

/* The hooks of a node's config (key "pre-hook" or "post-hook") as dbt's pre_hooks/post_hooks:
 * a list of {sql, transaction, index} */
value dbt_hooks_value(struct arena *a, value cfg, const char *key);

/* selected_resources: the unique ids of p->selected, once the run's selection is made */
void dbt_set_selected_resources(struct project *p);

/* The context dict of a render; `r` must live as long as the render */
value dbt_context(struct dbt_render *r);

/* Parse phase: renders the node's template once, capturing ref/source/config. 0 or -1. */
int dbt_parse_node(struct project *p, struct node *n, struct arena *scratch, struct arena *keep,
		   struct diag_list *dl)
	__attribute__((warn_unused_result));

/* Renders a template with a full context; output appended to `out`. 0 or -1. */
int dbt_render(struct dbt_render *r, struct jj_template *t, struct sb *out)
	__attribute__((warn_unused_result));

/* sql with the project's query comment (query-comment:, dbt's default when unset) before it, or
 * after it when the project says append; sql itself on engines without one (Flink). NULL after
 * a diagnostic (the comment's Jinja failed, or it holds the text that ends a comment). */
const char *dbt_query_commented(struct dbt_render *r, const char *sql, struct diag_list *dl);

/* Renders a string (e.g. from YAML) as a template in the given render; result in r->arena */
int dbt_render_string(struct dbt_render *r, const char *name, const char *text, struct loc where,
		      const char **pout) __attribute__((warn_unused_result));

/*
 * Renders a string natively, as dbt renders generic test arguments: a string without Jinja stays
 * a string; one made of a single {{ expression }} is that expression's value (a relation, a list,
 * a number, ...); anything else is rendered to text and read as a literal where it is one.
 * The value is allocated in r->arena. 0 or -1.
 */
int dbt_render_native(struct dbt_render *r, const char *name, const char *text, struct loc where,
		      value *pout) __attribute__((warn_unused_result));

/* The arguments of a generic test, rendered natively (test_kwargs.c). 0 or -1. */
int dbt_test_kwargs(struct dbt_render *r, struct node *n, value *pout) __attribute__((warn_unused_result));

/* Parse phase of a generic test: renders its macro once, as dbt does, and returns in *pconfig
 * (allocated in `keep`) what config() calls in the test's definition set. 0 or -1. */
int dbt_parse_generic_test(struct project *p, struct node *n, struct arena *scratch, struct arena *keep,
			   value *pconfig, struct diag_list *dl) __attribute__((warn_unused_result));

/* An attribute of a query result (an agate table: rows, column_names, columns, ...), V_UNDEF when
 * `table` is none */
value dbt_agate_attr(value table, const char *name);

/* Calls a macro by name (resolving packages and the global project), e.g. "generate_schema_name" */
/* The values of a row of a query result (an agate Row object) as a tuple; other values as they are */
value dbt_agate_row_values(value row);

int dbt_call_macro(struct dbt_render *r, const char *name, const struct vargs *args, value *pout)
	__attribute__((warn_unused_result));

/*
 * The macros each macro's text calls, as dbt lists them in a macro's depends_on.macros (statically,
 * every branch, in the order called, each once; see macro_deps.c). `rules` says how names resolve:
 * the root project, the internal packages (first wins; "dbt" is dispatch's global namespace), the
 * adapter prefixes dispatch tries (the adapter's, its parents', "default"), every loaded project,
 * and the root project's `dispatch:` config. Fills each macro's deps, allocated in `a`.
 */
struct dbt_mdeps_macro {
	const char *package, *name, *unique_id;
	value fn;
	const char **deps;
	uint32_t ndeps;
};
struct dbt_mdeps_rules {
	const char *root;
	const char *const *internal, *const *prefixes, *const *projects;  /* NULL-terminated */
	value dispatch;
};
void dbt_macro_deps(struct arena *a, const struct dbt_mdeps_rules *rules, struct dbt_mdeps_macro *ms, size_t n);
/* The same for a project's macros, once: sets each macro_def's deps */
void dbt_project_macro_deps(struct project *p);

/* dbt's is_incremental() for node n outside a microbatch batch: an incremental model that no full
 * refresh asks to rebuild (its full_refresh config wins over the flag) and whose relation exists,
 * not as a view. 1 or 0; -1 with *perr when the lookup failed */
int dbt_node_incremental(struct project *p, const struct adapter_vtable *vt, struct adapter_conn *conn,
			 const struct node *n, bool full_refresh, struct arena *a, char **perr);

/* A query result as agate's Table.print_table writes it (agate.c), appended to out; a limit < 0
 * is none */
struct sb;
void dbt_agate_print(struct sb *out, struct arena *a, const struct adapter_result *res, long max_rows,
		     long max_columns, long max_column_width, long max_precision);

/* The Relation object (api.Relation) */
value dbt_relation(struct arena *a, struct project *p, const char *database, const char *schema,
		   const char *identifier, const char *type);
/* A copy of relation `rel` whose str() reads at most `limit` rows: dbt's render_limited() */
value dbt_relation_limited(struct arena *a, value rel, long limit);
/* A copy of `rel` whose str() reads the rows of [start, end) of its `field`: dbt's
 * render_event_time_filtered(), for a microbatch model's batch */
value dbt_relation_event_time(struct arena *a, value rel, const char *field, const char *start, const char *end);
/* The parts of a relation (NULL when absent); returns false when v is not a relation */
bool dbt_relation_parts(value v, const char **pdb, const char **pschema, const char **pident,
			const char **ptype);
/* The relation a node builds (its database/schema/alias) */
value dbt_node_relation(struct arena *a, struct project *p, const struct node *n);

/* Sets one field of the entry `key` (a node's unique id) of target/deployments.json, when the entry
 * exists: what `sluice jobs stop --savepoint` leaves for the next run. 0, or -1 (errno). */
int dbt_deployment_note(struct project *p, const char *key, const char *field, value v);

#endif
