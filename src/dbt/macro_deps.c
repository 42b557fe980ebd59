/*
 * A macro's own depends_on.macros, as dbt lists it (see dbt_macro_deps in context.h).
 *
 * dbt finds the macros a macro calls from its text alone, never running it: every call in the
 * macro's syntax tree, whatever branch it is in (so calls under `{% if execute %}` count), in
 * the order Jinja2's find_all yields them. What a call names is then looked up as a macro:
 *  - `f(...)`: the name f, unless it is ref, source, config or a name of dbt's parse-time context
 *    (return, log, var, env_var, ...); `pkg.f(...)`: f in package pkg; `adapter.dispatch(...)`:
 *    below; other `adapter.x(...)`, `a.b.f()`, `x[0]()` name nothing;
 *  - the lookup: in the calling macro's own package (or the named one) first, then the root
 *    project, the other packages, and the internal packages (the adapter's before dbt's);
 *  - `adapter.dispatch('name', 'ns')` (or macro_name= / macro_namespace= literals) names `name`
 *    itself and the macro dispatch finds: for each package to search (the project's dispatch
 *    search_order for ns, else the root project then ns when ns is a loaded package, else every
 *    package as one), each adapter prefix (the adapter, its parent, default) in turn;
 *  - a name equal to the calling macro's own (what a dispatching macro names first) is skipped,
 *    names that find no macro (filters, methods, builtins, caller) are dropped, and each macro is
 *    listed once, where it was first found.
 *
 * Cost: linear in the size of the macros' text, with a dict lookup per call.
 */
#include <string.h>

#include "adapters/adapter.h"
#include "dbt/internal.h"
#include "jinja/jinja.h"

/* Names of dbt's parse-time macro context (MacroResolvingContext) and the calls dbt never counts */
static const char *const CONTEXT_NAMES[] = {
	"ref", "source", "config",
	"builtins", "dbt_version", "var", "env_var", "return", "fromjson", "tojson", "fromyaml", "toyaml",
	"set", "set_strict", "zip", "zip_strict", "log", "run_started_at", "invocation_id", "thread_id",
	"modules", "flags", "print", "diff_of_two_dicts", "local_md5", "target", "project_name", NULL,
};

struct resolver {
	struct arena *a;
	const struct dbt_mdeps_rules *rules;
	struct dbt_mdeps_macro *ms;
	value pkgs;         /* package -> {name -> index}, the internal ones too */
	value internal;     /* name -> index over the internal packages, the first listed winning */
	value by_name;      /* name -> index in dbt's search order */
	struct dbt_mdeps_macro *cur;
	uint32_t cap;
};

