/*
 * Jinja2's built-in filters on strings, numbers and HTML (those on sequences are in filters_seq.c),
 * with the argument names, defaults and quirks of Jinja2 3.1 ("42.23"|int is 42, round() rounds half
 * to even, tojson sorts keys and escapes <>&', truncate has a leeway of 5, ...).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sb.h"
#include "jinja/filters.h"

/* ---------------------------------------------------------------- strings */

F(f_upper)
{
	check(vm, "upper", a, 0, NO_KW);
	return jj_str_upper(vm, soft_str(vm, subject(a)));
}

F(f_lower)
{
	check(vm, "lower", a, 0, NO_KW);
	return jj_str_lower(vm, soft_str(vm, subject(a)));
}

F(f_capitalize)
{
	check(vm, "capitalize", a, 0, NO_KW);
	return jj_str_capitalize(vm, soft_str(vm, subject(a)));
}

/* Jinja's title: words start after runs of '-', whitespace, '(', '{', '[' and '<' */
F(f_title)
{
	check(vm, "title", a, 0, NO_KW);
	value s = soft_str(vm, subject(a));
	size_t m = jj_mark(vm);
	const unsigned char *p = (const unsigned char *)s.s;
	bool start = true;
	for (size_t i = 0; i < s.len;) {
		unsigned cp;
		size_t l = jj_utf8_dec(p + i, s.len - i, &cp);
		bool sep = cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<' || jj_cp_isspace(cp);
		if (sep) {
			sb_add(vm->out, s.s + i, l);
			start = true;
		} else {
			jj_utf8_put(vm->out, start ? jj_cp_upper(cp) : jj_cp_lower(cp));
			start = false;
		}
		i += l;
	}
	return jj_take(vm, m);
}

F(f_trim)
{
	check(vm, "trim", a, 1, (const char *const[]){"chars", NULL});
	return jj_str_strip(vm, soft_str(vm, subject(a)), arg(a, 0, "chars", val_none()), true, true);
}

F(f_replace)
{
	check(vm, "replace", a, 3, (const char *const[]){"old", "new", "count", NULL});
	value s = soft_str(vm, subject(a));
	value old = soft_str(vm, arg(a, 0, "old", val_undef()));
	value nw = soft_str(vm, arg(a, 1, "new", val_undef()));
	value c = arg(a, 2, "count", val_none());
	int64_t count = c.type == V_NONE || c.type == V_UNDEF ? -1 : jj_want_int(vm, c, NULL);
	/* as Jinja2: plain strings without autoescape; with it, Markup when any side is Markup */
	if (!vm->autoescape) {
		s.flags &= (uint8_t)~VF_SAFE;
	} else if (!(s.flags & VF_SAFE) && ((old.flags | nw.flags) & VF_SAFE)) {
		s = jj_escape(vm, s);
	}
	return jj_str_replace(vm, s, old, nw, count);
}

F(f_center)
{
	check(vm, "center", a, 1, (const char *const[]){"width", NULL});
	value s = soft_str(vm, subject(a));
	value w = arg(a, 0, "width", val_int(80));
	value r;
	struct vargs ca = {&w, 1, NULL, NULL, 0};
	jj_call_method(vm, s, jj_method_id("center", 6), &ca, &r);
	return r;
}

F(f_string)
{
	check(vm, "string", a, 0, NO_KW);
	value v = subject(a);
	if (v.type == V_STR)
		return v;
	return soft_str(vm, v);
}

F(f_format)
{
	value s = soft_str(vm, subject(a));
	if (a->npos > 1 && a->nkw)
		jj_raise(vm, "can't handle positional and keyword arguments at the same time");
	if (a->nkw) {
		value d = val_dict_new(vm->a, a->nkw);
		for (size_t i = 0; i < a->nkw; i++)
			val_dict_set(d, val_str(a->kwnames[i]), a->kw[i]);
		return jj_percent_format(vm, s, d);
	}
	value t = val_tuple_new(vm->a, a->npos);
	for (size_t i = 1; i < a->npos; i++)
		val_list_push(t, a->pos[i]);
	return jj_percent_format(vm, s, t);
}

F(f_truncate)
{
	check(vm, "truncate", a, 4, (const char *const[]){"length", "killwords", "end", "leeway", NULL});
	value s = soft_str(vm, subject(a));
	int64_t length = jj_want_int(vm, arg(a, 0, "length", val_int(255)), NULL);
	bool killwords = val_truthy(arg(a, 1, "killwords", val_bool(false)));
	value end = soft_str(vm, arg(a, 2, "end", val_strn("...", 3)));
	value lw = arg(a, 3, "leeway", val_none());
	int64_t leeway = lw.type == V_NONE || lw.type == V_UNDEF ? 5 : jj_want_int(vm, lw, NULL);
	int64_t endlen = (int64_t)jj_utf8_len(end.s, end.len);
	if (length < endlen)
		jj_raise(vm, "expected length >= %lld, got %lld", (long long)endlen, (long long)length);
	if (leeway < 0)
		jj_raise(vm, "expected leeway >= 0, got %lld", (long long)leeway);
	int64_t len = (int64_t)jj_utf8_len(s.s, s.len);
	if (len <= length + leeway)
		return s;
	size_t cut = jj_utf8_off(s.s, s.len, (size_t)(length - endlen));
	value head = val_strn(s.s, cut);
	if (!killwords) {
		const char *sp = NULL;
		for (size_t i = cut; i-- > 0;)
			if (s.s[i] == ' ') {
				sp = s.s + i;
				break;
			}
		if (sp)
			head = val_strn(s.s, (size_t)(sp - s.s));
	}
	size_t m = jj_mark(vm);
	sb_add(vm->out, head.s, head.len);
	sb_add(vm->out, end.s, end.len);
	return jj_take(vm, m);
}

