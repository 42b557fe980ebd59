/*
 * A stand-in for the dbt package hub, for the tests of sluice deps: it serves the hub's API
 * (api/v1/index.json, api/v1/<namespace>/<name>.json) and the packages' tarballs, all built from a
 * fixtures folder laid out as <namespace>/<name>/<version>/ (each a dbt project: its
 * dbt_project.yml gives the project name and require-dbt-version, its packages.yml the packages it
 * needs). The folder is read again on every request, so a test can publish a new version while the
 * double runs. Tarballs are gzipped tars whose single top folder is "<name>-<version>/", as
 * GitHub's are.
 *
 * hub-double --fixtures DIR [--port-file F] [--log F] [--max-seconds N]
 * listens on a free loopback port (written to --port-file), logs each request path to --log, and
 * stops on SIGTERM, when the process that started it is gone, or after --max-seconds (120).
 */
#include <arpa/inet.h>
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/diag.h"
#include "core/fs.h"
#include "core/sb.h"
#include "value/value.h"

static const char *fixtures;
static int port;
static FILE *req_log;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The sorted names of the folders in DIR (not hidden); returns how many */
static size_t subdirs(struct arena *a, const char *dir, char ***pout)
{
	size_t n = 0, cap = 16;
	char **v = arena_alloc(a, cap * sizeof(char *));
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.' || !fs_is_dir(fs_join(a, dir, e->d_name)))
				continue;
			if (n == cap) {
				v = arena_realloc(a, v, cap * sizeof(char *), 2 * cap * sizeof(char *));
				cap *= 2;
			}
			v[n++] = arena_strdup(a, e->d_name);
		}
		closedir(d);
	}
	qsort(v, n, sizeof(char *), cmp_str);
	*pout = v;
	return n;
}

/* A YAML file of a fixture as a value (V_NONE when missing or broken) */
static value read_yaml(struct arena *a, const char *path)
{
	size_t len;
	char *text = fs_read(a, path, &len);
	value v = val_none();
	if (!text)
		return v;
	struct diag_list dl;
	diag_list_init(&dl);
	if (val_from_yaml(a, 0, text, len, &v, &dl) < 0)
		v = val_none();
	diag_list_release(&dl);
	return v;
}

static json_t *to_json(value v)
{
	struct sb s = SB_INIT;
	(void)val_to_json(&s, v, 0, 0);
	json_t *j = json_loadb(s.buf, s.len, JSON_DECODE_ANY, NULL);
	sb_release(&s);
	return j ? j : json_null();
}

static json_t *index_json(struct arena *a)
{
	json_t *list = json_array();
	char **ns;
	size_t nns = subdirs(a, fixtures, &ns);
	for (size_t i = 0; i < nns; i++) {
		char **names;
		size_t nn = subdirs(a, fs_join(a, fixtures, ns[i]), &names);
		for (size_t k = 0; k < nn; k++)
			json_array_append_new(list, json_sprintf("%s/%s", ns[i], names[k]));
	}
	return list;
}

static json_t *package_json(struct arena *a, const char *ns, const char *name)
{
	char *dir = fs_join(a, fs_join(a, fixtures, ns), name);
	if (!fs_is_dir(dir))
		return NULL;
	char **vers;
	size_t nv = subdirs(a, dir, &vers);
	json_t *versions = json_object();
	for (size_t i = 0; i < nv; i++) {
		char *vdir = fs_join(a, dir, vers[i]);
		value proj = read_yaml(a, fs_join(a, vdir, "dbt_project.yml"));
		value pk = read_yaml(a, fs_join(a, vdir, "packages.yml"));
		value pname = proj.type == V_DICT ? val_dict_gets(proj, "name") : val_undef();
		value req = proj.type == V_DICT ? val_dict_gets(proj, "require-dbt-version") : val_undef();
		value pks = pk.type == V_DICT ? val_dict_gets(pk, "packages") : val_undef();
		json_t *e = json_object();
		json_object_set_new(e, "id", json_sprintf("%s/%s/%s", ns, name, vers[i]));
		json_object_set_new(e, "name", json_string(pname.type == V_STR ? pname.s : name));
		json_object_set_new(e, "version", json_string(vers[i]));
		json_object_set_new(e, "published_at", json_string("2024-01-01T00:00:00.000000+00:00"));
		json_object_set_new(e, "packages", pks.type == V_LIST ? to_json(pks) : json_array());
		json_t *rq;
		if (req.type == V_LIST) {
			rq = to_json(req);
		} else {
			rq = json_array();
			if (req.type == V_STR)
				json_array_append_new(rq, json_string(req.s));
		}
		json_object_set_new(e, "require_dbt_version", rq);
		json_object_set_new(e, "works_with", json_array());
		json_object_set_new(e, "_source", json_pack("{s:s,s:s,s:s}", "type", "github", "url",
							    "https://github.com/example/example", "readme", ""));
		char url[512];
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/tarballs/%s/%s/%s.tar.gz", port, ns, name, vers[i]);
		json_object_set_new(e, "downloads", json_pack("{s:s,s:s}", "tarball", url, "format", "tgz"));
		json_object_set_new(versions, vers[i], e);
	}
	return json_pack("{s:s,s:s,s:s?,s:o}", "name", name, "namespace", ns, "latest", nv ? vers[nv - 1] : NULL,
			 "versions", versions);
}

