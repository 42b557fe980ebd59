/*
 * Methods on values as Python exposes them to templates: str (lower, split, replace, format, ...),
 * list (append, pop, sort, ...) and dict (get, items, update, ...), plus the UTF-8 and case-mapping
 * helpers the filters share.
 *
 * Method names are resolved to ids at parse time (jj_method_id), so `x.upper()` costs a switch, not
 * a lookup. Strings are UTF-8; indexes and lengths count code points like Python's, with a fast path
 * for ASCII. Case mapping covers ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "core/sb.h"
#include "jinja/internal.h"

/* ---------------------------------------------------------------- UTF-8 */

size_t jj_utf8_dec(const unsigned char *s, size_t n, unsigned *pcp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*pcp = c;
		return 1;
	}
	size_t len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
	if (len == 1 || len > n) {
		*pcp = c;
		return 1;
	}
	unsigned cp = c & (0x7Fu >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*pcp = c;
			return 1;
		}
		cp = (cp << 6) | (s[i] & 0x3Fu);
	}
	*pcp = cp;
	return len;
}

void jj_utf8_put(struct sb *out, unsigned cp)
{
	char b[4];
	if (cp < 0x80) {
		sb_addc(out, (char)cp);
		return;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		sb_add(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		sb_add(out, b, 3);
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		sb_add(out, b, 4);
	}
}

bool jj_is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

size_t jj_utf8_len(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

size_t jj_utf8_off(const char *s, size_t n, size_t idx)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (k == idx)
				return i;
			k++;
		}
	}
	return n;
}

/* ---------------------------------------------------------------- character classes */

unsigned jj_cp_lower(unsigned c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	if ((c >= 0xC0 && c <= 0xDE && c != 0xD7))
		return c + 32;
	if (c == 0x178)
		return 0xFF;
	if (c >= 0x100 && c <= 0x17F) {
		if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
			return (c & 1) ? c : c + 1;
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return (c & 1) ? c + 1 : c;
		return c;
	}
	if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
		return c + 32;
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	return c;
}

unsigned jj_cp_upper(unsigned c)
{
	if (c < 0x80)
		return c >= 'a' && c <= 'z' ? c - 32 : c;
	if ((c >= 0xE0 && c <= 0xFE && c != 0xF7))
		return c - 32;
	if (c == 0xFF)
		return 0x178;
	if (c == 0xB5)
		return 0x39C;
	if (c >= 0x100 && c <= 0x17F) {
		if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
			return (c & 1) ? c - 1 : c;
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return (c & 1) ? c : c - 1;
		if (c == 0x17F)
			return 'S';
		return c;
	}
	if (c == 0x3C2)
		return 0x3A3;
	if (c >= 0x3B1 && c <= 0x3C9)
		return c - 32;
	if (c >= 0x430 && c <= 0x44F)
		return c - 32;
	if (c >= 0x450 && c <= 0x45F)
		return c - 80;
	return c;
}

static bool cp_cased(unsigned c)
{
	return jj_cp_lower(c) != c || jj_cp_upper(c) != c || c == 0xDF;
}

static bool cp_islower(unsigned c)
{
	return jj_cp_upper(c) != c || c == 0xDF;
}

static bool cp_isupper(unsigned c)
{
	return jj_cp_lower(c) != c;
}

bool jj_cp_isspace(unsigned c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x85 || c == 0xA0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
	       c == 0x205F || c == 0x3000;
}

size_t jj_ws_at(const char *p, const char *e)
{
	if (p >= e)
		return 0;
	unsigned cp;
	size_t n = jj_utf8_dec((const unsigned char *)p, (size_t)(e - p), &cp);
	/* a stray byte (0x85, 0xA0 inside another character) is not whitespace */
	if (n == 1 && cp >= 0x80)
		return 0;
	return jj_cp_isspace(cp) ? n : 0;
}

size_t jj_ws_before(const char *b, const char *e)
{
	for (size_t n = 1; n <= 3 && e - b >= (ptrdiff_t)n; n++)
		if (n == 1 ? (unsigned char)e[-1] < 0x80 : ((unsigned char)e[-n] & 0xC0) != 0x80)
			return jj_ws_at(e - n, e) == n ? n : 0;
	return 0;
}

bool jj_cp_isdigit(unsigned c)
{
	return (c >= '0' && c <= '9') || c == 0xB2 || c == 0xB3 || c == 0xB9;
}

