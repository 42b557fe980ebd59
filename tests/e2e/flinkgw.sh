# Helpers for end-to-end tests that talk to the Flink SQL Gateway double (tests/flinkgw): start
# and stop it on free loopback ports, call its REST and admin APIs with curl, and check statuses
# and bodies. Source it after lib.sh:
#   . "$(dirname "$0")/lib.sh"; . "$(dirname "$0")/flinkgw.sh"
#   gw_start --flink-version 1.20.0      # sets GW, GW_ADMIN, GW_PID, GW_LOG, GW_DATA
#   gw_call POST /v2/sessions '{}'       # sets GW_STATUS; the body is in "$GW_BODY"
#   gw_session; gw_run "CREATE TABLE …"  # a statement that must end FINISHED
#   expect_status 200; expect_body '{"…"}'; gw_stop
# The double is stopped at exit even when a test dies half-way.
FLINK_DOUBLE=${SLUICE_FLINK_DOUBLE:?SLUICE_FLINK_DOUBLE must name the flink-gateway-double binary}
GW_BODY="$WORK/gw.body"
GW_HEADERS="$WORK/gw.headers"
GW_STATUS=
GW_PID=
at_exit gw_kill

gw_kill() {
	if [ -n "$GW_PID" ]; then
		stop_pid "$GW_PID" 2>/dev/null
		GW_PID=
	fi
}

# gw_start [OPTIONS...]: starts the double with a fresh data folder and request log
gw_start() {
	GW_DATA="$WORK/gwdata.$$.$RANDOM"
	GW_LOG="$GW_DATA.log"
	mkdir -p "$GW_DATA"
	rm -f "$GW_DATA.port" "$GW_DATA.admin" "$GW_DATA.jm"
	"$FLINK_DOUBLE" --data "$GW_DATA" --port 0 --port-file "$GW_DATA.port" --admin-port-file "$GW_DATA.admin" \
		--jobmanager-port-file "$GW_DATA.jm" --log "$GW_LOG" "$@" >"$GW_DATA.out" 2>"$GW_DATA.err" &
	GW_PID=$!
	# the port files appear once the double listens (or it died: no use waiting on)
	wait_until 60 eval '{ [ -s "$GW_DATA.port" ] && [ -s "$GW_DATA.admin" ] && [ -s "$GW_DATA.jm" ]; } || ! running "$GW_PID"'
	if [ ! -s "$GW_DATA.port" ] || [ ! -s "$GW_DATA.admin" ] || [ ! -s "$GW_DATA.jm" ]; then
		echo "Bail out! the gateway double did not start: $(cat "$GW_DATA.err")"
		exit 1
	fi
	GW="http://127.0.0.1:$(cat "$GW_DATA.port")"
	GW_ADMIN="http://127.0.0.1:$(cat "$GW_DATA.admin")"
	GW_JM="http://127.0.0.1:$(cat "$GW_DATA.jm")"
}

# gw_stop: SIGTERM; checks that the double exits 0 (a sanitizer report would make it fail) and
# leaves the exit code in GW_RC
gw_stop() {
	stop_pid "$GW_PID"
	GW_RC=$?
	GW_PID=
	if [ "$GW_RC" -eq 0 ]; then ok "the gateway double stops cleanly"
	else not_ok "the gateway double stops cleanly" "exit $GW_RC: $(tail -c 3000 "$GW_DATA.err")"; fi
}

_gw_curl() {  # _gw_curl BASE METHOD PATH [BODY] [curl options...]
	local base=$1 method=$2 path=$3
	shift 3
	local data=()
	if [ $# -gt 0 ]; then
		data=(--data-binary "$1")
		shift
	fi
	GW_STATUS=$(curl -s --path-as-is -X "$method" -o "$GW_BODY" -D "$GW_HEADERS" -w '%{http_code}' \
		-H 'Content-Type: application/json' --max-time 30 "${data[@]}" "$@" "$base$path")
}

# gw_call METHOD PATH [BODY] [curl options...]: a request to the gateway
gw_call() { _gw_curl "$GW" "$@"; }
# gw_admin METHOD PATH [BODY]: a request to the admin API
gw_admin() { _gw_curl "$GW_ADMIN" "$@"; }
gw_jm() { _gw_curl "$GW_JM" "$@"; }

body() { cat "$GW_BODY"; }

# jsv EXPR: a value of the last body (j), as JavaScript sees it: jsv 'j.errors[0]'
jsv() {
	node -e '
		const fs = require("fs");
		const j = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
		const v = eval(process.argv[2]);
		process.stdout.write(typeof v === "object" ? JSON.stringify(v) : String(v));
	' "$GW_BODY" "$1" 2>&1
}

expect_status() {
	if [ "$GW_STATUS" = "$1" ]; then ok "${2:-status $1}"
	else not_ok "${2:-status $1}" "got $GW_STATUS: $(head -c 1500 "$GW_BODY")"; fi
}

# expect_body EXACT [what]: the body, byte for byte
expect_body() {
	local got
	got=$(cat "$GW_BODY")
	if [ "$got" = "$1" ]; then ok "${2:-body is $1}"
	else not_ok "${2:-body is $1}" "expected: $1
got:      $got"; fi
}

expect_body_has() {
	if grep -qF -- "$1" "$GW_BODY"; then ok "${2:-body has $1}"
	else not_ok "${2:-body has $1}" "body: $(head -c 2000 "$GW_BODY")"; fi
}

# expect_js EXPR EXPECTED [what]: a value of the last body
expect_js() {
	local got
	got=$(jsv "$1")
	if [ "$got" = "$2" ]; then ok "${3:-$1 = $2}"
	else not_ok "${3:-$1 = $2}" "got: $got"; fi
}

expect_header() {
	if grep -qiF -- "$1" "$GW_HEADERS"; then ok "${2:-header $1}"
	else not_ok "${2:-header $1}" "headers: $(cat "$GW_HEADERS")"; fi
}

# gw_session [VERSION]: opens a session, sets SH
gw_session() {
	gw_call POST "/${1:-v2}/sessions" '{}'
	SH=$(jsv 'j.sessionHandle')
}

# gw_submit SQL [VERSION]: submits a statement in session SH, sets OH
gw_submit() {
	gw_call POST "/${2:-v2}/sessions/$SH/statements" "$(node -e 'process.stdout.write(JSON.stringify({statement: process.argv[1]}))' "$1")"
	OH=$(jsv 'j.operationHandle')
}

# gw_wait [VERSION]: waits until operation OH has left INITIALIZED/PENDING/RUNNING (1 if it has not
# within 60 s)
_gw_op_done() {
	gw_call GET "/${1:-v2}/sessions/$SH/operations/$OH/status"
	case "$(jsv 'j.status')" in INITIALIZED|PENDING|RUNNING) return 1 ;; *) return 0 ;; esac
}
gw_wait() { wait_until 60 _gw_op_done "$@"; }

