/*
 * Property files (schema.yml): descriptions, columns and configs of models ("patches"), sources
 * (which become source nodes) and the generic tests declared on models, columns and sources.
 * Files are found under every resource path of the project, as dbt finds them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/fs.h"
#include "core/sb.h"
#include "project/load_internal.h"
#include "project/semantic.h"
#include "project/yml.h"

/* The keys of a column's entry that are not its extra properties */
static bool column_key_known(value k)
{
	static const char *const known[] = {"name", "description", "meta", "data_type", "constraints", "quote",
					    "tags", "tests", "data_tests", NULL};
	if (k.type != V_STR)
		return true;
	for (const char *const *w = known; *w; w++)
		if (val_streq(k, *w))
			return true;
	return false;
}

value proj_column_dict(struct arena *a, value col, struct diag_list *dl, bool *perr)
{
	/* the seven keys dbt gives every column, and the extras: sized to fit (a large project has
	 * tens of thousands of columns) */
	uint32_t extra = 0;
	for (uint32_t i = 0; col.type == V_DICT && i < col.d->len; i++)
		extra += !column_key_known(col.d->e[i].key);
	value out = val_dict_new(a, 7 + extra);
	const char *name = NULL, *desc = NULL, *dtype = NULL;
	*perr = false;
	if (yml_str(col, "name", NULL, &name, dl) < 0 || yml_str(col, "description", "", &desc, dl) < 0 ||
	    yml_str(col, "data_type", NULL, &dtype, dl) < 0) {
		*perr = true;
		return out;
	}
	if (!name) {
		diag_error(dl, col.d->loc, "a column needs a 'name'");
		*perr = true;
		return out;
	}
	val_dict_sets(out, "name", val_str(name));
	val_dict_sets(out, "description", val_str(desc));
	value meta = val_dict_gets(col, "meta");
	val_dict_sets(out, "meta", meta.type == V_DICT ? meta : val_dict_new(a, 0));
	val_dict_sets(out, "data_type", dtype ? val_str(dtype) : val_none());
	value cons = val_dict_gets(col, "constraints");
	val_dict_sets(out, "constraints", cons.type == V_LIST ? cons : val_list_new(a, 0));
	value quote = val_dict_gets(col, "quote");
	val_dict_sets(out, "quote", quote.type == V_BOOL ? quote : val_none());
	value tags;
	if (yml_str_or_list(a, col, "tags", &tags, dl) < 0)
		*perr = true;
	val_dict_sets(out, "tags", tags);
	/* other keys are kept as dbt keeps them (a column's extra properties), for macros to read:
	 * Flink's column_type and expression, say */
	for (uint32_t i = 0; i < col.d->len; i++)
		if (!column_key_known(col.d->e[i].key))
			val_dict_set(out, col.d->e[i].key, col.d->e[i].val);
	return out;
}

int proj_add_tests(struct nodes_builder *nb, struct project *p, value owner, const char *package,
		   const char *yml_path, uint32_t yml_file, enum node_type tt, const char *target,
		   const char *table, const char *column, struct diag_list *dl)
{
	int rc = 0;
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "data_tests" : "tests";
		value tests;
		if (yml_list(owner, key, false, &tests, dl) < 0)
			return -1;
		if (tests.type != V_LIST)
			continue;
		for (uint32_t i = 0; i < tests.l->len; i++) {
			value t = tests.l->items[i];
			if (t.type != V_STR && !(t.type == V_DICT && t.d->len >= 1)) {
				diag_error(dl, yml_item_loc(tests, i),
					   "a test must be a name or a mapping of the test's name to its arguments");
				rc = -1;
				continue;
			}
			struct pending_test *pt = ARENA_NEW(&p->arena, struct pending_test);
			pt->def = t;
			pt->loc = yml_item_loc(tests, i);
			pt->package = package;
			pt->yml_path = yml_path;
			pt->yml_file = yml_file;
			pt->target_type = tt;
			pt->target_name = target;
			pt->table_name = table;
			pt->column = column;
			VEC_PUSH(&nb->tests, pt);
		}
	}
	return rc;
}

static int columns_of(struct project *p, struct nodes_builder *nb, value entry, value *pcols,
		      const char *package, const char *yml_path, uint32_t yml_file, enum node_type tt,
		      const char *target, const char *table, struct diag_list *dl)
{
	value cols;
	*pcols = val_dict_new(&p->arena, 4);
	if (yml_list(entry, "columns", false, &cols, dl) < 0)
		return -1;
	if (cols.type != V_LIST)
		return 0;
	int rc = 0;
	for (uint32_t i = 0; i < cols.l->len; i++) {
		value c = cols.l->items[i];
		if (c.type != V_DICT) {
			diag_error(dl, yml_item_loc(cols, i), "a column must be a mapping with a 'name'");
			rc = -1;
			continue;
		}
		bool err;
		value cd = proj_column_dict(&p->arena, c, dl, &err);
		if (err) {
			rc = -1;
			continue;
		}
		value name = val_dict_gets(cd, "name");
		val_dict_set(*pcols, name, cd);
		/* a quoted column's tests get the quoted name, as dbt's parse_test does (column.quote, or
		 * the table's quoting.column when the column does not say) */
		value q = val_dict_gets(c, "quote");
		if (q.type != V_BOOL)
			q = val_dict_gets(val_dict_gets(entry, "quoting"), "column");
		const char *tested = name.s;
		if (q.type == V_BOOL && q.b) {
			const char *engine = p->target.type ? p->target.type : "duckdb";
			bool backtick = !strcmp(engine, "flink") || !strcmp(engine, "confluent");
			tested = arena_sprintf(&p->arena, backtick ? "`%s`" : "\"%s\"", name.s);
		}
		rc |= proj_add_tests(nb, p, c, package, yml_path, yml_file, tt, target, table, tested, dl);
	}
	return rc;
}