bool jj_cp_isalpha(unsigned c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	if (c < 0x100)
		return c == 0xAA || c == 0xB5 || c == 0xBA || (c >= 0xC0 && c != 0xD7 && c != 0xF7);
	if (jj_cp_isspace(c) || (c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
	    (c >= 0xFF00 && c <= 0xFF20) || (c >= 0xE000 && c <= 0xF8FF))
		return false;
	return true;
}

static bool cp_isdecimal(unsigned c)
{
	return c >= '0' && c <= '9';
}

static bool cp_isnumeric(unsigned c)
{
	return jj_cp_isdigit(c) || c == 0xBC || c == 0xBD || c == 0xBE || (c >= 0x2150 && c <= 0x218B);
}

/* ---------------------------------------------------------------- string transforms */

typedef unsigned (*cpmap_fn)(unsigned);

static value map_cps_(struct jj_vm *vm, value s, cpmap_fn fn);

/* case mapping keeps Markup as Markup, like markupsafe */
static value map_cps(struct jj_vm *vm, value s, cpmap_fn fn)
{
	value r = map_cps_(vm, s, fn);
	r.flags |= s.flags & VF_SAFE;
	return r;
}

static value map_cps_(struct jj_vm *vm, value s, cpmap_fn fn)
{
	size_t m = jj_mark(vm);
	const unsigned char *p = (const unsigned char *)s.s;
	for (size_t i = 0; i < s.len;) {
		unsigned cp;
		size_t l = jj_utf8_dec(p + i, s.len - i, &cp);
		if (cp < 0x80 || l > 1)
			jj_utf8_put(vm->out, fn(cp));
		else
			sb_addc(vm->out, (char)p[i]);
		i += l;
	}
	return jj_take(vm, m);
}

value jj_str_lower(struct jj_vm *vm, value s)
{
	return map_cps(vm, s, jj_cp_lower);
}

value jj_str_upper(struct jj_vm *vm, value s)
{
	if (!memchr(s.s, 0xC3, s.len))
		return map_cps(vm, s, jj_cp_upper);
	/* ß has no single upper-case letter: Python gives "SS" */
	size_t m = jj_mark(vm);
	const unsigned char *p = (const unsigned char *)s.s;
	for (size_t i = 0; i < s.len;) {
		unsigned cp;
		size_t l = jj_utf8_dec(p + i, s.len - i, &cp);
		if (cp == 0xDF)
			sb_add(vm->out, "SS", 2);
		else if (cp < 0x80 || l > 1)
			jj_utf8_put(vm->out, jj_cp_upper(cp));
		else
			sb_addc(vm->out, (char)p[i]);
		i += l;
	}
	return jj_take(vm, m);
}

static value str_casefold(struct jj_vm *vm, value s)
{
	value l = jj_str_lower(vm, s);
	if (!memchr(l.s, 0xC3, l.len))
		return l;
	value ss = val_strn("ss", 2);
	return jj_str_replace(vm, l, val_strn("\xc3\x9f", 2), ss, -1);
}

static unsigned cp_swap(unsigned c)
{
	unsigned l = jj_cp_lower(c);
	return l != c ? l : jj_cp_upper(c);
}

/* Python's str.title(): a cased character after an uncased one starts a word */
static value jj_str_title(struct jj_vm *vm, value s)
{
	size_t m = jj_mark(vm);
	const unsigned char *p = (const unsigned char *)s.s;
	bool prev_cased = false;
	for (size_t i = 0; i < s.len;) {
		unsigned cp;
		size_t l = jj_utf8_dec(p + i, s.len - i, &cp);
		unsigned r = prev_cased ? jj_cp_lower(cp) : jj_cp_upper(cp);
		if (l == 1 && cp >= 0x80)
			sb_addc(vm->out, (char)p[i]);
		else
			jj_utf8_put(vm->out, r);
		prev_cased = cp_cased(cp);
		i += l;
	}
	return jj_take(vm, m);
}

value jj_str_capitalize(struct jj_vm *vm, value s)
{
	size_t m = jj_mark(vm);
	const unsigned char *p = (const unsigned char *)s.s;
	for (size_t i = 0; i < s.len;) {
		unsigned cp;
		size_t l = jj_utf8_dec(p + i, s.len - i, &cp);
		if (l == 1 && cp >= 0x80)
			sb_addc(vm->out, (char)p[i]);
		else
			jj_utf8_put(vm->out, i == 0 ? jj_cp_upper(cp) : jj_cp_lower(cp));
		i += l;
	}
	return jj_take(vm, m);
}

static bool in_chars(value chars, unsigned cp)
{
	const unsigned char *p = (const unsigned char *)chars.s;
	for (size_t i = 0; i < chars.len;) {
		unsigned c;
		i += jj_utf8_dec(p + i, chars.len - i, &c);
		if (c == cp)
			return true;
	}
	return false;
}

value jj_str_strip(struct jj_vm *vm, value s, value chars, bool left, bool right)
{
	bool ws = chars.type == V_NONE || chars.type == V_UNDEF;
	if (!ws && chars.type != V_STR)
		jj_raise(vm, "strip arg must be None or str");
	const unsigned char *p = (const unsigned char *)s.s;
	size_t b = 0, e = s.len;
	if (left) {
		while (b < e) {
			unsigned cp;
			size_t l = jj_utf8_dec(p + b, e - b, &cp);
			if (ws ? !jj_cp_isspace(cp) : !in_chars(chars, cp))
				break;
			b += l;
		}
	}
	if (right) {
		while (e > b) {
			size_t k = e - 1;
			while (k > b && (p[k] & 0xC0) == 0x80)
				k--;
			unsigned cp;
			jj_utf8_dec(p + k, e - k, &cp);
			if (ws ? !jj_cp_isspace(cp) : !in_chars(chars, cp))
				break;
			e = k;
		}
	}
	value r = val_strn(s.s + b, e - b);
	r.flags = s.flags & VF_SAFE;
	return r;
}

static const char *find_sub(const char *h, size_t hn, const char *n, size_t nn)
{
	if (nn == 0)
		return h;
	if (nn > hn)
		return NULL;
	if (nn == 1)
		return memchr(h, n[0], hn);
	for (size_t i = 0; i + nn <= hn; i++)
		if (h[i] == n[0] && memcmp(h + i, n, nn) == 0)
			return h + i;
	return NULL;
}

static const char *rfind_sub(const char *h, size_t hn, const char *n, size_t nn)
{
	if (nn > hn)
		return NULL;
	for (size_t i = hn - nn + 1; i-- > 0;)
		if (memcmp(h + i, n, nn) == 0)
			return h + i;
	return NULL;
}

static value str_replace(struct jj_vm *vm, value s, value old, value new_, int64_t count);

value jj_str_replace(struct jj_vm *vm, value s, value old, value new_, int64_t count)
{
	if (s.flags & VF_SAFE) {
		/* Markup.replace escapes its arguments and returns Markup */
		old = jj_escape(vm, old);
		new_ = jj_escape(vm, new_);
		value r = str_replace(vm, s, old, new_, count);
		r.flags |= VF_SAFE;
		return r;
	}
	return str_replace(vm, s, old, new_, count);
}

static value str_replace(struct jj_vm *vm, value s, value old, value new_, int64_t count)
{
	if (old.len == 0) {
		/* Python inserts `new` before every character and at the end */
		jj_need2(vm, s.len + 1, new_.len + 4);
		size_t m = jj_mark(vm);
		const unsigned char *p = (const unsigned char *)s.s;
		int64_t done = 0;
		size_t i = 0;
		while (i < s.len) {
			if (count < 0 || done < count) {
				sb_add(vm->out, new_.s, new_.len);
				done++;
			}
			unsigned cp;
			size_t l = jj_utf8_dec(p + i, s.len - i, &cp);
			sb_add(vm->out, s.s + i, l);
			i += l;
		}
		if (count < 0 || done < count)
			sb_add(vm->out, new_.s, new_.len);
		return jj_take(vm, m);
	}
	const char *hit = find_sub(s.s, s.len, old.s, old.len);
	if (!hit || count == 0)
		return s;
	if (new_.len > old.len) {
		/* count the replacements first when the text grows: it may grow past the limit */
		size_t hits = 0;
		for (const char *h = hit; h && (count < 0 || (int64_t)hits < count); hits++)
			h = find_sub(h + old.len, (size_t)(s.s + s.len - (h + old.len)), old.s, old.len);
		jj_need(vm, s.len);
		jj_need2(vm, hits, new_.len - old.len);
	}
	size_t m = jj_mark(vm);
	const char *p = s.s, *end = s.s + s.len;
	int64_t done = 0;
	while (hit && (count < 0 || done < count)) {
		sb_add(vm->out, p, (size_t)(hit - p));
		sb_add(vm->out, new_.s, new_.len);
		p = hit + old.len;
		done++;
		hit = find_sub(p, (size_t)(end - p), old.s, old.len);
	}
	sb_add(vm->out, p, (size_t)(end - p));
	return jj_take(vm, m);
}

value jj_split(struct jj_vm *vm, value s, value sep, int64_t maxsplit, bool right)
{
	value out = val_list_new(vm->a, 4);
	const unsigned char *p = (const unsigned char *)s.s;
	if (sep.type == V_NONE || sep.type == V_UNDEF) {
		/* runs of whitespace separate; no empty strings */
		if (!right) {
			size_t i = 0;
			int64_t done = 0;
			for (;;) {
				while (i < s.len) {
					unsigned cp;
					size_t l = jj_utf8_dec(p + i, s.len - i, &cp);
					if (!jj_cp_isspace(cp))
						break;
					i += l;
				}
				if (i >= s.len)
					break;
				if (maxsplit >= 0 && done >= maxsplit) {
					size_t e = s.len;
					/* the rest, without trailing whitespace */
					value rest = jj_str_strip(vm, val_strn(s.s + i, e - i), val_none(), false, true);
					val_list_push(out, rest);
					break;
				}
				size_t b = i;
				while (i < s.len) {
					unsigned cp;
					size_t l = jj_utf8_dec(p + i, s.len - i, &cp);
					if (jj_cp_isspace(cp))
						break;
					i += l;
				}
				val_list_push(out, val_strn(s.s + b, i - b));
				done++;
			}
			return out;
		}
		size_t e = s.len;
		int64_t done = 0;
		for (;;) {
			while (e > 0) {
				size_t k = e - 1;
				while (k > 0 && (p[k] & 0xC0) == 0x80)
					k--;
				unsigned cp;
				jj_utf8_dec(p + k, e - k, &cp);
				if (!jj_cp_isspace(cp))
					break;
				e = k;
			}
			if (e == 0)
				break;
			if (maxsplit >= 0 && done >= maxsplit) {
				value rest = jj_str_strip(vm, val_strn(s.s, e), val_none(), true, false);
				val_list_insert(out, 0, rest);
				break;
			}
			size_t b = e;
			while (b > 0) {
				size_t k = b - 1;
				while (k > 0 && (p[k] & 0xC0) == 0x80)
					k--;
				unsigned cp;
				jj_utf8_dec(p + k, b - k, &cp);
				if (jj_cp_isspace(cp))
					break;
				b = k;
			}
			val_list_insert(out, 0, val_strn(s.s + b, e - b));
			e = b;
			done++;
		}
		return out;
	}
	if (sep.type != V_STR)
		jj_raise(vm, "must be str or None, not %s", val_type_name(sep));
	if (sep.len == 0)
		jj_raise(vm, "empty separator");
	if (!right) {
		const char *b = s.s, *end = s.s + s.len;
		int64_t done = 0;
		for (;;) {
			const char *hit = (maxsplit < 0 || done < maxsplit) ?
						  find_sub(b, (size_t)(end - b), sep.s, sep.len) : NULL;
			if (!hit) {
				val_list_push(out, val_strn(b, (size_t)(end - b)));
				break;
			}
			val_list_push(out, val_strn(b, (size_t)(hit - b)));
			b = hit + sep.len;
			done++;
		}
		return out;
	}
	const char *end = s.s + s.len;
	int64_t done = 0;
	for (;;) {
		const char *hit = (maxsplit < 0 || done < maxsplit) ?
					  rfind_sub(s.s, (size_t)(end - s.s), sep.s, sep.len) : NULL;
		if (!hit) {
			val_list_insert(out, 0, val_strn(s.s, (size_t)(end - s.s)));
			break;
		}
		val_list_insert(out, 0, val_strn(hit + sep.len, (size_t)(end - hit - sep.len)));
		end = hit;
		done++;
	}
	return out;
}

/* ---------------------------------------------------------------- sorting */

struct sortctx {
	struct jj_vm *vm;
	bool reverse;
};

static int sort_cmp(struct sortctx *c, value a, value b)
{
	int r = jj_compare(c->vm, a, b, "<");
	return c->reverse ? -r : r;
}

/* stable merge sort of idx[] by keys; tmp has room for n */
static void msort(struct sortctx *c, const value *keys, size_t *idx, size_t *tmp, size_t n)
{
	if (n < 2)
		return;
	if (n <= 8) {
		for (size_t i = 1; i < n; i++) {
			size_t x = idx[i], j = i;
			while (j > 0 && sort_cmp(c, keys[x], keys[idx[j - 1]]) < 0) {
				idx[j] = idx[j - 1];
				j--;
			}
			idx[j] = x;
		}
		return;
	}
	size_t h = n / 2;
	msort(c, keys, idx, tmp, h);
	msort(c, keys, idx + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n) {
		if (sort_cmp(c, keys[idx[j]], keys[idx[i]]) < 0)
			tmp[k++] = idx[j++];
		else
			tmp[k++] = idx[i++];
	}
	while (i < h)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof(size_t));
}

