/*
 * The Flink client handle: options, the gateway URL, version negotiation, GET /info, and the
 * heartbeat thread that keeps idle sessions alive on the gateway.
 *
 * DESIGN
 * Negotiation follows the REST reference §1: GET /v1/api_versions (the lowest version always
 * exists) lists upper-case names ("V1".."V4"); URL prefixes are lower case. We take the highest
 * version both sides know, or the caller's, which the gateway must list.
 *
 * The heartbeat thread starts with the first session and wakes every heartbeat_interval_ms.
 * Any request naming a session refreshes its idle timer on the gateway, so only sessions that
 * saw no request for a whole interval get a POST …/heartbeat. client->lock guards the session
 * list and each session's hb_busy mark; the thread marks a session busy, drops the lock for the
 * HTTP exchange and clears the mark after, and flink_session_close waits for the mark to clear
 * before it frees the session; it first raises the session's hb_stop, which aborts a heartbeat in
 * flight, so closing never waits for a slow gateway's heartbeat answer. flink_client_free raises
 * `stop` (and hb_stop of any session left open) and joins the thread.
 */
#include "flink/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void flink_client_options_init(struct flink_client_options *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout_ms = 10000;
	o->request_timeout_ms = 60000;
	o->max_retries = 3;
	o->retry_backoff_ms = 200;
	o->poll_interval_ms = 100;
	o->heartbeat_interval_ms = 60000;
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
	flink_client *c = ud;
	pthread_mutex_lock(&c->share_locks[data < CURL_LOCK_DATA_LAST ? data : 0]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
	flink_client *c = ud;
	pthread_mutex_unlock(&c->share_locks[data < CURL_LOCK_DATA_LAST ? data : 0]);
}

static void add_secret(flink_client *c, const char *s, size_t n)
{
	if (!s || !n)
		return;
	c->secrets = fl_xrealloc(c->secrets, (c->nsecrets + 1) * sizeof(*c->secrets));
	c->secrets[c->nsecrets++] = fl_xstrndup(s, n);
}

static char *dup_or_null(const char *s)
{
	return s ? fl_xstrdup(s) : NULL;
}

/* Checks the URL with libcurl's parser; moves user:password@ out of it into basic auth */
static flink_code set_base(flink_client *c, const char *url, struct flink_error *err)
{
	flink_code code = FLINK_OK;
	CURLU *u = curl_url();
	char *user = NULL, *pass = NULL, *scheme = NULL, *out = NULL;
	if (!u)
		return FLINK_E_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		/* the URL may hold a password: do not repeat it */
		fl_err_set(err, FLINK_E_ARG, 0, "bad gateway url: expected http://host:port or https://...");
		code = FLINK_E_ARG;
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, CURLU_URLDECODE) == CURLUE_OK && user && *user) {
		curl_url_get(u, CURLUPART_PASSWORD, &pass, CURLU_URLDECODE);
		if (!c->username) {
			c->username = fl_xstrdup(user);
			free(c->password);
			c->password = pass ? fl_xstrdup(pass) : NULL;
		}
		if (pass)
			add_secret(c, pass, strlen(pass));
		curl_url_set(u, CURLUPART_USER, NULL, 0);
		curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	}
	curl_url_set(u, CURLUPART_QUERY, NULL, 0);
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK) {
		fl_err_set(err, FLINK_E_ARG, 0, "bad gateway url");
		code = FLINK_E_ARG;
		goto out;
	}
	size_t n = strlen(out);
	while (n && out[n - 1] == '/')
		n--;
	c->base = fl_xstrndup(out, n);
out:
	curl_free(user);
	curl_free(pass);
	curl_free(scheme);
	curl_free(out);
	curl_url_cleanup(u);
	return code;
}

static struct curl_slist *add_header(struct curl_slist *l, const char *h)
{
	struct curl_slist *n = curl_slist_append(l, h);
	if (!n) {
		fprintf(stderr, "libsluice-flink: out of memory\n");
		abort();
	}
	return n;
}

