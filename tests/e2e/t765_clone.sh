#!/usr/bin/env bash
# sluice clone --state DIR makes each selected model's, seed's and snapshot's relation from the
# one the state run built, as dbt's clone: a view selecting from it (DuckDB clones no table),
# nothing where the relation exists already (No-op) unless --full-refresh, nothing for a node the
# state has no relation for; it needs --state.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/cl/models" "$WORK/cl/seeds" && cd "$WORK/cl"
printf 'name: cl\nprofile: cl\n' >dbt_project.yml
cat >profiles.yml <<'EOS'
cl:
  target: prod
  outputs:
    prod: {type: duckdb, path: cl.duckdb, schema: prod}
    dev: {type: duckdb, path: cl.duckdb, schema: dev}
EOS
echo "{{ config(materialized='table') }} select 1 as id" >models/t.sql
echo "select id + 1 as id from {{ ref('t') }}" >models/v.sql
printf 'x\n7\n' >seeds/s.csv
run build
expect_rc 0 "the prod build"
cp -r target prod-target
run clone --target dev
expect_rc 2 "clone without --state"
expect_err "clone needs --state"
run clone --state prod-target --target dev
expect_rc 0 "clone into dev"
expect_out "Done. PASS=3 WARN=0 ERROR=0 SKIP=0 TOTAL=3"
expect_no_out "START" "no line of its own for each node, as dbt's CloneRunner"
expect_query "select table_name || ':' || table_type from information_schema.tables where table_schema = 'dev' order by 1" \
	"s:VIEW
t:VIEW
v:VIEW" "dev has a view for each"
expect_query "select (select id from dev.v) || ',' || (select x from dev.s)" "2,7" "selecting from prod's relations"
expect_json target/run_results.json '.results.map(r => r.message).join(",")' "OK,OK,OK"
run clone --state prod-target --target dev
expect_rc 0 "again"
expect_out "Relation \"cl\".\"dev\".\"t\" already exists" "an existing relation is left"
expect_json target/run_results.json '.results.map(r => r.message).join(",")' "No-op,No-op,No-op"
echo "select 3 as id" >models/new_one.sql
run clone --state prod-target --target dev -s new_one
expect_out "No relation found in state manifest for model.cl.new_one" "a node the state did not build"
run clone --state prod-target --target dev --full-refresh -s t
expect_json target/run_results.json '.results.map(r => r.message).join(",")' "OK" "--full-refresh makes it again"
done_testing
