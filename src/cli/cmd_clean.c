/* sluice clean: deletes the clean-targets of dbt_project.yml (by default the target path). As in
 * dbt, it reads dbt_project.yml alone: a broken model, macro or properties file never stops it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/fs.h"
#include "core/report.h"

int cmd_clean(struct cli *c)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	struct proj_options o;
	cli_proj_options(c, &o, false);
	o.project_only = true;
	report_setup(cli_color(c), !strcmp(c->log_format, "json"), NULL);
	if (!c->quiet)
		report_line("MainReportVersion", "Running with sluice=%s", SLUICE_VERSION);
	int rc = 2;
	if (proj_load(&p, &o, &dl) < 0) {
		cli_print_diags(&dl);
		goto out;
	}
	if (dl.head)
		cli_print_diags(&dl);
	value targets = p.clean_targets;
	if (targets.type != V_LIST || targets.l->len == 0) {
		targets = val_list_new(&p.arena, 1);
		val_list_push(targets, val_str(p.target_path));
	}
	rc = 0;
	for (uint32_t i = 0; i < targets.l->len; i++) {
		const char *t = val_cstr(&p.arena, targets.l->items[i]);
		char *abs = fs_abspath(&p.arena, fs_join(&p.arena, p.root, t));
		size_t rl = strlen(p.root);
		/* only folders inside the project, never the project itself */
		if (strncmp(abs, p.root, rl) || abs[rl] != '/') {
			fprintf(stderr, "Error: clean-target '%s' is outside the project; refusing to delete it\n", t);
			rc = 2;
			continue;
		}
		if (!fs_is_dir(abs)) {
			report_line("CheckCleanPath", "Checking %s/*", t);
			continue;
		}
		report_line("CheckCleanPath", "Checking %s/*", t);
		if (fs_rm_rf(abs) < 0) {
			fprintf(stderr, "Error: cannot delete '%s': %s\n", t, strerror(errno));
			rc = 2;
			continue;
		}
		report_line("ConfirmCleanPath", "Cleaned %s/*", t);
	}
	if (rc == 0)
		report_line("FinishedCleanPaths", "Finished cleaning all paths.");
out:
	proj_release(&p);
	diag_list_release(&dl);
	return rc;
}
