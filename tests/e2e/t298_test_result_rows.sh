#!/usr/bin/env bash
# A data test whose query does not return the one row of a test result (failures, should_warn,
# should_error) is an error, as dbt-core 1.9's execute_data_test raises one: the progress line
# says ERROR, run_results has status "error", no failures and dbt's message ("Returned N rows, but
# expected 1 row"), the summary counts an error and the command exits 1; a test with its one row
# still passes. The rows come from a project's override of get_test_sql.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/models" "$WORK/p/macros"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
echo 'select 1 as id' >models/a.sql
cat >models/schema.yml <<'YML'
models:
  - name: a
    columns:
      - name: id
        data_tests: [not_null]
YML
cat >macros/test_sql.sql <<'SQL'
{% macro duckdb__get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
{%- set q -%}
select {{ fail_calc }} as failures, {{ fail_calc }} {{ warn_if }} as should_warn,
       {{ fail_calc }} {{ error_if }} as should_error
from ({{ main_sql }}) dbt_internal_test
{%- endset -%}
{%- if var('rows', 'one') == 'none' -%} {{ q }} having 1 = 0
{%- elif var('rows', 'one') == 'two' -%} {{ q }} union all {{ q }}
{%- else -%} {{ q }}
{%- endif -%}
{%- endmacro %}
SQL

run run
expect_rc 0 "run"
T=test.p.not_null_a_id.c1cebc1440
R=target/run_results.json

run test
expect_rc 0 "a test with its one row"
expect_out_re "PASS not_null_a_id .*\[PASS" "its progress line says PASS"
expect_json "$R" ".results[0].status" "pass"

run test --vars '{rows: none}'
expect_rc 1 "a test whose query returns no row fails the command"
expect_out_re "ERROR not_null_a_id .*\[ERROR" "its progress line says ERROR"
if grep -q "PASS not_null_a_id" "$OUT"; then not_ok "no PASS line for it" "$(cat "$OUT")"; else ok "no PASS line for it"; fi
expect_out "Done. PASS=0 WARN=0 ERROR=1 SKIP=0 TOTAL=1" "the summary counts an error"
expect_json "$R" ".results[0].unique_id" "$T"
expect_json "$R" ".results[0].status" "error" "run_results says error"
expect_json "$R" ".results[0].failures" "null" "an errored test has no failures count"
expect_json "$R" ".results[0].message" \
	"Internal Error
  dbt internally failed to execute $T: Returned 0 rows, but expected 1 row" "the message is dbt's"
expect_out "dbt internally failed to execute $T: Returned 0 rows, but expected 1 row" "the summary shows the error"

run test --vars '{rows: two}'
expect_rc 1 "a test whose query returns two rows fails the command"
expect_out_re "ERROR not_null_a_id .*\[ERROR" "two rows: its progress line says ERROR"
expect_json "$R" ".results[0].status" "error"
expect_json "$R" ".results[0].message" \
	"Internal Error
  dbt internally failed to execute $T: Returned 2 rows, but expected 1 row" "two rows: dbt's message"

# build skips what depends on the errored test's model the way an error does
echo "select * from {{ ref('a') }}" >models/b.sql
run build --vars '{rows: none}'
expect_rc 1 "build with the errored test"
expect_json "$R" ".results.find(r => r.unique_id === 'model.p.b').status" "skipped" "the model after the errored test is skipped"

done_testing
