/*
 * The dbt Jinja context (see context.h): ref, source, config, var, env_var, this, target, execute,
 * return, log, exceptions, fromjson/tojson/fromyaml/toyaml, and the project's macros as globals.
 * Node-independent functions are env globals installed once; what depends on the node being
 * rendered is a small dict built per render.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "artifacts/artifacts.h"
#include "core/inputs.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/report.h"
#include "core/sb.h"
#include "dbt/context.h"
#include "dbt/internal.h"
#include "jinja/jinja.h"

struct dbt_render *dbt_r(struct jj_vm *vm)
{
	struct dbt_render *r = jj_user(vm);
	if (!r)
		jj_raise(vm, "this function is only available while rendering a dbt node");
	return r;
}

const char *dbt_str_arg(struct jj_vm *vm, const struct vargs *args, size_t pos, const char *kw,
			const char *fname, bool required)
{
	value v = jj_arg(args, pos, kw, val_undef());
	if (v.type == V_UNDEF || v.type == V_NONE) {
		if (required)
			jj_raise(vm, "%s() needs the argument '%s'", fname, kw);
		return NULL;
	}
	if (v.type != V_STR)
		jj_raise(vm, "%s(): '%s' must be a string, got %s", fname, kw, val_type_name(v));
	return val_cstr(jj_arena(vm), v);
}

/* ---- ref / source ---- */

static struct arena *keep_arena(struct dbt_render *r)
{
	return r->keep ? r->keep : &r->proj->arena;
}

/*
 * The project arena outlives a run; renders on several workers allocate in it only under this
 * lock, which also guards the graph built from the nodes (graph_getattr)
 */
static pthread_mutex_t graph_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * A macro the node's own code calls: its depends_on.macros, each once, in the order first called.
 * dbt (MacroGenerator.track_call) records every macro called at the top of the node's code, not
 * from inside another macro, whenever the node's code is rendered: while parsing (execute false)
 * and again when the node is compiled (execute true), so a macro called only under
 * `{% if execute %}` is listed once the node has been compiled or run. The materialization and the
 * other macros a run calls on the node's behalf are not the node's code and are not recorded.
 */
/* Adds `id` to a list of ids unless there. The list grows by doubling while it is the one this
 * render grew last (*pgrown, of capacity *pcap); any other list (from a snapshot, another render)
 * is copied first. Copying it whole at each id was a third of a large project's parse memory
 * for these lists. */
static void add_id(struct project *p, struct arena *a, const char ***pl, uint32_t *pn, const char *id,
		   const char ***pgrown, uint32_t *pcap)
{
	for (uint32_t i = 0; i < *pn; i++)
		if (!strcmp((*pl)[i], id))
			return;
	if (*pl != *pgrown || *pn >= *pcap) {
		uint32_t cap = *pn ? 2 * *pn : 2;
		const char **l = arena_alloc(a, cap * sizeof(*l));
		if (*pn)
			memcpy(l, *pl, *pn * sizeof(*l));
		*pl = *pgrown = l;
		*pcap = cap;
	}
	/* the macro's own unique_id when it is one (ten thousand nodes name the same few macros) */
	const char *kept = map_gets(&p->macro_ids, id);
	(*pl)[*pn] = kept ? kept : arena_strdup(a, id);
	(*pn)++;
}

/*
 * Each macro a parse render calls, for partial parsing: the node's own code's calls into its
 * parse_macros, any other render's (names, properties, dbt_project.yml, generic tests' configs)
 * into the project's loader_macros. A direct call is the node's dependency (depends_on.macros),
 * while parsing and compiling.
 */
static void record_macro(void *user, const char *package, const char *name, bool direct)
{
	struct dbt_render *r = user;
	bool parsing = r && r->phase == DBT_PARSE && !r->compiling;
	bool dependency = r && direct && r->node && !r->not_the_node && (r->phase == DBT_PARSE || r->compiling);
	if (!parsing && !dependency)
		return;  /* a run's macro calls, nested in the materialization: most of them */
	char id[512];
	snprintf(id, sizeof(id), "macro.%s.%s", package, name);
	if (parsing) {
		if (r->own_code && r->node)
			add_id(r->proj, keep_arena(r), &r->node->parse_macros, &r->node->nparse_macros, id, &r->grown_parse,
			       &r->grown_parse_cap);
		else
			proj_note_loader_macro(r->proj, id);
	}
	if (!dependency)
		return;
	bool lock = r->phase == DBT_EXECUTE;
	if (lock)
		pthread_mutex_lock(&graph_lock);
	add_id(r->proj, keep_arena(r), &r->node->macros_used, &r->node->nmacros_used, id, &r->grown_used,
	       &r->grown_used_cap);
	if (lock)
		pthread_mutex_unlock(&graph_lock);
}

static void record_ref(struct dbt_render *r, struct jj_vm *vm, const char *pkg, const char *name,
		       const char *version, value given)
{
	struct node *n = r->node;
	if (!n)
		return;
	struct arena *a = keep_arena(r);
	n->refs = arena_realloc(a, n->refs, n->nrefs * sizeof(*n->refs), (n->nrefs + 1) * sizeof(*n->refs));
	n->refs[n->nrefs++] = (struct ref_call){pkg ? arena_strdup(a, pkg) : NULL, arena_strdup(a, name),
						 jj_current_loc(vm), version ? arena_strdup(a, version) : NULL,
						 version ? val_copy(a, given) : val_undef()};
}

/* ref(..., v=2) or ref(..., version='2'): the version as called, or V_UNDEF */
static value ref_given_version(const struct vargs *args)
{
	value v = jj_arg(args, 99, "v", val_undef());
	if (v.type == V_UNDEF || v.type == V_NONE)
		v = jj_arg(args, 99, "version", val_undef());
	return v.type == V_STR || v.type == V_INT || v.type == V_FLOAT ? v : val_undef();
}

/* ref(..., v=2) or ref(..., version=2): the version as dbt writes it, or NULL */
static const char *ref_version(struct jj_vm *vm, const struct vargs *args)
{
	value v = jj_arg(args, 99, "v", val_undef());
	if (v.type == V_UNDEF || v.type == V_NONE)
		v = jj_arg(args, 99, "version", val_undef());
	if (v.type == V_UNDEF || v.type == V_NONE)
		return NULL;
	if (v.type != V_STR && v.type != V_INT && v.type != V_FLOAT)
		jj_raise(vm, "ref()'s version must be a number or a string, got %s", val_type_name(v));
	return proj_version_str(jj_arena(vm), v);
}

/*
 * --defer: ref() of a node reads where the --state run built it when --favor-state is given and
 * this run does not build the node, or when the node's own relation does not exist yet
 * (RuntimeRefResolver.create_relation in dbt 1.9)
 */
static value deferred(struct dbt_render *r, struct arena *a, const struct node *t, value rel)
{
	bool favor;
	struct project *p = r->proj;
	if (!dbt_flags_defer(&favor) || !p->state_relations || !p->state_relations[t->index].alias)
		return rel;
	bool defer = favor && !(p->selected && p->selected[t->index]);
	if (!defer && r->vt && r->conn) {
		const char *db, *schema, *ident;
		struct adapter_relation found;
		bool exists = true;
		char *err = NULL;
		if (dbt_relation_parts(rel, &db, &schema, &ident, NULL) &&
		    r->vt->get_relation(r->conn, db, schema, ident, &found, &exists, a, &err) == 0)
			defer = !exists;
	}
	if (!defer)
		return rel;
	const struct state_relation *s = &p->state_relations[t->index];
	return dbt_relation(a, p, s->database, s->schema, s->alias, NULL);
}

