#!/bin/bash
# The streaming example project (examples/shop_stream) on the Statements API double with a
# dbt-confluent profile: its Kafka topics are tables already (Confluent Cloud infers a table from
# each topic), so the run builds the view and the three streaming tables as long-running statements
# (the updating ones keyed by their primary_key), the data tests read point-in-time snapshots of the
# upsert tables, a bad record makes a test fail, and docs generate writes the catalog with each
# statement.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ccloud.sh"

cc_start || { echo "1..0 # SKIP double"; exit 0; }
project shop_stream
mkdir -p "$CC_DATA/topics"
cp data/topics/*.jsonl "$CC_DATA/topics/"
# the topics as Confluent Cloud shows them: a table each, of the columns of models/sources/sources.yml
cc_submit ddl-orders "CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, amount DECIMAL(10, 2), status STRING,
	order_time TIMESTAMP(3), ingested_at TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
	WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND)"
cc_wait ddl-orders COMPLETED && ok "the orders topic is a table" || not_ok "the orders topic is a table" "$(cat "$CC_BODY")"
cc_submit ddl-customers "CREATE TABLE customers (customer_id BIGINT NOT NULL, name STRING, country STRING,
	PRIMARY KEY (customer_id) NOT ENFORCED)"
cc_wait ddl-customers COMPLETED && ok "the customers topic is an upsert table" || not_ok "the customers topic is an upsert table" "$(cat "$CC_BODY")"
cc_profile shop_stream "shop-" shop-stream 1

run run --profiles-dir . --exclude path:models/sources
expect_rc 0 "the example runs on Confluent"
expect_out "Done. PASS=4 WARN=0 ERROR=0 SKIP=0 TOTAL=4" "the view and the three streaming tables"
for m in orders_per_minute orders_enriched customer_totals; do
	base=shop-shop-stream-${m//_/-}
	name=$(grep -oE "$base-[0-9a-f]{6}-[0-9a-f]{8}" "$OUT" | head -1)
	if [ -n "$name" ]; then
		cc_call GET "$CC_P/$name"
		cc_expect .status.phase RUNNING "$m runs as statement $name"
	else
		not_ok "$m runs as a statement" "$(cat "$OUT")"
	fi
done
cc_admin GET /requests
cc_expect '[.[] | select(.method == "POST") | .body.spec.statement | select(startswith("CREATE TABLE `env-abc123`.`cluster_0`.`customer_totals` (PRIMARY KEY (`customer_id`) NOT ENFORCED) AS"))] | length' 1 \
	"the updating aggregation writes an upsert table keyed by its primary_key"
expect_query 'select customer_id, orders, revenue from customer_totals order by customer_id' '1|3|61.75
2|2|35.75
3|1|99.9' "customer_totals holds one row a customer"

run test --profiles-dir .
expect_rc 0 "the example's data tests pass on Confluent"
expect_out_re "Done\. PASS=1[0-9] WARN=0 ERROR=0 SKIP=0" "every data test passed"
expect_out_re "PASS assert_customer_totals_match_orders" "the upsert table is read as its final rows"
cc_admin GET /requests
cc_expect '[.[] | select(.method == "POST" and (.body.spec.statement | test("dbt_internal_test"))) | .body.spec.properties["sql.snapshot.mode"]] | unique' '["now"]' \
	"tests run as snapshot queries"

# a second order under an existing id: the tests see it
cc_admin POST /topics/orders '[{"order_id":1,"customer_id":2,"amount":1.0,"status":"PLACED","order_time":"2024-05-01 10:05:00.000"}]'
run test --profiles-dir . -s stg_orders
expect_rc 1 "a duplicate order fails the tests"
expect_out_re "FAIL unique_stg_orders_order_id .*\[FAIL 1 " "unique finds it"

run docs generate --profiles-dir .
expect_rc 0 "docs generate on Confluent"
cat=target/catalog.json
expect_json $cat '.nodes["model.shop_stream.stg_orders"].metadata.type' VIEW
expect_json $cat '.nodes["model.shop_stream.customer_totals"].metadata.type' "BASE TABLE"
expect_json $cat '.nodes["model.shop_stream.customer_totals"].stats.primary_key.value' customer_id
expect_json $cat '.nodes["model.shop_stream.orders"].stats.watermark.value' "FOR order_time AS \`order_time\` - INTERVAL '5' SECOND"
expect_json $cat '.nodes["model.shop_stream.orders"].columns.ingested_at.type' "TIMESTAMP_LTZ(3)"
expect_json $cat '.nodes["model.shop_stream.orders_per_minute"].stats.job.value.includes(" RUNNING since ")' true \
	"the statement of a streaming table is in the catalog"

cc_admin GET /requests
cc_expect '[.[] | select(.method == "POST") | .body.spec.statement | select(test("^\\s*(SHOW|DESCRIBE)"; "i"))] | length' 0 \
	"run, test and docs generate read the catalog from INFORMATION_SCHEMA alone"

# a second run leaves the healthy statements alone
run run --profiles-dir . --exclude path:models/sources
expect_rc 0 "a second run"
expect_out_re "OK created sql streaming_table model cluster_0.customer_totals .*RUNNING shop-shop-stream-customer-totals-" \
	"the running statement is left alone"

cc_stop
done_testing
