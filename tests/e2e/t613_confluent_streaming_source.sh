#!/bin/bash
# streaming_source and Confluent's table options through the adapter, on the Statements API double:
# a connector table from the model's column list with `connector`, `with` and `distributed_by`,
# named after the model and the hash of its definition; an unchanged one left alone, a missing one
# created again, a changed one refused with a diff unless --full-refresh. The same options on table
# and streaming_table, statement_properties sent as the statement's properties, and every config
# mistake a compilation error naming the model's file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ccloud.sh"

cc_start || { echo "1..0 # SKIP double"; exit 0; }
project cc_shop
rm -f models/big_orders.sql models/customer_totals.sql models/schema.yml
cc_profile cc_shop "shop-" shop-e2e

cat > models/orders_src.sql <<'SQL'
{{ config(materialized='streaming_source', connector='confluent',
          with={'changelog.mode': 'append', 'kafka.retention.time': '7 d'},
          distributed_by={'columns': ['id'], 'buckets': 4},
          statement_properties={'sql.state-ttl': '1 h'}) }}
id BIGINT, customer STRING, amount DECIMAL(10, 2)
SQL
run run --profiles-dir . --select orders_src
expect_rc 0 "a streaming_source deploys"
NAME=$(grep -oE 'shop-cc-shop-orders-src-[0-9a-f]{6}-[0-9a-f]{8}' "$OUT" | head -1)
[ -n "$NAME" ] && ok "its statement is named after project, model and hash: $NAME" || not_ok "statement name" "$(cat "$OUT" "$ERR")"
cc_admin GET /requests
cc_expect "[.[] | select(.method == \"POST\" and .body.name == \"$NAME\")][0].body.spec.properties[\"sql.state-ttl\"]" "1 h" \
	"statement_properties travel as the statement's properties"
cc_expect "[.[] | select(.method == \"POST\" and .body.name == \"$NAME\")][0].body.spec.properties[\"sql.snapshot.mode\"]" null \
	"and it is no snapshot statement"
cc_snap show-src 'SHOW CREATE TABLE orders_src'
case "$ROWS" in *'DISTRIBUTED BY HASH(`id`) INTO 4 BUCKETS'*"'changelog.mode' = 'append'"*"'kafka.retention.time' = '7 d'"*) ok "the table has the model's distribution and options" ;;
	*) not_ok "the table's DDL" "$ROWS" ;; esac
cc_admin POST /topics/orders_src '[{"id":1,"customer":"ann","amount":10.50},{"id":2,"customer":"bob","amount":3.00},{"id":3,"customer":"ann","amount":7.25}]'

run run --profiles-dir . --select orders_src
expect_rc 0 "a re-run succeeds"
expect_out "UNCHANGED $NAME" "an unchanged source is left alone"
cc_admin GET /requests
cc_expect "[.[] | select(.method == \"POST\" and (.body.name | startswith(\"shop-cc-shop-orders-src\")))] | length" 1 "and not created again"

# table and streaming_table take the same options
cat > models/big_orders.sql <<'SQL'
{{ config(materialized='streaming_table', distributed_by={'columns': ['id'], 'buckets': 2},
          with={'kafka.retention.time': '1 d'}) }}
select id, customer, amount from {{ ref('orders_src') }} where amount > 5
SQL
cat > models/late_orders.sql <<'SQL'
{{ config(materialized='streaming_table', statement_properties={'sql.tables.scan.startup.mode': 'latest-offset'},
          compute_pool_id='lfcp-01x6d2') }}
select id, customer from {{ ref('orders_src') }}
SQL
cat > models/customer_totals.sql <<'SQL'
{{ config(materialized='table', distributed_by={'columns': ['customer'], 'buckets': 3}) }}
select customer, count(*) as n from {{ ref('orders_src') }} group by customer
SQL
run run --profiles-dir . --select big_orders late_orders customer_totals
expect_rc 0 "table and streaming_table with options"
cc_snap show-big 'SHOW CREATE TABLE big_orders'
case "$ROWS" in *'DISTRIBUTED BY HASH(`id`) INTO 2 BUCKETS'*"'kafka.retention.time' = '1 d'"*) ok "the streaming_table's table has its options" ;;
	*) not_ok "streaming_table DDL" "$ROWS" ;; esac
cc_snap show-totals 'SHOW CREATE TABLE customer_totals'
case "$ROWS" in *'DISTRIBUTED BY HASH(`customer`) INTO 3 BUCKETS'*) ok "the table has its distribution" ;; *) not_ok "table DDL" "$ROWS" ;; esac
expect_query 'select customer, n from customer_totals order by customer' 'ann|2
bob|1' "the table holds the query's rows"
run docs generate --profiles-dir .
expect_rc 0 "docs generate"
expect_json target/catalog.json '.nodes["model.cc_shop.customer_totals"].stats.distribution.value' "3 buckets" \
	"the catalog has the table's distribution (INFORMATION_SCHEMA.TABLES)"
expect_query 'select count(*) from big_orders' '2' "the streaming_table's statement fills it"
cc_admin POST /topics/orders_src '[{"id":4,"customer":"cid","amount":20.00}]'
expect_query 'select id from late_orders' '4' "sql.tables.scan.startup.mode = latest-offset: only what came after the statement started"
expect_query 'select count(*) from big_orders' '3' "while the other reads from the start"
cc_admin GET /requests
cc_expect '[.[] | select(.method == "POST" and (.body.name | startswith("shop-cc-shop-late-orders"))) | .body.spec.compute_pool_id]' '["lfcp-01x6d2"]' \
	"config compute_pool_id is the statement's pool"
