/*
 * The request log of the gateway double: one JSON object per request, kept in memory for the
 * admin API (GET /requests) and, with --log FILE, written to the file one line per request and
 * flushed at once, so a test that failed can show what its client sent.
 *
 * Secrets never reach the log: values of secret-looking keys in bodies ("password", "secret",
 * "token", …) and of secret-looking options in statements ('password' = '…') are replaced by
 * "****" before anything is recorded. The same copies feed GET /statements.
 */
#include "gw.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


static bool secret_key(const char *k, size_t n)
{
	static const char *const words[] = {"password", "passwd", "secret", "token", "credential", "jaas",
					    "api-key", "apikey", "api_key", "private-key", "private_key"};
	char low[256];
	if (n >= sizeof(low))
		n = sizeof(low) - 1;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)k[i]);
	low[n] = 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]))
			return true;
	return false;
}

json_t *gw_redact_json(json_t *v)
{
	if (json_is_object(v)) {
		json_t *o = json_object();
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) {
			if (json_is_string(x) && secret_key(k, strlen(k)))
				json_object_set_new(o, k, json_string("****"));
			else
				json_object_set_new(o, k, gw_redact_json(x));
		}
		return o;
	}
	if (json_is_array(v)) {
		json_t *a = json_array();
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
			json_array_append_new(a, gw_redact_json(x));
		return a;
	}
	return v ? json_incref(v) : json_null();
}

/* Where a quoted SQL literal that starts at s ends: its closing quote, or the NUL */
static const char *literal_end(const char *s)
{
	while (*s) {
		if (*s == '\'') {
			if (s[1] != '\'')
				return s;
			s++;
		}
		s++;
	}
	return s;
}

/* 'key' = 'value' pairs whose key looks secret get '****' as their value */
char *gw_redact_sql(const char *sql)
{
	struct sb out = SB_INIT;
	const char *p = sql;
	while (*p) {
		if (*p != '\'') {
			sb_addc(&out, *p++);
			continue;
		}
		const char *start = p + 1, *q = literal_end(start);
		bool secret = secret_key(start, (size_t)(q - start));
		sb_add(&out, p, (size_t)(q - p) + (*q ? 1 : 0));
		p = *q ? q + 1 : q;
		if (!secret)
			continue;
		const char *r = p;
		while (isspace((unsigned char)*r))
			r++;
		if (*r != '=')
			continue;
		r++;
		while (isspace((unsigned char)*r))
			r++;
		if (*r != '\'')
			continue;
		const char *v = literal_end(r + 1);
		sb_add(&out, p, (size_t)(r - p));
		sb_adds(&out, "'****'");
		p = *v ? v + 1 : v;
	}
	return sb_detach(&out, NULL);
}

/* a JSON string, or null for text that is not UTF-8 */
static json_t *str_or_null(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;
	return j ? j : json_null();
}

void gw_log_request(struct gw *g, long seq, const char *method, const char *uri, int status, const char *session,
		    json_t *body, const char *raw_body, const char *statement)
{
	json_t *rec = json_object();
	json_object_set_new(rec, "seq", json_integer(seq));
	json_object_set_new(rec, "method", json_string(method));
	json_object_set_new(rec, "uri", str_or_null(uri));
	json_object_set_new(rec, "status", status > 0 ? json_integer(status) : json_null());
	json_object_set_new(rec, "session", session ? json_string(session) : json_null());
	if (body) {
		json_t *red = gw_redact_json(body);
		/* SQL in a body may carry secrets too */
		static const char *const sql_fields[] = {"statement", "script"};
		for (size_t i = 0; i < 2 && json_is_object(red); i++) {
			const char *sql = json_string_value(json_object_get(red, sql_fields[i]));
			if (sql) {
				char *r = gw_redact_sql(sql);
				json_object_set_new(red, sql_fields[i], json_string(r));
				free(r);
			}
		}
		json_object_set_new(rec, "body", red);
	}
	else
		json_object_set_new(rec, "body", raw_body && *raw_body ? str_or_null(raw_body) : json_null());
	if (statement) {
		char *red = gw_redact_sql(statement);
		json_object_set_new(rec, "statement", json_string(red));
		free(red);
	}
	if (g->log) {
		char *line = jw_dump(rec);
		fprintf(g->log, "%s\n", line);
		fflush(g->log);
		free(line);
	}
	json_array_append_new(g->requests, rec);
}

void gw_record_statement(struct gw *g, long seq, const char *session, const char *op_id, const char *statement,
			 json_t *exec_config, const char *status)
{
	char *red = statement ? gw_redact_sql(statement) : NULL;
	json_t *rec = json_object();
	json_object_set_new(rec, "seq", json_integer(seq));
	json_object_set_new(rec, "session", session ? json_string(session) : json_null());
	json_object_set_new(rec, "operation", op_id ? json_string(op_id) : json_null());
	json_object_set_new(rec, "statement", red ? json_string(red) : json_null());
	json_object_set_new(rec, "executionConfig", exec_config ? gw_redact_json(exec_config) : json_null());
	json_object_set_new(rec, "status", status ? json_string(status) : json_null());
	json_array_append_new(g->statements, rec);
	free(red);
}