void jj_sort(struct jj_vm *vm, value *items, size_t n, const value *keys, bool reverse)
{
	if (n < 2)
		return;
	struct sortctx c = {vm, reverse};
	size_t *idx = arena_alloc(vm->a, n * sizeof(size_t));
	size_t *tmp = arena_alloc(vm->a, n * sizeof(size_t));
	value *copy = arena_alloc(vm->a, n * sizeof(value));
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	msort(&c, keys ? keys : items, idx, tmp, n);
	for (size_t i = 0; i < n; i++)
		copy[i] = items[idx[i]];
	memcpy(items, copy, n * sizeof(value));
}

/* ---------------------------------------------------------------- method table */

enum {
	M_APPEND, M_CAPITALIZE, M_CASEFOLD, M_CENTER, M_CLEAR, M_COPY, M_COUNT, M_ENDSWITH,
	M_EXPANDTABS, M_EXTEND, M_FIND, M_FORMAT, M_FORMAT_MAP, M_GET, M_INDEX, M_INSERT,
	M_ISALNUM, M_ISALPHA, M_ISASCII, M_ISDECIMAL, M_ISDIGIT, M_ISIDENTIFIER, M_ISLOWER,
	M_ISNUMERIC, M_ISSPACE, M_ISTITLE, M_ISUPPER, M_ITEMS, M_JOIN, M_KEYS, M_LJUST, M_LOWER,
	M_LSTRIP, M_PARTITION, M_POP, M_POPITEM, M_REMOVE, M_REMOVEPREFIX, M_REMOVESUFFIX,
	M_REPLACE, M_REVERSE, M_RFIND, M_RINDEX, M_RJUST, M_RPARTITION, M_RSPLIT, M_RSTRIP,
	M_SETDEFAULT, M_SORT, M_SPLIT, M_SPLITLINES, M_STARTSWITH, M_STRIP, M_SWAPCASE, M_TITLE,
	M_UPDATE, M_UPPER, M_VALUES, M_ZFILL, M_COUNT_
};

/* sorted by name for bsearch; kept in the same order as the enum */
static const char *const method_names[M_COUNT_] = {
	"append", "capitalize", "casefold", "center", "clear", "copy", "count", "endswith",
	"expandtabs", "extend", "find", "format", "format_map", "get", "index", "insert",
	"isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower",
	"isnumeric", "isspace", "istitle", "isupper", "items", "join", "keys", "ljust", "lower",
	"lstrip", "partition", "pop", "popitem", "remove", "removeprefix", "removesuffix",
	"replace", "reverse", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip",
	"setdefault", "sort", "split", "splitlines", "startswith", "strip", "swapcase", "title",
	"update", "upper", "values", "zfill",
};

