/*
 * macro-deps-check: recomputes every macro's depends_on.macros of a manifest written by dbt-core
 * from the macros' own text (macro_sql) with Sluice's rules (dbt_macro_deps), and prints each
 * macro whose list differs from dbt's. Exit 0 when none differs, 1 when some do, 2 on bad input.
 *
 *   macro-deps-check [--adapter postgres] [--internal dbt_postgres,dbt] MANIFEST
 *
 * The root project is the manifest's own (metadata.project_name); the internal packages are the
 * adapter's and dbt's (dbt-core's get_adapter_package_names), the adapter's first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/diag.h"
#include "core/fs.h"
#include "dbt/context.h"
#include "jinja/jinja.h"
#include "value/value.h"

static const char **split_list(struct arena *a, const char *s)
{
	size_t n = 1;
	for (const char *c = s; *c; c++)
		n += *c == ',';
	const char **l = arena_alloc(a, (n + 1) * sizeof(*l));
	size_t k = 0;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		l[k++] = arena_strndup(a, s, len);
		s += len + (e ? 1 : 0);
	}
	l[k] = NULL;
	return l;
}

int main(int argc, char **argv)
{
	const char *adapter = "postgres", *internal_arg = NULL, *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--adapter") && i + 1 < argc)
			adapter = argv[++i];
		else if (!strcmp(argv[i], "--internal") && i + 1 < argc)
			internal_arg = argv[++i];
		else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: macro-deps-check [--adapter TYPE] [--internal PKG,...] MANIFEST\n");
		return 2;
	}
	struct arena a;
	arena_init(&a, 1 << 20);
	size_t len;
	char *text = fs_read(&a, path, &len);
	value m;
	char *err = NULL;
	if (!text || val_from_json(&a, text, len, &m, &err) < 0) {
		fprintf(stderr, "macro-deps-check: cannot read '%s'%s%s\n", path, err ? ": " : "", err ? err : "");
		return 2;
	}
	value macros = val_dict_gets(m, "macros");
	value root = val_dict_gets(val_dict_gets(m, "metadata"), "project_name");
	if (macros.type != V_DICT || root.type != V_STR) {
		fprintf(stderr, "macro-deps-check: '%s' has no macros or no metadata.project_name\n", path);
		return 2;
	}
	if (!internal_arg)
		internal_arg = arena_sprintf(&a, "dbt_%s,dbt", adapter);
	const char **internal = split_list(&a, internal_arg);
	const char *prefixes[] = {adapter, "default", NULL};

	struct jj_env *env = jj_env_new();
	struct dbt_mdeps_macro *ms = arena_alloc(&a, macros.d->len * sizeof(*ms));
	value want = val_list_new(&a, macros.d->len);
	value packages = val_dict_new(&a, 8);
	val_dict_set(packages, root, val_bool(true));
	size_t n = 0;
	int rc = 0;
	for (uint32_t i = 0; i < macros.d->len; i++) {
		value mv = macros.d->e[i].val;
		const char *name = val_dict_gets(mv, "name").s;
		const char *pkg = val_dict_gets(mv, "package_name").s;
		value sql = val_dict_gets(mv, "macro_sql");
		struct diag_list dl;
		diag_list_init(&dl);
		uint32_t file = diag_file_add(val_dict_gets(mv, "original_file_path").s, sql.s, sql.len);
		struct jj_template *t;
		if (jj_parse(env, &a, name, file, sql.s, sql.len, &t, &dl) < 0) {
			diag_print(stderr, &dl, false);
			diag_list_release(&dl);
			fprintf(stderr, "macro-deps-check: cannot parse %s\n", macros.d->e[i].key.s);
			rc = 2;
			continue;
		}
		diag_list_release(&dl);
		value fn = val_dict_gets(jj_template_macros(&a, t, pkg), name);
		if (fn.type == V_UNDEF) {
			fprintf(stderr, "macro-deps-check: %s does not define %s\n", macros.d->e[i].key.s, name);
			rc = 2;
			continue;
		}
		val_dict_sets(packages, pkg, val_bool(true));
		ms[n] = (struct dbt_mdeps_macro){pkg, name, macros.d->e[i].key.s, fn, NULL, 0};
		val_list_push(want, val_dict_gets(val_dict_gets(mv, "depends_on"), "macros"));
		n++;
	}
	const char **projects = arena_alloc(&a, (packages.d->len + 1) * sizeof(*projects));
	for (uint32_t i = 0; i < packages.d->len; i++)
		projects[i] = packages.d->e[i].key.s;
	projects[packages.d->len] = NULL;
	struct dbt_mdeps_rules rules = {root.s, internal, prefixes, projects, val_dict_gets(m, "dispatch")};
	dbt_macro_deps(&a, &rules, ms, n);

	size_t differ = 0, listed = 0;
	for (size_t i = 0; i < n; i++) {
		value w = want.l->items[i];
		bool same = w.type == V_LIST && w.l->len == ms[i].ndeps;
		for (uint32_t k = 0; same && k < ms[i].ndeps; k++)
			same = val_streq(w.l->items[k], ms[i].deps[k]);
		listed += ms[i].ndeps;
		if (same)
			continue;
		differ++;
		printf("%s:\n  dbt:  ", ms[i].unique_id);
		for (uint32_t k = 0; w.type == V_LIST && k < w.l->len; k++)
			printf("%s%s", k ? " " : "", w.l->items[k].s);
		printf("\n  ours: ");
		for (uint32_t k = 0; k < ms[i].ndeps; k++)
			printf("%s%s", k ? " " : "", ms[i].deps[k]);
		printf("\n");
	}
	printf("%zu macros, %zu dependencies, %zu differ\n", n, listed, differ);
	jj_env_free(env);
	arena_release(&a);
	return rc ? rc : differ ? 1 : 0;
}
