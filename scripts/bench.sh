#!/usr/bin/env bash
# Benchmarks: generates synthetic projects of 1,000 and 10,000 models and times parse and compile,
# printing models per second and peak memory; then the Jinja rendering benchmark.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
case "$build" in /*) ;; *) build="$root/$build" ;; esac
sluice="$build/sluice"
if [ ! -x "$sluice" ]; then
	echo "bench: no sluice binary at $sluice (run make first)" >&2
	exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() {  # measure LABEL N CMD...: prints wall seconds, models/s and peak RSS
	local label=$1 n=$2
	shift 2
	local out
	if ! /usr/bin/time -f '%e %M' "$@" >/dev/null 2>"$work/err" ||
		! tail -n 1 "$work/err" | grep -Eq '^[0-9.]+ [0-9]+$'; then
		echo "$label: failed"; cat "$work/err"; return 1
	fi
	read -r secs kb < <(tail -n 1 "$work/err")
	awk -v l="$label" -v n="$n" -v s="$secs" -v kb="$kb" \
		'BEGIN { printf "%-28s %6d models  %7.3f s  %9.0f models/s  peak %6.1f MiB\n", l, n, s, (s > 0 ? n / s : 0), kb / 1024 }'
}

for n in 1000 10000; do
	"$root/bench/gen_project.sh" "$work/p$n" "$n" >/dev/null
	measure "parse ($n)" "$n" "$sluice" parse --project-dir "$work/p$n" --quiet
	measure "compile ($n)" "$n" "$sluice" compile --project-dir "$work/p$n" --quiet --threads 2
done
for b in "$build"/bench/bench_*; do
	[ -x "$b" ] && "$b"
done
