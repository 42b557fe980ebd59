#!/usr/bin/env bash
# Partial parsing of properties files: when a changed properties file describes models and sources
# only (version:, models: and sources:, before and after), the models it describes are parsed again
# with their new entries, its sources replaced (their callers resolved again) and its generic
# tests built again, the rest read from the snapshot, as dbt's partial parsing re-reads a changed
# schema file alone. What it may not do alone (a config other nodes see, a missing or doubly
# described model, seeds and other kinds of entries, another kind of file) means a full parse,
# with the reason in the log. SLUICE_SNAPSHOT_CHECK=1 loads each project whole as well and
# compares the two node by node (exit 70 on any difference), so every expect_rc 0 below also says
# the partial parse gave what a full parse gives.
. "$(dirname "$0")/lib.sh"

export SLUICE_SNAPSHOT_CHECK=1
LOG=logs/sluice.log
M=target/manifest.json
expect_m() {
	local got
	got=$(json_get "$M" "$1")
	if [ "$got" = "$2" ]; then ok "manifest$1 = $2"; else not_ok "manifest$1 = $2" "got: $got"; fi
}
# edit FROM TO: in models/schema.yml, the first FROM becomes TO
edit() {
	node -e '
		const fs = require("fs"), f = "models/schema.yml";
		const s = fs.readFileSync(f, "utf8");
		if (!s.includes(process.argv[1])) { console.error("edit: not found: " + process.argv[1]); process.exit(1); }
		fs.writeFileSync(f, s.replace(process.argv[1], process.argv[2]));
	' "$1" "$2"
}
# files changed in the second a snapshot was written are hashed, not trusted by their mtime
tick() { sleep 1.1; }

project jaffle_shop_duckdb
echo "select *, 1 as one from {{ ref('orders') }}" >models/extra.sql
load_once compile --profiles-dir .
expect_rc 0 "compile"
expect_how full "the first load parses"
load_once compile --profiles-dir .
expect_how snapshot "the second reads the snapshot"
tests_before=$(node -e 'const m=require("./target/manifest.json");console.log(Object.keys(m.nodes).filter(k=>k.startsWith("test.")).length)')

# a description
tick
edit "description: This table has basic information about a customer" "description: Customers, described again"
load_once compile --profiles-dir .
expect_rc 0 "a changed description"
expect_how partial "a properties file of models is parsed again alone"
expect_m '.nodes["model.jaffle_shop.customers"].description' "Customers, described again, as well as some derived facts based on a customer's orders"

# a test added, on a column that had none
tick
edit "        description: Customer's first name. PII." "        description: Customer's first name. PII.
        data_tests: [not_null]"
load_once compile --profiles-dir .
expect_rc 0 "an added test"
expect_how partial "the file's tests are built again"
expect_m '.nodes["test.jaffle_shop.not_null_customers_first_name.602d132c3b"].depends_on.nodes' '["model.jaffle_shop.customers"]'
expect_m '.nodes["test.jaffle_shop.not_null_customers_first_name.602d132c3b"].column_name' "first_name"
expect_m '.child_map["model.jaffle_shop.customers"]' '["test.jaffle_shop.not_null_customers_customer_id.5c9bf9911d","test.jaffle_shop.not_null_customers_first_name.602d132c3b","test.jaffle_shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2","test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1"]'

# tests removed
tick
edit "        description: This is a unique identifier for a customer
        data_tests: [unique, not_null]" "        description: This is a unique identifier for a customer"
load_once compile --profiles-dir .
expect_rc 0 "removed tests"
expect_how partial "removed tests go"
expect_m '.nodes["test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1"]' "undefined"
tests_now=$(node -e 'const m=require("./target/manifest.json");console.log(Object.keys(m.nodes).filter(k=>k.startsWith("test.")).length)')
if [ "$tests_now" = "$((tests_before - 1))" ]; then ok "one test fewer in all ($tests_now)"
else not_ok "one test fewer in all" "before $tests_before, now $tests_now"; fi

# a model described for the first time, with a doc() description and a test, its SQL changed too
tick
edit "  - name: orders
" "  - name: extra
    description: '{{ doc(\"orders_status\") }} And more.'
    columns:
      - name: order_id
        data_tests: [unique]
  - name: orders
