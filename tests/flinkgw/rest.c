/*
 * The REST endpoint of the gateway double: HTTP (libmicrohttpd), routing per API version, request
 * bodies and path parameters, and one handler per endpoint of §3 of the REST reference. It is
 * strict on purpose: whatever a real gateway refuses, it refuses with the same status and the
 * same error text, so a client that passes against it has been told "no" the way Flink says it.
 *
 * DESIGN
 * One thread per connection (libmicrohttpd's THREAD_PER_CONNECTION), because handlers block: a
 * POST …/statements waits while the session executes another statement, a fault delays or
 * stalls a request. A request goes through the same steps as in Flink's RouterHandler and
 * AbstractHandler, in the same order, since the order decides which error a bad request gets:
 *   1. the raw URI (taken before libmicrohttpd unescapes it) is split into path and query; the
 *      path is percent-decoded, then each segment again with '+' as space (Netty decodes twice),
 *      slashes at both ends are ignored;
 *   2. fault rules are matched (the admin API sets them) and may drop, delay or answer it;
 *   3. routing: a leading /vN picks a stable version of this Flink release, anything else is the
 *      default version; no route for (method, path) in that version is a 404 "Not found: <uri>";
 *   4. the body is read as the endpoint's request class (empty = {}, unknown fields ignored,
 *      scalars coerced as Jackson does); 5. path parameters (UUIDs, the token), then the
 *      rowFormat query parameter, are resolved; both give 400s with Flink's texts;
 *   6. the handler runs under gw.mu, which ops.c releases while it waits or runs the engine.
 * Every request is numbered on arrival and logged (reqlog.c) once it is answered.
 */
#include "gw.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "core/arena.h"
#include "core/log.h"

#define MAX_BODY (16u << 20)

/* ---- versions ----------------------------------------------------------------------------- */

int gw_parse_version(const char *v, unsigned *pversions, int *pdefault, bool *pv116)
{
	int major = 0, minor = 0;
	if (!v || sscanf(v, "%d.%d", &major, &minor) != 2)
		return -1;
	*pv116 = false;
	if (major == 1 && minor == 16) {
		*pversions = GW_V1;
		*pdefault = 1;
		*pv116 = true;
	} else if (major == 1 && minor >= 17 && minor <= 19) {
		*pversions = GW_V1 | GW_V2;
		*pdefault = 2;
	} else if (major == 1 && minor == 20) {
		*pversions = GW_V1 | GW_V2 | GW_V3;
		*pdefault = 3;
	} else if (major >= 2) {
		*pversions = GW_V1 | GW_V2 | GW_V3 | GW_V4;
		*pdefault = 4;
	} else {
		return -1;
	}
	return 0;
}

/* ---- routes ------------------------------------------------------------------------------- */

enum ep {
	EP_API_VERSIONS, EP_INFO, EP_OPEN, EP_GET_SESSION, EP_CLOSE_SESSION, EP_HEARTBEAT, EP_CONFIGURE,
	EP_COMPLETE, EP_EXECUTE, EP_STATUS, EP_CANCEL, EP_CLOSE_OP, EP_FETCH, EP_REFRESH, EP_SCRIPTS,
	EP_WF_CREATE, EP_WF_SUSPEND, EP_WF_RESUME, EP_WF_DELETE,
};

enum ftype { F_STRING, F_LONG, F_INT, F_BOOL, F_MAP, F_ANY };

struct field {
	const char *name;
	enum ftype type;
};

struct body_class {
	const char *name;   /* qualified below org.apache.flink */
	struct field fields[6];
};

static const struct body_class B_EMPTY = {"runtime.rest.messages.EmptyRequestBody", {{0}}};
static const struct body_class B_OPEN = {"table.gateway.rest.message.session.OpenSessionRequestBody", {{"sessionName", F_STRING}, {"properties", F_MAP}}};
static const struct body_class B_CONFIGURE = {"table.gateway.rest.message.session.ConfigureSessionRequestBody",
					      {{"statement", F_STRING}, {"executionTimeout", F_LONG}}};
static const struct body_class B_COMPLETE = {"table.gateway.rest.message.statement.CompleteStatementRequestBody",
					     {{"statement", F_STRING}, {"position", F_INT}}};
static const struct body_class B_EXECUTE = {
	"table.gateway.rest.message.statement.ExecuteStatementRequestBody",
	{{"statement", F_STRING}, {"executionTimeout", F_LONG}, {"executionConfig", F_MAP}}};
static const struct body_class B_REFRESH = {"table.gateway.rest.message.materializedtable.RefreshMaterializedTableRequestBody",
					    {{"isPeriodic", F_BOOL},
					     {"scheduleTime", F_STRING},
					     {"dynamicOptions", F_MAP},
					     {"staticPartitions", F_MAP},
					     {"executionConfig", F_MAP}}};
static const struct body_class B_SCRIPTS = {
	"table.gateway.rest.message.application.DeployScriptRequestBody", {{"script", F_STRING}, {"scriptUri", F_STRING}, {"executionConfig", F_MAP}}};
static const struct body_class B_WF_CREATE = {"table.gateway.rest.message.materializedtable.scheduler.CreateEmbeddedSchedulerWorkflowRequestBody",
					      {{"materializedTableIdentifier", F_STRING},
					       {"cronExpression", F_STRING},
					       {"initConfig", F_ANY},
					       {"executionConfig", F_ANY},
					       {"restEndpointUrl", F_STRING}}};
static const struct body_class B_WF = {"table.gateway.rest.message.materializedtable.scheduler.EmbeddedSchedulerWorkflowRequestBody",
				       {{"workflowName", F_STRING}, {"workflowGroup", F_STRING}}};
static const struct body_class B_WF_RESUME = {
	"table.gateway.rest.message.materializedtable.scheduler.ResumeEmbeddedSchedulerWorkflowRequestBody",
	{{"workflowName", F_STRING}, {"workflowGroup", F_STRING}, {"dynamicOptions", F_ANY}}};

#define ALLV (GW_V1 | GW_V2 | GW_V3 | GW_V4)
#define V2UP (GW_V2 | GW_V3 | GW_V4)

struct route {
	const char *method;
	const char *pattern;   /* segments; ':x' is a parameter */
	unsigned versions;
	enum ep ep;
	const struct body_class *body;
};

