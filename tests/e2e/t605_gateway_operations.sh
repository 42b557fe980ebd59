#!/usr/bin/env bash
# Gateway double, operations: status, cancel (only while INITIALIZED/PENDING/RUNNING), close
# (always CLOSED in a valid session), executionTimeout > 0, a failed statement (status ERROR, the
# fetch 500 with the whole cause chain), and one statement at a time per session: a POST blocks
# while an INSERT waits for its job under table.dml-sync. Jobs run until the test finishes them
# (a long --job-run-ms and POST /jobs/<id>/finish): no check depends on the machine's speed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start --job-run-ms 3600000
gw_session

# cancel after FINISHED is refused; close always answers CLOSED
gw_submit "SELECT 1"
gw_wait
gw_call POST "/v2/sessions/$SH/operations/$OH/cancel"
expect_status 500 "cancel of a FINISHED operation"
expect_js 'j.errors.length' 1 "cancel: one element"
expect_js 'j.errors[0].split("\n").filter(l => l && !l.startsWith("\t")).join("|")' \
	"org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to cancelOperation.|Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to cancelOperation.|Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to convert the Operation Status from FINISHED to CANCELED for $OH." \
	"cancel: Failed to convert the Operation Status from FINISHED to CANCELED"
gw_call GET "/v2/sessions/$SH/operations/$OH/status"
expect_body '{"status":"FINISHED"}' "the refused cancel left it FINISHED"
gw_call DELETE "/v2/sessions/$SH/operations/$OH/close"
expect_body '{"status":"CLOSED"}' "close"
gw_call DELETE "/v2/sessions/$SH/operations/$OH/close"
expect_body '{"status":"CLOSED"}' "closing again is still CLOSED"
gw_call DELETE "/v2/sessions/$SH/operations/12345678-1234-4234-8234-123456789abc/close"
expect_body '{"status":"CLOSED"}' "closing an unknown operation is CLOSED"
gw_call GET "/v2/sessions/$SH/operations/$OH/status"
expect_status 500 "status of a closed operation"
expect_js 'j.errors[0].split("\n").filter(l => l && !l.startsWith("\t")).join("|")' \
	"org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to getOperationInfo.|Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to getOperationInfo.|Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Can not find the submitted operation in the OperationManager with the $OH." \
	"status: Can not find the submitted operation"
gw_fetch 0
expect_status 500 "fetch of a closed operation"
expect_js 'j.errors[1].includes("\nCaused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Can not find the submitted operation in the OperationManager with the '"$OH"'.\n")' true \
	"fetch: Can not find the submitted operation"

# cancel while RUNNING (a stuck statement), then fetch and cancel again
gw_admin POST /faults '[{"method":"POST","path":"/v2/sessions/*/statements","statement":"stuck here","action":"stuck"}]'
gw_submit "SELECT 'stuck here'"
gw_call GET "/v2/sessions/$SH/operations/$OH/status"
expect_body '{"status":"RUNNING"}' "a stuck statement is RUNNING"
gw_fetch 0
expect_js j.resultType NOT_READY "a RUNNING statement is NOT_READY"
gw_call POST "/v2/sessions/$SH/operations/$OH/cancel"
expect_body '{"status":"CANCELED"}' "cancel while RUNNING"
gw_fetch 0
expect_status 500 "fetch of a CANCELED operation"
expect_js 'j.errors[1].includes("Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Can not fetch results from the '"$OH"' in CANCELED status.\n")' true \
	"fetch: Can not fetch results … in CANCELED status"
gw_call POST "/v2/sessions/$SH/operations/$OH/cancel"
expect_js 'j.errors[0].includes("Failed to convert the Operation Status from CANCELED to CANCELED for '"$OH"'.")' true "a second cancel is refused"
gw_admin DELETE /faults
gw_submit "SELECT 1"
gw_wait
gw_call GET "/v2/sessions/$SH/operations/$OH/status"
expect_body '{"status":"FINISHED"}' "the session runs statements again after the cancel"

# executionTimeout > 0 is refused at submit time
gw_call POST "/v2/sessions/$SH/statements" '{"statement":"SELECT 1","executionTimeout":1000}'
expect_status 500 "executionTimeout > 0"
expect_js 'j.errors[1].split("\n").filter(l => l && !l.startsWith("\t")).join("|")' \
	"<Exception on server side:|org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to execute statement.|Caused by: java.lang.UnsupportedOperationException: SqlGatewayService doesn't support timeout mechanism now.|End of exception on server side>" \
	"executionTimeout: SqlGatewayService doesn't support timeout mechanism now."
gw_call POST "/v2/sessions/$SH/statements" '{"statement":"SELECT 1","executionTimeout":-1}'
expect_status 200 "a negative executionTimeout is fine"