int jj_method_id(const char *s, size_t n)
{
	size_t lo = 0, hi = M_COUNT_;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *m = method_names[mid];
		size_t ml = strlen(m);
		int c = memcmp(s, m, n < ml ? n : ml);
		if (c == 0)
			c = n < ml ? -1 : n > ml ? 1 : 0;
		if (c == 0)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static bool str_has(int id)
{
	switch (id) {
	case M_APPEND: case M_CLEAR: case M_COPY: case M_EXTEND: case M_GET: case M_INSERT:
	case M_ITEMS: case M_KEYS: case M_POP: case M_POPITEM: case M_REMOVE: case M_REVERSE:
	case M_SETDEFAULT: case M_SORT: case M_UPDATE: case M_VALUES:
		return false;
	default:
		return true;
	}
}

static bool list_has(int id, bool tuple)
{
	if (tuple)
		return id == M_COUNT || id == M_INDEX;
	switch (id) {
	case M_APPEND: case M_CLEAR: case M_COPY: case M_COUNT: case M_EXTEND: case M_INDEX:
	case M_INSERT: case M_POP: case M_REMOVE: case M_REVERSE: case M_SORT:
		return true;
	default:
		return false;
	}
}

static bool dict_has(int id)
{
	switch (id) {
	case M_CLEAR: case M_COPY: case M_GET: case M_ITEMS: case M_KEYS: case M_POP: case M_POPITEM:
	case M_SETDEFAULT: case M_UPDATE: case M_VALUES:
		return true;
	default:
		return false;
	}
}

static bool type_has(value obj, int id)
{
	switch (obj.type) {
	case V_STR: return str_has(id);
	case V_LIST: return list_has(id, obj.flags & VF_TUPLE);
	case V_DICT: return dict_has(id);
	default: return false;
	}
}

struct bound {
	value obj;
	int id;
};

static value bound_call(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const struct bound *b = ud;
	value r;
	if (!jj_call_method(vm, b->obj, b->id, args, &r))
		jj_raise(vm, "'%s' object has no attribute '%s'", val_type_name(b->obj), method_names[b->id]);
	return r;
}

value jj_bound_method(struct jj_vm *vm, value obj, int id)
{
	if (id < 0 || !type_has(obj, id))
		return val_undef();
	struct bound *b = arena_alloc(vm->a, sizeof(*b));
	b->obj = obj;
	b->id = id;
	return val_func(vm->a, method_names[id], bound_call, b);
}

/* ---------------------------------------------------------------- argument helpers */

static void nargs(struct jj_vm *vm, const char *m, const struct vargs *a, size_t min, size_t max)
{
	if (a->nkw)
		jj_raise(vm, "%s() takes no keyword arguments", m);
	if (a->npos < min || a->npos > max) {
		if (min == max)
			jj_raise(vm, "%s() takes exactly %s (%zu given)", m,
				 min == 0 ? "no arguments" : min == 1 ? "one argument" : "2 arguments", a->npos);
		jj_raise(vm, "%s expected at %s %zu argument%s, got %zu", m, a->npos < min ? "least" : "most",
			 a->npos < min ? min : max, (a->npos < min ? min : max) == 1 ? "" : "s", a->npos);
	}
}

/* optional start/end arguments (code point indexes) turned into a byte range */
static void str_range(struct jj_vm *vm, value s, const struct vargs *a, size_t first, size_t *pb, size_t *pe,
		      int64_t *pcpb)
{
	int64_t len = (int64_t)jj_utf8_len(s.s, s.len);
	int64_t b = 0, e = len;
	if (a->npos > first && a->pos[first].type != V_NONE) {
		b = jj_want_int(vm, a->pos[first], NULL);
		if (b < 0)
			b = b + len < 0 ? 0 : b + len;
	}
	if (a->npos > first + 1 && a->pos[first + 1].type != V_NONE) {
		e = jj_want_int(vm, a->pos[first + 1], NULL);
		if (e < 0)
			e = e + len < 0 ? 0 : e + len;
	}
	if (b > len)
		b = len;
	if (e > len)
		e = len;
	if (e < b)
		e = b;
	*pcpb = b;
	*pb = jj_utf8_off(s.s, s.len, (size_t)b);
	*pe = jj_utf8_off(s.s, s.len, (size_t)e);
}

static int64_t cp_index(value s, const char *at)
{
	return (int64_t)jj_utf8_len(s.s, (size_t)(at - s.s));
}

static value pad(struct jj_vm *vm, value s, const struct vargs *a, int how, const char *m)
{
	nargs(vm, m, a, 1, 2);
	int64_t width = jj_want_int(vm, a->pos[0], NULL);
	value fill = a->npos > 1 ? a->pos[1] : val_strn(" ", 1);
	if (fill.type != V_STR || jj_utf8_len(fill.s, fill.len) != 1)
		jj_raise(vm, "The fill character must be exactly one character long");
	int64_t len = (int64_t)jj_utf8_len(s.s, s.len);
	if (width <= len)
		return s;
	int64_t padn = width - len, left;
	jj_need2(vm, (size_t)padn, fill.len);
	if (how == 0)
		left = padn / 2 + (padn & width & 1);
	else if (how < 0)
		left = 0;
	else
		left = padn;
	size_t m0 = jj_mark(vm);
	for (int64_t i = 0; i < left; i++)
		sb_add(vm->out, fill.s, fill.len);
	sb_add(vm->out, s.s, s.len);
	for (int64_t i = left; i < padn; i++)
		sb_add(vm->out, fill.s, fill.len);
	return jj_take(vm, m0);
}

typedef bool (*cppred_fn)(unsigned);

static bool str_all(value s, cppred_fn fn)
{
	if (s.len == 0)
		return false;
	const unsigned char *p = (const unsigned char *)s.s;
	for (size_t i = 0; i < s.len;) {
		unsigned cp;
		i += jj_utf8_dec(p + i, s.len - i, &cp);
		if (!fn(cp))
			return false;
	}
	return true;
}

static bool cp_isalnum(unsigned c)
{
	return jj_cp_isalpha(c) || cp_isnumeric(c);
}

static bool cp_isascii(unsigned c)
{
	return c < 0x80;
}

/* islower/isupper: at least one cased character and none of the other case */
static bool str_case_is(value s, bool lower)
{
	bool cased = false;
	const unsigned char *p = (const unsigned char *)s.s;
	for (size_t i = 0; i < s.len;) {
		unsigned cp;
		i += jj_utf8_dec(p + i, s.len - i, &cp);
		if (lower ? cp_isupper(cp) : cp_islower(cp))
			return false;
		if (cp_cased(cp))
			cased = true;
	}
	return cased;
}

static bool str_istitle(value s)
{
	bool prev_cased = false, any = false;
	const unsigned char *p = (const unsigned char *)s.s;
	for (size_t i = 0; i < s.len;) {
		unsigned cp;
		i += jj_utf8_dec(p + i, s.len - i, &cp);
		if (cp_isupper(cp)) {
			if (prev_cased)
				return false;
			prev_cased = any = true;
		} else if (cp_islower(cp)) {
			if (!prev_cased)
				return false;
			prev_cased = any = true;
		} else {
			prev_cased = false;
		}
	}
	return any;
}

static bool affix_match(struct jj_vm *vm, value s, value affix, const struct vargs *a, bool start,
			const char *m)
{
	size_t b, e;
	int64_t cpb;
	str_range(vm, s, a, 1, &b, &e, &cpb);
	value sub = val_strn(s.s + b, e - b);
	if (affix.type == V_LIST && (affix.flags & VF_TUPLE)) {
		for (uint32_t i = 0; i < affix.l->len; i++)
			if (affix_match(vm, sub, affix.l->items[i], &(struct vargs){0}, start, m))
				return true;
		return false;
	}
	if (affix.type != V_STR)
		jj_raise(vm, "%s first arg must be str or a tuple of str, not %s", m, val_type_name(affix));
	if (affix.len > sub.len)
		return false;
	return memcmp(start ? sub.s : sub.s + sub.len - affix.len, affix.s, affix.len) == 0;
}

/* ---------------------------------------------------------------- str methods */

/* str.splitlines([keepends]): Python's line boundaries, \r\n as one */
static value str_splitlines(struct jj_vm *vm, value s, int id, const struct vargs *a)
{
	jj_check_args(vm, "splitlines", a, 1, (const char *const[]){"keepends", NULL});
	bool keep = val_truthy(jj_arg(a, 0, "keepends", val_bool(false)));
	value out = val_list_new(vm->a, 4);
	size_t b = 0;
	for (size_t i = 0; i < s.len;) {
		char c = s.s[i];
		size_t eol = 0;
		if (c == '\n' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e))
			eol = 1;
		else if (c == '\r')
			eol = i + 1 < s.len && s.s[i + 1] == '\n' ? 2 : 1;
		else if ((unsigned char)c == 0xC2 && i + 1 < s.len && (unsigned char)s.s[i + 1] == 0x85)
			eol = 2;
		else if ((unsigned char)c == 0xE2 && i + 2 < s.len && (unsigned char)s.s[i + 1] == 0x80 &&
			 ((unsigned char)s.s[i + 2] == 0xA8 || (unsigned char)s.s[i + 2] == 0xA9))
			eol = 3;
		if (!eol) {
			i++;
			continue;
		}
		val_list_push(out, val_strn(s.s + b, (keep ? i + eol : i) - b));
		i += eol;
		b = i;
	}
	if (b < s.len)
		val_list_push(out, val_strn(s.s + b, s.len - b));
	return out;
}

