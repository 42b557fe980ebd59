#!/usr/bin/env bash
# Data tests, `show` and `table` models on changelog tables (upsert-kafka): the double refuses to
# read them in batch mode as Flink does (DynamicSourceUtils), so Sluice reads them in streaming mode
# over bounded tables and folds the changelog into the final rows; a test sees the table as it
# ends up, fails on bad final rows and passes once an update fixed them; a table that cannot be
# read to an end fails the test within its timeout, naming the table; sluice sql --snapshot prints
# a query's final rows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}

# the double is as strict as Flink
gw_session
gw_run "CREATE TABLE c (id BIGINT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector'='upsert-kafka','topic'='customers','properties.bootstrap.servers'='k:9092','key.format'='json','value.format'='json')" "an upsert table"
gw_submit "SELECT * FROM c /*+ OPTIONS('scan.bounded.mode'='latest-offset') */"
gw_call POST "/v2/sessions/$SH/configure-session" '{"statement":"SET '"'"'execution.runtime-mode'"'"' = '"'"'batch'"'"'"}'
gw_submit "SELECT * FROM c /*+ OPTIONS('scan.bounded.mode'='latest-offset') */"
gw_wait
gw_fetch 0
expect_status 500
expect_body_has "Caused by: org.apache.flink.table.api.TableException: Querying a table in batch mode is currently only possible for INSERT-only table sources. But the source for table 'default_catalog.default_database.c' produces other changelog messages than just INSERT." "batch mode refuses the upsert table with Flink's message"

run run
expect_rc 0 "run"
run test
expect_rc 0 "the tests of the upsert tables pass"
expect_out "PASS unique_customer_totals_customer_id"
expect_out "PASS assert_customer_totals_match_orders"
expect_out "PASS unique_customers_customer_id"
expect_no_out "INSERT-only" "no test hit the batch refusal"

# how they ran: in streaming mode where they read an upsert table, in batch mode otherwise
gw_admin GET /statements
mode_of() {  # the executionConfig runtime mode of the last statement containing $1
	node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
		.filter(x => x.statement && x.statement.includes(process.argv[2]));
		const c = s.length ? s[s.length - 1].executionConfig : null;
		console.log(c && c["execution.runtime-mode"] || "session")' "$GW_BODY" "$1"
}
m=$(mode_of '`customer_totals`')
if [ "$m" = streaming ]; then ok "a query of the upsert table runs in streaming mode"; else not_ok "a query of the upsert table runs in streaming mode" "$m"; fi
m=$(mode_of 'window_start is null')
if [ "$m" = session ]; then ok "a query of an append-only table keeps the batch session"; else not_ok "a query of an append-only table keeps the batch session" "$m"; fi

# bad final rows fail the test; an update that fixes them makes it pass again (a test that read
# the changelog would still see the bad row)
gw_admin POST /topics/customers '[{"key":{"customer_id":2},"value":{"customer_id":2,"name":null,"country":"US"},"timestamp":1714557700000}]'
run test -s orders_enriched
expect_rc 1 "a customer without a name fails the test of the upsert table"
expect_out_re "FAIL not_null_orders_enriched_customer_name \.+ \[FAIL 2 in"
gw_admin POST /topics/customers '[{"key":{"customer_id":2},"value":{"customer_id":2,"name":"Grace B. Hopper","country":"US"},"timestamp":1714557800000}]'
run test -s orders_enriched
expect_rc 0 "the update that names the customer again makes it pass"
expect_out "PASS not_null_orders_enriched_customer_name"

# show: the final rows of an upsert aggregation, one a customer
run show -s customer_totals
expect_rc 0 "show an upsert table"
expect_out_re "\| +1 \| +3 \| +61\.75 \|"
if [ "$(grep -c '^| *1 |' "$OUT")" = 1 ]; then ok "one row for customer 1"; else not_ok "one row for customer 1" "$(cat "$OUT")"; fi

# sluice sql: the changelog, or with --snapshot its final rows
q="SELECT customer_id, COUNT(*) AS n FROM orders /*+ OPTIONS('scan.bounded.mode'='latest-offset') */ GROUP BY customer_id"
run sql -e "$q"
expect_rc 0 "sql prints the changelog"
expect_out_re "\| +-U \| +1 \| +1 \|"
run sql --snapshot -e "$q"
expect_rc 0 "sql --snapshot"
expect_no_out "-U" "no retractions in the snapshot"
expect_out_re "^\| +1 \| +3 \|$"
expect_out_re "^\| +2 \| +3 \|$"
expect_out "3 rows in set"

# a table model over an upsert source: its bounded job runs in streaming mode into an upsert sink
cat >models/marts/customer_names.sql <<'SQL'
{{ config(materialized='table', primary_key='customer_id',
          connector_properties={'connector': 'upsert-kafka', 'topic': 'customer_names', 'key.format': 'json', 'value.format': 'json'}) }}
select customer_id, upper(name) as name from {{ ref('customers') }}
SQL
cat >models/marts/customer_names.yml <<'YML'
version: 2
models:
  - name: customer_names
    columns:
      - name: customer_id
        data_type: BIGINT NOT NULL
        data_tests: [unique]
      - name: name
        data_type: STRING
YML
run run -s customer_names
expect_rc 0 "a table model reading an upsert table"
expect_out_re "OK created sql table model default_database.customer_names \.+ \[JOB [0-9a-f]{32} FINISHED"
gw_admin GET /statements
m=$(mode_of 'INSERT INTO `default_catalog`.`default_database`.`customer_names__dbt_tmp`')
if [ "$m" = streaming ]; then ok "its job runs in streaming mode"; else not_ok "its job runs in streaming mode" "$m"; fi
run test -s customer_names
expect_rc 0 "its test passes"

# a table that cannot be read to an end, next to an upsert table: an error naming it, in time
mkdir -p models/gen
cat >models/gen/ticks.sql <<'SQL'
{{ config(materialized='streaming_source', default_connector_properties={},
          connector_properties={'connector': 'datagen', 'rows-per-second': '5', 'fields.n.min': '1', 'fields.n.max': '3'}) }}
SQL
cat >models/gen/ticks.yml <<'YML'
version: 2
models:
  - name: ticks
    columns:
      - name: n
        data_type: BIGINT
YML
cat >tests/ticks_of_customers.sql <<'SQL'
{{ config(timeout=3) }}
select t.n from {{ ref('ticks') }} as t join {{ ref('customers') }} as c on t.n = c.customer_id where c.name is null
SQL
run run -s ticks
expect_rc 0 "an unbounded datagen source"
start=$(date +%s)
run test -s ticks_of_customers
took=$(( $(date +%s) - start ))
expect_rc 1 "the test cannot pass"
expect_out "ERROR ticks_of_customers"
expect_out "did not finish within 3 s (timeout)"
expect_out "the test session reads \`default_catalog\`.\`default_database\`.\`ticks\` (datagen without 'number-of-rows'), which cannot be read to an end"
# a bound far above the 3 s (a loaded machine runs a sanitizer build slowly), far below "never"
if [ "$took" -lt 90 ]; then ok "it fails within the timeout"; else not_ok "it fails within the timeout" "took ${took}s"; fi
gw_stop
done_testing
