/*
 * Python string formatting, as templates use it: printf-style `"%s-%05.2f" % (a, b)` (also the
 * `format` filter) and `"{0:>8}".format(x)` with the format-spec mini-language (fill, align, sign,
 * '#', '0', width, ',' / '_' grouping, precision, type).
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sb.h"
#include "jinja/internal.h"

struct fspec {
	const char *fill;  /* one UTF-8 character */
	size_t filllen;
	char align;        /* '<' '>' '^' '=' or 0 */
	char sign;         /* '+' '-' ' ' or 0 */
	bool alt;
	bool zero;
	int64_t width;     /* -1: none */
	char group;        /* ',' '_' or 0 */
	int64_t prec;      /* -1: none */
	char type;         /* 0: none */
};

static void spec_init(struct fspec *s)
{
	memset(s, 0, sizeof(*s));
	s->fill = " ";
	s->filllen = 1;
	s->width = -1;
	s->prec = -1;
}

/* n copies of the fill character (fl bytes of UTF-8), grown once: widths may be in the millions */
static void add_fill(struct sb *out, const char *fill, size_t fl, size_t n)
{
	if (!n)
		return;
	sb_grow(out, n * fl);
	if (fl == 1) {
		memset(out->buf + out->len, fill[0], n);
		sb_setlen(out, out->len + n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		sb_add(out, fill, fl);
}

/* pads out[start..] to the spec's width; `numeric` puts '=' padding after the sign */
static void pad_field(struct sb *out, size_t start, const struct fspec *s, bool numeric, size_t signlen)
{
	size_t len = jj_utf8_len(out->buf + start, out->len - start);
	if (s->width < 0 || (int64_t)len >= s->width)
		return;
	size_t padn = (size_t)s->width - len;
	char align = s->align ? s->align : numeric ? '>' : '<';
	const char *fill = s->fill;
	size_t fl = s->filllen;
	if (!s->align && s->zero && numeric) {
		align = '=';
		fill = "0";
		fl = 1;
	}
	size_t left = align == '<' ? 0 : align == '^' ? padn / 2 : padn;
	size_t right = padn - left;
	size_t at = align == '=' ? start + signlen : start;
	size_t tail = out->len - at;
	char *tmp = xmalloc(tail + 1);
	memcpy(tmp, out->buf + at, tail);
	out->len = at;
	add_fill(out, fill, fl, left);
	sb_add(out, tmp, tail);
	free(tmp);
	add_fill(out, fill, fl, right);
}

/* digits of |v| in a base, with optional grouping */
static void put_digits(struct sb *out, uint64_t u, int base, bool upper, char group)
{
	char buf[80];
	int n = 0, k = 0;
	int every = base == 10 ? 3 : 4;
	do {
		if (group && k && k % every == 0)
			buf[n++] = group;
		int d = (int)(u % (unsigned)base);
		buf[n++] = (char)(d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10);
		u /= (unsigned)base;
		k++;
	} while (u);
	while (n)
		sb_addc(out, buf[--n]);
}

static void put_sign(struct sb *out, bool neg, char sign)
{
	if (neg)
		sb_addc(out, '-');
	else if (sign == '+')
		sb_addc(out, '+');
	else if (sign == ' ')
		sb_addc(out, ' ');
}

static void fmt_int(struct jj_vm *vm, struct sb *out, int64_t v, const struct fspec *s)
{
	size_t start = out->len;
	char t = s->type ? s->type : 'd';
	if (t == 'c') {
		if (v < 0 || v > 0x10FFFF)
			jj_raise(vm, "%%c arg not in range(0x110000)");
		jj_utf8_put(out, (unsigned)v);
		pad_field(out, start, s, false, 0);
		return;
	}
	bool neg = v < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	put_sign(out, neg, s->sign);
	size_t signlen = out->len - start;
	int base = 10;
	switch (t) {
	case 'x': case 'X': base = 16; break;
	case 'o': base = 8; break;
	case 'b': base = 2; break;
	default: break;
	}
	if (s->alt && base != 10) {
		sb_addc(out, '0');
		sb_addc(out, t == 'X' ? 'X' : t == 'x' ? 'x' : t == 'o' ? 'o' : 'b');
		signlen += 2;
	}
	put_digits(out, u, base, t == 'X', s->group);
	pad_field(out, start, s, true, signlen);
}

static void group_fixed(struct sb *out, size_t numstart, char group)
{
	/* insert separators in the integer part of out[numstart..] */
	size_t e = numstart;
	while (e < out->len && out->buf[e] >= '0' && out->buf[e] <= '9')
		e++;
	size_t nd = e - numstart;
	if (nd <= 3)
		return;
	size_t tail = out->len - numstart;
	char *tmp = xmalloc(tail + 1);
	memcpy(tmp, out->buf + numstart, tail);
	out->len = numstart;
	for (size_t i = 0; i < nd; i++) {
		if (i && (nd - i) % 3 == 0)
			sb_addc(out, group);
		sb_addc(out, tmp[i]);
	}
	sb_add(out, tmp + nd, tail - nd);
	free(tmp);
}

static void fmt_float(struct jj_vm *vm, struct sb *out, double v, const struct fspec *s)
{
	size_t start = out->len;
	char t = s->type;
	bool neg = signbit(v) && !isnan(v);
	double a = fabs(v);
	put_sign(out, neg, s->sign);
	size_t signlen = out->len - start;
	size_t numstart = out->len;
	if (isinf(a) || isnan(a)) {
		bool up = t == 'E' || t == 'F' || t == 'G';
		sb_adds(out, isnan(a) ? (up ? "NAN" : "nan") : (up ? "INF" : "inf"));
		if (t == '%')
			sb_addc(out, '%');
		pad_field(out, start, s, true, signlen);
		return;
	}
	char buf[400];
	int prec = s->prec < 0 ? 6 : (int)(s->prec > 300 ? 300 : s->prec);
	switch (t) {
	case 'f': case 'F':
		snprintf(buf, sizeof(buf), s->alt ? "%#.*f" : "%.*f", prec, a);
		sb_adds(out, buf);
		break;
	case '%':
		snprintf(buf, sizeof(buf), s->alt ? "%#.*f" : "%.*f", prec, a * 100);
		sb_adds(out, buf);
		break;
	case 'e': case 'E':
		snprintf(buf, sizeof(buf), t == 'e' ? (s->alt ? "%#.*e" : "%.*e") : (s->alt ? "%#.*E" : "%.*E"),
			 prec, a);
		sb_adds(out, buf);
		break;
	case 'g': case 'G': case 'n':
		snprintf(buf, sizeof(buf), t == 'G' ? (s->alt ? "%#.*G" : "%.*G") : (s->alt ? "%#.*g" : "%.*g"),
			 prec == 0 ? 1 : prec, a);
		sb_adds(out, buf);
		break;
	default:
		if (s->prec < 0) {
			val_float_repr(out, a);
		} else {
			snprintf(buf, sizeof(buf), "%.*g", prec == 0 ? 1 : prec, a);
			sb_adds(out, buf);
			if (!strpbrk(buf, ".e"))
				sb_adds(out, ".0");
		}
		break;
	}
	if (s->group)
		group_fixed(out, numstart, s->group);
	if (t == '%')
		sb_addc(out, '%');
	(void)vm;
	pad_field(out, start, s, true, signlen);
}

static void fmt_str(struct sb *out, value v, const struct fspec *s)
{
	size_t start = out->len;
	if (s->prec >= 0) {
		size_t off = jj_utf8_off(v.s, v.len, (size_t)s->prec);
		sb_add(out, v.s, off);
	} else {
		sb_add(out, v.s, v.len);
	}
	pad_field(out, start, s, false, 0);
}

/* ---------------------------------------------------------------- printf style */

static value percent_one(struct jj_vm *vm, char conv, value arg, struct fspec *s)
{
	struct sb *out = vm->out;
	switch (conv) {
	case 's':
	case 'r':
	case 'a': {
		size_t m = jj_mark(vm);
		if (conv == 's')
			jj_emit(vm, arg, false);
		else
			val_repr_to(out, arg);
		value str = jj_take(vm, m);
		fmt_str(out, str, s);
		return val_none();
	}
	case 'd': case 'i': case 'u':
		if (arg.type == V_FLOAT) {
			if (!isfinite(arg.f))
				jj_raise(vm, "cannot convert float %s to integer", isnan(arg.f) ? "NaN" : "infinity");
			arg = val_int((int64_t)arg.f);
		}
		if (arg.type != V_INT && arg.type != V_BOOL)
			jj_raise(vm, "%%%c format: a real number is required, not %s", conv, val_type_name(arg));
		s->type = 'd';
		fmt_int(vm, out, arg.type == V_BOOL ? arg.b : arg.i, s);
		return val_none();
	case 'x': case 'X': case 'o':
		if (arg.type != V_INT && arg.type != V_BOOL)
			jj_raise(vm, "%%%c format: an integer is required, not %s", conv, val_type_name(arg));
		s->type = conv;
		fmt_int(vm, out, arg.type == V_BOOL ? arg.b : arg.i, s);
		return val_none();
	case 'c':
		if (arg.type == V_STR) {
			if (jj_utf8_len(arg.s, arg.len) != 1)
				jj_raise(vm, "%%c requires int or char");
			fmt_str(out, arg, s);
			return val_none();
		}
		if (arg.type != V_INT)
			jj_raise(vm, "%%c requires int or char");
		s->type = 'c';
		fmt_int(vm, out, arg.i, s);
		return val_none();
	case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': {
		double d;
		if (arg.type == V_FLOAT)
			d = arg.f;
		else if (arg.type == V_INT)
			d = (double)arg.i;
		else if (arg.type == V_BOOL)
			d = arg.b;
		else
			jj_raise(vm, "must be real number, not %s", val_type_name(arg));
		s->type = conv;
		fmt_float(vm, out, d, s);
		return val_none();
	}
	default:
		jj_raise(vm, "unsupported format character '%c' (0x%x)", conv, (unsigned char)conv);
	}
}

value jj_percent_format(struct jj_vm *vm, value fmt, value args)
{
	value *items = &args;
	size_t nitems = 1;
	bool tuple = args.type == V_LIST && (args.flags & VF_TUPLE);
	if (tuple) {
		items = args.l->items;
		nitems = args.l->len;
	}
	bool mapping = args.type == V_DICT;
	size_t next = 0;
	size_t m = jj_mark(vm);
	const char *p = fmt.s, *end = fmt.s + fmt.len;
	while (p < end) {
		const char *q = memchr(p, '%', (size_t)(end - p));
		if (!q) {
			sb_add(vm->out, p, (size_t)(end - p));
			break;
		}
		sb_add(vm->out, p, (size_t)(q - p));
		p = q + 1;
		if (p >= end)
			jj_raise(vm, "incomplete format");
		value arg = val_undef();
		bool have_arg = false;
		if (*p == '(') {
			if (!mapping)
				jj_raise(vm, "format requires a mapping");
			const char *k = ++p;
			int depth = 1;
			while (p < end && depth) {
				if (*p == '(')
					depth++;
				else if (*p == ')')
					depth--;
				p++;
			}
			if (depth)
				jj_raise(vm, "incomplete format key");
			value key = val_strn(k, (size_t)(p - 1 - k));
			long i = val_dict_find(args, key);
			if (i < 0)
				jj_raise(vm, "KeyError: '%.*s'", (int)key.len, key.s);
			arg = args.d->e[i].val;
			have_arg = true;
		}
		struct fspec s;
		spec_init(&s);
		s.align = '>';
		for (; p < end; p++) {
			if (*p == '-')
				s.align = '<';
			else if (*p == '+')
				s.sign = '+';
			else if (*p == ' ')
				s.sign = s.sign ? s.sign : ' ';
			else if (*p == '#')
				s.alt = true;
			else if (*p == '0')
				s.zero = true;
			else
				break;
		}
		if (p < end && *p == '*') {
			if (next >= nitems)
				jj_raise(vm, "not enough arguments for format string");
			s.width = jj_want_int(vm, items[next++], NULL);
			p++;
		} else if (p < end && *p >= '0' && *p <= '9') {
			s.width = 0;
			while (p < end && *p >= '0' && *p <= '9') {
				if (s.width > (INT64_MAX - 9) / 10)
					jj_raise(vm, "width too big");
				s.width = s.width * 10 + (*p++ - '0');
			}
		}
		if (p < end && *p == '.') {
			p++;
			s.prec = 0;
			if (p < end && *p == '*') {
				if (next >= nitems)
					jj_raise(vm, "not enough arguments for format string");
				s.prec = jj_want_int(vm, items[next++], NULL);
				p++;
			} else {
				while (p < end && *p >= '0' && *p <= '9') {
					if (s.prec > (INT64_MAX - 9) / 10)
						jj_raise(vm, "precision too big");
					s.prec = s.prec * 10 + (*p++ - '0');
				}
			}
		}
		while (p < end && (*p == 'h' || *p == 'l' || *p == 'L'))
			p++;
		if (p >= end)
			jj_raise(vm, "incomplete format");
		char conv = *p++;
		if (conv == '%') {
			sb_addc(vm->out, '%');
			continue;
		}
		if (!have_arg) {
			if (mapping) {
				arg = args;
			} else {
				if (next >= nitems)
					jj_raise(vm, "not enough arguments for format string");
				arg = items[next++];
			}
		}
		if (s.align == '>' && s.zero && conv != 's' && conv != 'r' && conv != 'a' && conv != 'c')
			s.align = 0;
		if (s.width > 0)
			jj_need2(vm, (size_t)s.width, s.filllen ? s.filllen : 1);
		percent_one(vm, conv, arg, &s);
	}
	if (!mapping && next < nitems)
		jj_raise(vm, "not all arguments converted during string formatting");
	return jj_take(vm, m);
}

/* ---------------------------------------------------------------- str.format */

static void parse_spec(struct jj_vm *vm, const char *p, const char *end, struct fspec *s)
{
	spec_init(s);
	if (p >= end)
		return;
	/* [[fill]align] */
	unsigned cp;
	size_t l = jj_utf8_dec((const unsigned char *)p, (size_t)(end - p), &cp);
	if (p + l < end && strchr("<>=^", p[l])) {
		s->fill = p;
		s->filllen = l;
		s->align = p[l];
		p += l + 1;
	} else if (strchr("<>=^", *p)) {
		s->align = *p++;
	}
	if (p < end && (*p == '+' || *p == '-' || *p == ' '))
		s->sign = *p++;
	if (p < end && *p == 'z')
		p++;
	if (p < end && *p == '#') {
		s->alt = true;
		p++;
	}
	if (p < end && *p == '0') {
		s->zero = true;
		p++;
	}
	if (p < end && *p >= '0' && *p <= '9') {
		s->width = 0;
		while (p < end && *p >= '0' && *p <= '9') {
			if (s->width > (INT64_MAX - 9) / 10)
				jj_raise(vm, "Too many decimal digits in format string");
			s->width = s->width * 10 + (*p++ - '0');
		}
	}
	if (p < end && (*p == ',' || *p == '_'))
		s->group = *p++;
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			jj_raise(vm, "Format specifier missing precision");
		s->prec = 0;
		while (p < end && *p >= '0' && *p <= '9') {
			if (s->prec > (INT64_MAX - 9) / 10)
				jj_raise(vm, "Too many decimal digits in format string");
			s->prec = s->prec * 10 + (*p++ - '0');
		}
	}
	if (p < end)
		s->type = *p++;
	if (p < end)
		jj_raise(vm, "Invalid format specifier");
	if (s->width > 0)
		jj_need2(vm, (size_t)s->width, s->filllen ? s->filllen : 1);
}

