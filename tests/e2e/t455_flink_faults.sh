#!/usr/bin/env bash
# The Flink adapter against a failing gateway: repeatable requests are retried through 503s and
# dropped connections, a statement is never submitted twice, a session the gateway forgot is an
# error that says so, and an unreachable gateway is a clear error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}

# transient failures of fetches and status calls are retried
gw_admin POST /faults '[{"method":"GET","path":"/v*/sessions/*/operations/*/result/*","action":"status","status":503,"count":3},
	{"method":"GET","path":"/v*/sessions/*/operations/*/result/*","action":"drop","skip":5,"count":2}]'
run run
expect_rc 0 "a run through 503s and dropped connections"
gw_admin GET /faults
expect_js 'j[0].applied + "," + j[1].applied' "3,2" "the faults happened"
gw_admin DELETE /faults

# a statement that got a 503 is not sent again
gw_admin GET /requests
before=$(jsv 'j.length')
gw_admin POST /faults '[{"method":"POST","path":"/v*/sessions/*/statements","statement":"EXPLAIN","action":"status","status":503,"count":1}]'
run run -s orders
expect_rc 1 "a failed submission fails the model"
expect_out "Database Error in model orders"
gw_admin GET /requests
expect_js "j.slice($before).filter(r => r.method == 'POST' && r.uri.endsWith('/statements') && r.body && String(r.body.statement).startsWith('EXPLAIN')).length" 1 \
	"the statement was submitted once"
gw_admin DELETE /faults

# the gateway forgets the session half-way
gw_admin POST /faults '[{"method":"POST","path":"/v*/sessions/*/statements","statement":"CREATE VIEW","action":"expire_session","count":1}]'
run run
expect_rc 1 "an expired session fails the run"
expect_out "does not exist"
gw_admin DELETE /faults

# a failing job surfaces as the model's error
gw_admin POST /faults '[{"method":"POST","path":"/v*/sessions/*/statements","statement":"INSERT INTO","action":"fail","message":"org.apache.flink.runtime.JobException: Recovery is suppressed","count":1}]'
run run -s orders_per_minute --full-refresh
expect_rc 1 "a failing statement fails its model"
expect_out "JobException: Recovery is suppressed"
gw_admin DELETE /faults
gw_stop

# nobody listens any more
run debug
expect_rc 1 "debug without a gateway"
expect_err "unable to reach the Flink SQL Gateway at http://127.0.0.1:$FLINK_GATEWAY_PORT"
expect_out "Connection test: [ERROR]"
done_testing
