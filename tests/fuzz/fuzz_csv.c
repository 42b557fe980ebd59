/* The seed CSV reader: any bytes, with ',' and with the first byte as the delimiter */
#include "fuzz.h"

#include "core/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_report r;
	(void)csv_check((const char *)data, size, ',', &r);
	if (size > 1)
		(void)csv_check((const char *)data + 1, size - 1, (char)data[0], &r);
	return 0;
}
