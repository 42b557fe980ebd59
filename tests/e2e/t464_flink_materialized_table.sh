#!/usr/bin/env bash
# materialized='materialized_table' on Flink 1.20+: CREATE MATERIALIZED TABLE with its freshness and
# refresh mode; an unchanged definition is left alone, a changed one (its SQL, or a view it reads)
# is refused with the diff unless --full-refresh, which drops it (cancelling its refresh job) and
# creates it again; sluice jobs lists its refresh job and whether it is stale, stop suspends it and
# start resumes it from the savepoint; what cannot work (Flink before 1.20, a catalog that forgets
# its tables, a freshness Flink would refuse) fails before anything is touched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"

setup() {  # setup VERSION: a gateway of that version and the example on a persistent catalog
	gw_start --flink-version "$1"
	project shop_stream
	mkdir -p "$GW_DATA/topics"
	cp data/topics/*.jsonl "$GW_DATA/topics/"
	export FLINK_GATEWAY_PORT=${GW##*:}
	cat >profiles.yml <<YML
shop_stream:
  target: lake
  outputs:
    lake:
      type: flink
      port: "{{ env_var('FLINK_GATEWAY_PORT') }}"
      catalog: lake
      database: shop
      savepoint_dir: file://$WORK/savepoints
      catalogs:
        - name: lake
          properties:
            type: paimon
            warehouse: $WORK/warehouse-$1
      session_properties:
        table.local-time-zone: UTC
YML
	cat >models/marts/customer_totals_mt.sql <<'SQL'
{#- each customer's orders and revenue, kept current by Flink itself -#}
{{ config(materialized='materialized_table', freshness='10 seconds',
          connector_properties={'connector': 'upsert-kafka', 'topic': 'customer_totals_mt',
                                'key.format': 'json', 'value.format': 'json'},
          primary_key='customer_id') }}
select customer_id, count(*) as orders, sum(amount) as revenue
from {{ ref('stg_orders') }}
group by customer_id
SQL
	cat >models/marts/customer_totals_mt.yml <<'YML'
version: 2
models:
  - name: customer_totals_mt
    columns:
      - name: customer_id
        data_tests: [not_null, unique]
      - name: orders
        data_tests:
          - dbt_utils_free_positive
YML
	mkdir -p macros
	cat >macros/positive.sql <<'SQL'
{% test dbt_utils_free_positive(model, column_name) %}
select * from {{ model }} where {{ column_name }} <= 0
{% endtest %}
SQL
}

setup 1.20.0
MT='Materialized_table_`lake`.`shop`.`customer_totals_mt`_continuous_refresh_job'
run run
expect_rc 0 "run"
expect_out_re "customer_totals_mt .*\[JOB [0-9a-f]{32} in"
gw_admin GET /statements
expect_js 'j.filter(s => s.statement.startsWith("CREATE MATERIALIZED TABLE `lake`.`shop`.`customer_totals_mt`")).map(s => s.statement.split("\n").filter(l => /^(\(PRIMARY|FRESHNESS|AS)/.test(l)).join("|")).join()' \
	'(PRIMARY KEY (`customer_id`) NOT ENFORCED)|FRESHNESS = INTERVAL '"'10'"' SECOND|AS' "the statement: key, freshness, query"
gw_admin GET /jobs
expect_js "j.filter(x => x.name == '$MT' && x.status == 'RUNNING').length" 1 "its refresh job runs"
job=$(jsv "j.find(x => x.name == '$MT').id")

# its tests read the table the refresh job keeps: a snapshot of the upsert topic, one row a key
run test -s customer_totals_mt
expect_rc 0 "tests of the materialized table"
expect_out "Done. PASS=3 WARN=0 ERROR=0 SKIP=0 TOTAL=3"
run show -s customer_totals_mt
expect_rc 0 "show"
expect_out_re "customer_id"

# unchanged: left alone
gw_admin GET /statements
n0=$(jsv 'j.length')
run run -s customer_totals_mt
expect_rc 0 "a second run"
expect_out_re "customer_totals_mt .*\[RUNNING $job in"
gw_admin GET /statements
expect_js "j.slice($n0).some(s => /MATERIALIZED/.test(s.statement))" false "nothing was created or dropped again"

# sluice jobs lists it, with the hash it was created with
run jobs
expect_rc 0 "jobs"
expect_out_re "customer_totals_mt +$job +RUNNING +[0-9a-f]{16} .* current$"

# a change of the view it reads: stale, and refused with the diff
sed -i 's/where amount > 0/where amount > 1/' models/staging/stg_orders.sql
run jobs -s customer_totals_mt
expect_out_re "customer_totals_mt +$job +RUNNING .* stale: model stg_orders$"
run run -s customer_totals_mt
expect_rc 1 "a changed definition is refused"
expect_out "the definition of materialized_table"
expect_out "what it reads changed: model stg_orders"
expect_out "- where amount > 0"
expect_out "+ where amount > 1"
expect_out "run with --full-refresh"
gw_admin GET /jobs
expect_js "j.find(x => x.id == '$job').status" RUNNING "the refresh job keeps running"

# --full-refresh drops it (cancelling the job) and creates it again
run run --full-refresh -s customer_totals_mt
expect_rc 0 "full refresh"
expect_out_re "customer_totals_mt .*\[JOB [0-9a-f]{32} \(full refresh\) in"
gw_admin GET /jobs
expect_js "j.find(x => x.id == '$job').status" CANCELED "the old refresh job was cancelled"
expect_js "j.filter(x => x.name == '$MT' && x.status == 'RUNNING').length" 1 "one refresh job runs"
job=$(jsv "j.find(x => x.name == '$MT' && x.status == 'RUNNING').id")
run jobs -s customer_totals_mt
expect_out_re "customer_totals_mt +$job +RUNNING .* current$"

# its own SQL changes too
sed -i 's/count(\*) as orders/count(*) as order_count/' models/marts/customer_totals_mt.sql
run run -s customer_totals_mt
expect_rc 1 "its own change is refused"
expect_out "+ select customer_id, count(*) as order_count"
sed -i 's/count(\*) as order_count/count(*) as orders/' models/marts/customer_totals_mt.sql

# stop suspends it with a savepoint, start resumes it from there
run jobs stop -s customer_totals_mt
expect_rc 0 "jobs stop"
expect_out "Suspended materialized table"
gw_admin GET /jobs
expect_js "j.find(x => x.id == '$job').status" FINISHED "the refresh job stopped"
sp=$(jsv "j.find(x => x.id == '$job').savepoint")
run run -s customer_totals_mt
expect_rc 0 "a run leaves a suspended table alone"
expect_out "SUSPENDED (sluice jobs start resumes it)"
run jobs start -s customer_totals_mt
expect_rc 0 "jobs start"
expect_out "Resumed materialized table"
gw_admin GET /jobs
expect_js "j.find(x => x.name == '$MT' && x.status == 'RUNNING').restored_from" "$sp" "resumed from the savepoint"
run jobs start -s customer_totals_mt
expect_rc 1 "resuming a running one is Flink's error"
expect_err "continuous refresh job has been resumed"

# a refresh job that died is resumed by the next run
job=$(jsv "j.find(x => x.name == '$MT' && x.status == 'RUNNING').id")
gw_admin POST "/jobs/$job/fail" '{"reason":"broker gone"}'
run run -s customer_totals_mt
expect_rc 0 "a run after the job failed"
expect_out_re "customer_totals_mt .*\[RESUMED [0-9a-f]{32} in"
gw_admin GET /jobs
expect_js "j.filter(x => x.name == '$MT' && x.status == 'RUNNING').length" 1 "its refresh job runs again"

# a freshness Flink would refuse fails before the old table goes
sed -i "s/freshness='10 seconds'/freshness='40 minutes', refresh_mode='full'/" models/marts/customer_totals_mt.sql
gw_admin GET /statements
n0=$(jsv 'j.length')
run run --full-refresh -s customer_totals_mt
expect_rc 1 "a FULL refresh every 40 minutes cannot be scheduled"
expect_out "which a FULL refresh cannot schedule"
gw_admin GET /statements
expect_js "j.slice($n0).some(s => /MATERIALIZED/.test(s.statement))" false "nothing was dropped"
# FULL mode needs the gateway's workflow scheduler: Flink's error, the old table gone by then
sed -i "s/freshness='40 minutes'/freshness='1 hour'/" models/marts/customer_totals_mt.sql
run run --full-refresh -s customer_totals_mt
expect_rc 1 "FULL mode on a gateway without a workflow scheduler"
expect_out "The workflow scheduler must be configured when creating materialized table in full refresh mode."
gw_stop

# Flink before 1.20: refused before anything reaches the gateway
setup 1.19.1
run run -s customer_totals_mt
expect_rc 1 "1.19"
expect_out "needs Flink 1.20 or later"
gw_admin GET /statements
expect_js 'j.some(s => /MATERIALIZED|customer_totals_mt/.test(s.statement))' false "1.19: nothing of it reached the gateway"
gw_stop

# a catalog that forgets its tables with the session
setup 2.0.0
sed -i 's/catalog: lake/catalog: default_catalog/; s/database: shop/database: default_database/' profiles.yml
run run -s customer_totals_mt
expect_rc 1 "the default catalog"
expect_out "needs a catalog that keeps its tables"
gw_stop
done_testing