/* The i-th entry of a properties list: a mapping with a string 'name' (in *pname); V_UNDEF after
 * adding the error, which calls the entry `what` ("entry of 'models'", "exposure") */
static value named_entry(value list, uint32_t i, const char *what, const char **pname, struct diag_list *dl)
{
	value e = list.l->items[i];
	*pname = NULL;
	if (e.type != V_DICT) {
		diag_error(dl, yml_item_loc(list, i), "each %s must be a mapping with a 'name'", what);
		return val_undef();
	}
	if (yml_str(e, "name", NULL, pname, dl) < 0)
		return val_undef();
	if (!*pname) {
		diag_error(dl, e.d->loc, "this %s has no 'name'", what);
		return val_undef();
	}
	return e;
}

static int load_model_patches(struct project *p, struct nodes_builder *nb, value doc, const char *key,
			      const struct package *pkg, const char *yml_path, uint32_t file,
			      struct diag_list *dl)
{
	value list;
	if (yml_list(doc, key, false, &list, dl) < 0)
		return -1;
	if (list.type != V_LIST)
		return 0;
	int rc = 0;
	char what[64];
	snprintf(what, sizeof(what), "entry of '%s'", key);
	for (uint32_t i = 0; i < list.l->len; i++) {
		const char *name;
		value e = named_entry(list, i, what, &name, dl);
		if (e.type == V_UNDEF) {
			rc = -1;
			continue;
		}
		value pkey = val_str_fmt(&p->arena, "%s:%s:%s", key, pkg->name, name);
		value prev = val_dict_get(nb->patches, pkey);
		if (prev.type != V_UNDEF) {
			struct diag *d = diag_error(dl, yml_val_loc(e, "name"), "'%s' is described twice", name);
			diag_note(dl, d, prev.d->loc, "first described here");
			diag_hint(dl, d, "merge the two entries into one");
			rc = -1;
			continue;
		}
		value patch = val_dict_new(&p->arena, 8);
		val_dict_sets(patch, "entry", e);
		val_dict_sets(patch, "yml_path", val_str(yml_path));
		val_dict_sets(patch, "yml_file", val_int(file));
		patch.d->loc = e.d->loc;
		value cols;
		enum node_type tt = NODE_MODEL;
		rc |= columns_of(p, nb, e, &cols, pkg->name, yml_path, file, tt, name, NULL, dl);
		val_dict_sets(patch, "columns", cols);
		rc |= proj_add_tests(nb, p, e, pkg->name, yml_path, file, tt, name, NULL, NULL, dl);
		val_dict_set(nb->patches, pkey, patch);
	}
	return rc;
}

static struct node *new_source(struct project *p, const struct package *pkg, const char *yml_path,
			       uint32_t yml_file, const char *src, const char *table)
{
	struct arena *a = &p->arena;
	struct node *n = proj_node_new(a, NODE_SOURCE, pkg->name, table);
	n->source_name = src;
	n->unique_id = arena_sprintf(a, "source.%s.%s.%s", pkg->name, src, table);
	n->original_file_path = yml_path;
	n->path = yml_path;
	n->file = yml_file;
	n->raw_code = "";
	n->fqn = proj_yml_fqn(a, pkg->name, yml_path, src);
	val_list_push(n->fqn, val_str(table));
	val_dict_sets(n->config, "enabled", val_bool(true));
	n->source_description = "";
	n->source_meta = val_dict_new(a, 0);
	return n;
}

/*
 * A source table's config as dbt 1.9 composes it (SourcePatcher._generate_source_config):
 * dbt_project.yml's `sources:` along the table's fqn (project, folders, source, table), then the
 * source's `config:` updated by the table's, merged over it (tags add up, meta merges). So
 * `enabled: false` in either place disables the table: it goes to the manifest's `disabled`, its
 * tests are disabled, and a model that reads it is an error. Freshness merges on its own
 * (freshness.c); the project's applies when the properties file sets none.
 */
