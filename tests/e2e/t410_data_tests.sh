#!/usr/bin/env bash
# Data tests: the four generic tests passing and failing for real, custom generic tests, singular
# tests, severity, where, limit, warn_if/error_if, fail_calc, store_failures, statuses, exit codes,
# and `build`, where a failing test skips what is built from its model.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/dt/models" "$WORK/dt/tests/generic" "$WORK/dt/macros" && cd "$WORK/dt"
cat >dbt_project.yml <<'EOS'
name: dt
profile: dt
models:
  dt:
    +materialized: table
EOS
cat >models/customers.sql <<'EOS'
select * from (values (1, 'ann', 'gold'), (2, 'bob', 'silver'), (3, 'cy', 'gold')) as t(id, name, tier)
EOS
cat >models/orders.sql <<'EOS'
select * from (values (10, 1, 'placed'), (11, 2, 'shipped'), (12, 2, 'lost'), (13, 9, 'placed'), (13, null, 'placed'))
  as t(order_id, customer_id, status)
EOS
cat >models/order_report.sql <<'EOS'
select status, count(*) as n from {{ ref('orders') }} group by 1
EOS
cat >models/schema.yml <<'EOS'
version: 2
models:
  - name: customers
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: tier
        data_tests:
          - accepted_values:
              values: ['gold', 'silver']
          - is_lowercase
  - name: orders
    columns:
      - name: order_id
        data_tests:
          - unique
          - unique:
              name: unique_order_id_recent
              config:
                where: "order_id < 13"
      - name: customer_id
        data_tests:
          - not_null:
              config:
                severity: warn
          - relationships:
              to: ref('customers')
              field: id
      - name: status
        data_tests:
          - accepted_values:
              values: ['placed', 'shipped']
              config:
                store_failures: true
          - accepted_values:
              name: status_known_with_limit
              values: ['placed']
              config:
                limit: 1
                error_if: ">5"
                warn_if: ">0"
EOS
cat >tests/generic/is_lowercase.sql <<'EOS'
{% test is_lowercase(model, column_name) %}
select * from {{ model }} where {{ column_name }} <> lower({{ column_name }})
{% endtest %}
EOS
cat >tests/no_lost_orders.sql <<'EOS'
select * from {{ ref('orders') }} where status = 'lost'
EOS

run run
expect_rc 0 "the models build"
run test
expect_rc 1 "failing tests exit 1"
expect_out "PASS unique_customers_id"
expect_out "PASS not_null_customers_id"
expect_out "PASS accepted_values_customers_tier__gold__silver"
expect_out "PASS is_lowercase_customers_tier" "a custom generic test runs"
expect_out "FAIL unique_orders_order_id" "unique fails on a duplicate"
expect_out "[FAIL 1 in" "with the number of failures"
expect_out "PASS unique_order_id_recent" "the where config narrows the test, and name: names it"
expect_out "WARN not_null_orders_customer_id" "severity warn makes a warning"
expect_out "FAIL relationships_orders_customer_id__id__ref_customers_" "relationships fails on an orphan"
expect_out "FAIL accepted_values_orders_status__placed__shipped" "accepted_values fails on an unknown value"
expect_out "WARN status_known_with_limit" "warn_if/error_if with limit"
expect_out "FAIL no_lost_orders" "a singular test fails"
expect_out "Failure in test unique_orders_order_id (models/schema.yml)"
expect_out "Got 1 result, configured to fail if != 0"
expect_out "Warning in test not_null_orders_customer_id"
expect_out "Done. PASS=5 WARN=2 ERROR=4 SKIP=0 TOTAL=11"
expect_json target/run_results.json '.results.find(r => r.unique_id.startsWith("test.dt.unique_orders_order_id.")).status' fail
expect_json target/run_results.json '.results.find(r => r.unique_id.startsWith("test.dt.unique_orders_order_id.")).failures' 1
expect_json target/run_results.json '.results.find(r => r.unique_id.startsWith("test.dt.not_null_orders_customer_id.")).status' warn
expect_json target/run_results.json '.results.find(r => r.unique_id.startsWith("test.dt.unique_customers_id.")).status' pass
expect_file target/compiled/dt/models/schema.yml/unique_orders_order_id.sql "each generic test has its compiled SQL"
expect_query "select value_field from main_dbt_test__audit.accepted_values_orders_status__placed__shipped" "lost" \
	"store_failures keeps the failing rows"

run test -s customers
expect_rc 1 "selecting a model selects every test that reads it (dbt's eager mode)"
expect_out "FAIL relationships_orders_customer_id__id__ref_customers_"
expect_out "TOTAL=5"
run test -s customers --exclude test_name:relationships
expect_rc 0 "the tests of one model pass"
expect_out "Done. PASS=4 WARN=0 ERROR=0 SKIP=0 TOTAL=4"

run test -s test_type:singular
expect_rc 1 "only the singular test"
expect_out "TOTAL=1"

# build: orders' failing tests skip order_report; customers and its tests run
rm -rf target
run build
expect_rc 1 "build with failing tests exits 1"
expect_out "OK created sql table model main.orders"
expect_out "SKIP relation main.order_report" "a failing test skips what is built from its model"
expect_out "PASS unique_customers_id"
if grep -n "START sql table model main.orders" "$OUT" | cut -d: -f1 | { read -r a; b=$(grep -n "START test unique_orders_order_id " "$OUT" | cut -d: -f1); [ "$a" -lt "$b" ]; }; then
	ok "a model is built before its tests"
else
	not_ok "a model is built before its tests"
fi

# fix the data: everything passes, and build builds the report
cat >models/orders.sql <<'EOS'
select * from (values (10, 1, 'placed'), (11, 2, 'shipped')) as t(order_id, customer_id, status)
EOS
rm tests/no_lost_orders.sql
run build
expect_rc 0 "a clean build exits 0"
expect_out "OK created sql table model main.order_report"
expect_query "select n from {{ ref('order_report') }} order by status" "1
1"

done_testing
