#!/usr/bin/env bash
# Gateway double, results: NOT_READY, then PAYLOAD pages, then EOS, with the exact 1.17+ bodies
# (field order, omitted fields, "comment":null), tokens (re-fetch of the previous one, the two
# "Expecting token" errors), --page-rows and --not-ready, nextResultUri per version, PLAIN_TEXT,
# the V1 and Flink 1.16 shapes, and an endless streaming query stopped by closing it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
gw_session

U() { echo "/v2/sessions/$SH/operations/$OH/result/$1?rowFormat=${2:-JSON}"; }
COL_EXPR='{"name":"EXPR$0","logicalType":{"type":"INTEGER","nullable":false},"comment":null}'
COL_RESULT='{"name":"result","logicalType":{"type":"VARCHAR","nullable":true,"length":2147483647},"comment":null}'

# SELECT 1: NOT_READY, an empty first page, the row, EOS
gw_submit "SELECT 1"
expect_body "{\"operationHandle\":\"$OH\"}" "execute answers the operation handle"
gw_fetch 0
expect_body "{\"resultType\":\"NOT_READY\",\"nextResultUri\":\"$(U 0)\"}" "the first fetch is NOT_READY, exactly"
gw_fetch_ready
JOB=$(jsv j.jobID)
case "$JOB" in [0-9a-f]*) [ ${#JOB} -eq 32 ] && ok "a query has a 32-hex jobID" || not_ok "a query has a 32-hex jobID" "$JOB" ;; *) not_ok "a query has a 32-hex jobID" "$JOB" ;; esac
expect_body "{\"resultType\":\"PAYLOAD\",\"isQueryResult\":true,\"jobID\":\"$JOB\",\"resultKind\":\"SUCCESS_WITH_CONTENT\",\"results\":{\"columns\":[$COL_EXPR],\"rowFormat\":\"JSON\",\"data\":[]},\"nextResultUri\":\"$(U 1)\"}" \
	"a query's first page is empty"
gw_fetch 1
expect_body "{\"resultType\":\"PAYLOAD\",\"isQueryResult\":true,\"jobID\":\"$JOB\",\"resultKind\":\"SUCCESS_WITH_CONTENT\",\"results\":{\"columns\":[$COL_EXPR],\"rowFormat\":\"JSON\",\"data\":[{\"kind\":\"INSERT\",\"fields\":[1]}]},\"nextResultUri\":\"$(U 2)\"}" \
	"then the row"
gw_fetch 2
expect_body "{\"resultType\":\"EOS\",\"isQueryResult\":true,\"jobID\":\"$JOB\",\"resultKind\":\"SUCCESS_WITH_CONTENT\",\"results\":{\"columns\":[$COL_EXPR],\"rowFormat\":\"JSON\",\"data\":[]}}" \
	"then EOS, without nextResultUri"
gw_fetch 2
expect_js j.resultType EOS "EOS again for the same token"
gw_call GET "/v2/sessions/$SH/operations/$OH/status"
expect_body '{"status":"FINISHED"}' "the query's operation is FINISHED"
gw_call DELETE "/v2/sessions/$SH/operations/$OH/close"
expect_body '{"status":"CLOSED"}' "close"

# five rows, two a page: [], [1,2], [3,4], [5], EOS; tokens
gw_submit "SELECT * FROM (VALUES (1), (2), (3), (4), (5)) AS t(x)"
gw_wait
gw_fetch 5
expect_status 500 "a token ahead of the start is refused"
expect_js 'j.errors[1].includes("\nCaused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Expecting token to be 0, but found 5.\n")' true \
	"Expecting token to be 0, but found 5."
gw_fetch_ready
pages=""
for t in 1 2 3 4; do
	gw_fetch $t
	pages="$pages $(jsv 'j.resultType + JSON.stringify(j.results.data.map(r => r.fields[0]))')"
done
if [ "$pages" = " PAYLOAD[1,2] PAYLOAD[3,4] PAYLOAD[5] EOS[]" ]; then ok "pages of two rows, then EOS"; else not_ok "pages of two rows, then EOS" "$pages"; fi
expect_js 'j.results.columns[0].name' x "the column alias names the column"
gw_submit "SELECT * FROM (VALUES (1), (2), (3), (4), (5)) AS t(x)"
gw_fetch_ready
gw_fetch 1
gw_fetch 1
expect_js 'JSON.stringify(j.results.data.map(r => r.fields[0])) + " " + j.nextResultUri' "[1,2] $(U 2)" "the previous token returns the same rows again"
gw_fetch 2
gw_fetch 2
expect_js 'JSON.stringify(j.results.data.map(r => r.fields[0]))' "[3,4]" "… also after moving on once"
gw_fetch 0
expect_status 500 "an older token is refused"
expect_js 'j.errors[1].includes("Caused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Expecting token to be 3 or 2, but found 0.\n")' true \
	"Expecting token to be 3 or 2, but found 0."
gw_fetch 7
expect_js 'j.errors[1].includes("Expecting token to be 3 or 2, but found 7.")' true "a token ahead is refused"
gw_fetch -1
expect_js 'j.errors[1].includes("Expecting token to be 3 or 2, but found -1.")' true "a negative token is refused"
gw_fetch 3
expect_js 'JSON.stringify(j.results.data.map(r => r.fields[0]))' "[5]" "the right token still works"

# DDL: one OK row, SUCCESS, no jobID, not a query (the reference's §8.2 bodies)
gw_submit "CREATE TABLE orders (order_id BIGINT, amount DECIMAL(10,2), ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector'='datagen','number-of-rows'='5','fields.order_id.kind'='sequence','fields.order_id.start'='1','fields.order_id.end'='5')"
gw_fetch_ready
expect_body "{\"resultType\":\"PAYLOAD\",\"isQueryResult\":false,\"resultKind\":\"SUCCESS\",\"results\":{\"columns\":[$COL_RESULT],\"rowFormat\":\"JSON\",\"data\":[{\"kind\":\"INSERT\",\"fields\":[\"OK\"]}]},\"nextResultUri\":\"$(U 1)\"}" \
	"CREATE TABLE: the OK row"
gw_fetch 1
expect_body "{\"resultType\":\"EOS\",\"isQueryResult\":false,\"resultKind\":\"SUCCESS\",\"results\":{\"columns\":[$COL_RESULT],\"rowFormat\":\"JSON\",\"data\":[]}}" \
	"CREATE TABLE: EOS"

# INSERT: the job id row (§8.4)
gw_submit "CREATE TABLE sink (order_id BIGINT, amount DECIMAL(10,2)) WITH ('connector'='blackhole')"
gw_wait
gw_submit "INSERT INTO sink SELECT order_id, amount FROM orders"
gw_fetch_ready
JOB=$(jsv j.jobID)
expect_body "{\"resultType\":\"PAYLOAD\",\"isQueryResult\":false,\"jobID\":\"$JOB\",\"resultKind\":\"SUCCESS_WITH_CONTENT\",\"results\":{\"columns\":[{\"name\":\"job id\",\"logicalType\":{\"type\":\"VARCHAR\",\"nullable\":true,\"length\":2147483647},\"comment\":null}],\"rowFormat\":\"JSON\",\"data\":[{\"kind\":\"INSERT\",\"fields\":[\"$JOB\"]}]},\"nextResultUri\":\"$(U 1)\"}" \
	"INSERT: the job id row"

# PLAIN_TEXT, and rowFormat is case-insensitive
gw_submit "SELECT 1"
gw_wait
gw_fetch 0 v2 "?rowFormat=PLAIN_TEXT"
gw_fetch 0 v2 "?rowFormat=plain_text"
expect_js 'j.results.rowFormat + " " + j.nextResultUri' "PLAIN_TEXT $(U 1 PLAIN_TEXT)" "rowFormat=plain_text is PLAIN_TEXT"
gw_fetch 1 v2 "?rowFormat=PLAIN_TEXT"
expect_js 'JSON.stringify(j.results.data)' '[{"kind":"INSERT","fields":["1"]}]' "PLAIN_TEXT fields are strings"
expect_js 'JSON.stringify(j.results.columns)' "[$COL_EXPR]" "PLAIN_TEXT columns keep their types"
gw_fetch 2 v2 ""
expect_js 'j.results.rowFormat' JSON "without rowFormat the format is JSON"

# BYTES at any depth: base64 in JSON rows, x'..' in PLAIN_TEXT (the engine's nested BLOB text
# form, \xHH escapes, is not what Flink writes)
gw_submit "SELECT X'01ff' AS b, ARRAY[X'01ff', X'225c41'] AS a, MAP[1, X'02'] AS m, ROW(X'03', 'x') AS r"
gw_fetch_ready
gw_fetch 1
expect_js 'JSON.stringify(j.results.data[0].fields)' '["Af8=",["Af8=","IlxB"],{"1":"Ag=="},{"EXPR$0":"Aw==","EXPR$1":"x"}]' \
	"BYTES in arrays, maps and rows are base64 in JSON rows"
gw_submit "SELECT X'01ff' AS b, ARRAY[X'01ff', X'225c41'] AS a, MAP[1, X'02'] AS m, ROW(X'03', 'x') AS r"
gw_fetch_ready
gw_fetch 1 v2 "?rowFormat=PLAIN_TEXT"
expect_js 'JSON.stringify(j.results.data[0].fields)' '["x'"'"'01ff'"'"'","[x'"'"'01ff'"'"', x'"'"'225c41'"'"']","{1=x'"'"'02'"'"'}","(x'"'"'03'"'"', x)"]' \
	"BYTES in arrays, maps and rows are x'..' in PLAIN_TEXT"

# V1: no rowFormat in nextResultUri, but in the body
gw_submit "SELECT 1" v1
gw_fetch 0 v1 ""
expect_body "{\"resultType\":\"NOT_READY\",\"nextResultUri\":\"/v1/sessions/$SH/operations/$OH/result/0\"}" "V1 NOT_READY"
gw_fetch_ready v1
gw_fetch 1 v1 ""
expect_js 'j.results.rowFormat + " " + j.nextResultUri' "JSON /v1/sessions/$SH/operations/$OH/result/2" "V1 payload"
gw_stop

# --not-ready 3 --page-rows 1, on a manual clock (for the streaming query below)
gw_start --not-ready 3 --page-rows 1 --clock manual
gw_session
gw_submit "SELECT * FROM (VALUES (1), (2), (3)) AS t(x)"
gw_wait
kinds=""
for i in 1 2 3 4; do gw_fetch 0; kinds="$kinds $(jsv j.resultType)"; done
if [ "$kinds" = " NOT_READY NOT_READY NOT_READY PAYLOAD" ]; then ok "--not-ready 3"; else not_ok "--not-ready 3" "$kinds"; fi
sizes=""
for t in 1 2 3 4; do gw_fetch $t; sizes="$sizes $(jsv 'j.resultType + j.results.data.length')"; done
if [ "$sizes" = " PAYLOAD1 PAYLOAD1 PAYLOAD1 EOS0" ]; then ok "--page-rows 1"; else not_ok "--page-rows 1" "$sizes"; fi

# an endless streaming query: pages never end; closing it cancels its job
gw_submit "CREATE TABLE stream_src (x INT) WITH ('connector'='datagen','rows-per-second'='20')"
gw_wait
gw_submit "SELECT x FROM stream_src"
gw_fetch_ready
JOB=$(jsv j.jobID)
# the clock stands still: the source has produced nothing yet, and the query waits for rows
gw_fetch 1
expect_js 'j.resultType + " " + j.results.data.length' "PAYLOAD 0" "no time passed, no rows"
# one second at 20 rows a second: exactly 20 rows, one a page, and still no end
gw_clock_advance 1000
types=""
rows=0
for t in $(seq 2 26); do
	gw_fetch $t
	page=$(jsv 'j.resultType + " " + j.results.data.length')
	types="$types ${page% *}"
	rows=$((rows + ${page#* }))
done
case "$types" in *EOS*) not_ok "a streaming query never reaches EOS" "$types" ;; *) ok "a streaming query never reaches EOS" ;; esac
if [ "$rows" -eq 20 ]; then ok "a streaming query gives what its source produced: 20 rows in 1 s"; else not_ok "20 rows in 1 s" "$rows rows"; fi
gw_clock_advance 500
gw_fetch 27
gw_fetch 28
expect_js 'j.resultType + " " + j.results.data.length' "PAYLOAD 1" "and keeps giving rows as time goes on"
gw_call GET "/v2/sessions/$SH/operations/$OH/status"
expect_body '{"status":"FINISHED"}' "a streaming query's operation is FINISHED while its job runs"
gw_call DELETE "/v2/sessions/$SH/operations/$OH/close"
expect_body '{"status":"CLOSED"}' "close the streaming query"
gw_admin GET /jobs
expect_js "j.filter(x => x.id === '$JOB').map(x => x.status).join()" CANCELED "closing the query canceled its job"
gw_fetch 29
expect_body_has "Can not find the submitted operation in the OperationManager with the $OH."
gw_stop

# Flink 1.16: the older body (results first, no rowFormat, nextResultUri null at EOS)
gw_start --flink-version 1.16.2
gw_session v1
gw_submit "SELECT 1" v1
gw_fetch 0 v1 ""
expect_body "{\"results\":{\"columns\":[],\"data\":[]},\"resultType\":\"NOT_READY\",\"nextResultUri\":\"/v1/sessions/$SH/operations/$OH/result/0\"}" "1.16 NOT_READY"
gw_fetch_ready v1
gw_fetch 1 v1 ""
expect_body "{\"results\":{\"columns\":[$COL_EXPR],\"data\":[{\"kind\":\"INSERT\",\"fields\":[1]}]},\"resultType\":\"PAYLOAD\",\"nextResultUri\":\"/v1/sessions/$SH/operations/$OH/result/2\"}" "1.16 PAYLOAD"
gw_fetch 2 v1 ""
expect_body "{\"results\":{\"columns\":[$COL_EXPR],\"data\":[]},\"resultType\":\"EOS\",\"nextResultUri\":null}" "1.16 EOS"
gw_stop
done_testing
