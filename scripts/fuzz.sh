#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD (make fuzz) for SECONDS each, starting from the
# committed corpus (tests/fuzz/corpus/<target>, read only) and BUILD/corpus/<target> (where new
# inputs go). Prints each target's executions, coverage and crashes; exits 1 if any crashed.
# A crash's input lands in BUILD/crashes/: add it to tests/fuzz/corpus/<target>/ with the fix, so
# that `make test` runs it from then on.
set -uo pipefail
build=${1:?usage: scripts/fuzz.sh BUILD SECONDS}
secs=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/crashes"
failed=0
printf '%-18s %12s %8s %8s %s\n' target executions cov ft result
for bin in "$build"/tests/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	mkdir -p "$build/corpus/$name"
	log="$build/crashes/$name.log"
	"$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$build/crashes/$name-" "$build/corpus/$name" "$root/tests/fuzz/corpus/$name" \
		>"$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*')
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*')
	result=ok
	if [ "$rc" -ne 0 ]; then
		result="CRASH (see $log)"
		failed=1
	fi
	printf '%-18s %12s %8s %8s %s\n' "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
exit $failed
