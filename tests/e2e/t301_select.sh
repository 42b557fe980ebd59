#!/usr/bin/env bash
# Node selection through `ls`: names, graph operators, tag:, path:, fqn, unions, intersections,
# --exclude, --resource-type and the output formats.
. "$(dirname "$0")/lib.sh"
project shop

sel() {  # sel EXPECTED ARGS...: `ls --output name` with ARGS prints EXPECTED (sorted, one line)
	local want=$1
	shift
	run ls --output name --resource-type model "$@"
	local got
	got=$(sort "$OUT" | tr '\n' ' ' | sed 's/ $//')
	if [ "$RC" = 0 ] && [ "$got" = "$want" ]; then ok "ls $*"; else not_ok "ls $*" "want: $want
got:  $got
$(cat "$ERR")"; fi
}

sel "revenue stg_items stg_sales top_item"
sel "revenue" -s revenue
sel "revenue stg_items stg_sales" -s +revenue
sel "revenue top_item" -s revenue+
sel "revenue stg_sales top_item" -s stg_sales+
sel "revenue stg_items stg_sales" -s 1+revenue
sel "revenue top_item" -s revenue+1
sel "revenue top_item" -s tag:nightly
sel "revenue" -s tag:finance
sel "stg_items stg_sales" -s path:models/staging
sel "revenue" -s path:models/marts/revenue.sql
sel "stg_items stg_sales" -s shop.staging
sel "stg_items" -s shop.staging.stg_items
sel "revenue stg_items" -s revenue stg_items
sel "revenue" -s tag:nightly,tag:finance
sel "stg_items stg_sales top_item" --exclude revenue
sel "stg_items stg_sales" -s +top_item --exclude tag:nightly
# fqn selectors as dbt's is_selected_node matches them: the whole fqn, or the fqn without its
# package; a wildcard matches the rest of the fqn joined with dots, so stg_* names nothing under
# models/staging (shop.staging.stg_items) and st* everything there
run ls --output name --resource-type model -s "stg_*"
expect_out "No nodes selected!" "stg_* names nothing under models/staging, as in dbt"
sel "stg_items stg_sales" -s "st*"
sel "stg_items stg_sales" -s staging
sel "stg_items stg_sales" -s "staging.*"
sel "stg_items stg_sales" -s shop.staging
sel "stg_items" -s staging.stg_items
sel "revenue top_item" -s config.materialized:table
sel "revenue stg_items stg_sales top_item" -s @stg_sales

run ls
expect_rc 0 "plain ls"
expect_out "shop.marts.revenue" "the default output is selectors"
expect_out "shop.marts.unique_revenue_item_name" "tests are listed with their fqn"

run ls --resource-type test --output name
expect_out "not_null_revenue_item_name"
expect_out "unique_revenue_item_name"
expect_no_out "stg_items" "only tests"

run ls -s revenue --resource-type test --output name
expect_out "unique_revenue_item_name" "selecting a model selects its tests"

run ls --output path -s revenue --resource-type model
expect_out "models/marts/revenue.sql"

run ls --output json -s revenue --resource-type model
expect_out '"unique_id": "model.shop.revenue"'
expect_out '"resource_type": "model"'
expect_out '"materialized": "table"'

run ls --output json --output-keys "name resource_type" -s revenue --resource-type model
expect_out '{"name": "revenue", "resource_type": "model"}' "--output-keys picks the keys"

run ls -s nosuchmodel
expect_rc 0 "a selector matching nothing is not an error"
expect_err "does not match any" "but a warning"

run ls -s "foo:bar"
expect_rc 2 "an unknown selector method exits 2"

done_testing