# gw_run SQL [what]: submits SQL in session SH and checks that it ends FINISHED (for the tables
# a test needs; a statement that fails is a failed check that shows the engine's error)
gw_run() {
	gw_submit "$1"
	gw_wait
	gw_call GET "/v2/sessions/$SH/operations/$OH/status"
	if [ "$(jsv j.status)" = FINISHED ]; then ok "${2:-$1}"; return 0; fi
	gw_fetch 0
	not_ok "${2:-$1}" "$(jsv 'j.errors ? j.errors[j.errors.length - 1].split("\n").filter(l => l.startsWith("Caused by: ")).join("\n") : JSON.stringify(j)')"
	return 1
}

# gw_fetch TOKEN [VERSION] [QUERY]: fetches a page of OH
gw_fetch() {
	gw_call GET "/${2:-v2}/sessions/$SH/operations/$OH/result/$1${3-?rowFormat=JSON}"
}

# gw_fetch_ready [VERSION]: fetches token 0 until it is not NOT_READY (1 if still after 60 s)
_gw_fetch_not_ready() {
	gw_fetch 0 "${1:-v2}"
	[ "$(jsv 'j.resultType')" != NOT_READY ]
}
gw_fetch_ready() { wait_until 60 _gw_fetch_not_ready "$@"; }

# gw_clock_advance MS: moves the manual clock of a double started with --clock manual; sessions
# idle for too long have been closed when it returns
gw_clock_advance() {
	gw_admin POST /clock "{\"advanceMs\":$1}"
	[ "$GW_STATUS" = 200 ] || { echo "Bail out! cannot advance the clock: $(body)"; exit 1; }
}

# the first line and the "Caused by:" lines of a stack trace in the last body (element N)
trace_lines() {
	jsv "j.errors[${1:-0}]" | grep -E '^(<Exception|[a-z]+\.[a-z]|Caused by:)' | sed 's/^<Exception on server side://'
}

# gw_fails SQL TEXT [what]: the statement fails and its error has TEXT
gw_fails() {
	local i
	gw_submit "$1"
	for i in $(seq 1 100); do
		gw_fetch 0
		[ "$GW_STATUS" = 200 ] && grep -q '"resultType":"NOT_READY"' "$GW_BODY" && { sleep 0.05; continue; }
		break
	done
	if jsv 'j.errors ? j.errors.join("\n") : ""' | grep -qF -- "$2"; then ok "${3:-$1 fails: $2}"
	else not_ok "${3:-$1 fails: $2}" "$(jsv 'j.errors ? j.errors[j.errors.length - 1].split("\n").filter(l => l.startsWith("Caused by: ")).join("\n") : JSON.stringify(j)')"; fi
}

# gw_mt_lake: a Flink 1.20 double in session v3 with a Paimon catalog `lake` in use, a Kafka table
# `events` of three rows, and WITH set to an upsert-kafka sink's options, for materialized tables
gw_mt_lake() {
	gw_start --flink-version 1.20.0
	mkdir -p "$GW_DATA/topics"
	printf '%s\n' '{"key":null,"value":{"k":"a","v":1},"timestamp":1700000000000}' \
		'{"key":null,"value":{"k":"b","v":2},"timestamp":1700000001000}' \
		'{"key":null,"value":{"k":"a","v":3},"timestamp":1700000002000}' >"$GW_DATA/topics/events.jsonl"
	gw_session v3
	gw_run "CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = 'file://$WORK/wh')"
	gw_run "USE CATALOG lake"
	gw_run "CREATE TABLE events (k STRING, v INT) WITH ('connector' = 'kafka', 'topic' = 'events', 'format' = 'json', 'properties.bootstrap.servers' = 'b:9092', 'scan.startup.mode' = 'earliest-offset')"
	WITH="WITH ('connector' = 'upsert-kafka', 'topic' = 'totals', 'key.format' = 'json', 'value.format' = 'json', 'properties.bootstrap.servers' = 'b:9092')"
}
