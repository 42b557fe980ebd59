/*
 * Packages: packages.yml (or dependencies.yml) names the project's dependencies; `sluice deps`
 * installs them under packages-install-path (dbt_packages/), and loading reads every installed
 * package's dbt_project.yml so its models, macros and properties join the project. Local packages
 * are installed as symbolic links, as dbt does; hub and git packages need the network, which
 * Sluice does not use: asking for one is an error that names it and says what to do.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fs.h"
#include "project/load_internal.h"
#include "project/yml.h"

/* The packages list of packages.yml or dependencies.yml; V_NONE when there is neither */
static int read_package_list(struct project *p, value *plist, uint32_t *pfile, struct diag_list *dl)
{
	*plist = val_none();
	static const char *const names[] = {"packages.yml", "dependencies.yml"};
	for (size_t i = 0; i < 2; i++) {
		char *path = fs_join(&p->arena, p->root, names[i]);
		if (!fs_is_file(path))
			continue;
		size_t len;
		const char *text = proj_read_file(p, path, names[i], pfile, &len, dl);
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

/* Name and folder of a local package, from its own dbt_project.yml */
static int local_package(struct project *p, value entry, uint32_t file, const char **pname, const char **proot,
			 struct diag_list *dl)
{
	const char *local = NULL;
	if (yml_str(entry, "local", NULL, &local, dl) < 0)
		return -1;
	char *root = fs_abspath(&p->arena, fs_join(&p->arena, p->root, local));
	char *yml_path = fs_join(&p->arena, root, "dbt_project.yml");
	if (!fs_is_file(yml_path)) {
		struct diag *d = diag_error(dl, yml_val_loc(entry, "local"), "local package '%s' has no dbt_project.yml", local);
		diag_hint(dl, d, "point local: at the folder of a dbt project");
		return -1;
	}
	uint32_t f;
	size_t len;
	const char *text = proj_read_file(p, yml_path, yml_path, &f, &len, dl);
	value doc;
	if (!text || val_from_yaml(&p->arena, f, text, len, &doc, dl) < 0)
		return -1;
	const char *name = NULL;
	if (doc.type != V_DICT || yml_str(doc, "name", NULL, &name, dl) < 0 || !name) {
		diag_error(dl, loc_at(f, 1, 1, 1), "the dbt_project.yml of local package '%s' has no 'name'", local);
		return -1;
	}
	*pname = name;
	*proot = root;
	(void)file;
	return 0;
}

static int remote_error(value entry, struct diag_list *dl)
{
	value pkg = val_dict_gets(entry, "package"), git = val_dict_gets(entry, "git");
	const char *what = pkg.type == V_STR ? pkg.s : git.type == V_STR ? git.s : "?";
	struct diag *d = diag_error(dl, yml_val_loc(entry, pkg.type == V_STR ? "package" : "git"),
				    "cannot install package '%s': %s packages are downloaded, and Sluice works without network access",
				    what, pkg.type == V_STR ? "hub" : "git");
	diag_hint(dl, d, "put a copy of the package in your repository and refer to it with 'local: path/to/it'");
	return -1;
}

int proj_install_packages(struct project *p, int *pinstalled, struct diag_list *dl)
{
	value list;
	uint32_t file = 0;
	*pinstalled = 0;
	if (read_package_list(p, &list, &file, dl) < 0)
		return -1;
	if (list.type != V_LIST)
		return 0;
	if (fs_mkdir_p(p->packages_install_path) < 0) {
		diag_error(dl, LOC_NONE, "cannot create '%s': %s", p->packages_install_path, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (uint32_t i = 0; i < list.l->len; i++) {
		value e = list.l->items[i];
		if (e.type != V_DICT) {
			diag_error(dl, yml_item_loc(list, i), "each package must be a mapping such as 'local: ../my_package'");
			rc = -1;
			continue;
		}
		if (val_dict_gets(e, "local").type == V_UNDEF) {
			rc |= remote_error(e, dl);
			continue;
		}
		const char *name, *root;
		if (local_package(p, e, file, &name, &root, dl) < 0) {
			rc = -1;
			continue;
		}
		char *link = fs_join(&p->arena, p->packages_install_path, name);
		fs_rm_rf(link);
		if (symlink(root, link) < 0) {
			diag_error(dl, yml_item_loc(list, i), "cannot install '%s' at '%s': %s", name, link, strerror(errno));
			rc = -1;
			continue;
		}
		(*pinstalled)++;
	}
	return rc;
}

int proj_load_packages(struct project *p, struct diag_list *dl)
{
	value list;
	uint32_t file = 0;
	if (read_package_list(p, &list, &file, dl) < 0)
		return -1;
	size_t want = list.type == V_LIST ? list.l->len : 0;
	char **dirs = NULL;
	size_t ndirs = 0;
	/* every installed package: folders of packages-install-path holding a dbt_project.yml */
	if (fs_is_dir(p->packages_install_path)) {
		static const char *const projfile[] = {"dbt_project.yml", NULL};
		char **files;
		size_t n;
		if (fs_list(&p->arena, p->packages_install_path, projfile, &files, &n) == 0) {
			dirs = files;
			for (size_t i = 0; i < n; i++) {
				/* only direct children: name/dbt_project.yml */
				const char *slash = strchr(files[i], '/');
				if (slash && !strcmp(slash + 1, "dbt_project.yml") && !strchr(slash + 1, '/'))
					dirs[ndirs++] = arena_strndup(&p->arena, files[i], (size_t)(slash - files[i]));
			}
		}
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
