#!/usr/bin/env bash
# Benchmarks: generates deterministic projects (bench/gen_project.sh) and prints one table: `run` of
# all-table projects of 200 and 1,000 models and of a 1,000-model project with nine views in ten,
# next to DuckDB's own time for the same SQL in one process (bench/duck_replay.c); `parse` of 1,000
# and 10,000 models (two tests a model), cold and again unchanged; `compile` of 10,000 models, cold,
# again unchanged (its project snapshot), with one model changed, with one properties file
# changed (partial parsing) and for one model (the manifest's entries reused). Each row gives wall
# time, peak RSS and, for runs, the time a model beyond the engine's own. Then the Jinja and Flink
# micro-benchmarks. Also `docs generate` of 5,000 models, a model page of that site in headless
# Chromium (when installed), and a run of 200 views on the Flink SQL Gateway double
# (tests/flinkgw), with the wall time a statement sent.
#
#   scripts/bench.sh [BUILD_DIR]      BENCH_QUICK=1: the views row at 300 models, a few minutes less
#                                     BENCH_DUCKDB_THREADS=N: DuckDB's `threads` setting for the runs
#                                     (the profile's settings, and SET in the replay), default DuckDB's
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
case "$build" in /*) ;; *) build="$root/$build" ;; esac
sluice=${BENCH_SLUICE:-$build/sluice}  # BENCH_SLUICE: another binary (an older build) to compare
replay="$build/bench/duck_replay"
for b in "$sluice" "$replay"; do
	if [ ! -x "$b" ]; then
		echo "bench: no $b (run make first)" >&2
		exit 2
	fi
done
command -v node >/dev/null || { echo "bench: node is needed to read run_results.json" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
quick=${BENCH_QUICK:-0}
views_n=1000
duck_threads=${BENCH_DUCKDB_THREADS:-}
case "$duck_threads" in '' | [1-9] | [1-9][0-9]) ;; *) echo "bench: BENCH_DUCKDB_THREADS must be a count" >&2; exit 2 ;; esac
[ "$quick" = 1 ] && views_n=300

rows=()
# timed LABEL CMD...: runs CMD under /usr/bin/time; sets secs (wall), cpu (user + system) and kb
timed() {
	local label=$1
	shift
	if ! /usr/bin/time -f '%e %U %S %M' "$@" >"$work/out" 2>"$work/err" ||
		! tail -n 1 "$work/err" | grep -Eq '^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$'; then
		echo "bench: $label failed" >&2
		tail -n 20 "$work/out" "$work/err" >&2
		exit 1
	fi
	local u s
	read -r secs u s kb < <(tail -n 1 "$work/err")
	cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')
}

# row WHAT MODELS SECS CPU KB [ENGINE_SECS ENGINE_CPU]: the time a model beyond the engine's own is
# given in CPU time (user + system), which other work on the machine does not blur as it does wall
row() {
	local eng=${6:-} engcpu=${7:-}
	rows+=("$(awk -v w="$1" -v n="$2" -v s="$3" -v c="$4" -v kb="$5" -v e="$eng" -v ec="$engcpu" 'BEGIN {
		if (e == "") printf "| %-36s | %7.2f s | %7.2f s | %6.0f MiB | %8s | %8s | %9s | %6s |", w, s, c, kb / 1024, "", "", "", ""
		else printf "| %-36s | %7.2f s | %7.2f s | %6.0f MiB | %6.2f s | %6.2f s | %6.2f ms | %5.2fx |", w, s, c, kb / 1024, e, ec, (c - ec) * 1000 / n, s / e
	}')")
}

gen() {  # gen DIR N VARIANT
	BENCH_VARIANT=$3 "$root/bench/gen_project.sh" "$1" "$2" >/dev/null
	printf 'profile: bench\n' >>"$1/dbt_project.yml"
	printf 'bench:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: bench.duckdb\n' >"$1/profiles.yml"
	if [ -n "$duck_threads" ]; then
		printf '      settings:\n        threads: %s\n' "$duck_threads" >>"$1/profiles.yml"
	fi
}

# The SQL the run's models sent, as DuckDB alone would run it: each model's compiled query created
# under its name, every model after the models it reads
replay_sql() {
	node -e '
		const fs = require("fs");
		const rr = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
		const m = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
		const code = {};
		for (const r of rr.results) code[r.unique_id] = r.compiled_code;
		const out = [], done = new Set();
		const visit = (id) => {
			const n = m.nodes[id];
			if (done.has(id) || !n || n.resource_type !== "model") return;
			done.add(id);
			for (const d of n.depends_on.nodes) visit(d);
			const kind = n.config.materialized === "view" ? "view" : "table";
			out.push(`create or replace ${kind} ${n.relation_name} as (\n${code[id]}\n)`);
		};
		Object.keys(m.nodes).sort().forEach(visit);
		process.stdout.write(out.join("\n-- @@\n") + "\n");
	' "$1/target/run_results.json" "$1/target/manifest.json"
}

bench_run() {  # bench_run LABEL N VARIANT
	local dir="$work/run_$3_$2"
	gen "$dir" "$2" "$3"
	timed "$1" "$sluice" run --project-dir "$dir" --profiles-dir "$dir" --threads 2 --quiet
	local s=$secs c=$cpu k=$kb
	# --quiet prints errors only: the results say whether every model was built
	node -e 'const r = require(process.argv[1]).results; process.exit(r.length && r.every(x => x.status === "success") ? 0 : 1)' \
		"$dir/target/run_results.json" || {
		echo "bench: $1: some models failed" >&2
		tail -n 20 "$work/out" >&2
		exit 1
	}
	{
		[ -z "$duck_threads" ] || printf 'SET threads = %s\n-- @@\n' "$duck_threads"
		replay_sql "$dir"
	} >"$work/replay.sql"
	rm -rf "$work/replay" && mkdir "$work/replay"
	# the same file name, so that the same catalog name
	timed "$1 (DuckDB alone)" "$replay" "$work/replay/bench.duckdb" "$work/replay.sql"
	local e
	e=$(awk '{print $3}' "$work/out")
	row "$1" "$2" "$s" "$c" "$k" "$e" "$cpu"
}

bench_run "run, 200 models, all tables" 200 tables
bench_run "run, 1,000 models, all tables" 1000 tables
bench_run "run, $views_n models, 90% views" "$views_n" views90

for n in 1000 10000; do
	dir="$work/parse_$n"
	gen "$dir" "$n" tables
	# a file saved in the second its parse starts is hashed again by every later check rather
	# than trusted by its mtime (as git treats a racily clean index); a project saved a moment
	# before the parse, not in the same instant, is the daily case
	sleep 1.1
	timed "parse $n" "$sluice" parse --project-dir "$dir" --profiles-dir "$dir" --quiet
	row "parse, $n models + $((2 * n)) tests" "$n" "$secs" "$cpu" "$kb"
	timed "parse $n again" "$sluice" parse --project-dir "$dir" --profiles-dir "$dir" --quiet
	row "parse again, nothing changed ($n)" "$n" "$secs" "$cpu" "$kb"
done
timed "compile 10000" "$sluice" compile --project-dir "$work/parse_10000" --profiles-dir "$work/parse_10000" \
	--threads 2 --quiet
row "compile, 10000 models" 10000 "$secs" "$cpu" "$kb"
# the same again: the project loaded from the snapshot the first compile left
timed "compile 10000 again" "$sluice" compile --project-dir "$work/parse_10000" --profiles-dir "$work/parse_10000" \
	--threads 2 --quiet
row "compile again, unchanged (10000)" 10000 "$secs" "$cpu" "$kb"
# one model's SQL changed: that model parsed again, the rest read from the snapshot
models=("$work"/parse_10000/models/*/*/*.sql)
echo "-- changed" >>"${models[0]}"
timed "compile 10000, one changed" "$sluice" compile --project-dir "$work/parse_10000" \
	--profiles-dir "$work/parse_10000" --threads 2 --quiet
row "compile, one model changed (10000)" 10000 "$secs" "$cpu" "$kb"
# one properties file's descriptions changed: its hundred models and their tests parsed again
props=("$work"/parse_10000/models/*/*/schema.yml)
sed -i 's/Primary key; unique within the model\./Primary key, unique in the model./' "${props[0]}"
timed "compile 10000, one properties file changed" "$sluice" compile --project-dir "$work/parse_10000" \
	--profiles-dir "$work/parse_10000" --threads 2 --quiet
