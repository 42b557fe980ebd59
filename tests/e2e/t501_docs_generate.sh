#!/usr/bin/env bash
# docs generate: target/catalog.json (dbt's catalog v1) from DuckDB's own metadata, checked
# against the database, beside target/manifest.json; --no-compile and --select.
. "$(dirname "$0")/lib.sh"
project shop

run run
expect_rc 0
run docs generate
expect_rc 0 "docs generate succeeds"
expect_out "Catalog written to"
expect_file target/catalog.json
expect_file target/manifest.json
expect_json target/catalog.json '.metadata.dbt_schema_version' 'https://schemas.getdbt.com/dbt/catalog/v1.json'
expect_json target/catalog.json '; Object.keys(d.nodes).sort().join()' 'model.shop.revenue,model.shop.stg_items,model.shop.stg_sales,model.shop.top_item'
expect_json target/catalog.json '.nodes["model.shop.revenue"].metadata.type' 'BASE TABLE'
expect_json target/catalog.json '.nodes["model.shop.stg_items"].metadata.type' 'VIEW'
expect_json target/catalog.json '; Object.values(d.nodes["model.shop.revenue"].columns).sort((a, b) => a.index - b.index).map(c => c.name + ":" + c.type).join()' \
	"$(query "select string_agg(column_name || ':' || data_type, ',' order by ordinal_position) from information_schema.columns where table_name = 'revenue'")" \
	"columns, their order and types are the database's"
# an old time stamp: a file written again would get a new one, however fast the run
touch -d '2001-02-03 04:05:06' target/compiled/shop/models/marts/revenue.sql
compiled_before=$(stat -c %Y target/compiled/shop/models/marts/revenue.sql)
run docs generate --no-compile -s revenue
expect_rc 0 "--no-compile --select"
expect_json target/catalog.json '; Object.keys(d.nodes).join()' 'model.shop.revenue' "--select limits the catalog"
if [ "$(stat -c %Y target/compiled/shop/models/marts/revenue.sql)" = "$compiled_before" ]; then ok "--no-compile compiles nothing"; else not_ok "--no-compile compiles nothing"; fi
run docs frobnicate
expect_rc 2 "an unknown docs command exits 2"

done_testing
