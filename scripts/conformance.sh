#!/bin/sh
# Runs a dbt project's integration suite with Sluice and prints, per step, how many nodes passed
# and failed, in one table. DIR is the project to run (for a package such as dbt-utils, its
# integration_tests/ folder). It runs on a DuckDB file of its own unless --profiles-dir names a
# folder with a profiles.yml for the project's profile.
#
#   scripts/conformance.sh [--sluice BIN] [--profiles-dir DIR] [--keep] [--no-version-check]
#                          [--run-operation MACRO] [--reset COMMAND] DIR
#
# --reset COMMAND is a shell command that empties the database before build when --profiles-dir
# names a server (scripts/conformance_pg.sh uses it); the own DuckDB file is simply removed.
# --no-version-check runs every step without the require-dbt-version check (dbt's flag of that
# name), for packages whose newest release asks for a newer dbt than the one Sluice matches.
# --run-operation MACRO runs `run-operation MACRO` before seed and again before build, for suites
# whose CI creates their source tables that way (dbt-codegen's create_source_table).
# Steps: deps, parse, seed, run, test, build (each in a fresh database for build, so that it
# starts from nothing as a CI run would). deps and parse count as one node each; the others count
# the results of target/run_results.json: pass/success as passed, warn as warned, error/fail as
# failed, skipped as skipped. The logs of each step are kept under DIR/logs/conformance/.
# Exit code: 0 when every step passed without failures, 1 otherwise.
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
sluice="$here/build/sluice"
profiles=""
keep=0
operation=""
reset=""
while [ $# -gt 0 ]; do
	case "$1" in
	--sluice) sluice=$2; shift 2 ;;
	--profiles-dir) profiles=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--no-version-check) export DBT_VERSION_CHECK=false; shift ;;
	--run-operation) operation=$2; shift 2 ;;
	--reset) reset=$2; shift 2 ;;
	-h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "conformance.sh: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 1 ] || [ ! -f "$1/dbt_project.yml" ]; then
	echo "usage: scripts/conformance.sh [--sluice BIN] [--profiles-dir DIR] DIR" >&2
	echo "  DIR must hold a dbt_project.yml" >&2
	exit 2
fi
[ -x "$sluice" ] || { echo "conformance.sh: no sluice binary at '$sluice' (run make build)" >&2; exit 2; }
dir=$(cd "$1" && pwd)
logs="$dir/logs/conformance"
mkdir -p "$logs"

if [ -z "$profiles" ]; then
	# a DuckDB target of its own for whatever profile the project names
	profiles=$(mktemp -d "${TMPDIR:-/tmp}/conformance.XXXXXX")
	[ "$keep" -eq 1 ] || trap 'rm -rf "$profiles"' EXIT
	prof=$(sed -n "s/^profile:[[:space:]]*['\"]\{0,1\}\([^'\"#[:space:]]*\).*/\1/p" "$dir/dbt_project.yml" | head -1)
	[ -n "$prof" ] || prof=default
	cat >"$profiles/profiles.yml" <<EOF
$prof:
  target: duckdb
  outputs:
    duckdb:
      type: duckdb
      path: "$profiles/conformance.duckdb"
      schema: main
      threads: 2
EOF
fi

# count FILE: prints "passed warned failed skipped" from a run_results.json
count() {
	if [ ! -f "$1" ]; then echo "0 0 0 0"; return; fi
	# each result's status is the first "status" after its "unique_id"; timing entries have none
	tr -d '\n' <"$1" | grep -o '"status": *"[a-z]*"' | sed 's/.*"\([a-z]*\)"$/\1/' | awk '
		/^(pass|success)$/ { p++ } /^warn$/ { w++ } /^(error|fail|runtime error)$/ { f++ }
		/^skipped$/ { s++ }
		END { printf "%d %d %d %d\n", p, w, f, s }'
}

status=0
rows=""
step() {
	name=$1; shift
	rm -f "$dir/target/run_results.json"
	start=$(date +%s)
	(cd "$dir" && "$sluice" "$@" --profiles-dir "$profiles") >"$logs/$name.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case "$name" in
	deps|parse|op*)
		if [ "$rc" -eq 0 ]; then c="1 0 0 0"; else c="0 0 1 0"; fi ;;
	*)
		c=$(count "$dir/target/run_results.json")
		# a step that stops before running anything failed as a whole
		if [ "$rc" -ne 0 ] && [ "$c" = "0 0 0 0" ]; then c="0 0 1 0"; fi ;;
	esac
	set -- $c
	[ "$rc" -eq 0 ] && [ "$3" -eq 0 ] || status=1
	rows="$rows$(printf '%-6s %6s %6s %6s %7s %4s %5ss' "$name" "$1" "$2" "$3" "$4" "$rc" "$secs")
"
}

step deps deps
step parse parse
[ -z "$operation" ] || step op run-operation "$operation"
step seed seed --full-refresh
step run run --full-refresh
step test test
# build from an empty database
rm -f "$profiles/conformance.duckdb" "$profiles/conformance.duckdb.wal"
[ -z "$reset" ] || sh -c "$reset" >"$logs/reset.log" 2>&1 || echo "conformance.sh: --reset failed, see $logs/reset.log" >&2
[ -z "$operation" ] || step op2 run-operation "$operation"
step build build --full-refresh

printf '%-6s %6s %6s %6s %7s %4s %6s\n' step passed warned failed skipped exit time
printf '%s' "$rows"
echo "logs: $logs"
exit $status
