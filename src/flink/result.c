/*
 * Reading one fetch-results body (REST reference §6): result type, isQueryResult, jobID,
 * resultKind, the columns with their logical types, the rows with their kinds and values, and
 * nextResultUri.
 *
 * DESIGN
 * Both body shapes are accepted: Flink 1.17+ (fields omitted when they do not
 * apply) and Flink 1.16 (no isQueryResult, jobID, resultKind or rowFormat; results present on
 * NOT_READY; "nextResultUri": null at EOS). For 1.16 the result kind is worked out the way Flink
 * decides it: a lone `result` column holding "OK" is SUCCESS, anything else has content.
 *
 * Values keep their exact text (see json.c): integers that fit int64 become FLINK_V_INT, any
 * other number FLINK_V_NUMBER with the digits as sent, nested values compact JSON.
 */
#include "flink/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fl_colset_free(struct fl_colset *cs)
{
	if (!cs)
		return;
	fl_arena_release(&cs->arena);
	free(cs);
}

void flink_page_free(struct flink_page *page)
{
	if (!page)
		return;
	struct fl_page *p = (struct fl_page *)page;
	fl_arena_release(&p->arena);
	free(p);
}

int fl_next_uri_token(const char *uri, int64_t *ptoken)
{
	if (!uri)
		return -1;
	const char *r = NULL;
	for (const char *p = strstr(uri, "/result/"); p; p = strstr(p + 1, "/result/"))
		r = p;
	if (!r)
		return -1;
	r += 8;
	size_t n = strspn(r, "0123456789");
	if (!n || n > 18 || (r[n] && r[n] != '?' && r[n] != '#' && r[n] != '/'))
		return -1;
	int64_t t = 0;
	for (size_t i = 0; i < n; i++)
		t = t * 10 + (r[i] - '0');
	*ptoken = t;
	return 0;
}

static flink_code bad(struct flink_error *err, const char *what)
{
	fl_err_set(err, FLINK_E_PROTOCOL, 200, "fetch-results answer does not follow the protocol: %s",
		   what);
	return FLINK_E_PROTOCOL;
}

static flink_code parse_columns(const json_t *cols, struct fl_colset **pcs, struct flink_error *err)
{
	struct fl_colset *cs = fl_xcalloc(1, sizeof(*cs));
	size_t n = json_array_size(cols);
	cs->cols = fl_arena_alloc(&cs->arena, (n ? n : 1) * sizeof(*cs->cols));
	for (size_t i = 0; i < n; i++) {
		const json_t *c = json_array_get(cols, i);
		const char *name = fl_json_get_str(c, "name");
		char why[128] = "";
		const struct flink_type *t =
			name ? fl_type_parse(&cs->arena, json_object_get(c, "logicalType"), why, sizeof(why))
			     : NULL;
		if (!t) {
			fl_colset_free(cs);
			char msg[200];
			snprintf(msg, sizeof(msg), "column %zu: %s", i + 1, name ? why : "no 'name'");
			return bad(err, msg);
		}
		cs->cols[i].name = fl_arena_strdup(&cs->arena, name);
		cs->cols[i].comment = fl_arena_strdup(&cs->arena, fl_json_get_str(c, "comment"));
		cs->cols[i].type = t;
	}
	cs->n = n;
	*pcs = cs;
	return FLINK_OK;
}

static void set_value(struct fl_arena *a, const json_t *v, struct flink_value *out)
{
	size_t n;
	const char *t;
	memset(out, 0, sizeof(*out));
	if (!v || json_is_null(v)) {
		out->kind = FLINK_V_NULL;
	} else if (json_is_boolean(v)) {
		out->kind = FLINK_V_BOOL;
		out->b = json_is_true(v);
		out->text = out->b ? "true" : "false";
		out->len = strlen(out->text);
	} else if ((t = fl_json_number_text(v, &n))) {
		int64_t i;
		out->kind = fl_json_int64(v, &i) ? FLINK_V_INT : FLINK_V_NUMBER;
		out->i = out->kind == FLINK_V_INT ? i : 0;
		out->text = fl_arena_strndup(a, t, n);
		out->len = n;
	} else if ((t = fl_json_string(v, &n))) {
		out->kind = FLINK_V_STRING;
		out->text = fl_arena_strndup(a, t, n);
		out->len = n;
	} else {
		struct fl_buf b = FL_BUF_INIT;
		fl_json_compact(&b, v);
		out->kind = FLINK_V_JSON;
		out->text = fl_arena_strndup(a, fl_buf_str(&b), b.len);
		out->len = b.len;
		fl_buf_release(&b);
	}
}

static int row_kind(const char *s, enum flink_row_kind *pk)
{
	static const char *const names[] = {"INSERT", "UPDATE_BEFORE", "UPDATE_AFTER", "DELETE"};
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, names[i]) == 0) {
			*pk = (enum flink_row_kind)i;
			return 0;
		}
	return -1;
}

