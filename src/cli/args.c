/*
 * Flag parsing as dbt's click options behave: `--flag value` and `--flag=value`, short aliases
 * (-s, -t, -x, -f, -o, -q), and the selection flags taking several words (`-s a b --exclude c`).
 * An unknown flag is a usage error (exit 2).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/suggest.h"
#include "core/report.h"
#include "dbt/context.h"

enum arity { FLAG, ONE, MANY };

struct flag {
	const char *name;
	const char *alias;
	enum arity arity;
	size_t off;     /* offset of the field in struct cli */
	int kind;       /* 0 string, 1 bool, 2 int, 3 string list, 4 long */
	size_t count_off;
};

#define F(field) offsetof(struct cli, field)

static const struct flag flags[] = {
	{"--project-dir", NULL, ONE, F(project_dir), 0, 0},
	{"--profiles-dir", NULL, ONE, F(profiles_dir), 0, 0},
	{"--profile", NULL, ONE, F(profile), 0, 0},
	{"--target", "-t", ONE, F(target), 0, 0},
	{"--target-path", NULL, ONE, F(target_path), 0, 0},
	{"--vars", NULL, ONE, F(vars), 0, 0},
	{"--threads", NULL, ONE, F(threads), 2, 0},
	{"--select", "-s", MANY, F(select), 3, F(nselect)},
	{"--models", "-m", MANY, F(select), 3, F(nselect)},
	{"--exclude", NULL, MANY, F(exclude), 3, F(nexclude)},
	{"--resource-type", NULL, MANY, F(resource_types), 3, F(nresource_types)},
	{"--resource-types", NULL, MANY, F(resource_types), 3, F(nresource_types)},
	{"--exclude-resource-type", NULL, MANY, F(exclude_resource_types), 3, F(nexclude_resource_types)},
	{"--exclude-resource-types", NULL, MANY, F(exclude_resource_types), 3, F(nexclude_resource_types)},
	{"--selector", NULL, ONE, F(selector), 0, 0},
	{"--warn-error", NULL, FLAG, F(warn_error), 1, 0},
	{"--empty-catalog", NULL, FLAG, F(empty_catalog), 1, 0},
	{"--config-dir", NULL, FLAG, F(config_dir), 1, 0},
	{"--warn-error-options", NULL, ONE, F(warn_error_options), 0, 0},
	{"--log-level", NULL, ONE, F(log_level), 0, 0},
	{"--log-path", NULL, ONE, F(log_path), 0, 0},
	{"--indirect-selection", NULL, ONE, F(indirect_selection), 0, 0},
	{"--state", NULL, ONE, F(state), 0, 0},
	{"--defer-state", NULL, ONE, F(defer_state), 0, 0},
	{"--defer", NULL, FLAG, F(defer), 1, 0},
	{"--no-defer", NULL, FLAG, F(no_defer), 1, 0},
	{"--favor-state", NULL, FLAG, F(favor_state), 1, 0},
	{"--fail-fast", "-x", FLAG, F(fail_fast), 1, 0},
	{"--full-refresh", "-f", FLAG, F(full_refresh), 1, 0},
	{"--store-failures", NULL, FLAG, F(store_failures), 1, 0},
	{"--show", NULL, FLAG, F(show), 1, 0},
	{"--empty", NULL, FLAG, F(empty), 1, 0},
	{"--event-time-start", NULL, ONE, F(event_time_start), 0, 0},
	{"--event-time-end", NULL, ONE, F(event_time_end), 0, 0},
	{"--quiet", "-q", FLAG, F(quiet), 1, 0},
	{"--debug", "-d", FLAG, F(debug), 1, 0},
	{"--log-format", NULL, ONE, F(log_format), 0, 0},
	{"--output", "-o", ONE, F(output), 0, 0},
	{"--output-keys", NULL, MANY, F(output_keys), 3, F(noutput_keys)},
	{"--inline", NULL, ONE, F(inline_sql), 0, 0},
	{"--args", NULL, ONE, F(macro_args), 0, 0},
	{"--limit", NULL, ONE, F(limit), 4, 0},
	{"--help", "-h", FLAG, F(help), 1, 0},
	{"--no-compile", NULL, FLAG, F(no_compile), 1, 0},
	{"--static", NULL, FLAG, F(static_site), 1, 0},
	{"--no-browser", NULL, FLAG, F(no_browser), 1, 0},
	{"--host", NULL, ONE, F(host), 0, 0},
	{"--port", NULL, ONE, F(port), 2, 0},
	{"--savepoint", NULL, FLAG, F(savepoint), 1, 0},
	{"--drain", NULL, FLAG, F(drain), 1, 0},
	{"--all", NULL, FLAG, F(all), 1, 0},
	{"--execute", "-e", ONE, F(execute), 0, 0},
	{"--file", NULL, ONE, F(file), 0, 0},
	{"--gateway", NULL, ONE, F(gateway), 0, 0},
	{"--max-rows", NULL, ONE, F(max_rows), 4, 0},
	{"--snapshot", NULL, FLAG, F(snapshot), 1, 0},
	{"--timeout", NULL, ONE, F(timeout), 0, 0},
	{"--upgrade", NULL, FLAG, F(upgrade), 1, 0},
	{"--lock", NULL, FLAG, F(lock), 1, 0},
	{"--add-package", NULL, ONE, F(add_package), 0, 0},
	{"--source", NULL, ONE, F(source), 0, 0},
};