static const struct route routes[] = {
	{"GET", "api_versions", ALLV, EP_API_VERSIONS, &B_EMPTY},
	{"GET", "info", ALLV, EP_INFO, &B_EMPTY},
	{"POST", "sessions", ALLV, EP_OPEN, &B_OPEN},
	{"GET", "sessions/:session_handle", ALLV, EP_GET_SESSION, &B_EMPTY},
	{"DELETE", "sessions/:session_handle", ALLV, EP_CLOSE_SESSION, &B_EMPTY},
	{"POST", "sessions/:session_handle/heartbeat", ALLV, EP_HEARTBEAT, &B_EMPTY},
	{"POST", "sessions/:session_handle/configure-session", V2UP, EP_CONFIGURE, &B_CONFIGURE},
	{"GET", "sessions/:session_handle/complete-statement", V2UP, EP_COMPLETE, &B_COMPLETE},
	{"POST", "sessions/:session_handle/statements", ALLV, EP_EXECUTE, &B_EXECUTE},
	{"GET", "sessions/:session_handle/operations/:operation_handle/status", ALLV, EP_STATUS, &B_EMPTY},
	{"POST", "sessions/:session_handle/operations/:operation_handle/cancel", ALLV, EP_CANCEL, &B_EMPTY},
	{"DELETE", "sessions/:session_handle/operations/:operation_handle/close", ALLV, EP_CLOSE_OP, &B_EMPTY},
	{"GET", "sessions/:session_handle/operations/:operation_handle/result/:token", ALLV, EP_FETCH, &B_EMPTY},
	{"POST", "sessions/:session_handle/materialized-tables/:identifier/refresh", GW_V3, EP_REFRESH, &B_REFRESH},
	{"POST", "sessions/:session_handle/scripts", GW_V4, EP_SCRIPTS, &B_SCRIPTS},
	{"POST", "workflow/embedded-scheduler/create", GW_V3, EP_WF_CREATE, &B_WF_CREATE},
	{"POST", "workflow/embedded-scheduler/suspend", GW_V3, EP_WF_SUSPEND, &B_WF},
	{"POST", "workflow/embedded-scheduler/resume", GW_V3, EP_WF_RESUME, &B_WF_RESUME},
	{"DELETE", "workflow/embedded-scheduler/delete", GW_V3, EP_WF_DELETE, &B_WF},
};

#define MAX_SEGS 16

struct params {
	const char *session;     /* decoded segment values, or NULL */
	const char *operation;
	const char *token;
	const char *identifier;
};

static bool match(const struct route *r, char **segs, int nsegs, struct params *pp)
{
	char pat[256];
	snprintf(pat, sizeof(pat), "%s", r->pattern);
	int i = 0;
	struct params p = {0};
	for (char *save = NULL, *t = strtok_r(pat, "/", &save); t; t = strtok_r(NULL, "/", &save), i++) {
		if (i >= nsegs)
			return false;
		if (t[0] == ':') {
			if (!strcmp(t, ":session_handle"))
				p.session = segs[i];
			else if (!strcmp(t, ":operation_handle"))
				p.operation = segs[i];
			else if (!strcmp(t, ":token"))
				p.token = segs[i];
			else
				p.identifier = segs[i];
		} else if (strcmp(t, segs[i])) {
			return false;
		}
	}
	if (i != nsegs)
		return false;
	*pp = p;
	return true;
}

/* ---- the request -------------------------------------------------------------------------- */

struct ctx {
	struct gw *g;
	struct MHD_Connection *c;
	const char *method;
	struct gw_req *r;
	long seq;
	int version;        /* the version the handler believes it serves */
	const struct route *route;
	struct params p;
	char sh[37], oh[37];
	long token;
	json_t *body;       /* the request body, normalized (NULL: none or invalid) */
	json_t *raw_json;   /* the body as sent, for the log */
	const char *statement;
	struct gw_fault_hit fault;
	/* the answer */
	int status;
	char *answer;
	const char *log_session;
	char new_session[37];
	bool drop;
};

static void answer(struct ctx *x, int status, char *body)
{
	x->status = status;
	free(x->answer);
	x->answer = body;
}

static char *dup_json(json_t *v)
{
	char *s = jw_dump(v);
	json_decref(v);
	return s;
}

/* ---- request bodies ----------------------------------------------------------------------- */

static const char *java_type(enum ftype t)
{
	switch (t) {
	case F_STRING: return "java.lang.String";
	case F_LONG: return "java.lang.Long";
	case F_INT: return "int";
	case F_BOOL: return "boolean";
	case F_MAP: return "java.util.Map<java.lang.String,java.lang.String>";
	case F_ANY: return "java.lang.Object";
	}
	return "java.lang.Object";
}

static const char *json_token(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "Object value (token `JsonToken.START_OBJECT`)";
	case JSON_ARRAY: return "Array value (token `JsonToken.START_ARRAY`)";
	case JSON_STRING: return "String value";
	case JSON_TRUE:
	case JSON_FALSE: return "Boolean value";
	default: return "value";
	}
}

/* A scalar as Jackson coerces it into a String */
static json_t *as_string(json_t *v)
{
	if (json_is_string(v) || json_is_null(v))
		return json_incref(v);
	if (json_is_integer(v))
		return json_sprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v)) {
		struct sb s = SB_INIT;
		jw_java_double(&s, json_real_value(v));
		json_t *j = json_string(s.buf);
		sb_release(&s);
		return j;
	}
	if (json_is_boolean(v))
		return json_string(json_is_true(v) ? "true" : "false");
	return NULL;
}

static json_t *coerce(json_t *v, enum ftype t)
{
	switch (t) {
	case F_ANY: return json_incref(v);
	case F_STRING: return as_string(v);
	case F_LONG:
	case F_INT: {
		long n;
		if (json_is_null(v))
			return json_incref(v);
		if (json_is_integer(v))
			return t == F_INT && (json_integer_value(v) > 2147483647 || json_integer_value(v) < -2147483648LL)
				       ? NULL
				       : json_incref(v);
		if (json_is_real(v))
			return json_integer((json_int_t)json_real_value(v));
		if (json_is_string(v) && gw_parse_long(json_string_value(v), &n))
			return json_integer(n);
		return NULL;
	}
	case F_BOOL:
		if (json_is_boolean(v) || json_is_null(v))
			return json_incref(v);
		if (json_is_string(v) && (!strcmp(json_string_value(v), "true") || !strcmp(json_string_value(v), "false")))
			return json_boolean(!strcmp(json_string_value(v), "true"));
		if (json_is_integer(v))
			return json_boolean(json_integer_value(v) != 0);
		return NULL;
	case F_MAP: {
		if (json_is_null(v))
			return json_incref(v);
		if (!json_is_object(v))
			return NULL;
		json_t *m = json_object();
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) {
			json_t *s = as_string(x);
			if (!s) {
				json_decref(m);
				return NULL;
			}
			json_object_set_new(m, k, s);
		}
		return m;
	}
	}
	return NULL;
}

