/*
 * sluice deps, the command's steps in dbt 1.9's order (see deps.h): --add-package edits
 * packages.yml; the packages are resolved and package-lock.yml written unless the lock's
 * sha1_hash still matches packages.yml; then every package of the lock is installed into a
 * staging folder beside packages-install-path, which takes its place only when all of them
 * installed. The lock's hash is dbt's own (the SHA-1 of the specs' JSON, sorted), so a lock file
 * written by dbt is honoured here and the other way round.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/fs.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/map.h"
#include "core/sb.h"
#include "project/deps.h"
#include "project/deps_internal.h"
#include "project/load_internal.h"
#include "project/yml.h"
#include "core/report.h"

#define DEFAULT_HUB_URL "https://hub.getdbt.com/"
#define LOCK_FILE "package-lock.yml"

/* ---- specs ---- */

/* Renders the Jinja in an entry's strings (env_var(), secret ones included, as dbt allows in
 * packages.yml); the values of secret variables are registered for redaction by env_var() */
static int render_entry(struct project *p, const char *display, value entry, struct diag_list *dl)
{
	for (uint32_t i = 0; i < entry.d->len; i++) {
		value *pv = &entry.d->e[i].val;
		if (pv->type != V_STR || (!strstr(pv->s, "{{") && !strstr(pv->s, "{%")))
			continue;
		if (p->flags.type != V_DICT)
			p->hooks->install_globals(p);
		struct proj_render r = {.proj = p, .arena = &p->arena, .dl = dl};
		const char *out;
		struct loc l = entry.d->vallocs ? entry.d->vallocs[i] : LOC_NONE;
		if (p->hooks->render_string(&r, display, pv->s, l, &out) < 0)
			return -1;
		*pv = val_str(out);
	}
	return 0;
}

static const char *const kind_keys[] = {"local", "package", "git", "tarball"};

int deps_specs_from_list(struct deps_run *r, value list, value raw_list, uint32_t file, const char *from,
			 struct dep_spec **pspecs, size_t *pn)
{
	struct arena *a = &r->p->arena;
	*pspecs = NULL;
	*pn = 0;
	if (list.type != V_LIST)
		return 0;
	struct dep_spec *specs = ARENA_ARRAY(a, struct dep_spec, list.l->len + 1);
	size_t n = 0;
	int rc = 0;
	const char *display = file ? diag_file_path(file) : "packages";
	for (uint32_t i = 0; i < list.l->len; i++) {
		value e = list.l->items[i];
		struct loc item_loc = list.l->locs ? yml_item_loc(list, i) : LOC_NONE;
		if (e.type != V_DICT) {
			diag_error(r->dl, item_loc, "each package must be a mapping such as 'package: dbt-labs/dbt_utils'");
			rc = -1;
			continue;
		}
		if (render_entry(r->p, display, e, r->dl) < 0) {
			rc = -1;
			continue;
		}
		int kind = -1;
		for (int k = 0; k < 4 && kind < 0; k++)
			if (val_dict_gets(e, kind_keys[k]).type != V_UNDEF)
				kind = k;
		if (kind < 0) {
			if (val_dict_gets(e, "private").type != V_UNDEF) {
				struct diag *d = diag_error(r->dl, yml_val_loc(e, "private"),
							    "Cannot resolve private package %s because git provider integration is "
							    "missing. Please use a \"git\" package instead.",
							    val_cstr(a, val_dict_gets(e, "private")));
				diag_hint(r->dl, d, "write it as 'git: <its clone URL>'");
			} else {
				struct diag *d = diag_error(r->dl, item_loc, "a package entry needs 'package', 'git', 'local' or 'tarball'");
				diag_hint(r->dl, d, "e.g. '- package: dbt-labs/dbt_utils' with 'version: [\">=1.0.0\", \"<2.0.0\"]'");
			}
			rc = -1;
			continue;
		}
		value main = val_dict_gets(e, kind_keys[kind]);
		struct loc l = yml_val_loc(e, kind_keys[kind]);
		if (!l.file)
			l = item_loc;
		if (main.type != V_STR || !main.len) {
			struct diag *d = diag_error(r->dl, l, "'%s' of a package must be a non-empty string", kind_keys[kind]);
			diag_hint(r->dl, d, "check the variable it is rendered from");
			rc = -1;
			continue;
		}
		if (kind == DEP_HUB) {
			value v = val_dict_gets(e, "version");
			if (v.type == V_UNDEF || v.type == V_NONE || (v.type == V_LIST && !v.l->len)) {
				struct diag *d = diag_error(r->dl, l, "hub package '%s' needs a 'version'", main.s);
				diag_hint(r->dl, d, "e.g. version: [\">=1.0.0\", \"<2.0.0\"]");
				rc = -1;
				continue;
			}
		}
		if (kind == DEP_TARBALL && val_dict_gets(e, "name").type != V_STR) {
			diag_error(r->dl, l, "tarball package '%s' needs a 'name'", main.s);
			rc = -1;
			continue;
		}
		struct dep_spec *s = &specs[n++];
		s->kind = (enum dep_kind)kind;
		s->entry = e;
		value raw = raw_list.type == V_LIST && i < raw_list.l->len ? raw_list.l->items[i] : e;
		s->raw = raw.type == V_DICT ? raw : e;
		s->loc = l;
		s->from = from;
	}
	*pspecs = specs;
	*pn = n;
	return rc;
}

