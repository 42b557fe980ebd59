#!/usr/bin/env bash
# on-run-start / on-run-end hooks (with results and schemas), pre- and post-hooks on models,
# run-operation with arguments, run_query and log, and the failure exit codes.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/ho/models" "$WORK/ho/macros" && cd "$WORK/ho"
cat >dbt_project.yml <<'EOS'
name: ho
profile: ho
on-run-start:
  - "create table if not exists audit_log (seq integer, event varchar)"
  - "insert into audit_log values (1, 'start {{ target.name }}')"
on-run-end: "insert into audit_log select 9, 'end ' || {{ results | length }} || ' ' || '{{ schemas | join(',') }}'"
models:
  ho:
    +pre-hook: "insert into audit_log values (2, 'pre {{ this.name }}')"
    +post-hook: "insert into audit_log values (3, 'post {{ this.name }}')"
EOS
echo "select 1 as x" >models/a.sql
cat >macros/ops.sql <<'EOS'
{% macro note(table, note='hi') %}
  {% do run_query("insert into audit_log values (5, '" ~ note ~ " " ~ table ~ "')") %}
  {% set rows = run_query("select count(*) from audit_log") %}
  {{ log("audit rows: " ~ rows.rows[0][0], info=true) }}
{% endmacro %}
{% macro broken() %}{{ exceptions.raise_compiler_error("this operation always fails") }}{% endmacro %}
EOS
run run
expect_rc 0 "a run with hooks"
expect_out "Running 2 on-run-start hooks"
expect_out "OK hook: ho.on-run-start.1"
expect_out "Running 1 on-run-end hook"
expect_query "select event from audit_log order by seq" "start dev
pre a
post a
end 1 main" "hooks ran in order, on-run-end saw the results and schemas"

run run-operation note --args '{table: orders, note: yo}'
expect_rc 0 "run-operation succeeds"
expect_out "audit rows: 5" "run_query results and log(info=true)"
expect_query "select event from audit_log where seq = 5" "yo orders" "the operation's SQL was committed"

run run-operation broken
expect_rc 1 "a failing operation exits 1"
expect_err "this operation always fails"
run run-operation nope
expect_rc 2 "an unknown macro exits 2"
expect_err "no macro named 'nope'"
run run-operation note --args '[1, 2]'
expect_rc 2 "--args must be a mapping"

printf 'name: ho\nprofile: ho\non-run-start: "select * from no_such_table"\n' >dbt_project.yml
run run
expect_rc 1 "a failing on-run-start hook fails the run"
expect_err "on-run-start hook 0 failed"
expect_no_out "START sql view model" "and nothing runs"

done_testing