/* Reads the body as the route's request class; on failure answers the 400 and returns -1 */
static int read_body(struct ctx *x)
{
	const struct body_class *bc = x->route->body;
	struct gw_causes cause = {0};
	char msg[256];
	const char *simple = strrchr(bc->name, '.') + 1;
	snprintf(msg, sizeof(msg), "Request did not match expected format %s.", simple);
	if (!x->raw_json) {
		if (x->r->body.len == 0) {
			x->body = json_object();
			return 0;
		}
		json_error_t e;
		json_t *v = json_loadb(x->r->body.buf, x->r->body.len, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &e);
		if (!v) {
			gw_causes_add(&cause, "org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParseException",
				      "%s\n at [Source: (org.apache.flink.shaded.netty4.io.netty.buffer.ByteBufInputStream); line: %d, column: %d]",
				      e.text, e.line, e.column);
			answer(x, 400, gw_err_handled(CTX_REQUEST, msg, &cause));
			gw_causes_release(&cause);
			return -1;
		}
		x->raw_json = v;
	}
	json_t *v = x->raw_json;
	if (json_is_null(v)) {
		x->body = json_object();
		return 0;
	}
	if (!json_is_object(v)) {
		gw_causes_add(&cause,
			      "org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.exc.MismatchedInputException",
			      "Cannot deserialize value of type `org.apache.flink.%s` from %s",
			      bc->name, json_token(v));
		answer(x, 400, gw_err_handled(CTX_REQUEST, msg, &cause));
		gw_causes_release(&cause);
		return -1;
	}
	json_t *out = json_object();
	for (const struct field *f = bc->fields; f->name; f++) {
		json_t *fv = json_object_get(v, f->name);
		if (!fv)
			continue;
		json_t *c = coerce(fv, f->type);
		if (!c) {
			gw_causes_add(&cause,
				      "org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.exc.MismatchedInputException",
				      "Cannot deserialize value of type `%s` from %s (through reference chain: "
				      "org.apache.flink.%s[\"%s\"])",
				      java_type(f->type), json_token(fv), bc->name, f->name);
			answer(x, 400, gw_err_handled(CTX_REQUEST, msg, &cause));
			gw_causes_release(&cause);
			json_decref(out);
			return -1;
		}
		json_object_set_new(out, f->name, c);
	}
	x->body = out;
	return 0;
}

static const char *body_str(struct ctx *x, const char *k)
{
	return json_string_value(json_object_get(x->body, k));
}

