#!/usr/bin/env bash
# Ctrl-C during a run on the Flink SQL Gateway double: the running statement is cancelled on the
# gateway (POST .../cancel), the streaming job already submitted keeps running and is listed, the
# run exits 2 with run_results.json written; a second Ctrl-C, while the first is still waiting on
# the gateway, exits at once. Every wait is on an event, never on a fixed delay.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}

start_bg() {
	# emptied here, not by the child's redirection: wait_out must never see the last run's lines
	: >"$OUT"
	: >"$ERR"
	"$SLUICE" "$@" >"$OUT" 2>"$ERR" &
	PID=$!
	bg_track "$PID"
}
wait_out() {  # wait_out TEXT: until stdout has TEXT or the process ended (120 s at most)
	local text=$1
	wait_until 120 eval 'grep -qF -- "$text" "$OUT" || ! running "$PID"'
	grep -qF -- "$text" "$OUT"
}

# stalled_polled N: the Nth stalled INSERT has reached the gateway and the run has asked about its
# operation since, so the run holds the handle a cancel names. START is printed before the
# statement is sent: a Ctrl-C right after it could come before there is anything to cancel.
stalled_polled() {
	gw_admin GET /statements
	local op
	op=$(jsv "(j.filter(s => s.statement && s.statement.startsWith('INSERT INTO') && s.statement.includes('orders_per_minute'))[$1 - 1] || {}).operation")
	case "$op" in '' | undefined | null) running "$PID" && return 1; return 0 ;; esac
	gw_admin GET /requests
	[ "$(jsv "j.some(r => r.method == 'GET' && r.uri.includes('$op'))")" = true ] || ! running "$PID"
}

# the second streaming job's statement never finishes on the gateway
gw_admin POST /faults '[{"path":"/v*/sessions/*/statements","statement":"INSERT INTO `default_catalog`.`default_database`.`orders_per_minute`","action":"slow","delay_ms":600000}]'
start_bg run
if wait_out "START sql streaming_table model default_database.orders_per_minute"; then ok "the run reached the stalled statement"
else not_ok "the run reached the stalled statement" "$(cat "$OUT" "$ERR")"; fi
wait_until 120 stalled_polled 1
kill -INT "$PID"
wait_pid "$PID"
RC=$?
expect_rc 2 "Ctrl-C exits 2"
expect_out "CANCEL query model.shop_stream.orders_per_minute"
expect_out "Exited because of keyboard interrupt"
expect_out "Streaming jobs submitted before the interrupt keep running"
expect_out_re "  model\.shop_stream\.orders_enriched  JOB [0-9a-f]{32}" "the job submitted before is listed"
gw_admin GET /requests
expect_js "j.filter(r => r.method == 'POST' && r.uri.endsWith('/cancel')).length >= 1" true \
	"the running statement was cancelled on the gateway"
job=$(grep -o 'orders_enriched  JOB [0-9a-f]\{32\}' "$OUT" | grep -o '[0-9a-f]\{32\}')
gw_admin GET /jobs
expect_js "j.find(x => x.id == '$job').status" RUNNING "the submitted job keeps running"
expect_js "j.filter(x => x.status == 'RUNNING' && x.name.startsWith('shop_stream.orders_per_minute')).length" 0 \
	"the cancelled statement started no job"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.shop_stream.orders_per_minute").status' error
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.shop_stream.orders_enriched").status' success

# a second Ctrl-C while the first waits on a gateway that answers the cancel only after 10 minutes
gw_admin POST /faults '[{"path":"/v*/sessions/*/statements","statement":"INSERT INTO `default_catalog`.`default_database`.`orders_per_minute`","action":"slow","delay_ms":600000},
	{"method":"POST","path":"/v*/sessions/*/operations/*/cancel","action":"delay","delay_ms":600000}]'
start_bg run --full-refresh -s orders_per_minute
wait_out "START sql streaming_table model default_database.orders_per_minute" >/dev/null
wait_until 120 stalled_polled 2
kill -INT "$PID"
wait_out "CANCEL query model.shop_stream.orders_per_minute" >/dev/null
# until the cancel request reached the gateway (its fault rule matched): the process now waits
cancel_arrived() {
	gw_admin GET /faults
	[ "$(jsv 'j[1].matched')" -ge 1 ] || ! running "$PID"
}
wait_until 120 cancel_arrived
kill -INT "$PID"
wait_pid "$PID"
RC=$?
expect_rc 130 "a second Ctrl-C exits at once"
expect_err "interrupted again: exiting now"
gw_admin DELETE /faults

gw_stop
done_testing
