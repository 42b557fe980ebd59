#!/usr/bin/env bash
# --empty: every ref() and source() of a run reads no rows (dbt's render_limited), so a run checks
# SQL and schemas only: tables are made with their columns and no rows, a SQL error still fails.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/em/models" && cd "$WORK/em"
printf 'name: em\nprofile: em\nmodels:\n  em:\n    +materialized: table\n' >dbt_project.yml
cat >models/sources.yml <<'YML'
version: 2
sources:
  - name: raw
    schema: main
    tables: [{name: events}]
YML
echo "select * from {{ source('raw', 'events') }}" >models/stg.sql
echo "select id, count(*) as n from {{ ref('stg') }} group by id" >models/agg.sql
echo "select 1 as literal" >models/lit.sql
run show --inline "create table events as select * from range(10) t(id); select 1"
expect_rc 0 "the source table is created"

run run --empty
expect_rc 0 "run --empty"
expect_query "select count(*) from main.stg" "0" "a model over a source gets no rows"
expect_query "select count(*) from main.agg" "0" "a model over a model gets no rows"
expect_query "select count(*) from main.lit" "1" "a model that reads nothing is built as usual"
expect_query "select column_name from information_schema.columns where table_name = 'agg' order by 1" "id
n" "the tables have their columns"
if grep -q "where false limit 0)" target/run/em/models/stg.sql && ! grep -q "_dbt_limit_subq_" target/run/em/models/stg.sql; then
	ok "the SQL reads the source through dbt's empty subquery, without an alias on DuckDB (DuckDBRelation.require_alias)"
else
	not_ok "the SQL reads the source through dbt's empty subquery" "$(cat target/run/em/models/stg.sql)"
fi
run show --inline "select '{{ flags.EMPTY }}' as e" --limit 1
expect_out "False" "flags.EMPTY is false without --empty"

run run
expect_rc 0 "run without --empty"
expect_query "select count(*) from main.agg" "10" "the same models read their rows again"

echo "select id, no_such from {{ ref('stg') }}" >models/bad.sql
run build --empty
expect_rc 1 "a SQL error fails an --empty build"
expect_out "no_such"

done_testing
