/*
 * Resolution of packages as dbt's resolver does it: the specs of packages.yml are merged by package
 * (hub packages by name with all their version ranges, git packages by URL and subdirectory with
 * their revisions), each is pinned (the newest hub version inside the reduced range, the commit
 * of the one git revision asked for), and the packages a pinned package needs (its hub entry's
 * `packages`, or its own packages.yml) join the next round, until no round adds anything.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/fs.h"
#include "core/map.h"
#include "core/sb.h"
#include "project/deps_internal.h"
#include "project/load_internal.h"
#include "project/yml.h"

#define DEPS_DBT_VERSION DBT_MATCHED_VERSION
#define DEPS_MAX_ROUNDS 64
#define PIN_URL "https://docs.getdbt.com/docs/package-management#section-specifying-package-versions"

static const char *kind_name(enum dep_kind k)
{
	static const char *const n[] = {"local", "hub", "git", "tarball"};
	return n[k];
}

/* ---- the hub ---- */

static int hub_index(struct deps_run *r, const char *package, struct loc l)
{
	if (r->index.type == V_LIST)
		return 0;
	struct arena *a = &r->p->arena;
	char *url = arena_sprintf(a, "%sapi/v1/index.json", r->hub_url);
	char *body, *err;
	size_t len;
	if (deps_http_get(a, url, &body, &len, &err) < 0) {
		struct diag *d = diag_error(r->dl, l, "cannot install package '%s': the package hub at %s did not answer: %s",
					    package, url, err);
		diag_hint(r->dl, d, "check your network access, or set DBT_PACKAGE_HUB_URL to a hub you can reach");
		return -1;
	}
	value v;
	char *jerr;
	if (val_from_json(a, body, len, &v, &jerr) < 0 || v.type != V_LIST) {
		diag_error(r->dl, l, "the package hub's index at %s is not a JSON list of package names", url);
		return -1;
	}
	r->index = v;
	return 0;
}

/* The `versions` mapping of a hub package, fetched once a run */
static int hub_versions(struct deps_run *r, const char *package, struct loc l, value *pv)
{
	value *cached = map_gets(r->hub_cache, package);
	if (cached) {
		*pv = *cached;
		return 0;
	}
	struct arena *a = &r->p->arena;
	char *url = arena_sprintf(a, "%sapi/v1/%s.json", r->hub_url, package);
	char *body, *err;
	size_t len;
	if (deps_http_get(a, url, &body, &len, &err) < 0) {
		struct diag *d = diag_error(r->dl, l, "cannot install package '%s': the package hub at %s did not answer: %s",
					    package, url, err);
		diag_hint(r->dl, d, "check your network access, or set DBT_PACKAGE_HUB_URL to a hub you can reach");
		return -1;
	}
	value v;
	char *jerr;
	if (val_from_json(a, body, len, &v, &jerr) < 0 || v.type != V_DICT ||
	    val_dict_gets(v, "name").type == V_UNDEF || val_dict_gets(v, "versions").type != V_DICT) {
		diag_error(r->dl, l, "the package hub's answer at %s is not a package (a JSON object with 'name' and 'versions')",
			   url);
		return -1;
	}
	value versions = val_dict_gets(v, "versions");
	for (uint32_t i = 0; i < versions.d->len; i++) {
		value e = versions.d->e[i].val;
		if (e.type != V_DICT || val_dict_gets(e, "name").type != V_STR || val_dict_gets(e, "packages").type != V_LIST ||
		    val_dict_gets(e, "downloads").type != V_DICT) {
			diag_error(r->dl, l, "the package hub's entry for %s %s at %s lacks 'name', 'packages' or 'downloads'",
				   package, val_cstr(a, versions.d->e[i].key), url);
			return -1;
		}
	}
	value redirect_ns = val_dict_gets(v, "redirectnamespace"), redirect_name = val_dict_gets(v, "redirectname");
	if (redirect_ns.type == V_STR || redirect_name.type == V_STR) {
		value ns = redirect_ns.type == V_STR ? redirect_ns : val_dict_gets(v, "namespace");
		value nm = redirect_name.type == V_STR ? redirect_name : val_dict_gets(v, "name");
		struct diag *d = diag_warn(r->dl, l, "the package '%s' has been renamed to '%s/%s'", package,
					   val_cstr(a, ns), val_cstr(a, nm));
		diag_hint(r->dl, d, "use the new name in packages.yml");
	}
	value *keep = ARENA_NEW(a, value);
	*keep = versions;
	map_puts(r->hub_cache, arena_strdup(a, package), keep);
	*pv = versions;
	return 0;
}

