/*
 * Tokens of one Flink SQL statement. Flink's parser (Calcite with Flink's settings) quotes
 * identifiers with backticks and strings with single quotes; unquoted identifiers keep their case.
 * The whole statement is cut into an array up front so the parser can look ahead freely. Hints
 * ("slash-star-plus" comments) are kept as a token of their own, other comments are dropped.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fgi.h"

void ferr_add(struct ferr *e, const char *cls, const char *fmt, ...)
{
	if (e->n >= 4)
		return;
	va_list ap;
	va_start(ap, fmt);
	struct sb m = SB_INIT;
	sb_vaddf(&m, fmt, ap);
	va_end(ap);
	e->cls[e->n] = xstrdup(cls);
	e->msg[e->n] = sb_detach(&m, NULL);
	e->n++;
}

void ferr_wrap(struct ferr *e, const char *cls, const char *fmt, ...)
{
	if (e->n == 4) {
		free(e->cls[3]);
		free(e->msg[3]);
		e->n = 3;
	}
	memmove(e->cls + 1, e->cls, sizeof(e->cls[0]) * (size_t)e->n);
	memmove(e->msg + 1, e->msg, sizeof(e->msg[0]) * (size_t)e->n);
	va_list ap;
	va_start(ap, fmt);
	struct sb m = SB_INIT;
	sb_vaddf(&m, fmt, ap);
	va_end(ap);
	e->cls[0] = xstrdup(cls);
	e->msg[0] = sb_detach(&m, NULL);
	e->n++;
}

void ferr_release(struct ferr *e)
{
	for (int i = 0; i < e->n; i++) {
		free(e->cls[i]);
		free(e->msg[i]);
	}
	e->n = 0;
}

void src_linecol(const char *src, int off, int *pline, int *pcol)
{
	int line = 1, col = 1;
	for (int i = 0; i < off && src[i]; i++) {
		if (src[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	*pline = line;
	*pcol = col;
}

static bool ident_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* The text up to the closing quote q (a doubled q stands for one), from just past the opening one:
 * returns the position past the closing quote, or NULL when the source ends first */
static const char *quoted(const char *q, char quote, struct arena *a, char **pval)
{
	struct sb s = SB_INIT;
	for (; *q; q++) {
		if (*q == quote) {
			if (q[1] != quote) {
				*pval = sb_to_arena(&s, a);
				sb_release(&s);
				return q + 1;
			}
			q++;
		}
		sb_addc(&s, *q);
	}
	sb_release(&s);
	return NULL;
}

static void lex_fail(struct ferr *e, const char *src, int off, const char *what)
{
	int line, col;
	src_linecol(src, off, &line, &col);
	ferr_add(e, EX_PARSER, "SQL parse failed. %s at line %d, column %d.", what, line, col);
	ferr_add(e, EX_CALCITE_PARSE, "%s at line %d, column %d.", what, line, col);
}

