#!/usr/bin/env bash
# The streaming example on its lake target (a Paimon catalog, Flink 2.0): the materialized table
# customer_totals_live is built next to the streaming tables, sluice jobs lists its refresh job with
# theirs, and the snapshot test that compares it with customer_totals passes; on the dev target it
# is disabled.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start --flink-version 2.0.0
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}
export FLINK_SAVEPOINT_DIR="file://$WORK/savepoints"
export SHOP_LAKE_WAREHOUSE="file://$WORK/lake"

run ls --resource-type model
expect_rc 0 "ls on dev"
expect_no_out "customer_totals_live" "on dev the materialized table is disabled"
expect_out "customer_totals"

run run --target lake
expect_rc 0 "run on lake"
expect_out "Done. PASS=7 WARN=0 ERROR=0 SKIP=0 TOTAL=7"
expect_out_re "customer_totals_live .*\[JOB [0-9a-f]{32} in"
run jobs --target lake
expect_rc 0 "jobs on lake"
expect_out_re "customer_totals_live +[0-9a-f]{32} +RUNNING +[0-9a-f]{16} .* current$"
expect_out_re "customer_totals +[0-9a-f]{32} +RUNNING +[0-9a-f]{16} .* current$"
run test --target lake -s assert_live_totals_match customer_totals
expect_rc 0 "the materialized table agrees with the streaming table"
expect_out_re "PASS assert_live_totals_match"
gw_stop
done_testing