row "compile, one properties file changed (10000)" 10000 "$secs" "$cpu" "$kb"
# the daily loop: one model compiled, the project from its snapshot, the manifest's other entries
# from the last manifest (the first of the three writes the snapshot, the second the side file)
one=$(basename "${models[1]}" .sql)
for k in 1 2 3; do
	timed "compile one model of 10000 ($k)" "$sluice" compile --project-dir "$work/parse_10000" \
		--profiles-dir "$work/parse_10000" --threads 2 --quiet -s "$one"
done
row "compile -s one_model, warm (10000)" 10000 "$secs" "$cpu" "$kb"
# another command next, with the same options: the snapshot compile left serves it too (the load
# read no flag)
timed "ls one model of 10000" "$sluice" ls --project-dir "$work/parse_10000" --profiles-dir "$work/parse_10000" \
	--threads 2 --quiet -s "$one" --output name
row "ls -s one_model after compile (10000)" 10000 "$secs" "$cpu" "$kb"

# docs generate of a 5,000-model project (compiles every model, reads the catalog, writes the site),
# built first, as a user runs it, so that the catalog has every table and its columns
dir="$work/docs_5000"
gen "$dir" 5000 tables
timed "run 5000" "$sluice" run --project-dir "$dir" --profiles-dir "$dir" --threads 2 --quiet
timed "docs generate 5000" "$sluice" docs generate --project-dir "$dir" --profiles-dir "$dir" --threads 2 --quiet
row "docs generate, 5000 models" 5000 "$secs" "$cpu" "$kb"

