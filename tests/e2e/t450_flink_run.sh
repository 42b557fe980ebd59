#!/usr/bin/env bash
# The streaming example on the Flink SQL Gateway double: debug, run (sources, a view, three
# streaming jobs), the exact SQL the gateway received, jobs, a second run that leaves the jobs
# alone, and data tests in bounded batch sessions after the run's session has gone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}

statements() {  # the statements the double received, one JSON string a line
	gw_admin GET /statements
	node -e 'for (const s of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")))
		console.log(JSON.stringify({session: s.session, statement: s.statement, config: s.executionConfig}))' "$GW_BODY"
}

run debug
expect_rc 0 "debug connects"
expect_out "engine: Apache Flink 2.0.0, SQL Gateway REST API v4"
expect_out "default_catalog is kept in memory by the gateway's session"

run run
expect_rc 0 "run builds the streaming project"
expect_out "OK created sql streaming_source model default_database.orders"
expect_out "OK created sql view model default_database.stg_orders"
job1=$(grep -o 'orders_per_minute .*\[JOB [0-9a-f]\{32\}' "$OUT" | grep -o '[0-9a-f]\{32\}')
job2=$(grep -o 'orders_enriched .*\[JOB [0-9a-f]\{32\}' "$OUT" | grep -o '[0-9a-f]\{32\}')
if [ -n "$job1" ] && [ -n "$job2" ]; then ok "run prints each job's id"; else not_ok "run prints each job's id" "$(cat "$OUT")"; fi
expect_out "Done. PASS=6 WARN=0 ERROR=0 SKIP=0 TOTAL=6"

statements >"$WORK/stmts"
# the source, as Flink receives it: declared under a temporary name, planned, renamed
expect_stmt() {
	if grep -qF -- "$1" "$WORK/stmts"; then ok "${2:-the gateway received $1}"
	else not_ok "${2:-the gateway received $1}" "$(head -c 4000 "$WORK/stmts")"; fi
}
expect_stmt '"statement":"CREATE TABLE `default_catalog`.`default_database`.`orders__dbt_tmp` (\n  `order_id` BIGINT,\n  `customer_id` BIGINT,\n  `amount` DECIMAL(10, 2),\n  `status` STRING,\n  `order_time` TIMESTAMP(3) COMMENT '"'"'When the order was placed (event time).'"'"',\n  `ingested_at` TIMESTAMP_LTZ(3) METADATA FROM '"'"'timestamp'"'"' VIRTUAL,\n  WATERMARK FOR `order_time` AS order_time - INTERVAL '"'"'5'"'"' SECOND\n)\nCOMMENT '"'"'Orders as the shop'"'"''"'"'s checkout publishes them, one event an order.'"'"'\nWITH (\n    '"'"'properties.bootstrap.servers'"'"' = '"'"'localhost:9092'"'"',\n    '"'"'connector'"'"' = '"'"'kafka'"'"',\n    '"'"'topic'"'"' = '"'"'orders'"'"',\n    '"'"'properties.group.id'"'"' = '"'"'shop_stream'"'"',\n    '"'"'scan.startup.mode'"'"' = '"'"'earliest-offset'"'"',\n    '"'"'format'"'"' = '"'"'json'"'"'\n  )"' \
	"the orders source's DDL, exactly"
expect_stmt '"statement":"EXPLAIN SELECT * FROM `default_catalog`.`default_database`.`orders__dbt_tmp`"' "the source is planned before it replaces the old one"
expect_stmt '"statement":"ALTER TABLE `default_catalog`.`default_database`.`orders__dbt_tmp` RENAME TO `orders`"'
expect_stmt '"statement":"CREATE VIEW `default_catalog`.`default_database`.`stg_orders__dbt_tmp` AS\n-- Placed orders' "the view is created under a temporary name"
expect_stmt '"config":{"pipeline.name":"shop_stream.orders_per_minute [' "the job is named after its model and hash"
if grep -q '"statement":"INSERT INTO `default_catalog`.`default_database`.`orders_enriched`' "$WORK/stmts"; then ok "the join runs as INSERT INTO the sink"; else not_ok "the join runs as INSERT INTO the sink"; fi

gw_admin GET /jobs
expect_js 'j.filter(x => x.status == "RUNNING" && x.name.startsWith("shop_stream.")).length' 3 "three jobs run on the cluster"
expect_js "j.find(x => x.id == '$job1').name.startsWith('shop_stream.orders_per_minute [')" true

run jobs
expect_rc 0 "sluice jobs"
expect_out "orders_per_minute  $job1  RUNNING"
expect_out "orders_enriched    $job2  RUNNING"

# a second run, in a new session: the sources and the view are declared again, the jobs stay
run run
expect_rc 0 "the second run"
if grep -q "orders_per_minute .*\[RUNNING $job1" "$OUT"; then ok "an unchanged job is left alone"; else not_ok "an unchanged job is left alone" "$(cat "$OUT")"; fi
if grep -q "orders_enriched .*\[RUNNING $job2" "$OUT"; then ok "the other too"; else not_ok "the other too" "$(cat "$OUT")"; fi
gw_admin GET /jobs
expect_js 'j.filter(x => x.name.startsWith("shop_stream.")).length' 3 "no job was submitted again"

# tests, in sessions of their own: batch mode and bounded scans
run test
expect_rc 0 "the data tests pass"
expect_out "PASS not_null_orders_order_id"
expect_out "PASS unique_stg_orders_order_id"
expect_out "PASS relationships_stg_orders_"
expect_out "PASS assert_revenue_matches_orders"
statements >"$WORK/stmts"
expect_stmt "'scan.bounded.mode' = 'latest-offset'" "tests read Kafka tables bounded"
expect_stmt '"statement":"CREATE TEMPORARY TABLE `default_catalog`.`default_database`.`orders` (' "as temporary tables in the test's session"
gw_admin GET /requests
if node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	process.exit(r.some(x => x.method == "POST" && /\/sessions$/.test(x.uri) && x.body && x.body.properties &&
		x.body.properties["execution.runtime-mode"] == "batch") ? 0 : 1)' "$GW_BODY"; then
	ok "tests open their sessions in batch mode"
else
	not_ok "tests open their sessions in batch mode" "$(head -c 2000 "$GW_BODY")"
fi
gw_admin GET /sessions
expect_js 'j.length' 0 "every session was closed"
gw_stop
done_testing