"
echo "select *, 2 as two from {{ ref('orders') }}" >models/extra.sql
load_once compile --profiles-dir .
expect_rc 0 "a newly described model whose SQL changed too"
expect_how partial "both files are parsed again alone"
expect_m '.nodes["model.jaffle_shop.extra"].patch_path' "jaffle_shop://models/schema.yml"
expect_m '.nodes["model.jaffle_shop.extra"].raw_code' "select *, 2 as two from {{ ref('orders') }}"
expect_m '.nodes["model.jaffle_shop.extra"].columns.order_id.name' "order_id"
expect_m '.child_map["model.jaffle_shop.extra"]' '["test.jaffle_shop.unique_extra_order_id.97e272357b"]'
desc=$(json_get "$M" '.nodes["model.jaffle_shop.extra"].description')
case "$desc" in
"Orders can be one of the following statuses:"*"| returned "*" And more.") ok "its doc() description is rendered" ;;
*) not_ok "its doc() description is rendered" "$desc" ;;
esac

# tags, meta and docs are the model's own: parsed again alone
tick
edit "  - name: extra
" "  - name: extra
    config:
      tags: [nightly]
      meta: {owner: ana}
"
load_once compile --profiles-dir .
expect_rc 0 "tags and meta in the entry"
expect_how partial "tags and meta are parsed again alone"
expect_m '.nodes["model.jaffle_shop.extra"].tags' '["nightly"]'
expect_m '.nodes["model.jaffle_shop.extra"].meta.owner' "ana"
run ls --profiles-dir . -s tag:nightly
expect_out "jaffle_shop.extra"

# the entry removed: the model loses its description and its tests
tick
edit "  - name: extra
    config:
      tags: [nightly]
      meta: {owner: ana}
    description: '{{ doc(\"orders_status\") }} And more.'
    columns:
      - name: order_id
        data_tests: [unique]
" ""
load_once compile --profiles-dir .
expect_rc 0 "an entry removed"
expect_how partial "the model is parsed again without it"
expect_m '.nodes["model.jaffle_shop.extra"].patch_path' "null"
expect_m '.nodes["model.jaffle_shop.extra"].description' ""
expect_m '.child_map["model.jaffle_shop.extra"]' "[]"

# a build from a partial parse runs the tests the file has now
load_once build --profiles-dir .
expect_rc 0 "build"
expect_how snapshot "build reads the snapshot compile wrote"
tick
edit "        description: Customer's last name. PII." "        description: Customer's last name. PII.
        data_tests: [not_null]"
load_once build --profiles-dir .
expect_rc 0 "build with a test added"
expect_how partial "build parses the changed file again alone"
expect_out "PASS not_null_customers_last_name"
expect_query "select count(*) from {{ ref('extra') }}" "99" "the tables are built"

# a config only the model itself sees: its materialization, its relation's names
tick
edit "  - name: orders
" "  - name: orders
    config:
      materialized: view
      alias: all_orders
"
load_once compile --profiles-dir .
expect_rc 0 "a materialization and an alias"
expect_how partial "the model's own config is parsed again alone"
expect_m '.nodes["model.jaffle_shop.orders"].config.materialized' "view"
expect_m '.nodes["model.jaffle_shop.orders"].relation_name' '"postgres"."jaffle"."all_orders"'
# an alias another model's relation has: dbt's error, from the partial parse as from a full one
tick
edit "      alias: all_orders" "      alias: customers"
load_once compile --profiles-dir .
expect_rc 2 "two models with one relation"
expect_err 'dbt found two resources with the database representation ""postgres"."jaffle"."customers""'
expect_err "model.jaffle_shop.customers (models/customers.sql) and model.jaffle_shop.orders (models/orders.sql)"
edit "      alias: customers
" ""
load_once compile --profiles-dir .
expect_rc 0 "fixed"

# what a partial parse may not do alone: a full parse, and the log says why
tick
edit "      materialized: view
" "      materialized: view
      access: public
"
load_once compile --profiles-dir .
expect_rc 0 "a config other nodes see"
expect_how full "a changed access"
reason "'$WORK/jaffle_shop_duckdb/models/schema.yml' changed the config of 'orders'"
expect_m '.nodes["model.jaffle_shop.orders"].access' "public"

tick
edit "  - name: orders
" "  - name: nope
    description: no such model
  - name: orders
"
load_once compile --profiles-dir .
expect_rc 0 "an entry for a missing model"
expect_how full "is parsed in full, which warns"
reason "'$WORK/jaffle_shop_duckdb/models/schema.yml' describes 'nope', which is not one unversioned model"
expect_err "models/schema.yml:"
expect_err "'nope' is described here but no such model"
edit "  - name: nope
    description: no such model
