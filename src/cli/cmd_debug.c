/*
 * sluice debug: the versions, the project and profile in use and a connection test, as dbt debug
 * prints them. Exit 1 when a check fails.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/adapter.h"
#include "cli/cli.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/sb.h"
#include "core/report.h"
#include "runner/runner.h"

/* Every line goes through the secret filter: the profile's values are printed here */
static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	struct sb s = SB_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&s, fmt, ap);
	va_end(ap);
	log_redact(s.buf);
	fputs(s.buf, stdout);
	sb_release(&s);
}

static void describe_line(void *ud, const char *text)
{
	(void)ud;
	out("  %s\n", text);
}

static void ok_line(const char *what, bool ok)
{
	out("  %s [%s]\n", what, ok ? "OK found and valid" : "ERROR invalid");
}

/* debug --config-dir: where profiles.yml is looked for, as dbt's OpenCommand says it (xdg-open
 * on Linux): --profiles-dir, DBT_PROFILES_DIR, the project's folder when it holds one, ~/.dbt */
static int config_dir(const struct cli *c)
{
	const char *dir = c->profiles_dir ? c->profiles_dir : getenv("DBT_PROFILES_DIR");
	char buf[4096];
	if (!dir || !*dir) {
		const char *proj = c->project_dir ? c->project_dir : getenv("DBT_PROJECT_DIR");
		snprintf(buf, sizeof(buf), "%s/profiles.yml", proj && *proj ? proj : ".");
		if (fs_is_file(buf)) {
			dir = realpath(proj && *proj ? proj : ".", buf) ? buf : ".";
		} else {
			const char *home = getenv("HOME");
			snprintf(buf, sizeof(buf), "%s/.dbt", home ? home : "");
			dir = buf;
		}
	}
	printf("To view your profiles.yml file, run:\n\nxdg-open %s\n", dir);
	return 0;
}

int cmd_debug(struct cli *c)
{
	if (c->config_dir)
		return config_dir(c);
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	int failures = 0;
	out("sluice version: %s\n", SLUICE_VERSION);
	c->quiet = true;
	int rc = cli_load_project(c, &p, true, &dl);
	out("Configuration:\n");
	if (rc < 0) {
		ok_line("dbt_project.yml file", p.name != NULL);
		ok_line("profiles.yml file", false);
		out("\n1 check failed:\nProject or profile could not be loaded (see the errors above).\n");
		proj_release(&p);
		diag_list_release(&dl);
		return 1;
	}
	out("  project: %s (%s)\n", p.name, p.root);
	ok_line("dbt_project.yml file", true);
	if (p.target.zero_config)
		out("  profiles.yml file [none: using the embedded DuckDB default]\n");
	else {
		out("  profiles.yml file at %s\n", p.target.profiles_path);
		ok_line("profiles.yml file", true);
	}
	if (!strcmp(p.target.type, "duckdb"))
		out("Required dependencies:\n  - duckdb (embedded) [OK found]\n");
	out("Connection:\n");
	out("  type: %s\n", p.target.type);
	out("  profile: %s\n", p.target.profile_name);
	out("  target: %s\n", p.target.target_name);
	out("  database: %s\n", p.target.database ? p.target.database : "");
	out("  schema: %s\n", p.target.schema ? p.target.schema : "");
	static const char *const shown[] = {"path", "url", "host", "port", NULL};
	for (const char *const *k = shown; *k; k++) {
		value v = val_dict_gets(p.target.fields, *k);
		if (v.type == V_STR || v.type == V_INT)
			out("  %s: %s\n", *k, val_cstr(&p.arena, val_to_str(&p.arena, v)));
	}
	out("  threads: %d\n", p.target.threads);
	struct adapter *ad = NULL;
	const struct adapter_vtable *vt = NULL;
	bool conn_ok = false;
	if (runner_open_adapter(&p, &ad, &vt, &dl) == 0) {
		struct adapter_conn *conn;
		char *err = NULL;
		if (vt->open_conn(ad, &conn, &p.arena, &err) == 0) {
			struct adapter_result res;
			if (vt->execute(conn, "select 1 as ok", true, -1, &res, &p.arena, &err) == 0)
				conn_ok = true;
			vt->close_conn(conn);
		}
		if (conn_ok && vt->describe)
			vt->describe(ad, describe_line, NULL);
		if (!conn_ok)
			diag_error(&dl, LOC_NONE, "connection test failed: %s", err ? err : "unknown error");
		vt->close(ad);
	}
	out("  Connection test: [%s]\n\n", conn_ok ? "OK connection ok" : "ERROR");
	if (!conn_ok) {
		failures++;
		cli_print_diags(&dl);
	}
	if (failures)
		out("%d check failed\n", failures);
	else
		out("All checks passed!\n");
	proj_release(&p);
	diag_list_release(&dl);
	return failures ? 1 : 0;
}
