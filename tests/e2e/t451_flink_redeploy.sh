#!/usr/bin/env bash
# Redeploying streaming jobs: a job that died is resubmitted; a changed definition fails with a
# diff and leaves the running job alone; --full-refresh restarts it; upgrade: savepoint stops it
# with a savepoint and starts the new job from it; jobs stop --savepoint is resumed by the next run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}
export FLINK_SAVEPOINT_DIR="file://$WORK/savepoints"

job_of() {  # job_of MODEL: the job id printed for MODEL in the last run
	grep -o "$1 .*\[\(JOB\|RUNNING\) [0-9a-f]\{32\}" "$OUT" | grep -o '[0-9a-f]\{32\}' | head -1
}
job_status() {  # job_status ID
	gw_admin GET /jobs
	jsv "(j.find(x => x.id == '$1') || {}).status"
}

run run
expect_rc 0 "first run"
win=$(job_of orders_per_minute)
enr=$(job_of orders_enriched)

# a job that died is submitted again
gw_admin POST "/jobs/$win/fail" '{"reason":"TaskManager lost"}'
run run -s orders_per_minute
expect_rc 0 "a run after the job failed"
expect_out "(resubmitted: $win was FAILED)"
win2=$(job_of orders_per_minute)
if [ -n "$win2" ] && [ "$win2" != "$win" ]; then ok "a new job runs"; else not_ok "a new job runs" "$(cat "$OUT")"; fi
expect_json target/deployments.json '["shop_stream.dev/model.shop_stream.orders_per_minute"].job_id' "$win2" "the deployment is recorded"

# a changed definition fails, showing what changed, and the job keeps running
sed -i 's/count(\*) as orders,/count(*) as orders,\n    max(amount) as largest,/' models/marts/orders_per_minute.sql
run run -s orders_per_minute
expect_rc 1 "a changed definition fails the run"
expect_out "the definition of streaming_table \`default_catalog\`.\`default_database\`.\`orders_per_minute\` changed since its running job $win2 was deployed"
expect_out "+     max(amount) as largest,"
expect_out "run with --full-refresh to stop the job"
expect_no_out "ALTER TABLE" "nothing was replaced"
if [ "$(job_status "$win2")" = RUNNING ]; then ok "the running job was left alone"; else not_ok "the running job was left alone"; fi

# --full-refresh stops it and starts over
run run -s orders_per_minute --full-refresh
expect_rc 0 "full refresh"
expect_out "(full refresh: stopped $win2)"
win3=$(job_of orders_per_minute)
if [ "$(job_status "$win2")" = CANCELED ] && [ "$(job_status "$win3")" = RUNNING ]; then ok "old job stopped, new one running"
else not_ok "old job stopped, new one running" "$win2: $(job_status "$win2"), $win3: $(job_status "$win3")"; fi

# upgrade: savepoint (orders_enriched): stop with a savepoint, start the new job from it
sed -i 's/c.country$/c.country,\n    upper(c.country) as country_code/' models/marts/orders_enriched.sql
printf '      - name: country_code\n        data_type: STRING\n' >>models/marts/schema.yml
run run -s orders_enriched
expect_rc 0 "a changed model with upgrade: savepoint is redeployed"
expect_out "from savepoint file:$WORK/savepoints/savepoint-${enr:0:6}-"
enr2=$(job_of orders_enriched)
gw_admin GET /jobs
expect_js "(j.find(x => x.id == '$enr') || {}).status" FINISHED "the old job stopped with a savepoint"
expect_js "(j.find(x => x.id == '$enr2') || {}).restored_from.startsWith('file:$WORK/savepoints/savepoint-${enr:0:6}-')" true \
	"the new job restored from it"

# jobs stop --savepoint, then run: resumes from that savepoint
run jobs stop --savepoint -s orders_enriched
expect_rc 0 "jobs stop --savepoint"
expect_out "Stopped job $enr2 of model orders_enriched with a savepoint at file:$WORK/savepoints/savepoint-${enr2:0:6}-"
sp=$(grep -o "file:[^ ]*" "$OUT")
run jobs
expect_no_out "orders_enriched" "the stopped job is not listed as running"
run jobs --all
expect_out "orders_enriched    $enr2  FINISHED"
run run -s orders_enriched
expect_rc 0 "the next run"
expect_out "from savepoint $sp of $enr2"
# ctas: true: CREATE TABLE ... AS SELECT is the job
mkdir -p models/extra
cat >models/extra/big_orders.sql <<'SQL'
{{ config(materialized='streaming_table', ctas=true,
          connector_properties={'connector': 'kafka', 'topic': 'big_orders', 'format': 'json'}) }}
select order_id, amount from {{ ref('stg_orders') }} where amount > 20
SQL
run run -s big_orders
expect_rc 0 "a CTAS streaming_table"
ctas=$(job_of big_orders)
gw_admin GET /jobs
expect_js "(j.find(x => x.id == '$ctas') || {}).statement.startsWith('CREATE TABLE \`default_catalog\`.\`default_database\`.\`big_orders\`\nWITH (')" true \
	"the job is the CTAS statement"
run run -s big_orders
expect_out_re "big_orders \.+ \[RUNNING $ctas" "an unchanged CTAS job is left alone"
run show --inline "select order_id from {{ ref('big_orders') }} order by order_id"
expect_out "|        7 |" "what the CTAS job wrote can be read"
gw_stop
done_testing
