/* Typed, located access to YAML documents (see yml.h). */
#include "project/yml.h"

#include <string.h>

#include "core/sb.h"

static long find_key(value dict, const char *key)
{
	if (dict.type != V_DICT)
		return -1;
	return val_dict_find(dict, val_str(key));
}

struct loc yml_val_loc(value dict, const char *key)
{
	long i = find_key(dict, key);
	if (i >= 0 && dict.d->vallocs)
		return dict.d->vallocs[i];
	return dict.type == V_DICT ? dict.d->loc : LOC_NONE;
}

struct loc yml_key_loc(value dict, const char *key)
{
	long i = find_key(dict, key);
	if (i >= 0 && dict.d->keylocs)
		return dict.d->keylocs[i];
	return dict.type == V_DICT ? dict.d->loc : LOC_NONE;
}

struct loc yml_item_loc(value list, size_t i)
{
	if (list.type == V_LIST && list.l->locs && i < list.l->len)
		return list.l->locs[i];
	return LOC_NONE;
}

static int wrong(value dict, const char *key, const char *want, value got, struct diag_list *dl)
{
	struct diag *d = diag_error(dl, yml_val_loc(dict, key), "expected %s for '%s', got %s", want,
				    key, val_type_name(got));
	(void)d;
	return -1;
}

static value get(value dict, const char *key)
{
	long i = find_key(dict, key);
	return i >= 0 ? dict.d->e[i].val : val_undef();
}

int yml_str(value dict, const char *key, const char *dflt, const char **pout, struct diag_list *dl)
{
	value v = get(dict, key);
	*pout = dflt;
	if (v.type == V_UNDEF || v.type == V_NONE)
		return 0;
	if (v.type == V_STR) {
		*pout = v.s;  /* YAML strings are NUL-terminated copies */
		return 0;
	}
	if (v.type == V_INT || v.type == V_FLOAT || v.type == V_BOOL) {
		/* dbt reads `version: 1.0` as a string too */
		struct sb s = SB_INIT;
		val_str_to(&s, v);
		*pout = arena_strndup(dict.d->arena, s.buf, s.len);
		sb_release(&s);
		return 0;
	}
	return wrong(dict, key, "a string", v, dl);
}

int yml_bool(value dict, const char *key, bool dflt, bool *pout, struct diag_list *dl)
{
	value v = get(dict, key);
	*pout = dflt;
	if (v.type == V_UNDEF || v.type == V_NONE)
		return 0;
	if (v.type == V_BOOL) {
		*pout = v.b;
		return 0;
	}
	if (v.type == V_STR && (val_streq(v, "true") || val_streq(v, "True"))) {
		*pout = true;
		return 0;
	}
	if (v.type == V_STR && (val_streq(v, "false") || val_streq(v, "False"))) {
		*pout = false;
		return 0;
	}
	return wrong(dict, key, "true or false", v, dl);
}

int yml_int(value dict, const char *key, long dflt, long *pout, struct diag_list *dl)
{
	value v = get(dict, key);
	*pout = dflt;
	if (v.type == V_UNDEF || v.type == V_NONE)
		return 0;
	if (v.type == V_INT) {
		*pout = (long)v.i;
		return 0;
	}
	return wrong(dict, key, "an integer", v, dl);
}

int yml_dict(value dict, const char *key, value *pout, struct diag_list *dl)
{
	value v = get(dict, key);
	*pout = val_none();
	if (v.type == V_UNDEF || v.type == V_NONE)
		return 0;
	if (v.type == V_DICT) {
		*pout = v;
		return 0;
	}
	return wrong(dict, key, "a mapping", v, dl);
}

int yml_list(value dict, const char *key, bool strings_only, value *pout, struct diag_list *dl)
{
	value v = get(dict, key);
	*pout = val_none();
	if (v.type == V_UNDEF || v.type == V_NONE)
		return 0;
	if (v.type != V_LIST)
		return wrong(dict, key, strings_only ? "a list of strings" : "a list", v, dl);
	if (strings_only) {
		for (uint32_t i = 0; i < v.l->len; i++) {
			if (v.l->items[i].type != V_STR) {
				diag_error(dl, yml_item_loc(v, i), "expected a string in '%s', got %s", key,
					   val_type_name(v.l->items[i]));
				return -1;
			}
		}
	}
	*pout = v;
	return 0;
}

int yml_str_or_list(struct arena *a, value dict, const char *key, value *pout, struct diag_list *dl)
{
	value v = get(dict, key);
	if (v.type == V_STR) {
		*pout = val_list_new(a, 1);
		val_list_push(*pout, v);
		return 0;
	}
	if (yml_list(dict, key, true, pout, dl) < 0)
		return -1;
	if (pout->type == V_NONE)
		*pout = val_list_new(a, 0);
	return 0;
}
