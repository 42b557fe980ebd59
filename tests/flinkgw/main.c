/*
 * flink-gateway-double: a Flink SQL Gateway for tests. It serves the gateway's REST API on one
 * port and a control API on another (see README.md beside this file), writes both ports to
 * files once it listens (through a temporary name and a rename, so a reader never sees half a
 * number), and stops cleanly on SIGINT or SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/interrupt.h"

#include "core/sb.h"
#include "gw.h"


static void usage(FILE *f)
{
	fprintf(f, "usage: flink-gateway-double --data DIR [--host 127.0.0.1] [--port 0] [--admin-port 0]\n"
		   "         [--port-file F] [--admin-port-file F] [--jobmanager-port-file F]\n"
		   "         [--flink-version 2.0.0] [--log FILE]\n"
		   "         [--not-ready N] [--page-rows N] [--session-idle-timeout-ms MS] [--job-run-ms MS]\n"
		   "         [--clock real|manual]\n");
}

static int write_port(const char *path, int port)
{
	struct sb tmp = SB_INIT;
	sb_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp.buf, "w");
	int rc = -1;
	if (!f)
		goto out;
	fprintf(f, "%d\n", port);
	if (fclose(f))
		goto out;
	rc = rename(tmp.buf, path);
out:
	if (rc)
		fprintf(stderr, "error: cannot write port file '%s': %s\n", path, strerror(errno));
	sb_release(&tmp);
	return rc;
}

static int parse_num(const char *opt, const char *v, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || end == v || n < 0) {
		fprintf(stderr, "error: option '%s' takes a number, not '%s'\n", opt, v);
		return -1;
	}
	*out = n;
	return 0;
}

int main(int argc, char **argv)
{
	struct gw_options o = {
		.host = "127.0.0.1",
		.flink_version = "2.0.0",
		.not_ready = 1,
		.page_rows = 2,
		.session_idle_timeout_ms = 600000,
		.job_run_ms = 100,
	};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "error: option '%s' needs a value\n", a);
			usage(stderr);
			return 2;
		}
		const char *v = argv[++i];
		long n = 0;
		if (!strcmp(a, "--data"))
			o.data_dir = v;
		else if (!strcmp(a, "--host"))
			o.host = v;
		else if (!strcmp(a, "--port-file"))
			o.port_file = v;
		else if (!strcmp(a, "--admin-port-file"))
			o.admin_port_file = v;
		else if (!strcmp(a, "--jobmanager-port-file"))
			o.jobmanager_port_file = v;
		else if (!strcmp(a, "--flink-version"))
			o.flink_version = v;
		else if (!strcmp(a, "--log"))
			o.log_file = v;
		else if (!strcmp(a, "--clock")) {
			if (strcmp(v, "real") && strcmp(v, "manual")) {
				fprintf(stderr, "error: option '--clock' takes 'real' or 'manual', not '%s'\n", v);
				return 2;
			}
			o.manual_clock = !strcmp(v, "manual");
		}
		else if (!strcmp(a, "--port") || !strcmp(a, "--admin-port") || !strcmp(a, "--not-ready") ||
			 !strcmp(a, "--page-rows") || !strcmp(a, "--session-idle-timeout-ms") || !strcmp(a, "--job-run-ms")) {
			if (parse_num(a, v, &n))
				return 2;
			if (!strcmp(a, "--port"))
				o.port = (int)n;
			else if (!strcmp(a, "--admin-port"))
				o.admin_port = (int)n;
			else if (!strcmp(a, "--not-ready"))
				o.not_ready = (int)n;
			else if (!strcmp(a, "--page-rows"))
				o.page_rows = (int)n;
			else if (!strcmp(a, "--session-idle-timeout-ms"))
				o.session_idle_timeout_ms = n;
			else
				o.job_run_ms = n;
		} else {
			fprintf(stderr, "error: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (!o.data_dir) {
		fprintf(stderr, "error: '--data DIR' is required\n");
		usage(stderr);
		return 2;
	}
	if ((o.port > 65535) || (o.admin_port > 65535)) {
		fprintf(stderr, "error: a port is at most 65535\n");
		return 2;
	}

	/* before the server's threads start, so that they inherit SIGINT and SIGTERM blocked */
	intr_stop_prepare();
	signal(SIGPIPE, SIG_IGN);

	static struct gw g;
	char *err = NULL;
	int rc = 1;
	if (gw_init(&g, &o, &err) || gw_start(&g, &err)) {
		fprintf(stderr, "error: %s\n", err ? err : "cannot start");
		free(err);
		gw_stop(&g);
		gw_release(&g);
		return 1;
	}
	if ((o.port_file && write_port(o.port_file, g.rest_port)) ||
	    (o.admin_port_file && write_port(o.admin_port_file, g.admin_port)) ||
	    (o.jobmanager_port_file && write_port(o.jobmanager_port_file, g.jobmanager_port)))
		goto out;
	fprintf(stderr, "flink-gateway-double: gateway on %s:%d, admin on %s:%d, Flink %s\n", o.host, g.rest_port, o.host,
		g.admin_port, o.flink_version);
	intr_wait_stop();
	rc = 0;
out:
	gw_stop(&g);
	gw_release(&g);
	return rc;
}