static bool in_list(const char *const *l, const char *s)
{
	for (; l && *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

static struct dbt_mdeps_macro *lookup(struct resolver *r, value ns, const char *name)
{
	value v = ns.type == V_DICT ? val_dict_gets(ns, name) : val_undef();
	return v.type == V_INT ? &r->ms[v.i] : NULL;
}

/* dbt's MacroResolver.get_macro: the local (or named) package first, then the search order */
static struct dbt_mdeps_macro *get_macro(struct resolver *r, const char *package, const char *name)
{
	struct dbt_mdeps_macro *m = lookup(r, val_dict_gets(r->pkgs, package), name);
	return m ? m : lookup(r, r->by_name, name);
}

/* dbt's TestMacroNamespace.get_from_package, as dispatch searches a package (NULL: every one) */
static struct dbt_mdeps_macro *from_package(struct resolver *r, const char *package, const char *name)
{
	if (!package)
		return lookup(r, r->by_name, name);
	if (!strcmp(package, "dbt"))
		return lookup(r, r->internal, name);
	if (in_list(r->rules->internal, package))
		return NULL;
	return lookup(r, val_dict_gets(r->pkgs, package), name);
}

static void add_dep(struct resolver *r, const char *package, const char *name)
{
	struct dbt_mdeps_macro *cur = r->cur;
	struct dbt_mdeps_macro *m = get_macro(r, package, name);
	if (!m)
		return;
	for (uint32_t i = 0; i < cur->ndeps; i++)
		if (!strcmp(cur->deps[i], m->unique_id))
			return;
	if (cur->ndeps == r->cap) {
		uint32_t cap = r->cap ? 2 * r->cap : 8;
		const char **l = arena_alloc(r->a, cap * sizeof(*l));
		if (cur->ndeps)
			memcpy(l, cur->deps, cur->ndeps * sizeof(*l));
		cur->deps = l;
		r->cap = cap;
	}
	cur->deps[cur->ndeps++] = m->unique_id;
}

/* A name the text calls, "name" or "package.name" */
static void add_called(struct resolver *r, const char *package, const char *name)
{
	if (!package && !strcmp(name, r->cur->name))
		return;
	add_dep(r, package ? package : r->cur->package, name);
}

/* The macro adapter.dispatch(name, namespace) finds, as dbt's dispatch searches */
static struct dbt_mdeps_macro *dispatch(struct resolver *r, const char *name, const char *ns)
{
	const struct dbt_mdeps_rules *ru = r->rules;
	const char *search[64];
	size_t n = 0;
	bool configured = false;
	/* the first entry for the namespace counts, if its search_order is not empty */
	for (uint32_t i = 0; ns && ru->dispatch.type == V_LIST && i < ru->dispatch.l->len; i++) {
		value d = ru->dispatch.l->items[i];
		if (d.type != V_DICT || !val_streq(val_dict_gets(d, "macro_namespace"), ns))
			continue;
		value so = val_dict_gets(d, "search_order");
		for (uint32_t j = 0; so.type == V_LIST && j < so.l->len && n < 64; j++)
			if (so.l->items[j].type == V_STR)
				search[n++] = so.l->items[j].s;
		configured = n > 0;
		break;
	}
	if (!configured) {
		n = 0;
		if (ns && in_list(ru->projects, ns)) {
			search[n++] = ru->root;
			search[n++] = ns;
		} else {
			search[n++] = NULL;
		}
	}
	for (size_t i = 0; i < n; i++)
		for (const char *const *pre = ru->prefixes; *pre; pre++) {
			const char *full = arena_sprintf(r->a, "%s__%s", *pre, name);
			struct dbt_mdeps_macro *m = from_package(r, search[i], full);
			if (m)
				return m;
		}
	return NULL;
}

/*
 * adapter.dispatch(...): the macro name (first argument or macro_name=, string literals), the
 * namespace (second argument or macro_namespace=, string literals; the positional one wins, a list
 * of packages there is the old form and sets none)
 */
static void add_dispatch(struct resolver *r, const struct jj_static_call *c)
{
	const char *name = NULL, *ns = NULL;
	uint32_t npos = 0;
	while (npos < c->nargs && !c->args[npos].kw)
		npos++;
	if (npos > 0 && c->args[0].kind == JJ_ARG_STR && c->args[0].s[0]) {
		name = c->args[0].s;
		add_called(r, NULL, name);
	}
	for (uint32_t i = npos; i < c->nargs; i++) {
		const struct jj_static_arg *a = &c->args[i];
		if (a->kind != JJ_ARG_STR)
			continue;
		if (!strcmp(a->kw, "macro_name")) {
			name = a->s;
			add_called(r, NULL, name);
		} else if (!strcmp(a->kw, "macro_namespace")) {
			ns = a->s;
		}
	}
	if (npos > 1 && c->args[1].kind == JJ_ARG_STR)
		ns = c->args[1].s;
	else if (npos > 1 && c->args[1].kind == JJ_ARG_CONST)
		ns = NULL;
	if (!name || strchr(name, '.'))
		return;
	struct dbt_mdeps_macro *m = dispatch(r, name, ns);
	if (m)
		add_dep(r, m->package, m->name);
}

static void on_call(void *ud, const struct jj_static_call *c)
{
	struct resolver *r = ud;
	if (c->name) {
		if (!in_list(CONTEXT_NAMES, c->name))
			add_called(r, NULL, c->name);
	} else if (c->obj && !strcmp(c->obj, "adapter")) {
		if (!strcmp(c->attr, "dispatch"))
			add_dispatch(r, c);
	} else if (c->obj) {
		add_called(r, c->obj, c->attr);
	}
}

static void put(value dict, const char *name, size_t i)
{
	val_dict_set(dict, val_str(name), val_int((int64_t)i));
}

void dbt_macro_deps(struct arena *a, const struct dbt_mdeps_rules *rules, struct dbt_mdeps_macro *ms, size_t n)
{
	struct resolver r = {.a = a, .rules = rules, .ms = ms};
	r.pkgs = val_dict_new(a, 8);
	for (size_t i = 0; i < n; i++) {
		value p = val_dict_gets(r.pkgs, ms[i].package);
		if (p.type != V_DICT) {
			p = val_dict_new(a, 64);
			val_dict_sets(r.pkgs, ms[i].package, p);
		}
		put(p, ms[i].name, i);
	}
	/* the internal packages as one namespace: the first listed (the adapter's) wins */
	r.internal = val_dict_new(a, 64);
	size_t ninternal = 0;
	while (rules->internal && rules->internal[ninternal])
		ninternal++;
	for (size_t k = ninternal; k-- > 0;) {
		value p = val_dict_gets(r.pkgs, rules->internal[k]);
		for (uint32_t j = 0; p.type == V_DICT && j < p.d->len; j++)
			val_dict_set(r.internal, p.d->e[j].key, p.d->e[j].val);
	}
	/* by name: the internal packages, overridden by the other packages, overridden by the root */
	r.by_name = val_dict_new(a, 64);
	for (uint32_t j = 0; j < r.internal.d->len; j++)
		val_dict_set(r.by_name, r.internal.d->e[j].key, r.internal.d->e[j].val);
	for (uint32_t i = 0; i < r.pkgs.d->len; i++) {
		const char *pkg = r.pkgs.d->e[i].key.s;
		if (in_list(rules->internal, pkg))
			continue;
		value p = r.pkgs.d->e[i].val;
		for (uint32_t j = 0; j < p.d->len; j++)
			val_dict_set(r.by_name, p.d->e[j].key, p.d->e[j].val);
	}
	value root = val_dict_gets(r.pkgs, rules->root);
	for (uint32_t j = 0; root.type == V_DICT && j < root.d->len; j++)
		val_dict_set(r.by_name, root.d->e[j].key, root.d->e[j].val);

	for (size_t i = 0; i < n; i++) {
		r.cur = &ms[i];
		r.cap = 0;
		ms[i].deps = NULL;
		ms[i].ndeps = 0;
		jj_static_calls(ms[i].fn, a, on_call, &r);
	}
}

void dbt_project_macro_deps(struct project *p)
{
	if (p->macro_deps_done)
		return;
	p->macro_deps_done = true;
	struct arena *a = &p->arena;
	const char *type = p->target.type ? p->target.type : "duckdb";
	const struct adapter_vtable *vt = adapter_find(type);
	const char **prefixes = arena_alloc(a, 4 * sizeof(*prefixes));
	size_t np = 0;
	prefixes[np++] = type;
	if (vt && vt->parent)
		prefixes[np++] = vt->parent;
	prefixes[np++] = "default";
	prefixes[np] = NULL;
	const char **projects = arena_alloc(a, (p->npackages + 2) * sizeof(*projects));
	for (size_t i = 0; i < p->npackages; i++)
		projects[i] = p->packages[i].name;
	projects[p->npackages] = "dbt";
	projects[p->npackages + 1] = NULL;
	static const char *const internal[] = {"dbt", NULL};
	struct dbt_mdeps_rules rules = {
		.root = p->name ? p->name : "",
		.internal = internal,
		.prefixes = prefixes,
		.projects = projects,
		.dispatch = val_dict_gets(p->yml, "dispatch"),
	};
	struct dbt_mdeps_macro *ms = arena_alloc(a, (p->nmacros ? p->nmacros : 1) * sizeof(*ms));
	for (size_t i = 0; i < p->nmacros; i++)
		ms[i] = (struct dbt_mdeps_macro){p->macros[i]->package, p->macros[i]->name, p->macros[i]->unique_id,
						 p->macros[i]->fn, NULL, 0};
	dbt_macro_deps(a, &rules, ms, p->nmacros);
	for (size_t i = 0; i < p->nmacros; i++) {
		p->macros[i]->deps = ms[i].deps;
		p->macros[i]->ndeps = ms[i].ndeps;
	}
}
