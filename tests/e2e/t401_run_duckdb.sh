#!/usr/bin/env bash
# A run on DuckDB through a profile: tables and views with the right contents, progress lines,
# the summary, compiled and run SQL, manifest.json, run_results.json and the log.
. "$(dirname "$0")/lib.sh"
project shop

run run
expect_rc 0 "run succeeds"
expect_out "Running with sluice="
expect_out "Found 4 models"
expect_out "Concurrency: 2 threads (target='dev')"
expect_out "START sql view model main.stg_items"
expect_out "OK created sql table model main.revenue"
expect_out "Done. PASS=4 WARN=0 ERROR=0 SKIP=0 TOTAL=4"
expect_no_out "No profiles.yml found" "a profile in the project is used"
expect_file target/shop.duckdb "the database file is where the profile's path says"

expect_query "select item_name, revenue, currency from {{ ref('revenue') }} order by 1" \
"apple|6.0|EUR
pear|0.8|EUR
plum|4.5|EUR" "revenue has the right rows"
expect_query "select * from {{ ref('top_item') }}" "apple" "top_item is built from revenue"
expect_query "select table_name, table_type from information_schema.tables where table_schema = 'main' order by 1" \
"revenue|BASE TABLE
stg_items|VIEW
stg_sales|VIEW
top_item|BASE TABLE" "views and tables as configured, no leftovers"

expect_file target/compiled/shop/models/marts/revenue.sql
expect_file target/run/shop/models/marts/revenue.sql
if grep -q "'apple', 'pear', 'plum'" target/compiled/shop/models/marts/revenue.sql; then ok "compiled SQL has the loop rendered"; else not_ok "compiled SQL has the loop rendered" "$(cat target/compiled/shop/models/marts/revenue.sql)"; fi
if grep -q '"shop"."main"."stg_sales"' target/compiled/shop/models/marts/revenue.sql; then ok "ref() renders the quoted relation"; else not_ok "ref() renders the quoted relation"; fi
if grep -qi "create table" target/run/shop/models/marts/revenue.sql; then ok "run SQL has the DDL"; else not_ok "run SQL has the DDL"; fi

expect_file target/manifest.json
expect_json target/manifest.json '.nodes["model.shop.revenue"].config.materialized' table
expect_json target/manifest.json '.nodes["model.shop.stg_items"].config.materialized' view
expect_json target/manifest.json '.nodes["model.shop.revenue"].depends_on.nodes' '["model.shop.stg_sales","model.shop.stg_items"]'
expect_json target/manifest.json '.nodes["model.shop.revenue"].fqn' '["shop","marts","revenue"]'
expect_json target/manifest.json '.nodes["model.shop.revenue"].description' 'Revenue per item'
expect_json target/manifest.json '.nodes["model.shop.revenue"].columns.item_name.description' 'The item'
expect_json target/manifest.json '.nodes["model.shop.revenue"].config.tags' '["nightly","finance"]'
expect_json target/manifest.json '.parent_map["model.shop.top_item"]' '["model.shop.revenue"]'
expect_json target/manifest.json '.child_map["model.shop.revenue"]' '["model.shop.top_item","test.shop.not_null_revenue_item_name.b5e0a3b111","test.shop.unique_revenue_item_name.962666fc0a"]'
expect_json target/manifest.json '.metadata.dbt_schema_version' 'https://schemas.getdbt.com/dbt/manifest/v12.json'
expect_json target/run_results.json '.results.length' 4
expect_json target/run_results.json '.results.every(r => r.status === "success")' true
expect_json target/run_results.json '.metadata.dbt_schema_version' 'https://schemas.getdbt.com/dbt/run-results/v6.json'
expect_json target/run_results.json '.results[0].timing.map(t => t.name).join()' 'compile,execute'
expect_file logs/sluice.log

# a second run replaces everything in place
run run
expect_rc 0 "a second run succeeds"
expect_query "select count(*) from {{ ref('revenue') }}" "3" "the second run rebuilt revenue"

# another target of the same profile
run run --target other
expect_rc 0 "run --target other succeeds"
expect_out "OK created sql table model analytics.revenue"
expect_file target/other.duckdb

done_testing
