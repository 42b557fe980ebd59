# Helpers for end-to-end tests that talk to the Confluent Cloud Statements API double
# (tests/ccloud): start and stop it on free loopback ports, call its API and admin port with curl.
# Source it after lib.sh:
#   cc_start [OPTIONS]          # sets CC, CC_ADMIN, CC_PID, CC_DATA, CC_P (the statements path)
#   cc_call METHOD PATH [BODY] [curl options]   # status in CC_STATUS, body in $CC_BODY
#   cc_submit NAME SQL [PROPS_JSON] [LABELS_JSON]
#   cc_profile PROFILE PREFIX LABEL [THREADS]   # profiles.yml of a dbt-confluent target on the double
#   cc_rows NAME / cc_snap NAME SQL [PROPS]       # a statement's rows / a snapshot query's, in $ROWS
#   cc_stop
# The double is stopped at exit even when a test dies half-way.
CC_DOUBLE=${SLUICE_CCLOUD_DOUBLE:?SLUICE_CCLOUD_DOUBLE must name the confluent-cloud-double binary}
CC_BODY="$WORK/cc.body"
CC_HEADERS="$WORK/cc.headers"
CC_STATUS=
CC_PID=
CC_ORG=7c210ed4-0000-4000-8000-000000000000
CC_ENV=env-abc123
CC_KEY=FLINKKEY1
CC_SECRET=s3cr3t-flink
at_exit cc_kill  # lib.sh's exit handler stops the double, then removes $WORK

cc_kill() {
	if [ -n "$CC_PID" ]; then
		kill -TERM "$CC_PID" 2>/dev/null
		wait "$CC_PID" 2>/dev/null
		CC_PID=
	fi
}

cc_start() {
	CC_DATA="$WORK/ccdata.$$.$RANDOM"
	mkdir -p "$CC_DATA"
	"$CC_DOUBLE" --data "$CC_DATA" --port-file "$CC_DATA.port" --admin-port-file "$CC_DATA.admin" \
		--org "$CC_ORG" --env "$CC_ENV" --database cluster_0 --api-key "$CC_KEY:$CC_SECRET" "$@" \
		>"$CC_DATA.out" 2>"$CC_DATA.err" &
	CC_PID=$!
	local i
	for i in $(seq 1 200); do
		[ -s "$CC_DATA.port" ] && [ -s "$CC_DATA.admin" ] && break
		if ! kill -0 "$CC_PID" 2>/dev/null; then break; fi
		sleep 0.05
	done
	if [ ! -s "$CC_DATA.port" ]; then
		echo "# the Confluent Cloud double did not start: $(cat "$CC_DATA.err")"
		CC_PID=
		return 1
	fi
	CC="http://127.0.0.1:$(cat "$CC_DATA.port")"
	CC_ADMIN="http://127.0.0.1:$(cat "$CC_DATA.admin")"
	CC_P="/sql/v1/organizations/$CC_ORG/environments/$CC_ENV/statements"
}

# profiles.yml with a `dev` target of type confluent on the double for PROFILE: statements named
# PREFIX..., labelled LABEL; the secret comes from env_var(), as a user's profile has it
cc_profile() {
	cat >profiles.yml <<YML
$1:
  target: dev
  outputs:
    dev:
      type: confluent
      organization_id: $CC_ORG
      environment_id: $CC_ENV
      dbname: cluster_0
      flink_api_key: $CC_KEY
      flink_api_secret: "{{ env_var('CC_FLINK_SECRET') }}"
      endpoint: $CC
      statement_name_prefix: "$2"
      statement_label: $3
      poll_interval_ms: 20
YML
	[ -z "${4:-}" ] || echo "      threads: $4" >>profiles.yml
	export CC_FLINK_SECRET=$CC_SECRET
}

cc_stop() {
	kill -TERM "$CC_PID"
	wait "$CC_PID"
	CC_RC=$?
	CC_PID=
	if [ "$CC_RC" -eq 0 ]; then ok "the Confluent Cloud double stops cleanly"
	else not_ok "the Confluent Cloud double stops cleanly" "exit $CC_RC: $(tail -c 3000 "$CC_DATA.err")"; fi
}

