#!/usr/bin/env bash
# Ctrl-C during a run on DuckDB: the first SIGINT cancels the running query (duckdb_interrupt),
# prints what happened as dbt does, marks the cancelled node and the ones never started in
# run_results.json, keeps the previous table and exits 2; the same under build, test and seed;
# and no signal at all leaves no trace of this machinery. Every wait is on an event (a line of
# output, the process's end), never on a fixed delay.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/ci/models" "$WORK/ci/seeds" "$WORK/ci/tests" && cd "$WORK/ci"
printf 'name: ci\nprofile: ci\n' >dbt_project.yml
cat >models/slow.sql <<'EOS'
{{ config(materialized='table') }}
select sum(i) as s from range({{ var('n', 10) }}::bigint) t(i)
EOS
echo "select 1 as x" >models/fast.sql
echo "select * from {{ ref('slow') }}" >models/after.sql
printf 'id\n1\n' >seeds/one.csv

# start_bg ARGS...: runs sluice in the background; PID is its process id
start_bg() {
	# emptied here, not by the child's redirection: wait_out must never see the last run's lines
	: >"$OUT"
	: >"$ERR"
	"$SLUICE" "$@" >"$OUT" 2>"$ERR" &
	PID=$!
	bg_track "$PID"
}
# wait_out TEXT: waits until stdout has TEXT (or the process ended, or 120 s as a last resort)
wait_out() {
	local text=$1
	wait_until 120 eval 'grep -qF -- "$text" "$OUT" || ! running "$PID"'
	grep -qF -- "$text" "$OUT"
}
finish_bg() {
	wait_pid "$PID"
	RC=$?
}

run run
expect_rc 0 "a first run builds every model"
expect_query "select s from {{ ref('slow') }}" "45"

# the long query: about 10^14 rows, which no test machine finishes
start_bg run --vars '{n: 100000000000000}'
if wait_out "START sql table model main.slow"; then ok "the long model started"; else not_ok "the long model started" "$(cat "$OUT" "$ERR")"; fi
kill -INT "$PID"
finish_bg
expect_rc 2 "Ctrl-C ends the run with dbt's exit code 2"
expect_out "CANCEL query model.ci.slow" "the running query is cancelled"
expect_out "CANCELLED sql table model main.slow"
expect_out "Exited because of keyboard interrupt"
expect_out "Interrupted: model slow was cancelled before it finished (ctrl-c)"
expect_out "Done. PASS=1 WARN=0 ERROR=1 SKIP=1 TOTAL=3"
expect_no_out "Completed successfully"
expect_no_out "START sql view model main.after" "nothing starts after the interrupt"
expect_json target/run_results.json '.args.vars' '{n: 100000000000000}' "run_results.json is this run's"
expect_json target/run_results.json '.results.length' 3 "every selected node is in run_results.json"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.ci.slow").status' error
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.ci.slow").message' \
	"Interrupted: model slow was cancelled before it finished (ctrl-c)"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.ci.after").status' skipped
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.ci.fast").status' success
expect_query "select s from {{ ref('slow') }}" "45" "the previous table is intact"
expect_query "select count(*) from information_schema.tables where table_name like 'slow%'" "1" \
	"no temporary relation is left behind"

# build: the seed (which slow now reads) is done, the slow model is cancelled, its test never starts
printf -- '-- depends_on: {{ ref("one") }}\n' >>models/slow.sql
echo "select * from {{ ref('slow') }} where s < 0" >tests/no_negative.sql
start_bg build --vars '{n: 100000000000000}' --threads 2
wait_out "START sql table model main.slow" >/dev/null
kill -INT "$PID"
finish_bg
expect_rc 2 "Ctrl-C under build exits 2"
expect_out "CANCEL query model.ci.slow"
expect_json target/run_results.json '.args.which' build
expect_json target/run_results.json '.results.find(r => r.unique_id == "test.ci.no_negative").status' skipped \
	"the test of the cancelled model is marked skipped"
expect_json target/run_results.json '.results.find(r => r.unique_id == "seed.ci.one").status' success

# test: a long data test is cancelled the same way
rm tests/no_negative.sql
printf 'select * from range(%s::bigint) t(i) where i < 0 and i * 2 > 0\n' '{{ var("n", 10) }}' >tests/slow_test.sql
start_bg test --vars '{n: 100000000000000}'
wait_out "START test slow_test" >/dev/null
kill -INT "$PID"
finish_bg
expect_rc 2 "Ctrl-C under test exits 2"
expect_out "CANCEL query test.ci.slow_test"
expect_json target/run_results.json '.results.find(r => r.unique_id == "test.ci.slow_test").status' error

# without a signal nothing changes: exit 0 and a normal summary
rm tests/slow_test.sql
run run
expect_rc 0 "an uninterrupted run"
expect_out "Completed successfully"
expect_no_out "keyboard interrupt"

done_testing
