/*
 * The command line: dbt's commands and flags. main.c holds the command table; each command is one
 * cmd_*.c file. Flags are parsed once into `struct cli` (args.c).
 *
 * Module direction: cli -> docs, runner, state, dbt, artifacts, graph, project, adapters, flink,
 * jinja, value, core: the top layer, main() and one file per command.
 */
#ifndef SLUICE_CLI_H
#define SLUICE_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "project/project.h"

#define CLI_MAX_WORDS 256
#define CLI_LIMIT_UNSET (-2)

struct cli {
	const char *command;
	/* connection and project */
	const char *project_dir, *profiles_dir, *profile, *target, *target_path, *vars;
	int threads;
	/* selection */
	const char *select[CLI_MAX_WORDS];
	size_t nselect;
	const char *exclude[CLI_MAX_WORDS];
	size_t nexclude;
	const char *resource_types[CLI_MAX_WORDS];
	size_t nresource_types;
	const char *exclude_resource_types[CLI_MAX_WORDS];
	size_t nexclude_resource_types;
	const char *selector;
	const char *indirect_selection; /* --indirect-selection (or DBT_INDIRECT_SELECTION) */
	value retry_batches;     /* sluice retry: unique_id -> the last run's batch_results of a
				  * microbatch model ({successful, failed}: [start, end] pairs) */
	const char *state;       /* --state DIR: the artifacts of an earlier run (state:, result:, retry) */
	const char *defer_state; /* --defer-state DIR: the run --defer reads from (default: --state) */
	bool defer, no_defer, favor_state;
	/* behaviour */
	bool fail_fast, full_refresh, quiet, debug, no_compile, static_site, no_browser;
	bool warn_error;            /* --warn-error, or --warn-error-options that include all */
	bool user_quiet;            /* --quiet (or --log-level warn|error|none) as given: commands
				     * set quiet for themselves too */
	bool empty_catalog;         /* docs generate --empty-catalog */
	bool config_dir;            /* debug --config-dir */
	const char *warn_error_options, *log_level, *log_path;
	bool store_failures;       /* --store-failures: tests keep their failing rows in tables */
	bool show;                 /* seed --show: a sample of each seed's table after the run */
	bool empty;              /* --empty: run the models on no rows, to check their SQL and schemas */
	const char *event_time_start, *event_time_end;  /* the window microbatch models run */
	const char *log_format;  /* text | json */
	int use_colors;          /* -1 auto, 0 no, 1 yes */
	int partial_parse;       /* --partial-parse 1, --no-partial-parse 0, -1 when not given */
	int write_json;          /* --write-json 1, --no-write-json 0, -1 when not given */
	bool load_printed;       /* cli_load_project printed diagnostics (warnings) */
	/* command-specific */
	const char *output;      /* ls: name | path | json | selector */
	const char *output_keys[CLI_MAX_WORDS];
	size_t noutput_keys;
	const char *inline_sql;  /* compile/show --inline */
	const char *macro_args;  /* run-operation --args */
	const char *host;        /* docs serve --host */
	int port;                /* docs serve --port */
	long limit;
	/* jobs */
	bool savepoint, drain, all;
	/* sql */
	const char *execute;     /* -e SQL */
	const char *file;        /* -f FILE (sql only; elsewhere -f is --full-refresh) */
	const char *gateway;     /* --gateway URL: a Flink SQL Gateway without a project */
	long max_rows;           /* 0: no limit */
	bool snapshot;           /* --snapshot: a query's final rows instead of its changelog */
	const char *timeout;     /* seconds, as given */
	/* deps */
	bool upgrade, lock, no_version_check;
	const char *add_package; /* name[@version] */
	const char *source;      /* hub | git | local */
	const char *positional[CLI_MAX_WORDS];
	size_t npositional;
	bool help;
};

/* Parses argv after the command name; 0, or -1 after printing a usage error */
int cli_parse(struct cli *c, int argc, char **argv);
/* How many values option `a` takes (0 or 1), for options written before the command */
int cli_option_arity(const char *a);
void cli_proj_options(const struct cli *c, struct proj_options *o, bool need_profile);

/* Shared steps of the commands that load a project: prints diagnostics, sets up logs and output */
int cli_load_project(const struct cli *c, struct project *p, bool need_profile, struct diag_list *dl);
void cli_print_diags(struct diag_list *dl);
/* A YAML file read before any project is loaded (init, retry): 0 with *pv (V_NONE when the file is
 * empty), 1 when there is no such file, -1 when it is not YAML (the diagnostics go to dl, or are
 * dropped when dl is NULL). Everything lives in `a`. */
int cli_read_yaml(struct arena *a, const char *path, value *pv, struct diag_list *dl);
struct graph;
struct input;
struct adapter;
struct adapter_conn;
struct adapter_vtable;
/* --inline SQL as an ad-hoc model of the root project, parsed and its refs checked; NULL on error */
struct node *cli_inline_node(struct project *p, const char *sql, struct diag_list *dl);
/* The target's adapter and one connection; 0, or -1 after a diagnostic */
int cli_connect(struct project *p, struct adapter **pad, const struct adapter_vtable **pvt,
		struct adapter_conn **pconn, struct diag_list *dl);
