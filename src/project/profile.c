/*
 * The profile: profiles.yml found as dbt finds it (--profiles-dir, DBT_PROFILES_DIR, the project
 * folder, the current folder, ~/.dbt/), the profile named by --profile or dbt_project.yml, the
 * target named by --target or the profile's `target:`. String values are rendered as Jinja, so
 * env_var() works; values of secret keys and DBT_ENV_SECRET_* variables are registered as secrets.
 * With no profiles.yml anywhere, the project runs on an embedded DuckDB file under the target path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/inputs.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/sb.h"
#include "project/load_internal.h"
#include "project/yml.h"

static const char *find_profiles(struct project *p, const struct proj_options *opt, bool *pexplicit)
{
	*pexplicit = false;
	if (opt->profiles_dir) {
		*pexplicit = true;
		return fs_join(&p->arena, opt->profiles_dir, "profiles.yml");
	}
	const char *env = getenv("DBT_PROFILES_DIR");
	if (env && *env) {
		*pexplicit = true;
		return fs_join(&p->arena, env, "profiles.yml");
	}
	char *cand = fs_join(&p->arena, p->root, "profiles.yml");
	if (fs_is_file(cand))
		return cand;
	cand = fs_abspath(&p->arena, "profiles.yml");
	if (fs_is_file(cand))
		return cand;
	const char *home = inputs_getenv("HOME");
	if (home) {
		cand = fs_join(&p->arena, home, ".dbt/profiles.yml");
		if (fs_is_file(cand))
			return cand;
	}
	return NULL;
}

static bool secret_key(const char *k)
{
	static const char *const keys[] = {"password", "pass", "token", "secret", "api_key",
					   "private_key", "private_key_passphrase", "client_secret",
					   "keyfile_json", "access_token", NULL};
	for (const char *const *s = keys; *s; s++)
		if (!strcmp(k, *s))
			return true;
	return false;
}

/* A key whose Jinja dbt renders only when it runs (hooks) */
static bool deferred_key(value k)
{
	return val_streq(k, "pre-hook") || val_streq(k, "post-hook") || val_streq(k, "+pre-hook") ||
	       val_streq(k, "+post-hook");
}

/* One string of a YAML tree that contains Jinja, rendered in place: natively for dbt_project.yml's
 * configs, as dbt's DbtProjectYamlRenderer renders them (`+enabled: "{{ target.type == 'x' }}"` is
 * a boolean, not the text "False"), as text for profiles.yml */
static int render_leaf(struct proj_render *r, value *pv, const char *name, struct loc l, bool native)
{
	if (native)
		return r->proj->hooks->render_native(r, name, pv->s, l, pv);
	const char *out;
	if (r->proj->hooks->render_string(r, name, pv->s, l, &out) < 0)
		return -1;
	*pv = val_str(out);
	return 0;
}

/* Renders every string of a YAML tree that contains Jinja, in place (but hooks, with skip_hooks) */
static int render_tree_ex(struct proj_render *r, value v, const char *name, bool skip_hooks, bool native,
			  struct diag_list *dl)
{
	if (v.type == V_DICT) {
		for (uint32_t i = 0; i < v.d->len; i++) {
			value *pv = &v.d->e[i].val;
			if (skip_hooks && deferred_key(v.d->e[i].key))
				continue;
			if (pv->type == V_STR && (strstr(pv->s, "{{") || strstr(pv->s, "{%"))) {
				if (render_leaf(r, pv, name, v.d->vallocs ? v.d->vallocs[i] : LOC_NONE, native) < 0)
					return -1;
			} else if (render_tree_ex(r, *pv, name, skip_hooks, native, dl) < 0) {
				return -1;
			}
			value k = v.d->e[i].key;
			if (k.type == V_STR && secret_key(k.s) && pv->type == V_STR)
				log_add_secret(pv->s);
		}
	} else if (v.type == V_LIST) {
		for (uint32_t i = 0; i < v.l->len; i++) {
			value *pv = &v.l->items[i];
			if (pv->type == V_STR && (strstr(pv->s, "{{") || strstr(pv->s, "{%"))) {
				if (render_leaf(r, pv, name, v.l->locs ? v.l->locs[i] : LOC_NONE, native) < 0)
					return -1;
			} else if (render_tree_ex(r, *pv, name, skip_hooks, native, dl) < 0) {
				return -1;
			}
		}
	}
	return 0;
}

static int render_tree(struct proj_render *r, value v, const char *name, struct diag_list *dl)
{
	return render_tree_ex(r, v, name, false, false, dl);
}