# a model's page of that site in headless Chromium, through docs serve: the wall time from
# starting the browser to the page drawn (the manifest and catalog fetched and read, the deepest
# model's page with its columns, SQL and lineage), next to the browser's start alone (about:blank)
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chromium" ]; then
	browse() {  # browse URL OUT: the DOM once the page's scripts ran
		timed "Chromium on $1" timeout 300 "$chromium" --headless --no-sandbox --disable-gpu \
			--disable-background-networking --disable-component-update --disable-sync --no-first-run \
			--user-data-dir="$(mktemp -d "$work/chrome.XXXXXX")" --virtual-time-budget=5000 --dump-dom "$1"
		cp "$work/out" "$2"
	}
	"$sluice" docs serve --project-dir "$dir" --profiles-dir "$dir" --port 0 --quiet >"$work/serve.out" 2>&1 &
	serve_pid=$!
	for _ in $(seq 300); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
	url=$(head -n 1 "$work/serve.out")
	last=$(ls "$dir"/models/*/*/*.sql | sort | tail -n 1)
	last=$(basename "$last" .sql)
	browse "about:blank" "$work/blank.html"
	row "Chromium start alone (about:blank)" 1 "$secs" "$cpu" "$kb"
	browse "${url}#!/model/model.bench.$last" "$work/model.html"
	kill -INT "$serve_pid" && wait "$serve_pid" 2>/dev/null || true
	if ! grep -q "<h1>$last" "$work/model.html"; then
		echo "bench: the model page of $last was not drawn" >&2
		head -c 2000 "$work/model.html" >&2
		exit 1
	fi
	row "docs model page, 5000 (Chromium)" 1 "$secs" "$cpu" "$kb"
fi

# run on the Flink SQL Gateway double: view models, each a few statements to the
# gateway over loopback; the time a statement is the run's wall and CPU over the statements sent
double="$build/tests/flink-gateway-double"
if [ -x "$double" ]; then
	fdir="$work/flink"
	nf=200
	mkdir -p "$fdir/models" "$fdir/gw"
	printf 'name: fbench\nprofile: fbench\n' >"$fdir/dbt_project.yml"
	# each view reads the first one: the double refuses deeper chains of views (about 35) with a
	# wrong "references itself" error
	echo "{{ config(materialized='view') }} select 1 as id" >"$fdir/models/m1.sql"
	for ((i = 2; i <= nf; i++)); do
		echo "{{ config(materialized='view') }} select id + $i as id from {{ ref('m1') }}" >"$fdir/models/m$i.sql"
	done
	"$double" --data "$fdir/gw" --port 0 --port-file "$fdir/gw.port" --admin-port-file "$fdir/gw.admin" \
		--jobmanager-port-file "$fdir/gw.jm" >"$fdir/gw.out" 2>&1 &
	gw_pid=$!
	for _ in $(seq 300); do [ -s "$fdir/gw.port" ] && [ -s "$fdir/gw.admin" ] && [ -s "$fdir/gw.jm" ] && break; sleep 0.1; done
	printf 'fbench:\n  target: dev\n  outputs:\n    dev:\n      type: flink\n      host: 127.0.0.1\n      port: "%s"\n' \
		"$(cat "$fdir/gw.port")" >"$fdir/profiles.yml"
	timed "run on the Flink double" "$sluice" run --project-dir "$fdir" --profiles-dir "$fdir" --threads 1 --quiet
	nstmt=$(curl -s "http://127.0.0.1:$(cat "$fdir/gw.admin")/statements" | node -e \
		'let s = ""; process.stdin.on("data", d => s += d).on("end", () => console.log(JSON.parse(s).length))')
	kill "$gw_pid" && wait "$gw_pid" 2>/dev/null
	rows+=("$(awk -v n="$nf" -v st="$nstmt" -v s="$secs" -v c="$cpu" -v kb="$kb" 'BEGIN {
		printf "| %-36s | %7.2f s | %7.2f s | %6.0f MiB | %8s | %8s | %6.2f ms | %6s |", "run, Flink double, " n " views", s, c, kb / 1024, st " st", "", s * 1000 / st, "/stmt"
	}')")
fi

echo "| what                                 |      wall |       CPU |   peak RSS | DuckDB w | DuckDB c | beyond/mdl | w / D |"
echo "| ------------------------------------ | --------: | --------: | ---------: | -------: | -------: | ---------: | ----: |"
printf '%s\n' "${rows[@]}"
echo "(DuckDB w / c: wall and CPU of the same SQL run by DuckDB alone in one process, bench/duck_replay.c;"
echo " beyond/mdl: CPU (user + system) beyond DuckDB's own, a model; w / D: wall over DuckDB's wall; --threads 2;"
echo " Flink double row: the statements sent under DuckDB w, the run's wall time a statement under beyond/mdl)"
echo

for b in "$build"/bench/bench_*; do
	[ -x "$b" ] && "$b"
done