static void source_config(struct project *p, struct node *n, value source, value table)
{
	struct arena *a = &p->arena;
	value given = val_dict_new(a, 4);
	value blocks[2] = {val_dict_gets(source, "config"), val_dict_gets(table, "config")};
	for (int k = 0; k < 2; k++)
		for (uint32_t i = 0; blocks[k].type == V_DICT && i < blocks[k].d->len; i++)
			if (!val_streq(blocks[k].d->e[i].key, "freshness"))
				val_dict_set(given, blocks[k].d->e[i].key, blocks[k].d->e[i].val);
	value cfg = proj_hierarchy_config(p, n, a);
	proj_config_merge(a, n->unrendered_config, cfg);
	proj_config_merge(a, n->unrendered_config, given);
	proj_config_merge(a, n->config, cfg);
	proj_config_merge(a, n->config, given);
	value project_fresh = val_dict_gets(n->config, "freshness");
	n->freshness = proj_project_freshness(a, proj_source_freshness(a, source, table), project_fresh);
	if (project_fresh.type != V_UNDEF)
		val_dict_del(n->config, val_str("freshness"));
	/* tags set as config join the table's own */
	value ctags = val_dict_gets(n->config, "tags");
	if (ctags.type == V_STR) {
		value l = val_list_new(a, 1);
		val_list_push(l, ctags);
		ctags = l;
	}
	for (uint32_t i = 0; ctags.type == V_LIST && i < ctags.l->len; i++) {
		bool seen = false;
		for (uint32_t j = 0; j < n->tags.l->len && !seen; j++)
			seen = val_eq(n->tags.l->items[j], ctags.l->items[i]);
		if (!seen)
			val_list_push(n->tags, ctags.l->items[i]);
	}
	val_dict_sets(n->config, "tags", n->tags);
}

/* Renders a YAML string that holds Jinja ({{ target.schema }}, {{ env_var(...) }}) */
static int render_opt(struct project *p, const struct package *pkg, value dict, const char *key, const char **pout,
		      struct diag_list *dl)
{
	if (!*pout || (!strstr(*pout, "{{") && !strstr(*pout, "{%")))
		return 0;
	struct proj_render r = {.proj = p, .package = pkg->name, .arena = &p->arena, .dl = dl};
	return p->hooks->render_string(&r, "schema.yml", *pout, yml_val_loc(dict, key), pout);
}

static int load_sources(struct project *p, struct nodes_builder *nb, value doc, const struct package *pkg,
			const char *yml_path, uint32_t file, struct diag_list *dl)
{
	value list;
	if (yml_list(doc, "sources", false, &list, dl) < 0)
		return -1;
	if (list.type != V_LIST)
		return 0;
	int rc = 0;
	for (uint32_t i = 0; i < list.l->len; i++) {
		value s = list.l->items[i];
		if (s.type != V_DICT) {
			diag_error(dl, yml_item_loc(list, i), "each source must be a mapping with a 'name'");
			rc = -1;
			continue;
		}
		const char *name = NULL, *desc = "", *db = NULL, *schema = NULL, *loader = "";
		if (yml_str(s, "name", NULL, &name, dl) || yml_str(s, "description", "", &desc, dl) ||
		    yml_str(s, "database", NULL, &db, dl) || yml_str(s, "schema", NULL, &schema, dl) ||
		    yml_str(s, "loader", "", &loader, dl)) {
			rc = -1;
			continue;
		}
		if (!name) {
			diag_error(dl, s.d->loc, "this source has no 'name'");
			rc = -1;
			continue;
		}
		if (render_opt(p, pkg, s, "schema", &schema, dl) || render_opt(p, pkg, s, "database", &db, dl)) {
			rc = -1;
			continue;
		}
		value tables;
		if (yml_list(s, "tables", false, &tables, dl) < 0) {
			rc = -1;
			continue;
		}
		value smeta = val_dict_gets(s, "meta");
		value stags;
		if (yml_str_or_list(&p->arena, s, "tags", &stags, dl) < 0) {
			rc = -1;
			continue;
		}
		for (uint32_t j = 0; tables.type == V_LIST && j < tables.l->len; j++) {
			value t = tables.l->items[j];
			const char *tname = NULL, *tdesc = "", *ident = NULL;
			if (t.type != V_DICT) {
				diag_error(dl, yml_item_loc(tables, j), "each table of a source must be a mapping with a 'name'");
				rc = -1;
				continue;
			}
			if (yml_str(t, "name", NULL, &tname, dl) || yml_str(t, "description", "", &tdesc, dl) ||
			    yml_str(t, "identifier", NULL, &ident, dl) || render_opt(p, pkg, t, "identifier", &ident, dl)) {
				rc = -1;
				continue;
			}
			if (!tname) {
				diag_error(dl, t.d->loc, "this table of source '%s' has no 'name'", name);
				rc = -1;
				continue;
			}
			struct node *n = new_source(p, pkg, yml_path, file, name, tname);
			/* declared once a package: another package may declare its own (dbt's unique_id
			 * names the package) */
			const char *key = proj_source_key(&p->arena, pkg->name, name, tname);
			if (map_gets(&p->sources_by_name, key)) {
				struct diag *d = diag_error(dl, yml_val_loc(t, "name"), "source table '%s.%s' is declared twice",
							    name, tname);
				diag_hint(dl, d, "remove one of the declarations");
				rc = -1;
				continue;
			}
			n->yaml_loc = t.d->loc;
			n->description = tdesc;
			n->source_description = desc;
			n->loader = loader;
			n->database = db ? db : p->target.database;
			n->schema = schema ? schema : name;
			n->alias = ident ? ident : tname;
			n->patch_path = NULL;
			if (smeta.type == V_DICT)
				n->source_meta = smeta;
			value tmeta = val_dict_gets(t, "meta");
			if (tmeta.type == V_DICT)
				n->meta = tmeta;
			value ttags;
			if (yml_str_or_list(&p->arena, t, "tags", &ttags, dl) < 0) {
				rc = -1;
				continue;
			}
			for (uint32_t k = 0; k < stags.l->len; k++)
				val_list_push(n->tags, stags.l->items[k]);
			for (uint32_t k = 0; k < ttags.l->len; k++)
				val_list_push(n->tags, ttags.l->items[k]);
			source_config(p, n, s, t);
			value loaded_at = proj_source_loaded_at_field(s, t);
			if (loaded_at.type != V_NONE)
				val_dict_sets(n->config, "loaded_at_field", loaded_at);
			rc |= columns_of(p, nb, t, &n->columns, pkg->name, yml_path, file, NODE_SOURCE, name, tname, dl);
			rc |= proj_add_tests(nb, p, t, pkg->name, yml_path, file, NODE_SOURCE, name, tname, NULL, dl);
			map_puts(&p->sources_by_name, key, n);
			proj_add_node(nb, n);
		}
	}
	return rc;
}

