#!/usr/bin/env bash
# Gateway double, routing: the API versions each Flink release serves, the default version of
# unversioned URLs, endpoints missing from a version, wrong methods, slashes and percent-encoded
# segments, and the 404 body "Not found: <uri>" with the URI as sent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"

for case in "1.16.3 [\"V1\"]" "1.17.2 [\"V1\",\"V2\"]" "1.19.1 [\"V1\",\"V2\"]" "1.20.0 [\"V1\",\"V2\",\"V3\"]" \
	"2.0.0 [\"V1\",\"V2\",\"V3\",\"V4\"]" "2.2.0 [\"V1\",\"V2\",\"V3\",\"V4\"]"; do
	version=${case%% *}
	want=${case#* }
	gw_start --flink-version "$version" || { not_ok "start Flink $version"; continue; }
	gw_call GET /v1/api_versions
	expect_body "{\"versions\":$want}" "Flink $version serves $want"
	gw_call GET /info
	expect_body "{\"productName\":\"Apache Flink\",\"version\":\"$version\"}" "Flink $version: GET /info"
	gw_stop
done

gw_start --flink-version 2.0.0
gw_call GET /v1/api_versions
expect_status 200
expect_header "Content-Type: application/json; charset=UTF-8"
expect_header "Access-Control-Allow-Origin: *"
gw_call GET /v4/info
expect_body '{"productName":"Apache Flink","version":"2.0.0"}' "GET /v4/info"

# unversioned URLs are the default version (V4 on 2.x): nextResultUri carries /v4
gw_call POST /sessions
expect_status 200 "POST /sessions (unversioned, no body)"
SH=$(jsv j.sessionHandle)
case "$SH" in [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-*-*-*-????????????) ok "the session handle is a lowercase UUID" ;;
*) not_ok "the session handle is a lowercase UUID" "$SH" ;; esac
gw_call POST "/sessions/$SH/statements" '{"statement":"SELECT 1"}'
OH=$(jsv j.operationHandle)
gw_call GET "/sessions/$SH/operations/$OH/result/0"
expect_body "{\"resultType\":\"NOT_READY\",\"nextResultUri\":\"/v4/sessions/$SH/operations/$OH/result/0?rowFormat=JSON\"}" \
	"an unversioned fetch points at the default version's prefix"
# the statement runs on the double's own thread: on a loaded machine token 0 may not be ready at
# the next fetch either (then the answer is NOT_READY again), so fetch it until it is
v2_fetch_ready() {
	gw_call GET "/v2/sessions/$SH/operations/$OH/result/0?rowFormat=JSON"
	[ "$(jsv j.resultType)" != NOT_READY ]
}
wait_until 30 v2_fetch_ready || not_ok "token 0 ready within 30 s" "$(body)"
expect_js 'j.nextResultUri' "/v2/sessions/$SH/operations/$OH/result/1?rowFormat=JSON" "a /v2 fetch points at /v2"
gw_call GET "/v1/sessions/$SH/operations/$OH/result/1"
expect_js 'j.nextResultUri' "/v1/sessions/$SH/operations/$OH/result/2" "a /v1 fetch points at /v1 without rowFormat"

# leading and trailing slashes, percent-encoded segments
gw_call GET "/v2/sessions/$SH/"
expect_status 200 "a trailing slash is ignored"
gw_call GET "//v2//sessions/$SH"
expect_status 404 "an empty segment inside the path does not match"
gw_call GET "/v2/sessions/${SH:0:8}%2D${SH:9}"
expect_status 200 "a percent-encoded segment is decoded"
gw_call GET "/v2/%73essions/$SH"
expect_status 200 "percent-encoded constant segments match too"