/* Reads and parses one YAML file; V_NONE when it does not exist */
static int read_yaml(struct deps_run *r, const char *path, const char *display, value *pdoc, uint32_t *pfile)
{
	*pdoc = val_none();
	*pfile = 0;
	if (!fs_is_file(path))
		return 0;
	size_t len;
	const char *text = proj_read_file(r->p, path, display, pfile, &len, r->dl);
	if (!text || val_from_yaml(&r->p->arena, *pfile, text, len, pdoc, r->dl) < 0)
		return -1;
	if (pdoc->type != V_NONE && pdoc->type != V_DICT) {
		diag_error(r->dl, loc_at(*pfile, 1, 1, 1), "%s must be a mapping with a 'packages' list", display);
		return -1;
	}
	return 0;
}

/* Where ROOT's packages are named: dependencies.yml when it has 'packages', else packages.yml */
static int packages_file(struct deps_run *r, const char *root, value *pdoc, uint32_t *pfile, const char **ppath)
{
	struct arena *a = &r->p->arena;
	const char *pk_path = fs_join(a, root, "packages.yml"), *dep_path = fs_join(a, root, "dependencies.yml");
	bool is_root = root == r->p->root;
	value pk, dep;
	uint32_t fpk, fdep;
	if (read_yaml(r, pk_path, is_root ? "packages.yml" : pk_path, &pk, &fpk) < 0 ||
	    read_yaml(r, dep_path, is_root ? "dependencies.yml" : dep_path, &dep, &fdep) < 0)
		return -1;
	bool in_pk = pk.type == V_DICT && val_dict_gets(pk, "packages").type != V_UNDEF;
	bool in_dep = dep.type == V_DICT && val_dict_gets(dep, "packages").type != V_UNDEF;
	if (in_pk && in_dep) {
		struct diag *d = diag_error(r->dl, yml_val_loc(dep, "packages"),
					    "The 'packages' key cannot be specified in both packages.yml and dependencies.yml");
		diag_hint(r->dl, d, "keep the packages in one of the two files");
		return -1;
	}
	if (pk.type == V_DICT && val_dict_gets(pk, "projects").type != V_UNDEF) {
		diag_error(r->dl, yml_val_loc(pk, "projects"), "The 'projects' key cannot be specified in packages.yml");
		return -1;
	}
	if (in_dep) {
		*pdoc = dep;
		*pfile = fdep;
		*ppath = dep_path;
	} else {
		*pdoc = pk;
		*pfile = fpk;
		*ppath = pk_path;
	}
	return 0;
}

