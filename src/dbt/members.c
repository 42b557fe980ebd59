/*
 * The members of dbt's context beyond ref/source/config/var and the adapter: dbt_version,
 * set_strict, zip_strict, try_or_compiler_error, diff_of_two_dicts, invocation_args_dict,
 * dbt_metadata_envs, selected_resources, load_agate_table, sql_now, validation, metric,
 * adapter_macro, submit_python_job, store_raw_result, and `context` / `builtins`, the context
 * itself as a mapping (dbt's to_dict() puts both in every context).
 *
 * `builtins` lists what the context holds that is not a macro: the globals installed for the
 * project (not Jinja's own, not macros or package namespaces) and the entries of the render's own
 * context dict (execute, target, this, model, ...). `context` is everything a name can resolve to.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "artifacts/artifacts.h"
#include "core/log.h"
#include "dbt/internal.h"
#include "jinja/jinja.h"

/* The dbt version Sluice matches: `dbt_version`, artifacts' metadata and require-dbt-version */
const char *const dbt_matched_version = DBT_MATCHED_VERSION;

#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))

/* ---- functions ---- */

static value f_set_strict(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return dbt_try_set_fn(vm, ud, args);
}

static bool is_iterable(value v)
{
	return v.type == V_LIST || v.type == V_STR || v.type == V_DICT || (v.type == V_OBJ && v.o->cls->iter);
}

/* zip_strict(*iterables): tuples of the items at each position, up to the shortest; anything not
 * iterable is an error */
static value f_zip_strict(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	size_t n = args->npos ? SIZE_MAX : 0;
	value *lists = arena_alloc(jj_arena(vm), (args->npos + 1) * sizeof(value));
	for (size_t i = 0; i < args->npos; i++) {
		if (!is_iterable(args->pos[i]))
			jj_raise(vm, "zip_strict(): '%s' object is not iterable", val_type_name(args->pos[i]));
		lists[i] = jj_iter_list(vm, args->pos[i]);
		if (lists[i].l->len < n)
			n = lists[i].l->len;
	}
	value out = val_list_new(jj_arena(vm), n);
	for (size_t k = 0; k < n; k++) {
		value t = val_tuple_new(jj_arena(vm), args->npos);
		for (size_t i = 0; i < args->npos; i++)
			val_list_push(t, lists[i].l->items[k]);
		val_list_push(out, t);
	}
	return out;
}

/* try_or_compiler_error(message_if_exception, func, *args, **kwargs): func's result, or a
 * compilation error with the message when func raises */
static value f_try_or_compiler_error(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	struct dbt_render *r = dbt_r(vm);
	if (args->npos < 2)
		jj_raise(vm, "try_or_compiler_error() takes a message and a function to call");
	value msg = args->pos[0], fn = args->pos[1];
	if (!val_is_callable(fn))
		jj_raise(vm, "try_or_compiler_error(): '%s' object is not callable", val_type_name(fn));
	struct vargs rest = *args;
	rest.pos = args->pos + 2;
	rest.npos = args->npos - 2;
	struct diag_list mine = {0};
	diag_list_init(&mine);
	value out;
	value ctx = r->ctx.type == V_DICT ? r->ctx : dbt_context(r);
	int rc = jj_invoke(r->proj->jinja, fn, &rest, ctx, jj_arena(vm), r, &out, &mine);
	diag_list_release(&mine);
	if (rc < 0) {
		struct sb s = SB_INIT;
		val_str_to(&s, msg);
		const char *text = arena_strndup(jj_arena(vm), s.buf, s.len);
		sb_release(&s);
		jj_raise(vm, "%s", text);
	}
	return out;
}

static bool casefold_eq(value a, value b)
{
	if (a.type != V_STR || b.type != V_STR)
		return val_eq(a, b);
	if (a.len != b.len)
		return false;
	for (uint32_t i = 0; i < a.len; i++)
		if (tolower((unsigned char)a.s[i]) != tolower((unsigned char)b.s[i]))
			return false;
	return true;
}

/* diff_of_two_dicts(dict_a, dict_b): dict_a minus dict_b, for dicts of lists of strings, comparing
 * keys and values without regard to case; keys keep dict_a's case */
