#!/usr/bin/env bash
# Materializations on PostgreSQL: incremental (append, delete+insert, merge with MERGE and with its
# fallback, on_schema_change, --full-refresh, a failing run that leaves the table), ephemeral,
# table/view swaps, unlogged tables, materialized views (created, refreshed, rebuilt), indexes,
# grants (granted, and revoked once the config drops them).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start
pg_sql "create role reader; create role auditor"

mkdir -p "$WORK/inc/models" "$WORK/inc/macros" && cd "$WORK/inc"
printf 'name: inc\nprofile: inc\n' >dbt_project.yml
pg_profile inc analytics
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
# the UPDATE ... FROM + INSERT that replaces MERGE before PostgreSQL 15, through a strategy of the project
cat >macros/oldmerge.sql <<'EOS'
{% macro get_incremental_oldmerge_sql(arg_dict) %}
  {{ return(postgres_update_insert_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'], arg_dict['dest_columns'], arg_dict['incremental_predicates'])) }}
{% endmacro %}
EOS
cat >models/merged_old.sql <<'EOS'
{{ config(materialized='incremental', incremental_strategy='oldmerge', unique_key=['k1', 'k2']) }}
select * from (values (1, 'a', {{ var('ver', 1) }}), ({{ var('ver', 1) }}, 'b', 0)) as t(k1, k2, v)
EOS
run run
expect_rc 0 "first run builds the tables"
expect_out "OK created sql incremental model analytics.events"
expect_out "Finished running 4 incremental models"
expect_query "select id, label from {{ ref('events') }} order by id" "1|v1
2|v1
3|v1"
run run --vars '{lo: 2, hi: 6, ver: 2}'
expect_rc 0 "an incremental run"
expect_query "select id, label from {{ ref('events') }} order by id" "1|v1
2|v1
3|v2
4|v2
5|v2" "delete+insert replaces the rows of the same key and adds the new"
expect_query "select run_no from {{ ref('log') }} order by 1" "1
2" "append adds rows"
expect_query "select k1, k2, v from {{ ref('merged') }} order by 1, 2" "1|a|2
1|b|0
2|b|0" "merge (MERGE) updates matched keys and inserts the rest"
expect_query "select k1, k2, v from {{ ref('merged_old') }} order by 1, 2" "1|a|2
1|b|0
2|b|0" "the fallback without MERGE gives the same rows"
if grep -qi "^ *merge into" target/run/inc/models/merged.sql; then ok "merge runs MERGE on this server"
else not_ok "merge runs MERGE on this server" "$(cat target/run/inc/models/merged.sql)"; fi
run run --full-refresh --vars '{ver: 3}'
expect_rc 0 "--full-refresh"
expect_query "select run_no from {{ ref('log') }}" "3" "--full-refresh rebuilds from scratch"

cat >models/wide.sql <<'EOS'
{{ config(materialized='incremental', on_schema_change=var('osc', 'ignore')) }}
select {{ var('ver', 1) }} as a{% if var('extra', false) %}, 'x'::text as b{% endif %}
EOS
ncols="select count(*) from information_schema.columns where table_schema = 'analytics' and table_name = 'wide'"
run run -s wide
run run -s wide --vars '{ver: 2, extra: true}'
expect_rc 0 "ignore: a new column is left out"
expect_query "$ncols" "1"
run run -s wide --vars '{ver: 3, extra: true, osc: fail}'
expect_rc 1 "fail: a changed schema fails the model"
expect_out "on_schema_change is 'fail'"
run run -s wide --vars '{ver: 4, extra: true, osc: append_new_columns}'
expect_rc 0 "append_new_columns"
expect_query "select a, coalesce(b, '-') from {{ ref('wide') }} order by a" "1|-
2|-
4|x" "the new column is added and filled for new rows"
run run -s wide --vars '{ver: 5, extra: false, osc: sync_all_columns}'
expect_rc 0 "sync_all_columns"
expect_query "$ncols" "1" "the dropped column is removed"

echo "{{ config(materialized='incremental', unique_key='id') }} select id, label from nowhere" >models/events.sql
run run -s events
expect_rc 1 "a failing incremental run fails"
expect_out 'relation "nowhere" does not exist' "the server's error is shown"
expect_query "select count(*) from {{ ref('log') }}" "1"
expect_query "select count(*) from analytics.events" "3" "and leaves the previous table intact"
rm models/events.sql

# ephemeral models are CTEs, never built
mkdir -p "$WORK/eph/models" && cd "$WORK/eph"
printf 'name: eph\nprofile: eph\n' >dbt_project.yml
pg_profile eph eph
echo "{{ config(materialized='ephemeral') }} select 1 as x union all select 2" >models/base.sql
echo "{{ config(materialized='ephemeral') }} select x * 10 as y from {{ ref('base') }}" >models/mid.sql
echo "{{ config(materialized='table') }} select y from {{ ref('mid') }} union all select x from {{ ref('base') }}" >models/top.sql
run run
expect_rc 0 "ephemeral models compile into their callers"
expect_query "select y from {{ ref('top') }} order by 1" "1
2
10
20"
expect_query "select count(*) from information_schema.tables where table_schema = 'eph'" "1" "only top exists"

# tables, views, swaps; unlogged; materialized views; indexes; grants
mkdir -p "$WORK/rel/models" && cd "$WORK/rel"
printf 'name: rel\nprofile: rel\n' >dbt_project.yml
pg_profile rel rel
echo "{{ config(materialized=var('kind', 'table'), unlogged=true, indexes=[{'columns': ['id'], 'unique': true}, {'columns': ['id', 'n'], 'type': 'btree'}], grants={'select': ['reader']}) }} select * from (values (1, {{ var('n', 1) }})) as t(id, n)" >models/base.sql
echo "select * from {{ ref('base') }}" >models/v.sql
echo "{{ config(materialized='materialized_view', indexes=[{'columns': ['id']}]) }} select id, n * 10 as n10 from {{ ref('base') }}" >models/mv.sql
run run
expect_rc 0 "table, view and materialized view"
expect_query "select relname, relkind, relpersistence from pg_class c join pg_namespace s on s.oid = c.relnamespace where nspname = 'rel' and relkind in ('r', 'v', 'm') order by 1" \
"base|r|u
mv|m|p
v|v|p" "an unlogged table, a view, a materialized view, no leftovers"
expect_query "select count(*) as n, sum(case when indexdef like 'CREATE UNIQUE INDEX%' then 1 else 0 end) as u from pg_indexes where schemaname = 'rel' and tablename = 'base'" "2|1" \
	"the two configured indexes, one unique"
expect_query "select count(*) from pg_indexes where schemaname = 'rel' and tablename = 'mv'" "1" "the materialized view's index"
expect_query "select has_table_privilege('reader', 'rel.base', 'select') as r, has_table_privilege('auditor', 'rel.base', 'select') as a" "true|false" \
	"select is granted to the configured role only"
expect_query "select n10 from {{ ref('mv') }}" "10"
run run --vars '{n: 2}'
expect_rc 0 "a second run"
expect_out "OK created sql materialized_view model rel.mv"
expect_query "select n10 from {{ ref('mv') }}" "20" "the materialized view dropped with the old table (CASCADE) is built again"
expect_query "select n from {{ ref('v') }}" "2" "so is the view downstream of the rebuilt table"
pg_sql "update rel.base set n = 5"
run run -s mv
expect_rc 0 "a run of the materialized view alone"
expect_query "select n10 from {{ ref('mv') }}" "50" "the materialized view is refreshed"
if grep -qi "refresh materialized view" target/run/rel/models/mv.sql; then ok "by REFRESH MATERIALIZED VIEW"
else not_ok "by REFRESH MATERIALIZED VIEW" "$(cat target/run/rel/models/mv.sql)"; fi
run run --full-refresh -s mv
expect_rc 0 "--full-refresh rebuilds the materialized view"
if grep -qi "create materialized view" target/run/rel/models/mv.sql; then ok "with CREATE MATERIALIZED VIEW"
else not_ok "with CREATE MATERIALIZED VIEW"; fi
run run -s base --vars '{kind: view}'
expect_rc 0 "a table replaced by a view"
expect_query "select relkind from pg_class where oid = 'rel.base'::regclass" "v"

# grants kept on an incremental table are revoked when the config no longer names the grantee
echo "{{ config(materialized='incremental', grants={'select': var('to', ['reader', 'auditor'])}) }} select 1 as x" >models/inc.sql
run run -s inc
expect_query "select has_table_privilege('reader', 'rel.inc', 'select') as r, has_table_privilege('auditor', 'rel.inc', 'select') as a" "true|true"
run run -s inc --vars '{to: [reader]}'
expect_rc 0 "an incremental run with fewer grantees"
expect_query "select has_table_privilege('reader', 'rel.inc', 'select') as r, has_table_privilege('auditor', 'rel.inc', 'select') as a" "true|false" \
	"the dropped grantee lost its grant"

done_testing