/* dbt's resolve_event_time_filter: while a microbatch model runs a batch, what it reads of a node
 * with an event_time config is that batch's window of it */
static value batch_filtered(struct dbt_render *r, struct jj_vm *vm, const struct node *t, value rel)
{
	const struct node *n = r->node;
	if (r->phase != DBT_EXECUTE || !n || !n->batch || !n->batch->start || !n->batch->end)
		return rel;
	value et = val_dict_gets(t->config, "event_time");
	if (et.type != V_STR || !et.len)
		return rel;
	return dbt_relation_event_time(jj_arena(vm), rel, val_cstr(jj_arena(vm), et), n->batch->start, n->batch->end);
}

static value f_ref(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	if (args->npos < 1 || args->npos > 2)
		jj_raise(vm, "ref() takes 1 or 2 arguments, got %zu", args->npos);
	for (size_t i = 0; i < args->npos; i++)
		if (args->pos[i].type != V_STR)
			jj_raise(vm, "ref() arguments must be strings, got %s", val_type_name(args->pos[i]));
	const char *pkg = args->npos == 2 ? val_cstr(jj_arena(vm), args->pos[0]) : NULL;
	const char *name = val_cstr(jj_arena(vm), args->pos[args->npos - 1]);
	const char *version = ref_version(vm, args);
	if (r->phase == DBT_PARSE) {
		record_ref(r, vm, pkg, name, version, ref_given_version(args));
		return dbt_relation(jj_arena(vm), r->proj, r->proj->target.database, r->proj->target.schema, name, NULL);
	}
	struct node *t = proj_ref_version(r->proj, pkg, name, version);
	if (!t && version)
		jj_raise(vm, "ref('%s', v=%s) names no version of a model", name, version);
	if (!t)
		jj_raise(vm, "ref('%s') names no model, seed or snapshot", name);
	value rel = dbt_node_relation(jj_arena(vm), r->proj, t);
	if (val_streq(val_dict_gets(t->config, "materialized"), "ephemeral"))
		dbt_note_ephemeral(r, t);
	else
		rel = deferred(r, jj_arena(vm), t, rel);
	/* --empty: what a run reads holds no rows, so it checks SQL and schemas only (resolve_limit) */
	return batch_filtered(r, vm, t, dbt_flags_empty() ? dbt_relation_limited(jj_arena(vm), rel, 0) : rel);
}

static value f_source(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	if (args->npos != 2)
		jj_raise(vm, "source() takes 2 arguments (source name, table name), got %zu", args->npos);
	const char *src = dbt_str_arg(vm, args, 0, "source_name", "source", true);
	const char *tbl = dbt_str_arg(vm, args, 1, "table_name", "source", true);
	/* resolved from the rendering node's package, as resolve.c resolves its dependencies */
	const char *from = r->node ? r->node->package : r->package;
	if (r->phase == DBT_PARSE) {
		struct node *n = r->node;
		if (n) {
			struct arena *a = keep_arena(r);
			n->sources = arena_realloc(a, n->sources, n->nsources * sizeof(*n->sources),
						   (n->nsources + 1) * sizeof(*n->sources));
			n->sources[n->nsources++] = (struct source_call){arena_strdup(a, src), arena_strdup(a, tbl),
									  jj_current_loc(vm)};
		}
		struct node *s = proj_source_from(r->proj, from, src, tbl);
		if (s)
			return dbt_node_relation(jj_arena(vm), r->proj, s);
		return dbt_relation(jj_arena(vm), r->proj, r->proj->target.database, src, tbl, NULL);
	}
	struct node *s = proj_source_from(r->proj, from, src, tbl);
	if (!s)
		jj_raise(vm, "source('%s', '%s') is not declared in any properties file", src, tbl);
	value rel = dbt_node_relation(jj_arena(vm), r->proj, s);
	return batch_filtered(r, vm, s, dbt_flags_empty() ? dbt_relation_limited(jj_arena(vm), rel, 0) : rel);
}

/* ---- var / env_var ---- */

/* A var's value as dbt hands it over: a string that holds Jinja is rendered, in the context of the
 * render that asked for it, each time it is read; anything else as it is */
static value rendered_var(struct jj_vm *vm, struct dbt_render *r, const char *name, value v)
{
	if (v.type != V_STR || !r)
		return v;
	const char *text = val_cstr(jj_arena(vm), v);
	if (!strstr(text, "{{") && !strstr(text, "{%") && !strstr(text, "{#"))
		return v;
	const char *out;
	const char *what = arena_sprintf(jj_arena(vm), "var('%s')", name);
	if (dbt_render_string(r, what, text, jj_current_loc(vm), &out) < 0)
		jj_raise(vm, "the value of var '%s' could not be rendered", name);
	return val_str(out);
}

/* A var as written (not rendered), or V_UNDEF: --vars, then the vars of the render's package
 * (a node's, or that of the file rendered: dbt's SchemaYamlContext var is a ConfiguredVar of that
 * project), the root project's, the package's own dbt_project.yml */
static value var_lookup(struct project *p, struct dbt_render *r, const char *name)
{
	value v = val_dict_gets(p->cli_vars, name);
	if (v.type != V_UNDEF)
		return v;
	const char *pkg = r && r->node ? r->node->package : r && r->package ? r->package : p->name;
	value scoped = val_dict_gets(p->vars, pkg);
	if (scoped.type == V_DICT && (v = val_dict_gets(scoped, name)).type != V_UNDEF)
		return v;
	if ((v = val_dict_gets(p->vars, name)).type != V_UNDEF)
		return v;
	return dbt_package_var(p, pkg, name);
}

static value f_var(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = jj_user(vm);
	struct project *p = r ? r->proj : ud;
	/* a name that is not a string (an undefined attribute, None) names no var: dbt's
	 * Var.__call__ looks it up in the vars all the same, finds nothing, and returns the
	 * default (datavault4dbt passes `datavault4dbt.ldts_alias`, undefined, with one) */
	value nv = jj_arg(args, 0, "name", val_undef());
	bool named = args->npos > 0 || nv.type != V_UNDEF;
	bool has_default = args->npos > 1;
	for (size_t i = 0; i < args->nkw; i++)
		has_default |= !strcmp(args->kwnames[i], "default");
	if (named && nv.type != V_STR) {
		if (has_default)
			return jj_arg(args, 1, "default", val_undef());
		if (r && r->node && r->phase == DBT_PARSE && !r->runtime_lookups)
			return val_none();
		jj_raise(vm, "required var '%s' not found in config: var() was given %s for its name",
			 nv.type == V_NONE ? "None" : "Undefined", val_type_name(nv));
	}
	const char *name = dbt_str_arg(vm, args, 0, "name", "var", true);
	value v = var_lookup(p, r, name);
	if (v.type != V_UNDEF)
		return rendered_var(vm, r, name, v);
	/* a default given, even an undefined one, is what a missing var is (dbt's _VAR_NOTSET) */
	if (has_default)
		return jj_arg(args, 1, "default", val_undef());
	/* parsing a node, a missing var is None, as dbt's ParseVar has it: a model that
	 * config(enabled=false) turns off may name vars its project does not set; compiling or
	 * running it is where a missing var is an error */
	if (r && r->node && r->phase == DBT_PARSE && !r->runtime_lookups)
		return val_none();
	jj_raise(vm, "required var '%s' not found in config; set it in dbt_project.yml 'vars:' or with --vars, or give var() a default",
		 name);
}

