/*
 * Cutting a SQL script into the single statements the gateway accepts (one per POST …/statements).
 *
 * A ';' ends a statement only at top level: not inside '…' strings, `…` or "…" identifiers
 * (each closed by its quote, a doubled quote standing for itself), -- line comments or / * … * /
 * block comments, and not inside EXECUTE STATEMENT SET BEGIN … END, which the gateway takes as
 * one statement. That block ends at an END that opens a statement of its own inside it (right
 * after BEGIN or a ';'), so CASE … END in an INSERT does not end it. A statement's span runs from
 * its first token to its last, so comments and blanks around it are left out; statements made
 * of nothing but comments and blanks are dropped.
 */
#include "flink/internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct scan {
	const char *s;
	size_t i;
	unsigned line, col;
};

static void advance(struct scan *sc, size_t n)
{
	for (size_t k = 0; k < n && sc->s[sc->i]; k++) {
		if (sc->s[sc->i] == '\n') {
			sc->line++;
			sc->col = 1;
		} else {
			sc->col++;
		}
		sc->i++;
	}
}

static bool word_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool word_char(unsigned char c)
{
	return word_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static bool word_is(const char *w, size_t n, const char *kw)
{
	return strlen(kw) == n && strncasecmp(w, kw, n) == 0;
}

size_t flink_split_statements(const char *script, struct flink_span **pspans)
{
	static const char *const set_words[] = {"EXECUTE", "STATEMENT", "SET", "BEGIN"};
	struct flink_span *spans = NULL;
	size_t n = 0, cap = 0;
	if (pspans)
		*pspans = NULL;
	if (!script)
		return 0;

	struct scan sc = {script, 0, 1, 1};
	bool have = false;         /* the current statement has a token */
	struct flink_span cur = {0, 0, 0, 0};
	size_t last_end = 0;
	int words = 0;             /* EXECUTE STATEMENT SET BEGIN matched so far, -1: not a set */
	bool in_block = false, sub_start = false;

	for (;;) {
		unsigned char c = (unsigned char)script[sc.i];
		bool end = c == '\0';
		if (end || (c == ';' && !in_block)) {
			if (have) {
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					spans = fl_xrealloc(spans, cap * sizeof(*spans));
				}
				cur.len = last_end - cur.start;
				spans[n++] = cur;
			}
			if (end)
				break;
			advance(&sc, 1);
			have = false;
			words = 0;
			in_block = sub_start = false;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			advance(&sc, 1);
			continue;
		}
		if (c == '-' && script[sc.i + 1] == '-') {
			while (script[sc.i] && script[sc.i] != '\n')
				advance(&sc, 1);
			continue;
		}
		if (c == '/' && script[sc.i + 1] == '*') {
			advance(&sc, 2);
			while (script[sc.i] && !(script[sc.i] == '*' && script[sc.i + 1] == '/'))
				advance(&sc, 1);
			advance(&sc, 2);
			continue;
		}
		/* a token */
		size_t start = sc.i;
		if (!have) {
			have = true;
			cur.start = start;
			cur.line = sc.line;
			cur.col = sc.col;
		}
		if (c == '\'' || c == '"' || c == '`') {
			advance(&sc, 1);
			while (script[sc.i]) {
				if ((unsigned char)script[sc.i] == c) {
					if ((unsigned char)script[sc.i + 1] == c) {
						advance(&sc, 2);
						continue;
					}
					advance(&sc, 1);
					break;
				}
				advance(&sc, 1);
			}
			if (!in_block)
				words = -1;
			sub_start = false;
		} else if (word_start(c)) {
			while (word_char((unsigned char)script[sc.i]))
				advance(&sc, 1);
			const char *w = script + start;
			size_t wn = sc.i - start;
			if (in_block) {
				if (sub_start && word_is(w, wn, "END")) {
					in_block = false;
					words = -1;
				}
				sub_start = false;
			} else if (words >= 0) {
				if (words < 4 && word_is(w, wn, set_words[words])) {
					if (++words == 4)
						in_block = sub_start = true;
				} else {
					words = -1;
				}
			}
		} else {
			if (in_block && c == ';')
				sub_start = true;
			else {
				if (!in_block)
					words = -1;
				sub_start = false;
			}
			advance(&sc, 1);
		}
		last_end = sc.i;
	}
	if (pspans)
		*pspans = spans;
	else
		free(spans);
	return n;
}
