/*
 * Fault rules of the gateway double (POST /faults on the admin port): what makes a request fail,
 * hang, or its statement fail, so clients can be tested on the paths a healthy gateway never
 * takes. Rules are tried in order on every gateway request; a rule matches on method, a glob on
 * the decoded path (no query string; '*' also crosses '/') and, optionally, a substring of the
 * request's statement. The first rule whose match counter has passed its "skip" and which still
 * has applications left ("count") is applied; later rules do not see the request.
 */
#include "gw.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

static const char *const action_names[] = {
	"status", "drop", "delay", "slow", "stuck", "fail", "fail_job", "expire_session",
};

bool gw_glob(const char *pattern, const char *s)
{
	return fnmatch(pattern, s, 0) == 0;
}

static void fault_release(struct gw_fault *f)
{
	free(f->method);
	free(f->path);
	free(f->statement);
	free(f->message);
}

void gw_faults_clear(struct gw *g)
{
	for (int i = 0; i < g->nfaults; i++)
		fault_release(&g->faults[i]);
	free(g->faults);
	g->faults = NULL;
	g->nfaults = 0;
}

static int parse_rule(json_t *r, struct gw_fault *f, char *err, size_t errsz)
{
	memset(f, 0, sizeof(*f));
	f->count = -1;
	if (!json_is_object(r)) {
		snprintf(err, errsz, "a fault rule must be an object");
		return -1;
	}
	json_t *method = json_object_get(r, "method"), *path = json_object_get(r, "path");
	json_t *stmt = json_object_get(r, "statement"), *action = json_object_get(r, "action");
	json_t *status = json_object_get(r, "status"), *delay = json_object_get(r, "delay_ms");
	json_t *message = json_object_get(r, "message"), *count = json_object_get(r, "count");
	json_t *skip = json_object_get(r, "skip");
	if ((method && !json_is_string(method)) || (path && !json_is_string(path)) || (stmt && !json_is_string(stmt)) ||
	    (message && !json_is_string(message)) || (status && !json_is_integer(status)) ||
	    (delay && !json_is_integer(delay)) || (count && !json_is_integer(count)) || (skip && !json_is_integer(skip))) {
		snprintf(err, errsz, "a fault rule has a field of the wrong type");
		return -1;
	}
	if (!json_is_string(action)) {
		snprintf(err, errsz, "a fault rule needs an 'action'");
		return -1;
	}
	int a = -1;
	for (int i = 0; i < (int)(sizeof(action_names) / sizeof(action_names[0])); i++)
		if (!strcmp(json_string_value(action), action_names[i]))
			a = i;
	if (a < 0) {
		snprintf(err, errsz, "unknown fault action '%s'", json_string_value(action));
		return -1;
	}
	f->action = (enum gw_action)a;
	f->method = xstrdup(method ? json_string_value(method) : "*");
	f->path = xstrdup(path ? json_string_value(path) : "*");
	f->statement = stmt ? xstrdup(json_string_value(stmt)) : NULL;
	f->message = message ? xstrdup(json_string_value(message)) : NULL;
	f->status = status ? (int)json_integer_value(status) : 500;
	f->delay_ms = delay ? (long)json_integer_value(delay) : 1000;
	f->count = count ? (long)json_integer_value(count) : -1;
	f->skip = skip ? (long)json_integer_value(skip) : 0;
	if (f->action == FA_STATUS && (f->status < 100 || f->status > 599)) {
		snprintf(err, errsz, "fault status %d is not an HTTP status", f->status);
		fault_release(f);
		return -1;
	}
	return 0;
}

int gw_faults_set(struct gw *g, json_t *rules, char *err, size_t errsz)
{
	if (!json_is_array(rules)) {
		snprintf(err, errsz, "the fault rules must be a JSON array");
		return -1;
	}
	size_t n = json_array_size(rules);
	struct gw_fault *v = xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		if (parse_rule(json_array_get(rules, i), &v[i], err, errsz)) {
			for (size_t j = 0; j < i; j++)
				fault_release(&v[j]);
			free(v);
			return -1;
		}
	gw_faults_clear(g);
	g->faults = v;
	g->nfaults = (int)n;
	return 0;
}

json_t *gw_faults_json(struct gw *g)
{
	json_t *a = json_array();
	for (int i = 0; i < g->nfaults; i++) {
		struct gw_fault *f = &g->faults[i];
		json_t *o = json_pack("{s:s,s:s,s:s?,s:s,s:i,s:I,s:s?,s:I,s:I,s:I,s:I}", "method", f->method, "path", f->path,
				      "statement", f->statement, "action", action_names[f->action], "status", f->status,
				      "delay_ms", (json_int_t)f->delay_ms, "message", f->message, "count", (json_int_t)f->count,
				      "skip", (json_int_t)f->skip, "matched", (json_int_t)f->matched, "applied",
				      (json_int_t)f->applied);
		json_array_append_new(a, o);
	}
	return a;
}

void gw_faults_match(struct gw *g, const char *method, const char *path, const char *statement,
		     struct gw_fault_hit *hit)
{
	memset(hit, 0, sizeof(*hit));
	for (int i = 0; i < g->nfaults; i++) {
		struct gw_fault *f = &g->faults[i];
		if (strcmp(f->method, "*") && strcmp(f->method, method))
			continue;
		if (!gw_glob(f->path, path))
			continue;
		if (f->statement && (!statement || !strstr(statement, f->statement)))
			continue;
		f->matched++;
		if (f->matched <= f->skip)
			continue;
		if (f->count >= 0 && f->applied >= f->count)
			continue;
		f->applied++;
		hit->hit = true;
		hit->action = f->action;
		hit->status = f->status;
		hit->delay_ms = f->delay_ms;
		if (f->message) {
			hit->has_message = true;
			snprintf(hit->message, sizeof(hit->message), "%s", f->message);
		}
		return;
	}
}