static void format_value(struct jj_vm *vm, value v, const char *sp, const char *se)
{
	struct fspec s;
	parse_spec(vm, sp, se, &s);
	struct sb *out = vm->out;
	if (v.type == V_BOOL && (sp == se || !s.type))
		v = sp == se ? v : val_int(v.b);
	switch (v.type) {
	case V_INT:
	case V_BOOL:
		if (s.type && strchr("eEfFgG%", s.type)) {
			fmt_float(vm, out, v.type == V_INT ? (double)v.i : v.b, &s);
			return;
		}
		if (s.type && !strchr("dnxXobc", s.type))
			jj_raise(vm, "Unknown format code '%c' for object of type 'int'", s.type);
		if (s.prec >= 0)
			jj_raise(vm, "Precision not allowed in integer format specifier");
		if (v.type == V_BOOL && sp == se) {
			sb_adds(out, v.b ? "True" : "False");
			return;
		}
		fmt_int(vm, out, v.type == V_INT ? v.i : v.b, &s);
		return;
	case V_FLOAT:
		if (s.type && !strchr("eEfFgGn%", s.type))
			jj_raise(vm, "Unknown format code '%c' for object of type 'float'", s.type);
		fmt_float(vm, out, v.f, &s);
		return;
	default: {
		if (s.type && s.type != 's')
			jj_raise(vm, "Unknown format code '%c' for object of type '%s'", s.type, val_type_name(v));
		if (s.sign)
			jj_raise(vm, "Sign not allowed in string format specifier");
		if (v.type != V_STR && sp == se) {
			val_str_to(out, v);
			return;
		}
		fmt_str(out, jj_str(vm, v), &s);
	}
	}
}