int deps_read_specs(struct deps_run *r, const char *root, struct dep_spec **pspecs, size_t *pn, uint32_t *pfile,
		    const char **ppath)
{
	*pspecs = NULL;
	*pn = 0;
	value doc;
	if (packages_file(r, root, &doc, pfile, ppath) < 0)
		return -1;
	if (doc.type != V_DICT)
		return 0;
	value list;
	if (yml_list(doc, "packages", false, &list, r->dl) < 0)
		return -1;
	if (list.type != V_LIST)
		return 0;
	value raw = val_copy(&r->p->arena, list);
	return deps_specs_from_list(r, list, raw, *pfile, root, pspecs, pn);
}

/* ---- dbt's sha1_hash of the specs ---- */

static value opt(value v)
{
	return v.type == V_UNDEF ? val_none() : v;
}

/* The spec as dbt's package contract serialises it: every field, null when absent, plus the
 * entry as written under 'unrendered'; 'name' only when given */
static value spec_dict(struct arena *a, const struct dep_spec *s)
{
	value d = val_dict_new(a, 8), e = s->entry;
	switch (s->kind) {
	case DEP_LOCAL:
		val_dict_sets(d, "local", val_dict_gets(e, "local"));
		break;
	case DEP_HUB: {
		val_dict_sets(d, "package", val_dict_gets(e, "package"));
		val_dict_sets(d, "version", val_dict_gets(e, "version"));
		value ip = val_dict_gets(e, "install_prerelease");
		val_dict_sets(d, "install_prerelease", ip.type == V_UNDEF ? val_bool(false) : ip);
		break;
	}
	case DEP_GIT:
		val_dict_sets(d, "git", val_dict_gets(e, "git"));
		val_dict_sets(d, "revision", opt(val_dict_gets(e, "revision")));
		val_dict_sets(d, "warn-unpinned", opt(val_dict_gets(e, "warn-unpinned")));
		val_dict_sets(d, "subdirectory", opt(val_dict_gets(e, "subdirectory")));
		break;
	case DEP_TARBALL:
		val_dict_sets(d, "tarball", val_dict_gets(e, "tarball"));
		val_dict_sets(d, "name", val_dict_gets(e, "name"));
		break;
	}
	value name = val_dict_gets(e, "name");
	if (s->kind != DEP_TARBALL && name.type != V_UNDEF && name.type != V_NONE)
		val_dict_sets(d, "name", name);
	val_dict_sets(d, "unrendered", s->raw);
	return d;
}

