#!/usr/bin/env bash
# Unit tests (dbt 1.8+): `unit_tests:` run in `test` and `build`, each given input replaced by its
# fixture rows (YAML rows, inline CSV, a CSV fixture file, SQL), typed as the real input's columns;
# overrides of vars, env vars and is_incremental; `this` for incremental models; selection; the
# manifest's unit_tests section and run_results entries.
. "$(dirname "$0")/lib.sh"

project unit_tests

# an incremental model's unit test types its `this` fixture as the table: it must exist first
run seed
expect_rc 0 "seed"
run run -s +orders_inc
expect_rc 0 "the incremental model is built once"

run build
expect_rc 0 "build runs the unit tests with the models"
expect_out_re "Found 4 models, 3 seeds, 1 source, [0-9]+ macros, 5 unit tests$" "unit tests are counted after macros; a disabled one is not"
expect_out_re "PASS customer_totals::totals_sum_orders .*\[PASS" "YAML and inline CSV fixtures pass"
expect_out_re "PASS customer_totals::totals_vars_env .*\[PASS" "vars and env_vars overrides, fixture file, CSV expect"
expect_out_re "PASS paid_orders::paid_orders_join_source .*\[PASS" "a source input given as SQL"
expect_out "Finished running 1 incremental model, 3 seeds, 5 unit tests, 3 view models" "the summary counts unit tests, by dbt's sorted keys"
# a unit test runs before its model is built (its inputs, its model's parents, after)
ut_line=$(grep -n "START unit_test customer_totals::totals_sum_orders" "$OUT" | cut -d: -f1)
model_line=$(grep -n "START sql view model main.customer_totals" "$OUT" | cut -d: -f1)
stg_line=$(grep -n "START sql view model main.stg_orders" "$OUT" | cut -d: -f1)
if [ -n "$ut_line" ] && [ -n "$model_line" ] && [ -n "$stg_line" ] && [ "$stg_line" -lt "$ut_line" ] && [ "$ut_line" -lt "$model_line" ]; then
	ok "build order: inputs, then the unit test, then its model"
else
	not_ok "build order: inputs, then the unit test, then its model" "$(cat "$OUT")"
fi
# the incremental model exists now: its unit tests read `this` typed as the table
expect_out_re "PASS orders_inc::inc_full" "is_incremental false"

run test
expect_rc 0 "test runs every unit test"
expect_out_re "PASS orders_inc::inc_new_rows_only .*\[PASS" "is_incremental true with a 'this' fixture"
expect_out "Done. PASS=5 WARN=0 ERROR=0 SKIP=0 TOTAL=5" "five unit tests pass"
sql=target/compiled/ut/models/unit_tests.yml/models/inc_new_rows_only.sql
if grep -q "from __dbt__cte__orders_inc" "$sql" && grep -q "cast('2024-01-15' as DATE)" "$sql" &&
	grep -q 'cast(null as DOUBLE) as "amount"' "$sql"; then
	ok "fixtures are CTEs cast to the input's column types; this reads its fixture; unnamed columns are typed nulls"
else
	not_ok "fixtures are CTEs cast to the input's column types" "$(cat "$sql" 2>&1)"
fi

expect_json target/run_results.json '.results.find(r => r.unique_id == "unit_test.ut.customer_totals.totals_sum_orders").status' "pass" "run_results: pass"
expect_json target/run_results.json '.results.find(r => r.unique_id == "unit_test.ut.customer_totals.totals_sum_orders").failures' "0" "run_results: no failures"
expect_json target/run_results.json '.results.length' "5" "run_results: one entry per unit test"

# the manifest's unit_tests section, in dbt's v12 shape
M=target/manifest.json
U='.unit_tests["unit_test.ut.customer_totals.totals_vars_env"]'
expect_json $M "$U.model" "customer_totals"
expect_json $M "$U.resource_type" "unit_test"
expect_json $M "$U.depends_on.nodes" '["model.ut.customer_totals"]'
expect_json $M "$U.given[1].format" "csv"
expect_json $M "$U.given[1].fixture" "one_customer"
expect_json $M "$U.overrides.vars" '{"min_amount":3}'
expect_json $M "$U.fqn" '["ut","customer_totals","totals_vars_env"]'
expect_json $M "$U.original_file_path" "models/unit_tests.yml"
expect_json $M "$U.path" "unit_tests.yml"
expect_json $M '.unit_tests["unit_test.ut.customer_totals.totals_sum_orders"].config' '{"tags":["finance"],"meta":{"owner":"data"},"enabled":true}'
counts=$(node -e 'const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	console.log(Object.keys(m.unit_tests).length, Object.keys(m.nodes).filter(k => k.startsWith("unit_test.")).length)' $M 2>&1)
if [ "$counts" = "5 0" ]; then ok "the five enabled unit tests are in unit_tests, none in nodes"; else not_ok "unit_tests section" "$counts"; fi

# selection
run ls -s test_type:unit
expect_rc 0 "ls test_type:unit"
if [ "$(grep -c '^unit_test:ut\.' "$OUT")" = 5 ]; then ok "test_type:unit lists the five unit tests"; else not_ok "test_type:unit lists the five unit tests" "$(cat "$OUT")"; fi
run ls -s unit_test:inc_full
if [ "$(grep -c '^unit_test:ut\.' "$OUT")" = 1 ] && grep -q "^unit_test:ut.inc_full$" "$OUT"; then ok "unit_test:NAME"; else not_ok "unit_test:NAME" "$(cat "$OUT")"; fi
run ls --resource-type unit_test -s paid_orders
if [ "$(grep -c '^unit_test:ut\.' "$OUT")" = 1 ]; then ok "--resource-type unit_test with a model: its unit tests"; else not_ok "--resource-type unit_test" "$(cat "$OUT")"; fi
run ls -s resource_type:unit_test,tag:finance
if [ "$(grep -c '^unit_test:ut\.' "$OUT")" = 1 ] && grep -q "totals_sum_orders" "$OUT"; then ok "resource_type:unit_test and tag:"; else not_ok "resource_type:unit_test and tag:" "$(cat "$OUT")"; fi
run test -s test_type:generic
expect_no_out "unit_test" "test_type:generic leaves unit tests out"
run test -s customer_totals
expect_out "Done. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2" "selecting a model runs its unit tests"

done_testing