/* dbt's global flags about its own workings, which change nothing of what a run does here:
 * usage statistics (Sluice sends none), its parsers, its relation cache's population, the line
 * width of its printer, timing profiles and its file log's level and format */
static const char *const no_ops[] = {
	"--send-anonymous-usage-stats", "--no-send-anonymous-usage-stats", "--static-parser",
	"--no-static-parser", "--use-experimental-parser", "--no-use-experimental-parser",
	"--cache-selected-only", "--no-cache-selected-only", "--populate-cache", "--no-populate-cache",
	"--introspect", "--no-introspect", "--print", "--no-warn-error",
	"--partial-parse-file-diff", "--no-partial-parse-file-diff"};
static const char *const no_op_values[] = {"--printer-width", "--record-timing-info", "--log-level-file",
					   "--log-format-file", "--log-file-max-bytes"};

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "Usage: sluice %s [OPTIONS]\nTry 'sluice %s --help' for help.\n\nError: ", cmd, cmd);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return -1;
}

/* click's NoSuchOption: the closest known flag, when one is close enough, as a hint */
static int no_such_option(const char *cmd, const char *arg, size_t nlen)
{
	char name[160];
	snprintf(name, sizeof(name), "%.*s", (int)(nlen < sizeof(name) - 1 ? nlen : sizeof(name) - 1), arg);
	const char *names[sizeof(flags) / sizeof(flags[0])];
	for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
		names[k] = flags[k].name;
	const char *best = name[1] == '-' ? suggest_closest(name, names, sizeof(flags) / sizeof(flags[0])) : NULL;
	fprintf(stderr, "Usage: sluice %s [OPTIONS]\nTry 'sluice %s --help' for help.\n\nError: No such option: %s", cmd,
		cmd, name);
	if (best)
		fprintf(stderr, "  Did you mean %s?", best);
	fputc('\n', stderr);
	return -1;
}

static int set_value(struct cli *c, const struct flag *f, const char *v)
{
	char *base = (char *)c;
	switch (f->kind) {
	case 0:
		*(const char **)(base + f->off) = v;
		return 0;
	case 2:
	case 4: {
		char *end;
		long n = strtol(v, &end, 10);
		if (*end || end == v || (n < 0 && !(f->kind == 4 && n == -1)))
			return usage_error(c->command, "Invalid value for '%s': expected a non-negative integer", f->name);
		if (f->kind == 2)
			*(int *)(base + f->off) = n > INT_MAX ? INT_MAX : (int)n;  /* huge counts are clamped later */
		else
			*(long *)(base + f->off) = n;
		return 0;
	}
	case 3: {
		size_t *cnt = (size_t *)(base + f->count_off);
		if (*cnt >= CLI_MAX_WORDS)
			return usage_error(c->command, "too many values for '%s'", f->name);
		((const char **)(base + f->off))[(*cnt)++] = v;
		return 0;
	}
	default:
		return 0;
	}
}

