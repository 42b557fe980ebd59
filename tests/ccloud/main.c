/*
 * confluent-cloud-double: Confluent Cloud's SQL Statements API for tests (see README.md beside
 * this file). Writes its two ports to files once it listens (through a temporary name and a
 * rename), stops cleanly on SIGINT or SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/interrupt.h"

#include "cc.h"
#include "core/sb.h"


static void usage(FILE *f)
{
	fprintf(f, "usage: confluent-cloud-double --data DIR [--host 127.0.0.1] [--port-file F] [--admin-port-file F]\n"
		   "         [--org ID] [--env ID] [--env-name NAME] [--database NAME]... [--pool ID]...\n"
		   "         [--api-key KEY:SECRET]... [--token T] [--identity-pool ID] [--page-rows N]\n"
		   "         [--teardown-ms MS] [--job-run-ms MS] [--catalog-lag-ms MS] [--pool-scoped]\n");
}

static int write_port(const char *path, int port)
{
	struct sb tmp = SB_INIT;
	sb_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp.buf, "w");
	int rc = -1;
	if (f) {
		fprintf(f, "%d\n", port);
		if (!fclose(f))
			rc = rename(tmp.buf, path);
	}
	if (rc)
		fprintf(stderr, "error: cannot write port file '%s': %s\n", path, strerror(errno));
	sb_release(&tmp);
	return rc;
}

static int add(const char **v, int *n, const char *opt, const char *val)
{
	if (*n >= 8) {
		fprintf(stderr, "error: at most 8 '%s' options\n", opt);
		return -1;
	}
	v[(*n)++] = val;
	return 0;
}

int main(int argc, char **argv)
{
	static struct cc c;
	c.o.host = "127.0.0.1";
	c.o.org = "7c210ed4-0000-4000-8000-000000000000";
	c.o.env = "env-abc123";
	c.o.page_rows = 100;
	c.o.job_run_ms = 100;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--pool-scoped")) {
			c.o.pool_scoped = true;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "error: option '%s' needs a value\n", a);
			return 2;
		}
		const char *v = argv[++i];
		int rc = 0;
		if (!strcmp(a, "--data"))
			c.o.data_dir = v;
		else if (!strcmp(a, "--host"))
			c.o.host = v;
		else if (!strcmp(a, "--port-file"))
			c.o.port_file = v;
		else if (!strcmp(a, "--admin-port-file"))
			c.o.admin_port_file = v;
		else if (!strcmp(a, "--org"))
			c.o.org = v;
		else if (!strcmp(a, "--env"))
			c.o.env = v;
		else if (!strcmp(a, "--env-name"))
			c.o.env_name = v;
		else if (!strcmp(a, "--database"))
			rc = add(c.o.databases, &c.o.ndatabases, a, v);
		else if (!strcmp(a, "--pool"))
			rc = add(c.o.pools, &c.o.npools, a, v);
		else if (!strcmp(a, "--api-key")) {
			if (!strchr(v, ':')) {
				fprintf(stderr, "error: '--api-key' takes KEY:SECRET\n");
				return 2;
			}
			rc = add(c.o.keys, &c.o.nkeys, a, v);
		} else if (!strcmp(a, "--token"))
			c.o.token = v;
		else if (!strcmp(a, "--identity-pool"))
			c.o.identity_pool = v;
		else if (!strcmp(a, "--page-rows") || !strcmp(a, "--teardown-ms") || !strcmp(a, "--job-run-ms") ||
			   !strcmp(a, "--catalog-lag-ms")) {
			char *end;
			long n = strtol(v, &end, 10);
			if (*end || end == v || n < 0) {
				fprintf(stderr, "error: option '%s' takes a number, not '%s'\n", a, v);
				return 2;
			}
			if (!strcmp(a, "--page-rows"))
				c.o.page_rows = n ? (int)n : 1;
			else if (!strcmp(a, "--teardown-ms"))
				c.o.teardown_ms = n;
			else if (!strcmp(a, "--catalog-lag-ms"))
				c.o.catalog_lag_ms = n;
			else
				c.o.job_run_ms = n;
		} else {
			fprintf(stderr, "error: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
		if (rc)
			return 2;
	}
	if (!c.o.data_dir) {
		fprintf(stderr, "error: '--data DIR' is required\n");
		usage(stderr);
		return 2;
	}
	if (!c.o.ndatabases)
		c.o.databases[c.o.ndatabases++] = "cluster_0";
	if (!c.o.npools)
		c.o.pools[c.o.npools++] = "lfcp-01x6d2";

	/* before the server's threads start, so that they inherit SIGINT and SIGTERM blocked */
	intr_stop_prepare();
	signal(SIGPIPE, SIG_IGN);

	char *err = NULL;
	int rc = 1;
	if (cc_start(&c, &err)) {
		fprintf(stderr, "error: %s\n", err ? err : "cannot start");
		free(err);
		cc_stop(&c);
		return 1;
	}
	if ((c.o.port_file && write_port(c.o.port_file, c.api_port)) ||
	    (c.o.admin_port_file && write_port(c.o.admin_port_file, c.admin_port)))
		goto out;
	fprintf(stderr, "confluent-cloud-double: API on %s:%d, admin on %s:%d\n", c.o.host, c.api_port, c.o.host,
		c.admin_port);
	intr_wait_stop();
	rc = 0;
out:
	cc_stop(&c);
	return rc;
}
