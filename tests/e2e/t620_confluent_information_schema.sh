#!/bin/bash
# INFORMATION_SCHEMA on the Statements API double and the confluent adapter's introspection through
# it: the double serves TABLES, COLUMNS (the hidden $rowtime), TABLE_OPTIONS, KEY_COLUMN_USAGE and
# SCHEMATA from its engine's catalog and fails what Confluent refuses there (JOIN, CASE, DISTINCT);
# the adapter finds relations and columns, and docs generate writes catalog.json with the table
# options, watermark, primary key and the running statement, with no SHOW or DESCRIBE sent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ccloud.sh"

cc_start || { echo "1..0 # SKIP double"; exit 0; }
cc_submit ddl-orders "CREATE TABLE orders (id BIGINT, customer STRING, amount DECIMAL(10,2), ts TIMESTAMP(3),
	WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) COMMENT 'raw orders'"
cc_wait ddl-orders COMPLETED && ok "the orders table exists" || not_ok "the orders table exists" "$(cat "$CC_BODY")"
cc_submit ddl-customers "CREATE TABLE customers (cid STRING, name STRING COMMENT 'full name', PRIMARY KEY (cid) NOT ENFORCED)"
cc_wait ddl-customers COMPLETED && ok "the customers table exists" || not_ok "the customers table exists" "$(cat "$CC_BODY")"
cc_admin POST /topics/orders '[{"id":1,"customer":"ann","amount":10.50,"ts":"2024-01-01 10:00:00"},
	{"id":2,"customer":"bob","amount":3.00,"ts":"2024-01-01 10:00:01"},
	{"id":3,"customer":"ann","amount":7.25,"ts":"2024-01-01 10:00:02"}]'

SNAP='{"sql.snapshot.mode":"now"}'
# is_query NAME SQL: submits a snapshot query, waits for COMPLETED and reads its first page
is_query() {
	cc_submit "$1" "$2" "$SNAP"
	if ! cc_wait "$1" COMPLETED; then not_ok "$1 completes" "$(cat "$CC_BODY")"; return 1; fi
	cc_call GET "$CC_P/$1/results"
}