/* Whether a hub version's require_dbt_version admits the dbt version Sluice matches */
static bool dbt_compatible(struct arena *a, value info)
{
	value req = val_dict_gets(info, "require_dbt_version");
	if (req.type == V_UNDEF || req.type == V_NONE || (req.type == V_LIST && !req.l->len) ||
	    (req.type == V_STR && !req.len))
		return true;
	size_t n = req.type == V_LIST ? req.l->len : 1;
	struct semver specs[n + 1];
	if (sv_parse(a, DEPS_DBT_VERSION, &specs[0]) < 0)
		return true;
	for (size_t i = 0; i < n; i++) {
		value s = req.type == V_LIST ? req.l->items[i] : req;
		if (sv_parse(a, val_cstr(a, s), &specs[i + 1]) < 0)
			return false;
	}
	struct sv_range out;
	return sv_reduce(specs, n + 1, &out) == 0;
}

static void py_list(struct sb *s, const char *const *items, size_t n)
{
	sb_addc(s, '[');
	for (size_t i = 0; i < n; i++)
		sb_addf(s, "%s'%s'", i ? ", " : "", items[i]);
	sb_addc(s, ']');
}

static int pin_hub(struct deps_run *r, struct dep *d)
{
	struct arena *a = &r->p->arena;
	if (hub_index(r, d->package, d->loc) < 0)
		return -1;
	bool found = false;
	for (uint32_t i = 0; i < r->index.l->len && !found; i++)
		found = val_streq(r->index.l->items[i], d->package);
	if (!found) {
		struct diag *d2 = diag_error(r->dl, d->loc, "Package %s was not found in the package index", d->package);
		diag_hint(r->dl, d2, "check the package's name (namespace/name) on the hub at %s", r->hub_url);
		return -1;
	}
	struct sv_range range;
	if (sv_reduce(d->versions, d->nversions, &range) < 0) {
		struct sb s = SB_INIT;
		const char *strs[d->nversions + 1];
		for (size_t i = 0; i < d->nversions; i++) {
			struct sb v = SB_INIT;
			sv_str(&v, &d->versions[i], false);
			strs[i] = sb_to_arena(&v, a);
			sb_release(&v);
		}
		py_list(&s, strs, d->nversions);
		struct diag *d2 = diag_error(r->dl, d->loc,
					     "Version error for package %s: Could not find a satisfactory version from options: %s",
					     d->package, s.buf);
		diag_hint(r->dl, d2, "the packages that need '%s' ask for versions no single release satisfies: align their ranges",
			  d->package);
		sb_release(&s);
		return -1;
	}
	value versions;
	if (hub_versions(r, d->package, d->loc, &versions) < 0)
		return -1;
	const char **compat = ARENA_ARRAY(a, const char *, versions.d->len + 1);
	size_t ncompat = 0;
	for (uint32_t i = 0; i < versions.d->len; i++)
		if (!r->version_check || dbt_compatible(a, versions.d->e[i].val))
			compat[ncompat++] = val_cstr(a, versions.d->e[i].key);
	bool pre = d->prerelease;
	for (size_t i = 0; i < d->nversions; i++)
		pre |= d->versions[i].pre != NULL;
	const char **inst, *bad = NULL;
	long ninst = sv_installable(a, compat, ncompat, pre, &inst, &bad);
	if (ninst < 0) {
		diag_error(r->dl, d->loc, "the package hub lists version \"%s\" of %s, which is not a valid semantic version", bad,
			   d->package);
		return -1;
	}
	const char *target = ninst ? sv_resolve(a, &range, inst, (size_t)ninst) : NULL;
	if (!target) {
		struct sb rs = SB_INIT, ls = SB_INIT;
		sv_range_str(&rs, &range);
		py_list(&ls, inst, (size_t)ninst);
		struct diag *d2 = diag_error(r->dl, d->loc,
					     "Could not find a matching compatible version for package %s\n  Requested range: %s\n"
					     "  Compatible versions: %s%s",
					     d->package, rs.buf, ls.buf,
					     r->version_check ? "\n\n  Not shown: package versions incompatible with installed version of dbt-core\n"
								"  To include them, run 'sluice deps --no-version-check'"
							      : "");
		diag_hint(r->dl, d2, "change the version range of '%s' in packages.yml", d->package);
		sb_release(&rs);
		sb_release(&ls);
		return -1;
	}
	if (!d->version || strcmp(d->version, target))
		d->have_meta = false;
	d->version = target;
	d->latest = inst[ninst - 1];
	return 0;
}

