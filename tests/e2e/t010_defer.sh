#!/usr/bin/env bash
# --defer: a model whose parent is not built in this environment reads the parent that the --state
# run built (prod); with --favor-state it does so for every parent this run does not build.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/df/models" && cd "$WORK/df"
printf 'name: df\nprofile: df\nmodels:\n  df:\n    +materialized: table\n' >dbt_project.yml
cat >profiles.yml <<'YML'
df:
  target: dev
  outputs:
    dev: {type: duckdb, path: df.duckdb, schema: dev}
    prod: {type: duckdb, path: df.duckdb, schema: prod}
YML
echo "select {{ 1 if target.name == 'prod' else 2 }} as env" >models/a.sql
echo "select * from {{ ref('a') }}" >models/b.sql

run run --target prod
expect_rc 0 "the production run"
cp -r target "$WORK/prod-state"
rm -rf target

run run -s b
expect_rc 1 "without --defer, b cannot read a missing dev.a"

run run -s b --defer --state "$WORK/prod-state"
expect_rc 0 "with --defer, b reads prod.a"
expect_query "select env from dev.b" "1" "the deferred parent is production's"
if grep -q '"prod"."a"' target/run/df/models/b.sql; then ok "the SQL names prod.a"
else not_ok "the SQL names prod.a" "$(cat target/run/df/models/b.sql)"; fi

run run -s a
expect_rc 0 "dev.a is built"
run run -s b --defer --state "$WORK/prod-state"
expect_rc 0 "defer when the dev parent exists"
expect_query "select env from dev.b" "2" "an existing dev parent wins without --favor-state"

run run -s b --defer --favor-state --state "$WORK/prod-state"
expect_rc 0 "--favor-state"
expect_query "select env from dev.b" "1" "--favor-state reads production's parent though dev.a exists"

run run -s a b --defer --favor-state --state "$WORK/prod-state"
expect_rc 0 "a parent built in the same run"
expect_query "select env from dev.b" "2" "a parent this run builds is never deferred"

run show --inline "select '{{ flags.DEFER }}' as d" --limit 1 --defer --state "$WORK/prod-state"
expect_out "True" "flags.DEFER"

run run -s b --defer
expect_rc 2 "--defer without --state exits 2"
expect_err "Received a --defer argument, but no value was provided to --state"

run run -s b --defer --defer-state "$WORK/prod-state" --favor-state
expect_rc 0 "--defer-state alone"
expect_query "select env from dev.b" "1" "--defer-state names the run to defer to"

done_testing
