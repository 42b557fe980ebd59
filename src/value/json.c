/*
 * JSON <-> value. Parsing uses jansson (objects keep their order); writing is our own, since it
 * must match Python's json.dumps byte for byte (separators, float repr, \u escapes, sort_keys),
 * which Jinja's tojson and dbt's tojson produce.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/sb.h"
#include "value/value.h"

static value from_jansson(struct arena *a, json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		value d = val_dict_new(a, json_object_size(j));
		const char *k;
		json_t *v;
		json_object_foreach(j, k, v)
		{
			val_dict_set(d, val_str_dup(a, k, strlen(k)), from_jansson(a, v));
		}
		return d;
	}
	case JSON_ARRAY: {
		value l = val_list_new(a, json_array_size(j));
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
		{
			val_list_push(l, from_jansson(a, v));
		}
		return l;
	}
	case JSON_STRING:
		return val_str_dup(a, json_string_value(j), json_string_length(j));
	case JSON_INTEGER:
		return val_int((int64_t)json_integer_value(j));
	case JSON_REAL:
		return val_float(json_real_value(j));
	case JSON_TRUE:
		return val_bool(true);
	case JSON_FALSE:
		return val_bool(false);
	default:
		return val_none();
	}
}

int val_from_json(struct arena *a, const char *text, size_t len, value *pv, char **perr)
{
	json_error_t err;
	json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (!j) {
		if (perr)
			*perr = arena_sprintf(a, "invalid JSON at line %d, column %d: %s", err.line,
					      err.column, err.text);
		return -1;
	}
	*pv = from_jansson(a, j);
	json_decref(j);
	return 0;
}

static void put_utf16(struct sb *out, unsigned cp)
{
	if (cp >= 0x10000) {
		cp -= 0x10000;
		sb_addf(out, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
	} else {
		sb_addf(out, "\\u%04x", cp);
	}
}

/* Decodes one UTF-8 sequence; returns its length (1 for an invalid byte, taken as is) */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *pcp)
{
	unsigned c = s[0];
	size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
	if (len > n)
		len = 1;
	if (len == 1) {
		*pcp = c;
		return 1;
	}
	unsigned cp = c & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*pcp = c;
			return 1;
		}
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	*pcp = cp;
	return len;
}

/* Characters that need no escape are copied in runs: the output is mostly plain text */
static void put_json_string(struct sb *out, const char *s, size_t n, int flags)
{
	/* the bytes JSON escapes (with VJSON_ASCII, every byte from 0x80 too) */
	static const unsigned char special[256] = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		['"'] = 1, ['\\'] = 1,
	};
	bool ascii = (flags & VJSON_ASCII) != 0;
	sb_grow(out, n + 2);
	sb_addc(out, '"');
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	for (size_t i = 0; i < n;) {
		/* eight bytes at a time while none may need an escape: a byte below 0x20, a quote, a
		 * backslash, or (ASCII output) a byte from 0x80 sets its high bit here; false alarms
		 * (bytes from 0x80 otherwise) fall to the byte test below */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
			uint64_t hit = ((w - ones * 0x20) | (q - ones) | (b - ones) | w) & highs;
			if (hit)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		unsigned char c = p[i];
		if (!special[c] && !(ascii && c >= 0x80)) {
			i++;
			continue;
		}
		if (i > run)
			sb_add(out, p + run, i - run);
		switch (c) {
		case '"': sb_add(out, "\\\"", 2); i++; break;
		case '\\': sb_add(out, "\\\\", 2); i++; break;
		case '\n': sb_add(out, "\\n", 2); i++; break;
		case '\r': sb_add(out, "\\r", 2); i++; break;
		case '\t': sb_add(out, "\\t", 2); i++; break;
		case '\b': sb_add(out, "\\b", 2); i++; break;
		case '\f': sb_add(out, "\\f", 2); i++; break;
		default:
			if (c < 0x20) {
				sb_addf(out, "\\u%04x", c);
				i++;
			} else {
				unsigned cp;
				i += utf8_decode(p + i, n - i, &cp);
				put_utf16(out, cp);
			}
		}
		run = i;
	}
	if (n > run)
		sb_add(out, p + run, n - run);
	sb_addc(out, '"');
}

static void newline_indent(struct sb *out, int indent, int depth)
{
	sb_addc(out, '\n');
	for (int i = 0; i < indent * depth; i++)
		sb_addc(out, ' ');
}

