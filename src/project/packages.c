/*
 * Installed packages: packages.yml (or dependencies.yml) names the project's dependencies, which
 * `sluice deps` installs under packages-install-path (dbt_packages/, see deps.c); loading reads the
 * dbt_project.yml of every direct child of that folder, so the packages' models, macros and
 * properties join the project.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/inputs.h"
#include "core/fs.h"
#include "core/map.h"
#include "core/sb.h"
#include "project/load_internal.h"
#include "project/semver.h"
#include "project/yml.h"

/* The packages list of ROOT's packages.yml or dependencies.yml; V_NONE when there is neither */
static int read_package_list(struct project *p, const char *root, value *plist, uint32_t *pfile,
			     struct diag_list *dl)
{
	*plist = val_none();
	static const char *const names[] = {"packages.yml", "dependencies.yml"};
	for (size_t i = 0; i < 2; i++) {
		char *path = fs_join(&p->arena, root, names[i]);
		if (!fs_is_file(path))
			continue;
		size_t len;
		const char *display = root == p->root ? names[i] : path;
		const char *text = proj_read_file(p, path, display, pfile, &len, dl);
		if (!text)
			return -1;
		value doc;
		if (val_from_yaml(&p->arena, *pfile, text, len, &doc, dl) < 0)
			return -1;
		if (doc.type == V_NONE)
			return 0;
		if (doc.type != V_DICT) {
			diag_error(dl, loc_at(*pfile, 1, 1, 1), "%s must be a mapping with a 'packages' list", names[i]);
			return -1;
		}
		value list;
		if (yml_list(doc, "packages", false, &list, dl) < 0)
			return -1;
		*plist = list;
		return 0;
	}
	return 0;
}

