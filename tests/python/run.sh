#!/usr/bin/env bash
# Runs the Python module's unittest suite (tests/python/test_*.py) with the interpreter the module
# was built for. The tests start the Flink SQL Gateway double themselves ($SLUICE_FLINK_DOUBLE) on
# free loopback ports, and stop it.
#   run.sh PYTHON BUILD_DIR
# In a sanitizer build the extension and libsluice-flink carry ASan/UBSan, which must be loaded
# first into an interpreter built without them: libasan (and libubsan) are preloaded. CPython does
# not free everything it allocated at exit, so of LeakSanitizer's reports only those whose stack
# passes through libsluice-flink or the extension fail the run; ASan's memory errors (overflows,
# use after free) and UBSan's reports fail it too.
set -u
py=${1:?usage: run.sh PYTHON BUILD_DIR}
build=${2:?usage: run.sh PYTHON BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
export PYTHONPATH="$build/python${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
ext=$(ls "$build"/python/sluice_flink/_flink*.so 2>/dev/null | head -1)
if [ -z "$ext" ]; then
	echo "the extension was not built: $build/python/sluice_flink/_flink*.so is missing" >&2
	exit 1
fi
leakdir=""
preload=""
if readelf -d "$ext" "$build/libsluice-flink.so" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
	pre=""
	for lib in libasan.so libubsan.so; do
		p=$(${CC:-cc} -print-file-name=$lib)
		if [ ! -e "$p" ]; then
			echo "SKIP: a sanitizer build needs $lib preloaded into $py, and the compiler does not know it" >&2
			exit 0
		fi
		pre="$pre${pre:+ }$(readlink -f "$p")"
	done
	preload="$pre"
	# LeakSanitizer's reports go to files, read below: CPython leaves memory behind at exit that
	# is none of ours, so only leaks whose stack passes through the client library or the
	# extension fail the run
	leakdir=$(mktemp -d "${TMPDIR:-/tmp}/sluice-py-lsan.XXXXXX")
	export ASAN_OPTIONS="detect_leaks=1:log_path=$leakdir/report${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	export LSAN_OPTIONS="exitcode=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=98${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
	echo "# sanitizer build: preloading $preload"
fi
# only the interpreter (and what it starts) gets the sanitizers, not the tools used below
if [ -n "$preload" ]; then
	LD_PRELOAD="$preload" "$py" -m unittest discover -s "$here" -p 'test_*.py' -v
else
	"$py" -m unittest discover -s "$here" -p 'test_*.py' -v
fi
rc=$?
if [ -n "$leakdir" ]; then
	# every report is one file per process (the interpreter; the double writes none, it is not
	# preloaded); a leak block runs from "Direct/Indirect leak" to the blank line after its stack
	ours=$(cat "$leakdir"/report.* 2>/dev/null | awk '
		/^(Direct|Indirect) leak/ { block = $0 "\n"; inblock = 1; next }
		inblock && /^$/ { if (block ~ /libsluice-flink|_flink\.cpython|\/python\/src\/[a-z_]+\.c|\/src\/flink\//) printf "%s\n", block; inblock = 0; next }
		inblock { block = block $0 "\n" }')
	other=$(cat "$leakdir"/report.* 2>/dev/null | grep -E '^(ERROR|SUMMARY): AddressSanitizer' | grep -vE 'detected memory leaks|byte\(s\) leaked in' || true)
	nleaks=$(cat "$leakdir"/report.* 2>/dev/null | grep -cE '^(Direct|Indirect) leak' || true)
	echo "# LeakSanitizer: ${nleaks:-0} leak reports in all, $(printf '%s' "$ours" | grep -cE '^(Direct|Indirect) leak' || true) through the client library or the extension"
	if [ -n "$ours" ]; then
		printf '%b' "$ours" | head -c 20000 >&2
		rc=1
	fi
	if [ -n "$other" ]; then
		cat "$leakdir"/report.* >&2
		rc=1
	fi
	rm -rf "$leakdir"
fi
exit $rc