value jj_str_format(struct jj_vm *vm, value fmt, const struct vargs *args)
{
	size_t m = jj_mark(vm);
	const char *p = fmt.s, *end = fmt.s + fmt.len;
	int auto_idx = 0; /* 0 unknown, 1 automatic, 2 manual */
	size_t next = 0;
	while (p < end) {
		char c = *p;
		if (c == '}') {
			if (p + 1 < end && p[1] == '}') {
				sb_addc(vm->out, '}');
				p += 2;
				continue;
			}
			jj_raise(vm, "Single '}' encountered in format string");
		}
		if (c != '{') {
			const char *q = p;
			while (q < end && *q != '{' && *q != '}')
				q++;
			sb_add(vm->out, p, (size_t)(q - p));
			p = q;
			continue;
		}
		if (p + 1 < end && p[1] == '{') {
			sb_addc(vm->out, '{');
			p += 2;
			continue;
		}
		/* replacement field: {name[.attr|[key]]...[!conv][:spec]} */
		const char *f = ++p;
		int depth = 1;
		while (p < end && depth) {
			if (*p == '{')
				depth++;
			else if (*p == '}')
				depth--;
			if (depth)
				p++;
		}
		if (p >= end)
			jj_raise(vm, "expected '}' before end of string");
		const char *fe = p++;
		const char *colon = NULL, *bang = NULL;
		int brackets = 0;
		for (const char *q = f; q < fe; q++) {
			if (*q == '[')
				brackets++;
			else if (*q == ']')
				brackets--;
			else if (!brackets && *q == '!' && !bang && !colon)
				bang = q;
			else if (!brackets && *q == ':' && !colon) {
				colon = q;
				break;
			}
		}
		const char *ne = bang ? bang : colon ? colon : fe;
		/* the first part of the name */
		const char *q = f;
		while (q < ne && *q != '.' && *q != '[')
			q++;
		value v;
		if (q == f) {
			if (auto_idx == 2)
				jj_raise(vm, "cannot switch from manual field specification to automatic field "
					     "numbering");
			auto_idx = 1;
			if (next >= args->npos)
				jj_raise(vm, "Replacement index %zu out of range for positional args tuple", next);
			v = args->pos[next++];
		} else if (*f >= '0' && *f <= '9') {
			if (auto_idx == 1)
				jj_raise(vm, "cannot switch from automatic field numbering to manual field "
					     "specification");
			auto_idx = 2;
			size_t idx = (size_t)strtoul(f, NULL, 10);
			if (idx >= args->npos)
				jj_raise(vm, "Replacement index %zu out of range for positional args tuple", idx);
			v = args->pos[idx];
		} else {
			size_t kn = (size_t)(q - f);
			bool found = false;
			for (size_t i = 0; i < args->nkw; i++) {
				if (strlen(args->kwnames[i]) == kn && memcmp(args->kwnames[i], f, kn) == 0) {
					v = args->kw[i];
					found = true;
					break;
				}
			}
			if (!found)
				jj_raise(vm, "KeyError: '%.*s'", (int)kn, f);
		}
		while (q < ne) {
			if (*q == '.') {
				const char *a = ++q;
				while (q < ne && *q != '.' && *q != '[')
					q++;
				v = jj_getattr(vm, v, a, (size_t)(q - a));
				if (v.type == V_UNDEF)
					jj_raise_undefined(vm, v);
			} else if (*q == '[') {
				const char *a = ++q;
				while (q < ne && *q != ']')
					q++;
				value key = val_strn(a, (size_t)(q - a));
				bool digits = q > a;
				for (const char *d = a; d < q; d++)
					digits = digits && *d >= '0' && *d <= '9';
				if (digits)
					key = val_int(strtoll(a, NULL, 10));
				v = jj_getitem(vm, v, key);
				if (v.type == V_UNDEF)
					jj_raise_undefined(vm, v);
				q++;
			} else {
				break;
			}
		}
		if (bang) {
			char conv = bang + 1 < fe ? bang[1] : 0;
			size_t mm = jj_mark(vm);
			if (conv == 'r' || conv == 'a')
				val_repr_to(vm->out, v);
			else if (conv == 's')
				val_str_to(vm->out, v);
			else
				jj_raise(vm, "Unknown conversion specifier %c", conv ? conv : '?');
			v = jj_take(vm, mm);
		}
		const char *sp = colon ? colon + 1 : fe;
		/* nested fields in the spec ({:{w}}) */
		if (memchr(sp, '{', (size_t)(fe - sp))) {
			size_t mm = jj_mark(vm);
			value spec = jj_str_format(vm, val_strn(sp, (size_t)(fe - sp)), args);
			(void)mm;
			format_value(vm, v, spec.s, spec.s + spec.len);
		} else {
			format_value(vm, v, sp, fe);
		}
	}
	return jj_take(vm, m);
}
