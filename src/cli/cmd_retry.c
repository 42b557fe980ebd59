/*
 * sluice retry: runs again what failed or was skipped in the last invocation, as `dbt retry` does
 * (task/retry.py). The previous run_results.json (under --state, else the target path) names the
 * command and its arguments; the nodes whose status was error, fail, skipped, runtime error or
 * partial success run again with that command and those arguments (a microbatch model only its
 * failed batches, whose successful ones its new result lists too). --threads and --vars given
 * now win over the previous ones; --target comes from the previous run. Its own run_results.json
 * records the previous command, so a second retry goes on from the first. After run-operation
 * the operation runs again with its macro and --args, whatever its status, as dbt's
 * RunOperationTask (which has no graph to narrow) does under retry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/fs.h"
#include "core/sb.h"
#include "value/value.h"

static bool retryable(value status)
{
	static const char *const statuses[] = {"error", "fail", "skipped", "runtime error", "partial success"};
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (val_streq(status, statuses[i]))
			return true;
	return false;
}

/* The target path as dbt finds it: --target-path, DBT_TARGET_PATH, dbt_project.yml, "target" */
static const char *target_path(struct arena *a, const struct cli *c, const char *root)
{
	if (c->target_path)
		return fs_join(a, root, c->target_path);
	const char *env = getenv("DBT_TARGET_PATH");
	if (env && *env)
		return fs_join(a, root, env);
	value v;
	if (cli_read_yaml(a, fs_join(a, root, "dbt_project.yml"), &v, NULL) == 0 && v.type == V_DICT &&
	    val_dict_gets(v, "target-path").type == V_STR)
		return fs_join(a, root, val_dict_gets(v, "target-path").s);
	return fs_join(a, root, "target");
}

static const char *str_arg(struct arena *a, value args, const char *key)
{
	value v = val_dict_gets(args, key);
	if (v.type == V_STR)
		return val_cstr(a, v);
	if (v.type == V_DICT && v.d->len) {
		struct sb sb = SB_INIT;
		(void)val_to_json(&sb, v, 0, 0);
		const char *out = sb_to_arena(&sb, a);
		sb_release(&sb);
		return out;
	}
	return NULL;
}

int cmd_retry(struct cli *c)
{
	struct arena a;
	arena_init(&a, 0);
	int rc = 2;
	const char *root = c->project_dir ? c->project_dir : getenv("DBT_PROJECT_DIR");
	root = fs_abspath(&a, root && *root ? root : ".");
	const char *dir = c->state ? fs_abspath(&a, c->state) : target_path(&a, c, root);
	const char *path = fs_join(&a, dir, "run_results.json");
	size_t len;
	char *text = fs_is_file(path) ? fs_read(&a, path, &len) : NULL;
	if (!text) {
		fprintf(stderr, "Error: Could not find previous run in '%s' target directory\n", dir);
		goto out;
	}
	value results;
	char *err = NULL;
	if (val_from_json(&a, text, len, &results, &err) < 0 || results.type != V_DICT) {
		fprintf(stderr, "Error: '%s' is not a run_results.json: %s\n", path, err ? err : "not an object");
		goto out;
	}
	value args = val_dict_gets(results, "args");
	value which = args.type == V_DICT ? val_dict_gets(args, "which") : val_undef();
	if (val_streq(which, "run-operation")) {
		value macro = val_dict_gets(args, "macro");
		if (macro.type != V_STR) {
			fprintf(stderr, "Error: the previous run-operation in '%s' names no macro (args.macro)\n", dir);
			goto out;
		}
		struct cli op = *c;
		op.command = "run-operation";
		op.positional[0] = val_cstr(&a, macro);
		op.npositional = 1;
		op.macro_args = str_arg(&a, args, "args");
		if (!c->vars)
			op.vars = str_arg(&a, args, "vars");
		op.target = str_arg(&a, args, "target");
		rc = cmd_run_operation(&op);
		goto out;
	}
	static const char *const commands[] = {"run", "build", "test", "seed", "snapshot", "compile"};
	const char *command = NULL;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (val_streq(which, commands[i]))
			command = commands[i];
	if (!command) {
		fprintf(stderr, "Error: the previous run in '%s' was '%s', which sluice retry cannot run again; "
				"retry works after run, build, test, seed, snapshot, compile and run-operation\n",
			dir, which.type == V_STR ? which.s : "unknown");
		goto out;
	}
	value list = val_dict_gets(results, "results");
	size_t n = 0;
	const char **ids = xcalloc(list.type == V_LIST && list.l->len ? list.l->len : 1, sizeof(char *));
	/* a microbatch model that failed in part runs its failed batches again (dbt's
	 * previous_batch_results) */
	value batches = val_dict_new(&a, 0);
	for (uint32_t i = 0; list.type == V_LIST && i < list.l->len; i++) {
		value r = list.l->items[i];
		value id = r.type == V_DICT ? val_dict_gets(r, "unique_id") : val_undef();
		if (id.type != V_STR || !retryable(val_dict_gets(r, "status")))
			continue;
		ids[n++] = val_cstr(&a, id);
		value br = val_dict_gets(r, "batch_results");
		value failed = br.type == V_DICT ? val_dict_gets(br, "failed") : val_undef();
		if (failed.type == V_LIST && failed.l->len)
			val_dict_set(batches, id, br);
	}
	/* the previous invocation's arguments, but --threads and --vars given now, and where to find
	 * the project and profiles */
	struct cli rc_cli = *c;
	rc_cli.command = command;
	rc_cli.nselect = rc_cli.nexclude = 0;
	rc_cli.selector = NULL;
	rc_cli.full_refresh = val_truthy(val_dict_gets(args, "full_refresh"));
	rc_cli.fail_fast = val_truthy(val_dict_gets(args, "fail_fast"));
	rc_cli.store_failures = val_truthy(val_dict_gets(args, "store_failures"));
	value threads = val_dict_gets(args, "threads");
	if (!c->threads && threads.type == V_INT)
		rc_cli.threads = (int)threads.i;
	if (!c->vars)
		rc_cli.vars = str_arg(&a, args, "vars");
	rc_cli.target = str_arg(&a, args, "target");
	if (!c->indirect_selection)
		rc_cli.indirect_selection = str_arg(&a, args, "indirect_selection");
	rc_cli.retry_batches = batches;
	rc = cli_run_ids(&rc_cli, ids, n);
	free(ids);
out:
	arena_release(&a);
	return rc;
}
