/*
 * A scripted HTTP server for the Flink client's tests, on libmicrohttpd, inside the test
 * process: a table of (method, path) -> (status, body) answers, each usable a number of times
 * (so a test can script "503, 503, then 200"), optionally after a delay or by dropping the
 * connection without an answer. Every request is recorded (method, path, query, the headers the
 * tests look at, body) for the test to check afterwards. Listens on 127.0.0.1, port 0 unless
 * told otherwise, in plain HTTP or HTTPS. Included by the test programs of this folder; not a test itself.
 */
#ifndef SLUICE_TEST_MOCKGW_H
#define SLUICE_TEST_MOCKGW_H

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sluice/flink.h"

#define MOCK_S "9b4c1d2e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
#define MOCK_O "6b4a1e55-1d0c-4c35-9f1e-2d7c8b9a0f11"
#define MOCK_SESS "/sessions/" MOCK_S
#define MOCK_OPS MOCK_SESS "/operations/" MOCK_O

#define MOCK_DROP 0 /* status: close the connection without an answer */

struct mock_route {
	const char *method;   /* NULL: any */
	const char *path;     /* exact, or a prefix when it ends with '*' (query not included) */
	int status;           /* MOCK_DROP drops the connection */
	const char *body;
	long delay_ms;        /* sleep before answering */
	int times;            /* answer this many times, then fall through; 0: always */
	int used;
};

struct mock_req {
	char method[8];
	char path[512];
	char query[256];
	char auth[512];
	char tenant[128];     /* the X-Tenant header */
	char content_type[128];
	char *body;
};

#define MOCK_MAX_REQS 512

struct mock {
	struct MHD_Daemon *d;
	int port;
	char url[64];
	pthread_mutex_t lock;
	struct mock_route *routes;
	size_t nroutes;
	struct mock_req reqs[MOCK_MAX_REQS];
	size_t nreqs;
};

struct mock_upload {
	char *p;
	size_t len;
};

static inline enum MHD_Result mock_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				      const char *value)
{
	char *q = cls;
	size_t n = strlen(q);
	snprintf(q + n, 256 - n, "%s%s=%s", n ? "&" : "", key, value ? value : "");
	return MHD_YES;
}

static inline void mock_copy_header(struct MHD_Connection *c, const char *name, char *dst, size_t n)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
	snprintf(dst, n, "%s", v ? v : "");
}

static inline bool mock_path_matches(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);
	if (n && pattern[n - 1] == '*')
		return strncmp(pattern, path, n - 1) == 0;
	return strcmp(pattern, path) == 0;
}

static inline enum MHD_Result mock_handler(void *cls, struct MHD_Connection *conn, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct mock *m = cls;
	struct mock_upload *u = *con_cls;
	if (!u) {
		u = calloc(1, sizeof(*u));
		*con_cls = u;
		return MHD_YES;
	}
	if (*upload_size) {
		u->p = realloc(u->p, u->len + *upload_size + 1);
		memcpy(u->p + u->len, upload_data, *upload_size);
		u->len += *upload_size;
		u->p[u->len] = '\0';
		*upload_size = 0;
		return MHD_YES;
	}
	int status = 404;
	const char *body = NULL;
	long delay = 0;
	pthread_mutex_lock(&m->lock);
	if (m->nreqs < MOCK_MAX_REQS) {
		struct mock_req *r = &m->reqs[m->nreqs++];
		snprintf(r->method, sizeof(r->method), "%s", method);
		snprintf(r->path, sizeof(r->path), "%s", url);
		r->query[0] = '\0';
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, mock_query_arg, r->query);
		mock_copy_header(conn, "Authorization", r->auth, sizeof(r->auth));
		mock_copy_header(conn, "X-Tenant", r->tenant, sizeof(r->tenant));
		mock_copy_header(conn, "Content-Type", r->content_type, sizeof(r->content_type));
		r->body = u->p ? strdup(u->p) : NULL;
	}
	for (size_t i = 0; i < m->nroutes; i++) {
		struct mock_route *rt = &m->routes[i];
		if ((rt->method && strcmp(rt->method, method)) || !mock_path_matches(rt->path, url))
			continue;
		if (rt->times && rt->used >= rt->times)
			continue;
		rt->used++;
		status = rt->status;
		body = rt->body;
		delay = rt->delay_ms;
		break;
	}
	pthread_mutex_unlock(&m->lock);
	if (delay)
		usleep((useconds_t)delay * 1000);
	if (status == MOCK_DROP)
		return MHD_NO;
	char notfound[700];
	if (!body) {
		snprintf(notfound, sizeof(notfound), "{\"errors\":[\"Not found: %s\"]}", url);
		body = notfound;
	}
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=UTF-8");
	enum MHD_Result rc = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static inline void mock_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			   enum MHD_RequestTerminationCode toe)
{
	struct mock_upload *u = *con_cls;
	if (u) {
		free(u->p);
		free(u);
		*con_cls = NULL;
	}
}

/* Starts on 127.0.0.1:port (0: any free port), with TLS when cert and key (PEM text) are given;
 * the routes stay the caller's */