flink_code fl_page_parse(const char *body, size_t len, struct fl_colset **pcols,
			 struct flink_page **ppage, char **pnext_uri, struct flink_error *err)
{
	*ppage = NULL;
	*pnext_uri = NULL;
	char why[160] = "";
	json_t *root = fl_json_load(body, len, why, sizeof(why));
	flink_code code = FLINK_OK;
	struct fl_page *p = NULL;
	if (!json_is_object(root)) {
		code = bad(err, why[0] ? why : "not a JSON object");
		goto out;
	}
	p = fl_xcalloc(1, sizeof(*p));
	const char *rt = fl_json_get_str(root, "resultType");
	if (!rt) {
		code = bad(err, "no 'resultType'");
		goto out;
	}
	if (strcmp(rt, "NOT_READY") == 0)
		p->pub.type = FLINK_RESULT_NOT_READY;
	else if (strcmp(rt, "PAYLOAD") == 0)
		p->pub.type = FLINK_RESULT_PAYLOAD;
	else if (strcmp(rt, "EOS") == 0)
		p->pub.type = FLINK_RESULT_EOS;
	else {
		code = bad(err, "unknown 'resultType'");
		goto out;
	}
	json_t *next = json_object_get(root, "nextResultUri");
	if (next && !json_is_null(next)) {
		const char *u = fl_json_string(next, NULL);
		if (!u) {
			code = bad(err, "'nextResultUri' is not a string");
			goto out;
		}
		*pnext_uri = fl_xstrdup(u);
	}
	if (p->pub.type == FLINK_RESULT_NOT_READY)
		goto out; /* 1.16 sends empty results here: nothing to read */

	p->pub.is_query = json_is_true(json_object_get(root, "isQueryResult"));
	const char *job = fl_json_get_str(root, "jobID");
	if (job)
		p->pub.job_id = fl_arena_strdup(&p->arena, job);
	const char *kind = fl_json_get_str(root, "resultKind");
	if (kind && strcmp(kind, "SUCCESS") == 0)
		p->pub.kind = FLINK_KIND_SUCCESS;
	else if (kind && strcmp(kind, "SUCCESS_WITH_CONTENT") == 0)
		p->pub.kind = FLINK_KIND_SUCCESS_WITH_CONTENT;
	else if (kind) {
		code = bad(err, "unknown 'resultKind'");
		goto out;
	} else
		p->kind_inferred = true;

	json_t *results = json_object_get(root, "results");
	json_t *cols = json_object_get(results, "columns");
	json_t *data = json_object_get(results, "data");
	if (!json_is_object(results) || !json_is_array(cols) || !json_is_array(data)) {
		code = bad(err, "no 'results' with 'columns' and 'data'");
		goto out;
	}
	if (!*pcols) {
		code = parse_columns(cols, pcols, err);
		if (code)
			goto out;
	}
	const struct fl_colset *cs = *pcols;
	p->pub.ncols = cs->n;
	p->pub.cols = cs->cols;
	size_t nrows = json_array_size(data);
	struct flink_row *rows = fl_arena_alloc(&p->arena, (nrows ? nrows : 1) * sizeof(*rows));
	for (size_t r = 0; r < nrows; r++) {
		json_t *row = json_array_get(data, r);
		json_t *fields = json_object_get(row, "fields");
		char msg[96];
		if (row_kind(fl_json_get_str(row, "kind"), &rows[r].kind)) {
			snprintf(msg, sizeof(msg), "row %zu has no known 'kind'", r + 1);
			code = bad(err, msg);
			goto out;
		}
		if (!json_is_array(fields) || json_array_size(fields) != cs->n) {
			snprintf(msg, sizeof(msg), "row %zu has %zu fields for %zu columns", r + 1,
				 json_array_size(fields), cs->n);
			code = bad(err, msg);
			goto out;
		}
		struct flink_value *vals = fl_arena_alloc(&p->arena, (cs->n ? cs->n : 1) * sizeof(*vals));
		for (size_t i = 0; i < cs->n; i++)
			set_value(&p->arena, json_array_get(fields, i), &vals[i]);
		rows[r].fields = vals;
	}
	p->pub.nrows = nrows;
	p->pub.rows = rows;
	if (p->kind_inferred) {
		bool ok_only = cs->n == 1 && strcmp(cs->cols[0].name, "result") == 0 && nrows == 1 &&
			       rows[0].fields[0].kind == FLINK_V_STRING &&
			       strcmp(rows[0].fields[0].text, "OK") == 0;
		p->pub.kind = ok_only ? FLINK_KIND_SUCCESS : FLINK_KIND_SUCCESS_WITH_CONTENT;
	}
out:
	json_decref(root);
	if (code) {
		flink_page_free(p ? &p->pub : NULL);
		free(*pnext_uri);
		*pnext_uri = NULL;
		return code;
	}
	*ppage = &p->pub;
	return FLINK_OK;
}
