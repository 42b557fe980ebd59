#!/bin/bash
# The confluent adapter on the Statements API double: a dbt-confluent profile, a view and a table
# built as snapshot statements, data tests and show as snapshot queries, a failing model leaving
# the previous table, and no secret in logs or artifacts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ccloud.sh"

cc_start || { echo "1..0 # SKIP double"; exit 0; }
cc_submit ddl-orders 'CREATE TABLE orders (id BIGINT, customer STRING, amount DECIMAL(10,2))'
cc_wait ddl-orders COMPLETED && ok "the source table exists" || not_ok "the source table exists" "$(cat "$CC_BODY")"
cc_admin POST /topics/orders '[{"id":1,"customer":"ann","amount":10.50},{"id":2,"customer":"bob","amount":3.00},
	{"id":3,"customer":"ann","amount":7.25},{"id":4,"customer":"cid","amount":20.00}]'

project cc_shop
cc_profile cc_shop "shop-" shop-e2e 1

run run --profiles-dir .
expect_rc 0 "sluice run on Confluent"
expect_out "big_orders" 
expect_query 'select customer, n, total from customer_totals order by customer' 'ann|2|17.75
cid|1|20.0' "the table holds a snapshot of its view"
run test --profiles-dir .
expect_rc 0 "data tests run as snapshot queries"
expect_out "PASS=3"

# new data: a second run rebuilds the table
cc_admin POST /topics/orders '[{"id":5,"customer":"bob","amount":9.00}]'
run run --profiles-dir . --select customer_totals
expect_rc 0 "the table is rebuilt"
expect_query 'select customer, n from customer_totals order by customer' 'ann|2
bob|1
cid|1' "the rebuilt table has the new row once"

# a broken model fails and leaves the previous table
cat > models/customer_totals.sql <<'SQL'
{{ config(materialized='table') }}
select customer, no_such_column from {{ ref('big_orders') }}
SQL
run run --profiles-dir . --select customer_totals
expect_rc 1 "a broken table model fails"
expect_out "no_such_column"
expect_query 'select count(*) from customer_totals' '3' "the previous table is still there"

# statements were labelled and named with the prefix; none of a finished run is left behind
cc_call GET "$CC_P?label_selector=user.confluent.io/shop-e2e%3Dtrue"
cc_expect '.data | length' 0 "finished statements were deleted"
cc_admin GET /requests
cc_expect '[.[] | select(.method == "POST" and (.body.name | startswith("shop-")))] | length > 5' true "statement names carry the prefix"
SL='select(.method == "POST" and (.body.name | startswith("shop-")))'
cc_expect "[.[] | $SL | .body.metadata.labels[\"user.confluent.io/shop-e2e\"]] | unique" '["true"]' "every statement has the label"
cc_expect "[.[] | $SL | .body.spec.properties[\"sql.current-database\"]] | unique" '["cluster_0"]' "every statement names the cluster"
cc_expect "[.[] | $SL | .user_agent | startswith(\"Sluice-Confluent/\")] | unique" '[true]' "the user agent names Sluice"
cc_expect '[.[] | select(.method == "POST" and .status >= 500)] | length' 0
if grep -rqF "$CC_SECRET" target logs 2>/dev/null; then not_ok "no secret in target/ or logs/"; else ok "no secret in target/ or logs/"; fi

# sluice sql on the profile's Confluent target
run sql --profiles-dir . --snapshot -e 'SELECT customer, n FROM customer_totals ORDER BY customer'
expect_rc 0 "sluice sql --snapshot on Confluent"
expect_out_re '\| +ann +\| +2 +\|' "prints the snapshot's rows"
expect_out "3 rows in set"
run sql --profiles-dir . -e 'SELECT * FROM nowhere'
expect_rc 1 "a failing statement in sluice sql"
expect_err "nowhere"
cc_call GET "$CC_P?label_selector=user.confluent.io/shop-e2e%3Dtrue"
cc_expect '.data | length' 0 "sluice sql deletes its statements"

cc_stop
echo "1..$n"
[ "$failed" -eq 0 ]