/* var.has_var(name): whether the var is set (dbt's Var.has_var), without rendering it */
static value f_has_var(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = jj_user(vm);
	struct project *p = r ? r->proj : ud;
	value nv = jj_arg(args, 0, "var_name", val_undef());
	return val_bool(nv.type == V_STR && var_lookup(p, r, val_cstr(jj_arena(vm), nv)).type != V_UNDEF);
}

/* var: called as var(name, default), with has_var() beside it, as dbt's Var object */
static value var_call(struct jj_vm *vm, struct vobj *o, const struct vargs *args)
{
	return f_var(vm, o->data, args);
}

static value var_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	if (n == 7 && !memcmp(name, "has_var", 7))
		return val_func(jj_arena(vm), "has_var", f_has_var, o->data);
	return val_undef();
}

static const struct vobj_class var_class = {
	.name = "Var",
	.getattr = var_getattr,
	.call = var_call,
};

static value f_env_var(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const char *name = dbt_str_arg(vm, args, 0, "var", "env_var", true);
	struct dbt_render *r = jj_user(vm);
	/* as in dbt: secrets are for profiles.yml and packages.yml, never for SQL that is logged */
	if (!strncmp(name, "DBT_ENV_SECRET_", 15) && r && r->node)
		jj_raise(vm, "secret env vars (%s) are allowed only in profiles.yml and packages.yml", name);
	const char *v = inputs_getenv(name);
	if (v) {
		if (!strncmp(name, "DBT_ENV_SECRET_", 15))
			log_add_secret(v);
		return val_str_dup(jj_arena(vm), v, strlen(v));
	}
	value dflt = jj_arg(args, 1, "default", val_undef());
	if (dflt.type != V_UNDEF)
		return dflt;
	jj_raise(vm, "env var required but not provided: '%s'", name);
}

/* ---- return, log, print, exceptions ---- */

static value f_return(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	jj_macro_return(vm, args->npos ? args->pos[0] : val_none());
}

static value f_log(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value msg = jj_arg(args, 0, "msg", val_str(""));
	bool info = val_truthy(jj_arg(args, 1, "info", val_bool(false)));
	struct sb s = SB_INIT;
	val_str_to(&s, msg);
	/* dbt fires JinjaLogInfo (a timestamped line, or a JSON event) or JinjaLogDebug (the log
	 * file alone) */
	if (info && !report_quiet())
		report_line("JinjaLogInfo", "%s", s.buf);
	else
		log_msg(info ? LOG_INFO : LOG_DEBUG, "%s", s.buf);
	sb_release(&s);
	return val_str("");
}

static value f_print(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct sb s = SB_INIT;
	val_str_to(&s, jj_arg(args, 0, "msg", val_str("")));
	log_redact(s.buf);
	printf("%s\n", s.buf);
	fflush(stdout);
	sb_release(&s);
	return val_str("");
}

static value f_raise_compiler_error(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct sb s = SB_INIT;
	val_str_to(&s, jj_arg(args, 0, "msg", val_str("compilation error")));
	char *m = arena_strndup(jj_arena(vm), s.buf, s.len);
	sb_release(&s);
	jj_raise(vm, "%s", m);
}

/* raise_database_error(msg): the node fails with a Database Error, as dbt reports it */
static value f_raise_database_error(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct sb s = SB_INIT;
	val_str_to(&s, jj_arg(args, 0, "msg", val_str("database error")));
	char *m = arena_strndup(jj_arena(vm), s.buf, s.len);
	sb_release(&s);
	jj_raise_db(vm, "%s", m);
}

static value f_warn(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct sb s = SB_INIT;
	val_str_to(&s, jj_arg(args, 0, "msg", val_str("")));
	jj_warn(vm, "%s", s.buf);
	sb_release(&s);
	return val_str("");
}

/* zip(*lists): a list of tuples, as Python's zip (and dbt's) */
static value f_zip(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	size_t n = SIZE_MAX;
	for (size_t i = 0; i < args->npos; i++) {
		if (args->pos[i].type != V_LIST)
			jj_raise(vm, "zip() arguments must be lists, got %s", val_type_name(args->pos[i]));
		if (args->pos[i].l->len < n)
			n = args->pos[i].l->len;
	}
	if (!args->npos)
		n = 0;
	value out = val_list_new(jj_arena(vm), n);
	for (size_t k = 0; k < n; k++) {
		value t = val_tuple_new(jj_arena(vm), args->npos);
		for (size_t i = 0; i < args->npos; i++)
			val_list_push(t, args->pos[i].l->items[k]);
		val_list_push(out, t);
	}
	return out;
}

/* doc('name') / doc('package', 'name'): the text of a {% docs %} block */
static value f_doc(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct project *p = ud;
	struct dbt_render *r = jj_user(vm);
	const char *a0 = dbt_str_arg(vm, args, 0, "name", "doc", true);
	const char *a1 = args->npos > 1 ? dbt_str_arg(vm, args, 1, "name", "doc", true) : NULL;
	const char *pkg = a1 ? a0 : (r && r->node ? r->node->package : p->name);
	const char *name = a1 ? a1 : a0;
	value v = val_dict_get(p->docs_blocks, val_str_fmt(jj_arena(vm), "%s.%s", pkg, name));
	for (uint32_t i = 0; v.type == V_UNDEF && !a1 && i < p->docs_blocks.d->len; i++) {
		const char *k = p->docs_blocks.d->e[i].key.s, *dot = strchr(k, '.');
		if (dot && !strcmp(dot + 1, name))
			v = p->docs_blocks.d->e[i].val;
	}
	if (v.type == V_UNDEF)
		jj_raise(vm, "doc('%s') names no {%% docs %%} block", name);
	return v;
}

/* graph: the manifest's nodes, sources and macros, built on first use only (it is large) */

/* A source's config in the graph carries its freshness, as dbt 1.9.8's and 1.10's do: packages
 * read node.config.freshness. The manifest's source config has it already (source_config in
 * artifacts/manifest.c); this fills it for a source whose config lacks it */
static void graph_source_freshness(struct arena *a, struct project *p, value g)
{
	value sources = val_dict_gets(g, "sources");
	for (uint32_t i = 0; sources.type == V_DICT && i < sources.d->len; i++) {
		value s = sources.d->e[i].val;
		value cfg = val_dict_gets(s, "config");
		if (cfg.type != V_DICT || val_dict_gets(cfg, "freshness").type != V_UNDEF)
			continue;
		struct node *n = proj_node(p, sources.d->e[i].key.type == V_STR ? sources.d->e[i].key.s : "");
		value copy = val_dict_new(a, cfg.d->len + 1);
		val_dict_merge(a, copy, cfg);
		val_dict_sets(copy, "freshness", n && n->freshness.type == V_DICT ? n->freshness : val_none());
		val_dict_sets(s, "config", copy);
	}
}

/* The manifest's sections of the graph */
static value graph_sections(struct jj_vm *vm, struct project *p)
{
	/* while parsing there are no nodes yet: an empty graph, as dbt's parse phase sees */
	if (!p->nodes)
		return val_dict_new(jj_arena(vm), 0);
	pthread_mutex_lock(&graph_lock);
	if (p->graph_value.type != V_DICT) {
		/* dbt's graph is a copy of the manifest's nodes (flat_graph, to_dict): what a template
		 * changes in it, a config dict say, never reaches the nodes. The manifest's value shares
		 * the nodes' lists and dicts, so its containers are copied (strings are not changed in
		 * place and stay shared) */
		value g = art_manifest_value(p->graph_arena, p, NULL, NULL);
		graph_source_freshness(p->graph_arena, p, g);
		p->graph_value = val_copy_containers(p->graph_arena, g);
	}
	value g = p->graph_value;
	pthread_mutex_unlock(&graph_lock);
	return g;
}

