#!/usr/bin/env bash
# --resource-type / --exclude-resource-type on build, test and ls, and source_status:fresher: the
# sources loaded since the --state run (its sources.json against this run's), and what reads them.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/rs/models" "$WORK/rs/seeds" && cd "$WORK/rs"
printf 'name: rs\nprofile: rs\n' >dbt_project.yml
printf 'id\n1\n2\n' >seeds/ids.csv
cat >models/sources.yml <<'EOS'
sources:
  - name: raw
    schema: main
    loaded_at_field: loaded_at
    freshness: {warn_after: {count: 1, period: day}}
    tables:
      - name: orders
      - name: events
      - name: broken
        loaded_at_field: no_such_column
models:
  - name: stg_orders
    columns:
      - name: id
        data_tests: [not_null]
unit_tests:
  - name: stg_orders_passes_rows
    model: stg_orders
    given:
      - input: source('raw', 'orders')
        rows: [{id: 1}]
    expect:
      rows: [{id: 1}]
EOS
echo "select id from {{ source('raw', 'orders') }}" >models/stg_orders.sql
echo "select * from {{ source('raw', 'events') }}" >models/stg_events.sql
echo "select * from {{ ref('ids') }}" >models/from_seed.sql
run show --inline "create table orders as select 1 as id, timestamp '2024-01-01 10:00:00' as loaded_at;
create table events as select 1 as id, timestamp '2024-01-01 10:00:00' as loaded_at;
create table broken as select 1 as id; select 1"
expect_rc 0 "the source tables are created"

# --resource-type and --exclude-resource-type
run build --resource-type model
expect_rc 1 "build --resource-type model runs models only (one reads a seed not built yet)"
expect_out "Finished running 3 view models in"
expect_no_out "PASS not_null_stg_orders_id" "no data test runs"
run build --exclude-resource-type model test
expect_rc 0 "build --exclude-resource-type model test"
expect_out "OK loaded seed file main.ids"
expect_out_re "PASS stg_orders::stg_orders_passes_rows" "the unit test runs"
expect_no_out "START sql view model" "no model is built"
run build --resource-type model seed
expect_rc 0 "build --resource-type model seed"
expect_out "Finished running 1 seed, 3 view models in"
run test --resource-type unit_test
expect_rc 0 "test --resource-type unit_test"
expect_out "Finished running 1 unit test in"
run test --exclude-resource-type unit_test
expect_rc 0 "test --exclude-resource-type unit_test"
expect_out "Finished running 1 test in"
run ls --resource-type source --output name
if [ "$(tr '\n' ' ' <"$OUT")" = "raw.broken raw.events raw.orders " ]; then ok "ls --resource-type source"
else not_ok "ls --resource-type source" "$(cat "$OUT")"; fi
run ls --exclude-resource-type source test unit_test model --output name
if [ "$(cat "$OUT")" = "ids" ]; then ok "ls --exclude-resource-type"; else not_ok "ls --exclude-resource-type" "$(cat "$OUT")"; fi
run ls --resource-type modle
expect_rc 2 "an unknown resource type"
expect_err "Error: Invalid value for '--resource-type': 'modle' is not one of"

# source_status:fresher
run source freshness
cp -r target "$WORK/before"
run show --inline "insert into orders values (2, timestamp '2024-01-02 10:00:00'); select 1"
run source freshness
run ls -s source_status:fresher --state "$WORK/before" --output name
expect_rc 0 "ls -s source_status:fresher"
if [ "$(cat "$OUT")" = "raw.orders" ]; then ok "only the source loaded since is fresher"
else not_ok "only the source loaded since is fresher" "$(cat "$OUT")"; fi
run ls -s source_status:fresher+ --state "$WORK/before" --output name --resource-type model
if [ "$(cat "$OUT")" = "stg_orders" ]; then ok "source_status:fresher+ selects what reads it"
else not_ok "source_status:fresher+ selects what reads it" "$(cat "$OUT")"; fi
run build -s source_status:fresher+ --state "$WORK/before"
expect_rc 0 "build -s source_status:fresher+"
expect_out "OK created sql view model main.stg_orders"
expect_no_out "stg_events"
run ls -s source_status:fresher
expect_rc 2 "source_status without --state"
expect_err "Got a state selector method, but no comparison manifest ('source_status:fresher')"
rm "$WORK/before/sources.json"
run ls -s source_status:fresher --state "$WORK/before"
expect_rc 2 "source_status without the state's sources.json"
expect_err "sources.json: cannot read it"
run ls -s source_status:stale --state "$WORK/before"
expect_rc 2 "a status other than fresher"
expect_err "'stale' is not a status of the selector 'source_status:stale'"

done_testing
