/* sluice deps: installs the packages named in packages.yml (local ones; see project/packages.c). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "runner/report.h"

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
		int n = 0;
		rc = proj_install_packages(&p, &n, &dl);
		if (rc == 0 && n)
			report_line("DepsInstalled", "Installed %d package%s into %s", n, n == 1 ? "" : "s",
				    p.packages_install_path);
		else if (rc == 0)
			report_line("DepsInstalled", "No packages to install");
	}
	if (dl.head)
		cli_print_diags(&dl);
	proj_release(&p);
	diag_list_release(&dl);
	return rc ? 2 : 0;
}