# endpoints missing from a version, unknown paths, wrong methods
check404() {  # check404 METHOD URI [BODY]
	gw_call "$1" "$2" "${3-}"
	expect_body "{\"errors\":[\"Not found: $2\"]}" "$1 $2 is 404"
	if [ "$GW_STATUS" != 404 ]; then not_ok "status of $1 $2 is 404" "got $GW_STATUS"; fi
}
check404 POST "/v1/sessions/$SH/configure-session" '{"statement":"SET '"'"'a'"'"'='"'"'b'"'"'"}'
check404 GET "/v1/sessions/$SH/complete-statement"
check404 POST "/v4/sessions/$SH/materialized-tables/t/refresh" '{}'
check404 POST "/v3/sessions/$SH/scripts" '{"script":"x"}'
check404 POST "/v4/workflow/embedded-scheduler/create" '{}'
check404 POST "/v0/sessions"
check404 POST "/v5/sessions"
check404 GET "/v2/nothing?rowFormat=JSON"
check404 PUT "/v2/sessions"
check404 GET "/v2/sessions"
check404 POST "/v2/sessions/$SH"
check404 DELETE "/v2/sessions/$SH/operations/$OH/cancel"
check404 GET "/v2/sessions/$SH/operations/$OH/result"
check404 GET "/V2/sessions/$SH"

# V3-only endpoints are routed on /v3
gw_call POST "/v3/sessions/$SH/materialized-tables/%60c%60.%60d%60.%60t%60/refresh" '{"isPeriodic":false}'
expect_status 500 "refresh on /v3 is routed (and fails: no such materialized table)"
expect_body_has 'Materialized table `c`.`d`.`t` does not exist.'
gw_call POST /v3/workflow/embedded-scheduler/create '{"materializedTableIdentifier":"`c`.`d`.`t`","cronExpression":"0 0 * * * ?"}'
expect_body '{"workflowName":"quartz_job_`c`.`d`.`t`","workflowGroup":"default_group"}' "embedded scheduler: create"
gw_call POST /v3/workflow/embedded-scheduler/suspend '{"workflowName":"quartz_job_`c`.`d`.`t`","workflowGroup":"default_group"}'
expect_body '{}' "embedded scheduler: suspend"
gw_call DELETE /v3/workflow/embedded-scheduler/delete '{"workflowName":"quartz_job_`c`.`d`.`t`","workflowGroup":"default_group"}'
expect_body '{}' "embedded scheduler: delete"
gw_call POST /v3/workflow/embedded-scheduler/resume '{"workflowName":"quartz_job_`c`.`d`.`t`","workflowGroup":"default_group"}'
expect_status 500 "embedded scheduler: resume of a deleted workflow fails"

# V4: scripts
gw_call POST "/v4/sessions/$SH/scripts" '{}'
expect_status 500 "scripts without a script fails"
expect_js 'j.errors[0]' "Internal server error." "scripts: an unhandled error"
gw_call POST "/v4/sessions/$SH/scripts" '{"script":"SELECT 1;"}'
expect_status 500 "scripts cannot deploy an application cluster here"
expect_body_has 'No ClusterClientFactory found.'
gw_stop

# a 1.17 gateway has no /v3 and its unversioned URLs are V2
gw_start --flink-version 1.17.2
check404 GET "/v3/info"
gw_call GET /info
expect_status 200 "unversioned GET /info on 1.17"
gw_call POST /sessions
SH=$(jsv j.sessionHandle)
gw_call POST "/sessions/$SH/configure-session" '{"statement":"SET '"'"'a'"'"' = '"'"'b'"'"'"}'
expect_body '{}' "unversioned configure-session on 1.17 (V2)"
gw_stop

# a 1.16 gateway has V1 only: unversioned URLs are V1, configure-session does not exist
gw_start --flink-version 1.16.0
gw_call POST /sessions
SH=$(jsv j.sessionHandle)
check404 POST "/sessions/$SH/configure-session" '{"statement":"SET '"'"'a'"'"' = '"'"'b'"'"'"}'
check404 GET "/v2/info"
gw_stop

done_testing