static int cmp_entries(const void *x, const void *y)
{
	const struct ventry *a = *(const struct ventry *const *)x, *b = *(const struct ventry *const *)y;
	int c = 0;
	if (val_cmp(a->key, b->key, &c) < 0)
		return 0;
	return c;
}

static int to_json(struct sb *out, value v, int indent, int flags, int depth)
{
	switch (v.type) {
	case V_NONE:
	case V_UNDEF:
		sb_adds(out, "null");
		return 0;
	case V_BOOL:
		sb_adds(out, v.b ? "true" : "false");
		return 0;
	case V_INT: {
		char digits[24], *e = digits + sizeof(digits), *d = e;
		unsigned long long u = v.i < 0 ? 0ULL - (unsigned long long)v.i : (unsigned long long)v.i;
		do
			*--d = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (v.i < 0)
			*--d = '-';
		sb_add(out, d, (size_t)(e - d));
		return 0;
	}
	case V_FLOAT:
		if (isnan(v.f))
			sb_adds(out, "NaN");
		else if (isinf(v.f))
			sb_adds(out, v.f > 0 ? "Infinity" : "-Infinity");
		else
			val_float_repr(out, v.f);
		return 0;
	case V_STR:
		put_json_string(out, v.s, v.len, flags);
		return 0;
	case V_LIST: {
		if (v.l->len == 0) {
			sb_adds(out, "[]");
			return 0;
		}
		sb_addc(out, '[');
		for (uint32_t i = 0; i < v.l->len; i++) {
			if (i)
				sb_adds(out, indent ? "," : (flags & VJSON_COMPACT) ? "," : ", ");
			if (indent)
				newline_indent(out, indent, depth + 1);
			if (to_json(out, v.l->items[i], indent, flags, depth + 1) < 0)
				return -1;
		}
		if (indent)
			newline_indent(out, indent, depth);
		sb_addc(out, ']');
		return 0;
	}
	case V_DICT: {
		if (v.d->len == 0) {
			sb_adds(out, "{}");
			return 0;
		}
		/* insertion order unless sorted: only sorting needs an array of its own */
		const struct ventry *small[16];
		const struct ventry **order = small;
		if (flags & VJSON_SORT_KEYS) {
			if (v.d->len > 16)
				order = xmalloc(v.d->len * sizeof(*order));
			for (uint32_t i = 0; i < v.d->len; i++)
				order[i] = &v.d->e[i];
			qsort(order, v.d->len, sizeof(*order), cmp_entries);
		}
		sb_addc(out, '{');
		int rc = 0;
		for (uint32_t i = 0; i < v.d->len && rc == 0; i++) {
			if (i)
				sb_adds(out, indent ? "," : (flags & VJSON_COMPACT) ? "," : ", ");
			if (indent)
				newline_indent(out, indent, depth + 1);
			const struct ventry *ent = (flags & VJSON_SORT_KEYS) ? order[i] : &v.d->e[i];
			value k = ent->key;
			if (k.type == V_STR) {
				put_json_string(out, k.s, k.len, flags);
			} else {
				/* Python turns int/float/bool/None keys into strings */
				struct sb ks = SB_INIT;
				if (k.type == V_BOOL)
					sb_adds(&ks, k.b ? "true" : "false");
				else if (k.type == V_NONE)
					sb_adds(&ks, "null");
				else
					val_str_to(&ks, k);
				put_json_string(out, ks.buf, ks.len, flags);
				sb_release(&ks);
			}
			sb_adds(out, (flags & VJSON_COMPACT) ? ":" : ": ");
			rc = to_json(out, ent->val, indent, flags, depth + 1);
		}
		if (order != small)
			free(order);
		if (rc)
			return rc;
		if (indent)
			newline_indent(out, indent, depth);
		sb_addc(out, '}');
		return 0;
	}
	case V_OBJ:
		if (!strcmp(v.o->cls->name, "int")) {
			/* a big integer: its digits, unquoted */
			val_str_to(out, v);
			return 0;
		}
		/* fall through */
	default: {
		/* callables and objects are not JSON; write their str() as a string */
		struct sb s = SB_INIT;
		val_str_to(&s, v);
		put_json_string(out, s.buf, s.len, flags);
		sb_release(&s);
		return 0;
	}
	}
}

void val_json_string(struct sb *out, const char *s, size_t n)
{
	put_json_string(out, s, n, 0);
}

int val_to_json(struct sb *out, value v, int indent, int flags)
{
	return to_json(out, v, indent, flags, 0);
}
