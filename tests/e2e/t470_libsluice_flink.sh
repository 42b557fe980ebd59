#!/usr/bin/env bash
# libsluice-flink.so on its own: it exports every function of include/sluice/flink.h and nothing
# but flink_* names, needs no other part of Sluice (only libcurl, jansson and libc), and a C
# program built against the header and the library alone works.
. "$(dirname "$0")/lib.sh"

BUILD=${SLUICE_BUILD_DIR:?SLUICE_BUILD_DIR must name the build folder}
LIB="$BUILD/libsluice-flink.so"
HEADER="$ROOT/include/sluice/flink.h"

if [ -e "$LIB" ]; then ok "the build made libsluice-flink.so"; else not_ok "the build made libsluice-flink.so"; fi

nm -D --defined-only "$LIB" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort >"$WORK/exported"
others=$(grep -v '^flink_' "$WORK/exported" | grep -v '^_' || true)
if [ -z "$others" ]; then ok "only flink_* names are exported"
else not_ok "only flink_* names are exported" "$others"; fi

grep -oE '\bflink_[a-z0-9_]+\(' "$HEADER" | tr -d '(' | sort -u >"$WORK/declared"
missing=$(comm -23 "$WORK/declared" "$WORK/exported")
if [ -z "$missing" ] && [ -s "$WORK/declared" ]; then ok "every function of flink.h is exported ($(wc -l <"$WORK/declared"))"
else not_ok "every function of flink.h is exported" "missing: $missing"; fi

readelf -d "$LIB" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' >"$WORK/needed"
extra=$(grep -vE '^(libcurl|libjansson|libc|libpthread|libm|libasan|libubsan|libgcc_s|ld-linux)[.-]' "$WORK/needed" || true)
if [ -z "$extra" ]; then ok "it needs only libcurl, jansson and libc"
else not_ok "it needs only libcurl, jansson and libc" "$extra"; fi

cat >"$WORK/prog.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <sluice/flink.h>

int main(void)
{
	const char *script = "SET 'a' = 'b'; SELECT ';' -- x\n;";
	struct flink_span *sp;
	size_t n = flink_split_statements(script, &sp);
	printf("statements %zu: [%.*s] [%.*s]\n", n, (int)sp[0].len, script + sp[0].start,
	       (int)sp[1].len, script + sp[1].start);
	free(sp);

	struct flink_client_options o;
	flink_client_options_init(&o);
	o.url = "http://127.0.0.1:1";
	o.max_retries = 0;
	flink_client *c = NULL;
	struct flink_error err;
	flink_error_init(&err);
	flink_code code = flink_client_new(&o, &c, &err);
	printf("connect: %s\n", flink_strerror(code));
	flink_error_release(&err);
	return code == FLINK_E_CONNECT ? 0 : 1;
}
EOF
cflags=""
if grep -q '^libasan' "$WORK/needed"; then cflags="-fsanitize=address,undefined"; fi
if cc -std=c11 $cflags -I"$ROOT/include" "$WORK/prog.c" -L"$BUILD" -lsluice-flink \
	-Wl,-rpath,"$BUILD" -o "$WORK/prog" 2>"$ERR"; then ok "a C program builds against the header and the library alone"
else not_ok "a C program builds against the header and the library alone" "$(cat "$ERR")"; fi

"$WORK/prog" >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "the program runs"
expect_out "statements 2: [SET 'a' = 'b'] [SELECT ';']"
expect_out "connect: could not reach the gateway"

done_testing