static void build_headers(flink_client *c)
{
	struct curl_slist *l = NULL;
	l = add_header(l, "Accept: application/json");
	l = add_header(l, "Expect:");
	if (c->bearer) {
		struct fl_buf b = FL_BUF_INIT;
		fl_buf_addf(&b, "Authorization: Bearer %s", c->bearer);
		l = add_header(l, b.p);
		fl_buf_release(&b);
	}
	for (char **h = c->headers; h && *h; h++)
		l = add_header(l, *h);
	c->hdrs_plain = l;
	/* the same list plus the body's type; libcurl copies nothing, so build a second list */
	struct curl_slist *j = NULL;
	j = add_header(j, "Content-Type: application/json");
	for (struct curl_slist *p = l; p; p = p->next)
		j = add_header(j, p->data);
	c->hdrs_json = j;
	struct curl_slist *pt = NULL;
	pt = add_header(pt, "Content-Type: application/json-patch+json");
	for (struct curl_slist *p = l; p; p = p->next)
		pt = add_header(pt, p->data);
	c->hdrs_patch = pt;
}

static void client_destroy(flink_client *c)
{
	if (!c)
		return;
	if (c->hb_started) {
		pthread_mutex_lock(&c->lock);
		atomic_store(&c->stop, 1);
		for (flink_session *s = c->sessions; s; s = s->next)
			atomic_store(&s->hb_stop, 1);
		pthread_cond_broadcast(&c->cond);
		pthread_mutex_unlock(&c->lock);
		pthread_join(c->hb_thread, NULL);
	}
	if (c->hb_multi)
		curl_multi_cleanup(c->hb_multi);
	if (c->share)
		curl_share_cleanup(c->share);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&c->share_locks[i]);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
	curl_slist_free_all(c->hdrs_plain);
	curl_slist_free_all(c->hdrs_json);
	curl_slist_free_all(c->hdrs_patch);
	free(c->user_agent);
	for (size_t i = 0; i < c->ngw_versions; i++)
		free(c->gw_versions[i]);
	free(c->gw_versions);
	for (char **h = c->headers; h && *h; h++)
		free(*h);
	free(c->headers);
	for (size_t i = 0; i < c->nsecrets; i++) {
		memset(c->secrets[i], 0, strlen(c->secrets[i]));
		free(c->secrets[i]);
	}
	free(c->secrets);
	if (c->password)
		memset(c->password, 0, strlen(c->password));
	if (c->bearer)
		memset(c->bearer, 0, strlen(c->bearer));
	free(c->base);
	free(c->bearer);
	free(c->username);
	free(c->password);
	free(c->ca_file);
	free(c);
}

static int version_number(const char *name)
{
	if (!name || (name[0] != 'v' && name[0] != 'V') || name[1] < '1' || name[1] > '4' || name[2])
		return 0;
	return name[1] - '0';
}

static flink_code negotiate_version(flink_client *c, const char *want, struct flink_error *err)
{
	static const char path[] = "/v1/api_versions";
	struct fl_request rq = {.method = "GET", .path = path, .retry = FL_RETRY_SAFE};
	struct fl_response rs;
	flink_code code = fl_http(c, &rq, &rs, err);
	json_t *root = NULL;
	if (code)
		goto out;
	root = fl_parse_object(&rs, rq.method, path, err);
	if (!root) {
		code = FLINK_E_PROTOCOL;
		goto out;
	}
	json_t *list = json_object_get(root, "versions");
	if (!json_is_array(list)) {
		fl_err_set(err, FLINK_E_PROTOCOL, 200, "answer to 'GET %s' has no 'versions' list", path);
		fl_err_set_request(err, "GET", path);
		code = FLINK_E_PROTOCOL;
		goto out;
	}
	c->ngw_versions = 0;
	c->gw_versions = fl_xcalloc(json_array_size(list) + 1, sizeof(char *));
	int best = 0, wanted = version_number(want);
	bool has_wanted = false;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *v = fl_json_string(json_array_get(list, i), NULL);
		if (!v)
			continue;
		c->gw_versions[c->ngw_versions++] = fl_xstrdup(v);
		int n = version_number(v);
		if (n > best)
			best = n;
		if (n && n == wanted)
			has_wanted = true;
	}
	int use = wanted ? (has_wanted ? wanted : 0) : best;
	if (!use) {
		struct fl_buf have = FL_BUF_INIT;
		for (size_t i = 0; i < c->ngw_versions; i++)
			fl_buf_addf(&have, "%s%s", i ? ", " : "", c->gw_versions[i]);
		if (wanted)
			fl_err_set(err, FLINK_E_VERSION, 200,
				   "the gateway does not offer api version '%s' (it offers: %s)", want,
				   have.len ? have.p : "none");
		else
			fl_err_set(err, FLINK_E_VERSION, 200,
				   "the gateway offers no api version this client knows (it offers: %s)",
				   have.len ? have.p : "none");
		fl_buf_release(&have);
		fl_err_set_request(err, "GET", path);
		code = FLINK_E_VERSION;
		goto out;
	}
	c->api_num = use;
	snprintf(c->api, sizeof(c->api), "v%d", use);