static long body_long(struct ctx *x, const char *k)
{
	json_t *v = json_object_get(x->body, k);
	return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

static json_t *body_map(struct ctx *x, const char *k)
{
	json_t *v = json_object_get(x->body, k);
	return json_is_object(v) ? v : NULL;
}

/* ---- path and query parameters ------------------------------------------------------------ */

static int bad_param(struct ctx *x, const char *kind, const char *key, const char *value)
{
	struct gw_causes cause = {0};
	gw_causes_add(&cause, "org.apache.flink.runtime.rest.handler.HandlerRequestException",
		      "Cannot resolve %s parameter (%s) from value \"%s\".", kind, key, value);
	char *msg = NULL;
	struct sb m = SB_INIT;
	sb_addf(&m, "Bad request, could not parse parameters: %s", cause.v[0].msg);
	msg = sb_detach(&m, NULL);
	answer(x, 400, gw_err_handled(CTX_REQUEST, msg, &cause));
	free(msg);
	gw_causes_release(&cause);
	return -1;
}

static int resolve_path(struct ctx *x)
{
	if (x->p.session && !gw_uuid_canon(x->p.session, x->sh))
		return bad_param(x, "path", "session_handle", x->p.session);
	if (x->p.operation && !gw_uuid_canon(x->p.operation, x->oh))
		return bad_param(x, "path", "operation_handle", x->p.operation);
	if (x->p.token && !gw_parse_long(x->p.token, &x->token))
		return bad_param(x, "path", "token", x->p.token);
	return 0;
}

/* The values of a query parameter, Netty-decoded, joined with ',' as HandlerRequest does */
static int query_param(const char *uri, const char *key, struct sb *joined, int *pcount)
{
	const char *q = strchr(uri, '?');
	*pcount = 0;
	if (!q)
		return 0;
	q++;
	while (*q) {
		size_t n = strcspn(q, "&;");
		const char *eq = memchr(q, '=', n);
		size_t kn = eq ? (size_t)(eq - q) : n;
		struct sb k = SB_INIT, v = SB_INIT;
		if (gw_decode_component(q, kn, true, &k) == 0 && !strcmp(k.buf, key)) {
			if (eq)
				gw_decode_component(eq + 1, n - kn - 1, true, &v);
			if ((*pcount)++)
				sb_addc(joined, ',');
			sb_add(joined, v.buf, v.len);
		}
		sb_release(&k);
		sb_release(&v);
		q += n;
		if (*q)
			q++;
	}
	return 0;
}

/* rowFormat (V2+ fetch): 0 JSON, 1 PLAIN_TEXT; -1 after answering the 400 */
static int resolve_row_format(struct ctx *x, bool *pplain, char **plist)
{
	struct sb joined = SB_INIT;
	int count = 0;
	*pplain = false;
	*plist = NULL;
	query_param(x->r->uri, "rowFormat", &joined, &count);
	if (!count) {
		sb_release(&joined);
		return 0;
	}
	/* MessageQueryParameter splits the joined text on ',' and converts each value */
	struct sb list = SB_INIT;
	int n = 0;
	bool plain = false;
	char *save = NULL;
	char *copy = xstrdup(joined.buf);
	const char *p = copy;
	bool ok = true;
	for (;;) {
		size_t len = strcspn(p, ",");
		char val[64];
		if (len >= sizeof(val))
			ok = false;
		else {
			memcpy(val, p, len);
			val[len] = 0;
			for (char *c = val; *c; c++)
				*c = (char)toupper((unsigned char)*c);
			if (!strcmp(val, "JSON") || !strcmp(val, "PLAIN_TEXT")) {
				plain = !strcmp(val, "PLAIN_TEXT");
				sb_addf(&list, "%s%s", n++ ? ", " : "", val);
			} else {
				ok = false;
			}
		}
		if (!ok || !p[len])
			break;
		p += len + 1;
	}
	(void)save;
	free(copy);
	if (!ok) {
		bad_param(x, "query", "rowFormat", joined.buf);
		sb_release(&joined);
		sb_release(&list);
		return -1;
	}
	sb_release(&joined);
	*pplain = plain;
	if (n > 1)
		*plist = sb_detach(&list, NULL);
	else
		sb_release(&list);
	return 0;
}

/* ---- handlers ----------------------------------------------------------------------------- */

static void handled_error(struct ctx *x, enum gw_ctx c, const char *what, struct gw_causes *chain)
{
	/* RestHandlerException(e.getMessage(), 500, e) around SqlGatewayException(what, cause) */
	struct gw_causes all = {0};
	gw_causes_add(&all, JAVA_GW_EXC, "%s", what);
	for (int i = 0; i < chain->n; i++)
		gw_causes_add(&all, chain->v[i].cls, chain->v[i].msg ? "%s" : NULL, chain->v[i].msg);
	answer(x, 500, gw_err_handled(c, what, &all));
	gw_causes_release(&all);
}

static void no_session(struct ctx *x, enum gw_ctx c, const char *what)
{
	struct gw_causes chain = {0};
	gw_causes_add(&chain, JAVA_GW_EXC, "Session '%s' does not exist.", x->sh);
	handled_error(x, c, what, &chain);
	gw_causes_release(&chain);
}

static void no_operation(struct ctx *x, const char *what)
{
	struct gw_causes chain = {0};
	gw_causes_add(&chain, JAVA_GW_EXC, "Can not find the submitted operation in the OperationManager with the %s.",
		      x->oh);
	handled_error(x, CTX_OPERATION, what, &chain);
	gw_causes_release(&chain);
}

/* An unhandled error: SqlGatewayException(what) caused by chain (chain may be empty) */
static void unhandled(struct ctx *x, enum gw_ctx c, const char *what, struct gw_causes *chain)
{
	struct gw_causes all = {0};
	if (what)
		gw_causes_add(&all, JAVA_GW_EXC, "%s", what);
	for (int i = 0; chain && i < chain->n; i++)
		gw_causes_add(&all, chain->v[i].cls, chain->v[i].msg ? "%s" : NULL, chain->v[i].msg);
	answer(x, 500, gw_err_unhandled(c, &all));
	gw_causes_release(&all);
}

static void unhandled1(struct ctx *x, enum gw_ctx c, const char *what, const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void unhandled1(struct ctx *x, enum gw_ctx c, const char *what, const char *cls, const char *fmt, ...)
{
	struct gw_causes chain = {0};
	va_list ap;
	va_start(ap, fmt);
	struct sb m = SB_INIT;
	sb_vaddf(&m, fmt, ap);
	va_end(ap);
	gw_causes_add(&chain, cls, "%s", m.buf);
	sb_release(&m);
	unhandled(x, c, what, &chain);
	gw_causes_release(&chain);
}

static void h_api_versions(struct ctx *x)
{
	json_t *v = json_array();
	for (int i = 1; i <= 4; i++)
		if (x->g->versions & (1u << (i - 1)))
			json_array_append_new(v, json_sprintf("V%d", i));
	answer(x, 200, dup_json(json_pack("{s:o}", "versions", v)));
}

static void h_info(struct ctx *x)
{
	answer(x, 200, dup_json(json_pack("{s:s,s:s}", "productName", "Apache Flink", "version", x->g->o.flink_version)));
}

static void h_open(struct ctx *x)
{
	struct gw_session *s = gw_session_open(x->g, body_str(x, "sessionName"), body_map(x, "properties"));
	snprintf(x->new_session, sizeof(x->new_session), "%s", s->id);
	x->log_session = x->new_session;
	answer(x, 200, dup_json(json_pack("{s:s}", "sessionHandle", s->id)));
	gw_session_put(x->g, s);
}

static void h_get_session(struct ctx *x, struct gw_session *s)
{
	json_t *cfg = fg_session_config(s->fs);
	answer(x, 200, dup_json(json_pack("{s:o}", "properties", cfg ? cfg : json_object())));
}

static void h_configure(struct ctx *x, struct gw_session *s)
{
	struct gw_causes chain = {0};
	int rc = gw_configure(x->g, s, x->statement, &x->fault, &chain);
	gw_record_statement(x->g, x->seq, s->id, NULL, x->statement, NULL, rc ? "ERROR" : "FINISHED");
	if (rc)
		unhandled(x, CTX_CONFIGURE, "Failed to configure session.", &chain);
	else
		answer(x, 200, xstrdup("{}"));
	gw_causes_release(&chain);
}

static const char *const keywords[] = {
	"ADD", "ALTER", "ANALYZE", "BEGIN", "CALL", "COMPILE", "CREATE", "DELETE", "DESC", "DESCRIBE", "DROP", "END",
	"EXECUTE", "EXPLAIN", "FROM", "GROUP", "INSERT", "INTO", "JOIN", "LOAD", "ORDER", "RESET", "SELECT", "SET",
	"SHOW", "STOP", "TABLE", "TRUNCATE", "UNLOAD", "UPDATE", "USE", "VALUES", "VIEW", "WHERE", "WITH",
};

static void h_complete(struct ctx *x)
{
	const char *stmt = x->statement ? x->statement : "";
	long pos = body_long(x, "position");
	size_t n = strlen(stmt);
	if (pos < 0 || (size_t)pos > n) {
		unhandled1(x, CTX_COMPLETE, "Failed to getCompletionHints.", "java.lang.StringIndexOutOfBoundsException",
			   "begin 0, end %ld, length %zu", pos, n);
		return;
	}
	size_t start = (size_t)pos;
	while (start > 0 && (isalnum((unsigned char)stmt[start - 1]) || stmt[start - 1] == '_'))
		start--;
	json_t *c = json_array();
	size_t plen = (size_t)pos - start;
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (plen && !strncasecmp(keywords[i], stmt + start, plen))
			json_array_append_new(c, json_string(keywords[i]));
	answer(x, 200, dup_json(json_pack("{s:o}", "candidates", c)));
}

static void h_execute(struct ctx *x, struct gw_session *s)
{
	struct gw_causes chain = {0};
	struct gw_op *op = gw_op_submit(x->g, s, x->seq, x->statement, body_map(x, "executionConfig"), &x->fault, &chain);
	if (!op) {
		unhandled(x, CTX_EXECUTE, "Failed to execute statement.", &chain);
		gw_causes_release(&chain);
		return;
	}
	gw_record_statement(x->g, x->seq, s->id, op->id, x->statement, body_map(x, "executionConfig"), NULL);
	answer(x, 200, dup_json(json_pack("{s:s}", "operationHandle", op->id)));
	gw_op_put(x->g, op);
}

static void h_status(struct ctx *x, struct gw_session *s, const char *what)
{
	struct gw_op *op = gw_op_find(s, x->oh);
	if (!op) {
		no_operation(x, what);
		return;
	}
	answer(x, 200, dup_json(json_pack("{s:s}", "status", gw_status_name(op->status))));
}

static void h_cancel(struct ctx *x, struct gw_session *s)
{
	struct gw_op *op = gw_op_find(s, x->oh);
	if (!op) {
		no_operation(x, "Failed to cancelOperation.");
		return;
	}
	char msg[256];
	if (gw_op_cancel(x->g, op, msg, sizeof(msg))) {
		struct gw_causes chain = {0};
		gw_causes_add(&chain, JAVA_GW_EXC, "%s", msg);
		handled_error(x, CTX_OPERATION, "Failed to cancelOperation.", &chain);
		gw_causes_release(&chain);
		return;
	}
	answer(x, 200, dup_json(json_pack("{s:s}", "status", gw_status_name(op->status))));
}

static void next_uri(struct ctx *x, struct sb *out, long token, bool plain)
{
	sb_addf(out, "/v%d/sessions/%s/operations/%s/result/%ld", x->version, x->sh, x->oh, token);
	if (x->version > 1)
		sb_addf(out, "?rowFormat=%s", plain ? "PLAIN_TEXT" : "JSON");
}

static void h_fetch(struct ctx *x, struct gw_session *s, bool plain, const char *multi)
{
	if (multi) {
		/* HandlerRequestUtils.getQueryParameter wants one value */
		char msg[256];
		snprintf(msg, sizeof(msg), "Expected only one value [%s].", multi);
		answer(x, 400, gw_err_handled(CTX_FETCH, msg, NULL));
		return;
	}
	char outer[256];
	snprintf(outer, sizeof(outer), "%s: Failed to fetchResults.", JAVA_GW_EXC);
	if (!s) {
		struct gw_causes chain = {0};
		gw_causes_add(&chain, JAVA_GW_EXC, "Failed to fetchResults.");
		gw_causes_add(&chain, JAVA_GW_EXC, "Session '%s' does not exist.", x->sh);
		unhandled(x, CTX_FETCH, outer, &chain);
		gw_causes_release(&chain);
		return;
	}
	struct gw_op *op = gw_op_find(s, x->oh);
	if (!op) {
		struct gw_causes chain = {0};
		gw_causes_add(&chain, JAVA_GW_EXC, "Failed to fetchResults.");
		gw_causes_add(&chain, JAVA_GW_EXC,
			      "Can not find the submitted operation in the OperationManager with the %s.", x->oh);
		unhandled(x, CTX_FETCH, outer, &chain);
		gw_causes_release(&chain);
		return;
	}
	struct gw_page pg;
	gw_fetch(x->g, op, x->token, &pg);
	struct sb b = SB_INIT;
	switch (pg.kind) {
	case PG_ERROR: {
		struct gw_causes chain = {0};
		gw_causes_add(&chain, JAVA_GW_EXC, "Failed to fetchResults.");
		for (int i = 0; i < pg.causes.n; i++)
			gw_causes_add(&chain, pg.causes.v[i].cls, pg.causes.v[i].msg ? "%s" : NULL, pg.causes.v[i].msg);
		unhandled(x, CTX_FETCH, outer, &chain);
		gw_causes_release(&chain);
		gw_page_release(&pg);
		sb_release(&b);
		return;
	}
	case PG_NOT_READY:
		if (x->g->v116) {
			sb_adds(&b, "{\"results\":{\"columns\":[],\"data\":[]},\"resultType\":\"NOT_READY\",\"nextResultUri\":");
			struct sb u = SB_INIT;
			next_uri(x, &u, 0, plain);
			jw_string(&b, u.buf);
			sb_release(&u);
			sb_addc(&b, '}');
		} else {
			sb_adds(&b, "{\"resultType\":\"NOT_READY\",\"nextResultUri\":");
			struct sb u = SB_INIT;
			next_uri(x, &u, 0, plain);
			jw_string(&b, u.buf);
			sb_release(&u);
			sb_addc(&b, '}');
		}
		break;
	case PG_PAYLOAD:
	case PG_EOS: {
		const char *type = pg.kind == PG_PAYLOAD ? "PAYLOAD" : "EOS";
		json_t *rows = pg.rows ? pg.rows : json_array();
		if (x->g->v116) {
			sb_adds(&b, "{\"results\":{\"columns\":");
			jw_value(&b, pg.columns);
			sb_adds(&b, ",\"data\":");
			jw_rows(&b, pg.columns, rows, false);
			sb_addf(&b, "},\"resultType\":\"%s\",\"nextResultUri\":", type);
			if (pg.kind == PG_PAYLOAD) {
				struct sb u = SB_INIT;
				next_uri(x, &u, pg.next_token, plain);
				jw_string(&b, u.buf);
				sb_release(&u);
			} else {
				sb_adds(&b, "null");
			}
			sb_addc(&b, '}');
		} else {
			sb_addf(&b, "{\"resultType\":\"%s\",\"isQueryResult\":%s", type, pg.is_query ? "true" : "false");
			if (pg.job_id[0])
				sb_addf(&b, ",\"jobID\":\"%s\"", pg.job_id);
			sb_addf(&b, ",\"resultKind\":\"%s\",\"results\":{\"columns\":", pg.result_kind);
			jw_value(&b, pg.columns);
			sb_addf(&b, ",\"rowFormat\":\"%s\",\"data\":", plain ? "PLAIN_TEXT" : "JSON");
			jw_rows(&b, pg.columns, rows, plain);
			sb_addc(&b, '}');
			if (pg.kind == PG_PAYLOAD) {
				sb_adds(&b, ",\"nextResultUri\":");
				struct sb u = SB_INIT;
				next_uri(x, &u, pg.next_token, plain);
				jw_string(&b, u.buf);
				sb_release(&u);
			}
			sb_addc(&b, '}');
		}
		if (!pg.rows)
			json_decref(rows);
		break;
	}
	}
	gw_page_release(&pg);
	answer(x, 200, sb_detach(&b, NULL));
}

static void h_refresh(struct ctx *x, struct gw_session *s)
{
	if (!s) {
		no_session(x, CTX_REFRESH, "Failed to refreshMaterializedTable.");
		return;
	}
	/* the double has no materialized tables: what the gateway says of an unknown one */
	struct gw_causes chain = {0};
	gw_causes_add(&chain, "org.apache.flink.table.api.ValidationException",
		      "Materialized table %s does not exist.", x->p.identifier ? x->p.identifier : "");
	handled_error(x, CTX_REFRESH, "Failed to refreshMaterializedTable.", &chain);
	gw_causes_release(&chain);
}

static void h_scripts(struct ctx *x, struct gw_session *s)
{
	bool script = body_str(x, "script") != NULL, uri = body_str(x, "scriptUri") != NULL;
	if (script == uri) {
		struct gw_causes chain = {0};
		gw_causes_add(&chain, "java.lang.IllegalArgumentException",
			      script ? "Please specify either the script or the script URI, not both."
				     : "Please specify the script or the script URI.");
		unhandled(x, CTX_SCRIPT, NULL, &chain);
		gw_causes_release(&chain);
		return;
	}
	if (!s) {
		struct gw_causes chain = {0};
		gw_causes_add(&chain, JAVA_GW_EXC, "Session '%s' does not exist.", x->sh);
		unhandled(x, CTX_SCRIPT, "Failed to deployScript.", &chain);
		gw_causes_release(&chain);
		return;
	}
	unhandled1(x, CTX_SCRIPT, "Failed to deployScript.", "java.lang.IllegalStateException",
		   "No ClusterClientFactory found. If you were targeting a Yarn cluster, please make sure to export the "
		   "HADOOP_CLASSPATH environment variable or have hadoop in your classpath. For more information refer "
		   "to the \"Deployment\" section of the official Apache Flink documentation.");
}

static void h_workflow(struct ctx *x)
{
	struct gw *g = x->g;
	if (x->route->ep == EP_WF_CREATE) {
		const char *id = body_str(x, "materializedTableIdentifier");
		const char *cron = body_str(x, "cronExpression");
		if (!id || !cron) {
			struct gw_causes chain = {0};
			gw_causes_add(&chain, "java.lang.NullPointerException", NULL);
			handled_error(x, CTX_WORKFLOW, "Failed to create embedded scheduler workflow.", &chain);
			gw_causes_release(&chain);
			return;
		}
		char name[512];
		snprintf(name, sizeof(name), "quartz_job_%s", id);
		json_object_set_new(g->workflows, name, json_pack("{s:s,s:s,s:s,s:b}", "workflowName", name, "workflowGroup",
								  "default_group", "cronExpression", cron, "suspended", 0));
		answer(x, 200, dup_json(json_pack("{s:s,s:s}", "workflowName", name, "workflowGroup", "default_group")));
		return;
	}
	const char *name = body_str(x, "workflowName"), *group = body_str(x, "workflowGroup");
	json_t *wf = name ? json_object_get(g->workflows, name) : NULL;
	const char *verb = x->route->ep == EP_WF_SUSPEND ? "suspend" : x->route->ep == EP_WF_RESUME ? "resume" : "delete";
	if (!wf || !group || strcmp(group, json_string_value(json_object_get(wf, "workflowGroup")))) {
		struct gw_causes chain = {0};
		gw_causes_add(&chain, "org.apache.flink.table.workflow.WorkflowException",
			      "Failed to %s quartz job: %s, because the job doesn't exist.", verb, name ? name : "null");
		char what[128];
		snprintf(what, sizeof(what), "Failed to %s embedded scheduler workflow.", verb);
		handled_error(x, CTX_WORKFLOW, what, &chain);
		gw_causes_release(&chain);
		return;
	}
	if (x->route->ep == EP_WF_DELETE)
		json_object_del(g->workflows, name);
	else
		json_object_set_new(wf, "suspended", json_boolean(x->route->ep == EP_WF_SUSPEND));
	answer(x, 200, xstrdup("{}"));
}

/* Runs the routed endpoint, with gw.mu held */
static void dispatch(struct ctx *x, bool plain, const char *multi)
{
	struct gw *g = x->g;
	enum ep ep = x->route->ep;
	if (ep == EP_API_VERSIONS || ep == EP_INFO || ep == EP_OPEN) {
		if (ep == EP_API_VERSIONS)
			h_api_versions(x);
		else if (ep == EP_INFO)
			h_info(x);
		else
			h_open(x);
		return;
	}
	if (ep == EP_WF_CREATE || ep == EP_WF_SUSPEND || ep == EP_WF_RESUME || ep == EP_WF_DELETE) {
		h_workflow(x);
		return;
	}
	/* the checks a service method does before it looks the session up */
	long timeout = body_long(x, "executionTimeout");
	if ((ep == EP_EXECUTE || ep == EP_CONFIGURE) && timeout > 0) {
		unhandled1(x, ep == EP_EXECUTE ? CTX_EXECUTE : CTX_CONFIGURE,
			   ep == EP_EXECUTE ? "Failed to execute statement." : "Failed to configure session.",
			   "java.lang.UnsupportedOperationException", "SqlGatewayService doesn't support timeout mechanism now.");
		return;
	}
	if (ep == EP_FETCH && multi) {
		h_fetch(x, NULL, plain, multi);
		return;
	}
	if (ep == EP_SCRIPTS && (body_str(x, "script") != NULL) == (body_str(x, "scriptUri") != NULL)) {
		h_scripts(x, NULL);
		return;
	}
	struct gw_session *s = gw_session_get(g, x->sh);
	if (!s) {
		switch (ep) {
		case EP_GET_SESSION: no_session(x, CTX_SESSION, "Failed to getSessionConfig."); break;
		case EP_HEARTBEAT: no_session(x, CTX_SESSION, "Failed to getSessionConfig."); break;
		case EP_CLOSE_SESSION: no_session(x, CTX_SESSION, "Failed to closeSession."); break;
		case EP_STATUS: no_session(x, CTX_OPERATION, "Failed to getOperationInfo."); break;
		case EP_CANCEL: no_session(x, CTX_OPERATION, "Failed to cancelOperation."); break;
		case EP_CLOSE_OP: no_session(x, CTX_OPERATION, "Failed to closeOperation."); break;
		case EP_FETCH: h_fetch(x, NULL, plain, NULL); break;
		case EP_REFRESH: h_refresh(x, NULL); break;
		case EP_SCRIPTS: h_scripts(x, NULL); break;
		case EP_EXECUTE:
		case EP_CONFIGURE:
		case EP_COMPLETE:
			unhandled1(x, ep == EP_EXECUTE ? CTX_EXECUTE : ep == EP_CONFIGURE ? CTX_CONFIGURE : CTX_COMPLETE,
				   ep == EP_EXECUTE	? "Failed to execute statement."
				   : ep == EP_CONFIGURE ? "Failed to configure session."
							: "Failed to getCompletionHints.",
				   JAVA_GW_EXC, "Session '%s' does not exist.", x->sh);
			break;
		default: break;
		}
		return;
	}
	switch (ep) {
	case EP_GET_SESSION: h_get_session(x, s); break;
	case EP_HEARTBEAT: answer(x, 200, xstrdup("{}")); break;
	case EP_CLOSE_SESSION:
		gw_session_close(g, s);
		answer(x, 200, xstrdup("{\"status\":\"CLOSED\"}"));
		break;
	case EP_CONFIGURE: h_configure(x, s); break;
	case EP_COMPLETE: h_complete(x); break;
	case EP_EXECUTE: h_execute(x, s); break;
	case EP_STATUS: h_status(x, s, "Failed to getOperationInfo."); break;
	case EP_CANCEL: h_cancel(x, s); break;
	case EP_CLOSE_OP:
		gw_op_close(g, s, x->oh);
		answer(x, 200, xstrdup("{\"status\":\"CLOSED\"}"));
		break;
	case EP_FETCH: h_fetch(x, s, plain, NULL); break;
	case EP_REFRESH: h_refresh(x, s); break;
	case EP_SCRIPTS: h_scripts(x, s); break;
	default: break;
	}
	gw_session_put(g, s);
}

/* ---- faults applied before routing -------------------------------------------------------- */

static void fault_answer(struct ctx *x)
{
	const struct gw_fault_hit *f = &x->fault;
	if (f->has_message) {
		json_t *e = json_pack("{s:[s]}", "errors", f->message);
		answer(x, f->status, dup_json(e));
	} else if (f->status == 500) {
		struct gw_causes chain = {0};
		gw_causes_add(&chain, "java.lang.RuntimeException", "injected fault");
		answer(x, 500, gw_err_unhandled(CTX_REQUEST, &chain));
		gw_causes_release(&chain);
	} else if (f->status == 503) {
		answer(x, 503, dup_json(json_pack("{s:[s]}", "errors",
						   "Service temporarily unavailable due to an ongoing leader election. Please refresh.")));
	} else {
		answer(x, f->status, dup_json(json_pack("{s:[s]}", "errors", "injected fault")));
	}
}

/* The session segment of a path (…/sessions/<sh>/…), for the log and expire_session */
static const char *path_session(char **segs, int nsegs)
{
	for (int i = 0; i + 1 < nsegs; i++)
		if (!strcmp(segs[i], "sessions"))
			return segs[i + 1];
	return NULL;
}

/* ---- one request -------------------------------------------------------------------------- */

static void handle(struct ctx *x)
{
	struct gw *g = x->g;
	const char *uri = x->r->uri;
	size_t plen = strcspn(uri, "?");
	struct sb path = SB_INIT;
	char *segs[MAX_SEGS];
	int nsegs = 0;
	bool plain = false;
	char *multi = NULL;
	bool routable = gw_decode_component(uri, plen, false, &path) == 0;

	/* a statement in the body is what fault rules may look at */
	if (x->r->body.len) {
		json_error_t e;
		x->raw_json = json_loadb(x->r->body.buf, x->r->body.len, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &e);
		json_t *st = json_object_get(x->raw_json, "statement");
		if (json_is_string(st))
			x->statement = json_string_value(st);
	}
	/* Router.decodePathTokens: the decoded path cut at '?', slashes at both ends dropped, split
	 * on '/', each segment decoded again */
	if (routable) {
		size_t n = strcspn(path.buf, "?");
		size_t a = 0;
		while (a < n && path.buf[a] == '/')
			a++;
		while (n > a && path.buf[n - 1] == '/')
			n--;
		for (size_t i = a; a < n;) {
			size_t j = i;
			while (j < n && path.buf[j] != '/')
				j++;
			struct sb seg = SB_INIT;
			if (nsegs == MAX_SEGS || gw_decode_component(path.buf + i, j - i, true, &seg)) {
				routable = false;
				sb_release(&seg);
				break;
			}
			segs[nsegs++] = sb_detach(&seg, NULL);
			if (j >= n)
				break;
			i = j + 1;
		}
	}
	x->log_session = routable ? path_session(segs, nsegs) : NULL;

	pthread_mutex_lock(&g->mu);
	gw_faults_match(g, x->method, path.buf, x->statement, &x->fault);
	if (x->fault.hit) {
		switch (x->fault.action) {
		case FA_DROP:
			x->drop = true;
			goto log;
		case FA_STATUS:
			fault_answer(x);
			goto log;
		case FA_DELAY: {
			int64_t deadline = gw_now_ms() + x->fault.delay_ms;
			while (!g->stopping && gw_now_ms() < deadline) {
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_nsec += 20 * 1000000L;
				if (ts.tv_nsec >= 1000000000L) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000L;
				}
				pthread_cond_timedwait(&g->cv, &g->mu, &ts);
			}
			break;
		}
		case FA_EXPIRE_SESSION: {
			const char *raw = x->log_session;
			char canon[37];
			struct gw_session *s = raw && gw_uuid_canon(raw, canon) ? gw_session_get(g, canon) : NULL;
			if (s) {
				gw_session_close(g, s);
				gw_session_put(g, s);
			}
			break;
		}
		default: break;
		}
	}

	/* routing */
	x->route = NULL;
	if (routable) {
		int first = 0;
		x->version = g->default_version;
		if (nsegs > 0 && segs[0][0] == 'v' && segs[0][1] >= '1' && segs[0][1] <= '4' && !segs[0][2] &&
		    (g->versions & (1u << (segs[0][1] - '1')))) {
			x->version = segs[0][1] - '0';
			first = 1;
		}
		for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
			const struct route *r = &routes[i];
			if (!(r->versions & g->versions & (1u << (x->version - 1))))
				continue;
			if (strcmp(r->method, x->method))
				continue;
			if (match(r, segs + first, nsegs - first, &x->p)) {
				x->route = r;
				break;
			}
		}
	}
	if (!x->route) {
		answer(x, 404, gw_err_not_found(uri));
		goto log;
	}
	if (read_body(x))
		goto log;
	if (x->route->ep == EP_EXECUTE || x->route->ep == EP_CONFIGURE || x->route->ep == EP_COMPLETE)
		x->statement = body_str(x, "statement");
	if (resolve_path(x))
		goto log;
	if (x->route->ep == EP_FETCH && x->version > 1 && resolve_row_format(x, &plain, &multi))
		goto log;
	dispatch(x, plain, multi);
log:
	gw_log_request(g, x->seq, x->method, uri, x->drop ? 0 : x->status, x->log_session,
		       x->raw_json, x->r->body.buf,
		       x->route && (x->route->ep == EP_EXECUTE || x->route->ep == EP_CONFIGURE) ? x->statement : NULL);
	pthread_mutex_unlock(&g->mu);
	free(multi);
	for (int i = 0; i < nsegs; i++)
		free(segs[i]);
	sb_release(&path);
}