cc_expect '[.[] | select(.method == "POST" and (.body.name | startswith("shop-cc-shop-big-orders"))) | .body.spec.compute_pool_id]' '[null]' \
	"without it, the profile's (none: the environment's default pool)"
cat > models/pool_orders.sql <<'SQL'
{{ config(materialized='table', compute_pool_id='lfcp-nope') }}
select id from {{ ref('orders_src') }}
SQL
run run --profiles-dir . --select pool_orders
expect_rc 1 "a compute pool the environment lacks is refused by the service"
expect_out "compute pool 'lfcp-nope' not found"
rm -f models/pool_orders.sql

# a changed definition is refused with a diff; --full-refresh drops and creates it
sed -i 's/amount DECIMAL(10, 2)/amount DECIMAL(10, 2), note STRING/' models/orders_src.sql
run run --profiles-dir . --select orders_src
expect_rc 1 "a changed streaming_source is refused"
expect_out "changed since statement $NAME"
expect_out "models/orders_src.sql" "naming the model's file"
expect_out "note STRING" "with a diff"
expect_out "--full-refresh"
expect_query 'select count(*) from orders_src' '4' "the table keeps its records"
run run --profiles-dir . --select orders_src --full-refresh
expect_rc 0 "--full-refresh creates it again"
NEW=$(grep -oE 'shop-cc-shop-orders-src-[0-9a-f]{6}-[0-9a-f]{8}' "$OUT" | head -1)
[ -n "$NEW" ] && [ "$NEW" != "$NAME" ] && ok "under a new hash: $NEW" || not_ok "new hash" "$(cat "$OUT")"
cc_call GET "$CC_P/$NAME"
cc_expect_status 404 "the old statement was deleted"
expect_query 'select count(*) from orders_src' '0' "a new, empty topic"

# dropped behind the project's back: created again on the next run
cc_submit drop-src 'DROP TABLE orders_src'
cc_wait drop-src COMPLETED
run run --profiles-dir . --select orders_src
expect_rc 0 "a missing table is created again"
expect_out "created again: the table was missing"
cc_snap q-src 'SELECT COUNT(*) FROM orders_src'
[ "$ROWS" = '[["0"]]' ] && ok "the table exists again" || not_ok "recreated" "$ROWS"

# config mistakes: compilation errors naming the file, before anything is sent
bad() {  # bad FILE CONFIG BODY EXPECTED
	cat > "models/$1.sql" <<SQL
{{ config($2) }}
$3
SQL
	cc_admin GET /requests
	local before
	before=$(jv 'length')
	run run --profiles-dir . --select "$1"
	if [ "$RC" -eq 1 ] && grep -qF "models/$1.sql" "$OUT" && grep -qF -- "$4" "$OUT"; then ok "refused: $1"
	else not_ok "refused: $1" "rc $RC; stdout: $(head -c 2000 "$OUT")"; fi
	cc_admin GET /requests
	local sent
	sent=$(jq -c "[.[$before:][] | select(.method == \"POST\") | .body.spec.statement | select(startswith(\"SHOW\") | not)]" "$CC_BODY")
	case "$sent" in *"$1"*) not_ok "nothing of $1 was sent" "$sent" ;; *) ok "nothing of $1 was sent" ;; esac
	rm -f "models/$1.sql"
}
bad bad_cols "materialized='streaming_table', distributed_by={'columns': 'id'}" "select 1 as id" "distributed_by needs columns"
bad bad_buckets "materialized='table', distributed_by={'columns': ['id'], 'buckets': 0}" "select 1 as id" "buckets must be a positive integer"
bad bad_key "materialized='table', distributed_by={'columns': ['id'], 'strategy': 'range'}" "select 1 as id" "not 'strategy'"
bad bad_tick "materialized='table', distributed_by={'columns': ['a\`b']}" "select 1 as id" "without backticks"
bad bad_with "materialized='streaming_table', with='changelog.mode=append'" "select 1 as id" "config \`with\` must be a mapping"
bad bad_start "materialized='streaming_table', start_mode='FROM_NOW'" "select 1 as id" "start_mode applies to materialized_table only"
bad bad_prop "materialized='streaming_table', statement_properties={'sql.snapshot.mode': 'now'}" "select 1 as id" "'sql.snapshot.mode' is a reserved system property"
bad bad_conn "materialized='streaming_source'" "id BIGINT" "needs config connector"
bad bad_buck2 "materialized='table', buckets=4" "select 1 as id" "config \`buckets\` needs distributed_by"

# what only the service can tell: its refusal, with the model named
cat > models/bad_order.sql <<'SQL'
{{ config(materialized='streaming_source', connector='confluent', distributed_by={'columns': ['customer']}) }}
id BIGINT, customer STRING
SQL
run run --profiles-dir . --select bad_order
expect_rc 1 "a distribution key that does not lead the schema is refused by the service"
expect_out "Key columns must appear at the beginning of the table schema"
expect_out "bad_order"
cat > models/bad_conn2.sql <<'SQL'
{{ config(materialized='streaming_source', connector='filesystem', with={'path': '/tmp/x', 'format': 'csv'}) }}
id BIGINT
SQL
run run --profiles-dir . --select bad_conn2
expect_rc 1 "a connector Confluent does not run is refused"
expect_out "Unsupported connector 'filesystem'"
rm -f models/bad_order.sql models/bad_conn2.sql

cc_stop
echo "1..$n"
[ "$failed" -eq 0 ]
