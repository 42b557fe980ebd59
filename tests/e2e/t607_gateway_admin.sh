#!/usr/bin/env bash
# Gateway double, the admin API and the request log: GET /requests and the --log file (one JSON
# object a line, secrets masked), GET /statements, /sessions, /jobs, POST /jobs/<id>/fail,
# session expiry, topics, POST /reset, unknown admin paths, and a clean stop on SIGINT.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
gw_call POST /v2/sessions '{"sessionName":"s1","properties":{"sasl.password":"hunter2","a":"b"}}'
SH=$(jsv j.sessionHandle)
CREATE_T="CREATE TABLE t (x INT) WITH ('connector'='kafka', 'topic'='t', 'properties.bootstrap.servers'='k:9092', 'format'='json', 'properties.ssl.truststore.password' = 's3cret')"
gw_call POST "/v2/sessions/$SH/statements" "$(node -e 'process.stdout.write(JSON.stringify({statement: process.argv[1], executionConfig: {"pipeline.name": "m1"}}))' "$CREATE_T")"
OH=$(jsv j.operationHandle)
gw_call GET "/v2/sessions/$SH/operations/$OH/status?x=1"
gw_call GET /v2/nothing

gw_admin GET /requests
expect_js 'j.length' 4 "four requests logged"
expect_js 'JSON.stringify(j[0])' "{\"seq\":1,\"method\":\"POST\",\"uri\":\"/v2/sessions\",\"status\":200,\"session\":\"$SH\",\"body\":{\"sessionName\":\"s1\",\"properties\":{\"sasl.password\":\"****\",\"a\":\"b\"}}}" \
	"open session: logged with its new handle, the password masked"
expect_js 'j[1].statement' "${CREATE_T/s3cret/****}" "the statement is logged with the password masked"
expect_js 'j[1].body.statement' "${CREATE_T/s3cret/****}" "and so is the body"
expect_js 'j[1].session + " " + j[1].status + " " + j[1].body.executionConfig["pipeline.name"]' "$SH 200 m1" "the statement's request"
expect_js 'j[2].uri + " " + j[2].body' "/v2/sessions/$SH/operations/$OH/status?x=1 null" "the URI with its query, no body"
expect_js 'j[3].status + " " + j[3].session' "404 null" "a 404 is logged too"
if grep -q hunter2 "$GW_LOG" || grep -q s3cret "$GW_LOG"; then not_ok "no secret in the log file"; else ok "no secret in the log file"; fi
lines=$(wc -l <"$GW_LOG")
if [ "$lines" -eq 4 ]; then ok "the log file has one line a request"; else not_ok "the log file has one line a request" "$lines lines"; fi
if node -e 'require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").forEach(l => JSON.parse(l))' "$GW_LOG"; then
	ok "every log line is JSON"; else not_ok "every log line is JSON"; fi

gw_wait   # the CREATE may still be running on a busy machine: its status is checked below
gw_admin GET /statements
expect_js 'JSON.stringify(j.map(s => [s.seq, s.session === "'"$SH"'", s.operation === "'"$OH"'", s.executionConfig["pipeline.name"], s.status]))' \
	'[[2,true,true,"m1","FINISHED"]]' "GET /statements"
gw_call POST "/v2/sessions/$SH/configure-session" '{"statement":"SET '"'"'a'"'"' = '"'"'1'"'"'"}'
gw_admin GET /statements
expect_js 'JSON.stringify(j.slice(1).map(s => [s.operation, s.statement, s.status]))' '[[null,"SET '"'"'a'"'"' = '"'"'1'"'"'","FINISHED"]]' \
	"configure-session statements are listed without an operation"
gw_admin GET /sessions
expect_js 'j.length + " " + j[0].sessionHandle + " " + j[0].sessionName + " " + j[0].properties["sasl.password"]' "1 $SH s1 ****" "GET /sessions"

# jobs: an INSERT from an unbounded source runs until something stops it
gw_run "CREATE TABLE gen (x INT) WITH ('connector'='datagen', 'rows-per-second'='1')" "an unbounded source"
gw_submit "INSERT INTO t SELECT x FROM gen"
gw_fetch_ready
JOB=$(jsv j.jobID)
gw_admin GET /jobs
expect_js "j.filter(x => x.id === '$JOB').map(x => [x.name, x.status, x.statement, x.sink, x.failure].join()).join()" \
	"insert-into_default_catalog.default_database.t,RUNNING,INSERT INTO t SELECT x FROM gen,default_catalog.default_database.t," \
	"GET /jobs lists the INSERT's job"
gw_admin POST "/jobs/$JOB/fail" '{"reason":"disk on fire"}'
expect_body '{}' "POST /jobs/<id>/fail"
gw_admin GET /jobs
expect_js "j.filter(x => x.id === '$JOB').map(x => x.status + ': ' + x.failure.replace(/\n/g, ' | ')).join()" \
	"FAILED: org.apache.flink.runtime.client.JobExecutionException: Job execution failed. | Caused by: java.lang.RuntimeException: disk on fire" \
	"the job failed with the reason as root cause"