/*
 * Snapshots defined in YAML (dbt 1.9): a `snapshots:` entry with `relation:` (ref(...) or
 * source(...)) is a snapshot of that relation; its config comes with it, like any patch.
 */
static int yaml_snapshots(struct project *p, struct nodes_builder *nb, value doc, const struct package *pkg,
			  const char *yml_path, uint32_t file, struct diag_list *dl)
{
	value list = val_dict_gets(doc, "snapshots");
	if (list.type != V_LIST)
		return 0;
	int rc = 0;
	for (uint32_t i = 0; i < list.l->len; i++) {
		value e = list.l->items[i];
		const char *name = NULL, *relation = NULL;
		if (e.type != V_DICT || val_dict_gets(e, "relation").type == V_UNDEF)
			continue;
		if (yml_str(e, "name", NULL, &name, dl) < 0 || yml_str(e, "relation", NULL, &relation, dl) < 0 || !name) {
			diag_error(dl, e.d->loc, "a snapshot defined in YAML needs a 'name' and a 'relation'");
			rc = -1;
			continue;
		}
		struct arena *a = &p->arena;
		struct node *n = proj_node_new(a, NODE_SNAPSHOT, pkg->name, name);
		n->original_file_path = yml_path;
		n->path = yml_path;
		/* the relation is an expression: select everything from it */
		n->raw_code = arena_sprintf(a, "select * from {{ %s }}", relation);
		n->raw_len = strlen(n->raw_code);
		n->file = diag_file_add(yml_path, n->raw_code, n->raw_len);
		n->fqn = proj_yml_fqn(a, pkg->name, yml_path, name);
		n->yaml_loc = e.d->loc;
		proj_add_node(nb, n);
	}
	(void)file;
	return rc;
}

/* groups: [{name, owner: {name, email, ...}}], as the manifest's group entries */
static int load_groups(struct project *p, value doc, const struct package *pkg, const char *rel,
		       struct diag_list *dl)
{
	value list;
	if (yml_list(doc, "groups", false, &list, dl) < 0)
		return -1;
	int rc = 0;
	for (uint32_t i = 0; list.type == V_LIST && i < list.l->len; i++) {
		value g = list.l->items[i];
		const char *name = NULL;
		if (g.type != V_DICT || yml_str(g, "name", NULL, &name, dl) < 0 || !name) {
			struct diag *d = diag_error(dl, yml_item_loc(list, i), "a group needs a 'name' and an 'owner'");
			diag_hint(dl, d, "write e.g. '- {name: finance, owner: {name: Ana, email: ana@example.com}}'");
			rc = -1;
			continue;
		}
		value owner = val_dict_gets(g, "owner");
		if (owner.type != V_DICT || (val_dict_gets(owner, "name").type != V_STR &&
					      val_dict_gets(owner, "email").type != V_STR)) {
			struct diag *d = diag_error(dl, g.d->loc, "group '%s' needs an owner with a name or an email", name);
			diag_hint(dl, d, "add 'owner: {name: ..., email: ...}'");
			rc = -1;
			continue;
		}
		struct arena *a = &p->arena;
		const char *uid = arena_sprintf(a, "group.%s.%s", pkg->name, name);
		if (val_dict_gets(p->groups, uid).type != V_UNDEF) {
			diag_error(dl, g.d->loc, "group '%s' is defined twice", name);
			rc = -1;
			continue;
		}
		value e = val_dict_new(a, 8);
		val_dict_sets(e, "name", val_str(name));
		val_dict_sets(e, "resource_type", val_str("group"));
		val_dict_sets(e, "package_name", val_str(pkg->name));
		/* the path below the resource folder, as dbt writes it */
		const char *slash = strchr(rel, '/');
		val_dict_sets(e, "path", val_str(slash ? slash + 1 : rel));
		val_dict_sets(e, "original_file_path", val_str(rel));
		val_dict_sets(e, "unique_id", val_str(uid));
		value o = val_dict_new(a, 2);
		val_dict_sets(o, "email", val_dict_gets(owner, "email").type == V_STR ? val_dict_gets(owner, "email") : val_none());
		val_dict_sets(o, "name", val_dict_gets(owner, "name").type == V_STR ? val_dict_gets(owner, "name") : val_none());
		for (uint32_t k = 0; k < owner.d->len; k++)
			if (!val_streq(owner.d->e[k].key, "name") && !val_streq(owner.d->e[k].key, "email"))
				val_dict_set(o, owner.d->e[k].key, owner.d->e[k].val);
		val_dict_sets(e, "owner", o);
		e.d->loc = g.d->loc;
		val_dict_sets(p->groups, uid, e);
	}
	return rc;
}

