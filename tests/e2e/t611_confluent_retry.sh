#!/bin/bash
# The confluent adapter retries as dbt-confluent does (reference §14.2): a statement that meets an
# exhausted compute pool is submitted again after 3 s under the same name; one that failed because
# a materialized table is being modified is deleted and submitted again after 10 s; a name in use
# (409) has its holder deleted and is submitted again after min(3 x attempt, 15) s. Any other
# failure stands at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ccloud.sh"

cc_start || { echo "1..0 # SKIP double"; exit 0; }
cc_submit ddl-orders 'CREATE TABLE orders (id BIGINT, customer STRING, amount DECIMAL(10,2))'
cc_wait ddl-orders COMPLETED && ok "the source table exists" || not_ok "the source table exists" "$(cat "$CC_BODY")"
cc_admin POST /topics/orders '[{"id":1,"customer":"ann","amount":10.50},{"id":2,"customer":"bob","amount":3.00}]'

project cc_shop
cc_profile cc_shop "retry-" retry-e2e 1

# the view's CREATE: "being modified" once, then a 409 once; the table's CTAS: an exhausted pool once
cc_admin POST /faults '[
	{"method":"POST","statement":"amount > 5","action":"fail","count":1,
	 "message":"Materialized table is currently being modified by statement: s1"},
	{"method":"POST","statement":"amount > 5","action":"status","status":409,"count":1},
	{"method":"POST","statement":"count(*) as n","action":"stuck","count":1}]'
cc_expect_status 200 "fault rules accepted"
run run --profiles-dir .
expect_rc 0 "the run succeeds after the retries"
log=logs/sluice.log
expect_log() {
	if grep -q -- "$1" "$log"; then ok "$2"; else not_ok "$2" "$(grep -i confluent "$log" | tail -5)"; fi
}
expect_log "being modified by statement: s1; trying again in 10 s (attempt 2)" "being modified: again after 10 s"
expect_log "; trying again in 6 s (attempt 3)" "the 409 that followed: again after min(3 x 2, 15) s"
expect_log "compute pool is exhausted; trying again in 3 s (attempt 2)" "an exhausted pool: again after 3 s"
cc_admin GET /requests
cc_expect '[.[] | select(.method == "DELETE")] | length >= 2' true "the failed statement and the name's holder were deleted first"
expect_query 'select customer, n from customer_totals order by customer' 'ann|1' "the table holds its rows"

# any other failure stands at once
cc_admin POST /faults '[{"method":"POST","statement":"count(*) as n","action":"fail","count":1,"message":"Some other failure"}]'
before=$(grep -c "trying again" "$log")
run run --profiles-dir . -s customer_totals
expect_rc 1 "another failure fails the model"
expect_out "Some other failure"
if [ "$(grep -c "trying again" "$log")" = "$before" ]; then ok "no retry for it"; else not_ok "no retry for it"; fi
cc_stop
done_testing
