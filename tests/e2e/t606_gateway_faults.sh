#!/usr/bin/env bash
# Gateway double, fault rules set through the admin API: status, drop, delay, slow, stuck, fail,
# fail_job, expire_session, with method/path/statement matching, count and skip.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
# bounded jobs run for an hour: an injected failure always finds them RUNNING
gw_start --job-run-ms 3600000
gw_session

faults() {
	gw_admin POST /faults "$1"
	if [ "$GW_STATUS" != 200 ]; then not_ok "set fault rules" "$(body)"; fi
}

# status, with count: the first two heartbeats fail, the third passes
faults '[{"method":"POST","path":"/v*/sessions/*/heartbeat","action":"status","status":503,"count":2}]'
gw_admin GET /faults
expect_js 'j[0].action + " " + j[0].status + " " + j[0].count' "status 503 2" "GET /faults shows the rule"
codes=""
for i in 1 2 3; do gw_call POST "/v2/sessions/$SH/heartbeat"; codes="$codes $GW_STATUS"; done
if [ "$codes" = " 503 503 200" ]; then ok "status 503 twice (count 2), then normal"; else not_ok "status 503 twice (count 2), then normal" "$codes"; fi
gw_admin GET /faults
expect_js 'j[0].matched + "/" + j[0].applied' "3/2" "the rule counts matches and applications"

# skip: the first match passes, then one failure with a message
faults '[{"method":"GET","path":"/v2/sessions/*","action":"status","status":502,"message":"bad gateway","skip":1,"count":1}]'
codes=""
for i in 1 2 3; do gw_call GET "/v2/sessions/$SH"; codes="$codes $GW_STATUS"; done
if [ "$codes" = " 200 502 200" ]; then ok "skip 1, count 1"; else not_ok "skip 1, count 1" "$codes"; fi
gw_call GET "/v2/sessions/$SH"
faults '[{"method":"GET","path":"/v2/sessions/*","action":"status","status":502,"message":"bad gateway"}]'
gw_call GET "/v2/sessions/$SH"
expect_body '{"errors":["bad gateway"]}' "a status fault answers its message as an errors body"
faults '[{"method":"*","path":"/v2/info","action":"status","status":500}]'
gw_call GET /v2/info
expect_status 500 "status 500"
expect_js 'j.errors[0]' "Internal server error." "a 500 fault has the unhandled shape"
faults '[{"method":"DELETE","path":"/v2/info","action":"status","status":500}]'
gw_call GET /v2/info
expect_status 200 "the method must match"

# drop: the connection closes without an answer
faults '[{"path":"/v2/sessions/*/statements","statement":"drop me","action":"drop","count":1}]'
gw_call POST "/v2/sessions/$SH/statements" '{"statement":"SELECT '"'"'drop me'"'"'"}'
expect_status 000 "drop: no HTTP answer"
gw_call POST "/v2/sessions/$SH/statements" '{"statement":"SELECT 1"}'
expect_status 200 "a statement that does not match passes"

# delay: the answer comes late but normal
faults '[{"method":"GET","path":"/v2/info","action":"delay","delay_ms":600}]'
start=$(date +%s%N)
gw_call GET /v2/info
took=$(( ($(date +%s%N) - start) / 1000000 ))
expect_status 200 "delay: a normal answer"
if [ "$took" -ge 550 ]; then ok "delay: after the delay (${took} ms)"; else not_ok "delay: after the delay" "${took} ms"; fi

# slow: the operation stays RUNNING (fetch NOT_READY) for delay_ms, then finishes. RUNNING is
# checked on a statement an hour slow, so that a busy machine cannot outlast it; the end, on a
# short one that is polled until it finishes, no sooner than its delay.
faults '[{"path":"/v2/sessions/*/statements","statement":"slow long","action":"slow","delay_ms":3600000},
	{"path":"/v2/sessions/*/statements","statement":"slow short","action":"slow","delay_ms":700}]'
gw_submit "SELECT 'slow long'"
expect_status 200 "slow: the POST answers at once"
gw_call GET "/v2/sessions/$SH/operations/$OH/status"
expect_body '{"status":"RUNNING"}' "slow: RUNNING at first"
gw_fetch 0
expect_js j.resultType NOT_READY "slow: NOT_READY at first"
gw_call DELETE "/v2/sessions/$SH/operations/$OH/close"
start=$(date +%s%N)
gw_submit "SELECT 'slow short'"
left_running() {
	gw_call GET "/v2/sessions/$SH/operations/$OH/status"
	[ "$(body)" != '{"status":"RUNNING"}' ]
}
wait_until 120 left_running
took=$(( ($(date +%s%N) - start) / 1000000 ))
expect_body '{"status":"FINISHED"}' "slow: FINISHED after the delay"
if [ "$took" -ge 700 ]; then ok "slow: not before its delay (${took} ms)"; else not_ok "slow: not before its delay" "${took} ms"; fi