/* ---- rendering: the strings of a properties file's entries are Jinja, rendered natively when the
 * file is read, as dbt's schema renderer does, but for what is rendered later: descriptions, tests
 * (their arguments at compile time, their configs when the test is built), the hooks of config ---- */

#define MAX_KEYPATH 16

struct keypath {
	value k[MAX_KEYPATH];
	int n;
};

static bool kp_is(const struct keypath *kp, int i, const char *s)
{
	return i < kp->n && kp->k[i].type == V_STR && val_streq(kp->k[i], s);
}

static bool kp_in(const struct keypath *kp, int i, const char *const *set)
{
	for (const char *const *x = set; *x; x++)
		if (kp_is(kp, i, *x))
			return true;
	return false;
}

/* dbt's rule for what is left unrendered, on the part of the keypath from `from` */
static bool norender(const struct keypath *full, int from)
{
	static const char *const later[] = {"tests", "data_tests", "description", NULL};
	static const char *const hooks[] = {"pre_hook", "post_hook", NULL};
	static const char *const colkinds[] = {"columns", "dimensions", "measures", "entities", NULL};
	struct keypath kp = {.n = full->n - from};
	if (kp.n < 0)
		return false;
	for (int i = 0; i < kp.n; i++)
		kp.k[i] = full->k[from + i];
	if (kp.n >= 1 && kp_in(&kp, 0, later))
		return true;
	if (kp.n == 2 && kp_in(&kp, 1, later))
		return true;
	if (kp.n >= 2 && kp_is(&kp, 0, "config") && kp_in(&kp, 1, hooks))
		return true;
	if (kp.n == 5 && kp_is(&kp, 4, "description"))
		return true;
	if (kp.n >= 3 && kp_in(&kp, 0, colkinds) && kp_in(&kp, 2, later))
		return true;
	return false;
}

static bool should_render(const char *section, const struct keypath *kp)
{
	if (kp->n < 1)
		return true;
	if (!strcmp(section, "sources")) {
		if (kp_is(kp, 0, "description"))
			return false;
		if (kp_is(kp, 0, "tables") && norender(kp, 2))
			return false;
		return true;
	}
	if (!strcmp(section, "macros")) {
		if (kp_is(kp, 0, "arguments"))
			return !norender(kp, 1);
		return !norender(kp, 0);
	}
	if (!strcmp(section, "metrics")) {
		if (kp_is(kp, kp->n - 1, "filter") || (kp->n > 1 && kp_is(kp, kp->n - 2, "filter")))
			return false;
		return !norender(kp, 0);
	}
	if (!strcmp(section, "saved_queries")) {
		if (kp_is(kp, 0, "query_params") && kp_is(kp, 1, "where"))
			return false;
		return !norender(kp, 0);
	}
	return !norender(kp, 0);
}

static bool has_jinja(value v)
{
	return v.type == V_STR && (memchr(v.s, '{', v.len) != NULL) &&
	       (strstr(v.s, "{{") || strstr(v.s, "{%") || strstr(v.s, "{#"));
}

static int render_node(struct proj_render *r, const char *section, const char *fname, value *pv, struct loc where,
		       struct keypath *kp)
{
	value v = *pv;
	if (has_jinja(v)) {
		if (!should_render(section, kp))
			return 0;
		if (r->proj->hooks->render_native(r, fname, val_cstr(r->arena, v), where, pv) < 0)
			return -1;
		/* strings here are read as C strings later: a NUL-terminated copy */
		if (pv->type == V_STR)
			*pv = val_str_dup(r->arena, pv->s, pv->len);
		return 0;
	}
	if (kp->n >= MAX_KEYPATH)
		return 0;
	int rc = 0;
	if (v.type == V_DICT) {
		for (uint32_t i = 0; i < v.d->len; i++) {
			kp->k[kp->n++] = v.d->e[i].key;
			struct loc l = v.d->vallocs ? v.d->vallocs[i] : where;
			rc |= render_node(r, section, fname, &v.d->e[i].val, l, kp);
			kp->n--;
		}
	} else if (v.type == V_LIST) {
		for (uint32_t i = 0; i < v.l->len; i++) {
			kp->k[kp->n++] = val_int(i);
			struct loc l = v.l->locs ? v.l->locs[i] : where;
			rc |= render_node(r, section, fname, &v.l->items[i], l, kp);
			kp->n--;
		}
	}
	return rc;
}

/* Renders each entry of the file's sections in place */
static int render_properties(struct project *p, const struct package *pkg, value doc, const char *fname,
			     struct diag_list *dl)
{
	static const char *const sections[] = {"models", "seeds", "snapshots", "analyses", "sources", "macros",
					       "unit_tests", "exposures", "groups", "metrics", "semantic_models",
					       "saved_queries", NULL};
	struct proj_render r = {.proj = p, .package = pkg->name, .arena = &p->arena, .dl = dl};
	int rc = 0;
	for (const char *const *sec = sections; *sec; sec++) {
		value list = val_dict_gets(doc, *sec);
		for (uint32_t i = 0; list.type == V_LIST && i < list.l->len; i++) {
			value e = list.l->items[i];
			if (e.type != V_DICT)
				continue;
			struct keypath kp = {.n = 0};
			rc |= render_node(&r, *sec, fname, &list.l->items[i], e.d->loc, &kp);
		}
	}
	return rc < 0 ? -1 : 0;
}

