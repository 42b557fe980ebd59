#!/usr/bin/env bash
# Data tests on Flink are deterministic: bounded batch queries that fail for real on bad data, a
# test that does not finish within its timeout is an error (never a pass), and a test of an
# unbounded source is an error naming the table.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}

run run
expect_rc 0 "run"
run test
expect_rc 0 "the tests pass on good data"

# bad data arrives: a duplicate order and an unknown status
gw_admin POST /topics/orders '[{"key":null,"value":{"order_id":4,"customer_id":1,"amount":3.5,"status":"lost","order_time":"2024-05-01 10:04:00.000"},"timestamp":1714557700000}]'
run test -s stg_orders
expect_rc 1 "the tests fail"
expect_out_re "FAIL unique_stg_orders_order_id \.+ \[FAIL 1 in"
expect_out_re "FAIL accepted_values_stg_orders_status__placed__shipped__returned \.+ \[FAIL 1 in"
expect_out "PASS not_null_stg_orders_order_id"
expect_json target/run_results.json '.results.find(r => r.unique_id.startsWith("test.shop_stream.unique_stg_orders_order_id")).failures' 1

# a test that cannot finish is an error
cat >tests/never_ends.sql <<'SQL'
{{ config(timeout=2) }}
select * from {{ ref('stg_orders') }} where order_id < 0
SQL
gw_admin POST /faults '[{"method":"POST","path":"/v*/sessions/*/statements","statement":"order_id < 0","action":"stuck"}]'
run test -s never_ends
expect_rc 1 "a stuck test fails the command"
expect_out "ERROR never_ends"
expect_out "did not finish within 2 s (timeout)"
expect_no_out "PASS never_ends" "it is not a pass"
expect_json target/run_results.json '.results[0].status' error
gw_admin DELETE /faults

# an unbounded source cannot be tested: Flink refuses it in batch mode
mkdir -p models/gen
cat >models/gen/ticks.sql <<'SQL'
{{ config(materialized='streaming_source', connector_properties={'connector': 'datagen', 'rows-per-second': '5'}) }}
SQL
cat >models/gen/ticks.yml <<'YML'
version: 2
models:
  - name: ticks
    columns:
      - name: n
        data_type: BIGINT
        data_tests: [not_null]
YML
# the project's Kafka defaults do not fit a datagen table: Flink's planner says so at build time
run run -s ticks
expect_rc 1 "a source with options its connector lacks fails the run"
expect_out "ValidationException: Unsupported options found for 'datagen'."
expect_out "properties.bootstrap.servers"
expect_out "in statement: EXPLAIN SELECT * FROM \`default_catalog\`.\`default_database\`.\`ticks__dbt_tmp\`"
sed -i "s/config(materialized='streaming_source',/config(materialized='streaming_source', default_connector_properties={},/" models/gen/ticks.sql
run run -s ticks
expect_rc 0 "an unbounded datagen source is created"
run test -s ticks
expect_rc 1 "its test fails"
expect_out "ERROR not_null_ticks_n"
expect_out "in batch mode is not allowed"
gw_stop
done_testing