gw_admin POST "/jobs/$JOB/fail" '{"reason":"twice"}'
expect_status 400 "failing a job that has ended"
expect_js 'j.error' "job '$JOB' is not running"
gw_admin POST /jobs/00000000000000000000000000000000/fail '{}'
expect_status 404 "failing an unknown job"
# a streaming query whose job fails: the next fetch is the 500 of a failed job
gw_submit "SELECT x FROM gen"
gw_fetch_ready
QJOB=$(jsv j.jobID)
gw_admin POST "/jobs/$QJOB/fail" '{"reason":"lost the source"}'
expect_body '{}' "fail a streaming query's job"
# rows the query had buffered before the failure may come first (as the gateway's ResultStore
# hands over a dead fetcher's buffer), then the failure. How many depends on how long the query
# ran (a row a second), so page until the failure: at most 1,000 rows, 2 a page.
token=1
gw_fetch $token
while [ "$GW_STATUS" = 200 ] && [ "$token" -lt 600 ]; do token=$((token + 1)); gw_fetch $token; done
expect_status 500 "a fetch after the query's job failed"
expect_js 'j.errors[1].split("\n").filter(l => l.startsWith("Caused by: ")).map(l => l.slice(11)).join("|")' \
	"org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.|org.apache.flink.table.gateway.service.utils.SqlExecutionException: Error while retrieving result.|java.lang.RuntimeException: Failed to fetch next result|org.apache.flink.runtime.client.JobExecutionException: Job execution failed.|java.lang.RuntimeException: lost the source" \
	"the fetch's chain ends in the job's failure, each cause once"

# topics: bare objects are the values of new records; GET gives whole records in offset order
before=$(date +%s%3N)
gw_admin POST /topics/orders '[{"id":1},{"id":2}]'
expect_body '{"appended":2}' "POST /topics/orders"
after=$(date +%s%3N)
gw_admin GET /topics/orders
expect_js 'JSON.stringify(j.map(r => [Object.keys(r).join(), r.key, r.value, r.offset]))' \
	'[["key,value,timestamp,offset",null,{"id":1},0],["key,value,timestamp,offset",null,{"id":2},1]]' "GET /topics/orders: the records"
expect_js "j.every(r => r.timestamp >= $before && r.timestamp <= $after)" true "records without a timestamp get the time they were appended"
gw_admin POST /topics/orders '[{"key":{"k":"a"},"value":{"id":3},"timestamp":4102444800000}]'
expect_body '{"appended":1}' "POST a whole record"
gw_admin GET /topics/orders
expect_js 'JSON.stringify(j[2])' '{"key":{"k":"a"},"value":{"id":3},"timestamp":4102444800000,"offset":2}' \
	"a whole record keeps its key and timestamp"
gw_admin POST /topics/orders '{"id":3}'
expect_status 400 "records must be an array"
gw_admin GET /topics/nothing
expect_body '[]' "a topic nobody wrote is empty"

# expiry
gw_session
S2=$SH
gw_admin POST "/sessions/$S2/expire"
expect_body '{}' "POST /sessions/<sh>/expire"
gw_call POST "/v2/sessions/$S2/heartbeat"
expect_status 500 "the expired session is gone"
gw_admin POST "/sessions/$S2/expire"
expect_status 404 "expiring it again: 404"
gw_session
gw_admin POST /sessions/expire
gw_admin GET /sessions
expect_body '[]' "POST /sessions/expire closes them all"

# reset
gw_admin POST /faults '[{"path":"/x","action":"drop"}]'
gw_admin POST /reset
expect_body '{}' "POST /reset"
gw_admin GET /requests
expect_body '[]' "reset forgets the requests"
gw_admin GET /faults
expect_body '[]' "reset forgets the faults"
gw_admin GET /jobs
expect_body '[]' "reset forgets the jobs"
gw_admin GET /nothing
expect_status 404 "an unknown admin path"
gw_admin POST /faults 'not json'
expect_status 400 "a body that is not JSON"

# a clean stop on SIGINT, with work in flight
gw_session
gw_admin POST /faults '[{"path":"/v2/sessions/*/statements","action":"stuck"}]'
gw_submit "SELECT 1"
kill -INT "$GW_PID"
if ! wait_until 60 eval '! running "$GW_PID"'; then kill -KILL "$GW_PID"; fi
wait "$GW_PID"
rc=$?
GW_PID=
if [ "$rc" -eq 0 ]; then ok "SIGINT stops the double (exit 0) with a statement stuck"; else not_ok "SIGINT stops the double" "exit $rc: $(cat "$GW_DATA.err")"; fi
done_testing
