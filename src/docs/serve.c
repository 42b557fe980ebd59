/*
 * The documentation server (see serve.h). One thread per connection is enough for a person's
 * browser; every request is a GET of a file, read whole and answered with its content type.
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

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

struct server {
	char root[PATH_MAX];  /* realpath of the served folder */
	size_t rootlen;
};

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
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
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
	struct sockaddr_in addr = {0};
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, "Error: --host '%s' is not an IPv4 address\n", host);
		return 2;
	}
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
						       MHD_USE_ERROR_LOG,
					       (uint16_t)port, NULL, NULL, handle, &s, MHD_OPTION_SOCK_ADDR, &addr,
					       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
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
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop_requested)
		pause();
	MHD_stop_daemon(d);
	if (!quiet)
		printf("Stopped.\n");
	return 0;
}
