#!/usr/bin/env bash
# PostgreSQL benchmarks, on a server started for the purpose (tests/e2e/pg.sh):
#  - a seed of 100,000 rows (types inferred, then COPY FROM STDIN), against psql's \copy of the
#    same file into the same table;
#  - `run` of 1,000 trivial view models with --threads 4 (first build, then a rebuild in place);
#  - the per-model overhead: wall time of a one-thread run minus the server's own execution time
#    for it (pg_stat_statements), divided by the models.
# Usage: bench/pg_bench.sh [BUILD_DIR] [N_MODELS]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
nmodels=${2:-1000}
export SLUICE_BIN="$build/sluice" SLUICE_TEST_DATA="$root/tests"
[ -x "$SLUICE_BIN" ] || { echo "pg_bench: no sluice binary at $SLUICE_BIN (run make first)" >&2; exit 2; }
. "$root/tests/e2e/lib.sh"
. "$root/tests/e2e/pg.sh"
PG_SERVER_OPTS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
pg_start >/dev/null
pg_sql "create extension pg_stat_statements" >/dev/null

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# ---- seeds
mkdir -p "$WORK/b/seeds" "$WORK/b/models" && cd "$WORK/b"
printf 'name: b\nprofile: b\n' >dbt_project.yml
pg_profile b bench
awk 'BEGIN { print "id,name,price,day,flag"; for (i = 1; i <= 100000; i++) printf "%d,item %d,%d.%02d,2024-%02d-%02d,%s\n", i, i, i % 1000, i % 100, i % 12 + 1, i % 28 + 1, (i % 2 ? "true" : "false") }' >seeds/big.csv
t=$(date +%s%N)
"$SLUICE_BIN" seed --quiet >/dev/null || { echo "pg_bench: the seed failed"; exit 1; }
seed_ms=$(ms "$t")
pg_sql "create table public.copy_ref (id integer, name text, price float8, day date, flag boolean)"
t=$(date +%s%N)
"$PSQL" -h "$PG_DIR" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -qc "\\copy public.copy_ref from '$WORK/b/seeds/big.csv' with (format csv, header true)"
copy_ms=$(ms "$t")
printf '%-44s %8d ms   (psql \\copy of the same file: %d ms)\n' "seed of 100,000 rows (sluice seed, all in)" "$seed_ms" "$copy_ms"
rm seeds/big.csv

# ---- 1,000 view models
for i in $(seq 1 "$nmodels"); do echo "select $i as id" >"models/v$i.sql"; done
t=$(date +%s%N)
"$SLUICE_BIN" run --threads 4 --quiet >/dev/null || { echo "pg_bench: the run failed"; exit 1; }
first_ms=$(ms "$t")
t=$(date +%s%N)
"$SLUICE_BIN" run --threads 4 --quiet >/dev/null || { echo "pg_bench: the second run failed"; exit 1; }
second_ms=$(ms "$t")
printf '%-44s %8d ms   (%.2f ms a model)\n' "run of $nmodels views, --threads 4, first" "$first_ms" "$(echo "$first_ms / $nmodels" | bc -l)"
printf '%-44s %8d ms   (%.2f ms a model)\n' "run of $nmodels views, --threads 4, rebuild" "$second_ms" "$(echo "$second_ms / $nmodels" | bc -l)"

# ---- per-model overhead on one thread: wall time minus the server's execution time
pg_sql "select pg_stat_statements_reset()" >/dev/null
t=$(date +%s%N)
/usr/bin/time -f '%U %S' -o "$WORK/cpu" "$SLUICE_BIN" run --threads 1 --quiet >/dev/null ||
	{ echo "pg_bench: the one-thread run failed"; exit 1; }
one_ms=$(ms "$t")
cpu_ms=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$WORK/cpu")
server_ms=$(pg_sql "select round(sum(total_exec_time)) from pg_stat_statements where query not like '%pg_stat_statements%'")
calls=$(pg_sql "select sum(calls) from pg_stat_statements where query not like '%pg_stat_statements%'")
t=$(date +%s%N)
"$SLUICE_BIN" parse --quiet >/dev/null
parse_ms=$(ms "$t")
printf '%-44s %8d ms   (server executing: %d ms in %d statements; parse alone: %d ms)\n' \
	"run of $nmodels views, --threads 1" "$one_ms" "$server_ms" "$calls" "$parse_ms"
printf '%-44s %8.2f ms a model (%.1f statements a model; sluice CPU %.2f ms a model)\n' \
	"overhead over the server's own time" "$(echo "($one_ms - $server_ms) / $nmodels" | bc -l)" \
	"$(echo "$calls / $nmodels" | bc -l)" "$(echo "$cpu_ms / $nmodels" | bc -l)"
