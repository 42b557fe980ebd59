/*
 * Runs a file of SQL statements in one DuckDB connection and prints the seconds they took: the
 * engine's own time for the SQL a run sends, without Sluice around it (scripts/bench.sh).
 *
 *   duck_replay DB_PATH SQL_FILE
 *
 * Statements are separated by lines that read exactly "-- @@". Each runs in autocommit, as a
 * run's models commit one by one. Prints the count, the seconds from opening the database to
 * closing it (the checkpoint at close included, as in a run) and those of the statements alone.
 * Exits 1 on the first failing statement.
 */
#define DUCKDB_API_NO_DEPRECATED
#include <duckdb.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2) {
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: duck_replay DB_PATH SQL_FILE\n");
		return 2;
	}
	char *sql = slurp(argv[2]);
	if (!sql) {
		fprintf(stderr, "duck_replay: unable to read '%s'\n", argv[2]);
		return 2;
	}
	double topen = now();
	duckdb_database db;
	duckdb_connection con;
	if (duckdb_open(argv[1], &db) == DuckDBError || duckdb_connect(db, &con) == DuckDBError) {
		fprintf(stderr, "duck_replay: unable to open '%s'\n", argv[1]);
		free(sql);
		return 2;
	}
	double t0 = now();
	int rc = 0;
	size_t count = 0;
	for (char *p = sql; p && *p && !rc;) {
		char *sep = strstr(p, "\n-- @@\n");
		if (sep)
			*sep = '\0';
		if (strspn(p, " \t\r\n") < strlen(p)) {
			duckdb_result res;
			if (duckdb_query(con, p, &res) == DuckDBError) {
				fprintf(stderr, "duck_replay: statement %zu failed: %s\n", count + 1, duckdb_result_error(&res));
				rc = 1;
			}
			duckdb_destroy_result(&res);
			count++;
		}
		p = sep ? sep + 7 : NULL;
	}
	double t1 = now();
	duckdb_disconnect(&con);
	duckdb_close(&db);
	double tclose = now();
	free(sql);
	if (!rc)
		printf("%zu statements %.3f s (statements alone %.3f s)\n", count, tclose - topen, t1 - t0);
	return rc;
}