/*
 * Exposures: the dashboards, notebooks and apps that read the project's models. Each is a node
 * (exposure.pkg.name) in the manifest and the graph, selectable with exposure:name; its
 * depends_on (ref(...), source(...), metric(...)) are rendered at parse time to record its
 * parents. Its type, owner, label, maturity and url live in its config for the artifacts.
 */
static int load_exposures(struct project *p, struct nodes_builder *nb, value doc, const struct package *pkg,
			  const char *yml_path, uint32_t file, struct diag_list *dl)
{
	value list;
	if (yml_list(doc, "exposures", false, &list, dl) < 0)
		return -1;
	if (list.type != V_LIST)
		return 0;
	struct arena *a = &p->arena;
	int rc = 0;
	for (uint32_t i = 0; i < list.l->len; i++) {
		const char *name, *desc = "";
		value e = named_entry(list, i, "exposure", &name, dl);
		if (e.type == V_UNDEF || yml_str(e, "description", "", &desc, dl) < 0) {
			rc = -1;
			continue;
		}
		value type = val_dict_gets(e, "type"), owner = val_dict_gets(e, "owner");
		if (type.type != V_STR) {
			struct diag *d = diag_error(dl, type.type == V_UNDEF ? e.d->loc : yml_val_loc(e, "type"),
						    "exposure '%s' needs a 'type'", name);
			diag_hint(dl, d, "one of dashboard, notebook, analysis, ml, application");
			rc = -1;
			continue;
		}
		if (owner.type != V_DICT) {
			struct diag *d = diag_error(dl, owner.type == V_UNDEF ? e.d->loc : yml_val_loc(e, "owner"),
						    "exposure '%s' needs an 'owner' with a name or an email", name);
			diag_hint(dl, d, "write e.g. 'owner: {name: Ana, email: ana@example.com}'");
			rc = -1;
			continue;
		}
		struct node *n = proj_node_new(a, NODE_EXPOSURE, pkg->name, name);
		n->original_file_path = yml_path;
		n->path = yml_path;
		n->file = file;
		n->raw_code = "";
		n->yaml_loc = e.d->loc;
		n->description = desc;
		n->fqn = proj_yml_fqn(a, pkg->name, yml_path, name);
		static const char *const keys[] = {"type", "owner", "label", "maturity", "url", NULL};
		for (const char *const *k = keys; *k; k++) {
			value v = val_dict_gets(e, *k);
			if (v.type != V_UNDEF)
				val_dict_sets(n->config, *k, v);
		}
		value meta = val_dict_gets(e, "meta");
		if (meta.type == V_DICT)
			n->meta = meta;
		value tags;
		if (yml_str_or_list(a, e, "tags", &tags, dl) < 0) {
			rc = -1;
			continue;
		}
		value cfg = val_dict_gets(e, "config");
		value enabled = cfg.type == V_DICT ? val_dict_gets(cfg, "enabled") : val_undef();
		if (enabled.type == V_UNDEF)
			enabled = val_dict_gets(e, "enabled");
		/* dbt_project.yml's exposures: along the fqn comes first, the properties file over it
		 * (SchemaParser._generate_exposure_config) */
		value project = proj_hierarchy_config(p, n, a);
		proj_config_merge(a, n->unrendered_config, project);
		if (cfg.type == V_DICT)
			proj_config_merge(a, n->unrendered_config, cfg);
		if (enabled.type == V_UNDEF)
			enabled = val_dict_gets(project, "enabled");
		n->enabled = enabled.type == V_UNDEF || val_truthy(enabled);
		val_dict_sets(n->config, "enabled", val_bool(n->enabled));
		value ctags = cfg.type == V_DICT ? val_dict_gets(cfg, "tags") : val_undef();
		for (uint32_t k = 0; tags.type == V_LIST && k < tags.l->len; k++)
			val_list_push(n->tags, tags.l->items[k]);
		if (ctags.type == V_STR)
			val_list_push(n->tags, ctags);
		for (uint32_t k = 0; ctags.type == V_LIST && k < ctags.l->len; k++)
			val_list_push(n->tags, ctags.l->items[k]);
		val_dict_sets(n->config, "tags", n->tags);
		value deps = val_dict_gets(e, "depends_on");
		struct proj_render r = {.proj = p, .node = n, .arena = a, .keep = a, .dl = dl};
		for (uint32_t k = 0; deps.type == V_LIST && k < deps.l->len; k++) {
			value d = deps.l->items[k];
			if (d.type != V_STR) {
				diag_error(dl, yml_item_loc(deps, k), "each depends_on of an exposure is ref(...), source(...) or metric(...)");
				rc = -1;
				continue;
			}
			const char *text = strstr(d.s, "{{") ? d.s : arena_sprintf(a, "{{ %s }}", d.s);
			const char *out;
			uint32_t nrefs = n->nrefs, nsources = n->nsources;
			if (p->hooks->render_string(&r, yml_path, text, yml_item_loc(deps, k), &out) < 0)
				rc = -1;
			/* what it names is at the item in the properties file, not in the rendered string */
			for (uint32_t j = nrefs; j < n->nrefs; j++)
				n->refs[j].loc = yml_item_loc(deps, k);
			for (uint32_t j = nsources; j < n->nsources; j++)
				n->sources[j].loc = yml_item_loc(deps, k);
		}
		proj_add_node(nb, n);
	}
	return rc;
}