F(f_wordcount)
{
	check(vm, "wordcount", a, 0, NO_KW);
	value s = soft_str(vm, subject(a));
	const unsigned char *p = (const unsigned char *)s.s;
	int64_t n = 0;
	bool in = false;
	for (size_t i = 0; i < s.len;) {
		unsigned cp;
		i += jj_utf8_dec(p + i, s.len - i, &cp);
		bool w = cp == '_' || jj_cp_isdigit(cp) || jj_cp_isalpha(cp);
		if (w && !in)
			n++;
		in = w;
	}
	return val_int(n);
}

F(f_indent)
{
	check(vm, "indent", a, 3, (const char *const[]){"width", "first", "blank", NULL});
	if (subject(a).type == V_UNDEF)
		jj_raise_undefined(vm, subject(a)); /* Undefined + "\n" fails */
	value s = soft_str(vm, subject(a));
	value w = arg(a, 0, "width", val_int(4));
	bool first = val_truthy(arg(a, 1, "first", val_bool(false)));
	bool blank = val_truthy(arg(a, 2, "blank", val_bool(false)));
	value ind;
	if (w.type == V_STR) {
		ind = w;
	} else {
		int64_t n = jj_want_int(vm, w, NULL);
		if (n > 0)
			jj_need(vm, (size_t)n);
		size_t m = jj_mark(vm);
		for (int64_t i = 0; i < n; i++)
			sb_addc(vm->out, ' ');
		ind = jj_take(vm, m);
	}
	/* s + "\n", split into lines */
	size_t m0 = jj_mark(vm);
	sb_add(vm->out, s.s, s.len);
	sb_addc(vm->out, '\n');
	value s2 = jj_take(vm, m0);
	value lines;
	struct vargs none = {0};
	jj_call_method(vm, s2, jj_method_id("splitlines", 10), &none, &lines);
	jj_need2(vm, (size_t)lines.l->len + 1, ind.len);
	size_t m = jj_mark(vm);
	if (first)
		sb_add(vm->out, ind.s, ind.len);
	for (uint32_t i = 0; i < lines.l->len; i++) {
		value line = lines.l->items[i];
		if (i) {
			sb_addc(vm->out, '\n');
			if (blank || line.len)
				sb_add(vm->out, ind.s, ind.len);
		}
		sb_add(vm->out, line.s, line.len);
	}
	return jj_take(vm, m);
}