# _cc_curl BASE METHOD PATH BODY [curl options...]: BODY "-" sends none
_cc_curl() {
	local base=$1 method=$2 path=$3 body=$4
	shift 4
	local data=()
	[ "$body" != "-" ] && data=(--data-binary "$body")
	CC_STATUS=$(curl -s --path-as-is -X "$method" -o "$CC_BODY" -D "$CC_HEADERS" -w '%{http_code}' \
		-H "Content-Type: ${CC_CT:-application/json}" --max-time 30 "${data[@]}" "$@" "$base$path")
}

# cc_call METHOD PATH [BODY|-] [curl options]: with the API key
cc_call() {
	local m=$1 p=$2 b=${3:--}
	shift 2
	[ $# -gt 0 ] && shift
	_cc_curl "$CC" "$m" "$p" "$b" -u "$CC_KEY:$CC_SECRET" "$@"
}
# cc_get URL: a GET of a full URL (a next link) with the API key
cc_get() { _cc_curl "" GET "$1" - -u "$CC_KEY:$CC_SECRET"; }
# cc_noauth METHOD PATH [curl options]: no credentials unless the options bring some
cc_noauth() { local m=$1 p=$2; shift 2; _cc_curl "$CC" "$m" "$p" - "$@"; }
# cc_admin METHOD PATH [BODY]
cc_admin() { _cc_curl "$CC_ADMIN" "$1" "$2" "${3:--}"; }

# jv FILTER: a value of the last body, through jq -c (strings raw)
jv() { jq -cr "$1" "$CC_BODY" 2>&1; }

cc_expect_status() {
	if [ "$CC_STATUS" = "$1" ]; then ok "${2:-status $1}"
	else not_ok "${2:-status $1}" "got $CC_STATUS: $(head -c 1500 "$CC_BODY")"; fi
}

# cc_expect FILTER EXPECTED [what]
cc_expect() {
	local got
	got=$(jv "$1")
	if [ "$got" = "$2" ]; then ok "${3:-$1 = $2}"
	else not_ok "${3:-$1 = $2}" "got: $got
body: $(head -c 1500 "$CC_BODY")"; fi
}

cc_expect_header() {
	if grep -qiF -- "$1" "$CC_HEADERS"; then ok "${2:-header $1}"
	else not_ok "${2:-header $1}" "headers: $(cat "$CC_HEADERS")"; fi
}

# cc_submit NAME SQL [PROPS_JSON] [LABELS_JSON]
cc_submit() {
	local props=${3:-'{}'} labels=${4:-'{}'}
	props=$(jq -c --arg env "$CC_ENV" '. + {"sql.current-catalog": $env, "sql.current-database": "cluster_0"}' <<<"$props")
	cc_call POST "$CC_P" "$(jq -cn --arg n "$1" --arg s "$2" --argjson p "$props" --argjson l "$labels" \
		--arg org "$CC_ORG" --arg env "$CC_ENV" \
		'{name: $n, organization_id: $org, environment_id: $env, spec: {statement: $s, properties: $p, stopped: false}, metadata: {labels: $l}}')"
}

# cc_wait NAME PHASE: reads the statement (50 reads at most) until it is in PHASE
cc_wait() {
	local i p
	for i in $(seq 1 50); do
		cc_call GET "$CC_P/$1"
		p=$(jv .status.phase)
		[ "$p" = "$2" ] && return 0
		case "$p" in COMPLETED|FAILED|STOPPED) [ "$p" != "$2" ] && return 1 ;; esac
	done
	return 1
}

# cc_rows NAME: the rows of a statement's results (pages followed until next is gone) as one JSON
# array of row arrays
cc_rows() {
	local all='[]' url="$CC_P/$1/results" i
	for i in $(seq 1 20); do
		cc_call GET "$url"
		all=$(jq -c --argjson a "$all" '$a + [.results.data[].row]' "$CC_BODY")
		url=$(jv '.metadata.next // empty')
		[ -z "$url" ] && break
		url=/${url#http://*/}
	done
	echo "$all"
}

# cc_snap NAME SQL [PROPS_JSON]: a snapshot query, waited for until it completed; its rows in
# $ROWS, or "FAILED: <detail>"
cc_snap() {
	local props=${3:-}
	cc_submit "$1" "$2" "$(jq -c '. + {"sql.snapshot.mode":"now"}' <<<"${props:-"{}"}")"
	if cc_wait "$1" COMPLETED; then ROWS=$(cc_rows "$1"); else ROWS="FAILED: $(jv .status.detail)"; fi
}
