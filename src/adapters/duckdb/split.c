/*
 * The SQL text of the DuckDB adapter: quoting identifiers and string literals, and cutting a
 * multi-statement SQL into its statements. The C API does not give the text of an extracted
 * statement, yet the CAST wrapping (convert.c) and the errors of multi-statement SQL need it, so
 * adp_duckdb_split_sql() cuts the SQL the way DuckDB's tokenizer does (quotes, comments, dollar
 * quotes); the caller trusts it only when it finds as many statements as DuckDB did.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/duckdb/internal.h"
#include "core/sb.h"
#include "core/vec.h"

void adp_duckdb_add_quoted_ident(struct sb *s, const char *ident)
{
	sb_addc(s, '"');
	for (const char *p = ident; *p; p++) {
		if (*p == '"')
			sb_addc(s, '"');
		sb_addc(s, *p);
	}
	sb_addc(s, '"');
}

void adp_duckdb_add_string_lit(struct sb *s, const char *str, size_t n)
{
	sb_addc(s, '\'');
	for (size_t i = 0; i < n; i++) {
		if (str[i] == '\'')
			sb_addc(s, '\'');
		sb_addc(s, str[i]);
	}
	sb_addc(s, '\'');
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/*
 * Splits SQL on the semicolons that end statements, skipping those inside 'strings' (E'' strings
 * with backslash escapes), "identifiers", -- and nested block comments and $tag$ dollar quotes$tag$.
 * Pieces holding only blanks and comments are dropped, as DuckDB drops them. The pieces point into
 * `sql`, trimmed of surrounding blanks.
 */
size_t adp_duckdb_split_sql(const char *sql, struct sql_piece **ppieces)
{
	VEC(struct sql_piece) out = {0};
	const char *start = sql, *p = sql;
	const char *first = NULL, *last = NULL;  /* first and last significant bytes of the piece */
	for (;;) {
		char c = *p;
		if (c == '\0' || c == ';') {
			if (first)
				VEC_PUSH(&out, ((struct sql_piece){first, (size_t)(last - first + 1)}));
			if (c == '\0')
				break;
			p++;
			start = p;
			first = last = NULL;
			continue;
		}
		const char *tok = p;
		if (c == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			if (first)
				last = p - 1;
			continue;
		}
		if (c == '/' && p[1] == '*') {
			int depth = 1;
			p += 2;
			while (*p && depth) {
				if (p[0] == '/' && p[1] == '*') {
					depth++;
					p += 2;
				} else if (p[0] == '*' && p[1] == '/') {
					depth--;
					p += 2;
				} else {
					p++;
				}
			}
			if (first)
				last = p - 1;
			continue;
		}
		if (isspace((unsigned char)c)) {
			p++;
			continue;
		}
		if (c == '\'' || c == '"') {
			bool esc = c == '\'' && p > start && (p[-1] == 'e' || p[-1] == 'E') &&
				   (p - 1 == start || !is_ident_char(p[-2]));
			p++;
			while (*p) {
				if (esc && *p == '\\' && p[1]) {
					p += 2;
				} else if (*p == c) {
					if (p[1] == c) {
						p += 2;
					} else {
						p++;
						break;
					}
				} else {
					p++;
				}
			}
		} else if (c == '$' && (p == start || !is_ident_char(p[-1]))) {
			const char *q = p + 1;
			while (*q && (isalpha((unsigned char)*q) || *q == '_' ||
				      (q > p + 1 && isdigit((unsigned char)*q))))
				q++;
			if (*q == '$') {
				size_t taglen = (size_t)(q - p + 1);
				const char *end = q + 1;
				while (*end && strncmp(end, p, taglen) != 0)
					end++;
				p = *end ? end + taglen : end;
			} else {
				p++;
			}
		} else {
			p++;
		}
		if (!first)
			first = tok;
		last = p - 1;
	}
	*ppieces = out.v;
	return out.n;
}
