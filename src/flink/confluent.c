/*
 * Confluent Cloud's SQL Statements API (`sql/v1`, see sluice/flink.h): statements as named
 * resources of an environment, read back as JSON, polled with backoff, their results paged by
 * page token. It runs on the gateway client's HTTP machinery (fl_http: timeouts, interrupts,
 * retries by request kind, redaction of secrets) through an internal flink_client that never
 * negotiates a gateway version, and hands rows over as the gateway's flink_page / flink_row, so
 * the handler, the snapshot fold and every caller of the gateway's types work on both.
 *
 * Section numbers (§n) are those of the Confluent Statements API reference the project keeps.
 */
#include "flink/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const phase_names[] = {"PENDING", "RUNNING", "COMPLETED", "DELETING", "FAILING",
					  "FAILED", "STOPPING", "STOPPED", "DEGRADED", "UNKNOWN"};

const char *flink_cc_phase_name(enum flink_cc_phase p)
{
	return p <= FLINK_CC_UNKNOWN ? phase_names[p] : "UNKNOWN";
}

bool flink_cc_phase_terminal(enum flink_cc_phase p)
{
	return p == FLINK_CC_COMPLETED || p == FLINK_CC_FAILED || p == FLINK_CC_STOPPED;
}

/* §4.6: phases are an extensible enum; an unknown one is UNKNOWN, never an error */
static enum flink_cc_phase phase_of(const char *s)
{
	for (int i = 0; s && i < FLINK_CC_UNKNOWN; i++)
		if (!strcmp(s, phase_names[i]))
			return (enum flink_cc_phase)i;
	return FLINK_CC_UNKNOWN;
}

/* ---------------------------------------------------------------- connection */

void flink_cc_options_init(struct flink_cc_options *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout_ms = 10000;
	o->request_timeout_ms = 60000;
	o->max_retries = 3;
	o->retry_backoff_ms = 100;
	o->poll_initial_ms = 1000;
	o->poll_max_ms = 30000;
}

