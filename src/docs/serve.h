/*
 * sluice docs serve: the files of the target folder over HTTP (libmicrohttpd), on loopback by
 * default. Only regular files under that folder are served: no path traversal (.. segments,
 * encoded or not, and symbolic links leading out are refused), content types by extension, 404
 * for anything else; never a database file; only for a Host header that names this server (a
 * loopback name, or --host). Runs until SIGINT or SIGTERM.
 *
 * Module direction: docs -> core.
 */
#ifndef SLUICE_DOCS_SERVE_H
#define SLUICE_DOCS_SERVE_H

#include <stdbool.h>

/* Serves `root` on host:port (port 0 picks a free one, printed; outside 0-65535 is an error, 2);
 * returns 0 on a clean stop */
int docs_serve(const char *root, const char *host, int port, bool quiet);

#endif
