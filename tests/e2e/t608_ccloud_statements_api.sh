#!/bin/bash
# The Confluent Cloud Statements API double: auth, shapes, phases, results with op codes and
# page tokens, labels, stop/resume by JSON Patch, delete and the teardown window, and faults.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ccloud.sh"

cc_start --teardown-ms 600000 --page-rows 2 --token tok-123 --identity-pool pool-abc || { echo "1..0 # SKIP double"; exit 0; }

# --- auth (§2) ---
cc_noauth GET "$CC_P"
cc_expect_status 401 "no credentials: 401"
cc_expect_header 'WWW-Authenticate: Basic error="invalid_key"' "401 names the scheme"
cc_noauth GET "$CC_P" -u "$CC_KEY:wrong"
cc_expect_status 401 "a wrong secret: 401"
cc_noauth GET "$CC_P" -H 'Authorization: Bearer tok-123' -H 'Confluent-Identity-Pool-Id: pool-abc'
cc_expect_status 200 "a bearer token with its identity pool"
cc_noauth GET "$CC_P" -H 'Authorization: Bearer tok-123'
cc_expect_status 401 "a bearer token without the identity pool"
cc_call GET "/sql/v1/organizations/$CC_ORG/environments/env-other/statements"
cc_expect_status 403 "another environment is not visible"

# --- create: validation (§3, §4.3, §13) ---
cc_call POST "$CC_P" '{"name":"Bad_Name","spec":{"statement":"SELECT 1"}}'
cc_expect_status 422 "a name outside the pattern: 422"
cc_expect '.errors[0].source.pointer' "/name"
cc_call POST "$CC_P" '{"name":"nostmt","spec":{}}'
cc_expect_status 422 "no spec.statement: 422"
cc_call POST "$CC_P" '{"name":"x","spec":' 
cc_expect_status 400 "malformed JSON: 400"
cc_call POST "$CC_P" '{"name":"p1","spec":{"statement":"SELECT 1","properties":{"a":1}}}'
cc_expect_status 422 "a property that is not a string: 422"

# --- DDL and a bounded INSERT ---
cc_submit ddl-orders 'CREATE TABLE orders (id BIGINT, amount DECIMAL(10,2), ts TIMESTAMP(3), ok BOOLEAN, b BYTES, d DATE)' \
	'{}' '{"user.confluent.io/demo":"true"}'
cc_expect_status 201 "POST answers 201"
cc_expect_header "Location: $CC$CC_P/ddl-orders" "with a Location header"
cc_expect .status.phase PENDING "a new statement is PENDING"
cc_expect .status.traits.sql_kind CREATE_TABLE
cc_expect .status.traits.schema null "DDL has no schema"
cc_expect .metadata.labels '{"user.confluent.io/demo":"true"}' "labels are kept"
cc_expect .api_version sql/v1
if cc_wait ddl-orders COMPLETED; then ok "DDL completes"; else not_ok "DDL completes" "$(cat "$CC_BODY")"; fi
cc_submit ddl-orders 'SELECT 1'
cc_expect_status 409 "a name in use: 409"
cc_expect '.errors[0].code' resource_already_exists
cc_submit ins-orders "INSERT INTO orders VALUES (1, 10.50, TIMESTAMP '2024-01-01 10:00:00.5', TRUE, x'0a1b', DATE '2024-06-15'), (2, 3.25, TIMESTAMP '2024-01-02 11:00:00', FALSE, x'ff', DATE '2024-06-16')" \
	'{"sql.snapshot.mode":"now"}' '{"user.confluent.io/demo":"true"}'
cc_expect .status.traits.sql_kind INSERT_INTO
if cc_wait ins-orders COMPLETED; then ok "a snapshot INSERT completes"; else not_ok "a snapshot INSERT completes" "$(cat "$CC_BODY")"; fi

# --- a snapshot query: values as text, in pages of 2 (§9, §10) ---
cc_submit q-snap 'SELECT id, amount, ts, ok, b, d FROM orders ORDER BY id' '{"sql.snapshot.mode":"now"}'
cc_expect .spec.execution_mode BATCH
cc_expect '.status.traits.schema.columns[1].type' '{"type":"DECIMAL","nullable":true,"precision":10,"scale":2}' "DECIMAL keeps precision and scale"
cc_expect '.status.traits.schema.columns[2].type.type' TIMESTAMP_WITHOUT_TIME_ZONE
cc_call GET "$CC_P/q-snap/results"
cc_expect .results.data '[]' "a snapshot has no rows before it completes"
NEXT=$(jv .metadata.next)
cc_wait q-snap COMPLETED
cc_get "$NEXT"
cc_expect .results.data "[{\"row\":[\"1\",\"10.50\",\"2024-01-01 10:00:00.500\",\"TRUE\",\"x'0a1b'\",\"2024-06-15\"]},{\"row\":[\"2\",\"3.25\",\"2024-01-02 11:00:00.000\",\"FALSE\",\"x'ff'\",\"2024-06-16\"]}]" \
	"rows as strings, no op for append-only"
cc_expect '.metadata.next' null "no next once completed and drained"
cc_get "$NEXT"
cc_expect '.results.data|length' 2 "the same token again gives the same page"
cc_get "${NEXT%-*}-9"
cc_expect_status 400 "a token out of sequence: 400"

