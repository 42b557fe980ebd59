/*
 * Resolving a parsed project: ref() and source() calls become dependencies (an unknown name is an
 * error at the call, with a suggestion), and every node that builds a relation gets its database,
 * schema and alias from the generate_database_name / generate_schema_name / generate_alias_name
 * macros, which a project may override.
 */
#include <stdio.h>
#include <string.h>

#include "core/sb.h"
#include "core/suggest.h"
#include "jinja/jinja.h"
#include "project/load_internal.h"
#include "project/semantic.h"

static const char *closest(struct project *p, const char *name, bool sources)
{
	const char *best = NULL;
	size_t bestd = suggest_max_distance(name) + 1;
	for (size_t i = 0; i < p->nnodes; i++) {
		struct node *n = p->nodes[i];
		if (sources != (n->type == NODE_SOURCE))
			continue;
		if (!sources && n->type != NODE_MODEL && n->type != NODE_SEED && n->type != NODE_SNAPSHOT)
			continue;
		const char *cand = sources ? arena_sprintf(&p->arena, "%s.%s", n->source_name, n->name) : n->name;
		size_t d = suggest_distance(name, cand);
		if (d < bestd) {
			bestd = d;
			best = cand;
		}
	}
	return best;
}

static void add_dep(struct project *p, struct node *n, struct node *dep)
{
	for (uint32_t i = 0; i < n->ndeps; i++)
		if (n->deps[i] == dep->index)
			return;
	n->deps = arena_realloc(&p->arena, n->deps, n->ndeps * sizeof(uint32_t), (n->ndeps + 1) * sizeof(uint32_t));
	n->deps[n->ndeps++] = dep->index;
}

static const char *describe(struct node *n)
{
	return n->type == NODE_TEST && n->test_metadata.type == V_DICT ? "test" : node_type_name(n->type);
}

/* A test whose target is missing or disabled is itself disabled with a warning, as dbt 1.9 does
 * (NodeNotFoundOrDisabled): a properties file may describe a model another target leaves out.
 * A model that is disabled is said in the log alone: dbt's _process_refs fires that event at its
 * debug level (should_warn_if_disabled=False), as packages disable models by the dozen */
static void disable_test(struct project *p, struct node *n, struct loc at, const char *kind, const char *target,
			 bool disabled, struct diag_list *dl)
{
	if (disabled && !strcmp(kind, "node")) {
		if (p->debug_notes.type != V_LIST)
			p->debug_notes = val_list_new(&p->arena, 4);
		val_list_push(p->debug_notes,
			      val_str_fmt(&p->arena, "Test '%s' (%s) depends on a node named '%s' which is disabled",
					  n->unique_id, n->original_file_path, target));
	} else
		diag_warn(dl, at, "Test '%s' (%s) depends on a %s named '%s' which %s", n->unique_id,
			  n->original_file_path, kind, target, disabled ? "is disabled" : "was not found");
	n->enabled = false;
	proj_own_config(n, &p->arena);
	if (n->config.type == V_DICT)
		val_dict_sets(n->config, "enabled", val_bool(false));
}

static const char *cfg_str(struct node *n, const char *key)
{
	value v = val_dict_gets(n->config, key);
	return v.type == V_STR ? v.s : NULL;
}

/* Whether the package restricts access to its protected models (restrict-access: true) */
static bool restricts_access(struct project *p, const char *package)
{
	for (size_t i = 0; i < p->npackages; i++)
		if (!strcmp(p->packages[i].name, package))
			return val_truthy(val_dict_gets(p->packages[i].project_yml, "restrict-access"));
	return false;
}

/*
 * dbt's access rules for a ref() to a model: a private model only from its own group, a protected
 * one only from its own package when that package restricts access. Tests of a model and unit
 * tests are not held to them. Returns false after adding dbt's error.
 */
