#!/usr/bin/env bash
# The Python module installed: `cmake --install` puts sluice_flink where the interpreter it was
# built for looks under the prefix (lib/python3.X/dist-packages on Debian), with libsluice-flink
# beside the prefix's other libraries, and the installed module imports and finds that library
# wherever the prefix is (RPATH relative to the module).
. "$(dirname "$0")/lib.sh"

BUILD=${SLUICE_BUILD_DIR:?SLUICE_BUILD_DIR must name the build folder}
ext=$(ls "$BUILD"/python/sluice_flink/_flink*.so 2>/dev/null | head -1)
if [ -z "$ext" ]; then
	echo "# SKIP: the build has no Python module (python3-dev missing when it was configured)"
	ok "skipped: no Python module in this build"
	done_testing
fi
py=$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
[ -n "$py" ] || py=/usr/bin/python3

prefix="$WORK/prefix dir"
if cmake --install "$BUILD" --prefix "$prefix" >"$OUT" 2>"$ERR"; then ok "cmake --install into a fresh prefix"
else not_ok "cmake --install into a fresh prefix" "$(tail -20 "$ERR")"; fi

site=$("$py" -c "import sysconfig, sys; print('lib/python%d.%d/%s' % (sys.version_info[:2] + ('dist-packages' if 'deb_system' in sysconfig.get_scheme_names() else 'site-packages',)))")
inst=$(ls "$prefix/$site"/sluice_flink/_flink*.so 2>/dev/null | head -1)
if [ -n "$inst" ] && [ -f "$prefix/$site/sluice_flink/__init__.py" ] && [ -f "$prefix/$site/sluice_flink/_params.py" ]
then ok "the package is installed under $site"
else not_ok "the package is installed under $site" "$(cd "$prefix" && find . -path '*sluice_flink*')"; fi
if [ -e "$prefix/lib/libsluice-flink.so.0" ]; then ok "libsluice-flink is installed in lib/"
else not_ok "libsluice-flink is installed in lib/" "$(ls "$prefix/lib")"; fi

# the installed module, from a working directory outside the source and build trees, with the
# build's library out of reach: it must load the installed one
pre=""
if readelf -d "$inst" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
	for lib in libasan.so libubsan.so; do pre="$pre${pre:+ }$(readlink -f "$(${CC:-cc} -print-file-name=$lib)")"; done
fi
cd "$WORK" || exit 2
LD_PRELOAD="$pre" ASAN_OPTIONS=detect_leaks=0 PYTHONPATH="$prefix/$site" "$py" -c '
import sluice_flink, os
print("module", os.path.realpath(sluice_flink._flink.__file__))
print("api", sluice_flink.apilevel, sluice_flink.threadsafety, sluice_flink.paramstyle)
try:
    sluice_flink.connect(url="http://127.0.0.1:1", max_retries=0)
except sluice_flink.OperationalError as e:
    print("connect", e.code)
with open("/proc/self/maps") as f:
    libs = sorted({l.split(None, 5)[5].strip() for l in f if "libsluice-flink" in l})
print("library", " ".join(libs))
' >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "the installed module imports"
expect_out "module $(readlink -f "$inst")"
expect_out "api 2.0 1 pyformat"
expect_out "connect CONNECT" "it connects through the library (and reports a refused connection)"
expect_out "library $(readlink -f "$prefix/lib/libsluice-flink.so.0")" "it loads the installed libsluice-flink, not the build's"

done_testing