is_query is-tables "SELECT TABLE_NAME, TABLE_TYPE, \`COMMENT\`, IS_WATERMARKED, WATERMARK_COLUMN, IS_MATERIALIZED
	FROM \`$CC_ENV\`.\`INFORMATION_SCHEMA\`.\`TABLES\` WHERE TABLE_SCHEMA = 'cluster_0'"
cc_expect '[.results.data[].row] | sort' \
	'[["customers","BASE TABLE",null,"NO",null,"NO"],["orders","BASE TABLE","raw orders","YES","ts","NO"]]' \
	"TABLES lists the tables of the cluster with comment and watermark"
is_query is-columns "SELECT COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, FULL_DATA_TYPE, IS_HIDDEN FROM INFORMATION_SCHEMA.\`COLUMNS\`
	WHERE TABLE_SCHEMA = 'cluster_0' AND TABLE_NAME = 'orders'"
cc_expect '[.results.data[].row]' \
	'[["id","1","BIGINT","BIGINT","NO"],["customer","2","STRING","STRING","NO"],["amount","3","DECIMAL","DECIMAL(10, 2)","NO"],["ts","4","TIMESTAMP","TIMESTAMP(3)","NO"],["$rowtime","5","TIMESTAMP_LTZ","TIMESTAMP_LTZ(3) NOT NULL","YES"]]' \
	"COLUMNS in order, with the hidden system column \$rowtime"
cc_call GET "$CC_P/is-columns"
cc_expect '[.status.traits.schema.columns[] | .type.type]' '["VARCHAR","INTEGER","VARCHAR","VARCHAR","VARCHAR"]' \
	"the views' columns are STRING and INT"
is_query is-options "SELECT OPTION_KEY, OPTION_VALUE FROM INFORMATION_SCHEMA.\`TABLE_OPTIONS\`
	WHERE TABLE_SCHEMA = 'cluster_0' AND TABLE_NAME = 'customers' AND OPTION_KEY = 'connector'"
cc_expect '[.results.data[].row]' '[["connector","upsert-kafka"]]' "TABLE_OPTIONS holds the table's options"
is_query is-keys "SELECT TABLE_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.\`KEY_COLUMN_USAGE\` WHERE TABLE_SCHEMA = 'cluster_0'"
cc_expect '[.results.data[].row]' '[["customers","cid"]]' "KEY_COLUMN_USAGE holds the primary key"
is_query is-schemata "SELECT SCHEMA_NAME FROM \`$CC_ENV\`.\`INFORMATION_SCHEMA\`.\`SCHEMATA\` WHERE SCHEMA_NAME <> 'INFORMATION_SCHEMA'"
cc_expect '[.results.data[].row[0]]' '["cluster_0"]' "SCHEMATA lists the clusters"
is_query is-union "SELECT TABLE_NAME, CAST(NULL AS STRING) AS COLUMN_NAME FROM INFORMATION_SCHEMA.\`TABLES\`
	WHERE TABLE_SCHEMA = 'cluster_0' AND TABLE_NAME = 'customers'
	UNION ALL SELECT TABLE_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.\`COLUMNS\`
	WHERE TABLE_SCHEMA = 'cluster_0' AND TABLE_NAME = 'customers' AND IS_HIDDEN = 'NO'"
cc_expect '[.results.data[].row] | sort' '[["customers",null],["customers","cid"],["customers","name"]]' \
	"UNION ALL with CAST(NULL AS STRING) padding, as dbt-confluent's catalog query"

# what Confluent refuses on INFORMATION_SCHEMA (reference §12)
refused() {
	cc_submit "$1" "$2" "$SNAP"
	if [ "$(jv .status.phase)" = FAILED ] && jv .status.detail | grep -q "$3 is not supported"; then
		ok "$3 on INFORMATION_SCHEMA fails the statement"
	else
		not_ok "$3 on INFORMATION_SCHEMA fails the statement" "$(cat "$CC_BODY")"
	fi
}
refused is-join "SELECT t.TABLE_NAME, c.COLUMN_NAME FROM INFORMATION_SCHEMA.\`TABLES\` AS t
	JOIN INFORMATION_SCHEMA.\`COLUMNS\` AS c ON t.TABLE_NAME = c.TABLE_NAME" JOIN
refused is-case "SELECT CASE WHEN TABLE_TYPE = 'VIEW' THEN 'view' ELSE 'table' END FROM INFORMATION_SCHEMA.\`TABLES\`" CASE
refused is-distinct "SELECT DISTINCT TABLE_SCHEMA FROM INFORMATION_SCHEMA.\`TABLES\`" DISTINCT
cc_submit is-nowhere "SELECT * FROM INFORMATION_SCHEMA.\`NO_SUCH_VIEW\`" "$SNAP"
cc_expect .status.phase FAILED "an unknown view fails"
cc_submit plain-case "SELECT CASE WHEN amount > 5 THEN 'big' ELSE 'small' END FROM orders" "$SNAP"
cc_expect .status.phase PENDING "CASE stays allowed on ordinary tables"

# the adapter: relations, columns and the catalog through INFORMATION_SCHEMA
project cc_shop
cc_profile cc_shop "shop-" shop-e2e 1
cat >models/sources.yml <<'YML'
version: 2
sources:
  - name: shop
    schema: cluster_0
    tables:
      - name: orders
      - name: customers
YML
cat >models/live_orders.sql <<'SQL'
{{ config(materialized='streaming_table') }}
select id, customer, amount * 2 as doubled from {{ ref('big_orders') }}
SQL
cat >models/columns_of_orders.sql <<'SQL'
{{ config(materialized='table') }}
{%- set cols = adapter.get_columns_in_relation(source('shop', 'orders')) %}
select '{% for c in cols %}{{ c.name }} {{ c.data_type }}{{ ";" if not loop.last }}{% endfor %}' as cols
SQL
cc_admin GET /requests
nreq=$(jv length)
run run --profiles-dir .
expect_rc 0 "the project runs on Confluent"
expect_query 'select cols from columns_of_orders' 'id BIGINT;customer STRING;amount DECIMAL(10, 2);ts TIMESTAMP(3)' \
	"get_columns_in_relation reads COLUMNS, system columns left out"
NAME=$(grep -oE 'shop-cc-shop-live-orders-[0-9a-f]{6}-[0-9a-f]{8}' "$OUT" | head -1)
run run --profiles-dir . --select customer_totals
expect_rc 0 "a re-run finds the existing table"
run docs generate --profiles-dir .
expect_rc 0 "docs generate on Confluent"
cat=target/catalog.json
expect_json $cat '.nodes["model.cc_shop.big_orders"].metadata.type' VIEW
expect_json $cat '.nodes["model.cc_shop.customer_totals"].metadata.type' "BASE TABLE"
expect_json $cat '.nodes["model.cc_shop.customer_totals"].metadata.database' "$CC_ENV"
expect_json $cat '.nodes["model.cc_shop.customer_totals"].metadata.schema' cluster_0
expect_json $cat '.nodes && Object.keys(d.nodes["model.cc_shop.big_orders"].columns).join()' "id,customer,amount"
expect_json $cat '.nodes["model.cc_shop.big_orders"].columns.amount.type' "DECIMAL(10, 2)"
expect_json $cat '.nodes["model.cc_shop.big_orders"].columns.amount.index' 3
expect_json $cat '.sources["source.cc_shop.shop.orders"].metadata.comment' "raw orders"
expect_json $cat '.sources["source.cc_shop.shop.orders"].stats.watermark.value' "FOR ts AS \`ts\` - INTERVAL '5' SECOND"
expect_json $cat '.sources["source.cc_shop.shop.orders"].stats.connector.value' kafka
expect_json $cat '.sources["source.cc_shop.shop.orders"].stats.options.value.includes("'"'"'topic'"'"' = '"'"'orders'"'"'")' true \
	"the table options are in the catalog"
expect_json $cat '.sources["source.cc_shop.shop.orders"].columns["$rowtime"] === undefined' true "no system column"
expect_json $cat '.sources["source.cc_shop.shop.customers"].stats.primary_key.value' cid
expect_json $cat '.sources["source.cc_shop.shop.customers"].columns.name.comment' "full name"
if [ -n "$NAME" ]; then
	expect_json $cat '.nodes["model.cc_shop.live_orders"].stats.job.value.startsWith("'"$NAME"' RUNNING since ")' true \
		"the running statement (name, phase) is in the catalog"
else
	not_ok "the streaming_table's statement name" "$(cat "$OUT")"
fi
cc_admin GET /requests
cc_expect "[.[$nreq:][] | select(.method == \"POST\") | .body.spec.statement | select(test(\"^\\\\s*(SHOW|DESCRIBE)\"; \"i\"))] | length" 0 \
	"no SHOW or DESCRIBE: introspection reads INFORMATION_SCHEMA"
cc_expect "[.[$nreq:][] | select(.method == \"POST\") | .body.spec.statement | select(test(\"INFORMATION_SCHEMA\"))] | length > 3" true \
	"introspection statements were sent"
cc_expect "[.[$nreq:][] | select(.method == \"POST\" and (.body.spec.statement | test(\"INFORMATION_SCHEMA\"))) | .body.metadata.labels[\"user.confluent.io/hidden\"]] | unique" \
	'["true"]' "metadata queries are hidden statements"

# a schema that is no cluster is refused with advice, found through SCHEMATA
cat >models/elsewhere.sql <<'SQL'
{{ config(materialized='table', schema='no_such_cluster') }}
select 1 as x
SQL
cat >>dbt_project.yml <<'YML'
macro-paths: ["macros"]
YML
mkdir -p macros
cat >macros/schema_name.sql <<'SQL'
{% macro generate_schema_name(custom_schema_name, node) -%}
{{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
SQL
run run --profiles-dir . --select elsewhere
expect_rc 2 "a model in a schema that is no Kafka cluster fails"
expect_err "schema 'no_such_cluster' does not exist in environment '$CC_ENV'"
cc_stop
done_testing