int proj_render_project_configs(struct project *p, struct diag_list *dl)
{
	/* as dbt does: the configs of dbt_project.yml see env_var(), var() and target; hooks and vars
	 * are rendered where they are used */
	static const char *const sections[] = {"models", "seeds", "snapshots", "sources", "tests", "data_tests",
					       "exposures", "analyses", NULL};
	struct proj_render r = {.proj = p, .arena = &p->arena, .dl = dl};
	/* the root project's file and each package's, as dbt renders every dbt_project.yml it loads */
	for (size_t i = 0; i < p->npackages; i++) {
		const struct package *pkg = &p->packages[i];
		value yml = pkg->is_root ? p->yml : pkg->project_yml;
		const char *name = arena_sprintf(&p->arena, "%s/dbt_project.yml", pkg->root);
		for (const char *const *sec = sections; *sec; sec++) {
			value v = val_dict_gets(yml, *sec);
			if ((v.type == V_DICT || v.type == V_LIST) && render_tree_ex(&r, v, name, true, true, dl) < 0)
				return -1;
		}
	}
	return 0;
}

/*
 * Threads beyond this gain nothing (each holds a connection and a worker; the database and the
 * cores are the limit) and, asked for by mistake (--threads 100000), exhaust the machine.
 */
#define MAX_THREADS 128

static int clamp_threads(long n, bool from_flag, struct loc where, struct diag_list *dl)
{
	if (n <= MAX_THREADS)
		return (int)n;
	struct diag *d = diag_warn(dl, where, "%s %ld is more threads than Sluice runs: using %d",
				   from_flag ? "--threads" : "threads:", n, MAX_THREADS);
	diag_hint(dl, d, "ask for at most %d threads; more rarely helps past the database's own parallelism",
		  MAX_THREADS);
	return MAX_THREADS;
}

static int zero_config(struct project *p, const struct proj_options *opt, struct diag_list *dl)
{
	struct profile_target *t = &p->target;
	t->zero_config = true;
	t->profile_name = p->profile_name ? p->profile_name : p->name;
	t->target_name = "dev";
	t->type = "duckdb";
	t->fields = val_dict_new(&p->arena, 4);
	val_dict_sets(t->fields, "type", val_str("duckdb"));
	/* DuckDB names a database after its file; a few names are its own catalogs */
	const char *stem = p->name;
	static const char *const reserved[] = {"main", "memory", "system", "temp", NULL};
	for (const char *const *r = reserved; *r; r++)
		if (!strcmp(stem, *r))
			stem = arena_sprintf(&p->arena, "%s_db", p->name);
	const char *path = arena_sprintf(&p->arena, "%s/%s.duckdb", p->target_path, stem);
	val_dict_sets(t->fields, "path", val_str(path));
	val_dict_sets(t->fields, "schema", val_str("main"));
	t->schema = "main";
	t->database = stem;
	t->threads = clamp_threads(opt->threads > 0 ? opt->threads : 1, true, LOC_NONE, dl);
	t->parse_threads = 1;
	val_dict_sets(t->fields, "threads", val_int(t->threads));
	return 0;
}

/* threads as dbt reads it: its profile renderer is native, so "{{ env_var('DBT_THREADS', '4') }}"
 * (or a quoted "4") is the number 4 */
static int profile_threads(value target, long *out, struct diag_list *dl)
{
	value v = val_dict_gets(target, "threads");
	if (v.type == V_STR) {
		char *end = NULL;
		errno = 0;
		long n = strtol(v.s, &end, 10);
		while (end && *end == ' ')
			end++;
		if (v.len && end && !*end && errno == 0 && v.s[0] != ' ') {
			*out = n;
			return 0;
		}
	}
	return yml_int(target, "threads", 1, out, dl);
}

