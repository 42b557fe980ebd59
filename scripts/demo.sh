#!/usr/bin/env bash
# Builds the sluice binary (quietly: the compiler's output goes to a log, shown only on failure),
# then builds the bundled example project on the embedded DuckDB (no profile needed) and prints the
# tables it made.
#   scripts/demo.sh [BUILD_DIR [JOBS [CMAKE_FLAGS...]]]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
jobs=${2:-2}
shift $(($# < 2 ? $# : 2))
cd "$root"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
mkdir -p "$build"
log="$build/demo-build.log"
: >"$log"

fail() {
	echo "demo: $1 failed; the last lines of $log:" >&2
	tail -n 40 "$log" >&2
	exit 1
}

if [ ! -f "$build/CMakeCache.txt" ]; then
	echo "== configuring the build"
	cmake -S . -B "$build" "$@" >>"$log" 2>&1 || fail "configuring"
fi

echo "== building sluice (the compiler's output is in $log)"
if [ -t 1 ]; then
	# one progress line that updates in place
	set +o pipefail
	cmake --build "$build" --target sluice -j "$jobs" 2>&1 | tee -a "$log" |
		grep --line-buffered -o '^\[ *[0-9]*%\]' | while read -r pct; do printf '\r   %s' "$pct"; done
	rc=${PIPESTATUS[0]}
	set -o pipefail
	printf '\r   done      \n'
	[ "$rc" -eq 0 ] || fail "building"
else
	cmake --build "$build" --target sluice -j "$jobs" >>"$log" 2>&1 || fail "building"
fi

sluice="$build/sluice"
project="$root/examples/jaffle_shop"
echo
echo "== sluice build (examples/jaffle_shop): models, then their tests"
"$sluice" build --project-dir "$project"
for model in customers orders customer_audit; do
	echo
	echo "== $model"
	"$sluice" show --project-dir "$project" --quiet --limit 10 \
		--inline "select * from {{ ref('$model') }} order by 1"
done