static bool forbidden_ref(struct project *p, struct node *n, struct node *dep, struct loc at, struct diag_list *dl)
{
	if (n->type == NODE_TEST || n->type == NODE_UNIT_TEST || n->type == NODE_OPERATION)
		return true;
	const char *access = cfg_str(dep, "access");
	if (!access)
		access = "protected";
	const char *group = cfg_str(dep, "group"), *own = cfg_str(n, "group");
	bool other_pkg = strcmp(n->package, dep->package) != 0;
	bool restrict_pkg = restricts_access(p, dep->package);
	const char *scope = NULL, *scope_type = NULL;
	if (!strcmp(access, "private") && (!own || !group || strcmp(own, group) || (other_pkg && restrict_pkg))) {
		scope = group ? group : "None";
		scope_type = "group";
	} else if (!strcmp(access, "protected") && other_pkg && restrict_pkg) {
		scope = dep->package;
		scope_type = "package";
	}
	if (!scope)
		return true;
	struct diag *d = diag_error(dl, at,
				    "Node %s attempted to reference node %s, which is not allowed because the referenced "
				    "node is %s to the '%s' %s.",
				    n->unique_id, dep->unique_id, access, scope, scope_type);
	if (!strcmp(scope_type, "group"))
		diag_hint(dl, d, "put %s '%s' in group '%s' (config: {group: %s}), or make '%s' public or protected",
			  describe(n), n->name, scope, scope, dep->name);
	else
		diag_hint(dl, d, "make '%s' public (access: public) to let other packages use it", dep->name);
	return false;
}

static int resolve_deps(struct project *p, struct node *n, struct diag_list *dl)
{
	int rc = 0;
	bool is_test = n->type == NODE_TEST;
	for (uint32_t i = 0; i < n->nrefs && n->enabled; i++) {
		struct ref_call *r = &n->refs[i];
		struct node *dep = proj_ref_version(p, r->package, r->name, r->version);
		if (is_test && (!dep || !dep->enabled)) {
			disable_test(p, n, r->loc, "node",
				     r->package ? arena_sprintf(&p->arena, "%s.%s", r->package, r->name) : r->name,
				     dep != NULL, dl);
			break;
		}
		if (!dep) {
			struct diag *d = diag_error(dl, r->loc, "%s '%s' depends on a node named '%s%s%s'%s%s%s which was not found",
						    describe(n), n->name, r->package ? r->package : "",
						    r->package ? "." : "", r->name, r->version ? " with version '" : "",
						    r->version ? r->version : "", r->version ? "'" : "");
			const char *s = closest(p, r->name, false);
			if (s)
				diag_hint(dl, d, "did you mean '%s'?", s);
			else
				diag_hint(dl, d, "create models/%s.sql, or fix the name in ref()", r->name);
			rc = -1;
			continue;
		}
		if (!dep->enabled && n->enabled) {
			struct diag *d = diag_error(dl, r->loc, "%s '%s' depends on '%s', which is disabled",
						    describe(n), n->name, r->name);
			diag_hint(dl, d, "enable '%s' or disable this %s too", r->name, describe(n));
			rc = -1;
			continue;
		}
		if (dep->type == NODE_MODEL && !forbidden_ref(p, n, dep, r->loc, dl))
			rc = -1;
		add_dep(p, n, dep);
	}
	for (uint32_t i = 0; i < n->nsources && n->enabled; i++) {
		struct source_call *s = &n->sources[i];
		struct node *dep = proj_source_from(p, n->package, s->source, s->table);
		if (is_test && (!dep || !dep->enabled)) {
			disable_test(p, n, s->loc, "source", arena_sprintf(&p->arena, "%s.%s", s->source, s->table),
				     dep != NULL, dl);
			break;
		}
		if (!dep) {
			struct diag *d = diag_error(dl, s->loc, "%s '%s' depends on a source named '%s.%s' which was not found",
						    describe(n), n->name, s->source, s->table);
			char want[512];
			snprintf(want, sizeof(want), "%s.%s", s->source, s->table);
			const char *c = closest(p, want, true);
			if (c)
				diag_hint(dl, d, "did you mean '%s'?", c);
			else
				diag_hint(dl, d, "declare it under 'sources:' in a properties file (schema.yml)");
			rc = -1;
			continue;
		}
		/* dbt's TargetNotFoundError (_process_sources_for_node) */
		if (!dep->enabled) {
			struct diag *d = diag_error(dl, s->loc, "%s '%s' depends on a source named '%s.%s' which is disabled",
						    describe(n), n->name, s->source, s->table);
			diag_hint(dl, d, "enable the source table (its config, or dbt_project.yml's sources:) or disable this %s too",
				  describe(n));
			rc = -1;
			continue;
		}
		add_dep(p, n, dep);
	}
	if (!n->enabled)
		n->ndeps = 0;
	return rc;
}

