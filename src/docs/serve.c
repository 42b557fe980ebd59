/*
 * The documentation server (see serve.h). Every request is a GET of a file, answered from its file
 * descriptor with its content type.
 *
 * DESIGN
 * The server runs libmicrohttpd's epoll loop on a small pool of threads, not a thread per
 * connection under select(): select() cannot watch descriptors past FD_SETSIZE, so about a
 * thousand idle connections used to lock every new client out. Now the connection limit is set
 * well past that (the descriptor limit is raised for it) and an idle connection is dropped after
 * CONN_TIMEOUT_S seconds.
 *
 * What may be read: a browser page on another site can point a name of its own at 127.0.0.1 (DNS
 * rebinding) and read what this server answers, so a request must name this server in its Host
 * header: a loopback name, or the address given with --host. --host 0.0.0.0 accepts any name, and
 * says so. Database files (DuckDB, SQLite, their write-ahead logs) are never served, whatever
 * their name, since the default target keeps its database under target/.
 */
#define _GNU_SOURCE
#include "docs/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/interrupt.h"
#include "core/log.h"


static const char *content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
		{".json", "application/json"}, {".js", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
		{".jpg", "image/jpeg"}, {".ico", "image/x-icon"}, {".txt", "text/plain; charset=utf-8"},
		{".sql", "text/plain; charset=utf-8"}, {".woff2", "font/woff2"},
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcasecmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

enum { CONN_TIMEOUT_S = 10, MAX_CONNECTIONS = 4000, POOL_THREADS = 2 };

struct server {
	char root[PATH_MAX];  /* realpath of the served folder */
	size_t rootlen;
	const char *host;     /* --host */
	bool any_host;        /* --host 0.0.0.0: every Host header names this server */
};

/* Whether a Host header ("name", "name:port", "[v6]:port") names this server */
static bool host_allowed(const struct server *s, const char *header)
{
	if (!header || !*header)
		return false;
	if (s->any_host)
		return true;
	char name[256];
	size_t n;
	if (header[0] == '[') {
		const char *end = strchr(header, ']');
		if (!end)
			return false;
		n = (size_t)(end - header - 1);
		if (n >= sizeof(name))
			return false;
		memcpy(name, header + 1, n);
	} else {
		const char *colon = strchr(header, ':');
		n = colon ? (size_t)(colon - header) : strlen(header);
		if (n >= sizeof(name) || (colon && strchr(colon + 1, ':')))
			return false;
		memcpy(name, header, n);
	}
	name[n] = '\0';
	if (n && name[n - 1] == '.')  /* "localhost." is the same name */
		name[--n] = '\0';
	if (!strcasecmp(name, "localhost") || !strcmp(name, "::1") || !strcasecmp(name, s->host))
		return true;
	struct in_addr a4;
	return inet_pton(AF_INET, name, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/* Database files are never served: by name, and by the magic of their first bytes */
static bool is_database(const char *path, int fd)
{
	static const char *const ends[] = {".duckdb", ".db", ".ddb", ".wal", ".sqlite", ".sqlite3",
					   "-wal", "-shm", "-journal", ".duckdb.tmp", NULL};
	size_t len = strlen(path);
	for (const char *const *e = ends; *e; e++) {
		size_t el = strlen(*e);
		if (len >= el && !strcasecmp(path + len - el, *e))
			return true;
	}
	char head[16];
	ssize_t got = pread(fd, head, sizeof(head), 0);
	if (got >= 12 && !memcmp(head + 8, "DUCK", 4))
		return true;
	return got == 16 && !memcmp(head, "SQLite format 3", 16);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, const void *body,
			     size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, mode);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result not_found(struct MHD_Connection *c)
{
	static const char msg[] = "404 not found\n";
	return reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", msg, sizeof(msg) - 1, MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct server *s = cls;
	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		static const char msg[] = "405 method not allowed\n";
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", msg, sizeof(msg) - 1,
			     MHD_RESPMEM_PERSISTENT);
	}
	const char *hosthdr = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (!host_allowed(s, hosthdr)) {
		static const char msg[] = "403 forbidden: the Host header does not name this server "
					  "(use http://localhost:<port>/, or serve with --host <the name's address>)\n";
		log_msg(LOG_WARN, "docs serve: refused a request for Host '%s'", hosthdr ? hosthdr : "");
		return reply(c, MHD_HTTP_FORBIDDEN, "text/plain; charset=utf-8", msg, sizeof(msg) - 1,
			     MHD_RESPMEM_PERSISTENT);
	}
	/* libmicrohttpd has unescaped the URL: refuse any '..' segment, then check where it leads */
	if (url[0] != '/' || strstr(url, "/../") || !strcmp(url + strlen(url) - (strlen(url) >= 3 ? 3 : 0), "/..") ||
	    strchr(url, '\\'))
		return not_found(c);
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s%s%s", s->root, url, url[strlen(url) - 1] == '/' ? "index.html" : "");
	char real[PATH_MAX];
	if (!realpath(path, real) || strncmp(real, s->root, s->rootlen) || (real[s->rootlen] != '/' && real[s->rootlen]))
		return not_found(c);
	int fd = open(real, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || is_database(real, fd)) {
		if (fd >= 0)
			close(fd);
		return not_found(c);
	}
	struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", content_type(real));
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int docs_serve(const char *root, const char *host, int port, bool quiet)
{
	struct server s;
	if (!realpath(root, s.root)) {
		fprintf(stderr, "Error: cannot serve '%s': %s\n", root, strerror(errno));
		fprintf(stderr, "   hint: run 'sluice docs generate' first\n");
		return 2;
	}
	s.rootlen = strlen(s.root);
	s.host = host;
	s.any_host = !strcmp(host, "0.0.0.0");
	if (port < 0 || port > 65535) {
		fprintf(stderr, "Error: --port %d is not a TCP port\n   hint: use a port from 1 to 65535 (0 picks a free one)\n",
			port);
		return 2;
	}
	struct sockaddr_in addr = {0};
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, "Error: --host '%s' is not an IPv4 address\n", host);
		return 2;
	}
	if (s.any_host)
		fprintf(stderr, "warning: --host 0.0.0.0 serves the docs on every network of this machine: anyone who "
				"can reach it reads target/ (the manifest, the compiled SQL)\n"
				"   hint: leave --host out to serve on loopback only\n");
	/* room for the connection limit: the soft descriptor limit up to the hard one */
	unsigned limit = MAX_CONNECTIONS;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < limit + 64) {
			rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > limit + 64 ? limit + 64 : rl.rlim_max;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
			(void)getrlimit(RLIMIT_NOFILE, &rl);
		}
		if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < limit + 64)
			limit = rl.rlim_cur > 96 ? (unsigned)rl.rlim_cur - 64 : 32;
	}
	/* before the daemon's threads start, so that they inherit SIGINT and SIGTERM blocked */
	intr_stop_prepare();
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port,
					       NULL, NULL, handle, &s, MHD_OPTION_SOCK_ADDR, &addr,
					       MHD_OPTION_THREAD_POOL_SIZE, (unsigned)POOL_THREADS,
					       MHD_OPTION_CONNECTION_LIMIT, limit,
					       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "Error: cannot listen on %s:%d: %s\n", host, port, strerror(errno));
		fprintf(stderr, "   hint: pick another port with --port\n");
		return 2;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	int bound = info ? info->port : port;
	if (!quiet)
		printf("Serving docs at http://%s:%d/\nPress Ctrl+C to exit.\n", host, bound);
	else
		printf("http://%s:%d/\n", host, bound);
	fflush(stdout);
	intr_wait_stop();
	MHD_stop_daemon(d);
	if (!quiet)
		printf("Stopped.\n");
	return 0;
}
