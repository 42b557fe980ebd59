/*
 * Jinja lexer (internal). Produces tokens on demand from a source slice, the way Jinja2's lexer does
 * with its default settings: `{{ }}`, `{% %}`, `{# #}`, `-`/`+` whitespace control, raw blocks,
 * newlines normalised to "\n" in data and strings, and one trailing newline dropped.
 *
 * Tokens point into the source (offsets); decoded string literals and data with normalised newlines
 * are copied into the arena. A lexical error is added to `dl` and the lexer longjmps to `*err`.
 */
#ifndef SLUICE_JINJA_LEX_H
#define SLUICE_JINJA_LEX_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/diag.h"

enum jj_tok {
	T_EOF,
	T_DATA,
	T_VAR_BEGIN,
	T_VAR_END,
	T_BLOCK_BEGIN,
	T_BLOCK_END,
	T_NAME,
	T_STRING,
	T_INT,
	T_FLOAT,
	/* operators */
	T_ADD,
	T_SUB,
	T_DIV,
	T_FLOORDIV,
	T_MUL,
	T_MOD,
	T_POW,
	T_TILDE,
	T_LBRACKET,
	T_RBRACKET,
	T_LPAREN,
	T_RPAREN,
	T_LBRACE,
	T_RBRACE,
	T_EQ,
	T_NE,
	T_GT,
	T_GTEQ,
	T_LT,
	T_LTEQ,
	T_ASSIGN,
	T_DOT,
	T_COLON,
	T_PIPE,
	T_COMMA,
	T_SEMICOLON,
	T_COUNT_
};

struct jj_token {
	uint8_t type;
	uint32_t off, len;   /* source span */
	const char *s;       /* T_NAME, T_STRING, T_DATA: text (T_NAME: in the source) */
	uint32_t n;
	bool big;            /* T_INT: decimal literal beyond 64 bits (value in the source span) */
	union {
		int64_t i;
		double f;
	};
};

struct jj_lexer {
	const char *src;
	size_t len;           /* without the dropped trailing newline */
	uint32_t file;
	size_t pos;
	int state;            /* 0 data, 1 variable, 2 block */
	bool strip_next;      /* the previous tag ended with '-': strip leading whitespace */
	bool pending;         /* a tag-begin token is queued after a data token */
	struct jj_token queued;
	char bal[128];        /* brackets awaiting their closing one */
	int nbal;
	struct arena *a;
	struct diag_list *dl;
	jmp_buf *err;
};

void jj_lex_init(struct jj_lexer *lx, const char *src, size_t len, uint32_t file, struct arena *a,
		 struct diag_list *dl, jmp_buf *err);
void jj_lex_next(struct jj_lexer *lx, struct jj_token *t);
/* Finds the end of a raw-like body (`{% enddocs %}`) from the current position: returns the body
 * slice and moves past the closing tag; longjmps with `msg` when missing */
void jj_lex_raw_until(struct jj_lexer *lx, const char *endname, const char **ps, uint32_t *pn,
		      const char *msg);
const char *jj_tok_describe(int type);

#endif