/* ---- tarballs ---- */

static la_ssize_t write_cb(struct archive *ar, void *ud, const void *buf, size_t n)
{
	(void)ar;
	sb_add(ud, buf, n);
	return (la_ssize_t)n;
}

static void add_tree(struct arena *a, struct archive *ar, const char *dir, const char *prefix)
{
	char **files;
	size_t n;
	if (fs_list(a, dir, NULL, &files, &n) < 0)
		return;
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, prefix);
	archive_entry_set_filetype(e, AE_IFDIR);
	archive_entry_set_perm(e, 0755);
	archive_write_header(ar, e);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *data = fs_read(a, fs_join(a, dir, files[i]), &len);
		if (!data)
			continue;
		archive_entry_clear(e);
		archive_entry_set_pathname(e, arena_sprintf(a, "%s%s", prefix, files[i]));
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)len);
		archive_write_header(ar, e);
		archive_write_data(ar, data, len);
	}
	archive_entry_free(e);
}

static int tarball(struct arena *a, const char *ns, const char *name, const char *ver, struct sb *out)
{
	char *dir = fs_join(a, fs_join(a, fs_join(a, fixtures, ns), name), ver);
	if (!fs_is_dir(dir))
		return -1;
	struct archive *ar = archive_write_new();
	archive_write_add_filter_gzip(ar);
	archive_write_set_format_pax_restricted(ar);
	archive_write_open(ar, out, NULL, write_cb, NULL);
	add_tree(a, ar, dir, arena_sprintf(a, "%s-%s/", name, ver));
	archive_write_close(ar);
	archive_write_free(ar);
	return 0;
}

/* ---- HTTP ---- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, void *data, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", type);
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result reply_json(struct MHD_Connection *c, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return reply(c, MHD_HTTP_OK, "application/json", s, strlen(s));
}

static enum MHD_Result not_found(struct MHD_Connection *c)
{
	char *s = strdup("{\"message\": \"not found\"}");
	return reply(c, MHD_HTTP_NOT_FOUND, "application/json", s, strlen(s));
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **state)
{
	(void)cls, (void)version, (void)upload, (void)upload_size, (void)state;
	if (req_log) {
		pthread_mutex_lock(&log_lock);
		fprintf(req_log, "%s %s\n", method, url);
		fflush(req_log);
		pthread_mutex_unlock(&log_lock);
	}
	if (strcmp(method, "GET"))
		return not_found(c);
	struct arena a;
	arena_init(&a, 1 << 16);
	enum MHD_Result rc;
	char ns[128], name[128], ver[128];
	if (!strcmp(url, "/api/v1/index.json")) {
		rc = reply_json(c, index_json(&a));
	} else if (sscanf(url, "/api/v1/%127[^/]/%127[^.].json", ns, name) == 2) {
		json_t *j = package_json(&a, ns, name);
		rc = j ? reply_json(c, j) : not_found(c);
	} else if (sscanf(url, "/tarballs/%127[^/]/%127[^/]/%127[^/]", ns, name, ver) == 3 && strlen(ver) > 7 &&
		   !strcmp(ver + strlen(ver) - 7, ".tar.gz")) {
		ver[strlen(ver) - 7] = 0;
		struct sb out = SB_INIT;
		if (tarball(&a, ns, name, ver, &out) == 0) {
			size_t len;
			char *data = sb_detach(&out, &len);
			rc = reply(c, MHD_HTTP_OK, "application/gzip", data, len);
		} else {
			sb_release(&out);
			rc = not_found(c);
		}
	} else {
		rc = not_found(c);
	}
	arena_release(&a);
	return rc;
}

int main(int argc, char **argv)
{
	const char *port_file = NULL, *log_path = NULL;
	long max_seconds = 120;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--fixtures"))
			fixtures = argv[i + 1];
		else if (!strcmp(argv[i], "--port-file"))
			port_file = argv[i + 1];
		else if (!strcmp(argv[i], "--log"))
			log_path = argv[i + 1];
		else if (!strcmp(argv[i], "--max-seconds"))
			max_seconds = strtol(argv[i + 1], NULL, 10);
	}
	if (!fixtures) {
		fprintf(stderr, "usage: hub-double --fixtures DIR [--port-file F] [--log F] [--max-seconds N]\n");
		return 2;
	}
	if (log_path && !(req_log = fopen(log_path, "a"))) {
		fprintf(stderr, "hub-double: cannot open '%s': %s\n", log_path, strerror(errno));
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	pid_t parent = getppid();
	struct sockaddr_in addr = {0};
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = 0;
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
						handle, NULL, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "hub-double: cannot listen on the loopback interface\n");
		return 1;
	}
	port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
	if (port_file) {
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
		FILE *f = fopen(tmp, "w");
		if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 || rename(tmp, port_file) < 0) {
			fprintf(stderr, "hub-double: cannot write '%s'\n", port_file);
			MHD_stop_daemon(d);
			return 1;
		}
	}
	time_t start = time(NULL);
	while (!stop && getppid() == parent && time(NULL) - start < max_seconds) {
		struct timespec ts = {0, 100000000L};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(d);
	if (req_log)
		fclose(req_log);
	return 0;
}
