/*
 * sluice: the command table (one cmd_*.c a command, as git's builtin/), --version and --help.
 * Exit codes are dbt's: 0 success, 1 a node failed, 2 a usage or project error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/diag.h"
#include "core/report.h"
#include "core/log.h"
#include "core/suggest.h"

struct command {
	const char *name;
	int (*fn)(struct cli *c);
	const char *summary;
	const char *help;
};

#define COMMON_FLAGS \
	"  --project-dir DIR      the dbt project (default: the current folder)\n" \
	"  --profiles-dir DIR     where profiles.yml is (default: DBT_PROFILES_DIR, the project, ~/.dbt)\n" \
	"  --profile NAME         the profile to use instead of dbt_project.yml's\n" \
	"  -t, --target NAME      the target of the profile to use\n" \
	"  --vars YAML            variables, as YAML or JSON: --vars '{key: value}'\n" \
	"  --target-path DIR      where artifacts go (default: target)\n" \
	"  --log-format text|json progress as text, or one JSON object a line\n" \
	"  --no-use-colors        no colour even on a terminal\n" \
	"  --no-write-json        write no manifest.json, run_results.json nor sources.json\n"

#define SELECT_FLAGS \
	"  -s, --select SELECTOR  nodes to include (names, +name, name+, tag:x, path:x, a,b ...)\n" \
	"  --exclude SELECTOR     nodes to leave out\n" \
	"  --indirect-selection eager|cautious|buildable|empty\n" \
	"                         which tests of the selected nodes join (eager: any node they test)\n" \
	"  --state DIR            an earlier run's target folder, for state:modified, state:new, result:...\n"

#define EVENT_TIME_FLAGS \
	"  --event-time-start T   with --event-time-end: microbatch models build the batches of [start, end)\n" \
	"  --event-time-end T     (YYYY-MM-DD, or YYYY-MM-DD HH:MM:SS; UTC)\n"

static const struct command commands[] = {
	{"run", cmd_run, "build the selected models in the database",
	 "Usage: sluice run [OPTIONS]\n\nBuilds the selected models, in dependency order.\n\nOptions:\n" COMMON_FLAGS SELECT_FLAGS
	 "  --threads N            models built at once (default: the profile's threads)\n"
	 "  -f, --full-refresh     rebuild incremental models from scratch\n"
	 "  --empty                read no rows: every ref() and source() is empty, to check SQL and schemas\n"
	 EVENT_TIME_FLAGS
	 "  -x, --fail-fast        stop at the first failure\n"},
	{"test", cmd_test, "run the data tests of the selected nodes",
	 "Usage: sluice test [OPTIONS]\n\nRuns the selected data tests (generic tests from properties files and singular tests).\n"
	 "A failing test exits 1.\n\nOptions:\n" COMMON_FLAGS SELECT_FLAGS
	 "  --resource-type TYPE   test or unit_test only (--exclude-resource-type TYPE leaves one out)\n"
	 "  --threads N            tests run at once\n"
	 "  --store-failures       keep each test's failing rows in a table (the store_failures config)\n"
	 "  -x, --fail-fast        stop at the first failure\n"},
	{"seed", cmd_seed, "load the CSV files of seed-paths into tables",
	 "Usage: sluice seed [OPTIONS]\n\nLoads the selected seeds (CSV files under seed-paths) into tables; types are\n"
	 "inferred, or set with the column_types config.\n\nOptions:\n" COMMON_FLAGS SELECT_FLAGS
	 "  --threads N            seeds loaded at once\n"
	 "  -f, --full-refresh     rebuild the seed tables from scratch\n"
	 "  --show                 print a random sample (ten rows) of each seed's table after the run\n"},
	{"snapshot", cmd_snapshot, "record how the selected snapshots' sources changed",
	 "Usage: sluice snapshot [OPTIONS]\n\nRuns the selected snapshots: new and changed rows of their query are added as new\n"
	 "versions, with dbt_valid_from / dbt_valid_to (type-2 slowly changing dimensions).\n\nOptions:\n" COMMON_FLAGS SELECT_FLAGS
	 "  --threads N            snapshots run at once\n"},
	{"clone", cmd_clone, "make the selected nodes' relations from a state run's",
	 "Usage: sluice clone --state DIR [OPTIONS]\n\nMakes the relation of each selected model, seed and snapshot from the one the\n"
	 "--state run built: a view that selects from it (a clone of a table where the engine clones\n"
	 "tables). A relation that exists already is left as it is, unless --full-refresh.\n\nOptions:\n" COMMON_FLAGS SELECT_FLAGS
	 "  --threads N            relations made at once\n"
	 "  -f, --full-refresh     make them again where they exist\n"
	 "  --resource-type TYPE   model, seed or snapshot only\n"},
	{"build", cmd_build, "build and test every selected resource in DAG order",
	 "Usage: sluice build [OPTIONS]\n\nBuilds seeds, models and snapshots and runs their tests, in dependency order;\n"
	 "a failing test skips what is built from the node it tests.\n\nOptions:\n" COMMON_FLAGS SELECT_FLAGS
	 "  --resource-type TYPE   only these: model, seed, snapshot, test, unit_test\n"
	 "  --exclude-resource-type TYPE  leave these out\n"
	 "  --threads N            nodes run at once\n"
	 "  -f, --full-refresh     rebuild incremental models from scratch\n"
	 "  --empty                read no rows: every ref() and source() is empty, to check SQL and schemas\n"
	 EVENT_TIME_FLAGS
	 "  --store-failures       keep each test's failing rows in a table (the store_failures config)\n"
	 "  -x, --fail-fast        stop at the first failure\n"},
	{"retry", cmd_retry, "run again what failed or was skipped in the last invocation",
	 "Usage: sluice retry [OPTIONS]\n\nReads the last run_results.json and runs again, with the same command and arguments,\n"
	 "the nodes that ended in error, fail or skipped. --threads and --vars given now win.\n\nOptions:\n" COMMON_FLAGS
	 "  --state DIR            the folder of the run_results.json to retry (default: the target path)\n"
	 "  --threads N            nodes run at once\n"},
	{"compile", cmd_compile, "write the compiled SQL of the selected nodes",
	 "Usage: sluice compile [OPTIONS]\n\nRenders the selected nodes to SQL under target/compiled/.\n\nOptions:\n" COMMON_FLAGS SELECT_FLAGS
	 "  --inline SQL           compile this SQL (with ref(), source(), macros) and print it\n"
	 "  --threads N            nodes compiled at once\n"},
	{"ls", cmd_ls, "list the project's resources",
	 "Usage: sluice ls [OPTIONS]\n\nLists the selected resources.\n\nOptions:\n" COMMON_FLAGS SELECT_FLAGS
	 "  --resource-type TYPE   model, seed, snapshot, test, unit_test, source, analysis, exposure,\n"
	 "                         metric, semantic_model, saved_query\n"
	 "  --exclude-resource-type TYPE  leave these out\n"
	 "  -o, --output FORMAT    selector (default), name, path or json\n"
	 "  --output-keys KEYS     with --output json, the keys to print\n"},
	{"list", cmd_ls, NULL, NULL},
	{"parse", cmd_parse, "parse the project and write target/manifest.json",
	 "Usage: sluice parse [OPTIONS]\n\nParses the project, checks it and writes target/manifest.json.\n\nOptions:\n" COMMON_FLAGS},
	{"debug", cmd_debug, "check the project, the profile and the connection",
	 "Usage: sluice debug [OPTIONS]\n\nShows the versions, the project and profile in use, and tests the connection.\n\nOptions:\n" COMMON_FLAGS
	 "  --config-dir           print the folder profiles.yml is read from, and stop\n"},
	{"run-operation", cmd_run_operation, "run a macro",
	 "Usage: sluice run-operation MACRO [OPTIONS]\n\nCalls a macro of the project (or package.macro) on the target's database.\n\nOptions:\n" COMMON_FLAGS
	 "  --args YAML            the macro's arguments: --args '{table: orders, days: 3}'\n"},
	{"show", cmd_show, "preview the rows of a model or of inline SQL",
	 "Usage: sluice show [OPTIONS]\n\nRuns a model's SQL (--select) or --inline SQL and prints the first rows.\n\nOptions:\n" COMMON_FLAGS
	 "  -s, --select MODEL     the model to preview\n"
	 "  --inline SQL           SQL to run (with ref(), source(), macros)\n"
	 "  --limit N              rows to print (default 5; -1 for all)\n"
	 "  -o, --output FORMAT    text (default) or json\n"},
	{"docs", cmd_docs, "generate the catalog of the project's relations",
	 "Usage: sluice docs generate [OPTIONS]\n\nCompiles the project and writes target/catalog.json from the database's own metadata\n"
	 "(tables, views, columns and their types), beside target/manifest.json.\n\nOptions:\n" COMMON_FLAGS SELECT_FLAGS
	 "  --no-compile           do not compile the project first\n"
	 "  --empty-catalog        query no catalog: catalog.json lists no relations\n"
	 "  --static               also write target/static_index.html, one file with the data inlined\n"
	 "\nRun 'sluice docs serve --help' for the documentation server.\n"},
	{"jobs", cmd_jobs, "list, stop or start the project's streaming jobs (Flink)",
	 "Usage: sluice jobs [list|stop|start] [OPTIONS]\n\nLists the running jobs of the project's streaming models on a Flink target: model,\n"
	 "job id, state, the hash of the definition it runs, and when it started.\n\n"
	 "  sluice jobs [--all] [-s SELECTOR]       the running jobs (--all: the ended ones too)\n"
	 "  sluice jobs stop [--savepoint] -s SEL   stops the running jobs of the selected models;\n"
	 "                                          with --savepoint the next run resumes from it;\n"
	 "                                          a materialized_table is suspended (with a savepoint)\n"
	 "  sluice jobs start -s SEL                resumes the selected materialized tables\n\nOptions:\n" COMMON_FLAGS SELECT_FLAGS
	 "  --all                  also the jobs that ended (FINISHED, FAILED, CANCELED)\n"
	 "  --savepoint            stop with a savepoint (STOP JOB ... WITH SAVEPOINT) and print its path\n"
	 "  --drain                push the watermark to the end before stopping (WITH DRAIN)\n"
	 "  -o, --output FORMAT    text (default) or json\n"},
	{"sql", cmd_sql, "run Flink SQL on the target's gateway: a shell, -e or -f",
	 "Usage: sluice sql [OPTIONS]\n\nAn interactive Flink SQL shell on the target's SQL Gateway (line editing and history),\n"
	 "or the statements of -e SQL or -f FILE. Results print as tables; a streaming query prints\n"
	 "its rows as they arrive, with their row kind (+I, -U, +U, -D), until Ctrl-C, --max-rows or\n"
	 "--timeout. Inside a project, the project's sources and views are declared in the session first.\n\n"
	 "Options:\n" COMMON_FLAGS
	 "  -e, --execute SQL      run these statements and exit\n"
	 "  -f, --file FILE        run the statements of FILE and exit\n"
	 "  --gateway URL          a gateway to use without a project (http://host:8083)\n"
	 "  --max-rows N           stop a query after N rows\n"
	 "  --snapshot             print a query's final rows once it ended (its changelog folded:\n"
	 "                         +I/+U add a row, -U/-D take one back) instead of the changelog\n"
	 "  --timeout SECONDS      stop a query after this long\n"},
	{"source", cmd_source, "check how recently the selected sources were loaded",
	 "Usage: sluice source freshness [OPTIONS]\n\nFor every selected source with a freshness (warn_after or error_after) and a\n"
	 "loaded_at_field, selects the latest load time and compares its age with the criteria;\n"
	 "writes target/sources.json. A source stale past error_after, or whose query fails, exits 1.\n\nOptions:\n" COMMON_FLAGS SELECT_FLAGS
	 "  -o, --output PATH      where to write the results (default: target/sources.json)\n"},
	{"deps", cmd_deps, "install the packages named in packages.yml",
	 "Usage: sluice deps [OPTIONS]\n\nInstalls the packages of packages.yml or dependencies.yml (hub, git, local and\n"
	 "tarball ones, and the packages they need) into dbt_packages/, as package-lock.yml pins them.\n"
	 "The lock is written when missing, when the packages changed, or with --upgrade. The hub is\n"
	 "DBT_PACKAGE_HUB_URL (default https://hub.getdbt.com/).\n\nOptions:\n" COMMON_FLAGS
	 "  --upgrade              resolve the versions again, even when package-lock.yml matches\n"
	 "  --lock                 write package-lock.yml without installing\n"
	 "  --add-package NAME@VERSION  add a package to packages.yml, then install\n"
	 "  --source hub|git|local where --add-package's package comes from (default hub)\n"
	 "  --no-version-check     also consider hub versions that do not declare support for dbt 1.9\n"},
	{"clean", cmd_clean, "delete the folders named by clean-targets",
	 "Usage: sluice clean [OPTIONS]\n\nDeletes the folders listed under clean-targets in dbt_project.yml\n(by default the target path).\n\nOptions:\n" COMMON_FLAGS},
};

static const char docs_serve_help[] =
	"Usage: sluice docs serve [OPTIONS]\n\nServes the documentation site of the target folder (written by 'sluice docs generate')\n"
	"on loopback until Ctrl+C.\n\nOptions:\n" COMMON_FLAGS
	"  --port N               the port to listen on (default 8080; 0 picks a free one)\n"
	"  --host H               the address to listen on (default 127.0.0.1)\n"
	"  --no-browser           do not open a browser\n";

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))
#define INIT_SUMMARY "create a new project and its profile"
#define JINJA_SUMMARY "render a template with plain Jinja2 semantics"

static void print_help(void)
{
	int width = (int)strlen("init");
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].summary && (int)strlen(commands[i].name) > width)
			width = (int)strlen(commands[i].name);
	printf("Usage: sluice COMMAND [OPTIONS]\n\n"
	       "Sluice runs dbt projects: models, tests and docs, on DuckDB by default.\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].summary)
			printf("  %-*s  %s\n", width, commands[i].name, commands[i].summary);
	printf("  %-*s  %s\n", width, "init", INIT_SUMMARY);
	printf("  %-*s  %s\n", width, "jinja", JINJA_SUMMARY);
	printf("\nOptions:\n  %-*s  %s\n  %-*s  %s\n\n", width, "--version", "show the version", width, "--help",
	       "show this help");
	printf("Run 'sluice COMMAND --help' for the options of a command.\n");
}

/* click's wording for an unknown command, with the closest command name as a hint */
static int no_such_command(const char *name)
{
	const char *names[NCOMMANDS + 2];
	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	names[NCOMMANDS] = "jinja";
	names[NCOMMANDS + 1] = "init";
	const char *best = suggest_closest(name, names, NCOMMANDS + 2);
	fprintf(stderr, "Usage: sluice COMMAND [OPTIONS]\nTry 'sluice --help' for help.\n\n"
			"Error: No such command '%s'.", name);
	if (best)
		fprintf(stderr, " Did you mean '%s'?", best);
	fputc('\n', stderr);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		print_help();
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v") || !strcmp(argv[1], "version")) {
		printf("sluice %s\n", SLUICE_VERSION);
		return 0;
	}
	/* options before the command (dbt's global flags: `dbt --log-format json run`) go after it */
	int lead = 1;
	while (lead < argc && argv[lead][0] == '-' && argv[lead][1] && strcmp(argv[lead], "--help") &&
	       strcmp(argv[lead], "-h") && strcmp(argv[lead], "--version") && strcmp(argv[lead], "-v"))
		lead += 1 + cli_option_arity(argv[lead]);
	if (lead > 1 && lead < argc) {
		static char **moved;  /* static: it lives as long as the process */
		moved = calloc((size_t)argc + 1, sizeof(char *));
		moved[0] = argv[0];
		moved[1] = argv[lead];
		memcpy(moved + 2, argv + 1, (size_t)(lead - 1) * sizeof(char *));
		memcpy(moved + 1 + lead, argv + lead + 1, (size_t)(argc - lead - 1) * sizeof(char *));
		argv = moved;
	}
	if (!strcmp(argv[1], "jinja"))
		return cmd_jinja(argc - 1, argv + 1);
	if (!strcmp(argv[1], "init")) {
		int rc = cmd_init(argc - 1, argv + 1);
		diag_files_release();
		return rc;
	}
	const struct command *cmd = NULL;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, argv[1]))
			cmd = &commands[i];
	if (!cmd)
		return no_such_command(argv[1]);
	struct cli c = {0};
	c.command = cmd->name;
	if (cli_parse(&c, argc - 2, argv + 2) < 0)
		return 2;
	report_set_errors_only(c.user_quiet);
	if (c.help) {
		const struct command *h = cmd->help ? cmd : &commands[2];
		if (h->fn == cmd_docs && c.npositional && !strcmp(c.positional[0], "serve"))
			fputs(docs_serve_help, stdout);
		else
			fputs(h->help, stdout);
		return 0;
	}
	int rc = cmd->fn(&c);
	log_close();
	diag_files_release();
	return rc;
}