/* find, rfind, index, rindex: a code point index, -1 or an error when absent */
static value str_find(struct jj_vm *vm, value s, int id, const struct vargs *a)
{
	nargs(vm, method_names[id], a, 1, 3);
	value sub = jj_want_str(vm, a->pos[0], "argument");
	size_t b, e;
	int64_t cpb;
	str_range(vm, s, a, 1, &b, &e, &cpb);
	const char *hit = (id == M_FIND || id == M_INDEX) ? find_sub(s.s + b, e - b, sub.s, sub.len) :
							    rfind_sub(s.s + b, e - b, sub.s, sub.len);
	if (!hit) {
		if (id == M_INDEX || id == M_RINDEX)
			jj_raise(vm, "substring not found");
		return val_int(-1);
	}
	return val_int(cp_index(s, hit));
}

/* count(sub[, start[, end]]): non-overlapping occurrences */
static value str_count(struct jj_vm *vm, value s, int id, const struct vargs *a)
{
	nargs(vm, "count", a, 1, 3);
	value sub = jj_want_str(vm, a->pos[0], "argument");
	size_t b, e;
	int64_t cpb;
	str_range(vm, s, a, 1, &b, &e, &cpb);
	if (sub.len == 0)
		return val_int((int64_t)jj_utf8_len(s.s + b, e - b) + 1);
	int64_t n = 0;
	const char *p = s.s + b, *end = s.s + e;
	const char *hit;
	while ((hit = find_sub(p, (size_t)(end - p), sub.s, sub.len))) {
		n++;
		p = hit + sub.len;
	}
	return val_int(n);
}

/* join(iterable): every item must be a str */
static value str_join(struct jj_vm *vm, value s, int id, const struct vargs *a)
{
	nargs(vm, "join", a, 1, 1);
	value *items;
	size_t n;
	jj_iter(vm, a->pos[0], &items, &n);
	size_t m = jj_mark(vm);
	for (size_t i = 0; i < n; i++) {
		if (items[i].type != V_STR) {
			vm->out->len = m;
			jj_raise(vm, "sequence item %zu: expected str instance, %s found", i,
				 val_type_name(items[i]));
		}
		if (i)
			sb_add(vm->out, s.s, s.len);
		sb_add(vm->out, items[i].s, items[i].len);
	}
	return jj_take(vm, m);
}

/* format_map(mapping): format() with the mapping's string keys */
static value str_format_map(struct jj_vm *vm, value s, int id, const struct vargs *a)
{
	nargs(vm, "format_map", a, 1, 1);
	value d = a->pos[0];
	if (d.type != V_DICT)
		jj_raise(vm, "format_map() argument must be a mapping");
	const char **names = arena_alloc(vm->a, (d.d->len + 1) * sizeof(char *));
	value *vals = arena_alloc(vm->a, (d.d->len + 1) * sizeof(value));
	size_t k = 0;
	for (uint32_t i = 0; i < d.d->len; i++) {
		if (d.d->e[i].key.type != V_STR)
			continue;
		names[k] = val_cstr(vm->a, d.d->e[i].key);
		vals[k++] = d.d->e[i].val;
	}
	struct vargs fa = {NULL, 0, names, vals, k};
	return jj_str_format(vm, s, &fa);
}

/* zfill(width): zeros after the sign */
static value str_zfill(struct jj_vm *vm, value s, int id, const struct vargs *a)
{
	nargs(vm, "zfill", a, 1, 1);
	int64_t width = jj_want_int(vm, a->pos[0], NULL);
	int64_t len = (int64_t)jj_utf8_len(s.s, s.len);
	if (width <= len)
		return s;
	jj_need(vm, (size_t)(width - len));
	size_t m = jj_mark(vm);
	size_t start = 0;
	if (s.len && (s.s[0] == '-' || s.s[0] == '+')) {
		sb_addc(vm->out, s.s[0]);
		start = 1;
	}
	for (int64_t i = 0; i < width - len; i++)
		sb_addc(vm->out, '0');
	sb_add(vm->out, s.s + start, s.len - start);
	return jj_take(vm, m);
}

