#!/bin/bash
# streaming_table on the Statements API double: a long-running CTAS statement named after the
# model and the hash of its definition; an unchanged healthy statement is left alone, a changed
# definition (here through the view it reads) is refused with a diff unless --full-refresh, and a
# stopped statement is submitted again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ccloud.sh"

cc_start || { echo "1..0 # SKIP double"; exit 0; }
cc_submit ddl-orders 'CREATE TABLE orders (id BIGINT, customer STRING, amount DECIMAL(10,2))'
cc_wait ddl-orders COMPLETED && ok "the source table exists" || not_ok "the source table exists" "$(cat "$CC_BODY")"
cc_admin POST /topics/orders '[{"id":1,"customer":"ann","amount":10.50},{"id":2,"customer":"bob","amount":3.00},
	{"id":3,"customer":"ann","amount":7.25},{"id":4,"customer":"cid","amount":20.00}]'

project cc_shop
cc_profile cc_shop "shop-" shop-e2e
cat > models/live_orders.sql <<'SQL'
{{ config(materialized='streaming_table') }}
select id, customer, amount * 2 as doubled from {{ ref('big_orders') }}
SQL

run run --profiles-dir . --select big_orders live_orders
expect_rc 0 "a streaming_table deploys"
NAME=$(grep -oE 'shop-cc-shop-live-orders-[0-9a-f]{6}-[0-9a-f]{8}' "$OUT" | head -1)
if [ -n "$NAME" ]; then ok "the statement is named after project, model and hash: $NAME"; else not_ok "statement name" "$(cat "$OUT")"; fi
cc_call GET "$CC_P/$NAME"
cc_expect .status.phase RUNNING "the statement runs"
cc_expect '.metadata.labels["user.confluent.io/shop-e2e"]' true "with the profile's label"
expect_query 'select count(*) from live_orders' '3' "the table receives the statement's rows"

run run --profiles-dir . --select live_orders
expect_rc 0 "a re-run succeeds"
expect_out "RUNNING $NAME" "the unchanged healthy statement is left alone"
cc_admin GET /requests
cc_expect "[.[] | select(.method == \"POST\" and .body.name == \"$NAME\")] | length" 1 "and not submitted again"

# the view it reads changes: refused with a diff
cat > models/big_orders.sql <<'SQL'
select id, customer, amount from {{ source('shop', 'orders') }} where amount > 8
SQL
run run --profiles-dir . --select big_orders live_orders
expect_rc 1 "a changed definition is refused"
expect_out "changed since its running statement $NAME"
expect_out "model big_orders" "naming the upstream model that changed"
expect_out "amount > 8" "with a diff"
expect_out "--full-refresh"
cc_call GET "$CC_P/$NAME"
cc_expect .status.phase RUNNING "the old statement still runs"

run run --profiles-dir . --select big_orders live_orders --full-refresh
expect_rc 0 "--full-refresh redeploys"
NEW=$(grep -oE 'shop-cc-shop-live-orders-[0-9a-f]{6}-[0-9a-f]{8}' "$OUT" | grep -v "$NAME" | head -1)
if [ -n "$NEW" ] && [ "$NEW" != "$NAME" ]; then ok "under a new hash: $NEW"; else not_ok "new hash" "$(cat "$OUT")"; fi
cc_call GET "$CC_P/$NAME"
cc_expect_status 404 "the old statement was deleted"
expect_query 'select count(*) from live_orders' '2' "the table was rebuilt from scratch"

# sluice jobs lists the statement and stops it; the next run submits it again
run jobs --profiles-dir .
expect_rc 0 "sluice jobs on Confluent"
expect_out_re "live_orders +$NEW +RUNNING +${NEW##*-} .* current" "the statement, its phase, hash and definition state"
cat > models/big_orders.sql <<'SQL'
select id, customer, amount from {{ source('shop', 'orders') }} where amount > 9
SQL
run jobs --profiles-dir .
expect_out "stale: model big_orders" "a changed view makes it stale"
run jobs stop --savepoint --profiles-dir . -s live_orders
expect_rc 1 "no savepoints on Confluent"
expect_err "takes no savepoints"
run jobs stop --profiles-dir . -s live_orders
expect_rc 0 "sluice jobs stop"
expect_out "Stopped job $NEW of model live_orders"
cc_wait "$NEW" STOPPED && ok "stopped" || not_ok "stopped" "$(cat "$CC_BODY")"
cat > models/big_orders.sql <<'SQL'
select id, customer, amount from {{ source('shop', 'orders') }} where amount > 8
SQL
run run --profiles-dir . --select live_orders
expect_rc 0 "a run after a stop"
expect_out "resubmitted: $NEW was STOPPED"
cc_call GET "$CC_P/$NEW"
cc_expect .status.phase RUNNING "the statement runs again under its name"

cc_stop
echo "1..$n"
[ "$failed" -eq 0 ]