/*
 * dbt's graph is a dict that lives as long as the run, and packages keep their own entries in it
 * (elementary's cache: graph.setdefault("elementary", {...}) in on-run-start, updated by every
 * test, read in on-run-end). Keys beyond the manifest's sections go to p->graph_cache, whose
 * arena is shared: Jinja's list and dict methods lock to change it and copy what they store.
 */
static value graph_section_or_undef(struct jj_vm *vm, struct project *p, value key)
{
	return key.type == V_STR ? val_dict_getn(graph_sections(vm, p), key.s, key.len) : val_undef();
}

static value gm_setdefault(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value s = graph_section_or_undef(vm, ud, jj_arg(args, 0, "key", val_undef()));
	return s.type != V_UNDEF ? s : jj_call_builtin_method(vm, ((struct project *)ud)->graph_cache, "setdefault", args);
}

static value gm_get(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value s = graph_section_or_undef(vm, ud, jj_arg(args, 0, "key", val_undef()));
	return s.type != V_UNDEF ? s : jj_call_builtin_method(vm, ((struct project *)ud)->graph_cache, "get", args);
}

static value gm_cache_method(struct jj_vm *vm, void *ud, const struct vargs *args, const char *name)
{
	return jj_call_builtin_method(vm, ((struct project *)ud)->graph_cache, name, args);
}

static value gm_update(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return gm_cache_method(vm, ud, args, "update");
}

static value gm_pop(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return gm_cache_method(vm, ud, args, "pop");
}

/* keys(), values(), items(): the sections, then the cache's entries */
static value gm_listing(struct jj_vm *vm, struct project *p, int what)
{
	struct arena *a = jj_arena(vm);
	value parts[2] = {graph_sections(vm, p), jj_call_builtin_method(vm, p->graph_cache, "copy", &(struct vargs){0})};
	value out = val_list_new(a, parts[0].d->len + parts[1].d->len);
	for (int k = 0; k < 2; k++)
		for (uint32_t i = 0; i < parts[k].d->len; i++) {
			value key = parts[k].d->e[i].key, val = parts[k].d->e[i].val;
			if (what == 2) {
				value t = val_tuple_new(a, 2);
				val_list_push(t, key);
				val_list_push(t, val);
				val_list_push(out, t);
			} else {
				val_list_push(out, what ? val : key);
			}
		}
	return out;
}

static value gm_keys(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return gm_listing(vm, ud, 0);
}

static value gm_values(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return gm_listing(vm, ud, 1);
}

static value gm_items(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return gm_listing(vm, ud, 2);
}

static value graph_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct project *p = o->data;
	static const struct {
		const char *name;
		vfunc_fn fn;
	} methods[] = {{"setdefault", gm_setdefault}, {"get", gm_get}, {"update", gm_update}, {"pop", gm_pop},
		       {"keys", gm_keys}, {"values", gm_values}, {"items", gm_items}};
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == n && !memcmp(methods[i].name, name, n))
			return val_func(jj_arena(vm), methods[i].name, methods[i].fn, p);
	/* while parsing there are no nodes yet: every section is empty, as dbt's parse phase sees */
	if (!p->nodes)
		return val_dict_new(jj_arena(vm), 0);
	value v = val_dict_getn(graph_sections(vm, p), name, n);
	if (v.type != V_UNDEF)
		return v;
	value key = val_strn(name, n);
	return jj_call_builtin_method(vm, p->graph_cache, "get", &(struct vargs){.pos = &key, .npos = 1});
}

static const struct vobj_class graph_class = {
	.name = "graph",
	.getattr = graph_getattr,
};

/* render(text): a string rendered as a template in the current context (hooks use it) */
static value f_render(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	value s = jj_arg(args, 0, "string", val_str(""));
	if (s.type != V_STR)
		return s;
	const char *text = val_cstr(jj_arena(vm), s);
	if (!strstr(text, "{{") && !strstr(text, "{%"))
		return s;
	const char *out;
	/* the text renders in the same context: the macros running here stay on its macro stack */
	value saved = r->outer_macros;
	r->outer_macros = dbt_macro_call_stack(vm);
	int rc = dbt_render_string(r, "render()", text, jj_current_loc(vm), &out);
	r->outer_macros = saved;
	if (rc < 0)
		jj_raise(vm, "render(): the text could not be rendered");
	return val_str(out);
}

/* ---- JSON, YAML, md5 ---- */

static value f_fromjson(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value s = jj_arg(args, 0, "string", val_undef());
	if (s.type != V_STR)
		return jj_arg(args, 1, "default", val_none());
	value out;
	char *err;
	if (val_from_json(jj_arena(vm), s.s, s.len, &out, &err) < 0) {
		value d = jj_arg(args, 1, "default", val_undef());
		if (d.type != V_UNDEF)
			return d;
		jj_raise(vm, "fromjson(): %s", err);
	}
	return out;
}

static value f_tojson(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct sb s = SB_INIT;
	bool sort = val_truthy(jj_arg(args, 1, "sort_keys", val_bool(false)));
	val_to_json(&s, jj_arg(args, 0, "value", val_none()), 0, sort ? VJSON_SORT_KEYS : 0);
	value v = val_str_dup(jj_arena(vm), s.buf, s.len);
	sb_release(&s);
	return v;
}

static value f_fromyaml(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value s = jj_arg(args, 0, "value", val_undef());
	if (s.type != V_STR)
		return jj_arg(args, 1, "default", val_none());
	struct arena *a = jj_arena(vm);
	const char *text = val_cstr(a, s);
	uint32_t f = diag_file_add("fromyaml()", text, s.len);
	struct diag_list tmp;
	diag_list_init(&tmp);
	value out;
	int rc = val_from_yaml(a, f, text, s.len, &out, &tmp);
	char *msg = tmp.head ? arena_strdup(a, tmp.head->msg) : NULL;
	diag_list_release(&tmp);
	if (rc < 0) {
		value d = jj_arg(args, 1, "default", val_undef());
		if (d.type != V_UNDEF)
			return d;
		jj_raise(vm, "fromyaml(): %s", msg ? msg : "invalid YAML");
	}
	return out;
}

static value f_toyaml(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct sb s = SB_INIT;
	val_to_yaml(&s, jj_arg(args, 0, "value", val_none()));
	value v = val_str_dup(jj_arena(vm), s.buf, s.len);
	sb_release(&s);
	return v;
}

static value f_local_md5(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value s = jj_arg(args, 0, "value", val_str(""));
	struct sb b = SB_INIT;
	val_str_to(&b, s);
	char out[33];
	md5_hex(b.buf, b.len, out);
	sb_release(&b);
	return val_str_dup(jj_arena(vm), out, 32);
}

/* ---- config ---- */

static const struct vobj_class config_class;