out:
	json_decref(root);
	fl_response_release(&rs);
	return code;
}

flink_code flink_client_new(const struct flink_client_options *o, flink_client **pclient,
			    struct flink_error *err)
{
	return fl_client_create(o, true, NULL, pclient, err);
}

flink_code fl_client_create(const struct flink_client_options *o, bool negotiate, const char *user_agent,
			    flink_client **pclient, struct flink_error *err)
{
	if (pclient)
		*pclient = NULL;
	if (!o || !pclient || !o->url || !*o->url) {
		fl_err_set(err, FLINK_E_ARG, 0, "no gateway url given");
		return FLINK_E_ARG;
	}
	const char *want = o->api_version;
	if (want && (!*want || strcmp(want, "auto") == 0))
		want = NULL;
	if (want && !version_number(want)) {
		fl_err_set(err, FLINK_E_ARG, 0, "unknown api version '%s': expected v1, v2, v3, v4 or auto",
			   want);
		return FLINK_E_ARG;
	}
	for (const char *const *h = o->headers; h && *h; h++) {
		const char *colon = strchr(*h, ':');
		if (!colon || colon == *h || strpbrk(*h, "\r\n")) {
			fl_err_set(err, FLINK_E_ARG, 0, "bad header line: expected 'Name: value'");
			return FLINK_E_ARG;
		}
	}
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		fl_err_set(err, FLINK_E_NOMEM, 0, "cannot initialize libcurl");
		return FLINK_E_NOMEM;
	}

	flink_client *c = calloc(1, sizeof(*c));
	if (!c) {
		fl_err_set(err, FLINK_E_NOMEM, 0, "out of memory");
		return FLINK_E_NOMEM;
	}
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&c->share_locks[i], NULL);
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&c->stop, 0);

	c->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
	c->request_timeout_ms = o->request_timeout_ms > 0 ? o->request_timeout_ms : 60000;
	c->max_retries = o->max_retries > 0 ? o->max_retries : 0;
	c->retry_backoff_ms = o->retry_backoff_ms > 0 ? o->retry_backoff_ms : 0;
	c->poll_interval_ms = o->poll_interval_ms > 0 ? o->poll_interval_ms : 0;
	c->heartbeat_interval_ms = o->heartbeat_interval_ms > 0 ? o->heartbeat_interval_ms : 0;
	c->log = o->log;
	c->log_ud = o->log_ud;
	c->bearer = dup_or_null(o->bearer_token);
	c->username = dup_or_null(o->username);
	c->password = dup_or_null(o->password);
	c->ca_file = dup_or_null(o->ca_file);
	c->insecure = o->insecure;
	if (c->bearer)
		add_secret(c, c->bearer, strlen(c->bearer));
	if (c->password)
		add_secret(c, c->password, strlen(c->password));
	size_t nh = 0;
	for (const char *const *h = o->headers; h && *h; h++)
		nh++;
	c->headers = fl_xcalloc(nh + 1, sizeof(char *));
	for (size_t i = 0; i < nh; i++) {
		c->headers[i] = fl_xstrdup(o->headers[i]);
		const char *v = strchr(o->headers[i], ':') + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		add_secret(c, v, strlen(v));
	}

	flink_code code = set_base(c, o->url, err);
	if (code)
		goto fail;
	build_headers(c);
	c->share = curl_share_init();
	if (!c->share) {
		fl_err_set(err, FLINK_E_NOMEM, 0, "out of memory");
		code = FLINK_E_NOMEM;
		goto fail;
	}
	curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);

	c->user_agent = dup_or_null(user_agent);
	code = negotiate ? negotiate_version(c, want, err) : FLINK_OK;
	if (code)
		goto fail;
	*pclient = c;
	return FLINK_OK;
fail:
	client_destroy(c);
	return code;
}