static int meta_hub(struct deps_run *r, struct dep *d)
{
	value versions;
	if (hub_versions(r, d->package, d->loc, &versions) < 0)
		return -1;
	value info = val_dict_gets(versions, d->version);
	d->project_name = val_dict_gets(info, "name").s;
	value tarball = val_dict_gets(val_dict_gets(info, "downloads"), "tarball");
	if (tarball.type != V_STR) {
		diag_error(r->dl, d->loc, "the package hub gives no tarball for %s %s", d->package, d->version);
		return -1;
	}
	d->tarball_url = tarball.s;
	value pk = val_dict_gets(info, "packages");
	return deps_specs_from_list(r, pk, pk, 0, r->p->root, &d->children, &d->nchildren);
}

/* ---- git ---- */

static bool is_commit(const char *rev)
{
	size_t n = strlen(rev);
	if (n != 40)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((rev[i] >= '0' && rev[i] <= '9') || (rev[i] >= 'a' && rev[i] <= 'f')))
			return false;
	return true;
}

static const char *last_line(struct arena *a, const char *text)
{
	const char *nl = strrchr(text, '\n');
	return nl ? arena_strdup(a, nl + 1) : text;
}

static int git_fail(struct deps_run *r, struct dep *d, const char *what, const char *err)
{
	struct diag *dg = diag_error(r->dl, d->loc, "cannot %s git package '%s': %s", what, d->git,
				     *err ? last_line(&r->p->arena, err) : "git failed");
	diag_hint(r->dl, dg, "check the URL, the revision and your network access");
	return -1;
}

