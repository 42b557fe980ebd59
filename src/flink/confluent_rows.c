/*
 * Confluent Cloud results (§9, §10 of the Statements API reference): pages read by page token,
 * every value decoded from its SQL text into the gateway's flink_value kinds, and the whole run
 * of a statement (submit, wait, read, delete) through the gateway's flink_handler.
 */
#include "flink/internal.h"

#include <errno.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "x'0a1b'" -> base64 text, as the gateway hands bytes over; NULL when not that form */
static char *bytes_b64(struct fl_arena *a, const char *s, size_t n)
{
	if (n < 3 || (s[0] != 'x' && s[0] != 'X') || s[1] != '\'' || s[n - 1] != '\'' || (n - 3) % 2)
		return NULL;
	size_t nb = (n - 3) / 2;
	unsigned char *raw = fl_xmalloc(nb + 1);
	for (size_t i = 0; i < nb; i++) {
		int hi = hexval(s[2 + 2 * i]), lo = hexval(s[3 + 2 * i]);
		if (hi < 0 || lo < 0) {
			free(raw);
			return NULL;
		}
		raw[i] = (unsigned char)(hi * 16 + lo);
	}
	struct fl_buf o = FL_BUF_INIT;
	for (size_t i = 0; i < nb; i += 3) {
		unsigned v = (unsigned)raw[i] << 16 | (i + 1 < nb ? (unsigned)raw[i + 1] << 8 : 0) |
			     (i + 2 < nb ? raw[i + 2] : 0);
		fl_buf_addc(&o, b64[v >> 18 & 63]);
		fl_buf_addc(&o, b64[v >> 12 & 63]);
		fl_buf_addc(&o, i + 1 < nb ? b64[v >> 6 & 63] : '=');
		fl_buf_addc(&o, i + 2 < nb ? b64[v & 63] : '=');
	}
	free(raw);
	char *r = fl_arena_strdup(a, fl_buf_str(&o));
	fl_buf_release(&o);
	return r;
}

/* One value: atomic values are their SQL text (§10), composites arrays */
static flink_code decode_value(struct fl_arena *a, const json_t *v, const struct flink_type *t,
			       struct flink_value *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	if (!v || json_is_null(v)) {
		out->kind = FLINK_V_NULL;
		return FLINK_OK;
	}
	if (json_is_array(v)) {
		struct fl_buf b = FL_BUF_INIT;
		fl_json_compact(&b, v);
		out->kind = FLINK_V_JSON;
		out->len = b.len;
		out->text = fl_arena_strndup(a, fl_buf_str(&b), b.len);
		fl_buf_release(&b);
		return FLINK_OK;
	}
	size_t n = 0;
	const char *s = fl_json_string(v, &n);
	if (!s)
		s = fl_json_number_text(v, &n);  /* tolerated: a number where text is due */
	if (!s) {
		snprintf(why, whylen, "a value is neither text, an array nor null");
		return FLINK_E_PROTOCOL;
	}
	out->text = fl_arena_strndup(a, s, n);
	out->len = n;
	switch (t->root) {
	case FLINK_T_BOOLEAN:
		/* compare case-insensitively (§10) */
		if (n == 4 && !strncasecmp(s, "true", 4))
			out->b = true;
		else if (!(n == 5 && !strncasecmp(s, "false", 5))) {
			snprintf(why, whylen, "'%.40s' is not a BOOLEAN", s);
			return FLINK_E_PROTOCOL;
		}
		out->kind = FLINK_V_BOOL;
		out->text = out->b ? "true" : "false";
		out->len = strlen(out->text);
		return FLINK_OK;
	case FLINK_T_TINYINT:
	case FLINK_T_SMALLINT:
	case FLINK_T_INTEGER:
	case FLINK_T_BIGINT: {
		char *end;
		errno = 0;
		long long x = strtoll(out->text, &end, 10);
		if (errno || *end || end == out->text) {
			snprintf(why, whylen, "'%.40s' is not an integer", s);
			return FLINK_E_PROTOCOL;
		}
		out->kind = FLINK_V_INT;
		out->i = x;
		return FLINK_OK;
	}
	case FLINK_T_DECIMAL:
	case FLINK_T_FLOAT:
	case FLINK_T_DOUBLE:
		/* exact: the text as sent ("10.50", "NaN", "-Infinity") */
		out->kind = FLINK_V_NUMBER;
		return FLINK_OK;
	case FLINK_T_BINARY:
	case FLINK_T_VARBINARY: {
		char *e = bytes_b64(a, s, n);
		if (!e) {
			snprintf(why, whylen, "'%.40s' is not x'<hex>' bytes", s);
			return FLINK_E_PROTOCOL;
		}
		out->kind = FLINK_V_STRING;
		out->text = e;
		out->len = strlen(e);
		return FLINK_OK;
	}
	default:
		out->kind = FLINK_V_STRING;
		return FLINK_OK;
	}
}