/* config(materialized='table', ...) or config({'materialized': 'table'}) */
static value config_call(struct jj_vm *vm, struct vobj *o, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	if (r->phase != DBT_PARSE || !r->node)
		return val_str("");
	struct arena *a = keep_arena(r);
	value upd = val_dict_new(a, 4);
	for (size_t i = 0; i < args->npos; i++) {
		if (args->pos[i].type != V_DICT)
			jj_raise(vm, "config() takes keyword arguments or one dict, got %s", val_type_name(args->pos[i]));
		val_dict_merge(a, upd, val_copy(a, args->pos[i]));
	}
	for (size_t i = 0; i < args->nkw; i++)
		val_dict_set(upd, val_str_dup(a, args->kwnames[i], strlen(args->kwnames[i])), val_copy(a, args->kw[i]));
	dbt_config_merge(a, r->node->config, upd);
	return val_str("");
}

/* The defaults of dbt's config dataclasses that are not None (TestConfig's fail_calc, NodeConfig's
 * on_schema_change, ...): config.get() of a field the node leaves unset gives its default, as
 * dbt's BaseConfig.get reads the field (the test materialization of elementary reads fail_calc
 * so); V_UNDEF for the others */
static value config_field_default(enum node_type t, const char *key)
{
	static const char *const test_defaults[][2] = {
		{"severity", "ERROR"}, {"fail_calc", "count(*)"}, {"warn_if", "!= 0"}, {"error_if", "!= 0"}};
	static const char *const node_defaults[][2] = {{"on_schema_change", "ignore"},
						       {"on_configuration_change", "apply"}};
	if (t == NODE_TEST) {
		for (size_t i = 0; i < sizeof(test_defaults) / sizeof(test_defaults[0]); i++)
			if (!strcmp(key, test_defaults[i][0]))
				return val_str(test_defaults[i][1]);
	} else if (t == NODE_MODEL || t == NODE_SEED || t == NODE_SNAPSHOT) {
		for (size_t i = 0; i < sizeof(node_defaults) / sizeof(node_defaults[0]); i++)
			if (!strcmp(key, node_defaults[i][0]))
				return val_str(node_defaults[i][1]);
	}
	return val_undef();
}

static value cfg_get(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	const char *key = dbt_str_arg(vm, args, 0, "name", "config.get", true);
	value dflt = jj_arg(args, 1, "default", val_none());
	/* while parsing, dbt's config.get() (ParseConfigObject.get) is "" whatever the key: a
	 * template that branches on a config reads no value yet (dbt-unit-testing's ref() override
	 * takes its plain branch so) */
	if (r->phase == DBT_PARSE && !r->runtime_lookups)
		return val_str("");
	if (!r->node)
		return dflt;
	value cfg = proj_node_config(r->node);
	value v = val_dict_gets(cfg, key);
	if (v.type == V_UNDEF && !strcmp(key, "pre_hook"))
		v = val_dict_gets(cfg, "pre-hook");
	if (v.type == V_UNDEF && !strcmp(key, "post_hook"))
		v = val_dict_gets(cfg, "post-hook");
	if (v.type == V_UNDEF && dflt.type == V_NONE)
		v = config_field_default(r->node->type, key);
	return v.type == V_UNDEF || v.type == V_NONE ? dflt : v;
}

static value cfg_require(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	const char *key = dbt_str_arg(vm, args, 0, "name", "config.require", true);
	if (r->phase == DBT_PARSE && !r->runtime_lookups)
		return val_str("");  /* ParseConfigObject.require */
	value v = r->node ? val_dict_gets(proj_node_config(r->node), key) : val_undef();
	if (v.type == V_UNDEF && (r->phase == DBT_EXECUTE || r->runtime_lookups))
		jj_raise(vm, "required config '%s' was not found for '%s'", key, r->node ? r->node->name : "?");
	return v;
}

static value cfg_set(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	const char *key = dbt_str_arg(vm, args, 0, "name", "config.set", true);
	if (r->node && r->phase == DBT_PARSE) {
		struct arena *a = keep_arena(r);
		val_dict_set(r->node->config, val_str(arena_strdup(a, key)), val_copy(a, jj_arg(args, 1, "value", val_none())));
	}
	return val_str("");
}

/* config.persist_relation_docs() / persist_column_docs(): the persist_docs config's `relation` or
 * `columns` key, false when absent; a persist_docs that is not a mapping is an error, as in dbt */
static value cfg_persist_docs(struct jj_vm *vm, const char *which)
{
	struct dbt_render *r = dbt_r(vm);
	value pd = r->node ? val_dict_gets(r->node->config, "persist_docs") : val_undef();
	if (pd.type == V_UNDEF || pd.type == V_NONE)
		return val_bool(false);
	if (pd.type != V_DICT)
		jj_raise(vm, "Invalid value provided for 'persist_docs'. Expected dict but received %s", val_type_name(pd));
	value v = val_dict_gets(pd, which);
	return v.type == V_UNDEF || v.type == V_NONE ? val_bool(false) : v;
}

static value cfg_persist_relation_docs(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return cfg_persist_docs(vm, "relation");
}

static value cfg_persist_column_docs(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return cfg_persist_docs(vm, "columns");
}

static value config_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct arena *a = jj_arena(vm);
	if (n == 3 && !memcmp(name, "get", 3))
		return val_func(a, "get", cfg_get, NULL);
	if (n == 7 && !memcmp(name, "require", 7))
		return val_func(a, "require", cfg_require, NULL);
	if (n == 3 && !memcmp(name, "set", 3))
		return val_func(a, "set", cfg_set, NULL);
	if (n == 8 && !memcmp(name, "meta_get", 8))
		return val_func(a, "meta_get", cfg_get, NULL);
	if (n == 21 && !memcmp(name, "persist_relation_docs", 21))
		return val_func(a, "persist_relation_docs", cfg_persist_relation_docs, NULL);
	if (n == 19 && !memcmp(name, "persist_column_docs", 19))
		return val_func(a, "persist_column_docs", cfg_persist_column_docs, NULL);
	return val_undef();
}

static const struct vobj_class config_class = {
	.name = "Config",
	.getattr = config_getattr,
	.call = config_call,
};

/* ---- is_incremental, should_full_refresh ---- */

static value f_is_incremental(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	if (r->phase != DBT_EXECUTE || !r->node)
		return val_bool(false);
	/* a microbatch model's batch after its first (build_jinja_context_for_batch; only incremental
	 * models run batches) */
	if (r->node->batch && r->node->batch->incremental)
		return val_bool(true);
	char *err = NULL;
	int inc = dbt_node_incremental(r->proj, r->vt, r->conn, r->node, r->full_refresh, jj_arena(vm), &err);
	if (inc < 0)
		jj_raise(vm, "is_incremental(): %s", err ? err : "lookup failed");
	return val_bool(inc == 1);
}

int dbt_node_incremental(struct project *p, const struct adapter_vtable *vt, struct adapter_conn *conn,
			 const struct node *n, bool full_refresh, struct arena *a, char **perr)
{
	if (!val_streq(val_dict_gets(n->config, "materialized"), "incremental"))
		return 0;
	/* the full_refresh config, when set, wins over --full-refresh (as should_full_refresh()) */
	value fr = val_dict_gets(n->config, "full_refresh");
	if (fr.type == V_BOOL ? fr.b : (full_refresh || p->full_refresh))
		return 0;
	struct adapter_relation rel;
	bool found = false;
	if (vt->get_relation(conn, n->database, n->schema, n->alias ? n->alias : n->name, &rel, &found, a, perr) < 0)
		return -1;
	return found && rel.type != REL_VIEW;
}

