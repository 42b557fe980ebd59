#!/usr/bin/env bash
# Ctrl-C during a run on PostgreSQL: the first SIGINT cancels the running statement (PQcancel,
# sent again while the server has not stopped it), the run exits 2 with dbt's message, the
# cancelled model's transaction is rolled back so the previous table stays, and the models that
# never started are marked skipped. Every wait is on an event, never on a fixed delay.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start

mkdir -p "$WORK/ci/models" && cd "$WORK/ci"
printf 'name: ci\nprofile: ci\n' >dbt_project.yml
pg_profile ci
cat >models/slow.sql <<'EOS'
{{ config(materialized='table') }}
select {{ var('n', 1) }} as s, pg_sleep({{ var('sleep', 0) }})::text as slept
EOS
echo "select * from {{ ref('slow') }}" >models/after.sql

run run
expect_rc 0 "a first run builds every model"
expect_query "select s from {{ ref('slow') }}" "1"

# one hour of sleep, which no test waits for: only the cancel ends it
: >"$OUT"
"$SLUICE" run --vars '{n: 2, sleep: 3600}' >"$OUT" 2>"$ERR" &
PID=$!
bg_track "$PID"
wait_until 120 eval 'grep -qF "START sql table model public.slow" "$OUT" || ! running "$PID"'
# the statement reaches the server before the signal, or after it: both must end the run
pg_sql "select 1" >/dev/null
kill -INT "$PID"
wait_pid "$PID"
RC=$?
expect_rc 2 "Ctrl-C ends the run with dbt's exit code 2"
expect_out "CANCEL query model.ci.slow" "the running statement is cancelled"
expect_out "Exited because of keyboard interrupt"
expect_no_out "START sql view model public.after" "nothing starts after the interrupt"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.ci.slow").status' error
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.ci.after").status' skipped
expect_query "select s from {{ ref('slow') }}" "1" "the previous table is intact"
expect_query "select count(*) from pg_stat_activity where query like '%pg_sleep(3600)%' and pid <> pg_backend_pid()" \
	"0" "nothing runs on the server any more"
expect_query "select count(*) from information_schema.tables where table_name like 'slow%'" "1" \
	"no temporary relation is left behind"

done_testing