void flink_client_free(flink_client *c)
{
	client_destroy(c);
}

const char *flink_client_api_version(const flink_client *c)
{
	return c ? c->api : NULL;
}

int flink_client_api_number(const flink_client *c)
{
	return c ? c->api_num : 0;
}

const char *const *flink_client_gateway_versions(const flink_client *c, size_t *pn)
{
	if (pn)
		*pn = c ? c->ngw_versions : 0;
	return c ? (const char *const *)c->gw_versions : NULL;
}

flink_code flink_client_info(flink_client *c, char **pproduct, char **pversion,
			     struct flink_error *err)
{
	if (pproduct)
		*pproduct = NULL;
	if (pversion)
		*pversion = NULL;
	if (!c) {
		fl_err_set(err, FLINK_E_ARG, 0, "no client given");
		return FLINK_E_ARG;
	}
	char path[16];
	snprintf(path, sizeof(path), "/%s/info", c->api);
	struct fl_request rq = {.method = "GET", .path = path, .retry = FL_RETRY_SAFE};
	struct fl_response rs;
	json_t *root = NULL;
	flink_code code = fl_http(c, &rq, &rs, err);
	if (code)
		goto out;
	root = fl_parse_object(&rs, rq.method, path, err);
	const char *product = fl_json_get_str(root, "productName");
	const char *version = fl_json_get_str(root, "version");
	if (!product || !version) {
		if (root)
			fl_err_set(err, FLINK_E_PROTOCOL, 200,
				   "answer to 'GET %s' lacks 'productName' or 'version'", path);
		fl_err_set_request(err, "GET", path);
		code = FLINK_E_PROTOCOL;
		goto out;
	}
	if (pproduct)
		*pproduct = fl_xstrdup(product);
	if (pversion)
		*pversion = fl_xstrdup(version);
out:
	json_decref(root);
	fl_response_release(&rs);
	return code;
}

/* ---------------------------------------------------------------- heartbeat thread */

static void heartbeat_one(flink_client *c, flink_session *s)
{
	char path[160];
	snprintf(path, sizeof(path), "/%s/sessions/%s/heartbeat", c->api, s->handle);
	struct fl_request rq = {.method = "POST", .path = path, .retry = FL_RETRY_SAFE,
				.stop = &s->hb_stop, .multi = c->hb_multi};
	struct fl_response rs;
	struct flink_error err;
	flink_error_init(&err);
	/* a failure is in the exchange's log line; a gone session is marked dead by the call */
	(void)fl_session_http(s, &rq, &rs, &err);
	flink_error_release(&err);
	fl_response_release(&rs);
}

static void *heartbeat_main(void *ud)
{
	flink_client *c = ud;
	pthread_mutex_lock(&c->lock);
	while (!atomic_load(&c->stop)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		long ms = c->heartbeat_interval_ms;
		ts.tv_sec += ms / 1000;
		ts.tv_nsec += (ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!atomic_load(&c->stop)) {
			if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) != 0)
				break; /* timed out: time to look at the sessions */
		}
		if (atomic_load(&c->stop))
			break;
		unsigned long round = ++c->hb_round;
		for (;;) {
			long long now = fl_now_ms();
			flink_session *s = c->sessions;
			while (s && (s->hb_round == round || !atomic_load(&s->alive) ||
				     now - atomic_load(&s->last_used_ms) < c->heartbeat_interval_ms / 2))
				s = s->next;
			if (!s || atomic_load(&c->stop))
				break;
			s->hb_round = round;
			s->hb_busy = true;
			pthread_mutex_unlock(&c->lock);
			heartbeat_one(c, s);
			pthread_mutex_lock(&c->lock);
			s->hb_busy = false;
			pthread_cond_broadcast(&c->cond);
		}
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* Called with c->lock held */
void fl_client_start_heartbeat(flink_client *c)
{
	if (c->hb_started || c->heartbeat_interval_ms <= 0)
		return;
	if (!c->hb_multi)
		c->hb_multi = curl_multi_init();
	/* without a thread, idle sessions expire after the gateway's idle timeout: the calls that
	 * follow then answer FLINK_E_SESSION_GONE */
	if (c->hb_multi && pthread_create(&c->hb_thread, NULL, heartbeat_main, c) == 0)
		c->hb_started = true;
}
