#!/usr/bin/env bash
# A failing unit test: `test` exits 1 with dbt's "actual differs from expected" diff (rows only in
# actual +++, only in expected ---), run_results records status fail with one failure, and in
# `build` the model it tests and everything downstream are skipped, while the previous table stays.
. "$(dirname "$0")/lib.sh"

project unit_tests
cat >models/more.yml <<'YML'
version: 2
unit_tests:
  - name: totals_wrong
    model: customer_totals
    given:
      - input: ref('stg_orders')
        rows:
          - {customer_id: 1, amount: 2.5}
      - input: ref('raw_customers')
        rows: [{id: 1, name: ann}, {id: 3, name: cy}]
    expect:
      rows:
        - {customer_id: 1, total: 2.5}
        - {customer_id: 2, total: 0}
  - name: duplicates_count
    model: stg_orders
    given:
      - input: ref('raw_orders')
        rows: [{id: 1, status: placed}, {id: 1, status: placed}]
    expect:
      rows: [{id: 1}]
YML
echo "select customer_id, total from {{ ref('customer_totals') }} where total > 0" >models/big_customers.sql

run seed
expect_rc 0 "seed"
run run
expect_rc 0 "run builds every model (unit tests do not run in run)"
expect_no_out "unit_test" "run does not run unit tests"
expect_query "select count(*) from main.big_customers" "2" "the previous tables"

run test -s unit_test:totals_wrong
expect_rc 1 "a failing unit test exits 1"
expect_out_re "FAIL 1 customer_totals::totals_wrong .*\[FAIL 1" "the status line says FAIL 1"
expect_out "Failure in unit_test totals_wrong (models/more.yml)" "the summary names the test and its file"
expect_out "actual differs from expected:" "dbt's diff heading"
expect_out "@@ ,customer_id,total" "the diff header lists the expected columns"
expect_out_re "^[0-9:]+  ---,2 +,0$" "the expected row missing from actual is ---"
expect_out_re "^[0-9:]+  \+\+\+,3 +,0$" "the actual row not expected is +++"
expect_out_re "^[0-9:]+     ,1 +,2.5$" "a row in both is shown plain"
expect_json target/run_results.json '.results[0].status' "fail"
expect_json target/run_results.json '.results[0].failures' "1"
expect_json target/run_results.json '.results[0].unique_id' "unit_test.ut.customer_totals.totals_wrong"
if node -e 'const r = JSON.parse(require("fs").readFileSync("target/run_results.json", "utf8"));
	process.exit(r.results[0].message.includes("actual differs from expected") ? 0 : 1)'; then
	ok "run_results message holds the diff"
else
	not_ok "run_results message holds the diff" "$(cat target/run_results.json)"
fi

run test -s unit_test:duplicates_count
expect_rc 1 "rows compare as a multiset: a duplicate row counts"
expect_out_re "^[0-9:]+  \+\+\+,1$" "the extra duplicate is +++"

# build: the failing unit test skips its model and what is downstream of it
sed -i 's/rows: \[{id: 1}\]/rows: [{id: 1}, {id: 1}]/' models/more.yml
run build
expect_rc 1 "build with a failing unit test exits 1"
expect_out_re "SKIP relation main.customer_totals .*\[SKIP\]" "the tested model is skipped"
expect_out_re "SKIP relation main.big_customers .*\[SKIP\]" "its descendants are skipped"
expect_out_re "OK created sql view model main.paid_orders" "unrelated models are built"
expect_out_re "PASS customer_totals::totals_sum_orders" "the other unit tests of the model still run"
expect_out_re "SKIP unit_test big_customers|SKIP relation main.big_customers" "the skip line names the relation"
expect_query "select count(*) from main.big_customers" "2" "the previous table stays"

# fixing the expectation makes the build green
sed -i 's/{customer_id: 2, total: 0}/{customer_id: 3, total: 0}/' models/more.yml
run build
expect_rc 0 "build passes once the expectations are right"
expect_out "Done. PASS=15 WARN=0 ERROR=0 SKIP=0 TOTAL=15" "every node ran"

done_testing