static value f_diff_of_two_dicts(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	value a = jj_arg(args, 0, "dict_a", val_undef()), b = jj_arg(args, 1, "dict_b", val_undef());
	if (a.type != V_DICT || b.type != V_DICT)
		jj_raise(vm, "diff_of_two_dicts() takes two dicts of lists of strings");
	value out = val_dict_new(jj_arena(vm), a.d->len);
	for (uint32_t i = 0; i < a.d->len; i++) {
		value k = a.d->e[i].key, va = a.d->e[i].val;
		value vb = val_undef();
		for (uint32_t j = 0; j < b.d->len && vb.type == V_UNDEF; j++)
			if (casefold_eq(k, b.d->e[j].key))
				vb = b.d->e[j].val;
		if (vb.type == V_UNDEF) {
			val_dict_set(out, k, va);
			continue;
		}
		value la = jj_iter_list(vm, va), lb = jj_iter_list(vm, vb);
		value diff = val_list_new(jj_arena(vm), la.l->len);
		for (uint32_t x = 0; x < la.l->len; x++) {
			bool found = false;
			for (uint32_t y = 0; y < lb.l->len && !found; y++)
				found = casefold_eq(la.l->items[x], lb.l->items[y]);
			if (!found)
				val_list_push(diff, la.l->items[x]);
		}
		if (diff.l->len)
			val_dict_set(out, k, diff);
	}
	return out;
}

static value f_adapter_macro(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	value name = jj_arg(args, 0, "name", val_str(""));
	jj_raise(vm, "The \"adapter_macro\" macro has been deprecated. Instead, use the `adapter.dispatch` method to "
		     "find a macro and call the result. adapter_macro was called for: %s",
		 name.type == V_STR ? name.s : "?");
}

static value f_submit_python_job(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	(void)args;
	jj_raise(vm, "submit_python_job(): Python models are not supported; write the model in SQL");
}

/* metric(name, package=None): what a model names a metric by; its name. While parsing, the call
 * is recorded: the node then depends on the metric, as in dbt */
static value f_metric(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	const char *a0 = dbt_str_arg(vm, args, 0, "name", "metric", true);
	const char *a1 = args->npos > 1 ? dbt_str_arg(vm, args, 1, "package", "metric", false) : NULL;
	struct dbt_render *r = dbt_r(vm);
	if (r && r->node && r->phase == DBT_PARSE) {
		struct arena *a = r->keep ? r->keep : &r->proj->arena;
		if (r->node->metric_calls.type != V_LIST)
			r->node->metric_calls = val_list_new(a, 1);
		value call = val_list_new(a, 2);
		if (a1)
			val_list_push(call, val_str(arena_strdup(a, a1)));
		val_list_push(call, val_str(arena_strdup(a, a0)));
		val_list_push(r->node->metric_calls, call);
	}
	return val_str(a1 ? a1 : a0);
}

/* validation.any(*types): the validator config.get() takes; config.get does not check types */
static value f_validation_any(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	(void)args;
	return val_func(jj_arena(vm), "validate_any", f_validation_any, NULL);
}

/* store_raw_result(name, message=None, code=None, rows_affected=None, agate_table=None) */
static value f_store_raw_result(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	struct arena *a = jj_arena(vm);
	value resp = val_dict_new(a, 3);
	val_dict_sets(resp, "_message", jj_arg(args, 1, "message", val_none()));
	val_dict_sets(resp, "code", jj_arg(args, 2, "code", val_none()));
	val_dict_sets(resp, "rows_affected", jj_arg(args, 3, "rows_affected", val_none()));
	value store = jj_lookup(vm, "store_result");
	if (!val_is_callable(store))
		jj_raise(vm, "store_raw_result(): store_result is not available here");
	value pos[3] = {jj_arg(args, 0, "name", val_none()), resp, jj_arg(args, 4, "agate_table", val_none())};
	struct vargs call = {.pos = pos, .npos = 3};
	return jj_call(vm, store, &call);
}

/* sql_now: the adapter's expression for the current time */
static const char *sql_now(struct project *p)
{
	const char *t = p->target.type ? p->target.type : "duckdb";
	if (!strcmp(t, "flink") || !strcmp(t, "confluent"))
		return "CURRENT_TIMESTAMP";
	return "now()";
}

/* ---- the context as a mapping ---- */

struct ctx_view {
	struct project *p;
	uint32_t from, to;  /* the project's globals: env globals [from, to) */
	bool all;           /* context (everything) rather than builtins */
	value installed;    /* builtins: each member as installed, before a project's macro of the
			     * same name (a `ref` override) took its global's place */
};

/* whether a global of the env is a member of the context (not a macro or a package namespace) */
static bool is_member_value(value v)
{
	if (v.type == V_UNDEF)
		return false;
	if ((v.type == V_FUNC || v.type == V_OBJ) && jj_macro_package(v))
		return false;
	return true;
}

