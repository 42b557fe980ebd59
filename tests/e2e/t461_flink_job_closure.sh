#!/usr/bin/env bash
# A streaming job follows the definitions it reads: its hash covers the views it reads (and the
# macros they call), so changing an upstream view is a changed job: refused with the diff naming
# the view, redeployed from a savepoint with upgrade: savepoint, restarted with --full-refresh;
# sluice jobs shows which running jobs are stale against the project, and why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}
export FLINK_SAVEPOINT_DIR="file://$WORK/savepoints"
mkdir -p macros
cat >macros/limits.sql <<'SQL'
{% macro min_amount() %}0{% endmacro %}
SQL
sed -i 's/where amount > 0/where amount > {{ min_amount() }}/' models/staging/stg_orders.sql

run run
expect_rc 0 "run"
run jobs
expect_rc 0 "jobs"
expect_out_re "orders_per_minute +[0-9a-f]{32} +RUNNING .* current$"
expect_out_re "customer_totals +[0-9a-f]{32} +RUNNING .* current$"
old=$(grep -o 'orders_per_minute *[0-9a-f]\{32\}' "$OUT" | grep -o '[0-9a-f]\{32\}')

# the view's macro changes: every job reading the view is stale, and says why
sed -i 's/%}0{%/%}1{%/' macros/limits.sql
run jobs
expect_out_re "orders_per_minute +$old +RUNNING .* stale: model stg_orders$"
expect_out_re "orders_enriched +[0-9a-f]{32} +RUNNING .* stale: model stg_orders$"
run jobs --output json
expect_out '"stale": true, "definition": "stale: model stg_orders"'

run run -s orders_per_minute
expect_rc 1 "a job whose view changed is refused"
expect_out "the definition of streaming_table"
expect_out "what it reads changed: model stg_orders"
expect_out "- where amount > 0" "the diff shows the view's old line"
expect_out "+ where amount > 1" "and its new one"
expect_out "run with --full-refresh"
gw_admin GET /jobs
expect_js "j.find(x => x.id == '$old').status" RUNNING "the old job keeps running"

# upgrade: savepoint redeploys the join from a savepoint of its job
run run -s orders_enriched
expect_rc 0 "the join is upgraded"
expect_out_re "orders_enriched .*\[JOB [0-9a-f]{32} from savepoint file:"

# --full-refresh restarts the others
run run --full-refresh -s orders_per_minute customer_totals
expect_rc 0 "full refresh"
expect_out "(full refresh: stopped $old)"
run jobs
expect_no_out "stale" "no job is stale any more"
expect_out_re "orders_per_minute +[0-9a-f]{32} +RUNNING .* current$"

# the job's own execution_config is part of it too
sed -i "s/primary_key='customer_id') }}/primary_key='customer_id', execution_config={'table.exec.mini-batch.enabled': 'true'}) }}/" models/marts/customer_totals.sql
run jobs -s customer_totals
expect_out_re "customer_totals +[0-9a-f]{32} +RUNNING .* stale: its SQL or execution_config$"
gw_stop
done_testing