static value f_should_full_refresh(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct dbt_render *r = dbt_r(vm);
	if (r->node && r->node->batch && r->node->batch->incremental)
		return val_bool(false);
	value fr = r->node ? val_dict_gets(r->node->config, "full_refresh") : val_undef();
	if (fr.type == V_BOOL)
		return fr;
	return val_bool(r->full_refresh || r->proj->full_refresh);
}

/* ---- the context ---- */

static void set_fn(struct jj_env *env, struct arena *a, const char *name, vfunc_fn fn, void *ud)
{
	jj_env_set_global(env, name, val_func(a, name, fn, ud));
}

void dbt_install_globals(struct project *p)
{
	struct jj_env *env = p->jinja;
	struct arena *a = &p->arena;
	uint32_t mark = dbt_members_mark(p);
	jj_env_set_global(env, "var", val_obj(a, &var_class, p));
	set_fn(env, a, "env_var", f_env_var, p);
	set_fn(env, a, "return", f_return, p);
	set_fn(env, a, "log", f_log, p);
	set_fn(env, a, "print", f_print, p);
	set_fn(env, a, "fromjson", f_fromjson, p);
	set_fn(env, a, "tojson", f_tojson, p);
	set_fn(env, a, "fromyaml", f_fromyaml, p);
	set_fn(env, a, "toyaml", f_toyaml, p);
	set_fn(env, a, "local_md5", f_local_md5, p);
	set_fn(env, a, "render", f_render, p);
	set_fn(env, a, "zip", f_zip, p);
	set_fn(env, a, "set", dbt_set_fn, p);
	set_fn(env, a, "try_set", dbt_try_set_fn, p);
	set_fn(env, a, "doc", f_doc, p);
	struct arena *shared = proj_new_arena(p);
	shared->shared = true;
	p->graph_cache = val_dict_new(shared, 4);
	/* the graph's own sections, made on first use: shared as well, since templates may change
	 * what they hold (a node's config dict) */
	p->graph_arena = proj_new_arena(p);
	p->graph_arena->shared = true;
	jj_env_set_global(env, "graph", val_obj(a, &graph_class, p));
	dbt_install_filters(env);
	value modules = val_dict_new(a, 4);
	val_dict_sets(modules, "re", dbt_module_re(a));
	val_dict_sets(modules, "datetime", dbt_module_datetime(a));
	val_dict_sets(modules, "itertools", dbt_module_itertools(a));
	val_dict_sets(modules, "pytz", dbt_module_pytz(a));
	jj_env_set_global(env, "modules", modules);
	value flags = val_dict_new(a, 8);
	val_dict_sets(flags, "FULL_REFRESH", val_bool(false));
	val_dict_sets(flags, "STORE_FAILURES", val_bool(false));
	val_dict_sets(flags, "WHICH", val_str(""));
	dbt_flags_install(flags);
	jj_env_set_global(env, "flags", dbt_flags_object(a, flags));
	p->flags = flags;
	jj_env_set_global(env, "ref", dbt_resolver(a, p, "ref", f_ref));
	jj_env_set_global(env, "source", dbt_resolver(a, p, "source", f_source));
	/* the work of the global project's is_incremental() and should_full_refresh() macros
	 * (macros/materializations/incremental.sql), which packages call as dbt.is_incremental() */
	set_fn(env, a, "__sluice_is_incremental", f_is_incremental, p);
	set_fn(env, a, "__sluice_should_full_refresh", f_should_full_refresh, p);
	value exc = val_dict_new(a, 4);
	val_dict_sets(exc, "raise_compiler_error", val_func(a, "raise_compiler_error", f_raise_compiler_error, p));
	val_dict_sets(exc, "raise_database_error", val_func(a, "raise_database_error", f_raise_database_error, p));
	val_dict_sets(exc, "warn", val_func(a, "warn", f_warn, p));
	val_dict_sets(exc, "raise_not_implemented", val_func(a, "raise_not_implemented", f_raise_compiler_error, p));
	dbt_contract_exceptions(a, exc);
	jj_env_set_global(env, "exceptions", exc);
	jj_env_set_global(env, "config", val_obj(a, &config_class, p));
	jj_env_set_macro_hook(env, record_macro);
	jj_env_set_global(env, "invocation_id", val_str(p->invocation_id));
	jj_env_set_global(env, "run_started_at", dbt_datetime_now(a, true));
	jj_env_set_global(env, "project_name", val_str(p->name));
	dbt_install_adapter_globals(p);
	dbt_install_members(p, mark);
}

/*
 * The macros a bare name reaches, as dbt's MacroNamespace searches them (context/macros.py): the
 * package of the node rendered (dbt_context adds those when it is not the root project), the root
 * project's, the packages by their names, then the global project's. Another package's macros are
 * reached only through its name (`dbt_utils.star`), so a package's `dateadd` or `type_timestamp`
 * does not replace dbt's for the rest of the project.
 */
void dbt_install_macros(struct project *p)
{
	map_release(&p->macro_ids);
	map_init(&p->macro_ids);
	for (size_t i = 0; i < p->nmacros; i++)
		map_puts(&p->macro_ids, p->macros[i]->unique_id, (void *)p->macros[i]->unique_id);
	value pkgs = p->macros_by_package;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < pkgs.d->len; i++) {
			const char *pkg = pkgs.d->e[i].key.s;
			if (strcmp(pkg, pass == 0 ? "dbt" : p->name))
				continue;
			value ms = pkgs.d->e[i].val;
			for (uint32_t j = 0; j < ms.d->len; j++)
				jj_env_set_global(p->jinja, ms.d->e[j].key.s, ms.d->e[j].val);
		}
	}
	for (uint32_t i = 0; i < pkgs.d->len; i++)
		jj_env_set_global(p->jinja, pkgs.d->e[i].key.s, pkgs.d->e[i].val);
}

/* The macros of `pkg` into a render's context: over what is there (dbt puts its macro namespace
 * over the context's members), or only where nothing is */
static void add_package_macros(struct project *p, value ctx, const char *pkg, bool over)
{
	if (!pkg || !strcmp(pkg, p->name) || !strcmp(pkg, "dbt"))
		return;
	value ms = val_dict_gets(p->macros_by_package, pkg);
	for (uint32_t j = 0; ms.type == V_DICT && j < ms.d->len; j++)
		if (over || val_dict_get(ctx, ms.d->e[j].key).type == V_UNDEF)
			val_dict_set(ctx, ms.d->e[j].key, ms.d->e[j].val);
}

static value target_value(struct arena *a, struct project *p, bool parsing)
{
	const struct profile_target *t = &p->target;
	value d = val_dict_new(a, 12);
	if (t->fields.type == V_DICT) {
		for (uint32_t i = 0; i < t->fields.d->len; i++) {
			value k = t->fields.d->e[i].key;
			/* secrets stay out of templates, as in dbt */
			if (val_streq(k, "password") || val_streq(k, "token") || val_streq(k, "private_key") ||
			    val_streq(k, "secret") || val_streq(k, "api_key"))
				continue;
			val_dict_set(d, k, t->fields.d->e[i].val);
		}
	}
	val_dict_sets(d, "name", val_str(t->target_name ? t->target_name : "dev"));
	val_dict_sets(d, "target_name", val_str(t->target_name ? t->target_name : "dev"));
	val_dict_sets(d, "profile_name", val_str(t->profile_name ? t->profile_name : p->name));
	val_dict_sets(d, "type", val_str(t->type ? t->type : "duckdb"));
	val_dict_sets(d, "schema", val_str(t->schema ? t->schema : "main"));
	val_dict_sets(d, "database", t->database ? val_str(t->database) : val_none());
	/* while parsing, the profile's threads rather than --threads: a parse, and so the snapshot
	 * the next commands load from (cli/parse_cache.c), does not depend on the option. dbt's
	 * partial parse ignores it too: its nodes keep what the parse that wrote them saw */
	int threads = parsing ? t->parse_threads : t->threads;
	val_dict_sets(d, "threads", val_int(threads > 0 ? threads : 1));
	return d;
}