/* Clones D at REV into the downloads folder (once a run for the same commit) */
static int git_checkout(struct deps_run *r, struct dep *d, const char *rev)
{
	struct arena *a = &r->p->arena;
	if (d->checkout && d->checkout_rev && !strcmp(d->checkout_rev, rev))
		return 0;
	/* a clone made while resolving serves the install of the same commit */
	for (size_t i = 0; is_commit(rev) && i < r->nclones; i++)
		if (!strcmp(r->clones[i].key, d->key) && !strcmp(r->clones[i].commit, rev) && fs_is_dir(r->clones[i].path)) {
			d->checkout = r->clones[i].path;
			d->checkout_rev = d->revision = r->clones[i].commit;
			return 0;
		}
	static unsigned long seq;
	char *dir = arena_sprintf(a, "%s/git-%lu", r->downloads, ++seq);
	fs_rm_rf(dir);
	char *out, *err;
	if (d->subdir) {
		const char *argv[] = {"clone", "--depth", "1", "--filter=blob:none", "--sparse", d->git, dir, NULL};
		if (deps_git(a, r->downloads, argv, &out, &err) < 0)
			return git_fail(r, d, "clone", err);
		const char *sp[] = {"sparse-checkout", "set", d->subdir, NULL};
		if (deps_git(a, dir, sp, &out, &err) < 0)
			return git_fail(r, d, "clone", err);
	} else {
		const char *argv[] = {"clone", "--depth", "1", d->git, dir, NULL};
		if (deps_git(a, r->downloads, argv, &out, &err) < 0)
			return git_fail(r, d, "clone", err);
	}
	const char *spec = rev;
	if (is_commit(rev)) {
		const char *f[] = {"fetch", "origin", "--depth", "1", rev, NULL};
		if (deps_git(a, dir, f, &out, &err) < 0)
			return git_fail(r, d, arena_sprintf(a, "check out revision '%s' of", rev), err);
	} else {
		const char *sb[] = {"remote", "set-branches", "origin", rev, NULL};
		const char *f[] = {"fetch", "origin", "--depth", "1", "--tags", rev, NULL};
		if (deps_git(a, dir, sb, &out, &err) < 0 || deps_git(a, dir, f, &out, &err) < 0)
			return git_fail(r, d, arena_sprintf(a, "check out revision '%s' of", rev), err);
		const char *tl[] = {"tag", "--list", rev, NULL};
		/* a tag wins over a branch of the same name, as in dbt */
		if (deps_git(a, dir, tl, &out, &err) == 0 && !strcmp(out, rev))
			spec = arena_sprintf(a, "tags/%s", rev);
		else
			spec = arena_sprintf(a, "origin/%s", rev);
	}
	const char *reset[] = {"reset", "--hard", spec, NULL};
	if (deps_git(a, dir, reset, &out, &err) < 0)
		return git_fail(r, d, arena_sprintf(a, "check out revision '%s' of", rev), err);
	const char *rp[] = {"rev-parse", "HEAD", NULL};
	if (deps_git(a, dir, rp, &out, &err) < 0)
		return git_fail(r, d, "read the commit of", err);
	const char *path = d->subdir ? fs_join(a, dir, d->subdir) : dir;
	if (!fs_is_dir(path)) {
		struct diag *dg = diag_error(r->dl, d->loc, "git package '%s' has no subdirectory '%s' at revision '%s'",
					     d->git, d->subdir, rev);
		diag_hint(r->dl, dg, "check 'subdirectory:' against the repository");
		return -1;
	}
	d->checkout = path;
	d->checkout_rev = out;  /* the commit: a later checkout of the same commit reuses it */
	d->revision = out;
	if (r->nclones == r->capclones) {
		r->capclones = r->capclones ? 2 * r->capclones : 8;
		struct deps_clone *nv = ARENA_ARRAY(a, struct deps_clone, r->capclones);
		if (r->nclones)
			memcpy(nv, r->clones, r->nclones * sizeof(*nv));
		r->clones = nv;
	}
	r->clones[r->nclones++] = (struct deps_clone){d->key, out, path};
	return 0;
}

static int pin_git(struct deps_run *r, struct dep *d)
{
	const char *want = d->nrevisions ? d->revisions[0] : "HEAD";
	for (size_t i = 1; i < d->nrevisions; i++) {
		if (strcmp(d->revisions[i], want)) {
			struct sb s = SB_INIT;
			sb_addc(&s, '{');
			for (size_t k = 0; k < d->nrevisions; k++) {
				bool seen = false;
				for (size_t j = 0; j < k; j++)
					seen |= !strcmp(d->revisions[j], d->revisions[k]);
				if (!seen)
					sb_addf(&s, "%s'%s'", k ? ", " : "", d->revisions[k]);
			}
			sb_addc(&s, '}');
			struct diag *dg = diag_error(r->dl, d->loc,
						     "git dependencies should contain exactly one version. %s contains: %s",
						     d->key, s.buf);
			diag_hint(r->dl, dg, "ask for the same 'revision:' everywhere this repository is named");
			sb_release(&s);
			return -1;
		}
	}
	return 0;
}