enum MHD_Result gw_send(struct MHD_Connection *c, int status, const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/json; charset=UTF-8");
	MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

void *gw_req_new(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	struct gw_req *r = xcalloc(1, sizeof(*r));
	r->uri = xstrdup(uri);
	sb_init(&r->body);
	return r;
}

void gw_req_done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode code)
{
	(void)cls;
	(void)c;
	(void)code;
	struct gw_req *r = *state;
	if (!r)
		return;
	free(r->uri);
	sb_release(&r->body);
	free(r);
	*state = NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct gw *g = cls;
	struct gw_req *r = *state;
	(void)url;
	(void)version;
	if (!r->started) {
		r->started = true;
		return MHD_YES;
	}
	if (*upload_size) {
		if (r->body.len + *upload_size > MAX_BODY)
			return MHD_NO;
		sb_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	struct ctx x;
	memset(&x, 0, sizeof(x));
	x.g = g;
	x.c = c;
	x.method = method;
	x.r = r;
	pthread_mutex_lock(&g->mu);
	x.seq = ++g->seq;
	pthread_mutex_unlock(&g->mu);
	handle(&x);
	enum MHD_Result ret = MHD_NO;
	if (!x.drop && x.answer)
		ret = gw_send(c, x.status, x.answer);
	free(x.answer);
	json_decref(x.body);
	json_decref(x.raw_json);
	return ret;
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

/* Closes the sessions idle for longer than the timeout, as SessionManagerImpl's checker does
 * (strictly longer: isSessionExpired). Called with g->mu held, by the reaper and when a test
 * advances the manual clock, so that what has expired is gone when POST /clock answers. */
void gw_expire_idle(struct gw *g)
{
	if (g->o.session_idle_timeout_ms <= 0)
		return;
	int64_t now = gw_now_ms();
	for (bool again = true; again && !g->stopping;) {
		again = false;
		for (struct gw_session *s = g->sessions; s; s = s->next)
			if (now - s->touched_ms > g->o.session_idle_timeout_ms) {
				s->refs++;
				gw_session_close(g, s);
				gw_session_put(g, s);
				again = true;
				break;
			}
	}
}

static void *reaper(void *arg)
{
	struct gw *g = arg;
	pthread_mutex_lock(&g->mu);
	while (!g->stopping) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->cv, &g->mu, &ts);
		gw_expire_idle(g);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

int gw_init(struct gw *g, const struct gw_options *o, char **perr)
{
	memset(g, 0, sizeof(*g));
	g->o = *o;
	fg_clock_set_manual(o->manual_clock);
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->requests = json_array();
	g->statements = json_array();
	g->workflows = json_object();
	if (gw_parse_version(o->flink_version, &g->versions, &g->default_version, &g->v116)) {
		struct sb e = SB_INIT;
		sb_addf(&e, "unsupported Flink version '%s' (1.16 or later)", o->flink_version ? o->flink_version : "");
		*perr = sb_detach(&e, NULL);
		return -1;
	}
	if (o->log_file) {
		g->log = fopen(o->log_file, "a");
		if (!g->log) {
			struct sb e = SB_INIT;
			sb_addf(&e, "cannot open log '%s': %s", o->log_file, strerror(errno));
			*perr = sb_detach(&e, NULL);
			return -1;
		}
	}
	struct fg_engine_options eo = {.data_dir = o->data_dir, .flink_version = o->flink_version, .job_run_ms = o->job_run_ms};
	g->engine = fg_engine_new(&eo, perr);
	return g->engine ? 0 : -1;
}

struct MHD_Daemon *gw_daemon(struct gw *g, int port, MHD_AccessHandlerCallback cb, char **perr)
{
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, g->o.host, &addr.sin_addr) != 1) {
		struct sb e = SB_INIT;
		sb_addf(&e, "--host '%s' is not an IPv4 address", g->o.host);
		*perr = sb_detach(&e, NULL);
		return NULL;
	}
	/* the URI callback keeps the URI as received: libmicrohttpd unescapes the one it passes */
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, (uint16_t)port, NULL, NULL, cb, g,
		MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300, MHD_OPTION_URI_LOG_CALLBACK,
		gw_req_new, NULL, MHD_OPTION_NOTIFY_COMPLETED, gw_req_done, NULL, MHD_OPTION_END);
	if (!d) {
		struct sb e = SB_INIT;
		sb_addf(&e, "cannot listen on '%s:%d': %s", g->o.host, port, strerror(errno));
		*perr = sb_detach(&e, NULL);
	}
	return d;
}