value dbt_hooks_value(struct arena *a, value cfg, const char *key)
{
	value hooks = val_dict_gets(cfg, key);
	value out = val_list_new(a, 2);
	for (uint32_t i = 0; hooks.type == V_LIST && i < hooks.l->len; i++) {
		value h = hooks.l->items[i];
		value d = val_dict_new(a, 3);
		val_dict_sets(d, "sql", h.type == V_DICT ? val_dict_gets(h, "sql") : h);
		value tx = h.type == V_DICT ? val_dict_gets(h, "transaction") : val_undef();
		val_dict_sets(d, "transaction", val_bool(tx.type == V_BOOL ? tx.b : true));
		val_dict_sets(d, "index", val_int(i));
		val_list_push(out, d);
	}
	return out;
}

/* defer_relation: where the --state run built the node, when it has a relation there */
static value defer_relation(struct arena *a, struct project *p, const struct node *n)
{
	if (!p->state_relations || n->index >= p->nnodes || p->nodes[n->index] != n)
		return val_none();
	const struct state_relation *s = &p->state_relations[n->index];
	return s->alias ? dbt_relation(a, p, s->database, s->schema, s->alias, NULL) : val_none();
}

value dbt_context(struct dbt_render *r)
{
	struct arena *a = r->arena;
	struct project *p = r->proj;
	value ctx = val_dict_new(a, 24);
	val_dict_sets(ctx, "execute", val_bool(r->phase == DBT_EXECUTE));
	value target = target_value(a, p, r->phase == DBT_PARSE);
	val_dict_sets(ctx, "target", target);
	val_dict_sets(ctx, "env", target);
	if (r->statements.type != V_DICT)
		r->statements = val_dict_new(a, 4);
	val_dict_sets(ctx, "_sql_results", r->statements);
	val_dict_sets(ctx, "thread_id",
		      r->worker > 0 ? val_str_fmt(a, "Thread-%d (worker)", r->worker) : val_str("MainThread"));
	val_dict_sets(ctx, "database", p->target.database ? val_str(p->target.database) : val_none());
	val_dict_sets(ctx, "schema", val_str(p->target.schema ? p->target.schema : "main"));
	if (r->node) {
		struct node *n = r->node;
		if (n->type == NODE_OPERATION)
			val_dict_sets(ctx, "this", val_none());  /* ProviderContext.this of a hook */
		else if (n->schema)
			val_dict_sets(ctx, "this", dbt_node_relation(a, p, n));
		else if (r->phase == DBT_PARSE)
			val_dict_sets(ctx, "this", dbt_relation(a, p, p->target.database, p->target.schema, n->name, NULL));
		val_dict_sets(ctx, "model", dbt_model_value(a, p, n));
		if (n->database)
			val_dict_sets(ctx, "database", val_str(n->database));
		if (n->schema)
			val_dict_sets(ctx, "schema", val_str(n->schema));
		val_dict_sets(ctx, "pre_hooks", dbt_hooks_value(a, proj_node_config(n), "pre-hook"));
		val_dict_sets(ctx, "post_hooks", dbt_hooks_value(a, proj_node_config(n), "post-hook"));
		val_dict_sets(ctx, "sql", n->compiled_code ? val_str(n->compiled_code) : val_none());
		val_dict_sets(ctx, "compiled_code", n->compiled_code ? val_str(n->compiled_code) : val_none());
		val_dict_sets(ctx, "defer_relation", defer_relation(a, p, n));
		if (n->type == NODE_SNAPSHOT && n->snapshot_body.type != V_UNDEF)
			val_dict_sets(ctx, "__sluice_snapshot_body", n->snapshot_body);
	} else if (r->phase == DBT_EXECUTE) {
		/* an operation or a hook: dbt's ProviderContext.this is None for them */
		val_dict_sets(ctx, "this", val_none());
	}
	dbt_context_add_adapter(r, ctx);
	/* the package the node (or the file rendered) is in: its macros by their bare names */
	add_package_macros(p, ctx, r->node ? r->node->package : r->package, true);
	if (r->node && r->node->type == NODE_EXPOSURE) {
		/* an exposure's depends_on: dbt's generate_parse_exposure has its own ref and source,
		 * so a project's ref() override is neither called nor recorded among its macros */
		val_dict_sets(ctx, "ref", dbt_resolver(a, p, "ref", f_ref));
		val_dict_sets(ctx, "source", dbt_resolver(a, p, "source", f_source));
	}
	/* a generic test: also the macros of its test's package, which its macro calls by their bare
	 * names (dbt's TestMacroNamespace holds what the test macro depends on) */
	if (r->node && r->node->type == NODE_TEST && r->node->test_metadata.type == V_DICT) {
		value ns = val_dict_gets(r->node->test_metadata, "namespace");
		value name = val_dict_gets(r->node->test_metadata, "name");
		if (name.type == V_STR) {
			const char *macro = arena_sprintf(a, "test_%s", name.s);
			value fn = proj_find_macro(p, ns.type == V_STR ? ns.s : NULL, macro);
			add_package_macros(p, ctx, fn.type != V_UNDEF ? jj_macro_package(fn) : NULL, false);
		}
	}
	r->ctx = ctx;
	return ctx;
}

int dbt_render(struct dbt_render *r, struct jj_template *t, struct sb *out)
{
	value ctx = r->ctx.type == V_DICT ? r->ctx : dbt_context(r);
	/* compiling the node's own code: its macro calls are its dependencies (record_macro) */
	bool was = r->compiling;
	r->compiling = r->phase == DBT_EXECUTE && r->node && t == r->node->tmpl && !r->not_the_node;
	int rc = jj_render(r->proj->jinja, t, ctx, r->arena, r, out, r->dl);
	r->compiling = was;
	return rc;
}

int dbt_parse_node(struct project *p, struct node *n, struct arena *scratch, struct arena *keep,
		   struct diag_list *dl)
{
	struct dbt_render r = {
		.proj = p, .node = n, .phase = DBT_PARSE, .arena = scratch, .keep = keep, .dl = dl, .own_code = true};
	struct sb out = SB_INIT;
	int rc = dbt_render(&r, n->tmpl, &out);
	sb_release(&out);
	return rc;
}

int dbt_render_string(struct dbt_render *r, const char *name, const char *text, struct loc where,
		      const char **pout)
{
	struct project *p = r->proj;
	size_t len = strlen(text);
	/* the string becomes its own diagnostic file; errors also point at where it came from. It is
	 * parsed into the render's own arena: renders run on several threads, the project arena is
	 * not theirs to allocate in */
	struct arena *a = r->keep ? r->keep : r->arena;
	char *copy = arena_strndup(a, text, len);
	uint32_t f = diag_file_add(name, copy, len);
	struct jj_template *t;
	if (jj_parse(p->jinja, a, name, f, copy, len, &t, r->dl) < 0)
		return -1;
	struct sb out = SB_INIT;
	int rc = dbt_render(r, t, &out);
	if (rc == 0)
		*pout = arena_strndup(r->arena, out.buf, out.len);
	else if (where.file && r->dl->tail)
		diag_note(r->dl, r->dl->tail, where, "while rendering this value");
	sb_release(&out);
	return rc;
}