static int meta_git(struct deps_run *r, struct dep *d)
{
	const char *want = d->nrevisions ? d->revisions[0] : "HEAD";
	if (git_checkout(r, d, want) < 0)
		return -1;
	if ((!strcmp(want, "HEAD") || !strcmp(want, "main") || !strcmp(want, "master")) && d->warn_unpinned) {
		struct diag *dg = diag_warn(r->dl, d->loc,
					    "The git package \"%s\" is %s. This can introduce breaking changes into your project "
					    "without warning!",
					    d->git, !strcmp(want, "HEAD") ? "not pinned, using HEAD (default branch)"
									 : arena_sprintf(&r->p->arena, "pinned to the \"%s\" branch", want));
		diag_hint(r->dl, dg, "pin it to a tag or commit with 'revision:', or set 'warn-unpinned: false' (see %s)",
			  PIN_URL);
	}
	return 0;
}

static int download_untar(struct deps_run *r, struct dep *d, const char *url, const char *file, const char *dest);

/* ---- name and children of a package folder ---- */

static int read_folder_meta(struct deps_run *r, struct dep *d, const char *root)
{
	struct arena *a = &r->p->arena;
	char *yml_path = fs_join(a, root, "dbt_project.yml");
	if (!fs_is_file(yml_path)) {
		struct diag *dg = diag_error(r->dl, d->loc, "%s package '%s' has no dbt_project.yml", kind_name(d->kind), d->key);
		diag_hint(r->dl, dg, d->kind == DEP_LOCAL ? "point local: at the folder of a dbt project"
							  : "point the package at a dbt project (see 'subdirectory:')");
		return -1;
	}
	uint32_t f;
	size_t len;
	const char *text = proj_read_file(r->p, yml_path, yml_path, &f, &len, r->dl);
	value doc;
	if (!text || val_from_yaml(a, f, text, len, &doc, r->dl) < 0)
		return -1;
	const char *name = NULL;
	if (doc.type != V_DICT || yml_str(doc, "name", NULL, &name, r->dl) < 0 || !name) {
		diag_error(r->dl, loc_at(f, 1, 1, 1), "the dbt_project.yml of package '%s' has no 'name'", d->key);
		return -1;
	}
	d->project_name = name;
	uint32_t file;
	const char *path;
	return deps_read_specs(r, root, &d->children, &d->nchildren, &file, &path);
}

static int fetch_meta(struct deps_run *r, struct dep *d)
{
	if (d->have_meta)
		return 0;
	int rc = 0;
	switch (d->kind) {
	case DEP_HUB:
		rc = meta_hub(r, d);
		break;
	case DEP_GIT:
		rc = meta_git(r, d);
		if (rc == 0)
			rc = read_folder_meta(r, d, d->checkout);
		break;
	case DEP_LOCAL:
		rc = read_folder_meta(r, d, d->local_abs);
		break;
	case DEP_TARBALL:
		/* unpacked once: its packages.yml names what it needs; it installs under its given name */
		if (!d->checkout) {
			struct arena *a = &r->p->arena;
			char *dir = fs_join(a, r->downloads, arena_sprintf(a, "%s_untarred", d->tarball_name));
			fs_rm_rf(dir);
			rc = download_untar(r, d, d->tarball, arena_sprintf(a, "%s.tar.gz", d->tarball_name), dir);
			if (rc == 0)
				d->checkout = dir;
		}
		if (rc == 0)
			rc = read_folder_meta(r, d, d->checkout);
		d->project_name = d->tarball_name;
		break;
	}
	if (rc == 0)
		d->have_meta = true;
	return rc;
}

static int pin(struct deps_run *r, struct dep *d)
{
	switch (d->kind) {
	case DEP_HUB:
		return pin_hub(r, d);
	case DEP_GIT:
		return pin_git(r, d);
	default:
		return 0;
	}
}

/* ---- the listing ---- */

/* TO relative to the folder FROM (both absolute and normalised) */
static const char *relpath(struct arena *a, const char *from, const char *to)
{
	size_t common = 0, i = 0;
	for (; from[i] && to[i] && from[i] == to[i]; i++)
		if (from[i] == '/')
			common = i;
	if (!from[i] && (to[i] == '/' || !to[i]))
		common = i;
	else if (!to[i] && from[i] == '/')
		common = i;
	struct sb s = SB_INIT;
	for (const char *c = from + common; *c; c++)
		if (*c == '/')
			sb_adds(&s, s.len ? "/.." : "..");
	const char *rest = to + common;
	while (*rest == '/')
		rest++;
	if (*rest)
		sb_addf(&s, "%s%s", s.len ? "/" : "", rest);
	if (!s.len)
		sb_addc(&s, '.');
	const char *r = sb_to_arena(&s, a);
	sb_release(&s);
	return r;
}

