#!/bin/bash
# Confluent Cloud's catalog is eventually consistent (reference §12): a table created a moment ago
# can have no INFORMATION_SCHEMA.COLUMNS rows yet. The double holds a new table's columns back for
# --catalog-lag-ms; the adapter reads them again (0.5, 1, 2, 4, 8 s apart) while TABLES lists the
# table, and fails with advice when they never come. A relation that does not exist has no columns.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ccloud.sh"

cc_start --catalog-lag-ms 8000 || { echo "1..0 # SKIP double"; exit 0; }
project cc_shop
cc_profile cc_shop "shop-" shop-e2e 1
cat >models/columns_of_orders.sql <<'SQL'
{{ config(materialized='table') }}
{%- set cols = adapter.get_columns_in_relation(source('shop', 'orders')) %}
{%- set none_cols = adapter.get_columns_in_relation(api.Relation.create(database=target.database, schema=target.schema, identifier='nowhere')) %}
select '{% for c in cols %}{{ c.name }} {{ c.data_type }}{{ ";" if not loop.last }}{% endfor %}' as cols,
       {{ none_cols | length }} as n_nowhere
SQL
cc_submit ddl-orders 'CREATE TABLE orders (id BIGINT, customer STRING, amount DECIMAL(10,2))'
cc_wait ddl-orders COMPLETED && ok "the source table exists" || not_ok "the source table exists" "$(cat "$CC_BODY")"
cc_submit is-columns "SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.\`COLUMNS\` WHERE TABLE_NAME = 'orders'" '{"sql.snapshot.mode":"now"}'
cc_wait is-columns COMPLETED
cc_call GET "$CC_P/is-columns/results"
cc_expect '.results.data | length' 0 "right after CREATE TABLE the double shows no columns of it"
run run --profiles-dir . --select columns_of_orders
expect_rc 0 "the model that reads the columns runs"
expect_query 'select cols, n_nowhere from columns_of_orders' 'id BIGINT;customer STRING;amount DECIMAL(10, 2)|0' \
	"the columns are read again until they show; a missing relation has none"
if grep -q "INFORMATION_SCHEMA has no columns of env-abc123.cluster_0.orders yet; reading again in 500 ms" logs/sluice.log; then
	ok "each read again is a warning in the log"
else
	not_ok "each read again is a warning in the log" "$(grep -i confluent logs/sluice.log | tail -20)"
fi
cc_stop

# columns that never come: an error that says what to do
cc_start --catalog-lag-ms 600000
cc_profile cc_shop "shop-" shop-e2e 1
cc_submit ddl-orders 'CREATE TABLE orders (id BIGINT, customer STRING, amount DECIMAL(10,2))'
cc_wait ddl-orders COMPLETED
run run --profiles-dir . --select columns_of_orders
expect_rc 1 "columns that never show fail the model"
expect_out "INFORMATION_SCHEMA lists table env-abc123.cluster_0.orders but none of its columns after 6 reads over 15.5 s"
expect_out "try again in a minute"
cc_stop
done_testing