/* ids go into URL paths as they are: refuse anything that would change the path */
static bool path_safe(const char *s)
{
	if (!s || !*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_' || *p == '.'))
			return false;
	return true;
}

flink_code flink_cc_connect(const struct flink_cc_options *o, flink_cc **pcc, struct flink_error *err)
{
	if (pcc)
		*pcc = NULL;
	if (!o || !pcc) {
		fl_err_set(err, FLINK_E_ARG, 0, "no options given");
		return FLINK_E_ARG;
	}
	if (!path_safe(o->organization_id) || !path_safe(o->environment_id)) {
		fl_err_set(err, FLINK_E_ARG, 0, "organization_id and environment_id are required (letters, digits, '-', '_')");
		return FLINK_E_ARG;
	}
	struct fl_buf base = FL_BUF_INIT;
	if (o->endpoint && *o->endpoint) {
		/* §1: any base URL (private networking); one trailing '/' is dropped */
		fl_buf_adds(&base, o->endpoint);
		while (base.len && base.p[base.len - 1] == '/')
			base.p[--base.len] = 0;
	} else if (path_safe(o->cloud_provider) && path_safe(o->cloud_region)) {
		/* §1: https://flink.<region>.<provider>.confluent.cloud, provider in lower case */
		fl_buf_adds(&base, "https://flink.");
		fl_buf_adds(&base, o->cloud_region);
		fl_buf_addc(&base, '.');
		for (const char *p = o->cloud_provider; *p; p++)
			fl_buf_addc(&base, (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
		fl_buf_adds(&base, ".confluent.cloud");
	} else {
		fl_err_set(err, FLINK_E_ARG, 0, "give an endpoint, or cloud_provider and cloud_region");
		return FLINK_E_ARG;
	}
	bool basic = o->api_key && *o->api_key;
	bool bearer = o->bearer_token && *o->bearer_token;
	if (basic == bearer) {
		fl_buf_release(&base);
		fl_err_set(err, FLINK_E_ARG, 0, "give either an API key and secret or a bearer token");
		return FLINK_E_ARG;
	}
	if (bearer && !(o->identity_pool_id && *o->identity_pool_id && !strpbrk(o->identity_pool_id, "\r\n"))) {
		fl_buf_release(&base);
		fl_err_set(err, FLINK_E_ARG, 0, "a bearer token needs its identity pool id");
		return FLINK_E_ARG;
	}
	struct flink_client_options co;
	flink_client_options_init(&co);
	co.url = fl_buf_str(&base);
	co.username = basic ? o->api_key : NULL;
	co.password = basic ? (o->api_secret ? o->api_secret : "") : NULL;
	co.bearer_token = bearer ? o->bearer_token : NULL;
	struct fl_buf pool_hdr = FL_BUF_INIT;
	const char *hdrs[2] = {NULL, NULL};
	if (bearer) {
		fl_buf_addf(&pool_hdr, "Confluent-Identity-Pool-Id: %s", o->identity_pool_id);
		hdrs[0] = pool_hdr.p;
		co.headers = hdrs;
	}
	co.ca_file = o->ca_file;
	co.insecure = o->insecure;
	co.connect_timeout_ms = o->connect_timeout_ms;
	co.request_timeout_ms = o->request_timeout_ms;
	co.max_retries = o->max_retries;
	co.retry_backoff_ms = o->retry_backoff_ms > 0 ? o->retry_backoff_ms : 100;
	co.heartbeat_interval_ms = 0;
	co.log = o->log;
	co.log_ud = o->log_ud;
	flink_client *http = NULL;
	flink_code code = fl_client_create(&co, false, o->user_agent, &http, err);
	fl_buf_release(&pool_hdr);
	if (code) {
		fl_buf_release(&base);
		return code;
	}
	flink_cc *cc = fl_xcalloc(1, sizeof(*cc));
	cc->http = http;
	cc->base = fl_buf_detach(&base);
	cc->org = fl_xstrdup(o->organization_id);
	cc->env = fl_xstrdup(o->environment_id);
	cc->pool = o->compute_pool_id && *o->compute_pool_id ? fl_xstrdup(o->compute_pool_id) : NULL;
	cc->database = o->database && *o->database ? fl_xstrdup(o->database) : NULL;
	cc->poll_initial_ms = o->poll_initial_ms > 0 ? o->poll_initial_ms : 1000;
	cc->poll_max_ms = o->poll_max_ms > 0 ? o->poll_max_ms : 30000;
	cc->seed = (unsigned)fl_now_ms() ^ (unsigned)(uintptr_t)cc;
	struct fl_buf p = FL_BUF_INIT;
	fl_buf_addf(&p, "/sql/v1/organizations/%s/environments/%s/statements", cc->org, cc->env);
	cc->prefix = fl_buf_detach(&p);
	*pcc = cc;
	return FLINK_OK;
}

void flink_cc_free(flink_cc *cc)
{
	if (!cc)
		return;
	flink_client_free(cc->http);
	free(cc->base);
	free(cc->prefix);
	free(cc->org);
	free(cc->env);
	free(cc->pool);
	free(cc->database);
	free(cc);
}

const char *flink_cc_base_url(const flink_cc *cc)
{
	return cc ? cc->base : NULL;
}

/* ---------------------------------------------------------------- HTTP */

/* §13.1: errors[].detail joined by "; " (the title when there is no detail) */
static char *error_details(const struct fl_response *rs)
{
	char why[64];
	json_t *root = fl_json_load(fl_buf_str(&rs->body), rs->body.len, why, sizeof(why));
	json_t *errs = json_is_object(root) ? json_object_get(root, "errors") : NULL;
	struct fl_buf b = FL_BUF_INIT;
	size_t i;
	json_t *e;
	json_array_foreach(errs, i, e) {
		const char *d = fl_json_get_str(e, "detail");
		if (!d)
			d = fl_json_get_str(e, "title");
		if (!d)
			continue;
		if (b.len)
			fl_buf_adds(&b, "; ");
		fl_buf_adds(&b, d);
	}
	json_decref(root);
	return b.len ? fl_buf_detach(&b) : NULL;
}

/* One exchange; a non-2xx answer becomes an error naming the status and the server's details.
 * missing_ok: 404 (and 403, §6.1) are FLINK_E_NOT_FOUND */
flink_code fl_cc_http(flink_cc *cc, const char *method, const char *path, const char *body, bool patch,
			  struct fl_response *rs, struct flink_error *err)
{
	struct fl_request rq = {
		.method = method,
		.path = path,
		.body = body,
		.json_patch = patch,
		.retry = strcmp(method, "GET") ? FL_RETRY_NEVER : FL_RETRY_IDEMPOTENT,
	};
	flink_code code = fl_http(cc->http, &rq, rs, err);
	if (code != FLINK_E_HTTP && code != FLINK_E_GATEWAY)
		return code;
	long st = rs->status;
	char *details = error_details(rs);
	code = st == 404 || st == 403 ? FLINK_E_NOT_FOUND : st == 409 ? FLINK_E_CONFLICT : FLINK_E_HTTP;
	const char *what = st == 401 ? "the API key or token was refused"
			   : st == 404 || st == 403 ? "not found (or not visible to these credentials)"
			   : st == 409 ? "conflict"
			   : st == 429 ? "rate limited"
			   : "error";
	fl_err_set(err, code, st, "Confluent Cloud answered %ld (%s) to '%s %s'%s%s", st, what, method, path,
		   details ? ": " : "", details ? details : "");
	if (err && details) {
		err->root_cause = fl_xstrdup(details);
		fl_redact(cc->http, err->message);
		fl_redact(cc->http, err->root_cause);
	}
	free(details);
	fl_err_set_request(err, method, path);
	return code;
}

/* ---------------------------------------------------------------- statements */

/* §8.3: column types use snake_case keys; the gateway's parser reads camelCase */
static json_t *camel_type(const json_t *t)
{
	if (json_is_array(t)) {
		json_t *a = json_array();
		size_t i;
		json_t *x;
		json_array_foreach(t, i, x)
			json_array_append_new(a, camel_type(x));
		return a;
	}
	if (!json_is_object(t))
		return json_deep_copy(t);
	json_t *o = json_object();
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)t, k, v) {
		const char *nk = !strcmp(k, "element_type") ? "elementType"
				 : !strcmp(k, "key_type")   ? "keyType"
				 : !strcmp(k, "value_type") ? "valueType"
				 : !strcmp(k, "field_type") ? "fieldType"
				 : !strcmp(k, "fractional_precision") ? "fractionalPrecision"
				 : !strcmp(k, "class_name") ? "class"
				 : k;
		json_object_set_new(o, nk, camel_type(v));
	}
	return o;
}

static void stmt_clear(flink_cc_statement *st)
{
	json_decref(st->root);
	st->root = NULL;
	free(st->upsert);
	st->upsert = NULL;
	st->nupsert = 0;
	fl_colset_free(st->cols);
	st->cols = NULL;
}

/* Takes a Statement body (§4) into st */
static flink_code stmt_load(flink_cc_statement *st, json_t *root, const char *method, const char *path,
			    struct flink_error *err)
{
	json_t *status = json_object_get(root, "status");
	const char *name = fl_json_get_str(root, "name");
	if (!name || !json_is_object(status) || !fl_json_get_str(status, "phase")) {
		json_decref(root);
		fl_err_set(err, FLINK_E_PROTOCOL, 0, "answer to '%s %s' is not a statement", method, path);
		return FLINK_E_PROTOCOL;
	}
	fl_colset_free(st->cols);
	st->cols = NULL;
	free(st->upsert);
	st->upsert = NULL;
	st->nupsert = 0;
	json_decref(st->root);
	st->root = root;
	if (!st->name)
		st->name = fl_xstrdup(name);
	st->phase_text = fl_json_get_str(status, "phase");
	st->phase = phase_of(st->phase_text);
	const char *snap = fl_json_get_str(json_object_get(json_object_get(root, "spec"), "properties"),
					   "sql.snapshot.mode");
	st->snapshot = snap && !strcmp(snap, "now");
	json_t *traits = json_object_get(status, "traits");
	json_t *up = json_object_get(traits, "upsert_columns");
	if (json_is_array(up) && json_array_size(up)) {
		st->upsert = fl_xcalloc(json_array_size(up), sizeof(size_t));
		size_t i;
		json_t *x;
		json_array_foreach(up, i, x) {
			int64_t v;
			if (fl_json_int64(x, &v) && v >= 0)
				st->upsert[st->nupsert++] = (size_t)v;
		}
	}
	json_t *cols = json_object_get(json_object_get(traits, "schema"), "columns");
	if (json_is_array(cols)) {
		struct fl_colset *cs = fl_xcalloc(1, sizeof(*cs));
		cs->n = json_array_size(cols);
		cs->cols = fl_arena_alloc(&cs->arena, (cs->n ? cs->n : 1) * sizeof(struct flink_column));
		size_t i;
		json_t *c;
		json_array_foreach(cols, i, c) {
			json_t *t = camel_type(json_object_get(c, "type"));
			char why[160] = "";
			const struct flink_type *ft = fl_type_parse(&cs->arena, t, why, sizeof(why));
			json_decref(t);
			const char *cn = fl_json_get_str(c, "name");
			if (!ft || !cn) {
				fl_colset_free(cs);
				fl_err_set(err, FLINK_E_PROTOCOL, 0, "answer to '%s %s' has a bad column type: %s", method,
					   path, why[0] ? why : "no name");
				return FLINK_E_PROTOCOL;
			}
			cs->cols[i].name = fl_arena_strdup(&cs->arena, cn);
			cs->cols[i].type = ft;
		}
		st->cols = cs;
	}
	return FLINK_OK;
}

static flink_code fl_cc_stmt_read(flink_cc *cc, const char *name, flink_cc_statement *st, struct flink_error *err)
{
	struct fl_buf path = FL_BUF_INIT;
	fl_buf_addf(&path, "%s/%s", cc->prefix, name);
	struct fl_response rs;
	flink_code code = fl_cc_http(cc, "GET", path.p, NULL, false, &rs, err);
	if (!code) {
		json_t *root = fl_parse_object(&rs, "GET", path.p, err);
		code = root ? stmt_load(st, root, "GET", path.p, err) : FLINK_E_PROTOCOL;
	}
	fl_response_release(&rs);
	fl_buf_release(&path);
	return code;
}

/* §4.3: the clients' stricter rule, which also satisfies the spec's pattern */
static bool name_ok(const char *n)
{
	size_t len = n ? strlen(n) : 0;
	if (!len || len > 100 || n[0] == '-' || n[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '-'))
			return false;
	return true;
}

flink_code flink_cc_submit(flink_cc *cc, const struct flink_cc_submit *s, flink_cc_statement **pst,
			   struct flink_error *err)
{
	if (pst)
		*pst = NULL;
	if (!cc || !s || !pst || !s->statement || !*s->statement) {
		fl_err_set(err, FLINK_E_ARG, 0, "no statement given");
		return FLINK_E_ARG;
	}
	if (!name_ok(s->name)) {
		fl_err_set(err, FLINK_E_ARG, 0,
			   "bad statement name '%s': use lower-case letters, digits and '-', at most 100, starting and "
			   "ending with a letter or digit", s->name ? s->name : "");
		return FLINK_E_ARG;
	}
	/* §5.1: the body CSQL sends; §11: three properties belong to the client */
	struct fl_buf b = FL_BUF_INIT;
	fl_buf_adds(&b, "{\"name\":");
	fl_json_quote(&b, s->name, strlen(s->name));
	fl_buf_adds(&b, ",\"organization_id\":");
	fl_json_quote(&b, cc->org, strlen(cc->org));
	fl_buf_adds(&b, ",\"environment_id\":");
	fl_json_quote(&b, cc->env, strlen(cc->env));
	fl_buf_adds(&b, ",\"spec\":{\"statement\":");
	fl_json_quote(&b, s->statement, strlen(s->statement));
	fl_buf_adds(&b, ",\"properties\":{\"sql.current-catalog\":");
	fl_json_quote(&b, cc->env, strlen(cc->env));
	if (cc->database) {
		fl_buf_adds(&b, ",\"sql.current-database\":");
		fl_json_quote(&b, cc->database, strlen(cc->database));
	}
	if (s->snapshot)
		fl_buf_adds(&b, ",\"sql.snapshot.mode\":\"now\"");
	for (size_t i = 0; i < s->nproperties; i++) {
		const char *k = s->properties[i].key, *v = s->properties[i].value;
		if (!k || !v || !strcmp(k, "sql.current-catalog") || !strcmp(k, "sql.current-database") ||
		    !strcmp(k, "sql.snapshot.mode")) {
			fl_buf_release(&b);
			fl_err_set(err, FLINK_E_ARG, 0, "'%s' is a reserved system property", k ? k : "");
			return FLINK_E_ARG;
		}
		fl_buf_addc(&b, ',');
		fl_json_quote(&b, k, strlen(k));
		fl_buf_addc(&b, ':');
		fl_json_quote(&b, v, strlen(v));
	}
	fl_buf_addc(&b, '}');
	const char *pool = s->compute_pool_id ? s->compute_pool_id : cc->pool;
	if (pool) {
		fl_buf_adds(&b, ",\"compute_pool_id\":");
		fl_json_quote(&b, pool, strlen(pool));
	}
	fl_buf_adds(&b, ",\"stopped\":false}");
	if (s->nlabels) {
		/* §4.4: labels are user.confluent.io/<label> = "true"; metadata only when there is one */
		fl_buf_adds(&b, ",\"metadata\":{\"labels\":{");
		for (size_t i = 0; i < s->nlabels; i++) {
			struct fl_buf k = FL_BUF_INIT;
			fl_buf_addf(&k, "user.confluent.io/%s", s->labels[i]);
			if (i)
				fl_buf_addc(&b, ',');
			fl_json_quote(&b, k.p, k.len);
			fl_buf_adds(&b, ":\"true\"");
			fl_buf_release(&k);
		}
		fl_buf_adds(&b, "}}");
	}
	fl_buf_addc(&b, '}');
	struct fl_response rs;
	flink_code code = fl_cc_http(cc, "POST", cc->prefix, b.p, false, &rs, err);
	fl_buf_release(&b);
	if (code) {
		fl_response_release(&rs);
		fl_err_set_statement(err, s->statement);
		return code;
	}
	flink_cc_statement *st = fl_xcalloc(1, sizeof(*st));
	json_t *root = fl_parse_object(&rs, "POST", cc->prefix, err);
	code = root ? stmt_load(st, root, "POST", cc->prefix, err) : FLINK_E_PROTOCOL;
	fl_response_release(&rs);
	if (code) {
		flink_cc_statement_free(st);
		return code;
	}
	*pst = st;
	if (st->phase == FLINK_CC_FAILED) {
		/* §5.2: planning errors come back FAILED in the 201 body */
		const char *d = flink_cc_statement_detail(st);
		fl_err_set(err, FLINK_E_STATEMENT, 0, "statement '%s' failed: %s", st->name, d);
		if (err)
			err->root_cause = fl_xstrdup(d);
		fl_err_set_statement(err, s->statement);
		return FLINK_E_STATEMENT;
	}
	return FLINK_OK;
}

flink_code flink_cc_get(flink_cc *cc, const char *name, flink_cc_statement **pst, struct flink_error *err)
{
	if (pst)
		*pst = NULL;
	if (!cc || !pst || !name_ok(name)) {
		fl_err_set(err, FLINK_E_ARG, 0, "bad statement name '%s'", name ? name : "");
		return FLINK_E_ARG;
	}
	flink_cc_statement *st = fl_xcalloc(1, sizeof(*st));
	flink_code code = fl_cc_stmt_read(cc, name, st, err);
	if (code) {
		flink_cc_statement_free(st);
		return code;
	}
	*pst = st;
	return FLINK_OK;
}

flink_code flink_cc_refresh(flink_cc *cc, flink_cc_statement *st, struct flink_error *err)
{
	if (!cc || !st) {
		fl_err_set(err, FLINK_E_ARG, 0, "no statement given");
		return FLINK_E_ARG;
	}
	return fl_cc_stmt_read(cc, st->name, st, err);
}

void flink_cc_statement_free(flink_cc_statement *st)
{
	if (!st)
		return;
	stmt_clear(st);
	free(st->name);
	free(st->next_path);
	free(st);
}

/* ---------------------------------------------------------------- accessors */

static json_t *spec_of(const flink_cc_statement *st)
{
	return json_object_get(st->root, "spec");
}

static json_t *traits_of(const flink_cc_statement *st)
{
	return json_object_get(json_object_get(st->root, "status"), "traits");
}

const char *flink_cc_statement_name(const flink_cc_statement *st)
{
	return st ? st->name : NULL;
}

const char *flink_cc_statement_sql(const flink_cc_statement *st)
{
	return st ? fl_json_get_str(spec_of(st), "statement") : NULL;
}

enum flink_cc_phase flink_cc_statement_phase(const flink_cc_statement *st)
{
	return st ? st->phase : FLINK_CC_UNKNOWN;
}

const char *flink_cc_statement_phase_text(const flink_cc_statement *st)
{
	return st ? st->phase_text : NULL;
}

const char *flink_cc_statement_detail(const flink_cc_statement *st)
{
	const char *d = st ? fl_json_get_str(json_object_get(st->root, "status"), "detail") : NULL;
	return d ? d : "";
}

const char *flink_cc_statement_kind(const flink_cc_statement *st)
{
	return st ? fl_json_get_str(traits_of(st), "sql_kind") : NULL;
}

const char *flink_cc_statement_compute_pool(const flink_cc_statement *st)
{
	return st ? fl_json_get_str(spec_of(st), "compute_pool_id") : NULL;
}

const char *flink_cc_statement_property(const flink_cc_statement *st, const char *key)
{
	return st && key ? fl_json_get_str(json_object_get(spec_of(st), "properties"), key) : NULL;
}

bool flink_cc_statement_has_label(const flink_cc_statement *st, const char *label)
{
	if (!st || !label)
		return false;
	json_t *labels = json_object_get(json_object_get(st->root, "metadata"), "labels");
	struct fl_buf k = FL_BUF_INIT;
	fl_buf_addf(&k, "user.confluent.io/%s", label);
	const char *v = fl_json_get_str(labels, k.p);
	fl_buf_release(&k);
	return v && !strcmp(v, "true");
}

const char *flink_cc_statement_label_like(const flink_cc_statement *st, const char *prefix)
{
	if (!st || !prefix)
		return NULL;
	json_t *labels = json_object_get(json_object_get(st->root, "metadata"), "labels");
	const char *k;
	json_t *v;
	size_t pl = strlen(prefix);
	json_object_foreach(labels, k, v) {
		if (!strncmp(k, "user.confluent.io/", 18) && !strncmp(k + 18, prefix, pl))
			return k + 18;
	}
	return NULL;
}

const char *flink_cc_statement_created_at(const flink_cc_statement *st)
{
	return st ? fl_json_get_str(json_object_get(st->root, "metadata"), "created_at") : NULL;
}

bool flink_cc_statement_stopped(const flink_cc_statement *st)
{
	return st && json_is_true(json_object_get(spec_of(st), "stopped"));
}

bool flink_cc_statement_pool_exhausted(const flink_cc_statement *st)
{
	const char *s = st ? fl_json_get_str(json_object_get(json_object_get(st->root, "status"), "scaling_status"),
					     "scaling_state")
			   : NULL;
	return s && !strcmp(s, "POOL_EXHAUSTED");
}

bool flink_cc_statement_bounded(const flink_cc_statement *st)
{
	return st && json_is_true(json_object_get(traits_of(st), "is_bounded"));
}

bool flink_cc_statement_append_only(const flink_cc_statement *st)
{
	return st && json_is_true(json_object_get(traits_of(st), "is_append_only"));
}

const size_t *flink_cc_statement_upsert_columns(const flink_cc_statement *st, size_t *pn)
{
	if (pn)
		*pn = st ? st->nupsert : 0;
	return st && st->nupsert ? st->upsert : NULL;
}

const struct flink_column *flink_cc_statement_columns(const flink_cc_statement *st, size_t *pn)
{
	if (pn)
		*pn = st && st->cols ? st->cols->n : 0;
	return st && st->cols ? st->cols->cols : NULL;
}

/* ---------------------------------------------------------------- waiting */

static long jitter(flink_cc *cc, long ms)
{
	/* +-25 % */
	long span = ms / 2;
	return span > 0 ? ms - ms / 4 + (long)(rand_r(&cc->seed) % (unsigned)(span + 1)) : ms;
}

/* §9.4: when rows may be read */
static bool readable(const flink_cc_statement *st)
{
	if (flink_cc_phase_terminal(st->phase))
		return true;
	if (st->snapshot)
		return false;
	if (st->phase != FLINK_CC_RUNNING)
		return false;
	if (!st->cols) {
		/* a background statement (INSERT, CTAS) runs on; pure DDL must end first */
		static const char *const ddl[] = {"CREATE_TABLE", "DROP_TABLE", "CREATE_VIEW", "DROP_VIEW", "ALTER_TABLE", NULL};
		const char *k = flink_cc_statement_kind(st);
		for (int i = 0; k && ddl[i]; i++)
			if (!strcmp(k, ddl[i]))
				return false;
		return k != NULL;
	}
	return !flink_cc_statement_bounded(st) || flink_cc_statement_append_only(st);
}

flink_code flink_cc_poll(flink_cc *cc, flink_cc_statement *st, bool for_results, bool *pready,
			 struct flink_error *err)
{
	if (pready)
		*pready = false;
	if (!cc || !st) {
		fl_err_set(err, FLINK_E_ARG, 0, "no statement given");
		return FLINK_E_ARG;
	}
	flink_code code = flink_cc_refresh(cc, st, err);
	if (code)
		return code;
	/* §14.1: FAILED and DEGRADED are errors at once; an exhausted pool frees the name */
	if (st->phase == FLINK_CC_FAILED || st->phase == FLINK_CC_DEGRADED) {
		const char *d = flink_cc_statement_detail(st);
		fl_err_set(err, FLINK_E_STATEMENT, 0, st->phase == FLINK_CC_FAILED ? "statement '%s' failed: %s"
										   : "statement '%s' is in DEGRADED state: %s",
			   st->name, d);
		if (err)
			err->root_cause = fl_xstrdup(d);
		fl_err_set_statement(err, flink_cc_statement_sql(st));
		return FLINK_E_STATEMENT;
	}
	if (st->phase == FLINK_CC_PENDING && flink_cc_statement_pool_exhausted(st)) {
		struct flink_error derr;
		flink_error_init(&derr);
		flink_code dc = flink_cc_delete(cc, st->name, &derr);
		(void)dc;
		flink_error_release(&derr);
		fl_err_set(err, FLINK_E_POOL_EXHAUSTED, 0,
			   "statement '%s' was not accepted for execution: its compute pool is exhausted", st->name);
		return FLINK_E_POOL_EXHAUSTED;
	}
	if (pready)
		*pready = flink_cc_phase_terminal(st->phase) || (for_results && readable(st));
	return FLINK_OK;
}

flink_code flink_cc_wait(flink_cc *cc, flink_cc_statement *st, bool for_results, long timeout_ms,
			 volatile sig_atomic_t *interrupt, struct flink_error *err)
{
	if (!cc || !st) {
		fl_err_set(err, FLINK_E_ARG, 0, "no statement given");
		return FLINK_E_ARG;
	}
	long long deadline = timeout_ms > 0 ? fl_now_ms() + timeout_ms : 0;
	long wait = cc->poll_initial_ms;
	for (bool first = true;; first = false) {
		if (!first) {
			long pause = jitter(cc, wait);
			if (deadline && fl_now_ms() + pause > deadline)
				pause = (long)(deadline - fl_now_ms());
			if (pause > 0 && fl_sleep_ms(pause, interrupt, NULL)) {
				fl_err_set(err, FLINK_E_INTERRUPTED, 0, "interrupted while waiting for statement '%s'", st->name);
				return FLINK_E_INTERRUPTED;
			}
			wait = wait + wait / 2 > cc->poll_max_ms ? cc->poll_max_ms : wait + wait / 2;
		}
		if (interrupt && *interrupt) {
			fl_err_set(err, FLINK_E_INTERRUPTED, 0, "interrupted while waiting for statement '%s'", st->name);
			return FLINK_E_INTERRUPTED;
		}
		bool ready = false;
		flink_code code = flink_cc_poll(cc, st, for_results, &ready, err);
		if (code || ready)
			return code;
		if (deadline && fl_now_ms() >= deadline) {
			fl_err_set(err, FLINK_E_TIMEOUT, 0, "statement '%s' still %s after %ld ms", st->name, st->phase_text,
				   timeout_ms);
			return FLINK_E_TIMEOUT;
		}
	}
}

/* ---------------------------------------------------------------- stop, resume, delete, list */

static flink_code patch_stopped(flink_cc *cc, const char *name, bool stopped, struct flink_error *err)
{
	if (!cc || !name_ok(name)) {
		fl_err_set(err, FLINK_E_ARG, 0, "bad statement name '%s'", name ? name : "");
		return FLINK_E_ARG;
	}
	struct fl_buf path = FL_BUF_INIT;
	fl_buf_addf(&path, "%s/%s", cc->prefix, name);
	struct fl_response rs;
	/* §7.2: RFC 6902 JSON Patch */
	flink_code code = fl_cc_http(cc, "PATCH", path.p, stopped ? "[{\"op\":\"replace\",\"path\":\"/spec/stopped\",\"value\":true}]"
							       : "[{\"op\":\"replace\",\"path\":\"/spec/stopped\",\"value\":false}]",
				  true, &rs, err);
	fl_response_release(&rs);
	fl_buf_release(&path);
	return code;
}

flink_code flink_cc_stop(flink_cc *cc, const char *name, struct flink_error *err)
{
	return patch_stopped(cc, name, true, err);
}

flink_code flink_cc_resume(flink_cc *cc, const char *name, struct flink_error *err)
{
	return patch_stopped(cc, name, false, err);
}

flink_code flink_cc_delete(flink_cc *cc, const char *name, struct flink_error *err)
{
	if (!cc || !name_ok(name)) {
		fl_err_set(err, FLINK_E_ARG, 0, "bad statement name '%s'", name ? name : "");
		return FLINK_E_ARG;
	}
	struct fl_buf path = FL_BUF_INIT;
	fl_buf_addf(&path, "%s/%s", cc->prefix, name);
	struct fl_response rs;
	flink_code code = fl_cc_http(cc, "DELETE", path.p, NULL, false, &rs, err);
	fl_response_release(&rs);
	fl_buf_release(&path);
	if (code == FLINK_E_NOT_FOUND) {
		/* §7.3: already gone */
		flink_error_release(err);
		return FLINK_OK;
	}
	return code;
}

/* the page_token of a next URL, or NULL (§6.2: absent, empty, or an empty token ends paging) */
static char *page_token(const char *next)
{
	const char *p = next ? strstr(next, "page_token=") : NULL;
	if (!p)
		return NULL;
	p += 11;
	size_t n = strcspn(p, "&#");
	return n ? fl_xstrndup(p, n) : NULL;
}

flink_code flink_cc_list(flink_cc *cc, const char *label, flink_cc_statement ***pv, size_t *pn,
			 struct flink_error *err)
{
	if (pv)
		*pv = NULL;
	if (pn)
		*pn = 0;
	if (!cc || !pv || !pn) {
		fl_err_set(err, FLINK_E_ARG, 0, "no connection given");
		return FLINK_E_ARG;
	}
	flink_cc_statement **v = NULL;
	size_t n = 0, cap = 0;
	char *token = NULL;
	flink_code code = FLINK_OK;
	for (int pages = 0; pages < 10000; pages++) {
		struct fl_buf path = FL_BUF_INIT;
		fl_buf_addf(&path, "%s?page_size=100", cc->prefix);
		if (label) {
			char *esc = curl_easy_escape(NULL, label, 0);
			fl_buf_addf(&path, "&label_selector=user.confluent.io%%2F%s%%3Dtrue", esc);
			curl_free(esc);
		}
		if (token)
			fl_buf_addf(&path, "&page_token=%s", token);
		struct fl_response rs;
		code = fl_cc_http(cc, "GET", path.p, NULL, false, &rs, err);
		json_t *root = code ? NULL : fl_parse_object(&rs, "GET", path.p, err);
		if (!code && !root)
			code = FLINK_E_PROTOCOL;
		fl_response_release(&rs);
		if (code) {
			fl_buf_release(&path);
			break;
		}
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(root, "data"), i, item) {
			flink_cc_statement *st = fl_xcalloc(1, sizeof(*st));
			if (stmt_load(st, json_incref(item), "GET", path.p, NULL)) {
				flink_cc_statement_free(st);
				continue;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				v = fl_xrealloc(v, cap * sizeof(*v));
			}
			v[n++] = st;
		}
		char *next = page_token(fl_json_get_str(json_object_get(root, "metadata"), "next"));
		json_decref(root);
		fl_buf_release(&path);
		/* a token that does not move on would page forever */
		if (!next || (token && !strcmp(next, token))) {
			free(next);
			break;
		}
		free(token);
		token = next;
	}
	free(token);
	if (code) {
		flink_cc_list_free(v, n);
		return code;
	}
	*pv = v;
	*pn = n;
	return FLINK_OK;
}

void flink_cc_list_free(flink_cc_statement **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		flink_cc_statement_free(v[i]);
	free(v);
}