# a failed statement: accepted, then ERROR, and the fetch carries the chain (§8.5)
gw_submit "SELECT * FROM no_such_table"
expect_status 200 "bad SQL is accepted at submit time"
gw_wait
gw_call GET "/v2/sessions/$SH/operations/$OH/status"
expect_body '{"status":"ERROR"}' "the statement is in ERROR"
for t in 0 1; do
	gw_fetch $t
	expect_status 500 "fetch $t of a failed statement"
done
expect_js 'j.errors[0]' "Internal server error."
expect_js 'j.errors[1].split("\n").filter(l => l && !l.startsWith("\t")).slice(0, 4).join("|")' \
	"<Exception on server side:|org.apache.flink.table.gateway.api.utils.SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.|Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.|Caused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation $OH." \
	"the chain: Failed to fetchResults. → Failed to execute the operation"
expect_js 'j.errors[1].split("\n").filter(l => l.startsWith("Caused by: ")).length >= 3' true "the engine's causes follow"
expect_js 'j.errors[1].endsWith("\n\nEnd of exception on server side>")' true "the trace ends as Java prints it"
expect_js 'j.errors[1].split("\n")[2].startsWith("\tat org.apache.flink.")' true "stack frames follow the first line"
gw_call DELETE "/v2/sessions/$SH/operations/$OH/close"
expect_body '{"status":"CLOSED"}' "a failed statement can be closed"

# one statement at a time: under table.dml-sync an INSERT runs until its job ends, and the next
# POST of the session waits for it; another session does not. The job ends when the test
# finishes it, so "still waiting" is a fact, not a race with the clock.
gw_run "CREATE TABLE src (id BIGINT) WITH ('connector'='datagen','number-of-rows'='3')" "a bounded source"
gw_run "CREATE TABLE sink (id BIGINT) WITH ('connector'='blackhole')" "a sink"
gw_call POST "/v2/sessions/$SH/configure-session" '{"statement":"SET '"'"'table.dml-sync'"'"' = '"'"'true'"'"'"}'
expect_body '{}' "SET table.dml-sync through configure-session"
gw_submit "INSERT INTO sink SELECT * FROM src"
INS=$OH
gw_fetch 0
expect_js j.resultType NOT_READY "a dml-sync INSERT is NOT_READY while its job runs"
gw_call GET "/v2/sessions/$SH/operations/$INS/status"
expect_body '{"status":"RUNNING"}' "and RUNNING"
gw_admin GET /jobs
JOB=$(jsv 'j.find(x => x.status == "RUNNING" && x.statement.startsWith("INSERT INTO sink")).id')
OTHER_SH=$SH
gw_session
gw_submit "SELECT 1"
expect_status 200 "another session is not blocked"
gw_admin GET /jobs
expect_js "j.find(x => x.id == '$JOB').status" RUNNING "it answered while the INSERT's job runs"
SH=$OTHER_SH
# the next POST of the session, in the background; a zero delay rule tells when it arrived
gw_admin POST /faults '[{"method":"POST","path":"/v2/sessions/*/statements","statement":"SELECT 2","action":"delay","delay_ms":0}]'
curl -s -X POST -o "$WORK/bg.body" -w '%{http_code}' -H 'Content-Type: application/json' --max-time 600 \
	--data-binary '{"statement":"SELECT 2"}' "$GW/v2/sessions/$SH/statements" >"$WORK/bg.status" &
BG=$!
bg_track "$BG"
post_arrived() {
	gw_admin GET /faults
	[ "$(jsv 'j[0].matched')" -ge 1 ]
}
wait_until 120 post_arrived
expect_js 'j[0].matched' 1 "the next POST of the session reached the gateway"
if running "$BG"; then ok "and waits while the INSERT's job runs"; else not_ok "and waits while the INSERT's job runs" "answered $(cat "$WORK/bg.status"): $(cat "$WORK/bg.body")"; fi
gw_admin POST "/jobs/$JOB/finish"
expect_status 200 "the job is finished"
wait_pid "$BG"
if [ "$(cat "$WORK/bg.status")" = 200 ]; then ok "the waiting POST is accepted once the job ended"
else not_ok "the waiting POST is accepted once the job ended" "$(cat "$WORK/bg.status") $(cat "$WORK/bg.body")"; fi
gw_admin DELETE /faults
gw_admin POST "/jobs/$JOB/finish"
expect_status 400 "a job that ended cannot be finished again"
gw_admin POST "/jobs/0123456789abcdef0123456789abcdef/finish"
expect_status 404 "an unknown job cannot be finished"
OH=$INS
gw_call GET "/v2/sessions/$SH/operations/$INS/status"
expect_body '{"status":"FINISHED"}' "the INSERT finished with its job"
gw_fetch_ready
expect_js 'j.results.columns[0].name' "job id" "its result is the job id"

gw_stop
done_testing