int lex_sql(struct arena *a, const char *src, struct lexed *out, struct ferr *perr)
{
	VEC(struct token) v = {0};
	const char *p = src;
	int rc = -1;
	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*' && p[2] != '+') {
			const char *q = strstr(p + 2, "*/");
			if (!q) {
				lex_fail(perr, src, (int)(p - src), "Lexical error: Encountered: <EOF> after : \"\"");
				goto out;
			}
			p = q + 2;
			continue;
		}
		struct token t = {0};
		t.off = (int)(p - src);
		src_linecol(src, t.off, &t.line, &t.col);
		t.p = p;
		if (!*p) {
			t.kind = TK_EOF;
			VEC_PUSH(&v, t);
			break;
		}
		unsigned char c = (unsigned char)*p;
		if (p[0] == '/' && p[1] == '*' && p[2] == '+') {
			const char *q = strstr(p + 3, "*/");
			if (!q) {
				lex_fail(perr, src, t.off, "Lexical error: Encountered: <EOF> after : \"\"");
				goto out;
			}
			t.kind = TK_HINT;
			t.val = arena_strndup(a, p + 3, (size_t)(q - p - 3));
			p = q + 2;
		} else if ((c == 'X' || c == 'x' || c == 'N' || c == 'n' || c == 'E' || c == 'e') && p[1] == '\'') {
			/* prefixed string: X'hex', N'national', E'escaped' — parsed as a string token */
			const char *q = quoted(p + 2, '\'', a, &t.val);
			if (!q) {
				lex_fail(perr, src, t.off, "Lexical error: Encountered: <EOF> after : \"\"");
				goto out;
			}
			t.kind = TK_STRING;
			p = q;
		} else if (ident_start(c)) {
			const char *q = p;
			while (*q && ident_char((unsigned char)*q))
				q++;
			t.kind = TK_IDENT;
			t.val = arena_strndup(a, p, (size_t)(q - p));
			p = q;
		} else if (c == '`') {
			const char *q = quoted(p + 1, '`', a, &t.val);
			if (!q) {
				lex_fail(perr, src, t.off, "Lexical error: Encountered: <EOF> after : \"\"");
				goto out;
			}
			t.kind = TK_QIDENT;
			p = q;
		} else if (c == '\'') {
			const char *q = p + 1;
			struct sb s = SB_INIT;
			for (;;) {
				if (!*q) {
					sb_release(&s);
					lex_fail(perr, src, t.off, "Lexical error: Encountered: <EOF> after : \"\"");
					goto out;
				}
				if (*q == '\'') {
					if (q[1] == '\'') {
						sb_addc(&s, '\'');
						q += 2;
						continue;
					}
					q++;
					/* adjacent literals ('a' 'b') continue the same string */
					const char *w = q;
					while (*w && isspace((unsigned char)*w))
						w++;
					if (*w == '\'' && w > q) {
						q = w + 1;
						continue;
					}
					break;
				}
				sb_addc(&s, *q++);
			}
			t.kind = TK_STRING;
			t.val = sb_to_arena(&s, a);
			sb_release(&s);
			p = q;
		} else if (isdigit(c) || (c == '.' && isdigit((unsigned char)p[1]))) {
			const char *q = p;
			while (isdigit((unsigned char)*q))
				q++;
			if (*q == '.' && isdigit((unsigned char)q[1])) {
				q++;
				while (isdigit((unsigned char)*q))
					q++;
			} else if (*q == '.' && !ident_start((unsigned char)q[1]) && q[1] != '.') {
				q++;
			}
			if ((*q == 'e' || *q == 'E') && (isdigit((unsigned char)q[1]) ||
				((q[1] == '+' || q[1] == '-') && isdigit((unsigned char)q[2])))) {
				q += 2;
				while (isdigit((unsigned char)*q))
					q++;
			}
			t.kind = TK_NUMBER;
			t.val = arena_strndup(a, p, (size_t)(q - p));
			p = q;
		} else {
			static const char *const two[] = {"<>", "!=", "<=", ">=", "||", "::", "=>", NULL};
			int len = 1;
			for (int i = 0; two[i]; i++)
				if (p[0] == two[i][0] && p[1] == two[i][1])
					len = 2;
			if (len == 1 && !strchr("(),.;+-*/%=<>[]{}?:^|~", c)) {
				struct sb m = SB_INIT;
				sb_addf(&m, "Lexical error at line %d, column %d.  Encountered: \"%c\" (%d), after : \"\"",
					t.line, t.col, c, c);
				ferr_add(perr, EX_PARSER, "SQL parse failed. %s", m.buf);
				ferr_add(perr, EX_CALCITE_PARSE, "%s", m.buf);
				sb_release(&m);
				goto out;
			}
			t.kind = TK_OP;
			t.val = arena_strndup(a, p, (size_t)len);
			p += len;
		}
		t.n = (int)(p - t.p);
		VEC_PUSH(&v, t);
	}
	out->t = ARENA_ARRAY(a, struct token, v.n);
	memcpy(out->t, v.v, sizeof(struct token) * v.n);
	out->n = (int)v.n;
	out->src = src;
	rc = 0;
out:
	VEC_FREE(&v);
	return rc;
}
