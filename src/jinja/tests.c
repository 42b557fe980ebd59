/*
 * Jinja2's built-in tests (`x is defined`, `n is divisibleby 3`, ...). Tests without arguments are
 * also reachable by id (jj_builtin_test), so `is defined` in a hot loop does not build an argument
 * list.
 */
#include <string.h>

#include "jinja/internal.h"

enum {
	T_DEFINED, T_UNDEFINED, T_NONE, T_BOOLEAN, T_FALSE, T_TRUE, T_INTEGER, T_FLOAT, T_NUMBER,
	T_STRING, T_MAPPING, T_SEQUENCE, T_ITERABLE, T_CALLABLE, T_ODD, T_EVEN, T_LOWER, T_UPPER,
	T_ESCAPED, T_NTESTS
};

static const char *const test_names[T_NTESTS] = {
	"defined", "undefined", "none", "boolean", "false", "true", "integer", "float", "number",
	"string", "mapping", "sequence", "iterable", "callable", "odd", "even", "lower", "upper",
	"escaped",
};

int jj_builtin_test_id(const char *s, size_t n)
{
	for (int i = 0; i < T_NTESTS; i++)
		if (strlen(test_names[i]) == n && memcmp(test_names[i], s, n) == 0)
			return i;
	return -1;
}

/* value % k == want, with Python's % (ints, floats, big integers) */
static bool mod_is(struct jj_vm *vm, value v, value k, int64_t want)
{
	value r = jj_binop(vm, OP_MOD, v, k);
	return r.type == V_FLOAT ? r.f == (double)want : r.type == V_INT && r.i == want;
}

bool jj_builtin_test(struct jj_vm *vm, int id, value v, bool *phandled)
{
	*phandled = true;
	switch (id) {
	case T_DEFINED: return v.type != V_UNDEF;
	case T_UNDEFINED: return v.type == V_UNDEF;
	case T_NONE: return v.type == V_NONE;
	case T_BOOLEAN: return v.type == V_BOOL;
	case T_FALSE: return v.type == V_BOOL && !v.b;
	case T_TRUE: return v.type == V_BOOL && v.b;
	case T_INTEGER: return v.type == V_INT || jj_is_bigint(v);
	case T_FLOAT: return v.type == V_FLOAT;
	case T_NUMBER: return v.type == V_INT || v.type == V_FLOAT || v.type == V_BOOL || jj_is_bigint(v);
	case T_STRING: return v.type == V_STR;
	case T_MAPPING: return v.type == V_DICT || (v.type == V_OBJ && v.o->cls->mapping);
	case T_SEQUENCE: return v.type == V_STR || v.type == V_LIST || v.type == V_DICT || v.type == V_UNDEF;
	case T_ITERABLE:
		return v.type == V_STR || v.type == V_LIST || v.type == V_DICT || v.type == V_UNDEF ||
		       (v.type == V_OBJ && v.o->cls->iter);
	case T_CALLABLE: return val_is_callable(v) || v.type == V_UNDEF;
	case T_ODD: return mod_is(vm, v, val_int(2), 1);
	case T_EVEN: return mod_is(vm, v, val_int(2), 0);
	case T_LOWER:
	case T_UPPER: {
		value s = jj_str(vm, v);
		int mid = jj_method_id(id == T_LOWER ? "islower" : "isupper", 7);
		value r;
		struct vargs none = {0};
		jj_call_method(vm, s, mid, &none, &r);
		return r.b;
	}
	case T_ESCAPED: return v.type == V_STR && (v.flags & VF_SAFE);
	}
	*phandled = false;
	return false;
}

/* a registered test function for each of the simple tests above */
static value simple_test(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	bool handled;
	int id = (int)(intptr_t)ud;
	if (a->npos > 1 || a->nkw)
		jj_raise(vm, "%s() takes 1 positional argument but %zu were given", test_names[id],
			 a->npos + a->nkw);
	return val_bool(jj_builtin_test(vm, id, jj_pos(a, 0), &handled));
}

static value t_divisibleby(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	value nv = jj_arg(a, 1, "num", val_undef());
	if (!jj_has_arg(a, 1, "num"))
		jj_raise(vm, "test_divisibleby() missing 1 required positional argument: 'num'");
	return val_bool(mod_is(vm, jj_pos(a, 0), nv, 0));
}

static value t_filter(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	value v = jj_pos(a, 0);
	return val_bool(v.type == V_STR && jj_env_find_filter(vm->env, v.s, v.len));
}

static value t_test(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	value v = jj_pos(a, 0);
	return val_bool(v.type == V_STR && jj_env_find_test(vm->env, v.s, v.len));
}

static value t_sameas(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	value x = jj_pos(a, 0), y = jj_arg(a, 1, "other", val_undef());
	if (x.type != y.type)
		return val_bool(false);
	switch (x.type) {
	case V_NONE: return val_bool(true);
	case V_UNDEF: return val_bool(x.s == y.s);
	case V_BOOL: return val_bool(x.b == y.b);
	case V_INT: return val_bool(x.i == y.i && x.i >= -5 && x.i <= 256);
	case V_FLOAT: return val_bool(false);
	case V_STR: return val_bool(x.s == y.s && x.len == y.len);
	case V_LIST: return val_bool(x.l == y.l);
	case V_DICT: return val_bool(x.d == y.d);
	case V_FUNC: return val_bool(x.fn == y.fn);
	case V_OBJ: return val_bool(x.o == y.o || x.o->data == y.o->data);
	}
	return val_bool(false);
}

static value t_in(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	return val_bool(jj_contains(vm, jj_arg(a, 1, "seq", val_undef()), jj_pos(a, 0)));
}

enum { C_EQ, C_NE, C_GT, C_GE, C_LT, C_LE };

static value t_compare(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	static const char *const sym[] = {"==", "!=", ">", ">=", "<", "<="};
	int op = (int)(intptr_t)ud;
	value x = jj_pos(a, 0);
	if (a->npos < 2)
		jj_raise(vm, "expected 2 arguments, got %zu", a->npos);
	value y = a->pos[1];
	if (op == C_EQ)
		return val_bool(val_eq(x, y));
	if (op == C_NE)
		return val_bool(!val_eq(x, y));
	int c = jj_compare(vm, x, y, sym[op]);
	switch (op) {
	case C_GT: return val_bool(c > 0);
	case C_GE: return val_bool(c >= 0);
	case C_LT: return val_bool(c < 0);
	default: return val_bool(c <= 0);
	}
}

void jj_register_tests(struct jj_env *env)
{
	for (int i = 0; i < T_NTESTS; i++)
		jj_env_add_test(env, test_names[i], simple_test, (void *)(intptr_t)i);
	jj_env_add_test(env, "divisibleby", t_divisibleby, NULL);
	jj_env_add_test(env, "filter", t_filter, NULL);
	jj_env_add_test(env, "test", t_test, NULL);
	jj_env_add_test(env, "sameas", t_sameas, NULL);
	jj_env_add_test(env, "in", t_in, NULL);
	static const struct {
		const char *name;
		int op;
	} cmps[] = {
		{"==", C_EQ}, {"eq", C_EQ}, {"equalto", C_EQ}, {"!=", C_NE}, {"ne", C_NE},
		{">", C_GT}, {"gt", C_GT}, {"greaterthan", C_GT}, {">=", C_GE}, {"ge", C_GE},
		{"<", C_LT}, {"lt", C_LT}, {"lessthan", C_LT}, {"<=", C_LE}, {"le", C_LE},
	};
	for (size_t i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++)
		jj_env_add_test(env, cmps[i].name, t_compare, (void *)(intptr_t)cmps[i].op);
}
