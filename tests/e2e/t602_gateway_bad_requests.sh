#!/usr/bin/env bash
# Gateway double, bad requests: bodies are lenient (empty = {}, unknown fields ignored, scalars
# coerced, any Content-Type) but invalid JSON or a field of the wrong type is a 400 "Request did
# not match expected format <class>."; handles that are not UUIDs, tokens that are not longs and
# bad rowFormat values are 400s with Flink's "Cannot resolve … parameter" texts; the body is
# checked before the path parameters, as in Flink's AbstractHandler.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
gw_session

# lenient bodies
gw_call POST /v2/sessions ''
expect_status 200 "an empty body is {}"
gw_call POST /v2/sessions '{"sessionName":"s","properties":{"a":1,"b":true},"extra":{"x":[1]}}'
expect_status 200 "unknown fields are ignored, scalar properties coerced to strings"
S2=$(jsv j.sessionHandle)
gw_call GET "/v2/sessions/$S2"
expect_js 'j.properties.a + "/" + j.properties.b' "1/true" "coerced properties are strings"
gw_call POST /v2/sessions '{}' -H 'Content-Type: application/x-www-form-urlencoded'
expect_status 200 "the Content-Type of a request is not checked"
gw_call POST "/v2/sessions/$SH/statements" '{"statement":"SELECT 1","executionTimeout":"0"}'
expect_status 200 "a numeric string is a long"

# 400: the body
bad_body() {  # bad_body PATH BODY CLASS WHAT
	gw_call POST "$1" "$2"
	expect_status 400 "$4: 400"
	expect_js 'j.errors.length' 1 "$4: one element"
	local first
	first=$(jsv 'j.errors[0].split("\n")[0]')
	if [ "$first" = "org.apache.flink.runtime.rest.handler.RestHandlerException: Request did not match expected format $3." ]; then
		ok "$4: Request did not match expected format $3."
	else not_ok "$4: Request did not match expected format $3." "$first"; fi
}
bad_body "/v2/sessions/$SH/statements" '{"statement":' ExecuteStatementRequestBody "truncated JSON"
bad_body "/v2/sessions/$SH/statements" 'statement=SELECT 1' ExecuteStatementRequestBody "a form body"
bad_body "/v2/sessions/$SH/statements" '{"statement":{"x":1}}' ExecuteStatementRequestBody "an object as statement"
bad_body "/v2/sessions/$SH/statements" '{"statement":"SELECT 1","executionTimeout":"soon"}' ExecuteStatementRequestBody "a word as executionTimeout"
bad_body "/v2/sessions/$SH/statements" '{"statement":"SELECT 1","executionConfig":["a"]}' ExecuteStatementRequestBody "an array as executionConfig"
bad_body "/v2/sessions/$SH/statements" '[1]' ExecuteStatementRequestBody "an array as body"
bad_body /v2/sessions '{"properties":{"a":{"b":1}}}' OpenSessionRequestBody "a nested property value"
bad_body "/v2/sessions/$SH/configure-session" '{"statement":[1]}' ConfigureSessionRequestBody "configure-session"
bad_body "/v2/sessions/$SH/heartbeat" '[]' EmptyRequestBody "a body-less endpoint with an array"
expect_js 'j.errors[0].includes("\nCaused by: org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.exc.MismatchedInputException: ")' true \
	"the trace is caused by Jackson's MismatchedInputException"
gw_call POST "/v2/sessions/not-a-uuid/statements" '{"statement":'
expect_js 'j.errors[0].split("\n")[0]' "org.apache.flink.runtime.rest.handler.RestHandlerException: Request did not match expected format ExecuteStatementRequestBody." \
	"a bad body is reported before a bad handle"

# 400: path parameters
bad_param() {  # bad_param METHOD PATH KIND KEY VALUE WHAT
	gw_call "$1" "$2" "${7-}"
	expect_status 400 "$6: 400"
	local want="org.apache.flink.runtime.rest.handler.RestHandlerException: Bad request, could not parse parameters: Cannot resolve $3 parameter ($4) from value \"$5\"."
	expect_js 'j.errors[0].split("\n")[0]' "$want" "$6: $want"
	expect_js 'j.errors[0].split("\n").filter(l => l.startsWith("Caused by: ")).join("|")' \
		"Caused by: org.apache.flink.runtime.rest.handler.HandlerRequestException: Cannot resolve $3 parameter ($4) from value \"$5\"." \
		"$6: caused by HandlerRequestException"
}
OH=00000000-0000-4000-8000-000000000000
bad_param POST /v2/sessions/not-a-uuid/statements path session_handle not-a-uuid "a session handle that is no UUID" '{"statement":"SELECT 1"}'
bad_param GET "/v2/sessions/$SH/operations/xyz/status" path operation_handle xyz "an operation handle that is no UUID"
bad_param GET "/v2/sessions/nope/operations/xyz/status" path session_handle nope "the session handle is checked first"
bad_param GET "/v2/sessions/$SH/operations/$OH/result/one?rowFormat=JSON" path token one "a token that is no long"
bad_param GET "/v2/sessions/$SH/operations/$OH/result/1.5" path token 1.5 "a fractional token"
bad_param GET "/v2/sessions/$SH/operations/$OH/result/0?rowFormat=XML" query rowFormat XML "rowFormat=XML"
bad_param GET "/v2/sessions/$SH/operations/$OH/result/0?rowFormat=" query rowFormat "" "an empty rowFormat"
bad_param GET "/v2/sessions/a%20b" path session_handle "a b" "the value in the message is decoded"
bad_param GET "/v2/sessions/a+b" path session_handle "a b" "'+' in a segment is a space"

gw_call GET "/v2/sessions/$SH/operations/$OH/result/0?rowFormat=JSON&rowFormat=PLAIN_TEXT"
expect_status 400 "two rowFormat values: 400"
expect_js 'j.errors[0].split("\n")[0]' "org.apache.flink.runtime.rest.handler.RestHandlerException: Expected only one value [JSON, PLAIN_TEXT]." \
	"two rowFormat values: Expected only one value"
gw_call GET "/v1/sessions/$SH/operations/$OH/result/0?rowFormat=XML"
expect_status 500 "V1 does not read rowFormat (the operation is unknown instead)"
expect_body_has "Can not find the submitted operation in the OperationManager with the $OH."
gw_call GET "/v2/sessions/$SH/operations/$OH/result/0?rowformat=XML"
expect_status 500 "query parameter names are case-sensitive, so rowformat is ignored"

# an upper-case UUID names the same session
upper=$(printf '%s' "$SH" | tr a-f A-F)
gw_call POST "/v2/sessions/$upper/heartbeat"
expect_body '{}' "UUIDs are parsed case-insensitively"

gw_stop
done_testing
