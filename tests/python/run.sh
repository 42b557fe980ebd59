#!/usr/bin/env bash
# Runs the Python module's unittest suite (tests/python/test_*.py) with the interpreter the module
# was built for. The tests start the Flink SQL Gateway double themselves ($SLUICE_FLINK_DOUBLE) on
# free loopback ports, and stop it.
#   run.sh PYTHON BUILD_DIR
# In a sanitizer build the extension and libsluice-flink carry ASan/UBSan, which must be loaded
# first into an interpreter built without them: libasan (and libubsan) are preloaded. CPython does
# not free everything it allocated at exit, so leak checking is off there; the memory errors ASan
# finds (overflows, use after free) and UBSan's reports still fail the run.
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
	export LD_PRELOAD="$pre"
	export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:exitcode=99${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=98${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
	echo "# sanitizer build: preloading $LD_PRELOAD (leak checking off under CPython)"
fi
exec "$py" -m unittest discover -s "$here" -p 'test_*.py' -v