int proj_load_profile(struct project *p, const struct proj_options *opt, struct diag_list *dl)
{
	bool explicit_dir;
	const char *path = find_profiles(p, opt, &explicit_dir);
	struct profile_target *t = &p->target;
	if (!path || (!explicit_dir && !fs_is_file(path)))
		return zero_config(p, opt, dl);
	if (!fs_is_file(path)) {
		struct diag *d = diag_error(dl, LOC_NONE, "profiles.yml not found at '%s'", path);
		diag_hint(dl, d, "check --profiles-dir / DBT_PROFILES_DIR, or remove them to use the embedded DuckDB default");
		return -1;
	}
	uint32_t file;
	size_t len;
	const char *text = proj_read_file(p, path, path, &file, &len, dl);
	if (!text)
		return -1;
	value doc;
	if (val_from_yaml(&p->arena, file, text, len, &doc, dl) < 0)
		return -1;
	if (doc.type != V_DICT) {
		diag_error(dl, loc_at(file, 1, 1, 1), "profiles.yml must be a mapping of profile names to profiles");
		return -1;
	}
	t->profiles_path = path;
	const char *pname = opt->profile ? opt->profile : p->profile_name;
	if (!pname) {
		struct diag *d = diag_error(dl, loc_at(p->project_file, 1, 1, 1),
					    "dbt_project.yml names no 'profile' to use from '%s'", path);
		diag_hint(dl, d, "add 'profile: NAME' to dbt_project.yml or pass --profile NAME");
		return -1;
	}
	value prof = val_dict_gets(doc, pname);
	if (prof.type != V_DICT) {
		struct diag *d = diag_error(dl, opt->profile ? LOC_NONE : yml_val_loc(p->yml, "profile"),
					    "profile '%s' not found in '%s'", pname, path);
		struct sb names = SB_INIT;
		for (uint32_t i = 0; i < doc.d->len; i++)
			if (doc.d->e[i].key.type == V_STR && !val_streq(doc.d->e[i].key, "config"))
				sb_addf(&names, "%s'%s'", names.len ? ", " : "", doc.d->e[i].key.s);
		diag_hint(dl, d, "profiles there: %s", names.len ? names.buf : "none");
		sb_release(&names);
		return -1;
	}
	value outputs;
	if (yml_dict(prof, "outputs", &outputs, dl) < 0)
		return -1;
	if (outputs.type != V_DICT) {
		diag_error(dl, prof.d->loc, "profile '%s' has no 'outputs'", pname);
		return -1;
	}
	const char *tname = opt->target;
	if (!tname && yml_str(prof, "target", NULL, &tname, dl) < 0)
		return -1;
	/* the target's name is rendered too, as dbt's Profile._get_target_name does:
	 * target: "{{ env_var('DBT_TARGET', 'dev') }}" */
	if (!opt->target && tname && strstr(tname, "{")) {
		struct proj_render tr = {.proj = p, .arena = &p->arena, .dl = dl};
		value tv = val_str(tname);
		if (render_leaf(&tr, &tv, path, yml_val_loc(prof, "target"), false) < 0)
			return -1;
		tname = tv.s;
	}
	if (!tname)
		tname = "default";
	value target = val_dict_gets(outputs, tname);
	if (target.type != V_DICT) {
		struct diag *d = diag_error(dl, opt->target ? yml_key_loc(prof, "outputs") : yml_val_loc(prof, "target"),
					    "target '%s' not found in profile '%s'", tname, pname);
		struct sb names = SB_INIT;
		for (uint32_t i = 0; i < outputs.d->len; i++)
			if (outputs.d->e[i].key.type == V_STR)
				sb_addf(&names, "%s'%s'", names.len ? ", " : "", outputs.d->e[i].key.s);
		diag_hint(dl, d, "targets there: %s", names.len ? names.buf : "none");
		sb_release(&names);
		return -1;
	}
	struct proj_render r = {.proj = p, .arena = &p->arena, .dl = dl};
	if (render_tree(&r, target, path, dl) < 0)
		return -1;
	t->profile_name = pname;
	t->target_name = tname;
	t->fields = target;
	if (yml_str(target, "type", NULL, &t->type, dl) < 0)
		return -1;
	if (!t->type) {
		struct diag *d = diag_error(dl, target.d->loc, "target '%s' of profile '%s' has no 'type'", tname, pname);
		diag_hint(dl, d, "add e.g. 'type: duckdb'");
		return -1;
	}
	long threads = 1;
	if (profile_threads(target, &threads, dl) < 0)
		return -1;
	if (threads < 1)
		threads = 1;
	if (opt->threads > 0) {
		t->threads = clamp_threads(opt->threads, true, LOC_NONE, dl);
		t->parse_threads = threads < MAX_THREADS ? (int)threads : MAX_THREADS;
	} else
		t->threads = t->parse_threads = clamp_threads(threads, false, yml_val_loc(target, "threads"), dl);
	if (!strcmp(t->type, "flink")) {
		/* Flink names its levels catalog and database: they are dbt's database and schema */
		if (yml_str(target, "catalog", "default_catalog", &t->database, dl) < 0 ||
		    yml_str(target, "database", NULL, &t->schema, dl) < 0)
			return -1;
		if (!t->schema && yml_str(target, "schema", "default_database", &t->schema, dl) < 0)
			return -1;
		return 0;
	}
	if (!strcmp(t->type, "confluent")) {
		/* dbt-confluent: the environment is dbt's database (the catalog), the Kafka cluster
		 * (dbname) its schema (the Flink database) */
		if (yml_str(target, "environment_id", NULL, &t->database, dl) < 0 ||
		    yml_str(target, "dbname", NULL, &t->schema, dl) < 0)
			return -1;
		if (!t->schema && yml_str(target, "schema", NULL, &t->schema, dl) < 0)
			return -1;
		return 0;
	}
	if (yml_str(target, "schema", NULL, &t->schema, dl) < 0)
		return -1;
	if (yml_str(target, "database", NULL, &t->database, dl) < 0)
		return -1;
	if (!t->database && yml_str(target, "dbname", NULL, &t->database, dl) < 0)
		return -1;
	if (!t->database && !strcmp(t->type, "duckdb")) {
		/* dbt-duckdb: the database is the file's stem, "memory" for an in-memory one */
		const char *dbpath = NULL;
		if (yml_str(target, "path", NULL, &dbpath, dl) < 0)
			return -1;
		t->database = !dbpath || !strcmp(dbpath, ":memory:") ? "memory" : fs_stem(&p->arena, dbpath);
	}
	if (!t->schema)
		t->schema = !strcmp(t->type, "duckdb") ? "main" : "public";
	return 0;
}