int proj_resolve_node_deps(struct project *p, struct node *n, struct diag_list *dl)
{
	n->ndeps = 0;
	return resolve_deps(p, n, dl);
}

static const char *call_name_macro(struct project *p, struct node *n, const char *macro, const char *cfgkey,
				   struct arena *scratch, struct diag_list *dl, int *prc)
{
	value custom = val_dict_gets(n->config, cfgkey);
	if (custom.type == V_UNDEF)
		custom = val_none();
	struct proj_render r = {.proj = p, .node = n, .arena = scratch, .dl = dl};
	value node_v = val_dict_new(scratch, 8);
	val_dict_sets(node_v, "name", val_str(n->name));
	val_dict_sets(node_v, "resource_type", val_str(node_type_name(n->type)));
	val_dict_sets(node_v, "package_name", val_str(n->package));
	val_dict_sets(node_v, "fqn", n->fqn);
	val_dict_sets(node_v, "config", n->config);
	val_dict_sets(node_v, "path", val_str(n->path));
	val_dict_sets(node_v, "original_file_path", val_str(n->original_file_path));
	val_dict_sets(node_v, "unique_id", val_str(n->unique_id));
	value argv[2] = {custom, node_v};
	struct vargs args = {argv, 2, NULL, NULL, 0};
	value out;
	if (p->hooks->call_macro(&r, macro, &args, &out) < 0) {
		*prc = -1;
		return "";
	}
	struct sb s = SB_INIT;
	if (out.type == V_STR)
		sb_add(&s, out.s, out.len);
	else
		val_str_to(&s, out);
	/* macros return their output with the whitespace around their body */
	size_t b = 0;
	while (b < s.len && (s.buf[b] == ' ' || s.buf[b] == '\n' || s.buf[b] == '\t' || s.buf[b] == '\r'))
		b++;
	sb_rtrim(&s);
	const char *res = arena_strndup(&p->arena, s.buf + b, s.len - b);
	sb_release(&s);
	return res;
}

/* Whether the naming macros are Sluice's built-in ones (no project or package overrides any of
 * them), so their result can be computed without rendering a template for every node */
static bool builtin_naming(struct project *p, const char *what)
{
	const char *type = p->target.type ? p->target.type : "default";
	const char *names[3];
	char a[128], b[128], c[128];
	snprintf(a, sizeof(a), "generate_%s_name", what);
	snprintf(b, sizeof(b), "default__generate_%s_name", what);
	snprintf(c, sizeof(c), "%s__generate_%s_name", type, what);
	names[0] = a;
	names[1] = b;
	names[2] = c;
	value pkgs = p->macros_by_package;
	for (uint32_t i = 0; i < pkgs.d->len; i++) {
		if (val_streq(pkgs.d->e[i].key, "dbt"))
			continue;
		for (int k = 0; k < 3; k++)
			if (val_dict_gets(pkgs.d->e[i].val, names[k]).type != V_UNDEF)
				return false;
	}
	return val_dict_gets(val_dict_gets(pkgs, "dbt"), c).type == V_UNDEF;
}

