#!/bin/bash
# materialized_table on the Statements API double: CREATE OR ALTER MATERIALIZED TABLE with
# Confluent's options (DISTRIBUTED BY, WITH, START_MODE, statement properties) as a long-running
# statement named after the model and the hash of its definition; a healthy one left alone, a
# stopped one submitted again (the table keeps its rows), a changed one (here through the view it
# reads) refused with a diff unless --full-refresh (which drops it with DROP MATERIALIZED TABLE);
# what Confluent's materialized tables do not have is refused naming the model's file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ccloud.sh"

cc_start || { echo "1..0 # SKIP double"; exit 0; }
cc_submit ddl-orders 'CREATE TABLE orders (id BIGINT, customer STRING, amount DECIMAL(10,2))'
cc_wait ddl-orders COMPLETED && ok "the source table exists" || not_ok "the source table exists" "$(cat "$CC_BODY")"
cc_admin POST /topics/orders '[{"id":1,"customer":"ann","amount":10.50},{"id":2,"customer":"bob","amount":3.00},
	{"id":3,"customer":"ann","amount":7.25},{"id":4,"customer":"cid","amount":20.00}]'

project cc_shop
rm -f models/customer_totals.sql models/schema.yml
cc_profile cc_shop "shop-" shop-e2e
cat > models/totals.sql <<'SQL'
{{ config(materialized='materialized_table', distributed_by={'columns': ['customer'], 'buckets': 2},
          with={'kafka.retention.time': '1 d'}, statement_properties={'sql.state-ttl': '1 h'}) }}
select customer, count(*) as n, sum(amount) as total from {{ ref('big_orders') }} group by customer
SQL

run run --profiles-dir . --select big_orders totals
expect_rc 0 "a materialized_table deploys"
NAME=$(grep -oE 'shop-cc-shop-totals-[0-9a-f]{6}-[0-9a-f]{8}' "$OUT" | head -1)
[ -n "$NAME" ] && ok "its statement is named after project, model and hash: $NAME" || not_ok "statement name" "$(cat "$OUT" "$ERR")"
cc_call GET "$CC_P/$NAME"
cc_expect .status.phase RUNNING "the statement runs on: it keeps the table current"
cc_expect .status.traits.sql_kind CREATE_MATERIALIZED_TABLE
cc_expect '.spec.statement | startswith("CREATE OR ALTER MATERIALIZED TABLE `env-abc123`.`cluster_0`.`totals`\nDISTRIBUTED BY HASH(`customer`) INTO 2 BUCKETS\nWITH (")' true \
	"CREATE OR ALTER MATERIALIZED TABLE with its distribution and options"
cc_expect '.spec.properties["sql.state-ttl"]' "1 h" "with the model's statement properties"
cc_expect '.metadata.labels["user.confluent.io/shop-e2e"]' true "and the profile's label"
expect_query 'select customer, n from totals order by customer' 'ann|2
cid|1' "the table holds the query's result"

run run --profiles-dir . --select totals
expect_rc 0 "a re-run succeeds"
expect_out "RUNNING $NAME" "the unchanged healthy statement is left alone"
cc_admin GET /requests
cc_expect "[.[] | select(.method == \"POST\" and .body.name == \"$NAME\")] | length" 1 "and not submitted again"
cc_admin POST /topics/orders '[{"id":5,"customer":"bob","amount":9.00}]'
expect_query 'select customer, n from totals order by customer' 'ann|2
bob|1
cid|1' "the statement follows new records"

# a stopped statement is submitted again under its name; the table keeps its rows
CC_CT=application/json-patch+json cc_call PATCH "$CC_P/$NAME" '[{"op":"replace","path":"/spec/stopped","value":true}]'
cc_wait "$NAME" STOPPED && ok "stopped behind the project's back" || not_ok "stopped" "$(cat "$CC_BODY")"
run run --profiles-dir . --select totals
expect_rc 0 "a run after the stop"
expect_out "resubmitted: $NAME was STOPPED"
cc_call GET "$CC_P/$NAME"
cc_expect .status.phase RUNNING "the statement runs again"
expect_query 'select customer, n from totals order by customer' 'ann|2
bob|1
cid|1' "the table holds the same rows, not twice"

