/*
 * Flink client benchmark: decodes SQL Gateway result pages (the JSON of GET …/result/:token) as
 * the client does for every page it fetches: exact numbers, typed columns, row kinds. Prints rows
 * and megabytes per second for pages of 5,000 rows (the gateway's buffer size) of a typical
 * streaming result: BIGINT, DECIMAL(10, 2), STRING, TIMESTAMP(3), BOOLEAN, a changelog kind.
 *
 *   bench_flink [PAGES]     (default 200)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flink/internal.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *make_page(int rows, size_t *plen)
{
	struct fl_buf b = FL_BUF_INIT;
	fl_buf_adds(&b, "{\"resultType\":\"PAYLOAD\",\"isQueryResult\":true,\"jobID\":\"3f2a9c4e1b7d4e8f9a0b1c2d3e4f5a6b\","
			"\"resultKind\":\"SUCCESS_WITH_CONTENT\",\"results\":{\"columns\":["
			"{\"name\":\"order_id\",\"logicalType\":{\"type\":\"BIGINT\",\"nullable\":false},\"comment\":null},"
			"{\"name\":\"amount\",\"logicalType\":{\"type\":\"DECIMAL\",\"nullable\":true,\"precision\":10,\"scale\":2},\"comment\":null},"
			"{\"name\":\"customer\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null},"
			"{\"name\":\"order_time\",\"logicalType\":{\"type\":\"TIMESTAMP_WITHOUT_TIME_ZONE\",\"nullable\":true,\"precision\":3},\"comment\":null},"
			"{\"name\":\"shipped\",\"logicalType\":{\"type\":\"BOOLEAN\",\"nullable\":true},\"comment\":null}],"
			"\"rowFormat\":\"JSON\",\"data\":[");
	static const char *const kinds[] = {"INSERT", "UPDATE_BEFORE", "UPDATE_AFTER", "INSERT"};
	for (int i = 0; i < rows; i++)
		fl_buf_addf(&b, "%s{\"kind\":\"%s\",\"fields\":[%d,%d.%02d,\"customer \\\"%d\\\"\",\"2024-05-01T10:%02d:%02d.%03d\",%s]}",
			    i ? "," : "", kinds[i % 4], 1000000 + i, i % 9999, i % 100, i % 977, (i / 60) % 60, i % 60, i % 1000,
			    i % 3 ? "true" : "false");
	fl_buf_adds(&b, "]},\"nextResultUri\":\"/v2/sessions/9b4c1d2e-5f60-4a7b-8c9d-0e1f2a3b4c5d/operations/"
			"0f4b0a2e-1d3c-4b5a-9e8f-7a6b5c4d3e2f/result/7?rowFormat=JSON\"}");
	*plen = b.len;
	return fl_buf_detach(&b);
}

int main(int argc, char **argv)
{
	int pages = argc > 1 ? atoi(argv[1]) : 200;
	if (pages <= 0)
		pages = 200;
	const int rows = 5000;
	size_t len;
	char *body = make_page(rows, &len);
	struct fl_colset *cols = NULL;
	long long checksum = 0;
	double t0 = now_s();
	for (int p = 0; p < pages; p++) {
		struct flink_page *page;
		char *next = NULL;
		struct flink_error err;
		flink_error_init(&err);
		if (fl_page_parse(body, len, &cols, &page, &next, &err) != FLINK_OK) {
			fprintf(stderr, "bench_flink: the page does not parse: %s\n", err.message ? err.message : "?");
			return 1;
		}
		/* touch every value, as a caller would */
		for (size_t r = 0; r < page->nrows; r++)
			checksum += page->rows[r].fields[0].i + (long long)page->rows[r].fields[1].len + page->rows[r].kind;
		flink_page_free(page);
		free(next);
		flink_error_release(&err);
	}
	double dt = now_s() - t0;
	fl_colset_free(cols);
	free(body);
	printf("flink result pages          %6d pages  %7.3f s  %9.0f rows/s  %6.1f MB/s  (checksum %lld)\n", pages, dt,
	       dt > 0 ? pages * (double)rows / dt : 0, dt > 0 ? pages * (double)len / dt / 1e6 : 0, checksum);
	return 0;
}