# --- a streaming aggregation: changelog with op codes, then stop and resume (§7.2, §9.2) ---
cc_submit q-agg 'SELECT id, COUNT(*) AS c FROM orders GROUP BY id' '{}' '{"user.confluent.io/agg":"true"}'
cc_expect .status.traits.is_append_only false
cc_expect .status.traits.is_bounded false
cc_expect .status.traits.upsert_columns '[0]'
cc_wait q-agg RUNNING
cc_call GET "$CC_P/q-agg/results"
cc_expect .results.data '[]' "a streaming query's first page is empty"
N2=$(jv .metadata.next)
cc_get "$N2"
cc_expect .results.data '[{"op":0,"row":["1","1"]},{"op":0,"row":["2","1"]}]' "INSERT rows carry op 0"
N3=$(jv .metadata.next)
cc_admin POST /topics/orders '[{"id":1,"amount":1.00,"ts":"2024-01-03 00:00:00","ok":true,"b":null,"d":"2024-06-17"}]'
cc_expect .appended 1 "a record appended to the topic"
cc_get "$N3"
cc_expect .results.data '[{"op":1,"row":["1","1"]},{"op":2,"row":["1","2"]}]' "an update is -U then +U"
cc_call PATCH "$CC_P/q-agg" '[{"op":"replace","path":"/spec/stopped","value":true}]'
cc_expect_status 415 "PATCH needs the json-patch media type"
CC_CT=application/json-patch+json cc_call PATCH "$CC_P/q-agg" '[{"op":"replace","path":"/spec/stopped","value":true}]'
cc_expect_status 200 "PATCH stop: 200"
cc_expect .spec.stopped true
cc_expect .status.phase RUNNING "still RUNNING in the PATCH answer"
cc_call GET "$CC_P/q-agg"
cc_expect .status.phase STOPPING
cc_call GET "$CC_P/q-agg"
cc_expect .status.phase STOPPED
CC_CT=application/json-patch+json cc_call PATCH "$CC_P/q-agg" '[{"op":"REPLACE","path":"/spec/statement","value":"SELECT 2"}]'
cc_expect_status 422 "the SQL text is immutable"
CC_CT=application/json-patch+json cc_call PATCH "$CC_P/q-agg" '[{"op":"REPLACE","path":"/spec/stopped","value":false}]'
cc_expect .status.phase PENDING "resume starts it again"
cc_wait q-agg RUNNING && ok "resumed statement runs" || not_ok "resumed statement runs"

# --- list by label, paging (§6.2) ---
cc_call GET "$CC_P?label_selector=user.confluent.io/demo%3Dtrue"
cc_expect '[.data[].name]' '["ddl-orders","ins-orders"]' "list by label"
cc_expect .kind StatementList
cc_call GET "$CC_P?page_size=2"
cc_expect '.data|length' 2
NEXTL=$(jv .metadata.next)
cc_get "$NEXTL"
cc_expect '.data|length' 2 "second page"
cc_call GET "$CC_P?page_size=101"
cc_expect_status 400 "page_size above 100: 400"
cc_call GET "$CC_P?statement_name_search_query=agg"
cc_expect '.data|length' 4 "name search is ignored without time_ordered"
cc_call GET "$CC_P?statement_name_search_query=agg&time_ordered=true"
cc_expect '[.data[].name]' '["q-agg"]' "name search with time_ordered"

# --- SQL errors are FAILED statements (§5.2, §8.2) ---
cc_submit bad-sql 'SELECT * FROM nowhere'
cc_expect_status 201 "bad SQL is still 201"
cc_expect .status.phase FAILED
cc_expect .status.traits null "FAILED has no traits"
cc_expect '.status.detail|test("nowhere")' true "detail names the problem"
cc_call GET "$CC_P/bad-sql/exceptions"
cc_expect '.data[0].kind' StatementException

# --- delete, teardown window (§7.3) ---
cc_call DELETE "$CC_P/q-agg"
cc_expect_status 202 "DELETE: 202"
cc_call GET "$CC_P/q-agg"
cc_expect .status.phase DELETING
cc_call GET "$CC_P/q-agg/results"
cc_expect_status 404 "results of a deleted statement: 404"
cc_submit q-agg 'SELECT 1'
cc_expect_status 409 "the name stays taken during teardown"
cc_call DELETE "$CC_P/never"
cc_expect_status 404 "DELETE of a missing statement: 404"

# --- faults through the admin port (§13.2, §8.4, §13.4) ---
cc_admin POST /faults '[{"method":"GET","path":"*/statements/ddl-orders","action":"status","status":429,"count":1},
	{"method":"POST","statement":"EXHAUST","action":"stuck"},
	{"method":"POST","statement":"MODIFIED","action":"fail","message":"Materialized table is currently being modified by statement: s1"}]'
cc_expect_status 200 "fault rules accepted"
cc_call GET "$CC_P/ddl-orders"
cc_expect_status 429 "an injected 429"
cc_expect_header "Retry-After:"
cc_call GET "$CC_P/ddl-orders"
cc_expect_status 200 "the fault applies once"
cc_submit q-exhaust "SELECT 'EXHAUST'"
cc_call GET "$CC_P/q-exhaust"
cc_expect .status.phase PENDING "an exhausted pool keeps it PENDING"
cc_expect .status.scaling_status.scaling_state POOL_EXHAUSTED
cc_submit q-mod "SELECT 'MODIFIED'"
cc_expect .status.phase FAILED
cc_expect .status.detail "Materialized table is currently being modified by statement: s1"

# --- the request log keeps no secrets ---
cc_admin GET /requests
if grep -qF "$CC_SECRET" "$CC_BODY"; then not_ok "the request log has no secret"; else ok "the request log has no secret"; fi
cc_expect '[.[] | select(.auth == "basic FLINKKEY1")] | length > 10' true "requests name the key id"

cc_stop
echo "1..$n"
[ "$failed" -eq 0 ]