int cli_parse(struct cli *c, int argc, char **argv)
{
	c->use_colors = -1;
	c->partial_parse = -1;
	c->write_json = -1;
	c->log_format = "text";
	c->limit = CLI_LIMIT_UNSET;
	c->port = 8080;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--no-use-colors")) {
			c->use_colors = 0;
			continue;
		}
		if (!strcmp(a, "--no-version-check") || !strcmp(a, "--version-check")) {
			c->no_version_check = !strcmp(a, "--no-version-check");
			continue;
		}
		if (!strcmp(a, "--use-colors")) {
			c->use_colors = 1;
			continue;
		}
		if (!strcmp(a, "--no-partial-parse") || !strcmp(a, "--partial-parse")) {
			c->partial_parse = !strcmp(a, "--partial-parse");
			continue;
		}
		if (!strcmp(a, "--no-write-json") || !strcmp(a, "--write-json")) {
			c->write_json = !strcmp(a, "--write-json");
			continue;
		}
		if (!strcmp(a, "--no-fail-fast") || !strcmp(a, "--no-full-refresh") || !strcmp(a, "--no-print"))
			continue;
		bool skipped = false;
		for (size_t k = 0; k < sizeof(no_ops) / sizeof(*no_ops) && !skipped; k++)
			skipped = !strcmp(a, no_ops[k]);
		for (size_t k = 0; k < sizeof(no_op_values) / sizeof(*no_op_values) && !skipped; k++) {
			size_t kn = strlen(no_op_values[k]);
			if (!strncmp(a, no_op_values[k], kn) && (a[kn] == '=' || !a[kn])) {
				if (!a[kn] && ++i >= argc)
					return usage_error(c->command, "Option '%s' requires an argument.", no_op_values[k]);
				skipped = true;
			}
		}
		if (skipped)
			continue;
		if (a[0] != '-' || !strcmp(a, "-")) {
			if (c->npositional >= CLI_MAX_WORDS)
				return usage_error(c->command, "too many arguments%s", "");
			c->positional[c->npositional++] = a;
			continue;
		}
		/* sluice sql -f FILE, as Flink's SQL client has it; elsewhere -f is --full-refresh */
		if (!strcmp(a, "-f") && !strcmp(c->command, "sql"))
			a = "--file";
		const char *eq = strchr(a, '=');
		size_t nlen = eq && a[1] == '-' ? (size_t)(eq - a) : strlen(a);
		const struct flag *f = NULL;
		for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]) && !f; k++) {
			if ((strlen(flags[k].name) == nlen && !strncmp(flags[k].name, a, nlen)) ||
			    (flags[k].alias && !strcmp(flags[k].alias, a)))
				f = &flags[k];
		}
		if (!f)
			return no_such_option(c->command, a, nlen);
		if (f->arity == FLAG) {
			*(bool *)((char *)c + f->off) = true;
			continue;
		}
		if (eq && a[1] == '-') {
			if (set_value(c, f, eq + 1) < 0)
				return -1;
			continue;
		}
		if (i + 1 >= argc)
			return usage_error(c->command, "Option '%s' requires an argument.", f->name);
		if (set_value(c, f, argv[++i]) < 0)
			return -1;
		if (f->arity == MANY)
			while (i + 1 < argc && argv[i + 1][0] != '-')
				if (set_value(c, f, argv[++i]) < 0)
					return -1;
	}
	/* --log-level (or DBT_LOG_LEVEL): debug is --debug; warn, error and none print what --quiet
	 * prints */
	const char *level = c->log_level ? c->log_level : getenv("DBT_LOG_LEVEL");
	if (level && *level) {
		if (!strcmp(level, "debug"))
			c->debug = true;
		else if (!strcmp(level, "warn") || !strcmp(level, "error") || !strcmp(level, "none"))
			c->quiet = true;
		else if (strcmp(level, "info"))
			return usage_error(c->command, "Invalid value for '--log-level': '%s' is not one of 'debug', "
				   "'info', 'warn', 'error', 'none'", level);
	}
	c->user_quiet = c->quiet;
	/* --warn-error (DBT_WARN_ERROR), or --warn-error-options whose include is all (or "*"):
	 * warnings of the load and the selection fail the command. Options naming events are
	 * accepted and leave warnings as they are: Sluice's warnings carry no dbt event names. */
	const char *we = getenv("DBT_WARN_ERROR");
	if (we && (!strcmp(we, "1") || !strcasecmp(we, "true")))
		c->warn_error = true;
	const char *weo = c->warn_error_options ? c->warn_error_options : getenv("DBT_WARN_ERROR_OPTIONS");
	if (weo && *weo) {
		struct arena wa;
		arena_init(&wa, 1024);
		value v;
		uint32_t f = diag_file_add("--warn-error-options", weo, strlen(weo));
		struct diag_list wdl;
		diag_list_init(&wdl);
		int bad = val_from_yaml(&wa, f, weo, strlen(weo), &v, &wdl) < 0 || v.type != V_DICT;
		if (!bad) {
			value inc = val_dict_gets(v, "include");
			if (inc.type == V_UNDEF)
				inc = val_dict_gets(v, "error");
			if (val_streq(inc, "all") || val_streq(inc, "*"))
				c->warn_error = true;
		}
		diag_list_release(&wdl);
		arena_release(&wa);
		if (bad)
			return usage_error(c->command, "Invalid value for '--warn-error-options': %s is not a mapping "
				   "such as '{\"include\": \"all\"}'", weo);
	}
	if (strcmp(c->log_format, "text") && strcmp(c->log_format, "json") && strcmp(c->log_format, "default"))
		return usage_error(c->command, "Invalid value for '--log-format': '%s' is not one of 'text', 'json'",
				   c->log_format);
	if (c->source && strcmp(c->source, "hub") && strcmp(c->source, "git") && strcmp(c->source, "local"))
		return usage_error(c->command, "Invalid value for '--source': '%s' is not one of 'hub', 'git', 'local'",
				   c->source);
	if (c->output && strcmp(c->command, "show") && strcmp(c->command, "jobs") && strcmp(c->command, "source") && strcmp(c->output, "name") && strcmp(c->output, "path") && strcmp(c->output, "json") &&
	    strcmp(c->output, "selector"))
		return usage_error(c->command,
				   "Invalid value for '--output': '%s' is not one of 'json', 'name', 'path', 'selector'",
				   c->output);
	return 0;
}

