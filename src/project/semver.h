/*
 * Version ranges as dbt resolves hub packages: a version is "[matcher]major.minor.patch[-pre][+build]"
 * with an optional matcher (=, >, >=, <, <=); a list of them reduces to one range, or fails when
 * they cannot all hold; the newest available version inside the range is picked. The rules,
 * including their corner cases (a pre-release is older than its release, except against a strict
 * upper bound), are dbt's own so that the same packages.yml resolves to the same versions.
 * Strings are not copied: a struct semver points into the text it was parsed from (or the arena).
 *
 * Module direction: project -> jinja, value, core. The dbt context (dbt/) is above it: the loader
 * renders through struct proj_hooks (project.h), which the caller of proj_load() passes in.
 */
#ifndef SLUICE_PROJECT_SEMVER_H
#define SLUICE_PROJECT_SEMVER_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct sb;

enum sv_matcher { SV_EXACT, SV_GT, SV_GE, SV_LT, SV_LE };

struct semver {
	bool unbounded;          /* the open end of a range */
	enum sv_matcher matcher;
	const char *major, *minor, *patch;  /* decimal digits, no leading zeros */
	const char *pre;         /* pre-release tag, or NULL */
	const char *build;       /* build metadata, or NULL */
};

struct sv_range {
	struct semver start, end;
};

/* Parses S (as written in packages.yml or a hub index); 0, or -1 when it is not a version */
int sv_parse(struct arena *a, const char *s, struct semver *out) __attribute__((warn_unused_result));
/* "=1.2.3-rc.1" (the matcher left out when skip_matcher); "*" for an open end */
void sv_str(struct sb *out, const struct semver *v, bool skip_matcher);
/* Reduces N specifiers to one range; -1 when they are not compatible */
int sv_reduce(const struct semver *specs, size_t n, struct sv_range *out) __attribute__((warn_unused_result));
/* "ANY", or ">=1.0.0, <2.0.0" */
void sv_range_str(struct sb *out, const struct sv_range *r);
/*
 * The versions (strings of a hub index) that may be installed, oldest first: all of them, or only
 * releases when `prerelease` is false. Returns how many are in *pout (arena), or -1 with *pbad set
 * to the first string that is not a version.
 */
long sv_installable(struct arena *a, const char *const *versions, size_t n, bool prerelease,
		    const char ***pout, const char **pbad) __attribute__((warn_unused_result));
/* The newest of AVAIL (valid versions) inside R, or NULL */
const char *sv_resolve(struct arena *a, const struct sv_range *r, const char *const *avail, size_t n);

#endif