static int cmp_cstr(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static const char *specs_hash(struct arena *a, const struct dep_spec *specs, size_t n)
{
	char **strs = ARENA_ARRAY(a, char *, n + 1);
	for (size_t i = 0; i < n; i++) {
		struct sb s = SB_INIT;
		(void)val_to_json(&s, spec_dict(a, &specs[i]), 0, VJSON_SORT_KEYS | VJSON_ASCII);
		strs[i] = sb_to_arena(&s, a);
		sb_release(&s);
	}
	qsort(strs, n, sizeof(*strs), cmp_cstr);
	struct sb all = SB_INIT;
	for (size_t i = 0; i < n; i++)
		sb_addf(&all, "%s%s", i ? "\n" : "", strs[i]);
	char *hex = arena_alloc(a, 41);
	sha1_hex(all.buf, all.len, hex);
	sb_release(&all);
	return hex;
}

/* ---- package-lock.yml ---- */

static value lock_entry(struct deps_run *r, const struct dep *d)
{
	struct arena *a = &r->p->arena;
	value e = val_dict_new(a, 4);
	switch (d->kind) {
	case DEP_HUB:
		val_dict_sets(e, "package", val_str(d->package));
		val_dict_sets(e, "version", val_str(d->version));
		break;
	case DEP_GIT: {
		/* the URL as written (its Jinja unrendered), never a secret's value */
		char *git = arena_strdup(a, d->git_raw);
		log_redact(git);
		if (strcmp(git, d->git_raw))
			diag_warn(r->dl, d->loc,
				  "Detected secret env var in %s. Sluice will write a scrubbed representation to the lock "
				  "file. This will cause issues with subsequent 'sluice deps' using the lock file, requiring "
				  "'sluice deps --upgrade'",
				  git);
		val_dict_sets(e, "git", val_str(git));
		val_dict_sets(e, "revision", val_str(d->revision));
		if (d->subdir)
			val_dict_sets(e, "subdirectory", val_str(d->subdir));
		break;
	}
	case DEP_LOCAL:
		val_dict_sets(e, "local", val_str(d->local));
		break;
	case DEP_TARBALL: {
		value raw = val_dict_gets(d->raw_entry, "tarball");
		char *url = arena_strdup(a, raw.type == V_STR ? raw.s : d->tarball);
		log_redact(url);
		val_dict_sets(e, "tarball", val_str(url));
		val_dict_sets(e, "name", val_str(d->tarball_name));
		break;
	}
	}
	return e;
}

static int write_lock(struct deps_run *r, const char *path, struct dep **deps, size_t n, const char *hash)
{
	struct arena *a = &r->p->arena;
	value doc = val_dict_new(a, 2), list = val_list_new(a, n);
	for (size_t i = 0; i < n; i++)
		val_list_push(list, lock_entry(r, deps[i]));
	val_dict_sets(doc, "packages", list);
	val_dict_sets(doc, "sha1_hash", val_str(hash));
	struct sb s = SB_INIT;
	val_to_yaml_ex(&s, doc, VYAML_SORT_KEYS | VYAML_INDENT_LISTS);
	int rc = fs_write(path, s.buf, s.len);
	sb_release(&s);
	if (rc < 0) {
		diag_error(r->dl, LOC_NONE, "cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	report_line("DepsLockUpdating", "Updating lock file in file path: %s", path);
	return 0;
}

/* The sha1_hash recorded in the lock file, or NULL */
static const char *lock_hash(struct deps_run *r, const char *path)
{
	value doc;
	uint32_t f;
	if (read_yaml(r, path, LOCK_FILE, &doc, &f) < 0 || doc.type != V_DICT)
		return NULL;
	value h = val_dict_gets(doc, "sha1_hash");
	return h.type == V_STR ? h.s : NULL;
}

/* ---- --add-package ---- */

static bool names_package(value v, const char *name)
{
	if (v.type == V_STR)
		return strstr(v.s, name) != NULL;
	if (v.type == V_LIST)
		for (uint32_t i = 0; i < v.l->len; i++)
			if (val_streq(v.l->items[i], name))
				return true;
	return false;
}

static int add_package(struct deps_run *r, const struct deps_options *o)
{
	struct arena *a = &r->p->arena;
	const char *spec = o->add_package, *at = strchr(spec, '@');
	const char *name = spec, *version = NULL;
	if (at && !strchr(at + 1, '@')) {
		name = arena_strndup(a, spec, (size_t)(at - spec));
		version = at + 1;
	}
	const char *source = o->source ? o->source : "hub";
	if (!version && strcmp(source, "local")) {
		struct diag *d = diag_error(r->dl, LOC_NONE, "Version is required in --add-package when source is %s", source);
		diag_hint(r->dl, d, "write --add-package %s@<version>", name);
		return -1;
	}
	value doc;
	uint32_t file;
	const char *path;
	if (packages_file(r, r->p->root, &doc, &file, &path) < 0)
		return -1;
	if (doc.type != V_DICT) {
		if (!fs_is_file(path)) {
			if (fs_write(path, "packages: []\n", 13) < 0) {
				diag_error(r->dl, LOC_NONE, "cannot write '%s': %s", path, strerror(errno));
				return -1;
			}
			report_line("Formatting", "Created packages.yml");
		}
		doc = val_dict_new(a, 1);
	}
	value list = val_dict_gets(doc, "packages");
	if (list.type != V_LIST) {
		list = val_list_new(a, 1);
		val_dict_sets(doc, "packages", list);
	}
	value entry = val_dict_new(a, 2);
	val_dict_sets(entry, !strcmp(source, "hub") ? "package" : source, val_str(name));
	if (version) {
		value v = val_str(version);
		if (strchr(version, ',')) {
			v = val_list_new(a, 2);
			for (const char *s = version;;) {
				size_t k = strcspn(s, ",");
				val_list_push(v, val_str(arena_strndup(a, s, k)));
				if (!s[k])
					break;
				s += k + 1;
			}
		}
		val_dict_sets(entry, !strcmp(source, "git") ? "revision" : "version", v);
	}
	for (uint32_t i = 0; i < list.l->len;) {
		value e = list.l->items[i];
		bool dup = false;
		for (uint32_t k = 0; e.type == V_DICT && k < e.d->len && !dup; k++)
			dup = names_package(e.d->e[k].val, name);
		if (!dup) {
			i++;
			continue;
		}
		struct sb s = SB_INIT;
		val_repr_to(&s, e);
		report_line("DepsFoundDuplicatePackage", "Found duplicate package in packages.yml, removing: %s", s.buf);
		sb_release(&s);
		(void)val_list_pop(list, i);
	}
	val_list_push(list, entry);
	struct sb s = SB_INIT;
	val_to_yaml_ex(&s, doc, VYAML_SORT_KEYS | VYAML_INDENT_LISTS);
	int rc = fs_write(path, s.buf, s.len);
	sb_release(&s);
	if (rc < 0) {
		diag_error(r->dl, LOC_NONE, "cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	report_line("DepsAddPackage", "Added new package %s@%s to %s", name, version ? version : "None", path);
	return 0;
}

/* ---- staging and swapping ---- */

static char *sibling(struct arena *a, const char *path, const char *what)
{
	return arena_sprintf(a, "%s/.%s.%s-%ld", fs_dirname(a, path), strrchr(path, '/') ? strrchr(path, '/') + 1 : path,
			     what, (long)getpid());
}

/* Puts STAGE in place of the install folder; the old one is removed only once the new one is in */
static int swap_in(struct deps_run *r, const char *stage)
{
	struct arena *a = &r->p->arena;
	const char *dest = r->p->packages_install_path;
	struct stat st;
	char *old = NULL;
	if (lstat(dest, &st) == 0) {
		old = sibling(a, dest, "old");
		fs_rm_rf(old);
		if (rename(dest, old) < 0) {
			diag_error(r->dl, LOC_NONE, "cannot move '%s' aside: %s", dest, strerror(errno));
			return -1;
		}
	}
	if (rename(stage, dest) < 0) {
		diag_error(r->dl, LOC_NONE, "cannot move the new packages into '%s': %s", dest, strerror(errno));
		if (old)
			(void)rename(old, dest);
		return -1;
	}
	if (old)
		fs_rm_rf(old);
	return 0;
}

/* ---- the command ---- */

static int install_all(struct deps_run *r, const char *lock_path, const char *stage, int *pinstalled)
{
	struct arena *a = &r->p->arena;
	value doc;
	uint32_t file;
	if (read_yaml(r, lock_path, LOCK_FILE, &doc, &file) < 0)
		return -1;
	value list = doc.type == V_DICT ? val_dict_gets(doc, "packages") : val_none();
	struct dep_spec *specs;
	size_t n;
	if (deps_specs_from_list(r, list, val_copy(a, list), file, r->p->root, &specs, &n) < 0)
		return -1;
	if (!n) {
		report_line("DepsNoPackagesFound", "Warning: No packages were found in packages.yml");
		return 0;
	}
	struct dep **deps;
	size_t nd;
	if (deps_resolve(r, specs, n, false, &deps, &nd) < 0)
		return -1;
	const char **upgradable = ARENA_ARRAY(a, const char *, nd + 1);
	size_t nup = 0;
	for (size_t i = 0; i < nd; i++) {
		struct dep *d = deps[i];
		report_line("DepsStartPackageInstall", "Installing %s",
			    d->kind == DEP_LOCAL ? d->local : d->kind == DEP_TARBALL ? d->tarball_name : d->key);
		if (deps_install_one(r, d, stage) < 0)
			return -1;
		report_line("DepsInstallInfo", "Installed from %s", deps_nice_version(r, d));
		if (d->kind == DEP_HUB) {
			if (strcmp(d->latest, d->version)) {
				upgradable[nup++] = d->package;
				report_line("DepsUpdateAvailable", "Updated version available: %s", d->latest);
			} else {
				report_line("DepsUpToDate", "Up to date!");
			}
		}
		if (d->kind == DEP_GIT && d->subdir)
			report_line("DepsListSubdirectory", "and subdirectory %s", d->subdir);
		(*pinstalled)++;
	}
	if (nup) {
		struct sb s = SB_INIT;
		for (size_t i = 0; i < nup; i++)
			sb_addf(&s, "%s'%s'", i ? ", " : "", upgradable[i]);
		report_line("DepsNotifyUpdatesAvailable", "Updates available for packages: [%s]", s.buf);
		report_line("DepsNotifyUpdatesAvailable", "Update your versions in packages.yml, then run sluice deps");
		sb_release(&s);
	}
	return 0;
}

int proj_deps(struct project *p, const struct deps_options *o, int *pinstalled, struct diag_list *dl)
{
	struct arena *a = &p->arena;
	*pinstalled = 0;
	struct map hub_cache = MAP_INIT;
	struct deps_run r = {.p = p, .dl = dl, .version_check = o->version_check, .index = val_undef(),
			     .hub_cache = &hub_cache};
	const char *hub = getenv("DBT_PACKAGE_HUB_URL");
	if (!hub || !*hub)
		hub = DEFAULT_HUB_URL;
	r.hub_url = hub[strlen(hub) - 1] == '/' ? hub : arena_sprintf(a, "%s/", hub);
	char *stage = sibling(a, p->packages_install_path, "new");
	int rc = -1;
	if (o->add_package && add_package(&r, o) < 0)
		goto out;
	struct dep_spec *specs;
	size_t n;
	uint32_t file;
	const char *pk_path;
	if (deps_read_specs(&r, p->root, &specs, &n, &file, &pk_path) < 0)
		goto out;
	fs_rm_rf(stage);
	r.downloads = fs_join(a, stage, ".downloads");
	if (fs_mkdir_p(r.downloads) < 0) {
		diag_error(dl, LOC_NONE, "cannot create '%s': %s", r.downloads, strerror(errno));
		goto out;
	}
	char *lock_path = fs_join(a, p->root, LOCK_FILE);
	const char *hash = specs_hash(a, specs, n);
	bool relock = o->upgrade || !fs_is_file(lock_path);
	if (!relock) {
		const char *old = lock_hash(&r, lock_path);
		if (dl->nerrors)
			goto out;
		relock = !old || strcmp(old, hash);
	}
	if (relock) {
		if (!n) {
			report_line("DepsNoPackagesFound", "Warning: No packages were found in packages.yml");
		} else {
			struct dep **deps;
			size_t nd;
			if (deps_resolve(&r, specs, n, true, &deps, &nd) < 0 || write_lock(&r, lock_path, deps, nd, hash) < 0)
				goto out;
		}
	}
	if (o->lock_only) {
		rc = 0;
		goto out;
	}
	if (n && install_all(&r, lock_path, stage, pinstalled) < 0)
		goto out;
	fs_rm_rf(r.downloads);
	if (swap_in(&r, stage) < 0)
		goto out;
	rc = 0;
out:
	fs_rm_rf(stage);
	map_release(&hub_cache);
	return rc;
}