static flink_code parse_results(flink_cc_statement *st, const json_t *root, struct fl_page *p, char *why,
				size_t whylen)
{
	json_t *data = json_object_get(json_object_get(root, "results"), "data");
	if (!json_is_array(data)) {
		snprintf(why, whylen, "no results.data");
		return FLINK_E_PROTOCOL;
	}
	size_t ncols = st->cols ? st->cols->n : 0;
	size_t nrows = json_array_size(data);
	struct flink_row *rows = fl_arena_alloc(&p->arena, (nrows ? nrows : 1) * sizeof(*rows));
	size_t i;
	json_t *item;
	json_array_foreach(data, i, item) {
		json_t *row = json_object_get(item, "row");
		if (!json_is_array(row) || json_array_size(row) != ncols) {
			snprintf(why, whylen, "row %zu has %zu values for %zu columns", i, json_array_size(row), ncols);
			return FLINK_E_PROTOCOL;
		}
		/* §9.1: a missing op is 0, INSERT */
		int64_t op = 0;
		json_t *jop = json_object_get(item, "op");
		if (jop && (!fl_json_int64(jop, &op) || op < 0 || op > 3)) {
			snprintf(why, whylen, "row %zu has an op that is not 0 to 3", i);
			return FLINK_E_PROTOCOL;
		}
		rows[i].kind = (enum flink_row_kind)op;
		struct flink_value *f = fl_arena_alloc(&p->arena, (ncols ? ncols : 1) * sizeof(*f));
		for (size_t c = 0; c < ncols; c++) {
			flink_code code = decode_value(&p->arena, json_array_get(row, c), st->cols->cols[c].type, &f[c],
						       why, whylen);
			if (code)
				return code;
		}
		rows[i].fields = f;
	}
	p->pub.rows = rows;
	p->pub.nrows = nrows;
	return FLINK_OK;
}

flink_code flink_cc_fetch(flink_cc *cc, flink_cc_statement *st, struct flink_page **ppage, struct flink_error *err)
{
	if (ppage)
		*ppage = NULL;
	if (!cc || !st || !ppage) {
		fl_err_set(err, FLINK_E_ARG, 0, "no statement given");
		return FLINK_E_ARG;
	}
	struct fl_page *p = fl_xcalloc(1, sizeof(*p));
	p->pub.is_query = st->cols != NULL;
	p->pub.kind = st->cols ? FLINK_KIND_SUCCESS_WITH_CONTENT : FLINK_KIND_SUCCESS;
	p->pub.cols = st->cols ? st->cols->cols : NULL;
	p->pub.ncols = st->cols ? st->cols->n : 0;
	if (st->eos) {
		p->pub.type = FLINK_RESULT_EOS;
		*ppage = &p->pub;
		return FLINK_OK;
	}
	struct fl_buf path = FL_BUF_INIT;
	if (st->next_path)
		fl_buf_adds(&path, st->next_path);
	else
		fl_buf_addf(&path, "%s/%s/results", cc->prefix, st->name);
	struct fl_response rs;
	flink_code code = fl_cc_http(cc, "GET", path.p, NULL, false, &rs, err);
	json_t *root = code ? NULL : fl_parse_object(&rs, "GET", path.p, err);
	if (!code && !root)
		code = FLINK_E_PROTOCOL;
	fl_response_release(&rs);
	if (!code) {
		char why[200] = "";
		code = parse_results(st, root, p, why, sizeof(why));
		if (code)
			fl_err_set(err, code, 0, "results of statement '%s' do not follow the protocol: %s", st->name, why);
	}
	if (code) {
		json_decref(root);
		fl_buf_release(&path);
		flink_page_free(&p->pub);
		return code;
	}
	/* §9.3: the next page is read on our own base with the token of metadata.next (private
	 * endpoints may not be reachable under the host the server names); none ends the results */
	const char *next = fl_json_get_str(json_object_get(root, "metadata"), "next");
	const char *tok = next ? strstr(next, "page_token=") : NULL;
	size_t tl = tok ? strcspn(tok + 11, "&#") : 0;
	free(st->next_path);
	st->next_path = NULL;
	if (tl) {
		struct fl_buf np = FL_BUF_INIT;
		fl_buf_addf(&np, "%s/%s/results?page_token=%.*s", cc->prefix, st->name, (int)tl, tok + 11);
		st->next_path = fl_buf_detach(&np);
		p->pub.type = FLINK_RESULT_PAYLOAD;
	} else {
		st->eos = true;
		p->pub.type = p->pub.nrows ? FLINK_RESULT_PAYLOAD : FLINK_RESULT_EOS;
	}
	json_decref(root);
	fl_buf_release(&path);
	*ppage = &p->pub;
	return FLINK_OK;
}