static bool hidden_name(value k)
{
	return k.type != V_STR || !strncmp(k.s, "__sluice", 8) || val_streq(k, "_dbt_generic_test_kwargs");
}

static bool builtin_global(const struct ctx_view *cv, struct jj_env *env, const char *name, value *pv)
{
	value g = jj_env_globals(env);
	long i = val_dict_find(g, val_str(name));
	if (i < 0 || (uint32_t)i < cv->from || (uint32_t)i >= cv->to)
		return false;
	value v = g.d->e[i].val;
	/* a project that overrides ref() or source() with a macro calls dbt's through builtins
	 * (dbt-unit-testing, dbt-labs' own docs on custom ref) */
	if (!is_member_value(v) && cv->installed.type == V_DICT)
		v = val_dict_gets(cv->installed, name);
	if (!is_member_value(v))
		return false;
	*pv = v;
	return true;
}

static value view_lookup(struct jj_vm *vm, const struct ctx_view *cv, const char *name)
{
	struct dbt_render *r = jj_user(vm);
	if (r && r->ctx.type == V_DICT) {
		value v = val_dict_gets(r->ctx, name);
		if (v.type != V_UNDEF && !hidden_name(val_str(name)))
			return v;
	}
	if (cv->all) {
		value v = jj_env_global(jj_vm_env(vm), name);
		return hidden_name(val_str(name)) ? val_undef() : v;
	}
	value v;
	return builtin_global(cv, jj_vm_env(vm), name, &v) ? v : val_undef();
}

static value view_keys_list(struct jj_vm *vm, const struct ctx_view *cv)
{
	struct arena *a = jj_arena(vm);
	struct dbt_render *r = jj_user(vm);
	value seen = val_dict_new(a, 128);
	if (r && r->ctx.type == V_DICT)
		for (uint32_t i = 0; i < r->ctx.d->len; i++)
			if (!hidden_name(r->ctx.d->e[i].key) && r->ctx.d->e[i].val.type != V_UNDEF)
				val_dict_set(seen, r->ctx.d->e[i].key, val_none());
	value g = jj_env_globals(jj_vm_env(vm));
	uint32_t from = cv->all ? cv->from : cv->from, to = cv->all ? g.d->len : cv->to;
	for (uint32_t i = from; i < to && i < g.d->len; i++) {
		value k = g.d->e[i].key;
		value v;
		if (hidden_name(k) || (!cv->all && !builtin_global(cv, jj_vm_env(vm), k.s, &v)))
			continue;
		val_dict_set(seen, k, val_none());
	}
	value out = val_list_new(a, seen.d->len);
	for (uint32_t i = 0; i < seen.d->len; i++)
		val_list_push(out, seen.d->e[i].key);
	return out;
}

static value vm_keys(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)args;
	return view_keys_list(vm, ud);
}

static value vm_values(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)args;
	value keys = view_keys_list(vm, ud);
	value out = val_list_new(jj_arena(vm), keys.l->len);
	for (uint32_t i = 0; i < keys.l->len; i++)
		val_list_push(out, view_lookup(vm, ud, keys.l->items[i].s));
	return out;
}

static value vm_items(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)args;
	value keys = view_keys_list(vm, ud);
	value out = val_list_new(jj_arena(vm), keys.l->len);
	for (uint32_t i = 0; i < keys.l->len; i++) {
		value t = val_tuple_new(jj_arena(vm), 2);
		val_list_push(t, keys.l->items[i]);
		val_list_push(t, view_lookup(vm, ud, keys.l->items[i].s));
		val_list_push(out, t);
	}
	return out;
}

static value vm_get(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value k = jj_arg(args, 0, "key", val_undef());
	value d = jj_arg(args, 1, "default", val_none());
	if (k.type != V_STR)
		return d;
	value v = view_lookup(vm, ud, val_cstr(jj_arena(vm), k));
	return v.type == V_UNDEF ? d : v;
}

/* context.update(d): dbt's context is the render's own dict, which packages write to and read
 * back from later in the same render (dbt-unit-testing keeps its test's state there): the
 * entries go to the render's context */
static value vm_update(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	(void)ud;
	struct dbt_render *r = jj_user(vm);
	if (!r || r->ctx.type != V_DICT)
		jj_raise(vm, "context.update() outside a render");
	value d = jj_arg(args, 0, "other", val_undef());
	if (d.type == V_DICT)
		for (uint32_t i = 0; i < d.d->len; i++)
			val_dict_set(r->ctx, d.d->e[i].key, d.d->e[i].val);
	else if (d.type != V_UNDEF)
		jj_raise(vm, "context.update() takes a dict");
	for (size_t i = 0; i < args->nkw; i++)
		val_dict_set(r->ctx, val_str(args->kwnames[i]), args->kw[i]);
	return val_none();
}

