#!/usr/bin/env bash
# Gateway double, sessions: open with properties, read the configuration, heartbeat, close, the
# 500s of unknown sessions (one element for the session/operation handlers, two for execute and
# fetch), idle expiry by the server and the touch that every lookup gives.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start

gw_call POST /v2/sessions '{"sessionName":"dbt-run","properties":{"execution.runtime-mode":"batch","table.local-time-zone":"UTC"}}'
expect_status 200 "open a session"
SH=$(jsv j.sessionHandle)
expect_body "{\"sessionHandle\":\"$SH\"}" "the open body is exactly the handle"
gw_call GET "/v2/sessions/$SH"
expect_js 'j.properties["execution.runtime-mode"]' batch "session properties are in the configuration"
expect_js 'j.properties["table.local-time-zone"]' UTC
expect_js 'Object.keys(j).join(",")' properties "GET /sessions/:sh has only properties"
gw_call POST "/v2/sessions/$SH/heartbeat"
expect_body '{}' "heartbeat"
gw_call POST "/v2/sessions/$SH/configure-session" '{"statement":"SET '"'"'pipeline.name'"'"' = '"'"'p1'"'"'"}'
expect_body '{}' "configure-session SET"
gw_call GET "/v2/sessions/$SH"
expect_js 'j.properties["pipeline.name"]' p1 "SET through configure-session persists"
gw_call POST "/v2/sessions/$SH/configure-session" '{"statement":"SELECT 1"}'
expect_status 500 "configure-session refuses a query"
expect_js 'j.errors[0]' "Internal server error." "configure-session: an unhandled error"
expect_js 'j.errors[1].includes("SqlGatewayException: Failed to configure session.\n")' true "configure-session: Failed to configure session."
expect_js 'j.errors[1].includes("Unsupported statement for configuring session")' true "configure-session: Unsupported statement"
gw_call POST "/v2/sessions/$SH/configure-session" '{"statement":"SET '"'"'a'"'"' = '"'"'b'"'"'","executionTimeout":5}'
expect_status 500 "configure-session with executionTimeout > 0"
expect_js 'j.errors[1].includes("Caused by: java.lang.UnsupportedOperationException: SqlGatewayService doesn'"'"'t support timeout mechanism now.\n")' true
gw_call GET "/v2/sessions/$SH/complete-statement" '{"statement":"SEL","position":3}'
expect_body '{"candidates":["SELECT"]}' "complete-statement reads a GET body"

# close, then every endpoint on the closed session
gw_call DELETE "/v2/sessions/$SH"
expect_body '{"status":"CLOSED"}' "close the session"
one_elt() {  # one_elt METHOD PATH WHAT-FAILED
	gw_call "$1" "$2" '{}'
	expect_status 500 "$1 $2 on an unknown session: 500"
	expect_js 'j.errors.length' 1 "$1 ${2##*/}: one element"
	expect_js 'j.errors[0].split("\n").filter(l => l && !l.startsWith("\t")).join("|")' \
		"org.apache.flink.runtime.rest.handler.RestHandlerException: $3|Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: $3|Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Session '$SH' does not exist." \
		"$1 ${2##*/}: $3 caused by the missing session"
}
OH=11111111-2222-4333-8444-555555555555
one_elt GET "/v2/sessions/$SH" "Failed to getSessionConfig."
one_elt POST "/v2/sessions/$SH/heartbeat" "Failed to getSessionConfig."
one_elt DELETE "/v2/sessions/$SH" "Failed to closeSession."
one_elt GET "/v2/sessions/$SH/operations/$OH/status" "Failed to getOperationInfo."
one_elt POST "/v2/sessions/$SH/operations/$OH/cancel" "Failed to cancelOperation."
one_elt DELETE "/v2/sessions/$SH/operations/$OH/close" "Failed to closeOperation."
gw_call POST "/v2/sessions/$SH/statements" '{"statement":"SELECT 1"}'
expect_status 500 "execute on an unknown session"
expect_js 'j.errors.length' 2 "execute: two elements"
expect_js 'j.errors[1].split("\n").filter(l => !l.startsWith("\t")).join("|")' \
	"<Exception on server side:|org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to execute statement.|Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Session '$SH' does not exist.||End of exception on server side>" \
	"execute: Failed to execute statement. caused by the missing session"
gw_call GET "/v2/sessions/$SH/operations/$OH/result/0?rowFormat=JSON"
expect_status 500 "fetch on an unknown session"
expect_js 'j.errors[1].split("\n").filter(l => !l.startsWith("\t")).join("|")' \
	"<Exception on server side:|org.apache.flink.table.gateway.api.utils.SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.|Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.|Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Session '$SH' does not exist.||End of exception on server side>" \
	"fetch: the fetchResults chain ends in the missing session"

# idle expiry: a session untouched for longer than the timeout is closed by the server. The
# double's clock is manual, so "longer" is what the test says, never how busy the machine is.
gw_stop
gw_start --clock manual --session-idle-timeout-ms 1000
gw_session
IDLE=$SH
gw_session
BUSY=$SH
open_sessions() {  # the handles the admin API lists (which touches no session)
	gw_admin GET /sessions
	jsv 'j.map(s => s.sessionHandle).sort().join(" ")'
}
both=$(printf '%s\n' "$IDLE" "$BUSY" | sort | tr '\n' ' ' | sed 's/ $//')
gw_clock_advance 600
gw_call GET "/v2/sessions/$BUSY"   # any lookup touches the session
expect_status 200 "a lookup of a session in time"
gw_clock_advance 400
gw_admin GET /sessions
expect_js "j.filter(s => s.sessionHandle === '$IDLE').map(s => s.idleMs).join()" 1000 "idleMs follows the clock"
if [ "$(open_sessions)" = "$both" ]; then ok "idle for exactly the timeout: still open (expiry needs longer)"
else not_ok "idle for exactly the timeout: still open" "open: $(open_sessions)"; fi
gw_clock_advance 1
if [ "$(open_sessions)" = "$BUSY" ]; then ok "1 ms past the timeout the idle session is closed, the used one is not"
else not_ok "1 ms past the timeout the idle session is closed" "open: $(open_sessions)"; fi
gw_call POST "/v2/sessions/$BUSY/heartbeat"
expect_status 200 "a session that is used stays open"
gw_call POST "/v2/sessions/$IDLE/heartbeat"
expect_status 500 "an idle session is closed by the server"
expect_body_has "Session '$IDLE' does not exist."
gw_clock_advance 1000   # the heartbeat touched BUSY: 1000 ms later it is still there
gw_call POST "/v2/sessions/$BUSY/heartbeat"
expect_status 200 "a heartbeat keeps a session open"
gw_clock_advance 1001
gw_call POST "/v2/sessions/$BUSY/heartbeat"
expect_status 500 "and without one it expires too"
gw_admin POST /clock '{"advanceMs":-1}'
expect_status 400 "the clock does not go back"
gw_stop
gw_start
gw_admin POST /clock '{"advanceMs":1}'
expect_status 400 "the real clock cannot be advanced"
expect_js j.error "the clock is the real one: start the double with --clock manual"
gw_stop

# 1.16: the same session lifecycle on V1
gw_start --flink-version 1.16.1
gw_call POST /v1/sessions
SH=$(jsv j.sessionHandle)
gw_call GET "/v1/sessions/$SH"
expect_status 200 "1.16: get the session configuration"
gw_call DELETE "/v1/sessions/$SH"
expect_body '{"status":"CLOSED"}' "1.16: close"
gw_stop
done_testing