void cli_disconnect(struct adapter *ad, const struct adapter_vtable *vt, struct adapter_conn *conn);
/* Declares, in a new session of an engine whose catalog lives in the session (Flink), the
 * relations of the nodes marked in `want` and what they read (want NULL: every node); g may be
 * NULL. Problems are warnings in dl. */
void cli_restore(struct project *p, const struct graph *g, const uint8_t *want, struct adapter *ad,
		 const struct adapter_vtable *vt, struct adapter_conn *conn, struct diag_list *dl);
/* The node types a command selects: --resource-type (else `dflt`) less --exclude-resource-type,
 * within `allowed`; -1 after printing dbt's error for an unknown type */
int cli_resource_types(const struct cli *c, unsigned dflt, unsigned allowed, unsigned *ptypes);
/* --warn-error: the warnings of dl become errors; -1 when there were any, else 0 */
int cli_warn_error(const struct cli *c, struct diag_list *dl);

/* --select / --exclude / --selector (selectors.yml) into sel (n bytes); 0 or -1 */
int cli_select(const struct cli *c, struct project *p, struct graph *g, unsigned types, uint8_t *sel,
	       struct diag_list *dl);
bool cli_color(const struct cli *c);
/* The model of a streaming job named "<package>.<model> [<hash>]" (NULL when none) and its hash;
 * whether a Flink job status is a healthy one */
struct node *cli_job_model(struct project *p, const char *name, const char **phash, struct arena *a);
bool cli_job_live(const char *status);

/* Runs c->command (run, build, test, seed, snapshot or compile) on exactly the nodes with these
 * unique_ids, ignoring --select/--exclude: sluice retry */
int cli_run_ids(struct cli *c, const char *const *ids, size_t nids);
int cmd_retry(struct cli *c);
int cmd_run(struct cli *c);
int cmd_test(struct cli *c);
int cmd_build(struct cli *c);
int cmd_seed(struct cli *c);
int cmd_snapshot(struct cli *c);
int cmd_clone(struct cli *c);
int cmd_run_operation(struct cli *c);
int cmd_deps(struct cli *c);
int cmd_docs(struct cli *c);
int cmd_compile(struct cli *c);
int cmd_ls(struct cli *c);
int cmd_parse(struct cli *c);
/* "Found 3 models, 2 data tests, ..." as the load prints it, into `out` */
void cli_found_text(struct project *p, struct sb *out);
/*
 * The parse cache (parse_cache.c): whether partial parsing is on (--[no-]partial-parse, then
 * DBT_PARTIAL_PARSE, then the project's flags.partial_parse); serving `sluice parse` from the cache
 * when none of the last parse's inputs changed (1: served, manifest written; 0: parse it); saving
 * the inputs a full parse recorded (see core/inputs.h) next to the manifest it wrote.
 */
bool cli_partial_parse_on(const struct cli *c, struct project *p);
/* Whether manifest.json, run_results.json and sources.json are written (--[no-]write-json, then
 * DBT_WRITE_JSON, then the project's flags.write_json); docs generate writes its catalog and
 * manifest either way, as dbt's does */
bool cli_write_json(const struct cli *c, struct project *p);
int cli_parse_cache_serve(struct cli *c);
void cli_parse_cache_save(const struct cli *c, struct project *p, struct input *in, size_t nin, int64_t started_ns);
void cli_parse_cache_remove(struct project *p);
/*
 * The project snapshot (parse_cache.c, project/snapshot.c): after a full load, what its node
 * phases built, with the inputs it read; the next load reads the nodes back when none of those
 * inputs changed (cli_snapshot_find, proj_options.snapshot, whose `ud` is the struct cli). One
 * snapshot serves every command, unless the load read `flags`.
 */
#define CLI_RESNAPSHOT_AFTER 8
int cli_snapshot_find(struct project *p, void *ud, const void **pdata, size_t *plen, const char *const **pchanged,
		      size_t *pnchanged);
void cli_snapshot_save(const struct cli *c, struct project *p, struct input *in, size_t nin, int64_t started_ns);
/* The same, written by a child process while the command goes on (it waits for it at exit) */
void cli_snapshot_save_behind(const struct cli *c, struct project *p, struct input *in, size_t nin, int64_t started_ns);
void cli_snapshot_remove(struct project *p, const struct cli *c);
/* Logs whether (or why not) the load read its snapshot: the log opens after the load */
void cli_snapshot_log_note(const struct project *p);
int cmd_debug(struct cli *c);
int cmd_clean(struct cli *c);
int cmd_show(struct cli *c);
int cmd_jobs(struct cli *c);
int cmd_source(struct cli *c);
int cmd_sql(struct cli *c);
int cmd_jinja(int argc, char **argv);
int cmd_init(int argc, char **argv);

#endif