struct listing {
	struct dep **v;
	size_t n, cap;
};

static void spec_keys(struct deps_run *r, const struct dep_spec *s, const char **pkey, const char **palt)
{
	struct arena *a = &r->p->arena;
	*palt = NULL;
	switch (s->kind) {
	case DEP_HUB:
		*pkey = val_dict_gets(s->entry, "package").s;
		break;
	case DEP_GIT: {
		const char *git = val_dict_gets(s->entry, "git").s;
		size_t n = strlen(git);
		const char *other = n > 4 && !strcmp(git + n - 4, ".git") ? arena_strndup(a, git, n - 4)
									 : arena_sprintf(a, "%s.git", git);
		value sub = val_dict_gets(s->entry, "subdirectory");
		if (sub.type == V_STR) {
			*pkey = arena_sprintf(a, "%s/%s", git, sub.s);
			*palt = arena_sprintf(a, "%s/%s", other, sub.s);
		} else {
			*pkey = git;
			*palt = other;
		}
		break;
	}
	case DEP_LOCAL: {
		const char *local = val_dict_gets(s->entry, "local").s;
		*pkey = fs_abspath(a, local[0] == '/' ? local : fs_join(a, s->from, local));
		break;
	}
	case DEP_TARBALL:
		*pkey = val_dict_gets(s->entry, "tarball").s;
		break;
	}
}

static struct dep *listing_find(struct listing *ls, const char *key, const char *alt)
{
	for (size_t i = 0; i < ls->n; i++) {
		struct dep *d = ls->v[i];
		if (!strcmp(d->key, key) || (alt && !strcmp(d->key, alt)) || (d->alt_key && !strcmp(d->alt_key, key)))
			return d;
	}
	return NULL;
}

/* The version strings of a hub spec: a string, a number, or a list of them */
static int add_versions(struct deps_run *r, struct dep *d, const struct dep_spec *s)
{
	struct arena *a = &r->p->arena;
	value v = val_dict_gets(s->entry, "version");
	size_t n = v.type == V_LIST ? v.l->len : 1;
	for (size_t i = 0; i < n; i++) {
		value one = v.type == V_LIST ? v.l->items[i] : v;
		const char *str = val_cstr(a, one);
		struct semver sv;
		if (sv_parse(a, str, &sv) < 0) {
			struct diag *dg = diag_error(r->dl, yml_val_loc(s->entry, "version"), "\"%s\" is not a valid semantic version.", str);
			diag_hint(r->dl, dg, "write versions as \"1.2.3\", or ranges such as [\">=1.0.0\", \"<2.0.0\"]");
			return -1;
		}
		if (d->nversions == d->capversions) {
			size_t cap = d->capversions ? 2 * d->capversions : 4;
			struct semver *nv = ARENA_ARRAY(a, struct semver, cap);
			const char **ns = ARENA_ARRAY(a, const char *, cap);
			if (d->nversions) {
				memcpy(nv, d->versions, d->nversions * sizeof(*nv));
				memcpy(ns, d->version_strs, d->nversions * sizeof(*ns));
			}
			d->versions = nv;
			d->version_strs = ns;
			d->capversions = cap;
		}
		d->version_strs[d->nversions] = str;
		d->versions[d->nversions++] = sv;
	}
	return 0;
}

static void add_revision(struct deps_run *r, struct dep *d, const char *rev)
{
	if (d->nrevisions == d->caprevisions) {
		size_t cap = d->caprevisions ? 2 * d->caprevisions : 4;
		const char **nv = ARENA_ARRAY(&r->p->arena, const char *, cap);
		if (d->nrevisions)
			memcpy(nv, d->revisions, d->nrevisions * sizeof(*nv));
		d->revisions = nv;
		d->caprevisions = cap;
	}
	d->revisions[d->nrevisions++] = rev;
}

