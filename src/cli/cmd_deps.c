/* sluice deps: installs the packages named in packages.yml (see project/deps.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "project/deps.h"
#include "core/report.h"

int cmd_deps(struct cli *c)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct project p;
	struct proj_options o;
	cli_proj_options(c, &o, false);
	o.project_only = true;
	report_setup(cli_color(c), !strcmp(c->log_format, "json"), NULL);
	int rc = proj_load(&p, &o, &dl);
	if (rc == 0) {
		const char *env = getenv("DBT_VERSION_CHECK");
		bool check = !c->no_version_check && !(env && (!strcmp(env, "0") || !strcasecmp(env, "false")));
		struct deps_options d = {.upgrade = c->upgrade, .lock_only = c->lock, .version_check = check,
					 .add_package = c->add_package, .source = c->source};
		int n = 0;
		rc = proj_deps(&p, &d, &n, &dl);
		if (rc == 0 && n)
			report_line("DepsInstalled", "Installed %d package%s into %s", n, n == 1 ? "" : "s",
				    p.packages_install_path);
	}
	if (dl.head)
		cli_print_diags(&dl);
	proj_release(&p);
	diag_list_release(&dl);
	return rc ? 2 : 0;
}