static inline void mock_start_tls(struct mock *m, int port, struct mock_route *routes, size_t n,
				  const char *cert, const char *key)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	m->routes = routes;
	m->nroutes = n;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
	if (cert)
		m->d = MHD_start_daemon(flags | MHD_USE_TLS, (uint16_t)port, NULL, NULL, mock_handler, m,
					MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
					MHD_OPTION_NOTIFY_COMPLETED, mock_completed, NULL,
					MHD_OPTION_LISTENING_ADDRESS_REUSE, 1U,
					MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
					MHD_OPTION_END);
	else
		m->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, mock_handler, m,
					MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
					MHD_OPTION_NOTIFY_COMPLETED, mock_completed, NULL,
					MHD_OPTION_LISTENING_ADDRESS_REUSE, 1U,
					MHD_OPTION_END);
	if (!m->d) {
		fprintf(stderr, "mock: cannot listen on 127.0.0.1:%d\n", port);
		abort();
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_BIND_PORT);
	m->port = info->port;
	snprintf(m->url, sizeof(m->url), "%s://127.0.0.1:%d", cert ? "https" : "http", m->port);
}

static inline void mock_start_on(struct mock *m, int port, struct mock_route *routes, size_t n)
{
	mock_start_tls(m, port, routes, n, NULL, NULL);
}

#define mock_start(m, routes) mock_start_on((m), 0, (routes), sizeof(routes) / sizeof((routes)[0]))

static inline void mock_stop(struct mock *m)
{
	if (m->d)
		MHD_stop_daemon(m->d);
	m->d = NULL;
	for (size_t i = 0; i < m->nreqs; i++)
		free(m->reqs[i].body);
	m->nreqs = 0;
	pthread_mutex_destroy(&m->lock);
}

/* Requests with this method (NULL: any) whose path matches (see mock_route.path) */
static inline size_t mock_count(struct mock *m, const char *method, const char *path)
{
	size_t n = 0;
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->nreqs; i++)
		if ((!method || strcmp(m->reqs[i].method, method) == 0) &&
		    mock_path_matches(path, m->reqs[i].path))
			n++;
	pthread_mutex_unlock(&m->lock);
	return n;
}

static inline size_t mock_nreqs(struct mock *m)
{
	pthread_mutex_lock(&m->lock);
	size_t n = m->nreqs;
	pthread_mutex_unlock(&m->lock);
	return n;
}

/* "GET /v2/info?rowFormat=JSON" of request i */
static inline const char *mock_line(struct mock *m, size_t i, char *buf, size_t n)
{
	pthread_mutex_lock(&m->lock);
	if (i < m->nreqs)
		snprintf(buf, n, "%s %s%s%s", m->reqs[i].method, m->reqs[i].path,
			 m->reqs[i].query[0] ? "?" : "", m->reqs[i].query);
	else
		snprintf(buf, n, "(none)");
	pthread_mutex_unlock(&m->lock);
	return buf;
}

/* ---------------------------------------------------------------- log capture */

#define MOCK_MAX_LINES 256

struct mock_log {
	pthread_mutex_t lock;
	char *lines[MOCK_MAX_LINES];
	int levels[MOCK_MAX_LINES];
	size_t n;
};

static inline void mock_log_cb(void *ud, int level, const char *line)
{
	struct mock_log *l = ud;
	pthread_mutex_lock(&l->lock);
	if (l->n < MOCK_MAX_LINES) {
		l->levels[l->n] = level;
		l->lines[l->n++] = strdup(line);
	}
	pthread_mutex_unlock(&l->lock);
}

static inline void mock_log_init(struct mock_log *l)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
}

static inline void mock_log_release(struct mock_log *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->lines[i]);
	pthread_mutex_destroy(&l->lock);
}

/* Lines at this level (-1: any) containing s */
static inline size_t mock_log_count(struct mock_log *l, int level, const char *s)
{
	size_t n = 0;
	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < l->n; i++)
		if ((level < 0 || l->levels[i] == level) && strstr(l->lines[i], s))
			n++;
	pthread_mutex_unlock(&l->lock);
	return n;
}

static inline long long mock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- canned answers */

#define MOCK_VERSIONS(list) "{\"versions\":[" list "]}"
#define MOCK_V1_V4 MOCK_VERSIONS("\"V1\",\"V2\",\"V3\",\"V4\"")
#define MOCK_SESSION_BODY "{\"sessionHandle\":\"" MOCK_S "\"}"
#define MOCK_OP_BODY "{\"operationHandle\":\"" MOCK_O "\"}"
#define MOCK_CLOSED "{\"status\":\"CLOSED\"}"

#define MOCK_STRING_COL(name)                                                                   \
	"{\"name\":\"" name "\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,"         \
	"\"length\":2147483647},\"comment\":null}"

#define MOCK_SESSION_GONE_500                                                                   \
	"{\"errors\":[\"org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to "     \
	"getOperationInfo.\\n\\tat org.apache.flink.table.gateway.rest.handler.AbstractHandler.x(" \
	"AbstractHandler.java:1)\\nCaused by: org.apache.flink.table.gateway.api.utils."            \
	"SqlGatewayException: Session '" MOCK_S "' does not exist.\\n\\t... 45 more\\n\"]}"

/* Client options for the mock: short timeouts and waits so the tests stay fast */
static inline void mock_client_options(struct flink_client_options *o, const struct mock *m)
{
	flink_client_options_init(o);
	o->url = m->url;
	o->connect_timeout_ms = 2000;
	o->request_timeout_ms = 5000;
	o->retry_backoff_ms = 20;
	o->poll_interval_ms = 20;
	o->heartbeat_interval_ms = 0;
}

#endif