static const char *trimmed(struct project *p, value v)
{
	struct sb s = SB_INIT;
	val_str_to(&s, v);
	size_t b = 0;
	while (b < s.len && (s.buf[b] == ' ' || s.buf[b] == '\n' || s.buf[b] == '\t' || s.buf[b] == '\r'))
		b++;
	sb_rtrim(&s);
	const char *r = arena_strndup(&p->arena, s.buf + b, s.len - b);
	sb_release(&s);
	return r;
}

/* The results of the built-in default__generate_{database,schema,alias}_name macros */
static const char *builtin_name(struct project *p, struct node *n, const char *what)
{
	value custom = val_dict_gets(n->config, what[0] == 'd' ? "database" : what[0] == 's' ? "schema" : "alias");
	if (what[0] == 'a') {
		if (val_truthy(custom))
			return trimmed(p, custom);
		if (n->version.type == V_UNDEF)
			return n->name;
		/* a version's relation: dim_customers_v2 (a 1.5 is written 1_5) */
		char *v = arena_strdup(&p->arena, proj_version_str(&p->arena, n->version));
		for (char *c = v; *c; c++)
			if (*c == '.')
				*c = '_';
		return arena_sprintf(&p->arena, "%s_v%s", n->name, v);
	}
	const char *dflt = what[0] == 'd' ? p->target.database : p->target.schema;
	if (!dflt)
		dflt = "None";  /* what the macro prints for a missing target value */
	if (custom.type == V_UNDEF || custom.type == V_NONE)
		return dflt;
	if (what[0] == 'd')
		return trimmed(p, custom);
	return arena_sprintf(&p->arena, "%s_%s", dflt, trimmed(p, custom));
}

/* Descriptions may hold Jinja, usually {{ doc('name') }}: rendered once, as dbt does at parse */
static int render_text(struct project *p, struct node *n, const char *name, const char **ptext, struct loc where,
		       struct arena *scratch, struct diag_list *dl)
{
	if (!*ptext || !strstr(*ptext, "{{"))
		return 0;
	struct proj_render r = {.proj = p, .node = n, .arena = scratch, .dl = dl};
	const char *out;
	if (p->hooks->render_string(&r, name, *ptext, where, &out) < 0)
		return -1;
	*ptext = arena_strdup(&p->arena, out);
	return 0;
}

/* An entry (a column, a macro's argument) with its description's Jinja rendered: a copy, since
 * entries may be shared between nodes (a properties entry); the entry itself when there is
 * nothing to render */
static value entry_rendered(struct project *p, struct node *n, const char *name, struct loc where, value e,
			    struct arena *scratch, struct diag_list *dl, int *prc)
{
	value d = val_dict_gets(e, "description");
	if (d.type != V_STR || !strstr(d.s, "{{"))
		return e;
	const char *text = d.s;
	*prc |= render_text(p, n, name, &text, where, scratch, dl);
	value copy = val_dict_new(&p->arena, e.d->len);
	val_dict_merge(&p->arena, copy, e);
	val_dict_sets(copy, "description", val_str(text));
	return copy;
}

/* A described macro's description and its arguments' (dbt's _process_docs_for_macro) */
static int render_macro_descriptions(struct project *p, struct arena *scratch, struct diag_list *dl)
{
	int rc = 0;
	for (size_t i = 0; i < p->nmacros; i++) {
		struct macro_def *m = p->macros[i];
		if (!m->patch_path)
			continue;
		rc |= render_text(p, NULL, m->patch_path, &m->description, m->yaml_loc, scratch, dl);
		for (uint32_t k = 0; m->arguments.type == V_LIST && k < m->arguments.l->len; k++)
			m->arguments.l->items[k] = entry_rendered(p, NULL, m->patch_path, m->yaml_loc, m->arguments.l->items[k],
								  scratch, dl, &rc);
	}
	return rc;
}