/* dbt's MacroArgument: {name, type, description}, the defaults filled */
static int macro_arguments(struct project *p, value entry, value *pout, struct diag_list *dl)
{
	value args;
	*pout = val_list_new(&p->arena, 0);
	if (yml_list(entry, "arguments", false, &args, dl) < 0)
		return -1;
	for (uint32_t i = 0; args.type == V_LIST && i < args.l->len; i++) {
		value a = args.l->items[i];
		const char *name = NULL, *type = NULL, *desc = "";
		if (a.type != V_DICT) {
			diag_error(dl, yml_item_loc(args, i), "each argument of a macro must be a mapping with a 'name'");
			return -1;
		}
		if (yml_str(a, "name", NULL, &name, dl) < 0 || yml_str(a, "type", NULL, &type, dl) < 0 ||
		    yml_str(a, "description", "", &desc, dl) < 0)
			return -1;
		if (!name) {
			diag_error(dl, a.d->loc, "this argument of a macro has no 'name'");
			return -1;
		}
		value d = val_dict_new(&p->arena, 3);
		val_dict_sets(d, "name", val_str(name));
		val_dict_sets(d, "type", type ? val_str(type) : val_none());
		val_dict_sets(d, "description", val_str(desc));
		val_list_push(*pout, d);
	}
	return 0;
}

/*
 * macros: entries describe the package's own macros, as dbt's MacroPatchParser does: description,
 * arguments, meta and docs, and the patch_path "pkg://file". An entry for a macro the package does
 * not define is a warning; a macro described twice, an error.
 */
static int load_macro_patches(struct project *p, value doc, const struct package *pkg, const char *rel,
			      struct diag_list *dl)
{
	value macros;
	if (yml_list(doc, "macros", false, &macros, dl) < 0)
		return -1;
	int rc = 0;
	for (uint32_t i = 0; macros.type == V_LIST && i < macros.l->len; i++) {
		const char *name, *desc = "";
		value e = named_entry(macros, i, "entry of 'macros'", &name, dl);
		if (e.type == V_UNDEF || yml_str(e, "description", "", &desc, dl) < 0) {
			rc = -1;
			continue;
		}
		struct macro_def *m = NULL;
		for (size_t j = 0; j < p->nmacros && !m; j++)
			if (!strcmp(p->macros[j]->name, name) && !strcmp(p->macros[j]->package, pkg->name))
				m = p->macros[j];
		if (!m) {
			struct diag *d = diag_warn(dl, yml_val_loc(e, "name"), "Found patch for macro \"%s\" which was not found",
						   name);
			diag_hint(dl, d, "check the name: package '%s' defines no macro of that name", pkg->name);
			continue;
		}
		const char *patch_path = arena_sprintf(&p->arena, "%s://%s", pkg->name, rel);
		if (m->patch_path) {
			struct diag *d = diag_error(dl, yml_val_loc(e, "name"),
						    "dbt found two schema.yml entries for the same macro in package %s named "
						    "%s. Macros may only be described a single time.",
						    pkg->name, name);
			diag_hint(dl, d, "remove the entry here or the one in %s", strchr(m->patch_path, ':') + 3);
			rc = -1;
			continue;
		}
		value args, meta, docs;
		if (macro_arguments(p, e, &args, dl) < 0 || yml_dict(e, "meta", &meta, dl) < 0 ||
		    yml_dict(e, "docs", &docs, dl) < 0) {
			rc = -1;
			continue;
		}
		m->patch_path = patch_path;
		m->yaml_loc = e.d->loc;
		m->description = desc;
		m->arguments = args;
		if (meta.type == V_DICT)
			m->meta = meta;
		if (docs.type == V_DICT)
			m->docs = docs;
	}
	return rc;
}

static const char *const top_keys[] = {"version", "models", "sources", "seeds", "snapshots",
				       "macros", "exposures", "metrics", "analyses", "semantic_models",
				       "saved_queries", "unit_tests", "groups", "data_tests", NULL};

/* A properties file: read and parsed on the parsing threads, then processed in file order */
struct yml_file {
	const struct package *pkg;
	const char *rel;
	uint32_t file;
	value doc;
	int rc;
};

struct yml_job {
	struct project *p;
	struct yml_file *files;
	struct diag_list *dl;
};

static int parse_yml_item(void *ctx, size_t i, struct arena *a)
{
	struct yml_job *job = ctx;
	struct yml_file *y = &job->files[i];
	char *abs = fs_join(a, y->pkg->root, y->rel);
	size_t len = 0;
	char *text = fs_read(a, abs, &len);
	if (!text) {
		diag_error(job->dl, LOC_NONE, "cannot read '%s': %s", y->pkg->is_root ? y->rel : abs, strerror(errno));
		return y->rc = -1;
	}
	y->file = diag_file_add(y->pkg->is_root ? y->rel : abs, text, len);
	return y->rc = val_from_yaml(a, y->file, text, len, &y->doc, job->dl);
}

