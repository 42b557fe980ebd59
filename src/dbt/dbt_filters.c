/*
 * dbt's own Jinja filters: as_text, as_bool, as_number and as_native. dbt renders some values
 * natively (a string "True" becomes a boolean); these filters ask for that conversion explicitly,
 * and packages use them on var() and env_var() values. A string is read as a Python literal
 * where it is one (True/False/None, numbers, and for as_native lists and dicts written as JSON);
 * anything else passes through unchanged, as dbt's filters leave what they cannot convert.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dbt/internal.h"
#include "jinja/jinja.h"

value dbt_literal(struct arena *a, value v, bool containers)
{
	if (v.type != V_STR)
		return v;
	const char *s = val_cstr(a, v);
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	char *t = arena_strndup(a, s, n);
	if (!strcmp(t, "True") || !strcmp(t, "true"))
		return val_bool(true);
	if (!strcmp(t, "False") || !strcmp(t, "false"))
		return val_bool(false);
	if (!strcmp(t, "None"))
		return val_none();
	/* Python's literal_eval refuses a decimal integer with leading zeros ("007", not "00") */
	const char *digits = t + (*t == '-' || *t == '+');
	bool leading_zero = digits[0] == '0' && isdigit((unsigned char)digits[1]) && !strpbrk(digits, ".eE") &&
			    digits[strspn(digits, "0")] != '\0';
	if (n && !leading_zero) {
		char *end;
		errno = 0;
		long long i = strtoll(t, &end, 10);
		if (!*end && !errno)
			return val_int(i);
		double d = strtod(t, &end);
		if (!*end && !errno)
			return val_float(d);
	}
	if (containers && n && (t[0] == '[' || t[0] == '{')) {
		value out;
		char *err;
		if (val_from_json(a, t, n, &out, &err) == 0)
			return out;
	}
	return v;
}

static value f_as_text(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value v = jj_arg(args, 0, "value", val_none());
	if (v.type == V_STR)
		return v;
	struct sb s = SB_INIT;
	val_str_to(&s, v);
	value out = val_str_dup(jj_arena(vm), s.buf, s.len);
	sb_release(&s);
	return out;
}

static value f_as_bool(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return dbt_literal(jj_arena(vm), jj_arg(args, 0, "value", val_none()), false);
}

static value f_as_number(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return dbt_literal(jj_arena(vm), jj_arg(args, 0, "value", val_none()), false);
}

static value f_as_native(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return dbt_literal(jj_arena(vm), jj_arg(args, 0, "value", val_none()), true);
}

void dbt_install_filters(struct jj_env *env)
{
	jj_env_add_filter(env, "as_text", f_as_text, NULL);
	jj_env_add_filter(env, "as_bool", f_as_bool, NULL);
	jj_env_add_filter(env, "as_number", f_as_number, NULL);
	jj_env_add_filter(env, "as_native", f_as_native, NULL);
}