/* ---------------------------------------------------------------- a whole run */

flink_code flink_cc_run(flink_cc *cc, const struct flink_cc_submit *s, const struct flink_handler *h,
			struct flink_run_info *info, struct flink_error *err)
{
	struct flink_run_info scratch;
	if (!info)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	volatile sig_atomic_t *interrupt = h ? h->interrupt : NULL;
	long long deadline = h && h->timeout_ms > 0 ? fl_now_ms() + h->timeout_ms : 0;
	if (interrupt && *interrupt) {
		fl_err_set(err, FLINK_E_INTERRUPTED, 0, "interrupted before the statement was submitted");
		return FLINK_E_INTERRUPTED;
	}
	flink_cc_statement *st = NULL;
	flink_code code = flink_cc_submit(cc, s, &st, err);
	if (code) {
		/* FAILED in the 201 body: the name is freed for the next try */
		if (st) {
			struct flink_error derr;
			flink_error_init(&derr);
			flink_code dc = flink_cc_delete(cc, st->name, &derr);
			(void)dc;
			flink_error_release(&derr);
		}
		flink_cc_statement_free(st);
		return code;
	}
	/* §9.4: snapshot queries and DDL are read once terminal, streaming queries while RUNNING */
	code = flink_cc_wait(cc, st, true, h ? h->timeout_ms : 0, interrupt, err);
	flink_snapshot *snap = NULL;
	size_t ncols = 0;
	const struct flink_column *cols = flink_cc_statement_columns(st, &ncols);
	info->is_query = cols != NULL;
	info->kind = cols ? FLINK_KIND_SUCCESS_WITH_CONTENT : FLINK_KIND_SUCCESS;
	bool stop = false;
	if (!code && h && h->on_columns && h->on_columns(h->ud, cols, ncols, NULL, cols != NULL))
		stop = true;
	if (!code && !stop && cols && h && h->snapshot) {
		size_t nkey = 0;
		const size_t *key = flink_cc_statement_upsert_columns(st, &nkey);
		snap = flink_snapshot_new(ncols, key, nkey);
	}
	long pause = 100;  /* §9.5: at least 100 ms between two results pages */
	while (!code && !stop && cols) {
		if (interrupt && *interrupt) {
			code = FLINK_E_INTERRUPTED;
			fl_err_set(err, code, 0, "interrupted");
			break;
		}
		if (deadline && fl_now_ms() >= deadline) {
			code = FLINK_E_TIMEOUT;
			fl_err_set(err, code, 0, "statement did not finish within %ld ms", h->timeout_ms);
			break;
		}
		struct flink_page *page = NULL;
		code = flink_cc_fetch(cc, st, &page, err);
		if (code)
			break;
		code = fl_deliver_page(snap, page, h, info, &stop, err);
		if (!snap && h && h->max_rows > 0 && info->rows >= h->max_rows && page->type != FLINK_RESULT_EOS &&
		    !st->eos)
			stop = true;
		bool empty = page->nrows == 0;
		flink_page_free(page);
		if (st->eos) {
			info->eos = true;
			break;
		}
		if (stop)
			break;
		if (empty && fl_sleep_ms(pause, interrupt, NULL))
			continue;
		/* a page ends while the statement runs: read its phase now and then so that a failure shows */
		if (empty) {
			code = flink_cc_refresh(cc, st, err);
			if (!code && (st->phase == FLINK_CC_FAILED || st->phase == FLINK_CC_DEGRADED)) {
				const char *d = flink_cc_statement_detail(st);
				fl_err_set(err, FLINK_E_STATEMENT, 0, "statement '%s' failed: %s", st->name, d);
				if (err)
					err->root_cause = fl_xstrdup(d);
				code = FLINK_E_STATEMENT;
			}
		}
	}
	if (!cols && !code)
		info->eos = true;
	if (snap && !code && info->eos)
		fl_deliver_snapshot(snap, ncols, h);
	flink_snapshot_free(snap);
	if (code)
		fl_err_set_statement(err, s->statement);
	/* §14.1: a foreground statement is deleted once read; a background one (INSERT, CTAS) keeps
	 * running and is left alone */
	bool background = !cols && !flink_cc_phase_terminal(st->phase) && st->phase != FLINK_CC_FAILED;
	if (!background || code == FLINK_E_INTERRUPTED || code == FLINK_E_TIMEOUT) {
		if (cols || flink_cc_phase_terminal(st->phase) || code) {
			struct flink_error derr;
			flink_error_init(&derr);
			flink_code dc = flink_cc_delete(cc, st->name, &derr);
			(void)dc;
			flink_error_release(&derr);
		}
	}
	flink_cc_statement_free(st);
	return code;
}