/* textwrap.wrap() of one paragraph, as Jinja's wordwrap uses it */
static void wrap_para(struct jj_vm *vm, value line, int64_t width, bool break_long, bool hyphens,
		      value wrapstr, bool *pfirst_line)
{
	/* chunks: alternating whitespace runs and words (words split after hyphens) */
	size_t cap = line.len + 1, nch = 0;
	value *ch = arena_alloc(vm->a, cap * sizeof(value));
	const char *s = line.s;
	for (size_t i = 0; i < line.len;) {
		size_t b = i;
		bool ws = s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' ||
			  s[i] == '\v';
		while (i < line.len) {
			bool w2 = s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' ||
				  s[i] == '\v';
			if (w2 != ws)
				break;
			i++;
			if (!ws && hyphens && s[i - 1] == '-' && i - 1 > b && i < line.len &&
			    (((s[i - 2] | 0x20) >= 'a' && (s[i - 2] | 0x20) <= 'z') ||
			     (s[i - 2] >= '0' && s[i - 2] <= '9')) &&
			    ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
				break;
		}
		ch[nch++] = val_strn(s + b, i - b);
	}
	/* greedy fill, following textwrap.TextWrapper._wrap_chunks */
	size_t k = 0;
	bool any_line = false;
	while (k < nch) {
		size_t cur = 0, lb = 0;
		if (any_line && ch[k].len && (ch[k].s[0] == ' ' || ch[k].s[0] == '\t'))
			k++;
		value *linev = arena_alloc(vm->a, (nch - k + 2) * sizeof(value));
		while (k < nch) {
			size_t l = jj_utf8_len(ch[k].s, ch[k].len);
			if ((int64_t)(cur + l) <= width) {
				linev[lb++] = ch[k++];
				cur += l;
			} else {
				break;
			}
		}
		if (k < nch && (int64_t)jj_utf8_len(ch[k].s, ch[k].len) > width) {
			int64_t space_left = width < 1 ? 1 : width - (int64_t)cur;
			if (break_long) {
				value c = ch[k];
				int64_t end = space_left;
				int64_t clen = (int64_t)jj_utf8_len(c.s, c.len);
				if (hyphens && clen > space_left) {
					size_t lim = jj_utf8_off(c.s, c.len, (size_t)space_left);
					for (size_t q = lim; q-- > 1;) {
						if (c.s[q] == '-') {
							bool nonhyph = false;
							for (size_t z = 0; z < q; z++)
								nonhyph = nonhyph || c.s[z] != '-';
							if (nonhyph)
								end = (int64_t)jj_utf8_len(c.s, q) + 1;
							break;
						}
					}
				}
				size_t off = jj_utf8_off(c.s, c.len, (size_t)end);
				linev[lb++] = val_strn(c.s, off);
				ch[k] = val_strn(c.s + off, c.len - off);
			} else if (lb == 0) {
				linev[lb++] = ch[k++];
			}
		}
		if (lb && linev[lb - 1].len && (linev[lb - 1].s[0] == ' ' || linev[lb - 1].s[0] == '\t'))
			lb--;
		if (lb) {
			if (!*pfirst_line)
				sb_add(vm->out, wrapstr.s, wrapstr.len);
			*pfirst_line = false;
			for (size_t i = 0; i < lb; i++)
				sb_add(vm->out, linev[i].s, linev[i].len);
			any_line = true;
		}
	}
}

F(f_wordwrap)
{
	check(vm, "wordwrap", a, 4,
	      (const char *const[]){"width", "break_long_words", "wrapstring", "break_on_hyphens", NULL});
	if (subject(a).type == V_UNDEF)
		jj_raise_undefined(vm, subject(a));
	value s = soft_str(vm, subject(a));
	int64_t width = jj_want_int(vm, arg(a, 0, "width", val_int(79)), NULL);
	bool break_long = val_truthy(arg(a, 1, "break_long_words", val_bool(true)));
	value ws = arg(a, 2, "wrapstring", val_none());
	if (ws.type == V_NONE || ws.type == V_UNDEF)
		ws = val_strn("\n", 1);
	ws = soft_str(vm, ws);
	bool hyph = val_truthy(arg(a, 3, "break_on_hyphens", val_bool(true)));
	if (width <= 0)
		jj_raise(vm, "invalid width %lld (must be > 0)", (long long)width);
	value lines;
	struct vargs none = {0};
	jj_call_method(vm, s, jj_method_id("splitlines", 10), &none, &lines);
	size_t m = jj_mark(vm);
	for (uint32_t i = 0; i < lines.l->len; i++) {
		if (i)
			sb_add(vm->out, ws.s, ws.len);
		bool first = true;
		wrap_para(vm, lines.l->items[i], width, break_long, hyph, ws, &first);
	}
	return jj_take(vm, m);
}

static void put_entity_unescaped(struct sb *out, const char *s, size_t n)
{
	static const struct {
		const char *name;
		unsigned cp;
	} ents[] = {
		{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0},
		{"copy", 0xA9}, {"reg", 0xAE}, {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013},
	};
	for (size_t i = 0; i < n;) {
		if (s[i] == '&') {
			const char *semi = memchr(s + i, ';', n - i < 12 ? n - i : 12);
			if (semi) {
				const char *nm = s + i + 1;
				size_t nl = (size_t)(semi - nm);
				if (nl > 1 && nm[0] == '#') {
					unsigned cp = (unsigned)(nm[1] == 'x' || nm[1] == 'X' ? strtoul(nm + 2, NULL, 16) :
												strtoul(nm + 1, NULL, 10));
					jj_utf8_put(out, cp);
					i = (size_t)(semi - s) + 1;
					continue;
				}
				bool done = false;
				for (size_t k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
					if (strlen(ents[k].name) == nl && memcmp(ents[k].name, nm, nl) == 0) {
						jj_utf8_put(out, ents[k].cp);
						i = (size_t)(semi - s) + 1;
						done = true;
						break;
					}
				}
				if (done)
					continue;
			}
		}
		sb_addc(out, s[i++]);
	}
}

F(f_striptags)
{
	check(vm, "striptags", a, 0, NO_KW);
	value s = soft_str(vm, subject(a));
	size_t m = jj_mark(vm);
	/* drop comments and tags, then collapse whitespace */
	const char *p = s.s, *e = s.s + s.len;
	bool pending_space = false, any = false;
	while (p < e) {
		if (*p == '<') {
			if (e - p >= 4 && memcmp(p, "<!--", 4) == 0) {
				const char *c = NULL;
				for (const char *q = p + 4; q + 3 <= e; q++)
					if (memcmp(q, "-->", 3) == 0) {
						c = q;
						break;
					}
				if (c) {
					p = c + 3;
					continue;
				}
			}
			const char *gt = memchr(p + 1, '>', (size_t)(e - p - 1));
			if (gt) {
				p = gt + 1;
				continue;
			}
		}
		unsigned cp;
		size_t l = jj_utf8_dec((const unsigned char *)p, (size_t)(e - p), &cp);
		if (jj_cp_isspace(cp)) {
			pending_space = any;
		} else {
			if (pending_space)
				sb_addc(vm->out, ' ');
			pending_space = false;
			any = true;
			sb_add(vm->out, p, l);
		}
		p += l;
	}
	value t = jj_take(vm, m);
	m = jj_mark(vm);
	put_entity_unescaped(vm->out, t.s, t.len);
	return jj_take(vm, m);
}

static bool url_safe(unsigned char c, const char *safe)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.' || c == '-' || c == '~' || (c && strchr(safe, c));
}

static void url_quote(struct jj_vm *vm, value v, bool for_qs)
{
	value s = soft_str(vm, v);
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.s[i];
		if (url_safe(c, for_qs ? "" : "/"))
			sb_addc(vm->out, (char)c);
		else if (c == ' ' && for_qs)
			sb_addc(vm->out, '+');
		else
			sb_addf(vm->out, "%%%02X", c);
	}
}

F(f_urlencode)
{
	check(vm, "urlencode", a, 0, NO_KW);
	value v = subject(a);
	size_t m = jj_mark(vm);
	if (v.type == V_STR || (v.type != V_DICT && v.type != V_LIST)) {
		url_quote(vm, v, false);
		return jj_take(vm, m);
	}
	value items = v;
	if (v.type == V_DICT) {
		struct vargs none = {0};
		jj_call_method(vm, v, jj_method_id("items", 5), &none, &items);
	}
	for (uint32_t i = 0; i < items.l->len; i++) {
		value p = items.l->items[i];
		if (p.type != V_LIST || p.l->len != 2)
			jj_raise(vm, "urlencode expects a mapping or a sequence of pairs");
		if (i)
			sb_addc(vm->out, '&');
		url_quote(vm, p.l->items[0], true);
		sb_addc(vm->out, '=');
		url_quote(vm, p.l->items[1], true);
	}
	return jj_take(vm, m);
}

