#!/usr/bin/env bash
# Materializations: incremental (append, delete+insert, merge, on_schema_change, full refresh, a
# failing run that leaves the table), ephemeral models as CTEs, and a project's own
# materialization.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/inc/models" "$WORK/inc/macros" && cd "$WORK/inc"
printf 'name: inc\nprofile: inc\n' >dbt_project.yml
# rows lo..hi-1 with a version label; is_incremental() keeps only the newer ids
cat >models/events.sql <<'EOS'
{{ config(materialized='incremental', unique_key='id') }}
select * from (values {% for i in range(var('lo', 1), var('hi', 4)) %}({{ i }}, 'v{{ var("ver", 1) }}'){% if not loop.last %}, {% endif %}{% endfor %}) as t(id, label)
{% if is_incremental() %} where id >= (select max(id) from {{ this }}) {% endif %}
EOS
cat >models/log.sql <<'EOS'
{{ config(materialized='incremental') }}
select {{ var('ver', 1) }} as run_no
EOS
cat >models/merged.sql <<'EOS'
{{ config(materialized='incremental', incremental_strategy='merge', unique_key=['k1', 'k2']) }}
select * from (values (1, 'a', {{ var('ver', 1) }}), ({{ var('ver', 1) }}, 'b', 0)) as t(k1, k2, v)
EOS
run run
expect_rc 0 "first run builds the tables"
expect_out "OK created sql incremental model main.events"
expect_out "Finished running 3 incremental models"
expect_query "select id, label from events order by id" "1|v1
2|v1
3|v1"
run run --vars '{lo: 2, hi: 6, ver: 2}'
expect_rc 0 "an incremental run"
expect_query "select id, label from events order by id" "1|v1
2|v1
3|v2
4|v2
5|v2" "delete+insert replaces the rows of the same key and adds the new"
expect_query "select run_no from log order by 1" "1
2" "append adds rows"
expect_query "select k1, k2, v from merged order by 1, 2" "1|a|2
1|b|0
2|b|0" "merge updates matched keys (a list of columns) and inserts the rest"
run run --full-refresh --vars '{ver: 3}'
expect_rc 0 "--full-refresh"
expect_query "select run_no from log" "3" "--full-refresh rebuilds from scratch"

# on_schema_change
cat >models/wide.sql <<'EOS'
{{ config(materialized='incremental', on_schema_change=var('osc', 'ignore')) }}
select {{ var('ver', 1) }} as a{% if var('extra', false) %}, 'x' as b{% endif %}
EOS
run run -s wide
run run -s wide --vars '{ver: 2, extra: true}'
expect_rc 0 "ignore: a new column is left out"
expect_query "select count(*) from information_schema.columns where table_name = 'wide'" "1"
run run -s wide --vars '{ver: 3, extra: true, osc: fail}'
expect_rc 1 "fail: a changed schema fails the model"
expect_out "on_schema_change is 'fail'"
run run -s wide --vars '{ver: 4, extra: true, osc: append_new_columns}'
expect_rc 0 "append_new_columns"
expect_query "select a, coalesce(b, '-') from wide order by a" "1|-
2|-
4|x" "the new column is added and filled for new rows"
run run -s wide --vars '{ver: 5, extra: false, osc: sync_all_columns}'
expect_rc 0 "sync_all_columns"
expect_query "select count(*) from information_schema.columns where table_name = 'wide'" "1" "the dropped column is removed"

# a failing incremental run leaves the previous table
echo "{{ config(materialized='incremental', unique_key='id') }} select id, label from nowhere" >models/events.sql
run run -s events
expect_rc 1 "a failing incremental run fails"
expect_query "select count(*) from events" "3" "and leaves the previous table intact"

# ephemeral models are CTEs, never built
mkdir -p "$WORK/eph/models" && cd "$WORK/eph"
printf 'name: eph\nprofile: eph\n' >dbt_project.yml
echo "{{ config(materialized='ephemeral') }} select 1 as x union all select 2" >models/base.sql
echo "{{ config(materialized='ephemeral') }} select x * 10 as y from {{ ref('base') }}" >models/mid.sql
echo "{{ config(materialized='table') }} with z as (select 5 as y) select y from {{ ref('mid') }} union all select y from z union all select x from {{ ref('base') }}" >models/top.sql
run run
expect_rc 0 "ephemeral models compile into their callers"
expect_query "select y from top order by 1" "1
2
5
10
20"
expect_query "select count(*) from information_schema.tables where table_name in ('base', 'mid')" "0" "ephemeral models are never built"
if grep -q "__dbt__cte__mid" target/compiled/eph/models/top.sql; then ok "the compiled SQL has the CTEs"; else not_ok "the compiled SQL has the CTEs"; fi

# a project's own materialization
mkdir -p "$WORK/own/models" "$WORK/own/macros" && cd "$WORK/own"
printf 'name: own\nprofile: own\n' >dbt_project.yml
cat >macros/mat.sql <<'EOS'
{% materialization table_with_note, default %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {% call statement('main') -%}
    create or replace table {{ target_relation }} as select *, 'made by hand' as note from ({{ sql }})
  {%- endcall %}
  {{ adapter.commit() }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
EOS
echo "{{ config(materialized='table_with_note') }} select 1 as id" >models/m.sql
run run
expect_rc 0 "a project's materialization runs"
expect_query "select id, note from m" "1|made by hand"
echo "{{ config(materialized='nonesuch') }} select 1 as id" >models/m.sql
run run
expect_rc 1 "an unknown materialization fails the model"
expect_out "no materialization 'nonesuch' for adapter 'duckdb'"

done_testing