static struct dep *incorporate(struct deps_run *r, struct listing *ls, const struct dep_spec *s)
{
	struct arena *a = &r->p->arena;
	const char *key = "", *alt = NULL;
	spec_keys(r, s, &key, &alt);
	struct dep *d = listing_find(ls, key, alt);
	if (d && d->kind != s->kind) {
		struct diag *dg = diag_error(r->dl, s->loc, "Cannot incorporate %s (%s package) in %s (%s package): mismatched types",
					     key, kind_name(s->kind), d->key, kind_name(d->kind));
		diag_hint(r->dl, dg, "name each package one way only");
		return NULL;
	}
	if (!d) {
		d = ARENA_NEW(a, struct dep);
		d->kind = s->kind;
		d->key = key;
		d->alt_key = alt;
		d->loc = s->loc;
		d->raw_entry = s->raw;
		d->warn_unpinned = true;
		value e = s->entry;
		switch (s->kind) {
		case DEP_HUB: {
			d->package = key;
			value ip = val_dict_gets(e, "install_prerelease");
			if (ip.type == V_UNDEF)
				ip = val_dict_gets(e, "install-prerelease");
			d->prerelease = val_truthy(ip);
			break;
		}
		case DEP_GIT: {
			d->git = val_dict_gets(e, "git").s;
			value raw = val_dict_gets(s->raw, "git");
			d->git_raw = raw.type == V_STR ? raw.s : d->git;
			value sub = val_dict_gets(e, "subdirectory");
			d->subdir = sub.type == V_STR ? sub.s : NULL;
			break;
		}
		case DEP_LOCAL: {
			d->local_abs = key;
			const char *local = val_dict_gets(e, "local").s;
			/* as written for the root project; other packages' paths relative to it */
			d->local = s->from == r->p->root || local[0] == '/' ? local : relpath(a, r->p->root, key);
			break;
		}
		case DEP_TARBALL:
			d->tarball = key;
			d->tarball_name = val_dict_gets(e, "name").s;
			break;
		}
		if (ls->n == ls->cap) {
			ls->cap = ls->cap ? 2 * ls->cap : 16;
			struct dep **nv = ARENA_ARRAY(a, struct dep *, ls->cap);
			if (ls->n)
				memcpy(nv, ls->v, ls->n * sizeof(*nv));
			ls->v = nv;
		}
		ls->v[ls->n++] = d;
	}
	if (s->kind == DEP_HUB && add_versions(r, d, s) < 0)
		return NULL;
	if (s->kind == DEP_GIT) {
		value rev = val_dict_gets(s->entry, "revision");
		if (rev.type != V_UNDEF && rev.type != V_NONE)
			add_revision(r, d, val_cstr(a, rev));
		value wu = val_dict_gets(s->entry, "warn-unpinned");
		if (wu.type == V_BOOL && !wu.b)
			d->warn_unpinned = false;
	}
	return d;
}

