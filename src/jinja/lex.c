/*
 * Jinja lexer (see lex.h). Two states, as in Jinja2: outside tags the lexer looks for the next `{{`,
 * `{%` or `{#` (raw blocks and comments are consumed here entirely); inside a tag it produces names,
 * numbers, strings and operators until the closing delimiter. A closing delimiter only counts when
 * every bracket opened inside the tag is closed again, so `{{ {'a': {'b': 1}} }}` works.
 */
#include "jinja/lex.h"

#include <stdlib.h>
#include <string.h>

#include "core/sb.h"
#include "jinja/internal.h"

enum { ST_DATA, ST_VAR, ST_BLOCK };

static const char *const tok_names[T_COUNT_] = {
	[T_EOF] = "end of template",
	[T_DATA] = "template data / text",
	[T_VAR_BEGIN] = "begin of print statement",
	[T_VAR_END] = "end of print statement",
	[T_BLOCK_BEGIN] = "begin of statement block",
	[T_BLOCK_END] = "end of statement block",
	[T_NAME] = "name",
	[T_STRING] = "string",
	[T_INT] = "integer",
	[T_FLOAT] = "float",
	[T_ADD] = "+",
	[T_SUB] = "-",
	[T_DIV] = "/",
	[T_FLOORDIV] = "//",
	[T_MUL] = "*",
	[T_MOD] = "%",
	[T_POW] = "**",
	[T_TILDE] = "~",
	[T_LBRACKET] = "[",
	[T_RBRACKET] = "]",
	[T_LPAREN] = "(",
	[T_RPAREN] = ")",
	[T_LBRACE] = "{",
	[T_RBRACE] = "}",
	[T_EQ] = "==",
	[T_NE] = "!=",
	[T_GT] = ">",
	[T_GTEQ] = ">=",
	[T_LT] = "<",
	[T_LTEQ] = "<=",
	[T_ASSIGN] = "=",
	[T_DOT] = ".",
	[T_COLON] = ":",
	[T_PIPE] = "|",
	[T_COMMA] = ",",
	[T_SEMICOLON] = ";",
};

const char *jj_tok_describe(int type)
{
	return type >= 0 && type < T_COUNT_ && tok_names[type] ? tok_names[type] : "?";
}

/*
 * Whitespace as Python's regex `\s` and str.rstrip() see it (Jinja2 strips with both): ASCII
 * \t\n\v\f\r, space and \x1c-\x1f, plus U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029,
 * U+202F, U+205F and U+3000 in UTF-8. Returns the length in bytes of the whitespace character that
 * starts at s[p] (before `len`), or 0.
 */
static size_t ws_len(const char *s, size_t p, size_t len)
{
	unsigned char c = (unsigned char)s[p];
	if (c < 0x80)
		return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
	unsigned cp;
	size_t n = jj_utf8_dec((const unsigned char *)s + p, len - p, &cp);
	return n > 1 && jj_cp_isspace(cp) ? n : 0;
}

/* The length of the whitespace character that ends just before s[e] (not before b), or 0 */
static size_t ws_len_back(const char *s, size_t b, size_t e)
{
	if (e <= b)
		return 0;
	if ((unsigned char)s[e - 1] < 0x80)
		return ws_len(s, e - 1, e);
	for (size_t n = 2; n <= 3 && n <= e - b; n++)
		if (((unsigned char)s[e - n] & 0xC0) != 0x80)
			return ws_len(s, e - n, e) == n ? n : 0;
	return 0;
}

/* s[b, e) without its trailing whitespace: the new end */
static size_t rstrip_ws(const char *s, size_t b, size_t e)
{
	size_t n;
	while ((n = ws_len_back(s, b, e)) > 0)
		e -= n;
	return e;
}

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (unsigned char)c >= 0x80;
}

static inline bool is_name_char(char c)
{
	return is_name_start(c) || is_digit(c);
}