static bool ci_prefix(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if ((s[i] | 0x20) != pre[i])
			return false;
	return true;
}

static bool is_wordc(char c)
{
	return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	       (unsigned char)c >= 0x80;
}

/* a simplified form of Jinja2's _http_re: scheme or www. followed by a dotted host, or a bare
 * domain with a well-known TLD */
static bool looks_like_url(const char *s, size_t n)
{
	size_t p = 0;
	bool scheme = false;
	if (ci_prefix(s, n, "https://"))
		p = 8, scheme = true;
	else if (ci_prefix(s, n, "http://"))
		p = 7, scheme = true;
	else if (ci_prefix(s, n, "www."))
		p = 4, scheme = true;
	size_t hb = p;
	while (p < n && (is_wordc(s[p]) || s[p] == '.' || s[p] == '-' || s[p] == '%'))
		p++;
	size_t he = p;
	if (he == hb)
		return false;
	if (p < n && s[p] == ':') {
		size_t q = p + 1;
		while (q < n && s[q] >= '0' && s[q] <= '9')
			q++;
		if (q == p + 1 || q - p - 1 > 5)
			return false;
		p = q;
	}
	if (p < n && s[p] != '/' && s[p] != '?' && s[p] != '#')
		return false;
	for (size_t q = p; q < n; q++)
		if (s[q] == ' ' || s[q] == '\t' || s[q] == '\n')
			return false;
	/* tld: the last label */
	const char *dot = NULL;
	for (size_t q = he; q-- > hb;)
		if (s[q] == '.') {
			dot = s + q;
			break;
		}
	if (!dot)
		return false;
	size_t tl = (size_t)(s + he - dot - 1);
	if (scheme) {
		if (tl < 2 || tl > 63)
			return false;
		for (const char *q = dot + 1; q < s + he; q++)
			if (!(((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z')))
				return tl >= 2 && ci_prefix(dot + 1, tl, "xn--");
		return true;
	}
	static const char *const tlds[] = {"com", "net", "int", "edu", "gov", "org", "info", "mil"};
	for (size_t i = 0; i < sizeof(tlds) / sizeof(tlds[0]); i++)
		if (strlen(tlds[i]) == tl && ci_prefix(dot + 1, tl, tlds[i]))
			return dot > s + hb;
	return false;
}

static bool looks_like_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	if (!at || at == s)
		return false;
	const char *d = at + 1, *e = s + n;
	if (d >= e || !is_wordc(*d))
		return false;
	const char *dot = NULL;
	for (const char *q = d; q < e; q++) {
		if (*q == '.')
			dot = q;
		else if (!is_wordc(*q) && *q != '-')
			return false;
	}
	return dot && dot + 1 < e && dot > d;
}

F(f_urlize)
{
	check(vm, "urlize", a, 5,
	      (const char *const[]){"trim_url_limit", "nofollow", "target", "rel", "extra_schemes", NULL});
	value text = jj_escape(vm, subject(a));
	value tl = arg(a, 0, "trim_url_limit", val_none());
	int64_t trim = tl.type == V_INT ? tl.i : -1;
	bool nofollow = val_truthy(arg(a, 1, "nofollow", val_bool(false)));
	value target = arg(a, 2, "target", val_none());
	value relv = arg(a, 3, "rel", val_none());
	/* rel: the given words, nofollow, and the default policy "noopener", sorted */
	const char *rels[3];
	int nr = 0;
	bool has_nofollow = false;
	if (relv.type == V_STR && relv.len) {
		value words = jj_split(vm, relv, val_none(), -1, false);
		for (uint32_t i = 0; i < words.l->len && nr < 3; i++) {
			value w = words.l->items[i];
			if (val_streq(w, "noopener"))
				continue; /* always added below */
			else if (val_streq(w, "nofollow"))
				has_nofollow = true;
			else
				rels[nr++] = val_cstr(vm->a, w);
		}
	}
	if (nofollow)
		has_nofollow = true;
	size_t mr = jj_mark(vm);
	{
		const char *all[5];
		int na = 0;
		for (int i = 0; i < nr; i++)
			all[na++] = rels[i];
		if (has_nofollow)
			all[na++] = "nofollow";
		all[na++] = "noopener"; /* Jinja2's default policy urlize.rel */
		for (int i = 1; i < na; i++)
			for (int j = i; j > 0 && strcmp(all[j], all[j - 1]) < 0; j--) {
				const char *t = all[j];
				all[j] = all[j - 1];
				all[j - 1] = t;
			}
		for (int i = 0; i < na; i++) {
			if (i && strcmp(all[i], all[i - 1]) == 0)
				continue;
			if (i)
				sb_addc(vm->out, ' ');
			sb_adds(vm->out, all[i]);
		}
	}
	value rel = jj_take(vm, mr);
	size_t m = jj_mark(vm);
	const char *p = text.s, *e = text.s + text.len;
	while (p < e) {
		const char *q = p;
		if (jj_ws_at(q, e)) {
			size_t w;
			while ((w = jj_ws_at(q, e)) > 0)
				q += w;
			sb_add(vm->out, p, (size_t)(q - p));
			p = q;
			continue;
		}
		while (q < e && !jj_ws_at(q, e))
			q++;
		const char *mb = p, *me = q;
		/* lead: ( < &lt; */
		for (;;) {
			if (mb < me && (*mb == '(' || *mb == '<'))
				mb++;
			else if (me - mb >= 4 && memcmp(mb, "&lt;", 4) == 0)
				mb += 4;
			else
				break;
		}
		for (;;) {
			if (me > mb && (me[-1] == ')' || me[-1] == '>' || me[-1] == '.' || me[-1] == ',' || me[-1] == '\n'))
				me--;
			else if (me - mb >= 4 && memcmp(me - 4, "&gt;", 4) == 0)
				me -= 4;
			else
				break;
		}
		/* balance parentheses by taking back closing ones from the tail */
		{
			int open = 0, close = 0;
			for (const char *r = mb; r < me; r++)
				open += *r == '(', close += *r == ')';
			while (open > close && me < q) {
				const char *r = memchr(me, ')', (size_t)(q - me));
				if (!r)
					break;
				me = r + 1;
				close++;
			}
		}
		sb_add(vm->out, p, (size_t)(mb - p));
		size_t ml = (size_t)(me - mb);
		if (looks_like_url(mb, ml)) {
			bool has_scheme = ci_prefix(mb, ml, "http://") || ci_prefix(mb, ml, "https://");
			sb_adds(vm->out, "<a href=\"");
			if (!has_scheme)
				sb_adds(vm->out, "https://");
			sb_add(vm->out, mb, ml);
			sb_addc(vm->out, '"');
			if (rel.len) {
				sb_adds(vm->out, " rel=\"");
				sb_add(vm->out, rel.s, rel.len);
				sb_addc(vm->out, '"');
			}
			if (target.type == V_STR) {
				sb_adds(vm->out, " target=\"");
				jj_escape_to(vm->out, target.s, target.len);
				sb_addc(vm->out, '"');
			}
			sb_addc(vm->out, '>');
			size_t cl = jj_utf8_len(mb, ml);
			if (trim >= 0 && (int64_t)cl > trim) {
				sb_add(vm->out, mb, jj_utf8_off(mb, ml, (size_t)trim));
				sb_adds(vm->out, "...");
			} else {
				sb_add(vm->out, mb, ml);
			}
			sb_adds(vm->out, "</a>");
		} else if (ci_prefix(mb, ml, "mailto:") && looks_like_email(mb + 7, ml - 7)) {
			sb_adds(vm->out, "<a href=\"");
			sb_add(vm->out, mb, ml);
			sb_adds(vm->out, "\">");
			sb_add(vm->out, mb + 7, ml - 7);
			sb_adds(vm->out, "</a>");
		} else if (memchr(mb, '@', ml) && !ci_prefix(mb, ml, "www.") && *mb != '@' &&
			   !memchr(mb, ':', ml) && looks_like_email(mb, ml)) {
			sb_adds(vm->out, "<a href=\"mailto:");
			sb_add(vm->out, mb, ml);
			sb_adds(vm->out, "\">");
			sb_add(vm->out, mb, ml);
			sb_adds(vm->out, "</a>");
		} else {
			sb_add(vm->out, mb, ml);
		}
		sb_add(vm->out, me, (size_t)(q - me));
		p = q;
	}
	return jj_take(vm, m);
}

F(f_xmlattr)
{
	check(vm, "xmlattr", a, 1, (const char *const[]){"autospace", NULL});
	value d = subject(a);
	bool autospace = val_truthy(arg(a, 0, "autospace", val_bool(true)));
	if (d.type != V_DICT)
		jj_raise(vm, "xmlattr expects a mapping");
	size_t m = jj_mark(vm);
	bool any = false;
	for (uint32_t i = 0; i < d.d->len; i++) {
		value k = soft_str(vm, d.d->e[i].key), v = d.d->e[i].val;
		if (v.type == V_NONE || v.type == V_UNDEF)
			continue;
		for (size_t j = 0; j < k.len; j++)
			if (strchr(" \t\n\r\f\v/>=", k.s[j])) {
				vm->out->len = m;
				size_t mm = jj_mark(vm);
				val_repr_to(vm->out, k);
				value r = jj_take(vm, mm);
				jj_raise(vm, "Invalid character in attribute name: %s", r.s);
			}
		if (any || autospace)
			sb_addc(vm->out, ' ');
		any = true;
		jj_escape_to(vm->out, k.s, k.len);
		sb_adds(vm->out, "=\"");
		value vs = jj_escape(vm, v);
		sb_add(vm->out, vs.s, vs.len);
		sb_addc(vm->out, '"');
	}
	return jj_take(vm, m);
}

F(f_escape)
{
	check(vm, "escape", a, 0, NO_KW);
	return jj_escape(vm, subject(a));
}

F(f_forceescape)
{
	check(vm, "forceescape", a, 0, NO_KW);
	value v = subject(a);
	if (v.type == V_STR)
		v.flags &= (uint8_t)~VF_SAFE;
	return jj_escape(vm, soft_str(vm, v));
}

F(f_safe)
{
	check(vm, "safe", a, 0, NO_KW);
	value s = soft_str(vm, subject(a));
	s.flags |= VF_SAFE;
	return s;
}

/* json.dumps refuses what is not JSON: Undefined, callables, objects */
static void check_json(struct jj_vm *vm, value v, int depth)
{
	if (depth > 500)
		jj_raise(vm, "maximum recursion depth exceeded while encoding a JSON object");
	switch (v.type) {
	case V_LIST:
		for (uint32_t i = 0; i < v.l->len; i++)
			check_json(vm, v.l->items[i], depth + 1);
		return;
	case V_DICT:
		for (uint32_t i = 0; i < v.d->len; i++) {
			value k = v.d->e[i].key;
			if (k.type != V_STR && k.type != V_INT && k.type != V_FLOAT && k.type != V_BOOL &&
			    k.type != V_NONE)
				jj_raise(vm, "keys must be str, int, float, bool or None, not %s", val_type_name(k));
			check_json(vm, v.d->e[i].val, depth + 1);
			if (i)
				(void)jj_compare(vm, v.d->e[i].key, v.d->e[0].key, "<"); /* sort_keys */
		}
		return;
	case V_UNDEF:
	case V_FUNC:
		jj_raise(vm, "Object of type %s is not JSON serializable", val_type_name(v));
	case V_OBJ:
		if (!jj_is_bigint(v))
			jj_raise(vm, "Object of type %s is not JSON serializable", val_type_name(v));
		return;
	default:
		return;
	}
}

F(f_tojson)
{
	check(vm, "tojson", a, 1, (const char *const[]){"indent", NULL});
	value iv = arg(a, 0, "indent", val_none());
	if (iv.type == V_INT && iv.i > 0) {
		/* every item starts a line with at least `indent` spaces */
		value v = subject(a);
		size_t items = v.type == V_LIST ? v.l->len : v.type == V_DICT ? v.d->len : 0;
		jj_need2(vm, (size_t)iv.i, items + 1);
		if (iv.i > INT32_MAX)
			jj_raise(vm, "tojson indent is too large");
	}
	int indent = iv.type == V_INT ? (int)iv.i : 0;
	/* before anything walks it: shared sub-lists can make a small value a huge text */
	jj_need_text(vm, subject(a));
	check_json(vm, subject(a), 0);
	struct sb tmp = SB_INIT;
	if (val_to_json(&tmp, subject(a), indent, VJSON_SORT_KEYS | VJSON_ASCII) < 0) {
		sb_release(&tmp);
		jj_raise(vm, "Object of type %s is not JSON serializable", val_type_name(subject(a)));
	}
	size_t m = jj_mark(vm);
	for (size_t i = 0; i < tmp.len; i++) {
		char c = tmp.buf[i];
		switch (c) {
		case '<': sb_adds(vm->out, "\\u003c"); break;
		case '>': sb_adds(vm->out, "\\u003e"); break;
		case '&': sb_adds(vm->out, "\\u0026"); break;
		case '\'': sb_adds(vm->out, "\\u0027"); break;
		default: sb_addc(vm->out, c);
		}
	}
	sb_release(&tmp);
	value r = jj_take(vm, m);
	r.flags = VF_SAFE;
	return r;
}

/* pprint.pformat: repr with sorted dict keys, broken over lines past 80 columns */
static void pp_repr(struct jj_vm *vm, struct sb *out, value v);

static void pp_repr(struct jj_vm *vm, struct sb *out, value v)
{
	if (v.type == V_DICT) {
		uint32_t n = v.d->len;
		value *keys = arena_alloc(vm->a, (n ? n : 1) * sizeof(value));
		for (uint32_t i = 0; i < n; i++)
			keys[i] = v.d->e[i].key;
		int dummy;
		bool sortable = true;
		for (uint32_t i = 1; i < n; i++)
			if (val_cmp(keys[0], keys[i], &dummy) < 0)
				sortable = false;
		if (sortable)
			jj_sort(vm, keys, n, NULL, false);
		sb_addc(out, '{');
		for (uint32_t i = 0; i < n; i++) {
			if (i)
				sb_adds(out, ", ");
			pp_repr(vm, out, keys[i]);
			sb_adds(out, ": ");
			pp_repr(vm, out, val_dict_get(v, keys[i]));
		}
		sb_addc(out, '}');
		return;
	}
	if (v.type == V_LIST) {
		bool tup = v.flags & VF_TUPLE;
		sb_addc(out, tup ? '(' : '[');
		for (uint32_t i = 0; i < v.l->len; i++) {
			if (i)
				sb_adds(out, ", ");
			pp_repr(vm, out, v.l->items[i]);
		}
		if (tup && v.l->len == 1)
			sb_addc(out, ',');
		sb_addc(out, tup ? ')' : ']');
		return;
	}
	val_repr_to(out, v);
}

static void pp_format(struct jj_vm *vm, struct sb *out, value v, int indent, int allowance)
{
	size_t m = jj_mark(vm);
	pp_repr(vm, vm->out, v);
	value r = jj_take(vm, m);
	if ((int)jj_utf8_len(r.s, r.len) <= 80 - indent - allowance ||
	    (v.type != V_LIST && v.type != V_DICT) || (v.type == V_LIST && v.l->len == 0) ||
	    (v.type == V_DICT && v.d->len == 0)) {
		sb_add(out, r.s, r.len);
		return;
	}
	if (v.type == V_LIST) {
		bool tup = v.flags & VF_TUPLE;
		sb_addc(out, tup ? '(' : '[');
		for (uint32_t i = 0; i < v.l->len; i++) {
			if (i) {
				sb_adds(out, ",\n");
				for (int k = 0; k < indent + 1; k++)
					sb_addc(out, ' ');
			}
			bool last = i + 1 == v.l->len;
			pp_format(vm, out, v.l->items[i], indent + 1, last ? allowance + 1 + (tup && v.l->len == 1) : 1);
		}
		if (tup && v.l->len == 1)
			sb_addc(out, ',');
		sb_addc(out, tup ? ')' : ']');
		return;
	}
	uint32_t n = v.d->len;
	value *keys = arena_alloc(vm->a, n * sizeof(value));
	for (uint32_t i = 0; i < n; i++)
		keys[i] = v.d->e[i].key;
	int dummy;
	bool sortable = true;
	for (uint32_t i = 1; i < n; i++)
		if (val_cmp(keys[0], keys[i], &dummy) < 0)
			sortable = false;
	if (sortable)
		jj_sort(vm, keys, n, NULL, false);
	sb_addc(out, '{');
	for (uint32_t i = 0; i < n; i++) {
		if (i) {
			sb_adds(out, ",\n");
			for (int k = 0; k < indent + 1; k++)
				sb_addc(out, ' ');
		}
		size_t km = out->len;
		pp_repr(vm, out, keys[i]);
		sb_adds(out, ": ");
		int klen = (int)(out->len - km);
		bool last = i + 1 == n;
		pp_format(vm, out, val_dict_get(v, keys[i]), indent + 1 + klen, last ? allowance + 1 : 1);
	}
	sb_addc(out, '}');
}

F(f_pprint)
{
	check(vm, "pprint", a, 0, NO_KW);
	size_t m = jj_mark(vm);
	pp_format(vm, vm->out, subject(a), 0, 0);
	return jj_take(vm, m);
}

F(f_filesizeformat)
{
	check(vm, "filesizeformat", a, 1, (const char *const[]){"binary", NULL});
	value v = subject(a);
	double bytes;
	if (v.type == V_STR) {
		char *end;
		const char *cs = val_cstr(vm->a, v);
		bytes = strtod(cs, &end);
		if (end == cs)
			jj_raise(vm, "could not convert string to float: '%s'", cs);
	} else if (v.type == V_INT || v.type == V_FLOAT || v.type == V_BOOL) {
		bytes = v.type == V_FLOAT ? v.f : v.type == V_INT ? (double)v.i : v.b;
	} else {
		jj_raise(vm, "float() argument must be a string or a real number, not '%s'", val_type_name(v));
	}
	bool binary = val_truthy(arg(a, 0, "binary", val_bool(false)));
	double base = binary ? 1024 : 1000;
	static const char *const dec[] = {"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
	static const char *const bin[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
	if (bytes == 1)
		return val_str("1 Byte");
	if (bytes < base)
		return val_str_fmt(vm->a, "%lld Bytes", (long long)bytes);
	double unit = base;
	int i;
	for (i = 0; i < 8; i++) {
		unit = pow(base, i + 2);
		if (bytes < unit)
			break;
	}
	if (i == 8)
		i = 7;
	return val_str_fmt(vm->a, "%.1f %s", base * bytes / unit, binary ? bin[i] : dec[i]);
}

/* ---------------------------------------------------------------- numbers */

F(f_abs)
{
	check(vm, "abs", a, 0, NO_KW);
	value v = subject(a);
	switch (v.type) {
	case V_INT:
		if (v.i == INT64_MIN)
			jj_raise(vm, "integer overflow in abs()");
		return val_int(v.i < 0 ? -v.i : v.i);
	case V_BOOL:
		return val_int(v.b);
	case V_FLOAT:
		return val_float(fabs(v.f));
	case V_UNDEF:
		jj_raise_undefined(vm, v);
	default:
		if (jj_is_bigint(v))
			return jj_compare(vm, v, val_int(0), "<") < 0 ? jj_bigint_neg(vm, v) : v;
		jj_raise(vm, "bad operand type for abs(): '%s'", val_type_name(v));
	}
}

/* Python int(str, base): optional sign, prefix, underscores between digits, surrounding spaces.
 * A decimal number beyond 64 bits comes back in *pbig. */
static bool parse_int_str(struct jj_vm *vm, value s, int base, int64_t *pout, value *pbig)
{
	const char *p = s.s, *e = s.s + s.len;
	size_t w;
	while ((w = jj_ws_at(p, e)) > 0)
		p += w;
	while ((w = jj_ws_before(p, e)) > 0)
		e -= w;
	bool neg = false;
	if (p < e && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (e - p >= 2 && p[0] == '0') {
		char c = (char)(p[1] | 0x20);
		int pb = c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 0;
		if (pb && (base == 0 || base == pb)) {
			base = pb;
			p += 2;
			if (p < e && *p == '_')
				p++;
		}
	}
	if (base == 0) {
		base = 10;
		if (e - p > 1 && p[0] == '0') {
			for (const char *q = p; q < e; q++)
				if (*q != '0' && *q != '_')
					return false;
		}
	}
	if (p >= e)
		return false;
	uint64_t v = 0;
	bool last_us = true, big = false;
	const char *digits = p;
	for (; p < e; p++) {
		if (*p == '_') {
			if (last_us)
				return false;
			last_us = true;
			continue;
		}
		char c = (char)(*p | 0x20);
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : 99;
		if (d >= base)
			return false;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			big = true;
		v = v * (uint64_t)base + (uint64_t)d;
		last_us = false;
	}
	if (last_us)
		return false;
	if (big || v > (uint64_t)INT64_MAX + (neg ? 1 : 0)) {
		if (base != 10)
			return false;
		*pbig = jj_bigint_from_dec(vm->a, digits, (size_t)(e - digits), neg);
		return true;
	}
	*pout = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

static bool parse_float_str(struct jj_vm *vm, value s, double *pout)
{
	const char *cs = val_cstr(vm->a, s);
	const char *p = cs;
	size_t w;
	while ((w = jj_ws_at(p, p + strlen(p))) > 0)
		p += w;
	if (!*p)
		return false;
	/* Python accepts digits with single underscores; strtod does not */
	char *clean = arena_alloc(vm->a, strlen(p) + 1);
	size_t k = 0;
	for (const char *q = p; *q; q++) {
		if (*q == '_') {
			if (q == p || !q[1] || !(q[-1] >= '0' && q[-1] <= '9') || !(q[1] >= '0' && q[1] <= '9'))
				return false;
			continue;
		}
		clean[k++] = *q;
	}
	clean[k] = '\0';
	char *end;
	double d = strtod(clean, &end);
	if (end == clean)
		return false;
	while ((w = jj_ws_at(end, end + strlen(end))) > 0)
		end += w;
	if (*end)
		return false;
	/* strtod accepts hex floats and "infinity"/"nan(...)" forms Python rejects */
	for (const char *q = clean; q < end; q++)
		if (*q == 'x' || *q == 'X' || *q == '(')
			return false;
	*pout = d;
	return true;
}

F(f_int)
{
	check(vm, "int", a, 2, (const char *const[]){"default", "base", NULL});
	value v = subject(a);
	value dflt = arg(a, 0, "default", val_int(0));
	int64_t base = jj_want_int(vm, arg(a, 1, "base", val_int(10)), NULL);
	if (v.type == V_UNDEF)
		jj_raise_undefined(vm, v); /* int(Undefined) fails in Jinja2 */
	switch (v.type) {
	case V_INT:
		return v;
	case V_BOOL:
		return val_int(v.b);
	case V_FLOAT:
		if (!isfinite(v.f) || fabs(v.f) >= 9.2e18)
			return dflt;
		return val_int((int64_t)v.f);
	case V_STR: {
		int64_t r = 0;
		value big = val_undef();
		if (parse_int_str(vm, v, (int)base, &r, &big))
			return big.type != V_UNDEF ? big : val_int(r);
		double d;
		if (parse_float_str(vm, v, &d) && isfinite(d) && fabs(d) < 9.2e18)
			return val_int((int64_t)d);
		return dflt;
	}
	default:
		return jj_is_bigint(v) ? v : dflt;
	}
}

F(f_float)
{
	check(vm, "float", a, 1, (const char *const[]){"default", NULL});
	value v = subject(a);
	value dflt = arg(a, 0, "default", val_float(0.0));
	if (v.type == V_UNDEF)
		jj_raise_undefined(vm, v);
	switch (v.type) {
	case V_FLOAT:
		return v;
	case V_INT:
		return val_float((double)v.i);
	case V_BOOL:
		return val_float(v.b);
	case V_STR: {
		double d;
		if (parse_float_str(vm, v, &d))
			return val_float(d);
		return dflt;
	}
	default:
		return jj_is_bigint(v) ? val_float(jj_bigint_to_double(v)) : dflt;
	}
}

/* round half to even at `digits` decimals, on the exact decimal value (as CPython's round) */
static double py_round(double x, int64_t digits)
{
	if (!isfinite(x))
		return x;
	if (digits > 300)
		return x;
	if (digits >= 0) {
		char buf[400];
		snprintf(buf, sizeof(buf), "%.*f", (int)digits, x);
		return strtod(buf, NULL);
	}
	if (digits < -308)
		return 0.0 * x;
	double p = pow(10.0, (double)-digits);
	double y = x / p;
	double r = nearbyint(y);
	return r * p;
}

F(f_round)
{
	check(vm, "round", a, 2, (const char *const[]){"precision", "method", NULL});
	value v = subject(a);
	int64_t prec = jj_want_int(vm, arg(a, 0, "precision", val_int(0)), NULL);
	value method = arg(a, 1, "method", val_strn("common", 6));
	if (!val_streq(method, "common") && !val_streq(method, "ceil") && !val_streq(method, "floor"))
		jj_raise(vm, "method must be common, ceil or floor");
	if (v.type == V_UNDEF)
		jj_raise_undefined(vm, v);
	if (jj_is_bigint(v))
		return val_streq(method, "common") ? v : val_float(jj_bigint_to_double(v));
	if (v.type != V_INT && v.type != V_FLOAT && v.type != V_BOOL)
		jj_raise(vm, "type %s doesn't define __round__ method", val_type_name(v));
	double x = v.type == V_FLOAT ? v.f : v.type == V_INT ? (double)v.i : v.b;
	if (val_streq(method, "common")) {
		if (v.type != V_FLOAT) {
			int64_t i = v.type == V_INT ? v.i : v.b;
			if (prec >= 0)
				return val_int(i);
			return val_int((int64_t)py_round((double)i, prec));
		}
		return val_float(py_round(x, prec));
	}
	double p = pow(10.0, (double)prec);
	double r = val_streq(method, "ceil") ? ceil(x * p) : floor(x * p);
	return val_float(r / p);
}

void jj_register_filters(struct jj_env *env)
{
	static const struct {
		const char *name;
		vfunc_fn fn;
	} filters[] = {
		{"abs", f_abs},
		{"capitalize", f_capitalize},
		{"center", f_center},
		{"e", f_escape},
		{"escape", f_escape},
		{"filesizeformat", f_filesizeformat},
		{"float", f_float},
		{"forceescape", f_forceescape},
		{"format", f_format},
		{"indent", f_indent},
		{"int", f_int},
		{"lower", f_lower},
		{"pprint", f_pprint},
		{"replace", f_replace},
		{"round", f_round},
		{"safe", f_safe},
		{"string", f_string},
		{"striptags", f_striptags},
		{"title", f_title},
		{"trim", f_trim},
		{"truncate", f_truncate},
		{"upper", f_upper},
		{"urlencode", f_urlencode},
		{"urlize", f_urlize},
		{"wordcount", f_wordcount},
		{"wordwrap", f_wordwrap},
		{"xmlattr", f_xmlattr},
		{"tojson", f_tojson},
	};
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		jj_env_add_filter(env, filters[i].name, filters[i].fn, NULL);
	jj_register_seq_filters(env);
}