/* expandtabs([tabsize]): columns counted in code points, reset by newlines */
static value str_expandtabs(struct jj_vm *vm, value s, int id, const struct vargs *a)
{
	jj_check_args(vm, "expandtabs", a, 1, (const char *const[]){"tabsize", NULL});
	int64_t ts = jj_want_int(vm, jj_arg(a, 0, "tabsize", val_int(8)), NULL);
	if (ts > 0 && memchr(s.s, '\t', s.len))
		jj_need2(vm, (size_t)ts, s.len);
	size_t m = jj_mark(vm);
	int64_t col = 0;
	const unsigned char *p = (const unsigned char *)s.s;
	for (size_t i = 0; i < s.len;) {
		unsigned cp;
		size_t l = jj_utf8_dec(p + i, s.len - i, &cp);
		if (cp == '\t') {
			if (ts > 0) {
				int64_t nsp = ts - col % ts;
				for (int64_t k = 0; k < nsp; k++)
					sb_addc(vm->out, ' ');
				col += nsp;
			}
		} else {
			sb_add(vm->out, s.s + i, l);
			col = (cp == '\n' || cp == '\r') ? 0 : col + 1;
		}
		i += l;
	}
	return jj_take(vm, m);
}

/* partition, rpartition: a 3-tuple around the first or last separator */
static value str_partition(struct jj_vm *vm, value s, int id, const struct vargs *a)
{
	nargs(vm, method_names[id], a, 1, 1);
	value sep = jj_want_str(vm, a->pos[0], "argument");
	if (sep.len == 0)
		jj_raise(vm, "empty separator");
	const char *hit = id == M_PARTITION ? find_sub(s.s, s.len, sep.s, sep.len) :
					      rfind_sub(s.s, s.len, sep.s, sep.len);
	value t = val_tuple_new(vm->a, 3);
	if (!hit) {
		value e = val_strn("", 0);
		if (id == M_PARTITION) {
			val_list_push(t, s);
			val_list_push(t, e);
			val_list_push(t, e);
		} else {
			val_list_push(t, e);
			val_list_push(t, e);
			val_list_push(t, s);
		}
		return t;
	}
	val_list_push(t, val_strn(s.s, (size_t)(hit - s.s)));
	val_list_push(t, sep);
	val_list_push(t, val_strn(hit + sep.len, s.len - (size_t)(hit - s.s) - sep.len));
	return t;
}

/* removeprefix, removesuffix */
static value str_removeaffix(struct jj_vm *vm, value s, int id, const struct vargs *a)
{
	nargs(vm, method_names[id], a, 1, 1);
	value x = jj_want_str(vm, a->pos[0], "argument");
	if (x.len > s.len)
		return s;
	if (id == M_REMOVEPREFIX && memcmp(s.s, x.s, x.len) == 0)
		return val_strn(s.s + x.len, s.len - x.len);
	if (id == M_REMOVESUFFIX && x.len && memcmp(s.s + s.len - x.len, x.s, x.len) == 0)
		return val_strn(s.s, s.len - x.len);
	return s;
}

