/* The statement splitter of `sluice sql`: spans must lie inside the script, in order */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sluice/flink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	struct flink_span *spans = NULL;
	size_t n = flink_split_statements(text, &spans);
	size_t len = strlen(text), end = 0;
	for (size_t i = 0; i < n; i++) {
		if (spans[i].start < end || spans[i].start + spans[i].len > len || spans[i].line == 0)
			abort();
		end = spans[i].start + spans[i].len;
	}
	free(spans);
	free(text);
	return 0;
}