" ""
load_once compile --profiles-dir .
expect_rc 0 "fixed"

tick
edit "  - name: orders
" "  - name: stg_orders
    description: described in two files
  - name: orders
"
load_once compile --profiles-dir .
expect_rc 2 "a model described in two files"
expect_how full "is parsed in full, which reports it"
reason "'$WORK/jaffle_shop_duckdb/models/schema.yml' describes 'stg_orders', which another properties file describes"
expect_err "'stg_orders' is described twice"
edit "  - name: stg_orders
    description: described in two files
" ""
load_once compile --profiles-dir .
expect_rc 0 "fixed again"

# sources: the file's are replaced, and the nodes that call source() on them resolved again
tick
printf 'sources:\n  - name: raw\n    schema: jaffle\n    tables:\n      - name: t\n        identifier: raw_orders\n' >>models/schema.yml
load_once compile --profiles-dir .
expect_rc 0 "a source added to the file"
expect_how partial "a file that describes sources is parsed again alone"
expect_m '.sources["source.jaffle_shop.raw.t"].name' "t"
expect_m '.sources["source.jaffle_shop.raw.t"].relation_name' '"postgres"."jaffle"."raw_orders"'
echo "select * from {{ source('raw', 't') }}" >models/from_raw.sql
load_once compile --profiles-dir .
expect_how full "an added model"
tick
edit "        identifier: raw_orders
" "        identifier: raw_payments
        description: now the payments
        columns:
          - name: id
            data_tests: [not_null]
"
load_once compile --profiles-dir .
expect_rc 0 "the source changed (checked against a full load)"
expect_how partial "the source is parsed again alone"
expect_m '.sources["source.jaffle_shop.raw.t"].description' "now the payments"
expect_m '.sources["source.jaffle_shop.raw.t"].relation_name' '"postgres"."jaffle"."raw_payments"'
expect_m '.nodes["model.jaffle_shop.from_raw"].depends_on.nodes' '["source.jaffle_shop.raw.t"]'
expect_m '.child_map["source.jaffle_shop.raw.t"]' '["model.jaffle_shop.from_raw","test.jaffle_shop.source_not_null_raw_t_id.e00a82bbac"]'
if grep -q '"jaffle"."raw_payments"' target/compiled/jaffle_shop/models/from_raw.sql; then ok "the model reads the new table"
else not_ok "the model reads the new table" "$(cat target/compiled/jaffle_shop/models/from_raw.sql)"; fi
tick
edit "      - name: t
" "      - name: u
"
load_once compile --profiles-dir .
expect_rc 2 "a table a model reads, renamed"
expect_err "depends on a source named 'raw.t' which was not found"
expect_err "did you mean 'raw.u'?"
rm models/from_raw.sql
load_once compile --profiles-dir .
expect_rc 0 "the model removed"
tick
node -e 'const fs=require("fs");const s=fs.readFileSync("models/schema.yml","utf8");fs.writeFileSync("models/schema.yml",s.slice(0,s.indexOf("sources:")))'
load_once compile --profiles-dir .
expect_rc 0 "the source removed"
expect_how partial "a file that described sources is parsed again alone"
expect_m '.sources["source.jaffle_shop.raw.u"]' "undefined"
# more than models and sources: a full parse
tick
printf 'seeds:\n  - name: raw_orders\n    description: orders as loaded\n' >>models/schema.yml
load_once compile --profiles-dir .
expect_rc 0 "a seed described in the file"
expect_how full "a file that describes seeds"
reason "'$WORK/jaffle_shop_duckdb/models/schema.yml' changed, and it describes more than the project's models and sources now"
expect_m '.nodes["seed.jaffle_shop.raw_orders"].description' "orders as loaded"
tick
node -e 'const fs=require("fs");const s=fs.readFileSync("models/schema.yml","utf8");fs.writeFileSync("models/schema.yml",s.slice(0,s.indexOf("seeds:")))'
load_once compile --profiles-dir .
expect_how full "a file that described seeds"
reason "'$WORK/jaffle_shop_duckdb/models/schema.yml' changed, and it describes more than the project's models and sources"

tick
edit "  - name: orders
" "  - name: orders
    description: [not closed
"
load_once compile --profiles-dir .
expect_rc 2 "a properties file with an error"
expect_how full "is parsed in full, which reports it"
expect_err "models/schema.yml:"

done_testing