_Noreturn static void lex_fail(struct jj_lexer *lx, size_t off, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void lex_fail(struct jj_lexer *lx, size_t off, size_t len, const char *fmt, ...)
{
	va_list ap;
	struct sb s = SB_INIT;
	va_start(ap, fmt);
	sb_vaddf(&s, fmt, ap);
	va_end(ap);
	struct loc l = {lx->file, (uint32_t)off, (uint32_t)len};
	diag_error(lx->dl, l, "%s", s.buf);
	sb_release(&s);
	longjmp(*lx->err, 1);
}

void jj_lex_init(struct jj_lexer *lx, const char *src, size_t len, uint32_t file, struct arena *a,
		 struct diag_list *dl, jmp_buf *err)
{
	memset(lx, 0, sizeof(*lx));
	/* keep_trailing_newline=False: one trailing newline goes */
	if (len >= 2 && src[len - 2] == '\r' && src[len - 1] == '\n')
		len -= 2;
	else if (len >= 1 && (src[len - 1] == '\n' || src[len - 1] == '\r'))
		len -= 1;
	lx->src = src;
	lx->len = len;
	lx->file = file;
	lx->a = a;
	lx->dl = dl;
	lx->err = err;
}

/* text [b, e) with "\r\n" and "\r" turned into "\n" (copied only when needed) */
static void set_text(struct jj_lexer *lx, struct jj_token *t, size_t b, size_t e)
{
	const char *p = lx->src + b;
	size_t n = e - b;
	if (!memchr(p, '\r', n)) {
		t->s = p;
		t->n = (uint32_t)n;
		return;
	}
	char *q = arena_alloc(lx->a, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r') {
			q[k++] = '\n';
			if (i + 1 < n && p[i + 1] == '\n')
				i++;
		} else {
			q[k++] = p[i];
		}
	}
	q[k] = '\0';
	t->s = q;
	t->n = (uint32_t)k;
}

static void make_data(struct jj_lexer *lx, struct jj_token *t, size_t b, size_t e)
{
	memset(t, 0, sizeof(*t));
	t->type = T_DATA;
	t->off = (uint32_t)b;
	t->len = (uint32_t)(e - b);
	set_text(lx, t, b, e);
}

static inline bool starts(const struct jj_lexer *lx, size_t p, const char *s)
{
	size_t n = __builtin_strlen(s);
	return p + n <= lx->len && __builtin_memcmp(lx->src + p, s, n) == 0;
}

static size_t skip_ws(const struct jj_lexer *lx, size_t p)
{
	size_t n;
	while (p < lx->len && (n = ws_len(lx->src, p, lx->len)) > 0)
		p += n;
	return p;
}

/*
 * At p (after "{%" and its optional sign and spaces): is it `name` followed by spaces and the end of
 * the tag ("+%}" only when allow_plus)? Returns the position after the tag (and after trailing
 * whitespace for "-%}") or 0; *pstrip tells whether the tag ended with "-%}".
 */
static size_t match_tag_end_name(const struct jj_lexer *lx, size_t p, const char *name, bool allow_plus,
				 bool *pstrip)
{
	size_t n = strlen(name);
	if (!starts(lx, p, name))
		return 0;
	p = skip_ws(lx, p + n);
	if (starts(lx, p, "-%}")) {
		*pstrip = true;
		return skip_ws(lx, p + 3);
	}
	*pstrip = false;
	if (allow_plus && starts(lx, p, "+%}"))
		return p + 3;
	if (starts(lx, p, "%}"))
		return p + 2;
	return 0;
}

/*
 * Finds the first `{%[-+]? endname [-+]?%}` from p. Returns its start, sets *pafter past it and
 * *prstrip when it opened with "{%-". Returns (size_t)-1 when absent.
 */
static size_t find_end_tag(const struct jj_lexer *lx, size_t p, const char *endname, size_t *pafter,
			   bool *prstrip)
{
	for (;;) {
		const char *q = p < lx->len ? memchr(lx->src + p, '{', lx->len - p) : NULL;
		if (!q)
			return (size_t)-1;
		size_t at = (size_t)(q - lx->src);
		if (at + 1 < lx->len && lx->src[at + 1] == '%') {
			size_t r = at + 2;
			bool rs = false;
			if (r < lx->len && (lx->src[r] == '-' || lx->src[r] == '+')) {
				rs = lx->src[r] == '-';
				r++;
			}
			r = skip_ws(lx, r);
			bool strip;
			size_t after = match_tag_end_name(lx, r, endname, true, &strip);
			if (after) {
				*pafter = after;
				*prstrip = rs;
				return at;
			}
		}
		p = at + 1;
	}
}