void cli_proj_options(const struct cli *c, struct proj_options *o, bool need_profile)
{
	memset(o, 0, sizeof(*o));
	o->project_dir = c->project_dir ? c->project_dir : getenv("DBT_PROJECT_DIR");
	o->profiles_dir = c->profiles_dir;
	o->profile = c->profile;
	o->target = c->target ? c->target : getenv("DBT_TARGET");
	o->target_path = c->target_path;
	o->log_path = c->log_path ? c->log_path : getenv("DBT_LOG_PATH");
	o->vars = c->vars;
	o->threads = c->threads;
	o->need_profile = need_profile;
	/* --no-version-check, or DBT_VERSION_CHECK=false as dbt reads it */
	const char *env = getenv("DBT_VERSION_CHECK");
	o->no_version_check = c->no_version_check ||
			      (env && (!strcmp(env, "0") || !strcasecmp(env, "false") || !strcasecmp(env, "no")));
	/* the loader renders through the dbt context */
	o->hooks = &dbt_proj_hooks;
}

bool cli_color(const struct cli *c)
{
	if (c->use_colors >= 0)
		return c->use_colors == 1;
	if (getenv("NO_COLOR"))
		return false;
	return isatty(STDOUT_FILENO);
}

int cli_option_arity(const char *a)
{
	if (strchr(a, '='))
		return 0;
	for (size_t k = 0; k < sizeof(no_ops) / sizeof(*no_ops); k++)
		if (!strcmp(a, no_ops[k]))
			return 0;
	for (size_t k = 0; k < sizeof(no_op_values) / sizeof(*no_op_values); k++)
		if (!strcmp(a, no_op_values[k]))
			return 1;
	for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
		if (!strcmp(flags[k].name, a) || (flags[k].alias && !strcmp(flags[k].alias, a)))
			return flags[k].arity == FLAG ? 0 : 1;
	return 0;  /* the --no-/--use- flags cli_parse knows by name, or unknown: cli_parse says so */
}