static value view_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct ctx_view *cv = o->data;
	struct arena *a = jj_arena(vm);
	if (cv->all && IS("update"))
		return val_func(a, "update", vm_update, cv);
	if (IS("keys"))
		return val_func(a, "keys", vm_keys, cv);
	if (IS("values"))
		return val_func(a, "values", vm_values, cv);
	if (IS("items"))
		return val_func(a, "items", vm_items, cv);
	if (IS("get"))
		return val_func(a, "get", vm_get, cv);
	return view_lookup(vm, cv, arena_strndup(a, name, n));
}

static value view_iter(struct jj_vm *vm, struct vobj *o)
{
	return view_keys_list(vm, o->data);
}

static const struct vobj_class view_class = {
	.name = "dict",
	.getattr = view_getattr,
	.iter = view_iter,
	.mapping = true,
};

/* ---- installation ---- */

static void set_fn(struct jj_env *env, struct arena *a, const char *name, vfunc_fn fn, void *ud)
{
	jj_env_set_global(env, name, val_func(a, name, fn, ud));
}

uint32_t dbt_members_mark(struct project *p)
{
	return jj_env_globals(p->jinja).d->len;
}

void dbt_install_members(struct project *p, uint32_t from)
{
	struct jj_env *env = p->jinja;
	struct arena *a = &p->arena;
	jj_env_set_global(env, "dbt_version", val_str(dbt_matched_version));
	set_fn(env, a, "set_strict", f_set_strict, p);
	set_fn(env, a, "zip_strict", f_zip_strict, p);
	set_fn(env, a, "try_or_compiler_error", f_try_or_compiler_error, p);
	set_fn(env, a, "diff_of_two_dicts", f_diff_of_two_dicts, p);
	set_fn(env, a, "adapter_macro", f_adapter_macro, p);
	set_fn(env, a, "submit_python_job", f_submit_python_job, p);
	set_fn(env, a, "metric", f_metric, p);
	set_fn(env, a, "store_raw_result", f_store_raw_result, p);
	set_fn(env, a, "load_agate_table", dbt_load_agate_table_fn, p);
	value validation = val_dict_new(a, 1);
	val_dict_sets(validation, "any", val_func(a, "any", f_validation_any, NULL));
	jj_env_set_global(env, "validation", validation);
	jj_env_set_global(env, "sql_now", val_str(sql_now(p)));
	jj_env_set_global(env, "column", dbt_api_column(a));
	jj_env_set_global(env, "dbt_metadata_envs", art_metadata_envs(a));
	/* invocation_args_dict: the command's flags by their lower-case names */
	value inv = val_dict_new(a, 16);
	for (uint32_t i = 0; p->flags.type == V_DICT && i < p->flags.d->len; i++) {
		value k = p->flags.d->e[i].key;
		if (k.type != V_STR)
			continue;
		char *low = arena_strndup(a, k.s, k.len);
		for (char *c = low; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		val_dict_set(inv, val_str(low), p->flags.d->e[i].val);
	}
	jj_env_set_global(env, "invocation_args_dict", inv);
	jj_env_set_global(env, "context_macro_stack", dbt_macro_stack_value(a));
	jj_env_set_global(env, "selected_resources", val_list_new(a, 0));
	uint32_t to = dbt_members_mark(p) + 2;
	struct ctx_view *b = ARENA_NEW(a, struct ctx_view);
	value installed = val_dict_new(a, to - from);
	value g = jj_env_globals(env);
	for (uint32_t i = from; i < to && i < g.d->len; i++)
		val_dict_set(installed, g.d->e[i].key, g.d->e[i].val);
	*b = (struct ctx_view){p, from, to, false, installed};
	struct ctx_view *c = ARENA_NEW(a, struct ctx_view);
	*c = (struct ctx_view){p, from, to, true, val_undef()};
	jj_env_set_global(env, "builtins", val_obj(a, &view_class, b));
	jj_env_set_global(env, "context", val_obj(a, &view_class, c));
}

void dbt_set_selected_resources(struct project *p)
{
	value list = val_list_new(&p->arena, 16);
	for (size_t i = 0; p->selected && i < p->nnodes; i++)
		if (p->selected[i])
			val_list_push(list, val_str(p->nodes[i]->unique_id));
	jj_env_set_global(p->jinja, "selected_resources", list);
}
