/*
 * The decoders of the SQL Gateway's answers: a result page (columns, rows of every type, the next
 * URI and its token) and an error body with its Java trace and root cause
 */
#include <stdlib.h>
#include <string.h>

#include "flink/internal.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct fl_colset *cols = NULL;
	struct flink_page *page = NULL;
	char *next = NULL;
	struct flink_error err;
	flink_error_init(&err);
	if (fl_page_parse(body, size, &cols, &page, &next, &err) == FLINK_OK) {
		int64_t token;
		if (next)
			(void)fl_next_uri_token(next, &token);
		flink_page_free(page);
	}
	free(next);
	if (cols)
		fl_colset_free(cols);
	flink_error_release(&err);
	struct fl_error_body eb;
	if (fl_error_body_parse(body, size, &eb) == 0)
		fl_error_body_release(&eb);
	return 0;
}
