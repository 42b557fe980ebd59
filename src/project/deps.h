/*
 * sluice deps: installs the packages of packages.yml / dependencies.yml into packages-install-path
 * as dbt 1.9 does: hub packages (versions resolved by range across every package), git packages,
 * local packages (linked) and tarballs; package-lock.yml written with dbt's sha1_hash and honoured
 * until packages.yml changes or --upgrade is given. Packages are installed into a staging folder
 * that replaces the old one only when everything succeeded.
 *
 * Module direction: project -> jinja, value, core. The dbt context (dbt/) is above it: the loader
 * renders through struct proj_hooks (project.h), which the caller of proj_load() passes in.
 */
#ifndef SLUICE_PROJECT_DEPS_H
#define SLUICE_PROJECT_DEPS_H

#include <stdbool.h>

#include "core/diag.h"
#include "project/project.h"

struct deps_options {
	bool upgrade;           /* re-resolve even when package-lock.yml matches */
	bool lock_only;         /* --lock: write package-lock.yml, install nothing */
	bool version_check;     /* skip hub versions whose require-dbt-version excludes us */
	const char *add_package;  /* --add-package name[@version] */
	const char *source;     /* hub | git | local */
};

/* 0; -1 with diagnostics (then nothing installed before is changed); *pinstalled packages */
int proj_deps(struct project *p, const struct deps_options *o, int *pinstalled, struct diag_list *dl)
	__attribute__((warn_unused_result));

#endif