static int load_yml(struct project *p, struct nodes_builder *nb, struct yml_file *y, struct diag_list *dl)
{
	const struct package *pkg = y->pkg;
	const char *rel = y->rel;
	uint32_t file = y->file;
	value doc = y->doc;
	if (y->rc < 0)
		return -1;
	if (doc.type == V_NONE)
		return 0;
	if (doc.type != V_DICT) {
		diag_error(dl, loc_at(file, 1, 1, 1), "a properties file must be a mapping (version: 2, models: ...)");
		return -1;
	}
	/* what the file holds, for a partial parse to tell whether it may parse the file again alone */
	value keys = val_list_new(&p->arena, doc.d->len);
	for (uint32_t i = 0; i < doc.d->len; i++)
		val_list_push(keys, doc.d->e[i].key);
	val_dict_set(p->properties_files, val_str(fs_join(&p->arena, pkg->root, rel)), keys);
	for (uint32_t i = 0; i < doc.d->len; i++) {
		value k = doc.d->e[i].key;
		bool known = false;
		for (const char *const *t = top_keys; *t && !known; t++)
			known = val_streq(k, *t);
		if (!known) {
			struct diag *d = diag_warn(dl, doc.d->keylocs[i], "unknown key '%s' in a properties file",
						   k.type == V_STR ? k.s : "?");
			diag_hint(dl, d, "it is ignored; known keys are models, sources, seeds, snapshots, macros, exposures");
		}
	}
	if (render_properties(p, pkg, doc, pkg->is_root ? rel : fs_join(&p->arena, pkg->root, rel), dl) < 0)
		return -1;
	int rc = 0;
	rc |= load_model_patches(p, nb, doc, "models", pkg, rel, file, dl);
	rc |= load_model_patches(p, nb, doc, "seeds", pkg, rel, file, dl);
	rc |= yaml_snapshots(p, nb, doc, pkg, rel, file, dl);
	rc |= load_model_patches(p, nb, doc, "snapshots", pkg, rel, file, dl);
	rc |= load_model_patches(p, nb, doc, "analyses", pkg, rel, file, dl);
	rc |= load_sources(p, nb, doc, pkg, rel, file, dl);
	rc |= load_exposures(p, nb, doc, pkg, rel, file, dl);
	rc |= proj_load_semantic(p, nb, doc, pkg, rel, file, dl);
	rc |= proj_collect_unit_tests(p, nb, doc, pkg, rel, file, dl);
	rc |= load_groups(p, doc, pkg, rel, dl);
	rc |= load_macro_patches(p, doc, pkg, rel, dl);
	return rc;
}

int proj_load_properties_file(struct project *p, struct nodes_builder *nb, const struct package *pkg, const char *rel,
			      const char *const *only, struct diag_list *dl)
{
	if (nb->patches.type != V_DICT)
		nb->patches = val_dict_new(&p->arena, 8);
	struct yml_file y = {pkg, rel, 0, val_none(), 0};
	struct yml_job job = {p, &y, dl};
	if (parse_yml_item(&job, 0, &p->arena) < 0)
		return -1;
	for (uint32_t i = 0; y.doc.type == V_DICT && i < y.doc.d->len; i++) {
		const char *const *k = only;
		while (*k && !val_streq(y.doc.d->e[i].key, *k))
			k++;
		if (!*k)
			return 1;
	}
	return load_yml(p, nb, &y, dl);
}

int proj_load_schema_files(struct project *p, struct nodes_builder *nb, struct diag_list *dl)
{
	static const char *const ymlext[] = {".yml", ".yaml", NULL};
	nb->patches = val_dict_new(&p->arena, 64);
	VEC(struct yml_file) files = {0};
	for (size_t i = 0; i < p->npackages; i++) {
		const struct package *pkg = &p->packages[i];
		value all[] = {p->model_paths, p->seed_paths, p->snapshot_paths, p->analysis_paths, p->macro_paths};
		for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
			value paths = all[k];
			if (!pkg->is_root) {
				static const char *const keys[] = {"model-paths", "seed-paths", "snapshot-paths", "analysis-paths", "macro-paths"};
				static const char *const dflt[] = {"models", "seeds", "snapshots", "analyses", "macros"};
				paths = val_dict_gets(pkg->project_yml, keys[k]);
				if (paths.type != V_LIST) {
					paths = val_list_new(&p->arena, 1);
					val_list_push(paths, val_str(dflt[k]));
				}
			}
			for (uint32_t j = 0; j < paths.l->len; j++) {
				const char *dir = paths.l->items[j].s;
				char **names;
				size_t n;
				if (fs_list(&p->arena, fs_join(&p->arena, pkg->root, dir), ymlext, &names, &n) < 0)
					continue;
				for (size_t f = 0; f < n; f++) {
					struct yml_file y = {pkg, fs_join(&p->arena, dir, names[f]), 0, val_none(), 0};
					VEC_PUSH(&files, y);
				}
			}
		}
	}
	struct yml_job job = {p, files.v, dl};
	struct diag *before = dl->tail;
	(void)proj_parallel(p, files.n, parse_yml_item, &job);
	proj_sort_diags(dl, before);
	int rc = 0;
	for (size_t i = 0; i < files.n; i++)
		rc |= load_yml(p, nb, &files.v[i], dl);
	VEC_FREE(&files);
	return rc;
}
