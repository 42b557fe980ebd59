#!/bin/bash
# dbt unit tests on the confluent adapter: each runs as a snapshot query (sql.snapshot.mode = now)
# over its fixtures, typed from the input's columns read in INFORMATION_SCHEMA; a wrong expectation
# fails with the diff; a statement that does not end within statement_timeout is an error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ccloud.sh"

cc_start || { echo "1..0 # SKIP double"; exit 0; }
cc_submit ddl-orders 'CREATE TABLE orders (id BIGINT, customer STRING, amount DECIMAL(10,2))'
cc_wait ddl-orders COMPLETED && ok "the source table exists" || not_ok "the source table exists" "$(cat "$CC_BODY")"
cc_admin POST /topics/orders '[{"id":1,"customer":"ann","amount":10.50},{"id":2,"customer":"bob","amount":3.00}]'

project cc_shop
cc_profile cc_shop "shop-" shop-e2e 1
cat >models/live_orders.sql <<'SQL'
{{ config(materialized='streaming_table') }}
select id, customer, amount * 2 as doubled from {{ ref('big_orders') }}
SQL
cat >models/unit.yml <<'YML'
version: 2
unit_tests:
  - name: big_orders_drops_small
    model: big_orders
    given:
      - input: source('shop', 'orders')
        rows:
          - {id: 1, customer: ann, amount: 5.5}
          - {id: 2, customer: bob, amount: 2}
          - {id: 3, customer: cid}
    expect:
      rows: [{id: 1, customer: ann}]
  - name: totals_per_customer
    model: customer_totals
    given:
      - input: ref('big_orders')
        rows:
          - {id: 1, customer: ann, amount: 6}
          - {id: 2, customer: ann, amount: 7.25}
          - {id: 3, customer: bob, amount: 9}
    expect:
      rows:
        - {customer: ann, n: 2, total: 13.25}
        - {customer: bob, n: 1, total: 9}
  - name: live_orders_doubles
    model: live_orders
    given:
      - input: ref('big_orders')
        rows:
          - {id: 1, customer: ann, amount: 6}
    expect:
      rows: [{id: 1, doubled: 12}]
YML
run run --profiles-dir .
expect_rc 0 "the project runs on Confluent"
cc_admin GET /requests
nreq=$(jv length)
run test --profiles-dir . -s test_type:unit
expect_rc 0 "unit tests pass on Confluent"
expect_out_re "PASS big_orders::big_orders_drops_small .*\[PASS" "the first unit test passes"
expect_out_re "PASS customer_totals::totals_per_customer .*\[PASS" "the aggregation's unit test passes"
expect_out_re "PASS live_orders::live_orders_doubles .*\[PASS" "a streaming_table model's unit test passes"
sql=target/compiled/cc_shop/models/unit.yml/models/big_orders_drops_small.sql
if grep -q 'cast(null as DECIMAL(10, 2)) as `amount`' "$sql"; then
	ok "fixtures are typed from the input's columns and quoted with backticks"
else
	not_ok "fixtures are typed from the input's columns and quoted with backticks" "$(cat "$sql" 2>&1)"
fi
cc_admin GET /requests
SEL="[.[$nreq:][] | select(.method == \"POST\" and (.body.spec.statement | test(\"dbt_internal_unit_test_actual\")))]"
cc_expect "$SEL | length > 1" true "the unit tests' queries were submitted"
cc_expect "$SEL | [.[].body.spec.properties[\"sql.snapshot.mode\"]] | unique" '["now"]' "as snapshot queries"
cc_expect "[.[$nreq:][] | select(.method == \"POST\") | .body.spec.statement | select(test(\"^\\\\s*(SHOW|DESCRIBE)\"; \"i\"))] | length" 0 \
	"input columns come from INFORMATION_SCHEMA"
cc_call GET "$CC_P?label_selector=user.confluent.io/shop-e2e%3Dtrue"
cc_expect '[.data[] | select(.spec.statement | test("dbt_internal_unit_test|INFORMATION_SCHEMA"))] | length' 0 \
	"the unit tests' statements were deleted"

# a wrong expectation fails with the diff
sed -i 's/rows: \[{id: 1, customer: ann}\]/rows: [{id: 1, customer: ann}, {id: 3, customer: cid}]/' models/unit.yml
run test --profiles-dir . -s test_type:unit
expect_rc 1 "a wrong expectation fails on Confluent"
expect_out_re "FAIL .*big_orders_drops_small" "the failing unit test is named"
expect_out_re "^[0-9:]+  ---,3 +,cid" "the diff shows the expected row the model drops"
expect_out_re "PASS customer_totals::totals_per_customer" "the other one still passes"

# a snapshot query that does not end in time is an error, not a pass or a failure
sed -i 's/, {id: 3, customer: cid}\]/]/' models/unit.yml
echo "      statement_timeout: 1" >>profiles.yml
cc_admin POST /faults '[{"method":"GET","path":"/sql/v1/*/statements/*","action":"delay","delay_ms":1500}]'
run test --profiles-dir . -s big_orders_drops_small
expect_rc 1 "a unit test that times out fails the run"
expect_out_re "ERROR .*big_orders_drops_small" "its status is ERROR"
expect_out_re "still (PENDING|RUNNING) after 1000 ms" "the timeout is the error"
jq -e '.results[] | select(.unique_id | test("big_orders_drops_small")) | .status == "error"' target/run_results.json >/dev/null &&
	ok "run_results says error" || not_ok "run_results says error" "$(cat target/run_results.json | head -c 2000)"
cc_admin DELETE /faults
cc_call GET "$CC_P?label_selector=user.confluent.io/shop-e2e%3Dtrue"
cc_expect '[.data[] | select(.spec.statement | test("dbt_internal_unit_test"))] | length' 0 \
	"the statement that timed out was deleted"

cc_stop
done_testing
