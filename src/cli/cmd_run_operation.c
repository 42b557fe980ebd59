/*
 * sluice run-operation MACRO [--args YAML]: calls a macro of the project (or `package.macro`) with
 * the arguments as keyword arguments, on a connection, in a transaction committed at the end, as
 * dbt run-operation does. Exit 1 when the macro fails. Like dbt (1.5 on), it writes
 * run_results.json with one result for the operation, success or error.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "artifacts/artifacts.h"
#include "cli/cli.h"
#include "core/log.h"
#include "dbt/context.h"
#include "core/report.h"
#include "runner/runner.h"

/* run_results.json for the operation, as dbt's RunOperationTask writes it: one result named by
 * the macro's unique id, timed from the project's load (dbt's compile) through the call */
static void write_results(struct cli *c, struct project *p, const char *id, value kwargs, struct run_result *res)
{
	if (!cli_write_json(c, p))
		return;
	value args = val_dict_new(&p->arena, 8);
	val_dict_sets(args, "which", val_str(c->command));
	val_dict_sets(args, "invocation_command", val_str_fmt(&p->arena, "sluice %s", c->command));
	val_dict_sets(args, "macro", val_str(c->positional[0]));
	val_dict_sets(args, "args", kwargs);
	val_dict_sets(args, "target", c->target ? val_str(c->target) : val_none());
	val_dict_sets(args, "vars", c->vars ? val_str(c->vars) : val_dict_new(&p->arena, 0));
	val_dict_sets(args, "log_format", val_str(c->log_format));
	struct art_invocation inv = {c->command, p->invocation_id, p->run_started_at, args};
	res->node = UINT32_MAX;
	res->operation = id;
	res->thread_id = -1;
	res->failures = res->status == RUN_SUCCESS ? 0 : 1;
	res->rows_affected = -1;
	res->execution_time = res->execute_completed - res->compile_started;
	const char *path = arena_sprintf(&p->arena, "%s/run_results.json", p->target_path);
	struct diag_list dl;
	diag_list_init(&dl);
	if (art_write_run_results(path, p, res, 1, res->execution_time, &inv, &dl) < 0)
		cli_print_diags(&dl);
	diag_list_release(&dl);
}

int cmd_run_operation(struct cli *c)
{
	if (c->npositional != 1) {
		fprintf(stderr, "Usage: sluice run-operation MACRO [--args YAML]\n\nError: %s\n",
			c->npositional ? "give one macro name" : "missing the name of the macro to run");
		return 2;
	}
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	int rc = 2;
	struct adapter *ad = NULL;
	const struct adapter_vtable *vt = NULL;
	struct adapter_conn *conn = NULL;
	struct run_result res = {.compile_started = art_now()};
	if (cli_load_project(c, &p, true, &dl) < 0)
		goto out;
	res.compile_completed = art_now();
	const char *name = c->positional[0];
	const char *dot = strchr(name, '.');
	const char *pkg = dot ? arena_strndup(&p.arena, name, (size_t)(dot - name)) : NULL;
	value fn = proj_find_macro(&p, pkg, dot ? dot + 1 : name);
	const char *id = pkg ? arena_sprintf(&p.arena, "macro.%s.%s", pkg, dot + 1)
			     : proj_macro_id(&p, &p.arena, p.name, name);
	if (fn.type == V_UNDEF) {
		struct diag *d = diag_error(&dl, LOC_NONE, "no macro named '%s' in the project or its packages", name);
		diag_hint(&dl, d, "check the name; package macros are written package.macro");
		cli_print_diags(&dl);
		goto out;
	}
	value kwargs = val_dict_new(&p.arena, 4);
	if (c->macro_args) {
		uint32_t f = diag_file_add("--args", c->macro_args, strlen(c->macro_args));
		if (val_from_yaml(&p.arena, f, c->macro_args, strlen(c->macro_args), &kwargs, &dl) < 0) {
			cli_print_diags(&dl);
			goto out;
		}
		if (kwargs.type == V_NONE)
			kwargs = val_dict_new(&p.arena, 0);
		if (kwargs.type != V_DICT) {
			struct diag *d = diag_error(&dl, loc_at(f, 1, 1, 1), "--args must be a mapping of argument names to values");
			diag_hint(&dl, d, "e.g. --args '{table: orders, days: 3}'");
			cli_print_diags(&dl);
			goto out;
		}
	}
	res.execute_started = art_now(); /* dbt's execute opens the connection too */
	if (cli_connect(&p, &ad, &vt, &conn, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	cli_restore(&p, NULL, NULL, ad, vt, conn, &dl);
	char *err = NULL;
	const char **names = ARENA_ARRAY(&p.arena, const char *, kwargs.d->len + 1);
	value *vals = ARENA_ARRAY(&p.arena, value, kwargs.d->len + 1);
	for (uint32_t i = 0; i < kwargs.d->len; i++) {
		names[i] = val_cstr(&p.arena, kwargs.d->e[i].key);
		vals[i] = kwargs.d->e[i].val;
	}
	struct vargs args = {NULL, 0, names, vals, kwargs.d->len};
	/* dbt's MacroContext searches the named package first, so its macros resolve bare (re_data) */
	struct dbt_render r = {.proj = &p, .package = pkg && strcmp(pkg, p.name) ? pkg : NULL, .phase = DBT_EXECUTE,
			       .arena = &p.arena, .dl = &dl, .adapter = ad, .vt = vt, .conn = conn,
			       .connection_name = arena_sprintf(&p.arena, "macro_%s", dot ? dot + 1 : name)};
	value out;
	if (vt->begin(conn, &p.arena, &err) < 0)
		log_msg(LOG_WARN, "cannot begin a transaction for operation %s: %s", name, err ? err : "unknown error");
	if (dbt_call_value(&r, fn, &args, &out) < 0) {
		err = NULL;
		if (vt->rollback(conn, &p.arena, &err) < 0)
			log_msg(LOG_WARN, "cannot roll back the transaction of operation %s: %s", name,
				err ? err : "unknown error");
		report_line("RunningOperationCaughtError", "Encountered an error while running operation: %s", name);
		cli_print_diags(&dl);
		res.execute_completed = art_now();
		res.status = RUN_ERROR;
		write_results(c, &p, id, kwargs, &res);
		rc = 1;
		goto out;
	}
	/* an operation that committed itself leaves nothing to commit: the error is only logged */
	err = NULL;
	if (vt->commit(conn, &p.arena, &err) < 0)
		log_msg(LOG_DEBUG, "commit after operation %s: %s", name, err ? err : "unknown error");
	res.execute_completed = art_now();
	if (dl.head) /* exceptions.warn() and the like */
		cli_print_diags(&dl);
	res.status = RUN_SUCCESS;
	write_results(c, &p, id, kwargs, &res);
	rc = 0;
out:
	cli_disconnect(ad, vt, conn);
	proj_release(&p);
	diag_list_release(&dl);
	return rc;
}
