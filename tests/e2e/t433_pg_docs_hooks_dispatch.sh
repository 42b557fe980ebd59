#!/usr/bin/env bash
# On PostgreSQL: docs generate reads pg_catalog (columns, types, comments, owner, sizes and row
# counts as stats); hooks around the run and the model; run-operation; show; macros dispatched to
# postgres__ implementations, the project's first; the cross-db macros in PostgreSQL's SQL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start

mkdir -p "$WORK/dh/models" "$WORK/dh/macros" && cd "$WORK/dh"
cat >dbt_project.yml <<'EOS'
name: dh
profile: dh
on-run-start: ["create table if not exists public.audit (what text, at timestamp default now())", "insert into public.audit (what) values ('start {{ target.type }}')"]
on-run-end: ["insert into public.audit (what) values ('end {{ results | length }}')"]
models:
  dh:
    +post-hook: "insert into public.audit (what) values ('post {{ this.identifier }}')"
EOS
pg_profile dh dh
cat >macros/m.sql <<'EOS'
{% macro greet(x) %}{{ return(adapter.dispatch('greet')(x)) }}{% endmacro %}
{% macro default__greet(x) %}{{ return('hello ' ~ x) }}{% endmacro %}
{% macro postgres__greet(x) %}{{ return('hello from postgres, ' ~ x) }}{% endmacro %}
{% macro count_rows(rel) %}
  {% set t = run_query('select count(*) as n from ' ~ rel) %}
  {% do log('rows: ' ~ t.columns[0].values()[0], info=true) %}
{% endmacro %}
EOS
cat >models/orders.sql <<'EOS'
{{ config(materialized='table') }}
select id, '{{ greet("dh") }}' as hello, {{ dbt.dateadd('day', 'id', "date '2024-01-01'") }} as due,
  {{ dbt.datediff("date '2024-01-01'", "date '2024-03-01'", 'month') }} as months,
  {{ dbt.concat(["'a'", "'b'"]) }} as ab, {{ dbt.hash("'x'") }} as h,
  {{ dbt.split_part("'a-b-c'", "'-'", -1) }} as last_part, cast(1.5 as {{ dbt.type_float() }}) as f
from generate_series(1, 3) as s(id)
EOS
echo "select * from {{ ref('orders') }} where id > 1" >models/later.sql
cat >models/schema.yml <<'EOS'
version: 2
models:
  - name: orders
    description: Orders of the day
    columns:
      - name: id
        description: The order
EOS
run run
expect_rc 0 "the run with hooks"
expect_query "select what from public.audit order by at, what" "start postgres
post orders
post later
end 2" "on-run-start, each model's post-hook, on-run-end"
expect_query "select hello, due, months, ab, h, last_part, f from {{ ref('orders') }} where id = 2" \
"hello from postgres, dh|2024-01-03 00:00:00|2|ab|9dd4e461268c8034f5c8564e155c67a6|c|1.5" \
	"dispatch finds postgres__greet; the cross-db macros give PostgreSQL's SQL"

run run-operation count_rows --args "{rel: dh.orders}"
expect_rc 0 "run-operation"
expect_out "rows: 3"
run show -s later
expect_rc 0 "show of a model"
expect_out "| id | hello"

pg_sql "comment on table dh.orders is 'commented in the database'; comment on column dh.orders.hello is 'a greeting'; analyze dh.orders"
run docs generate
expect_rc 0 "docs generate"
expect_json target/catalog.json '.nodes["model.dh.orders"].metadata.type' "BASE TABLE"
expect_json target/catalog.json '.nodes["model.dh.orders"].metadata.owner' "$PG_USER"
expect_json target/catalog.json '.nodes["model.dh.orders"].metadata.comment' "commented in the database"
expect_json target/catalog.json '.nodes["model.dh.later"].metadata.type' "VIEW"
expect_json target/catalog.json '.nodes["model.dh.orders"].columns.f.type' "double precision"
expect_json target/catalog.json '.nodes["model.dh.orders"].columns.hello.comment' "a greeting"
expect_json target/catalog.json '.nodes["model.dh.orders"].columns.due.type' "timestamp without time zone"
expect_json target/catalog.json '.nodes["model.dh.orders"].columns.months.index' "4"
expect_json target/catalog.json '.nodes["model.dh.orders"].stats.num_rows.value' "3" "the row count of an analyzed table"
expect_json target/catalog.json '.nodes["model.dh.orders"].stats.num_bytes.value > 0' "true" "its size"
expect_json target/catalog.json '.nodes["model.dh.orders"].stats.has_stats.value' "true"
expect_json target/catalog.json '.nodes["model.dh.later"].stats.has_stats.value' "false" "a view has no stats"

done_testing