static int render_node_descriptions(struct project *p, struct node *n, struct arena *scratch, struct diag_list *dl)
{
	const char *name = n->patch_path ? n->patch_path : n->original_file_path;
	int rc = render_text(p, n, name, &n->description, n->yaml_loc, scratch, dl);
	for (uint32_t k = 0; n->columns.type == V_DICT && k < n->columns.d->len; k++)
		n->columns.d->e[k].val = entry_rendered(p, n, name, n->yaml_loc, n->columns.d->e[k].val, scratch, dl, &rc);
	return rc;
}

/* "db"."schema"."alias" as the engine quotes it: Flink with backticks */
static const char *relation_name(struct project *p, const struct node *n)
{
	char q = p->target.type && (!strcmp(p->target.type, "flink") || !strcmp(p->target.type, "confluent")) ? '`' : '"';
	return arena_sprintf(&p->arena, "%c%s%c.%c%s%c.%c%s%c", q, n->database, q, q, n->schema, q, q, n->alias, q);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Every group a node names is one the project's properties files define */
static int check_groups(struct project *p, struct diag_list *dl)
{
	int rc = 0;
	for (size_t i = 0; i < p->nnodes; i++) {
		struct node *n = p->nodes[i];
		const char *g = n->enabled ? cfg_str(n, "group") : NULL;
		if (!g)
			continue;
		bool found = false;
		for (uint32_t k = 0; k < p->groups.d->len && !found; k++)
			found = val_streq(val_dict_gets(p->groups.d->e[k].val, "name"), g);
		if (found)
			continue;
		const char **names = arena_alloc(&p->arena, (p->groups.d->len + 1) * sizeof(*names));
		for (uint32_t k = 0; k < p->groups.d->len; k++)
			names[k] = val_dict_gets(p->groups.d->e[k].val, "name").s;
		qsort(names, p->groups.d->len, sizeof(*names), cmp_str);
		struct sb s = SB_INIT;
		sb_adds(&s, "[");
		for (uint32_t k = 0; k < p->groups.d->len; k++)
			sb_addf(&s, "%s'%s'", k ? ", " : "", names[k]);
		sb_adds(&s, "]");
		struct loc at = n->yaml_loc;
		if (!at.file)
			at.file = n->file;
		struct diag *d = diag_error(dl, at,
					    "Invalid group '%s', expected one of %s", g, s.buf);
		diag_hint(dl, d, "define it under 'groups:' in a properties file, with a name and an owner");
		sb_release(&s);
		rc = -1;
	}
	return rc;
}

void proj_index_names(struct project *p)
{
	for (size_t i = 0; i < p->nnodes; i++) {
		struct node *n = p->nodes[i];
		/* of the nodes that share a unique_id, the enabled one (proj_index_id's) is the name's */
		if (proj_node(p, n->unique_id) != n)
			continue;
		if (n->type == NODE_MODEL || n->type == NODE_SEED || n->type == NODE_SNAPSHOT || n->type == NODE_ANALYSIS) {
			/* a versioned model: every version by its v, the unpinned name for the latest */
			if (n->version.type != V_UNDEF) {
				const char *v = proj_version_str(&p->arena, n->version);
				map_puts(&p->by_name, arena_sprintf(&p->arena, "%s@%s", n->name, v), n);
				map_puts(&p->by_name, arena_sprintf(&p->arena, "%s.%s@%s", n->package, n->name, v), n);
				if (!val_eq(n->version, n->latest_version))
					continue;
			}
			map_puts(&p->by_name, n->name, n);
			map_puts(&p->by_name, arena_sprintf(&p->arena, "%s.%s", n->package, n->name), n);
		}
	}
}

/* A generic test is attached to the model it tests: the last of its refs (the ones of its
 * arguments come first); a test of a source is attached to nothing */
static void attach_test(struct project *p, struct node *n)
{
	if (n->type != NODE_TEST || n->test_metadata.type != V_DICT || n->nrefs == 0)
		return;
	value model = val_dict_gets(val_dict_gets(n->test_metadata, "kwargs"), "model");
	if (model.type != V_STR || !strstr(model.s, "(ref("))
		return;
	struct ref_call *last = &n->refs[n->nrefs - 1];
	struct node *t = proj_ref_version(p, last->package, last->name, last->version);
	if (t)
		n->attached_node = t->index;
}

/* Which naming macros may be computed without rendering (builtin_naming) */
struct naming {
	bool fast_db, fast_schema, fast_alias;
};

static struct naming naming_of(struct project *p)
{
	return (struct naming){builtin_naming(p, "database"), builtin_naming(p, "schema"), builtin_naming(p, "alias")};
}

/* The node's database, schema, alias and relation name */
static int name_node(struct project *p, struct node *n, struct naming nm, struct arena *scratch, struct diag_list *dl)
{
	int rc = 0;
	if (n->type == NODE_SOURCE) {
		if (!n->database)
			n->database = p->target.database ? p->target.database : p->name;
		n->relation_name = relation_name(p, n);
		return 0;
	}
	if (n->type == NODE_EXPOSURE || n->type == NODE_UNIT_TEST || node_is_semantic(n->type))
		return 0;
	struct arena_mark m = arena_mark(scratch);
	n->database = nm.fast_db ? builtin_name(p, n, "database")
				 : call_name_macro(p, n, "generate_database_name", "database", scratch, dl, &rc);
	n->schema = nm.fast_schema ? builtin_name(p, n, "schema")
				   : call_name_macro(p, n, "generate_schema_name", "schema", scratch, dl, &rc);
	n->alias = nm.fast_alias ? builtin_name(p, n, "alias")
				 : call_name_macro(p, n, "generate_alias_name", "alias", scratch, dl, &rc);
	arena_reset(scratch, m);
	if (n->type == NODE_SNAPSHOT) {
		/* the legacy target_schema / target_database configs name the place verbatim */
		value ts = val_dict_gets(n->config, "target_schema"), td = val_dict_gets(n->config, "target_database");
		if (ts.type == V_STR)
			n->schema = ts.s;
		if (td.type == V_STR)
			n->database = td.s;
	}
	value mat = val_dict_gets(n->config, "materialized");
	bool relational = n->type != NODE_TEST && n->type != NODE_ANALYSIS && n->type != NODE_OPERATION &&
			  !val_streq(mat, "ephemeral");
	if (relational)
		n->relation_name = relation_name(p, n);
	return rc;
}

/* A versioned model named as an unversioned model, seed or snapshot of its package: ref() could
 * not tell them apart (dbt's DuplicateVersionedUnversionedError); each name once */
static int check_versioned_names(struct node *n, struct map *ver, struct map *unver, struct map *told,
				 struct arena *scratch, struct diag_list *dl)
{
	const char *key = arena_sprintf(scratch, "%s.%s", n->package, n->name);
	bool versioned = n->version.type != V_UNDEF;
	map_puts(versioned ? ver : unver, key, n);
	struct node *other = map_gets(versioned ? unver : ver, key);
	if (!other || map_gets(told, key))
		return 0;
	map_puts(told, key, n);
	const struct node *v = versioned ? n : other, *u = versioned ? other : n;
	struct loc at = u->yaml_loc.file ? u->yaml_loc : loc_at(u->file, 1, 1, 0);
	struct diag *d = diag_error(dl, at,
				    "dbt found versioned and unversioned models with the name \"%s\": it would be unable "
				    "to find the right one for ref('%s')",
				    v->name, v->name);
	diag_hint(dl, d, "change the name of the unversioned resource %s (%s), or add it to the versions in %s",
		  u->unique_id, u->original_file_path, v->patch_path ? v->patch_path : v->original_file_path);
	return -1;
}

/*
 * No two resources may build the same relation, as dbt-core's _check_resource_uniqueness checks
 * (its AmbiguousAliasError): enabled models, seeds and snapshots (ephemeral ones too) and tests
 * that store their failures, compared by their quoted "database"."schema"."alias". Nor may a
 * versioned model share its name with an unversioned one.
 */
int proj_check_relations(struct project *p, struct diag_list *dl)
{
	struct map seen = MAP_INIT, ver = MAP_INIT, unver = MAP_INIT, told = MAP_INIT;
	struct arena scratch;
	arena_init(&scratch, 64 * 1024);
	int rc = 0;
	for (size_t i = 0; i < p->nnodes; i++) {
		struct node *n = p->nodes[i];
		bool relational = n->type == NODE_MODEL || n->type == NODE_SEED || n->type == NODE_SNAPSHOT ||
				  (n->type == NODE_TEST && val_truthy(val_dict_gets(n->config, "store_failures")));
		if (!n->enabled || !relational)
			continue;
		if (n->type != NODE_TEST && check_versioned_names(n, &ver, &unver, &told, &scratch, dl) < 0)
			rc = -1;
		if (!n->alias || !n->schema)
			continue;
		const char *name = n->relation_name && n->type != NODE_TEST ? n->relation_name : NULL;
		if (!name) {
			char q = p->target.type && (!strcmp(p->target.type, "flink") || !strcmp(p->target.type, "confluent")) ? '`'
																   : '"';
			name = arena_sprintf(&scratch, "%c%s%c.%c%s%c.%c%s%c", q, n->database ? n->database : "", q, q, n->schema,
					     q, q, n->alias, q);
		}
		struct node *other = map_gets(&seen, name);
		if (!other) {
			map_puts(&seen, name, n);
			continue;
		}
		struct loc at = n->yaml_loc.file ? n->yaml_loc : loc_at(n->file, 1, 1, 0);
		struct diag *d = diag_error(dl, at,
					    "dbt found two resources with the database representation \"%s\". dbt cannot "
					    "create two resources with identical database representations: %s (%s) and %s (%s)",
					    name, other->unique_id, other->original_file_path, n->unique_id,
					    n->original_file_path);
		diag_hint(dl, d, "change the alias, schema or database of one of them");
		rc = -1;
	}
	map_release(&seen);
	map_release(&ver);
	map_release(&unver);
	map_release(&told);
	arena_release(&scratch);
	return rc;
}

int proj_resolve(struct project *p, struct diag_list *dl)
{
	int rc = 0;
	proj_index_names(p);
	rc |= check_groups(p, dl);
	for (size_t i = 0; i < p->nnodes; i++)
		rc |= resolve_deps(p, p->nodes[i], dl);
	if (rc == 0)
		rc = proj_resolve_semantic(p, dl);
	for (size_t i = 0; i < p->nnodes; i++)
		attach_test(p, p->nodes[i]);
	if (rc)
		return rc;
	struct arena scratch;
	arena_init(&scratch, 64 * 1024);
	struct naming nm = naming_of(p);
	for (size_t i = 0; i < p->nnodes && rc == 0; i++)
		rc = name_node(p, p->nodes[i], nm, &scratch, dl);
	if (rc == 0) {
		for (size_t i = 0; i < p->nnodes; i++)
			rc |= render_node_descriptions(p, p->nodes[i], &scratch, dl);
		rc |= render_macro_descriptions(p, &scratch, dl);
	}
	if (rc == 0)
		rc = proj_check_relations(p, dl);
	if (rc == 0)
		rc = proj_check_microbatch(p, dl);
	arena_release(&scratch);
	return rc;
}

int proj_resolve_node(struct project *p, struct node *n, struct diag_list *dl)
{
	n->ndeps = 0;
	n->attached_node = NODE_NONE;
	if (resolve_deps(p, n, dl) < 0)
		return -1;
	attach_test(p, n);
	struct arena scratch;
	arena_init(&scratch, 16 * 1024);
	int rc = name_node(p, n, naming_of(p), &scratch, dl);
	if (rc == 0)
		rc = render_node_descriptions(p, n, &scratch, dl);
	arena_release(&scratch);
	return rc;
}