# a change in the view it reads: refused with the diff
cat > models/big_orders.sql <<'SQL'
select id, customer, amount from {{ source('shop', 'orders') }} where amount > 8
SQL
run run --profiles-dir . --select big_orders totals
expect_rc 1 "a changed definition is refused"
expect_out "the definition of materialized_table"
expect_out "models/totals.sql" "naming the model's file"
expect_out "changed since statement $NAME"
expect_out "model big_orders" "naming the upstream model that changed"
expect_out "amount > 8" "with a diff"
expect_out "--full-refresh"
cc_call GET "$CC_P/$NAME"
cc_expect .status.phase RUNNING "the old statement still runs"

run run --profiles-dir . --select big_orders totals --full-refresh
expect_rc 0 "--full-refresh redeploys"
NEW=$(grep -oE 'shop-cc-shop-totals-[0-9a-f]{6}-[0-9a-f]{8}' "$OUT" | grep -v "$NAME" | head -1)
[ -n "$NEW" ] && ok "under a new hash: $NEW" || not_ok "new hash" "$(cat "$OUT")"
cc_call GET "$CC_P/$NAME"
cc_expect_status 404 "the old statement was deleted"
cc_admin GET /requests
cc_expect '[.[] | select(.method == "POST" and (.body.spec.statement | startswith("DROP MATERIALIZED TABLE IF EXISTS `env-abc123`.`cluster_0`.`totals`")))] | length' 1 \
	"the table was dropped with DROP MATERIALIZED TABLE (DROP TABLE leaves one in place)"
expect_query 'select customer, n from totals order by customer' 'ann|1
bob|1
cid|1' "the table was built again from the new definition"

# sluice jobs lists the statement; START_MODE
run jobs --profiles-dir .
expect_rc 0 "sluice jobs on Confluent"
expect_out_re "totals +$NEW +RUNNING +${NEW##*-} .* current" "the materialized table's statement, phase, hash and state"
cat > models/recent.sql <<'SQL'
{{ config(materialized='materialized_table', start_mode='from_now') }}
select id, customer from {{ source('shop', 'orders') }}
SQL
run run --profiles-dir . --select recent
expect_rc 0 "a materialized_table with start_mode"
RNAME=$(grep -oE 'shop-cc-shop-recent-[0-9a-f]{6}-[0-9a-f]{8}' "$OUT" | head -1)
cc_call GET "$CC_P/$RNAME"
cc_expect '.spec.statement | test("\nSTART_MODE = FROM_NOW\nAS\n")' true "START_MODE = FROM_NOW, upper case"
expect_query 'select count(*) from recent' '0' "it skips what the sources held"
cc_admin POST /topics/orders '[{"id":6,"customer":"dan","amount":1.00}]'
expect_query 'select id from recent' '6' "and reads what comes after"

# what Confluent's materialized tables do not have
bad() {  # bad FILE CONFIG EXPECTED
	cat > "models/$1.sql" <<SQL
{{ config(materialized='materialized_table', $2) }}
select id from {{ source('shop', 'orders') }}
SQL
	run run --profiles-dir . --select "$1"
	if [ "$RC" -eq 1 ] && grep -qF "models/$1.sql" "$OUT" && grep -qF -- "$3" "$OUT"; then ok "refused: $1"
	else not_ok "refused: $1" "rc $RC; stdout: $(head -c 2000 "$OUT")"; fi
	cc_admin GET /requests
	if jq -e "[.[] | select(.method == \"POST\" and (.body.spec.statement | test(\"$1\")) and (.body.spec.statement | startswith(\"SHOW\") | not))] | length == 0" "$CC_BODY" >/dev/null
	then ok "nothing of $1 was sent"; else not_ok "nothing of $1 was sent"; fi
	rm -f "models/$1.sql"
}
bad mt_fresh "freshness='1 minute'" "config freshness is not supported by materialized_table on Confluent Cloud"
bad mt_refresh "refresh_mode='full'" "config refresh_mode is not supported"
bad mt_part "partition_by=['id']" "config partition_by is not supported"
bad mt_mode "start_mode='LATER'" "'LATER' is not a start_mode"

cc_stop
echo "1..$n"
[ "$failed" -eq 0 ]
