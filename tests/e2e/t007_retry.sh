#!/usr/bin/env bash
# sluice retry: runs again only what failed or was skipped, with the previous command and its
# arguments; --vars given now win; nothing failed means nothing to do; no earlier run is an error.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/retry/models" "$WORK/retry/tests" && cd "$WORK/retry"
printf 'name: retry\nprofile: retry\nmodels:\n  retry:\n    +materialized: table\n' >dbt_project.yml
echo "select 1 as id" >models/good.sql
echo "{% if var('fix', false) %}select 1 as id{% else %}select no_such_column{% endif %}" >models/bad.sql
echo "select * from {{ ref('bad') }}" >models/bad_child.sql
echo "select * from {{ ref('good') }} where id > {{ var('limit', 0) }}" >models/good_child.sql

run retry
expect_rc 2 "retry with no earlier run exits 2"
expect_err "Could not find previous run in"

run run --vars '{fix: false, limit: 5}' --threads 1
expect_rc 1 "the first run fails"
expect_out "Done. PASS=2 WARN=0 ERROR=1 SKIP=1 TOTAL=4"

: >logs/sluice.log
run retry
expect_rc 1 "a retry that fails again exits 1"
# retry reads dbt_project.yml before its load: the load still reads the run's project snapshot
if grep -q "its nodes are read from" logs/sluice.log; then ok "the retry loads the run's snapshot"
else not_ok "the retry loads the run's snapshot" "$(cat logs/sluice.log)"; fi
expect_out "Done. PASS=0 WARN=0 ERROR=1 SKIP=1 TOTAL=2" "only the failed and skipped nodes run again"
if grep -q "good" "$OUT"; then not_ok "the nodes that succeeded do not run again" "$(cat "$OUT")"
else ok "the nodes that succeeded do not run again"; fi
expect_json target/run_results.json '.args.which' run "the retry records the command it ran"
expect_json target/run_results.json '.results.length' 2

run retry --vars '{fix: true}'
expect_rc 0 "--vars given now win"
expect_out "Done. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2"
expect_query "select count(*) from main.bad_child" "1" "the skipped child was built"

run retry
expect_rc 0 "nothing left to retry"
expect_out "Nothing to do"
# as dbt does (GraphRunnableTask.run): the manifest, and a run_results.json with no result
expect_json target/run_results.json '.results.length' 0 "nothing done: run_results.json has no result"
expect_json target/run_results.json '.args.which' run "and names the command"

# a failing test in a build is retried as part of the build
echo "select * from {{ ref('good') }} where id = {{ var('bad_id', 1) }}" >tests/no_ones.sql
run build --vars '{fix: true}'
expect_rc 1 "the build fails on its test"
run retry --vars '{fix: true, bad_id: 2}'
expect_rc 0 "the retried test passes"
expect_out "Done. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2" "the test and the model it skipped run again"
expect_json target/run_results.json '.args.which' build

# after run-operation, retry runs the operation again with its macro and --args (dbt's
# RunOperationTask has no graph to narrow), --vars given now winning
mkdir -p macros
cat >macros/op.sql <<'EOS'
{% macro op(n) %}
  {% if not var('op_ok', false) %}{{ exceptions.raise_compiler_error('op failed on ' ~ n) }}{% endif %}
  {{ log('op ran on ' ~ n, info=true) }}
{% endmacro %}
EOS
run run-operation op --args '{n: 7}'
expect_rc 1 "the operation fails"
expect_err "op failed on 7"
run retry --vars '{op_ok: true}'
expect_rc 0 "retry runs the operation again"
expect_out "op ran on 7" "with the arguments it had"
expect_json target/run_results.json '.args.which + " " + d.results[0].unique_id + " " + d.results[0].status' \
	"run-operation macro.retry.op success" "and records it as run-operation"

# --state reads another folder; a run_results.json of another command is refused
mkdir -p "$WORK/state" && printf '{"args": {"which": "docs"}, "results": []}' >"$WORK/state/run_results.json"
run retry --state "$WORK/state"
expect_rc 2 "a previous command retry cannot run exits 2"
expect_err "cannot run again"

done_testing