static int cmp_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int proj_load_packages(struct project *p, struct diag_list *dl)
{
	value list;
	uint32_t file = 0;
	if (read_package_list(p, p->root, &list, &file, dl) < 0)
		return -1;
	size_t want = list.type == V_LIST ? list.l->len : 0;
	char **dirs = NULL;
	size_t ndirs = 0;
	/* every installed package: the direct children of packages-install-path (folders, or links to
	 * folders as local packages are) that hold a dbt_project.yml; nothing deeper is looked at, so a
	 * package whose repository links back to itself is read once */
	inputs_listing(p->packages_install_path);
	DIR *dp = opendir(p->packages_install_path);
	if (dp) {
		size_t cap = 0;
		struct dirent *e;
		while ((e = readdir(dp)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			char *sub = fs_join(&p->arena, p->packages_install_path, e->d_name);
			if (!fs_is_file(fs_join(&p->arena, sub, "dbt_project.yml")))
				continue;
			if (ndirs == cap) {
				cap = cap ? 2 * cap : 16;
				char **nd = ARENA_ARRAY(&p->arena, char *, cap);
				if (ndirs)
					memcpy(nd, dirs, ndirs * sizeof(*nd));
				dirs = nd;
			}
			dirs[ndirs++] = arena_strdup(&p->arena, e->d_name);
		}
		closedir(dp);
		if (ndirs > 1)
			qsort(dirs, ndirs, sizeof(*dirs), cmp_name);
	}
	if (want > ndirs) {
		struct diag *d = diag_error(dl, loc_at(file, 1, 1, 1), "%zu package%s named in %s, but only %zu installed",
					    want, want == 1 ? " is" : "s are", diag_file_path(file), ndirs);
		diag_hint(dl, d, "run 'sluice deps' to install them");
		return -1;
	}
	if (ndirs == 0)
		return 0;
	struct package *pk = ARENA_ARRAY(&p->arena, struct package, p->npackages + ndirs);
	memcpy(pk, p->packages, p->npackages * sizeof(*pk));
	for (size_t i = 0; i < ndirs; i++) {
		char *root = fs_join(&p->arena, p->packages_install_path, dirs[i]);
		char real[PATH_MAX];
		if (realpath(root, real))
			root = arena_strdup(&p->arena, real);
		char *yml_path = fs_join(&p->arena, root, "dbt_project.yml");
		uint32_t f;
		size_t len;
		const char *text = proj_read_file(p, yml_path, yml_path, &f, &len, dl);
		value doc;
		if (!text || val_from_yaml(&p->arena, f, text, len, &doc, dl) < 0)
			return -1;
		const char *name = NULL;
		if (doc.type != V_DICT || yml_str(doc, "name", NULL, &name, dl) < 0 || !name) {
			diag_error(dl, loc_at(f, 1, 1, 1), "package '%s' has no 'name' in its dbt_project.yml", dirs[i]);
			return -1;
		}
		struct package *np = &pk[p->npackages++];
		memset(np, 0, sizeof(*np));
		np->name = name;
		np->root = root;
		np->project_yml = doc;
		np->is_root = false;
	}
	p->packages = pk;
	return 0;
}

/* dbt's VersionSpecifier list as Python prints it: ['>=1.2.0', '<2.0.0'] */
static const char *spec_list(struct arena *a, const struct semver *specs, size_t n)
{
	struct sb s = SB_INIT;
	sb_addc(&s, '[');
	for (size_t i = 0; i < n; i++) {
		sb_adds(&s, i ? ", '" : "'");
		sv_str(&s, &specs[i], false);
		sb_addc(&s, '\'');
	}
	sb_addc(&s, ']');
	const char *out = arena_strndup(a, s.buf, s.len);
	sb_release(&s);
	return out;
}

int proj_check_dbt_version(struct project *p, const struct package *pkg, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	value yml = pkg->is_root ? p->yml : pkg->project_yml;
	value req = val_dict_gets(yml, "require-dbt-version");
	if (req.type == V_UNDEF || req.type == V_NONE)
		return 0;
	struct loc where = yml_val_loc(yml, "require-dbt-version");
	size_t n = req.type == V_LIST ? req.l->len : 1;
	struct semver *specs = arena_alloc(a, (n + 2) * sizeof(*specs));
	for (size_t i = 0; i < n; i++) {
		value s = req.type == V_LIST ? req.l->items[i] : req;
		if ((s.type != V_STR && s.type != V_INT && s.type != V_FLOAT) ||
		    sv_parse(a, val_cstr(a, s.type == V_STR ? s : val_str("?")), &specs[i + 1]) < 0) {
			struct diag *d = diag_error(dl, where, "'require-dbt-version' of '%s' is not a version or a list of versions",
						    pkg->name);
			diag_hint(dl, d, "write it as dbt does, e.g. [\">=1.7.0\", \"<2.0.0\"]");
			return -1;
		}
	}
	struct sv_range range;
	if (sv_reduce(specs + 1, n, &range) < 0) {
		struct diag *d = diag_error(dl, where,
					    "The package version requirement can never be satisfied for the '%s\npackage.\n"
					    "  Required versions of dbt for '%s': %s",
					    pkg->name, pkg->name, spec_list(a, specs + 1, n));
		diag_hint(dl, d, "Check for a different version of the '%s' package, or run dbt again with --no-version-check",
			  pkg->name);
		return -1;
	}
	if (sv_parse(a, DBT_MATCHED_VERSION, &specs[0]) < 0)
		return 0;
	if (sv_reduce(specs, n + 1, &range) < 0) {
		struct diag *d = diag_error(dl, where,
					    "This version of dbt is not supported with the '%s' package.\n"
					    "  Installed version of dbt: =%s\n"
					    "  Required version of dbt for '%s': %s",
					    pkg->name, DBT_MATCHED_VERSION, pkg->name, spec_list(a, specs + 1, n));
		diag_hint(dl, d, "Check for a different version of the '%s' package, or run dbt again with --no-version-check "
			  "(Sluice matches dbt %s)", pkg->name, DBT_MATCHED_VERSION);
		return -1;
	}
	return 0;
}
