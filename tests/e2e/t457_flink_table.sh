#!/usr/bin/env bash
# table on Flink: a bounded batch job over a snapshot of its Kafka sources, waited for, writing a
# filesystem table with INSERT OVERWRITE; a rerun replaces the files, a failing one leaves them;
# what reads the table in the same run finds it, and so do its tests.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}
mkdir -p models/reports
cat >models/reports/revenue_by_status.sql <<SQL
{{ config(materialized='table', default_connector_properties={},
          connector_properties={'connector': 'filesystem', 'path': '$WORK/tables/revenue_by_status', 'format': 'csv'}) }}
select status, sum(amount) as revenue, count(*) as orders
from {{ ref('stg_orders') }}
group by status
SQL
cat >models/reports/top_status.sql <<'SQL'
{{ config(materialized='view') }}
select status from {{ ref('revenue_by_status') }} where orders = (select max(orders) from {{ ref('revenue_by_status') }})
SQL
cat >models/reports/reports.yml <<'YML'
version: 2
models:
  - name: revenue_by_status
    columns:
      - name: status
        data_tests: [unique, not_null]
YML
files() { cat "$WORK"/tables/revenue_by_status/* 2>/dev/null | sort; }

run run -s +top_status
expect_rc 0 "a batch table and a view on it"
expect_out_re "OK created sql table model default_database.revenue_by_status \\.+ \\[JOB [0-9a-f]{32} FINISHED in"
expect_out "OK created sql view model default_database.top_status"
if [ "$(files)" = "placed,148.15,4
returned,42.00,1
shipped,7.25,1" ]; then ok "the job wrote the table's files"; else not_ok "the job wrote the table's files" "$(files)"; fi
gw_admin GET /requests
expect_js "j.some(r => r.method == 'POST' && /sessions\$/.test(r.uri) && r.body && r.body.properties && r.body.properties['execution.runtime-mode'] == 'batch')" true \
	"the table is built in a batch session"

# new orders: the rerun replaces the files with the new snapshot
gw_admin POST /topics/orders '[{"key":null,"value":{"order_id":9,"customer_id":3,"amount":10,"status":"shipped","order_time":"2024-05-01 10:05:00.000"},"timestamp":1714557900000}]'
run run -s revenue_by_status
expect_rc 0 "rerun"
if [ "$(files)" = "placed,148.15,4
returned,42.00,1
shipped,17.25,2" ]; then ok "the files hold the new snapshot, once"; else not_ok "the files hold the new snapshot, once" "$(files)"; fi

# a failing job leaves the previous files
gw_admin POST /faults '[{"method":"POST","path":"/v*/sessions/*/statements","statement":"INSERT OVERWRITE","action":"fail","message":"java.io.IOException: disk full","count":1}]'
run run -s revenue_by_status
expect_rc 1 "a failing batch job fails the model"
expect_out "IOException: disk full"
if [ "$(files)" = "placed,148.15,4
returned,42.00,1
shipped,17.25,2" ]; then ok "the previous files are intact"; else not_ok "the previous files are intact" "$(files)"; fi
gw_admin DELETE /faults

# a job that cannot write its files fails, and so does the model
touch "$WORK/blocked"
cat >models/reports/blocked.sql <<SQL
{{ config(materialized='table', default_connector_properties={},
          connector_properties={'connector': 'filesystem', 'path': '$WORK/blocked/out', 'format': 'csv'}) }}
select status from {{ ref('stg_orders') }}
SQL
run run -s blocked
expect_rc 1 "a table whose files cannot be written fails"
expect_out "IOException: Mkdirs failed to create file:$WORK/blocked/out"
rm models/reports/blocked.sql

run test -s revenue_by_status
expect_rc 0 "tests of the table"
expect_out "PASS unique_revenue_by_status_status"
run show --inline "select * from {{ ref('top_status') }}"
expect_out "| placed |"
gw_stop
done_testing
