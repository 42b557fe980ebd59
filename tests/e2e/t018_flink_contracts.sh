#!/usr/bin/env bash
# Model contracts on Flink: an enforced contract is refused with a clear error (Flink cannot check
# a query against a contract nor create a table with its constraints), and only that model fails.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}
echo "{{ config(materialized='view') }} select order_id from {{ ref('stg_orders') }}" >models/staging/contracted.sql
cat >models/staging/contract.yml <<'YML'
version: 2
models:
  - name: contracted
    config:
      contract: {enforced: true}
    columns:
      - {name: order_id, data_type: BIGINT}
YML
run run
expect_rc 1 "a run with a contracted model fails"
expect_out "\`contracted\` has an enforced contract, which the Flink adapter does not support" "the error names the model and why"
expect_out "Set contract: {enforced: false} for this model on Flink targets"
expect_out_re "OK created .*stg_orders" "the models without a contract are built"
done_testing
