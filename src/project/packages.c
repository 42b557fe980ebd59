/*
 * Packages: packages.yml (or dependencies.yml) names the project's dependencies; `sluice deps`
 * installs them under packages-install-path (dbt_packages/), and loading reads every installed
 * package's dbt_project.yml so its models, macros and properties join the project. Local packages
 * are installed as symbolic links, as dbt does; hub and git packages need the network, which
 * Sluice does not use: asking for one is an error that names it and says what to do. A package's
 * own packages.yml is installed too, its local paths taken from the package's folder.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/map.h"
#include "dbt/context.h"
#include "project/load_internal.h"
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

/* Renders the Jinja in a package entry's strings (env_var(), secret ones included, as dbt allows
 * in packages.yml); the values of secret variables are registered for redaction by env_var() */
static int render_entry(struct project *p, value entry, struct diag_list *dl)
{
	for (uint32_t i = 0; i < entry.d->len; i++) {
		value *pv = &entry.d->e[i].val;
		if (pv->type != V_STR || (!strstr(pv->s, "{{") && !strstr(pv->s, "{%")))
			continue;
		if (p->flags.type != V_DICT)
			dbt_install_globals(p);
		struct dbt_render r = {.proj = p, .phase = DBT_PARSE, .arena = &p->arena, .dl = dl};
		const char *out;
		struct loc l = entry.d->vallocs ? entry.d->vallocs[i] : LOC_NONE;
		if (dbt_render_string(&r, "packages.yml", pv->s, l, &out) < 0)
			return -1;
		*pv = val_str(out);
	}
	return 0;
}

/* Name and folder of a local package (its path relative to FROM), from its own dbt_project.yml */
static int local_package(struct project *p, const char *from, value entry, const char **pname, const char **proot,
			 struct diag_list *dl)
{
	const char *local = NULL;
	if (yml_str(entry, "local", NULL, &local, dl) < 0)
		return -1;
	char *root = fs_abspath(&p->arena, local[0] == '/' ? local : fs_join(&p->arena, from, local));
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
	return 0;
}

static int remote_error(value entry, struct diag_list *dl)
{
	value pkg = val_dict_gets(entry, "package"), git = val_dict_gets(entry, "git");
	value tarball = val_dict_gets(entry, "tarball");
	const char *kind = pkg.type == V_STR ? "package" : git.type == V_STR ? "git" : tarball.type == V_STR ? "tarball" : NULL;
	if (!kind) {
		struct diag *d = diag_error(dl, entry.d->loc, "a package entry needs 'local', 'package', 'git' or 'tarball'");
		diag_hint(dl, d, "e.g. '- local: ../my_package'");
		return -1;
	}
	const char *what = val_dict_gets(entry, kind).s;
	struct diag *d = diag_error(dl, yml_val_loc(entry, kind),
				    "cannot install package '%s': %s packages are downloaded, and Sluice works without network access",
				    what, !strcmp(kind, "package") ? "hub" : kind);
	diag_hint(dl, d, "put a copy of the package in your repository and refer to it with 'local: path/to/it'");
	return -1;
}

/* Installs the packages named in FROM's package list, then theirs (dbt installs dependencies of
 * dependencies too); a package already installed by name is not installed twice */
static int install_from(struct project *p, const char *from, struct map *done, int depth, int *pinstalled,
			struct diag_list *dl)
{
	value list;
	uint32_t file = 0;
	if (read_package_list(p, from, &list, &file, dl) < 0)
		return -1;
	if (list.type != V_LIST)
		return 0;
	int rc = 0;
	for (uint32_t i = 0; i < list.l->len; i++) {
		value e = list.l->items[i];
		if (e.type != V_DICT) {
			diag_error(dl, yml_item_loc(list, i), "each package must be a mapping such as 'local: ../my_package'");
			rc = -1;
			continue;
		}
		if (render_entry(p, e, dl) < 0) {
			rc = -1;
			continue;
		}
		if (val_dict_gets(e, "local").type == V_UNDEF) {
			rc |= remote_error(e, dl);
			continue;
		}
		const char *name, *root;
		if (local_package(p, from, e, &name, &root, dl) < 0) {
			rc = -1;
			continue;
		}
		if (!strcmp(name, p->name) || map_gets(done, name))
			continue;
		map_puts(done, name, (void *)root);
		char *link = fs_join(&p->arena, p->packages_install_path, name);
		fs_rm_rf(link);
		if (symlink(root, link) < 0) {
			diag_error(dl, yml_item_loc(list, i), "cannot install '%s' at '%s': %s", name, link, strerror(errno));
			rc = -1;
			continue;
		}
		(*pinstalled)++;
		if (depth < 16 && install_from(p, root, done, depth + 1, pinstalled, dl) < 0)
			rc = -1;
	}
	return rc;
}

int proj_install_packages(struct project *p, int *pinstalled, struct diag_list *dl)
{
	*pinstalled = 0;
	value list;
	uint32_t file = 0;
	if (read_package_list(p, p->root, &list, &file, dl) < 0)
		return -1;
	if (list.type != V_LIST)
		return 0;
	if (fs_mkdir_p(p->packages_install_path) < 0) {
		diag_error(dl, LOC_NONE, "cannot create '%s': %s", p->packages_install_path, strerror(errno));
		return -1;
	}
	struct map done = MAP_INIT;
	int rc = install_from(p, p->root, &done, 0, pinstalled, dl);
	map_release(&done);
	return rc;
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