# stuck: never completes; closing the session ends it
faults '[{"path":"/v2/sessions/*/statements","statement":"stuck here","action":"stuck"}]'
gw_submit "SELECT 'stuck here'"
STUCK_SH=$SH STUCK_OH=$OH
# it has had every chance to finish: a statement submitted after it, in another session, did
gw_session
gw_submit "SELECT 2"
gw_wait
gw_call GET "/v2/sessions/$SH/operations/$OH/status"
expect_body '{"status":"FINISHED"}' "a later statement finished"
SH=$STUCK_SH OH=$STUCK_OH
gw_call GET "/v2/sessions/$SH/operations/$OH/status"
expect_body '{"status":"RUNNING"}' "stuck: still RUNNING"
gw_admin DELETE /faults
expect_body '[]' "DELETE /faults clears the rules"

# fail: the operation ends in ERROR with the message as root cause
faults '[{"path":"/v2/sessions/*/statements","statement":"boom","action":"fail","message":"disk full"}]'
gw_session
gw_submit "SELECT 'boom'"
gw_wait
gw_call GET "/v2/sessions/$SH/operations/$OH/status"
expect_body '{"status":"ERROR"}' "fail: ERROR"
gw_fetch 0
expect_js 'j.errors[1].split("\n").filter(l => l.startsWith("Caused by: ")).pop()' "Caused by: org.apache.flink.table.api.TableException: disk full" \
	"fail: the message is the root cause"

# fail_job: the INSERT is submitted, then its job fails (visible on the admin API)
gw_run "CREATE TABLE sink (x INT) WITH ('connector'='blackhole')" "a sink for the INSERTs"
faults '[{"path":"/v2/sessions/*/statements","action":"fail_job","message":"task lost"}]'
gw_submit "INSERT INTO sink SELECT 1"
gw_fetch_ready
JOB=$(jsv j.jobID)
expect_js 'j.resultType + " " + j.results.data[0].fields[0]' "PAYLOAD $JOB" "fail_job: the INSERT itself succeeds with its job id"
gw_admin GET /jobs
expect_js "j.filter(x => x.id === '$JOB').map(x => x.status + ' | ' + x.failure.replace(/\n/g, ' | ')).join()" \
	"FAILED | org.apache.flink.runtime.client.JobExecutionException: Job execution failed. | Caused by: java.lang.RuntimeException: task lost" \
	"fail_job: the job failed"
# under dml-sync the failed job makes the operation fail
gw_call POST "/v2/sessions/$SH/configure-session" '{"statement":"SET '"'"'table.dml-sync'"'"' = '"'"'true'"'"'"}'
gw_submit "INSERT INTO sink SELECT 1"
gw_wait
gw_call GET "/v2/sessions/$SH/operations/$OH/status"
expect_body '{"status":"ERROR"}' "fail_job under dml-sync: the operation is in ERROR"
gw_fetch 0
expect_js 'j.errors[1].split("\n").filter(l => l.startsWith("Caused by: ")).pop()' "Caused by: java.lang.RuntimeException: task lost" \
	"fail_job under dml-sync: the job's failure is the root cause"
expect_js 'j.errors[1].split("\n").filter(l => l.startsWith("Caused by: ")).map(l => l.slice(11).replace(/[0-9a-f]{32}/g, "<job>")).join("|")' \
	"org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.|org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation $OH.|org.apache.flink.table.api.TableException: Failed to wait job finish|java.util.concurrent.ExecutionException: org.apache.flink.client.program.ProgramInvocationException: Job failed (JobID: <job>)|org.apache.flink.client.program.ProgramInvocationException: Job failed (JobID: <job>)|org.apache.flink.runtime.client.JobExecutionException: Job execution failed.|java.lang.RuntimeException: task lost" \
	"fail_job under dml-sync: the whole chain, each cause once"

# expire_session: the session is forgotten before the request is handled
faults '[{"method":"GET","path":"/v2/sessions/*","action":"expire_session","count":1}]'
gw_call GET "/v2/sessions/$SH"
expect_status 500 "expire_session: the session is gone"
expect_body_has "Session '$SH' does not exist."
gw_admin DELETE /faults

# bad rules are refused and leave the old ones
faults '[{"path":"/x","action":"delay"}]'
gw_admin POST /faults '[{"path":"/x","action":"explode"}]'
expect_status 400 "an unknown action is refused"
expect_js 'j.error' "unknown fault action 'explode'"
gw_admin POST /faults '{"path":"/x"}'
expect_status 400 "rules must be an array"
gw_admin GET /faults
expect_js 'j.length + " " + j[0].action' "1 delay" "the previous rules stay"
gw_stop
done_testing