void jj_lex_raw_until(struct jj_lexer *lx, const char *endname, const char **ps, uint32_t *pn,
		      const char *msg)
{
	size_t after;
	bool rstrip;
	size_t b = lx->pos;
	size_t at = find_end_tag(lx, b, endname, &after, &rstrip);
	if (at == (size_t)-1)
		lex_fail(lx, b, 0, "%s", msg);
	*ps = lx->src + b;
	*pn = (uint32_t)(at - b);
	lx->pos = after;
	lx->state = ST_DATA;
	lx->strip_next = false;
}

/* decodes a string literal's body like Python's unicode-escape codec */
static void decode_string(struct jj_lexer *lx, struct jj_token *t, size_t b, size_t e)
{
	const char *p = lx->src + b;
	size_t n = e - b;
	if (!memchr(p, '\\', n) && !memchr(p, '\r', n)) {
		t->s = p;
		t->n = (uint32_t)n;
		return;
	}
	char *q = arena_alloc(lx->a, n * 2 + 8);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '\r') {
			q[k++] = '\n';
			if (i + 1 < n && p[i + 1] == '\n')
				i++;
			continue;
		}
		if (c != '\\' || i + 1 >= n) {
			q[k++] = c;
			continue;
		}
		char d = p[++i];
		unsigned cp = 0;
		int want = 0;
		switch (d) {
		case '\n': continue;
		case '\r':
			if (i + 1 < n && p[i + 1] == '\n')
				i++;
			continue;
		case '\\': q[k++] = '\\'; continue;
		case '\'': q[k++] = '\''; continue;
		case '"': q[k++] = '"'; continue;
		case 'a': q[k++] = '\a'; continue;
		case 'b': q[k++] = '\b'; continue;
		case 'f': q[k++] = '\f'; continue;
		case 'n': q[k++] = '\n'; continue;
		case 'r': q[k++] = '\r'; continue;
		case 't': q[k++] = '\t'; continue;
		case 'v': q[k++] = '\v'; continue;
		case 'x': want = 2; break;
		case 'u': want = 4; break;
		case 'U': want = 8; break;
		default:
			if (d >= '0' && d <= '7') {
				cp = (unsigned)(d - '0');
				for (int j = 0; j < 2 && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7'; j++)
					cp = cp * 8 + (unsigned)(p[++i] - '0');
				goto put;
			}
			q[k++] = '\\';
			q[k++] = d;
			continue;
		}
		for (int j = 0; j < want; j++) {
			char h = i + 1 < n ? p[i + 1] : 0;
			int v = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 :
				h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
			if (v < 0)
				lex_fail(lx, t->off, t->len, "truncated \\%c%.*s escape", d, want,
					 "XXXXXXXX");
			cp = cp * 16 + (unsigned)v;
			i++;
		}
		if (cp > 0x10FFFF)
			lex_fail(lx, t->off, t->len, "illegal Unicode character");
	put:
		if (cp < 0x80) {
			q[k++] = (char)cp;
		} else if (cp < 0x800) {
			q[k++] = (char)(0xC0 | (cp >> 6));
			q[k++] = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			q[k++] = (char)(0xE0 | (cp >> 12));
			q[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			q[k++] = (char)(0x80 | (cp & 0x3F));
		} else {
			q[k++] = (char)(0xF0 | (cp >> 18));
			q[k++] = (char)(0x80 | ((cp >> 12) & 0x3F));
			q[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			q[k++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	q[k] = '\0';
	t->s = q;
	t->n = (uint32_t)k;
}

/* digits with single underscores between them: (\d+_)*\d+ ; returns the end or p when none */
static size_t scan_digits(const struct jj_lexer *lx, size_t p)
{
	size_t e = p;
	while (e < lx->len && is_digit(lx->src[e])) {
		e++;
		if (e + 1 < lx->len && lx->src[e] == '_' && is_digit(lx->src[e + 1]))
			e++;
	}
	return e;
}

static double parse_float(struct jj_lexer *lx, size_t b, size_t e)
{
	char buf[128];
	size_t k = 0;
	for (size_t i = b; i < e && k < sizeof(buf) - 1; i++)
		if (lx->src[i] != '_')
			buf[k++] = lx->src[i];
	buf[k] = '\0';
	return strtod(buf, NULL);
}

static bool lex_number(struct jj_lexer *lx, struct jj_token *t)
{
	size_t p = lx->pos;
	const char *s = lx->src;
	/* float: not right after a dot */
	if (p == 0 || s[p - 1] != '.') {
		size_t e = scan_digits(lx, p);
		if (e > p) {
			size_t f = e;
			bool is_float = false;
			if (f < lx->len && s[f] == '.' && f + 1 < lx->len && is_digit(s[f + 1])) {
				f = scan_digits(lx, f + 1);
				is_float = true;
			}
			if (f < lx->len && (s[f] == 'e' || s[f] == 'E')) {
				size_t g = f + 1;
				if (g < lx->len && (s[g] == '+' || s[g] == '-'))
					g++;
				size_t h = scan_digits(lx, g);
				if (h > g) {
					f = h;
					is_float = true;
				}
			}
			if (is_float) {
				t->type = T_FLOAT;
				t->f = parse_float(lx, p, f);
				t->len = (uint32_t)(f - p);
				lx->pos = f;
				return true;
			}
		}
	}
	/* integer */
	size_t e = p;
	int base = 10;
	if (s[p] == '0' && p + 1 < lx->len && strchr("bBoOxX", s[p + 1]) && s[p + 1]) {
		char k = (char)(s[p + 1] | 0x20);
		base = k == 'b' ? 2 : k == 'o' ? 8 : 16;
		e = p + 2;
		size_t start = e;
		for (;;) {
			size_t q = e;
			if (q < lx->len && s[q] == '_')
				q++;
			if (q >= lx->len)
				break;
			char c = (char)(s[q] | 0x20);
			bool ok = base == 2 ? (c == '0' || c == '1') : base == 8 ? (c >= '0' && c <= '7') :
				(is_digit(c) || (c >= 'a' && c <= 'f'));
			if (!ok)
				break;
			e = q + 1;
		}
		if (e == start) {
			base = 10;
			e = p + 1; /* just "0" */
		}
	} else if (s[p] == '0') {
		e = p + 1;
		while (e < lx->len && (s[e] == '0' || (s[e] == '_' && e + 1 < lx->len && s[e + 1] == '0')))
			e++;
	} else {
		e = scan_digits(lx, p);
	}
	uint64_t v = 0;
	bool overflow = false;
	for (size_t i = (base == 10 ? p : p + 2); i < e; i++) {
		if (s[i] == '_')
			continue;
		char c = (char)(s[i] | 0x20);
		unsigned d = is_digit(c) ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
		if (v > (UINT64_MAX - d) / (uint64_t)base)
			overflow = true;
		v = v * (uint64_t)base + d;
	}
	if (overflow || v > (uint64_t)INT64_MAX) {
		if (base != 10)
			lex_fail(lx, p, e - p, "integer literal too large");
		t->big = true;
	}
	t->type = T_INT;
	t->i = (int64_t)v;
	t->len = (uint32_t)(e - p);
	lx->pos = e;
	return true;
}

/* the operator at p (longest first), or T_EOF when there is none */
static int match_operator(const char *s, size_t p, size_t len, uint32_t *plen)
{
	char c = s[p], d = p + 1 < len ? s[p + 1] : 0;
	*plen = 1;
	switch (c) {
	case '+': return T_ADD;
	case '-': return T_SUB;
	case '/':
		if (d == '/') {
			*plen = 2;
			return T_FLOORDIV;
		}
		return T_DIV;
	case '*':
		if (d == '*') {
			*plen = 2;
			return T_POW;
		}
		return T_MUL;
	case '%': return T_MOD;
	case '~': return T_TILDE;
	case '[': return T_LBRACKET;
	case ']': return T_RBRACKET;
	case '(': return T_LPAREN;
	case ')': return T_RPAREN;
	case '{': return T_LBRACE;
	case '}': return T_RBRACE;
	case '=':
		if (d == '=') {
			*plen = 2;
			return T_EQ;
		}
		return T_ASSIGN;
	case '!':
		if (d == '=') {
			*plen = 2;
			return T_NE;
		}
		return T_EOF;
	case '>':
		if (d == '=') {
			*plen = 2;
			return T_GTEQ;
		}
		return T_GT;
	case '<':
		if (d == '=') {
			*plen = 2;
			return T_LTEQ;
		}
		return T_LT;
	case '.': return T_DOT;
	case ':': return T_COLON;
	case '|': return T_PIPE;
	case ',': return T_COMMA;
	case ';': return T_SEMICOLON;
	default: return T_EOF;
	}
}

static void lex_tag(struct jj_lexer *lx, struct jj_token *t)
{
	size_t p = skip_ws(lx, lx->pos);
	lx->pos = p;
	memset(t, 0, sizeof(*t));
	t->off = (uint32_t)p;
	if (p >= lx->len) {
		t->type = T_EOF;
		return;
	}
	const char *s = lx->src;
	if (lx->nbal == 0) {
		if (lx->state == ST_VAR) {
			if (starts(lx, p, "-}}")) {
				t->type = T_VAR_END;
				t->len = 3;
				lx->pos = p + 3;
				lx->strip_next = true;
				lx->state = ST_DATA;
				return;
			}
			if (starts(lx, p, "}}")) {
				t->type = T_VAR_END;
				t->len = 2;
				lx->pos = p + 2;
				lx->state = ST_DATA;
				return;
			}
		} else {
			bool strip = starts(lx, p, "-%}");
			if (strip || starts(lx, p, "+%}") || starts(lx, p, "%}")) {
				t->type = T_BLOCK_END;
				t->len = s[p] == '%' ? 2 : 3;
				lx->pos = p + t->len;
				lx->strip_next = strip;
				lx->state = ST_DATA;
				return;
			}
		}
	}
	char c = s[p];
	if (is_digit(c)) {
		lex_number(lx, t);
		return;
	}
	if (is_name_start(c) && !ws_len(s, p, lx->len)) {
		size_t e = p + 1;
		while (e < lx->len && is_name_char(s[e]) && ((unsigned char)s[e] < 0x80 || !ws_len(s, e, lx->len)))
			e++;
		t->type = T_NAME;
		t->s = s + p;
		t->n = (uint32_t)(e - p);
		t->len = t->n;
		lx->pos = e;
		return;
	}
	if (c == '\'' || c == '"') {
		size_t e = p + 1;
		while (e < lx->len && s[e] != c) {
			if (s[e] == '\\')
				e++;
			e++;
		}
		if (e < lx->len) {
			t->type = T_STRING;
			t->len = (uint32_t)(e + 1 - p);
			decode_string(lx, t, p + 1, e);
			lx->pos = e + 1;
			return;
		}
		/* an unterminated string falls through to "unexpected char" like Jinja2 */
	}
	uint32_t olen;
	int ty = match_operator(s, p, lx->len, &olen);
	if (ty != T_EOF) {
		t->type = (uint8_t)ty;
		t->len = olen;
		lx->pos = p + olen;
		if (ty == T_LPAREN || ty == T_LBRACKET || ty == T_LBRACE) {
			if (lx->nbal >= (int)sizeof(lx->bal))
				lex_fail(lx, p, 1, "too deeply nested brackets");
			lx->bal[lx->nbal++] = ty == T_LPAREN ? ')' : ty == T_LBRACKET ? ']' : '}';
		} else if (ty == T_RPAREN || ty == T_RBRACKET || ty == T_RBRACE) {
			if (lx->nbal == 0)
				lex_fail(lx, p, 1, "unexpected '%c'", c);
			char want = lx->bal[--lx->nbal];
			if (want != c)
				lex_fail(lx, p, 1, "unexpected '%c', expected '%c'", c, want);
		}
		return;
	}
	if (c == '\'')
		lex_fail(lx, p, 1, "unexpected char \"'\" at %zu", p);
	lex_fail(lx, p, 1, "unexpected char '%c' at %zu", c, p);
}

void jj_lex_next(struct jj_lexer *lx, struct jj_token *t)
{
	if (lx->pending) {
		*t = lx->queued;
		lx->pending = false;
		return;
	}
	if (lx->state != ST_DATA) {
		lex_tag(lx, t);
		return;
	}
	const char *s = lx->src;
	for (;;) {
		size_t b = lx->pos;
		if (lx->strip_next) {
			b = skip_ws(lx, b);
			lx->strip_next = false;
		}
		if (b >= lx->len) {
			lx->pos = lx->len;
			memset(t, 0, sizeof(*t));
			t->type = T_EOF;
			t->off = (uint32_t)lx->len;
			return;
		}
		/* next tag opener */
		size_t q = b;
		for (;;) {
			const char *hit = memchr(s + q, '{', lx->len - q);
			if (!hit) {
				q = lx->len;
				break;
			}
			q = (size_t)(hit - s);
			if (q + 1 < lx->len && (s[q + 1] == '{' || s[q + 1] == '%' || s[q + 1] == '#'))
				break;
			q++;
		}
		if (q >= lx->len) {
			make_data(lx, t, b, lx->len);
			lx->pos = lx->len;
			return;
		}
		char kind = s[q + 1];
		char sign = q + 2 < lx->len && (s[q + 2] == '-' || s[q + 2] == '+') ? s[q + 2] : 0;
		size_t de = q;
		if (sign == '-')
			de = rstrip_ws(s, b, de);
		struct jj_token data;
		bool have_data = de > b;
		if (have_data)
			make_data(lx, &data, b, de);

		if (kind == '#') {
			size_t p = q + 2 + (sign ? 1 : 0);
			for (;;) {
				const char *hit = p < lx->len ? memchr(s + p, '#', lx->len - p) : NULL;
				if (!hit)
					lex_fail(lx, q, 2, "Missing end of comment tag");
				p = (size_t)(hit - s);
				if (p + 1 < lx->len && s[p + 1] == '}')
					break;
				p++;
			}
			/* the earliest of "+#}", "-#}" and "#}" wins; the sign is the char before '#' */
			bool strip = p > q + 2 + (sign ? 1 : 0) && s[p - 1] == '-';
			lx->pos = p + 2;
			lx->strip_next = strip;
			if (have_data) {
				*t = data;
				return;
			}
			continue;
		}

		if (kind == '%') {
			size_t r = skip_ws(lx, q + 2 + (sign ? 1 : 0));
			bool strip;
			/* Jinja2's raw opener ends with "%}" or "-%}" only: `{% raw +%}` is an unknown tag */
			size_t after = match_tag_end_name(lx, r, "raw", false, &strip);
			if (after) {
				size_t cb = after;  /* "-%}" already skipped the whitespace */
				size_t endafter;
				bool rstrip;
				size_t at = find_end_tag(lx, cb, "endraw", &endafter, &rstrip);
				if (at == (size_t)-1)
					lex_fail(lx, q, 2, "Missing end of raw directive");
				size_t ce = at;
				if (rstrip)
					ce = rstrip_ws(s, cb, ce);
				/* a closing "-%}" already skipped the whitespace after it */
				lx->pos = endafter;
				lx->strip_next = false;
				struct jj_token raw;
				make_data(lx, &raw, cb, ce);
				if (have_data) {
					*t = data;
					if (ce > cb) {
						lx->queued = raw;
						lx->pending = true;
					}
					return;
				}
				if (ce > cb) {
					*t = raw;
					return;
				}
				continue;
			}
		}
		struct jj_token begin;
		memset(&begin, 0, sizeof(begin));
		begin.type = kind == '{' ? T_VAR_BEGIN : T_BLOCK_BEGIN;
		begin.off = (uint32_t)q;
		begin.len = sign ? 3 : 2;
		lx->pos = q + begin.len;
		lx->state = kind == '{' ? ST_VAR : ST_BLOCK;
		lx->nbal = 0;
		if (have_data) {
			*t = data;
			lx->queued = begin;
			lx->pending = true;
		} else {
			*t = begin;
		}
		return;
	}
}