int deps_resolve(struct deps_run *r, struct dep_spec *specs, size_t n, bool transitive, struct dep ***pdeps,
		 size_t *pn)
{
	struct listing final = {0};
	struct dep_spec *pending = specs;
	size_t npending = n;
	for (int round = 0; npending; round++) {
		if (round == DEPS_MAX_ROUNDS) {
			diag_error(r->dl, pending[0].loc, "packages keep needing each other after %d rounds: is there a cycle?",
				   DEPS_MAX_ROUNDS);
			return -1;
		}
		struct dep_spec *next = NULL;
		size_t nnext = 0, capnext = 0;
		for (size_t i = 0; i < npending; i++) {
			struct dep *d = incorporate(r, &final, &pending[i]);
			if (!d)
				return -1;
			if (!transitive)
				continue;
			if (pin(r, d) < 0 || fetch_meta(r, d) < 0)
				return -1;
			if (!d->nchildren)
				continue;
			if (nnext + d->nchildren > capnext) {
				capnext = 2 * (nnext + d->nchildren);
				struct dep_spec *nv = ARENA_ARRAY(&r->p->arena, struct dep_spec, capnext);
				if (nnext)
					memcpy(nv, next, nnext * sizeof(*nv));
				next = nv;
			}
			memcpy(next + nnext, d->children, d->nchildren * sizeof(*next));
			nnext += d->nchildren;
		}
		pending = next;
		npending = nnext;
	}
	for (size_t i = 0; i < final.n; i++)
		if (pin(r, final.v[i]) < 0 || fetch_meta(r, final.v[i]) < 0)
			return -1;
	for (size_t i = 0; i < final.n; i++) {
		struct dep *d = final.v[i];
		if (!strcmp(d->project_name, r->p->name)) {
			struct diag *dg = diag_error(r->dl, d->loc,
						     "Found a dependency with the same name as the root project \"%s\". Package names must "
						     "be unique in a project. Please rename one of these packages.",
						     d->project_name);
			diag_hint(r->dl, dg, "a project cannot install itself as a package");
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(final.v[j]->project_name, d->project_name)) {
				struct diag *dg = diag_error(r->dl, d->loc,
							     "Found duplicate project \"%s\". This occurs when a dependency has the "
							     "same project name as some other dependency.",
							     d->project_name);
				diag_hint(r->dl, dg, "two packages are both named '%s' in their dbt_project.yml", d->project_name);
				return -1;
			}
	}
	*pdeps = final.v;
	*pn = final.n;
	return 0;
}

const char *deps_nice_version(struct deps_run *r, const struct dep *d)
{
	struct arena *a = &r->p->arena;
	switch (d->kind) {
	case DEP_HUB:
		return arena_sprintf(a, "version %s", d->version);
	case DEP_GIT:
		return !d->nrevisions || !strcmp(d->revisions[0], "HEAD")
			       ? "HEAD (default revision)"
			       : arena_sprintf(a, "revision %s", d->revisions[0]);
	case DEP_LOCAL:
		return arena_sprintf(a, "<local @ %s>", d->local);
	case DEP_TARBALL:
		return arena_sprintf(a, "tarball (url: %s)", d->tarball);
	}
	return "";
}

/* ---- installing ---- */

static int download_untar(struct deps_run *r, struct dep *d, const char *url, const char *file, const char *dest)
{
	struct arena *a = &r->p->arena;
	char *archive = fs_join(a, r->downloads, file);
	char *err;
	if (deps_http_download(a, url, archive, &err) < 0) {
		struct diag *dg = diag_error(r->dl, d->loc, "cannot download package '%s' from %s: %s", d->key, url, err);
		diag_hint(r->dl, dg, "check your network access; what was installed before is left as it was");
		return -1;
	}
	if (deps_untar(a, archive, dest, &err) < 0) {
		diag_error(r->dl, d->loc, "cannot unpack package '%s' from %s: %s", d->key, url, err);
		return -1;
	}
	return 0;
}

int deps_install_one(struct deps_run *r, struct dep *d, const char *stage)
{
	struct arena *a = &r->p->arena;
	if (fetch_meta(r, d) < 0)
		return -1;
	char *dest = fs_join(a, stage, d->project_name);
	switch (d->kind) {
	case DEP_LOCAL:
		if (symlink(d->local_abs, dest) < 0) {
			diag_error(r->dl, d->loc, "cannot install '%s' at '%s': %s", d->project_name, dest, strerror(errno));
			return -1;
		}
		return 0;
	case DEP_HUB: {
		char *file = arena_sprintf(a, "%s.%s.tar.gz", d->package, d->version);
		for (char *c = file; *c; c++)
			if (*c == '/')
				*c = '_';
		return download_untar(r, d, d->tarball_url, file, dest);
	}
	case DEP_TARBALL:
	case DEP_GIT:
		if (rename(d->checkout, dest) < 0) {
			diag_error(r->dl, d->loc, "cannot install '%s' at '%s': %s", d->project_name, dest, strerror(errno));
			return -1;
		}
		d->checkout = NULL;
		d->checkout_rev = NULL;
		return 0;
	}
	return 0;
}