/* the expression of a template that is one {{ expression }} and nothing else, or NULL; Jinja
 * drops one newline at the end of a template, so "{{ x }}\n" is one expression too */
static const char *single_expression(struct arena *a, const char *text)
{
	size_t n = strlen(text);
	if (n && text[n - 1] == '\n')
		n -= n > 1 && text[n - 2] == '\r' ? 2 : 1;
	if (n < 4 || strncmp(text, "{{", 2) || strncmp(text + n - 2, "}}", 2) || strstr(text + 2, "{{") ||
	    strstr(text, "{%") || strstr(text, "{#"))
		return NULL;
	const char *b = text + 2, *e = text + n - 2;
	if (*b == '-' || *b == '+')
		b++;
	if (e > b && e[-1] == '-')
		e--;
	const char *close = strstr(b, "}}");
	if (close != text + n - 2)
		return NULL;
	return arena_strndup(a, b, (size_t)(e - b));
}

/*
 * Whether Jinja folds the expression into text when it compiles the template: one made only of
 * literals, operators, tests and filters (NativeCodeGenerator._output_child_to_const turns
 * "{{ 1 }}" into the string "1", "{{ true }}" into "True" and "{{ [1, 1] | sum }}" into "2").
 * A name or a call makes it a runtime value, and so do the filters whose result Jinja cannot fold:
 * dbt's markers (not a plain str) and those that take the context (nodes._FilterTestCommon).
 */
static bool constant_expression(const char *e)
{
	static const char *const words[] = {"true", "false", "none", "True", "False", "None",
					    "and", "or", "not", "in", "if", "else", "is"};
	static const char *const runtime_filters[] = {"as_native", "as_bool", "as_number", "as_text", "map",
						      "select", "reject", "selectattr", "rejectattr"};
	bool after_bar = false, after_is = false;
	while (*e) {
		unsigned char c = (unsigned char)*e;
		if (c == '\'' || c == '"') {
			for (e++; *e && *e != (char)c; e++)
				if (*e == '\\' && e[1])
					e++;
			if (!*e)
				return false;
			e++;
		} else if (isalpha(c) || c == '_') {
			const char *w = e;
			while (isalnum((unsigned char)*e) || *e == '_')
				e++;
			size_t len = (size_t)(e - w);
			bool known = false;
			if (after_bar) {  /* a filter's name */
				known = true;
				for (size_t i = 0; i < sizeof(runtime_filters) / sizeof(*runtime_filters); i++)
					if (strlen(runtime_filters[i]) == len && !strncmp(runtime_filters[i], w, len))
						return false;
			}
			for (size_t i = 0; i < sizeof(words) / sizeof(*words) && !known; i++)
				known = strlen(words[i]) == len && !strncmp(words[i], w, len);
			bool is_kw = len == 2 && !strncmp(w, "is", 2), not_kw = len == 3 && !strncmp(w, "not", 3);
			if (!known && after_is)
				known = true;  /* a test's name */
			if (!known)
				return false;
			after_bar = false;
			after_is = is_kw || (after_is && not_kw);
		} else if (isdigit(c)) {
			while (isalnum((unsigned char)*e) || *e == '.' || *e == '_')
				e++;  /* 1, 1.5, 1e3, 1_000 */
			after_bar = after_is = false;
		} else {
			if (!isspace(c))
				after_bar = c == '|', after_is = false;
			e++;
		}
	}
	return true;
}

/*
 * dbt-common's quoted_native_concat: the template's output is one value only when it is a single
 * node, and then the value itself (a string stays a string: "{{ var('x') }}" of '007' is '007');
 * a literal_eval happens only through the as_bool/as_number/as_native filters, which convert at
 * once here. Several nodes, or a constant folded into text, are the rendered text.
 */
int dbt_render_native(struct dbt_render *r, const char *name, const char *text, struct loc where,
		      value *pout)
{
	if (!strstr(text, "{{") && !strstr(text, "{%")) {
		*pout = val_str(text);
		return 0;
	}
	const char *expr = single_expression(r->arena, text);
	if (!expr || constant_expression(expr)) {
		const char *out;
		if (dbt_render_string(r, name, text, where, &out) < 0)
			return -1;
		*pout = val_str(out);
		return 0;
	}
	/* the value itself, not its text: the template hands it over in a list of the context */
	value ctx = r->ctx.type == V_DICT ? r->ctx : dbt_context(r);
	value sink = val_list_new(r->arena, 1);
	val_dict_sets(ctx, "__sluice_native", sink);
	const char *unused;
	int rc = dbt_render_string(r, name, arena_sprintf(r->arena, "{%% do __sluice_native.append((%s)) %%}", expr),
				   where, &unused);
	val_dict_del(ctx, val_str("__sluice_native"));
	if (rc < 0)
		return -1;
	/* copied: a string literal of the expression is a slice of the template's text, not ended
	 * by a NUL, and callers read config strings as C strings */
	*pout = sink.l->len ? val_copy(r->arena, sink.l->items[0]) : val_none();
	return 0;
}

int dbt_call_macro(struct dbt_render *r, const char *name, const struct vargs *args, value *pout)
{
	value fn = proj_find_macro(r->proj, NULL, name);
	if (fn.type == V_UNDEF) {
		diag_error(r->dl, LOC_NONE, "macro '%s' not found", name);
		return -1;
	}
	return dbt_call_value(r, fn, args, pout);
}

/* ---- what the project loader renders through (struct proj_hooks, project.h) ---- */

/* The parse-phase render behind a proj_render: made on its first use, in its arena, and kept
 * there so that the renders of one proj_render share one context, as one dbt_render's do */
static struct dbt_render *parse_render(struct proj_render *pr)
{
	if (!pr->impl) {
		struct dbt_render *r = arena_alloc(pr->arena, sizeof(*r));
		*r = (struct dbt_render){.proj = pr->proj, .node = pr->node, .package = pr->package, .phase = DBT_PARSE,
					 .arena = pr->arena, .keep = pr->keep, .dl = pr->dl};
		pr->impl = r;
	}
	return pr->impl;
}

static int hook_render_string(struct proj_render *pr, const char *name, const char *text, struct loc where,
			      const char **pout)
{
	return dbt_render_string(parse_render(pr), name, text, where, pout);
}

static int hook_render_native(struct proj_render *pr, const char *name, const char *text, struct loc where,
			      value *pout)
{
	return dbt_render_native(parse_render(pr), name, text, where, pout);
}

/* the name macros (generate_schema_name, ...) for a node, as dbt calls them while parsing */
static int hook_call_macro(struct proj_render *pr, const char *name, const struct vargs *args, value *pout)
{
	struct dbt_render *r = parse_render(pr);
	r->runtime_lookups = true;
	/* not the node's code: dbt calls these through a MacroGenerator without the node, so what
	 * they call is not in its depends_on.macros (parser/base.py, RelationUpdate) */
	r->not_the_node = true;
	return dbt_call_macro(r, name, args, pout);
}

const struct proj_hooks dbt_proj_hooks = {
	.install_globals = dbt_install_globals,
	.install_macros = dbt_install_macros,
	.parse_node = dbt_parse_node,
	.parse_generic_test = dbt_parse_generic_test,
	.render_string = hook_render_string,
	.render_native = hook_render_native,
	.call_macro = hook_call_macro,
	.macro_deps = dbt_project_macro_deps,
	.release = dbt_modules_release,
};