int gw_start(struct gw *g, char **perr)
{
	g->rest = gw_daemon(g, g->o.port, on_request, perr);
	if (!g->rest)
		return -1;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(g->rest, MHD_DAEMON_INFO_BIND_PORT);
	g->rest_port = info ? info->port : g->o.port;
	g->admin = gw_admin_start(g, perr);
	if (!g->admin)
		return -1;
	info = MHD_get_daemon_info(g->admin, MHD_DAEMON_INFO_BIND_PORT);
	g->admin_port = info ? info->port : g->o.admin_port;
	g->jobmanager = gw_jobmanager_start(g, perr);
	if (!g->jobmanager)
		return -1;
	info = MHD_get_daemon_info(g->jobmanager, MHD_DAEMON_INFO_BIND_PORT);
	g->jobmanager_port = info ? info->port : 0;
	if (pthread_create(&g->reaper, NULL, reaper, g)) {
		*perr = xstrdup("cannot start the session reaper");
		return -1;
	}
	g->reaper_started = true;
	return 0;
}

void gw_stop(struct gw *g)
{
	pthread_mutex_lock(&g->mu);
	g->stopping = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	if (g->rest)
		MHD_stop_daemon(g->rest);
	if (g->admin)
		MHD_stop_daemon(g->admin);
	if (g->jobmanager)
		MHD_stop_daemon(g->jobmanager);
	g->rest = g->admin = g->jobmanager = NULL;
	if (g->reaper_started)
		pthread_join(g->reaper, NULL);
	g->reaper_started = false;
	pthread_mutex_lock(&g->mu);
	gw_expire_all(g);
	while (g->workers > 0)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

void gw_release(struct gw *g)
{
	gw_faults_clear(g);
	json_decref(g->requests);
	json_decref(g->statements);
	json_decref(g->workflows);
	json_decref(g->triggers);
	if (g->log)
		fclose(g->log);
	if (g->engine)
		fg_engine_free(g->engine);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	memset(g, 0, sizeof(*g));
}