/* isidentifier(): ASCII letters, digits and _, any non-ASCII byte, no leading digit */
static value str_isidentifier(struct jj_vm *vm, value s, int id, const struct vargs *a)
{
	nargs(vm, "isidentifier", a, 0, 0);
	if (s.len == 0 || jj_cp_isdigit((unsigned char)s.s[0]))
		return val_bool(false);
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.s[i];
		if (!(c == '_' || c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			return val_bool(false);
	}
	return val_bool(true);
}

static value str_method(struct jj_vm *vm, value s, int id, const struct vargs *a)
{
	switch (id) {
	case M_LOWER:
		nargs(vm, "lower", a, 0, 0);
		return jj_str_lower(vm, s);
	case M_CASEFOLD:
		nargs(vm, "casefold", a, 0, 0);
		return str_casefold(vm, s);
	case M_UPPER:
		nargs(vm, "upper", a, 0, 0);
		return jj_str_upper(vm, s);
	case M_SWAPCASE:
		nargs(vm, "swapcase", a, 0, 0);
		return map_cps(vm, s, cp_swap);
	case M_TITLE:
		nargs(vm, "title", a, 0, 0);
		return jj_str_title(vm, s);
	case M_CAPITALIZE:
		nargs(vm, "capitalize", a, 0, 0);
		return jj_str_capitalize(vm, s);
	case M_STRIP:
	case M_LSTRIP:
	case M_RSTRIP:
		nargs(vm, method_names[id], a, 0, 1);
		return jj_str_strip(vm, s, jj_pos(a, 0), id != M_RSTRIP, id != M_LSTRIP);
	case M_SPLIT:
	case M_RSPLIT: {
		jj_check_args(vm, method_names[id], a, 2, (const char *const[]){"sep", "maxsplit", NULL});
		value sep = jj_arg(a, 0, "sep", val_none());
		value ms = jj_arg(a, 1, "maxsplit", val_int(-1));
		return jj_split(vm, s, sep, jj_want_int(vm, ms, NULL), id == M_RSPLIT);
	}
	case M_SPLITLINES:
		return str_splitlines(vm, s, id, a);
	case M_REPLACE: {
		nargs(vm, "replace", a, 2, 3);
		value old = jj_want_str(vm, a->pos[0], "replace() argument 1");
		value nw = jj_want_str(vm, a->pos[1], "replace() argument 2");
		int64_t count = a->npos > 2 ? jj_want_int(vm, a->pos[2], NULL) : -1;
		return jj_str_replace(vm, s, old, nw, count);
	}
	case M_STARTSWITH:
	case M_ENDSWITH:
		nargs(vm, method_names[id], a, 1, 3);
		return val_bool(affix_match(vm, s, a->pos[0], a, id == M_STARTSWITH, method_names[id]));
	case M_FIND:
	case M_RFIND:
	case M_INDEX:
	case M_RINDEX:
		return str_find(vm, s, id, a);
	case M_COUNT:
		return str_count(vm, s, id, a);
	case M_JOIN:
		return str_join(vm, s, id, a);
	case M_FORMAT:
		return jj_str_format(vm, s, a);
	case M_FORMAT_MAP:
		return str_format_map(vm, s, id, a);
	case M_CENTER:
		return pad(vm, s, a, 0, "center");
	case M_LJUST:
		return pad(vm, s, a, -1, "ljust");
	case M_RJUST:
		return pad(vm, s, a, 1, "rjust");
	case M_ZFILL:
		return str_zfill(vm, s, id, a);
	case M_EXPANDTABS:
		return str_expandtabs(vm, s, id, a);
	case M_PARTITION:
	case M_RPARTITION:
		return str_partition(vm, s, id, a);
	case M_REMOVEPREFIX:
	case M_REMOVESUFFIX:
		return str_removeaffix(vm, s, id, a);
	case M_ISDIGIT:
		nargs(vm, "isdigit", a, 0, 0);
		return val_bool(str_all(s, jj_cp_isdigit));
	case M_ISDECIMAL:
		nargs(vm, "isdecimal", a, 0, 0);
		return val_bool(str_all(s, cp_isdecimal));
	case M_ISNUMERIC:
		nargs(vm, "isnumeric", a, 0, 0);
		return val_bool(str_all(s, cp_isnumeric));
	case M_ISALPHA:
		nargs(vm, "isalpha", a, 0, 0);
		return val_bool(str_all(s, jj_cp_isalpha));
	case M_ISALNUM:
		nargs(vm, "isalnum", a, 0, 0);
		return val_bool(str_all(s, cp_isalnum));
	case M_ISSPACE:
		nargs(vm, "isspace", a, 0, 0);
		return val_bool(str_all(s, jj_cp_isspace));
	case M_ISASCII:
		nargs(vm, "isascii", a, 0, 0);
		return val_bool(s.len == 0 || str_all(s, cp_isascii));
	case M_ISLOWER:
		nargs(vm, "islower", a, 0, 0);
		return val_bool(str_case_is(s, true));
	case M_ISUPPER:
		nargs(vm, "isupper", a, 0, 0);
		return val_bool(str_case_is(s, false));
	case M_ISTITLE:
		nargs(vm, "istitle", a, 0, 0);
		return val_bool(str_istitle(s));
	case M_ISIDENTIFIER:
		return str_isidentifier(vm, s, id, a);
	}
	return val_undef();
}

/* ---------------------------------------------------------------- list methods */

static value list_method(struct jj_vm *vm, value l, int id, const struct vargs *a)
{
	switch (id) {
	case M_APPEND:
		nargs(vm, "append", a, 1, 1);
		val_list_push(l, a->pos[0]);
		return val_none();
	case M_EXTEND: {
		nargs(vm, "extend", a, 1, 1);
		value *items;
		size_t n;
		jj_iter(vm, a->pos[0], &items, &n);
		for (size_t i = 0; i < n; i++)
			val_list_push(l, items[i]);
		return val_none();
	}
	case M_INSERT: {
		nargs(vm, "insert", a, 2, 2);
		int64_t i = jj_want_int(vm, a->pos[0], NULL), len = l.l->len;
		if (i < 0)
			i = i + len < 0 ? 0 : i + len;
		if (i > len)
			i = len;
		val_list_insert(l, (size_t)i, a->pos[1]);
		return val_none();
	}
	case M_POP: {
		nargs(vm, "pop", a, 0, 1);
		int64_t len = l.l->len;
		if (len == 0)
			jj_raise(vm, "pop from empty list");
		int64_t i = a->npos ? jj_want_int(vm, a->pos[0], NULL) : -1;
		if (i < 0)
			i += len;
		if (i < 0 || i >= len)
			jj_raise(vm, "pop index out of range");
		return val_list_pop(l, (size_t)i);
	}
	case M_REMOVE:
		nargs(vm, "remove", a, 1, 1);
		for (uint32_t i = 0; i < l.l->len; i++) {
			if (val_eq(l.l->items[i], a->pos[0])) {
				val_list_pop(l, i);
				return val_none();
			}
		}
		jj_raise(vm, "list.remove(x): x not in list");
	case M_INDEX: {
		nargs(vm, "index", a, 1, 3);
		int64_t len = l.l->len, b = 0, e = len;
		if (a->npos > 1) {
			b = jj_want_int(vm, a->pos[1], NULL);
			if (b < 0)
				b = b + len < 0 ? 0 : b + len;
		}
		if (a->npos > 2) {
			e = jj_want_int(vm, a->pos[2], NULL);
			if (e < 0)
				e = e + len < 0 ? 0 : e + len;
		}
		for (int64_t i = b; i < e && i < len; i++)
			if (val_eq(l.l->items[i], a->pos[0]))
				return val_int(i);
		size_t m = jj_mark(vm);
		val_repr_to(vm->out, a->pos[0]);
		value r = jj_take(vm, m);
		jj_raise(vm, "%s is not in %s", r.s, (l.flags & VF_TUPLE) ? "tuple" : "list");
	}
	case M_COUNT: {
		nargs(vm, "count", a, 1, 1);
		int64_t n = 0;
		for (uint32_t i = 0; i < l.l->len; i++)
			n += val_eq(l.l->items[i], a->pos[0]);
		return val_int(n);
	}
	case M_REVERSE:
		nargs(vm, "reverse", a, 0, 0);
		for (uint32_t i = 0, j = l.l->len; i + 1 < j; i++, j--) {
			value t = l.l->items[i];
			l.l->items[i] = l.l->items[j - 1];
			l.l->items[j - 1] = t;
		}
		return val_none();
	case M_SORT: {
		if (a->npos)
			jj_raise(vm, "sort() takes no positional arguments");
		jj_check_args(vm, "sort", a, 0, (const char *const[]){"key", "reverse", NULL});
		value key = jj_arg(a, 99, "key", val_none());
		bool rev = val_truthy(jj_arg(a, 99, "reverse", val_bool(false)));
		size_t n = l.l->len;
		value *keys = NULL;
		if (key.type != V_NONE) {
			keys = arena_alloc(vm->a, (n ? n : 1) * sizeof(value));
			for (size_t i = 0; i < n; i++) {
				struct vargs ka = {&l.l->items[i], 1, NULL, NULL, 0};
				keys[i] = jj_call_value(vm, key, &ka);
			}
		}
		jj_sort(vm, l.l->items, n, keys, rev);
		return val_none();
	}
	case M_COPY: {
		nargs(vm, "copy", a, 0, 0);
		value r = val_list_new(vm->a, l.l->len);
		for (uint32_t i = 0; i < l.l->len; i++)
			val_list_push(r, l.l->items[i]);
		return r;
	}
	case M_CLEAR:
		nargs(vm, "clear", a, 0, 0);
		l.l->len = 0;
		return val_none();
	}
	return val_undef();
}

/* ---------------------------------------------------------------- dict methods */

static void raise_keyerror(struct jj_vm *vm, value k)
{
	size_t m = jj_mark(vm);
	val_repr_to(vm->out, k);
	value r = jj_take(vm, m);
	jj_raise(vm, "KeyError: %s", r.s);
}

static void dict_update_from(struct jj_vm *vm, value d, value src)
{
	if (src.type == V_DICT) {
		for (uint32_t i = 0; i < src.d->len; i++)
			val_dict_set(d, src.d->e[i].key, src.d->e[i].val);
		return;
	}
	value *items;
	size_t n;
	jj_iter(vm, src, &items, &n);
	for (size_t i = 0; i < n; i++) {
		value p = items[i];
		if (p.type != V_LIST || p.l->len != 2)
			jj_raise(vm, "dictionary update sequence element #%zu has the wrong length", i);
		val_dict_set(d, p.l->items[0], p.l->items[1]);
	}
}

static value dict_method(struct jj_vm *vm, value d, int id, const struct vargs *a)
{
	switch (id) {
	case M_GET: {
		nargs(vm, "get", a, 1, 2);
		long i = val_dict_find(d, a->pos[0]);
		if (i >= 0)
			return d.d->e[i].val;
		return a->npos > 1 ? a->pos[1] : val_none();
	}
	case M_ITEMS: {
		nargs(vm, "items", a, 0, 0);
		value l = val_list_new(vm->a, d.d->len);
		for (uint32_t i = 0; i < d.d->len; i++) {
			value t = val_tuple_new(vm->a, 2);
			val_list_push(t, d.d->e[i].key);
			val_list_push(t, d.d->e[i].val);
			val_list_push(l, t);
		}
		return l;
	}
	case M_KEYS:
	case M_VALUES: {
		nargs(vm, method_names[id], a, 0, 0);
		value l = val_list_new(vm->a, d.d->len);
		for (uint32_t i = 0; i < d.d->len; i++)
			val_list_push(l, id == M_KEYS ? d.d->e[i].key : d.d->e[i].val);
		return l;
	}
	case M_UPDATE:
		if (a->npos > 1)
			jj_raise(vm, "update expected at most 1 argument, got %zu", a->npos);
		if (a->npos)
			dict_update_from(vm, d, a->pos[0]);
		for (size_t i = 0; i < a->nkw; i++)
			val_dict_set(d, val_str(a->kwnames[i]), a->kw[i]);
		return val_none();
	case M_POP: {
		nargs(vm, "pop", a, 1, 2);
		long i = val_dict_find(d, a->pos[0]);
		if (i < 0) {
			if (a->npos > 1)
				return a->pos[1];
			raise_keyerror(vm, a->pos[0]);
		}
		value v = d.d->e[i].val;
		val_dict_del(d, a->pos[0]);
		return v;
	}
	case M_POPITEM: {
		nargs(vm, "popitem", a, 0, 0);
		if (!d.d->len)
			jj_raise(vm, "KeyError: 'popitem(): dictionary is empty'");
		struct ventry e = d.d->e[d.d->len - 1];
		val_dict_del(d, e.key);
		value t = val_tuple_new(vm->a, 2);
		val_list_push(t, e.key);
		val_list_push(t, e.val);
		return t;
	}
	case M_SETDEFAULT: {
		nargs(vm, "setdefault", a, 1, 2);
		long i = val_dict_find(d, a->pos[0]);
		if (i >= 0)
			return d.d->e[i].val;
		value v = a->npos > 1 ? a->pos[1] : val_none();
		val_dict_set(d, a->pos[0], v);
		return v;
	}
	case M_COPY: {
		nargs(vm, "copy", a, 0, 0);
		value r = val_dict_new(vm->a, d.d->len);
		for (uint32_t i = 0; i < d.d->len; i++)
			val_dict_set(r, d.d->e[i].key, d.d->e[i].val);
		return r;
	}
	case M_CLEAR:
		nargs(vm, "clear", a, 0, 0);
		while (d.d->len)
			val_dict_del(d, d.d->e[d.d->len - 1].key);
		return val_none();
	}
	return val_undef();
}

/* ---------------------------------------------------------------- shared containers */

/*
 * The lists and dicts of a shared arena (arena.shared: dbt's `graph` used as a cache, which every
 * render and thread of a run sees) are changed under one lock, recursive since a sort key may
 * read them, and what a method stores in them is first copied into their arena: the values a
 * render makes live in its own arena, which is gone when the render is.
 */
static pthread_mutex_t shared_lock;
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;

static void shared_init(void)
{
	pthread_mutexattr_t at;
	pthread_mutexattr_init(&at);
	pthread_mutexattr_settype(&at, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&shared_lock, &at);
	pthread_mutexattr_destroy(&at);
}

static struct arena *shared_arena(value obj)
{
	struct arena *a = obj.type == V_LIST ? obj.l->arena : obj.type == V_DICT ? obj.d->arena : NULL;
	return a && a->shared ? a : NULL;
}

static value shared_call(struct jj_vm *vm, value obj, int id, const struct vargs *args, struct arena *sa)
{
	pthread_once(&shared_once, shared_init);
	pthread_mutex_lock(&shared_lock);
	jmp_buf *outer = vm->err, mine;
	vm->err = &mine;
	if (setjmp(mine)) {
		/* an error inside the method: let go of the lock on the way out */
		vm->err = outer;
		pthread_mutex_unlock(&shared_lock);
		longjmp(*outer, 1);
	}
	struct vargs copy = *args;
	/* setdefault of a key that is there stores nothing: no copy of its default (elementary asks
	 * graph.setdefault('elementary', {}) for every row it measures) */
	bool stores = id == M_APPEND || id == M_EXTEND || id == M_INSERT || id == M_UPDATE ||
		      (id == M_SETDEFAULT && !(obj.type == V_DICT && args->npos >= 1 &&
					       val_dict_find(obj, args->pos[0]) >= 0));
	if (stores) {
		value *pos = arena_alloc(vm->a, (args->npos + 1) * sizeof(value));
		value *kw = arena_alloc(vm->a, (args->nkw + 1) * sizeof(value));
		for (size_t i = 0; i < args->npos; i++) {
			value v = args->pos[i];
			if (id == M_EXTEND && v.type != V_LIST) {
				/* an iterable of another kind: its items, as a list to copy */
				value *items;
				size_t n;
				jj_iter(vm, v, &items, &n);
				v = val_list_new(vm->a, n);
				for (size_t k = 0; k < n; k++)
					val_list_push(v, items[k]);
			}
			pos[i] = val_copy(sa, v);
		}
		for (size_t i = 0; i < args->nkw; i++)
			kw[i] = val_copy(sa, args->kw[i]);
		copy.pos = pos;
		copy.kw = kw;
		const char **names = arena_alloc(vm->a, (args->nkw + 1) * sizeof(char *));
		for (size_t i = 0; i < args->nkw; i++)
			names[i] = arena_strdup(sa, args->kwnames[i]);
		copy.kwnames = names;
	}
	value r = obj.type == V_LIST ? list_method(vm, obj, id, &copy) : dict_method(vm, obj, id, &copy);
	vm->err = outer;
	pthread_mutex_unlock(&shared_lock);
	return r;
}

bool jj_call_method(struct jj_vm *vm, value obj, int id, const struct vargs *args, value *pres)
{
	if (id < 0 || !type_has(obj, id))
		return false;
	struct arena *sa;
	switch (obj.type) {
	case V_STR:
		*pres = str_method(vm, obj, id, args);
		return true;
	case V_LIST:
		*pres = (sa = shared_arena(obj)) ? shared_call(vm, obj, id, args, sa) : list_method(vm, obj, id, args);
		return true;
	case V_DICT:
		*pres = (sa = shared_arena(obj)) ? shared_call(vm, obj, id, args, sa) : dict_method(vm, obj, id, args);
		return true;
	default:
		return false;
	}
}

value jj_call_builtin_method(struct jj_vm *vm, value obj, const char *name, const struct vargs *args)
{
	value r;
	if (!jj_call_method(vm, obj, jj_method_id(name, strlen(name)), args, &r))
		jj_raise(vm, "'%s' object has no attribute '%s'", val_type_name(obj), name);
	return r;
}
